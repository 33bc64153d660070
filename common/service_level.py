"""The promise every part of the product judges a kitchen by: a fulfillment target held on a share of days.

`--sla-p90 40 --service-level 0.95` reads: in every interval of the day, the p90 fulfillment of the orders
received in that interval *on a given day* is at most 40 minutes on at least 95% of days. That is what an
operator signs up to; an average over days, or over replications, hides the bad days the kitchen lives
through. This module is the one definition, used by the plan, the sweep and the dashboard.

Cells. A cell is one local day and one block of intervals. A block is an interval of the grid, or several
neighbouring quiet ones pooled (`Blocks.pooled`): from the start of each stretch of intervals in which
orders are expected, intervals are added to a block until it expects at least MIN_ORDERS orders a day;
what is left at the end of a stretch joins the stretch's last block. A block never spans an interval in
which no orders are expected, nor midnight. So every interval in which orders arrive belongs to a block,
and the p90 of a block is judged on enough orders to say something on an ordinary day.

A cell meets the promise when
- its p90 (nearest rank) is at most the target, if it has at least MIN_ORDERS orders (fewer orders have
  no p90 worth judging: a quieter day's cell is judged by the next rule alone), and
- its longest fulfillment is at most the worst case allowed (`max_wait_minutes`, by default twice the
  target): every order counts, and no roster may close the kitchen on orders still waiting.

A block meets the service level when the share of its days (cells with at least one order) that meet the
promise is at least the level; the share comes with its 95% Wilson interval. The share of days on which
*every* cell meets is reported beside it: a 95% promise per interval still leaves many days with a red
interval somewhere, and the analyst must see that.

Deciding on a sample. A staffing chosen as the fewest cooks meeting the service level on some days is
judged on the days it was chosen on, and their share flatters it. With the fewest cooks for which k of n days
meet, the k-th best of those days just meets; a day to come does at least as well as the k-th best of n days
with probability k / (n + 1), so 27 of 28 days met keeps the promise on about 27 / 29 = 93% of days to
come, not the 96% the days show (and a search over many intervals picks the days' luck besides). The more so
where a block's days vary in a long tail: after a peak a cell inherits the backlog of the whole evening, and
on the shipped data the cooks found for 21:30 on 28 days (27 of them met) met on 83-87% of fresh days. So
the studies' decisions ask that a block's days *show* the level (`BlockLevel.shows`, `ServiceLevel.short`):
at least ceil(level (n + 1)) of its n days met (28 of 28 days, 55 of 56, 533 of 560 at 95%; every day when
there are too few for that), which keeps the level on days to come on average, however many days there are.
Verdicts (`meets`, `missed`) stay the plain share with its interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from statistics import NormalDist

import numpy as np

from common.settings import DEFAULT_LEVEL
from common.statistics import nearest_rank

MIN_ORDERS = 10
"""A cell's p90 is judged when it has at least this many orders; blocks are pooled to expect as many a day."""
Z_95 = NormalDist().inv_cdf(0.975)
LEVEL_WIDTH = 0.03
"""The widest 95% interval of a share that a verdict on held-out days settles for (3 percentage points)."""


@dataclass(frozen=True)
class Promise:
    target_minutes: float
    """The p90 fulfillment each cell is held to."""
    level: float = DEFAULT_LEVEL
    """The share of days on which a block's cell must meet it."""
    max_wait_minutes: float | None = None
    """No order of a cell may take longer; None: twice the target."""

    def __post_init__(self) -> None:
        if not self.target_minutes > 0:
            raise ValueError(f"the target must be a positive number of minutes, got {self.target_minutes!r}")
        if not 0 < self.level < 1:
            raise ValueError(f"the service level must be a share between 0 and 1, like 0.95, got {self.level!r}")
        if self.max_wait_minutes is not None and not self.max_wait_minutes >= self.target_minutes:
            raise ValueError(
                f"the longest wait allowed ({self.max_wait_minutes:g} min) must be at least the"
                f" p90 target ({self.target_minutes:g} min)"
            )

    @property
    def worst_minutes(self) -> float:
        return 2 * self.target_minutes if self.max_wait_minutes is None else self.max_wait_minutes

    def scores(self, orders: np.ndarray, p90_seconds: np.ndarray, longest_seconds: np.ndarray) -> np.ndarray:
        """How far each cell is from the promise: at most 1 when it meets it (the larger of its p90 over the
        target, when judged, and its longest wait over the worst case allowed)."""
        p90 = np.where(orders >= MIN_ORDERS, p90_seconds / (60 * self.target_minutes), 0.0)
        return np.maximum(p90, longest_seconds / (60 * self.worst_minutes))

    def met(self, orders: np.ndarray, p90_seconds: np.ndarray, longest_seconds: np.ndarray) -> np.ndarray:
        """Whether each cell meets the promise."""
        return self.scores(orders, p90_seconds, longest_seconds) <= 1 + 1e-12

    def describe(self) -> str:
        return (
            f"p90 fulfillment at most {self.target_minutes:g} min in every interval on {self.level:.0%} of days,"
            f" no order over {self.worst_minutes:g} min"
        )


