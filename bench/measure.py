"""Timing helpers: medians, a child process's peak memory, and the benchmarks' result rows."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    benchmark: str
    case: str
    measured: str
    baseline: str
    ratio: str
    target: str
    met: bool | None
    """None when the row reports a number without a target."""


def median_of(repeat: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(repeat))


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run_for_peak_rss(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command to its end; return (wall seconds, its peak resident memory in MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {error[-2000:]}")
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB
