"""The first pass over a large CSV file (CsvOrders' scan, simulator/feed/csv_orders.py), done quickly.

pandas' C parser reads only the columns the scan needs, a chunk of rows at a time (memory stays flat), and each
question is asked once of each distinct cell, or combination of cells, rather than of each row: most of the exact
scan's time went on Python's csv module reading every column of every row, and on asking each row the same
questions. The answers are the exact scan's, by the same functions (Layout.flag, the field readers, RowTimes, the
decimal evidence) applied to one row of each distinct combination. Where the quick scan finds what must be said
with a line number (an order out of place, prices with both decimal marks), or pandas cannot read the file, it
gives way to the exact scan, which says where.

It runs in a child process (forked, where the system can): pandas, its chunks and the ids seen go with it, and
the simulator starts its kitchen as small as an exact scan leaves it.

A row the C parser reads though Python's csv module would not (a row cut short, a stray quote) is scanned on;
the rows are then streamed up to it, and it ends the run with its line, as in a file the exact scan found in
order up to there."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection

import numpy as np

from simulator.feed.cells import COMMA, DOT
from simulator.feed.csv_orders import Scan
from simulator.feed.csv_source import CsvSource
from simulator.feed.layout import LEFT_OUT, Field, Layout
from simulator.feed.seen_ids import SeenIds
from simulator.feed.times import RowTimes
from simulator.orders import Reading

CHUNK_ROWS = 16_384
"""Rows read at a time: some 5 MB of cells for a Square export's columns."""


def apart(
    source: CsvSource,
    layout: Layout,
    reading: Reading,
    kitchen_zone: str | None,
    location: str | None,
    slack: int,
    proven: Callable[[str], str | None],
) -> Scan | None:
    """quick(...) in a forked child process (see the module's docstring), or here where none can be forked (a
    system without fork, a daemonic process); None also when it could not finish: the exact scan then runs, and
    says what stopped it. The child moves the file offset it shares with this process: rewind the source after."""
    args = (source, layout, reading, kitchen_zone, location, slack, proven)
    try:
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        child = context.Process(target=_send, args=(sending, args), daemon=True)
        child.start()
    except (ValueError, AssertionError, OSError):
        return _quietly(*args)
    sending.close()
    try:
        scan: Scan | None = receiving.recv()
    except EOFError:
        scan = None
    finally:
        receiving.close()
        child.join()
    return scan


def _send(sending: Connection, args: tuple[object, ...]) -> None:
    sending.send(_quietly(*args))


def _quietly(*args: object) -> Scan | None:
    """quick(*args), or None where it fails: the exact scan has the last word (an interrupt included: the
    parent, which gets it too, stops)."""
    try:
        return quick(*args)  # type: ignore[arg-type]  # apart's own arguments
    except Exception as error:
        print(f"simulator: the quick scan gave way to the exact one: {error!r}", file=sys.stderr)
        return None
    except BaseException:
        return None


def quick(
    source: CsvSource,
    layout: Layout,
    reading: Reading,
    kitchen_zone: str | None,
    location: str | None,
    slack: int,
    proven: Callable[[str], str | None],
) -> Scan | None:
    """The scan of a large file by pandas' C parser (see the module's docstring); None: scan it exactly."""
    import pandas as pd  # here: in the child process only (see apart)

    columns = layout.columns("order_id", "ordered_at", "zone", "location", layout.price, *LEFT_OUT)
    narrow = _narrowed(layout, columns)
    chunks = _Chunks(narrow, RowTimes(narrow, reading, kitchen_zone), location, slack, proven)
    source.stream.seek(0)
    try:
        with pd.read_csv(
            source.stream,
            sep=source.delimiter,
            header=0,
            usecols=columns,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            index_col=False,
            chunksize=CHUNK_ROWS,
            encoding=source.encoding,
            engine="c",
        ) as reader:
            for chunk in reader:
                if not chunks.read([chunk.iloc[:, k].to_numpy(dtype=object) for k in range(len(columns))]):
                    return None
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return None  # what the C parser cannot read, the exact scan says where
    finally:
        source.rewound()
    return chunks.finish()


def _narrowed(layout: Layout, columns: list[int]) -> Layout:
    """The layout over rows of only `columns`, in that order: the cells the quick scan reads."""
    at = {column: k for k, column in enumerate(columns)}
    return Layout(
        layout.shape,
        {
            name: Field(found.spec, tuple(tuple(at[i] for i in alt) for alt in found.alternatives))
            for name, found in layout.fields.items()
            if all(i in at for alt in found.alternatives for i in alt)
        },
    )


