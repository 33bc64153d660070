"""Replications made from the user's file alone: its dishes, its baskets, its demand curve, its zone."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from common.localtime import LocalClock
from simulator.experiment.demand import DemandModel, covers_every_weekday_twice, midnight
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.streams import read_stream
from simulator.menu import load_menu
from tests import other_kitchen


@pytest.fixture(scope="module")
def three_weeks(tmp_path_factory):
    menu, orders = other_kitchen.write(tmp_path_factory.mktemp("other"), days=21)
    grid = IntervalGrid(30, True, other_kitchen.ZONE)
    stream = read_stream(orders, load_menu(menu), grid)
    return stream, DemandModel.of(stream, other_kitchen.ZONE, per_weekday=True), grid, orders


def quarter_of_week(epochs, zone=other_kitchen.ZONE):
    """An independent reading: the local weekday and quarter hour of each moment, through zoneinfo."""
    clock = LocalClock(zone)
    return [
        (clock.local(int(t)).weekday(), (clock.local(int(t)).hour * 60 + clock.local(int(t)).minute) // 15)
        for t in epochs
    ]


def test_three_weeks_are_studied_per_weekday_and_one_week_is_not(three_weeks):
    stream, *_ = three_weeks
    assert covers_every_weekday_twice(stream, other_kitchen.ZONE)
    first_week = stream.received < stream.received[0] + 7 * 86400
    short = type(stream)(**{**stream.__dict__, "received": stream.received[first_week]})
    assert not covers_every_weekday_twice(short, other_kitchen.ZONE)


def test_a_replication_is_the_same_for_the_same_seed_and_differs_for_another(three_weeks):
    _, demand, grid, _ = three_weeks
    one, again, other = (
        demand.replicate(7, 2, 1.0, grid),
        demand.replicate(7, 2, 1.0, grid),
        demand.replicate(7, 3, 1.0, grid),
    )
    assert np.array_equal(one.received, again.received) and np.array_equal(one.sources, again.sources)
    assert not np.array_equal(one.received[:50], other.received[:50])


def test_every_order_carries_a_basket_of_the_file_from_the_same_quarter_hour_of_the_week(three_weeks):
    stream, demand, grid, orders_file = three_weeks
    replication = demand.replicate(1, 2, 1.0, grid)
    raw = json.loads(orders_file.read_text())
    menu_names = {dish["name"] for dish in other_kitchen.MENU}
    file_times = dict(zip(stream.sources.tolist(), stream.received.tolist(), strict=True))
    file_units = {int(p): stream.units_of(i) for i, p in enumerate(stream.sources)}
    sampled = range(0, replication.orders, 37)
    made_at = quarter_of_week([replication.received[i] for i in sampled])
    drawn_from = quarter_of_week([file_times[int(replication.sources[i])] for i in sampled])
    assert made_at == drawn_from
    for i in sampled:
        source = int(replication.sources[i])
        assert replication.units_of(i) == file_units[source]  # the same cook times, in the same order
        assert {line["name"] for line in raw[source - 1]["items"]} <= menu_names
        units = slice(replication.unit_offsets[i], replication.unit_offsets[i + 1])
        dishes = [replication.dish_names[d] for d in replication.dishes[units]]  # and the same dishes, for layouts
        assert dishes == [line["name"] for line in raw[source - 1]["items"] for _ in range(line["quantity"])]
    assert (replication.rejected, replication.discarded) == (0, 0)


def test_the_arrival_rate_follows_the_file_by_hour_of_the_week(three_weeks):
    stream, demand, grid, _ = three_weeks
    hourly = IntervalGrid(60, True, other_kitchen.ZONE)
    in_file = np.bincount(hourly.of(stream.received), minlength=hourly.size)
    made = np.mean(
        [
            np.bincount(hourly.of(demand.replicate(5, r, 1.0, grid).received), minlength=hourly.size)
            for r in range(2, 12)
        ],
        axis=0,
    )
    busy = in_file >= 60  # hours of the week with enough orders for a tight comparison
    assert busy.sum() > 30
    assert np.allclose(made[busy], in_file[busy], rtol=0.12)
    assert made.sum() == pytest.approx(in_file.sum(), rel=0.02)
    assert made[in_file == 0].sum() == 0  # no orders where the file has none


def test_the_demand_scale_scales_the_orders(three_weeks):
    stream, demand, grid, _ = three_weeks
    more = np.mean([demand.replicate(3, r, 1.2, grid).orders for r in range(2, 8)])
    assert more / stream.orders == pytest.approx(1.2, rel=0.02)


def test_replications_span_the_file_and_follow_the_clocks_where_they_change(tmp_path):
    # Europe/London, over the spring change: the local hour 01:00-02:00 does not exist on 2024-03-31
    zone = "Europe/London"
    grid = IntervalGrid(60, False, zone)
    menu, orders = other_kitchen.write(tmp_path, days=3, first_day="2024-03-30")
    stream = read_stream(orders, load_menu(menu), grid)
    demand = DemandModel.of(stream, zone, per_weekday=False)
    short_day = (date(2024, 3, 31) - date(1970, 1, 1)).days
    assert midnight(short_day + 1, ZoneInfo(zone)) - midnight(short_day, ZoneInfo(zone)) == 23 * 3600
    replication = demand.replicate(1, 2, 1.0, grid)
    assert stream.received[0] <= replication.received[0] and replication.received[-1] <= stream.received[-1]
    local = [LocalClock(zone).local(int(t)) for t in replication.received]
    assert all(t.hour != 1 for t in local if t.date().isoformat() == "2024-03-31")
    assert replication.orders == pytest.approx(stream.orders, rel=0.1)


def weekday_adjusted_cv(stream, demand) -> float:
    """The file's measure, read independently: daily totals over each weekday's mean, their CV (7 means fitted)."""
    clock = LocalClock(demand.zone)
    days = np.array([(clock.local(int(t)).date() - date(1970, 1, 1)).days for t in stream.received])
    totals = np.bincount(days - days.min())
    weekdays = (np.arange(len(totals)) + days.min() + 3) % 7
    means = np.array([totals[weekdays == w].mean() for w in range(7)])
    adjusted = totals / (means[weekdays] / means.mean())
    return float(adjusted.std(ddof=7) / adjusted.mean())


@pytest.mark.parametrize("day_cv", [0.0, 0.2])
def test_replications_vary_from_day_to_day_as_the_file_does(tmp_path, day_cv):
    menu, orders = other_kitchen.write(tmp_path, days=28, day_cv=day_cv, seed=5)
    grid = IntervalGrid(30, True, other_kitchen.ZONE)
    stream = read_stream(orders, load_menu(menu), grid)
    demand = DemandModel.of(stream, other_kitchen.ZONE, per_weekday=True)
    in_file = weekday_adjusted_cv(stream, demand)
    assert demand.dispersion.cv == pytest.approx(in_file, rel=1e-6)
    made = np.mean([weekday_adjusted_cv(demand.replicate(9, r, 1.0, grid), demand) for r in range(2, 10)])
    assert 0.8 <= made / in_file <= 1.25
    poisson = demand.dispersion.poisson_cv
    if day_cv:
        assert in_file > 3 * poisson and demand.dispersion.sigma > 0.1  # far more than Poisson noise
    else:
        assert 0.8 <= made / poisson <= 1.25 and demand.dispersion.sigma < 0.03  # Poisson stays Poisson
