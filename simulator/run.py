"""Set up, run, report: one simulation of the kitchen over an order feed.

`simulate` builds the SimPy environment (real time at `speed` simulated seconds per wall second, or
as fast as possible when speed is None; both give the same timestamps), starts the kitchen's processes
and lets SimPy run until every order is done or a stop is requested. The recorder's `tick` is called
every simulated minute and, in real time, every WAKE_INTERVAL wall seconds, so that it can flush. A resumed run
(simulator.resume) first catches up: as fast as possible up to the moment it resumes from, then at its speed.

Before a run begins, `first_look` reads the feed's first FIRST_LOOK entries: when NEARLY_ALL of them are rejected,
the file is read wrongly (a --time-format, ORDERS_COLUMNS or a menu that is not its own), and the run is refused
rather than recording nothing but rejections.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import simpy
import simpy.rt
from simpy.events import ProcessGenerator

from common.localtime import LocalClock
from common.schedule import CookSchedule
from simulator.kitchen import Kitchen, KitchenSample, Recorder, Rejections, Ticket, UnitStep, receive_orders
from simulator.orders import EmptyOrder, FeedEntry, OrdersFileError, Rejected
from simulator.stations.layout import LaidOut
from simulator.tally import RunSummary

# In real time, the clock wakes at least this often (wall seconds) to flush and to notice a stop; as
# fast as possible, it looks up from the simulation every simulated minute (when the kitchen samples).
WAKE_INTERVAL = 0.2
FIRST_LOOK = 1000
"""Entries of the feed a new run judges before it begins (all of them, in a shorter file)."""
NEARLY_ALL = 0.9
"""The share of those entries rejected at which the run is refused: the file is read wrongly, and a run of it would
record its rejections and nothing else. Below it, a file with many bad orders still runs (and says so)."""


class NoRecorder:
    """Keeps nothing: for runs that want only the kitchen's own tallies (baselines, what-if sweeps)."""

    def order_received(self, ticket: Ticket) -> None: ...
    def order_started(self, ticket: Ticket) -> None: ...
    def order_completed(self, ticket: Ticket) -> None: ...
    def order_discarded(self, order: EmptyOrder) -> None: ...
    def order_rejected(self, rejection: Rejected) -> None: ...
    def kitchen_sampled(self, sample: KitchenSample) -> None: ...
    def step_done(self, step: UnitStep) -> None: ...
    def tick(self, now: float) -> None: ...


class CatchUp(NamedTuple):
    """A resumed run's replay: every event up to `until` (a simulated moment, inclusive) as fast as possible, then
    `done()`, then the run at its own speed."""

    until: int
    done: Callable[[], None]


class CatchingUp(simpy.rt.RealtimeEnvironment):
    """Real time that starts late: as fast as possible until `rejoin`, then the simulated clock runs at `factor`
    from where it is, with the wall clock as it is then."""

    def __init__(self, initial_time: float, factor: float) -> None:
        super().__init__(initial_time, factor, strict=False)
        self.caught_up = False

    def step(self) -> None:
        if self.caught_up:
            super().step()
        else:
            simpy.Environment.step(self)

    def rejoin(self) -> None:
        self.caught_up, self.env_start = True, self.now
        self.sync()


@dataclass
class Outcome:
    summary: RunSummary
    interrupted: bool
    sim_started_at: int | None
    sim_ended_at: int | None
    rejections: Rejections = field(default_factory=Rejections)
    """The rejections counted by kind, with the first of each (summary.rejected is their total)."""


