"""The parameters both services read, loaded once from parameters/simulation_parameters.py.

The parameters file stays a plain Python file a user edits; this module reads it by path (so an edited
or mounted copy is honoured without reinstalling), checks every value up front and turns it into one
immutable `Settings` object that is passed to whoever needs it. Environment variables override the file:

- KITCHEN_PARAMETERS: another parameters file to read instead of the project's own;
- KITCHEN_DB: the database: a SQLite file path or a postgresql:// URL;
- KITCHEN_NAME: this kitchen's name;
- KITCHEN_TIMEZONE: the kitchen's time zone (COOK_SCHEDULE is read in it);
- KITCHEN_REFRESH_INTERVAL: the dashboard's refresh interval in seconds;
- KITCHEN_SLA_P90_MINUTES: the dashboard's target p90 fulfillment, in minutes.
"""

from __future__ import annotations

import math
import os
import runpy
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.database import is_server
from common.schedule import CookSchedule, ScheduleError
from common.wages import Wages, WagesError, parse_wages

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("order_id", "ordered_at", "name", "service", "item", "quantity", "price_per_unit")
"""The columns of a CSV orders file, by our names (ORDERS_COLUMNS maps them to the user's)."""
EXPORT_COLUMNS = ("amount", "zone", "location", "category", "voided", "refund", "fee")
"""Columns a point-of-sale export may add, by our names: a line's amount (its price over its quantity, in place
of price_per_unit), the zone of its time, its location, its dish's category, and the flags of lines that are
not food to cook (simulator/feed/layout.py)."""
DEFAULT_PARAMETERS_FILE = PROJECT_ROOT / "parameters" / "simulation_parameters.py"
DEFAULT_LEVEL = 0.95
"""SERVICE_LEVEL when the parameters file does not set it: the share of days a promise holds on."""
DEFAULT_SLA_P90 = 40.0
"""SLA_P90_MINUTES when the parameters file does not set it: the p90 fulfillment, in minutes, held to."""
DEFAULT_WAGE = 20.0
"""WAGE_PER_HOUR when the parameters file does not set it: a placeholder to put yours in place of."""
DEFAULT_LABOUR_COST_TARGET = 0.30
"""LABOUR_COST_TARGET when the parameters file does not set it: labour at 30% of sales, a common rule of thumb."""
DEFAULT_DB_RETRY_SECONDS = 120.0
"""DB_RETRY_SECONDS when the parameters file does not set it: how long the simulator waits for a database that is
away before it stops, its run left to be resumed."""


class SettingsError(ValueError):
    """A parameter is missing or has a value the services cannot use."""


@dataclass(frozen=True)
class Settings:
    speed: float | None
    """Simulated seconds per wall second; None runs as fast as possible."""
    cooks: int
    """NUM_COOKS; with only a schedule given, the most cooks it has on shift."""
    schedule: CookSchedule | None
    """COOK_SCHEDULE (a dict, or the path of a JSON file holding one), which replaces the fixed crew when given."""
    refresh_interval: float
    """Seconds between two dashboard refreshes."""
    orders_path: Path
    menu_path: Path
    database: Path | str
    """The SQLite file, or a postgresql:// URL."""
    kitchen: str
    """This kitchen's name: its runs, orders and time series carry it."""
    timezone: str
    """IANA name of the kitchen's local time zone."""
    sla_p90_minutes: float = DEFAULT_SLA_P90
    """SLA_P90_MINUTES: the target p90 fulfillment the dashboard holds each half hour to."""
    service_level: float = DEFAULT_LEVEL
    """SERVICE_LEVEL: the share of days on which every interval must meet the target (common/service_level.py)."""
    orders_timezone: str | None = None
    """ORDERS_TIMEZONE: the zone of the orders file's timestamps that have no offset; None: UTC."""
    orders_columns: dict[str, str] | None = None
    """ORDERS_COLUMNS: our CSV column names mapped to the user's."""
    orders_time_format: str | None = None
    """ORDERS_TIME_FORMAT: a strptime pattern for the orders' timestamps that are not ISO-8601; None: ISO-8601."""
    orders_preset: str | None = None
    """ORDERS_PRESET: the point-of-sale export the orders file is (square, toast, clover); None: found from its
    header."""
    layout_path: Path | None = None
    """KITCHEN_LAYOUT: the kitchen's layout file (simulator/stations/layout.py); None: one pool of cooks."""
    db_retry_seconds: float = DEFAULT_DB_RETRY_SECONDS
    """DB_RETRY_SECONDS: how long the simulator waits for a database that is away (--db-retry-seconds)."""
    wages: Wages = Wages(DEFAULT_WAGE)
    """WAGE_PER_HOUR, CURRENCY, SHIFT_COST and WAGE_PREMIUMS: labour as money (common/wages.py)."""
    labour_cost_target: float = DEFAULT_LABOUR_COST_TARGET
    """LABOUR_COST_TARGET: the share of revenue labour should cost, drawn as a line on the live page."""


