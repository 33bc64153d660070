"""The first pass over a large CSV file (CsvOrders' scan, simulator/feed/csv_orders.py), done quickly.

pandas' C parser reads only the columns the scan needs, a chunk of rows at a time (memory stays flat), and each
question is asked once of each distinct cell, or combination of cells (an order's id and time: of each run of rows
alike), rather than of each row: most of the exact
scan's time went on Python's csv module reading every column of every row, and on asking each row the same
questions. The answers are the exact scan's, by the same functions (Layout.flag, the field readers, RowTimes, the
decimal evidence) applied to one row of each distinct combination. Where the quick scan finds what must be said
with a line number (an order out of place, prices with both decimal marks), or pandas cannot read the file, it
gives way to the exact scan, which says where.

It runs in child processes (forked, where the system can): pandas, its chunks and the ids seen go with them, and
the simulator starts its kitchen as small as an exact scan leaves it. The file is cut in PARTS at line ends, each
scanned by a child of its own (the run's other processes have not started yet: the machine's cores are idle), and
the parts' findings are joined: an order may run across a cut, and each part's orders must come after the ones
before it. A cut inside a quoted cell (a note of several lines) leaves the part before it unreadable: the file is
then scanned whole.

A row the C parser reads though Python's csv module would not (a row cut short, a stray quote) is scanned on;
the rows are then streamed up to it, and it ends the run with its line, as in a file the exact scan found in
order up to there."""

from __future__ import annotations

import gc
import io
import itertools
import multiprocessing
import os
import pickle
import sys
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

import numpy as np

from simulator.feed.cells import COMMA, DOT
from simulator.feed.csv_orders import Scan
from simulator.feed.csv_source import CsvSource
from simulator.feed.layout import LEFT_OUT, Field, Layout
from simulator.feed.read_ahead import CORES
from simulator.feed.seen_ids import SeenIds, id_key
from simulator.feed.times import RowTimes
from simulator.orders import Reading

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

CHUNK_ROWS = 16_384
"""Rows read at a time: some 5 MB of cells for a Square export's columns."""
TRIM_EVERY = 8
"""Chunks between two returns of the memory freed inside the heap to the system (_heap_trimmer)."""
PARTS = min(2, CORES)
"""The parts a file is cut in, each scanned by a process of its own: one a core, up to two (what the runs this
serves have: a kitchen, its writer and a file's reader)."""
LOOKED_AT = 1 << 16
"""Bytes after a cut's place looked at for a line end to cut at (a longer line: the file is not cut there)."""
ASCII_SAFE = {"utf-8", "utf-8-sig", "cp1252", "latin-1"}
"""Encodings in which a byte 10 is always a line end, never part of another character: a file may be cut there."""


def apart(
    source: CsvSource,
    layout: Layout,
    reading: Reading,
    kitchen_zone: str | None,
    location: str | None,
    slack: int,
    proven: Callable[[str], str | None],
) -> Scan | None:
    """quick(...) of each of the file's PARTS in a forked child process (see the module's docstring), or here where
    none can be forked (a system without fork, a daemonic process), joined; None also when it could not finish: the
    exact scan then runs, and says what stopped it (as it does where the system cannot read a file by position)."""
    if not hasattr(os, "pread"):
        return None
    args = (source, layout, reading, kitchen_zone, location, slack, proven)
    cuts = _cuts(source, PARTS)
    parts = _in_children(args, cuts) if len(cuts) > 2 else []
    if not parts or _UNREADABLE in parts:
        parts = _in_children(args, [0, source.size])
    found = [part for part in parts if isinstance(part, Part)]
    return _joined(found, slack) if len(found) == len(parts) else None


