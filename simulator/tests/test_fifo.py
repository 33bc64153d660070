"""The direct computation for fixed crews reports what the SimPy kitchen reports."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.localtime import LocalClock
from common.settings import load_settings
from simulator import fifo
from simulator.menu import Dish, load_menu
from simulator.orders import parse_order, read_orders
from simulator.run import NoRecorder, simulate
from tests.kitchen_data import T0, order

MENU = {"Soup": Dish("Soup", 60), "Stew": Dish("Stew", 300), "Salad": Dish("Salad", 120)}


def both(entries: list, cooks: int):
    kitchen = simulate(entries, cooks, None, NoRecorder(), LocalClock("UTC")).kitchen
    return kitchen, fifo.fixed_crew(entries, cooks)


def assert_same(kitchen, direct):
    assert direct.fulfillment.counts == kitchen.fulfillment.counts
    assert direct.labour_hours == pytest.approx(kitchen.labour_hours())
    assert direct.utilisation == pytest.approx(kitchen.utilisation())
    assert abs(direct.max_queue - kitchen.most_queued) <= 1  # orders starting at the very moment of a receipt


@settings(max_examples=100, deadline=None)
@given(
    cooks=st.integers(1, 4),
    stream=st.lists(st.tuples(st.integers(-120, 600), st.lists(st.sampled_from(list(MENU)), max_size=4)),
                    min_size=1, max_size=30),
)
def test_random_streams(cooks, stream):
    t, raw = T0, []
    for offset, dishes in stream:
        t += offset
        raw.append(order(t, *[(d, 1) for d in dishes]))
    entries = [parse_order(p, o, MENU) for p, o in enumerate(raw, start=1)]
    assert_same(*both(entries, cooks))


def test_the_shipped_data():
    settings_ = load_settings({})
    entries = list(read_orders(settings_.orders_path, load_menu(settings_.menu_path)))
    kitchen, direct = both(entries, settings_.cooks)
    assert_same(kitchen, direct)
    assert direct.fulfillment.percentile(90) == kitchen.fulfillment.percentile(90)
