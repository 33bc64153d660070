"""Real time and as fast as possible give the same timestamps; a stop request ends the run at once."""

import time

from common.localtime import LocalClock
from simulator.orders import parse_order
from simulator.run import simulate
from tests.kitchen_data import T0, Recording, order, run_orders


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
