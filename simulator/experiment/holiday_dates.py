"""Holidays: days whose demand is not an ordinary weekday's, named by the user.

`--holidays US` (a country, or a country and subdivision like US-CA, from the `holidays` package) or
`--holidays FILE` (one date a line, YYYY-MM-DD, optionally a comma and a name). In the history they are
kept out of the intraday profile, the weekday factors and the day-to-day variation; in the week planned
and in the backtest they are flagged, since the plan staffs them as ordinary days of their weekday.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path


class HolidayError(ValueError):
    """A --holidays value that names no country the package knows and no readable file of dates."""


def read_holidays(spec: str, first: date, last: date) -> dict[date, str]:
    """The holidays from `first` to `last` (inclusive) that `spec` names: {date: name}."""
    path = Path(spec)
    if path.is_file():
        return {day: name for day, name in _from_file(path).items() if first <= day <= last}
    import holidays  # an optional extra: only the plan needs it

    country, _, subdivision = spec.upper().partition("-")
    try:
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=range(first.year, last.year + 1))
    except NotImplementedError:
        raise HolidayError(
            f"--holidays {spec}: neither a file nor a country the holidays package knows (use a code"
            " like US, GB, DE or US-CA, or a file of YYYY-MM-DD dates)"
        ) from None
    return {day: str(name) for day, name in sorted(found.items()) if first <= day <= last}


def _from_file(path: Path) -> dict[date, str]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise HolidayError(f"--holidays {path}: cannot be read: {error}") from None
    found = {}
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#") or (number == 1 and text.lower().startswith("date")):
            continue
        day, _, name = text.partition(",")
        try:
            found[date.fromisoformat(day.strip())] = name.strip() or "holiday"
        except ValueError:
            raise HolidayError(
                f"--holidays {path}, line {number}: expected a date YYYY-MM-DD, got {day.strip()!r}"
            ) from None
    return found
