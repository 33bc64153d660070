"""The writer: keeps one run's orders, rejections, time series and sales summaries in the database.

What the kitchen reports is buffered in memory and written in one transaction per flush; the run loop
flushes at least once per wall-clock second, so readers see live progress and a hard crash loses at
most about a second of work. An order that is received, started and completed between two flushes is
written once, with its final state, by a plain INSERT; one written while still open is updated when it
completes. The summaries (sales, fulfillment by half hour) are counted from a batch's rows where the
batch is written (simulator.summaries): with a writer process, on the other core. Every statement binds
its values as parameters.
"""

from __future__ import annotations

import itertools
import multiprocessing
import signal
import time
from dataclasses import dataclass

from common.database import DatabaseUnavailable, FileGuard, Session, connect_writer
from common.localtime import LocalClock
from common.records import (
    UPDATE_PROGRESS, DailySalesRow, DishSalesRow, FulfillmentRow, HourOfDaySalesRow, OrderRow, Progress,
    RejectedRow, SampleRow, TimeOfDayRow, adding, replacing,
)
from simulator.kitchen import KitchenSample, Ticket
from simulator.orders import EmptyOrder, Rejected
from simulator.summaries import summarise

UPSERT_ORDER = replacing(OrderRow, ("run_id", "id"), ("status", "started_at", "completed_at"))
UPSERT_SAMPLE = replacing(SampleRow, ("run_id", "t"),
                          ("queued_orders", "in_progress_orders", "queued_units", "busy_cooks", "cooks"))
ADD_DAILY_SALES = adding(DailySalesRow, ("run_id", "local_day", "service"))
ADD_HOUR_OF_DAY_SALES = adding(HourOfDaySalesRow, ("run_id", "local_hour", "service"))
ADD_DISH_SALES = adding(DishSalesRow, ("run_id", "dish"))
ADD_FULFILLMENT = adding(FulfillmentRow, ("run_id", "local_day", "half_hour", "minutes"))
ADD_TIME_OF_DAY = adding(TimeOfDayRow, ("run_id", "half_hour", "minutes"))


BATCH_ORDERS = 1000
"""With a writer process, a batch goes to it once this many orders are complete (or a second has passed)."""


@dataclass(frozen=True)
class RunParameters:
    kitchen: str
    cooks: int
    """The fixed crew, or the most cooks the schedule has on shift."""
    speed: float | None
    orders_file: str
    menu_file: str
    timezone: str
    cook_schedule: str | None = None
    """The schedule as JSON, when there is one."""


