"""The one definition of "meets the service level": blocks, cells, the share of days and its interval."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest

from common.service_level import (
    MIN_ORDERS,
    BlockLevel,
    Blocks,
    CellStats,
    Promise,
    ServiceLevel,
    judge,
    judge_counted,
    judge_days,
    least_shown,
    wilson,
)


def test_quiet_intervals_are_pooled_with_their_neighbours_never_across_an_empty_one_nor_midnight():
    #                 0  1  2  3  4   5   6   7  8  9 10 11 | 12 13
    per_day = [0, 0, 2, 3, 8, 40, 50, 30, 4, 2, 0, 1] + [6, 6]
    blocks = Blocks.pooled(per_day, per_day=12)
    groups = [blocks.intervals(b) for b in range(blocks.count)]
    assert groups == [(0,), (1,), (2, 3, 4), (5,), (6,), (7, 8, 9), (10,), (11,), (12, 13)]
    # 2+3+8 reach 10 orders a day; 4+2 after the busy 7 join it; 11 stands alone after an empty 10; a new day
    # starts a block of its own
    assert Blocks.pooled([20] * 4, per_day=4).count == 4  # busy intervals stay alone


@given(st.lists(st.floats(0, 30, allow_nan=False), min_size=1, max_size=60), st.integers(1, 12))
def test_every_interval_belongs_to_one_block_of_neighbours(orders, per_day):
    blocks = Blocks.pooled(orders, per_day)
    assert len(blocks.of_interval) == len(orders)
    for block in range(blocks.count):
        members = blocks.intervals(block)
        assert members == tuple(range(members[0], members[-1] + 1))  # contiguous
        assert len({i // per_day for i in members}) == 1  # within one day
        if len(members) > 1:
            assert all(orders[i] > 0 for i in members)  # never across an interval where no orders are expected


@given(st.lists(st.tuples(st.integers(-1, 5), st.integers(0, 4000)), min_size=1, max_size=200))
def test_cells_are_the_nearest_rank_p90_and_the_longest_of_their_orders(orders):
    cells, seconds = np.array([c for c, _ in orders]), np.array([s for _, s in orders])
    stats = CellStats.of(cells, seconds)
    expected = {}
    for cell in sorted({c for c, _ in orders if c >= 0}):
        times = sorted(s for c, s in orders if c == cell)
        rank = max(1, math.ceil(0.9 * len(times)))
        expected[cell] = (len(times), times[rank - 1], times[-1])
    assert {
        c: (n, p, m)
        for c, n, p, m in zip(
            stats.cells.tolist(), stats.orders.tolist(), stats.p90.tolist(), stats.longest.tolist(), strict=True
        )
    } == expected
    tallied = CellStats.of(cells, seconds, np.ones(len(cells), dtype=np.int64) * 3)  # each order three times
    assert tallied.p90.tolist() == stats.p90.tolist() and (tallied.orders == 3 * stats.orders).all()


@pytest.mark.parametrize("successes, trials", [(95, 100), (0, 10), (10, 10), (749, 800), (1, 3)])
def test_the_wilson_interval_is_scipys(successes, trials):
    interval = binomtest(successes, trials).proportion_ci(method="wilson")
    assert wilson(successes, trials) == pytest.approx((interval.low, interval.high), abs=1e-9)


def test_a_cell_is_judged_on_its_p90_with_enough_orders_and_on_its_longest_wait_always():
    promise = Promise(40, 0.9, max_wait_minutes=60)
    orders = np.array([MIN_ORDERS, MIN_ORDERS, MIN_ORDERS - 1, 3, 3])
    p90 = np.array([40, 41, 50, 50, 10]) * 60
    longest = np.array([60, 45, 59, 61, 20]) * 60
    assert (promise.scores(orders, p90, longest) <= 1).tolist() == [True, False, True, False, True]
    assert Promise(40).worst_minutes == 80
    with pytest.raises(ValueError, match="at least the p90 target"):
        Promise(40, max_wait_minutes=30)
    with pytest.raises(ValueError, match="share between 0 and 1"):
        Promise(40, level=95)


def test_a_block_meets_the_level_when_its_share_of_days_does_and_every_day_is_counted():
    blocks = Blocks.single(2, per_day=2)
    promise = Promise(40, 0.9)
    runs = []
    for run in range(2):  # two replications of ten days; block 1 misses on 1 day in 20, block 0 on 3
        cells, seconds = [], []
        for day in range(10):
            late0 = (run, day) in {(0, 1), (0, 2), (1, 7)}
            late1 = (run, day) == (1, 3)
            cells += [day * 2] * 10 + [day * 2 + 1] * 10
            seconds += [600] * 9 + [3000 if late0 else 600] + [600] * 8 + [3000 if late1 else 600] * 2
        runs.append(CellStats.of(np.array(cells), np.array(seconds)))
    result = judge(runs, blocks, promise)
    first, second = result.blocks
    assert (first.days, first.met, second.met) == (20, 20, 19)  # block 0's late orders are its 10th, over p90
    assert second.meets(0.9) and second.share == 0.95 and result.met
    assert result.days == 20 and result.days_every_cell_met == 19
    assert second.interval_95 == pytest.approx(wilson(19, 20))
    assert [b.block for b in judge(runs, blocks, Promise(40, 0.96)).missed] == [1]
    # the level-quantile day's score is over 1 exactly when the share is under the level
    for level in (0.5, 0.9, 0.95, 0.96, 0.99):
        block = judge(runs, blocks, Promise(40, level)).blocks[1]
        assert (block.score <= 1) == block.meets(level)


def _block(days: int, met: int) -> BlockLevel:
    return BlockLevel(0, (0,), days, met, 10.0, 1.0, None)


@pytest.mark.parametrize(
    "days, least",
    [(28, 28), (56, 55), (560, 533), (112, 108), (10, 10), (19, 19), (20, 20), (39, 38), (1, 1)],
)
def test_a_sample_of_days_shows_the_level_with_one_more_day_met_than_its_share_asks(days, least):
    # at 95%: ceil(0.95 (n + 1)) of n days, so that the staffing chosen on them keeps the level on days to come
    assert _block(days, least).shows(0.95) and not _block(days, least - 1).shows(0.95)
    assert _block(days, least).meets(0.95)  # what shows the level meets it; the converse is what fails a sample
    assert _block(28, 27).meets(0.95) and not _block(28, 27).shows(0.95)


@given(st.integers(1, 2000), st.data(), st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]))
def test_a_block_that_misses_is_short_and_a_short_one_is_one_day_or_more_from_showing(days, data, level):
    met = data.draw(st.integers(0, days))
    block = _block(days, met)
    if not block.meets(level):
        assert not block.shows(level)
    assert block.shows(level) == (met >= least_shown(days, level))
    assert least_shown(days, level) - math.ceil(level * days - 1e-9) in (0, 1)  # at most a day more than the share
    result = ServiceLevel(Promise(40, level), [block], days, met)
    assert result.short == ([] if block.shows(level) else [block])
    assert all(missed in result.short for missed in result.missed)


@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(1, 120 * 60)), min_size=1, max_size=300),
    st.integers(20, 60),
)
def test_counts_per_day_and_interval_judge_as_the_orders_themselves_do(orders, target):
    # (day, interval, seconds) of each order; a database keeps (day, interval, minutes rounded up) tallies
    promise = Promise(target, 0.75)
    per_interval = np.bincount([i for _, i, _ in orders], minlength=6) / 4
    blocks = Blocks.pooled(per_interval.tolist(), per_day=6)
    cells = blocks.cells(np.array([d for d, _, _ in orders]), np.array([i for _, i, _ in orders]), 0)
    exact = judge([CellStats.of(cells, np.array([s for _, _, s in orders]))], blocks, promise)
    tallies: dict[tuple[int, int], list[int]] = {}
    for day, interval, seconds in orders:
        tallies.setdefault((day, interval), []).append(-(-seconds // 60))
    keys = sorted(tallies)
    counted = judge_counted(
        np.array([d for d, _ in keys]),
        np.array([i for _, i in keys]),
        np.array([len(tallies[k]) for k in keys]),
        np.array([sum(m <= target for m in tallies[k]) for k in keys]),
        np.array([60 * max(tallies[k]) for k in keys]),
        blocks,
        promise,
    )
    assert [(b.block, b.days, b.met) for b in counted.blocks] == [(b.block, b.days, b.met) for b in exact.blocks]
    assert (counted.days, counted.days_every_cell_met) == (exact.days, exact.days_every_cell_met)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["2031-12-31", "2032-01-01", "2032-02-29"]), st.integers(0, 47), st.integers(1, 90 * 60)
        ),
        min_size=1,
        max_size=400,
    ),
    st.randoms(use_true_random=False),
)
def test_a_databases_rows_judge_as_the_orders_themselves_do_in_any_order(orders, random):
    """judge_days: days named by date, rows in any order, blocks pooled by the orders a day the rows show."""
    promise = Promise(30, 0.6)
    labels = sorted({day for day, _, _ in orders})
    day = np.array([labels.index(d) for d, _, _ in orders])
    interval = np.array([i for _, i, _ in orders])
    blocks = Blocks.pooled((np.bincount(interval, minlength=48) / len(labels)).tolist(), per_day=48)
    exact = judge([CellStats.of(blocks.cells(day, interval, 0), np.array([s for _, _, s in orders]))], blocks, promise)
    tallies: dict[tuple[str, int], list[int]] = {}
    for label, i, seconds in orders:
        tallies.setdefault((label, i), []).append(-(-seconds // 60))
    rows = [(label, i, len(m), sum(x <= 30 for x in m), max(m)) for (label, i), m in tallies.items()]
    random.shuffle(rows)
    counted = judge_days(rows, promise, per_day=48)
    assert [(b.intervals, b.days, b.met) for b in counted.blocks] == [
        (b.intervals, b.days, b.met) for b in exact.blocks
    ]
    assert (counted.days, counted.days_every_cell_met) == (exact.days, exact.days_every_cell_met)
    assert judge_days([], promise, per_day=48).blocks == []
