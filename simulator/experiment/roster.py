"""A roster: real shifts that cover the cooks needed in every interval, at the fewest paid cook-hours.

An integer program, solved with OR-Tools CP-SAT: how many cooks start a shift of each allowed length at
each interval of the day (or of the week, per weekday). Shifts start on the interval grid and last from
`min_hours` to `max_hours`; a shift may run past midnight into the next day (the day, or the week,
repeats). Every interval must have at least the cooks it needs on shift and, optionally, at most
`max_cooks`. The objective is the paid cook-hours of one day (or week).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from simulator.experiment.grid import IntervalGrid

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


def solve(needed: Sequence[int], grid: IntervalGrid, min_hours: float, max_hours: float,
          max_cooks: int | None = None) -> Roster:
    from ortools.sat.python import cp_model  # an optional extra: only the plan needs it

    size = len(needed)
    shortest, longest = round(min_hours * 60 / grid.minutes), round(max_hours * 60 / grid.minutes)
    if not 1 <= shortest <= longest or longest > size:
        raise RosterError(f"shifts of {min_hours:g} to {max_hours:g} hours do not fit a grid of {grid.minutes}-minute"
                          " intervals and a day (use 0 < --min-shift <= --max-shift <= 24)")
    if max_cooks is not None and max(needed) > max_cooks:
        worst = max(range(size), key=lambda i: needed[i])
        raise RosterError(f"--max-cooks {max_cooks} is below the {needed[worst]} cooks needed at {grid.label(worst)}")
    top = max(needed)
    model = cp_model.CpModel()
    starting = {(start, length): model.new_int_var(0, top, f"x{start}_{length}")
                for start in range(size) for length in range(shortest, longest + 1)}
    covering: list[list] = [[] for _ in range(size)]
    for (start, length), variable in starting.items():
        for offset in range(length):
            covering[(start + offset) % size].append(variable)
    for interval in range(size):
        model.add(sum(covering[interval]) >= needed[interval])
        if max_cooks is not None:
            model.add(sum(covering[interval]) <= max_cooks)
    model.minimize(sum(length * variable for (_, length), variable in starting.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = SOLVER_SECONDS
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RosterError(f"no roster of {min_hours:g}-{max_hours:g} hour shifts covers the cooks needed"
                          + (f" with at most {max_cooks} at once" if max_cooks is not None else ""))
    shifts = [Shift(start, length, solver.value(variable)) for (start, length), variable in starting.items()
              if solver.value(variable)]
    on_shift = [0] * size
    for shift in shifts:
        for offset in range(shift.intervals):
            on_shift[(shift.start + offset) % size] += shift.cooks
    hours = sum(s.intervals * s.cooks for s in shifts) * grid.minutes / 60
    return Roster(shifts, on_shift, hours, status == cp_model.OPTIMAL)
