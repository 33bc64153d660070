"""The order feed: reads an orders file, in any of its formats, as a stream of checked orders.

Formats, picked by the file's extension or `FeedOptions.format` (standard input, `-`, needs the latter):
- `json`: one JSON list of orders, parsed incrementally (ijson);
- `jsonl` (`.jsonl`, `.ndjson`): one order object per line; a line that is not JSON is rejected alone;
- `csv`: a header, then one row per order line, as point-of-sale and delivery platforms export them.
  Rows of one order are consecutive and share its `order_id`; columns go by our names (COLUMNS) or by
  the user's (`FeedOptions.columns`); prices are currency amounts, or whole cents. An order is whole
  when the next order's first row is read (or the file ends), so a CSV is read one row ahead.

Every format is read one order at a time, as the simulator asks for it, so memory stays flat in the
file's length (bar 8 bytes an order for the CSV's order ids, see `SeenIds`) and no order is read before
its time. A file that cannot be read on (a JSON syntax error, bytes that are not UTF-8, a CSV row cut
short) ends the stream with `OrdersFileError`, naming the position; one that cannot be used at all (no
such file, not a list, a CSV header without a needed column) fails at `open_orders`, before any run.
"""

from __future__ import annotations

import csv
import io
import json
import queue
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

import orjson

from common.settings import COLUMNS
from simulator.menu import Dish
from simulator.orders import (
    FeedEntry, Invalid, OrdersFileError, Reading, Rejected, parse_money, parse_order, parse_timestamp,
)

FORMATS = ("json", "jsonl", "csv")
EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
OPTIONAL_COLUMNS = ("name", "service")
"""A CSV without a customer or a service column reads them as empty."""
PRICE_UNITS = ("dollars", "cents")
STDIN = "-"


@dataclass(frozen=True)
class FeedOptions:
    format: str | None = None
    """json, jsonl or csv; None: from the file's extension."""
    columns: dict[str, str] = field(default_factory=dict)
    """Our column name -> the header of the user's CSV that holds it."""
    reading: Reading = Reading()
    price_unit: str = "dollars"
    """How a CSV writes prices: 'dollars' (an amount of the currency's main unit) or 'cents'."""

    def header_of(self, column: str) -> str:
        return self.columns.get(column, column)


def format_of(path: Path | str, options: FeedOptions) -> str:
    if options.format is not None:
        return options.format
    if str(path) == STDIN:
        raise OrdersFileError("reading orders from standard input needs --orders-format json, jsonl or csv")
    found = EXTENSIONS.get(Path(path).suffix.lower())
    if found is None:
        raise OrdersFileError(f"{path}: cannot tell the format from the extension {Path(path).suffix!r};"
                              " use .json, .jsonl, .ndjson or .csv, or give --orders-format json|jsonl|csv")
    return found


