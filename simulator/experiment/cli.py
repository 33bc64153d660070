"""The command-line edge of the studies (`python -m simulator.sweep`, `python -m simulator.plan`): every flag
they take, checked here (one line naming it, exit 2, before any work), and turned into the typed request the
study receives (simulator/requests.py); and the History a request's file makes, or one line saying why it
cannot. Nothing past this module sees argparse.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import sys
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

from common.command_line import Parser
from common.service_level import Promise
from common.settings import PROJECT_ROOT, Settings
from simulator.cli import add_orders_flags, orders_from
from simulator.experiment.grid import GridError
from simulator.experiment.shift_rules import ShiftRules
from simulator.experiment.study import History, read_history
from simulator.menu import MenuError, load_menu
from simulator.orders import OrdersFileError
from simulator.requests import StudyRequest, SweepRequest, WeekPlanRequest

EXTRAS = {"ortools": "plan", "statsmodels": "plan", "holidays": "plan", "icalendar": "plan", "distributed": "cluster"}
"""The optional packages a study may need, and the extra of pyproject.toml that installs each."""


# The flags the sweep and the plan share ----------------------------------------------------------------


def add_study_flags(parser: Parser, settings: Settings, out: str) -> None:
    add_orders_flags(parser, settings)
    parser.add_argument(
        "--sla-p90",
        type=float,
        default=settings.sla_p90_minutes,
        help="the target: p90 fulfillment in minutes of the orders received in an interval on a day"
        " (default: SLA_P90_MINUTES, %(default)s)",
    )
    parser.add_argument(
        "--service-level",
        type=float,
        default=settings.service_level,
        help="the share of days on which every interval must meet the target (default: SERVICE_LEVEL, %(default)s)",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=None,
        metavar="MINUTES",
        help="no order of a day may take longer than this (default: twice --sla-p90)",
    )
    parser.add_argument(
        "--interval",
        type=int,
        default=30,
        help="minutes of local time in an interval of the day (default: %(default)s)",
    )
    parser.add_argument(
        "--demand-scale",
        type=float,
        default=1.0,
        help="orders times this: 1.2 is 20%% more orders (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the replications (default: %(default)s)")
    parser.add_argument(
        "--out",
        type=Path,
        default=PROJECT_ROOT / out,
        help=f"folder for the results (default: {out}/ in the project folder; a relative path you"
        " give is relative to where you run the command)",
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="local processes (default: the cores, %(default)s)"
    )
    parser.add_argument(
        "--cluster",
        default=os.environ.get("DASK_SCHEDULER_ADDRESS") or None,
        metavar="ADDRESS",
        help="run the trials on a Dask cluster, like tcp://HOST:8786 (default: DASK_SCHEDULER_ADDRESS;"
        " without either, local processes); needs pip install '.[cluster]'",
    )
    parser.add_argument(
        "--offline-html",
        action="store_true",
        help="put plotly.js inside the HTML chart (4.8 MB) so that it opens without internet;"
        " by default it is loaded from Plotly's CDN and the file is small enough to mail",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def study_from(args: argparse.Namespace, settings: Settings, parser: Parser) -> StudyRequest:
    """The flags every study shares, checked (one line naming the flag, exit 2), as a request."""
    if not args.sla_p90 > 0:
        parser.error("--sla-p90 must be a positive number of minutes")
    if not 0 < args.service_level < 1:
        parser.error("--service-level must be a share of days between 0 and 1, like 0.95")
    if args.max_wait is not None and not args.max_wait >= args.sla_p90:
        parser.error(f"--max-wait must be at least --sla-p90 ({args.sla_p90:g} min)")
    if not args.demand_scale > 0:
        parser.error("--demand-scale must be a positive number")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    needs("cluster" if args.cluster else None, parser.prog)
    writable(args.out, parser.prog)
    return StudyRequest(
        orders_from(args, settings, parser),
        args.interval,
        Promise(args.sla_p90, args.service_level, args.max_wait),
        args.demand_scale,
        args.seed,
        args.out,
        args.workers,
        args.cluster,
        args.offline_html,
        not args.no_progress,
        settings.wages,
    )


def needs(extra: str | None, program: str) -> None:
    """Exit 2 with one line naming the install command when a package of `extra` is missing."""
    missing = [name for name, wanted in EXTRAS.items() if wanted == extra and importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"{program}: needs the [{extra}] extra ({', '.join(missing)} missing): pip install '.[{extra}]'"
            f" in the project folder",
            file=sys.stderr,
        )
        raise SystemExit(2)


def writable(folder: Path, program: str) -> None:
    """Exit 2 with one line before any work when the results could not be written to `folder`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        print(f"{program}: cannot write the results to {folder}: {error.strerror or error}", file=sys.stderr)
        raise SystemExit(2) from None


