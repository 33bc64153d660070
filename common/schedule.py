"""Cook schedules: how many cooks are on shift at each local time of day, every day or per weekday.

Written in the parameters file as COOK_SCHEDULE, either one schedule for every day,

    {"05:00": 40, "11:00": 120, "15:00": 60, "17:00": 120, "22:00": 30}

or one per weekday, with "default" for the days not named:

    {"default": {...}, "Sat": {...}, "Sun": {...}}

A count holds from its time until the next change, across midnight; times are the kitchen's local
wall-clock times, so a schedule follows the clock through DST changes. A change at a time the clocks
skip, or pass twice, takes effect at the standard-time reading of it (the later of the two readings).
A count may be 0 (the kitchen is closed: orders wait for the next cook), as long as some count is not.
A schedule may name the zone its times are in ("timezone": "America/Chicago", as a plan writes it): it is
then refused in a kitchen of another zone, whose clock would shift every shift.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

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
        if isinstance(value, dict) and "timezone" in value:
            value = dict(value)
            named = value.pop("timezone")
            if named != zone:
                raise ScheduleError(
                    f"its times are local times of {named}, but the kitchen's zone is {zone}:"
                    f" run it with --timezone {named}"
                )
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
            days = tuple(given[day] if day in given else given["default"] for day in WEEKDAYS)
        else:
            every_day = _day(value, "every day")
            days = (every_day,) * 7
        if not any(cooks for day in days for _, cooks in day):
            raise ScheduleError("every count is 0: a schedule needs at least one cook at some time")
        return cls(days, zone)

    @classmethod
    def read(cls, path: Path, zone: str) -> CookSchedule:
        """A schedule from a JSON file (what `python -m simulator.plan` writes as cook_schedule.json)."""
        try:
            value = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ScheduleError(f"schedule file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ScheduleError(f"cannot read schedule file {path}: {error}") from None
        except json.JSONDecodeError as error:
            raise ScheduleError(
                f"{path}: not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
            ) from None
        try:
            return cls.parse(value, zone)
        except ScheduleError as error:
            raise ScheduleError(f"{path}: {error}") from None

    def describe(self) -> dict[str, dict[str, int]]:
        """The schedule as the parameters file writes it, one entry per weekday."""
        return {
            day: {f"{m // 60:02}:{m % 60:02}": cooks for m, cooks in changes}
            for day, changes in zip(WEEKDAYS, self.days, strict=True)
        }

    @property
    def changes(self) -> bool:
        """Whether the count ever changes: a schedule of one count all week has no change to wait for."""
        return len({count for day in self.days for _, count in day}) > 1

    @property
    def most(self) -> int:
        return max(cooks for day in self.days for _, cooks in day)

    def cooks_at(self, epoch: int) -> int:
        """How many cooks the schedule has on shift at `epoch`."""
        changes = self.changes_after(epoch - 2 * 86400)
        cooks = next(changes)[1]
        for moment, count in changes:
            if moment > epoch:
                return cooks
            cooks = count
        raise AssertionError("unreachable: changes go on forever")

    def changes_after(self, epoch: int) -> Iterator[tuple[int, int]]:
        """Every (epoch, cooks) change strictly after `epoch`, in order, forever."""
        zone = ZoneInfo(self.zone)
        day = datetime.fromtimestamp(epoch, timezone.utc).astimezone(zone).date() - timedelta(days=1)
        midnight = standard_reading(day, 0, zone)
        while True:
            next_midnight = standard_reading(day + timedelta(days=1), 0, zone)
            if next_midnight - midnight == 86400:  # no clock change that day: minutes from midnight
                moments = [(midnight + 60 * minute, cooks) for minute, cooks in self.days[day.weekday()]]
            else:  # in time order even on the day the clocks spring forward
                moments = sorted(
                    (standard_reading(day, minute, zone), cooks) for minute, cooks in self.days[day.weekday()]
                )
            yield from ((moment, cooks) for moment, cooks in moments if moment > epoch)
            day, midnight = day + timedelta(days=1), next_midnight


def standard_reading(day: date, minute: int, zone: ZoneInfo) -> int:
    """Epoch seconds of a local wall-clock time: of its standard-time reading when the clocks skip it or
    pass it twice (the later of the two readings; both are the same on other days)."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    return int(max(wall.replace(tzinfo=zone, fold=fold).timestamp() for fold in (0, 1)))


def _day(changes: object, day: str) -> tuple[tuple[int, int], ...]:
    if not isinstance(changes, dict) or not changes:
        raise ScheduleError(f"{day}: expected a dict of 'HH:MM': cooks, got {changes!r}")
    parsed = []
    for clock, cooks in changes.items():
        match = _CLOCK.match(clock) if isinstance(clock, str) else None
        if not match:
            raise ScheduleError(f"{day}: {clock!r} is not a time of day 'HH:MM'")
        if isinstance(cooks, bool) or not isinstance(cooks, int) or cooks < 0:
            raise ScheduleError(f"{day} at {clock}: expected a whole number of cooks >= 0, got {cooks!r}")
        parsed.append((int(match[1]) * 60 + int(match[2]), cooks))
    return tuple(sorted(parsed))