class Feed:
    """An open orders file: `entries(menu)` reads it; use it as a context manager to close it."""

    def __init__(self, stream: IO[bytes], name: str, kind: str, options: FeedOptions) -> None:
        self.stream, self.name, self.kind, self.options = stream, name, kind, options
        self.header: list[str] | None = None
        self.text: io.TextIOWrapper | None = None
        try:
            if kind == "json":
                _expect_a_list(stream, name)
            elif kind == "csv":
                self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
                self.rows = csv.reader(self.text, strict=True)
                self.header = self._read_header()
            else:
                self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline=None)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Feed:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the file; standard input stays open (only its reader is let go)."""
        if self.stream is sys.stdin.buffer:
            if self.text is not None:
                self.text.detach()
        elif self.text is not None:
            self.text.close()
        else:
            self.stream.close()

    def entries(self, menu: dict[str, Dish], live: bool = False) -> Iterator[FeedEntry | None]:
        """The entries, one at a time. `live`: from a pipe whose orders come as they happen (see Live)."""
        reader = {"json": self._json, "jsonl": self._json_lines, "csv": self._csv}[self.kind]
        return Live(reader(menu)) if live else reader(menu)

    # JSON ---------------------------------------------------------------------------------------

    def _json(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
        """A JSON list, element by element. A list written an element a line (as the generator writes it,
        and many exports do) is read a line at a time with orjson, several times faster than ijson; from
        the first line that is not one whole element, ijson reads the rest, so any layout reads the same."""
        lines = _ElementLines(self.stream)
        position = 0
        for position, raw in enumerate(lines, start=1):
            yield parse_order(position, raw, menu, self.options.reading)
        if lines.error:
            raise OrdersFileError(f"{self.name}: JSON syntax error in order {position + 1}"
                                  f" (after {position} complete orders): {lines.error}")
        if lines.rest is None:
            return
        import ijson  # only now: most files never need it, and every run would pay for its import
        elements = ijson.items(_Available(lines.rest), "item")
        while True:
            try:
                raw = next(elements)
            except StopIteration:
                return
            except (ijson.JSONError, UnicodeDecodeError) as error:
                raise OrdersFileError(f"{self.name}: JSON syntax error in order {position + 1}"
                                      f" (after {position} complete orders): {error}") from None
            position += 1
            yield parse_order(position, raw, menu, self.options.reading)

    def _json_lines(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
        position = 0
        for number, line in _numbered_lines(self.text, self.name):
            if not line.strip():
                continue
            position += 1
            try:
                raw = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                yield Rejected(position, json.dumps({"line": number, "text": line.rstrip("\n")}, ensure_ascii=False),
                               f"line {number} is not a JSON order: {error}", None, "not JSON")
                continue
            yield parse_order(position, raw, menu, self.options.reading)

    # CSV ----------------------------------------------------------------------------------------

    def _read_header(self) -> list[str]:
        try:
            header = next(self.rows, None)
        except UnicodeDecodeError as error:
            raise _not_utf8(self.name, error, 0) from None
        except csv.Error as error:
            raise OrdersFileError(f"{self.name}: cannot read the CSV header: {error}") from None
        if not header:
            raise OrdersFileError(f"{self.name}: expected a CSV header naming the columns {', '.join(COLUMNS)}")
        header = [h.strip() for h in header]
        wanted = {c: self.options.header_of(c) for c in COLUMNS}
        missing = [f"{ours} (as {theirs!r})" if ours != theirs else repr(ours)
                   for ours, theirs in wanted.items() if theirs not in header and ours not in OPTIONAL_COLUMNS]
        if missing:
            raise OrdersFileError(f"{self.name}: the CSV header has no column {', '.join(missing)}; it has"
                                  f" {', '.join(map(repr, header))}. Name the columns with --columns, like"
                                  f" --columns ordered_at=Created,item=Product")
        return header

    def _csv(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
        index = {ours: self.header.index(self.options.header_of(ours)) for ours in COLUMNS
                 if self.options.header_of(ours) in self.header}
        seen = SeenIds()
        position, current, rows = 0, None, []
        try:
            for number, row in self._numbered_rows():
                order_id = row[index["order_id"]].strip()
                if rows and order_id != current:
                    position += 1
                    yield self._order(position, rows, index, menu, seen)
                    rows = []
                current = order_id
                rows.append((number, row))
        except OrdersFileError:
            if rows:  # the order read so far is whole: it ends where the file can no longer be read
                yield self._order(position + 1, rows, index, menu, seen)
            raise
        if rows:
            position += 1
            yield self._order(position, rows, index, menu, seen)

    def _numbered_rows(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.header)
        try:
            for row in self.rows:
                number = self.rows.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # an empty line
                if len(row) != width:
                    raise OrdersFileError(f"{self.name}: line {number} has {len(row)} fields where the header has"
                                          f" {width}: the file is cut short or malformed")
                yield number, row
        except csv.Error as error:
            raise OrdersFileError(f"{self.name}: CSV error at line {self.rows.line_num}: {error}") from None
        except UnicodeDecodeError as error:
            raise _not_utf8(self.name, error, self.rows.line_num) from None

    def _order(self, position: int, rows: list[tuple[int, list[str]]], index: dict[str, int],
               menu: dict[str, Dish], seen: SeenIds) -> FeedEntry:
        """One order from its consecutive rows, as the raw order parse_order checks."""
        first_line, first = rows[0]

        def value(row: list[str], column: str) -> str:
            return row[index[column]] if column in index else ""

        order_id = value(first, "order_id").strip()
        raw = {"order_id": order_id, "line": first_line,
               "rows": [{self.header[i]: cell for i, cell in enumerate(row)} for _, row in rows]}
        ordered_at = None
        try:
            ordered_at = parse_timestamp(value(first, "ordered_at"), self.options.reading)
            if not order_id:
                raise Invalid(f"line {first_line}: no order_id", "missing field")
            if seen.add(order_id):
                raise Invalid(f"line {first_line}: order_id {order_id!r} appears again after other orders"
                              " (rows of one order must be consecutive)", "order id again")
            items = []
            for number, row in rows:
                for column in ("ordered_at", "name", "service"):
                    if value(row, column) != value(first, column):
                        raise Invalid(f"line {number}: {column} {value(row, column)!r} differs from line {first_line}'s"
                                      f" {value(first, column)!r} in the same order", "rows disagree")
                if not value(row, "item").strip():
                    continue  # a row of the order with no item on it
                quantity = value(row, "quantity").strip()
                if not quantity.isdigit():
                    raise Invalid(f"line {number}: quantity must be a whole number >= 1, got {quantity!r}", "bad quantity")
                items.append({"name": value(row, "item").strip(), "quantity": int(quantity),
                              "price_per_unit": parse_money(value(row, "price_per_unit"), self.options.price_unit)})
        except Invalid as reason:
            return Rejected(position, json.dumps(raw, ensure_ascii=False), str(reason), ordered_at, reason.kind)
        order = {"order_id": order_id, "ordered_at": value(first, "ordered_at"), "name": value(first, "name"),
                 "service": value(first, "service"), "items": items}
        return parse_order(position, order, menu, self.options.reading)


class SeenIds:
    """The order ids met so far, as 64-bit hashes: 8 bytes an order, in a sorted array merged in batches.

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
        if len(self.recent) >= self.BATCH:
            self.older = np.union1d(self.older, np.fromiter(self.recent, dtype=np.uint64, count=len(self.recent)))
            self.recent.clear()
        return False


