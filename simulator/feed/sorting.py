"""Rows of an export in any order, grouped by order and sorted by time before the kitchen sees them.

Exports sorted newest first, or with an order's lines apart, go through a temporary SQLite database on disk:
SQLite sorts in at most MEMORY_MIB of memory and spills the rest to its file (in TMPDIR, /tmp by default: where
/tmp is held in memory, point TMPDIR at a disk), so a file of any length sorts in bounded memory. An order comes
at its earliest line's time; orders at the same second keep the file's order of their first lines, and an
order's lines keep theirs. A file already in order never comes here (simulator/feed/csv_orders.py streams it).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import orjson

from simulator.orders import OrdersFileError

MEMORY_MIB = 64
"""SQLite's page cache while sorting; beyond it, the rows wait in the temporary file."""
BATCH = 10_000


class SortedRows:
    """The rows, loaded once, then read back by order."""

    def __init__(self, rows: Iterable[tuple[int, list[str]]], key: Callable[[int, list[str]], tuple[str, int | None]]):
        """`key`: a row's order and its time (None when it cannot be read: such orders come last, to be rejected,
        so that a few of them do not make the first orders read look like a file of rejections)."""
        self.folder = Path(tempfile.mkdtemp(prefix="kitchen-sort-"))
        try:
            self.db = sqlite3.connect(self.folder / "rows.sqlite3")
            self.db.executescript(
                f"PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;"
                f" PRAGMA cache_size = -{MEMORY_MIB * 1024};"
                " CREATE TABLE line"
                " (order_key TEXT NOT NULL, at INTEGER, number INTEGER NOT NULL, cells BLOB NOT NULL);"
            )
            self.db.executemany(
                "INSERT INTO line VALUES (?, ?, ?, ?)",
                ((*key(number, row), number, orjson.dumps(row)) for number, row in rows),
            )
            self.db.commit()
        except sqlite3.Error as error:  # not the run's database: the temporary file's (a full disk, most likely)
            self.close()
            raise OrdersFileError(f"cannot sort the orders' rows in {self.folder} (TMPDIR): {error}") from None
        except BaseException:
            self.close()
            raise

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        cursor = self.db.execute(
            "SELECT line.number, line.cells FROM line JOIN"
            " (SELECT order_key, MIN(at) AS at, MIN(number) AS first FROM line GROUP BY order_key) AS one_order"
            " USING (order_key) ORDER BY one_order.at IS NULL, one_order.at, one_order.first, line.number"
        )
        while batch := cursor.fetchmany(BATCH):
            for number, cells in batch:
                yield number, orjson.loads(cells)

    def close(self) -> None:
        if hasattr(self, "db"):
            self.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)