def parse_speed(value: object, where: str = "SIMULATION_SPEED") -> float | None:
    """A speed is a positive number of simulated seconds per wall second, or "max"."""
    if isinstance(value, str):
        if value.strip().lower() == "max":
            return None
        try:
            value = float(value)
        except ValueError:
            raise SettingsError(f"{where}: expected a positive number or 'max', got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise SettingsError(f"{where}: expected a positive number or 'max', got {value!r}")
    return float(value)


def parse_cooks(value: object, where: str = "NUM_COOKS") -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingsError(f"{where}: expected a whole number of cooks >= 1, got {value!r}")
    return value


def _positive(unit: str) -> Callable[[object, str], float]:
    """A parser for a positive, finite number of `unit` (booleans and text are refused, naming `where`)."""

    def parse(value: object, where: str) -> float:
        try:
            number = float(value)  # type: ignore[arg-type]  # any value: what float() refuses is caught
        except (TypeError, ValueError):
            number = math.nan
        if isinstance(value, bool) or not math.isfinite(number) or number <= 0:
            raise SettingsError(f"{where}: expected a positive number of {unit}, got {value!r}")
        return number

    return parse


_positive_seconds = _positive("seconds")


def parse_wait(value: object, where: str) -> float:
    """A number of seconds to wait, 0 or more."""
    try:
        number = float(value)  # type: ignore[arg-type]  # any value: what float() refuses is caught
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number) or number < 0:
        raise SettingsError(f"{where}: expected a number of seconds, 0 or more, got {value!r}")
    return number


_positive_minutes = _positive("minutes")


def _share(value: object, where: str, of: str = "days", like: str = "0.95") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise SettingsError(f"{where}: expected a share of {of} between 0 and 1, like {like}, got {value!r}")
    return float(value)


def parse_timezone(value: object, where: str) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{where}: unknown time zone {value!r} (use an IANA name, like Europe/London)") from None
    return str(value)


def parse_time_format(value: object, where: str) -> str:
    """A strptime pattern: at least one % directive ('%%' is a percent sign), else every timestamp would be refused
    for not being the pattern's literal text."""
    if not isinstance(value, str) or "%" not in value.replace("%%", ""):
        raise SettingsError(
            f"{where}: expected a strptime pattern with % directives, like '%m/%d/%Y %I:%M %p', got {value!r}"
        )
    return value


def parse_columns(value: object, where: str) -> dict[str, str]:
    """{our column: their header}: our names only, theirs not empty."""
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise SettingsError(
            f"{where}: expected our column names mapped to yours, like {{'ordered_at': 'Created'}}, got {value!r}"
        )
    columns = {k.strip(): v.strip() for k, v in value.items()}
    unknown = sorted(set(columns) - set(COLUMNS + EXPORT_COLUMNS))
    if unknown:
        raise SettingsError(f"{where}: unknown column {unknown[0]!r}; ours are {', '.join(COLUMNS + EXPORT_COLUMNS)}")
    if not all(columns.values()):
        raise SettingsError(f"{where}: a column with no name in {value!r}")
    return columns


def _path(value: object, where: str) -> Path:
    if not isinstance(value, (str, os.PathLike)) or not str(value):
        raise SettingsError(f"{where}: expected a file path, got {value!r}")
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


def database_target(value: object, where: str = "--db") -> Path | str:
    """A postgresql:// URL as it is, or a SQLite file path (relative to the project)."""
    if isinstance(value, str) and is_server(value):
        return value
    return _path(value, where)


