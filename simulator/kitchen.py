"""A delivery kitchen: a crew of cooks working through item units first come, first served.

The story, in SimPy:
- `receive_orders` (a process) takes orders from the feed one at a time, each at its time of receipt;
- `Kitchen.take` has every unit of an order ask the cooks (a simpy.Resource) for a cook at once;
- `Kitchen._cook` starts a unit when its request is granted, and `Kitchen._done` ends it after the
  dish's cook time, releasing the cook; an order is started with its first unit, completed with its last;
- `Kitchen.follow` changes the crew as a cook schedule says;
- `Kitchen.sample_every_minute` records the kitchen's state as a time series, and
  `Kitchen.report_every_hour` prints a progress line; both pause once the kitchen has been idle for a day.

Units are followed with callbacks on their request and cook-time events rather than a process each,
and a cook done with a unit hands it back to the Resource at once (`HandBack`, in simulator.simpy_adapter) rather than
through a Release event: the same grants in the same order at the same moments, with two SimPy events
per unit where the textbook process per unit has five.

What happens is told to a recorder (the database writer, or nothing at all for what-if runs); the
model never reads anything back.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple, Protocol

import simpy
from simpy.core import URGENT
from simpy.events import EventPriority, ProcessGenerator
from simpy.resources.resource import PriorityRequest

from common.localtime import LocalClock
from common.schedule import CookSchedule
from simulator.orders import EmptyOrder, FeedEntry, Order, Rejected
from simulator.simpy_adapter import At, Cooks, ScheduledCooks, ScheduledUnitRequest, UnitAsk, UnitRequest
from simulator.tally import FulfillmentTally, RunSummary, TimeWeighted

log = logging.getLogger("simulator.kitchen")  # what the kitchen says of an order
progress = logging.getLogger("simulator.progress")  # the hourly line: thinned out by wall time (simulator/__main__.py)

SAMPLE_INTERVAL = 60  # simulated seconds between two time-series samples
REPORT_INTERVAL = 3600  # simulated seconds between two progress lines
QUIET_LIMIT = 86400  # simulated seconds an idle kitchen goes on being sampled before it waits for an order
SETTLE = EventPriority(2)  # after SimPy's NORMAL (1): a laid-out kitchen gives out work once a moment's events are in
LATE = EventPriority(3)  # after that: for what must see everything else of its moment (samples)


@dataclass(slots=True)
class Ticket:
    """An order in the kitchen, with the moments that matter."""

    order: Order
    received_at: int
    started_at: int | None = None
    completed_at: int | None = None
    cooked_at: int | None = None
    """When its last unit was done: its completion, unless a laid-out kitchen packs it after."""
    units_left: int = 0

    @property
    def status(self) -> str:
        if self.completed_at is not None:
            return "Completed"
        return "Queued" if self.started_at is None else "In Progress"


class StationSample(NamedTuple):
    """A station's state at a moment, in a laid-out kitchen (simulator/stations)."""

    station: str
    waiting: int
    """Units (or, at the pass, orders to pack) waiting there: KitchenSample.queued_units counts both."""
    working: int
    """Units being worked there: by a cook, or in a slot of equipment."""
    capacity: int
    """Equipment: its slots; a station worked by cooks: the cooks on shift whose role can work it (a cook of a
    role that works several stations counts at each of them)."""
    longest_wait: int
    """Seconds the oldest unit waiting there has waited (0: none waits): where units wait longest is the
    bottleneck now."""


class UnitStep(NamedTuple):
    """One step of one unit, or an order's packing, in a laid-out kitchen asked to record them (--record-units)."""

    order: int
    """The order's position in the stream (its id)."""
    unit: int
    """The unit's place in its order (0, 1, ...); its packing: the order's count of units, after them all."""
    step: int
    """The step's place in the unit's route (0, 1, ...)."""
    station: str
    role: str | None
    """The role of the cook who worked it, or loaded its equipment; None: equipment alone."""
    ready_at: int
    """When it could start: its order's receipt, or the end of its previous step (of its last unit, to pack)."""
    started_at: int
    ended_at: int


class KitchenSample(NamedTuple):
    """The kitchen's state at a moment (a named tuple: one is made every simulated minute)."""

    t: int
    queued_orders: int
    in_progress_orders: int
    queued_units: int
    busy_cooks: int
    cooks: int
    stations: tuple[StationSample, ...] = ()
    """Each station's, in a laid-out kitchen; none in a kitchen of one pool of cooks."""


