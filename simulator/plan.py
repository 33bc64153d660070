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

import argparse
import math
import sys
from datetime import date
from dataclasses import replace
from functools import partial

from tqdm import tqdm

from common.localtime import EPOCH_DAY
from common.settings import settings_or_exit
from simulator import feed
from simulator.experiment import backtest, cli, planner
from simulator.experiment.demand import day_date
from simulator.experiment.executor import executor_for
from simulator.experiment.holiday_dates import HolidayError, read_holidays
from simulator.experiment.plan_report import Backtest, summary, write_outputs
from simulator.experiment.planner import PlanRequest, UnreachableTarget
from simulator.experiment.roster import RosterError
from simulator.experiment.study import History, WeekAhead


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("simulator.plan")
    parser = argparse.ArgumentParser(prog="python -m simulator.plan", description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    cli.study_arguments(parser, settings, "plan")
    parser.add_argument("--week-of", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="the first day of the week to plan (default: the day after the file's last)")
    parser.add_argument("--holidays", metavar="COUNTRY|FILE",
                        help="holidays to keep out of what the file teaches and to flag: a country code of the holidays"
                             " package (US, GB, US-CA...) or a file of YYYY-MM-DD dates")
    parser.add_argument("--replications", type=int, default=None,
                        help="replications of the week the requirement is found on (default: enough for 40 days in"
                             " every interval); the roster is raised on twice as many, and checked on held-out ones")
    parser.add_argument("--min-shift", type=float, default=4.0, help="shortest shift, hours (default: %(default)s)")
    parser.add_argument("--max-shift", type=float, default=8.0, help="longest shift, hours (default: %(default)s)")
    parser.add_argument("--max-cooks", type=int, help="at most this many cooks on shift at once (default: no limit)")
    args = parser.parse_args(argv)
    promise = cli.checked(parser, args)
    cli.needs("plan", parser.prog)
    check_shifts(parser, args)
    if args.max_cooks is not None and args.max_cooks < 1:
        parser.error("--max-cooks must be at least 1")
    if args.replications is not None and args.replications < 2:
        parser.error("--replications must be at least 2")
    history = cli.history_or_exit("simulator.plan", args, feed.options_from(args, settings, parser))
    last = int(history.demand.days[-1])
    first = (args.week_of - EPOCH_DAY).days if args.week_of else last + 1
    if first <= last:
        parser.error(f"--week-of must come after the file's last day, {day_date(last)}")
    try:
        holidays = with_holidays(history, args.holidays, first + 6)
    except HolidayError as error:
        print(f"simulator.plan: {error}", file=sys.stderr)
        return 2
    history = History(history.grid, type(history.demand).of(history.file, history.demand.zone, history.grid.per_weekday,
                                                             holidays))
    request = PlanRequest(promise, args.min_shift, args.max_shift, args.max_cooks, args.demand_scale, args.seed)
    week = planner.week_ahead(history, first, request, planner.set_sizes(history.grid.per_weekday, args.replications))
    print(history.demand.dispersion.describe())
    open_executor = partial(lambda workers, cluster, streams: executor_for(streams, workers, cluster),
                            args.workers, args.cluster)
    try:
        with tqdm(desc="planning", unit="run", disable=args.no_progress) as progress:
            plan = planner.make_plan(request, week, open_executor, progress)
            progress.set_postfix_str("backtest")
            replayed, _ = backtest.replay(history, week.blocks, history.grid.schedule(plan.roster.on_shift), promise)
            folds = backtest.folds(history, partial(plan_fold, request, open_executor, progress), promise,
                                   frozenset(holidays))
    except UnreachableTarget as error:
        print(f"simulator.plan: {error}", file=sys.stderr)
        return 2
    except RosterError as error:
        print(f"simulator.plan: {error}", file=sys.stderr)
        return 1
    tested = Backtest(replayed, folds, holidays)
    write_outputs(plan, tested, args.out, cli.plotly_js(args))
    print(summary(plan, tested, args.out))
    if not plan.raised or not plan.holds:
        print("simulator.plan: the roster does not keep the promise (see above): exit 1", file=sys.stderr)
        return 1
    return 0


def check_shifts(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Shift bounds in whole intervals of the grid; a length that is not one is refused with the nearest that are."""
    if not 0 < args.min_shift <= args.max_shift <= 24:
        parser.error("expected 0 < --min-shift <= --max-shift <= 24 hours")
    step = args.interval / 60
    for flag, hours in (("--min-shift", args.min_shift), ("--max-shift", args.max_shift)):
        whole = hours / step
        if abs(whole - round(whole)) > 1e-9:
            below, above = math.floor(whole) * step, math.ceil(whole) * step
            parser.error(f"{flag} {hours:g}: shifts are whole {args.interval}-minute intervals; use"
                         f" {below:g} or {above:g} hours")


def with_holidays(history: History, spec: str | None, last_day: int) -> dict[int, str]:
    """The holidays `spec` names from the file's first day to `last_day`, by local day."""
    if not spec:
        return {}
    first = int(history.demand.days[0])
    named = read_holidays(spec, day_date(first), day_date(last_day))
    return {(day - EPOCH_DAY).days: name for day, name in named.items()}


def plan_fold(request: PlanRequest, open_executor, progress, before: History, first: int,
              name: str) -> tuple[WeekAhead, object, float]:
    """One backtest fold: the week from `first`, planned cheaply from the history before it."""
    sizes = {"search": backtest.FOLD_SEARCH_WEEKS, "raise": backtest.FOLD_SEARCH_WEEKS}
    request = replace(request, scale=1.0)  # a fold is judged on the week as it was: its demand is not scaled
    week = planner.week_ahead(before, first, request, sizes)
    progress.set_postfix_str(f"backtest: {name}")
    schedule, hours = planner.fold_roster(request, week, open_executor, backtest.FOLD_ROSTER_ROUNDS, progress)
    return week, schedule, hours


if __name__ == "__main__":
    raise SystemExit(main())
