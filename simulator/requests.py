"""What each command is asked to do, typed: built at the command line's edge (simulator/cli.py,
simulator/experiment/cli.py) from the flags and the parameters file, and all that the command's own code
receives. Nothing past the edge sees a flag or argparse: a request can be made in a test, a benchmark or
another program just as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from common.schedule import CookSchedule
from common.settings import DEFAULT_WAGE
from common.wages import Wages
from simulator.experiment.shift_rules import ShiftRules
from simulator.feed import FeedOptions

if TYPE_CHECKING:  # numpy comes with it: a run of the simulator needs neither
    from common.service_level import Promise

LATEST = 0
"""RunRequest.resume: this kitchen's latest run left 'running'."""


@dataclass(frozen=True)
class Orders:
    """An orders file, how to read it, the menu it orders from, and the kitchen's zone (--timezone), whose local
    days and hours it is counted in."""

    path: Path | str
    """A file, or '-' for standard input."""
    feed: FeedOptions
    menu: Path
    zone: str


@dataclass(frozen=True)
class CheckRequest:
    """`python -m simulator.check`: an orders file read once, and a menu drafted from it when asked."""

    orders: Orders
    write_menu: Path | None = None
    """--write-menu: where the menu drafted from the export goes (simulator/menu_draft.py)."""
    default_cook_times: dict[str, int] = field(default_factory=dict)
    """--default-cook-time: category (or menu_draft.ANY) -> seconds, for dishes not on the menu."""


@dataclass(frozen=True)
class RunRequest:
    """`python -m simulator`: one run of the kitchen, recorded in a database."""

    orders: Orders
    database: Path | str
    kitchen: str
    crew: int | CookSchedule
    """--cooks, else COOK_SCHEDULE (in the kitchen's zone), else NUM_COOKS."""
    schedule_file: Path | None
    """--schedule: read when the run starts, in place of `crew`."""
    layout_file: Path | None
    """--layout, else KITCHEN_LAYOUT when no --cooks or --schedule is given: read when the run starts, in place of
    `crew` (its roles hold the cooks)."""
    layout_seed: int
    """--layout-seed: the seed a layout's varying step times are drawn with."""
    record_units: bool
    """--record-units: a laid-out run records every step of every unit (table unit_steps)."""
    speed: float | None
    """Simulated seconds per wall second; None: as fast as possible."""
    quiet: bool
    db_retry_seconds: float
    """How long the writer waits for a database that is away (a server restarting, a file locked) before the
    simulator stops, leaving the run 'running'."""
    resume: int | None = None
    """--resume: a run's number, LATEST (this kitchen's latest run left 'running', or a new run when there is none),
    or None: a new run. A resumed run takes its parameters from its row, not from the request (simulator.resume)."""


@dataclass(frozen=True)
class GenerateRequest:
    """`python -m simulator.generate`: a menu and an order stream, written to two files."""

    seed: int
    days: int
    orders_per_day: int
    first_day: date
    zone: str
    max_orders: int | None
    orders: Path
    menu: Path
    format: str
    """json, jsonl or csv: of the orders file."""


@dataclass(frozen=True)
class CalibrateRequest:
    """`python -m simulator.calibrate`: a layout's times from a kitchen display export, and its replay."""

    items: Path
    crew: Path
    """A layout without routes: the roles as they worked the export's period, equipment and packing station."""
    out: Path
    preset: str
    """ours or toast: which columns the export has, before --columns renames them."""
    columns: dict[str, str]
    fit: str
    """lognormal (a median and p90 each) or samples."""
    tolerance: float
    """The largest relative difference of a station's p50 or p90, replayed against recorded, that passes."""
    zone: str
    seed: int


@dataclass(frozen=True)
class StudyRequest:
    """What the sweep and the plan share: the file they learn from, the promise, and how they run."""

    orders: Orders
    interval: int
    """Minutes of local time in an interval of the day."""
    promise: Promise
    demand_scale: float
    seed: int
    out: Path
    workers: int
    cluster: str | None
    """A Dask scheduler's address; None: local processes."""
    offline_html: bool
    """plotly.js inside each HTML chart, rather than from the CDN."""
    progress: bool
    wages: Wages = Wages(DEFAULT_WAGE)
    """WAGE_PER_HOUR, CURRENCY, SHIFT_COST, WAGE_PREMIUMS: what labour costs (common/wages.py)."""

    @property
    def plotly_js(self) -> bool | str:
        """How an HTML chart gets plotly.js: inside it, or from the CDN."""
        return True if self.offline_html else "cdn"


@dataclass(frozen=True)
class SweepRequest:
    """`python -m simulator.sweep`: fixed crews and two-level schedules tried on the file's own days."""

    study: StudyRequest
    cooks: tuple[int, ...]
    """The fixed crews tried, smallest first."""
    replications: int
    yours: CookSchedule | None
    """COOK_SCHEDULE of the parameters file, in the kitchen's zone, tried beside them."""


@dataclass(frozen=True)
class WeekPlanRequest:
    """`python -m simulator.plan`: next week's roster of real shifts."""

    study: StudyRequest
    week_of: date | None
    """The first day of the week planned; None: the day after the file's last."""
    holidays: str | None
    """A country code of the holidays package, or a file of dates."""
    replications: int | None
    """Of the search set; None: enough for 40 days in every interval."""
    min_shift: float
    max_shift: float
    """Hours."""
    max_cooks: int | None
    layout: Path | None = None
    """--layout: plan the cooks of each role of this kitchen layout (role_planner.py); None: one pool of cooks."""
    rules: ShiftRules = ShiftRules()
    """The rules the roster is held to: breaks, start times, opening hours... (--break, --starts, --open...)."""
    budget: float | None = None
    """--budget: the week's labour budget, in CURRENCY, which the plan's cost is set against; None: none."""