def _in_children(args: tuple[object, ...], cuts: list[int]) -> list[Part | None | str]:
    """quick(*args, span) of each span between cuts, in a child (see _scan_spans); here, where no process can be
    forked. The parts come without their ids: the child has looked each part's up in the parts before it."""
    spans = list(itertools.pairwise(cuts))
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return _scan_spans(args, spans, fork=False)
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_scanning_child, args=(args, spans, receiving, sending), daemon=True)
    try:
        child.start()
    except (AssertionError, OSError):  # a daemonic process, or no process to be had
        receiving.close()
        sending.close()
        return _scan_spans(args, spans, fork=False)
    sending.close()
    try:
        found: list[Part | None | str] = receiving.recv()
    except (EOFError, OSError, pickle.UnpicklingError):
        found = [None] * len(spans)
    finally:
        receiving.close()
        child.join()
    return found


def _scanning_child(
    args: tuple[object, ...], spans: list[tuple[int, int]], receiving: Connection, sending: Connection
) -> None:
    receiving.close()  # the simulator's end: a simulator that stops waiting then ends this child's send
    import pandas  # noqa: F401  # before the forks: the grandchildren share its pages

    gc.freeze()  # and the collector leaves them unwritten (a page written is a page copied)
    try:
        sending.send(_scan_spans(args, spans, fork=True))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the simulator stopped waiting
    finally:
        sending.close()


def _scan_spans(args: tuple[object, ...], spans: list[tuple[int, int]], fork: bool) -> list[Part | None | str]:
    """Each span's findings: the first's scanned here, each other's by a process forked for it (where `fork`
    and the system can; else here, in turn), which sends them back with its ids as their bytes (not pickled:
    no copy of them). Each part's ids are then looked up in the parts' before it, and let go of: a million
    orders' ids (8 MB) stay in this process, never in the simulator's."""
    pipes: dict[int, Connection] = {}
    forked: list[int] = []
    for k in range(1, len(spans) if fork else 1):
        receiving, sending = multiprocessing.Pipe(duplex=False)
        try:
            pid = os.fork()
        except OSError:
            receiving.close()
            sending.close()
            break
        if pid == 0:  # a grandchild: its span, then out, without the cleanup of the process it was forked from
            receiving.close()
            code = 0
            try:
                _send(sending, _quietly(*args, spans[k]))
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        sending.close()
        pipes[k] = receiving
        forked.append(pid)
    found = [_quietly(*args, spans[0])]
    found += [_received(pipes[k]) if k in pipes else _quietly(*args, spans[k]) for k in range(1, len(spans))]
    for pid in forked:
        os.waitpid(pid, 0)
    return _looked_up(found)


def _send(sending: Connection, found: Part | None | str) -> None:
    try:
        if isinstance(found, Part):
            ids, found.ids = found.ids, np.zeros(0, dtype=np.uint64)
            sending.send(found)
            sending.send_bytes(ids.data)
        else:
            sending.send(found)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the process it sends to has stopped waiting
    finally:
        sending.close()


def _received(receiving: Connection) -> Part | None | str:
    """A span's findings, as _send sent them (None: the grandchild ended first)."""
    try:
        found = receiving.recv()
        if isinstance(found, Part):
            found.ids = np.frombuffer(receiving.recv_bytes(), dtype=np.uint64)
        return found
    except (EOFError, OSError, pickle.UnpicklingError):  # it ended, or was ended, before it had sent them
        return None
    finally:
        receiving.close()


def _looked_up(found: list[Part | None | str]) -> list[Part | None | str]:
    """The parts, each with the ids it shares with the parts before it (Part.met), without their ids."""
    parts = [part for part in found if isinstance(part, Part)]
    if len(parts) == len(found):
        before = parts[0].ids
        for part in parts[1:]:
            part.met = _met_before(before, part.ids)
            if part is not parts[-1]:
                before = np.union1d(before, part.ids)
    for part in parts:
        part.ids = np.zeros(0, dtype=np.uint64)
    return found


def _quietly(*args: object) -> Part | None | str:
    """quick(*args), or None where it fails: the exact scan has the last word (an interrupt included: the
    parent, which gets it too, stops)."""
    try:
        return quick(*args)  # type: ignore[arg-type]  # apart's own arguments
    except Exception as error:
        print(f"simulator: the quick scan gave way to the exact one: {error!r}", file=sys.stderr)
        return None
    except BaseException:
        return None


