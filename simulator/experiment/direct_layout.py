"""The laid-out kitchen computed directly instead of simulated: the model of simulator/stations/kitchen.py, for
what-if trials of a layout (what the plan by role will search with).

No SimPy: one loop (station_loop.py, compiled by Numba with the [plan] extra) walks the kitchen's moments in
order, the next being the earliest of the next order's receipt, the next step's end and the next change of a
role's crew. At each moment it applies the crew changes, the steps that end (a cook or a slot freed, the unit
moved on to its next station, or an order to be packed or done), the orders received; then it gives out work
by the layout's rule (simulator/stations/layout.py), exactly as the SimPy kitchen does at the end of the same
moment. The tests hold the two equal, timestamp for timestamp, over random layouts, streams and schedules.

The orders arrive drawn (`drawn`): their receipts and every unit's steps with their times, drawn from a seed in
the order the SimPy kitchen draws them, so that one seed gives both the same times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from common.schedule import CookSchedule
from simulator.experiment.direct import cook_seconds, summary
from simulator.experiment.station_loop import NEVER, station_times
from simulator.experiment.streams import Stream
from simulator.experiment.unit_starts import COMPILED
from simulator.menu import Dish
from simulator.stations.layout import Duration, Layout
from simulator.tally import RunSummary

FOLLOWED = 56 * 86400
"""Seconds past the last receipt that a trial follows the work for: what a crew leaves undone longer (a role
with no cook, at a station only it works) counts as never done (NEVER_DONE)."""
NEVER_DONE = 10**9
"""The fulfillment, in seconds (some 30 years), of an order never done: it fails every promise."""
NO_DRAWS = np.random.default_rng(0)
"""A generator a fixed time is 'drawn' from: it draws nothing."""


@dataclass(frozen=True)
class Drawn:
    """Orders with their units' steps drawn, in flat arrays (int64)."""

    received: NDArray[np.int64]
    """Each order's receipt: max(its time, the previous receipt)."""
    unit_offsets: NDArray[np.int64]
    """Order i's units are unit_offsets[i]:unit_offsets[i + 1]."""
    step_offsets: NDArray[np.int64]
    """Unit u's steps are step_offsets[u]:step_offsets[u + 1]."""
    step_station: NDArray[np.int64]
    step_seconds: NDArray[np.int64]
    step_load: NDArray[np.int64]
    """Seconds a cook takes to load the step's equipment; 0 for the rest."""


def drawn(stream: Stream, layout: Layout, seed: int) -> Drawn:
    """The stream's orders with every unit's steps and their times, drawn from `seed` exactly as the SimPy kitchen
    draws them (unit by unit, each step's time and then its load's, one normal deviate for each that varies:
    Duration), but in one call for the whole stream."""
    assert stream.dishes is not None  # streams read from orders carry their units' dishes
    routes = [layout.route(Dish(name, 1)) for name in stream.dish_names]
    lengths = np.array([len(route) for route in routes], dtype=np.int64)
    widest = int(lengths.max(initial=1))
    durations: list[Duration] = []  # the varying times, each once
    station = np.zeros((len(routes), widest), dtype=np.int64)
    fixed = np.full((len(routes), widest), -1, dtype=np.int64)  # -1: the unit's menu cook time
    varying = np.full((len(routes), widest), -1, dtype=np.int64)  # the index of its Duration, or -1
    load_fixed = np.zeros((len(routes), widest), dtype=np.int64)
    load_varying = np.full((len(routes), widest), -1, dtype=np.int64)

    def index(duration: Duration) -> int:
        if duration not in durations:
            durations.append(duration)
        return durations.index(duration)

    for d, route in enumerate(routes):
        for j, step in enumerate(route):
            station[d, j] = step.station
            if step.time is not None:
                if step.time.varies:
                    varying[d, j] = index(step.time)
                else:
                    fixed[d, j] = step.time.draw(NO_DRAWS)
            load = layout.stations[step.station].load
            if load is not None:
                if load.varies:
                    load_varying[d, j] = index(load)
                else:
                    load_fixed[d, j] = load.draw(NO_DRAWS)
    dish = stream.dishes.astype(np.int64)
    steps_of_unit = lengths[dish]
    step_offsets = np.concatenate(([0], np.cumsum(steps_of_unit))).astype(np.int64)
    unit = np.repeat(np.arange(len(dish)), steps_of_unit)
    of_route, at_step = dish[unit], np.arange(len(unit)) - step_offsets[unit]
    menu = stream.cook_times[unit]
    if layout.menu_scale != 1:  # as Layout.menu_time takes them
        menu = np.maximum(1, np.rint(menu * layout.menu_scale)).astype(np.int64)
    seconds = np.where(fixed[of_route, at_step] >= 0, fixed[of_route, at_step], menu).astype(np.int64)
    loads = load_fixed[of_route, at_step].copy()
    # the deviates in the order drawn: a step's, then its load's, step after step, unit after unit
    step_draws, load_draws = varying[of_route, at_step] >= 0, load_varying[of_route, at_step] >= 0
    slot = np.cumsum(np.stack([step_draws, load_draws], axis=1).ravel()) - 1
    z = np.random.default_rng(seed).standard_normal(int(step_draws.sum() + load_draws.sum()))
    step_z, load_z = slot[0::2], slot[1::2]
    for k, duration in enumerate(durations):
        at = step_draws & (varying[of_route, at_step] == k)
        seconds[at] = duration.at(z[step_z[at]])
        at = load_draws & (load_varying[of_route, at_step] == k)
        loads[at] = duration.at(z[load_z[at]])
    return Drawn(stream.received, stream.unit_offsets, step_offsets, station[of_route, at_step], seconds, loads)


