"""The requirement per interval, and the textbook rules reported beside it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from common.service_level import Blocks, CellStats, Promise, judge
from simulator.experiment import staffing
from simulator.experiment.grid import IntervalGrid

GRID = IntervalGrid(30, False, "UTC")


def test_erlang_c_matches_the_textbook():
    assert staffing.erlang_c(2, 1.0) == pytest.approx(1 / 3)  # M/M/2 at a = 1
    assert staffing.erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    assert staffing.erlang_c(10, 8.0) == pytest.approx(0.4092, abs=1e-4)
    assert staffing.erlang_c(3, 3.5) == 1.0  # overloaded: everyone waits


def test_sipp_takes_the_fewest_cooks_meeting_the_tail():
    rate, cook_time = np.array([0.1, 0.0]), np.array([600.0, 600.0])  # a = 60 in the first interval
    cooks = staffing.sipp(rate, cook_time, target_minutes=15)
    wait = 15 * 60 - 600

    def tail(c):
        return staffing.erlang_c(c, 60.0) * math.exp(-(c - 60.0) * wait / 600)

    assert cooks[1] == 0
    assert tail(cooks[0]) <= 0.1 < tail(cooks[0] - 1)


def test_square_root_staffing_uses_the_halfin_whitt_beta():
    loads = np.array([100.0, 4.0, 0.0])
    cooks = staffing.square_root(loads / 300, np.full(3, 300.0))
    assert cooks == [math.ceil(100 + 1.4202 * 10), math.ceil(4 + 1.4202 * 2), 0]


def test_floors_keep_a_cook_for_the_backlog_of_recent_orders():
    has_orders = [False] * GRID.size
    has_orders[20] = True  # orders only between 10:00 and 10:30
    least = staffing.floors(has_orders, GRID, target_minutes=40)  # 40 min reaches two intervals on
    assert [i for i, n in enumerate(least) if n] == [20, 21, 22]


class ToyKitchen:
    """A monotone stand-in for the simulation: interval i meets the target when its cooks plus half the
    cooks of the interval before reach need[i]; one day, each interval a block of 50 orders; it counts the
    rounds it is asked for."""

    def __init__(self, need):
        self.need, self.rounds = need, 0

    def __call__(self, cooks):
        self.rounds += 1
        cells, seconds = [], []
        for i, n in enumerate(self.need):
            if n:
                capacity = cooks[i] + cooks[i - 1] / 2
                cells += [i] * 50
                seconds += [(10 if capacity >= n else 60) * 60] * 50
        return judge(
            [CellStats.of(np.array(cells), np.array(seconds))], Blocks.single(GRID.size, GRID.per_day), Promise(40)
        )


def misses(result):
    return staffing.short_intervals(result)


@pytest.mark.parametrize("start", [1, 3, 200])
def test_the_requirement_meets_every_interval_and_no_interval_can_give_up_a_cook(start):
    need = [0] * 16 + [4, 10, 30, 60, 80, 40, 20, 8] + [0] * 24
    toy = ToyKitchen(need)
    begin = [start * n for n in need] if start > 1 else [1] * GRID.size
    found = staffing.requirement(toy, begin, [0] * GRID.size, GRID, target_minutes=40)
    assert found.converged and found.rounds == toy.rounds
    assert not misses(toy(found.cooks))
    for i in range(GRID.size):  # a local minimum: one cook fewer anywhere misses somewhere
        if found.cooks[i]:
            fewer = list(found.cooks)
            fewer[i] -= 1
            assert misses(toy(fewer)), f"interval {i} could give up a cook"


def test_a_trim_from_far_above_takes_few_rounds():
    # from 200 times the need, halving the distance to what is known to fail: rounds grow with its logarithm
    need = [0] * 16 + [4, 10, 30, 60, 80, 40, 20, 8] + [0] * 24
    found = staffing.requirement(ToyKitchen(need), [200 * n for n in need], [0] * GRID.size, GRID, 40)
    assert found.converged and found.rounds < 80


def test_an_iteration_cap_is_reported():
    toy = ToyKitchen([10**9] * GRID.size)  # never met
    found = staffing.requirement(toy, [1] * GRID.size, [0] * GRID.size, GRID, target_minutes=40)
    assert not found.converged and found.rounds == staffing.RAISE_CAP


class BackwardKitchen(ToyKitchen):
    """Too few cooks at i make i miss and i - 1 too (orders received just before still wait for them)."""

    def __call__(self, cooks):
        self.rounds += 1
        cells, seconds = [], []
        for i, n in enumerate(self.need):
            if n:
                short = cooks[i] < n or (i + 1 < len(self.need) and cooks[i + 1] < self.need[i + 1])
                cells += [i] * 50
                seconds += [(60 if short else 10) * 60] * 50
        return judge(
            [CellStats.of(np.array(cells), np.array(seconds))], Blocks.single(GRID.size, GRID.per_day), Promise(40)
        )


def test_a_cut_that_delays_the_orders_before_it_is_blamed_not_its_neighbour():
    need = [0] * 10 + [1, 3, 9, 2, 8, 1, 5, 7, 2, 4, 6, 1] * 3 + [1] * 2
    toy = BackwardKitchen(need)
    found = staffing.requirement(toy, [12] * GRID.size, [1 if n else 0 for n in need], GRID, target_minutes=40)
    assert found.converged
    assert [c for c, n in zip(found.cooks, need, strict=True) if n] == [
        n for n in need if n
    ]  # exactly the need, no more


class DaysKitchen:
    """One busy interval over a sample of days: on a day that needs d cooks there, fewer make its orders late. The
    days' needs vary in a long tail, as a late evening's do with the backlog the dinner peak leaves."""

    INTERVAL = 40

    def __init__(self, needs):
        self.needs = np.asarray(needs)

    def __call__(self, cooks):
        late = cooks[self.INTERVAL] < self.needs
        cells = np.repeat(np.arange(len(self.needs)) * GRID.size + self.INTERVAL, 10)
        seconds = np.repeat(np.where(late, 60, 10) * 60, 10)
        return judge([CellStats.of(cells, seconds)], Blocks.single(GRID.size, GRID.per_day), Promise(40, 0.95))


def test_cooks_found_on_a_sample_of_days_keep_the_level_on_days_to_come():
    # The fewest cooks meeting 95% on 28 days lets one of them fail: the second-worst day's need, which days to
    # come exceed one time in 2/29 (93%), and 86% on the shipped data's evening. Found so that the days show the
    # level (28 of 28), they keep it on days to come, on average over many samples.
    rng = np.random.default_rng(22)
    start = [0] * GRID.size
    start[DaysKitchen.INTERVAL] = 2000
    kept = []
    for _ in range(120):
        needs = 20 + np.floor(rng.exponential(60, 28))  # 28 days: a search set's
        found = staffing.requirement(DaysKitchen(needs), start, [0] * GRID.size, GRID, target_minutes=40)
        assert found.converged
        cooks = found.cooks[DaysKitchen.INTERVAL]
        kept.append(1 - math.exp(-max(0, cooks - 20 + 1) / 60))  # the share of days to come needing at most that
    assert np.mean(kept) >= 0.95


@pytest.mark.parametrize("size, spacing", [(48, 5), (96, 5), (336, 7), (7, 3), (5, 9)])
def test_groups_are_apart_across_the_wrap_and_hold_every_interval_once(size, spacing):
    groups = staffing.groups_apart(size, spacing)
    assert sorted(i for group in groups for i in group) == list(range(size))
    for group in groups:
        for a in group:
            for b in group:
                assert a == b or min((a - b) % size, (b - a) % size) >= min(spacing, size // 2 + 1) or len(group) == 1
