"""A roster: real shifts that cover the cooks needed in every interval, at the least labour cost, under the rules an
employer works with (shift_rules.py: breaks, start times, opening hours...).

An integer program, solved with SCIP (through OR-Tools): how many cooks start a shift of each kind (its start, its
length, where its break is) at each interval of the day (or of the week, per weekday). Shifts start on the
interval grid and last from `min_hours` to `max_hours`; a shift may run past midnight into the next day (the
day, or the week, repeats). Every interval must have at least the cooks it needs at work (those on a break are
not) and, optionally, at most `max_cooks`. The objective is the labour cost of one day (or week): each interval a
shift covers at its pay (the wage's multiple there: premiums for nights or weekends, labour_cost.py), an unpaid
break's minutes left out, plus a cost per shift; with none of these, the paid cook-hours. A covering problem
suits a branch-and-bound solver built on the linear relaxation: SCIP proves a roster within GAP of the least cost
in about a second on a week of half hours, where CP-SAT, with breaks, spent its whole 20 s.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from common.schedule import CookSchedule
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.named_cooks import (
    Assignment,
    AssignmentError,
    assign,
    busy_coefficients,
    repeats,
    rest_intervals,
    under_way,
)
from simulator.experiment.shift_rules import NO_RULES, ShiftRules

if TYPE_CHECKING:
    from ortools.linear_solver import pywraplp

Variable = TypeVar("Variable")
"""A solver's variable (the covering is built the same for any)."""

COST_SCALE = 100
"""Costs are whole numbers: an interval at the plain wage costs this much (a hundredth's precision), so that the
bound a solver proves is a whole number too."""
GAP = 0.005
"""The solver stops at a roster proven within this share of the least cost (Roster.gap says how far it may be)."""
SOLVER_SECONDS = 20.0
"""Time the solver gets at most: the answer is optimal when it says so, else within its stated gap."""
MORE_COOKS = "allow more cooks (--cooks-available) or hours (--max-week-hours)"
"""What to change when named cooks cannot work the roster."""
NAMING_LIMIT = 60_000
"""With named cooks: the most (cook, shift of the week) pairs the program that decides who works what may hold; a
larger one would not be solved in SOLVER_SECONDS."""


class RosterError(ValueError):
    """No roster meets the constraints (say, --max-cooks below what an interval needs)."""


@dataclass(frozen=True)
class Shift:
    start: int
    """Interval of the grid at which it starts."""
    intervals: int
    """Its length, in intervals."""
    cooks: int
    """Cooks who work it."""
    break_at: int | None = None
    """Intervals after its start at which its break starts; None: no break."""
    break_intervals: int = 0
    """Intervals its break takes from the crew."""
    unpaid_minutes: int = 0
    """Minutes of its break not paid (from the break's start)."""

    def paid_minutes(self, grid: IntervalGrid) -> int:
        """One cook's paid minutes of it: its length less an unpaid break's minutes."""
        return self.intervals * grid.minutes - self.unpaid_minutes

    def worked(self) -> list[int]:
        """The offsets (intervals after its start) at which its cooks are on shift: all but the break's."""
        return [
            k
            for k in range(self.intervals)
            if self.break_at is None or not self.break_at <= k < self.break_at + self.break_intervals
        ]


@dataclass(frozen=True)
class Roster:
    shifts: list[Shift]
    """Their starts and lengths in intervals of `grid`."""
    on_shift: list[int]
    """Cooks on shift in each interval of `grid` (those on a break are not)."""
    grid: IntervalGrid
    """The grid it was solved on: the plan's, or a finer one for starts and breaks (ShiftRules.step_minutes)."""
    cook_hours: float
    """Paid cook-hours per cycle (a day, or a week per weekday): unpaid breaks left out."""
    optimal: bool
    gap: float = 0.0
    """How far above the solver's proof of the least cost this roster may be, as a share (0 when optimal)."""
    rules: ShiftRules = NO_RULES
    """The rules it was solved under."""
    named: tuple[Assignment, ...] = ()
    """With named cooks (rules.cooks_available): who works each shift on each day of the week."""
    bound: float = 0.0
    """The solver's proof: no roster under these rules costs less, in the objective's units (COST_SCALE)."""

    def status(self) -> str:
        return "optimal" if self.optimal else f"within {self.gap:.1%} of optimal"

    def schedule(self) -> CookSchedule:
        """Its cooks on shift as the schedule a kitchen runs, on its own grid."""
        return self.grid.schedule(self.on_shift)

    def on_grid(self, grid: IntervalGrid) -> list[int]:
        """Cooks on shift in each interval of the plan's `grid`: the fewest during it while open, on a finer grid
        (what the interval can count on)."""
        per, marks = grid.minutes // self.grid.minutes, self.rules.open_mask(self.grid)
        counts = []
        for i in range(grid.size):
            parts = range(i * per, (i + 1) * per)
            open_parts = [self.on_shift[k] for k in parts if marks[k] != "closed"]
            counts.append(min(open_parts or [self.on_shift[k] for k in parts]))
        return counts


