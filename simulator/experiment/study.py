"""The replications a study runs on, made from the user's orders file, and the interval grid it measures on."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from simulator.experiment.demand import DemandModel, covers_every_weekday_twice
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.streams import Stream, read_stream
from simulator.feed import FeedOptions
from simulator.menu import Dish


@dataclass(frozen=True)
class Replications:
    grid: IntervalGrid
    demand: DemandModel
    streams: list[Stream]
    """Replication 1 (the file as given, unless the demand is scaled), then 2..R made from the file."""
    fresh: list[Stream]
    """More replications with seeds the first ones do not use: to check a plan on data it was not made on."""

    @property
    def file(self) -> Stream:
        return self.demand.source

    def notes(self) -> list[str]:
        """One line each about what the file held that the kitchen does not cook."""
        lines = []
        if self.file.rejected:
            lines.append(f"{self.file.rejected:,} orders of the file rejected (the first: {self.file.first_rejection});"
                         " the study uses the orders that could be read")
        if self.file.discarded:
            lines.append(f"{self.file.discarded:,} orders of the file had no items (discarded)")
        return lines


def replications(orders: Path | str, menu: dict[str, Dish], zone: str, interval_minutes: int, count: int, seed: int,
                 scale: float = 1.0, fresh: int = 0, options: FeedOptions = FeedOptions()) -> Replications:
    """Read the file (OrdersFileError when it cannot be read on) and make `count` replications and `fresh` more.

    With the demand scaled, the file itself is not the demand studied, so every replication is made from it.
    """
    daily = IntervalGrid(interval_minutes, False, zone)
    source = read_stream(orders, menu, daily, options)
    grid = replace(daily, per_weekday=covers_every_weekday_twice(source, zone))
    if grid.per_weekday:
        source = replace(source, intervals=grid.of(source.received))
    demand = DemandModel.of(source, zone, grid.per_weekday)
    made = [demand.replicate(seed, r, scale, grid) for r in range(1 if scale != 1 else 2, count + 1)]
    streams = made if scale != 1 else [source, *made]
    return Replications(grid, demand, streams,
                        [demand.replicate(seed, r, scale, grid) for r in range(count + 1, count + fresh + 1)])
