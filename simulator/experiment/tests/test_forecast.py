"""Orders a day for the weeks ahead, from the file alone, held against the baselines a user would pick instead."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from simulator.experiment import backtest, forecast
from simulator.experiment.demand import weekday_of
from simulator.experiment.study import read_history
from simulator.menu import load_menu
from tests import other_kitchen


def history_of(folder, days, **kinds):
    folder.mkdir(parents=True, exist_ok=True)
    menu, orders = other_kitchen.write(folder, days=days, **kinds)
    return read_history(orders, load_menu(menu), other_kitchen.ZONE, 60)


@pytest.fixture(scope="module")
def growing(tmp_path_factory):
    """Seven weeks of a kitchen growing 5% a week, with days that vary 8% beyond Poisson noise."""
    return history_of(tmp_path_factory.mktemp("growing"), 49, growth=0.05, day_cv=0.08, seed=21)


@pytest.fixture(scope="module")
def flat(tmp_path_factory):
    """Seven weeks of a kitchen that does not grow, with days that vary 20%."""
    return history_of(tmp_path_factory.mktemp("flat"), 49, day_cv=0.2, seed=22)


def folds_accuracy(history):
    """Each of the last three weeks forecast from the weeks before it: {method: mean MASE a day over the folds}."""
    whole = history.demand.days[history.demand.whole_days]
    results = {}
    for first in (int(whole[-1]) - 20, int(whole[-1]) - 13, int(whole[-1]) - 6):
        before = backtest.truncated(history, first, frozenset())
        made = forecast.forecast(before.demand, np.arange(first, first + 7))
        for a in backtest.accuracy(before, history, made, first):
            results.setdefault("forecast" if a.method == made.method else a.method, []).append(a.mase_day)
    return {method: float(np.mean(values)) for method, values in results.items()}


def test_the_method_follows_the_history_there_is(tmp_path):
    week = history_of(tmp_path / "one", 7)
    assert forecast.forecast(
        week.demand, np.arange(week.demand.days[-1] + 1, week.demand.days[-1] + 8)
    ).method.startswith("mean level")
    three = history_of(tmp_path / "three", 21)
    made = forecast.forecast(three.demand, np.arange(three.demand.days[-1] + 1, three.demand.days[-1] + 8))
    assert made.method.startswith("exponential smoothing") and made.counts_drawn


def test_with_a_trend_the_forecast_beats_both_baselines(growing):
    mase = folds_accuracy(growing)
    assert mase["forecast"] < mase[backtest.BASELINES[0]] and mase["forecast"] < mase[backtest.BASELINES[1]], mase
    last = growing.demand
    days = np.arange(last.days[-1] + 1, last.days[-1] + 8)
    made = forecast.forecast(last, days)
    assert "damped trend" in made.method
    four = forecast.mean_of_last_weeks(last, days, 4)[0]
    assert made.mean.sum() > 1.04 * four.sum()  # a mean of four weeks lags a growing kitchen by a week and a half


def test_without_a_trend_the_forecast_does_not_lose_to_them(flat):
    mase = folds_accuracy(flat)
    assert mase["forecast"] <= 1.05 * min(mase[backtest.BASELINES[0]], mase[backtest.BASELINES[1]]), mase


def test_future_days_vary_as_the_files_days_do_and_may_be_busier_than_any_seen(flat):
    demand = flat.demand
    days = np.arange(demand.days[-1] + 1, demand.days[-1] + 8)
    made = forecast.forecast(demand, days)
    counts = made.counts(made.paths(3, 1, 400), np.random.default_rng(1))
    adjusted = counts / demand.weekday_factor[weekday_of(days)]
    spread = float(np.mean(adjusted.std(axis=0) / adjusted.mean(axis=0)))  # across replications, day by day
    assert 0.8 <= spread / demand.dispersion.cv <= 1.25, (spread, demand.dispersion.cv)
    busiest = demand.totals[demand.whole_days].max()
    assert counts.max() > busiest
    again = made.counts(made.paths(3, 1, 400), np.random.default_rng(1))
    assert (again == counts).all()  # the same seed and stream, the same days
    assert not (made.paths(3, 2, 400) == made.paths(3, 1, 400)).all()


def test_each_path_draws_its_weekday_factors_with_the_uncertainty_of_a_mean_of_few_days(flat):
    """Five Saturdays give their mean only to within cv / sqrt(5): a path multiplies the fitted model's by one
    draw a weekday, unbiased, with that spread, shared by every day of the weekday in the path."""
    demand = flat.demand
    days = np.arange(demand.days[-1] + 1, demand.days[-1] + 15)  # two weeks: each weekday twice
    made = forecast.forecast(demand, days)
    recent = demand.days[demand.whole_days][-7 * 6 :]
    counted = np.bincount(weekday_of(recent), minlength=7)
    assert (demand.factor_days == counted).all() and counted.min() >= 5
    assert made.factor_sigma == pytest.approx(np.sqrt(np.log1p(demand.dispersion.cv**2 / counted)))
    exact_factors = replace(made, factor_sigma=np.zeros(7))
    ratio = made.paths(5, 1, 4000) / exact_factors.paths(5, 1, 4000)  # the same seed: the same model paths
    assert ratio[:, :7] == pytest.approx(ratio[:, 7:])
    for column, weekday in enumerate(weekday_of(days[:7])):
        assert np.log(ratio[:, column]).std() == pytest.approx(made.factor_sigma[weekday], rel=0.08)
        assert ratio[:, column].mean() == pytest.approx(1, abs=0.01)


def without(orders_file, keep) -> None:
    """Rewrite an orders file keeping the orders whose local time `keep` accepts."""
    clock = ZoneInfo(other_kitchen.ZONE)
    raw = json.loads(orders_file.read_text())
    kept = [
        o for o in raw if keep(datetime.fromisoformat(o["ordered_at"]).replace(tzinfo=timezone.utc).astimezone(clock))
    ]
    orders_file.write_text(json.dumps(kept))


def test_a_kitchen_closed_on_wednesdays_is_forecast_closed_and_measured_on_its_open_days(tmp_path):
    menu, orders = other_kitchen.write(tmp_path, days=29, day_cv=0.15, seed=3)
    without(orders, lambda local: local.weekday() != 2)
    history = read_history(orders, load_menu(menu), other_kitchen.ZONE, 60)
    demand = history.demand
    assert demand.weekday_factor[2] == 0 and np.isfinite(demand.level) and 0.05 < demand.dispersion.cv < 0.5
    days = np.arange(demand.days[-1] + 1, demand.days[-1] + 8)
    made = forecast.forecast(demand, days)
    closed = weekday_of(days) == 2
    assert (made.mean[closed] == 0).all() and (made.mean[~closed] > 0).all()
    paths = made.paths(1, 1, 50)
    assert paths.shape == (50, 7) and (paths[:, closed] == 0).all()
    replication = demand.replicate(1, 2, 1.0, history.grid)  # the sweep's replications: no day drawn for Wednesdays
    assert replication.orders and all(d % 7 != (2 - 3) % 7 for d in set(replication.days.tolist()))


def test_a_day_and_a_half_of_orders_is_not_read_as_two_whole_days(tmp_path):
    # a 24-hour export from 16:00 to 16:00 local time spans two local days, neither of them whole
    menu, orders = other_kitchen.write(tmp_path, days=3, seed=4)
    start = datetime(2024, 3, 4, 16, tzinfo=ZoneInfo(other_kitchen.ZONE))
    without(orders, lambda local: start <= local < start + timedelta(days=1))
    history = read_history(orders, load_menu(menu), other_kitchen.ZONE, 60)
    demand = history.demand
    assert len(demand.days) == 2 and not demand.whole_days.any()
    assert demand.level == pytest.approx(history.file.orders, rel=0.15)  # a day's orders, not half of them
    made = forecast.forecast(demand, np.arange(demand.days[-1] + 1, demand.days[-1] + 8))
    assert made.paths(1, 1, 30).shape == (30, 7)  # as many replications as asked, whatever the variation
