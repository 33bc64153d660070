"""Writer against readers: the simulator's full-speed throughput while several processes refresh the
dashboard in a loop, against its throughput alone. Readers must never block it or see a lock error."""

from __future__ import annotations

import subprocess
import sys

from bench import workload
from bench.measure import Result, median_of, run_for_peak_rss

SLOWDOWN_TARGET = 0.20


def writer_seconds(size: int, readers: int, interval: float, niceness: int, errors: list[int]) -> float:
    db = workload.fresh(workload.WORK / "contention.db")
    marker = workload.WORK / "contention.readers"
    marker.touch()
    pool = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.reader", str(db), str(marker), str(interval), str(niceness)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(readers)
    ]
    try:
        for reader in pool:  # the writer starts once every reader has loaded and is polling
            assert reader.stdout.readline() == "ready\n"
        wall, _ = run_for_peak_rss(workload.simulator_command(workload.stream(size), db))
    finally:
        marker.unlink()
        for reader in pool:
            refreshes, failed = map(int, reader.communicate(timeout=60)[0].split())
            errors.append(failed)
    return wall


# (seconds between a reader's refreshes, reader niceness): a tight loop at the writer's priority; the same
# loop at the lowest priority, which tells CPU sharing on a 2-core machine from waiting on locks; and
# each reader refreshing every second, 5 times the dashboard's default rate.
VARIANTS = [(0.0, 0), (0.0, 19), (1.0, 0)]


def slowdown(size: int, readers: int, repeat: int, variants=VARIANTS) -> list[Result]:
    alone = median_of(repeat, lambda: writer_seconds(size, 0, 0, 0, []))
    results = []
    for interval, niceness in variants:
        errors: list[int] = []
        loaded = median_of(repeat, lambda: writer_seconds(size, readers, interval, niceness, errors))
        lost = 1 - alone / loaded
        pacing = "a tight loop" if interval == 0 else f"a loop, one refresh every {interval:g} s"
        if niceness:
            pacing += f" at nice {niceness}"
        results.append(
            Result(
                "writer vs readers",
                f"{size:,} orders, {readers} readers refreshing in {pacing}",
                f"{size / loaded:,.0f} orders/s, {sum(errors)} reader errors",
                f"{size / alone:,.0f} orders/s alone",
                f"{lost:.0%} slower",
                f"< {SLOWDOWN_TARGET:.0%}, 0 errors",
                lost < SLOWDOWN_TARGET and not any(errors),
            )
        )
    return results
