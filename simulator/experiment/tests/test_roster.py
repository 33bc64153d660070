"""Shifts that cover the cooks needed, at the least cost (an integer program, solved by SCIP through OR-Tools)."""

from __future__ import annotations

import pytest

from simulator.experiment.grid import IntervalGrid
from simulator.experiment.roster import RosterError, solve

GRID = IntervalGrid(60, False, "UTC")


def test_a_block_of_need_is_covered_by_shifts_of_allowed_lengths():
    needed = [0] * 24
    for hour in range(10, 16):
        needed[hour] = 3  # three cooks from 10:00 to 16:00: one 6-hour shift of three cooks
    roster = solve(needed, GRID, 4, 8)
    assert roster.optimal and roster.cook_hours == 18
    assert roster.on_shift == needed
    assert all(4 <= s.intervals <= 8 for s in roster.shifts)


def test_a_short_need_still_pays_a_minimum_shift_and_shifts_run_past_midnight():
    needed = [0] * 24
    needed[23] = needed[0] = 2  # 23:00-01:00: two hours, but shifts last at least four
    roster = solve(needed, GRID, 4, 8)
    assert roster.cook_hours == 8
    assert all(covered >= need for covered, need in zip(roster.on_shift, needed, strict=True))
    assert sum(roster.on_shift) == 8


def test_a_peak_taller_than_the_limit_is_refused_with_the_interval_named():
    needed = [1] * 24
    needed[12] = 9
    with pytest.raises(RosterError, match="--max-cooks 5 is below the 9 cooks needed at 12:00"):
        solve(needed, GRID, 4, 8, max_cooks=5)


def test_the_cap_on_cooks_at_once_holds():
    needed = [2] * 24
    roster = solve(needed, GRID, 4, 8, max_cooks=2)
    assert max(roster.on_shift) == 2 and roster.cook_hours == 48


def test_shift_lengths_that_do_not_fit_the_grid_are_refused():
    with pytest.raises(RosterError, match="do not fit"):
        solve([1] * 24, GRID, 0.25, 0.5)


def test_the_roster_is_the_cheapest_by_its_pay_not_only_its_hours():
    """Two hours of need after midnight and shifts of at least four: by the hours every four-hour shift that covers
    them is as good; with the small hours paid double, the one that starts at 22:00 costs the least; a cost per
    shift makes one long shift cheaper than two short ones."""
    from common.wages import parse_wages
    from simulator.experiment.labour_cost import cheapest_roster, week_cost

    needed = [1 if hour < 2 else 0 for hour in range(24)]
    doubled = parse_wages(10.0, "EUR", 0, [{"from": "00:00", "to": "06:00", "times": 2}])
    roster = cheapest_roster(needed, GRID, 4, 8, None, doubled)
    assert [(s.start, s.intervals, s.cooks) for s in roster.shifts] == [(22, 4, 1)]
    assert week_cost(roster, doubled) == pytest.approx(7 * (2 * 10 + 2 * 20))  # every day of the week
    apart = [1 if hour in (8, 9, 14, 15) else 0 for hour in range(24)]  # two short needs, six hours apart
    hours = cheapest_roster(apart, GRID, 2, 8, None, parse_wages(10.0, "EUR", 0, None))
    assert sum(s.cooks for s in hours.shifts) == 2 and hours.cook_hours == 4  # the fewest hours: two shifts
    per_shift = parse_wages(10.0, "EUR", 50, None)
    one = cheapest_roster(apart, GRID, 2, 8, None, per_shift)
    assert [(s.start, s.intervals) for s in one.shifts] == [(8, 8)]  # 80 + 50 < 2 x (20 + 50)
    assert week_cost(one, per_shift) == pytest.approx(7 * 130)
