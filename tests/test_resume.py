"""A killed run resumes: the real simulator SIGKILLed (or stopped with Ctrl-C) at random moments, then
`python -m simulator --resume`, again and again, on both engines. In the end the run stores, row for row, what a
run never interrupted stores (wall-clock columns aside), and no run is left 'running'.

The orders are the generator's with another seed and a weekend-heavy week; the claim ("equal to an uninterrupted
run") holds whatever the menu, as the replay is checked against what was stored, order for order.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time

import pytest

from common.database import open_writer
from common.settings import PROJECT_ROOT
from tests.kitchen_data import rows, stored_run
from tests.processes import committed, generate
from tests.processes import simulator_process as simulator

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("resume"), days=6, orders_per_day=3000, seed=21)


def stop_when(command: list[str], db, run: int, orders: int, how: signal.Signals) -> subprocess.Popen:
    """Start the simulator and stop it with `how` once its run has committed `orders` orders more than it had."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while committed(db, run) < orders:
        assert process.poll() is None, "the run ended before it could be stopped"
        time.sleep(0.005)
    process.send_signal(how)
    process.wait(timeout=30)
    return process


def long_silent(db, run: int) -> None:
    """As if the killed run's last commit were a minute old: --resume waits for a run committed to in the last
    STALLED_AFTER seconds to fall silent (tested in simulator/tests/test_resume.py); the test knows it is dead."""
    session = open_writer(db)
    try:
        session.execute("UPDATE runs SET wall_updated_at = wall_updated_at - 60 WHERE id = ?", (run,))
    finally:
        session.close()


