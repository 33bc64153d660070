"""Replications made from the user's own orders file alone.

The file gives its own demand: how many orders arrive at each quarter hour of local time (per weekday
when the file covers every weekday at least twice) and what those orders hold. A replication is a new
stream over the same stretch of time: arrivals from a non-homogeneous Poisson process whose rate, in each
quarter hour, is the file's average rate at that quarter hour of the day (or of the week), optionally
scaled ("what if demand grows 20%"); each arrival carries the basket (items, quantities, prices and
service) of an order of the file drawn at random from the same quarter hour. So a replication holds no
dish the file does not, rejects nothing, and has the file's demand curve and order mix, while the
particular orders and moments vary. It is determined by the seed and the replication's number.

The rate is piecewise constant, so the process is simulated exactly: a Poisson count per quarter hour,
then moments uniform within it. Quarter hours are UTC quarter hours, labelled by the local time at
their start; they are exactly the local quarter hours in every zone whose offset is a multiple of 15
minutes (all of today's zones).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from common.localtime import EPOCH_WEEKDAY, LocalClock
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.streams import Stream

QUARTER = 900  # seconds: the demand curve is estimated per quarter hour of local time
QUARTERS_PER_DAY = 96


def covers_every_weekday_twice(stream: Stream, zone: str) -> bool:
    """Whether the stream's local days include every weekday at least twice: then demand is per weekday."""
    if not stream.orders:
        return False
    clock = LocalClock(zone)
    first, last = (clock.local_seconds(int(t)) // 86400 for t in (stream.received[0], stream.received[-1]))
    return last - first + 1 >= 14


@dataclass(frozen=True, eq=False)
class DemandModel:
    source: Stream
    """The orders file, as read."""
    zone: str
    per_weekday: bool
    quarters: np.ndarray
    """Start (epoch seconds) of every quarter hour from the file's first receipt to its last."""
    quarter_keys: np.ndarray
    """Each quarter hour's place in the day (0-95), or in the week (0-671) per weekday."""
    rate: np.ndarray
    """Orders per second of the file, by key."""
    orders_by_key: np.ndarray
    """The file's orders (indices), grouped by key: the baskets to draw from."""
    key_first: np.ndarray
    """Where each key's orders start in orders_by_key."""
    key_count: np.ndarray

    @classmethod
    def of(cls, source: Stream, zone: str, per_weekday: bool) -> DemandModel:
        clock = LocalClock(zone)
        keys_per_day = QUARTERS_PER_DAY * (7 if per_weekday else 1)
        order_keys = _keys(source.received, clock, per_weekday)
        if source.orders:
            first, last = int(source.received[0]), int(source.received[-1])
            quarters = np.arange(first - first % QUARTER, last + 1, QUARTER, dtype=np.int64)
        else:
            quarters = np.zeros(0, dtype=np.int64)
        quarter_keys = _keys(quarters, clock, per_weekday)
        exposure = np.bincount(quarter_keys, minlength=keys_per_day) * QUARTER
        counts = np.bincount(order_keys, minlength=keys_per_day)
        rate = np.divide(counts, exposure, out=np.zeros(keys_per_day), where=exposure > 0)
        orders_by_key = np.argsort(order_keys, kind="stable")
        key_first = np.concatenate(([0], np.cumsum(counts)[:-1]))
        return cls(source, zone, per_weekday, quarters, quarter_keys, rate, orders_by_key, key_first, counts)

    def orders_per_hour(self, grid: IntervalGrid) -> np.ndarray:
        """The file's average arrival rate in each interval of the grid, in orders per hour."""
        clock = LocalClock(self.zone)
        intervals = grid.of(self.quarters, clock)
        exposure = np.bincount(intervals, minlength=grid.size) * QUARTER
        arrivals = np.bincount(grid.of(self.source.received, clock), minlength=grid.size)
        return np.divide(arrivals * 3600.0, exposure, out=np.zeros(grid.size), where=exposure > 0)

    def replicate(self, seed: int, replication: int, scale: float, grid: IntervalGrid) -> Stream:
        """Replication number `replication` (2, 3, ...) of the file, with the arrival rate times `scale`."""
        rng = np.random.default_rng([seed, replication])
        counts = rng.poisson(self.rate[self.quarter_keys] * QUARTER * scale)
        total = int(counts.sum())
        moments = np.repeat(self.quarters, counts) + rng.integers(0, QUARTER, size=total)
        keys = np.repeat(self.quarter_keys, counts)
        picks = self.key_first[keys] + (rng.random(total) * self.key_count[keys]).astype(np.int64)
        chosen = self.orders_by_key[picks]
        in_time = np.argsort(moments, kind="stable")
        moments, chosen = moments[in_time], chosen[in_time]

        source = self.source
        sizes = np.diff(source.unit_offsets)[chosen]
        offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        units = np.repeat(source.unit_offsets[chosen] - offsets[:-1], sizes) + np.arange(offsets[-1])
        first = int(moments[0]) if total else None
        return replace(
            source, name=f"replication {replication}", received=moments, intervals=grid.of(moments),
            unit_offsets=offsets, cook_times=source.cook_times[units], sources=source.sources[chosen],
            first_receipt=first, last_receipt=int(moments[-1]) if total else None,
            discarded=0, rejected=0, first_rejection=None,
        )


def _keys(epochs: np.ndarray, clock: LocalClock, per_weekday: bool) -> np.ndarray:
    local = np.asarray(epochs, dtype=np.int64) + clock.offsets(epochs)
    days, seconds = np.divmod(local, 86400)
    keys = seconds // QUARTER
    if per_weekday:
        keys = keys + ((days + EPOCH_WEEKDAY) % 7) * QUARTERS_PER_DAY
    return keys.astype(np.int64)
