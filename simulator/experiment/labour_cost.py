"""What a plan's labour costs, on its grid: each interval's pay (the wage's multiple there, common/wages.py), a
roster's cost, and one shift's on a given day. The roster (roster.py) is solved at the least of it."""

from __future__ import annotations

import math

from common.wages import DAY_MINUTES, Wages
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.roster import Roster, RosterError, Shift, solve
from simulator.experiment.shift_rules import NO_RULES, ShiftRules

EVERY_RULE = "every rule"
"""rule_costs' key for all the rules at once."""


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
    rules: ShiftRules = NO_RULES,
) -> Roster:
    """The roster of least cost at `wage` an hour (WAGE_PER_HOUR's when None), under `rules`, for the cooks
    `needed` in each interval of the plan's `grid`."""
    rate, steps = wages.per_hour if wage is None else wage, rules.grid_for(grid)
    return solve(
        needed,
        grid,
        min_hours,
        max_hours,
        max_cooks,
        pay=interval_pay(wages, steps),
        shift_cost=wages.per_shift / (rate * steps.minutes / 60),
        rules=rules,
    )


def week_cost(roster: Roster, wages: Wages, wage: float | None = None) -> float:
    """What the roster costs a week: a daily roster's shifts every day, a weekly one's once."""
    grid = roster.grid
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
    if shift.break_at is None or not shift.unpaid_minutes:
        paid = [(start, minutes)]
    else:  # an unpaid break's minutes, from its start, are not paid
        rest = shift.break_at * grid.minutes + shift.unpaid_minutes
        paid = [(start, shift.break_at * grid.minutes), (start + rest, minutes - rest)]
    return (
        math.fsum(wages.pay([at], length)[0] * length for at, length in paid if length > 0) / 60 * rate
        + wages.per_shift
    )


def rule_costs(
    needed: list[int],
    grid: IntervalGrid,
    min_hours: float,
    max_hours: float,
    max_cooks: int | None,
    wages: Wages,
    wage: float | None,
    roster: Roster,
) -> dict[str, float]:
    """What each rule the roster was held to costs a week, and all of them together (EVERY_RULE, when more than one):
    the roster's cost less that of the integer program solved again without the rule, on the same requirement (no
    new simulation). A rule without which no roster is found is left out."""
    base = week_cost(roster, wages, wage)
    named = roster.rules.in_force()
    costs = {}
    for name in [*named, *([EVERY_RULE] if len(named) > 1 else [])]:
        rules = NO_RULES if name == EVERY_RULE else roster.rules.without(name)
        try:
            other = cheapest_roster(needed, grid, min_hours, max_hours, max_cooks, wages, wage, rules)
        except RosterError:
            continue
        costs[name] = base - week_cost(other, wages, wage)
    return costs
