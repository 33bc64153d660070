"""Orders a day for the days to come: the level the plan staffs a future week for, with its uncertainty.

An analyst staffs next week, not the weeks the file holds: a kitchen growing 3% a week is under-staffed by
a plan built on the average of the last five. The method depends on how much history the file has:

- **Exponential smoothing** (at least ETS_DAYS whole days): the daily totals are divided by their weekday
  factors (demand.py), and an ETS model with multiplicative errors is fitted to them twice, without a
  trend and with a damped additive one (statsmodels); the one with the lower AICc is kept. The forecast is
  its forecast times the weekday factors. Holidays and days the file covers only in part are filled in from
  the neighbouring weeks first, so that they teach the model nothing.
- **Seasonal naive** (two weeks or more): each weekday's mean over its last BASELINE_WEEKS weeks.
- **Mean level** (less): the mean whole day, the same every day.

Replications of a future day draw its total from the forecast's predictive distribution: for ETS,
simulated paths of the fitted model (they carry the day-to-day variation the model saw, and the drift of
its level and trend, so nothing is added to them: that would count the variation twice), each path with
weekday factors of its own, drawn around the file's with the uncertainty of a mean of so few days (five
Saturdays that vary 20% give their mean to within 9%; a plan that takes it as exact under-staffs every
Saturday of a file whose Saturdays happened to be quiet); for the others,
the mean times a lognormal day multiplier with the file's measured extra variation (demand.Dispersion,
widened by the uncertainty of a mean of few days), then Poisson noise. Either allows days busier than any
the file has.

The backtest (backtest.py) holds the forecast against two baselines a user would pick instead, "same
weekday last week" and "mean of the last four same weekdays" (both here), by MASE and by the error of
the daily total.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from simulator.experiment.demand import DemandModel, weekday_of

ETS_DAYS = 21
"""Whole days (three weeks) needed before exponential smoothing is fitted; fewer use a seasonal-naive mean."""
BASELINE_WEEKS = 4


class FittedModel(Protocol):
    """A fitted statsmodels ETS model (its results), as a forecast uses it: paths simulated from the series' end."""

    def simulate(
        self, nsimulations: int, /, *, repetitions: int, anchor: str, rng: np.random.Generator
    ) -> ArrayLike: ...


