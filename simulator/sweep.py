"""`python -m simulator.sweep`: how many cooks? Try fixed crews and two-level schedules on your own orders.

For every fixed crew in --cooks (start:stop:step), every two-level schedule built from those counts (a
base crew, and a peak crew from 10:30 to 14:30 and 17:00 to 21:30) and your own COOK_SCHEDULE, the
kitchen replays the orders in virtual time (no database, no waiting) on R replications, in parallel on
this machine's cores: replication 1 is your file, 2..R are made from it (same demand curve and order
mix, other moments and orders; see simulator/experiment/demand.py). Every option sees the same
replications. It prints a table, writes it as CSV beside a chart of p90 fulfillment against labour
(HTML), and names the smallest fixed crew and the cheapest schedule that meet the p90 target, over the
whole run and in every interval of the day. `python -m simulator.plan` goes further: the cheapest roster
of real shifts.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import plotly.graph_objects as go
from tqdm import tqdm

from common.settings import PROJECT_ROOT, settings_or_exit
from simulator import feed
from simulator.experiment import options, report
from simulator.experiment.executor import executor_for
from simulator.experiment.grid import GridError
from simulator.experiment.report import Assessment
from simulator.experiment.study import replications
from simulator.menu import MenuError, load_menu
from simulator.orders import OrdersFileError

CHEAPEST_SCHEDULES_SHOWN = 5


def crew_range(text: str) -> list[int]:
    try:
        start, stop, step = (int(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected start:stop:step, like 60:160:10, got {text!r}") from None
    if not (0 < start <= stop and step > 0):
        raise argparse.ArgumentTypeError(f"expected 0 < start <= stop and step > 0, got {text!r}")
    return list(range(start, stop + 1, step))


def study_arguments(parser: argparse.ArgumentParser, settings, out: str) -> None:
    """The flags the sweep and the plan share."""
    feed.add_arguments(parser, settings)
    parser.add_argument("--menu", type=Path, default=settings.menu_path,
                        help="the menu: JSON or CSV (name,cook_time) (default: MENU_FILE)")
    parser.add_argument("--replications", type=int, default=5,
                        help="replications: your file, then streams made from it (default: %(default)s)")
    parser.add_argument("--sla-p90", type=float, default=40.0,
                        help="target: p90 fulfillment in minutes, overall and in each interval (default: %(default)s)")
    parser.add_argument("--interval", type=int, default=30,
                        help="minutes of local time in an interval of the day (default: %(default)s)")
    parser.add_argument("--demand-scale", type=float, default=1.0,
                        help="arrival rate times this: 1.2 is 20%% more orders (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the replications (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / out,
                        help=f"folder for the results (default: {out}/ in the project folder; a relative path you"
                             " give is relative to where you run the command)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="local processes (default: the cores, %(default)s)")
    parser.add_argument("--cluster", default=os.environ.get("DASK_SCHEDULER_ADDRESS") or None, metavar="ADDRESS",
                        help="run the trials on a Dask cluster, like tcp://HOST:8786 (default: DASK_SCHEDULER_ADDRESS;"
                             " without either, local processes); needs pip install '.[cluster]'")
    parser.add_argument("--offline-html", action="store_true",
                        help="put plotly.js inside the HTML chart (4.8 MB) so that it opens without internet;"
                             " by default it is loaded from Plotly's CDN and the file is small enough to mail")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def checked(parser: argparse.ArgumentParser, args: argparse.Namespace, settings) -> argparse.Namespace:
    if args.replications < 1:
        parser.error("--replications must be at least 1")
    if not args.sla_p90 > 0:
        parser.error("--sla-p90 must be a positive number of minutes")
    if not args.demand_scale > 0:
        parser.error("--demand-scale must be a positive number")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    args.feed = feed.options_from(args, settings, parser)
    return args


def read_replications(program: str, args, zone: str, fresh: int = 0):
    """The study's replications, or one line naming what is wrong and exit status 2."""
    try:
        made = replications(args.orders, load_menu(args.menu), zone, args.interval, args.replications, args.seed,
                            args.demand_scale, fresh, args.feed)
    except (MenuError, OrdersFileError, GridError) as error:
        print(f"{program}: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    if not made.file.orders:
        print(f"{program}: {args.orders} holds no order the kitchen can cook", file=sys.stderr)
        raise SystemExit(2)
    for note in made.notes():
        print(note)
    return made


def plotly_js(args: argparse.Namespace) -> bool | str:
    """How an HTML chart gets plotly.js: inside it, or from the CDN."""
    return True if args.offline_html else "cdn"


def plot(assessments: list[Assessment], target: float, marked: dict[str, Assessment], path: Path,
         include_plotlyjs: bool | str) -> None:
    """p90 against labour for every option, the target as a line, the recommended options labelled."""
    figure = go.Figure()
    for kind, name, symbol in (("fixed", "fixed crews", "circle"), ("schedule", "two-level schedules", "diamond"),
                               ("yours", "your COOK_SCHEDULE", "star")):
        chosen = [a for a in assessments if a.option.kind == kind and a.p90.mean is not None]
        if chosen:
            figure.add_scatter(
                x=[a.labour_hours.mean for a in chosen], y=[a.p90.mean for a in chosen], mode="markers", name=name,
                marker_symbol=symbol, text=[a.option.name for a in chosen],
                error_y={"type": "data", "array": [a.p90.half_width or 0 for a in chosen]},
                hovertemplate="%{text}<br>%{x:,.0f} cook-hours<br>p90 %{y:.1f} min<extra></extra>",
            )
    for label, a in marked.items():
        figure.add_annotation(x=a.labour_hours.mean, y=a.p90.mean, text=f"{label}: {a.option.name}", showarrow=True,
                              arrowhead=2, ax=40, ay=-40, bgcolor="white")
    figure.add_hline(y=target, line_dash="dash", annotation_text=f"target p90 {target:g} min")
    figure.update_layout(title="Fixed crews and schedules: p90 fulfillment against labour",
                         xaxis_title="labour (cook-hours)", yaxis_title="p90 fulfillment (minutes)",
                         template="plotly_white", width=1000, height=600)
    figure.write_html(path, include_plotlyjs=include_plotlyjs)


def cheapest(assessments: list[Assessment], meets) -> Assessment | None:
    return min((a for a in assessments if meets(a)), key=lambda a: a.labour_hours.mean, default=None)


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("simulator.sweep")
    parser = argparse.ArgumentParser(prog="python -m simulator.sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--cooks", type=crew_range, required=True, help="fixed crews to try: start:stop:step")
    study_arguments(parser, settings, "sweep")
    args = checked(parser, parser.parse_args(argv), settings)
    made = read_replications("simulator.sweep", args, args.timezone)
    choices = (options.fixed_crews(args.cooks) + options.two_level_schedules(args.cooks, args.timezone)
               + options.yours(settings.schedule))

    tasks = [(r, option.crew) for option in choices for r in range(len(made.streams))]
    with executor_for(made.streams, args.workers, args.cluster) as executor, \
            tqdm(total=len(tasks), desc="trials", unit="run", disable=args.no_progress) as progress:
        summaries = executor.map(tasks, progress)
    per_option = len(made.streams)
    assessments = [report.assess(option, summaries[i * per_option:(i + 1) * per_option], made.grid)
                   for i, option in enumerate(choices)]

    target = args.sla_p90
    verdicts = {
        "smallest fixed crew, p90 overall": cheapest([a for a in assessments if a.option.kind == "fixed"],
                                                     lambda a: a.meets_overall(target)),
        "smallest fixed crew, every interval": cheapest([a for a in assessments if a.option.kind == "fixed"],
                                                        lambda a: a.meets_every_interval(target)),
        "cheapest option, p90 overall": cheapest(assessments, lambda a: a.meets_overall(target)),
        "cheapest option, every interval": cheapest(assessments, lambda a: a.meets_every_interval(target)),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    report.write_csv(args.out / "sweep.csv", report.rows(assessments, target, options.describe))
    plot(assessments, target, {k: v for k, v in verdicts.items() if v is not None and "cheapest" in k},
         args.out / "sweep.html", plotly_js(args))

    schedules = sorted((a for a in assessments if a.option.kind == "schedule" and a.meets_overall(target)),
                       key=lambda a: a.labour_hours.mean)
    shown = ([a for a in assessments if a.option.kind == "fixed"] + schedules[:CHEAPEST_SCHEDULES_SHOWN]
             + [a for a in assessments if a.option.kind == "yours"])
    print(report.table(shown, target))
    print(f"\nShown: every fixed crew, the {min(CHEAPEST_SCHEDULES_SHOWN, len(schedules))} cheapest of"
          f" {len(schedules)} two-level schedules meeting p90 <= {target:g} min overall"
          + (", and your COOK_SCHEDULE" if settings.schedule else "") + f"; all {len(assessments)} options in"
          f" {args.out / 'sweep.csv'}, charted in {args.out / 'sweep.html'}.")
    print(f"Labour counts every cook on shift from the first order until the last is done: a crew too small"
          f" works on past the last order. Max queue counts orders waiting for a first cook. An interval is"
          f" {args.interval} min of local time; those with at least {report.MIN_ORDERS} orders per replication"
          f" are held to the target.")
    print(f"{made.file.orders:,} orders in the file; {len(made.streams)} replication(s) of"
          f" {sum(s.orders for s in made.streams) / len(made.streams):,.0f} orders on average.\n")
    for label, a in verdicts.items():
        print(f"{label[0].upper() + label[1:]}:", "none tried meets the target" if a is None else
              f"{a.option.name} ({a.labour_hours.show(0, ci=False)} cook-hours, p90 {a.p90.show()} min,"
              f" {'/'.join(map(str, a.intervals_meeting(target)))} intervals on target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
