"""What a plan's labour costs, on its grid: each interval's pay (the wage's multiple there, common/wages.py), a
roster's cost, and one shift's on a given day. The roster (roster.py) is solved at the least of it."""

from __future__ import annotations

import math

from common.wages import DAY_MINUTES, Wages
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.roster import Roster, Shift, solve


def interval_pay(wages: Wages, grid: IntervalGrid) -> list[float]:
    """Each interval's multiple of the wage: of its weekday on a weekly grid; on a daily grid the mean over the
    week's seven days, since a daily roster works every one of them."""
    pays = []
    for interval in range(grid.size):
        weekday = grid.weekday(interval)
        days = range(7) if weekday is None else [weekday]
        starts = [day * DAY_MINUTES + grid.start_minute(interval) for day in days]
        pays.append(math.fsum(wages.pay(starts, grid.minutes)) / len(starts))
    return pays


def cheapest_roster(
    needed: list[int],
    grid: IntervalGrid,
    min_hours: float,
    max_hours: float,
    max_cooks: int | None,
    wages: Wages,
    wage: float | None = None,
) -> Roster:
    """The roster of least cost at `wage` an hour (WAGE_PER_HOUR's when None)."""
    rate = wages.per_hour if wage is None else wage
    return solve(
        needed,
        grid,
        min_hours,
        max_hours,
        max_cooks,
        pay=interval_pay(wages, grid),
        shift_cost=wages.per_shift / (rate * grid.minutes / 60),
    )


def week_cost(roster: Roster, grid: IntervalGrid, wages: Wages, wage: float | None = None) -> float:
    """What the roster costs a week: a daily roster's shifts every day, a weekly one's once."""
    days = [None] if grid.per_weekday else range(7)
    return math.fsum(shift_cost(shift, grid, wages, wage, day) * shift.cooks for shift in roster.shifts for day in days)


def shift_cost(
    shift: Shift, grid: IntervalGrid, wages: Wages, wage: float | None = None, day: int | None = None
) -> float:
    """One cook's cost for one shift: its hours at their pay, and the cost of a shift. `day`: the weekday it starts
    on, for a daily grid's shift (a weekly grid's knows its own)."""
    rate = wages.per_hour if wage is None else wage
    weekday = grid.weekday(shift.start) if day is None else day
    assert weekday is not None, "a daily grid's shift starts on a day given"
    start = weekday * DAY_MINUTES + grid.start_minute(shift.start)
    minutes = shift.intervals * grid.minutes
    return math.fsum(wages.pay([start], minutes)) * minutes / 60 * rate + wages.per_shift
