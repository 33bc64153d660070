"""The nearest-rank percentile, the one definition every figure of the product uses (the run's summary, the
plan and the sweep through common.service_level, the dashboard's charts and tables, and the SQL that
mirrors it there, which dashboard/tests/test_queries.py holds equal to this).

The p-th percentile of n values is the value of rank ceil(p n / 100) (at least 1) in increasing order: the
smallest value that at least p% of them are at most. It is always one of the values, so a percentile of
fulfillment times in whole seconds or minutes is exact, and it can be read from a tally (a count per
distinct value) without ranking the values themselves.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


@overload
def nearest_rank(total: int, percent: float) -> int: ...
@overload
def nearest_rank(total: np.ndarray, percent: float) -> NDArray[np.int64]: ...
def nearest_rank(total: int | np.ndarray, percent: float) -> int | NDArray[np.int64]:
    """The rank (1-based) of the `percent` percentile among `total` values, for a count or an array of counts
    (a small tolerance keeps 0.9 * 10 from rounding up to 10)."""
    if isinstance(total, int):
        return max(1, math.ceil(total * percent / 100 - 1e-9))
    import numpy as np  # here: the simulator's summary needs no numpy

    return np.maximum(1, np.ceil(np.asarray(total) * percent / 100 - 1e-9).astype(np.int64))


def tally_percentile(counts: Iterable[tuple[int, int]], total: int, percent: float) -> int | None:
    """The percentile of values given as (value, count) pairs in increasing order of value, `total` in all."""
    if not total:
        return None
    rank, seen = nearest_rank(total, percent), 0
    for value, count in counts:
        seen += count
        if seen >= rank:
            return value
    raise ValueError(f"the counts add up to {seen}, not to the total {total}")


def percentile(values: Iterable[int], percent: float) -> int | None:
    """The percentile of values one by one (tests and small samples)."""
    ordered = sorted(values)
    return ordered[nearest_rank(len(ordered), percent) - 1] if ordered else None
