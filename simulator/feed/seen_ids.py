"""The order ids a CSV has shown so far: a CSV's orders are told apart by their ids, and an id met again after
other orders means an order whose rows are apart."""

from __future__ import annotations


class SeenIds:
    """The order ids met so far, as 64-bit hashes: 8 bytes an order, in a sorted array merged in batches (a merge
    holds the array twice for a moment: 16 MB at a million orders, where numpy's union1d held it four times).

    Exact but for hash collisions, which are unlikely to happen once in 10^12 pairs of ids."""

    BATCH = 65_536

    def __init__(self) -> None:
        import hashlib  # here, as numpy: only files with order ids need them

        import numpy as np  # here: numpy takes a tenth of a second to import

        self.blake2b = hashlib.blake2b
        self.older = np.zeros(0, dtype=np.uint64)
        self.recent: set[int] = set()

    def add(self, order_id: str) -> bool:
        """Note the id; True if it was already there."""
        import numpy as np  # here: numpy takes a tenth of a second to import

        key = int.from_bytes(self.blake2b(order_id.encode(), digest_size=8).digest(), "little")
        if key in self.recent:
            return True
        if len(self.older):
            at = np.searchsorted(self.older, np.uint64(key))
            if at < len(self.older) and self.older[at] == key:
                return True
        self.recent.add(key)
        if len(self.recent) >= self.BATCH:  # merged into one new array sorted in place: no id is in both
            merged = np.concatenate((self.older, np.fromiter(self.recent, dtype=np.uint64, count=len(self.recent))))
            merged.sort()
            self.older = merged
            self.recent.clear()
        return False
