"""Test data shared by the services' tests: orders as they stand in the file, a recorder that remembers
what the kitchen tells it, and small databases written by the real simulator pipeline."""

from __future__ import annotations

import heapq
import json
from datetime import datetime, timezone
from pathlib import Path

from common.database import connect_readonly, connect_writer
from common.localtime import LocalClock
from common.records import STORED
from common.schedule import CookSchedule
from simulator.menu import Dish
from simulator.orders import parse_order
from simulator.run import simulate
from simulator.stations.layout import LaidOut
from simulator.store import RunParameters, RunStore

T0 = 1_550_505_600  # 2019-02-18 16:00:00 UTC, 08:00 PST
MENU_ENTRIES = [
    {"name": "Soup", "cook_time": 60},
    {"name": "Stew", "cook_time": 300},
    {"name": "Salad", "cook_time": 120},
]
"""The tests' menu, as a menu file holds it; MENU is the same, read."""
MENU = {entry["name"]: Dish(entry["name"], entry["cook_time"]) for entry in MENU_ENTRIES}


def order(
    at: int | str, *items: tuple[str, int], name: str = "Ann", service: str = "TastyBites", price: int = 100
) -> dict:
    """An order as it stands in the orders file; `at` is epoch seconds or an ISO string."""
    stamp = at if isinstance(at, str) else datetime.fromtimestamp(at, timezone.utc).replace(tzinfo=None).isoformat()
    return {
        "name": name,
        "service": service,
        "ordered_at": stamp,
        "items": [{"name": dish, "quantity": quantity, "price_per_unit": price} for dish, quantity in items],
    }


class Recording:
    """A recorder keeping every ticket and event in memory."""

    def __init__(self) -> None:
        self.tickets = {}
        self.events = []
        self.samples = []
        self.steps = []
        self.rejected = []
        self.discarded = []

    def order_received(self, ticket):
        self.tickets[ticket.order.position] = ticket
        self.events.append(("received", ticket.order.position, ticket.received_at))

    def order_started(self, ticket):
        self.events.append(("started", ticket.order.position, ticket.started_at))

    def order_completed(self, ticket):
        self.events.append(("completed", ticket.order.position, ticket.completed_at))

    def order_discarded(self, order):
        self.discarded.append(order.position)

    def order_rejected(self, rejection):
        self.rejected.append(rejection)

    def kitchen_sampled(self, sample):
        self.samples.append(sample)

    def step_done(self, step):
        self.steps.append(step)

    def tick(self, now):
        pass

    def times(self) -> dict[int, tuple[int, int, int]]:
        """position -> (received_at, started_at, completed_at)"""
        return {p: (t.received_at, t.started_at, t.completed_at) for p, t in self.tickets.items()}


def run_orders(raw_orders: list, menu: dict, cooks: int, speed: float | None = None) -> Recording:
    recording = Recording()
    feed = (parse_order(position, raw, menu) for position, raw in enumerate(raw_orders, start=1))
    simulate(feed, cooks, speed, recording, LocalClock("America/Los_Angeles"))
    return recording


def stream_from(start: int, steps: list[tuple[int, list[str]]]) -> list[dict]:
    """Orders at `start` plus the running sum of the offsets (some negative: late orders), a unit of each dish."""
    t, raw = start, []
    for offset, dishes in steps:
        t += offset
        raw.append(order(t, *[(dish, 1) for dish in dishes]))
    return raw


def write_json(path: Path, value) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def build_database(
    db_path: Path | str,
    raw_orders: list,
    menu: dict,
    cooks: int | CookSchedule | LaidOut = 1,
    flush_every_tick: bool = False,
    zone: str = "America/Los_Angeles",
    kitchen: str = "Kitchen",
    writer_process: bool = False,
) -> int:
    """Write one completed run of `raw_orders` into `db_path` with the real store (and its writer process,
    as the simulator's command line has it, if asked); returns the run id."""
    connection = connect_writer(db_path)
    crew = cooks if isinstance(cooks, int) else cooks.most
    store = RunStore.start(
        connection,
        RunParameters(
            kitchen=kitchen,
            cooks=crew,
            speed=None,
            orders_file="orders.json",
            menu_file="items.json",
            timezone=zone,
            layout=cooks.to_json() if isinstance(cooks, LaidOut) else None,
        ),
    )
    if writer_process:
        store.write_in_another_process(db_path)
    if flush_every_tick:
        original = store.tick
        store.tick = lambda now: (original(now), store.flush())
    feed = (parse_order(p, raw, menu) for p, raw in enumerate(raw_orders, start=1))
    outcome = simulate(feed, cooks, None, store, LocalClock(zone))
    store.finish("completed", outcome.summary.fulfillment.mean, outcome.summary.fulfillment.percentile(90))
    connection.close()
    return store.run_id


def rows(database: Path | str, query: str, *parameters) -> list[tuple]:
    """The rows of a query (with `?` placeholders), on either engine."""
    session = connect_readonly(database)
    try:
        return [tuple(row) for row in session.execute(query, parameters).fetchall()]
    finally:
        session.close()


def fifo_reference(orders: list[tuple[int, list[int]]], cooks: int) -> list[tuple[int, int, int]]:
    """A plain heap-based multi-server FIFO queue: each unit takes the cook who is free first."""
    free_at = [0] * cooks
    previous, result = None, []
    for ordered_at, cook_times in orders:
        received = ordered_at if previous is None else max(ordered_at, previous)
        previous = received
        starts, ends = [], []
        for cook_time in cook_times:
            start = max(received, heapq.heappop(free_at))
            heapq.heappush(free_at, start + cook_time)
            starts.append(start)
            ends.append(start + cook_time)
        result.append((received, min(starts), max(ends)))
    return result


RUN_COLUMNS = (
    "kitchen, status, cooks, cook_schedule, speed, orders_file, menu_file, timezone, sim_started_at, sim_now,"
    " orders_received, orders_completed, orders_discarded, orders_rejected, mean_fulfillment_s, p90_fulfillment_s,"
    " message, cook_seconds, busy_seconds, layout"
)
"""A run's columns but those the wall clock decides (its times, and how many batches its flushes made)."""


def stored_run(database: Path | str, run_id: int) -> dict[str, list[tuple]]:
    """Everything a run stored, but for what the wall clock decides: two runs of the same orders, however their
    writes went, store the same."""
    stored = {"runs": rows(database, f"SELECT {RUN_COLUMNS} FROM runs WHERE id = ?", run_id)}
    for record in STORED:
        columns = ", ".join(column for column in record._fields if column != "run_id")
        stored[record.table] = rows(
            database, f"SELECT {columns} FROM {record.table} WHERE run_id = ? ORDER BY {columns}", run_id
        )
    return stored


CONSISTENT = """
    SELECT COUNT(*) FROM orders WHERE run_id = ? AND NOT (
        (status = 'Queued' AND started_at IS NULL AND completed_at IS NULL)
     OR (status = 'In Progress' AND started_at >= received_at AND completed_at IS NULL)
     OR (status = 'Completed' AND started_at >= received_at AND completed_at >= started_at)
    )
"""
"""A run's orders whose status and times disagree (a bound run id): none, in a sound database."""
