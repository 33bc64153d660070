"""The staffing options a study compares: fixed crews, two-level schedules (a base crew, and a peak crew over
the peaks of the user's own demand), and the user's own COOK_SCHEDULE."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from common.schedule import WEEKDAYS, CookSchedule
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.trials import Option, TrialCrew
from simulator.stations.layout import LaidOut

PEAK_SHARE = 0.5
"""An interval is a peak when it expects at least this share of the orders of the day's busiest interval."""


def peak_intervals(orders_per_day: Sequence[float] | NDArray[np.float64], grid: IntervalGrid) -> list[bool]:
    """The intervals of each day (or of each day of the week) busy enough to be its peaks."""
    peaks = []
    for start in range(0, grid.size, grid.per_day):
        day = list(orders_per_day[start : start + grid.per_day])
        busiest = max(day, default=0)
        peaks += [busiest > 0 and orders >= PEAK_SHARE * busiest for orders in day]
    return peaks


def two_level(base: int, peak: int, peaks: Sequence[bool], grid: IntervalGrid) -> CookSchedule:
    return grid.schedule([peak if is_peak else base for is_peak in peaks])


def describe_peaks(peaks: Sequence[bool], grid: IntervalGrid) -> str:
    """'10:30-14:00, 18:00-21:30'; for a weekly grid, the weekdays that share their peaks named together:
    'Mon-Thu 11:30-13:00, 17:30-20:30; Fri-Sun 11:00-13:30, 17:00-21:00'."""
    days = [_spans(peaks[start : start + grid.per_day], grid) for start in range(0, len(peaks), grid.per_day)]
    if not grid.per_weekday:
        return days[0]
    groups: list[tuple[int, int, str]] = []  # (first weekday, last weekday, spans) of neighbouring weekdays alike
    for weekday, spans in enumerate(days):
        if groups and groups[-1][2] == spans:
            groups[-1] = (groups[-1][0], weekday, spans)
        else:
            groups.append((weekday, weekday, spans))
    return "; ".join(
        f"{WEEKDAYS[first]}{'' if first == last else '-' + WEEKDAYS[last]} {spans or 'none'}"
        for first, last, spans in groups
    )


def _spans(peaks: Sequence[bool], grid: IntervalGrid) -> str:
    spans, start = [], None
    for interval, is_peak in enumerate(list(peaks) + [False]):
        if is_peak and start is None:
            start = interval
        elif not is_peak and start is not None:
            end = grid.start_minute(interval) if interval < grid.per_day else 1440
            spans.append(f"{_clock(grid.start_minute(start))}-{_clock(end)}")
            start = None
    return ", ".join(spans)


def _clock(minute: int) -> str:
    return f"{minute // 60:02}:{minute % 60:02}"


def fixed_crews(counts: list[int]) -> list[Option]:
    return [Option(f"{n} cooks", n, "fixed") for n in counts]


def two_level_schedules(counts: list[int], peaks: Sequence[bool], grid: IntervalGrid) -> list[Option]:
    return [
        Option(f"{base} / {peak} at peaks", two_level(base, peak, peaks, grid), "schedule")
        for base in counts
        for peak in counts
        if peak > base
    ]


def yours(schedule: CookSchedule | None) -> list[Option]:
    return [] if schedule is None else [Option("your COOK_SCHEDULE", schedule, "yours")]


def describe(crew: TrialCrew) -> str:
    """A schedule as the parameters file writes it (JSON: every day, or per weekday); '' for a fixed crew; a
    laid-out kitchen's crews by role (JSON: each role's count, or its schedule's days)."""
    if isinstance(crew, LaidOut):
        return json.dumps({r.name: r.crew if isinstance(r.crew, int) else r.crew.describe() for r in crew.layout.roles})
    if isinstance(crew, int):
        return ""
    days = crew.describe()
    first = next(iter(days.values()))
    return json.dumps(first if all(day == first for day in days.values()) else days)
