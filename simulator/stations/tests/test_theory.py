"""The laid-out kitchen against queueing theory, each on a layout of its own (not the shipped example):

- two stations in series, exponential times, a dedicated role at each: an open Jackson network, whose product
  form makes each station an M/M/c queue at the arrival rate (Burke: what leaves an M/M/c is Poisson again);
- equipment of c slots with a fixed time: M/D/c, whose queue is computed exactly from the number in the system
  D seconds apart (Crommelin's chain; below);
- one role of c cooks serving two stations at the same rate: one pooled M/M/c (a free cook takes the oldest
  unit at either station, so the two queues are one first-come, first-served queue);
- packing, the join of a fork-join: with cooks and packers to spare, an order's units are cooked in parallel and
  it is packed once the last is done, so the mean time to its last unit is the mean of the largest of k
  exponentials, mu^-1 (1 + 1/2 + ... + 1/k).

Each compares the mean of independent replications (after a warm-up: the kitchen starts empty) with the theory
by the replications' 95% confidence interval, as tests/test_queueing_theory.py does for one pool of cooks. The
exponential times are `samples` of a layout: 4,000 exponential quantiles, one as likely as another.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict

import numpy as np
import pytest

from common.localtime import LocalClock
from simulator.experiment.report import Estimate
from simulator.experiment.staffing import erlang_c
from simulator.menu import Dish
from simulator.orders import Line, Order
from simulator.run import simulate
from simulator.stations.layout import LaidOut, parse_layout
from tests.kitchen_data import Recording

ZONE = "Asia/Kolkata"
ORDERS = 12_000
WARM_UP = 0.2
"""The share of each replication's orders left out of its mean."""
REPLICATIONS = 8


def exponential(mean: float, count: int = 4000) -> list[int]:
    """`count` times, whole seconds, at the exponential's quantiles (k + 1/2) / count: equally likely samples."""
    return [max(1, round(-mean * math.log(1 - (k + 0.5) / count))) for k in range(count)]


def poisson(rng: random.Random, rate: float, dishes: list[Dish], units: int = 1) -> list[Order]:
    """ORDERS orders, a Poisson stream at `rate` a second, each of `units` units of one dish chosen at random."""
    t, orders = 1_700_000_000.0, []
    for position in range(1, ORDERS + 1):
        t += rng.expovariate(rate)
        orders.append(Order(position, "c", "s", int(t), (Line(rng.choice(dishes), units, 100),), 100 * units))
    return orders


def replicate(layout: dict, rate: float, dishes: list[Dish], *measures, units: int = 1) -> list[Estimate]:
    """The estimates over REPLICATIONS of each `measure(steps)`, of each replication's recorded unit steps after
    the warm-up; each replication its own arrivals and its own draws of the layout's times."""
    laid_out = parse_layout(layout, ZONE)
    means = []
    for replication in range(REPLICATIONS):
        recording = Recording()
        orders = poisson(random.Random(replication), rate, dishes, units)
        crew = LaidOut(laid_out, seed=100 + replication, record_units=True)
        simulate(orders, crew, None, recording, LocalClock(ZONE))
        steps = [step for step in recording.steps if step.order > WARM_UP * ORDERS]
        assert len({step.order for step in steps}) == ORDERS - int(WARM_UP * ORDERS)  # every order was done
        means.append([measure(steps) for measure in measures])
    return [Estimate.of(column) for column in zip(*means, strict=True)]


def mmc_wait(rate: float, mean: float, servers: int) -> float:
    """Mean wait in the queue of M/M/c: Erlang C's P(wait) / (c mu - lambda)."""
    load = rate * mean
    return erlang_c(servers, load) * mean / (servers - load)


def mdc_wait(rate: float, seconds: float, servers: int, states: int = 400) -> float:
    """Mean wait in the queue of M/D/c, exactly: with every service D long, whoever is in service at t - D has left
    by t, so the number in the system is N(t) = max(N(t - D) - c, 0) + the arrivals in (t - D, t], Poisson of mean
    lambda D. The chain's stationary law is N's at any moment; the queue is max(N - c, 0); Little: Wq = Lq / lambda."""
    arrivals = [math.exp(-rate * seconds)]
    for k in range(1, states):
        arrivals.append(arrivals[-1] * rate * seconds / k)
    moves = np.zeros((states, states))
    for n in range(states):
        left = max(n - servers, 0)
        moves[n, left:] = arrivals[: states - left]
    law = np.full(states, 1 / states)
    for _ in range(20_000):
        law, before = law @ moves, law
        law /= law.sum()
        if np.abs(law - before).max() < 1e-15:
            break
    queue = np.maximum(np.arange(states) - servers, 0)
    return float(law @ queue) / rate


def within(estimate: Estimate, theory: float) -> None:
    assert estimate.mean is not None and estimate.half_width is not None
    assert abs(estimate.mean - theory) <= estimate.half_width, (
        f"simulated {estimate.mean:.1f} ± {estimate.half_width:.1f} s, theory {theory:.1f} s"
    )