Key = tuple[int, int, int | None]
"""A kind of shift: (start interval, length in intervals, its break's offset or None)."""


def solve(
    needed: Sequence[int],
    plan_grid: IntervalGrid,
    min_hours: float,
    max_hours: float,
    max_cooks: int | None = None,
    pay: Sequence[float] | None = None,
    shift_cost: float = 0.0,
    rules: ShiftRules = NO_RULES,
) -> Roster:
    """The cheapest roster under `rules` covering `needed`, the cooks of each interval of `plan_grid`, on the grid
    of the rules' step (every part of an interval needs its cooks): `pay`, each interval's multiple of the wage on
    that grid (None: all 1); `shift_cost`, what a shift costs beyond its hours, in its intervals at the plain wage."""
    grid = rules.grid_for(plan_grid)
    needed = _spread(needed, plan_grid, grid, rules)
    size = len(needed)
    shortest, longest = round(min_hours * 60 / grid.minutes), round(max_hours * 60 / grid.minutes)
    if not 1 <= shortest <= longest or longest > size:
        raise RosterError(
            f"shifts of {min_hours:g} to {max_hours:g} hours do not fit a grid of {grid.minutes}-minute"
            " intervals and a day (use 0 < --min-shift <= --max-shift <= 24)"
        )
    wanted = _wanted(needed, grid, rules)
    if max_cooks is not None and max(wanted) > max_cooks:
        worst = max(range(size), key=lambda i: wanted[i])
        raise RosterError(f"--max-cooks {max_cooks} is below the {wanted[worst]} cooks needed at {grid.label(worst)}")
    keys = _kinds(size, shortest, longest, grid, rules)
    cost = _costs(keys, size, pay, shift_cost, grid, rules)
    cheapest = partial(_cheapest, keys, cost, wanted, grid, min_hours, max_hours, max_cooks)
    if rules.cooks_available is None:
        return cheapest(rules)
    roster = cheapest(replace(rules, cooks_available=None))
    if _within_named_limits(roster, grid, rules):  # the cheapest roster of all keeps them: the cheapest with them
        roster = replace(roster, rules=rules)
    else:  # their constraints are dense (a shift and its rest span most of a day): only when they bind
        roster = cheapest(rules)
    try:  # named cooks: the cheapest roster's shifts given to the cooks...
        return replace(roster, named=tuple(assign(roster.shifts, grid, rules)))
    except AssignmentError:  # ...or, when they cannot be, who works what found in the program itself
        return cheapest(rules, roster.bound)


