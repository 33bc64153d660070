"""The command-line edge of the simulator's commands (`python -m simulator`, `simulator.check`,
`simulator.generate`), and the orders flags every command that reads orders shares (the studies' too,
simulator/experiment/cli.py): flags in, a typed request out (simulator/requests.py), each bad flag refused
here with one line naming it (common/command_line.py). Nothing past this module sees argparse.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TypeVar

from common.command_line import Parser, shown_default
from common.settings import (
    COLUMNS,
    Settings,
    SettingsError,
    cli_target,
    parse_columns,
    parse_cooks,
    parse_speed,
    parse_timezone,
    parse_wait,
)
from simulator.feed import EXTENSIONS, FORMATS, PRICE_UNITS, STDIN, FeedOptions
from simulator.feed.presets import PRESETS
from simulator.menu import seconds_of
from simulator.menu_draft import ANY
from simulator.orders import Reading
from simulator.requests import LATEST, CalibrateRequest, CheckRequest, GenerateRequest, Orders, RunRequest

SEED = 2019
"""python -m simulator.generate's seed: the shipped data's."""


# The orders flags --------------------------------------------------------------------------------------


def add_orders_flags(parser: Parser, settings: Settings) -> None:
    """--orders, the flags that say how to read it, --timezone and --menu, for every command that reads orders."""
    parser.add_argument(
        "--orders",
        type=_orders_path,
        default=settings.orders_path,
        help="the orders: .json, .jsonl/.ndjson or .csv, or - for standard input"
        f" (default: ORDERS_FILE of the parameters file, {shown_default(settings.orders_path)})",
    )
    parser.add_argument(
        "--orders-format",
        choices=FORMATS,
        help="the format, when the extension does not say it (default: from the extension)",
    )
    parser.add_argument(
        "--columns",
        type=_columns,
        default=None,
        metavar="OURS=THEIRS,...",
        help="CSV columns by the names in your export, like ordered_at=Created,item=Product"
        f" (ours: {', '.join(COLUMNS)}; default: ORDERS_COLUMNS, else ours)",
    )
    parser.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default=None,
        help="a point-of-sale export read as it comes: Square's items detail, Toast's ItemSelectionDetails.csv,"
        " Clover's line items (default: ORDERS_PRESET, else found from the header when --columns is not given)",
    )
    parser.add_argument(
        "--location",
        default=None,
        metavar="NAME",
        help="keep this location's rows of an export of several (default: the file must hold one)",
    )
    parser.add_argument(
        "--decimal-comma",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="CSV prices write a decimal comma, like 13,50 (--no-decimal-comma: a decimal point; default: found"
        " from the file's prices, a point for standard input)",
    )
    parser.add_argument(
        "--delimiter",
        type=_delimiter,
        default=None,
        metavar="CHAR",
        help="what separates a CSV's fields: , ; tab or | (default: found from the header line)",
    )
    parser.add_argument(
        "--orders-timezone",
        default=None,
        metavar="ZONE",
        help="read timestamps without an offset as local time of this IANA zone"
        " (default: ORDERS_TIMEZONE, else UTC); it does not move local days: see --timezone",
    )
    parser.add_argument(
        "--timezone",
        type=timezone_type("--timezone"),
        default=settings.timezone,
        metavar="ZONE",
        help="the kitchen's IANA zone: it sets local days, intervals and shift times"
        " (default: KITCHEN_TIMEZONE, %(default)s)",
    )
    parser.add_argument(
        "--time-format",
        default=settings.orders_time_format,
        metavar="PATTERN",
        help="a strptime pattern for timestamps that are not ISO-8601, like '%%m/%%d/%%Y %%I:%%M %%p'"
        " (default: ORDERS_TIME_FORMAT, else ISO-8601)",
    )
    parser.add_argument(
        "--price-unit",
        choices=PRICE_UNITS,
        default="dollars",
        help="CSV prices: amounts like 12.50 (dollars, the default) or whole cents",
    )
    parser.add_argument(
        "--menu",
        type=Path,
        default=settings.menu_path,
        help=f"the menu: JSON or CSV (name,cook_time) (default: MENU_FILE, {shown_default(settings.menu_path)})",
    )


def orders_from(args: argparse.Namespace, settings: Settings, parser: Parser) -> Orders:
    """The orders flags as a typed request; a bad --orders-timezone is refused naming it."""
    zone = args.orders_timezone or settings.orders_timezone
    if args.orders_timezone is not None:
        try:
            parse_timezone(zone, "--orders-timezone")
        except SettingsError as error:
            parser.error(str(error))
    columns = args.columns if args.columns is not None else (settings.orders_columns or {})
    preset = args.preset or (None if args.columns else settings.orders_preset)
    if preset not in (None, *PRESETS):
        parser.error(f"ORDERS_PRESET: expected one of {', '.join(PRESETS)}, got {preset!r}")
    if args.preset is not None and args.columns:
        parser.error("give --preset or --columns, not both: a preset names the columns itself")
    feed = FeedOptions(
        args.orders_format,
        columns,
        Reading(zone, args.time_format),
        args.price_unit,
        preset,
        args.location,
        args.decimal_comma,
        args.delimiter,
        args.timezone,
    )
    return Orders(args.orders, feed, args.menu, args.timezone)


Parsed = TypeVar("Parsed")


def argument(parse: Callable[[str, str], Parsed], flag: str) -> Callable[[str], Parsed]:
    """An argparse type from one of common/settings.py's parsers, its error said as argparse says one."""

    def convert(text: str) -> Parsed:
        try:
            return parse(text, flag)
        except SettingsError as error:
            raise argparse.ArgumentTypeError(str(error).removeprefix(f"{flag}: ")) from None

    return convert


