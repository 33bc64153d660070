"""A roster: real shifts that cover the cooks needed in every interval, at the least labour cost.

An integer program, solved with OR-Tools CP-SAT: how many cooks start a shift of each allowed length at
each interval of the day (or of the week, per weekday). Shifts start on the interval grid and last from
`min_hours` to `max_hours`; a shift may run past midnight into the next day (the day, or the week,
repeats). Every interval must have at least the cooks it needs on shift and, optionally, at most
`max_cooks`. The objective is the labour cost of one day (or week): each interval a shift covers at its pay
(the wage's multiple there: premiums for nights or weekends, labour_cost.py), plus a cost per shift; with
neither, the paid cook-hours, exactly as they were before costs. The linear relaxation (GLOP) gives CP-SAT its
first guess and a lower bound: it stops at a roster that reaches the bound, which is then optimal.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from simulator.experiment.grid import IntervalGrid

if TYPE_CHECKING:
    from ortools.sat.python.cp_model import CpSolverSolutionCallback

Variable = TypeVar("Variable")
"""A solver's variable: CP-SAT's, or the linear relaxation's."""

COST_SCALE = 100
"""Costs are whole numbers for CP-SAT: an interval at the plain wage costs this much (a hundredth's precision)."""
SOLVER_SECONDS = 20.0
"""Time the solver gets: the answer is optimal when it says so, else the best found in that time."""


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


@dataclass(frozen=True)
class Roster:
    shifts: list[Shift]
    on_shift: list[int]
    """Cooks on shift in each interval of the grid."""
    cook_hours: float
    """Paid cook-hours per cycle (a day, or a week per weekday)."""
    optimal: bool
    gap: float = 0.0
    """How far above the solver's proof of the least hours this roster may be, as a share (0 when optimal)."""

    def status(self) -> str:
        return (
            "optimal" if self.optimal else f"within {self.gap:.1%} of optimal (the best found in {SOLVER_SECONDS:g} s)"
        )