def _cheapest(
    keys: list[Key],
    cost: dict[Key, int],
    wanted: list[int],
    grid: IntervalGrid,
    min_hours: float,
    max_hours: float,
    max_cooks: int | None,
    rules: ShiftRules,
    known_bound: float | None = None,
) -> Roster:
    """The integer program's cheapest roster; with named cooks, what they imply for the crew held (_hold_named_cooks).
    Given `known_bound` (the proof of that program: the least cost of any roster), who works each shift is decided in
    the program too (_name_in_program), by CP-SAT, whose own proof is weaker on covering."""
    name_them = known_bound is not None
    from ortools.linear_solver import pywraplp  # an optional extra: only the plan needs it

    size = len(wanted)
    solver = pywraplp.Solver.CreateSolver("CP_SAT" if name_them else "SCIP")
    starting = {key: solver.IntVar(0, solver.infinity(), "") for key in keys}
    for interval, covering in enumerate(_covering(starting, size, rules.breaks_in(grid))):
        if wanted[interval] and not covering:
            raise RosterError(
                f"no shift allowed by the rules covers {grid.label(interval)}, where {wanted[interval]} cooks are"
                " needed (see the start times and opening hours)"
            )
        constraint = solver.Constraint(wanted[interval], solver.infinity() if max_cooks is None else max_cooks)
        for variable in covering:  # coefficients set one by one: quicker to build than sums of expressions
            constraint.SetCoefficient(variable, 1)
    if rules.max_starting is not None:
        for start in sorted({key[0] for key in keys}):
            constraint = solver.Constraint(0, rules.max_starting)
            for key, variable in starting.items():
                if key[0] == start:
                    constraint.SetCoefficient(variable, 1)
    if rules.cooks_available is not None:
        _hold_named_cooks(solver, starting, grid, rules)
    given = _name_in_program(solver, starting, grid, rules) if name_them else {}
    objective = solver.Objective()
    for key, variable in starting.items():
        objective.SetCoefficient(variable, cost[key])
    if known_bound:  # the proof CP-SAT would take long to find: a roster found at it is known to be the cheapest
        at_least = solver.Constraint(known_bound, solver.infinity())
        for key, variable in starting.items():
            at_least.SetCoefficient(variable, cost[key])
    objective.SetMinimization()
    solver.SetTimeLimit(round(SOLVER_SECONDS * 1000))
    parameters = pywraplp.MPSolverParameters()
    parameters.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, GAP)
    status = solver.Solve(parameters)
    if name_them and status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        proven = "none exists" if status == pywraplp.Solver.INFEASIBLE else f"none found in {SOLVER_SECONDS:g} s"
        raise RosterError(
            f"no roster's shifts can be given to {rules.cooks_available} cooks working at most"
            f" {rules.max_week_hours:g} h a week with {rules.min_rest_hours:g} h between shifts ({proven}):"
            f" {MORE_COOKS}"
        )
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise RosterError(
            f"no roster of {min_hours:g}-{max_hours:g} hour shifts covers the cooks needed"
            + (f" with at most {max_cooks} at once" if max_cooks is not None else "")
            + (f" under the rules ({', '.join(rules.in_force())})" if rules.in_force() else "")
            + (
                f": too few named cooks to cover the need with their rest between shifts; {MORE_COOKS}"
                if rules.cooks_available is not None
                else ""
            )
        )
    taken = rules.breaks_in(grid)
    shifts = [
        Shift(start, length, count, brk, taken if brk is not None else 0, rules.unpaid(brk is not None))
        for (start, length, brk), variable in starting.items()
        if (count := round(variable.solution_value()))
    ]
    on_shift = [0] * size
    for shift in shifts:
        for offset in shift.worked():
            on_shift[(shift.start + offset) % size] += shift.cooks
    hours = sum(s.paid_minutes(grid) * s.cooks for s in shifts) / 60
    found, bound = objective.Value(), max(math.ceil(objective.BestBound() - 1e-6), known_bound or 0.0)
    gap = max(0.0, (found - bound) / found) if found else 0.0
    named = tuple(_named_from(given, shifts, grid)) if name_them else ()
    return Roster(shifts, on_shift, grid, hours, gap <= 1e-9, gap, rules, named, bound)


def _within_named_limits(roster: Roster, grid: IntervalGrid, rules: ShiftRules) -> bool:
    """Whether a roster keeps what named cooks imply for the crew (_hold_named_cooks), counted from its shifts."""
    assert rules.cooks_available is not None
    busy = [0] * grid.size
    for shift in roster.shifts:
        for interval, times in busy_coefficients((shift.start, shift.intervals, shift.break_at), grid, rules).items():
            busy[interval] += times * shift.cooks
    paid = sum(shift.paid_minutes(grid) * shift.cooks for shift in roster.shifts) * repeats(grid)
    return max(busy) <= rules.cooks_available and paid <= rules.cooks_available * rules.max_week_hours * 60


