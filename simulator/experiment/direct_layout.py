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

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from common.schedule import CookSchedule
from simulator.experiment.station_loop import NEVER, station_times
from simulator.experiment.unit_starts import COMPILED
from simulator.orders import FeedEntry, Order
from simulator.stations.layout import Layout


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


def drawn(entries: Iterable[FeedEntry], layout: Layout, seed: int) -> Drawn:
    """The orders of a feed with their step times drawn, as the SimPy kitchen draws them from the same seed."""
    rng = np.random.default_rng(seed)
    received: list[int] = []
    unit_offsets, step_offsets = [0], [0]
    stations: list[int] = []
    seconds: list[int] = []
    loads: list[int] = []
    clock = None
    for entry in entries:
        if entry.ordered_at is None:
            continue
        clock = entry.ordered_at if clock is None else max(clock, entry.ordered_at)
        if not isinstance(entry, Order):
            continue
        received.append(clock)
        for line in entry.lines:
            for _ in range(line.quantity):
                for station, time, load in layout.unit_steps(line.dish, rng):
                    stations.append(station)
                    seconds.append(time)
                    loads.append(load)
                step_offsets.append(len(stations))
        unit_offsets.append(len(step_offsets) - 1)
    arrays = (received, unit_offsets, step_offsets, stations, seconds, loads)
    return Drawn(*(np.array(a, dtype=np.int64) for a in arrays))


def timestamps(orders: Drawn, layout: Layout, start: int) -> list[tuple[int, int, int]]:
    """(received, started, completed) of every order; the kitchen's clock, and its crews, start at `start`."""
    count = len(orders.received)
    if not count:
        return []
    slots = [-1 if station.slots is None else station.slots for station in layout.stations]
    loaded = [1 if station.load_by else 0 for station in layout.stations]
    servers = [  # the roles that work a station, or load its equipment, the most specialised first
        sorted(
            station.load_by or (r for r, role in enumerate(layout.roles) if s in role.stations),
            key=lambda r: (len(layout.roles[r].stations), r),
        )
        for s, station in enumerate(layout.stations)
    ]
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
            np.array([_crew_at(role.crew, start) for role in layout.roles], dtype=np.int64),
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
        if station_times(*arguments, started, completed) == count:  # type: ignore[call-arg]
            return list(zip(orders.received.tolist(), list(started), list(completed), strict=True))
        if all(isinstance(role.crew, int) for role in layout.roles):
            raise RuntimeError("a fixed crew left work undone")  # every station is worked by a role of cooks
        span *= 2


def _crew_at(crew: int | CookSchedule, moment: int) -> int:
    return crew if isinstance(crew, int) else crew.cooks_at(moment)


def _changes(layout: Layout, start: int, until: int) -> tuple[NDArray[np.int64], ...]:
    """(moments, roles, cooks) of every change of a scheduled role after `start` up to `until` (and one past it),
    in time order: every change up to `until` (a role's before another's at the same moment: all are applied
    together)."""
    made = []
    for r, role in enumerate(layout.roles):
        if isinstance(role.crew, CookSchedule):
            for moment, cooks in role.crew.changes_after(start):
                made.append((moment, r, cooks))
                if moment > until:
                    break
    made.sort()
    return tuple(np.array([change[k] for change in made], dtype=np.int64) for k in range(3))
