"""Resuming, in the process: which run --resume takes and when it waits, how a run taken over refuses the batches of
the simulator it was taken from, and what a run keeps of how its file was read. The whole of it, killed and resumed
with real processes on both engines, is tests/test_resume.py."""

from __future__ import annotations

import dataclasses
import time
from contextlib import closing

import pytest

from common.database import connect_writer
from common.localtime import LocalClock
from simulator.feed import FeedOptions
from simulator.orders import Reading
from simulator.resume import ResumeError, StoredRun, find, take_over
from simulator.store import RunParameters, RunStore
from simulator.tests.test_writer import write_keeping_batches
from simulator.writer import RunEnd, RunTakenOver, end_run, write
from tests.kitchen_data import rows

ZONE = "Asia/Kolkata"


def a_run(session, kitchen: str = "Kitchen", orders_file: str = "orders.json") -> int:
    parameters = RunParameters(kitchen, 4, None, orders_file, "items.json", ZONE, FeedOptions().to_json(), "a", "b")
    return RunStore.start(session, parameters).run_id


def last_commit(session, run: int, seconds_ago: float) -> None:
    session.execute("UPDATE runs SET wall_updated_at = ? WHERE id = ?", (time.time() - seconds_ago, run))


@pytest.fixture
def session(tmp_path, monkeypatch):
    monkeypatch.setattr("simulator.resume.StoredRun.check_files", lambda run: None)  # no files here: not the point
    with closing(connect_writer(tmp_path / "k.db")) as opened:
        yield opened


def test_the_latest_run_left_running_of_the_kitchen_is_taken_once_silent_long_enough(session):
    old, other, latest = a_run(session), a_run(session, "Other kitchen"), a_run(session)
    for run, ago in ((old, 600), (other, 600), (latest, 4)):
        last_commit(session, run, ago)
    slept: list[float] = []

    found = find(session, "Kitchen", None, stalled_after=10, sleep=slept.append)

    assert found is not None and found.id == latest and found.kitchen == "Kitchen"
    assert len(slept) == 1 and 5 < slept[0] <= 6  # it waited for the rest of the 10 s, then found it still silent
    assert find(session, "Nobody's kitchen", None, sleep=slept.append) is None  # then a new run begins


def test_a_run_that_commits_while_waited_for_is_alive_and_refused(session):
    run = a_run(session)
    last_commit(session, run, 1)

    def meanwhile_it_commits(seconds: float) -> None:
        last_commit(session, run, 0)

    with pytest.raises(ResumeError, match=f"run {run} is still being written by its simulator: stop it first"):
        find(session, "Kitchen", run, stalled_after=10, sleep=meanwhile_it_commits)


def test_a_batch_or_an_end_of_the_simulator_a_run_was_taken_from_is_refused(tmp_path, menu, monkeypatch):
    database = tmp_path / "k.db"
    batches = write_keeping_batches(database, menu, monkeypatch)
    with closing(connect_writer(database)) as session:
        session.execute("UPDATE runs SET status = 'running', wall_ended_at = NULL")  # as if killed after its last batch
        run = take_over(session, StoredRun.read(session, 1) or pytest.fail("no run 1"))
        assert run.resumed == 1 and run.status == "running"
        before = rows(database, "SELECT last_batch, orders_received FROM runs")
        late = dataclasses.replace(batches[-1], number=batches[-1].number + 1)  # the old simulator's next batch
        clock = LocalClock("America/Los_Angeles")
        with pytest.raises(RunTakenOver, match="run 1 was resumed by another simulator while this one wrote it"):
            write(session, late, clock)
        with pytest.raises(RunTakenOver):
            end_run(session, RunEnd(1, "completed", time.time()))
        assert rows(database, "SELECT last_batch, orders_received FROM runs") == before
        assert write(session, dataclasses.replace(late, resumed=1), clock)  # the resumed simulator's is written
        end_run(session, RunEnd(1, "completed", time.time(), resumed=1))
        assert rows(database, "SELECT status, last_batch FROM runs") == [("completed", late.number)]


def test_how_a_file_was_read_is_kept_whole():
    options = FeedOptions(
        "csv", {"ordered_at": "Created", "item": "Product"}, Reading("Europe/Paris", "%d/%m/%Y"), "cents"
    )
    assert FeedOptions.from_json(options.to_json()) == options
    assert FeedOptions.from_json(FeedOptions().to_json()) == FeedOptions()
