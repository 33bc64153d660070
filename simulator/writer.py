"""The writer: a flush's rows (a Batch) written in one transaction, with the summaries they add to, here or
in a process of its own on the machine's other core (WriterProcess), so that the kitchen builds the next
batch while the last one is written. Every statement binds its values as parameters; the statements are
derived from the stored records (common/records.py).
"""

from __future__ import annotations

import itertools
import multiprocessing
import signal
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import cast

from common.database import DatabaseUnavailable, FileGuard, Session, connect_writer
from common.localtime import LocalClock
from common.records import (
    UPDATE_PROGRESS,
    DailySalesRow,
    DishSalesRow,
    FulfillmentRow,
    HourOfDaySalesRow,
    OrderRow,
    Progress,
    RejectedRow,
    SampleRow,
    TimeOfDayRow,
    adding,
    replacing,
)
from simulator.summaries import CompletedOrder, summarise

UPSERT_ORDER = replacing(OrderRow, ("run_id", "id"), ("status", "started_at", "completed_at"))
UPSERT_SAMPLE = replacing(
    SampleRow, ("run_id", "t"), ("queued_orders", "in_progress_orders", "queued_units", "busy_cooks", "cooks")
)
ADD_DAILY_SALES = adding(DailySalesRow, ("run_id", "local_day", "service"))
ADD_HOUR_OF_DAY_SALES = adding(HourOfDaySalesRow, ("run_id", "local_hour", "service"))
ADD_DISH_SALES = adding(DishSalesRow, ("run_id", "dish"))
ADD_FULFILLMENT = adding(FulfillmentRow, ("run_id", "local_day", "half_hour", "minutes"))
ADD_TIME_OF_DAY = adding(TimeOfDayRow, ("run_id", "half_hour", "minutes"))


@dataclass(frozen=True)
class Batch:
    """One flush's rows, ready to write: what the writer process receives."""

    run_id: int
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

    def __reduce__(self) -> tuple[object, ...]:
        """Through the writer's pipe as plain tuples, which pickle four times faster than records (each record
        names its class); the writer process makes them records again, on its own core."""
        rows = (self.orders, self.opened, self.orders_again, self.samples, self.samples_again, self.rejections)
        return _batch_of, (self.run_id, [list(map(tuple, kept)) for kept in rows], tuple(self.progress))


def _batch_of(run_id: int, rows: list[list[tuple[object, ...]]], progress: tuple[object, ...]) -> Batch:
    orders, opened, orders_again, samples, samples_again, rejections = rows
    return Batch(
        run_id,
        [OrderRow._make(row) for row in orders],
        [OrderRow._make(row) for row in opened],
        [OrderRow._make(row) for row in orders_again],
        [SampleRow._make(row) for row in samples],
        [SampleRow._make(row) for row in samples_again],
        [RejectedRow._make(row) for row in rejections],
        Progress._make(progress),
    )


def write(session: Session, batch: Batch, clock: LocalClock) -> None:
    """One batch, in one transaction, with the summaries it adds to: sales of the orders written for the
    first time, fulfillment of the orders written complete for the first time (those written again
    complete were open before)."""
    completed_again = [row for row in batch.orders_again if row.completed_at is not None]
    # the batch's `orders` are complete, and `completed_again` is what of the rest is: each has its completed_at
    completed = cast("Iterable[CompletedOrder]", itertools.chain(batch.orders, completed_again))
    summaries = summarise(batch.run_id, itertools.chain(batch.orders, batch.opened), completed, clock)
    with session.transaction() as db:
        db.insert_many(OrderRow.table, OrderRow._fields, batch.orders)
        db.upsert_many(UPSERT_ORDER, batch.opened + batch.orders_again)
        db.upsert_many(ADD_DAILY_SALES, summaries.daily_sales)
        db.upsert_many(ADD_HOUR_OF_DAY_SALES, summaries.hour_of_day_sales)
        db.upsert_many(ADD_DISH_SALES, summaries.dish_sales)
        db.upsert_many(ADD_FULFILLMENT, summaries.fulfillment)
        db.upsert_many(ADD_TIME_OF_DAY, summaries.time_of_day)
        db.insert_many(SampleRow.table, SampleRow._fields, batch.samples)
        db.upsert_many(UPSERT_SAMPLE, batch.samples_again)
        db.insert_many(RejectedRow.table, RejectedRow._fields, batch.rejections)
        db.execute(UPDATE_PROGRESS, (*batch.progress, batch.run_id))


class WriterProcess:
    """A process that writes batches to the database while the kitchen simulates (a thread would not: it
    would wait for the interpreter's lock at every row). One batch at a time: sending the next waits for
    the last one's answer, and raises its error, so nothing is lost and errors are not hidden.

    If the simulator dies (SIGKILL), the writer finishes the transaction at hand, sees its pipe closed and
    ends: the database stays consistent, and at most about a second of work is lost, as before."""

    def __init__(self, target: Path | str, inode: int | None, timezone: str) -> None:
        context = multiprocessing.get_context("fork")
        self.pipe: Connection[Batch | None, Exception | None]
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(
            target=_write_batches, args=(target, inode, timezone, theirs, self.pipe), daemon=True, name="kitchen writer"
        )
        self.process.start()
        theirs.close()
        self.waiting = False

    def send(self, batch: Batch) -> None:
        self._answer()
        self.pipe.send(batch)
        self.waiting = True

    def _answer(self) -> None:
        if not self.waiting:
            return
        self.waiting = False
        try:
            error = self.pipe.recv()
        except EOFError:
            raise DatabaseUnavailable("the writer process ended unexpectedly") from None
        if error is not None:
            raise error

    def close(self) -> None:
        try:
            self._answer()
        finally:
            try:
                self.pipe.send(None)
            except OSError:
                pass
            self.process.join(timeout=30)


def _write_batches(
    target: Path | str,
    inode: int | None,
    timezone: str,
    pipe: Connection[Exception | None, Batch | None],
    simulators_end: Connection[Batch | None, Exception | None],
) -> None:
    """The writer process: its own connection; a batch at a time, an answer for each (None, or the error).

    It closes the copy of the simulator's end it inherited at the fork: otherwise its own copy would keep
    the pipe open, no EOF would come when the simulator is killed, and the writer would wait forever."""
    simulators_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the simulator's to handle; it then closes the pipe
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    session = connect_writer(target)
    guard = FileGuard(session, inode)
    clock = LocalClock(timezone)
    while True:
        try:
            batch = pipe.recv()
        except EOFError:
            break
        if batch is None:
            break
        try:
            guard.check()
            write(session, batch, clock)
        except Exception as error:  # any error goes back to the simulator, which says it and fails the run
            pipe.send(error)
        else:
            pipe.send(None)
    session.close()
