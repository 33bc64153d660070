"""The cooks needed in each interval of the day: the fewest s(i) such that, over the replications, every
block of intervals meets the service level (common/service_level.py: the p90 of the orders received in it
on a day at most the target, and none over the longest wait allowed, on at least the level's share of days),
as a sample of days shows it: at least ceil(level (n + 1)) of a block's n days met, not just a share of
`level` (ServiceLevel.short; 28 of 28 days at 95%), for the fewest cooks that pass on these days are fitted
to their luck, most of all after a peak, where a cell inherits the backlog of the hours before it.

Why a formula per interval is not enough: an order waits for the units ahead of it, so a busy lunch
leaves a backlog that the next intervals inherit, and a target of 40 minutes spans more than one
30-minute interval. The method iterates on the simulation itself, in the spirit of the iterative
staffing algorithm of Feldman, Mandelbaum, Massey and Whitt (2008, "Staffing of time-varying queues to
achieve time-stable performance"): simulate with the current staffing, read each interval's
performance, set a new staffing per interval from it, and repeat until nothing changes. Their target is a
delay probability read from the number in system; ours is a share of days, read per block of receipt from
the direct computation (which is exact, so the only noise is the replications'). Every simulation step runs
all R replications (common random numbers), so a change that helps does so on the same orders.

1. Start from SIPP (per-interval Erlang C; below), at least one cook in every interval that has orders
   or the backlog of an interval shortly before it.
2. Raise: simulate; every interval of a block that falls short of the service level gets more cooks, in
   proportion to how far its level-quantile day is from the promise (at least one). Repeat until none does.
3. Trim, in groups of intervals far enough apart not to share their orders: a cut at interval i delays
   the orders received in the interval before it (still waiting) and those of the k after it (its
   backlog), k = the target's length in intervals, so the members of a group are k + 2 apart (the week's or
   the day's wrap included) and the blocks their cuts reach are disjoint: a miss is blamed on the one cut
   that reaches it (a miss no cut reaches, on the nearest cut before it: its backlog reached further).
   Every interval of a group is bisected at once between the most cooks seen to miss there (at first:
   below its floor) and what it has: a round cuts each to the middle, and each keeps the cut or learns it
   fails by its blame alone. Cuts kept beside cuts that failed are simulated again together, without
   those; if they do not pass, they are undone, the ones a miss is blamed on counted as failing at that
   number (beside more cooks than they will have), the others to be tried again. A group is done when
   every interval of it sits one cook above a number it was tried at and failed with: so no interval stops
   before it was tried one cook lower.

Stopping rule: the result shows the service level in every block (on these replications), and no interval
can lose one cook without some block missing it (as tried in its group), or an iteration cap is reached,
which the result says. Rounds grow with the logarithm of the cooks an interval has, not with the number of
intervals.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from common.service_level import ServiceLevel
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.streams import Stream

LATE_SHARE = 0.10  # a p90 target: at most this share of orders may take longer
RAISE_CAP, TRIM_CAP = 60, 400  # simulation rounds, each over every replication

Evaluate = Callable[[list[int]], ServiceLevel]
"""Simulate a staffing (cooks per interval) on every replication and judge it, block by block."""


@dataclass(frozen=True)
class Requirement:
    cooks: list[int]
    """Cooks needed in each interval of the grid."""
    rounds: int
    """Simulation rounds it took, each over every replication."""
    converged: bool
    """False when an iteration cap stopped it."""
    result: ServiceLevel
    """The service level with these cooks (on the replications they were found on: see ServiceLevel.short)."""


def offered_load(orders_per_day: np.ndarray, source: Stream, grid: IntervalGrid) -> tuple[np.ndarray, np.ndarray]:
    """(units arriving per second, mean cook time in seconds) in each interval: the orders expected a day in it,
    with the file's mean units per order and mean cook time of a unit in that interval."""
    intervals = source.intervals
    units_per_order = np.diff(source.unit_offsets)
    orders = np.bincount(intervals, minlength=grid.size)
    units = np.bincount(intervals, weights=units_per_order, minlength=grid.size)
    work = np.bincount(np.repeat(intervals, units_per_order), weights=source.cook_times, minlength=grid.size)
    overall_units = units.sum() / orders.sum() if orders.sum() else 0.0
    overall_cook = work.sum() / units.sum() if units.sum() else 0.0
    mean_units = np.divide(units, orders, out=np.full(grid.size, overall_units), where=orders > 0)
    mean_cook = np.divide(work, units, out=np.full(grid.size, overall_cook), where=units > 0)
    return np.asarray(orders_per_day, dtype=float) / grid.seconds * mean_units, mean_cook


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
    for arrival, service in zip(rate.tolist(), cook_time.tolist(), strict=True):
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


