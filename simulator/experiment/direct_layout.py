"""The laid-out kitchen computed directly instead of simulated: the model of simulator/stations/kitchen.py, for
what-if trials of a layout (a prototype of what the plan by role will search with).

No SimPy: one loop walks the kitchen's moments in order, the next being the earliest of the next order's
receipt, the next step's end and the next change of a role's crew. At each moment it applies, in this order,
the crew changes, the steps that end (a cook or a slot freed, the unit moved on to its next station, or an
order to be packed or done), the orders received; then it gives out work by the layout's rule
(simulator/stations/layout.py), exactly as the SimPy kitchen does at the end of the same moment. The tests
hold the two equal, timestamp for timestamp, over random layouts, streams and schedules.

An order arrives here already drawn: its receipt and, for each unit, the (station, seconds) of its steps, as
`drawn` makes them from a seed, in the order the SimPy kitchen draws them (so one seed gives both the same
times).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

import numpy as np

from common.schedule import CookSchedule
from simulator.orders import FeedEntry, Order
from simulator.stations.layout import Layout

Steps = tuple[tuple[int, int], ...]


class DrawnOrder(NamedTuple):
    received: int
    units: tuple[Steps, ...]


def drawn(entries: Iterable[FeedEntry], layout: Layout, seed: int) -> list[DrawnOrder]:
    """The orders of a feed with their step times drawn, each received at max(its time, the previous receipt)."""
    rng = np.random.default_rng(seed)
    made, clock = [], None
    for entry in entries:
        if entry.ordered_at is None:
            continue
        clock = entry.ordered_at if clock is None else max(clock, entry.ordered_at)
        if isinstance(entry, Order):
            units = tuple(layout.unit_steps(line.dish, rng) for line in entry.lines for _ in range(line.quantity))
            made.append(DrawnOrder(clock, units))
    return made


def timestamps(orders: Sequence[DrawnOrder], layout: Layout, start: int) -> list[tuple[int, int, int]]:
    """(received, started, completed) of every order; the kitchen's clock, and its crews, start at `start`."""
    stations = layout.stations
    slots = [station.slots for station in stations]
    servers = [
        sorted(
            (r for r, role in enumerate(layout.roles) if s in role.stations),
            key=lambda r: (len(layout.roles[r].stations), r),
        )
        for s in range(len(stations))
    ]
    on_shift = [role.crew if isinstance(role.crew, int) else role.crew.cooks_at(start) for role in layout.roles]
    working = [0] * len(layout.roles)
    in_use = [0] * len(stations)
    changes = _changes(layout, start)
    upcoming = next(changes, None)
    waiting: list[list[tuple[int, int, int, int]]] = [[] for _ in stations]  # (ready, order, unit, job)
    ends: list[tuple[int, int]] = []  # (end, job)
    jobs: list[list[int]] = []  # job -> [order, unit (-1: packing), step, role or -1]
    routes: list[Steps] = []
    started = [-1] * len(orders)
    completed = [-1] * len(orders)
    units_left = [len(o.units) for o in orders]
    packing = layout.packing
    arrived, open_jobs = 0, 0

    def ready(job: int, t: int) -> None:
        order, unit, step, _ = jobs[job]
        heapq.heappush(waiting[routes[job][step][0]], (t, order, unit if unit >= 0 else len(orders[order].units), job))

    while True:
        moments = []
        if arrived < len(orders):
            moments.append(orders[arrived].received)
        if ends:
            moments.append(ends[0][0])
        if upcoming is not None and (open_jobs or arrived < len(orders)):
            moments.append(upcoming[0])
        if not moments:
            break
        t = min(moments)
        while upcoming is not None and upcoming[0] == t:
            on_shift[upcoming[1]] = upcoming[2]
            upcoming = next(changes, None)
        while ends and ends[0][0] == t:
            job = heapq.heappop(ends)[1]
            order, unit, step, role = jobs[job]
            if role >= 0:
                working[role] -= 1
            else:
                in_use[routes[job][step][0]] -= 1
            if step + 1 < len(routes[job]):
                jobs[job][2] = step + 1
                ready(job, t)
                continue
            open_jobs -= 1
            if unit >= 0:
                units_left[order] -= 1
                if units_left[order]:
                    continue
                if packing is not None:
                    jobs.append([order, -1, 0, -1])
                    routes.append(((packing.station, packing.seconds(len(orders[order].units))),))
                    open_jobs += 1
                    ready(len(jobs) - 1, t)
                    continue
            completed[order] = t
        while arrived < len(orders) and orders[arrived].received == t:
            for unit, steps in enumerate(orders[arrived].units):
                jobs.append([arrived, unit, 0, -1])
                routes.append(steps)
                open_jobs += 1
                ready(len(jobs) - 1, t)
            arrived += 1
        _give_out_work(t, waiting, slots, in_use, servers, working, on_shift, jobs, routes, ends, started)
    return [(o.received, started[i], completed[i]) for i, o in enumerate(orders)]


def _give_out_work(t, waiting, slots, in_use, servers, working, on_shift, jobs, routes, ends, started) -> None:  # type: ignore[no-untyped-def]
    """Free slots to the oldest units waiting for them; then the oldest waiting unit a free cook can work, over
    every station, to the most specialised free role, until no free cook can take any."""

    def begin(job: int, role: int) -> None:
        jobs[job][3] = role
        order, step = jobs[job][0], jobs[job][2]
        if started[order] < 0:
            started[order] = t
        heapq.heappush(ends, (t + routes[job][step][1], job))

    for s, capacity in enumerate(slots):
        if capacity is not None:
            while waiting[s] and in_use[s] < capacity:
                in_use[s] += 1
                begin(heapq.heappop(waiting[s])[3], -1)
    while True:
        best = None
        for s, queue in enumerate(waiting):
            if not queue or slots[s] is not None or (best is not None and queue[0] >= best[0]):
                continue
            for role in servers[s]:
                if working[role] < on_shift[role]:
                    best = (queue[0], s, role)
                    break
        if best is None:
            return
        _, s, role = best
        working[role] += 1
        begin(heapq.heappop(waiting[s])[3], role)


def _changes(layout: Layout, start: int) -> Iterator[tuple[int, int, int]]:
    """(moment, role, cooks) of every change of every scheduled role after `start`, in time order."""

    def of(role: int, schedule: CookSchedule) -> Iterator[tuple[int, int, int]]:
        for moment, cooks in schedule.changes_after(start):
            yield moment, role, cooks

    return heapq.merge(
        *(of(r, role.crew) for r, role in enumerate(layout.roles) if isinstance(role.crew, CookSchedule))
    )