def solve(
    needed: Sequence[int],
    grid: IntervalGrid,
    min_hours: float,
    max_hours: float,
    max_cooks: int | None = None,
    pay: Sequence[float] | None = None,
    shift_cost: float = 0.0,
) -> Roster:
    """The cheapest roster: `pay`, each interval's multiple of the wage (None: all 1); `shift_cost`, what a shift
    costs beyond its hours, in intervals at the plain wage."""
    from ortools.sat.python import cp_model  # an optional extra: only the plan needs it

    size = len(needed)
    shortest, longest = round(min_hours * 60 / grid.minutes), round(max_hours * 60 / grid.minutes)
    if not 1 <= shortest <= longest or longest > size:
        raise RosterError(
            f"shifts of {min_hours:g} to {max_hours:g} hours do not fit a grid of {grid.minutes}-minute"
            " intervals and a day (use 0 < --min-shift <= --max-shift <= 24)"
        )
    if max_cooks is not None and max(needed) > max_cooks:
        worst = max(range(size), key=lambda i: needed[i])
        raise RosterError(f"--max-cooks {max_cooks} is below the {needed[worst]} cooks needed at {grid.label(worst)}")
    top = max(needed)
    model = cp_model.CpModel()
    starting = {
        (start, length): model.new_int_var(0, top, f"x{start}_{length}")
        for start in range(size)
        for length in range(shortest, longest + 1)
    }
    covering = _covering(starting, size)
    for interval in range(size):
        model.add(sum(covering[interval]) >= needed[interval])
        if max_cooks is not None:
            model.add(sum(covering[interval]) <= max_cooks)
    cost = _costs(list(starting), size, pay, shift_cost)
    model.minimize(sum(cost[key] * variable for key, variable in starting.items()))
    least, relaxed = relaxation(needed, shortest, longest, max_cooks, cost)
    for key, value in relaxed.items():  # the relaxation's roster, rounded up, as a first guess: usually the answer
        model.add_hint(starting[key], min(top, math.ceil(value - 1e-6)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = SOLVER_SECONDS
    solver.parameters.num_workers = 2
    status = solver.solve(model, stop_at(least))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RosterError(
            f"no roster of {min_hours:g}-{max_hours:g} hour shifts covers the cooks needed"
            + (f" with at most {max_cooks} at once" if max_cooks is not None else "")
        )
    shifts = [
        Shift(start, length, solver.value(variable))
        for (start, length), variable in starting.items()
        if solver.value(variable)
    ]
    on_shift = [0] * size
    for shift in shifts:
        for offset in range(shift.intervals):
            on_shift[(shift.start + offset) % size] += shift.cooks
    hours = sum(s.intervals * s.cooks for s in shifts) * grid.minutes / 60
    objective = solver.objective_value
    bound = max(solver.best_objective_bound, least)
    gap = (objective - bound) / objective if objective else 0.0
    return Roster(shifts, on_shift, hours, status == cp_model.OPTIMAL or objective <= bound, max(0.0, gap))


def _costs(
    shifts: list[tuple[int, int]], size: int, pay: Sequence[float] | None, shift_cost: float
) -> dict[tuple[int, int], int]:
    """Each (start, length)'s cost as the objective counts it: its length when every interval pays the same and
    a shift costs nothing more (the paid hours, as ever), else its intervals' pay plus the shift's cost, scaled to
    whole numbers (COST_SCALE)."""
    if (pay is None or len(set(pay)) <= 1) and not shift_cost:
        return {(start, length): length for start, length in shifts}
    paid = pay or [1.0] * size
    return {
        (start, length): round(COST_SCALE * (sum(paid[(start + k) % size] for k in range(length)) + shift_cost))
        for start, length in shifts
    }


def relaxation(
    needed: Sequence[int],
    shortest: int,
    longest: int,
    max_cooks: int | None,
    cost: dict[tuple[int, int], int] | None = None,
) -> tuple[float, dict[tuple[int, int], float]]:
    """The linear relaxation (GLOP): its least cost (`cost`, else paid intervals), rounded up (no roster pays
    less), and its shifts.
    Covering consecutive intervals makes this relaxation all but exact, so a roster that reaches the bound is
    optimal: CP-SAT starts from its shifts and stops there instead of spending its time proving it."""
    from ortools.linear_solver import pywraplp

    size = len(needed)
    lp = pywraplp.Solver.CreateSolver("GLOP")
    starting = {
        (start, length): lp.NumVar(0, lp.infinity(), "")
        for start in range(size)
        for length in range(shortest, longest + 1)
    }
    for interval, covering in enumerate(_covering(starting, size)):  # coefficients set one by one: quicker to build
        constraint = lp.Constraint(needed[interval], lp.infinity() if max_cooks is None else max_cooks)
        for variable in covering:
            constraint.SetCoefficient(variable, 1)
    objective = lp.Objective()
    for (start, length), variable in starting.items():
        objective.SetCoefficient(variable, length if cost is None else cost[(start, length)])
    objective.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return 0.0, {}
    return math.ceil(objective.Value() - 1e-6), {key: v.solution_value() for key, v in starting.items()}


def _covering(starting: Mapping[tuple[int, int], Variable], size: int) -> list[list[Variable]]:
    """For each interval, the variables of the shifts (start, length) on duty in it, across the wrap."""
    covering: list[list[Variable]] = [[] for _ in range(size)]
    for (start, length), variable in starting.items():
        for offset in range(length):
            covering[(start + offset) % size].append(variable)
    return covering


def stop_at(bound: float) -> CpSolverSolutionCallback:
    """A callback that stops CP-SAT at the first roster that pays no more than a known lower bound: it is optimal.
    (Its class is made here, since OR-Tools, an optional extra, is imported only when a roster is solved.)"""
    from ortools.sat.python import cp_model

    class StopAt(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if self.objective_value <= bound:
                self.stop_search()

    return StopAt()
