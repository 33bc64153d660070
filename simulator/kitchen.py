"""A delivery kitchen: a crew of cooks working through item units first come, first served.

The story, in SimPy processes:
- `receive_orders` takes orders from the feed one at a time, each at its time of receipt;
- `Kitchen.fulfil` follows one order from receipt through its first cook to its last finished unit;
- `Kitchen.cook` has one unit wait for a cook and hold them for the dish's cook time;
- `Kitchen.follow` changes the crew as a cook schedule says;
- `Kitchen.sample_every_minute` records the kitchen's state as a time series;
- `Kitchen.report_every_hour` prints a progress line;
both pause once the kitchen has been idle for a day.

What happens is told to a recorder (the database writer, or nothing at all for what-if runs); the
model never reads anything back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Iterable, Iterator, Protocol

import simpy
from simpy.core import URGENT

from common.localtime import LocalClock
from common.schedule import CookSchedule
from simulator.menu import Dish
from simulator.orders import EmptyOrder, FeedEntry, Order, Rejected
from simulator.tally import FulfillmentTally, RunSummary, TimeWeighted

log = logging.getLogger("simulator")

SAMPLE_INTERVAL = 60  # simulated seconds between two time-series samples
REPORT_INTERVAL = 3600  # simulated seconds between two progress lines
QUIET_LIMIT = 86400  # simulated seconds an idle kitchen goes on being sampled before it waits for an order
LATE = 2  # an event priority after SimPy's NORMAL (1): for what must see everything else of its moment


class At(simpy.events.Event):
    """An event `delay` simulated seconds from now at a given priority (SimPy's Timeout is always NORMAL)."""

    def __init__(self, env: simpy.Environment, delay: float, priority: int) -> None:
        super().__init__(env)
        self._ok, self._value = True, None
        env.schedule(self, priority, delay)


@dataclass
class Ticket:
    """An order in the kitchen, with the moments that matter."""

    order: Order
    received_at: int
    started_at: int | None = None
    completed_at: int | None = None

    @property
    def status(self) -> str:
        if self.completed_at is not None:
            return "Completed"
        return "Queued" if self.started_at is None else "In Progress"


@dataclass(frozen=True)
class KitchenSample:
    t: int
    queued_orders: int
    in_progress_orders: int
    queued_units: int
    busy_cooks: int
    cooks: int


class Recorder(Protocol):
    """Whoever keeps what happens in the kitchen: the database writer, or nobody."""

    def order_received(self, ticket: Ticket) -> None: ...
    def order_started(self, ticket: Ticket) -> None: ...
    def order_completed(self, ticket: Ticket) -> None: ...
    def order_discarded(self, order: EmptyOrder) -> None: ...
    def order_rejected(self, rejection: Rejected) -> None: ...
    def kitchen_sampled(self, sample: KitchenSample) -> None: ...
    def tick(self, now: float) -> None:
        """Called by the run loop, not the kitchen, several times per wall second: a chance to flush."""


class Kitchen:
    """The cooks, the orders in the kitchen, and the tallies a run reports.

    `crew` is a fixed number of cooks, or a CookSchedule: then the kitchen holds as many cooks as the
    schedule ever has, and those off shift hold an "off duty" request that goes ahead of every unit,
    so a cook told to leave first finishes the unit at hand. In effect a waiting unit starts as soon as
    fewer cooks are cooking than the schedule has on shift.

    What happens at one moment does not depend on the order SimPy happens to process it in: a change
    of the crew comes first (URGENT), and the queue is counted last (LATE).
    """

    def __init__(self, env: simpy.Environment, crew: int | CookSchedule, recorder: Recorder) -> None:
        self.env = env
        self.recorder = recorder
        self.received = self.completed = self.discarded = self.rejected = 0
        self.first_rejection: str | None = None
        self.queued_orders = self.in_progress_orders = self.most_queued = self.busy = 0
        self._counting: simpy.Event | None = None
        self.fulfillment = FulfillmentTally()
        self._drained: simpy.Event | None = None
        self._arrival: simpy.Event | None = None
        self.idle_since = env.now
        self.off_duty: list[simpy.resources.resource.Request] = []
        if isinstance(crew, CookSchedule):
            self.cooks = simpy.PriorityResource(env, capacity=crew.most)
            self._ask_for_cook = partial(self.cooks.request, priority=1)
            self.scheduled = TimeWeighted(env.now, crew.most)
            self.staff(crew.cooks_at(int(env.now)))
            env.process(self.follow(crew))
        else:
            self.cooks = simpy.Resource(env, capacity=crew)
            self._ask_for_cook = self.cooks.request
            self.scheduled = TimeWeighted(env.now, crew)
        self.busy_time = TimeWeighted(env.now, 0)

    def take(self, entry: FeedEntry) -> None:
        """Accept an entry of the feed at its time of receipt."""
        if isinstance(entry, Order):
            ticket = Ticket(entry, received_at=int(self.env.now))
            self.received += 1
            self.queued_orders += 1
            self._count_queue_at_end_of_moment()
            self.recorder.order_received(ticket)
            self.env.process(self.fulfil(ticket))
            if self._arrival is not None and not self._arrival.triggered:
                self._arrival.succeed()
        elif isinstance(entry, EmptyOrder):
            self.discarded += 1
            log.info("order %d has no items: discarded", entry.position)
            self.recorder.order_discarded(entry)
        else:
            self.reject(entry)

    def _count_queue_at_end_of_moment(self) -> None:
        if self._counting is None or self._counting.processed:
            self._counting = At(self.env, 0, LATE)
            self._counting.callbacks.append(self._count_queue)

    def _count_queue(self, _) -> None:
        self.most_queued = max(self.most_queued, self.queued_orders)

    def reject(self, rejection: Rejected) -> None:
        self.rejected += 1
        if self.first_rejection is None:
            self.first_rejection = f"order {rejection.position}: {rejection.reason}"
        log.warning("order %d rejected: %s", rejection.position, rejection.reason)
        self.recorder.order_rejected(rejection)

    def fulfil(self, ticket: Ticket) -> Iterator[simpy.Event]:
        first_cook = self.env.event()
        units = [self.env.process(self.cook(dish, first_cook)) for dish in ticket.order.units()]
        yield first_cook
        ticket.started_at = int(self.env.now)
        self.queued_orders -= 1
        self.in_progress_orders += 1
        self.recorder.order_started(ticket)

        yield self.env.all_of(units)
        ticket.completed_at = int(self.env.now)
        self.in_progress_orders -= 1
        self.completed += 1
        self.fulfillment.add(ticket.completed_at - ticket.received_at)
        self.recorder.order_completed(ticket)
        if self.open_orders == 0:
            self.idle_since = self.env.now
            if self._drained is not None:
                self._drained.succeed()

    def cook(self, dish: Dish, first_cook: simpy.Event) -> Iterator[simpy.Event]:
        with self._ask_for_cook() as cook:
            yield cook
            if not first_cook.triggered:
                first_cook.succeed()
            self.busy += 1
            self.busy_time.set(self.env.now, self.busy)
            yield self.env.timeout(dish.cook_time)
            self.busy -= 1
            self.busy_time.set(self.env.now, self.busy)

    def follow(self, schedule: CookSchedule) -> Iterator[simpy.Event]:
        for moment, cooks in schedule.changes_after(int(self.env.now)):
            yield At(self.env, moment - self.env.now, URGENT)
            self.staff(cooks)

    def staff(self, cooks: int) -> None:
        """Have `cooks` on shift: new cooks start on the queue at once; cooks sent home finish their unit."""
        self.scheduled.set(self.env.now, cooks)
        off = self.cooks.capacity - cooks
        while len(self.off_duty) < off:
            self.off_duty.append(self.cooks.request(priority=0))
        while len(self.off_duty) > off:
            leave = self.off_duty.pop()  # the latest sent home come back first; those still cooking just stay
            if leave.triggered:
                self.cooks.release(leave)
            else:
                leave.cancel()

    def summary(self) -> RunSummary:
        """What the run reports, so far."""
        return RunSummary(
            fulfillment=self.fulfillment, received=self.received, discarded=self.discarded, rejected=self.rejected,
            first_rejection=self.first_rejection, max_queue=self.most_queued,
            busy_seconds=self.busy_time.integral(self.env.now), on_shift_seconds=self.scheduled.integral(self.env.now),
        )

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

    def sample_every_minute(self) -> Iterator[simpy.Event]:
        return self._every(SAMPLE_INTERVAL, lambda: self.recorder.kitchen_sampled(self.sample()))

    def report_every_hour(self, clock: LocalClock) -> Iterator[simpy.Event]:
        return self._every(REPORT_INTERVAL, lambda: log.info(
            "%s  received %d  queued %d  in progress %d  completed %d", clock.label(int(self.env.now)),
            self.received, self.queued_orders, self.in_progress_orders, self.completed,
        ))

    def _every(self, interval: int, action) -> Iterator[simpy.Event]:
        """Call `action` at every whole multiple of `interval`; once the kitchen has been idle for a
        whole QUIET_LIMIT, wait for the next order instead, so that a long gap in the stream (years,
        in a bad file) costs nothing while a quiet night is recorded minute by minute."""
        yield self.env.timeout(-self.env.now % interval)
        while True:
            action()
            if self.open_orders == 0 and self.env.now - self.idle_since >= QUIET_LIMIT:
                yield self._next_arrival()
                yield self.env.timeout(-self.env.now % interval)
            else:
                yield self.env.timeout(interval)

    def _next_arrival(self) -> simpy.Event:
        if self._arrival is None or self._arrival.triggered:
            self._arrival = self.env.event()
        return self._arrival


def receive_orders(env: simpy.Environment, kitchen: Kitchen, feed: Iterable[FeedEntry | None],
                   pause: float = 1.0) -> Iterator[simpy.Event]:
    """Take each order at max(its ordered_at, the previous order's receipt), then wait until all are done.

    The feed is advanced only here, after the clock has reached the previous order's receipt, so no
    order is read before its time. An order whose timestamp cannot be read is rejected at once and
    moves nothing. A live feed says None when its next order has not come yet: the clock goes on for
    `pause` simulated seconds and asks again (an order that comes later is received when it comes).
    """
    for entry in feed:
        if entry is None:
            yield env.timeout(pause)
            continue
        if entry.ordered_at is None:
            kitchen.reject(entry)
            continue
        if entry.ordered_at > env.now:
            yield env.timeout(entry.ordered_at - env.now)
        kitchen.take(entry)
    yield kitchen.drained()