@dataclass(frozen=True)
class Blocks:
    """Which block each interval of a grid belongs to (see the module's docstring)."""

    of_interval: tuple[int, ...]
    per_day: int
    """Intervals in a day: blocks never span midnight."""

    @classmethod
    def pooled(cls, orders_per_day: Sequence[float], per_day: int, least: float = MIN_ORDERS) -> Blocks:
        """Blocks from the orders expected a day in each interval (a day's intervals, or a week's, in order)."""
        size = len(orders_per_day)
        block_of, block = [0] * size, 0
        for day_start in range(0, size, per_day):
            day_end, i = min(day_start + per_day, size), day_start
            while i < day_end:
                end = i
                while end < day_end and orders_per_day[end] > 0:
                    end += 1
                if end == i:  # no orders expected: the interval stands alone and ends any stretch
                    block_of[i], block, i = block, block + 1, i + 1
                    continue
                for group in _groups(orders_per_day, i, end, least):
                    for interval in group:
                        block_of[interval] = block
                    block += 1
                i = end
        return cls(tuple(block_of), per_day)

    @classmethod
    def single(cls, size: int, per_day: int) -> Blocks:
        """Every interval its own block."""
        return cls(tuple(range(size)), per_day)

    @property
    def count(self) -> int:
        return max(self.of_interval, default=-1) + 1

    def intervals(self, block: int) -> tuple[int, ...]:
        return self._members.get(block, ())

    @cached_property
    def _members(self) -> dict[int, tuple[int, ...]]:
        """Each block's intervals, found once: a judge names them for every block it reports."""
        members: dict[int, list[int]] = {}
        for interval, block in enumerate(self.of_interval):
            members.setdefault(block, []).append(interval)
        return {block: tuple(intervals) for block, intervals in members.items()}

    def cells(self, days: np.ndarray, intervals: np.ndarray, first_day: int) -> np.ndarray:
        """The cell of each order, from its local day and interval: (day - first_day) * count + block, or -1
        for orders before `first_day` (a warm-up, not judged)."""
        blocks = np.asarray(self.of_interval, dtype=np.int64)[np.asarray(intervals, dtype=np.int64)]
        offset = np.asarray(days, dtype=np.int64) - first_day
        return np.where(offset >= 0, offset * self.count + blocks, -1)


def _groups(orders_per_day: Sequence[float], start: int, end: int, least: float) -> list[list[int]]:
    """A stretch of intervals with orders, cut into runs that expect at least `least` orders; what is left at
    the end joins the last run."""
    groups: list[list[int]] = []
    current, expected = [], 0.0
    for interval in range(start, end):
        current.append(interval)
        expected += orders_per_day[interval]
        if expected >= least:
            groups.append(current)
            current, expected = [], 0.0
    if current:
        if groups:
            groups[-1].extend(current)
        else:
            groups.append(current)
    return groups


@dataclass(frozen=True)
class CellStats:
    """What one run says of each cell with orders: how many, their p90 (nearest rank) and their longest
    fulfillment, in seconds. Small, so that a trial can return it from anywhere."""

    cells: np.ndarray
    """Cell numbers (Blocks.cells), ascending."""
    orders: np.ndarray
    p90: np.ndarray
    longest: np.ndarray

    @classmethod
    def of(cls, cells: np.ndarray, seconds: np.ndarray, counts: np.ndarray | None = None) -> CellStats:
        """From each order's cell and fulfillment (or from tallies: a count of orders per (cell, seconds));
        orders of cell -1 are not judged."""
        cells, seconds = np.asarray(cells, dtype=np.int64), np.asarray(seconds, dtype=np.int64)
        counts = np.ones(len(cells), dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
        kept = cells >= 0
        cells, seconds, counts = cells[kept], seconds[kept], counts[kept]
        if not len(cells):
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty, empty)
        order = np.lexsort((seconds, cells))
        cells, seconds, counts = cells[order], seconds[order], counts[order]
        starts = np.flatnonzero(np.concatenate(([True], cells[1:] != cells[:-1])))
        ends = np.concatenate((starts[1:], [len(cells)])) - 1
        running = np.cumsum(counts)
        before = np.concatenate(([0], running[starts[1:] - 1]))
        orders = running[ends] - before
        rank = before + nearest_rank(orders, 90)
        return cls(cells[starts], orders, seconds[np.searchsorted(running, rank)], seconds[ends])