class RunStore:
    """Records one run. Create it with `RunStore.start`, which inserts the run as 'running'."""

    def __init__(self, connection: Session, run_id: int, kitchen: str, clock: LocalClock) -> None:
        self.connection = connection
        self.run_id = run_id
        self.kitchen = kitchen
        self.clock = clock
        self.guard = FileGuard(connection)
        self.last_flush = time.monotonic()
        self.now: int | None = None
        self.sim_started_at: int | None = None
        self.written_open: set[int] = set()  # orders written while still open: their completion updates the row
        self.last_sample: KitchenSample | None = None
        self.writer: WriterProcess | None = None
        self._reset()

    @classmethod
    def start(cls, connection: Session, parameters: RunParameters) -> RunStore:
        with connection.transaction():
            [run_id] = connection.execute(
                "INSERT INTO runs (kitchen, status, cooks, cook_schedule, speed, orders_file, menu_file, timezone,"
                " wall_started_at) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (parameters.kitchen, parameters.cooks, parameters.cook_schedule, parameters.speed,
                 parameters.orders_file, parameters.menu_file, parameters.timezone, time.time()),
            ).fetchone()
        return cls(connection, run_id, parameters.kitchen, LocalClock(parameters.timezone))

    def _reset(self) -> None:
        self.changed: dict[int, Ticket] = {}  # received or started since the last flush, still open
        self.completed_rows: list[OrderRow] = []  # built at completion, so the order's objects can go
        self.completed_rows_written_open: list[OrderRow] = []  # the same, of orders already written
        self.cook_seconds = self.busy_seconds = 0
        self.samples: list[SampleRow] = []  # appended: each minute once
        self.resampled: list[SampleRow] = []  # a minute written already, sampled again (the run's final state)
        self.rejections: list[RejectedRow] = []
        self.received = self.completed = self.discarded = self.rejected = 0

    # What the kitchen reports -------------------------------------------------------------------

    def order_received(self, ticket: Ticket) -> None:
        self.changed[ticket.order.position] = ticket
        self.received += 1
        if self.sim_started_at is None:
            self.sim_started_at = ticket.received_at

    def order_started(self, ticket: Ticket) -> None:
        self.changed[ticket.order.position] = ticket

    def order_completed(self, ticket: Ticket) -> None:
        order = ticket.order
        self.changed.pop(order.position, None)
        rows = self.completed_rows
        if self.written_open and order.position in self.written_open:
            self.written_open.discard(order.position)
            rows = self.completed_rows_written_open
        rows.append(self._row(ticket, "Completed"))
        self.completed += 1

    def _row(self, t: Ticket, status: str) -> OrderRow:
        order = t.order
        return OrderRow(self.run_id, order.position, self.kitchen, status, order.ordered_at, t.received_at,
                        t.started_at, t.completed_at, order.customer_name, order.service, order.total_price,
                        order.items_json, order.order_id)

    def order_discarded(self, order: EmptyOrder) -> None:
        self.discarded += 1

    def order_rejected(self, rejection: Rejected) -> None:
        self.rejections.append(RejectedRow(self.run_id, rejection.position, rejection.raw, rejection.reason))
        self.rejected += 1

    def kitchen_sampled(self, sample: KitchenSample) -> None:
        if self.last_sample is not None and sample.t > self.last_sample.t:  # labour and cooking, a minute at a time
            self.cook_seconds += self.last_sample.cooks * (sample.t - self.last_sample.t)
            self.busy_seconds += self.last_sample.busy_cooks * (sample.t - self.last_sample.t)
        row = SampleRow(self.run_id, sample.t, self.kitchen, sample.queued_orders, sample.in_progress_orders,
                        sample.queued_units, sample.busy_cooks, sample.cooks)
        if self.last_sample is not None and sample.t == self.last_sample.t:  # the final state, at a minute sampled
            if self.samples and self.samples[-1].t == sample.t:
                self.samples[-1] = row
            else:
                self.resampled.append(row)  # that minute is written already: this one replaces it
        else:
            self.samples.append(row)
        self.last_sample = sample

    # Writing -----------------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Note the simulated time, and flush when a wall-clock second has passed since the last flush; with a
        writer process, also every BATCH_ORDERS completed orders, so that it writes while the kitchen runs."""
        self.now = int(now)
        if time.monotonic() - self.last_flush >= 1.0 or (
                self.writer is not None and len(self.completed_rows) >= BATCH_ORDERS):
            self.flush()

    def flush(self) -> None:
        """Write what the kitchen reported since the last flush, in one transaction: here, or handed to the
        writer process (see write_in_another_process), which writes it while the kitchen goes on."""
        opened, reopened = [], []  # still open: written for the first time, or again
        for position, ticket in self.changed.items():
            (reopened if position in self.written_open else opened).append(self._row(ticket, ticket.status))
        batch = Batch(
            run_id=self.run_id, orders=self.completed_rows, opened=opened,
            orders_again=self.completed_rows_written_open + reopened,
            samples=self.samples, samples_again=self.resampled, rejections=self.rejections,
            progress=Progress(self.sim_started_at, self.now, time.time(), self.received, self.completed,
                              self.discarded, self.rejected, self.cook_seconds, self.busy_seconds),
        )
        if self.writer is not None:
            self.writer.send(batch)
        else:
            self.guard.check()
            write(self.connection, batch, self.clock)
        self.written_open.update(self.changed)
        self._reset()
        self.last_flush = time.monotonic()

    def write_in_another_process(self, target) -> None:
        """From now on, flushes are written by a process of their own, with its own connection to `target`,
        on the machine's other core: the kitchen builds the next batch while the last one is written. A
        batch's error is raised at the next flush (or at finish)."""
        self.writer = WriterProcess(target, self.guard.inode, self.clock.name)

    def finish(self, status: str, mean_fulfillment: float | None = None,
               p90_fulfillment: int | None = None, message: str | None = None) -> None:
        """Write what is buffered and close the run with its final status."""
        try:
            self.flush()
        finally:
            if self.writer is not None:
                writer, self.writer = self.writer, None
                writer.close()  # every batch written (or its error raised) before the status says so
        with self.connection.transaction() as db:
            db.execute(
                "UPDATE runs SET status = ?, wall_ended_at = ?, mean_fulfillment_s = ?, p90_fulfillment_s = ?,"
                " message = ? WHERE id = ?",
                (status, time.time(), mean_fulfillment, p90_fulfillment, message, self.run_id),
            )


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


def write(session: Session, batch: Batch, clock: LocalClock) -> None:
    """One batch, in one transaction, with the summaries it adds to: sales of the orders written for the
    first time, fulfillment of the orders written complete for the first time (those written again
    complete were open before)."""
    completed_again = [row for row in batch.orders_again if row.completed_at is not None]
    summaries = summarise(batch.run_id, itertools.chain(batch.orders, batch.opened),
                          itertools.chain(batch.orders, completed_again), clock)
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

    def __init__(self, target, inode: int | None, timezone: str) -> None:
        context = multiprocessing.get_context("fork")
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=_write_batches, args=(target, inode, timezone, theirs, self.pipe),
                                       daemon=True, name="kitchen writer")
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


def _write_batches(target, inode: int | None, timezone: str, pipe, simulators_end) -> None:
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
