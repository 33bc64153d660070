"""Cook schedules: how many cooks are on shift at each local time of day, every day or per weekday.

Written in the parameters file as COOK_SCHEDULE, either one schedule for every day,

    {"05:00": 40, "11:00": 120, "15:00": 60, "17:00": 120, "22:00": 30}

or one per weekday, with "default" for the days not named:

    {"default": {...}, "Sat": {...}, "Sun": {...}}

A count holds from its time until the next change, across midnight; times are the kitchen's local
wall-clock times, so a schedule follows the clock through DST changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

import pytz

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class ScheduleError(ValueError):
    """A schedule that cannot be followed; the message names the day and the entry."""


@dataclass(frozen=True)
class CookSchedule:
    days: tuple[tuple[tuple[int, int], ...], ...]
    """For each weekday (Monday first): (minute of the day, cooks) changes, in time order."""
    zone: str

    @classmethod
    def parse(cls, value: object, zone: str) -> CookSchedule:
        if not isinstance(value, dict) or not value:
            raise ScheduleError(f"expected a dict of 'HH:MM': cooks, or of weekday: such a dict, got {value!r}")
        if all(isinstance(v, dict) for v in value.values()):
            unknown = set(value) - set(WEEKDAYS) - {"default"}
            if unknown:
                raise ScheduleError(f"unknown day {sorted(unknown)[0]!r}: use {', '.join(WEEKDAYS)} or 'default'")
            missing = [d for d in WEEKDAYS if d not in value and "default" not in value]
            if missing:
                raise ScheduleError(f"no schedule for {', '.join(missing)}: name them or give a 'default'")
            given = {name: _day(changes, name) for name, changes in value.items()}
            days = tuple(given.get(day, given.get("default")) for day in WEEKDAYS)
        else:
            every_day = _day(value, "every day")
            days = (every_day,) * 7
        return cls(days, zone)

    def describe(self) -> dict[str, dict[str, int]]:
        """The schedule as the parameters file writes it, one entry per weekday."""
        return {day: {f"{m // 60:02}:{m % 60:02}": cooks for m, cooks in changes}
                for day, changes in zip(WEEKDAYS, self.days)}

    @property
    def most(self) -> int:
        return max(cooks for day in self.days for _, cooks in day)

    def cooks_at(self, epoch: int) -> int:
        """How many cooks the schedule has on shift at `epoch`."""
        local = datetime.fromtimestamp(epoch, timezone.utc).astimezone(pytz.timezone(self.zone))
        minute = local.hour * 60 + local.minute
        today = [cooks for at, cooks in self.days[local.weekday()] if at <= minute]
        return today[-1] if today else self.days[(local.weekday() - 1) % 7][-1][1]

    def changes_after(self, epoch: int):
        """Every (epoch, cooks) change strictly after `epoch`, in order, forever."""
        tz = pytz.timezone(self.zone)
        day = datetime.fromtimestamp(epoch, timezone.utc).astimezone(tz).date()
        while True:
            moments = sorted(  # in time order even on the day the clocks spring forward
                (int(tz.normalize(tz.localize(datetime.combine(day, time()) + timedelta(minutes=minute),
                                              is_dst=False)).timestamp()), cooks)
                for minute, cooks in self.days[day.weekday()]
            )
            yield from ((moment, cooks) for moment, cooks in moments if moment > epoch)
            day += timedelta(days=1)


def _day(changes: object, day: str) -> tuple[tuple[int, int], ...]:
    if not isinstance(changes, dict) or not changes:
        raise ScheduleError(f"{day}: expected a dict of 'HH:MM': cooks, got {changes!r}")
    parsed = []
    for clock, cooks in changes.items():
        match = _CLOCK.match(clock) if isinstance(clock, str) else None
        if not match:
            raise ScheduleError(f"{day}: {clock!r} is not a time of day 'HH:MM'")
        if isinstance(cooks, bool) or not isinstance(cooks, int) or cooks < 1:
            raise ScheduleError(f"{day} at {clock}: expected a whole number of cooks >= 1, got {cooks!r}")
        parsed.append((int(match[1]) * 60 + int(match[2]), cooks))
    return tuple(sorted(parsed))
