"""Intervals of local time: the grid on which a study measures fulfillment and sets the cooks needed.

An interval is a stretch of `minutes` of the kitchen's local wall-clock day, the same every day, or
every week when the study is per weekday ("Mon 12:00"). On the days the clocks change, the intervals
follow the clock: the skipped hour has no orders, the repeated one counts twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from common.localtime import EPOCH_WEEKDAY, LocalClock
from common.schedule import WEEKDAYS, CookSchedule


class GridError(ValueError):
    """An interval length the grid cannot use."""


@dataclass(frozen=True)
class IntervalGrid:
    minutes: int
    """Length of an interval; it divides the day."""
    per_weekday: bool
    zone: str

    def __post_init__(self) -> None:
        if not isinstance(self.minutes, int) or self.minutes < 15 or self.minutes % 15 or 1440 % self.minutes:
            raise GridError(
                f"--interval: expected a whole number of quarter hours that divides the day,"
                f" like 15, 30 or 60 minutes; got {self.minutes!r}"
            )

    @property
    def per_day(self) -> int:
        return 1440 // self.minutes

    @property
    def size(self) -> int:
        return self.per_day * (7 if self.per_weekday else 1)

    @property
    def seconds(self) -> int:
        return self.minutes * 60

    def of(self, epochs: NDArray[np.integer[Any]], clock: LocalClock | None = None) -> NDArray[np.int32]:
        """The interval of each epoch (an int64 array), by local wall-clock time."""
        epochs = np.asarray(epochs, dtype=np.int64)
        local = epochs + (clock or LocalClock(self.zone)).offsets(epochs)
        days, seconds = np.divmod(local, 86400)
        interval = seconds // self.seconds
        if self.per_weekday:
            interval += ((days + EPOCH_WEEKDAY) % 7) * self.per_day
        return interval.astype(np.int32)

    def start_minute(self, interval: int) -> int:
        """Minute of the day the interval starts at."""
        return (interval % self.per_day) * self.minutes

    def weekday(self, interval: int) -> int | None:
        return interval // self.per_day if self.per_weekday else None

    def label(self, interval: int) -> str:
        """'12:30', or 'Mon 12:30' per weekday."""
        minute = self.start_minute(interval)
        clock = f"{minute // 60:02}:{minute % 60:02}"
        return f"{WEEKDAYS[interval // self.per_day]} {clock}" if self.per_weekday else clock

    def schedule(self, cooks: list[int]) -> CookSchedule:
        """The cook schedule with `cooks[i]` on shift in interval i: every day, or per weekday."""

        def day(counts: list[int]) -> dict[str, int]:
            changes = {}
            for interval, count in enumerate(counts):
                if interval == 0 or count != counts[interval - 1]:
                    minute = interval * self.minutes
                    changes[f"{minute // 60:02}:{minute % 60:02}"] = int(count)
            return changes

        if not self.per_weekday:
            return CookSchedule.parse(day(list(cooks)), self.zone)
        return CookSchedule.parse(
            {name: day(list(cooks[d * self.per_day : (d + 1) * self.per_day])) for d, name in enumerate(WEEKDAYS)},
            self.zone,
        )
