"""The command-line edge the studies share (`python -m simulator.sweep`, `python -m simulator.plan`): their
common flags, and what turns them into typed values the domain takes (a Promise, a History). Nothing below
this module sees argparse.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

from common.service_level import Promise
from common.settings import PROJECT_ROOT, Settings
from simulator import feed
from simulator.experiment.grid import GridError
from simulator.experiment.study import History, read_history
from simulator.menu import MenuError, load_menu
from simulator.orders import OrdersFileError

EXTRAS = {"ortools": "plan", "statsmodels": "plan", "holidays": "plan", "distributed": "cluster"}
"""The optional packages a study may need, and the extra of pyproject.toml that installs each."""


def study_arguments(parser: argparse.ArgumentParser, settings: Settings, out: str) -> None:
    """The flags the sweep and the plan share."""
    feed.add_arguments(parser, settings)
    parser.add_argument("--menu", type=Path, default=settings.menu_path,
                        help="the menu: JSON or CSV (name,cook_time) (default: MENU_FILE)")
    parser.add_argument("--sla-p90", type=float, default=settings.sla_p90_minutes,
                        help="the target: p90 fulfillment in minutes of the orders received in an interval on a day"
                             " (default: SLA_P90_MINUTES, %(default)s)")
    parser.add_argument("--service-level", type=float, default=settings.service_level,
                        help="the share of days on which every interval must meet the target (default: SERVICE_LEVEL,"
                             " %(default)s)")
    parser.add_argument("--max-wait", type=float, default=None, metavar="MINUTES",
                        help="no order of a day may take longer than this (default: twice --sla-p90)")
    parser.add_argument("--interval", type=int, default=30,
                        help="minutes of local time in an interval of the day (default: %(default)s)")
    parser.add_argument("--demand-scale", type=float, default=1.0,
                        help="orders times this: 1.2 is 20%% more orders (default: %(default)s)")
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


def checked(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Promise:
    """The flags every study shares, checked (argparse's error, exit 2, naming the flag); the promise they make."""
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
    return Promise(args.sla_p90, args.service_level, args.max_wait)


def needs(extra: str | None, program: str) -> None:
    """Exit 2 with one line naming the install command when a package of `extra` is missing."""
    missing = [name for name, wanted in EXTRAS.items() if wanted == extra and importlib.util.find_spec(name) is None]
    if missing:
        print(f"{program}: needs the [{extra}] extra ({', '.join(missing)} missing): pip install '.[{extra}]'"
              f" in the project folder", file=sys.stderr)
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


def history_or_exit(program: str, args: argparse.Namespace, options: feed.FeedOptions) -> History:
    """The file read and its demand learnt, or one line naming what is wrong and exit status 2."""
    try:
        history = read_history(args.orders, load_menu(args.menu), args.timezone, args.interval, options)
    except (MenuError, OrdersFileError, GridError) as error:
        print(f"{program}: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    if not history.file.orders:
        print(f"{program}: {args.orders} holds no order the kitchen can cook", file=sys.stderr)
        raise SystemExit(2)
    for note in history.notes():
        print(note)
    return history


def plotly_js(args: argparse.Namespace) -> bool | str:
    """How an HTML chart gets plotly.js: inside it, or from the CDN."""
    return True if args.offline_html else "cdn"
