"""`python -m simulator.plan`: next week's cheapest roster of real shifts that keeps the promise on days it never saw.

The promise (--sla-p90 40 --service-level 0.95): in every interval of the day, the p90 fulfillment of the
orders received in it on a day is at most 40 minutes on at least 95% of days, and no order takes longer than
--max-wait. From your own orders file alone:

1. The week (--week-of, by default the week after the file ends) is forecast day by day (exponential
   smoothing of the weekday-adjusted daily totals, with a damped trend when it fits better, times the
   weekday factors; a seasonal-naive mean for short files), with days as variable as yours; intervals in the
   kitchen's zone (--timezone).
2. The cooks needed per interval are found on one set of replications of that week, the roster of shifts
   (--min-shift to --max-shift hours) is raised on a second, the verdict comes from a third, held out of
   every decision, and a fourth compares the roster with a fixed crew, a two-level schedule and two
   textbook rules.
3. The roster is replayed on your own days, and (three weeks of history or more) each of your last weeks is
   planned from the weeks before it and replayed: which days would have gone red.

Writes --out (plan/ by default): cook_schedule.json, shifts.csv, intervals.csv, forecast.csv, backtest.csv,
accuracy.csv, comparison.csv and plan.html. Exit status: 0 when the held-out check holds, 1 when it does not
(or the roster could not be raised to the target), 2 for input that cannot be planned.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from functools import partial

from tqdm import tqdm

from common.localtime import EPOCH_DAY
from common.service_level import Promise
from common.settings import settings_or_exit
from simulator.experiment import backtest, cli, planner
from simulator.experiment.demand import day_date
from simulator.experiment.executor import Executor, executor_for
from simulator.experiment.holiday_dates import HolidayError, read_holidays
from simulator.experiment.named_cooks import for_week
from simulator.experiment.plan_report import Backtest, summary, write_outputs
from simulator.experiment.planner import PlanProgress, PlanRequest, UnreachableTarget
from simulator.experiment.role_planner import fold_crew, plan_roles
from simulator.experiment.role_report import role_summary, write_role_outputs
from simulator.experiment.roster import RosterError
from simulator.experiment.study import History, Replication, WeekAhead
from simulator.experiment.trials import TrialCrew, run_trial
from simulator.menu import MenuError, load_menu
from simulator.requests import WeekPlanRequest
from simulator.stations.layout import Layout, LayoutError, read_layout


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("simulator.plan")
    return plan_week(cli.plan_request(argv, settings, __doc__))


def plan_week(request: WeekPlanRequest) -> int:
    """Forecast, staff, roster, judge and backtest the week; the files and the summary. The exit status (see
    the module's docstring)."""
    began = time.perf_counter()
    study = request.study
    promise = study.promise
    history = cli.history_or_exit("simulator.plan", study)
    last = int(history.demand.days[-1])
    first = (request.week_of - EPOCH_DAY).days if request.week_of else last + 1
    if first <= last:
        print(f"simulator.plan: --week-of must come after the file's last day, {day_date(last)}", file=sys.stderr)
        return 2
    try:
        holidays = with_holidays(history, request.holidays, first + 6)
    except HolidayError as error:
        print(f"simulator.plan: {error}", file=sys.stderr)
        return 2
    history = History(
        history.grid, type(history.demand).of(history.file, history.demand.zone, history.grid.per_weekday, holidays)
    )
    roster_request = PlanRequest(
        promise,
        request.min_shift,
        request.max_shift,
        request.max_cooks,
        study.demand_scale,
        study.seed,
        study.wages,
        request.rules,
    )
    roster_request = replace(roster_request, rules=for_week(request.rules, first, history.grid.zone))
    week = planner.week_ahead(
        history, first, roster_request, planner.set_sizes(history.grid.per_weekday, request.replications)
    )
    print(history.demand.dispersion.describe())
    open_executor = partial(
        lambda workers, cluster, streams: executor_for(streams, workers, cluster), study.workers, study.cluster
    )
    if request.layout is not None:
        return plan_by_role(request, roster_request, week, open_executor, holidays)
    try:
        with tqdm(desc="planning", unit="run", disable=not study.progress) as bar:
            progress = CountedProgress(bar)
            plan = planner.make_plan(roster_request, week, open_executor, progress)
            fold = partial(plan_fold, roster_request, None, open_executor, progress)
            tested = backtested(week, plan.roster.schedule(), fold, promise, holidays, progress)
    except UnreachableTarget as error:
        print(f"simulator.plan: {error}", file=sys.stderr)
        return 2
    except RosterError as error:
        print(f"simulator.plan: {error}", file=sys.stderr)
        return 1
    write_outputs(plan, tested, study.out, study.plotly_js, request.budget)
    print(summary(plan, tested, study.out, request.budget))
    print(
        work_line(
            progress.trials, time.perf_counter() - began, one_trial_seconds(week, plan), study.workers, study.cluster
        )
    )
    if not plan.raised or not plan.holds:
        print("simulator.plan: the roster does not keep the promise (see above): exit 1", file=sys.stderr)
        return 1
    return 0


def plan_by_role(
    request: WeekPlanRequest,
    roster_request: PlanRequest,
    week: WeekAhead,
    open_executor: Callable[[WeekAhead], AbstractContextManager[Executor[Replication]]],
    holidays: dict[int, str],
) -> int:
    """The week planned role by role for a layout (role_planner.py), and backtested as the one-pool plan is: the
    files and the summary; the exit status."""
    assert request.layout is not None
    study = request.study
    try:
        layout = read_layout(request.layout, week.history.grid.zone)
        layout.check_menu(load_menu(study.orders.menu), str(request.layout))
    except (LayoutError, MenuError) as error:
        print(f"simulator.plan: {error}", file=sys.stderr)
        return 2
    try:
        with tqdm(desc="planning by role", unit="run", disable=not study.progress) as bar:
            progress = CountedProgress(bar)
            plan = plan_roles(roster_request, layout, week, open_executor, progress)
            fold = partial(plan_fold, roster_request, layout, open_executor, progress)
            tested = backtested(week, plan.crew, fold, study.promise, holidays, progress)
    except UnreachableTarget as error:
        print(f"simulator.plan: {error}", file=sys.stderr)
        return 2
    except RosterError as error:
        print(f"simulator.plan: {error}", file=sys.stderr)
        return 1
    write_role_outputs(plan, tested, study.out, study.plotly_js, request.budget)
    print(role_summary(plan, tested, study.out, request.budget))
    if not plan.raised or not plan.holds:
        print("simulator.plan: the rosters do not keep the promise (see above): exit 1", file=sys.stderr)
        return 1
    return 0


class CountedProgress:
    """The progress bar, counting the trials run (a disabled tqdm counts nothing): the plan says its work."""

    def __init__(self, bar: PlanProgress) -> None:
        self.bar, self.trials = bar, 0

    def update(self, n: int = 1) -> object:
        self.trials += n
        return self.bar.update(n)

    def set_postfix_str(self, s: str) -> None:
        self.bar.set_postfix_str(s)


def one_trial_seconds(week: WeekAhead, plan: planner.Plan) -> float:
    """One trial's time in this process, the roster on a search week (median of 5, the first of them loading the
    compiled loop): the unit of the plan's work. With --cluster, the week is made here for it."""
    stream, crew = week[("search", 0)], plan.roster.schedule()
    times = []
    for _ in range(5):
        started = time.perf_counter()
        run_trial(stream, crew)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def work_line(trials: int, seconds: float, one_trial: float, workers: int, cluster: str | None) -> str:
    """The plan's time beside what its trials alone would take on its processes: the rest is its own overhead
    (the searches' judging, the roster's solver, the forecast, the backtest's replays, the files)."""
    line = f"Work: {trials:,} trials (a week each) in {seconds:.0f} s; one trial takes {one_trial * 1000:.2f} ms"
    if cluster:
        return line + " here (they ran on the cluster)."
    alone = trials * one_trial / workers
    return (
        line + f", so the trials alone take {alone:.1f} s on {workers} process(es), the rest {seconds - alone:.1f} s."
    )


def with_holidays(history: History, spec: str | None, last_day: int) -> dict[int, str]:
    """The holidays `spec` names from the file's first day to `last_day`, by local day."""
    if not spec:
        return {}
    first = int(history.demand.days[0])
    named = read_holidays(spec, day_date(first), day_date(last_day))
    return {(day - EPOCH_DAY).days: name for day, name in named.items()}


def backtested(
    week: WeekAhead,
    crew: TrialCrew,
    fold: Callable[[History, int, str], tuple[WeekAhead, TrialCrew, float]],
    promise: Promise,
    holidays: dict[int, str],
    progress: PlanProgress,
) -> Backtest:
    """The plan's crew replayed on the file's own days, and its last weeks planned again by `fold` (plan_fold)."""
    progress.set_postfix_str("backtest")
    history = week.history
    replayed, _ = backtest.replay(history, week.blocks, crew, promise)
    return Backtest(replayed, backtest.folds(history, fold, promise, frozenset(holidays)), holidays)


def plan_fold(
    request: PlanRequest,
    layout: Layout | None,
    open_executor: Callable[[WeekAhead], AbstractContextManager[Executor[Replication]]],
    progress: PlanProgress,
    before: History,
    first: int,
    name: str,
) -> tuple[WeekAhead, TrialCrew, float]:
    """One backtest fold: the week from `first`, planned cheaply from the history before it (by role, with a
    layout)."""
    sizes = {"search": backtest.FOLD_SEARCH_WEEKS, "raise": backtest.FOLD_SEARCH_WEEKS}
    request = replace(  # a fold is judged on the week as it was: its demand is not scaled
        request, scale=1.0, rules=for_week(request.rules, first, before.grid.zone)
    )
    week = planner.week_ahead(before, first, request, sizes)
    progress.set_postfix_str(f"backtest: {name}")
    rounds = backtest.FOLD_ROSTER_ROUNDS
    if layout is None:
        return week, *planner.fold_roster(request, week, open_executor, rounds, progress)
    return week, *fold_crew(request, layout, week, open_executor, rounds, progress)


if __name__ == "__main__":
    raise SystemExit(main())
