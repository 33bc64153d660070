"""The direct computation reports what the SimPy kitchen reports, order by order, for fixed crews and
cook schedules: over random streams and random schedules, with crew changes in busy periods, at the
very moments units finish and orders arrive, and across both DST changes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.localtime import LocalClock
from common.schedule import CookSchedule
from common.settings import load_settings
from simulator.experiment import direct
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.streams import from_entries
from simulator.feed import read_orders
from simulator.menu import Dish, load_menu
from simulator.orders import parse_order
from simulator.run import simulate
from tests.kitchen_data import Recording, order, stream_from
from tests.parameters import write_parameters

ZONE = "America/Los_Angeles"
MENU = {"Broth": Dish("Broth", 60), "Ragu": Dish("Ragu", 300), "Slaw": Dish("Slaw", 120)}
SPRING = 1552204800  # 2019-03-10 00:00 PST: clocks skip 02:00-03:00
AUTUMN = 1572764400  # 2019-11-03 00:00 PDT: clocks pass 01:00-02:00 twice
GRID = IntervalGrid(30, False, ZONE)


def both(raw: list[dict], crew):
    """(the SimPy kitchen's recording and summary, the direct computation's timestamps and summary)"""
    entries = [parse_order(p, o, MENU) for p, o in enumerate(raw, start=1)]
    recording = Recording()
    outcome = simulate(entries, crew, None, recording, LocalClock(ZONE))
    stream = from_entries(entries, GRID)
    return recording, outcome.summary, list(direct.timestamps(stream, crew)), direct.run(stream, crew)


def assert_same(raw, crew):
    recording, simulated, stamps, computed = both(raw, crew)
    times = recording.times()
    assert stamps == [times[p] for p in sorted(times)]
    assert computed.fulfillment.counts == simulated.fulfillment.counts
    assert computed.max_queue == simulated.max_queue
    assert computed.busy_seconds == pytest.approx(simulated.busy_seconds)
    assert computed.on_shift_seconds == pytest.approx(simulated.on_shift_seconds)
    assert (computed.received, computed.discarded, computed.rejected) == (
        simulated.received,
        simulated.discarded,
        simulated.rejected,
    )


STEPS = st.lists(
    st.tuples(st.sampled_from([-60, 0, 0, 30, 60, 90, 120, 600]), st.lists(st.sampled_from(list(MENU)), max_size=4)),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(cooks=st.integers(1, 4), steps=STEPS)
def test_fixed_crews(cooks, steps):
    assert_same(stream_from(SPRING + 8 * 3600, steps), cooks)


def schedules(first_hour: int, last_hour: int):
    """Every-day schedules changing at whole minutes between two local hours (0 to 4 cooks)."""
    changes = st.dictionaries(
        st.integers(first_hour * 60, last_hour * 60 - 1), st.integers(0, 4), min_size=1, max_size=12
    )
    return changes.filter(lambda c: any(c.values())).map(
        lambda c: CookSchedule.parse({f"{m // 60:02}:{m % 60:02}": n for m, n in c.items()}, ZONE)
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule=schedules(7, 11), steps=STEPS)
def test_schedules_on_an_ordinary_morning(schedule, steps):
    assert_same(stream_from(SPRING + 86400 + 8 * 3600, steps), schedule)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule=schedules(0, 5), steps=STEPS, day=st.sampled_from([SPRING, AUTUMN]))
def test_schedules_across_dst_changes(schedule, steps, day):
    assert_same(stream_from(day + 3600 + 1800, steps), schedule)


def test_a_crew_that_falls_while_every_cook_is_busy_waits_for_the_cooks_to_leave():
    # 3 cooks until 08:02, then 1 (every day, Los Angeles); three ragus at 08:00, broths after
    schedule = CookSchedule.parse({"00:00": 3, "08:02": 1}, ZONE)
    at_eight = SPRING + 86400 + 8 * 3600 - 3600  # 2019-03-11 08:00 PDT
    raw = [
        order(at_eight, ("Ragu", 1)),
        order(at_eight, ("Ragu", 1)),
        order(at_eight, ("Ragu", 1)),
        order(at_eight + 200, ("Broth", 1)),
        order(at_eight + 310, ("Broth", 1)),
    ]
    _, _, stamps, _ = both(raw, schedule)
    assert stamps[3] == (at_eight + 200, at_eight + 300, at_eight + 360)  # one cook stays, at 300
    assert stamps[4] == (at_eight + 310, at_eight + 360, at_eight + 420)
    assert_same(raw, schedule)


def test_a_crew_change_at_the_moment_a_unit_finishes_comes_first():
    # one cook until 08:05, then none: the broth waiting since 08:01 does not start at 08:05 when the
    # ragu is done, but at 09:00 when a cook comes back
    schedule = CookSchedule.parse({"00:00": 1, "08:05": 0, "09:00": 1}, ZONE)
    at_eight = SPRING + 86400 + 8 * 3600 - 3600
    raw = [order(at_eight, ("Ragu", 1)), order(at_eight + 60, ("Broth", 1))]
    _, simulated, stamps, computed = both(raw, schedule)
    assert stamps[1] == (at_eight + 60, at_eight + 3600, at_eight + 3660)
    assert computed.max_queue == simulated.max_queue == 1
    assert_same(raw, schedule)


def test_labour_follows_the_schedule_until_the_last_order_is_done():
    schedule = CookSchedule.parse({"00:00": 2, "08:10": 5}, ZONE)
    at_eight = SPRING + 86400 + 8 * 3600 - 3600
    summary = direct.run(
        from_entries(
            [
                parse_order(1, order(at_eight, ("Ragu", 1)), MENU),
                parse_order(2, order(at_eight + 900, ("Broth", 1)), MENU),
            ],
            GRID,
        ),
        schedule,
    )
    # 2 cooks for 600 s, then 5 cooks from 08:10 until the broth is done at 08:16
    assert summary.on_shift_seconds == 2 * 600 + 5 * 360
    assert summary.busy_seconds == 360


@pytest.mark.parametrize(
    "crew",
    [110, CookSchedule.parse({"00:00": 30, "06:00": 60, "11:00": 170, "15:00": 90, "17:30": 160, "22:00": 40}, ZONE)],
)
def test_the_shipped_data(crew, tmp_path):
    settings = load_settings({"KITCHEN_PARAMETERS": str(write_parameters(tmp_path / "parameters.py"))})
    entries = list(read_orders(settings.orders_path, load_menu(settings.menu_path)))
    recording = Recording()
    simulated = simulate(entries, crew, None, recording, LocalClock(ZONE)).summary
    stream = from_entries(entries, GRID)
    times = recording.times()
    assert list(direct.timestamps(stream, crew)) == [times[p] for p in sorted(times)]
    computed = direct.run(stream, crew)
    assert computed.fulfillment.counts == simulated.fulfillment.counts
    assert (computed.max_queue, computed.on_shift_seconds) == (
        simulated.max_queue,
        pytest.approx(simulated.on_shift_seconds),
    )
