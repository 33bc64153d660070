"""The run's summaries, counted from the order rows a flush writes: sales by local day, by local hour, by
local day and half hour, and by dish (counted when an order is first written, once), and fulfillment by
local half hour of receipt, to the minute (counted when an order is written complete, once).

They are counted where the rows are written, so that with a writer process (writer.WriterProcess) the
counting runs on the machine's other core instead of in the kitchen's loop.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

import orjson

from common.localtime import LocalClock
from common.records import (
    DailySalesRow,
    DishSalesRow,
    FulfillmentRow,
    HalfHourSalesRow,
    HourOfDaySalesRow,
    OrderRow,
    TimeOfDayRow,
)


class CompletedOrder(Protocol):
    """An order row written complete (an OrderRow whose completed_at is known)."""

    @property
    def received_at(self) -> int: ...
    @property
    def completed_at(self) -> int: ...


@dataclass(frozen=True)
class Summaries:
    """Rows to add to the summary tables."""

    daily_sales: list[DailySalesRow]
    hour_of_day_sales: list[HourOfDaySalesRow]
    half_hour_sales: list[HalfHourSalesRow]
    dish_sales: list[DishSalesRow]
    fulfillment: list[FulfillmentRow]
    time_of_day: list[TimeOfDayRow]


def summarise(
    run_id: int, first_written: Iterable[OrderRow], completed: Iterable[CompletedOrder], clock: LocalClock
) -> Summaries:
    """`first_written`: the rows of orders written for the first time (their sales count now);
    `completed`: the rows of orders written complete for the first time (their fulfillment counts now)."""
    sales: dict[tuple[str, int, str], list[int]] = {}
    dishes: dict[tuple[str], list[int]] = {}
    half_hour_of, add = clock.half_hour_of, _add
    for row in first_written:
        day, half_hour = half_hour_of(row.received_at)
        add(sales, (day, half_hour, row.service), 1, row.total_price)
        for line in orjson.loads(row.items):
            quantity = line["quantity"]
            add(dishes, (line["name"],), quantity, quantity * line["price_per_unit"])
    # the three sales summaries from their finest, in the order their keys were first met (as rows are inserted)
    daily: dict[tuple[str, str], list[int]] = {}
    hourly: dict[tuple[int, str], list[int]] = {}
    halves: dict[tuple[str, int], list[int]] = {}
    for (day, half_hour, service), (count, revenue) in sales.items():
        add(daily, (day, service), count, revenue)
        add(hourly, (half_hour // 2, service), count, revenue)
        add(halves, (day, half_hour), count, revenue)
    by_day: dict[tuple[str, int, int], list[int]] = {}
    for done in completed:
        received = done.received_at
        seconds = done.completed_at - received
        day, half_hour = half_hour_of(received)
        add(by_day, (day, half_hour, -(-seconds // 60)), 1, seconds)
    by_time_of_day: dict[tuple[int, int], list[int]] = {}
    for (_, half_hour, minutes), (count, seconds) in by_day.items():
        add(by_time_of_day, (half_hour, minutes), count, seconds)
    return Summaries(
        _rows(DailySalesRow, run_id, daily),
        _rows(HourOfDaySalesRow, run_id, hourly),
        _rows(HalfHourSalesRow, run_id, halves),
        _rows(DishSalesRow, run_id, dishes),
        _rows(FulfillmentRow, run_id, by_day),
        _rows(TimeOfDayRow, run_id, by_time_of_day),
    )


Key = TypeVar("Key", bound=tuple[Hashable, ...])
Row = TypeVar("Row")


def _rows(record: Callable[..., Row], run_id: int, totals: dict[Key, list[int]]) -> list[Row]:
    """A summary's rows: the run, the key's columns, then the count and the amount."""
    return [record(run_id, *key, *pair) for key, pair in totals.items()]


def _add(totals: dict[Key, list[int]], key: Key, count: int, amount: int) -> None:
    """Add to a [count, amount] pair of a summary, starting it at zero."""
    pair = totals.get(key)
    if pair is None:
        totals[key] = [count, amount]
    else:
        pair[0] += count
        pair[1] += amount
