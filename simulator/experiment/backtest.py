"""The plan held against the user's own days.

- **Replay**: the roster replayed on the orders file itself, day by day (each day with its weekday's
  schedule), judged cell by cell as the promise says (common/service_level.py): which days would have gone
  red, and where.
- **Rolling origin** (a file of at least three weeks): the last (up to) FOLDS whole weeks of the file, each
  in turn planned from the weeks before it alone, with cheaper settings (FOLD_SEARCH_WEEKS replications to
  find the requirement on, as many to raise the roster on, no held-out check and no comparisons), then
  replayed on that week's real orders. That is the question the plan answers, asked of weeks whose outcome
  is known.
- **Forecast accuracy** in each fold: the forecast of each day's orders and of each interval's against two
  baselines a user would pick instead, "same weekday last week" and "mean of the last four same weekdays":
  MASE (mean absolute error over the in-sample error of the same-weekday-last-week forecast), and the mean
  absolute percentage error of the daily total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from common.service_level import MIN_ORDERS, Blocks, CellStats, Promise
from simulator.experiment import forecast as forecasting
from simulator.experiment.demand import DemandModel, day_date, midnight, weekday_of
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.study import History, WeekAhead, judged_by_days
from simulator.experiment.trials import TrialCrew, run_trial

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

FOLDS = 3
FOLD_SEARCH_WEEKS = 4
FOLD_ROSTER_ROUNDS = 5
BASELINES = ("same weekday last week", "mean of the last four same weekdays")


@dataclass(frozen=True)
class Cell:
    """One day and block of a replay."""

    replay: str
    """'your file', or 'fold 2'."""
    day: int
    intervals: tuple[int, ...]
    """The block's intervals (of the grid of the plan that was replayed)."""
    orders: int
    p90_seconds: int
    longest_seconds: int
    met: bool


@dataclass(frozen=True)
class Accuracy:
    """A forecast of a week against what happened: per day and per interval."""

    method: str
    mase_day: float
    mase_interval: float
    mape_day_total: float
    """Mean absolute percentage error of the daily totals."""


@dataclass(frozen=True)
class Fold:
    number: int
    first_day: int
    """The week tested (its first local day)."""
    history_days: int
    cells: list[Cell]
    labour_hours: float
    """The fold's roster, over its week, in paid cook-hours."""
    accuracy: list[Accuracy]
    """The forecast first, then the baselines."""

    @property
    def share_met(self) -> float:
        busy = [c for c in self.cells if c.orders >= MIN_ORDERS]
        return sum(c.met for c in busy) / len(busy) if busy else 1.0


def replay(
    history: History,
    blocks: Blocks,
    crew: TrialCrew,
    promise: Promise,
    first_day: int | None = None,
    last_day: int | None = None,
    name: str = "your file",
) -> tuple[list[Cell], float]:
    """The crew (a roster's schedule, or a layout with its rosters) on the file's own orders (from `first_day` to
    `last_day`, local days, inclusive; the whole file by default), cell by cell; and the labour it paid, in
    cook-hours."""
    file, zone = history.file, _zone(history.demand.zone)
    warm_up = midnight(int(first_day) - 1, zone) if first_day is not None else int(file.received[0])
    end = midnight(int(last_day) + 1, zone) if last_day is not None else int(file.received[-1]) + 1
    judged_from = int(first_day) if first_day is not None else int(history.demand.days[0])
    stream = judged_by_days(file.between(warm_up, end, name), blocks, judged_from, history.demand.zone)
    if not stream.orders:
        return [], 0.0
    summary = run_trial(stream, crew)
    return cells_of(summary.cells, blocks, judged_from, promise, name), summary.labour_hours


def cells_of(stats: CellStats | None, blocks: Blocks, first_day: int, promise: Promise, name: str) -> list[Cell]:
    if stats is None:
        return []
    met = promise.met(stats.orders, stats.p90, stats.longest)
    return [
        Cell(
            name,
            first_day + int(cell) // blocks.count,
            blocks.intervals(int(cell) % blocks.count),
            int(orders),
            int(p90),
            int(longest),
            bool(ok),
        )
        for cell, orders, p90, longest, ok in zip(
            stats.cells.tolist(),
            stats.orders.tolist(),
            stats.p90.tolist(),
            stats.longest.tolist(),
            met.tolist(),
            strict=True,
        )
    ]


def folds(
    history: History,
    plan_week: Callable[[History, int, str], tuple[WeekAhead, TrialCrew, float]],
    promise: Promise,
    holidays: frozenset[int] = frozenset(),
) -> list[Fold]:
    """The rolling-origin backtest: up to FOLDS of the file's last whole weeks, each planned from the weeks
    before it (`plan_week(history before, first day, name)` gives the week's replications, crew and labour)."""
    demand = history.demand
    whole = demand.whole_days
    if whole.sum() < 21:
        return []
    last_whole = int(demand.days[whole][-1])
    found: list[Fold] = []
    for number in range(FOLDS, 0, -1):
        first = last_whole - 7 * number + 1
        if first - int(demand.days[0]) < 14:
            continue
        before = truncated(history, first, holidays)
        name = f"fold {len(found) + 1}"
        week, crew, hours = plan_week(before, first, name)
        cells, _ = replay(history, week.blocks, crew, promise, first, first + 6, name)
        found.append(
            Fold(
                len(found) + 1,
                first,
                int(before.demand.whole_days.sum()),
                cells,
                hours,
                accuracy(before, history, week.forecast, first),
            )
        )
    return found