class Rejections:
    """The orders rejected, counted by kind ('unknown dish', 'bad timestamp', ...), with the first of each kind: how a
    run tells of them, a line per kind and never one per order, since a file read wrongly (a --time-format that is
    not its own) rejects every order, and a line each would bury what matters. The rows themselves are all kept
    (the recorder's order_rejected)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.first: dict[str, Rejected] = {}
        """Kind -> its first rejection; in the order the kinds came, so the first of them is the run's first."""

    def add(self, rejection: Rejected) -> bool:
        """Count it; True when it is the first of its kind."""
        self.counts[rejection.kind] += 1
        if rejection.kind in self.first:
            return False
        self.first[rejection.kind] = rejection
        return True

    @property
    def total(self) -> int:
        return self.counts.total()

    def example(self, kind: str) -> str:
        """The first rejection of `kind`: 'order 4: item 2: unknown dish 'Pho''."""
        first = self.first[kind]
        return f"order {first.position}: {first.reason}"

    def earliest(self) -> str | None:
        """The first rejection of all, as `example` says it (the first of the first kind); None: there is none."""
        return self.example(next(iter(self.first))) if self.first else None

    def by_kind(self) -> str:
        """'9 unknown dish (first: order 4: ...), 3 bad timestamp (first: order 7: ...)', the most common first."""
        return ", ".join(f"{count:,} {kind} (first: {self.example(kind)})" for kind, count in self.counts.most_common())


class Recorder(Protocol):
    """Whoever keeps what happens in the kitchen: the database writer, or nobody."""

    def order_received(self, ticket: Ticket) -> None: ...
    def order_started(self, ticket: Ticket) -> None: ...
    def order_completed(self, ticket: Ticket) -> None: ...
    def order_discarded(self, order: EmptyOrder) -> None: ...
    def order_rejected(self, rejection: Rejected) -> None: ...
    def kitchen_sampled(self, sample: KitchenSample) -> None: ...
    def step_done(self, step: UnitStep) -> None:
        """A laid-out kitchen asked to record its units' steps tells each as it ends."""

    def tick(self, now: float) -> None:
        """Called by the run loop, not the kitchen, several times per wall second: a chance to flush."""


class CookTime(Protocol):
    """A unit's cook time: the Timeout made in `Kitchen._cook`, whose value is the unit's request."""

    @property
    def value(self) -> UnitAsk: ...


