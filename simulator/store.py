"""The writer: keeps one run's orders, rejections, time series and sales summaries in the database.

What the kitchen reports is buffered in memory and written in one transaction per flush; the run loop
flushes at least once per wall-clock second, so readers see live progress and a hard crash loses at
most about a second of work. An order that is received, started and completed between two flushes is
written once, with its final state, by a plain INSERT; one written while still open is updated when it
completes. Every statement binds its values as parameters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from common.database import FileGuard, Session
from common.localtime import LocalClock
from simulator.kitchen import KitchenSample, Ticket
from simulator.orders import EmptyOrder, Rejected

ORDER_COLUMNS = ("run_id", "id", "kitchen", "status", "ordered_at", "received_at", "started_at", "completed_at",
                 "customer_name", "service", "total_price", "items", "order_id")
UPSERT_ORDER = f"""
    INSERT INTO orders ({", ".join(ORDER_COLUMNS)}) VALUES ({", ".join("?" * len(ORDER_COLUMNS))})
    ON CONFLICT (run_id, id) DO UPDATE SET
        status = excluded.status, started_at = excluded.started_at, completed_at = excluded.completed_at
"""
ADD_DAILY_SALES = """
    INSERT INTO daily_sales (run_id, local_day, service, orders, revenue) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (run_id, local_day, service) DO UPDATE SET
        orders = daily_sales.orders + excluded.orders, revenue = daily_sales.revenue + excluded.revenue
"""
ADD_HOUR_OF_DAY_SALES = """
    INSERT INTO hour_of_day_sales (run_id, local_hour, service, orders, revenue) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (run_id, local_hour, service) DO UPDATE SET
        orders = hour_of_day_sales.orders + excluded.orders, revenue = hour_of_day_sales.revenue + excluded.revenue
"""
ADD_DISH_SALES = """
    INSERT INTO dish_sales (run_id, dish, units, revenue) VALUES (?, ?, ?, ?)
    ON CONFLICT (run_id, dish) DO UPDATE SET
        units = dish_sales.units + excluded.units, revenue = dish_sales.revenue + excluded.revenue
"""
INSERT_SAMPLE = """
    INSERT INTO kitchen_stats
        (run_id, t, kitchen, queued_orders, in_progress_orders, queued_units, busy_cooks, cooks)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, t) DO UPDATE SET
        queued_orders = excluded.queued_orders, in_progress_orders = excluded.in_progress_orders,
        queued_units = excluded.queued_units, busy_cooks = excluded.busy_cooks, cooks = excluded.cooks
"""
ADD_FULFILLMENT = """
    INSERT INTO fulfillment_by_half_hour (run_id, local_day, half_hour, minutes, orders, seconds) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, local_day, half_hour, minutes) DO UPDATE SET
        orders = fulfillment_by_half_hour.orders + excluded.orders,
        seconds = fulfillment_by_half_hour.seconds + excluded.seconds
"""
ADD_TIME_OF_DAY = """
    INSERT INTO fulfillment_by_time_of_day (run_id, half_hour, minutes, orders, seconds) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (run_id, half_hour, minutes) DO UPDATE SET
        orders = fulfillment_by_time_of_day.orders + excluded.orders,
        seconds = fulfillment_by_time_of_day.seconds + excluded.seconds
"""
INSERT_REJECTED = "INSERT INTO rejected_orders (run_id, position, raw, reason) VALUES (?, ?, ?, ?)"
UPDATE_PROGRESS = """
    UPDATE runs SET sim_started_at = COALESCE(sim_started_at, ?), sim_now = ?, wall_updated_at = ?,
        orders_received = orders_received + ?, orders_completed = orders_completed + ?,
        orders_discarded = orders_discarded + ?, orders_rejected = orders_rejected + ?,
        cook_seconds = cook_seconds + ?, busy_seconds = busy_seconds + ?
    WHERE id = ?
