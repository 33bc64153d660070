"""The laid-out kitchen: without a layout's stations it is exactly the kitchen of simulator/kitchen.py, timestamp
for timestamp over random streams, crews and schedules; with them, it follows the layout's rule (worked out by
hand here; the direct model of a layout is held to it over random layouts in simulator/experiment/tests)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.localtime import LocalClock
from common.schedule import CookSchedule
from simulator.menu import Dish
from simulator.orders import parse_order
from simulator.run import simulate
from simulator.stations.layout import LaidOut, Layout, parse_layout
from tests.kitchen_data import Recording, order, stream_from

ZONE = "Europe/Lisbon"
MENU = {
    "Pizza": Dish("Pizza", 400),
    "Soup": Dish("Soup", 60),
    "Burger": Dish("Burger", 100),
    "Fries": Dish("Fries", 50),
}
T0 = 1_711_846_800  # 2024-03-31 01:00 UTC, the night Lisbon's clocks skip 01:00-02:00


def run(raw: list[dict], crew):
    entries = [parse_order(position, o, MENU) for position, o in enumerate(raw, start=1)]
    recording = Recording()
    outcome = simulate(entries, crew, None, recording, LocalClock(ZONE))
    return recording, outcome.summary


STEPS = st.lists(
    st.tuples(st.sampled_from([-30, 0, 0, 20, 60, 90, 400]), st.lists(st.sampled_from(list(MENU)), max_size=4)),
    min_size=1,
    max_size=30,
)
CHANGES = (
    st.dictionaries(st.integers(0, 4 * 60 - 1), st.integers(0, 3), min_size=1, max_size=10)
    .filter(lambda c: any(c.values()))
    .map(lambda c: {f"{m // 60:02}:{m % 60:02}": n for m, n in c.items()})
)
"""Every-day schedules as written, changing between midnight and 04:00 (across the night the clocks change)."""
SCHEDULES = CHANGES.map(lambda c: CookSchedule.parse(c, ZONE))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crew=st.one_of(st.integers(1, 4), SCHEDULES), steps=STEPS)
def test_one_station_worked_by_every_cook_is_todays_kitchen(crew, steps):
    raw = stream_from(T0, steps)
    kitchen, kitchen_summary = run(raw, crew)
    laid_out, laid_out_summary = run(raw, LaidOut(Layout.single(crew), seed=7))
    assert laid_out.events == kitchen.events
    assert [sample._replace(stations=()) for sample in laid_out.samples] == kitchen.samples
    for tickets in (kitchen.tickets, laid_out.tickets):  # no packing: an order is done when it is cooked
        assert all(ticket.cooked_at == ticket.completed_at for ticket in tickets.values())
    for sample in laid_out.samples:  # its one station is the whole kitchen
        [station] = sample.stations
        assert (station.waiting, station.working, station.capacity) == (
            sample.queued_units,
            sample.busy_cooks,
            sample.cooks,
        )
    for field in ("received", "discarded", "rejected", "max_queue"):
        assert getattr(laid_out_summary, field) == getattr(kitchen_summary, field)
    assert laid_out_summary.fulfillment.counts == kitchen_summary.fulfillment.counts
    assert laid_out_summary.busy_seconds == pytest.approx(kitchen_summary.busy_seconds)
    assert laid_out_summary.on_shift_seconds == pytest.approx(kitchen_summary.on_shift_seconds)


PIZZERIA = {
    "stations": {"grill": {}, "oven": {"slots": 1}, "pass": {}},
    "roles": {"cook": {"stations": ["grill"], "cooks": 1}, "packer": {"stations": ["pass"], "cooks": 1}},
    "routes": [{"dishes": "Piz*", "steps": [{"station": "grill", "time": 60}, {"station": "oven", "time": "5:00"}]}],
    "packing": {"station": "pass", "per_order": 30, "per_unit": 10},
}


def test_units_go_through_their_route_and_orders_are_packed():
    layout = parse_layout(PIZZERIA, ZONE)
    recording, summary = run([order(T0, ("Pizza", 2)), order(T0 + 10, ("Soup", 1))], LaidOut(layout))
    # pizza A: grill 0-60, oven 60-360; pizza B: grill 60-120 (before the soup, waiting since 0), oven 360-660;
    # packed 660-710 (30 s + 10 s a unit). The soup (a step of its menu time on the default station, the grill):
    # grill 120-180, packed 180-220.
    assert recording.times() == {1: (T0, T0, T0 + 710), 2: (T0 + 10, T0 + 120, T0 + 220)}
    assert [ticket.cooked_at for ticket in recording.tickets.values()] == [T0 + 660, T0 + 180]  # before packing
    at_five = next(sample for sample in recording.samples if sample.t == T0 + 300)
    # (station, waiting, working, capacity, longest wait): pizza B has waited for the oven since 120
    assert [tuple(station) for station in at_five.stations] == [
        ("grill", 0, 0, 1, 0),
        ("oven", 1, 1, 1, 180),
        ("pass", 0, 0, 1, 0),
    ]
    assert summary.busy_seconds == 60 + 60 + 60 + 50 + 40  # the grill and the pass; the oven needs no cook
    assert summary.on_shift_seconds == 2 * 710  # two cooks from the first receipt to the last completion


def test_a_unit_goes_to_the_most_specialised_free_cook():
    layout = parse_layout(
        {
            "stations": {"grill": {}, "fryer": {}},
            "roles": {
                "line": {"stations": ["grill", "fryer"], "cooks": 1},
                "griller": {"stations": ["grill"], "cooks": 1},
            },
            "routes": [
                {"dishes": "Burger", "steps": [{"station": "grill"}]},
                {"dishes": "Fries", "steps": [{"station": "fryer"}]},
            ],
        },
        ZONE,
    )
    raw = [order(T0, ("Burger", 1)), order(T0 + 10, ("Burger", 1)), order(T0 + 20, ("Fries", 1))]
    recording, _ = run(raw, LaidOut(layout))
    # the griller takes the first burger though the line cook is free too; the line cook the second; the fries
    # wait for the line cook (the griller, free at 100, cannot fry)
    assert recording.times() == {
        1: (T0, T0, T0 + 100),
        2: (T0 + 10, T0 + 10, T0 + 110),
        3: (T0 + 20, T0 + 110, T0 + 160),
    }


def test_the_same_seed_draws_the_same_times_whatever_the_crew():
    def varying(cooks: int) -> dict:
        return {
            "stations": {"line": {}},
            "roles": {"cook": {"stations": ["line"], "cooks": cooks}},
            "routes": [{"dishes": "*", "steps": [{"station": "line", "time": {"median": 100, "p90": 200}}]}],
        }

    raw = [order(T0 + 30 * i, ("Soup", 1)) for i in range(40)]
    one, _ = run(raw, LaidOut(parse_layout(varying(1), ZONE), seed=3))
    many, _ = run(raw, LaidOut(parse_layout(varying(40), ZONE), seed=3))
    other, _ = run(raw, LaidOut(parse_layout(varying(40), ZONE), seed=4))
    # with a cook for every order, each takes its own time: the times drawn, in the order of the orders
    taken = {p: c - r for p, (r, _, c) in many.times().items()}
    rng = np.random.default_rng(3)
    sigma = np.log(2) / 1.2815515655446004
    assert list(taken.values()) == [max(1, round(100 * np.exp(sigma * rng.standard_normal()))) for _ in raw]
    assert taken != {p: c - r for p, (r, _, c) in other.times().items()}
    # one cook works the same times one after the other: its last order is done at the sum of them from the first
    assert max(c for _, _, c in one.times().values()) == T0 + sum(taken.values())


def test_a_cook_loads_equipment_and_is_free_while_the_unit_stays_in_its_slot():
    layout = parse_layout(
        {
            "stations": {"bench": {}, "oven": {"slots": 2, "load": 20, "load_by": "cook"}},
            "roles": {"cook": {"stations": ["bench"], "cooks": 1}},
            "routes": [{"dishes": "Pizza", "steps": [{"station": "oven", "time": 300}]}],
            "default_station": "bench",
        },
        ZONE,
    )
    raw = [order(T0, ("Pizza", 3)), order(T0 + 5, ("Soup", 1))]
    recording, summary = run(raw, LaidOut(layout))
    # the cook loads pizza A 0-20 and B 20-40 (the oven has two slots); C waits for a slot, free at 320 when A is
    # out, and is loaded 320-340, out at 640. The soup, waiting since 5, is younger than B and C's wait at the oven
    # (since 0): it gets the cook at 40, when the oven is full, cooked 40-100
    assert recording.times() == {1: (T0, T0, T0 + 640), 2: (T0 + 5, T0 + 40, T0 + 100)}
    assert summary.busy_seconds == 3 * 20 + 60  # loads and the soup: the cook is not busy while pizzas bake


def test_each_step_is_told_as_it_ends_when_asked():
    layout = parse_layout(PIZZERIA, ZONE)
    raw = [order(T0, ("Pizza", 2)), order(T0 + 10, ("Soup", 1))]
    recording, _ = run(raw, LaidOut(layout, record_units=True))
    # (order, unit, step, station, role, ready, started, ended), as they end; timestamps as worked out above
    assert sorted(
        (s.order, s.unit, s.step, s.station, s.role, s.ready_at - T0, s.started_at - T0, s.ended_at - T0)
        for s in recording.steps
    ) == [
        (1, 0, 0, "grill", "cook", 0, 0, 60),
        (1, 0, 1, "oven", None, 60, 60, 360),
        (1, 1, 0, "grill", "cook", 0, 60, 120),
        (1, 1, 1, "oven", None, 120, 360, 660),
        (1, 2, 0, "pass", "packer", 660, 660, 710),  # the packing, after the order's two units
        (2, 0, 0, "grill", "cook", 10, 120, 180),
        (2, 1, 0, "pass", "packer", 180, 180, 220),
    ]
    assert run(raw, LaidOut(layout))[0].steps == []  # not asked: nothing told
