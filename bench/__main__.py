"""`python -m bench [simulator|formats|dashboard|layout|realtime|outage|contention|experiment|plan|all]`: run
benchmarks, print and save a table."""

from __future__ import annotations

import compileall
import os
import platform
import sqlite3
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import (
    contention_bench,
    dashboard_bench,
    experiment_bench,
    formats_bench,
    layout_bench,
    outage_bench,
    plan_bench,
    realtime_bench,
    simulator_bench,
)
from bench.measure import Result
from common.command_line import Parser

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def run(which: str, sizes: list[int], repeat: int, quick: bool) -> list[Result]:
    results: list[Result] = []
    compile_project()
    postgres = _postgres()
    if which in ("simulator", "all"):
        results += simulator_bench.memory(sizes)  # first, while this process is small (see units_in)
        results += simulator_bench.throughput(sizes, repeat)
        if postgres:
            results += simulator_bench.postgres([min(sizes)] if quick else [100_000], repeat, postgres)
    if which in ("formats", "all"):
        results += formats_bench.side_by_side([min(sizes)] if quick else sizes, repeat)
    if which in ("dashboard", "all"):
        results += dashboard_bench.refresh(sizes, 3 if quick else 10)
        largest = max(sizes)
        targets = {f"{largest:,} orders": dashboard_bench.database(largest)}
        if postgres:
            targets[f"{largest:,} orders "] = dashboard_bench.postgres_database(largest, postgres)
        results += dashboard_bench.http_refresh(targets, 5 if quick else 30)
        results += dashboard_bench.compare_refresh(
            dashboard_bench.compare_database(largest),
            f"{largest:,} orders a run",
            5 if quick else 30,
            2 if quick else 5,
        )
        results += dashboard_bench.load(targets, 3 if quick else 60)
    if not postgres and which in ("simulator", "dashboard", "all"):
        results.append(Result("PostgreSQL", "not measured", "no server answered", "-", "-", "-", None))
    if which in ("layout", "all"):
        results += layout_bench.simulator([min(sizes)] if quick else [100_000], 1 if quick else 5)
        results += layout_bench.direct_model([min(sizes)] if quick else [100_000], 1 if quick else 3)
        results += layout_bench.dashboard(max(sizes), 3 if quick else 10)
    if which in ("realtime", "all"):
        results += realtime_bench.lag([300, 3000], 3 if quick else 180)
        results += realtime_bench.stop_latency(1 if quick else 5)
    if which in ("outage", "all"):
        results += outage_bench.cost(1, 20_000, 1.0) if quick else outage_bench.cost()
    if which in ("experiment", "all"):
        results += experiment_bench.direct_model(sizes, repeat)
    if which in ("experiment", "plan", "all"):
        results += experiment_bench.plan(2 if quick else None)
        results += plan_bench.results(quick)
    if which in ("experiment", "all"):
        results += experiment_bench.cluster_overhead(3 if quick else 30, 2 if quick else 5)
    if which in ("contention", "all"):
        size = min(sizes) if quick else 100_000
        results += contention_bench.slowdown(size, 2 if quick else 4, repeat)
    return results


def compile_project() -> None:
    """Compile the project's bytecode once, as an install does: where PYTHONDONTWRITEBYTECODE is set (this
    machine, our images) every process would otherwise compile our modules from source at start, a cost
    the one-file textbook baseline hardly pays and no installed copy pays."""
    root = Path(__file__).resolve().parent.parent
    for package in ("common", "simulator", "dashboard", "bench"):
        compileall.compile_dir(root / package, quiet=1)


def _postgres() -> str | None:
    """The PostgreSQL server to measure against (KITCHEN_BENCH_POSTGRES_URL, or the local one), if it answers."""
    url = os.environ.get("KITCHEN_BENCH_POSTGRES_URL") or simulator_bench.DEFAULT_POSTGRES
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=2).close()
    except Exception:  # no server, no driver: PostgreSQL is left out, and a row says so
        return None
    return url


def table(results: list[Result]) -> str:
    lines = [
        "| benchmark | case | measured | baseline (same run) | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        met = "-" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(f"| {r.benchmark} | {r.case} | {r.measured} | {r.baseline} | {r.ratio} | {r.target} | {met} |")
    return "\n".join(lines)


def report(results: list[Result], command: str, seconds: float, earlier: str = "") -> str:
    """The new results, and the rows of earlier runs for the benchmarks that did not run this time."""
    ran = {r.benchmark for r in results}
    kept = [
        line
        for line in earlier.splitlines()
        if line.startswith("| ")
        and not line.startswith(("| benchmark", "| ---"))
        and line.split(" | ")[0].removeprefix("| ") not in ran
    ]
    runs = [line for line in earlier.splitlines() if line.startswith("- `python -m bench")] if kept else []
    runs.append(
        f"- `{command}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; took {seconds / 60:.1f} min."
    )
    return (
        "# Benchmark results\n\n" + "\n".join(runs) + "\n\n"
        "Medians over repeated runs; every baseline ran in the same invocation as its measurement.\n\n"
        + "\n".join([table(results)] + kept)
        + "\n"
    )


def parser() -> Parser:
    flags = Parser("python -m bench", __doc__)
    flags.add_argument(
        "which",
        nargs="?",
        default="all",
        choices=[
            "simulator",
            "formats",
            "dashboard",
            "layout",
            "realtime",
            "outage",
            "contention",
            "experiment",
            "plan",
            "all",
        ],
        help="the benchmarks to run (default: %(default)s)",
    )
    flags.add_argument("--sizes", default="10000,100000,1000000", help="order counts, comma-separated")
    flags.add_argument("--repeat", type=int, default=3, help="runs per measurement (the dashboard's: 10)")
    flags.add_argument("--quick", action="store_true", help="a smoke run: tiny sizes, one repeat, seconds")
    flags.add_argument("--output", type=Path, default=RESULTS, help="the table's file (default: bench/RESULTS.md)")
    return flags


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    sizes = [2000, 5000] if args.quick else [int(s) for s in args.sizes.split(",")]
    started = time.monotonic()
    results = run(args.which, sizes, 1 if args.quick else args.repeat, args.quick)
    earlier = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    text = report(
        results,
        "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        time.monotonic() - started,
        earlier,
    )
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
