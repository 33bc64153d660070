"""Named cooks (issue #28): the week's shifts given to Cook 1..N, as a schedule an employer could publish. No cook
works more than `max_week_hours` paid hours, and between the end of one of a cook's shifts and the start of their
next there are at least `min_rest_hours`, across the week's end too (the week repeats), by the clock the shifts are
written in (`for_week`: an hour more across a night the clocks go forward).

The roster's integer program (roster.py) holds what named cooks imply for the crew as a whole: a shift keeps its
cook busy from its start to the end of the rest after it, and at no moment are more cooks busy so than there are
cooks (`busy_coefficients`); the paid hours of the week fit in the cooks' hours. Those are necessary, not
sufficient (hours pack into cooks as items into bins, and the week is a circle): the cheapest roster's shifts are
then given to the cooks (`assign`), first in order of their starts, each to the free cook with the fewest hours so
far, and when that leaves a shift without a cook, by CP-SAT, which proves whether any assignment exists. When none
does, who works what is decided in the roster's program itself (roster._name_in_program), so the roster found is
still the cheapest that can be given out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from common.localtime import EPOCH_DAY

if TYPE_CHECKING:
    from simulator.experiment.grid import IntervalGrid
    from simulator.experiment.roster import Key, Shift
    from simulator.experiment.shift_rules import ShiftRules

WEEK_MINUTES = 7 * 24 * 60
SOLVER_SECONDS = 5.0
"""Time CP-SAT gets to give the shifts to the cooks, when taking them in order of their starts did not."""
SEARCH_LIMIT = 100_000
"""The most (shift, cook) pairs CP-SAT is given to search: a larger model takes longer to build than to solve."""


class AssignmentError(ValueError):
    """The roster's shifts cannot be given to the cooks available under their limits."""


@dataclass(frozen=True)
class Assignment:
    cook: int
    """Cook 1..N."""
    shift: Shift
    """The kind of shift they work (of the roster's; its `cooks` are all who work it)."""
    day: int
    """The weekday it starts on, 0 for Monday."""


@dataclass(frozen=True)
class _Worked:
    """One cook's share of one shift on one day, in minutes of the week."""

    shift: Shift
    day: int
    start: int
    end: int
    paid: int


def for_week(rules: ShiftRules, first_day: int, zone: str) -> ShiftRules:
    """The rules for the week from local day `first_day` (days since 1970-01-01): shifts are wall-clock times, so
    where the clocks go forward in the week, the rest between named cooks' shifts is widened by the hour they skip
    (an 11-hour rest by the clock across the change is 10 hours of real rest)."""
    if rules.cooks_available is None:
        return rules
    tz = ZoneInfo(zone)
    offsets = [
        datetime.combine(EPOCH_DAY + timedelta(days=day), time(), tz).utcoffset() or timedelta()
        for day in range(first_day, first_day + 8)
    ]
    skipped = max((after - before for before, after in zip(offsets, offsets[1:], strict=False)), default=timedelta())
    return replace(rules, clock_skip_hours=max(skipped, timedelta()).total_seconds() / 3600)


def rest_intervals(rules: ShiftRules, grid: IntervalGrid) -> int:
    """The rest after a shift, in whole intervals: shifts start and end on the grid, so a gap of g intervals is
    long enough exactly when g reaches this."""
    return math.ceil(rules.rest_by_clock_hours * 60 / grid.minutes - 1e-9)


def busy_coefficients(key: Key, grid: IntervalGrid, rules: ShiftRules) -> dict[int, int]:
    """The intervals of the roster's cycle (a day or a week) in which a cook starting a shift of kind `key` is busy
    with it or its rest, each with how many of its repetitions are (more than one only when a shift and its rest
    outlast a day, on a daily roster)."""
    start, length, _ = key
    busy: dict[int, int] = {}
    for offset in range(length + rest_intervals(rules, grid)):
        interval = (start + offset) % grid.size
        busy[interval] = busy.get(interval, 0) + 1
    return busy


def repeats(grid: IntervalGrid) -> int:
    """Times a week the roster's shifts are worked: every day for a daily roster, once for a weekly one."""
    return 1 if grid.per_weekday else 7


def assign(shifts: Sequence[Shift], grid: IntervalGrid, rules: ShiftRules) -> list[Assignment]:
    """Every cook's share of every shift of the week, each given to one of rules.cooks_available cooks, so that
    none works over the hours or without the rest (AssignmentError when no assignment exists)."""
    assert rules.cooks_available is not None, "named cooks are asked for with cooks_available"
    worked = _week_of(shifts, grid)
    cooks = _in_order(worked, rules) or _solved(worked, rules)
    return sorted(
        (Assignment(cook + 1, part.shift, part.day) for part, cook in zip(worked, cooks, strict=True)),
        key=lambda a: (a.day, a.shift.start % grid.per_day, a.cook),
    )


