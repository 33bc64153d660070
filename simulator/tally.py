"""What a run counts, in memory that does not grow with the number of orders, and `RunSummary`, the one
result type of a run.

Fulfillment times are whole seconds, so a count per distinct time gives exact means and percentiles
while holding only as many entries as there are distinct fulfillment times.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from common.statistics import tally_percentile

if TYPE_CHECKING:
    import numpy as np

    from common.service_level import CellStats


class FulfillmentTally:
    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self.total = 0
        self.seconds = 0

    @classmethod
    def of(cls, seconds: np.ndarray) -> FulfillmentTally:
        """The tally of many times at once."""
        import numpy as np  # here: numpy takes a tenth of a second to import

        tally = cls()
        values, counts = np.unique(np.asarray(seconds, dtype=np.int64), return_counts=True)
        tally.counts.update(dict(zip(values.tolist(), counts.tolist(), strict=True)))
        tally.total, tally.seconds = int(counts.sum()), int(np.asarray(seconds, dtype=np.int64).sum())
        return tally

    def merge(self, other: FulfillmentTally) -> FulfillmentTally:
        """Both tallies as one (orders of several replications, pooled)."""
        merged = FulfillmentTally()
        merged.counts = self.counts + other.counts
        merged.total, merged.seconds = self.total + other.total, self.seconds + other.seconds
        return merged

    def add(self, seconds: int) -> None:
        self.counts[seconds] += 1
        self.total += 1
        self.seconds += seconds

    @property
    def mean(self) -> float | None:
        return self.seconds / self.total if self.total else None

    def percentile(self, p: float) -> int | None:
        """Nearest-rank percentile: the smallest time at least p% of orders were fulfilled within."""
        return tally_percentile(sorted(self.counts.items()), self.total, p)


class TimeWeighted:
    """A quantity that changes at moments in time, and its integral over time (e.g. cook-seconds)."""

    def __init__(self, now: float, value: int) -> None:
        self.value, self.since, self.area = value, now, 0.0

    def set(self, now: float, value: int) -> None:
        self.area += self.value * (now - self.since)
        self.value, self.since = value, now

    def integral(self, now: float) -> float:
        return self.area + self.value * (now - self.since)


@dataclass
class RunSummary:
    """What one run of the kitchen reports, however it was run: the simulator's SimPy kitchen, or the
    direct computation of a what-if trial. Small (no rows), so that trials can return it from anywhere."""

    fulfillment: FulfillmentTally
    """Seconds from receipt to completion, of every completed order."""
    cells: CellStats | None = None
    """The same, per service-level cell (a local day and a block of intervals: common/service_level.py), when
    the study judges by days; None otherwise."""
    received: int = 0
    discarded: int = 0
    """Orders with no items."""
    rejected: int = 0
    first_rejection: str | None = None
    max_queue: int = 0
    """The most orders waiting for their first cook at once (orders, not units), counted once everything
    that happens at a moment of receipt has happened."""
    busy_seconds: float = 0.0
    """Cook-seconds spent cooking."""
    on_shift_seconds: float = 0.0
    """Cook-seconds on shift, from the first receipt to the last completion: the labour paid for. A crew
    too small for its orders works on until the backlog is cleared, so this can exceed cooks x hours
    of the orders' span."""

    @property
    def labour_hours(self) -> float:
        return self.on_shift_seconds / 3600

    @property
    def utilisation(self) -> float | None:
        """The share of cook time on shift spent cooking; None when nobody was on shift."""
        return self.busy_seconds / self.on_shift_seconds if self.on_shift_seconds else None
