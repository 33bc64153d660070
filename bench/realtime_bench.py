"""Real-time fidelity: how far the simulated clock falls behind the ideal (wall time × speed) when the
kitchen replays the default data in accelerated real time, with the real store; and how soon a signal
stops the simulator."""

from __future__ import annotations

import signal
import sqlite3
import statistics
import subprocess
import time

from bench import workload
from bench.measure import Result
from common.database import connect_writer
from common.localtime import LocalClock
from common.settings import load_settings
from simulator.feed import read_orders
from simulator.menu import load_menu
from simulator.run import WAKE_INTERVAL, simulate
from simulator.store import RunParameters, RunStore

LAG_TARGET_WALL_S = 1.0
STOP_TARGET_S = 1.0


class LagProbe:
    """Passes everything on to the store; at each tick (right after an event is processed) notes the lag."""

    def __init__(self, store: RunStore, speed: float) -> None:
        self.store, self.speed = store, speed
        self.start: tuple[float, float] | None = None
        self.lags: list[float] = []

    def __getattr__(self, name):
        return getattr(self.store, name)

    def tick(self, now: float) -> None:
        wall = time.monotonic()
        if self.start is None:
            self.start = (wall, now)
        self.lags.append(max(0.0, (wall - self.start[0]) * self.speed - (now - self.start[1])))
        self.store.tick(now)


def lag(speeds: list[float], seconds: float) -> list[Result]:
    settings = load_settings()
    results = []
    for speed in speeds:
        db = workload.fresh(workload.WORK / "realtime.db")
        store = RunStore.start(
            connect_writer(db),
            RunParameters(settings.kitchen, settings.cooks, speed, "default", "default", settings.timezone),
        )
        probe = LagProbe(store, speed)
        deadline = time.monotonic() + seconds
        simulate(
            read_orders(settings.orders_path, load_menu(settings.menu_path)),
            settings.cooks,
            speed,
            probe,
            LocalClock(settings.timezone),
            lambda: time.monotonic() > deadline,
        )
        store.finish("completed")
        store.connection.close()
        ordered = sorted(probe.lags)
        worst, p99 = ordered[-1], ordered[int(0.99 * (len(ordered) - 1))]
        wall = time.monotonic() - probe.start[0]
        results.append(
            Result(
                "real-time lag",
                f"{speed:g}x for {wall:.0f} s wall",
                f"max {worst:.1f} sim s ({worst / speed:.3f} wall s), p99 {p99:.1f} sim s ({p99 / speed:.3f} wall s)",
                "ideal: wall time x speed",
                f"{worst / speed:.3f} wall s",
                f"< {LAG_TARGET_WALL_S:g} wall s",
                worst / speed < LAG_TARGET_WALL_S,
            )
        )
    return results


def stop_latency(repeat: int) -> list[Result]:
    """Wall seconds from SIGINT or SIGTERM to the simulator's exit (the run then marked interrupted), in a
    real-time run of the default data at 60x, against the run loop's wake interval, the least possible."""
    results = []
    for number in (signal.SIGINT, signal.SIGTERM):
        latencies = []
        for _ in range(repeat):
            db = workload.fresh(workload.WORK / "stop.db")
            process = subprocess.Popen(
                workload.simulator_command(workload.stream(10_000), db, speed="60"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            while not _committed(db):
                time.sleep(0.02)
            sent = time.monotonic()
            process.send_signal(number)
            process.wait(timeout=30)
            latencies.append(time.monotonic() - sent)
        worst = max(latencies)
        results.append(
            Result(
                "stop on a signal",
                f"{signal.Signals(number).name}, real time at 60x, {repeat} runs",
                f"median {statistics.median(latencies):.2f} s, max {worst:.2f} s",
                f"wake interval {WAKE_INTERVAL:g} s",
                f"{worst / WAKE_INTERVAL:.1f}x",
                f"< {STOP_TARGET_S:g} s",
                worst < STOP_TARGET_S,
            )
        )
    return results


def _committed(db) -> bool:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            return connection.execute("SELECT COUNT(*) FROM orders").fetchone()[0] > 0
    except sqlite3.OperationalError:
        return False
