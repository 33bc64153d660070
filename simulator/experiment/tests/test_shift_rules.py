"""The roster under an employer's rules, each checked by an independent count of who is on shift from the shifts
themselves (not the solver's variables): breaks inside their window with the requirement still covered, starts on
the times allowed, no more starting at once than allowed, nobody while closed but the paid time to open and close,
and what each rule costs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.wages import parse_wages
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.labour_cost import EVERY_RULE, cheapest_roster, rule_costs, week_cost
from simulator.experiment.roster import Roster, RosterError
from simulator.experiment.shift_rules import NO_RULES, ShiftRules

GRID = IntervalGrid(30, False, "Pacific/Auckland")
WAGES = parse_wages(25.0, "NZD", 0, None)


def on_shift(roster: Roster, size: int) -> list[int]:
    """Cooks at work in each interval, counted from the shifts: a shift's intervals but its break's."""
    counted = [0] * size
    for shift in roster.shifts:
        for k in range(shift.intervals):
            resting = shift.break_at is not None and shift.break_at <= k < shift.break_at + shift.break_intervals
            if not resting:
                counted[(shift.start + k) % size] += shift.cooks
    return counted


NEEDS = st.lists(st.integers(0, 4), min_size=48, max_size=48).filter(any)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(needed=NEEDS, minutes=st.sampled_from([30, 60]), after=st.sampled_from([5.0, 6.0]))
def test_breaks_sit_in_their_window_and_the_crew_still_covers_every_interval(needed, minutes, after):
    rules = ShiftRules(break_minutes=minutes, break_after_hours=after, break_margin_hours=1.5)
    roster = cheapest_roster(needed, GRID, 4, 8, None, WAGES, rules=rules)
    counted = on_shift(roster, GRID.size)
    assert counted == roster.on_shift
    assert all(c >= n for c, n in zip(counted, needed, strict=True))
    for shift in roster.shifts:
        if shift.intervals * 30 > after * 60:
            assert shift.break_at is not None and 3 <= shift.break_at <= shift.intervals - 3 - shift.break_intervals
            assert shift.unpaid_minutes == minutes
        else:
            assert shift.break_at is None
    paid = sum((s.intervals * 30 - s.unpaid_minutes) * s.cooks for s in roster.shifts) / 60
    assert roster.cook_hours == paid
    assert week_cost(roster, WAGES) == pytest.approx(7 * paid * 25.0)  # every day of the week, at the wage


def test_starts_only_when_allowed_and_no_more_at_once_than_allowed():
    needed = [0] * 14 + [3] * 10 + [6] * 8 + [2] * 10 + [0] * 6
    hourly = cheapest_roster(needed, GRID, 4, 8, None, WAGES, rules=ShiftRules(start_every=60, max_starting=2))
    assert all(GRID.start_minute(s.start) % 60 == 0 for s in hourly.shifts)
    starting: dict[int, int] = {}
    for shift in hourly.shifts:
        starting[shift.start] = starting.get(shift.start, 0) + shift.cooks
    assert max(starting.values()) <= 2
    assert all(c >= n for c, n in zip(on_shift(hourly, 48), needed, strict=True))
    listed = cheapest_roster(needed, GRID, 4, 8, None, WAGES, rules=ShiftRules(start_times=(6 * 60, 11 * 60, 16 * 60)))
    assert {GRID.start_minute(s.start) for s in listed.shifts} <= {360, 660, 960}
    with pytest.raises(RosterError, match="no shift allowed by the rules covers"):
        cheapest_roster([0] * 47 + [1], GRID, 4, 4, None, WAGES, rules=ShiftRules(start_times=(6 * 60,)))


def test_nobody_works_while_closed_but_to_open_and_close_and_the_least_crew_holds_while_open():
    rules = ShiftRules(break_minutes=0, opening=(11 * 60, 22 * 60), min_crew=2, prep_minutes=60, clean_minutes=30)
    needed = [0] * 24 + [5] * 8 + [0] * 16  # a peak from 12:00 to 16:00
    roster = cheapest_roster(needed, GRID, 4, 8, None, WAGES, rules=rules)
    counted = on_shift(roster, 48)
    for interval, count in enumerate(counted):
        minute = GRID.start_minute(interval)
        if 10 * 60 <= minute < 11 * 60 or 22 * 60 <= minute < 22 * 60 + 30:
            assert count >= 2, minute  # the least crew opens and closes, paid
        elif 11 * 60 <= minute < 22 * 60:
            assert count >= max(2, needed[interval]), minute
        else:
            assert count == 0, minute  # closed
    with pytest.raises(RosterError, match="needed at 23:00, when the kitchen is closed"):
        cheapest_roster([0] * 46 + [1, 0], GRID, 4, 8, None, WAGES, rules=rules)


def test_what_each_rule_costs_is_the_roster_solved_again_without_it():
    needed = [1] * 12 + [2] * 12 + [5] * 6 + [3] * 12 + [1] * 6
    rules = ShiftRules(start_every=120, max_starting=3)
    roster = cheapest_roster(needed, GRID, 4, 8, None, WAGES, rules=rules)
    costs = rule_costs(needed, GRID, 4, 8, None, WAGES, None, roster)
    assert set(costs) == {"breaks", "start times", "starts at once", EVERY_RULE}
    free = cheapest_roster(needed, GRID, 4, 8, None, WAGES, rules=NO_RULES)
    assert costs[EVERY_RULE] == pytest.approx(week_cost(roster, WAGES) - week_cost(free, WAGES))
    assert costs["start times"] >= 0  # starts every two hours cannot be cheaper than starts at any half hour
    paid_breaks = ShiftRules(break_paid=True)
    paid = cheapest_roster(needed, GRID, 4, 8, None, WAGES, rules=paid_breaks)
    assert rule_costs(needed, GRID, 4, 8, None, WAGES, None, paid)["breaks"] >= 0  # a paid break costs, or is free


def test_opening_hours_are_priced_with_the_least_crew_still_only_while_open():
    """Without the opening hours' rule shifts may be worked while closed; the least crew still holds only while
    open, so taking the rule away cannot make the roster dearer (it used to make the least crew hold all day)."""
    rules = ShiftRules(break_minutes=0, opening=(11 * 60, 22 * 60), min_crew=2)
    needed = [0] * 22 + [2] * 22 + [0] * 4
    roster = cheapest_roster(needed, GRID, 4, 8, None, WAGES, rules=rules)
    costs = rule_costs(needed, GRID, 4, 8, None, WAGES, None, roster)
    assert costs["opening hours"] >= -0.005 * week_cost(roster, WAGES)  # within the solver's gap, or more
    assert costs["least crew"] >= -0.005 * week_cost(roster, WAGES)
    assert rules.without("opening hours").in_force() == ["least crew"]


def test_only_the_shift_lengths_allowed_and_what_they_cost():
    needed = [0] * 16 + [2] * 5 + [4] * 6 + [1] * 9 + [0] * 12  # 08:00 to 18:00, a peak at lunch
    rules = ShiftRules(break_minutes=0, lengths=(4 * 60, 8 * 60))
    roster = cheapest_roster(needed, GRID, 4, 8, None, WAGES, rules=rules)
    assert {s.intervals * 30 for s in roster.shifts} <= {240, 480}
    assert all(c >= n for c, n in zip(on_shift(roster, 48), needed, strict=True))
    costs = rule_costs(needed, GRID, 4, 8, None, WAGES, None, roster)
    assert costs["shift lengths"] >= -0.005 * week_cost(roster, WAGES)  # no cheaper for fewer lengths
    assert rules.describe("shift lengths", GRID) == "shifts of 4 or 8 h"


HOURLY = IntervalGrid(60, True, "America/Chicago")
DAY_BY_HOUR = IntervalGrid(60, False, "America/Chicago")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(needed=st.lists(st.integers(0, 3), min_size=24, max_size=24).filter(any), step=st.sampled_from([15, 30]))
def test_on_a_finer_step_every_part_of_an_hour_keeps_its_cooks_and_a_break_takes_only_its_own_minutes(needed, step):
    """Needs by the hour, shifts and breaks on quarter or half hours: counted again from the shifts on the fine
    grid, every part of each hour has the hour's cooks; a 30-minute break takes 30 minutes from the crew."""
    rules = ShiftRules(break_minutes=30, break_after_hours=6, start_every=step, step_minutes=step)
    roster = cheapest_roster(needed, DAY_BY_HOUR, 4, 8, None, WAGES, rules=rules)
    assert roster.grid.minutes == step and roster.grid.zone == DAY_BY_HOUR.zone
    per = 60 // step
    counted = on_shift(roster, 24 * per)
    assert counted == roster.on_shift
    assert all(counted[i] >= needed[i // per] for i in range(len(counted)))
    assert roster.on_grid(DAY_BY_HOUR) == [min(counted[i * per : (i + 1) * per]) for i in range(24)]
    assert all(s.break_intervals * step == 30 for s in roster.shifts if s.break_at is not None)
    paid = sum((s.intervals * step - s.unpaid_minutes) * s.cooks for s in roster.shifts) / 60
    assert roster.cook_hours == pytest.approx(paid)
    assert week_cost(roster, WAGES) == pytest.approx(7 * paid * 25.0)  # every day, the paid hours at the wage


def test_a_finer_step_lets_a_shift_last_what_the_need_asks():
    """Four hours of need and shifts of at least four and a half: by the hour a shift lasts 5 hours (the plan refuses
    4.5 on an hourly grid); on half hours, 4.5, starting half an hour early or ending half an hour late."""
    needed = [1 if 11 <= i % 24 < 15 else 0 for i in range(HOURLY.size)]
    hourly = cheapest_roster(needed, HOURLY, 5, 5, None, WAGES, rules=NO_RULES)
    halves = cheapest_roster(needed, HOURLY, 4.5, 5, None, WAGES, rules=ShiftRules(break_minutes=0, step_minutes=30))
    assert hourly.cook_hours == 7 * 5 and halves.cook_hours == 7 * 4.5
    assert week_cost(halves, WAGES) == pytest.approx(7 * 4.5 * 25.0)
    assert {s.start % 48 for s in halves.shifts} <= {21, 22}  # 10:30 or 11:00
    schedule = halves.schedule().describe()
    assert set(schedule["Wed"]) & {"10:30", "15:30"}  # the crew changes on the half hour


def test_opening_on_a_quarter_hour_of_a_half_hourly_plan_leaves_the_closed_quarter_unstaffed():
    """Open 10:15-22:45, two cooks needed in every half hour from 10:00 to 23:00: on quarter hours the crew comes at
    10:15 and leaves at 22:45 (the orders of the half hour 10:00 came while open), and each half hour counts the
    cooks of its open part."""
    grid = IntervalGrid(30, False, "Europe/Lisbon")
    needed = [2 if 20 <= i < 46 else 0 for i in range(48)]
    rules = ShiftRules(break_minutes=0, opening=(10 * 60 + 15, 22 * 60 + 45), step_minutes=15)
    roster = cheapest_roster(needed, grid, 4, 8, None, WAGES, rules=rules)
    counted = on_shift(roster, 96)
    assert counted[40] == 0 and counted[41] == 2 and counted[90] == 2 and counted[91] == 0  # 10:00, 10:15; 22:30, 22:45
    assert roster.cook_hours == 2 * 12.5
    assert roster.on_grid(grid)[20] == 2 and roster.on_grid(grid)[45] == 2