# python -m simulator.sweep -----------------------------------------------------------------------------


def crew_range(text: str) -> tuple[int, ...]:
    """--cooks start:stop:step, both ends included."""
    try:
        start, stop, step = (int(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected start:stop:step, like 60:160:10, got {text!r}") from None
    if not (0 < start <= stop and step > 0):
        raise argparse.ArgumentTypeError(f"expected 0 < start <= stop and step > 0, got {text!r}")
    return tuple(range(start, stop + 1, step))


def sweep_parser(settings: Settings, doc: str | None) -> Parser:
    parser = Parser("python -m simulator.sweep", doc)
    parser.add_argument("--cooks", type=crew_range, required=True, help="fixed crews to try: start:stop:step")
    add_study_flags(parser, settings, "sweep")
    parser.add_argument(
        "--replications",
        type=int,
        default=5,
        help="replications: your file, then its days made again (default: %(default)s)",
    )
    return parser


def sweep_request(argv: list[str] | None, settings: Settings, doc: str | None) -> SweepRequest:
    parser = sweep_parser(settings, doc)
    args = parser.parse_args(argv)
    study = study_from(args, settings, parser)
    if args.replications < 1:
        parser.error("--replications must be at least 1")
    yours = replace(settings.schedule, zone=study.orders.zone) if settings.schedule else None
    return SweepRequest(study, args.cooks, args.replications, yours)


# python -m simulator.plan ------------------------------------------------------------------------------


def plan_parser(settings: Settings, doc: str | None) -> Parser:
    parser = Parser("python -m simulator.plan", doc)
    add_study_flags(parser, settings, "plan")
    parser.add_argument(
        "--week-of",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the first day of the week to plan (default: the day after the file's last)",
    )
    parser.add_argument(
        "--holidays",
        metavar="COUNTRY|FILE",
        help="holidays to keep out of what the file teaches and to flag: a country code of the holidays"
        " package (US, GB, US-CA...) or a file of YYYY-MM-DD dates (default: none)",
    )
    parser.add_argument(
        "--replications",
        type=int,
        default=None,
        help="replications of the week the requirement is found on (default: enough for 40 days in"
        " every interval); the roster is raised on twice as many, and checked on held-out ones",
    )
    parser.add_argument("--min-shift", type=float, default=4.0, help="shortest shift, hours (default: %(default)s)")
    parser.add_argument("--max-shift", type=float, default=8.0, help="longest shift, hours (default: %(default)s)")
    parser.add_argument("--max-cooks", type=int, help="at most this many cooks on shift at once (default: no limit)")
    rules = ShiftRules()
    parser.add_argument(
        "--break",
        dest="break_minutes",
        type=int,
        default=rules.break_minutes,
        metavar="MINUTES",
        help="a break in every shift longer than --break-after, placed where the crew still covers the requirement;"
        " whole intervals of --shift-step (or --interval) are taken from the crew (default: %(default)s; 0: no breaks)",
    )
    parser.add_argument(
        "--break-after",
        type=float,
        default=rules.break_after_hours,
        metavar="HOURS",
        help="shifts longer than this get a break (default: %(default)s)",
    )
    parser.add_argument(
        "--break-window",
        type=float,
        default=rules.break_margin_hours,
        metavar="HOURS",
        help="a break starts at least this long after its shift starts and ends this long before it ends"
        " (default: %(default)s)",
    )
    parser.add_argument("--paid-break", action="store_true", help="breaks are paid (default: unpaid)")
    parser.add_argument(
        "--starts",
        default="interval",
        metavar="WHEN",
        help="when shifts may start: 'interval' (the start of any interval of --shift-step, or --interval), 'hour'"
        " (on the hour) or a list of times like 06:00,10:00,16:00 (default: %(default)s)",
    )
    parser.add_argument(
        "--shift-step",
        type=int,
        metavar="MINUTES",
        help="the grid shifts start, end and break on, finer than --interval, like 15: every part of an interval"
        " still has its cooks (default: --interval)",
    )
    parser.add_argument(
        "--max-starting", type=int, help="at most this many cooks starting a shift at one time (default: no limit)"
    )
    parser.add_argument(
        "--shift-lengths",
        metavar="HOURS",
        help="the shift lengths allowed, like 4,6,8 (default: every length from --min-shift to --max-shift)",
    )
    parser.add_argument(
        "--open",
        metavar="HH:MM-HH:MM",
        help="opening hours, every day: no shift while closed but the paid time to open and close"
        " (default: always open)",
    )
    parser.add_argument(
        "--min-crew", type=int, default=0, help="cooks on shift at least while open (default: %(default)s)"
    )
    parser.add_argument(
        "--prep",
        type=int,
        default=0,
        metavar="MINUTES",
        help="paid time before opening, worked by --min-crew (at least one cook) (default: %(default)s)",
    )
    parser.add_argument(
        "--clean",
        type=int,
        default=0,
        metavar="MINUTES",
        help="paid time after closing, worked by --min-crew (at least one cook) (default: %(default)s)",
    )
    parser.add_argument(
        "--cooks-available",
        type=int,
        metavar="N",
        help="give the week's shifts to Cook 1..N (shifts.csv's cook column), each within --max-week-hours and"
        " --min-rest (default: shifts as counts of cooks)",
    )
    parser.add_argument(
        "--max-week-hours",
        type=float,
        metavar="HOURS",
        help="with --cooks-available: the paid hours a cook works in a week at most"
        f" (default: {rules.max_week_hours:g})",
    )
    parser.add_argument(
        "--min-rest",
        type=float,
        metavar="HOURS",
        help=f"with --cooks-available: hours between one cook's shifts at least (default: {rules.min_rest_hours:g})",
    )
    parser.add_argument(
        "--budget",
        type=float,
        metavar="AMOUNT",
        help="the week's labour budget in CURRENCY: the summary and plan.html set the roster's cost against it"
        " (default: none)",
    )
    parser.add_argument(
        "--layout",
        type=Path,
        metavar="FILE",
        help="plan the cooks of each role of this kitchen layout (TOML, like data/layout.toml): each role's shifts,"
        " and the layout with them as its crews, run by python -m simulator --layout (default: one pool of cooks)",
    )
    return parser


def plan_request(argv: list[str] | None, settings: Settings, doc: str | None) -> WeekPlanRequest:
    parser = plan_parser(settings, doc)
    args = parser.parse_args(argv)
    study = study_from(args, settings, parser)
    needs("plan", parser.prog)
    step = args.interval if args.shift_step is None else args.shift_step
    if step <= 0 or step % 15 or args.interval % step:
        parser.error(f"--shift-step {step}: expected quarter hours that divide --interval {args.interval}, like 15")
    check_shifts(parser, args.min_shift, args.max_shift, step)
    if args.max_cooks is not None and args.max_cooks < 1:
        parser.error("--max-cooks must be at least 1")
    if args.replications is not None and args.replications < 2:
        parser.error("--replications must be at least 2")
    if args.budget is not None and not 0 < args.budget < math.inf:
        parser.error(f"--budget {args.budget:g}: expected an amount > 0")
    if args.layout is not None and args.max_cooks is not None:
        parser.error("--max-cooks caps one pool of cooks; with --layout, give a role its max_cooks in the layout file")
    if args.layout is not None and args.cooks_available is not None:
        parser.error("--cooks-available names the cooks of one pool; a plan by role (--layout) does not name them yet")
    return WeekPlanRequest(
        study,
        args.week_of,
        args.holidays,
        args.replications,
        args.min_shift,
        args.max_shift,
        args.max_cooks,
        args.layout,
        shift_rules(parser, args),
        args.budget,
    )


def shift_rules(parser: Parser, args: argparse.Namespace) -> ShiftRules:
    """The roster's rules from their flags, each checked against the grid shifts are on (--shift-step)."""
    step = args.interval if args.shift_step is None else args.shift_step
    on = "--interval" if args.shift_step is None else "--shift-step"
    for flag, minutes in (("--break", args.break_minutes), ("--prep", args.prep), ("--clean", args.clean)):
        if minutes < 0 or minutes % 1:
            parser.error(f"{flag} {minutes}: expected whole minutes >= 0")
    if args.prep % step or args.clean % step:
        parser.error(f"--prep and --clean are whole {step}-minute intervals ({on})")
    if args.break_after <= 0 or args.break_window < 0:
        parser.error("expected --break-after > 0 and --break-window >= 0 hours")
    for flag, value in (("--max-starting", args.max_starting), ("--min-crew", args.min_crew)):
        if value is not None and value < (1 if flag == "--max-starting" else 0):
            parser.error(f"{flag} {value}: expected at least {1 if flag == '--max-starting' else 0}")
    start_every: int | None = None
    start_times: tuple[int, ...] = ()
    if args.starts == "hour":
        start_every = 60
    elif args.starts != "interval":
        try:
            start_times = tuple(sorted({_minute_of(text) for text in args.starts.split(",")}))
        except ValueError:
            parser.error(f"--starts {args.starts}: expected 'interval', 'hour' or times like 06:00,10:00")
    if start_every is not None and start_every % step or any(m % step for m in start_times):
        parser.error(f"--starts {args.starts}: shifts start on the {step}-minute grid ({on})")
    lengths: tuple[int, ...] = ()
    if args.shift_lengths is not None:
        try:
            lengths = tuple(sorted({round(float(text) * 60) for text in args.shift_lengths.split(",")}))
        except ValueError:
            parser.error(f"--shift-lengths {args.shift_lengths}: expected hours like 4,6,8")
        if any(m % step or not args.min_shift * 60 <= m <= args.max_shift * 60 for m in lengths):
            parser.error(
                f"--shift-lengths {args.shift_lengths}: each a whole number of {step}-minute intervals ({on}),"
                " from --min-shift to --max-shift"
            )
    opening = None
    if args.open is not None:
        try:
            opens, closes = (_minute_of(text) for text in args.open.split("-"))
        except ValueError:
            parser.error(f"--open {args.open}: expected opening hours like 10:00-23:00")
        if opens % step or closes % step:
            parser.error(f"--open {args.open}: opening hours on the {step}-minute grid ({on})")
        opening = (opens, closes)
    elif args.prep or args.clean:
        parser.error("--prep and --clean are the paid time to open and close: give --open too")
    named = ShiftRules()
    if args.cooks_available is None and (args.max_week_hours is not None or args.min_rest is not None):
        parser.error("--max-week-hours and --min-rest are the named cooks' limits: give --cooks-available too")
    most = named.max_week_hours if args.max_week_hours is None else args.max_week_hours
    rest = named.min_rest_hours if args.min_rest is None else args.min_rest
    if args.cooks_available is not None and args.cooks_available < 1:
        parser.error(f"--cooks-available {args.cooks_available}: expected at least 1 cook")
    if not 0 < most <= 7 * 24 or not 0 <= rest < 7 * 24:
        parser.error("expected 0 < --max-week-hours <= 168 and 0 <= --min-rest < 168 hours")
    if most < args.min_shift:
        parser.error(f"--max-week-hours {most:g} is shorter than the shortest shift (--min-shift {args.min_shift:g})")
    return ShiftRules(
        break_minutes=args.break_minutes,
        break_after_hours=args.break_after,
        break_paid=args.paid_break,
        break_margin_hours=args.break_window,
        start_every=start_every,
        start_times=start_times,
        max_starting=args.max_starting,
        lengths=lengths,
        opening=opening,
        min_crew=args.min_crew,
        prep_minutes=args.prep,
        clean_minutes=args.clean,
        cooks_available=args.cooks_available,
        max_week_hours=most,
        min_rest_hours=rest,
        step_minutes=args.shift_step,
    )


def _minute_of(text: str) -> int:
    """Minutes of the day of 'HH:MM' (24:00 too, for a closing time); ValueError otherwise."""
    hours, minutes = text.strip().split(":")
    minute = int(hours) * 60 + int(minutes)
    if len(minutes) != 2 or not 0 <= int(minutes) < 60 or not 0 <= minute <= 24 * 60:
        raise ValueError(text)
    return minute % (24 * 60)


def check_shifts(parser: Parser, min_shift: float, max_shift: float, interval: int) -> None:
    """Shift bounds in whole intervals of the grid; a length that is not one is refused with the nearest that are."""
    if not 0 < min_shift <= max_shift <= 24:
        parser.error("expected 0 < --min-shift <= --max-shift <= 24 hours")
    step = interval / 60
    for flag, hours in (("--min-shift", min_shift), ("--max-shift", max_shift)):
        whole = hours / step
        if abs(whole - round(whole)) > 1e-9:
            below, above = math.floor(whole) * step, math.ceil(whole) * step
            parser.error(
                f"{flag} {hours:g}: shifts are whole {interval}-minute intervals; use {below:g} or {above:g} hours"
            )


# The file a study learns from --------------------------------------------------------------------------


def history_or_exit(program: str, study: StudyRequest) -> History:
    """The file read and its demand learnt, or one line naming what is wrong and exit status 2."""
    given = study.orders
    try:
        history = read_history(given.path, load_menu(given.menu), given.zone, study.interval, given.feed)
    except (MenuError, OrdersFileError, GridError) as error:
        print(f"{program}: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    if not history.file.orders:
        print(f"{program}: {given.path} holds no order the kitchen can cook", file=sys.stderr)
        raise SystemExit(2)
    for note in history.notes():
        print(note)
    return history