def cli_target(text: str) -> Path | str:
    """--db as given on a command line: a postgresql:// URL, or a path relative to where you are."""
    return text if is_server(text) else Path(text)


def _name(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise SettingsError(f"{where}: expected a kitchen name, got {value!r}")
    return value.strip()


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the parameters file named by KITCHEN_PARAMETERS (or the project's own) and the overrides."""
    env = os.environ if environ is None else environ
    parameters_file = Path(env.get("KITCHEN_PARAMETERS") or DEFAULT_PARAMETERS_FILE)
    try:
        values = runpy.run_path(str(parameters_file))
    except FileNotFoundError:
        raise SettingsError(f"parameters file not found: {parameters_file}") from None
    except SyntaxError as error:
        raise SettingsError(f"{parameters_file}, line {error.lineno}: {error.msg}") from None

    def get(name: str, default: object = None) -> object:
        if name not in values and default is None:
            raise SettingsError(f"{parameters_file}: {name} is not set")
        return values.get(name, default)

    where = f"{parameters_file}: "
    _check_names_and_types(values, where)
    zone = parse_timezone(*_overridden(env, "KITCHEN_TIMEZONE", get, "KITCHEN_TIMEZONE", "America/Los_Angeles", where))
    schedule = None
    if values.get("COOK_SCHEDULE") is not None:
        value = values["COOK_SCHEDULE"]
        try:
            if isinstance(value, (str, os.PathLike)):
                schedule = CookSchedule.read(_path(value, where + "COOK_SCHEDULE"), zone)
            else:
                schedule = CookSchedule.parse(value, zone)
        except ScheduleError as error:
            raise SettingsError(f"{where}COOK_SCHEDULE: {error}") from None
    return Settings(
        speed=parse_speed(get("SIMULATION_SPEED"), where + "SIMULATION_SPEED"),
        cooks=parse_cooks(get("NUM_COOKS", schedule and schedule.most), where + "NUM_COOKS"),
        schedule=schedule,
        refresh_interval=_positive_seconds(
            *_overridden(env, "KITCHEN_REFRESH_INTERVAL", get, "DASHBOARD_REFRESH_INTERVAL", 5, where)
        ),
        orders_path=_path(get("ORDERS_FILE", "data/orders.json"), where + "ORDERS_FILE"),
        menu_path=_path(get("MENU_FILE", "data/items.json"), where + "MENU_FILE"),
        database=database_target(*_overridden(env, "KITCHEN_DB", get, "DATABASE", "db/kitchen.db", where)),
        kitchen=_name(*_overridden(env, "KITCHEN_NAME", get, "KITCHEN_NAME", "Kitchen", where)),
        timezone=zone,
        sla_p90_minutes=_positive_minutes(
            *_overridden(env, "KITCHEN_SLA_P90_MINUTES", get, "SLA_P90_MINUTES", DEFAULT_SLA_P90, where)
        ),
        service_level=_share(get("SERVICE_LEVEL", DEFAULT_LEVEL), where + "SERVICE_LEVEL"),
        orders_timezone=None
        if values.get("ORDERS_TIMEZONE") is None
        else parse_timezone(values["ORDERS_TIMEZONE"], where + "ORDERS_TIMEZONE"),
        orders_columns=None
        if values.get("ORDERS_COLUMNS") is None
        else parse_columns(values["ORDERS_COLUMNS"], where + "ORDERS_COLUMNS"),
        orders_time_format=None
        if values.get("ORDERS_TIME_FORMAT") is None
        else parse_time_format(values["ORDERS_TIME_FORMAT"], where + "ORDERS_TIME_FORMAT"),
        orders_preset=None if values.get("ORDERS_PRESET") is None else str(values["ORDERS_PRESET"]).strip().lower(),
        layout_path=None
        if values.get("KITCHEN_LAYOUT") is None
        else _path(values["KITCHEN_LAYOUT"], where + "KITCHEN_LAYOUT"),
        db_retry_seconds=parse_wait(get("DB_RETRY_SECONDS", DEFAULT_DB_RETRY_SECONDS), where + "DB_RETRY_SECONDS"),
        wages=_wages(values, parameters_file),
        labour_cost_target=_share(
            get("LABOUR_COST_TARGET", DEFAULT_LABOUR_COST_TARGET), where + "LABOUR_COST_TARGET", "revenue", "0.30"
        ),
    )


def _wages(values: Mapping[str, object], parameters_file: Path) -> Wages:
    try:
        return parse_wages(
            values.get("WAGE_PER_HOUR", DEFAULT_WAGE),
            values.get("CURRENCY", "USD"),
            values.get("SHIFT_COST", 0),
            values.get("WAGE_PREMIUMS"),
            str(parameters_file),
        )
    except WagesError as error:
        raise SettingsError(str(error)) from None


KNOBS: dict[str, tuple[tuple[type, ...], str]] = {
    "SIMULATION_SPEED": ((int, float, str), "a positive number, or the string 'max'"),
    "NUM_COOKS": ((int,), "a whole number"),
    "COOK_SCHEDULE": ((dict, str, type(None)), "a dict of 'HH:MM': cooks, a path to a JSON file, or None"),
    "DASHBOARD_REFRESH_INTERVAL": ((int, float), "a number of seconds"),
    "SLA_P90_MINUTES": ((int, float), "a number of minutes"),
    "SERVICE_LEVEL": ((float,), "a share of days between 0 and 1, like 0.95"),
    "ORDERS_FILE": ((str,), "a path, as a string"),
    "MENU_FILE": ((str,), "a path, as a string"),
    "ORDERS_COLUMNS": ((dict, type(None)), "a dict of our column names to yours, or None"),
    "ORDERS_TIMEZONE": ((str, type(None)), "an IANA time zone name, or None"),
    "ORDERS_TIME_FORMAT": ((str, type(None)), "a strptime pattern, like '%m/%d/%Y %I:%M %p', or None"),
    "ORDERS_PRESET": ((str, type(None)), "a point-of-sale export's name (square, toast, clover), or None"),
    "DATABASE": ((str,), "a path or a postgresql:// URL, as a string"),
    "KITCHEN_NAME": ((str,), "a name, as a string"),
    "KITCHEN_TIMEZONE": ((str,), "an IANA time zone name, as a string"),
    "DB_RETRY_SECONDS": ((int, float), "a number of seconds"),
    "KITCHEN_LAYOUT": ((str, type(None)), "a path to a layout file (TOML), as a string, or None"),
    "WAGE_PER_HOUR": ((int, float), "an amount an hour, like 18.50"),
    "CURRENCY": ((str,), "an ISO 4217 code, like 'USD'"),
    "SHIFT_COST": ((int, float), "an amount a shift, like 0"),
    "WAGE_PREMIUMS": ((list, type(None)), "a list of windows, each {'days': [...], 'from', 'to', 'times'}, or None"),
    "LABOUR_COST_TARGET": ((float,), "a share of revenue between 0 and 1, like 0.30"),
}
"""Every knob of the parameters file, with the types it may hold there (the environment's strings are read
as what they say)."""


def _check_names_and_types(values: Mapping[str, object], where: str) -> None:
    """An upper-case name that is not a knob is a misspelling (it would be ignored); a knob of the wrong type
    would be read as something it does not mean. Both stop here, with the nearest knob or the type wanted."""
    for name, value in values.items():
        if not name.isupper() or name.startswith("_"):
            continue
        if name not in KNOBS:
            import difflib  # only for a mistake: every start would pay for it

            near = difflib.get_close_matches(name, KNOBS, n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]}?" if near else f"; the knobs are {', '.join(KNOBS)}"
            raise SettingsError(f"{where}{name} is not a parameter{hint}")
        types, wanted = KNOBS[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, types)
            or (name == "SIMULATION_SPEED" and isinstance(value, str) and value.strip().lower() != "max")
        ):
            raise SettingsError(f"{where}{name}: expected {wanted}, got {type(value).__name__} {value!r}")


def _overridden(
    env: Mapping[str, str], variable: str, get: Callable[[str, object], object], name: str, default: object, where: str
) -> tuple[object, str]:
    """A value from the environment variable if set, else from the parameters file; and where it came from."""
    if env.get(variable):
        return env[variable], f"environment variable {variable}"
    return get(name, default), where + name


def settings_or_exit(program: str) -> Settings:
    """For the command lines: the settings, or one line naming what is wrong and exit status 2."""
    try:
        return load_settings()
    except SettingsError as error:
        print(f"{program}: {error}", file=sys.stderr)
        raise SystemExit(2) from None