class _Chunks:
    """The scan's state from chunk to chunk: the order read last may go on in the next."""

    def __init__(
        self, layout: Layout, times: RowTimes, location: str | None, slack: int, proven: Callable[[str], str | None]
    ) -> None:
        self.layout, self.times, self.slack, self.proven = layout, times, slack, proven
        self.kept_place = None if location is None else location.casefold()
        self.flags = [name for name in LEFT_OUT if name in layout.fields]
        self.scan, self.seen = Scan(quick=True), SeenIds()
        self.current: str | None = None
        """The order read last, which the next chunk may go on with."""
        self.current_at = np.inf
        """Its earliest time so far (inf: none readable)."""
        self.latest = -np.inf
        """The latest time of the orders before it."""

    def read(self, cells: list[np.ndarray]) -> bool:
        """One chunk's rows, as arrays of their cells by narrow column; False: the file needs the exact scan."""
        layout = self.layout
        kept = np.ones(len(cells[0]), dtype=bool)
        if self.flags:
            kept &= _per_row(cells, layout.columns(*self.flags), lambda row: layout.flag(row) is None, bool)
        if "location" in layout.fields:
            place_of, columns = layout.reader("location"), layout.columns("location")
            self.scan.locations.update(_per_row(cells, columns, place_of, object)[kept].tolist())
            if self.kept_place is not None:
                kept &= _per_row(cells, columns, lambda row: place_of(row).casefold() == self.kept_place, bool)
        if not kept.any():
            return True
        cells = [column[kept] for column in cells]
        prices = _per_row(cells, layout.columns(layout.price), layout.reader(layout.price), object)
        for price in dict.fromkeys(prices.tolist()):
            mark = self.proven(price)
            if mark is not None:
                self.scan.evidence.setdefault(mark, (None, price))
        if DOT in self.scan.evidence and COMMA in self.scan.evidence:
            return False  # the exact scan says on which lines
        return self._in_order(cells)

    def _in_order(self, cells: list[np.ndarray]) -> bool:
        """Whether the chunk's orders keep their rows together and come in time order, as CsvOrders' exact scan
        judges them: each order at its earliest readable time, none more than the slack before one ahead of it,
        and no id but the empty one met again after other orders."""
        layout = self.layout
        ids = _per_row(cells, layout.columns("order_id"), layout.reader("order_id"), object)
        group, rows = _distinct(cells, layout.columns("ordered_at", "zone"))
        at = self.times.epochs(rows)[group]
        starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
        orders, earliest = ids[starts].tolist(), np.minimum.reduceat(at, starts)
        if orders[0] == self.current:  # the order read last goes on
            earliest[0] = min(earliest[0], self.current_at)
            done, new = earliest[:-1], orders[1:]
        else:
            done = np.concatenate(([self.current_at] if self.current is not None else [], earliest[:-1]))
            new = orders
        if self.seen.add_all([order_id for order_id in new if order_id]) or not self._follow(done):
            return False
        self.current, self.current_at = orders[-1], earliest[-1]
        return True

    def _follow(self, done: np.ndarray) -> bool:
        """Whether these orders, each whole, come in time order after the ones before them."""
        if not len(done):
            return True
        readable = np.where(np.isinf(done), -np.inf, done)
        before = np.maximum.accumulate(np.concatenate(([self.latest], readable)))
        self.latest = before[-1]
        return not np.any(before[:-1] - done > self.slack)

    def finish(self) -> Scan | None:
        """The scan, once the last order is whole; None: it is out of place."""
        last = np.array([self.current_at] if self.current is not None else [])
        return self.scan if self._follow(last) else None


def _per_row(
    cells: list[np.ndarray], columns: list[int], of_row: Callable[[list[str]], object], kind: type
) -> np.ndarray:
    """`of_row` of each row, asked once of each distinct combination of its cells in `columns`."""
    group, rows = _distinct(cells, columns)
    return np.array([of_row(row) for row in rows], dtype=kind)[group]


def _distinct(cells: list[np.ndarray], columns: list[int]) -> tuple[np.ndarray, list[list[str]]]:
    """The rows' distinct combinations of cells in `columns`: each row's index among them, and a row of each."""
    import pandas as pd

    group = np.zeros(len(cells[0]), dtype=np.int64)
    for k in columns:
        codes, distinct = pd.factorize(cells[k])
        group = pd.factorize(group * len(distinct) + codes)[0]
    _, first = np.unique(group, return_index=True)
    return group, np.stack([column[first] for column in cells], axis=1).tolist()