def hours_by_cook(named: Sequence[Assignment], grid: IntervalGrid) -> dict[int, float]:
    """Each named cook's paid hours in the week."""
    hours: dict[int, float] = {}
    for a in named:
        hours[a.cook] = hours.get(a.cook, 0.0) + a.shift.paid_minutes(grid) / 60
    return hours


def _week_of(shifts: Sequence[Shift], grid: IntervalGrid) -> list[_Worked]:
    """Each cook's share of each shift, on each day it is worked, in order of its start in the week."""
    worked = []
    for shift in shifts:
        days = [grid.weekday(shift.start)] if grid.per_weekday else range(7)
        paid = shift.paid_minutes(grid)
        for day in days:
            assert day is not None
            start = day * 24 * 60 + grid.start_minute(shift.start)
            worked += [_Worked(shift, day, start, start + shift.intervals * grid.minutes, paid)] * shift.cooks
    return sorted(worked, key=lambda w: (w.start, w.end))


def _in_order(worked: list[_Worked], rules: ShiftRules) -> list[int] | None:
    """Shifts in order of their starts, each to the cook with the fewest hours so far who has rested and has the
    hours left (and rests enough before their first shift of the next week); None when one is left without."""
    assert rules.cooks_available is not None
    rest, most = round(rules.rest_by_clock_hours * 60), round(rules.max_week_hours * 60)
    first: list[int | None] = [None] * rules.cooks_available
    last_end = [0] * rules.cooks_available
    hours = [0] * rules.cooks_available
    given = []
    for part in worked:
        free = [
            cook
            for cook in range(rules.cooks_available)
            if hours[cook] + part.paid <= most
            and (first[cook] is None or (part.start >= last_end[cook] + rest and _wraps_ok(first[cook], part, rest)))
        ]
        if not free:
            return None
        cook = min(free, key=lambda c: (hours[c], c))
        if first[cook] is None:
            first[cook] = part.start
        last_end[cook], hours[cook] = part.end, hours[cook] + part.paid
        given.append(cook)
    return given


def _wraps_ok(first_start: int | None, part: _Worked, rest: int) -> bool:
    """Whether a cook whose week starts with a shift at `first_start` rests enough between `part` and it, next week."""
    return first_start is None or first_start + WEEK_MINUTES >= part.end + rest


def _solved(worked: list[_Worked], rules: ShiftRules) -> list[int]:
    """An assignment found by CP-SAT: any that keeps the limits (asking it to even out the hours as well costs it
    its whole time on a tight week)."""
    from ortools.sat.python import cp_model  # the [plan] extra

    assert rules.cooks_available is not None
    cooks = range(rules.cooks_available)
    if len(worked) * len(cooks) > SEARCH_LIMIT:
        raise AssignmentError(f"{len(worked)} shifts and {len(cooks)} cooks are too many to search for who works what")
    rest, most = round(rules.rest_by_clock_hours * 60), round(rules.max_week_hours * 60)
    busy = under_way([(part.start, part.end - part.start) for part in worked], WEEK_MINUTES, rest)
    model = cp_model.CpModel()
    given = {(j, c): model.new_bool_var("") for j in range(len(worked)) for c in cooks}
    for j in range(len(worked)):
        model.add_exactly_one(given[j, c] for c in cooks)
    for c in cooks:
        model.add(sum(part.paid * given[j, c] for j, part in enumerate(worked)) <= most)
        for at_once in busy:  # a cook in one shift or its rest at any moment
            if len(at_once) > 1:
                model.add_at_most_one(given[j, c] for j in at_once)
    if worked:
        model.add(given[0, 0] == 1)  # the cooks are alike: the first shift's cook is called Cook 1
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = SOLVER_SECONDS
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        proven = " (none exists)" if status == cp_model.INFEASIBLE else f" within {SOLVER_SECONDS:g} s"
        raise AssignmentError(
            f"the roster's {len(worked)} shifts of the week cannot be given to {rules.cooks_available}"
            f" cook{'s' if rules.cooks_available > 1 else ''} working"
            f" at most {rules.max_week_hours:g} h a week with {rules.min_rest_hours:g} h between shifts{proven}"
        )
    return [next(c for c in cooks if solver.value(given[j, c])) for j in range(len(worked))]


def under_way(spans: Sequence[tuple[int, int]], cycle: int, rest: int) -> list[list[int]]:
    """At each start of the (start, length) spans, those (by index) in which or in whose rest it falls, the cycle
    repeating. Two spans too close for one cook meet at one of their starts, so a cook in at most one of each list
    never works two of them."""
    starts = sorted({start for start, _ in spans})
    return [
        [j for j, (start, length) in enumerate(spans) if (point - start) % cycle < length + rest] for point in starts
    ]