class _ElementLines:
    """The elements of a JSON list written an element a line, parsed with orjson. It stops at the end of the
    list, at a syntax error it can name (`error`: a missing or extra comma, no closing bracket), or at the
    first line that is not one element alone: then `rest` is the rest of the file as a JSON list of the
    elements not yet read, for ijson. Numbers of 19 digits or more go to ijson too (orjson reads them
    as floats, ijson exactly)."""

    def __init__(self, stream) -> None:
        self.stream, self.rest, self.error = stream, None, None
        first = stream.readline()
        self.lines = first.lstrip(b"\xef\xbb\xbf").strip() == b"["
        if not self.lines:
            self.rest = _Chained(first, stream)

    def __iter__(self) -> Iterator[object]:
        if not self.lines:
            return
        ended_with_comma = None  # None before the first element
        while True:
            line = self.stream.readline()
            if not line:
                self.error = "the file ends before the list is closed with ']'"
                return
            text = line.strip()
            if not text:
                continue
            if text.startswith(b"]"):
                if ended_with_comma:
                    self.error = "a comma before the closing ']'"
                elif text != b"]" or self.stream.read().strip():
                    self.error = "something after the closing ']'"
                return
            if ended_with_comma is False:
                self.error = "no comma between two orders"
                return
            element = text[:-1] if text.endswith(b",") else text
            try:
                raw = None if _LONG_NUMBER in element.translate(_DIGITS_AS_NINES) else orjson.loads(element)
            except orjson.JSONDecodeError:
                raw = None
            if raw is None:  # not one element alone on this line: ijson reads from here
                self.rest = _Chained(b"[" + line, self.stream)
                return
            ended_with_comma = text.endswith(b",")
            yield raw