def test_the_exact_mdc_and_mmc_waits_are_the_textbooks():
    # M/D/1 by Pollaczek-Khinchine: Wq = rho D / (2 (1 - rho))
    assert mdc_wait(1 / 125, 100, 1) == pytest.approx(0.8 * 100 / (2 * 0.2), rel=1e-6)
    # M/M/1: Wq = rho / (mu - lambda); M/D/c waits about half as long as M/M/c (Cosmetatos: within 10% here)
    assert mmc_wait(1 / 600, 300, 1) == pytest.approx(300)
    assert mdc_wait(3 / 400, 300, 3) == pytest.approx(mmc_wait(3 / 400, 300, 3) / 2, rel=0.1)
    # the quantiles are an exponential's: its mean, and about its second moment 2 mean^2
    times = exponential(300)
    assert statistics.fmean(times) == pytest.approx(300, rel=0.01)
    assert statistics.fmean(t * t for t in times) == pytest.approx(2 * 300**2, rel=0.02)


def mean_time_at(station: str):
    return lambda steps: statistics.fmean(s.ended_at - s.ready_at for s in steps if s.station == station)


@pytest.mark.e2e
def test_two_stations_in_series_are_a_jackson_network():
    layout = {
        "stations": {"wok": {}, "plating": {}},
        "roles": {"wok_cook": {"stations": ["wok"], "cooks": 2}, "plater": {"stations": ["plating"], "cooks": 1}},
        "routes": [
            {
                "dishes": "*",
                "steps": [
                    {"station": "wok", "time": {"samples": exponential(300)}},
                    {"station": "plating", "time": {"samples": exponential(140)}},
                ],
            }
        ],
        "default_station": "wok",
    }
    rate = 1 / 200  # the wok at 75%, plating at 70%
    dishes = [Dish("Pad Thai", 1), Dish("Nasi Goreng", 1)]
    wok, plating = replicate(layout, rate, dishes, mean_time_at("wok"), mean_time_at("plating"))
    within(wok, mmc_wait(rate, 300, 2) + 300)
    within(plating, mmc_wait(rate, 140, 1) + 140)


@pytest.mark.e2e
def test_equipment_with_fixed_times_is_m_d_c():
    layout = {
        "stations": {"counter": {}, "tandoor": {"slots": 3}},
        "roles": {"cook": {"stations": ["counter"], "cooks": 0}},  # the tandoor needs no cook
        "routes": [{"dishes": "Naan*", "steps": [{"station": "tandoor", "time": "5:00"}]}],
    }
    rate = 0.85 * 3 / 300
    [estimate] = replicate(layout, rate, [Dish("Naan", 1), Dish("Naan, garlic", 1)], mean_time_at("tandoor"))
    within(estimate, mdc_wait(rate, 300, 3) + 300)


@pytest.mark.e2e
def test_a_role_serving_two_stations_at_one_rate_is_one_pooled_queue():
    times = {"samples": exponential(240)}
    layout = {
        "stations": {"grill": {}, "fryer": {}},
        "roles": {"line_cook": {"stations": ["grill", "fryer"], "cooks": 3}},
        "routes": [
            {"dishes": "Kebab", "steps": [{"station": "grill", "time": times}]},
            {"dishes": "Pakora", "steps": [{"station": "fryer", "time": times}]},
        ],
    }
    rate = 0.85 * 3 / 240
    [estimate] = replicate(
        layout,
        rate,
        [Dish("Kebab", 1), Dish("Pakora", 1)],
        lambda steps: statistics.fmean(s.started_at - s.ready_at for s in steps),
    )
    within(estimate, mmc_wait(rate, 240, 3))


@pytest.mark.e2e
def test_packing_joins_an_orders_units_once_the_last_is_done():
    units, mean = 4, 180
    layout = {
        "stations": {"line": {}, "pass": {}},
        "roles": {"cook": {"stations": ["line"], "cooks": 60}, "packer": {"stations": ["pass"], "cooks": 20}},
        "routes": [{"dishes": "*", "steps": [{"station": "line", "time": {"samples": exponential(mean)}}]}],
        "packing": {"station": "pass", "per_order": 20, "per_unit": 5},
    }

    def last_unit(steps) -> float:
        """Mean over orders of (its last unit's end - its receipt), each order's packing checked on the way."""
        cooked, packed, received = defaultdict(int), {}, {}
        for step in steps:
            if step.station == "pass":
                packed[step.order] = step
            else:
                cooked[step.order] = max(cooked[step.order], step.ended_at)
                received[step.order] = step.ready_at
        for order, pack in packed.items():
            assert pack.ready_at == cooked[order]  # it waits for its last unit, and no longer
            assert pack.ended_at - pack.started_at == 20 + 5 * units
        return statistics.fmean(cooked[order] - received[order] for order in packed)

    # 60 cooks for 4 units a minute of 3 min each: a unit waits for a cook about never (Erlang C ~ 1e-13)
    [estimate] = replicate(layout, 1 / 60, [Dish("Thali", 1), Dish("Biryani", 1)], last_unit, units=units)
    within(estimate, mean * sum(1 / k for k in range(1, units + 1)))
