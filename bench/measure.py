"""Timing helpers: medians, a child process's peak memory (alone, or with the processes it starts), and the
benchmarks' result rows."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
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


def timed_plan(arguments: list[str], timeout: float = 3600) -> tuple[float, str]:
    """`python -m simulator.plan` with these flags, as a user runs it, timed as a whole process: (wall seconds,
    what it printed). Its exit status 1 (a roster that does not keep the promise) is a result, not a failure."""
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, "-m", "simulator.plan", *arguments], capture_output=True, text=True, timeout=timeout
    )
    seconds = time.perf_counter() - started
    if finished.returncode not in (0, 1):
        raise RuntimeError(f"simulator.plan failed: {finished.stderr[-2000:]}")
    return seconds, finished.stdout


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


SAMPLE_EVERY = 0.1
"""Seconds between two looks at a process tree's memory (run_for_peak_memory). A look reads each process's
/proc/PID/smaps_rollup, for which the kernel walks its page tables: about 0.7 ms for a simulator of 30 MiB on
a busy 2-core machine, so ten looks a second take some 1.5% of a core from the run."""


def run_for_peak_memory(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command to its end; return (wall seconds, the peak memory of it and its descendants together, in MiB).

    The kernel's peak (wait4's ru_maxrss, run_for_peak_rss) is one process's: the largest of the command and the
    children it reaped, never their sum: a simulator's peak is its own or its writer process's, not both (some 20
    and 50 MiB at 100k orders, the writer's with SQLite's page cache). Here the tree is looked at every SAMPLE_EVERY
    seconds and its proportional set sizes summed: a page the writer shares with the simulator it was forked
    from counts once, where their resident sizes would count it twice. A peak shorter than a look can pass
    unseen, so the kernel's peak of the largest single process (resident, a floor of the tree's at that moment)
    is taken where it is higher, if it is theirs: a child starts with this process's peak as its own (Linux
    keeps it across exec), see simulator_bench.units_in."""
    ours = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:  # not a pipe: a chatty child would fill it and wait for us forever
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env={**os.environ, **(env or {})})
        done = threading.Event()
        peak = [0]
        watcher = threading.Thread(target=_watch, args=(process.pid, done, peak), daemon=True)
        watcher.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        watcher.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            error = errors.read().decode(errors="replace")
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {error[-2000:]}")
    largest = usage.ru_maxrss if usage.ru_maxrss > ours else 0  # else it may be ours, inherited
    return wall, max(peak[0], largest) / 1024  # Linux reports KiB


def _watch(pid: int, done: threading.Event, peak: list[int]) -> None:
    """Until `done`, the largest sum of the proportional set sizes (KiB) of `pid` and its descendants, in peak[0]."""
    while not done.wait(SAMPLE_EVERY):
        peak[0] = max(peak[0], sum(_pss_kib(member) for member in _tree(pid)))


def _tree(pid: int) -> list[int]:
    """A process and its descendants, from Linux's /proc (a child of any of its threads)."""
    found, waiting = [], [pid]
    while waiting:
        member = waiting.pop()
        found.append(member)
        try:
            for task in os.listdir(f"/proc/{member}/task"):
                with open(f"/proc/{member}/task/{task}/children") as listing:
                    waiting.extend(int(child) for child in listing.read().split())
        except OSError:  # it ended (or a thread did) between two reads
            continue
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:  # ended: a zombie has no memory left to count
        pass
    return 0
