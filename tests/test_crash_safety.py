"""Crash safety: SIGKILL the simulator at random moments while it writes, then look at what is left.

The database is never corrupt, every row is consistent, at most about a second of work is lost (the
last commit is that recent), and a new run starts cleanly beside the killed one, which stays
recognisably unfinished: status 'running', no end time, and a last commit that stopped.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time

import pytest

from tests.kitchen_data import CONSISTENT
from tests.processes import committed, generate, simulator_command


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("crash"), days=20, orders_per_day=3000, seed=8)


def children(pid: int) -> list[int]:
    """The process's children (its writer), from Linux's /proc."""
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]


def alive(pid: int) -> bool:
    """Running or sleeping: not gone and not a zombie waiting for a parent to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def kill_when(command: list[str], db, run: int, orders: int, then: float) -> float:
    """Start the run; once it has committed `orders` orders, wait `then` seconds more and SIGKILL it.
    Its writer process must then end by itself, not linger holding the database.

    Progress, not a fixed sleep, decides the moment, so the run is caught in the middle on a machine of
    any speed."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while committed(db, run) < orders:
        assert process.poll() is None, "the run ended before it could be killed"
        time.sleep(0.01)
    time.sleep(then)
    writers = children(process.pid)
    assert writers, "the run has no writer process"
    killed_at = time.time()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    deadline = time.monotonic() + 10
    while any(alive(writer) for writer in writers):
        assert time.monotonic() < deadline, "the writer process outlived the killed simulator"
        time.sleep(0.05)
    return killed_at


@pytest.mark.e2e
@pytest.mark.parametrize("speed", ["max", "3000"])
def test_killed_runs_leave_a_sound_database(tmp_path, stream, speed):
    menu, orders = stream
    db = tmp_path / "k.db"
    rng = random.Random(speed)
    progress = [500, 2000, 8000, 16000, 24000] if speed == "max" else [20, 40, 60, 80, 100]  # of 60,000 orders
    for run, after in enumerate(rng.sample(progress, 3), start=1):
        killed_at = kill_when(
            simulator_command(menu, orders, db, cooks=110, speed=speed), db, run, after, then=rng.uniform(0, 0.6)
        )
        with sqlite3.connect(db) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute(CONSISTENT, (run,)).fetchone() == (0,)
            status, ended, last_commit, started = connection.execute(
                "SELECT status, wall_ended_at, wall_updated_at, wall_started_at FROM runs WHERE id = ?", (run,)
            ).fetchone()
            assert (status, ended) == ("running", None)
            assert killed_at - (last_commit or started) < 1.5, "more than about a second of work was lost"
            assert connection.execute("SELECT COUNT(*) FROM orders WHERE run_id = ?", (run,)).fetchone()[0] > 0

    finished = subprocess.run(
        simulator_command(menu, orders, db, cooks=110, speed="max"), capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr
    with sqlite3.connect(db) as connection:
        runs = connection.execute("SELECT id, status FROM runs ORDER BY id").fetchall()
        assert runs == [(1, "running"), (2, "running"), (3, "running"), (4, "completed")]
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        received, discarded = connection.execute(
            "SELECT orders_received, orders_discarded FROM runs WHERE id = 4"
        ).fetchone()
        assert (
            connection.execute("SELECT COUNT(*) FROM orders WHERE run_id = 4 AND status = 'Completed'").fetchone()[0]
            == received
            > 0
        )