class _Chained:
    """Some bytes already read, then the rest of a stream, as one readable stream."""

    def __init__(self, head: bytes, stream) -> None:
        self.head, self.stream = head, stream

    def read(self, size: int = -1) -> bytes:
        if self.head:
            head, self.head = (self.head, b"") if size < 0 or size >= len(self.head) else (self.head[:size], self.head[size:])
            return head
        return self.stream.read1(size) if hasattr(self.stream, "read1") else self.stream.read(size)

    read1 = read


_DIGITS_AS_NINES = bytes.maketrans(b"0123456789", b"9999999999")
_LONG_NUMBER = b"9" * 19  # 19 digits in a row, once every digit reads 9 (cheaper than a regular expression)


class _Available:
    """A binary stream whose read(n) returns what is there (read1), so that a live pipe is read as it comes."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def read(self, size: int = -1) -> bytes:
        return self.stream.read1(size) if hasattr(self.stream, "read1") else self.stream.read(size)


def _numbered_lines(text: io.TextIOWrapper, name: str) -> Iterator[tuple[int, str]]:
    number = 0
    try:
        for number, line in enumerate(text, start=1):
            yield number, line
    except UnicodeDecodeError as error:
        raise _not_utf8(name, error, number) from None


def _not_utf8(name: str, error: UnicodeDecodeError, lines_read: int) -> OrdersFileError:
    """Text is decoded a block at a time, so the line is known only as 'after the lines read'."""
    byte = error.object[error.start:error.start + 1]
    return OrdersFileError(f"{name}: not UTF-8 text (a byte {byte!r} after line {lines_read}); save the file as UTF-8")


def _expect_a_list(stream, name: str) -> None:
    first = stream.peek(64)[:64].lstrip()
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:].lstrip()
    if not first.startswith(b"["):
        raise OrdersFileError(f"{name}: expected a JSON list of orders")


class Live:
    """Entries of a live feed (a pipe), each read by a thread only when the kitchen asks for it, so that the
    kitchen's clock goes on while the next order has not come: then it gets None (see receive_orders)."""

    WAIT = 0.05  # wall seconds a request waits for the next entry before saying "not yet"
    _END = object()

    def __init__(self, entries: Iterator[FeedEntry]) -> None:
        self.entries, self.asked, self.answers = entries, threading.Event(), queue.Queue(maxsize=1)
        self.waiting = False
        threading.Thread(target=self._read, name="live feed", daemon=True).start()

    def _read(self) -> None:
        while True:
            self.asked.wait()
            self.asked.clear()
            try:
                answer = next(self.entries)
            except StopIteration:
                answer = self._END
            except Exception as error:  # handed to the kitchen's side, which raises it
                answer = error
            self.answers.put(answer)
            if answer is self._END or isinstance(answer, Exception):
                return

    def __iter__(self) -> Live:
        return self

    def __next__(self) -> FeedEntry | None:
        if not self.waiting:
            self.asked.set()
            self.waiting = True
        try:
            answer = self.answers.get(timeout=self.WAIT)
        except queue.Empty:
            return None
        self.waiting = False
        if answer is self._END:
            raise StopIteration
        if isinstance(answer, Exception):
            raise answer
        return answer


def open_orders(path: Path | str, options: FeedOptions = FeedOptions()) -> Feed:
    """Open an orders file (or `-`, standard input), failing at once if it cannot be used at all."""
    kind = format_of(path, options)
    if str(path) == STDIN:
        return Feed(sys.stdin.buffer, "standard input", kind, options)
    try:
        stream = open(path, "rb")
    except OSError as error:
        raise OrdersFileError(f"cannot open orders file {path}: {error.strerror}") from None
    return Feed(stream, str(path), kind, options)


def read_orders(path: Path | str, menu: dict[str, Dish], options: FeedOptions = FeedOptions()) -> Iterator[FeedEntry]:
    """Yield the file's entries one at a time, reading only as far as the entry asked for."""
    with open_orders(path, options) as feed:
        yield from feed.entries(menu)
