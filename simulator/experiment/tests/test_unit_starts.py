"""The trial's loop compiled by Numba and interpreted as written give the same starts (so a machine without the
[plan] extra plans the same roster, only slower), and a unit that waits days for a cook is placed all the same."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.schedule import CookSchedule
from simulator.experiment import direct, unit_starts
from simulator.experiment.streams import from_entries
from simulator.experiment.tests.test_direct import GRID, MENU, SPRING, ZONE, assert_same, both, stream_from
from simulator.orders import parse_order
from tests.kitchen_data import order

compiled = pytest.mark.skipif(not unit_starts.COMPILED, reason="Numba is not installed: nothing is compiled")

UNITS = st.lists(st.tuples(st.integers(0, 900), st.integers(1, 1200)), min_size=1, max_size=300)
"""(seconds after the unit before, cook time) of each unit."""


def inputs(units: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    gaps, cook_times = zip(*units, strict=True)
    return 1_600_000_000 + np.cumsum(gaps, dtype=np.int64), np.array(cook_times, dtype=np.int64)


def both_ways(loop, *arguments) -> tuple[tuple[int, list[int]], tuple[int, list[int]]]:
    """(units placed, starts) from the compiled loop on arrays and from its Python on lists."""
    count = len(arguments[0])
    compiled_starts = np.zeros(count, dtype=np.int64)
    interpreted_starts = [0] * count
    listed = [a.tolist() if isinstance(a, np.ndarray) else a for a in arguments]
    return (
        (loop(*arguments, compiled_starts), compiled_starts.tolist()),
        (loop.py_func(*listed, interpreted_starts), interpreted_starts),
    )


@compiled
@settings(max_examples=200, deadline=None)
@given(units=UNITS, cooks=st.integers(1, 6))
def test_a_fixed_crew_compiled_and_interpreted(units, cooks):
    arrivals, cook_times = inputs(units)
    made, interpreted = both_ways(unit_starts.fixed_crew_starts, arrivals, cook_times, cooks)
    assert made == interpreted
    assert made[0] == len(units)


@compiled
@settings(max_examples=200, deadline=None)
@given(
    units=UNITS,
    first_crew=st.integers(0, 4),
    changes=st.lists(st.tuples(st.integers(1, 3600), st.integers(0, 4)), min_size=1, max_size=30),
)
def test_a_schedule_compiled_and_interpreted(units, first_crew, changes):
    arrivals, cook_times = inputs(units)
    start = int(arrivals[0])
    moments = start + np.cumsum([gap for gap, _ in changes], dtype=np.int64)
    crews = np.array([crew for _, crew in changes], dtype=np.int64)
    made, interpreted = both_ways(unit_starts.scheduled_starts, arrivals, cook_times, start, first_crew, moments, crews)
    assert made == interpreted  # the same starts, and as many units placed before the changes given ran out
    placed, starts = made
    assert starts[:placed] == sorted(starts[:placed])  # units start in order
    assert all(s >= a for s, a in zip(starts[:placed], arrivals.tolist(), strict=False))


def test_units_that_wait_days_for_a_cook_are_placed_as_the_kitchen_places_them():
    # cooks only on Monday mornings: the orders of a Monday evening wait six days, past the two days of changes
    # a trial reads first
    schedule = CookSchedule.parse({"Mon": {"00:00": 0, "09:00": 2, "10:00": 0}, "default": {"00:00": 0}}, ZONE)
    monday_evening = SPRING + 86400 + 19 * 3600  # 2019-03-11 20:00 PDT, a Monday
    assert_same(stream_from(monday_evening, [(0, ["Ragu"]), (60, ["Broth", "Slaw"]), (600, ["Ragu"])]), schedule)


@compiled
def test_without_numba_a_trial_gives_the_same_timestamps(monkeypatch):
    raw = stream_from(
        SPRING + 86400 + 8 * 3600, [(40 * (i % 4), ["Ragu", "Broth", "Slaw"][: 1 + i % 3]) for i in range(300)]
    )
    crews = [2, CookSchedule.parse({"00:00": 1, "09:00": 3, "10:30": 2}, ZONE)]
    made = [both(raw, crew)[2] for crew in crews]
    monkeypatch.setattr(direct, "COMPILED", False)
    monkeypatch.setattr(direct, "fixed_crew_starts", unit_starts.fixed_crew_starts.py_func)
    monkeypatch.setattr(direct, "scheduled_starts", unit_starts.scheduled_starts.py_func)
    assert [both(raw, crew)[2] for crew in crews] == made


def test_a_fixed_crew_without_a_cook_is_refused():
    stream = from_entries([parse_order(1, order(SPRING, ("Ragu", 1)), MENU)], GRID)
    with pytest.raises(ValueError, match="a cook at least, got 0"):
        direct.run(stream, 0)