def requirement(
    evaluate: Evaluate,
    start: Sequence[int],
    least: Sequence[int],
    grid: IntervalGrid,
    target_minutes: float,
    on_round: Callable[[str], None] = lambda phase: None,
) -> Requirement:
    """The fewest cooks per interval meeting the service level in every block (see the docstring)."""
    cooks = [max(s, f) for s, f in zip(start, least, strict=True)]
    failed = [f - 1 for f in least]  # per interval, the most cooks seen to miss (below the floor: none seen)
    rounds = 0

    def simulate(staffing: list[int], phase: str) -> ServiceLevel:
        nonlocal rounds
        rounds += 1
        on_round(phase)
        return evaluate(staffing)

    result = simulate(cooks, "raise")
    while result.short:
        if rounds >= RAISE_CAP:
            return Requirement(cooks, rounds, False, result)
        for block in result.short:
            excess = (block.score - 1) / block.score if block.score > 1 else 0.0  # short by a day or two: one cook
            for interval in block.intervals:
                cooks[interval] += max(1, math.ceil(cooks[interval] * min(0.5, excess) / 2))
        result = simulate(cooks, "raise")

    size = len(cooks)
    ahead = math.ceil(target_minutes / grid.minutes)
    for group in groups_apart(size, ahead + 2):
        reach = {i: {(i + k) % size for k in range(-1, ahead + 1)} for i in group}
        while True:
            cut = [i for i in group if cooks[i] - failed[i] > 1]
            if not cut:
                break
            if rounds >= TRIM_CAP:
                return Requirement(cooks, rounds, False, result)
            before = list(cooks)
            trial = list(cooks)
            for interval in cut:
                trial[interval] = (failed[interval] + cooks[interval]) // 2
            after = simulate(trial, "trim")
            blamed = _blamed(short_intervals(after), cut, reach, size)
            for interval in cut:
                if interval in blamed:
                    failed[interval] = trial[interval]
                else:
                    cooks[interval] = trial[interval]
            if not blamed:
                result = after
            elif cooks != before:  # cuts kept were tried beside others that failed: tried again without them
                check = simulate(cooks, "trim")
                if check.short:  # together they do not pass: undone; those blamed now fail, the others are tried again
                    kept = [i for i in cut if i not in blamed]
                    for interval in _blamed(short_intervals(check), kept, reach, size):
                        failed[interval] = cooks[interval]
                    cooks = before
                else:
                    result = check
    return Requirement(cooks, rounds, not result.short, result)


def groups_apart(size: int, spacing: int) -> list[list[int]]:
    """The intervals of a cyclic grid in groups whose members are at least `spacing` apart, the wrap included
    (a last member too close to the first of its group goes into a group of its own)."""
    groups, alone = [], []
    for offset in range(min(spacing, size)):
        members = list(range(offset, size, spacing))
        if len(members) > 1 and members[0] + size - members[-1] < spacing:
            alone.append([members.pop()])
        groups.append(members)
    return groups + alone


def _blamed(missed: set[int], cut: list[int], reach: dict[int, set[int]], size: int) -> set[int]:
    """The cut intervals to blame for the missed ones: the one whose reach holds a miss (the reaches of a group
    are disjoint), or, for a miss no cut reaches, the nearest cut before it (its backlog reached further)."""
    blamed = set()
    for interval in missed:
        holder = next((i for i in cut if interval in reach[i]), None)
        if holder is None and cut:
            holder = min(cut, key=lambda i: (interval - i) % size)
        if holder is not None:
            blamed.add(holder)
    return blamed


def short_intervals(result: ServiceLevel) -> set[int]:
    """The intervals of every block whose days fall short of showing the service level (ServiceLevel.short)."""
    return {interval for block in result.short for interval in block.intervals}