def truncated(history: History, first_day: int, holidays: frozenset[int]) -> History:
    """The history as it was before `first_day`: what a plan for that week could have known."""
    zone = history.demand.zone
    stream = history.file.between(int(history.file.received[0]), midnight(first_day, _zone(zone)))
    return History(history.grid, DemandModel.of(stream, zone, history.grid.per_weekday, holidays))


def accuracy(before: History, after: History, made: forecasting.Forecast, first_day: int) -> list[Accuracy]:
    """The forecast of the week from `first_day` (its seven days) against the two baselines, on what happened."""
    days = np.arange(first_day, first_day + 7)
    actual = _totals(after.demand, days)
    whole = before.demand.whole_days
    scale_day = _seasonal_naive_error(np.where(whole, before.demand.totals, np.nan))
    grid = before.grid
    actual_cells = _interval_counts(after, days, grid)
    past_cells = _interval_counts(before, before.demand.days, grid)
    past_cells[~whole] = np.nan
    scale_interval = _seasonal_naive_error(past_cells)
    forecast_days = made.mean[-7:]
    candidates = {
        made.method: forecast_days,
        BASELINES[0]: forecasting.same_weekday_last_week(before.demand, days),
        BASELINES[1]: forecasting.mean_of_last_weeks(before.demand, days, forecasting.BASELINE_WEEKS)[0],
    }
    result = []
    for method, totals in candidates.items():
        if method == made.method:
            per_interval = np.array(
                [_shares(before.demand, day, grid) * total for day, total in zip(days, totals, strict=True)]
            )
        else:
            weeks = 1 if method == BASELINES[0] else forecasting.BASELINE_WEEKS
            per_interval = _interval_baseline(before, days, grid, weeks)
        result.append(
            Accuracy(
                method,
                float(np.mean(np.abs(totals - actual)) / scale_day),
                float(np.mean(np.abs(per_interval - actual_cells)) / scale_interval),
                float(np.mean(np.abs(totals - actual) / np.maximum(actual, 1))),
            )
        )
    return result


def _totals(demand: DemandModel, days: np.ndarray) -> np.ndarray:
    by_day = dict(zip(demand.days.tolist(), demand.totals.tolist(), strict=True))
    return np.array([by_day.get(int(d), 0) for d in days], dtype=float)


def _seasonal_naive_error(values: np.ndarray) -> float:
    """The in-sample mean absolute error of 'the same day a week before' (MASE's scale), over a calendar of days
    (rows; NaN for a day that is not whole: a pair with one is left out), at least 1 order; a file of a week
    or less: of 'the day before'."""
    values = np.asarray(values, dtype=float)
    lag = 7 if len(values) > 7 else 1
    if len(values) <= lag:
        return 1.0
    errors = np.abs(values[lag:] - values[:-lag])
    return max(float(np.nanmean(errors)) if np.isfinite(errors).any() else 1.0, 1.0)


def _interval_counts(history: History, days: np.ndarray, grid: IntervalGrid) -> np.ndarray:
    """(days, intervals of a day): the orders the file received in each interval of each day."""
    file = history.file
    per_day = grid.per_day
    position = {int(d): i for i, d in enumerate(days)}
    counts = np.zeros((len(days), per_day))
    if file.days is None:
        return counts
    rows = (
        np.array([position.get(int(d), -1) for d in file.days.tolist()], dtype=np.int64)
        if file.orders
        else np.zeros(0, dtype=np.int64)
    )
    kept = rows >= 0
    np.add.at(counts, (rows[kept], file.intervals[kept] % per_day), 1)
    return counts


def _shares(demand: DemandModel, day: int | np.integer[Any], grid: IntervalGrid) -> NDArray[np.float64]:
    shares: NDArray[np.float64] = demand.day_profile(int(day)).reshape(grid.per_day, grid.minutes // 15).sum(axis=1)
    return shares


def _interval_baseline(history: History, days: np.ndarray, grid: IntervalGrid, weeks: int) -> np.ndarray:
    """Each day's intervals as the mean of the same weekday's whole days over the last `weeks` weeks."""
    demand = history.demand
    whole_days = demand.days[demand.whole_days]
    past = _interval_counts(history, whole_days, grid)
    rows = []
    for day in days.tolist():
        same = np.flatnonzero(weekday_of(whole_days) == weekday_of(day))[-weeks:]
        rows.append(past[same].mean(axis=0) if len(same) else past.mean(axis=0))
    return np.array(rows)


def _zone(name: str) -> ZoneInfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def day_name(day: int) -> str:
    return day_date(day).isoformat()