def _hold_named_cooks(
    solver: pywraplp.Solver, starting: Mapping[Key, pywraplp.Variable], grid: IntervalGrid, rules: ShiftRules
) -> None:
    """What named cooks imply for any roster (named_cooks.py): at every interval at most their number in a shift or
    the rest after it, and the week's paid hours within what the cooks may work."""
    assert rules.cooks_available is not None
    busy: list[dict[Key, int]] = [{} for _ in range(grid.size)]
    for key in starting:
        for interval, times in busy_coefficients(key, grid, rules).items():
            busy[interval][key] = times
    for counts in busy:
        constraint = solver.Constraint(0, rules.cooks_available)
        for key, times in counts.items():
            constraint.SetCoefficient(starting[key], times)
    hours = solver.Constraint(0, rules.cooks_available * rules.max_week_hours * 60)
    for key, variable in starting.items():
        hours.SetCoefficient(variable, _paid_minutes(key, grid, rules) * repeats(grid))


Slot = tuple[int, int, int]
"""A shift of the week as a cook is given it: (weekday, start interval of the roster's grid, length)."""


def _name_in_program(
    solver: pywraplp.Solver, starting: Mapping[Key, pywraplp.Variable], grid: IntervalGrid, rules: ShiftRules
) -> dict[Slot, list[pywraplp.Variable]]:
    """Who works what, as variables of the program (when the cheapest roster's shifts could not be given out): for
    each shift of the week and each cook, whether they work it; each shift's cooks are those it starts; each cook
    within their hours, and in at most one shift or its rest at any moment of the week (the week repeats).
    RosterError when that program would be too large to solve (NAMING_LIMIT)."""
    assert rules.cooks_available is not None
    cooks = range(rules.cooks_available)
    kinds: dict[tuple[int, int], list[Key]] = {}
    for key in starting:
        kinds.setdefault(key[:2], []).append(key)
    days = [None] if grid.per_weekday else range(7)
    if rules.cooks_available * len(kinds) * len(days) > NAMING_LIMIT:
        raise RosterError(
            f"the cheapest roster's shifts cannot be given to {rules.cooks_available} cooks working at most"
            f" {rules.max_week_hours:g} h a week with {rules.min_rest_hours:g} h between shifts, and a roster that"
            f" can be is too large a program to find here: {MORE_COOKS}"
        )
    given: dict[Slot, list[pywraplp.Variable]] = {}
    paid: dict[Slot, int] = {}
    for (start, length), of_kind in kinds.items():
        for day in days:
            weekday = grid.weekday(start) if day is None else day
            assert weekday is not None
            slot = (weekday, start % grid.per_day, length)
            given[slot], paid[slot] = [solver.BoolVar("") for _ in cooks], _paid_minutes(of_kind[0], grid, rules)
            link = solver.Constraint(0, 0)  # its cooks, named, are the cooks who start it
            for variable in given[slot]:
                link.SetCoefficient(variable, 1)
            for key in of_kind:
                link.SetCoefficient(starting[key], -1)
    slots = list(given)
    spans = [(day * grid.per_day + start, length) for day, start, length in slots]
    busy = under_way(spans, 7 * grid.per_day, rest_intervals(rules, grid))
    for cook in cooks:
        hours = solver.Constraint(0, rules.max_week_hours * 60)
        for slot, variables in given.items():
            hours.SetCoefficient(variables[cook], paid[slot])
        for at_once in busy:  # a cook in one shift or its rest at any moment
            once = solver.Constraint(0, 1)
            for j in at_once:
                once.SetCoefficient(given[slots[j]][cook], 1)
    return given


def _named_from(
    given: Mapping[Slot, list[pywraplp.Variable]], shifts: list[Shift], grid: IntervalGrid
) -> list[Assignment]:
    """The program's answer of who works what, each cook given one of the kinds of their shift (where its break
    is: as many cooks as start each)."""
    named = []
    for (day, start, length), variables in sorted(given.items()):
        first = day * grid.per_day + start if grid.per_weekday else start
        kinds = [
            shift for shift in shifts if (shift.start, shift.intervals) == (first, length) for _ in range(shift.cooks)
        ]
        cooks = [cook for cook, variable in enumerate(variables, start=1) if round(variable.solution_value())]
        named += [Assignment(cook, shift, day) for cook, shift in zip(cooks, kinds, strict=True)]
    return sorted(named, key=lambda a: (a.day, a.shift.start % grid.per_day, a.cook))