class Kitchen:
    """The cooks, the orders in the kitchen, and the tallies a run reports.

    `crew` is a fixed number of cooks, or a CookSchedule: then the kitchen holds as many cooks as the
    schedule ever has, and those off shift hold an "off duty" request that goes ahead of every unit,
    so a cook told to leave first finishes the unit at hand. In effect a waiting unit starts as soon as
    fewer cooks are cooking than the schedule has on shift.

    What happens at one moment does not depend on the order SimPy happens to process it in: a change
    of the crew comes first (URGENT), samples are taken last (LATE), and the longest queue is counted
    as of the end of each moment of receipt.
    """

    def __init__(self, env: simpy.Environment, crew: int | CookSchedule, recorder: Recorder) -> None:
        self.env = env
        self.recorder = recorder
        self.received = self.completed = self.discarded = 0
        self.rejections = Rejections()
        self.queued_orders = self.in_progress_orders = self.most_queued = self.busy = 0
        self.receipt_moment, self.started_since_receipt = env.now, 0
        self.fulfillment = FulfillmentTally()
        self._drained: simpy.Event | None = None
        self._arrival: simpy.Event | None = None
        self.idle_since = env.now
        self.cooked_seconds = 0  # of the units done; those under way count from their start (busy_seconds)
        self._hire(crew)

    def _hire(self, crew: int | CookSchedule) -> None:
        """The cooks: one crew working one first-come, first-served queue of units."""
        env = self.env
        self.off_duty: list[PriorityRequest] = []
        self.cooks: Cooks | ScheduledCooks
        self._ask_for_cook: Callable[[], UnitAsk]
        if isinstance(crew, CookSchedule):
            self.cooks = scheduled = ScheduledCooks(env, capacity=crew.most)
            self._ask_for_cook = partial(ScheduledUnitRequest, scheduled, priority=1)
            self.scheduled = TimeWeighted(env.now, crew.most)
            self.staff(scheduled, crew.cooks_at(int(env.now)))
            env.process(self.follow(scheduled, crew))
        else:
            self.cooks = Cooks(env, capacity=crew)
            self._ask_for_cook = partial(UnitRequest, self.cooks)
            self.scheduled = TimeWeighted(env.now, crew)

    def take(self, entry: FeedEntry) -> None:
        """Accept an entry of the feed at its time of receipt."""
        if isinstance(entry, Order):
            ticket = Ticket(entry, received_at=int(self.env.now))
            self.received += 1
            self._count_queue_as_the_moment_changes()
            self.queued_orders += 1
            self.recorder.order_received(ticket)
            self._queue(ticket)
            if self._arrival is not None and not self._arrival.triggered:
                self._arrival.succeed()
        elif isinstance(entry, EmptyOrder):
            self.discarded += 1
            log.info("order %d has no items: discarded", entry.position)
            self.recorder.order_discarded(entry)
        else:
            self.reject(entry)

    def _queue(self, ticket: Ticket) -> None:
        """Every unit of a received order asks for a cook."""
        for line in ticket.order.lines:
            for _ in range(line.quantity):
                request = self._ask_for_cook()
                request.ticket, request.cook_time = ticket, line.dish.cook_time
                request.callbacks.append(self._cook)
        ticket.units_left = sum(line.quantity for line in ticket.order.lines)

    def _count_queue_as_the_moment_changes(self) -> None:
        """The longest queue is counted at the end of each moment of receipt. Between receipts the queue only
        shrinks (orders start), so at the next receipt the queue at the end of the previous one is the
        queue now plus the orders started since, which `_cook` counts: no event per moment is needed."""
        if self.env.now != self.receipt_moment:
            self.most_queued = max(self.most_queued, self.queued_orders + self.started_since_receipt)
            self.receipt_moment, self.started_since_receipt = self.env.now, 0

    def reject(self, rejection: Rejected) -> None:
        """Count the rejection and hand it to the recorder, which keeps every one; say only the first of each kind
        (see Rejections: the run's summary counts them all, by kind)."""
        if self.rejections.add(rejection):
            log.warning(
                "order %d rejected: %s (the first '%s'; the summary counts the others of its kind)",
                rejection.position,
                rejection.reason,
                rejection.kind,
            )
        self.recorder.order_rejected(rejection)

    def _cook(self, request: UnitAsk) -> None:
        """A unit's request is granted: its cook works on it for the dish's cook time."""
        ticket = request.ticket
        if ticket.started_at is None:
            self._start(ticket)
        self.busy += 1
        self.env.timeout(request.cook_time, request).callbacks.append(self._done)

    def _start(self, ticket: Ticket) -> None:
        """An order's first unit is started: it is in progress from now."""
        now = self.env.now
        ticket.started_at = int(now)
        if now > self.receipt_moment:
            self.started_since_receipt += 1
        self.queued_orders -= 1
        self.in_progress_orders += 1
        self.recorder.order_started(ticket)

    def _done(self, cooked: CookTime) -> None:
        """A unit is cooked: its cook is free for the next unit; its order may be complete."""
        request = cooked.value
        self.busy -= 1
        self.cooked_seconds += request.cook_time
        self.cooks.hand_back(request)
        ticket = request.ticket
        ticket.units_left -= 1
        if not ticket.units_left:
            self._complete(ticket)

    def _complete(self, ticket: Ticket) -> None:
        """An order is done: its last unit cooked (and, in a laid-out kitchen, the order packed)."""
        ticket.completed_at = int(self.env.now)
        if ticket.cooked_at is None:
            ticket.cooked_at = ticket.completed_at
        self.in_progress_orders -= 1
        self.completed += 1
        self.fulfillment.add(ticket.completed_at - ticket.received_at)
        self.recorder.order_completed(ticket)
        if self.open_orders == 0:
            self.idle_since = self.env.now
            if self._drained is not None:
                self._drained.succeed()

    def follow(self, crew: ScheduledCooks, schedule: CookSchedule) -> ProcessGenerator:
        """Staff the kitchen's scheduled crew as the schedule says, at each of its changes."""
        for moment, cooks in schedule.changes_after(int(self.env.now)):
            yield At(self.env, moment - self.env.now, URGENT)
            self.staff(crew, cooks)

    def staff(self, crew: ScheduledCooks, cooks: int) -> None:
        """Have `cooks` of the kitchen's scheduled crew on shift: new cooks start on the queue at once; cooks sent
        home finish their unit."""
        self.scheduled.set(self.env.now, cooks)
        off = crew.capacity - cooks
        while len(self.off_duty) < off:
            self.off_duty.append(crew.request(priority=0))
        while len(self.off_duty) > off:
            leave = self.off_duty.pop()  # the latest sent home come back first; those still cooking just stay
            if leave.triggered:
                crew.release(leave)
            else:
                leave.cancel()

    def summary(self) -> RunSummary:
        """What the run reports, so far."""
        return RunSummary(
            fulfillment=self.fulfillment,
            received=self.received,
            discarded=self.discarded,
            rejected=self.rejections.total,
            first_rejection=self.rejections.earliest(),
            max_queue=max(self.most_queued, self.queued_orders + self.started_since_receipt),
            busy_seconds=self.busy_seconds(),
            on_shift_seconds=self.on_shift_seconds(),
        )

    def busy_seconds(self) -> float:
        """Cook-seconds spent cooking so far: the units done, and those under way since they started."""
        now = self.env.now
        return self.cooked_seconds + sum(
            now - request.usage_since
            for request in self.cooks.users
            # a user's request is granted, so its usage_since is set: the second test only tells mypy so
            if isinstance(request, (UnitRequest, ScheduledUnitRequest)) and request.usage_since is not None
        )

    def on_shift_seconds(self) -> float:
        """Cook-seconds on shift so far."""
        return self.scheduled.integral(self.env.now)

    @property
    def open_orders(self) -> int:
        return self.queued_orders + self.in_progress_orders

    def drained(self) -> simpy.Event:
        """An event that fires once every order taken so far is completed."""
        if self.open_orders == 0:
            return self.env.timeout(0)
        self._drained = self.env.event()
        return self._drained

    def sample(self) -> KitchenSample:
        leaving = sum(1 for request in self.off_duty if not request.triggered)
        return KitchenSample(
            t=int(self.env.now),
            queued_orders=self.queued_orders,
            in_progress_orders=self.in_progress_orders,
            queued_units=len(self.cooks.queue) - leaving,
            busy_cooks=self.busy,
            cooks=self.scheduled.value,
        )

    def sample_every_minute(self, also: Callable[[], None] = lambda: None) -> ProcessGenerator:
        """Record the kitchen's state at the end of every whole minute; then call `also` (the run loop's tick)."""

        def action() -> None:
            self.recorder.kitchen_sampled(self.sample())
            also()

        return self._every(SAMPLE_INTERVAL, action)

    def report_every_hour(self, clock: LocalClock) -> ProcessGenerator:
        """A progress line every simulated hour; the rejections so far, once there are any."""

        def report() -> None:
            rejected = self.rejections.total
            progress.info(
                "%s  received %d  queued %d  in progress %d  completed %d%s",
                clock.label(int(self.env.now)),
                self.received,
                self.queued_orders,
                self.in_progress_orders,
                self.completed,
                f"  rejected {rejected}" if rejected else "",
            )

        return self._every(REPORT_INTERVAL, report)

    def _every(self, interval: int, action: Callable[[], None]) -> ProcessGenerator:
        """Call `action` at every whole multiple of `interval`, once all else of that moment has happened
        (LATE); once the kitchen has been idle for a whole QUIET_LIMIT, wait for the next order instead,
        so that a long gap in the stream (years, in a bad file) costs nothing while a quiet night is
        recorded minute by minute."""
        yield At(self.env, -self.env.now % interval, LATE)
        while True:
            action()
            if self.open_orders == 0 and self.env.now - self.idle_since >= QUIET_LIMIT:
                yield self._next_arrival()
                yield At(self.env, -self.env.now % interval, LATE)
            else:
                yield At(self.env, interval, LATE)

    def _next_arrival(self) -> simpy.Event:
        if self._arrival is None or self._arrival.triggered:
            self._arrival = self.env.event()
        return self._arrival


def receive_orders(
    env: simpy.Environment,
    kitchen: Kitchen,
    feed: Iterable[FeedEntry | None],
    pause: float = 1.0,
    waiting: Callable[[], None] = lambda: None,
) -> ProcessGenerator:
    """Take each order at max(its ordered_at, the previous order's receipt), then wait until all are done.

    The feed is advanced only here, after the clock has reached the previous order's receipt, so no
    order is read before its time. An order whose timestamp cannot be read is rejected at once and
    moves nothing. A live feed says None when its next order has not come yet: `waiting` is called, the
    clock goes on for `pause` simulated seconds and asks again (an order that comes later is received
    when it comes).
    """
    for entry in feed:
        if entry is None:
            waiting()
            yield env.timeout(pause)
            continue
        if entry.ordered_at is None:
            kitchen.reject(entry)
            continue
        if entry.ordered_at > env.now:
            yield env.timeout(entry.ordered_at - env.now)
        kitchen.take(entry)
    yield kitchen.drained()
