"""What simulator/simpy_adapter.py assumes of SimPy, held: a SimPy release that changes any of it fails
here, by name, before it can move a timestamp of the kitchen."""

from __future__ import annotations

import simpy
from hypothesis import given
from hypothesis import strategies as st
from simpy.core import NORMAL, URGENT

from simulator.kitchen import LATE, SETTLE
from simulator.simpy_adapter import At, Cooks, ScheduledCooks, ScheduledUnitRequest, UnitRequest


def test_the_private_parts_the_adapter_uses_are_there():
    env = simpy.Environment()
    for resource in (simpy.Resource(env), simpy.PriorityResource(env)):
        assert callable(getattr(resource, "_trigger_put", None)), "Resource._trigger_put is gone"
        assert isinstance(resource.users, list) and isinstance(resource.queue, list)
    assert simpy.events.Event(env)._value is simpy.events.PENDING, "Event keeps its outcome elsewhere now"
    event = At(env, 0, NORMAL)  # its outcome set as the adapter sets it, read through the public interface
    assert event.triggered and event.ok and event.value is None


def test_events_at_one_moment_come_in_the_order_of_their_priorities_whatever_order_they_were_made_in():
    env = simpy.Environment()
    seen: list[str] = []
    for name, make in (
        ("late", lambda: At(env, 5, LATE)),
        ("settle", lambda: At(env, 5, SETTLE)),
        ("normal", lambda: env.timeout(5)),
        ("urgent", lambda: At(env, 5, URGENT)),
    ):
        make().callbacks.append(lambda event, name=name: seen.append((name, env.now, event.ok, event.value)))
    env.run()
    assert seen == [
        ("urgent", 5, True, None),
        ("normal", 5, True, None),
        ("settle", 5, True, None),
        ("late", 5, True, None),
    ]
    assert URGENT < NORMAL < SETTLE < LATE


def grants_by_release(durations: list[tuple[int, int]], capacity: int) -> list[tuple[int, float]]:
    """The textbook: a process per unit that asks, holds and releases (through its Release event)."""
    env, granted = simpy.Environment(), []
    cooks = simpy.Resource(env, capacity)

    def unit(number, arrival, duration):
        yield env.timeout(arrival)
        with cooks.request() as request:
            yield request
            granted.append((number, env.now))
            yield env.timeout(duration)

    for number, (arrival, duration) in enumerate(durations):
        env.process(unit(number, arrival, duration))
    env.run()
    return sorted(granted)


def grants_by_hand_back(durations: list[tuple[int, int]], capacity: int, scheduled: bool) -> list[tuple[int, float]]:
    env, granted = simpy.Environment(), []
    cooks = ScheduledCooks(env, capacity) if scheduled else Cooks(env, capacity)

    def granted_now(request):
        granted.append((request.ticket, env.now))
        env.timeout(request.cook_time, request).callbacks.append(lambda done: cooks.hand_back(done.value))

    def arrive(number, duration):
        request = ScheduledUnitRequest(cooks, priority=1) if scheduled else UnitRequest(cooks)
        request.ticket, request.cook_time = number, duration
        request.callbacks.append(granted_now)

    for number, (arrival, duration) in enumerate(durations):
        env.timeout(arrival).callbacks.append(lambda _, n=number, d=duration: arrive(n, d))
    env.run()
    return sorted(granted)


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20)), min_size=1, max_size=60),
    st.integers(1, 4),
    st.booleans(),
)
def test_a_cook_handed_back_is_granted_to_the_same_unit_at_the_same_moment_as_a_release_would(
    durations, capacity, scheduled
):
    durations.sort(key=lambda pair: pair[0])  # units ask in the order they arrive, as the kitchen's do
    assert grants_by_hand_back(durations, capacity, scheduled) == grants_by_release(durations, capacity)


def test_a_unit_request_is_simpys_own_request_made_by_simpys_own_constructor():
    env = simpy.Environment()
    request = UnitRequest(Cooks(env, 1))
    assert isinstance(request, simpy.resources.resource.Request) and request.triggered
    scheduled = ScheduledUnitRequest(ScheduledCooks(env, 1), priority=1)
    assert isinstance(scheduled, simpy.resources.resource.PriorityRequest)
    assert scheduled.priority == 1 and scheduled.triggered