def _cuts(source: CsvSource, parts: int) -> list[int]:
    """Where the file is cut in (up to) `parts`: its start, a line end near each equal share, its end."""
    size, cuts = source.size, [0]
    if parts > 1 and source.encoding in ASCII_SAFE:
        descriptor = source.stream.fileno()
        for k in range(1, parts):
            near = size * k // parts
            end = os.pread(descriptor, LOOKED_AT, near).find(b"\n")
            if end >= 0 and cuts[-1] < near + end + 1 < size:
                cuts.append(near + end + 1)
    return [*cuts, size]


def quick(
    source: CsvSource,
    layout: Layout,
    reading: Reading,
    kitchen_zone: str | None,
    location: str | None,
    slack: int,
    proven: Callable[[str], str | None],
    span: tuple[int, int],
) -> Part | None | str:
    """The scan of the file's bytes in `span` (a part, or the whole) by pandas' C parser (see the module's
    docstring); None: scan the file exactly; _UNREADABLE: the part could not be read (scan the file whole)."""
    import pandas as pd  # here: in the child process only (see apart)

    columns = layout.columns("order_id", "ordered_at", "zone", "location", layout.price, *LEFT_OUT)
    narrow = _narrowed(layout, columns)
    chunks = _Chunks(narrow, RowTimes(narrow, reading, kitchen_zone), location, slack, proven, span[0] > 0)
    start, end = span
    whole = span == (0, source.size)
    trim = _heap_trimmer()
    try:
        with pd.read_csv(
            io.BufferedReader(_Span(source.stream.fileno(), start, end), 1 << 20),
            sep=source.delimiter,
            header=0 if start == 0 else None,
            usecols=columns,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            index_col=False,
            chunksize=CHUNK_ROWS,
            encoding=source.encoding,
            engine="c",
        ) as reader:
            for count, chunk in enumerate(reader, start=1):
                if count % TRIM_EVERY == 0:
                    trim()
                if not chunks.read([chunk.iloc[:, k].to_numpy(dtype=object) for k in range(len(columns))]):
                    return None
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        # what the C parser cannot read, the exact scan says where; a part may be cut inside a quoted cell
        return None if whole else _UNREADABLE
    part = chunks.part()
    return part if whole or part is None or part.first is not None else _UNREADABLE  # one order: the file whole


def _heap_trimmer() -> Callable[[], object]:
    """glibc's malloc_trim(0), or nothing elsewhere. A chunk's arrays come and go from the heap and leave holes in it
    whose pages stay the process's: the two processes scanning a file forked apart grew by some 5 MiB each from
    100k to a million orders (pages they had shared, written, count twice). Given back every TRIM_EVERY chunks,
    the scan's memory stays flat but for the ids it keeps, at no time that the benchmark can tell apart."""
    try:
        import ctypes

        malloc_trim = ctypes.CDLL(None).malloc_trim
    except (ImportError, OSError, AttributeError):  # no ctypes, no C library to load, or not glibc's
        return lambda: None
    malloc_trim.argtypes, malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: malloc_trim(0)


