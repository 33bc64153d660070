"""The writer through a database's outages: a batch whose COMMIT was done but whose answer was lost is not
counted twice, a database away too long is given up naming it, and while it is away the batches wait for
it up to the bound, and then the kitchen does."""

from __future__ import annotations

import dataclasses
import itertools
import logging
import pickle
import sqlite3
import threading
import time
from contextlib import closing, contextmanager

import psycopg
import pytest

import simulator.store
from common.database import DatabaseAway, Session, connect_writer, open_writer
from common.localtime import LocalClock
from simulator.store import RunParameters, RunStore
from simulator.writer import Away, Back, Batch, PatientWriter, RunEnd, WriterProcess, end_run, write
from tests.kitchen_data import T0, build_database, order, rows, stored_run

ZONE = "America/Los_Angeles"
ORDERS = [order(T0 + 20 * i, ("Soup", 1 + i % 3), ("Stew", 1), name=f"N{i}", price=100 + i) for i in range(300)] + [
    order(T0 + 6000, ("Pizza", 1))  # rejected
]


def write_keeping_batches(database, menu, monkeypatch) -> list[Batch]:
    """Run 1, written as the simulator writes it, a batch every simulated minute; and its batches."""
    batches: list[Batch] = []

    def keep(session, batch, clock):
        batches.append(batch)
        return write(session, batch, clock)

    with monkeypatch.context() as patched:
        patched.setattr(simulator.store, "write", keep)
        build_database(database, ORDERS, menu, cooks=4, flush_every_tick=True)
    assert len(batches) > 50 and any(batch.orders_again for batch in batches)
    return batches


@pytest.fixture
def written(database, menu, monkeypatch):
    return database, write_keeping_batches(database, menu, monkeypatch)


def another_run(database) -> int:
    with closing(connect_writer(database)) as session:
        parameters = RunParameters("Kitchen", 4, None, "orders.json", "items.json", ZONE)
        return RunStore.start(session, parameters).run_id


def for_run(batch: Batch, run_id: int) -> Batch:
    """The batch, as another run's."""

    def moved(rows):
        return [row._replace(run_id=run_id) for row in rows]

    return dataclasses.replace(
        batch,
        run_id=run_id,
        orders=moved(batch.orders),
        opened=moved(batch.opened),
        orders_again=moved(batch.orders_again),
        samples=moved(batch.samples),
        samples_again=moved(batch.samples_again),
        rejections=moved(batch.rejections),
    )


def end_like(database, of_run: int, run_id: int) -> RunEnd:
    [(status, mean, p90)] = rows(
        database, "SELECT status, mean_fulfillment_s, p90_fulfillment_s FROM runs WHERE id = ?", of_run
    )
    return RunEnd(run_id, status, time.time(), mean, p90)


class AnswerLost(Session):
    """A connection whose `at`-th transaction commits, and whose connection is then lost before COMMIT's
    answer comes back: the writer cannot know that it committed."""

    def __init__(self, session: Session, at: int) -> None:
        super().__init__(session.raw, session.engine)
        self.at, self.transactions, self.lost = at, 0, False

    @contextmanager
    def transaction(self):
        with super().transaction() as db:
            yield db
        self.transactions += 1
        if self.transactions == self.at:
            self.lost = True
            if self.engine == "postgresql":
                self.raw.close()
                raise psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")
            raise sqlite3.OperationalError("database is locked")  # SQLite's own outage: another program's lock


