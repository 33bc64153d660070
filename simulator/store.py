"""The run's store: what the kitchen reports about one run (orders, rejections, time series), buffered
and handed to the writer (simulator.writer) in batches.

What the kitchen reports is buffered in memory and written in one transaction per flush; the run loop
flushes at least once per wall-clock second, so readers see live progress and a hard crash loses at
most about a second of work. An order that is received, started and completed between two flushes is
written once, with its final state, by a plain INSERT; one written while still open is updated when it
completes. The summaries (sales, fulfillment by half hour) are counted from a batch's rows where the
batch is written (simulator.summaries): with a writer process, on the other core. Each flush is a batch
numbered in turn, its number committed with it (runs.last_batch), so that a batch written again after a
lost connection is not counted twice (simulator.writer).

A resumed run's store (`RunStore.resume`) first follows the replay of what the run committed (simulator.resume):
what it recomputes is checked against the stored rows and kept only where they lack it, nothing is written until
the replay is done, and its first batch then holds all the stored run lacks, counts included.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from common.database import FileGuard, Session
from common.localtime import LocalClock
from common.records import OrderRow, Progress, RejectedRow, SampleRow, StationSampleRow, UnitStepRow
from simulator.kitchen import KitchenSample, Ticket, UnitStep
from simulator.orders import EmptyOrder, Rejected
from simulator.resume import Replay, ReplayMismatch, StoredRun
from simulator.writer import RETRY_SECONDS, Batch, RunEnd, WriterProcess, end_run, write

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
    reading: str | None = None
    """How the orders file is read (FeedOptions.to_json)."""
    orders_digest: str | None = None
    menu_digest: str | None = None
    """SHA-256 of each file (simulator.resume.digest); None for standard input."""
    layout: str | None = None
    """The layout and its seed as JSON (LaidOut.to_json), when the kitchen is laid out."""


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
        self.batches = 0  # written, or handed to the writer process
        self.resumed = 0  # the times the run was resumed: its batches say it (simulator.writer.RunTakenOver)
        self.replay: Replay | None = None  # a resumed run's, until it has caught up
        self.stored: StoredRun | None = None  # a resumed run's row, as it was taken over
        self._reset()

    @classmethod
    def start(cls, connection: Session, parameters: RunParameters) -> RunStore:
        with connection.transaction():
            [run_id] = connection.execute(
                "INSERT INTO runs (kitchen, status, cooks, cook_schedule, speed, orders_file, menu_file, timezone,"
                " reading, orders_digest, menu_digest, layout, wall_started_at)"
                " VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    parameters.kitchen,
                    parameters.cooks,
                    parameters.cook_schedule,
                    parameters.speed,
                    parameters.orders_file,
                    parameters.menu_file,
                    parameters.timezone,
                    parameters.reading,
                    parameters.orders_digest,
                    parameters.menu_digest,
                    parameters.layout,
                    time.time(),
                ),
            ).fetchone()
        return cls(connection, run_id, parameters.kitchen, LocalClock(parameters.timezone))

    @classmethod
    def resume(cls, connection: Session, run: StoredRun) -> RunStore:
        """The store of a run taken over (simulator.resume.take_over), following its replay until `caught_up`."""
        store = cls(connection, run.id, run.kitchen, LocalClock(run.timezone))
        store.batches, store.resumed, store.stored = run.last_batch, run.resumed, run
        store.replay = Replay(connection, run)
        store.written_open.update(store.replay.open)
        return store

    def caught_up(self) -> None:
        """The replay has reached the last moment the run committed: check what remains to check, and make what the
        stored run lacks the next batch (its counts: what the replay counted beyond the stored ones)."""
        replay, run = self.replay, self.stored
        assert replay is not None and run is not None
        replay.check_the_rest(
            (self._row(ticket, ticket.status) for ticket in self.changed.values()),
            iter(self.completed_rows + self.completed_rows_written_open),
        )
        counts = {
            "orders received": (self.received, run.orders_received),
            "orders completed": (self.completed, run.orders_completed),
            "orders discarded": (self.discarded, run.orders_discarded),
            "orders rejected": (self.rejected, run.orders_rejected),
        }
        for what, (replayed, stored) in counts.items():
            if replayed < stored:
                raise ReplayMismatch(f"{stored} {what} are stored, the replay counts {replayed}")
        self.received -= run.orders_received
        self.completed -= run.orders_completed
        self.discarded -= run.orders_discarded
        self.rejected -= run.orders_rejected
        self.cook_seconds -= run.cook_seconds
        self.busy_seconds -= run.busy_seconds
        self.replay = None

    def _reset(self) -> None:
        self.changed: dict[int, Ticket] = {}  # received or started since the last flush, still open
        self.completed_rows: list[OrderRow] = []  # built at completion, so the order's objects can go
        self.completed_rows_written_open: list[OrderRow] = []  # the same, of orders already written
        self.cook_seconds = self.busy_seconds = 0.0
        self.samples: list[SampleRow] = []  # appended: each minute once
        self.resampled: list[SampleRow] = []  # a minute written already, sampled again (the run's final state)
        self.stations: list[StationSampleRow] = []  # of a laid-out kitchen: upserted, whatever was written before
        self.unit_steps: list[UnitStepRow] = []  # the same, when it records them
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
        self.completed += 1
        row = self._row(ticket, "Completed")
        if self.replay is not None and self.replay.completed_stored(row):
            return
        rows = self.completed_rows
        if self.written_open and order.position in self.written_open:
            self.written_open.discard(order.position)
            rows = self.completed_rows_written_open
        rows.append(row)

    def _row(self, t: Ticket, status: str) -> OrderRow:
        order = t.order
        return OrderRow(
            self.run_id,
            order.position,
            self.kitchen,
            status,
            order.ordered_at,
            t.received_at,
            t.started_at,
            t.completed_at,
            order.customer_name,
            order.service,
            order.total_price,
            order.items_json,
            order.order_id,
            t.cooked_at,
        )

    def order_discarded(self, order: EmptyOrder) -> None:
        self.discarded += 1

    def order_rejected(self, rejection: Rejected) -> None:
        row = RejectedRow(self.run_id, rejection.position, rejection.raw, rejection.reason)
        self.rejected += 1
        if self.replay is None or not self.replay.rejection_stored(row):
            self.rejections.append(row)

    def kitchen_sampled(self, sample: KitchenSample) -> None:
        if self.last_sample is not None and sample.t > self.last_sample.t:  # labour and cooking, a minute at a time
            self.cook_seconds += self.last_sample.cooks * (sample.t - self.last_sample.t)
            self.busy_seconds += self.last_sample.busy_cooks * (sample.t - self.last_sample.t)
        row = SampleRow(
            self.run_id,
            sample.t,
            self.kitchen,
            sample.queued_orders,
            sample.in_progress_orders,
            sample.queued_units,
            sample.busy_cooks,
            sample.cooks,
        )
        stored = False
        if self.replay is not None:  # stored already, or to be written whether it is stored or not
            stored = self.replay.sample_stored(row)
            if not stored:
                self.resampled.append(row)
        elif self.last_sample is not None and sample.t == self.last_sample.t:  # the final state, at a minute sampled
            if self.samples and self.samples[-1].t == sample.t:
                self.samples[-1] = row
            else:
                self.resampled.append(row)  # that minute is written already: this one replaces it
        else:
            self.samples.append(row)
        if self.stations and self.stations[-1].t == sample.t:  # the final state, at a minute sampled: it replaces
            self.stations = [row for row in self.stations if row.t != sample.t]
        if not stored:  # a minute a resumed run stored has its stations' rows stored with it (one transaction)
            self.stations.extend(StationSampleRow(self.run_id, sample.t, *station) for station in sample.stations)
        self.last_sample = sample

    def step_done(self, step: UnitStep) -> None:
        if self.replay is not None and step.ended_at < self.replay.until:  # committed with its batch (the last moment
            return  # committed may have been caught half done: its steps are written again, upserted)
        self.unit_steps.append(UnitStepRow(self.run_id, *step))

    # Writing -----------------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Note the simulated time, and flush when a wall-clock second has passed since the last flush; with a
        writer process, also every BATCH_ORDERS completed orders, so that it writes while the kitchen runs."""
        self.now = int(now)
        if time.monotonic() - self.last_flush >= 1.0 or (
            self.writer is not None and len(self.completed_rows) >= BATCH_ORDERS
        ):
            self.flush()

    def flush(self) -> None:
        """Write what the kitchen reported since the last flush, in one transaction: here, or handed to the
        writer process (see write_in_another_process), which writes it while the kitchen goes on. Nothing, while a
        resumed run's replay has not caught up: what it holds is not yet what the stored run lacks."""
        if self.replay is not None:
            return
        opened: list[OrderRow] = []  # still open: written for the first time,
        reopened: list[OrderRow] = []  # or again
        for position, ticket in self.changed.items():
            (reopened if position in self.written_open else opened).append(self._row(ticket, ticket.status))
        batch = Batch(
            run_id=self.run_id,
            number=self.batches + 1,
            orders=self.completed_rows,
            opened=opened,
            orders_again=self.completed_rows_written_open + reopened,
            samples=self.samples,
            samples_again=self.resampled,
            rejections=self.rejections,
            resumed=self.resumed,
            stations=self.stations,
            unit_steps=self.unit_steps,
            progress=Progress(
                self.sim_started_at,
                self.now,
                time.time(),
                self.received,
                self.completed,
                self.discarded,
                self.rejected,
                self.cook_seconds,
                self.busy_seconds,
            ),
        )
        if self.writer is not None:
            self.writer.send(batch)
        else:
            self.guard.check()
            write(self.connection, batch, self.clock)
        self.batches += 1
        self.written_open.update(self.changed)
        self._reset()
        self.last_flush = time.monotonic()

    def write_in_another_process(self, target, retry_seconds: float = RETRY_SECONDS) -> None:
        """From now on, flushes are written by a process of their own, with its own connection to `target`,
        on the machine's other core: the kitchen builds the next batch while the last one is written. A
        batch's error is raised at the next flush (or at finish). A database that is away is waited for up to
        `retry_seconds` (then DatabaseAway), the batches meanwhile held by the writer (simulator.writer)."""
        self.writer = WriterProcess(str(target), self.guard.inode, self.clock.name, retry_seconds)

    def finish(
        self,
        status: str,
        mean_fulfillment: float | None = None,
        p90_fulfillment: int | None = None,
        message: str | None = None,
    ) -> None:
        """Write what is buffered and close the run with its final status, once every batch is written (a batch's
        error is raised first, and the status is not written). With a writer process, the status is written by
        it, through an outage as the batches are; the writer ends once it is (else see `close`)."""
        self.flush()
        end = RunEnd(self.run_id, status, time.time(), mean_fulfillment, p90_fulfillment, message, self.resumed)
        if self.writer is None:
            end_run(self.connection, end)
            return
        self.writer.wait()
        self.writer.send(end)
        self.writer.wait()
        self.close()

    def close(self) -> None:
        """End the writer process, if there is one still: what it was sent and has not written is not written
        (after a failure: the run stays as the database has it)."""
        if self.writer is not None:
            writer, self.writer = self.writer, None
            writer.close()
