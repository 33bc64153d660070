"""The kitchen laid out in stations (data/layout.toml) beside the kitchen of one pool of cooks, on the same
generated streams: the simulator's wall time, the direct model of a layout against the SimPy kitchen it is held
equal to, and the dashboard's full refresh of a laid-out run (its station view included)."""

from __future__ import annotations

import statistics
from pathlib import Path

from bench import dashboard_bench, workload
from bench.measure import Result, median_of, run_for_peak_rss, timed
from bench.simulator_bench import textbook_command
from common.localtime import LocalClock
from common.settings import PROJECT_ROOT
from simulator.experiment import direct_layout
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.streams import from_entries
from simulator.feed import read_orders
from simulator.menu import load_menu
from simulator.run import NoRecorder, simulate
from simulator.stations.layout import LaidOut, read_layout

LAYOUT = PROJECT_ROOT / "data" / "layout.toml"
ZONE = "America/Los_Angeles"
LAID_OUT_TARGET = 2.0
"""Issue #27: the simulator with the example layout at most 2x the no-layout run on the same orders."""
TEXTBOOK_RATIO_BEFORE = 0.70
"""The simulator without a layout against the textbook SimPy model at 100k orders before the layouts landed
(`python -m bench formats`, JSON an order a line, 2026-12-07 05:41): issue #27 keeps it within 5%."""
DIRECT_SPEEDUP_TARGET = 5.0
"""Issue #27: the direct model of a layout at least 5x faster than the SimPy kitchen, for the plan by role."""


def _laid_out_database(size: int) -> tuple[Path, float]:
    """A laid-out run of `size` orders written by the real simulator: the database and its wall seconds."""
    db = workload.fresh(workload.WORK / f"kitchen-laid-out-{size}.db")
    command = [*workload.simulator_command(workload.stream(size), db)]
    at = command.index("--cooks")
    command[at : at + 2] = ["--layout", str(LAYOUT)]
    wall, _ = run_for_peak_rss(command)
    return db, wall


def simulator(sizes: list[int], repeat: int) -> list[Result]:
    """The simulator with the shipped layout against the same stream with one pool of the default crew, and that
    one pool against the textbook SimPy model, all three in turn in each round."""
    results = []
    for size in sizes:
        rounds = [
            (
                _laid_out_database(size)[1],
                workload.simulated_database(size)[1],
                run_for_peak_rss(textbook_command(workload.stream(size)))[0],
            )
            for _ in range(repeat)
        ]
        laid_out, pooled, textbook = (statistics.median(times) for times in zip(*rounds, strict=True))
        to_textbook = statistics.median(pool / book for _, pool, book in rounds)
        results.append(
            Result(
                "simulator without a layout, beside the textbook model (--speed max)",
                f"{size:,} orders, one pool of {workload.COOKS} cooks into SQLite",
                f"{pooled:.2f} s, {to_textbook:.2f}x textbook",
                f"{textbook:.2f} s textbook SimPy model; {TEXTBOOK_RATIO_BEFORE:.2f}x before the layouts",
                f"{to_textbook / TEXTBOOK_RATIO_BEFORE:.3f}x the ratio before",
                "<= 1.05x the ratio before",
                to_textbook <= TEXTBOOK_RATIO_BEFORE * 1.05,
            )
        )
        results.append(
            Result(
                "laid-out kitchen (--speed max)",
                f"{size:,} orders, data/layout.toml (6 stations, 5 roles) into SQLite",
                f"{laid_out:.2f} s, {size / laid_out:,.0f} orders/s",
                f"{pooled:.2f} s one pool of {workload.COOKS} cooks",
                f"{laid_out / pooled:.2f}x its time",
                f"<= {LAID_OUT_TARGET:g}x",
                laid_out / pooled <= LAID_OUT_TARGET,
            )
        )
    return results


def direct_model(sizes: list[int], repeat: int) -> list[Result]:
    """A trial of the shipped layout computed directly (its step times drawn, the orders' timestamps, the summary
    a plan judges) against the SimPy kitchen's run of the same orders, both in virtual time with no store."""
    results = []
    menu = load_menu(workload.menu_file())
    layout = read_layout(LAYOUT, ZONE)
    grid = IntervalGrid(30, False, ZONE)
    for size in sizes:
        entries = list(read_orders(workload.stream(size), menu))
        stream = from_entries(entries, grid)
        direct_layout.run(stream, layout, 1)  # compiled once (or read from Numba's cache), as a plan's trials find it
        simpy_run = median_of(
            repeat, lambda: timed(lambda: simulate(entries, LaidOut(layout, 1), None, NoRecorder(), LocalClock(ZONE)))
        )
        direct = median_of(repeat, lambda: timed(lambda: direct_layout.run(stream, layout, 1)))
        speedup = simpy_run / direct
        results.append(
            Result(
                "trial model, laid-out kitchen (virtual time)",
                f"{size:,} orders, data/layout.toml",
                f"{size / direct:,.0f} orders/s computed directly",
                f"{size / simpy_run:,.0f} orders/s SimPy kitchen",
                f"{speedup:.1f}x faster",
                f">= {DIRECT_SPEEDUP_TARGET:g}x",
                speedup >= DIRECT_SPEEDUP_TARGET,
            )
        )
    return results


def dashboard(size: int, repeat: int) -> list[Result]:
    """One full refresh of the live page on a laid-out run, its two station charts among the others."""
    db, _ = _laid_out_database(size)
    dashboard_bench.full_refresh(db)  # warm the page cache, as a running dashboard has it
    laid_out = median_of(repeat, lambda: timed(lambda: dashboard_bench.full_refresh(db)))
    pooled_db = dashboard_bench.database(size)
    dashboard_bench.full_refresh(pooled_db)
    pooled = median_of(repeat, lambda: timed(lambda: dashboard_bench.full_refresh(pooled_db)))
    return [
        Result(
            "dashboard full refresh, laid-out run",
            f"{size:,} orders, data/layout.toml: every chart and the station view",
            f"{laid_out * 1000:.1f} ms",
            f"{pooled * 1000:.1f} ms a run of one pool of cooks",
            f"{laid_out / pooled:.2f}x its time",
            f"< {dashboard_bench.REFRESH_TARGET_MS} ms",
            laid_out * 1000 < dashboard_bench.REFRESH_TARGET_MS,
        )
    ]
