"""An order stream as a study needs it: for each order with items, its receipt, its interval of the
grid and the cook times of its units, in compact arrays that are cheap to keep, copy to workers and walk.

Replication 1 of a study is the user's file read this way, with the simulator's own rules (receipt =
max(ordered_at, the previous receipt); orders with no items and rejected orders move the receipt clock
when their time can be read, and are counted). Replications 2..R come from demand.py in the same form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from common.localtime import LocalClock
from simulator.experiment.grid import IntervalGrid
from simulator.feed import FeedOptions, read_orders
from simulator.menu import Dish
from simulator.orders import EmptyOrder, FeedEntry, Order


@dataclass(frozen=True, eq=False)
class Stream:
    name: str
    """What it is, for messages: 'the orders file', 'replication 3'."""
    received: NDArray[np.int64]
    """Epoch seconds (int64) each order is received, in order of receipt."""
    intervals: NDArray[np.int32]
    """The grid interval (int32) of each order's receipt."""
    unit_offsets: NDArray[np.int64]
    """Order i's units are cook_times[unit_offsets[i]:unit_offsets[i + 1]] (int64, one more than orders)."""
    cook_times: NDArray[np.int64]
    """Seconds (int64) of every unit, order by order, lines in order, `quantity` units each."""
    sources: NDArray[np.int64]
    """The 1-based position in the orders file of the order whose basket each order carries."""
    first_receipt: int | None
    """Where the kitchen's clock starts: the first readable timestamp, of any entry."""
    last_receipt: int | None
    """The last receipt of any entry: the kitchen's clock reaches it even when no order follows."""
    discarded: int = 0
    rejected: int = 0
    first_rejection: str | None = None
    days: NDArray[np.int64] | None = None
    """The local day (days since 1970-01-01) of each order's receipt."""
    cells: NDArray[np.int64] | None = None
    """The service-level cell of each order (common/service_level.py: a day and a block; -1 for a warm-up),
    when the study judges by days; then a trial reports per cell."""
    dishes: NDArray[np.int32] | None = None
    """Each unit's dish, as an index into `dish_names`: what a laid-out kitchen routes it by
    (simulator/experiment/direct_layout.py)."""
    dish_names: tuple[str, ...] = ()
    paid_from: int | None = None
    """Labour and cooking are counted from this moment on (epoch seconds): a replication of a week is paid
    for the week, not for the day before it that warms the kitchen up. None: from the first receipt."""

    @property
    def orders(self) -> int:
        return len(self.received)

    @property
    def units(self) -> int:
        return len(self.cook_times)

    def units_of(self, order: int) -> list[int]:
        units: list[int] = self.cook_times[self.unit_offsets[order] : self.unit_offsets[order + 1]].tolist()
        return units

    def between(self, start: int, end: int, name: str | None = None) -> Stream:
        """The orders received from `start` up to (not including) `end`, epoch seconds: a stretch of the file,
        as if the file held only them (its clock starts at the first of them; nothing rejected)."""
        first, last = np.searchsorted(self.received, [start, end])
        offsets = self.unit_offsets[first : last + 1]
        return replace(
            self,
            name=name or self.name,
            received=self.received[first:last],
            intervals=self.intervals[first:last],
            unit_offsets=offsets - offsets[0],
            cook_times=self.cook_times[offsets[0] : offsets[-1]],
            dishes=None if self.dishes is None else self.dishes[offsets[0] : offsets[-1]],
            sources=self.sources[first:last],
            first_receipt=int(self.received[first]) if last > first else None,
            last_receipt=int(self.received[last - 1]) if last > first else None,
            discarded=0,
            rejected=0,
            first_rejection=None,
            days=None if self.days is None else self.days[first:last],
            cells=None if self.cells is None else self.cells[first:last],
        )


def from_entries(entries: Iterable[FeedEntry], grid: IntervalGrid, name: str = "the orders file") -> Stream:
    """Read a feed once, as the simulator would receive it."""
    received: list[int] = []  # epoch seconds of each order
    offsets: list[int] = [0]
    cook_times: list[int] = []
    dishes: list[int] = []
    dish_index: dict[str, int] = {}
    sources: list[int] = []
    first: int | None = None
    previous: int | None = None
    first_rejection: str | None = None
    discarded = rejected = 0
    for entry in entries:
        if entry.ordered_at is not None:
            previous = entry.ordered_at if previous is None else max(entry.ordered_at, previous)
            first = previous if first is None else first
        if isinstance(entry, Order):
            assert previous is not None  # an order has its time (entry.ordered_at), so the clock has one
            received.append(previous)
            sources.append(entry.position)
            for dish in entry.units():
                cook_times.append(dish.cook_time)
                dishes.append(dish_index.setdefault(dish.name, len(dish_index)))
            offsets.append(len(cook_times))
        elif isinstance(entry, EmptyOrder):
            discarded += 1
        else:
            rejected += 1
            if first_rejection is None:
                first_rejection = f"order {entry.position}: {entry.reason}"
    received_array = np.array(received, dtype=np.int64)
    clock = LocalClock(grid.zone)
    return Stream(
        name,
        received_array,
        grid.of(received_array, clock),
        np.array(offsets, dtype=np.int64),
        np.array(cook_times, dtype=np.int64),
        np.array(sources, dtype=np.int64),
        first,
        previous,
        discarded,
        rejected,
        first_rejection,
        clock.days(received_array),
        dishes=np.array(dishes, dtype=np.int32),
        dish_names=tuple(dish_index),
    )


def read_stream(
    path: Path | str, menu: dict[str, Dish], grid: IntervalGrid, options: FeedOptions = FeedOptions()
) -> Stream:
    """The orders file as replication 1. Raises OrdersFileError when the file cannot be read on."""
    return from_entries(read_orders(path, menu, options), grid)
