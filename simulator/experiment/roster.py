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
from typing import TYPE_CHECKING, TypeVar

from common.schedule import CookSchedule
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.named_cooks import Assignment, AssignmentError, assign, busy_coefficients, repeats
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
ASSIGN_TRIES = 3
"""With named cooks: rosters solved, each with one cook fewer busy at once, before the plan says the shifts cannot
be given to the cooks (named_cooks.py)."""


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
    busy_at_most: int | None = None
    """With named cooks: the cooks the integer program let be in a shift or its rest at once (fewer than there are
    when the shifts of a cheaper roster could not be given to them)."""

    def status(self) -> str:
        if self.busy_at_most is not None and self.busy_at_most < (self.rules.cooks_available or 0):
            return (
                f"the least cost with at most {self.busy_at_most} of the {self.rules.cooks_available} cooks in a"
                " shift or its rest at once, so that its shifts could be given to them"
            )
        return "optimal" if self.optimal else f"within {self.gap:.1%} of optimal"

    def schedule(self) -> CookSchedule:
        """Its cooks on shift as the schedule a kitchen runs, on its own grid."""
        return self.grid.schedule(self.on_shift)

    def on_grid(self, grid: IntervalGrid) -> list[int]:
        """Cooks on shift in each interval of the plan's `grid`: the fewest during it, on a finer grid (what the
        interval can count on)."""
        per = grid.minutes // self.grid.minutes
        return [min(self.on_shift[i * per : (i + 1) * per]) for i in range(grid.size)]


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
    needed = [n for n in needed for _ in range(plan_grid.minutes // grid.minutes)]
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
    if rules.cooks_available is None:
        return _cheapest(keys, cost, wanted, grid, min_hours, max_hours, max_cooks, rules)
    failed = AssignmentError()
    for fewer in range(ASSIGN_TRIES):  # named cooks: the cheapest roster, then its shifts given to the cooks
        roster = _cheapest(keys, cost, wanted, grid, min_hours, max_hours, max_cooks, rules, fewer)
        try:
            named = tuple(assign(roster.shifts, grid, rules))
        except AssignmentError as error:
            failed = error
            continue
        return replace(roster, named=named, optimal=roster.optimal and not fewer)
    raise RosterError(f"{failed}: allow more cooks (--cooks-available) or hours (--max-week-hours)")


def _cheapest(
    keys: list[Key],
    cost: dict[Key, int],
    wanted: list[int],
    grid: IntervalGrid,
    min_hours: float,
    max_hours: float,
    max_cooks: int | None,
    rules: ShiftRules,
    fewer: int = 0,
) -> Roster:
    """The integer program's cheapest roster; with named cooks, at most their number less `fewer` busy at once."""
    from ortools.linear_solver import pywraplp  # an optional extra: only the plan needs it

    size = len(wanted)
    solver = pywraplp.Solver.CreateSolver("SCIP")
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
    busy_at_most = None
    if rules.cooks_available is not None:
        busy_at_most = rules.cooks_available - fewer
        _hold_named_cooks(solver, starting, grid, rules, busy_at_most)
    objective = solver.Objective()
    for key, variable in starting.items():
        objective.SetCoefficient(variable, cost[key])
    objective.SetMinimization()
    solver.SetTimeLimit(round(SOLVER_SECONDS * 1000))
    parameters = pywraplp.MPSolverParameters()
    parameters.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, GAP)
    status = solver.Solve(parameters)
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise RosterError(
            f"no roster of {min_hours:g}-{max_hours:g} hour shifts covers the cooks needed"
            + (f" with at most {max_cooks} at once" if max_cooks is not None else "")
            + (f" under the rules ({', '.join(rules.in_force())})" if rules.in_force() else "")
            + (
                ": too few named cooks to cover the need with their rest between shifts; allow more cooks"
                " (--cooks-available) or hours (--max-week-hours)"
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
    hours = sum((s.intervals * grid.minutes - s.unpaid_minutes) * s.cooks for s in shifts) / 60
    found, bound = objective.Value(), math.ceil(objective.BestBound() - 1e-6)
    gap = max(0.0, (found - bound) / found) if found else 0.0
    return Roster(shifts, on_shift, grid, hours, gap <= 1e-9, gap, rules, busy_at_most=busy_at_most)


def _hold_named_cooks(
    solver: pywraplp.Solver, starting: Mapping[Key, Variable], grid: IntervalGrid, rules: ShiftRules, at_most: int
) -> None:
    """What named cooks imply for any roster (named_cooks.py): at every interval at most `at_most` cooks in a shift
    or the rest after it, and the week's paid hours within what the cooks may work."""
    assert rules.cooks_available is not None
    busy: list[dict[Key, int]] = [{} for _ in range(grid.size)]
    for key in starting:
        for interval, times in busy_coefficients(key, grid, rules).items():
            busy[interval][key] = times
    for counts in busy:
        constraint = solver.Constraint(0, at_most)
        for key, times in counts.items():
            constraint.SetCoefficient(starting[key], times)
    hours = solver.Constraint(0, rules.cooks_available * rules.max_week_hours * 60)
    taken = rules.breaks_in(grid)
    for key, variable in starting.items():
        start, length, brk = key
        paid = length * grid.minutes - rules.unpaid(brk is not None and taken > 0)
        hours.SetCoefficient(variable, paid * repeats(grid))


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
        or length * grid.minutes - rules.unpaid(brk is not None) <= rules.max_week_hours * 60
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
