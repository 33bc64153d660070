"""Each unit's start, the one loop of a trial (direct.py tells the model): compiled by Numba when the [plan]
extra is installed, run as the same Python otherwise.

A plan runs thousands of trials of a week and this loop is nearly all of each (a heap operation a unit); compiled,
it takes a small part of the time, and the plan a minute or less (bench/plan_bench.py, `plan speed`). The source
is one: without Numba these functions run as they are written, and the tests hold the compiled and the
interpreted functions to each other as well as to the SimPy kitchen. They take arrays when compiled (`COMPILED`)
and lists when interpreted, where a list is the faster to index.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush, heapreplace
from types import ModuleType
from typing import Any, TypeVar, cast

Function = TypeVar("Function", bound=Callable[..., Any])

numba: ModuleType | None
try:
    import numba
except ImportError:  # the [plan] extra is not installed: the loops run interpreted
    numba = None

COMPILED = numba is not None


def _compiled(function: Function) -> Function:
    """The function compiled by Numba, cached on disk beside this module (or in NUMBA_CACHE_DIR) where a folder
    can be written, else compiled afresh in each process; as it is without Numba."""
    if numba is None:
        return function
    try:
        return cast(Function, numba.njit(cache=True)(function))
    except RuntimeError:  # no folder to cache it in ("no locator available")
        return cast(Function, numba.njit(cache=False)(function))


@_compiled
def fixed_crew_starts(arrivals: Any, cook_times: Any, cooks: int, starts: Any) -> int:
    """Fills `starts` with each unit's start for a fixed crew: when the cook free first is free (a heap of the
    cooks' free times), or its arrival. Returns the units placed: all of them."""
    free_at = [arrivals[0]] * cooks
    for k in range(len(arrivals)):
        at = free_at[0]
        if at < arrivals[k]:
            at = arrivals[k]
        heapreplace(free_at, at + cook_times[k])
        starts[k] = at
    return len(arrivals)


@_compiled
def scheduled_starts(
    arrivals: Any, cook_times: Any, start: int, on_shift: int, change_at: Any, change_to: Any, starts: Any
) -> int:
    """Fills `starts` with each unit's start for a cook schedule: the first moment from its arrival and the
    previous unit's start at which fewer cooks are cooking than are on shift. `on_shift` cooks at `start`, then
    the schedule's changes after it, in order (`change_at`, `change_to`). Returns the units placed: all of them,
    or fewer when a unit needs a change past the last one given (the caller gives more and asks again)."""
    # `busy` holds when each cook on shift (or on their way home) is next free: a heap, of `size`; those free
    # by `at` are idle. A unit starts at `at` when fewer cooks are cooking than are on shift: the heap has
    # room, or holds an idle cook (cooks sent home leave it once idle). The common cases, a crew that does not
    # change before the unit starts and is all in the heap, take one heapreplace (the first branch).
    busy = [start]  # a list of start's type (Numba types an empty list by an element it has seen),
    busy.pop()  # emptied
    size = 0
    change = 0
    next_change, next_to = change_at[0], change_to[0]
    at = start  # units start in order: none before the previous one
    for k in range(len(arrivals)):
        cook_time = cook_times[k]
        if arrivals[k] > at:
            at = arrivals[k]
        if size == on_shift and size:
            free = busy[0]
            if free > at:
                if free < next_change:  # every cook busy: the first one free takes it
                    at = free
                    heapreplace(busy, at + cook_time)
                    starts[k] = at
                    continue
            elif at < next_change:  # a cook idle
                heapreplace(busy, at + cook_time)
                starts[k] = at
                continue
        while True:  # the first moment from `at` with fewer cooks cooking than on shift
            while next_change <= at:
                on_shift = next_to
                change += 1
                if change == len(change_at):
                    return k
                next_change, next_to = change_at[change], change_to[change]
            while size > on_shift and busy[0] <= at:  # idle cooks sent home leave
                heappop(busy)
                size -= 1
            if size < on_shift:
                heappush(busy, at + cook_time)
                size += 1
                break
            if size and busy[0] <= at:
                heapreplace(busy, at + cook_time)
                break
            at = busy[0] if size and busy[0] < next_change else next_change
        starts[k] = at
    return len(arrivals)
