"""Named cooks: the week's shifts given to Cook 1..N within their hours and with their rest, checked by counting
the assignment again here, from its shifts' clock times, not from either solver's variables."""

from __future__ import annotations

import random

import pytest

from common.schedule import WEEKDAYS
from simulator.experiment import named_cooks
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.labour_cost import cheapest_roster, rule_costs, week_cost
from simulator.experiment.roster import RosterError, Shift, solve
from simulator.experiment.shift_rules import ShiftRules

WEEK = 7 * 24 * 60


def evening_heavy(grid: IntervalGrid, seed: int) -> list[int]:
    """A kitchen open 10:00-23:00 whose evenings are busiest and whose days differ (a need drawn per interval)."""
    rng = random.Random(seed)
    needed = []
    for interval in range(grid.size):
        hour = grid.start_minute(interval) / 60
        busy = 3 if 18 <= hour < 22 else 1 if 12 <= hour < 14 else 0
        needed.append(0 if not 10 <= hour < 23 else rng.randint(1, 3) + busy)
    return needed


def checked(roster, needed, grid: IntervalGrid, rules: ShiftRules) -> dict[int, float]:
    """Every promise of the named roster, counted again; returns each cook's paid hours."""
    days = 1 if grid.per_weekday else 7
    spans: dict[int, list[tuple[int, int]]] = {}
    hours: dict[int, float] = {}
    covered = [0] * (grid.size * days)  # by interval of the week
    shares: dict[tuple[int, int, int, int | None], int] = {}
    for given in roster.named:
        shift = given.shift
        assert grid.weekday(shift.start) in (None, given.day)
        first = given.day * grid.per_day + shift.start % grid.per_day  # its interval of the week
        start = first * grid.minutes
        spans.setdefault(given.cook, []).append((start, start + shift.intervals * grid.minutes))
        hours[given.cook] = hours.get(given.cook, 0.0) + (shift.intervals * grid.minutes - shift.unpaid_minutes) / 60
        for offset in range(shift.intervals):
            on_break = shift.break_at is not None and shift.break_at <= offset < shift.break_at + shift.break_intervals
            covered[(first + offset) % len(covered)] += not on_break
        key = (given.day, shift.start, shift.intervals, shift.break_at)
        shares[key] = shares.get(key, 0) + 1
    for shift in roster.shifts:  # every cook of every shift, every day it is worked, has one name
        for day in [grid.weekday(shift.start)] if grid.per_weekday else range(7):
            assert shares.pop((day, shift.start, shift.intervals, shift.break_at)) == shift.cooks
    assert not shares
    week_need = needed * days
    assert all(c >= n for c, n in zip(covered, week_need, strict=True))
    assert set(hours) <= set(range(1, rules.cooks_available + 1))
    assert max(hours.values()) <= rules.max_week_hours
    for cook, worked in spans.items():  # the rest between one cook's shifts, across the week's end too
        worked.sort()
        for (_, end), (start, _) in zip(worked, [*worked[1:], (worked[0][0] + WEEK, 0)], strict=True):
            assert start - end >= rules.rest_by_clock_hours * 60, (cook, worked)
    return hours


@pytest.mark.parametrize(("minutes", "per_weekday"), [(60, True), (30, True), (30, False)])
def test_named_cooks_keep_their_hours_and_rest_and_the_need_is_still_covered(minutes, per_weekday):
    grid = IntervalGrid(minutes, per_weekday, "Australia/Sydney")
    needed = evening_heavy(grid, seed=minutes)
    rules = ShiftRules(start_every=60, cooks_available=30, max_week_hours=38, min_rest_hours=11)
    roster = solve(needed, grid, 4, 8, rules=rules)
    hours = checked(roster, needed, grid, rules)
    assert sum(hours.values()) == pytest.approx(roster.cook_hours * (1 if per_weekday else 7))


def test_plenty_of_cooks_cost_nothing_and_too_few_are_refused_with_what_to_change():
    grid = IntervalGrid(60, True, "Europe/Lisbon")
    needed = evening_heavy(grid, seed=5)
    free = cheapest_roster(needed, grid, 4, 8, None, _wages(), rules=ShiftRules(start_every=60))
    plenty = ShiftRules(start_every=60, cooks_available=200)
    named = cheapest_roster(needed, grid, 4, 8, None, _wages(), rules=plenty)
    assert week_cost(named, _wages()) <= week_cost(free, _wages()) * 1.006  # the solvers' gaps apart
    with pytest.raises(RosterError, match=r"too few named cooks .* allow more cooks \(--cooks-available\) or hours"):
        solve(needed, grid, 4, 8, rules=ShiftRules(start_every=60, cooks_available=5))


def test_shifts_one_cook_cannot_rest_between_are_never_given_to_one_cook():
    """A closing shift (15:00-23:00) and the next morning's opening (07:00-15:00): 8 hours apart, under the 11 of
    rest. Two cooks work them; one cook cannot, and is told so."""
    grid = IntervalGrid(60, True, "UTC")
    shifts = [Shift(15, 8, 1), Shift(24 + 7, 8, 1)]  # Monday's close, Tuesday's open
    given = named_cooks.assign(shifts, grid, ShiftRules(cooks_available=2))
    assert sorted(a.cook for a in given) == [1, 2]
    with pytest.raises(named_cooks.AssignmentError, match="cannot be given to 1 cook working .* 11 h between shifts"):
        named_cooks.assign(shifts, grid, ShiftRules(cooks_available=1))
    assert len(named_cooks.assign(shifts, grid, ShiftRules(cooks_available=1, min_rest_hours=8))) == 2


