"""The loop of a laid-out kitchen's trial (direct_layout.py tells the model), compiled by Numba when the [plan]
extra is installed, run as the same Python otherwise (as unit_starts.py's loops are).

Everything arrives as flat arrays: orders, their units, the units' steps; stations, the roles that work each
(the most specialised first), the crews' changes. A job is a unit on its route (ids 0..units-1) or an order's
packing (units + the order's index).

Each station's waiting jobs are a queue in one shared array, in its own segment (room for every visit a job
makes there): jobs become ready at the moment the loop is at, so a queue is in order of readiness by
construction, and a job is put behind those ready earlier, and among those ready at the same moment by its
order's place in the stream, then its unit's place in its order: a few comparisons, where a heap would pay a
logarithm on every job.
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import Any

from simulator.experiment.unit_starts import _compiled

NEVER = 2**62
"""A moment after every other (epoch seconds fit far below it)."""
STEP, LOAD = 0, 1
"""What ends: a job's step, or a cook's load of its equipment."""


@_compiled
def station_times(
    received: Any,
    unit_offsets: Any,
    step_offsets: Any,
    step_station: Any,
    step_seconds: Any,
    step_load: Any,
    slots: Any,
    loaded: Any,
    server_offsets: Any,
    server_roles: Any,
    on_shift: Any,
    change_at: Any,
    change_role: Any,
    change_cooks: Any,
    known_until: int,
    pack_station: int,
    pack_per_order: int,
    pack_per_unit: int,
    queue_base: Any,
    started: Any,
    completed: Any,
) -> int:
    """Fills `started` and `completed` (each order's; -1 while unknown); returns the orders completed: all of
    them, or fewer when the work goes on past `known_until`, the moment up to which the changes given are every
    change of the crews (the caller gives more, and asks again). `on_shift` (each role's cooks at the first
    receipt) is changed as the changes say."""
    orders = len(received)
    units = len(step_offsets) - 1
    stations = len(slots)
    roles = len(on_shift)
    jobs = units + orders
    order_of = [0] * jobs  # a job's order, and its place in it (a packing's: after the units)
    place = [0] * jobs
    step = [0] * units  # a unit's current step (an index into the steps)
    role_of = [0] * jobs  # -1: at equipment
    ready = [0] * jobs
    for o in range(orders):
        for u in range(unit_offsets[o], unit_offsets[o + 1]):
            order_of[u] = o
            place[u] = u - unit_offsets[o]
        order_of[units + o] = o
        place[units + o] = unit_offsets[o + 1] - unit_offsets[o]
    units_left = [0] * orders
    queue = [0] * queue_base[stations]
    head = [0] * stations
    tail = [0] * stations
    working = [0] * roles
    in_use = [0] * stations
    ends = [(NEVER, STEP, 0)]  # (end, STEP or LOAD, job) of what is under way: a heap (a list of the type Numba
    ends.pop()  # must see, emptied)
    arrived = change = done = under_way = 0

    while True:
        t = NEVER
        if arrived < orders:
            t = received[arrived]
        if ends and ends[0][0] < t:
            t = ends[0][0]
        if change < len(change_at) and (under_way or arrived < orders) and change_at[change] < t:
            t = change_at[change]
        if t == NEVER or t > known_until:
            break
        while change < len(change_at) and change_at[change] == t:
            on_shift[change_role[change]] = change_cooks[change]
            change += 1
        while ends and ends[0][0] == t:
            _, kind, job = heappop(ends)
            if kind == LOAD:  # the cook who loaded it is free; the unit stays in its slot for its step's time
                working[role_of[job]] -= 1
                role_of[job] = -1
                heappush(ends, (t + step_seconds[step[job]], STEP, job))
                continue
            station = pack_station if job >= units else step_station[step[job]]
            if role_of[job] >= 0:
                working[role_of[job]] -= 1
            else:
                in_use[station] -= 1
            if job < units and step[job] + 1 < step_offsets[job + 1]:
                step[job] += 1
                _wait(job, step_station[step[job]], t, queue, queue_base, head, tail, ready, order_of, place)
                continue
            under_way -= 1
            o = order_of[job]
            if job < units:
                units_left[o] -= 1
                if units_left[o]:
                    continue
                if pack_station >= 0:
                    under_way += 1
                    _wait(units + o, pack_station, t, queue, queue_base, head, tail, ready, order_of, place)
                    continue
            completed[o] = t
            done += 1
        while arrived < orders and received[arrived] == t:
            units_left[arrived] = unit_offsets[arrived + 1] - unit_offsets[arrived]
            for u in range(unit_offsets[arrived], unit_offsets[arrived + 1]):
                step[u] = step_offsets[u]
                under_way += 1
                _wait(u, step_station[step[u]], t, queue, queue_base, head, tail, ready, order_of, place)
            arrived += 1
        # work given out: free slots first, then free cooks, the oldest waiting job first
        for s in range(stations):
            while slots[s] >= 0 and not loaded[s] and head[s] < tail[s] and in_use[s] < slots[s]:
                job = queue[queue_base[s] + head[s]]
                head[s] += 1
                in_use[s] += 1
                role_of[job] = -1
                done_at = t + _seconds(
                    job, units, step, step_seconds, unit_offsets, order_of, pack_per_order, pack_per_unit
                )
                heappush(ends, (done_at, STEP, job))
                if started[order_of[job]] < 0:
                    started[order_of[job]] = t
        while True:
            best, best_role, best_job = -1, -1, -1
            for s in range(stations):
                if head[s] == tail[s] or (slots[s] >= 0 and (not loaded[s] or in_use[s] == slots[s])):
                    continue
                job = queue[queue_base[s] + head[s]]
                if best >= 0 and not _before(job, best_job, ready, order_of, place):
                    continue
                for k in range(server_offsets[s], server_offsets[s + 1]):
                    if working[server_roles[k]] < on_shift[server_roles[k]]:
                        best, best_role, best_job = s, server_roles[k], job
                        break
            if best < 0:
                break
            head[best] += 1
            working[best_role] += 1
            role_of[best_job] = best_role
            if slots[best] >= 0:  # equipment a cook loads: its slot from now, the cook for the load
                in_use[best] += 1
                heappush(ends, (t + step_load[step[best_job]], LOAD, best_job))
            else:
                done_at = t + _seconds(
                    best_job, units, step, step_seconds, unit_offsets, order_of, pack_per_order, pack_per_unit
                )
                heappush(ends, (done_at, STEP, best_job))
            if started[order_of[best_job]] < 0:
                started[order_of[best_job]] = t
    return done


@_compiled
def _before(a: int, b: int, ready: Any, order_of: Any, place: Any) -> bool:
    """Whether job `a` is ahead of job `b` in line: ready first, then its order first, then its place in it."""
    if ready[a] != ready[b]:
        return bool(ready[a] < ready[b])
    if order_of[a] != order_of[b]:
        return bool(order_of[a] < order_of[b])
    return bool(place[a] < place[b])


@_compiled
def _wait(
    job: int, s: int, t: int, queue: Any, queue_base: Any, head: Any, tail: Any, ready: Any, order_of: Any, place: Any
) -> None:
    """Put `job`, ready at `t`, in line at station `s`: behind those ready earlier, and among those ready at `t`
    in the order of `_before`."""
    ready[job] = t
    at = queue_base[s] + tail[s]
    first = queue_base[s] + head[s]
    while at > first and _before(job, queue[at - 1], ready, order_of, place):
        queue[at] = queue[at - 1]
        at -= 1
    queue[at] = job
    tail[s] += 1


@_compiled
def _seconds(
    job: int, units: int, step: Any, step_seconds: Any, unit_offsets: Any, order_of: Any, per_order: int, per_unit: int
) -> int:
    """The time of the job's current step: its unit's step, or its order's packing."""
    if job < units:
        return int(step_seconds[step[job]])
    o = order_of[job]
    return per_order + per_unit * int(unit_offsets[o + 1] - unit_offsets[o])
