"""The kitchen with a fixed crew, computed directly instead of simulated: for what-if sweeps.

With a fixed crew, first-come-first-served cooking has a closed form: units are served in the order
they ask for a cook, and each takes the cook who is free first. A heap of the cooks' free times gives
every order's timestamps exactly as the SimPy kitchen does (the tests hold both to each other), at a
small part of the cost. Cook schedules need the SimPy kitchen.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Iterable

from simulator.orders import FeedEntry, Order
from simulator.tally import FulfillmentTally


@dataclass(frozen=True)
class Outcome:
    """What a what-if run reports."""

    fulfillment: FulfillmentTally
    max_queue: int
    """The most orders waiting at once for their first cook, counted at receipts as the SimPy kitchen
    counts them: every order received at that moment counts, even one that starts at once."""
    utilisation: float | None
    labour_hours: float


def fixed_crew(feed: Iterable[FeedEntry], cooks: int) -> Outcome:
    free_at: list[int] = []  # when each cook who has cooked becomes free; the others are free
    waiting: list[int] = []  # start times of orders received before this moment
    this_moment: list[int] = []  # start times of orders received at this moment
    fulfillment, most_waiting, busy_seconds = FulfillmentTally(), 0, 0
    first = last = previous = None
    for entry in feed:
        if entry.ordered_at is None:
            continue  # unreadable: moves nothing
        received = entry.ordered_at if previous is None else max(entry.ordered_at, previous)
        if received != previous:
            for start in this_moment:
                heapq.heappush(waiting, start)
            this_moment.clear()
            while waiting and waiting[0] <= received:
                heapq.heappop(waiting)
        previous = received
        if first is None:
            first = received
        last = max(last or received, received)
        if not isinstance(entry, Order):
            continue
        started = finished = None
        for dish in entry.units():
            start = received if len(free_at) < cooks else max(received, heapq.heappop(free_at))
            heapq.heappush(free_at, start + dish.cook_time)
            busy_seconds += dish.cook_time
            started = start if started is None else started
            finished = start + dish.cook_time if finished is None else max(finished, start + dish.cook_time)
        fulfillment.add(finished - received)
        last = max(last, finished)
        this_moment.append(started)
        most_waiting = max(most_waiting, len(waiting) + len(this_moment))
    span = (last - first) if first is not None else 0
    return Outcome(fulfillment, most_waiting, busy_seconds / (cooks * span) if span else None, cooks * span / 3600)
