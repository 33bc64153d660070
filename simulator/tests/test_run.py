"""Real time and as fast as possible give the same timestamps; a stop request ends the run at once; a run
makes no reference cycles."""

import gc
import time

import pytest

from common.localtime import LocalClock
from common.schedule import CookSchedule
from simulator.orders import parse_order
from simulator.run import simulate
from tests.kitchen_data import T0, Recording, build_database, order, run_orders


def test_real_time_and_max_speed_give_the_same_timestamps(menu):
    stream = [order(T0 + 7 * i, ("Stew", 1), ("Soup", i % 3 + 1)) for i in range(20)] + [order(T0 + 90, ("Salad", 2))]
    fast = run_orders(stream, menu, cooks=3)
    started = time.monotonic()
    real_time = run_orders(stream, menu, cooks=3, speed=5000)
    wall = time.monotonic() - started
    assert real_time.times() == fast.times()
    assert real_time.samples == fast.samples
    last = max(c for _, _, c in fast.times().values())
    assert wall >= (last - T0) / 5000 * 0.9  # it really ran in (accelerated) real time


def test_a_stop_request_ends_a_real_time_run(menu):
    """(How soon, in wall time, is measured by bench/: python -m bench realtime.)"""
    stream = [order(T0 + 3600 * i, ("Soup", 1)) for i in range(10)]  # ten hours of orders, at 60x: ten minutes
    asked = []
    feed = (parse_order(p, raw, menu) for p, raw in enumerate(stream, start=1))
    recording = Recording()

    def stop_once_an_order_is_in() -> bool:
        asked.append(recording.tickets.keys() >= {1})
        return asked[-1]

    outcome = simulate(feed, 1, 60.0, recording, LocalClock("UTC"), stop_once_an_order_is_in)
    assert outcome.interrupted and asked[-1] and not any(asked[:-1])
    assert outcome.sim_ended_at < T0 + 3600  # stopped long before the second order


def test_a_real_time_run_of_nothing_readable_records_the_rejections(menu):
    """No timestamp to start the clock at: the run is over at once, at any speed."""
    feed = [parse_order(1, order("yesterday", ("Soup", 1)), menu)]
    recording = Recording()
    outcome = simulate(feed, 2, 60.0, recording, LocalClock("UTC"))
    assert not outcome.interrupted and outcome.sim_started_at is None and outcome.summary.rejected == 1
    assert [r.position for r in recording.rejected] == [1]


@pytest.mark.parametrize("crew", [3, {"00:00": 2, "08:10": 4, "09:00": 1}], ids=["fixed", "schedule"])
def test_a_run_makes_no_reference_cycles(menu, tmp_path, crew):
    """The simulator turns the cyclic garbage collector off for the run (its writer process keeps it): safe
    only while the kitchen, the run loop and the store leave every order's objects to reference counting."""
    crew = crew if isinstance(crew, int) else CookSchedule.parse(crew, "America/Los_Angeles")
    stream = [order(T0 + 20 * i, ("Stew", 1), ("Soup", i % 3 + 1)) for i in range(2000)]
    stream[::50] = [order(T0, ("Pizza", 1))] * 40  # rejected: an unknown dish,
    stream[7::70] = [order("yesterday", ("Soup", 1))] * 29  # and a timestamp that cannot be read
    gc.collect()
    gc.disable()
    try:
        build_database(tmp_path / "kitchen.db", stream, menu, cooks=crew, flush_every_tick=True, writer_process=True)
        left = gc.collect()
    finally:
        gc.enable()
    assert left < 150  # 2,000 orders, 7,000 units, 69 rejections, 667 flushes: a cycle each would leave hundreds
