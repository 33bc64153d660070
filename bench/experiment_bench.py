"""The experiment layer: the direct computation against the SimPy kitchen it replaces in trials, for
fixed crews and cook schedules; and the whole staffing plan on the shipped data, against the fixed crew
and the two-level schedule a user would otherwise pick."""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
import time
from pathlib import Path

from bench import workload
from bench.measure import Result, median_of, timed, timed_plan
from common.localtime import LocalClock
from common.schedule import CookSchedule
from simulator.experiment import direct
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.streams import from_entries
from simulator.feed import read_orders
from simulator.menu import load_menu
from simulator.run import NoRecorder, simulate

ZONE = "America/Los_Angeles"
SCHEDULE = {
    "00:00": 30,
    "06:00": 60,
    "11:00": 170,
    "15:00": 90,
    "17:30": 160,
    "22:00": 40,
}  # the parameters file's example
SCHEDULE_SPEEDUP_TARGET = 20
PLAN_SECONDS_TARGET = 120
BELOW_FIXED_TARGET, BELOW_TWO_LEVEL_TARGET = 0.20, 0.10


def direct_model(sizes: list[int], repeat: int) -> list[Result]:
    """Both computations in virtual time on streams already read into memory, with no store."""
    results = []
    menu = load_menu(workload.menu_file())
    grid = IntervalGrid(30, False, ZONE)
    crews = {"fixed crew": workload.COOKS, "cook schedule": CookSchedule.parse(SCHEDULE, ZONE)}
    for size in sizes:
        entries = list(read_orders(workload.stream(size), menu))
        stream = from_entries(entries, grid)
        for name, crew in crews.items():
            simpy_run = median_of(
                repeat, lambda: timed(lambda: simulate(entries, crew, None, NoRecorder(), LocalClock(ZONE)))
            )
            computed = median_of(repeat, lambda: timed(lambda: direct.run(stream, crew)))
            speedup = simpy_run / computed
            target = SCHEDULE_SPEEDUP_TARGET if name == "cook schedule" else 1
            results.append(
                Result(
                    f"trial model, {name} (virtual time)",
                    f"{size:,} orders",
                    f"{size / computed:,.0f} orders/s computed directly",
                    f"{size / simpy_run:,.0f} orders/s SimPy kitchen",
                    f"{speedup:.1f}x faster",
                    f">= {target}x",
                    speedup >= target,
                )
            )
    return results


def plan(replications: int | None = None) -> list[Result]:
    """`python -m simulator.plan` on the shipped data, as a user runs it, timed as a whole process: next week's
    roster, its held-out verdict, and its labour beside the fixed crew and the two-level schedule."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "plan"
        flags = ["--replications", str(replications)] if replications else []
        seconds, _ = timed_plan([*flags, "--sla-p90", "40", "--out", str(out), "--no-progress"], timeout=1800)
        rows = {row["option"]: row for row in csv.DictReader((out / "comparison.csv").read_text().splitlines())}
    roster, held_out = rows["the roster"], rows["the roster, held out"]
    fixed = next(r for r in rows.values() if r["kind"] == "fixed")
    two_level = next(r for r in rows.values() if r["kind"] == "schedule")
    hours = {
        name: float(row["labour_cook_hours"])
        for name, row in (("roster", roster), ("fixed", fixed), ("two", two_level))
    }
    met, held = int(held_out["blocks_meeting_service_level"]), int(held_out["blocks_with_orders"])
    case = f"shipped data, next week, p90 <= 40 min on 95% of days ({replications or 'default'} search weeks)"
    return [
        Result(
            "staffing plan",
            case + ": whole run",
            f"{seconds:.1f} s",
            "-",
            "-",
            f"< {PLAN_SECONDS_TARGET} s",
            seconds < PLAN_SECONDS_TARGET,
        ),
        Result(
            "staffing plan",
            case + ": blocks at the service level (held out)",
            f"{met} of {held}",
            f"{held_out['replications']} held-out weeks",
            f"worst {held_out['worst_block_days_met_pct']}% of days",
            "all",
            met == held,
        ),
        Result(
            "staffing plan",
            case + ": labour",
            f"{hours['roster']:,.0f} cook-hours, the roster",
            f"{hours['fixed']:,.0f} cook-hours, {fixed['option']}",
            f"{1 - hours['roster'] / hours['fixed']:.0%} less",
            f">= {BELOW_FIXED_TARGET:.0%} less",
            1 - hours["roster"] / hours["fixed"] >= BELOW_FIXED_TARGET,
        ),
        Result(
            "staffing plan",
            case + ": labour",
            f"{hours['roster']:,.0f} cook-hours, the roster",
            f"{hours['two']:,.0f} cook-hours, {two_level['option']} (two-level)",
            f"{1 - hours['roster'] / hours['two']:.0%} less",
            f">= {BELOW_TWO_LEVEL_TARGET:.0%} less",
            1 - hours["roster"] / hours["two"] >= BELOW_TWO_LEVEL_TARGET,
        ),
    ]


CLUSTER_OVERHEAD_TARGET = 0.15


def cluster_overhead(days: int = 30, replications: int = 5) -> list[Result]:
    """The same sweep on local processes and on a Dask LocalCluster of two workers (started beforehand, as a
    cluster is), on a generated stream of `days` days; in turn, twice each, the faster of each kept."""
    from distributed import LocalCluster

    from simulator import sweep

    stream = workload.WORK / f"cluster-{days}-days.json"
    if not stream.exists():
        from simulator.generate import main as generate

        generate(["--days", str(days), "--orders", str(stream), "--menu", str(workload.WORK / "cluster-items.json")])
    arguments = [
        "--orders",
        str(stream),
        "--menu",
        str(workload.WORK / "cluster-items.json"),
        "--cooks",
        "60:160:20",
        "--replications",
        str(replications),
        "--no-progress",
    ]
    times: dict[str, list[float]] = {"local": [], "cluster": []}
    with (
        tempfile.TemporaryDirectory() as out,
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
    ):
        for _ in range(2):
            for where, flags in (("local", ["--workers", "2"]), ("cluster", ["--cluster", cluster.scheduler_address])):
                started = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()):
                    sweep.main(arguments + ["--out", f"{out}/{where}", *flags])
                times[where].append(time.perf_counter() - started)
    local, on_cluster = min(times["local"]), min(times["cluster"])
    overhead = on_cluster / local - 1
    return [
        Result(
            "sweep on a Dask cluster",
            f"{days} days generated, 21 options x {replications} replications",
            f"{on_cluster:.1f} s on a LocalCluster of 2 workers",
            f"{local:.1f} s on 2 local processes",
            f"{overhead:+.0%}",
            f"< {CLUSTER_OVERHEAD_TARGET:.0%} overhead",
            overhead < CLUSTER_OVERHEAD_TARGET,
        )
    ]
