"""The order ids a CSV has shown so far: a CSV's orders are told apart by their ids, and an id met again after
other orders means an order whose rows are apart."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class SeenIds:
    """The order ids met so far, as 64-bit hashes: 8 bytes an order, in a sorted array merged in batches (a merge
    holds the array twice for a moment: 16 MB at a million orders, where numpy's union1d held it four times).

    Exact but for hash collisions, which are unlikely to happen once in 10^12 pairs of ids. The hash is Python's
    own of the id (SipHash, 64 bits, random for each process): the set lives as long as one reading."""

    BATCH = 65_536

    def __init__(self) -> None:
        self.older: np.ndarray | None = None
        """The ids merged, sorted; None before the first merge: numpy takes a tenth of a second to import, more
        than a file of fewer ids takes to read."""
        self.recent: set[int] = set()

    def add(self, order_id: str) -> bool:
        """Note the id; True if it was already there."""
        key = id_key(order_id)
        if key in self.recent:
            return True
        older = self.older
        if older is not None:
            at = older.searchsorted(self.uint64(key))  # a numpy integer: a Python int above 2**63 would be a float
            if at < len(older) and older[at] == key:
                return True
        self.recent.add(key)
        if len(self.recent) >= self.BATCH:
            self._merge()
        return False

    def _merge(self) -> None:
        """The recent ids into the sorted array: one new array, sorted in place (no id is in both)."""
        np = self._numpy()
        recent = np.fromiter(self.recent, dtype=np.uint64, count=len(self.recent))
        merged = recent if self.older is None else np.concatenate((self.older, recent))
        merged.sort()
        self.older = merged
        self.recent.clear()

    def _numpy(self) -> ModuleType:
        import numpy

        self.uint64 = numpy.uint64
        return numpy


def id_key(order_id: str) -> int:
    """An order id as the ids seen keep it: its hash, as a 64-bit unsigned integer."""
    return hash(order_id) & 0xFFFF_FFFF_FFFF_FFFF