@dataclass(frozen=True, eq=False)
class Forecast:
    method: str
    days: NDArray[np.int64]
    """The local days forecast."""
    mean: NDArray[np.float64]
    """Expected orders on each of them."""
    counts_drawn: bool
    """True when a path is already a count of orders (ETS's paths carry every kind of noise); False when a
    path is an expected total around which the day's count is Poisson."""
    sigma: float = 0.0
    """The fallbacks' lognormal sigma of a day's level."""
    model: FittedModel | None = None
    """The fitted statsmodels results (ETS), to simulate paths from."""
    factors: NDArray[np.float64] | None = None
    """Weekday factors the ETS model's series was divided by."""
    factor_sigma: NDArray[np.float64] | None = None
    """(7,): the lognormal sigma of each weekday factor, a mean of few days: each path draws its own factors."""
    steps: NDArray[np.int64] | None = None
    """For each day forecast, the model's step after the history's end (its series counts open days only);
    -1 for a day of a weekday the kitchen is closed."""

    def paths(self, seed: int, stream: int, count: int) -> np.ndarray:
        """(count, days) totals drawn from the predictive distribution, the same for the same seed and stream."""
        rng = np.random.default_rng([seed, stream, 0, 0])  # tag 0: the day totals of a set
        if self.model is None:
            sigma = self.sigma
            shape = (count, len(self.days))
            multipliers = rng.lognormal(-sigma * sigma / 2, sigma, shape) if sigma else np.ones(shape)
            return self.mean[None, :] * multipliers
        steps, weekday_factors, factor_sigma = self.steps, self.factors, self.factor_sigma
        assert steps is not None and weekday_factors is not None and factor_sigma is not None  # set with `model`
        horizon = int(steps.max()) + 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            simulated = np.asarray(self.model.simulate(horizon, repetitions=count, anchor="end", rng=rng)).reshape(
                horizon, count
            )
        factors = weekday_factors[None, :] * rng.lognormal(-factor_sigma * factor_sigma / 2, factor_sigma, (count, 7))
        adjusted = simulated[np.maximum(steps, 0)].T * factors[:, weekday_of(self.days)]
        return np.where(steps[None, :] >= 0, np.maximum(adjusted, 0.0), 0.0)

    def counts(self, paths: np.ndarray, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
        """Whole orders a day from drawn paths: Poisson around an expected total, or the path itself rounded
        at random (up with the probability of its fraction: unbiased, and no variance added)."""
        scaled = paths * scale
        if not self.counts_drawn:
            return rng.poisson(scaled)
        floor = np.floor(scaled)
        return (floor + (rng.random(scaled.shape) < scaled - floor)).astype(np.int64)


def forecast(demand: DemandModel, days: np.ndarray) -> Forecast:
    """The forecast of the orders on `days` (local days after the file's last) from the file alone."""
    days = np.asarray(days, dtype=np.int64)
    whole = demand.whole_days
    if whole.sum() >= ETS_DAYS and demand.per_weekday:
        return _exponential_smoothing(demand, days)
    if demand.per_weekday:
        mean, k = mean_of_last_weeks(demand, days, BASELINE_WEEKS)
        return Forecast(
            f"seasonal naive (each weekday's mean over its last {k} weeks)", days, mean, False, _widened(demand, k)
        )
    k = int(whole.sum()) or len(demand.days)
    scaled = "" if whole.any() else ", scaled up for the hours the file does not cover"
    return Forecast(
        f"mean level ({k} day{'s' if k != 1 else ''}{scaled}, the same every day)",
        days,
        np.full(len(days), demand.level),
        False,
        _widened(demand, k),
    )


def _widened(demand: DemandModel, k: int) -> float:
    """The lognormal sigma of a future day around a mean of k days: the day's own variation, and the mean's."""
    sigma = demand.dispersion.sigma
    return math.sqrt(sigma * sigma * (1 + 1 / max(k, 1)))


def _exponential_smoothing(demand: DemandModel, days: np.ndarray) -> Forecast:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # an optional extra: only the plan needs it

    factors = demand.weekday_factor
    history_days, series = _adjusted_series(demand)
    if days[0] <= history_days[-1]:
        raise ValueError("the days forecast must come after the file's last day")
    open_after = np.cumsum(factors[weekday_of(np.arange(history_days[-1] + 1, days[-1] + 1))] > 0)
    steps = np.where(factors[weekday_of(days)] > 0, open_after[days - history_days[-1] - 1] - 1, -1)
    error = "mul" if (series > 0).all() else "add"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter: the AICc decides between the fits
        fits = [
            ETSModel(series, error=error, trend=trend, damped_trend=trend is not None).fit(disp=False)
            for trend in (None, "add")
        ]
        best = min(fits, key=lambda fitted: fitted.aicc)  # the lower AICc; on a tie, the first
        point = np.asarray(best.forecast(int(steps.max()) + 1))
    trend = "a damped trend" if best.model.trend else "no trend"
    method = (
        f"exponential smoothing (ETS with {'multiplicative' if error == 'mul' else 'additive'} errors and"
        f" {trend}, chosen by AICc, on {len(series)} weekday-adjusted daily totals)"
    )
    mean = np.where(steps >= 0, point[np.maximum(steps, 0)] * factors[weekday_of(days)], 0.0)
    factor_sigma = np.sqrt(np.log1p(demand.dispersion.cv**2 / np.maximum(demand.factor_days, 1)))
    return Forecast(method, days, np.maximum(mean, 0.0), True, 0.0, best, factors, factor_sigma, steps)


def _adjusted_series(demand: DemandModel) -> tuple[np.ndarray, np.ndarray]:
    """The weekday-adjusted totals as a regular series of the open days from the first whole day to the last:
    holidays and part-covered days filled in with the mean of the known days within a week of them, weekdays
    the kitchen is closed (factor 0) left out, so that they teach the model nothing."""
    known_days, known = demand.adjusted()
    span = np.arange(known_days[0], known_days[-1] + 1)
    span = span[demand.weekday_factor[weekday_of(span)] > 0]
    value = dict(zip(known_days.tolist(), known.tolist(), strict=True))
    series = np.array(
        [
            value[d]
            if d in value
            else known[np.abs(known_days - d) <= 7].mean()
            if (np.abs(known_days - d) <= 7).any()
            else known.mean()
            for d in span.tolist()
        ]
    )
    return span, series


def same_weekday_last_week(demand: DemandModel, days: np.ndarray) -> np.ndarray:
    """Baseline: each day's total is that of the same weekday in the file's last week."""
    mean, _ = mean_of_last_weeks(demand, days, 1)
    return mean


def mean_of_last_weeks(demand: DemandModel, days: np.ndarray, weeks: int) -> tuple[np.ndarray, int]:
    """Each day's total as the mean of the same weekday's whole days over the file's last `weeks` weeks (or
    of every whole day, for a file too short for that weekday); and the most weeks any weekday had."""
    whole = demand.whole_days
    result, most = [], 0
    for day in np.asarray(days).tolist():
        same = whole & (weekday_of(demand.days) == weekday_of(day))
        recent = demand.totals[same][-weeks:]
        if not len(recent):
            recent = demand.totals[whole] if whole.any() else demand.totals
        most = max(most, len(recent))
        result.append(float(np.mean(recent)) if len(recent) else 0.0)
    return np.array(result), most