def least_shown(days: int, level: float) -> int:
    """The days of n that must meet for a sample to show the level (see the module's docstring): ceil(level
    (n + 1)), or all n when there are too few for that."""
    return min(days, math.ceil(level * (days + 1) - 1e-9))


def wilson(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a share (95% by default): sound near 0 and 1 and on few trials."""
    if trials == 0:
        return 0.0, 1.0
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class BlockLevel:
    """One block over the days judged (every replication's days)."""

    block: int
    intervals: tuple[int, ...]
    days: int
    """Cells with at least one order."""
    met: int
    """Of them, the cells that meet the promise."""
    orders: float
    """Orders per day, over the days judged."""
    score: float
    """The level-quantile (nearest rank) of the cells' scores (Promise.scores): at most 1 when the block
    meets the service level; how far above 1 says how far it is from it."""
    p90_minutes: float | None
    """The level-quantile of the p90 of the days with enough orders to judge it: 95% of such days do better."""

    @property
    def share(self) -> float:
        return self.met / self.days if self.days else 1.0

    @property
    def interval_95(self) -> tuple[float, float]:
        return wilson(self.met, self.days)

    def meets(self, level: float) -> bool:
        return self.share >= level - 1e-12

    def shows(self, level: float) -> bool:
        """Whether these days, when a staffing is chosen on them, show the level (see the module's docstring)."""
        return self.met >= least_shown(self.days, level)


@dataclass(frozen=True)
class ServiceLevel:
    """The verdict of one staffing over a set of replications, block by block and day by day."""

    promise: Promise
    blocks: list[BlockLevel]
    """Every block with at least one order on some day."""
    days: int
    """(Replication, day) pairs with orders."""
    days_every_cell_met: int

    @property
    def missed(self) -> list[BlockLevel]:
        return [b for b in self.blocks if not b.meets(self.promise.level)]

    @property
    def met(self) -> bool:
        return not self.missed

    @property
    def short(self) -> list[BlockLevel]:
        """The blocks whose days do not show the level (BlockLevel.shows): what a staffing chosen on these days
        must still fix. Every block that misses is short; so is one that meets by a day or two too few."""
        return [b for b in self.blocks if not b.shows(self.promise.level)]

    @property
    def every_cell_share(self) -> float:
        return self.days_every_cell_met / self.days if self.days else 1.0

    @property
    def widest(self) -> float:
        """The widest 95% interval of a block's share, in points of share (0-1)."""
        return max((b.interval_95[1] - b.interval_95[0] for b in self.blocks), default=0.0)

    def of_interval(self, interval: int) -> BlockLevel | None:
        return next((b for b in self.blocks if interval in b.intervals), None)


def judge(runs: Sequence[CellStats], blocks: Blocks, promise: Promise) -> ServiceLevel:
    """The service level of a staffing from its runs' cells (each run's days are days of their own)."""
    count = blocks.count
    block_of_cell, scores, p90s, orders, day_keys = [], [], [], [], []
    for run, stats in enumerate(runs):
        block_of_cell.append(stats.cells % count)
        day_keys.append(run * 1_000_000 + stats.cells // count)
        scores.append(promise.scores(stats.orders, stats.p90, stats.longest))
        p90s.append(np.where(stats.orders >= MIN_ORDERS, stats.p90, -1))
        orders.append(stats.orders)
    if not runs or not sum(len(b) for b in block_of_cell):
        return ServiceLevel(promise, [], 0, 0)
    block_of, score = np.concatenate(block_of_cell), np.concatenate(scores)
    p90 = np.concatenate(p90s)
    present = np.unique(block_of)
    judged = p90 >= 0
    return _levels(
        block_of,
        np.concatenate(day_keys),
        score <= 1 + 1e-12,
        np.concatenate(orders),
        blocks,
        promise,
        _quantiles(block_of, score, present, promise.level),
        _quantiles(block_of[judged], p90[judged].astype(float), present, promise.level) / 60,
    )


def judge_counted(
    days: np.ndarray,
    intervals: np.ndarray,
    orders: np.ndarray,
    on_time: np.ndarray,
    longest_seconds: np.ndarray,
    blocks: Blocks,
    promise: Promise,
) -> ServiceLevel:
    """The service level from counts per (day, interval), as a database keeps them: the orders, how many of them
    took at most the target, and the longest. A cell's p90 is at most the target exactly when at least
    ceil(0.9 n) of its n orders are (nearest rank), so no tally needs ranking. Counts add up over the intervals
    of a block; the levels' quantiles (BlockLevel.score, p90_minutes) are not known from counts: NaN, None."""
    days, intervals = np.asarray(days, dtype=np.int64), np.asarray(intervals, dtype=np.int64)
    if not len(days):
        return ServiceLevel(promise, [], 0, 0)
    block = np.asarray(blocks.of_interval, dtype=np.int64)[intervals]
    cell = (days - days.min()) * blocks.count + block
    cells, where = np.unique(cell, return_inverse=True)
    n = np.bincount(where, weights=orders).astype(np.int64)
    timely = np.bincount(where, weights=on_time).astype(np.int64)
    longest = np.zeros(len(cells), dtype=np.int64)
    np.maximum.at(longest, where, np.asarray(longest_seconds, dtype=np.int64))
    p90_ok = (n < MIN_ORDERS) | (timely >= nearest_rank(n, 90))
    met = p90_ok & (longest <= 60 * promise.worst_minutes)
    present = np.unique(cells % blocks.count)
    return _levels(
        cells % blocks.count,
        cells // blocks.count,
        met,
        n,
        blocks,
        promise,
        np.full(len(present), np.nan),
        np.full(len(present), np.nan),
    )


def judge_days(rows: Sequence[tuple[str | int, int, int, int, int]], promise: Promise, per_day: int) -> ServiceLevel:
    """The service level from a database's counts per (local day, interval): rows of (day, interval, orders,
    orders that took at most the target, the longest in whole minutes), days named in any sortable way. Quiet
    intervals are pooled with their neighbours by the orders a day the rows themselves show."""
    if not rows:
        return ServiceLevel(promise, [], 0, 0)
    number = {day: i for i, day in enumerate(sorted({row[0] for row in rows}))}
    columns = np.array([(number[day], *counts) for day, *counts in rows], dtype=np.int64)
    orders_per_day = np.bincount(columns[:, 1], weights=columns[:, 2], minlength=per_day) / len(number)
    return judge_counted(
        columns[:, 0],
        columns[:, 1],
        columns[:, 2],
        columns[:, 3],
        60 * columns[:, 4],
        Blocks.pooled(orders_per_day.tolist(), per_day),
        promise,
    )


def _levels(
    block_of: np.ndarray,
    day: np.ndarray,
    met: np.ndarray,
    orders: np.ndarray,
    blocks: Blocks,
    promise: Promise,
    scores: np.ndarray,
    p90_minutes: np.ndarray,
) -> ServiceLevel:
    """Each block's days and days met, and the days on which every cell met: the one count both judges share."""
    present, days = np.unique(block_of, return_counts=True)
    met_days = np.bincount(block_of, weights=met, minlength=blocks.count)[present]
    mean_orders = np.bincount(block_of, weights=orders, minlength=blocks.count)[present] / days
    levels = [
        BlockLevel(b, blocks.intervals(b), n, int(m), float(o), float(s), None if np.isnan(p) else float(p))
        for b, n, m, o, s, p in zip(
            present.tolist(),
            days.tolist(),
            met_days.tolist(),
            mean_orders.tolist(),
            scores.tolist(),
            p90_minutes.tolist(),
            strict=True,
        )
    ]
    distinct_days, where = np.unique(day, return_inverse=True)
    failed = np.bincount(where, weights=~met, minlength=len(distinct_days))
    return ServiceLevel(promise, levels, len(distinct_days), int((failed == 0).sum()))


def _quantiles(groups: np.ndarray, values: np.ndarray, wanted: np.ndarray, level: float) -> np.ndarray:
    """The nearest-rank `level` quantile of the values of each group in `wanted` (NaN for a group with none)."""
    result = np.full(len(wanted), np.nan)
    if not len(values):
        return result
    order = np.lexsort((values, groups))
    groups, values = groups[order], values[order]
    present, first, sizes = np.unique(groups, return_index=True, return_counts=True)
    picked = values[first + nearest_rank(sizes, 100 * level) - 1]
    result[np.searchsorted(wanted, present)] = picked
    return result
