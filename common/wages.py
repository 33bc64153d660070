"""Labour as money: the wage an hour, premiums for hours in some windows (nights, weekends), a cost per shift, and
the currency every amount is shown in (issue #28). The plan minimises it, and every output that counts cook-hours
puts its cost beside them.

In the parameters file:

    WAGE_PER_HOUR = 18.50          # every cook's, unless a layout's role sets its own (`wage = 21.0`)
    CURRENCY = "USD"               # an ISO 4217 code: what every amount shown says
    SHIFT_COST = 0                 # what a shift costs beyond its hours (travel, a meal, the paperwork)
    WAGE_PREMIUMS = [              # hours in a window paid `times` the wage; the largest applies where two do
        {"from": "22:00", "to": "06:00", "times": 1.25},                # every night
        {"days": ["Sat", "Sun"], "from": "00:00", "to": "24:00", "times": 1.5},
    ]

A window that ends at or before its start runs past midnight, into the next day; its `days` are the days it
starts on (every day when not given). Times are the kitchen's local wall-clock times.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from common.schedule import WEEKDAYS, CookSchedule

DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class WagesError(ValueError):
    """A wage, premium or currency that cannot be used; the message names the entry."""


@dataclass(frozen=True)
class Premium:
    """Hours in a window of the week paid `times` the wage."""

    days: tuple[int, ...]
    """The weekdays (Monday 0) the window starts on."""
    start: int
    """Minutes from midnight."""
    end: int
    """Minutes from midnight; at or before `start`: the next day's."""
    times: float

    def covers(self, minute_of_week: int) -> bool:
        """Whether the window holds that minute of the week (Monday 00:00 is 0)."""
        length = (self.end - self.start) % DAY_MINUTES or DAY_MINUTES
        for day in self.days:
            if (minute_of_week - (day * DAY_MINUTES + self.start)) % WEEK_MINUTES < length:
                return True
        return False


@dataclass(frozen=True)
class Wages:
    per_hour: float
    """WAGE_PER_HOUR: a cook's wage an hour, in `currency`."""
    currency: str = "USD"
    per_shift: float = 0.0
    """SHIFT_COST: what each shift costs beyond its hours."""
    premiums: tuple[Premium, ...] = ()

    def times(self, minute_of_week: int) -> float:
        """The wage's multiple at that minute of the week: the largest premium that holds it, else 1."""
        return max((p.times for p in self.premiums if p.covers(minute_of_week)), default=1.0)

    def pay(self, starts: Sequence[int], minutes: int) -> list[float]:
        """The mean multiple of the wage over each of the periods of `minutes` starting at `starts` (minutes of the
        week), minute by minute."""
        if not self.premiums:
            return [1.0] * len(starts)
        return [math.fsum(self.times((s + m) % WEEK_MINUTES) for m in range(minutes)) / minutes for s in starts]

    def week_cost(self, crew: int | CookSchedule, wage: float | None = None, step: int = 15) -> float:
        """What a crew costs a week at `wage` an hour (the per-hour wage when None), hour by its premium (no shift
        cost: a crew is not shifts)."""
        rate = self.per_hour if wage is None else wage
        starts = range(0, WEEK_MINUTES, step)
        counts = [crew if isinstance(crew, int) else cooks_at(crew, start) for start in starts]
        return math.fsum(c * p for c, p in zip(counts, self.pay(starts, step), strict=True)) * rate * step / 60

    def show(self, amount: float) -> str:
        return f"{self.currency} {amount:,.2f}"


def cooks_at(schedule: CookSchedule, minute_of_week: int) -> int:
    """The schedule's count at a minute of the week, by its weekdays' changes (a count holds across midnight)."""
    day, minute = divmod(minute_of_week, DAY_MINUTES)
    for back in range(8):
        changes = schedule.days[(day - back) % 7]
        earlier = [cooks for at, cooks in changes if back or at <= minute]
        if earlier:
            return earlier[-1]
    return 0


def parse_wages(
    per_hour: object, currency: object, per_shift: object, premiums: object, where: str = "the parameters"
) -> Wages:
    """WAGE_PER_HOUR, CURRENCY, SHIFT_COST and WAGE_PREMIUMS checked, each error naming the entry."""
    rate = _amount(per_hour, f"{where}: WAGE_PER_HOUR", positive=True)
    if not isinstance(currency, str) or not _CURRENCY.match(currency.strip().upper()):
        raise WagesError(f"{where}: CURRENCY: expected an ISO 4217 code like 'USD' or 'EUR', got {currency!r}")
    shift = _amount(per_shift, f"{where}: SHIFT_COST")
    if premiums is None:
        premiums = []
    if not isinstance(premiums, list):
        raise WagesError(f"{where}: WAGE_PREMIUMS: expected a list of windows, got {premiums!r}")
    made = []
    for number, entry in enumerate(premiums, start=1):
        at = f"{where}: WAGE_PREMIUMS entry {number}"
        if not isinstance(entry, dict) or set(entry) - {"days", "from", "to", "times"}:
            raise WagesError(f"{at}: expected {{'days': [...], 'from': 'HH:MM', 'to': 'HH:MM', 'times': 1.25}}")
        days = entry.get("days", list(WEEKDAYS))
        if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
            raise WagesError(f"{at}: days: expected a list of {', '.join(WEEKDAYS)}, got {days!r}")
        start, end = (_clock(entry.get(key), f"{at}: {key}") for key in ("from", "to"))
        times = _amount(entry.get("times"), f"{at}: times", positive=True)
        made.append(Premium(tuple(WEEKDAYS.index(d) for d in days), start, end, times))
    return Wages(rate, currency.strip().upper(), shift, tuple(made))


def _amount(value: object, where: str, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise WagesError(f"{where}: expected a number >= 0, got {value!r}")
    if positive and value == 0:
        raise WagesError(f"{where}: expected a number > 0, got {value!r}")
    return float(value)


def _clock(value: object, where: str) -> int:
    found = _CLOCK.match(value) if isinstance(value, str) else None
    if found is None or (found.group(1) == "24" and found.group(2) != "00"):
        raise WagesError(f"{where}: expected a time 'HH:MM' (00:00 to 24:00), got {value!r}")
    return int(found.group(1)) * 60 + int(found.group(2))
