"""`python -m simulator`: replay the order stream through the kitchen into the shared database.

Every flag defaults to parameters/simulation_parameters.py. Exit status: 0 when the run completed or
was stopped by SIGINT/SIGTERM (it is then marked interrupted), 1 when it failed part-way (it is marked
failed, and what was written stays) or the database stayed away longer than --db-retry-seconds (the run
stays 'running', with what was written, to be resumed: --resume) or another simulator resumed the run, 2 when
the arguments, parameters, menu or orders file are unusable (nothing is written: so too when nearly all of the
file's first orders would be rejected, see simulator/run.py `first_look`), or a run cannot be resumed
(simulator/resume.py says when).

Rejected orders are all stored; the console says the first of each kind, and the summary counts them by kind.
"""

from __future__ import annotations

import gc
import json
import logging
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from common.database import DatabaseAway, DatabaseUnavailable, connect_writer, database_errors, describe
from common.localtime import LocalClock
from common.schedule import CookSchedule, ScheduleError
from common.settings import settings_or_exit
from simulator import cli, feed, resume
from simulator.feed.layout import said_left_out
from simulator.kitchen import log as kitchen_log
from simulator.kitchen import progress
from simulator.menu import Dish, MenuError, load_menu
from simulator.orders import FeedEntry, OrdersFileError
from simulator.requests import LATEST, RunRequest
from simulator.resume import NEVER, ReplayMismatch, ResumeError, digest
from simulator.run import CatchUp, Outcome, first_look, simulate
from simulator.stations.layout import LaidOut, LayoutError, read_layout
from simulator.store import RunParameters, RunStore
from simulator.writer import RunTakenOver

log = logging.getLogger("simulator")
PROGRESS_EVERY = 5.0
"""Wall seconds between two progress lines, at most."""


class StopSignal:
    """Set by SIGINT or SIGTERM; the run loop looks at it several times per wall second."""

    def __init__(self) -> None:
        self.received: int | None = None
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, self._handle)

    def _handle(self, number: int, frame: FrameType | None) -> None:
        self.received = number

    def __call__(self) -> bool:
        return self.received is not None


