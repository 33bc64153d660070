"""The writer: a flush's rows (a Batch) written in one transaction, with the summaries they add to, here or
in a process of its own on the machine's other core (WriterProcess), so that the kitchen builds the next
batch while the last one is written. Every statement binds its values as parameters; the statements are
derived from the stored records (common/records.py).

The writer process outlives a database outage: a server restarting, failing over or out of reach, or a
SQLite file locked by another program past the busy timeout. It keeps the batch it could not commit, tries
again (every FIRST_DELAY seconds at first, doubling to LAST_DELAY), and writes it once the database is back:
every row once, none lost, none doubled, since each batch commits its number with its rows (runs.last_batch)
and a batch whose number is there already is skipped. Meanwhile the kitchen goes on, its batches waiting for
the writer, up to WAITING_BYTES of them; then it waits too, and drops nothing. If the database stays away
longer than the retry time (--db-retry-seconds), the batch fails with DatabaseAway: the run is left
'running', with everything committed so far.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import pickle
import queue
import signal
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, cast

from common.database import DatabaseAway, DatabaseUnavailable, FileGuard, Session, describe, is_transient, open_writer
from common.localtime import LocalClock
from common.records import (
    UPDATE_PROGRESS,
    DailySalesRow,
    DishSalesRow,
    FulfillmentRow,
    HalfHourSalesRow,
    HourOfDaySalesRow,
    OrderRow,
    Progress,
    RejectedRow,
    SampleRow,
    StationSampleRow,
    TimeOfDayRow,
    UnitStepRow,
    adding,
    replacing,
)
from common.settings import DEFAULT_DB_RETRY_SECONDS
from simulator.summaries import CompletedOrder, summarise

log = logging.getLogger("simulator")

UPSERT_ORDER = replacing(OrderRow, ("run_id", "id"), ("status", "started_at", "completed_at", "cooked_at"))
UPSERT_SAMPLE = replacing(
    SampleRow, ("run_id", "t"), ("queued_orders", "in_progress_orders", "queued_units", "busy_cooks", "cooks")
)
UPSERT_STATION_SAMPLE = replacing(
    StationSampleRow, ("run_id", "t", "station"), ("waiting", "working", "capacity", "longest_wait")
)
"""Station samples are written whole, as they come, or replace those of a minute written already (the run's final
state, a resumed run's replay, a batch written again): no resumed run needs to tell them apart."""
UPSERT_UNIT_STEP = replacing(
    UnitStepRow, ("run_id", "order_id", "unit", "step"), ("station", "role", "ready_at", "started_at", "ended_at")
)
ADD_DAILY_SALES = adding(DailySalesRow, ("run_id", "local_day", "service"))
ADD_HOUR_OF_DAY_SALES = adding(HourOfDaySalesRow, ("run_id", "local_hour", "service"))
ADD_HALF_HOUR_SALES = adding(HalfHourSalesRow, ("run_id", "local_day", "half_hour"))
ADD_DISH_SALES = adding(DishSalesRow, ("run_id", "dish"))
ADD_FULFILLMENT = adding(FulfillmentRow, ("run_id", "local_day", "half_hour", "minutes"))
ADD_TIME_OF_DAY = adding(TimeOfDayRow, ("run_id", "half_hour", "minutes"))
END_RUN = (
    "UPDATE runs SET status = ?, wall_ended_at = ?, mean_fulfillment_s = ?, p90_fulfillment_s = ?, message = ?"
    " WHERE id = ? AND resumed = ?"
)

RETRY_SECONDS = DEFAULT_DB_RETRY_SECONDS
"""How long the writer waits for a database that is away before it gives up (--db-retry-seconds)."""
FIRST_DELAY = 0.1
LAST_DELAY = 2.0
"""Seconds between two tries to reach a database that is away: FIRST_DELAY, doubling up to LAST_DELAY."""
WAITING_BYTES = 64 * 2**20
"""While the database is away, the batches waiting for the writer may hold this much (64 MiB, as they travel
to the writer process, pickled, and wait there): some 100,000 orders of three or four dishes. Then the kitchen
waits for the writer. Otherwise a batch waits for the one before it, as ever."""
SAY_EVERY = 5.0
"""Wall seconds between two lines about a database that is away."""


@dataclass(frozen=True)
class Batch:
    """One flush's rows, ready to write: what the writer process receives."""

    run_id: int
    number: int
    """The run's batches are numbered 1, 2, ... in the order they are written; runs.last_batch is the last one
    committed."""
    orders: list[OrderRow]
    """Orders written once, complete."""
    opened: list[OrderRow]
    """Orders written for the first time, still open: upserted."""
    orders_again: list[OrderRow]
    """Orders written before, complete now or still open: upserted."""
    samples: list[SampleRow]
    samples_again: list[SampleRow]
    rejections: list[RejectedRow]
    progress: Progress
    resumed: int = 0
    """The times the run was resumed, as its simulator knows: a batch is refused once another simulator resumed
    it (RunTakenOver)."""
    stations: list[StationSampleRow] = field(default_factory=list)
    """The stations' samples, in a laid-out kitchen."""
    unit_steps: list[UnitStepRow] = field(default_factory=list)
    """The units' steps, in a laid-out kitchen asked to record them: upserted (a resumed run's replay tells them
    again)."""

    def __reduce__(self) -> tuple[object, ...]:
        """Through the writer's pipe as plain tuples, which pickle four times faster than records (each record
        names its class); the writer process makes them records again, on its own core."""
        rows = (
            self.orders,
            self.opened,
            self.orders_again,
            self.samples,
            self.samples_again,
            self.rejections,
            self.stations,
            self.unit_steps,
        )
        kept = [list(map(tuple, kept)) for kept in rows]
        return _batch_of, (self.run_id, self.number, kept, tuple(self.progress), self.resumed)


def _batch_of(
    run_id: int, number: int, rows: list[list[tuple[object, ...]]], progress: tuple[object, ...], resumed: int
) -> Batch:
    orders, opened, orders_again, samples, samples_again, rejections, stations, unit_steps = rows
    return Batch(
        run_id,
        number,
        [OrderRow._make(row) for row in orders],
        [OrderRow._make(row) for row in opened],
        [OrderRow._make(row) for row in orders_again],
        [SampleRow._make(row) for row in samples],
        [SampleRow._make(row) for row in samples_again],
        [RejectedRow._make(row) for row in rejections],
        Progress._make(progress),
        resumed,
        [StationSampleRow._make(row) for row in stations],
        [UnitStepRow._make(row) for row in unit_steps],
    )


@dataclass(frozen=True)
class RunEnd:
    """How a run ended, written to its row in `runs` once every batch is: the last thing the writer writes."""

    run_id: int
    status: str
    wall_ended_at: float
    mean_fulfillment: float | None = None
    p90_fulfillment: int | None = None
    message: str | None = None
    """Why a run failed."""
    resumed: int = 0
    """As Batch.resumed."""


class RunTakenOver(RuntimeError):
    """The run was resumed by another simulator (python -m simulator --resume) while this one still wrote it: this
    one must stop, and leave the run to the other."""


def _refuse_if_taken_over(db: Session, run_id: int, resumed: int) -> None:
    found = db.execute("SELECT resumed FROM runs WHERE id = ?", (run_id,)).fetchone()
    if found is None or found[0] != resumed:
        raise RunTakenOver(
            f"run {run_id} was resumed by another simulator while this one wrote it: this one stops, and leaves it"
            " to the other"
        )


def write(session: Session, batch: Batch, clock: LocalClock) -> bool:
    """One batch, in one transaction, with the summaries it adds to: sales of the orders written for the
    first time, fulfillment of the orders written complete for the first time (those written again
    complete were open before). False, and nothing written, when the batch is committed already: written
    again after the connection was lost with its COMMIT's answer."""
    completed_again = [row for row in batch.orders_again if row.completed_at is not None]
    # the batch's `orders` are complete, and `completed_again` is what of the rest is: each has its completed_at
    completed = cast("Iterable[CompletedOrder]", itertools.chain(batch.orders, completed_again))
    summaries = summarise(batch.run_id, itertools.chain(batch.orders, batch.opened), completed, clock)
    with session.transaction() as db:
        numbers = (batch.number, batch.run_id, batch.number, batch.resumed)
        if not db.execute(UPDATE_PROGRESS, (*batch.progress, *numbers)).rowcount:
            _refuse_if_taken_over(db, batch.run_id, batch.resumed)
            return False
        db.insert_many(OrderRow.table, OrderRow._fields, batch.orders)
        db.upsert_many(UPSERT_ORDER, batch.opened + batch.orders_again)
        db.upsert_many(ADD_DAILY_SALES, summaries.daily_sales)
        db.upsert_many(ADD_HOUR_OF_DAY_SALES, summaries.hour_of_day_sales)
        db.upsert_many(ADD_HALF_HOUR_SALES, summaries.half_hour_sales)
        db.upsert_many(ADD_DISH_SALES, summaries.dish_sales)
        db.upsert_many(ADD_FULFILLMENT, summaries.fulfillment)
        db.upsert_many(ADD_TIME_OF_DAY, summaries.time_of_day)
        db.insert_many(SampleRow.table, SampleRow._fields, batch.samples)
        db.upsert_many(UPSERT_SAMPLE, batch.samples_again)
        db.upsert_many(UPSERT_STATION_SAMPLE, batch.stations)
        db.upsert_many(UPSERT_UNIT_STEP, batch.unit_steps)
        db.insert_many(RejectedRow.table, RejectedRow._fields, batch.rejections)
    return True


def end_run(session: Session, end: RunEnd) -> None:
    with session.transaction() as db:
        ending = (end.status, end.wall_ended_at, end.mean_fulfillment, end.p90_fulfillment, end.message)
        if not db.execute(END_RUN, (*ending, end.run_id, end.resumed)).rowcount:
            _refuse_if_taken_over(db, end.run_id, end.resumed)


# Outages -------------------------------------------------------------------------------------------


class Away(NamedTuple):
    """The writer's word that the database went away while it wrote."""

    since: float
    """Epoch seconds: when the write that failed began."""
    reason: str
    """The error, in its first line."""


class Back(NamedTuple):
    """The writer's word that the database is back."""

    after: float
    """Seconds it was away."""


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


class PatientWriter:
    """Writes batches (and the run's end) one at a time, each in its transaction, through the database's
    outages: a write that fails because the database is away (common.database.is_transient) is tried again,
    on a new connection to a server, until it is written or `retry_seconds` have passed since the first try
    that failed (then DatabaseAway). Any other error is the write's own, raised as it comes. `notify` hears when
    the database goes away and when it is back; `stopped` says that nobody waits for the writes any more."""

    def __init__(
        self,
        target: str,
        inode: int | None,
        timezone: str,
        retry_seconds: float,
        notify: Callable[[Away | Back], None],
        stopped: threading.Event,
        connect: Callable[[str], Session] = open_writer,
    ) -> None:
        self.target, self.inode, self.retry_seconds = target, inode, retry_seconds
        self.clock = LocalClock(timezone)
        self.notify, self.stopped, self.connect = notify, stopped, connect
        self.session: Session | None = None
        self.guard: FileGuard | None = None

    def write(self, item: Batch | RunEnd) -> None:
        away: float | None = None  # monotonic seconds: when the first try that failed began
        delay = FIRST_DELAY
        while True:
            began = time.monotonic()
            try:
                self._write(item)
            except Exception as error:
                if not is_transient(error):
                    raise
                self._drop()
                if away is None:
                    away = began
                    self.notify(Away(time.time() - (time.monotonic() - began), _first_line(error)))
                waited = time.monotonic() - away
                if waited >= self.retry_seconds:
                    raise DatabaseAway(
                        f"database {describe(self.target)} away for {waited:.1f} s ({_first_line(error)}), past"
                        f" --db-retry-seconds {self.retry_seconds:g}"
                    ) from None
                if self.stopped.wait(min(delay, self.retry_seconds - waited)):
                    raise DatabaseAway(f"database {describe(self.target)} away when the simulator ended") from None
                delay = min(delay * 2, LAST_DELAY)
                continue
            if away is not None:
                self.notify(Back(time.monotonic() - away))
            return

    def _write(self, item: Batch | RunEnd) -> None:
        if self.session is None:
            self.session = self.connect(self.target)
            if self.guard is None:
                self.guard = FileGuard(self.session, self.inode)
        assert self.guard is not None
        self.guard.check()
        if isinstance(item, RunEnd):
            end_run(self.session, item)
        elif not write(self.session, item, self.clock):
            log.debug("batch %d of run %d was committed before its connection was lost", item.number, item.run_id)

    def _drop(self) -> None:
        """After an outage: a server's connection is closed (a new one is opened for the next try); a SQLite
        file's stays, out of any transaction."""
        session = self.session
        if session is None:
            return
        if not isinstance(session.raw, sqlite3.Connection):  # engine "postgresql"
            self.session = None
            session.close()
        elif session.raw.in_transaction:
            session.raw.execute("ROLLBACK")

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None


# The writer process --------------------------------------------------------------------------------


class WriterProcess:
    """A process that writes batches to the database while the kitchen simulates (a thread would not: it
    would wait for the interpreter's lock at every row). One batch at a time: sending the next waits for
    the last one's answer, and raises its error, so nothing is lost and errors are not hidden. While the
    database is away, the writer keeps trying (PatientWriter), and batches wait for it, up to `waiting_bytes`
    of them; beyond, sending waits. Lines on the `simulator` logger say when the database went away, how much
    waits, and when it is back.

    If the simulator dies (SIGKILL), the writer finishes the transaction at hand, sees its pipe closed and
    ends: the database stays consistent, and at most about a second of work is lost, as before (more if the
    database was away: what waited for it). A run resumed later finds the number of its last batch committed
    in runs.last_batch."""

    def __init__(
        self,
        target: str,
        inode: int | None,
        timezone: str,
        retry_seconds: float = RETRY_SECONDS,
        waiting_bytes: int = WAITING_BYTES,
        connect: Callable[[str], Session] = open_writer,
    ) -> None:
        context = multiprocessing.get_context("fork")
        theirs, self.items = context.Pipe(duplex=False)
        self.answers, answers = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_write_items,
            args=(target, inode, timezone, retry_seconds, connect, theirs, answers, (self.items, self.answers)),
            daemon=True,
            name="kitchen writer",
        )
        self.process.start()
        theirs.close()
        answers.close()
        self.database = describe(target)
        self.waiting_bytes = waiting_bytes
        self.sizes: deque[int] = deque()  # of the items sent and not answered yet, in their order
        self.unanswered = 0  # their bytes, summed
        self.away: Away | None = None
        self.said_at = 0.0
        self.ended = False  # the writer process is done: it gave up on the database, or was closed

    def send(self, item: Batch | RunEnd) -> None:
        """Hand an item to the writer once there is room for it: at once if the last one is written, else (while
        the database is away) if the items waiting and this one hold at most `waiting_bytes`. Raises the error of
        an item sent before."""
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        while self.answers.poll():
            self._take_answer()
        self._wait_until(lambda: self._room_for(len(data)), "the kitchen waits for room")
        self.items.send_bytes(data)
        self.sizes.append(len(data))
        self.unanswered += len(data)
        if self.away is not None and time.monotonic() - self.said_at >= SAY_EVERY:
            self._say_away()

    def wait(self) -> None:
        """Until every item sent is written; raises the first error."""
        self._wait_until(lambda: not self.sizes, "the run waits for them to be written")

    def _room_for(self, size: int) -> bool:
        if not self.sizes:
            return True
        return self.away is not None and self.unanswered + size <= self.waiting_bytes

    def _wait_until(self, done: Callable[[], bool], waiting: str) -> None:
        """Take the writer's messages until `done()`; while the database is away, say so (and what waits) at once
        and every SAY_EVERY seconds."""
        said = False
        while not done():
            if self.away is not None and (not said or time.monotonic() - self.said_at >= SAY_EVERY):
                self._say_away(f", {waiting}")
                said = True
            if self.away is None or self.answers.poll(max(0.0, self.said_at + SAY_EVERY - time.monotonic())):
                self._take_answer()

    def _take_answer(self) -> None:
        """One message of the writer: a notice, or the answer to the oldest item unanswered (None, or its
        error; DatabaseAway when the writer gave up, and ended)."""
        if self.ended:
            raise DatabaseUnavailable("the writer process has ended")
        try:
            message = self.answers.recv()
        except EOFError:
            self.ended = True
            raise DatabaseUnavailable("the writer process ended unexpectedly") from None
        if isinstance(message, Away):
            self.away = message
            self._say_away()
        elif isinstance(message, Back):
            self.away = None
            log.info("database %s back after %.1f s", self.database, message.after)
        else:
            self.unanswered -= self.sizes.popleft()
            if isinstance(message, DatabaseAway):  # the writer gave up, and ended
                self.ended = True
            if message is not None:
                raise message

    def _say_away(self, then: str = "") -> None:
        assert self.away is not None
        waiting = len(self.sizes)
        log.info(
            "database %s away since %s (%s), %d batch%s waiting (%.1f MB)%s",
            self.database,
            time.strftime("%H:%M:%S", time.localtime(self.away.since)),
            self.away.reason,
            waiting,
            "" if waiting == 1 else "es",
            self.unanswered / 1e6,
            then,
        )
        self.said_at = time.monotonic()

    def close(self) -> None:
        """End the writer: it finishes the transaction at hand, and writes nothing more (`wait` first for all
        that was sent to be written)."""
        self.ended = True
        self.items.close()
        self.process.join(timeout=30)
        if self.process.is_alive():  # it ignores SIGTERM (the simulator's to handle)
            self.process.kill()
            self.process.join()
        self.answers.close()


