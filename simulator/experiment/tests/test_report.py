"""What a study reports: estimates over replications, and "no data" where there is none."""

from __future__ import annotations

import math

import pytest

from simulator.experiment.grid import IntervalGrid
from simulator.experiment.report import Estimate, assess, rows, table
from simulator.experiment.trials import Option
from simulator.tally import FulfillmentTally, RunSummary

GRID = IntervalGrid(60, False, "UTC")


def test_an_estimate_is_the_mean_and_a_student_t_interval():
    estimate = Estimate.of([1.0, 2.0, 3.0])
    assert estimate.mean == 2.0 and estimate.half_width == pytest.approx(4.30 / math.sqrt(3))
    assert Estimate.of([5.0]) == Estimate(5.0, None)
    assert Estimate.of([None, 4.0, None, 6.0]).mean == 5.0  # replications without a value are left out


def test_no_data_is_said_never_zero():
    nothing = RunSummary(FulfillmentTally())  # no order completed, nobody on shift
    assessment = assess(Option("idle", 3, "fixed"), [nothing, nothing], GRID)
    assert assessment.p90.mean is None and assessment.utilisation.mean is None
    assert assessment.p90.show() == "no data"
    assert "no data" in table([assessment], 40)
    [row] = rows([assessment], 40, lambda crew: "")
    assert (row["p90_min"], row["utilisation_pct"], row["intervals_on_target_pct"]) == ("", "", "")


def test_intervals_are_held_to_the_target_when_they_have_enough_orders():
    def summary(seconds_at_noon: list[int], seconds_at_one: list[int]) -> RunSummary:
        noon, one = FulfillmentTally(), FulfillmentTally()
        for s in seconds_at_noon:
            noon.add(s)
        for s in seconds_at_one:
            one.add(s)
        return RunSummary(noon.merge(one), by_interval={12: noon, 13: one})

    busy, quiet = [600] * 9 + [3000], [5000] * 3  # p90: 10 min at noon; 83 min at one, from three orders
    assessment = assess(Option("x", 5, "fixed"), [summary(busy, quiet), summary(busy, quiet)], GRID)
    noon, one = assessment.intervals
    assert (noon.label, noon.orders, noon.p90.mean, noon.counted) == ("12:00", 10, 10.0, True)
    assert (one.orders, one.counted) == (3, False)
    assert assessment.intervals_meeting(40) == (1, 1) and assessment.meets_every_interval(40)
    assert assessment.intervals_meeting(5) == (0, 1) and [i.label for i in assessment.missed(5)] == ["12:00"]