class _Span(io.RawIOBase):
    """The file's bytes in [start, end), read by position (os.pread): the children scanning its parts share its
    descriptor, and with it the offset that reading on from it would move."""

    def __init__(self, descriptor: int, start: int, end: int) -> None:
        self.descriptor, self.at, self.end = descriptor, start, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self.end - self.at)
        if wanted <= 0:
            return 0
        read = os.pread(self.descriptor, wanted, self.at)
        view[: len(read)] = read
        self.at += len(read)
        return len(read)


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
        self,
        layout: Layout,
        times: RowTimes,
        location: str | None,
        slack: int,
        proven: Callable[[str], str | None],
        after_a_cut: bool = False,
    ) -> None:
        self.layout, self.times, self.slack, self.proven = layout, times, slack, proven
        self.kept_place = None if location is None else location.casefold()
        self.flags = [name for name in LEFT_OUT if name in layout.fields]
        self.scan, self.ids = Scan(quick=True), array("Q")
        """The keys of the order ids met (seen_ids.id_key), in the order met: sorted once, at the end (a set
        kept sorted as it grows would be copied at each chunk, twice its size for a moment)."""
        self.current: str | None = None
        """The order read last, which the next chunk may go on with."""
        self.first_id = ""
        self.current_at = np.inf
        """Its earliest time so far (inf: none readable)."""
        self.latest = -np.inf
        """The latest time of the orders before it."""
        self.first: tuple[str, float] | None = None
        """The first order (its id, its earliest time), once it is whole."""
        self.least = np.inf
        """The earliest time of the orders before the current one."""
        self.after_a_cut = after_a_cut
        """The part begins at a cut: its first order may have begun before it, and is judged by _joined."""

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
        ids = _per_row(cells, layout.columns("order_id"), layout.reader("order_id"), object, _runs)
        group, rows = _runs(cells, layout.columns("ordered_at", "zone"))
        at = self.times.epochs(rows)[group]
        starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
        orders, earliest = ids[starts].tolist(), np.minimum.reduceat(at, starts)
        if self.current is None:
            self.first_id = orders[0]
        if orders[0] == self.current:  # the order read last goes on
            earliest[0] = min(earliest[0], self.current_at)
            done, new = earliest[:-1], orders[1:]
        else:
            done = np.concatenate(([self.current_at] if self.current is not None else [], earliest[:-1]))
            new = orders
        keys = [id_key(order_id) for order_id in new if order_id]
        if len(set(keys)) < len(keys):
            return False  # an id again within the chunk (orders whose rows are apart): the exact scan, at once
        self.ids.extend(keys)
        if not self._follow(done):
            return False
        self.current, self.current_at = orders[-1], earliest[-1]
        return True

    def _follow(self, done: np.ndarray) -> bool:
        """Whether these orders, each whole, come in time order after the ones before them."""
        if not len(done):
            return True
        if self.first is None:
            self.first = (self.first_id, float(done[0]))
            if self.after_a_cut:
                done = done[1:]
                if not len(done):
                    return True
        self.least = min(self.least, float(done.min()))
        readable = np.where(np.isinf(done), -np.inf, done)
        before = np.maximum.accumulate(np.concatenate(([self.latest], readable)))
        self.latest = before[-1]
        return not np.any(before[:-1] - done > self.slack)

    def part(self) -> Part | None:
        """What the chunks found, for _joined; None: an id met twice, after other orders."""
        ids = np.frombuffer(self.ids, dtype=np.uint64) if self.ids else np.zeros(0, dtype=np.uint64)
        ids.sort()  # in place, in the array's own memory
        if (ids[1:] == ids[:-1]).any():
            return None
        last = None if self.current is None else (self.current, float(self.current_at))
        return Part(self.scan, ids, self.first, last, float(self.latest), self.least)


@dataclass
class Part:
    """What the quick scan found in a part of the file, its orders in order within it."""

    scan: Scan
    ids: np.ndarray
    """The keys of its order ids (seen_ids.id_key), sorted: in the process that scans, not sent on."""
    first: tuple[str, float] | None
    """Its first order's id and earliest time in this part (the order may have begun in the part before); None:
    it has fewer than two orders, and is not cut (it may run across both of its ends)."""
    last: tuple[str, float] | None
    """Its last order's (it may go on in the part after); None: it has none."""
    latest: float
    """The latest time of the orders before its last (-inf: none readable), but a first that may have begun
    before it."""
    least: float
    """The earliest time of the orders before its last (inf: none readable), but such a first."""
    met: set[int] = field(default_factory=set)
    """The keys of its ids met in the parts before it (_looked_up)."""


_UNREADABLE = "unreadable"
"""A part the C parser could not read to its end (cut inside a quoted cell), or of fewer than two orders: the file
is scanned whole."""


