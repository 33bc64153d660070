"""The staffing options a study compares: fixed crews, two-level schedules (a base crew, and a peak crew over
the peaks of the user's own demand), and the user's own COOK_SCHEDULE."""

from __future__ import annotations

import json
from typing import Sequence

from common.schedule import CookSchedule
from simulator.experiment.direct import Crew
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.trials import Option

PEAK_SHARE = 0.5
"""An interval is a peak when it expects at least this share of the orders of the day's busiest interval."""


def peak_intervals(orders_per_day: Sequence[float], grid: IntervalGrid) -> list[bool]:
    """The intervals of each day (or of each day of the week) busy enough to be its peaks."""
    peaks = []
    for start in range(0, grid.size, grid.per_day):
        day = list(orders_per_day[start:start + grid.per_day])
        busiest = max(day, default=0)
        peaks += [busiest > 0 and orders >= PEAK_SHARE * busiest for orders in day]
    return peaks


def two_level(base: int, peak: int, peaks: Sequence[bool], grid: IntervalGrid) -> CookSchedule:
    return grid.schedule([peak if is_peak else base for is_peak in peaks])


def describe_peaks(peaks: Sequence[bool], grid: IntervalGrid) -> str:
    """'10:30-14:00, 18:00-21:30' (of the first day, for a weekly grid: 'Mon 10:30-...')."""
    spans, start = [], None
    for interval, is_peak in enumerate(list(peaks[:grid.per_day]) + [False]):
        if is_peak and start is None:
            start = interval
        elif not is_peak and start is not None:
            end = grid.start_minute(interval) if interval < grid.per_day else 1440
            spans.append(f"{grid.label(start)}-{end // 60:02}:{end % 60:02}")
            start = None
    return ", ".join(spans)


def fixed_crews(counts: list[int]) -> list[Option]:
    return [Option(f"{n} cooks", n, "fixed") for n in counts]


def two_level_schedules(counts: list[int], peaks: Sequence[bool], grid: IntervalGrid) -> list[Option]:
    return [Option(f"{base} / {peak} at peaks", two_level(base, peak, peaks, grid), "schedule")
            for base in counts for peak in counts if peak > base]


def yours(schedule: CookSchedule | None) -> list[Option]:
    return [] if schedule is None else [Option("your COOK_SCHEDULE", schedule, "yours")]


def describe(crew: Crew) -> str:
    """A schedule as the parameters file writes it (JSON: every day, or per weekday); '' for a fixed crew."""
    if isinstance(crew, int):
        return ""
    days = crew.describe()
    first = next(iter(days.values()))
    return json.dumps(first if all(day == first for day in days.values()) else days)