def simulate(
    feed: Iterable[FeedEntry | None],
    crew: int | CookSchedule | LaidOut,
    speed: float | None,
    recorder: Recorder,
    clock: LocalClock,
    stop_requested: Callable[[], bool] = lambda: False,
    catch_up: CatchUp | None = None,
) -> Outcome:
    """Run the kitchen over the feed until every order is done, or until `stop_requested()` says so.

    `crew` is a fixed number of cooks, a cook schedule, or a layout whose roles hold the cooks. A live feed says None
    while its next order has not come.
    """
    start, entries = _first_receipt(iter(feed))
    if start is None:  # nothing readable: just record the rejections
        env = simpy.Environment()
    elif speed is None:
        env = simpy.Environment(initial_time=start)
    else:
        env = CatchingUp(initial_time=start, factor=1 / speed)

    kitchen = _laid_out(env, crew, recorder) if isinstance(crew, LaidOut) else Kitchen(env, crew, recorder)
    stopped = env.event()

    def tick() -> None:
        """The run loop's look up from the simulation: let the recorder flush, and notice a stop."""
        recorder.tick(env.now)
        if not stopped.triggered and stop_requested():
            stopped.succeed()

    done = env.process(receive_orders(env, kitchen, entries, WAKE_INTERVAL * speed if speed is not None else 1.0, tick))
    env.process(kitchen.sample_every_minute(also=tick))
    env.process(kitchen.report_every_hour(clock))
    if catch_up is not None:
        if start is not None and catch_up.until >= start:
            env.run(until=catch_up.until + 1)  # every event at or before it: the kitchen's moments are whole seconds
        catch_up.done()
    if isinstance(env, CatchingUp) and speed is not None:  # not when nothing was readable
        env.process(_wake_regularly(env, WAKE_INTERVAL * speed, tick))
        env.rejoin()
    env.run(until=env.any_of([done, stopped]))
    interrupted = stopped.triggered and not done.processed
    if not interrupted:
        recorder.kitchen_sampled(kitchen.sample())  # the final, drained state
    recorder.tick(env.now)
    return Outcome(
        kitchen.summary(), interrupted, start, int(env.now) if start is not None else None, kitchen.rejections
    )


def first_look(entries: Iterator[FeedEntry]) -> tuple[str | None, Iterator[FeedEntry]]:
    """Why a run of this feed is refused (None: it is not), judged on its first FIRST_LOOK entries; and the feed,
    those entries put back, so that nothing is read twice.

    A file that cannot be read on within them (OrdersFileError, OSError) is judged on the entries before, and
    raises the error where the run reaches it: the run fails at that order, as it would have.
    """
    first: list[FeedEntry] = []
    rest: Iterator[FeedEntry] = entries
    try:
        for entry in itertools.islice(entries, FIRST_LOOK):
            first.append(entry)
    except (OrdersFileError, OSError) as error:
        rest = _raise(error)
    return refusal(first), itertools.chain(first, rest)


def refusal(first: Sequence[FeedEntry]) -> str | None:
    """Why a feed whose first entries are `first` cannot be run: NEARLY_ALL of them rejected. The most common kind
    is named, with how many, and its first; `python -m simulator.check` says the rest."""
    rejections = Rejections()
    for entry in first:
        if isinstance(entry, Rejected):
            rejections.add(entry)
    looked = len(first)
    if not looked or rejections.total / looked < NEARLY_ALL:
        return None
    [(kind, count)] = rejections.counts.most_common(1)
    orders = f"its first {looked:,} orders" if looked == FIRST_LOOK else f"its {looked:,} order{'s' * (looked > 1)}"
    return (
        f"{rejections.total:,} of {orders} would be rejected, {count:,} of {looked:,} for {kind};"
        f" the first: {rejections.example(kind)}"
    )


def _raise(error: Exception) -> Iterator[FeedEntry]:
    raise error
    yield  # a generator: the error comes when the run asks for the entry after those read


def _first_receipt(entries: Iterator[FeedEntry | None]) -> tuple[int | None, Iterator[FeedEntry | None]]:
    """The first readable ordered_at, where the clock starts, and the feed with what was read put back.

    Only entries before the first readable timestamp are held (normally none).
    """
    held: list[FeedEntry] = []
    for entry in entries:
        if entry is None:  # a live feed with nothing yet: wait for its first order
            continue
        held.append(entry)
        if entry.ordered_at is not None:
            return entry.ordered_at, itertools.chain(held, entries)
    return None, iter(held)


def _laid_out(env: simpy.Environment, crew: LaidOut, recorder: Recorder) -> Kitchen:
    """The kitchen of a layout; imported here, with numpy, so that a kitchen of one pool of cooks never loads them."""
    import numpy as np

    from simulator.stations.kitchen import StationKitchen

    return StationKitchen(env, crew.layout, recorder, np.random.default_rng(crew.seed), crew.record_units)


def _wake_regularly(env: simpy.Environment, interval: float, tick: Callable[[], None]) -> ProcessGenerator:
    while True:
        yield env.timeout(interval)
        tick()