def _joined(parts: list[Part], slack: int) -> Scan | None:
    """The file's scan from its parts' in turn (None: an order out of place, prices with both marks), as one part
    found in order would find it: an order that runs across a cut is one, each part's orders come after the
    ones before it, and no id is met in two parts (but the one that runs across)."""
    scan, last, latest = parts[0].scan, parts[0].last, parts[0].latest
    if last is None:  # a file of no order (to cook at the location kept) is not cut
        return scan
    last_id, last_at = last
    for part in parts[1:]:
        assert part.first is not None and part.last is not None  # parts are cut where each has two orders
        first_id, first_at = part.first
        goes_on = first_id == last_id  # the order before the cut goes on after it
        if goes_on:
            last_at = min(last_at, first_at)
        if not _after(latest, last_at, slack):
            return None  # the order before the cut, whole, stamped before one of the orders before it
        front = max(latest, _readable(last_at))
        if not goes_on:
            if not _after(front, first_at, slack):
                return None  # the part's first order stamped before one of the orders before it
            front = max(front, _readable(first_at))
        if not _after(front, part.least, slack):  # (its last: in the next turn)
            return None  # an order of this part stamped before one of the orders before it
        shared = {id_key(last_id)} if goes_on and last_id else set()
        if part.met - shared:
            return None  # an id met again after other orders
        scan.locations.update(part.scan.locations)
        for mark, where in part.scan.evidence.items():
            scan.evidence.setdefault(mark, where)
        if DOT in scan.evidence and COMMA in scan.evidence:
            return None  # the exact scan says on which lines
        latest, (last_id, last_at) = max(front, part.latest), part.last
    return scan if _after(latest, last_at, slack) else None  # the last order, whole


def _met_before(older: np.ndarray, newer: np.ndarray) -> set[int]:
    """Up to two of the ids (keys, both sorted) in both, looked up a slice of `newer` at a time: two say whether
    any but the one order running across a cut is met again, and the simulator is sent no more than that."""
    met: set[int] = set()
    for start in range(0, len(newer), SeenIds.BATCH):
        if len(met) >= 2 or not len(older):
            break
        keys = newer[start : start + SeenIds.BATCH]
        at = older.searchsorted(keys).clip(max=len(older) - 1)
        met.update(keys[older[at] == keys][:2].tolist())
    return set(sorted(met)[:2])


def _readable(at: float) -> float:
    """A time as the latest of the orders before another: -inf where it cannot be read (inf)."""
    return -np.inf if np.isinf(at) else at


def _after(latest: float, at: float, slack: int) -> bool:
    """Whether an order at `at` (inf: no readable time) comes after orders up to `latest`, give or take `slack`."""
    return not latest - at > slack


def _per_row(
    cells: list[np.ndarray],
    columns: list[int],
    of_row: Callable[[list[str]], object],
    kind: type,
    grouped: Callable[[list[np.ndarray], list[int]], tuple[np.ndarray, list[list[str]]]] | None = None,
) -> np.ndarray:
    """`of_row` of each row, asked once of each group of rows alike in `columns` (_distinct: each distinct
    combination of their cells, where a column says few things; _runs: each run of rows alike)."""
    group, rows = (grouped or _distinct)(cells, columns)
    return np.array([of_row(row) for row in rows], dtype=kind)[group]


def _runs(cells: list[np.ndarray], columns: list[int]) -> tuple[np.ndarray, list[list[str]]]:
    """The runs of rows alike in `columns` (an order's rows: its id, its time): each row's run, and a row of each.
    Cheaper than _distinct where a column says something new every few rows."""
    alike = np.ones(len(cells[0]), dtype=bool)  # each row as the row before it
    for k in columns:
        column = cells[k]
        alike[1:] &= column[1:] == column[:-1]
    starts = ~alike
    starts[0] = True
    first = np.flatnonzero(starts)
    return np.cumsum(starts) - 1, np.stack([column[first] for column in cells], axis=1).tolist()


def _distinct(cells: list[np.ndarray], columns: list[int]) -> tuple[np.ndarray, list[list[str]]]:
    """The rows' distinct combinations of cells in `columns`: each row's index among them, and a row of each."""
    import pandas as pd

    group = np.zeros(len(cells[0]), dtype=np.int64)
    for k in columns:
        codes, distinct = pd.factorize(cells[k])
        group = pd.factorize(group * len(distinct) + codes)[0]
    _, first = np.unique(group, return_index=True)
    return group, np.stack([column[first] for column in cells], axis=1).tolist()
