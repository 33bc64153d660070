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

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from common.schedule import CookSchedule
from common.service_level import CellStats
from simulator.experiment.streams import Stream
from simulator.experiment.unit_starts import COMPILED, fixed_crew_starts, scheduled_starts
from simulator.tally import FulfillmentTally, RunSummary

Crew = int | CookSchedule
"""A fixed number of cooks, or a schedule of cooks by local time."""


def timestamps(stream: Stream, crew: Crew) -> Iterator[tuple[int, int, int]]:
    """(received, started, completed) of every order of the stream, in order."""
    started, completed = _starts_and_completions(stream, crew)
    return zip(stream.received.tolist(), started.tolist(), completed.tolist(), strict=True)


def _starts_and_completions(stream: Stream, crew: Crew) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each order's first start and last completion. Units start in order, so the loop (unit_starts.py) only
    finds each unit's start; an order starts with its first unit and is done when the last of its units is."""
    if not len(stream.received):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    units = np.diff(stream.unit_offsets)
    assert (units > 0).all()  # every order has a unit (a quantity is at least 1)
    arrivals = np.repeat(stream.received, units).astype(np.int64)
    cook_times = stream.cook_times.astype(np.int64)
    if isinstance(crew, int):
        if crew < 1:
            raise ValueError(f"a fixed crew needs a cook at least, got {crew}")
        unit_starts = _placed(fixed_crew_starts, arrivals, cook_times, crew)
        assert unit_starts is not None  # a fixed crew places every unit
    else:
        unit_starts = _scheduled(arrivals, cook_times, crew, stream.first_receipt or 0)
    firsts = stream.unit_offsets[:-1]
    return unit_starts[firsts], np.maximum.reduceat(unit_starts + cook_times, firsts)


def _scheduled(
    arrivals: NDArray[np.int64], cook_times: NDArray[np.int64], schedule: CookSchedule, start: int
) -> NDArray[np.int64]:
    """The units' starts under a schedule, given its changes to two days past the last arrival, or further
    when the last units wait longer than that."""
    span = int(arrivals[-1]) - start + 2 * 86400
    while True:
        changes = schedule.changes_after(start)
        moments, cooks = [], []
        for moment, count in changes:
            moments.append(moment)
            cooks.append(count)
            if moment > start + span:  # one change past the span: the loop knows when its crew ends
                break
        at, to = np.array(moments, dtype=np.int64), np.array(cooks, dtype=np.int64)
        starts = _placed(scheduled_starts, arrivals, cook_times, start, schedule.cooks_at(start), at, to)
        if starts is not None:
            return starts
        span *= 2


def _placed(loop: Callable[..., int], *arrays_and_numbers: object) -> NDArray[np.int64] | None:
    """The units' starts from a loop of unit_starts.py (arrays when it is compiled, lists when it runs
    interpreted, where lists are faster); None when it could not place them all."""
    arguments = [a if COMPILED or not isinstance(a, np.ndarray) else a.tolist() for a in arrays_and_numbers]
    count = len(arguments[0])  # type: ignore[arg-type]
    starts: Any = np.empty(count, dtype=np.int64) if COMPILED else [0] * count
    if loop(*arguments, starts) < count:
        return None
    return np.asarray(starts, dtype=np.int64)


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
    return summary(
        stream,
        first,
        completed[first:] - stream.received[first:],
        started[first:],
        float(stream.cook_times[stream.unit_offsets[first] :].sum()),
        float(cook_seconds(crew, paid_from, end)) if paid_from is not None else 0.0,
    )


def summary(
    stream: Stream,
    first: int,
    fulfillment: NDArray[np.int64],
    started: NDArray[np.int64],
    busy_seconds: float,
    on_shift_seconds: float,
) -> RunSummary:
    """What a trial reports of the stream's orders from `first` on (its warm-up before): their fulfillment,
    overall and per cell, and the most waiting at once (`started`: their first starts, in time order)."""
    return RunSummary(
        fulfillment=FulfillmentTally.of(fulfillment),
        cells=None if stream.cells is None else CellStats.of(stream.cells[first:], fulfillment),
        received=len(fulfillment),
        discarded=stream.discarded,
        rejected=stream.rejected,
        first_rejection=stream.first_rejection,
        max_queue=most_waiting(stream.received[first:], started),
        busy_seconds=busy_seconds,
        on_shift_seconds=on_shift_seconds,
    )


def most_waiting(received: NDArray[np.int64], started: NDArray[np.int64]) -> int:
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
