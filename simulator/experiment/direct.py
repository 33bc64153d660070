"""The kitchen computed directly instead of simulated: the model of kitchen.py, for what-if trials.

Units are cooked first come, first served, and a waiting unit starts as soon as fewer cooks are
cooking than are on shift; a cook sent home finishes the unit at hand. So units start in the order
they ask for a cook, and each unit's start is the first moment, from its receipt and the previous
unit's start, at which a cook is free: with a fixed crew, when the cook who is free first is free (a
heap of the cooks' free times); with a cook schedule, the first moment a cook finishes or the crew
grows such that fewer cooks are cooking than the schedule has on shift. This gives every order's
timestamps exactly as the SimPy kitchen does (the tests hold both to each other, timestamp for
timestamp, over random streams and schedules), at a small part of the cost.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from common.schedule import CookSchedule
from common.service_level import CellStats
from simulator.experiment.streams import Stream
from simulator.tally import FulfillmentTally, RunSummary

Crew = int | CookSchedule
"""A fixed number of cooks, or a schedule of cooks by local time."""


def timestamps(stream: Stream, crew: Crew) -> Iterator[tuple[int, int, int]]:
    """(received, started, completed) of every order of the stream, in order."""
    started, completed = _starts_and_completions(stream, crew)
    return zip(stream.received.tolist(), started.tolist(), completed.tolist(), strict=True)


def _starts_and_completions(stream: Stream, crew: Crew) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each order's first start and last completion. Units start in order, so the loops below only find each
    unit's start; an order starts with its first unit and is done when the last of its units is (numpy)."""
    cook_times = stream.cook_times
    if not len(stream.received):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    assert (np.diff(stream.unit_offsets) > 0).all()  # every order has a unit (a quantity is at least 1)
    arrivals = np.repeat(stream.received, np.diff(stream.unit_offsets)).tolist()
    if isinstance(crew, int):
        starts = _fixed_crew(arrivals, cook_times.tolist(), crew)
    else:
        start = stream.first_receipt if stream.first_receipt is not None else 0
        starts = _scheduled(arrivals, cook_times.tolist(), crew, start)
    unit_starts = np.array(starts, dtype=np.int64)
    firsts = stream.unit_offsets[:-1]
    return unit_starts[firsts], np.maximum.reduceat(unit_starts + cook_times, firsts)


def _fixed_crew(arrivals: list[int], cook_times: list[int], cooks: int) -> list[int]:
    """Each unit's start: when the cook free first is free (a heap of the cooks' free times), or its arrival."""
    free_at = [arrivals[0]] * cooks
    starts: list[int] = []
    start_at, replace = starts.append, heapq.heapreplace
    for arrived, cook_time in zip(arrivals, cook_times, strict=True):
        at = free_at[0]
        if at < arrived:
            at = arrived
        replace(free_at, at + cook_time)
        start_at(at)
    return starts


def _scheduled(arrivals: list[int], cook_times: list[int], schedule: CookSchedule, start: int) -> list[int]:
    """Each unit's start: the first moment from its arrival and the previous unit's start at which fewer cooks
    are cooking than the schedule has on shift."""
    # `busy` holds when each cook on shift (or on their way home) is next free: a heap, of `size`; those free
    # by `at` are idle. A unit starts at `at` when fewer cooks are cooking than are on shift: the heap has
    # room, or holds an idle cook (cooks sent home leave it once idle). The common cases, a crew that does not
    # change before the unit starts and is all in the heap, take one heapreplace (the first branch).
    busy: list[int] = []
    size = 0
    on_shift = schedule.cooks_at(start)
    changes = schedule.changes_after(start)
    change_at, change_to = next(changes)
    at = start  # units start in order: none before the previous one
    starts: list[int] = []
    start_at, replace, push, pop = starts.append, heapq.heapreplace, heapq.heappush, heapq.heappop
    for arrived, cook_time in zip(arrivals, cook_times, strict=True):
        if arrived > at:
            at = arrived
        if size == on_shift and size:
            free = busy[0]
            if free > at:
                if free < change_at:  # every cook busy: the first one free takes it
                    at = free
                    replace(busy, at + cook_time)
                    start_at(at)
                    continue
            elif at < change_at:  # a cook idle
                replace(busy, at + cook_time)
                start_at(at)
                continue
        while True:  # the first moment from `at` with fewer cooks cooking than on shift
            while change_at <= at:
                on_shift = change_to
                change_at, change_to = next(changes)
            while size > on_shift and busy[0] <= at:  # idle cooks sent home leave
                pop(busy)
                size -= 1
            if size < on_shift:
                push(busy, at + cook_time)
                size += 1
                break
            if size and busy[0] <= at:
                replace(busy, at + cook_time)
                break
            at = busy[0] if size and busy[0] < change_at else change_at
        start_at(at)
    return starts


def run(stream: Stream, crew: Crew) -> RunSummary:
    """What the SimPy kitchen would report for the stream and crew, and per service-level cell when the stream
    has them; of the orders from its `paid_from` on (a warm-up before it is simulated, not reported)."""
    started, completed = _starts_and_completions(stream, crew)
    end = max(stream.last_receipt or 0, int(completed.max(initial=0)))
    paid_from = (
        stream.first_receipt
        if stream.paid_from is None or stream.first_receipt is None
        else max(stream.first_receipt, stream.paid_from)
    )
    first = int(np.searchsorted(stream.received, paid_from)) if paid_from is not None else 0  # after the warm-up
    received = stream.received[first:]
    fulfillment = completed[first:] - received
    return RunSummary(
        fulfillment=FulfillmentTally.of(fulfillment),
        cells=None if stream.cells is None else CellStats.of(stream.cells[first:], fulfillment),
        received=len(received),
        discarded=stream.discarded,
        rejected=stream.rejected,
        first_rejection=stream.first_rejection,
        max_queue=_most_waiting(received, started[first:]),
        busy_seconds=float(stream.cook_times[stream.unit_offsets[first] :].sum()),
        on_shift_seconds=float(cook_seconds(crew, paid_from, end)) if paid_from is not None else 0.0,
    )


def _most_waiting(received: NDArray[np.int64], started: NDArray[np.int64]) -> int:
    """The most orders waiting for their first cook, counted at the end of each moment of receipt.

    Units start in order, so first starts are in order too: at the end of moment t, the orders waiting
    are those received by t less those started by t.
    """
    if not len(received):
        return 0
    last_of_moment = np.flatnonzero(np.append(received[1:] != received[:-1], True))
    moments = received[last_of_moment]
    return int((last_of_moment + 1 - np.searchsorted(started, moments, side="right")).max())


def cook_seconds(crew: Crew, start: int, end: int) -> int:
    """Cook-seconds on shift from `start` to `end`."""
    if isinstance(crew, int):
        return crew * (end - start)
    total, at, cooks = 0, start, crew.cooks_at(start)
    for moment, count in crew.changes_after(start):
        if moment >= end:
            break
        total += cooks * (moment - at)
        at, cooks = moment, count
    return total + cooks * (end - at)