"""


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
        self.completed_rows: list[tuple] = []  # built at completion, so the order's objects can go
        self.completed_rows_written_open: list[tuple] = []  # the same, of orders already written
        self.daily_sales: dict[tuple[str, str], list[int]] = {}
        self.hour_of_day_sales: dict[tuple[int, str], list[int]] = {}
        self.dish_sales: dict[str, list[int]] = {}  # dish -> [units, revenue]
        self.fulfillment: dict[tuple[str, int, int], list[int]] = {}  # (day, half hour, minutes) -> [orders, seconds]
        self.time_of_day: dict[tuple[int, int], list[int]] = {}  # (half hour, minutes) -> [orders, seconds]
        self.cook_seconds = self.busy_seconds = 0
        self.samples: list[tuple] = []
        self.rejections: list[tuple] = []
        self.received = self.completed = self.discarded = self.rejected = 0

    # What the kitchen reports -------------------------------------------------------------------

    def order_received(self, ticket: Ticket) -> None:
        order = ticket.order
        self.changed[order.position] = ticket
        self.received += 1
        if self.sim_started_at is None:
            self.sim_started_at = ticket.received_at
        day, hour = self.clock.hour_of(ticket.received_at)
        revenue = order.total_price
        _add(self.daily_sales, (day, order.service), 1, revenue)
        _add(self.hour_of_day_sales, (hour, order.service), 1, revenue)
        dishes = self.dish_sales
        for dish, quantity, price in order.lines:  # the writer's hot path: _add, inlined
            pair = dishes.get(dish.name)
            if pair is None:
                dishes[dish.name] = [quantity, quantity * price]
            else:
                pair[0] += quantity
                pair[1] += quantity * price

    def order_started(self, ticket: Ticket) -> None:
        self.changed[ticket.order.position] = ticket

    def order_completed(self, ticket: Ticket) -> None:
        order = ticket.order
        self.changed.pop(order.position, None)
        rows = self.completed_rows
        if self.written_open and order.position in self.written_open:
            self.written_open.discard(order.position)
            rows = self.completed_rows_written_open
        rows.append((
            self.run_id, order.position, self.kitchen, "Completed", order.ordered_at, ticket.received_at,
            ticket.started_at, ticket.completed_at, order.customer_name, order.service, order.total_price,
            order.items_json, order.order_id,
        ))
        self.completed += 1
        seconds = ticket.completed_at - ticket.received_at
        day, half_hour = self.clock.half_hour_of(ticket.received_at)
        minutes = -(-seconds // 60)
        _add(self.fulfillment, (day, half_hour, minutes), 1, seconds)
        _add(self.time_of_day, (half_hour, minutes), 1, seconds)

    def _row(self, t: Ticket) -> tuple:
        order = t.order
        return (self.run_id, order.position, self.kitchen, t.status, order.ordered_at, t.received_at, t.started_at,
                t.completed_at, order.customer_name, order.service, order.total_price, order.items_json, order.order_id)

    def order_discarded(self, order: EmptyOrder) -> None:
        self.discarded += 1

    def order_rejected(self, rejection: Rejected) -> None:
        self.rejections.append((self.run_id, rejection.position, rejection.raw, rejection.reason))
        self.rejected += 1

    def kitchen_sampled(self, sample: KitchenSample) -> None:
        if self.last_sample is not None and sample.t > self.last_sample.t:  # labour and cooking, a minute at a time
            self.cook_seconds += self.last_sample.cooks * (sample.t - self.last_sample.t)
            self.busy_seconds += self.last_sample.busy_cooks * (sample.t - self.last_sample.t)
        self.last_sample = sample
        self.samples.append((self.run_id, sample.t, self.kitchen, sample.queued_orders, sample.in_progress_orders,
                             sample.queued_units, sample.busy_cooks, sample.cooks))

    # Writing -----------------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Note the simulated time, and flush when a wall-clock second has passed since the last flush."""
        self.now = int(now)
        if time.monotonic() - self.last_flush >= 1.0:
            self.flush()

    def flush(self) -> None:
        self.guard.check()
        run = self.run_id
        with self.connection.transaction() as db:
            db.insert_many("orders", ORDER_COLUMNS, self.completed_rows)
            db.executemany(UPSERT_ORDER, self.completed_rows_written_open)
            db.executemany(UPSERT_ORDER, [self._row(ticket) for ticket in self.changed.values()])
            db.executemany(ADD_DAILY_SALES, [(run, *key, *sales) for key, sales in self.daily_sales.items()])
            db.executemany(ADD_HOUR_OF_DAY_SALES, [(run, *key, *sales) for key, sales in self.hour_of_day_sales.items()])
            db.executemany(ADD_DISH_SALES, [(run, dish, *sales) for dish, sales in self.dish_sales.items()])
            db.executemany(ADD_FULFILLMENT, [(run, *key, *tally) for key, tally in self.fulfillment.items()])
            db.executemany(ADD_TIME_OF_DAY, [(run, *key, *tally) for key, tally in self.time_of_day.items()])
            db.executemany(INSERT_SAMPLE, self.samples)
            db.executemany(INSERT_REJECTED, self.rejections)
            db.execute(UPDATE_PROGRESS, (self.sim_started_at, self.now, time.time(), self.received, self.completed,
                                         self.discarded, self.rejected, self.cook_seconds, self.busy_seconds, run))
        self.written_open.update(self.changed)
        self._reset()
        self.last_flush = time.monotonic()

    def finish(self, status: str, mean_fulfillment: float | None = None,
               p90_fulfillment: int | None = None, message: str | None = None) -> None:
        """Write what is buffered and close the run with its final status."""
        self.flush()
        with self.connection.transaction() as db:
            db.execute(
                "UPDATE runs SET status = ?, wall_ended_at = ?, mean_fulfillment_s = ?, p90_fulfillment_s = ?,"
                " message = ? WHERE id = ?",
                (status, time.time(), mean_fulfillment, p90_fulfillment, message, self.run_id),
            )


def _add(totals: dict, key, count: int, cents: int) -> None:
    """Add to a [count, cents] pair of a summary, starting it at zero."""
    pair = totals.get(key)
    if pair is None:
        totals[key] = [count, cents]
    else:
        pair[0] += count
        pair[1] += cents
