"""The replications a study runs on, made from the user's orders file alone, and the grid and blocks it
judges them on.

- `read_history`: the file read once, as the simulator would receive it, and the demand learnt from it.
- `past_days`: the sweep's replications: the file itself, then its own days made again with the file's
  curve, mix and day-to-day variation (demand.py).
- `WeekAhead`: the plan's: a future week, each day's total drawn from the forecast's predictive
  distribution (forecast.py), in named sets of replications that share no seed ("search", "raise",
  "held-out", ...). Each replication is the week and the day before it, which warms the kitchen up and is
  not judged. A replication is made where it is run, from its set and number: workers receive the
  model once and make the streams they are asked for, so that hundreds of held-out weeks need not be
  held in memory or sent anywhere.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from common.service_level import Blocks
from simulator.experiment.demand import DemandModel, covers_every_weekday_twice, midnight, weekday_of
from simulator.experiment.forecast import Forecast
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.streams import Stream, read_stream
from simulator.feed import FeedOptions
from simulator.menu import Dish

SETS = {"search": 1, "raise": 2, "held-out": 3, "compare": 4}
"""The sets of replications of a future week, each drawn with seeds of its own."""
CACHED_STREAMS = 128
"""Streams a worker keeps once made (the sets a study runs again and again)."""
Replication = tuple[str, int]
"""A replication of the week: its set and its number in the set (from 0)."""


@dataclass(frozen=True)
class History:
    grid: IntervalGrid
    demand: DemandModel

    @property
    def file(self) -> Stream:
        return self.demand.source

    def notes(self) -> list[str]:
        """One line each about what the file held that the kitchen does not cook."""
        lines = []
        if self.file.rejected:
            lines.append(
                f"{self.file.rejected:,} orders of the file rejected (the first: {self.file.first_rejection});"
                " the study uses the orders that could be read"
            )
        if self.file.discarded:
            lines.append(f"{self.file.discarded:,} orders of the file had no items (discarded)")
        return lines


def read_history(
    orders: Path | str,
    menu: dict[str, Dish],
    zone: str,
    interval_minutes: int,
    options: FeedOptions = FeedOptions(),
    holidays: Collection[int] = (),
) -> History:
    """Read the file (OrdersFileError when it cannot be read on) and learn its demand: per weekday when it
    covers every weekday twice."""
    daily = IntervalGrid(interval_minutes, False, zone)
    source = read_stream(orders, menu, daily, options)
    grid = replace(daily, per_weekday=covers_every_weekday_twice(source, zone))
    if grid.per_weekday:
        source = replace(source, intervals=grid.of(source.received))
    return History(grid, DemandModel.of(source, zone, grid.per_weekday, holidays))


def judged_by_days(stream: Stream, blocks: Blocks, first_day: int, zone: str) -> Stream:
    """The stream with each order's service-level cell, its local day (from `first_day`) and block; what comes
    before `first_day` warms the kitchen up, and is neither judged nor paid."""
    assert stream.days is not None  # a stream read from a file or made from one has the days of its orders
    return replace(
        stream,
        cells=blocks.cells(stream.days, stream.intervals, first_day),
        paid_from=midnight(first_day, ZoneInfo(zone)),
    )


@dataclass(frozen=True)
class PastDays:
    """The file's own days: replication 1 is the file (unless the demand is scaled), 2..R are made from it."""

    blocks: Blocks
    streams: list[Stream]
    orders_per_day: np.ndarray
    """Orders a day in each interval of the grid, in the file (times the scale)."""


def past_days(history: History, count: int, seed: int, scale: float = 1.0) -> PastDays:
    demand, grid = history.demand, history.grid
    per_day = file_orders_per_day(history) * scale
    blocks = Blocks.pooled(per_day.tolist(), grid.per_day)
    first = int(demand.days[0]) if len(demand.days) else 0
    made = [demand.replicate(seed, r, scale, grid) for r in range(1 if scale != 1 else 2, count + 1)]
    streams = made if scale != 1 else [history.file, *made]
    return PastDays(blocks, [judged_by_days(s, blocks, first, demand.zone) for s in streams], per_day)


def file_orders_per_day(history: History) -> NDArray[np.float64]:
    """The orders received in each interval of the grid, a day (over the days the file has of it)."""
    demand, grid = history.demand, history.grid
    received = np.bincount(history.file.intervals, minlength=grid.size).astype(float)
    if grid.per_weekday:
        days = np.bincount(weekday_of(demand.days), weights=demand.coverage, minlength=7)
        exposure = np.repeat(days, grid.per_day)
    else:
        exposure = np.full(grid.size, demand.coverage.sum())
    per_day: NDArray[np.float64] = np.divide(received, exposure, out=np.zeros(grid.size), where=exposure > 0)
    return per_day


@dataclass(frozen=True, eq=False)
class WeekAhead:
    """Replications of one future week (and the day before it, as a warm-up), made on demand by set and number."""

    history: History
    forecast: Forecast
    days: np.ndarray
    """The warm-up day and the week's seven local days."""
    mean: np.ndarray
    """Orders expected on each of them (the forecast's mean, times the scale)."""
    blocks: Blocks
    orders_per_day: np.ndarray
    """Orders expected a day in each interval of the grid, over the week."""
    seed: int
    scale: float
    paths: dict[str, np.ndarray]
    """Each set's day totals, drawn from the forecast once: (replications, days)."""
    _made: OrderedDict[Replication, Stream] = field(default_factory=OrderedDict, repr=False)

    @classmethod
    def of(
        cls, history: History, forecast: Forecast, first_day: int, seed: int, scale: float, sizes: dict[str, int]
    ) -> WeekAhead:
        """The week from `first_day`. The forecast covers its days; the day before, when the forecast does not
        reach it (it is the file's last), is drawn as the week's day of the same weekday."""
        days = np.arange(first_day - 1, first_day + 7)
        known = {int(d): i for i, d in enumerate(forecast.days)}
        columns = [known[int(d)] if int(d) in known else known[int(d) + 7] for d in days]
        mean = forecast.mean[columns] * scale
        per_day = history.demand.expected_per_interval(days[1:], mean[1:], history.grid)
        blocks = Blocks.pooled(per_day.tolist(), history.grid.per_day)
        paths = {name: forecast.paths(seed, SETS[name], size)[:, columns] for name, size in sizes.items()}
        assert all(len(paths[name]) == size for name, size in sizes.items())
        return cls(history, forecast, days, mean, blocks, per_day, seed, scale, paths)

    @property
    def first_day(self) -> int:
        """The week's first local day (the day before it is the warm-up)."""
        return int(self.days[1])

    def size(self, name: str) -> int:
        return len(self.paths[name])

    def __getitem__(self, key: Replication) -> Stream:
        if key in self._made:
            self._made.move_to_end(key)
            return self._made[key]
        name, number = key
        rng = np.random.default_rng([self.seed, SETS[name], 1, number])  # tag 1: one week of a set
        counts = self.forecast.counts(self.paths[name][number], rng, self.scale)
        stream = self.history.demand.stream(self.days, counts, rng, self.history.grid, f"{name} week {number + 1}")
        made = judged_by_days(stream, self.blocks, self.first_day, self.history.demand.zone)
        self._made[key] = made
        if len(self._made) > CACHED_STREAMS:
            self._made.popitem(last=False)
        return made

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_made"] = OrderedDict()  # what a worker made stays with it
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