def test_a_batch_committed_whose_answer_was_lost_is_not_counted_twice(written):
    database, batches = written
    run = another_run(database)
    sessions: list[Session] = []

    def connect(target):  # the first connection loses the answer to the COMMIT of the middle batch
        session = open_writer(target)
        sessions.append(AnswerLost(session, at=len(batches) // 2) if not sessions else session)
        return sessions[-1]

    notices: list[Away | Back] = []
    writer = PatientWriter(str(database), None, ZONE, 30, notices.append, threading.Event(), connect)
    for batch in batches:
        writer.write(for_run(batch, run))
    writer.write(end_like(database, 1, run))
    writer.close()

    assert sessions[0].lost
    assert [type(notice) for notice in notices] == [Away, Back]
    assert stored_run(database, run) == stored_run(database, 1)  # the summaries, counts and orders: none twice
    assert rows(database, "SELECT last_batch FROM runs WHERE id = ?", run) == [(len(batches),)]


def test_a_batch_written_again_changes_nothing(written):
    database, batches = written
    run = another_run(database)
    with closing(connect_writer(database)) as session:
        clock = LocalClock(ZONE)
        for batch in batches:
            assert write(session, for_run(batch, run), clock)
            assert not write(session, for_run(batch, run), clock)  # its number is there: skipped
        end_run(session, end_like(database, 1, run))
    assert stored_run(database, run) == stored_run(database, 1)


def test_a_database_away_past_the_retry_time_is_given_up_naming_it_and_how_long():
    attempts: list[float] = []

    def refused(target):
        attempts.append(time.monotonic())
        raise psycopg.OperationalError("connection failed: Connection refused\n\tIs the server running?")

    notices: list[Away | Back] = []
    writer = PatientWriter(
        "postgresql://kitchen:secret@db.example:5432/k", None, ZONE, 1.0, notices.append, threading.Event(), refused
    )
    with pytest.raises(DatabaseAway) as raised:
        writer.write(RunEnd(1, "completed", 0.0))
    assert str(raised.value) == (
        "database postgresql://kitchen:***@db.example:5432/k away for 1.0 s (connection failed: Connection refused),"
        " past --db-retry-seconds 1"
    )
    assert 1.0 <= attempts[-1] - attempts[0] < 2.5
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2  # doubling
    assert [type(notice) for notice in notices] == [Away]
    assert notices[0].reason == "connection failed: Connection refused"


def test_a_fault_is_not_an_outage_and_is_raised_at_once(tmp_path):
    def full(target):
        raise sqlite3.OperationalError("database or disk is full")

    notices: list[Away | Back] = []
    writer = PatientWriter(str(tmp_path / "k.db"), None, ZONE, 30, notices.append, threading.Event(), full)
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        writer.write(RunEnd(1, "completed", 0.0))
    assert notices == []


def test_while_the_database_is_away_batches_wait_up_to_the_bound_then_the_kitchen_waits(
    tmp_path, menu, monkeypatch, caplog
):
    database = tmp_path / "k.db"
    batches = write_keeping_batches(database, menu, monkeypatch)
    run = another_run(database)
    items = [for_run(batch, run) for batch in batches]
    back = tmp_path / "back"  # the database is away until this file is there

    def connect(target):
        if not back.exists():
            raise sqlite3.OperationalError("database is locked")
        return open_writer(target)

    room = sum(len(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)) for item in items[:5])
    writer = WriterProcess(str(database), None, ZONE, retry_seconds=60, waiting_bytes=room, connect=connect)
    sent: list[int] = []

    def kitchen():
        for item in items:
            writer.send(item)
            sent.append(item.number)

    caplog.set_level(logging.INFO, logger="simulator")
    sending = threading.Thread(target=kitchen)
    sending.start()
    deadline = time.monotonic() + 10
    while len(sent) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.5)
    assert len(sent) == 5  # five batches wait: the bound; the sixth waits for room
    assert rows(database, "SELECT last_batch FROM runs WHERE id = ?", run) == [(0,)]
    back.touch()
    sending.join(timeout=30)
    assert not sending.is_alive()
    writer.wait()
    writer.send(end_like(database, 1, run))
    writer.wait()
    writer.close()

    assert stored_run(database, run) == stored_run(database, 1)
    said = [record.getMessage() for record in caplog.records]
    assert any(
        line.startswith(f"database {database} away since ") and "(database is locked), 1 batch waiting" in line
        for line in said
    )
    assert any(" 5 batches waiting " in line and line.endswith(", the kitchen waits for room") for line in said)
    assert any(line.startswith(f"database {database} back after ") for line in said)
