"""Simulator throughput at full speed with the real store, against the same model with no store; and
its peak memory, which must not grow with the stream's length."""

from __future__ import annotations

from pathlib import Path

from bench import workload
from bench.measure import Result, median_of, timed
from common.database import connect_writer
from common.localtime import LocalClock
from simulator.menu import load_menu
from simulator.feed import read_orders
from simulator.run import NoRecorder, simulate
from simulator.store import RunParameters, RunStore

ZONE = "America/Los_Angeles"
STORE_SHARE_TARGET = 0.75
MEMORY_TARGET_MIB = 300


def replay(orders: Path, recorder_for) -> int:
    """One full-speed run; returns how many orders the stream held."""
    recorder = recorder_for()
    outcome = simulate(read_orders(orders, load_menu(workload.menu_file())), workload.COOKS, None, recorder,
                       LocalClock(ZONE))
    if isinstance(recorder, RunStore):
        recorder.finish("completed")
        recorder.connection.close()
    summary = outcome.summary
    return summary.received + summary.discarded + summary.rejected


def new_store() -> RunStore:
    db = workload.fresh(workload.WORK / "throughput.db")
    return RunStore.start(connect_writer(db), RunParameters("bench", workload.COOKS, None, "bench", "bench", ZONE))


def throughput(sizes: list[int], repeat: int) -> list[Result]:
    results = []
    replay(workload.stream(min(sizes)), new_store)  # warm up: imports, caches, the page cache
    for size in sizes:
        orders = workload.stream(size)
        bare = median_of(repeat, lambda: timed(lambda: replay(orders, NoRecorder)))
        stored = median_of(repeat, lambda: timed(lambda: replay(orders, new_store)))
        share = bare / stored
        results.append(Result(
            "simulator throughput (--speed max)", f"{size:,} orders",
            f"{size / stored:,.0f} orders/s with the SQLite store",
            f"{size / bare:,.0f} orders/s with no store", f"{share:.2f}",
            f">= {STORE_SHARE_TARGET:.2f}", share >= STORE_SHARE_TARGET,
        ))
    return results


def memory(sizes: list[int]) -> list[Result]:
    """Peak RSS of the real simulator process; each run also leaves the database the dashboard bench reads."""
    peaks = {size: workload.simulated_database(size)[2] for size in sizes}
    smallest = peaks[min(sizes)]
    return [
        Result("simulator peak memory", f"{size:,} orders", f"{peak:.0f} MiB", f"{smallest:.0f} MiB at {min(sizes):,}",
               f"{peak / smallest:.2f}", f"< {MEMORY_TARGET_MIB} MiB, flat", peak < MEMORY_TARGET_MIB and peak < 1.25 * smallest)
        for size, peak in peaks.items()
    ]
