"""The one place that reaches past SimPy's public interface, and why each part must.

SimPy (pinned `simpy>=4.1,<5` in pyproject.toml) offers no public way to
- schedule an event at a chosen priority: `Timeout` is always NORMAL, but the kitchen needs a change of
  crew to come before everything else of its moment and a sample after it (`At`);
- hand a cook back to the crew without a Release event: `Resource.release` grants the next request only
  when its Release event is processed, later in the same moment, which costs three events a unit
  (`HandBack`: the resource's own `_trigger_put`, in its own queue order, at the same moment).

simulator/tests/test_simpy_adapter.py holds each assumption made here (the attributes, the order of
priorities, the grants of a hand-back equal to those of a release), so a SimPy release that changes them
fails there, loudly, rather than changing the kitchen's timestamps.

A unit's request is a `UnitRequest` (or `ScheduledUnitRequest`): SimPy's own request types, subclassed
with the unit's order and cook time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy
from simpy.events import EventPriority
from simpy.resources.resource import PriorityRequest, Request

if TYPE_CHECKING:
    from simulator.kitchen import Ticket


class At(simpy.events.Event):
    """An event `delay` simulated seconds from now at a given priority, succeeded with no value (as a
    Timeout is, at NORMAL priority)."""

    def __init__(self, env: simpy.Environment, delay: float, priority: EventPriority) -> None:
        super().__init__(env)
        self._ok, self._value = True, None
        env.schedule(self, priority, delay)


class HandBack:
    """A crew whose cook, done with a unit, is free for the next one in line at once."""

    users: list[Request]

    def hand_back(self, request: Request) -> None:
        self.users.remove(request)
        self._trigger_put(None)  # type: ignore[attr-defined]


class Cooks(HandBack, simpy.Resource):
    """A fixed crew."""


class ScheduledCooks(HandBack, simpy.PriorityResource):
    """As many cooks as a schedule ever has; those off shift hold a request of priority 0."""


class UnitRequest(Request):
    """One unit of an order asking a fixed crew for a cook. SimPy's own constructor makes it (a constructor
    of ours would cost a call a unit); the kitchen sets the unit's order and cook time before its grant can
    be processed."""

    ticket: Ticket
    cook_time: int


class ScheduledUnitRequest(PriorityRequest):
    """One unit asking a scheduled crew for a cook: after the off-shift requests (priority 0)."""

    ticket: Ticket
    cook_time: int


UnitAsk = UnitRequest | ScheduledUnitRequest
"""A unit's request, of either crew."""
