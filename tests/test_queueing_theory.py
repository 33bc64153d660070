"""The model against queueing theory: Erlang C for an M/M/c kitchen, and Little's law on its time series.

An M/M/c kitchen: single-unit orders arriving as a Poisson stream, cook times exponential (a menu of
many dishes whose cook times are drawn from an exponential distribution, one dish per order at
random). Its mean wait for a cook, measured over independent replications after a warm-up, must
contain the Erlang C value within the replications' 95% confidence interval. Seeds are fixed, so
the test is repeatable.
"""

from __future__ import annotations

import math
import random
import statistics

import pytest

from common.localtime import LocalClock
from common.settings import load_settings
from simulator.experiment.report import Estimate
from simulator.feed import read_orders
from simulator.menu import Dish, load_menu
from simulator.orders import Line, Order
from simulator.run import simulate
from tests.kitchen_data import Recording

MEAN_COOK_TIME = 300  # seconds: 1 / mu
ORDERS = 20_000
WARM_UP = 0.2  # the share of each replication's orders left out: the kitchen starts empty
REPLICATIONS = 8


def erlang_c_wait(arrival_rate: float, service_rate: float, cooks: int) -> float:
    """Mean time in queue of an M/M/c queue (seconds)."""
    offered = arrival_rate / service_rate
    rho = offered / cooks
    top = offered**cooks / math.factorial(cooks) / (1 - rho)
    waiting = top / (sum(offered**k / math.factorial(k) for k in range(cooks)) + top)
    return waiting / (cooks * service_rate - arrival_rate)


def poisson_orders(rng: random.Random, rate: float, count: int) -> list[Order]:
    dishes = [Dish(f"d{i}", max(1, round(rng.expovariate(1 / MEAN_COOK_TIME)))) for i in range(5000)]
    t, orders = 1_550_000_000.0, []
    for position in range(1, count + 1):
        t += rng.expovariate(rate)
        dish = rng.choice(dishes)
        orders.append(Order(position, "c", "s", int(t), (Line(dish, 1, 100),), 100))
    return orders


class Waits(Recording):
    def __init__(self, skip: int) -> None:
        super().__init__()
        self.skip, self.waits = skip, []

    def order_started(self, ticket):
        if ticket.order.position > self.skip:
            self.waits.append(ticket.started_at - ticket.received_at)


@pytest.mark.e2e
@pytest.mark.parametrize("cooks, utilisation", [(1, 0.5), (2, 0.8), (4, 0.9), (8, 0.95)])
def test_mean_wait_matches_erlang_c(cooks, utilisation):
    service_rate = 1 / MEAN_COOK_TIME
    arrival_rate = utilisation * cooks * service_rate
    means = []
    for replication in range(REPLICATIONS):
        rng = random.Random(1000 * cooks + replication)
        recorder = Waits(skip=int(WARM_UP * ORDERS))
        simulate(poisson_orders(rng, arrival_rate, ORDERS), cooks, None, recorder, LocalClock("UTC"))
        means.append(statistics.fmean(recorder.waits))
    estimate = Estimate.of(means)
    mean, half_width = estimate.mean, estimate.half_width
    theory = erlang_c_wait(arrival_rate, service_rate, cooks)
    assert abs(mean - theory) <= half_width, f"simulated {mean:.1f} ± {half_width:.1f} s, Erlang C {theory:.1f} s"


def test_erlang_c_itself():
    # M/M/1: Wq = rho / (mu - lambda); with rho = 0.5 and 1/mu = 300 s, 300 s
    assert erlang_c_wait(1 / 600, 1 / 300, 1) == pytest.approx(300)
    # a textbook M/M/2: lambda = 1, mu = 1 (per unit time): P(wait) = 1/3, Wq = 1/3
    assert erlang_c_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)


def test_littles_law_holds_on_the_recorded_time_series():
    settings = load_settings()
    recording = Recording()
    outcome = simulate(
        read_orders(settings.orders_path, load_menu(settings.menu_path)),
        settings.cooks,
        None,
        recording,
        LocalClock(settings.timezone),
    )
    summary = outcome.summary
    start, end = outcome.sim_started_at, outcome.sim_ended_at
    samples = [s for s in recording.samples if start <= s.t <= end and s.t % 60 == 0]
    in_kitchen = statistics.fmean(s.queued_orders + s.in_progress_orders for s in samples)  # L
    arrival_rate = summary.received / (end - start)  # lambda, orders per second
    assert len(samples) >= (end - start) // 60 - 1  # a sample every minute: the average covers the run
    assert in_kitchen == pytest.approx(arrival_rate * summary.fulfillment.mean, rel=0.02)  # L = lambda W
