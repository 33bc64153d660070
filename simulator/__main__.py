"""`python -m simulator`: replay the order stream through the kitchen into the shared database.

Every flag defaults to parameters/simulation_parameters.py. Exit status: 0 when the run completed or
was stopped by SIGINT/SIGTERM (it is then marked interrupted), 1 when it failed part-way (it is marked
failed, and what was written stays), 2 when the arguments, parameters, menu or orders file are unusable
(nothing is written).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path

from common.database import DatabaseUnavailable, connect_writer, database_errors, describe
from common.localtime import LocalClock
from common.schedule import CookSchedule, ScheduleError
from common.settings import Settings, SettingsError, cli_target, parse_cooks, parse_speed, settings_or_exit
from simulator.menu import MenuError, load_menu
from simulator import feed
from simulator.orders import OrdersFileError
from simulator.run import simulate
from simulator.store import RunParameters, RunStore

log = logging.getLogger("simulator")


def parse_arguments(argv: list[str] | None, settings: Settings) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__.splitlines()[0])
    feed.add_arguments(parser, settings)
    parser.add_argument("--menu", type=Path, default=settings.menu_path, help="the menu: JSON or CSV (name,cook_time)")
    parser.add_argument("--db", type=cli_target, default=settings.database,
                        help="a SQLite database file, or a postgresql:// URL")
    parser.add_argument("--kitchen", default=settings.kitchen, help="this kitchen's name (KITCHEN_NAME)")
    crew = parser.add_mutually_exclusive_group()
    crew.add_argument("--cooks", type=_argument(parse_cooks, "--cooks"),
                      help="a fixed crew (default: COOK_SCHEDULE if set, else NUM_COOKS)")
    crew.add_argument("--schedule", type=Path, metavar="FILE",
                      help="a cook schedule as JSON, like the cook_schedule.json of python -m simulator.plan")
    parser.add_argument(
        "--speed", type=_argument(parse_speed, "--speed"), default=settings.speed,
        help="simulated seconds per wall second, or 'max' for as fast as possible",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines, only warnings and the summary")
    args = parser.parse_args(argv)
    args.feed = feed.options_from(args, settings, parser)
    return args


def _argument(parse, flag):
    def convert(text: str):
        try:
            return parse(text, flag)
        except SettingsError as error:
            raise argparse.ArgumentTypeError(str(error).removeprefix(f"{flag}: ")) from None
    return convert


class StopSignal:
    """Set by SIGINT or SIGTERM; the run loop looks at it several times per wall second."""

    def __init__(self) -> None:
        self.received: int | None = None
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, self._handle)

    def _handle(self, number: int, frame) -> None:
        self.received = number

    def __call__(self) -> bool:
        return self.received is not None


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("simulator")
    args = parse_arguments(argv, settings)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S"
    )
    try:
        # a schedule's times of day, the file's or COOK_SCHEDULE, are the kitchen's: those of --timezone
        crew = args.cooks or (args.schedule and CookSchedule.read(args.schedule, args.timezone)) \
            or (settings.schedule and replace(settings.schedule, zone=args.timezone)) or settings.cooks
        menu = load_menu(args.menu)
        orders = feed.open_orders(args.orders, args.feed)
        store = RunStore.start(connect_writer(args.db), RunParameters(
            kitchen=args.kitchen, cooks=crew.most if isinstance(crew, CookSchedule) else crew, speed=args.speed,
            orders_file=str(args.orders), menu_file=str(args.menu), timezone=args.timezone,
            cook_schedule=json.dumps(crew.describe()) if isinstance(crew, CookSchedule) else None,
        ))
    except (MenuError, OrdersFileError, ScheduleError, DatabaseUnavailable) as error:
        print(f"simulator: {error}", file=sys.stderr)
        return 2
    except database_errors() as error:
        print(f"simulator: cannot start a run in {describe(args.db)}: {error}", file=sys.stderr)
        return 2

    store.write_in_another_process(args.db)
    stop = StopSignal()
    gc.freeze()  # what start-up made (modules, the menu) stays: the collector need not go through it again
    gc.disable()  # the kitchen and the store (its writer process keeps the collector) make no reference cycles
    # (test_run holds this): reference counting frees each order's objects as it goes, and the collector's
    # passes over the queue at the peaks would be pure cost
    wall_start = time.monotonic()
    clock = LocalClock(args.timezone)
    log.info("run %d of %s: %s, speed %s, orders %s, database %s", store.run_id, args.kitchen,
             f"a schedule of up to {crew.most} cooks" if isinstance(crew, CookSchedule) else f"{crew} cooks",
             "max" if args.speed is None else f"{args.speed:g}x", args.orders, describe(args.db))
    try:
        with orders:
            live = str(args.orders) == feed.STDIN and args.speed is not None  # a feed piped in as it happens
            outcome = simulate(orders.entries(menu, live), crew, args.speed, store, clock, stop)
        status = "interrupted" if outcome.interrupted else "completed"
        store.finish(status, outcome.summary.fulfillment.mean, outcome.summary.fulfillment.percentile(90))
    except (OrdersFileError, DatabaseUnavailable, *database_errors(), OSError) as error:
        where = f" (writing {describe(args.db)})" if isinstance(error, database_errors()) else ""
        print(f"simulator: run {store.run_id} failed: {error}{where}", file=sys.stderr)
        _finish_failed(store, str(error))
        return 1
    print(summary(store.run_id, status, time.monotonic() - wall_start, outcome, clock))
    return 0


def _finish_failed(store: RunStore, message: str) -> None:
    try:
        store.finish("failed", message=message)
    except (*database_errors(), DatabaseUnavailable) as error:  # the database itself failed: say so, keep the first error
        print(f"simulator: could not mark run {store.run_id} failed: {error}", file=sys.stderr)


def _amount(value: float) -> str:
    """Enough digits to be read beside a percentage: 0.03, 4.7, 3,341."""
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def summary(run_id, status, wall_seconds, outcome, clock: LocalClock) -> str:
    def minutes(seconds):
        return "-" if seconds is None else f"{seconds / 60:.1f} min"

    run = outcome.summary

    span = ""
    if outcome.sim_started_at is not None:
        span = f"  simulated {clock.label(outcome.sim_started_at)} to {clock.label(outcome.sim_ended_at)}\n"
    return (
        f"run {run_id} {status}\n{span}"
        f"  orders received {run.received}, completed {run.fulfillment.total}, "
        f"discarded (no items) {run.discarded}, rejected {run.rejected}\n"
        f"  fulfillment mean {minutes(run.fulfillment.mean)}, p90 {minutes(run.fulfillment.percentile(90))}\n"
        f"  labour {_amount(run.labour_hours)} cook-hours, utilisation "
        f"{'no data' if run.utilisation is None else format(run.utilisation, '.0%')}\n"
        f"  wall time {wall_seconds:.1f} s"
    )


if __name__ == "__main__":
    sys.exit(main())
