"""The run's summaries, counted from the order rows a flush writes: sales by local day, by local hour
and by dish (counted when an order is first written, once), and fulfillment by local half hour of
receipt, to the minute (counted when an order is written complete, once).

They are counted where the rows are written, so that with a writer process (store.WriterProcess) the
counting runs on the machine's other core instead of in the kitchen's loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import orjson

from common.localtime import LocalClock

ORDER_COLUMNS = ("run_id", "id", "kitchen", "status", "ordered_at", "received_at", "started_at", "completed_at",
                 "customer_name", "service", "total_price", "items", "order_id")
_RECEIVED, _COMPLETED, _SERVICE, _PRICE, _ITEMS = (
    ORDER_COLUMNS.index(name) for name in ("received_at", "completed_at", "service", "total_price", "items"))


@dataclass(frozen=True)
class Summaries:
    """Rows to add to the summary tables, each (run_id, *key, count, total)."""

    daily_sales: list[tuple]
    hour_of_day_sales: list[tuple]
    dish_sales: list[tuple]
    fulfillment: list[tuple]
    """(run_id, local day, half hour, minutes, orders, seconds)"""
    time_of_day: list[tuple]
    """(run_id, half hour, minutes, orders, seconds)"""


def summarise(run_id: int, first_written: Iterable[tuple], completed: Iterable[tuple], clock: LocalClock) -> Summaries:
    """`first_written`: the rows of orders written for the first time (their sales count now);
    `completed`: the rows of orders written complete for the first time (their fulfillment counts now)."""
    daily: dict[tuple[str, str], list[int]] = {}
    hourly: dict[tuple[int, str], list[int]] = {}
    dishes: dict[tuple[str], list[int]] = {}
    for row in first_written:
        day, hour = clock.hour_of(row[_RECEIVED])
        service, revenue = row[_SERVICE], row[_PRICE]
        _add(daily, (day, service), 1, revenue)
        _add(hourly, (hour, service), 1, revenue)
        for line in orjson.loads(row[_ITEMS]):
            quantity = line["quantity"]
            _add(dishes, (line["name"],), quantity, quantity * line["price_per_unit"])
    by_day: dict[tuple[str, int, int], list[int]] = {}
    by_time_of_day: dict[tuple[int, int], list[int]] = {}
    for row in completed:
        received = row[_RECEIVED]
        seconds = row[_COMPLETED] - received
        day, half_hour = clock.half_hour_of(received)
        minutes = -(-seconds // 60)
        _add(by_day, (day, half_hour, minutes), 1, seconds)
        _add(by_time_of_day, (half_hour, minutes), 1, seconds)
    return Summaries(*([(run_id, *key, *pair) for key, pair in totals.items()]
                       for totals in (daily, hourly, dishes, by_day, by_time_of_day)))


def _add(totals: dict, key, count: int, amount: int) -> None:
    """Add to a [count, amount] pair of a summary, starting it at zero."""
    pair = totals.get(key)
    if pair is None:
        totals[key] = [count, amount]
    else:
        pair[0] += count
        pair[1] += amount
