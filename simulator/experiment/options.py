"""The staffing options a sweep compares: fixed crews, two-level schedules (a base crew, and a peak crew
over lunch and dinner), and the user's own COOK_SCHEDULE."""

from __future__ import annotations

import json

from common.schedule import CookSchedule
from simulator.experiment.direct import Crew
from simulator.experiment.trials import Option

PEAKS = ("10:30", "14:30", "17:00", "21:30")
"""Lunch and dinner, local time: when a two-level schedule's peak crew works."""


def peak_schedule(base: int, peak: int, zone: str) -> CookSchedule:
    at = dict(zip(PEAKS, (peak, base, peak, base)))
    return CookSchedule.parse({"00:00": base, **at}, zone)


def fixed_crews(counts: list[int]) -> list[Option]:
    return [Option(f"{n} cooks", n, "fixed") for n in counts]


def two_level_schedules(counts: list[int], zone: str) -> list[Option]:
    return [Option(f"{base} / {peak} at peaks", peak_schedule(base, peak, zone), "schedule")
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
