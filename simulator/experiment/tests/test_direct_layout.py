"""The direct model of a laid-out kitchen gives every order the timestamps the SimPy kitchen gives it, over random
layouts (stations worked by roles that share them, equipment, routes of several steps, packing, times that vary),
random streams and random crews and schedules, across a change of the clocks."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.experiment import direct_layout, station_loop, unit_starts
from simulator.experiment.direct_layout import drawn, timestamps
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.streams import from_entries
from simulator.menu import Dish
from simulator.orders import parse_order
from simulator.stations.layout import LaidOut, parse_layout
from simulator.stations.tests.test_kitchen import CHANGES, STEPS, T0, ZONE, run
from tests.kitchen_data import stream_from

MENU = {
    "Pizza": Dish("Pizza", 400),
    "Soup": Dish("Soup", 60),
    "Burger": Dish("Burger", 100),
    "Fries": Dish("Fries", 50),
}
GRID = IntervalGrid(30, False, ZONE)
TIMES = st.one_of(
    st.integers(1, 300),
    st.sampled_from(["0:30", "2:00"]),
    st.builds(lambda m, extra: {"median": m, "p90": m + extra}, st.integers(10, 200), st.integers(1, 200)),
    st.lists(st.integers(1, 300), min_size=1, max_size=4).map(lambda s: {"samples": s}),
)


@st.composite
def layouts(draw) -> dict:
    worked = [f"station {i}" for i in range(draw(st.integers(1, 3)))]
    equipment = [f"oven {i}" for i in range(draw(st.integers(0, 2)))]
    stations = {name: {} for name in worked} | {name: {"slots": draw(st.integers(1, 3))} for name in equipment}
    roles = {}
    for r in range(draw(st.integers(1, 3))):
        works = draw(st.lists(st.sampled_from(worked), min_size=1, max_size=len(worked), unique=True))
        crew = draw(st.one_of(st.integers(1, 3).map(lambda n: {"cooks": n}), CHANGES.map(lambda c: {"schedule": c})))
        roles[f"role {r}"] = {"stations": works} | crew
    for name in worked:  # every station worked by some role
        if not any(name in role["stations"] for role in roles.values()):
            roles["role 0"]["stations"].append(name)
    for name in equipment:  # some equipment loaded by a cook
        if draw(st.booleans()):
            loaders = draw(st.lists(st.sampled_from(list(roles)), min_size=1, max_size=2, unique=True))
            stations[name] |= {"load": draw(TIMES), "load_by": loaders}
    routes = [
        {
            "dishes": dish,
            "steps": [
                {"station": draw(st.sampled_from(worked + equipment))}
                | ({} if draw(st.booleans()) else {"time": draw(TIMES)})
                for _ in range(draw(st.integers(1, 3)))
            ],
        }
        for dish in draw(st.lists(st.sampled_from(list(MENU)), unique=True))
    ]
    layout = {"stations": stations, "roles": roles, "routes": routes, "default_station": draw(st.sampled_from(worked))}
    if draw(st.booleans()):
        per_order, per_unit = draw(st.integers(0, 60)), draw(st.integers(0, 20))
        layout["packing"] = {
            "station": draw(st.sampled_from(worked)),
            "per_order": per_order,
            "per_unit": per_unit or 1,
        }
    return layout


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    written=layouts(),
    steps=STEPS,
    seed=st.integers(0, 3),
    hour=st.sampled_from([0, 8]),
    scale=st.sampled_from([1.0, 1.0, 0.3, 1.7]),
)
def test_the_direct_model_gives_the_simpy_kitchens_timestamps(written, steps, seed, hour, scale):
    layout = parse_layout(written, ZONE).scaled(scale)  # times as written, or all shorter or longer
    raw = stream_from(T0 + hour * 3600, steps)
    recording, summary = run(raw, LaidOut(layout, seed))
    entries = [parse_order(position, o, MENU) for position, o in enumerate(raw, start=1)]
    orders = drawn(from_entries(entries, GRID), layout, seed)
    computed = timestamps(orders, layout, int(orders.received[0])) if len(orders.received) else []
    simulated = recording.times()
    assert computed == [simulated[p] for p in sorted(simulated)]
    if not computed:
        return
    reported = direct_layout.run(from_entries(entries, GRID), layout, seed)  # what a trial reports
    assert reported.fulfillment.counts == summary.fulfillment.counts
    assert (reported.received, reported.discarded, reported.max_queue) == (
        summary.received,
        summary.discarded,
        summary.max_queue,
    )
    assert reported.busy_seconds == pytest.approx(summary.busy_seconds)
    assert reported.on_shift_seconds == pytest.approx(summary.on_shift_seconds)


@pytest.mark.skipif(not unit_starts.COMPILED, reason="Numba is not installed: nothing is compiled")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(written=layouts(), steps=STEPS, seed=st.integers(0, 3))
def test_the_loop_interpreted_as_written_gives_what_it_gives_compiled(written, steps, seed):
    """A machine without the [plan] extra runs the same loop as Python: the same timestamps, only slower."""
    layout = parse_layout(written, ZONE)
    entries = [parse_order(position, o, MENU) for position, o in enumerate(stream_from(T0, steps), start=1)]
    orders = drawn(from_entries(entries, GRID), layout, seed)
    if not len(orders.received):
        return
    compiled = timestamps(orders, layout, int(orders.received[0]))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(direct_layout, "COMPILED", False)
        patch.setattr(direct_layout, "station_times", station_loop.station_times.py_func)
        for helper in ("_before", "_wait", "_seconds"):
            patch.setattr(station_loop, helper, getattr(station_loop, helper).py_func)
        assert timestamps(orders, layout, int(orders.received[0])) == compiled


def test_work_that_waits_days_for_a_crew_is_followed_past_the_first_days_of_changes():
    # one cook from 00:00 to 00:01 each day, who finishes the pizza at hand: four pizzas take four days
    written = {
        "stations": {"line": {}},
        "roles": {"cook": {"stations": ["line"], "schedule": {"00:00": 1, "00:01": 0}}},
        "routes": [],
    }
    layout = parse_layout(written, ZONE)
    raw = stream_from(T0 - 30, [(0, ["Pizza"] * 4)])
    recording, _ = run(raw, LaidOut(layout))
    orders = drawn(from_entries([parse_order(1, raw[0], MENU)], GRID), layout, 0)
    [(received, started, completed)] = timestamps(orders, layout, int(orders.received[0]))
    assert completed - started == 3 * 86400 + 400
    assert [(received, started, completed)] == list(recording.times().values())
