"""A laid-out kitchen in SimPy: stations worked by cooks of several roles, equipment with slots, routes of
several steps and packing at the pass (simulator/stations/layout.py says the layout and who takes what).

The story: a received order's units each get their steps, their times drawn at once from the run's
random generator (so the same seed gives every option the same times: common random numbers); each unit
waits at its first step's station. Whenever something happens at a moment (an order comes, a step ends,
a role's crew changes), `StationKitchen.settle` is scheduled once for the end of that moment (SETTLE,
after every NORMAL event): it gives the free slots and the free cooks work, by the layout's rule, and
each step started is a Timeout whose callback moves the unit on. Deciding once a moment, when
everything of the moment is known, is what makes the result independent of the order in which SimPy
processes simultaneous events.

What a `Kitchen` counts of orders and tells its recorder (received, started, completed, the longest queue, the
summary's tallies) is the base class's; what depends on its cooks (cook-seconds busy and on shift, the samples)
is counted here, per role and station.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import simpy
from simpy.core import URGENT
from simpy.events import ProcessGenerator

from common.schedule import CookSchedule
from simulator.kitchen import SETTLE, Kitchen, KitchenSample, Recorder, StationSample, Ticket, UnitStep
from simulator.simpy_adapter import At
from simulator.stations.layout import Layout
from simulator.tally import TimeWeighted

if TYPE_CHECKING:
    import numpy as np


@dataclass(slots=True)
class Job:
    """A unit on its route, or an order waiting to be packed (one step at the pass)."""

    ticket: Ticket
    key: tuple[int, int]
    """Its place in line among units ready at the same moment: the order's place in the stream, then the unit's
    place in its order (the packing of an order comes after its units)."""
    steps: tuple[tuple[int, int, int], ...]
    """(station, seconds, seconds to load it) of each step."""
    step: int = 0
    role: int = -1
    """The role whose cook is at the job now (freed when its step, or its load, ends); -1: none (in a slot)."""
    started: float = 0.0
    ready: float = 0.0
    worked_by: int = -1
    """The role that worked its current step, or loaded its equipment, as --record-units tells it."""
    packs: bool = False
    """The order's packing, not a unit."""