def _write_items(
    target: str,
    inode: int | None,
    timezone: str,
    retry_seconds: float,
    connect: Callable[[str], Session],
    items,
    answers,
    simulators_ends,
) -> None:
    """The writer process: its own connection; an item at a time, an answer for each (None, or the error), and
    the notices of an outage between them. A thread receives the items meanwhile, so that the simulator need
    not wait while the database is away. Once the simulator closes its end (or dies), the writer finishes the
    transaction at hand and ends: what else it received is not written.

    It closes the copies of the simulator's ends it inherited at the fork: otherwise its own copies would keep
    the pipes open, no EOF would come when the simulator is killed, and the writer would wait forever."""
    for end in simulators_ends:
        end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the simulator's to handle; it then closes the pipe
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    received: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    simulator_done = threading.Event()
    threading.Thread(target=_receive, args=(items, received, simulator_done), daemon=True).start()
    writer = PatientWriter(target, inode, timezone, retry_seconds, answers.send, simulator_done, connect)
    try:
        while (data := received.get()) is not None and not simulator_done.is_set():
            try:
                writer.write(pickle.loads(data))
            except DatabaseAway as error:  # given up: what waits cannot be written
                answers.send(error)
                break
            except Exception as error:  # any other error goes back to the simulator, which says it and fails the run
                answers.send(error)
            else:
                answers.send(None)
    except OSError:  # the simulator is gone
        pass
    finally:
        writer.close()


def _receive(items, received: queue.SimpleQueue[bytes | None], simulator_done: threading.Event) -> None:
    """The writer process's receiving thread: every item into `received` until the simulator closes its end (or
    dies); then None."""
    try:
        while True:
            received.put(items.recv_bytes())
    except (EOFError, OSError):
        simulator_done.set()
        received.put(None)
