"""Fulfillment times, tallied in memory that does not grow with the number of orders.

Times are whole seconds, so a count per distinct time gives exact means and percentiles while holding
only as many entries as there are distinct fulfillment times.
"""

from __future__ import annotations

import math
from collections import Counter


class FulfillmentTally:
    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self.total = 0
        self.seconds = 0

    def add(self, seconds: int) -> None:
        self.counts[seconds] += 1
        self.total += 1
        self.seconds += seconds

    @property
    def mean(self) -> float | None:
        return self.seconds / self.total if self.total else None

    def percentile(self, p: float) -> int | None:
        """Nearest-rank percentile: the smallest time at least p% of orders were fulfilled within."""
        if not self.total:
            return None
        rank = max(1, math.ceil(p / 100 * self.total))
        seen = 0
        for seconds in sorted(self.counts):
            seen += self.counts[seconds]
            if seen >= rank:
                return seconds
        raise AssertionError("unreachable: ranks add up to the total")


class TimeWeighted:
    """A quantity that changes at moments in time, and its integral over time (e.g. cook-seconds)."""

    def __init__(self, now: float, value: int) -> None:
        self.value, self.since, self.area = value, now, 0.0

    def set(self, now: float, value: int) -> None:
        self.area += self.value * (now - self.since)
        self.value, self.since = value, now

    def integral(self, now: float) -> float:
        return self.area + self.value * (now - self.since)
