"""The cooks needed in each interval of the day: the fewest s(i) such that, over the replications, the p90
fulfillment of the orders received in every interval held to the target is at most the target.

Why a formula per interval is not enough: an order waits for the units ahead of it, so a busy lunch
leaves a backlog that the next intervals inherit, and a target of 40 minutes spans more than one
30-minute interval. The method iterates on the simulation itself, in the spirit of the iterative
staffing algorithm of Feldman, Mandelbaum, Massey and Whitt (2008, "Staffing of time-varying queues to
achieve time-stable performance"): simulate with the current staffing, read each interval's
performance, set a new staffing per interval from it, and repeat until nothing changes. Their target is a
delay probability read from the number in system; ours is a fulfillment-time percentile, read per
interval of receipt from the direct computation (which is exact, so the only noise is the replications').
Every simulation step runs all R replications (common random numbers), so a change that helps does so
on the same orders.

1. Start from SIPP (per-interval Erlang C; below), at least one cook in every interval that has orders
   or the backlog of an interval shortly before it.
2. Raise: simulate; every interval held to the target whose mean p90 misses it gets more cooks, in
   proportion to how far it misses (at least one). Repeat until no interval misses.
3. Trim: try taking cooks away from groups of intervals far enough apart not to share their orders
   (every k-th interval, k = the target's length in intervals + 2), each interval by its own step (a
   an eighth of what it has above its floor, at first); simulate; keep the cut when every interval held to
   the target still meets it. When a cut fails, the intervals whose orders reach a missed interval halve
   their steps and the group is tried again; cuts of one cook that fail are split (those near a miss
   apart from the others, or in halves) down to single intervals, and an interval whose cut of one
   cook fails alone is done: fewer cooks anywhere never shortens a wait (first come, first served), so
   that cut cannot pass later either.

Stopping rule: the result meets the target in every interval held to it (on these replications), and
no interval can lose one cook without some interval missing (tried in the groups above), or an
iteration cap is reached, which the result says. An interval is held to the target when it has at least
report.MIN_ORDERS orders per replication.

The textbook rules reported beside it:
- SIPP (stationary independent period by period): each interval alone as an M/M/c queue of units, with
  the interval's unit arrival rate and mean cook time, staffed by Erlang C so that at most 10% of units
  wait longer than the target less the mean cook time.
- Square-root staffing: c = a + beta * sqrt(a) for the offered load a, with the beta for which the
  Halfin-Whitt (QED) approximation has 10% of units wait at all (beta = 1.42).
Neither sees the backlog that one interval leaves to the next, nor that an order is done only when its
last unit is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from simulator.experiment.demand import DemandModel
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.report import IntervalResult

LATE_SHARE = 0.10  # a p90 target: at most this share of orders may take longer
RAISE_CAP, TRIM_CAP = 60, 400  # simulation rounds, each over every replication

Evaluate = Callable[[list[int]], list[IntervalResult]]
"""Simulate a staffing (cooks per interval) on every replication and read each interval's result."""


@dataclass(frozen=True)
class Requirement:
    cooks: list[int]
    """Cooks needed in each interval of the grid."""
    rounds: int
    """Simulation rounds it took, each over every replication."""
    converged: bool
    """False when an iteration cap stopped it."""
    results: list[IntervalResult]
    """Each interval's result with these cooks."""


def offered_load(demand: DemandModel, grid: IntervalGrid) -> tuple[np.ndarray, np.ndarray]:
    """(units arriving per second, mean cook time in seconds) in each interval, from the orders file."""
    orders_per_hour = demand.orders_per_hour(grid)
    source = demand.source
    units_per_order = np.diff(source.unit_offsets)
    orders = np.bincount(source.intervals, minlength=grid.size)
    units = np.bincount(source.intervals, weights=units_per_order, minlength=grid.size)
    order_of_unit = np.repeat(source.intervals, units_per_order)
    work = np.bincount(order_of_unit, weights=source.cook_times, minlength=grid.size)
    mean_units = np.divide(units, orders, out=np.zeros(grid.size), where=orders > 0)
    mean_cook = np.divide(work, units, out=np.zeros(grid.size), where=units > 0)
    return orders_per_hour / 3600 * mean_units, mean_cook


def erlang_c(cooks: int, load: float) -> float:
    """The probability that a unit waits in an M/M/c queue with offered load `load` (Erlang C)."""
    if load <= 0:
        return 0.0
    if cooks <= load:
        return 1.0
    term, total = 1.0, 1.0  # a^k / k!, summed for k < c
    for k in range(1, cooks):
        term *= load / k
        total += term
    last = term * load / cooks * cooks / (cooks - load)
    return last / (total + last)