def _paid_minutes(key: Key, grid: IntervalGrid, rules: ShiftRules) -> int:
    """One cook's paid minutes of a kind of shift: its length less an unpaid break's minutes."""
    return key[1] * grid.minutes - rules.unpaid(key[2] is not None)


def _spread(needed: Sequence[int], plan_grid: IntervalGrid, grid: IntervalGrid, rules: ShiftRules) -> list[int]:
    """The cooks each interval of the roster's grid needs: its plan interval's, but where the kitchen is closed in an
    interval partly open (opening hours on the finer grid), whose orders came while it was open."""
    per = plan_grid.minutes // grid.minutes
    marks = rules.open_mask(grid)
    return [
        0 if marks[i] == "closed" and any(m != "closed" for m in marks[i - i % per : i - i % per + per]) else n
        for i, n in enumerate(n for n in needed for _ in range(per))
    ]


def _wanted(needed: Sequence[int], grid: IntervalGrid, rules: ShiftRules) -> list[int]:
    """The cooks each interval must have on shift: the requirement, the least crew while open, a cook (or the least
    crew) for the paid time to open and close; RosterError for cooks needed while closed."""
    wanted = []
    for interval, (count, mark) in enumerate(zip(needed, rules.open_mask(grid), strict=True)):
        if mark == "closed" and rules.work_when_closed:
            wanted.append(count)
        elif mark == "closed":
            if count:
                raise RosterError(
                    f"{count} cooks are needed at {grid.label(interval)}, when the kitchen is closed by its opening"
                    " hours: orders come then (open longer, or leave --open out)"
                )
            wanted.append(0)
        elif mark == "open":
            wanted.append(max(count, rules.min_crew))
        else:
            wanted.append(max(count, rules.min_crew, 1))
    return wanted


def _kinds(size: int, shortest: int, longest: int, grid: IntervalGrid, rules: ShiftRules) -> list[Key]:
    """Every kind of shift the rules allow: its start, its length, where its break is; none that works while
    the kitchen is closed."""
    closed = set() if rules.work_when_closed else {i for i, m in enumerate(rules.open_mask(grid)) if m == "closed"}
    return [
        (start, length, brk)
        for start in range(size)
        if rules.may_start(start, grid)
        for length in range(shortest, longest + 1)
        if rules.may_last(length, grid) and not any((start + k) % size in closed for k in range(length))
        for brk in rules.break_offsets(length, grid)
        if rules.cooks_available is None
        or _paid_minutes((start, length, brk), grid, rules) <= rules.max_week_hours * 60
    ]


def _costs(
    keys: list[Key], size: int, pay: Sequence[float] | None, shift_cost: float, grid: IntervalGrid, rules: ShiftRules
) -> dict[Key, int]:
    """Each kind of shift's cost as the objective counts it: its length when every interval pays the same, a shift
    costs nothing more and none has a break (the paid hours, as ever), else the pay of its intervals (an unpaid
    break's minutes left out) plus the shift's cost, scaled to whole numbers (COST_SCALE)."""
    if (pay is None or len(set(pay)) <= 1) and not shift_cost and not any(key[2] is not None for key in keys):
        return {key: key[1] for key in keys}
    paid = pay or [1.0] * size
    taken = rules.breaks_in(grid)
    costs = {}
    for start, length, brk in keys:
        total = sum(paid[(start + k) % size] for k in range(length)) + shift_cost
        if brk is not None:
            unpaid = rules.unpaid(True) / grid.minutes  # intervals' worth, from the break's start
            total -= sum(paid[(start + brk + k) % size] * min(1.0, max(0.0, unpaid - k)) for k in range(taken))
        costs[(start, length, brk)] = round(COST_SCALE * total)
    return costs


def _covering(starting: Mapping[Key, Variable], size: int, taken: int) -> list[list[Variable]]:
    """For each interval, the variables of the shifts on shift in it (their break aside), across the wrap."""
    covering: list[list[Variable]] = [[] for _ in range(size)]
    for (start, length, brk), variable in starting.items():
        for offset in range(length):
            if brk is None or not brk <= offset < brk + taken:
                covering[(start + offset) % size].append(variable)
    return covering