def test_a_run_killed_at_random_moments_and_resumed_each_time_stores_what_a_run_never_interrupted_stores(
    stream, database
):
    menu, orders = stream
    db = database
    calm = subprocess.run(
        simulator(menu, orders, db, "--cooks", "110", "--speed", "max", "--quiet"), capture_output=True
    )
    assert calm.returncode == 0, calm.stderr
    [(total,)] = rows(db, "SELECT orders_received FROM runs WHERE id = 1")

    rng = random.Random(str(db).startswith("postgresql"))
    moments = sorted(rng.sample(range(total // 10, total * 9 // 10), 3))
    first = stop_when(simulator(menu, orders, db, "--cooks", "110", "--speed", "max"), db, 2, moments[0], signal.SIGINT)
    assert first.returncode == 0 and rows(db, "SELECT status FROM runs WHERE id = 2") == [("interrupted",)]
    # Ctrl-C: 'interrupted', resumed when named; then killed twice, and resumed as the kitchen's latest run
    resume = simulator(menu, orders, db, "--resume", "2")
    for moment in moments[1:]:
        killed = stop_when(resume, db, 2, moment, signal.SIGKILL)
        assert killed.returncode == -signal.SIGKILL
        assert rows(db, "SELECT status FROM runs WHERE id = 2") == [("running",)]
        long_silent(db, 2)
        resume = simulator(menu, orders, db, "--resume")
    done = subprocess.run(resume, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert "run 2 completed" in done.stdout and "Traceback" not in done.stderr
    assert "run 2 resumed: its " in done.stderr and "equal to what it stored" in done.stderr
    assert rows(db, "SELECT id, status, resumed FROM runs ORDER BY id") == [(1, "completed", 0), (2, "completed", 3)]
    assert stored_run(db, 2) == stored_run(db, 1)


def test_a_real_time_run_resumed_catches_up_at_once_then_goes_on_at_its_speed(stream, tmp_path):
    menu, orders = stream
    db = tmp_path / "k.db"
    day = [*simulator(menu, orders, db, "--cooks", "110", "--speed", "40000", "--quiet")]
    calm = subprocess.run(day, capture_output=True, text=True)
    assert calm.returncode == 0, calm.stderr
    [(total, started, ended)] = rows(db, "SELECT orders_received, sim_started_at, sim_now FROM runs WHERE id = 1")

    moment = random.Random(5).randrange(total // 3, total * 2 // 3)
    stop_when(day, db, 2, moment, signal.SIGKILL)
    long_silent(db, 2)
    [(resumed_from,)] = rows(db, "SELECT sim_now FROM runs WHERE id = 2")
    began = time.monotonic()
    done = subprocess.run(simulator(menu, orders, db, "--resume"), capture_output=True, text=True, timeout=120)
    took = time.monotonic() - began

    assert done.returncode == 0, done.stderr
    assert stored_run(db, 2) == stored_run(db, 1)
    # it replays its first part at once, then the rest in real time at 40000x (its speed, from the run's row)
    remaining = (ended - resumed_from) / 40000
    assert remaining * 0.9 < took < remaining + 10, (remaining, took, (resumed_from - started) / 40000)


def test_a_resume_refuses_a_changed_file_or_a_replay_unequal_to_what_was_stored_and_writes_nothing(stream, tmp_path):
    menu, orders = stream
    mine = tmp_path / "orders.json"
    mine.write_bytes(orders.read_bytes())
    db = tmp_path / "k.db"
    stop_when(simulator(menu, mine, db, "--cooks", "110", "--speed", "max"), db, 1, 5000, signal.SIGKILL)
    long_silent(db, 1)
    before = stored_run(db, 1)
    [(last_batch,)] = rows(db, "SELECT last_batch FROM runs")

    mine.write_bytes(orders.read_bytes().replace(b"]", b"]\n", 1))  # one byte more: not the file the run read
    changed = subprocess.run(simulator(menu, mine, db, "--resume"), capture_output=True, text=True)
    assert changed.returncode == 2, changed.stderr
    assert f"run 1: its orders file {mine} changed since the run began" in changed.stderr
    assert stored_run(db, 1) == before and rows(db, "SELECT resumed FROM runs") == [(0,)]

    mine.write_bytes(orders.read_bytes())
    [(order, completed_at)] = rows(
        db, "SELECT id, completed_at FROM orders WHERE status = 'Completed' ORDER BY id DESC LIMIT 1"
    )
    session = open_writer(db)
    session.execute("UPDATE orders SET completed_at = completed_at + 1 WHERE id = ?", (order,))
    session.close()
    tampered = stored_run(db, 1)
    unequal = subprocess.run(simulator(menu, mine, db, "--resume", "1"), capture_output=True, text=True)
    assert unequal.returncode == 2, unequal.stderr
    [line] = unequal.stderr.strip().splitlines()[-1:]
    assert line.startswith(f"simulator: cannot resume run 1: order {order}: stored ")
    assert f"completed_at {completed_at + 1}" in line and "replayed " in line
    assert stored_run(db, 1) == tampered  # nothing written
    assert rows(db, "SELECT status, last_batch FROM runs") == [("running", last_batch)]


def test_a_resume_with_nothing_left_running_begins_a_new_run_and_a_finished_one_is_refused(stream, tmp_path):
    menu, orders = stream
    db = tmp_path / "k.db"
    first = subprocess.run(
        simulator(menu, orders, db, "--cooks", "110", "--speed", "max", "--resume"), capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    assert "no run of Kitchen is left 'running': a new run begins" in first.stderr
    assert rows(db, "SELECT id, status, resumed FROM runs") == [(1, "completed", 0)]

    again = subprocess.run(simulator(menu, orders, db, "--resume", "1"), capture_output=True, text=True)
    assert again.returncode == 2
    assert again.stderr.strip() == "simulator: run 1 is completed: there is nothing left to resume"
    missing = subprocess.run(simulator(menu, orders, db, "--resume", "7"), capture_output=True, text=True)
    assert (missing.returncode, missing.stderr.strip()) == (2, "simulator: there is no run 7")

    piped = subprocess.run(
        [*simulator(menu, "-", db, "--orders-format", "json", "--speed", "max", "--quiet")],
        input=orders.read_text(),
        capture_output=True,
        text=True,
    )
    assert piped.returncode == 0, piped.stderr
    session = open_writer(db)
    session.execute("UPDATE runs SET status = 'running', wall_ended_at = NULL WHERE id = 2")  # as if killed
    session.close()
    long_silent(db, 2)
    stdin = subprocess.run(simulator(menu, orders, db, "--resume"), capture_output=True, text=True)
    assert (stdin.returncode, stdin.stderr.strip()) == (
        2,
        "simulator: run 2 read its orders from standard input: a stream cannot be replayed",
    )


def test_a_laid_out_run_killed_and_resumed_stores_what_a_run_never_interrupted_stores(stream, database):
    """The layout and its seed are kept in the run's row: the resumed run draws the same step times."""
    menu, orders = stream
    laid_out = ["--layout", str(PROJECT_ROOT / "data" / "layout.toml"), "--record-units", "--layout-seed", "8"]
    laid_out += ["--speed", "max"]
    calm = subprocess.run(simulator(menu, orders, database, *laid_out, "--quiet"), capture_output=True, text=True)
    assert calm.returncode == 0, calm.stderr
    [(total, layout)] = rows(database, "SELECT orders_received, layout FROM runs WHERE id = 1")
    assert json.loads(layout)["seed"] == 8 and "oven" in json.loads(layout)["layout"]["stations"]

    killed = stop_when(simulator(menu, orders, database, *laid_out), database, 2, total // 2, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    long_silent(database, 2)
    done = subprocess.run(simulator(menu, orders, database, "--resume"), capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert "equal to what it stored" in done.stderr
    assert stored_run(database, 2) == stored_run(database, 1)
    assert rows(database, "SELECT COUNT(*) FROM unit_steps WHERE run_id = 2")[0][0] > 2 * total  # steps, packings
    other_seed = subprocess.run(
        simulator(menu, orders, database, *laid_out[:4], "9", "--speed", "max", "--quiet"), capture_output=True
    )
    assert other_seed.returncode == 0
    assert rows(database, "SELECT mean_fulfillment_s FROM runs WHERE id = 3") != rows(
        database, "SELECT mean_fulfillment_s FROM runs WHERE id = 1"
    )
