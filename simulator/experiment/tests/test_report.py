"""What a study reports: estimates over replications, the service level day by day, and "no data" where there
is none."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from common.service_level import Blocks, CellStats, Promise
from simulator.experiment.report import HALF_WIDTH, Estimate, assess, rows, table
from simulator.experiment.trials import Option
from simulator.tally import FulfillmentTally, RunSummary

BLOCKS = Blocks.single(2, 2)


def test_an_estimate_is_the_mean_and_a_student_t_interval():
    estimate = Estimate.of([1.0, 2.0, 3.0])
    assert estimate.mean == 2.0 and estimate.half_width == pytest.approx(4.30 / math.sqrt(3))
    assert Estimate.of([5.0]) == Estimate(5.0, None)
    assert Estimate.of([None, 4.0, None, 6.0]).mean == 5.0  # replications without a value are left out


def test_no_data_is_said_never_zero():
    nothing = RunSummary(FulfillmentTally())  # no order completed, nobody on shift
    assessment = assess(Option("idle", 3, "fixed"), [nothing, nothing], BLOCKS, Promise(40))
    assert assessment.p90.mean is None and assessment.utilisation.mean is None
    assert assessment.p90.show() == "no data"
    assert "no data" in table([assessment])
    [row] = rows([assessment], lambda crew: "")
    assert (row["p90_min"], row["utilisation_pct"], row["worst_block_days_met_pct"]) == ("", "", "")


def test_the_service_level_is_judged_day_by_day_over_every_replication():
    # two replications of two days; block 0 (12:00) busy, block 1 (13:00) quiet: judged on its longest wait
    def summary(noon_p90s: list[int], one_longest: list[int]) -> RunSummary:
        cells, seconds = [], []
        for day, (p90, longest) in enumerate(zip(noon_p90s, one_longest, strict=True)):
            cells += [day * 2] * 10
            seconds += [60] * 8 + [p90, p90]  # the 9th of 10 is the p90
            cells += [day * 2 + 1] * 3
            seconds += [60, 60, longest]
        tally = FulfillmentTally.of(np.array(seconds))
        return RunSummary(tally, cells=CellStats.of(np.array(cells), np.array(seconds)))

    good, late = 30 * 60, 50 * 60
    assessment = assess(
        Option("x", 5, "fixed"),
        [summary([good, good], [60, 60]), summary([good, late], [60, 90 * 60])],
        BLOCKS,
        Promise(40, 0.75),
    )
    noon, one = assessment.service.blocks
    assert (noon.days, noon.met, noon.orders) == (4, 3, 10.0) and noon.meets(0.75)
    assert (one.days, one.met, one.p90_minutes) == (4, 3, None)  # 90 min over the 80 allowed, on one day
    assert assessment.service.days == 4 and assessment.service.days_every_cell_met == 3
    assert assessment.blocks_meeting() == (2, 2) and assessment.meets_service_level()
    strict = assess(
        Option("x", 5, "fixed"),
        [summary([good, good], [60, 60]), summary([good, late], [60, 90 * 60])],
        BLOCKS,
        Promise(40, 0.9),
    )
    assert strict.blocks_meeting() == (0, 2) and not strict.meets_service_level()


def test_the_csv_columns_are_snake_case_and_each_interval_is_named_a_half_width():
    run = RunSummary(FulfillmentTally())
    for seconds in (60, 120, 180):
        run.fulfillment.add(seconds)
    other = RunSummary(FulfillmentTally())
    for seconds in (120, 240, 360):
        other.fulfillment.add(seconds)
    [row] = rows([assess(Option("3 cooks", 3, "fixed"), [run, other], BLOCKS, Promise(40))], lambda crew: "")
    assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", column) for column in row), list(row)
    intervals = [column for column in row if "ci95" in column]
    assert intervals and all(
        column.endswith(HALF_WIDTH) and column.removesuffix(HALF_WIDTH) in row for column in intervals
    )
    assert (row["mean_min"], row["mean_min" + HALF_WIDTH]) == (3.0, 12.71)  # means 2 and 4: t(1) * sd √2 / √2