class StationKitchen(Kitchen):
    """A Kitchen whose cooks have roles and work stations as `layout` lays them out; step times drawn from `rng`."""

    def __init__(
        self,
        env: simpy.Environment,
        layout: Layout,
        recorder: Recorder,
        rng: np.random.Generator,
        record_units: bool = False,
    ) -> None:
        self.layout, self.rng, self.record_units = layout, rng, record_units
        super().__init__(env, 0, recorder)

    def _hire(self, crew: int | CookSchedule) -> None:
        layout, env = self.layout, self.env
        self.waiting: list[list[tuple[float, int, int, Job]]] = [[] for _ in layout.stations]
        self.slots_busy = [0] * len(layout.stations)
        self.working_at = [0] * len(layout.stations)  # cooks at work at each station
        self.working = [0] * len(layout.roles)
        self.on_shift = [TimeWeighted(env.now, role.cooks_at(int(env.now))) for role in layout.roles]
        self.servers = layout.servers()
        self.equipment = [s for s, station in enumerate(layout.stations) if station.slots and not station.load_by]
        """Equipment that units go into by themselves."""
        self.worked_by = [
            (s, self.servers[s], station.slots)
            for s, station in enumerate(layout.stations)
            if not station.slots or station.load_by
        ]
        """Stations that need a cook (worked by cooks, or loaded by one), with their roles and slots."""
        self.cooking_starts = 0.0  # the sum of the start times of the cooks' steps under way (busy_seconds)
        self._settle_at: float | None = None
        for r, role in enumerate(layout.roles):
            if isinstance(role.crew, CookSchedule):
                env.process(self._follow(r, role.crew))

    def _queue(self, ticket: Ticket) -> None:
        """Draw every step time of the order's units, and have each unit wait at its first station."""
        seq, number = self.received, 0
        for line in ticket.order.lines:
            for _ in range(line.quantity):
                steps = self.layout.unit_steps(line.dish, self.rng)
                self._wait(Job(ticket, (seq, number), steps))
                number += 1
        ticket.units_left = number
        self._settle_soon()  # more orders may be received at this moment, in the same step of the feed's process

    def _wait(self, job: Job) -> None:
        job.ready = self.env.now
        heapq.heappush(self.waiting[job.steps[job.step][0]], (self.env.now, *job.key, job))

    def _settle_soon(self) -> None:
        """Give out work at the end of this moment (once, however many things happen in it)."""
        if self._settle_at != self.env.now:
            self._settle_at = self.env.now
            At(self.env, 0, SETTLE).callbacks.append(self.settle)

    def _settle_after_event(self) -> None:
        """At the end of an event's callback: when SimPy has nothing else due at this moment (its next event is
        later, Environment.peek), the moment is over, and work is given out now, as the settle event would give
        it (the common case, and one event less a step); else at the end of the moment."""
        if self._settle_at == self.env.now:
            return  # a settle event is due at this moment already
        if self.env.peek() > self.env.now:
            self.settle()
        else:
            self._settle_soon()

    def settle(self, _: object = None) -> None:
        """Give out work at the end of a moment: free slots to the oldest units waiting for them; then, oldest
        first over every station, a waiting unit to a free cook of the most specialised role that works it."""
        waiting = self.waiting
        for s in self.equipment:
            slots = self.layout.stations[s].slots
            assert slots is not None
            while waiting[s] and self.slots_busy[s] < slots:
                self.slots_busy[s] += 1
                self._begin(heapq.heappop(waiting[s])[-1], -1)
        stations, slots_busy, working, on_shift = self.layout.stations, self.slots_busy, self.working, self.on_shift
        while True:
            best: tuple[float, int, int, Job] | None = None  # the oldest head of a line a free cook can take
            for s, servers, slots in self.worked_by:
                queue = waiting[s]
                if not queue or slots_busy[s] == slots:  # (a loaded equipment's slots full)
                    continue
                head = queue[0]
                if best is not None and best < head:  # keys are unique: jobs are never compared
                    continue
                for r in servers:
                    if working[r] < on_shift[r].value:
                        best, s_best, role = head, s, r
                        break
            if best is None:
                return
            s = s_best
            working[role] += 1
            self.busy += 1
            if stations[s].slots:
                self.slots_busy[s] += 1
            else:
                self.working_at[s] += 1
            self._begin(heapq.heappop(waiting[s])[-1], role)

    def _begin(self, job: Job, role: int) -> None:
        ticket = job.ticket
        if ticket.started_at is None:
            self._start(ticket)
        job.role, job.worked_by, job.started = role, role, self.env.now
        _, seconds, load = job.steps[job.step]
        if role >= 0:
            self.cooking_starts += self.env.now
        if load:  # a cook loads the equipment, then the unit stays in its slot
            self.env.timeout(load, job).callbacks.append(self._loaded)
        else:
            self.env.timeout(seconds, job).callbacks.append(self._step_done)

    def _loaded(self, event: simpy.Timeout) -> None:
        """A cook has loaded a unit into its slot: the cook is free; the unit stays for its step's time."""
        job = cast(Job, event.value)
        self._free_cook(job, job.steps[job.step][2])
        job.role = -1
        self.env.timeout(job.steps[job.step][1], job).callbacks.append(self._step_done)
        self._settle_after_event()

    def _free_cook(self, job: Job, seconds: int) -> None:
        self.working[job.role] -= 1
        self.busy -= 1
        self.cooked_seconds += seconds
        self.cooking_starts -= job.started

    def _step_done(self, event: simpy.Timeout) -> None:
        """A step ends: its cook or slot is free; the unit goes on to its next station, or is done."""
        self._step_over(cast(Job, event.value))
        self._settle_after_event()

    def _step_over(self, job: Job) -> None:
        station, seconds, _ = job.steps[job.step]
        if self.record_units:
            layout = self.layout
            self.recorder.step_done(
                UnitStep(
                    job.ticket.order.position,
                    job.key[1],
                    job.step,
                    layout.stations[station].name,
                    layout.roles[job.worked_by].name if job.worked_by >= 0 else None,
                    int(job.ready),
                    int(job.started),
                    int(self.env.now),
                )
            )
        if job.role >= 0:
            self._free_cook(job, seconds)
            self.working_at[station] -= 1
        else:
            self.slots_busy[station] -= 1
        job.step += 1
        if job.step < len(job.steps):
            self._wait(job)
            return
        ticket = job.ticket
        if job.packs:
            self._complete(ticket)
            return
        ticket.units_left -= 1
        if ticket.units_left:
            return
        ticket.cooked_at = int(self.env.now)
        packing = self.layout.packing
        if packing is None:
            self._complete(ticket)
            return
        units = sum(line.quantity for line in ticket.order.lines)
        self._wait(Job(ticket, (job.key[0], units), ((packing.station, packing.seconds(units), 0),), packs=True))

    def _follow(self, role: int, schedule: CookSchedule) -> ProcessGenerator:
        """A role's crew as its schedule says: a cook sent home finishes the step at hand."""
        for moment, cooks in schedule.changes_after(int(self.env.now)):
            yield At(self.env, moment - self.env.now, URGENT)
            self.on_shift[role].set(self.env.now, cooks)
            self._settle_soon()

    def busy_seconds(self) -> float:
        return self.cooked_seconds + self.busy * self.env.now - self.cooking_starts

    def on_shift_seconds(self) -> float:
        return sum(crew.integral(self.env.now) for crew in self.on_shift)

    def sample(self) -> KitchenSample:
        now = self.env.now
        stations = tuple(
            StationSample(
                station.name,
                len(waiting),
                self.slots_busy[s] if station.slots is not None else self.working_at[s],
                station.slots if station.slots is not None else sum(self.on_shift[r].value for r in self.servers[s]),
                int(now - waiting[0][0]) if waiting else 0,
            )
            for s, (station, waiting) in enumerate(zip(self.layout.stations, self.waiting, strict=True))
        )
        return KitchenSample(
            t=int(now),
            queued_orders=self.queued_orders,
            in_progress_orders=self.in_progress_orders,
            queued_units=sum(map(len, self.waiting)),
            busy_cooks=self.busy,
            cooks=sum(crew.value for crew in self.on_shift),
            stations=stations,
        )