def timezone_type(flag: str) -> Callable[[str], str]:
    """An argparse type for an IANA zone: a bad one is refused by argparse, naming `flag`."""
    return argument(parse_timezone, flag)


def _delimiter(text: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}.get(text.lower(), text)
    if len(named) != 1 or named.isalnum() or named in '"\r\n':
        raise argparse.ArgumentTypeError(f"expected one character like ; or tab, got {text!r}")
    return named


def _orders_path(text: str) -> Path | str:
    return text if text == STDIN else Path(text)


def _columns(text: str) -> dict[str, str]:
    try:
        pairs = [pair.split("=", 1) for pair in text.split(",") if pair.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise SettingsError(f"--columns: expected ours=theirs pairs separated by commas, got {text!r}")
        return parse_columns(dict(pairs), "--columns")
    except SettingsError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--columns: ")) from None


# python -m simulator -----------------------------------------------------------------------------------


def run_parser(settings: Settings, doc: str | None) -> Parser:
    parser = Parser("python -m simulator", doc)
    add_orders_flags(parser, settings)
    parser.add_argument(
        "--db",
        type=cli_target,
        default=settings.database,
        help="a SQLite database file, or a postgresql:// URL (default: DATABASE, or KITCHEN_DB:"
        f" {shown_default(settings.database)})",
    )
    parser.add_argument(
        "--kitchen", default=settings.kitchen, help="this kitchen's name (default: KITCHEN_NAME, %(default)s)"
    )
    crew = parser.add_mutually_exclusive_group()
    crew.add_argument(
        "--cooks",
        type=argument(parse_cooks, "--cooks"),
        help="a fixed crew (default: COOK_SCHEDULE if set, else NUM_COOKS,"
        f" {'a schedule' if settings.schedule else settings.cooks})",
    )
    crew.add_argument(
        "--schedule",
        type=Path,
        metavar="FILE",
        help="a cook schedule as JSON, like the cook_schedule.json of python -m simulator.plan"
        " (default: the crew of --cooks)",
    )
    crew.add_argument(
        "--layout",
        type=Path,
        metavar="FILE",
        help="the kitchen as it is laid out (TOML, like data/layout.toml): stations, roles and their cooks, routes,"
        " packing; its roles hold the crew (default: KITCHEN_LAYOUT"
        + (f", {shown_default(settings.layout_path)}" if settings.layout_path else ", none")
        + ", unless --cooks or --schedule is given)",
    )
    parser.add_argument(
        "--layout-seed",
        type=int,
        metavar="SEED",
        help="the seed the layout's varying step times are drawn with: the same seed, the same times (default: 1)",
    )
    parser.add_argument(
        "--record-units",
        action="store_true",
        help="with a layout: record every step of every unit and every order's packing (table unit_steps), for a"
        " study of a day or so (a row a step: a million orders would write millions)",
    )
    parser.add_argument(
        "--speed",
        type=argument(parse_speed, "--speed"),
        default=settings.speed,
        help="simulated seconds per wall second, or 'max' for as fast as possible (default:"
        f" SIMULATION_SPEED, {'max' if settings.speed is None else format(settings.speed, 'g')})",
    )
    parser.add_argument(
        "--db-retry-seconds",
        type=argument(parse_wait, "--db-retry-seconds"),
        default=settings.db_retry_seconds,
        metavar="SECONDS",
        help="how long to wait for a database that is away (a server restarting, a file locked by another"
        " program), the kitchen going on meanwhile, before stopping with the run left 'running' to be resumed"
        " (default: DB_RETRY_SECONDS, %(default)g)",
    )
    parser.add_argument(
        "--resume",
        nargs="?",
        const=LATEST,
        type=_run_number,
        metavar="RUN",
        help="go on with a run that stopped before its end (killed, given up on its database, stopped, failed):"
        " RUN, or this kitchen's latest run left 'running' (a new run when there is none). It takes its crew,"
        " speed, zone and files from the run, replays what it committed as fast as possible, checks it, and goes"
        " on at its speed",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines, only warnings and the summary")
    return parser


def run_request(argv: list[str] | None, settings: Settings, doc: str | None) -> RunRequest:
    parser = run_parser(settings, doc)
    args = parser.parse_args(argv)
    orders = orders_from(args, settings, parser)
    # a schedule's times of day, the file's or COOK_SCHEDULE, are the kitchen's: those of --timezone
    crew = args.cooks or (settings.schedule and replace(settings.schedule, zone=args.timezone)) or settings.cooks
    layout = args.layout or (None if args.cooks or args.schedule else settings.layout_path)
    for flag, given in (("--record-units", args.record_units), ("--layout-seed", args.layout_seed is not None)):
        if given and layout is None:
            parser.error(f"argument {flag}: it is for a laid-out kitchen; give --layout (or KITCHEN_LAYOUT)")
    seed = 1 if args.layout_seed is None else args.layout_seed
    if seed < 0:
        parser.error(f"argument --layout-seed: expected a whole number >= 0, got {seed}")
    return RunRequest(
        orders,
        args.db,
        args.kitchen,
        crew,
        args.schedule,
        layout,
        seed,
        args.record_units,
        args.speed,
        args.quiet,
        args.db_retry_seconds,
        args.resume,
    )


def _run_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a run's number (1, 2, ...), got {text!r}")
    return number


# python -m simulator.check -----------------------------------------------------------------------------


def check_parser(settings: Settings, doc: str | None) -> Parser:
    parser = Parser("python -m simulator.check", doc)
    add_orders_flags(parser, settings)
    parser.add_argument(
        "--write-menu",
        type=Path,
        metavar="FILE",
        help="also write a menu drafted from the export (CSV): every dish it sold, with its category, the units"
        " sold and a cook time to fill in (the one of --menu when the dish is there)",
    )
    parser.add_argument(
        "--default-cook-time",
        type=_cook_times,
        default={},
        metavar="[CATEGORY=]TIME,...",
        help="with --write-menu: the cook time of dishes not on --menu, in seconds or minutes:seconds, for all"
        " (6:00) or by category (Burgers=8:00,Sides=3:00,*=5:00) (default: left empty, to fill in)",
    )
    return parser


def check_request(argv: list[str] | None, settings: Settings, doc: str | None) -> CheckRequest:
    parser = check_parser(settings, doc)
    args = parser.parse_args(argv)
    if args.default_cook_time and args.write_menu is None:
        parser.error("--default-cook-time fills in the menu of --write-menu: give --write-menu FILE too")
    if args.write_menu is not None and args.write_menu.suffix.lower() != ".csv":
        parser.error(f"--write-menu writes CSV: give a file name ending in .csv, got {str(args.write_menu)!r}")
    return CheckRequest(orders_from(args, settings, parser), args.write_menu, args.default_cook_time)


def _cook_times(text: str) -> dict[str, int]:
    """'6:00' (every category) or 'Burgers=8:00,*=5:00': category -> seconds."""
    times = {}
    for part in text.split(","):
        category, _, given = part.rpartition("=") if "=" in part else (ANY, "=", part)
        seconds = seconds_of(given)
        if not isinstance(seconds, int) or seconds <= 0:
            raise argparse.ArgumentTypeError(f"expected a cook time like 360 or 6:00, got {given.strip()!r}")
        times[category.strip() or ANY] = seconds
    return times


# python -m simulator.generate --------------------------------------------------------------------------


def generate_parser(settings: Settings, doc: str | None) -> Parser:
    parser = Parser(
        "python -m simulator.generate",
        doc,
        epilog="Every flag is checked before any file is touched; each file is written beside itself and then"
        " renamed into place, so an existing file is never left half written. Relative paths given here"
        " are relative to where you run the command; the defaults are the project's data/ files.",
    )
    parser.add_argument("--seed", type=int, default=SEED, help="the same seed, the same data (default: %(default)s)")
    parser.add_argument(
        "--days", type=_at_least(1, "days"), default=2, help="whole days of orders (default: %(default)s)"
    )
    parser.add_argument(
        "--orders-per-day",
        type=_at_least(1, "orders a day"),
        default=3000,
        help="the mean number of orders a day (default: %(default)s)",
    )
    parser.add_argument(
        "--first-day",
        type=_day,
        default=date(2019, 2, 18),
        help="the first day, in the kitchen's time zone (default: %(default)s)",
    )
    parser.add_argument(
        "--timezone",
        type=timezone_type("--timezone"),
        default=settings.timezone,
        metavar="ZONE",
        help="the kitchen's IANA zone, whose local days and meal peaks the orders follow"
        " (default: KITCHEN_TIMEZONE, %(default)s)",
    )
    parser.add_argument(
        "--max-orders", type=_at_least(1, "orders"), help="stop after this many orders (default: no limit)"
    )
    parser.add_argument(
        "--orders",
        type=Path,
        default=settings.orders_path,
        help=f"the orders file to write (default: ORDERS_FILE, {shown_default(settings.orders_path)})",
    )
    parser.add_argument(
        "--menu",
        type=Path,
        default=settings.menu_path,
        help=f"the menu file to write (default: MENU_FILE, {shown_default(settings.menu_path)})",
    )
    parser.add_argument(
        "--format",
        choices=sorted(FORMATS),
        help="of the orders file: json (a list), jsonl (an order a line) or csv (a row an order line,"
        " prices in dollars); default: from the extension of --orders",
    )
    return parser


def generate_request(argv: list[str] | None, settings: Settings, doc: str | None) -> GenerateRequest:
    parser = generate_parser(settings, doc)
    args = parser.parse_args(argv)
    for path in (args.orders, args.menu):
        if path.is_dir():
            parser.error(f"{path} is a folder: give a file name")
    kind = args.format or EXTENSIONS.get(args.orders.suffix.lower(), "json")
    return GenerateRequest(
        args.seed,
        args.days,
        args.orders_per_day,
        args.first_day,
        args.timezone,
        args.max_orders,
        args.orders,
        args.menu,
        kind,
    )


# python -m simulator.calibrate -------------------------------------------------------------------------


def calibrate_parser(settings: Settings, doc: str | None) -> Parser:
    from simulator.stations import calibration  # pandas: only this command pays for it

    parser = Parser("python -m simulator.calibrate", doc)
    parser.add_argument("--items", type=Path, required=True, help="the kitchen display export: a CSV, a row per item")
    parser.add_argument(
        "--crew",
        type=Path,
        required=True,
        help="a layout file without routes: the roles and their cooks as they worked that period, any equipment's"
        " slots and loads, and [packing]'s station",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("layout.json"), help="the fitted layout to write (default: %(default)s)"
    )
    parser.add_argument(
        "--preset",
        choices=sorted(calibration.PRESETS),
        default="ours",
        help="the export's columns: ours (order_id, item, station, fired_at, started_at, done_at) or toast"
        " (KitchenTimings.csv); default: %(default)s",
    )
    parser.add_argument(
        "--columns",
        type=_item_columns(calibration.COLUMNS),
        default={},
        help="the export's columns by the names in it, like order_id=Ticket,done_at=Bumped"
        f" (ours: {', '.join(calibration.COLUMNS)})",
    )
    parser.add_argument(
        "--fit",
        choices=("lognormal", "samples"),
        default="lognormal",
        help="each time as a lognormal by its median and p90, or as samples (default: %(default)s)",
    )
    parser.add_argument(
        "--tolerance",
        type=_share,
        default=0.10,
        help="the largest difference of a station's p50 or p90, replayed against recorded, that passes"
        " (default: %(default)s)",
    )
    parser.add_argument(
        "--timezone",
        type=timezone_type("--timezone"),
        default=settings.timezone,
        metavar="ZONE",
        help="the zone of the export's times and of the crew's schedules (default: KITCHEN_TIMEZONE, %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1, help="the replay's draws of varying times (default: 1)")
    return parser


def calibrate_request(argv: list[str] | None, settings: Settings, doc: str | None) -> CalibrateRequest:
    args = calibrate_parser(settings, doc).parse_args(argv)
    return CalibrateRequest(
        args.items, args.crew, args.out, args.preset, args.columns, args.fit, args.tolerance, args.timezone, args.seed
    )


def _item_columns(known: tuple[str, ...]) -> Callable[[str], dict[str, str]]:
    def convert(text: str) -> dict[str, str]:
        pairs = [pair.split("=", 1) for pair in text.split(",") if pair.strip()]
        if any(len(pair) != 2 or not pair[1].strip() for pair in pairs):
            raise argparse.ArgumentTypeError(f"expected ours=theirs pairs separated by commas, got {text!r}")
        unknown = [ours for ours, _ in pairs if ours.strip() not in known]
        if unknown:
            raise argparse.ArgumentTypeError(f"{unknown[0]!r} is not one of ours: {', '.join(known)}")
        return {ours.strip(): theirs.strip() for ours, theirs in pairs}

    return convert


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1 like 0.1, got {text!r}")
    return value


def _at_least(least: int, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `least`, the message saying what it counts."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number of {what}, got {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"expected at least {least} {what}, got {value}: that makes no data")
        return value

    return convert


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2019-02-18, got {text!r}") from None