def timestamps(orders: Drawn, layout: Layout, start: int) -> list[tuple[int, int, int]]:
    """(received, started, completed) of every order; the kitchen's clock, and its crews, start at `start`."""
    started, completed = _starts_and_completions(orders, layout, start)
    return list(zip(orders.received.tolist(), started.tolist(), completed.tolist(), strict=True))


def run(stream: Stream, layout: Layout, seed: int) -> RunSummary:
    """What the SimPy kitchen laid out as `layout`, its step times drawn from `seed`, would report for the stream,
    and per service-level cell when the stream has them (as direct.run reports for one pool of cooks); of the
    orders from its `paid_from` on."""
    orders = drawn(stream, layout, seed)
    start = stream.first_receipt if stream.first_receipt is not None else 0  # None: nothing readable, no orders
    started, completed = _starts_and_completions(orders, layout, start)
    end = max(stream.last_receipt or 0, int(completed.max(initial=0)))
    paid_from = start if stream.paid_from is None else max(start, stream.paid_from)
    first = int(np.searchsorted(stream.received, paid_from))  # after the warm-up
    never = completed < 0  # left undone for good: a crew that cannot do the work
    started = np.where(started < 0, NEVER, started)
    fulfillment = np.where(never, NEVER_DONE, completed - stream.received)[first:]
    return summary(
        stream,
        first,
        fulfillment,
        np.sort(started[first:]),  # an order may start before one received earlier: in time order
        float(_cooking(orders, layout, first)),
        float(sum(cook_seconds(role.crew, paid_from, end) for role in layout.roles)),
    )


def _cooking(orders: Drawn, layout: Layout, first: int) -> int:
    """Cook-seconds of the orders from the `first` on: their steps at stations cooks work, the loads of
    equipment, their packing."""
    steps = slice(orders.step_offsets[orders.unit_offsets[first]], None)
    by_cooks = np.array([station.slots is None for station in layout.stations])[orders.step_station[steps]]
    total = int(orders.step_seconds[steps][by_cooks].sum() + orders.step_load[steps].sum())
    if layout.packing is not None:
        units = np.diff(orders.unit_offsets[first:])
        total += int(len(units) * layout.packing.per_order + units.sum() * layout.packing.per_unit)
    return total


def _starts_and_completions(orders: Drawn, layout: Layout, start: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each order's first start and its completion, from the loop."""
    count = len(orders.received)
    if not count:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    slots = [-1 if station.slots is None else station.slots for station in layout.stations]
    loaded = [1 if station.load_by else 0 for station in layout.stations]
    servers = layout.servers()
    packing = layout.packing
    visits = np.bincount(orders.step_station, minlength=len(slots))
    if packing is not None:
        visits[packing.station] += count
    span = int(orders.received[-1]) - start + 2 * 86400
    while True:
        change_at, change_role, change_cooks = _changes(layout, start, start + span)
        started: Any = np.full(count, -1, dtype=np.int64)
        completed: Any = np.full(count, -1, dtype=np.int64)
        arguments: list[Any] = [
            orders.received,
            orders.unit_offsets,
            orders.step_offsets,
            orders.step_station,
            orders.step_seconds,
            orders.step_load,
            np.array(slots, dtype=np.int64),
            np.array(loaded, dtype=np.int64),
            np.cumsum([0] + [len(s) for s in servers], dtype=np.int64),
            np.array([r for s in servers for r in s], dtype=np.int64),
            np.array([role.cooks_at(start) for role in layout.roles], dtype=np.int64),
            change_at,
            change_role,
            change_cooks,
            start + span if len(change_at) else NEVER,
            -1 if packing is None else packing.station,
            0 if packing is None else packing.per_order,
            0 if packing is None else packing.per_unit,
            np.concatenate([[0], np.cumsum(visits)]).astype(np.int64),
        ]
        if not COMPILED:  # interpreted, a list is the faster to index
            arguments = [a.tolist() if isinstance(a, np.ndarray) else a for a in arguments]
            started, completed = started.tolist(), completed.tolist()
        done = station_times(*arguments, started, completed)  # type: ignore[call-arg]
        if done == count or not len(change_at) or span > FOLLOWED:  # all done, or undone for good
            return np.asarray(started, dtype=np.int64), np.asarray(completed, dtype=np.int64)
        span *= 2


def _changes(layout: Layout, start: int, until: int) -> tuple[NDArray[np.int64], ...]:
    """(moments, roles, cooks) of every change of a scheduled role after `start` up to `until` (and one past it),
    in time order: every change up to `until` (a role's before another's at the same moment: all are applied
    together)."""
    made = []
    for r, role in enumerate(layout.roles):
        if isinstance(role.crew, CookSchedule) and role.crew.changes:
            for moment, cooks in role.crew.changes_after(start):
                made.append((moment, r, cooks))
                if moment > until:
                    break
    made.sort()
    return tuple(np.array([change[k] for change in made], dtype=np.int64) for k in range(3))