class EveryFewSeconds(logging.Filter):
    """Lets a progress line through at most every `seconds` of wall time, whatever the speed: as fast as possible,
    a day of orders replays in a fraction of a second, and a line per simulated hour would bury the summary. The
    last line held back is said at the end (`say_the_last`): the last state reached is always shown."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.seconds, self.clock = seconds, clock
        self.said_at: float | None = None
        self.held: logging.LogRecord | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        if self.said_at is None or now - self.said_at >= self.seconds:
            self.said_at, self.held = now, None
            return True
        self.held = record
        return False

    def say_the_last(self) -> None:
        if self.held is not None:
            record, self.held = self.held, None
            logging.getLogger().handle(record)  # the root's handlers, past this filter


class Refused(ValueError):
    """A new run not begun, nothing written: nearly all of the first entries of its orders file are rejected."""


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("simulator")
    return run(cli.run_request(argv, settings, __doc__))


@dataclass
class Begun:
    """A run started, or taken over to be resumed: its store, and what it runs with."""

    store: RunStore
    crew: int | CookSchedule | LaidOut
    speed: float | None
    menu: dict[str, Dish]
    orders: feed.Feed
    """The open file, closed once the run is over."""
    entries: Iterator[FeedEntry | None]
    """What the run reads of it (a new run's first entries read already, and put back)."""
    path: str
    zone: str
    catch_up: CatchUp | None = None


def run(request: RunRequest) -> int:
    """The run, from start to summary; the exit status (see the module's docstring)."""
    logging.basicConfig(
        level=logging.WARNING if request.quiet else logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S"
    )
    db = request.database
    try:
        begun = _resume(request) if request.resume is not None else None
        begun = begun or _begin(request)
    except (MenuError, OrdersFileError, Refused, ScheduleError, LayoutError, DatabaseUnavailable, ResumeError) as error:
        print(f"simulator: {error}", file=sys.stderr)
        return 2
    except database_errors() as error:
        print(f"simulator: cannot start a run in {describe(db)}: {error}", file=sys.stderr)
        return 2

    store, crew = begun.store, begun.crew
    store.write_in_another_process(db, request.db_retry_seconds)
    stop = StopSignal()
    gc.freeze()  # what start-up made (modules, the menu) stays: the collector need not go through it again
    gc.disable()  # the kitchen and the store (its writer process keeps the collector) make no reference cycles
    # (test_run holds this): reference counting frees each order's objects as it goes, and the collector's
    # passes over the queue at the peaks would be pure cost
    wall_start = time.monotonic()
    clock = LocalClock(begun.zone)
    log.info(
        "run %d of %s: %s, speed %s, orders %s, database %s",
        store.run_id,
        store.kitchen,
        _crew_said(crew),
        "max" if begun.speed is None else f"{begun.speed:g}x",
        begun.path,
        describe(db),
    )
    if begun.orders.describe():
        log.info("orders %s", "; ".join(begun.orders.describe()))
    try:
        with begun.orders:
            lines = EveryFewSeconds(PROGRESS_EVERY)
            progress.addFilter(lines)
            try:
                outcome = simulate(begun.entries, crew, begun.speed, store, clock, stop, begun.catch_up)
            finally:
                progress.removeFilter(lines)
                lines.say_the_last()
        status = "interrupted" if outcome.interrupted else "completed"
        store.finish(status, outcome.summary.fulfillment.mean, outcome.summary.fulfillment.percentile(90))
    except ReplayMismatch as error:  # nothing was written: the run stays as it was
        print(f"simulator: cannot resume run {store.run_id}: {error}", file=sys.stderr)
        return 2
    except RunTakenOver as error:
        print(f"simulator: {error}", file=sys.stderr)
        return 1
    except DatabaseAway as error:  # nothing more can be written: the run stays 'running', to be resumed
        print(
            f"simulator: run {store.run_id} stopped: {error}; it stays 'running', with what it committed"
            " (python -m simulator --resume goes on with it)",
            file=sys.stderr,
        )
        return 1
    except (OrdersFileError, DatabaseUnavailable, OSError) + database_errors() as error:
        where = f" (writing {describe(db)})" if isinstance(error, database_errors()) else ""
        print(f"simulator: run {store.run_id} failed: {error}{where}", file=sys.stderr)
        _finish_failed(store, str(error))
        return 1
    finally:
        store.close()
    print(summary(store.run_id, status, time.monotonic() - wall_start, outcome, clock, begun.orders.left_out))
    return 0


def _begin(request: RunRequest) -> Begun:
    """A new run, inserted as 'running', unless nearly all of the first orders of its file would be rejected
    (`first_look`): then Refused, and nothing is written.

    Live input (a pipe at a --speed) is not judged: its first orders may be hours away, and the few come so far
    are too few to judge a stream by; its rejections are told as any run's are."""
    given, db = request.orders, request.database
    # a schedule file's times of day are the kitchen's: those of --timezone
    crew: int | CookSchedule | LaidOut = (
        CookSchedule.read(request.schedule_file, given.zone) if request.schedule_file else request.crew
    )
    menu = load_menu(given.menu)
    if request.layout_file is not None:
        layout = read_layout(request.layout_file, given.zone)
        layout.check_menu(menu, str(request.layout_file))
        crew = LaidOut(layout, request.layout_seed, request.record_units)
    orders = feed.open_orders(given.path, given.feed)
    try:
        entries: Iterator[FeedEntry | None]
        if _live(str(given.path), request.speed):
            entries = orders.entries(menu, live=True)
        else:
            refused, entries = first_look(orders.entries(menu))
            if refused is not None:
                raise Refused(f"{orders.name}: not run, nothing written: {refused}")
        replayable = str(given.path) != feed.STDIN and Path(given.path).is_file()  # a pipe cannot be read twice
        store = RunStore.start(
            connect_writer(db),
            RunParameters(
                kitchen=request.kitchen,
                cooks=crew if isinstance(crew, int) else crew.most,
                speed=request.speed,
                orders_file=str(given.path),
                menu_file=str(given.menu),
                timezone=given.zone,
                cook_schedule=json.dumps(crew.describe()) if isinstance(crew, CookSchedule) else None,
                reading=given.feed.to_json(),
                orders_digest=digest(given.path) if replayable else None,
                menu_digest=digest(given.menu),
                layout=crew.to_json() if isinstance(crew, LaidOut) else None,
            ),
        )
        return Begun(store, crew, request.speed, menu, orders, entries, str(given.path), given.zone)
    except BaseException:  # the feed's temporary files (a sorted export's) go with it
        orders.close()
        raise


def _crew_said(crew: int | CookSchedule | LaidOut) -> str:
    """'12 cooks', 'a schedule of up to 40 cooks', 'a layout of 5 stations and 3 roles, up to 14 cooks'."""
    if isinstance(crew, LaidOut):
        layout = crew.layout
        return f"a layout of {len(layout.stations)} stations and {len(layout.roles)} roles, up to {crew.most} cooks"
    return f"a schedule of up to {crew.most} cooks" if isinstance(crew, CookSchedule) else f"{crew} cooks"


def _live(path: str, speed: float | None) -> bool:
    """A feed piped in as it happens: read at the run's pace, with None while its next order has not come."""
    return path == feed.STDIN and speed is not None


def _resume(request: RunRequest) -> Begun | None:
    """The run --resume names, taken over with its own parameters; None when --resume names none and the kitchen
    has no run left 'running' (then a new run begins)."""
    session = connect_writer(request.database)
    try:
        run = resume.find(session, request.kitchen, None if request.resume == LATEST else request.resume)
        if run is None:
            log.info("no run of %s is left 'running': a new run begins", request.kitchen)
            session.close()
            return None
        menu = load_menu(Path(run.menu_file))
        orders = feed.open_orders(run.orders_file, run.feed_options)
        run = resume.take_over(session, run)
    except BaseException:
        session.close()
        raise
    store = RunStore.resume(session, run)
    wall_start = time.monotonic()
    clock = LocalClock(run.timezone)

    def silent(record: logging.LogRecord) -> bool:
        return False

    for said_before in (kitchen_log, progress):  # the replay of what the run said already
        said_before.addFilter(silent)

    def caught_up() -> None:
        store.caught_up()
        for said_before in (kitchen_log, progress):
            said_before.removeFilter(silent)
        log.info(
            "run %d resumed: its %d orders received up to %s replayed in %.1f s, equal to what it stored",
            run.id,
            run.orders_received,
            "its start" if run.sim_now is None else clock.label(run.sim_now),
            time.monotonic() - wall_start,
        )

    catch_up = CatchUp(NEVER if run.sim_now is None else run.sim_now, caught_up)
    entries = orders.entries(menu)  # never live: a run that read standard input is not resumed
    return Begun(store, run.crew, run.speed, menu, orders, entries, run.orders_file, run.timezone, catch_up)


def _finish_failed(store: RunStore, message: str) -> None:
    try:
        store.finish("failed", message=message)
    except (DatabaseUnavailable,) + database_errors() as error:  # the database failed: say so, keep the first error
        print(f"simulator: could not mark run {store.run_id} failed: {error}", file=sys.stderr)


def _amount(value: float) -> str:
    """Enough digits to be read beside a percentage: 0.03, 4.7, 3,341."""
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def summary(
    run_id: int, status: str, wall_seconds: float, outcome: Outcome, clock: LocalClock, left_out: Counter[str]
) -> str:
    """The run's last words; `left_out`: the file's lines that were no order's (Feed.left_out)."""

    def minutes(seconds: float | None) -> str:
        return "-" if seconds is None else f"{seconds / 60:.1f} min"

    run = outcome.summary
    lines = [f"run {run_id} {status}"]
    if outcome.sim_started_at is not None and outcome.sim_ended_at is not None:  # both, or neither
        lines.append(f"  simulated {clock.label(outcome.sim_started_at)} to {clock.label(outcome.sim_ended_at)}")
    lines.append(
        f"  orders received {run.received}, completed {run.fulfillment.total}, "
        f"discarded (no items) {run.discarded}, rejected {run.rejected}"
        f"{': ' + outcome.rejections.by_kind() if run.rejected else ''}"
    )
    if left_out:
        lines.append(f"  lines left out, not food to cook here: {said_left_out(left_out)}")
    lines += [
        f"  fulfillment mean {minutes(run.fulfillment.mean)}, p90 {minutes(run.fulfillment.percentile(90))}",
        f"  labour {_amount(run.labour_hours)} cook-hours, utilisation "
        f"{'no data' if run.utilisation is None else format(run.utilisation, '.0%')}",
        f"  wall time {wall_seconds:.1f} s",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