def test_with_two_cooks_and_no_rest_between_closing_and_opening_one_always_opens_and_one_always_closes():
    """Open 07:00-23:00 every day, one cook at a time, eight-hour shifts: two cooks work every day, and a closing
    cook (15:00-23:00) has 8 hours before the opening shift, under the 9 hours of rest: so a cook who closes closes
    every day. The shifts are counted again: every limit holds."""
    grid = IntervalGrid(60, True, "America/Chicago")
    needed = [1 if 7 <= grid.start_minute(i) / 60 < 23 else 0 for i in range(grid.size)]
    rules = ShiftRules(break_minutes=0, lengths=(480,), cooks_available=2, max_week_hours=56, min_rest_hours=9)
    roster = solve(needed, grid, 8, 8, rules=rules)
    checked(roster, needed, grid, rules)
    starts = {cook: {a.shift.start % grid.per_day for a in roster.named if a.cook == cook} for cook in (1, 2)}
    assert sorted(map(sorted, starts.values())) == [[7], [15]]


def test_a_week_that_taking_shifts_in_order_cannot_give_out_is_given_out_all_the_same():
    """Monday 05:00-13:00, Tuesday 01:00-07:00 and Tuesday 05:00-13:00, two cooks of at most 14 hours: in order of
    their starts, Tuesday's early shift goes to the cook with no hours yet, and the last shift finds no cook with the
    hours left; CP-SAT gives Monday's and Tuesday's early shifts to one cook (12 hours of rest between them)."""
    grid = IntervalGrid(60, True, "UTC")
    shifts = [Shift(5, 8, 1), Shift(24 + 1, 6, 1), Shift(24 + 5, 8, 1)]
    rules = ShiftRules(break_minutes=0, cooks_available=2, max_week_hours=14)
    assert named_cooks._in_order(named_cooks._week_of(shifts, grid), rules) is None
    given = named_cooks.assign(shifts, grid, rules)
    by_cook = {cook: sorted(a.shift.start for a in given if a.cook == cook) for cook in (1, 2)}
    assert sorted(by_cook.values()) == [[5, 25], [29]]


def test_a_cheapest_roster_whose_shifts_cannot_be_given_out_gives_way_to_one_whose_can(monkeypatch):
    """One cook at all hours, five cooks of at most 34 hours: the 168 hours fit (5 x 34 = 170), but only in shifts
    that pack into 34 each; the cheapest roster's own shifts need not. Who works what is then decided in the program
    (roster._name_in_program), and the week still costs its 168 hours."""
    from simulator.experiment import roster as roster_module

    asked = []
    decide = roster_module._name_in_program
    monkeypatch.setattr(roster_module, "_name_in_program", lambda *args: asked.append(1) or decide(*args))
    grid = IntervalGrid(60, True, "Asia/Kathmandu")
    needed = [1] * grid.size
    rules = ShiftRules(break_minutes=0, cooks_available=5, max_week_hours=34)
    roster = solve(needed, grid, 4, 8, rules=rules)
    assert asked and roster.optimal and roster.cook_hours == 168
    assert sorted(checked(roster, needed, grid, rules).values())[0] >= 168 - 4 * 34


def test_the_named_cooks_rule_is_priced_like_the_others():
    grid = IntervalGrid(60, True, "UTC")
    needed = evening_heavy(grid, seed=9)
    rules = ShiftRules(break_minutes=0, start_every=60, cooks_available=40, max_week_hours=20)
    roster = cheapest_roster(needed, grid, 4, 8, None, _wages(), rules=rules)
    costs = rule_costs(needed, grid, 4, 8, None, _wages(), None, roster)
    assert "named cooks" in costs and costs["named cooks"] >= -0.006 * week_cost(roster, _wages())
    assert "40 named cooks, each at most 20 h a week with 11 h between shifts" == rules.describe("named cooks", grid)
    assert [a.day for a in roster.named] == sorted(a.day for a in roster.named)  # the week in order, by day
    assert {WEEKDAYS[a.day] for a in roster.named} == set(WEEKDAYS)


def _wages():
    from common.wages import Wages

    return Wages(18.0, "AUD")


@pytest.mark.parametrize(
    ("zone", "first", "skipped"),
    [
        ("Europe/London", "2024-03-18", 0.0),
        ("Europe/London", "2024-03-25", 1.0),  # forward on Sunday the 31st, the week's last day
        ("Europe/London", "2024-04-01", 0.0),
        ("Europe/London", "2024-10-21", 0.0),  # they go back on the 27th: more rest, not less
        ("Australia/Sydney", "2024-09-30", 1.0),  # forward on Sunday 6 October
        ("Australia/Lord_Howe", "2024-09-30", 0.5),  # half an hour
        ("Asia/Kolkata", "2024-03-25", 0.0),
    ],
)
def test_where_the_clocks_go_forward_the_rest_by_the_clock_is_longer(zone, first, skipped):
    """Shifts are wall-clock times: across the night the clocks skip an hour, 11 hours by the clock is 10 of rest."""
    from datetime import date

    day = (date.fromisoformat(first) - date(1970, 1, 1)).days
    rules = named_cooks.for_week(ShiftRules(cooks_available=5), day, zone)
    assert rules.clock_skip_hours == skipped and rules.rest_by_clock_hours == 11 + skipped
    assert named_cooks.for_week(ShiftRules(), day, zone) == ShiftRules()  # nothing to widen without named cooks
    if skipped:
        assert f"({11 + skipped:g} by the clock across its change)" in rules.describe("named cooks", GRID_OF_DAY)


GRID_OF_DAY = IntervalGrid(60, False, "UTC")