def sipp(rate: np.ndarray, cook_time: np.ndarray, target_minutes: float) -> list[int]:
    """Per interval, the fewest cooks for which at most 10% of units wait longer than the target less
    the mean cook time (Erlang C's tail: P(W > t) = C(c, a) exp(-(c - a) t / cook time))."""
    result = []
    for arrival, service in zip(rate.tolist(), cook_time.tolist()):
        load = arrival * service
        if load <= 0:
            result.append(0)
            continue
        wait = max(0.0, target_minutes * 60 - service)
        cooks = max(1, math.floor(load) + 1)
        while erlang_c(cooks, load) * math.exp(-(cooks - load) * wait / service) > LATE_SHARE:
            cooks += 1
        result.append(cooks)
    return result


def square_root(rate: np.ndarray, cook_time: np.ndarray, delay_share: float = LATE_SHARE) -> list[int]:
    """Per interval, c = ceil(a + beta sqrt(a)) for the offered load a, with the one beta for which the
    Halfin-Whitt approximation of the probability that a unit waits at all, [1 + beta Phi(beta) /
    phi(beta)]^-1, is `delay_share`. The classic rule: waiting is kept rare, wherever the target is."""
    def delay_probability(beta: float) -> float:
        density = math.exp(-beta * beta / 2) / math.sqrt(2 * math.pi)
        below = 0.5 * (1 + math.erf(beta / math.sqrt(2)))
        return 1 / (1 + beta * below / density)

    low, high = 0.0, 10.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if delay_probability(middle) > delay_share else (low, middle)
    loads = (rate * cook_time).tolist()
    return [0 if load <= 0 else max(1, math.ceil(load + high * math.sqrt(load))) for load in loads]


def floors(has_orders: Sequence[bool], grid: IntervalGrid, target_minutes: float) -> list[int]:
    """The least cooks in each interval: one wherever orders arrive, or arrived within the target before
    (their backlog needs a cook); none where the kitchen has nothing to do."""
    reach = math.ceil(target_minutes / grid.minutes)
    size = len(has_orders)
    return [int(any(has_orders[(i - back) % size] for back in range(reach + 1))) for i in range(size)]


def requirement(evaluate: Evaluate, start: Sequence[int], least: Sequence[int], grid: IntervalGrid,
                target_minutes: float, on_round: Callable[[str], None] = lambda phase: None) -> Requirement:
    """The fewest cooks per interval meeting the target in every interval held to it (see the docstring)."""
    cooks = [max(s, f) for s, f in zip(start, least)]
    rounds = 0

    def simulate(staffing: list[int], phase: str) -> list[IntervalResult]:
        nonlocal rounds
        rounds += 1
        on_round(phase)
        return evaluate(staffing)

    results = simulate(cooks, "raise")
    while _missed(results, target_minutes):
        if rounds >= RAISE_CAP:
            return Requirement(cooks, rounds, False, results)
        by_interval = {r.interval: r for r in results}
        for interval in _missed(results, target_minutes):
            excess = (by_interval[interval].p90.mean - target_minutes) / by_interval[interval].p90.mean
            cooks[interval] += max(1, math.ceil(cooks[interval] * min(0.5, excess) / 2))
        results = simulate(cooks, "raise")

    spacing = math.ceil(target_minutes / grid.minutes) + 2
    step = [max(1, (c - f) // 8) if c > f else 0 for c, f in zip(cooks, least)]  # 0: this interval is done
    while any(step):
        for offset in range(spacing):
            groups = [[i for i in range(offset, len(cooks), spacing) if step[i]]]
            while groups:
                group = groups.pop()
                if not group:
                    continue
                if rounds >= TRIM_CAP:
                    return Requirement(cooks, rounds, False, results)
                trial = list(cooks)
                for interval in group:
                    trial[interval] -= step[interval]
                after = simulate(trial, "trim")
                missed = set(_missed(after, target_minutes))
                if not missed:
                    cooks, results = trial, after
                    for interval in group:
                        step[interval] = min(step[interval], cooks[interval] - least[interval])
                    continue
                blamed = [i for i in group if missed & {(i + k) % len(cooks) for k in range(spacing)}] or group
                if any(step[i] > 1 for i in blamed):  # smaller cuts where the misses are, and try again
                    for interval in blamed:
                        step[interval] //= 2
                    groups.append([i for i in group if step[i]])
                elif len(group) == 1:  # a cut of one cook fails: fewer cooks elsewhere later cannot make it pass
                    step[group[0]] = 0
                else:  # cuts of one cook: apart from the others, or in halves, down to single intervals
                    spared = [i for i in group if i not in blamed]
                    groups += [blamed, spared] if spared else [group[len(group) // 2:], group[:len(group) // 2]]
    return Requirement(cooks, rounds, True, results)


def _missed(results: list[IntervalResult], target: float) -> list[int]:
    return [r.interval for r in results if r.counted and not r.met(target)]
