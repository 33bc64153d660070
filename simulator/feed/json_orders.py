"""JSON orders: a list of orders (`json`), or one order object a line (`jsonl`)."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterator
from typing import Protocol

import orjson

from simulator.feed import read_ahead
from simulator.feed.read_ahead import ReadsAhead
from simulator.feed.text import numbered_lines
from simulator.menu import Dish
from simulator.orders import FeedEntry, OrdersFileError, Reading, Rejected, parse_order


class _JsonFile(ReadsAhead):
    """What the JSON readers share: a large file is read by a child process while the kitchen runs
    (simulator/feed/read_ahead.py), the rest here. JSON leaves no line out and names no location (what a reader
    read ahead says as it goes)."""

    def __init__(self, name: str, file: read_ahead.HasFileno) -> None:
        self.name, self.file = name, file
        self.left_out: Counter[str] = Counter()
        self.location: str | None = None

    def entries(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
        """The entries, one at a time."""
        return iter(self.read_by_a_child(menu)) if read_ahead.worth_it(self.file) else self.read_here(menu)

    def read_here(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
        raise NotImplementedError


class JsonOrders(_JsonFile):
    """A JSON list of orders, element by element."""

    def __init__(self, stream: io.BufferedReader, name: str, reading: Reading) -> None:
        expect_a_list(stream, name)
        super().__init__(name, stream)
        self.stream, self.reading = stream, reading

    def read_here(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
        """A JSON list, element by element. A list written an element a line (as the generator writes it,
        and many exports do) is read a line at a time with orjson, several times faster than ijson; from
        the first line that is not one whole element, ijson reads the rest, so any layout reads the same."""
        lines = _ElementLines(self.stream)
        position = 0
        for position, raw in enumerate(lines, start=1):
            yield parse_order(position, raw, menu, self.reading)
        if lines.error:
            raise OrdersFileError(
                f"{self.name}: JSON syntax error in order {position + 1}"
                f" (after {position} complete orders): {lines.error}"
            )
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
                raise OrdersFileError(
                    f"{self.name}: JSON syntax error in order {position + 1}"
                    f" (after {position} complete orders): {error}"
                ) from None
            position += 1
            yield parse_order(position, raw, menu, self.reading)


class JsonLines(_JsonFile):
    """One order object a line; a line that is not JSON is rejected alone."""

    def __init__(self, text: io.TextIOWrapper, name: str, reading: Reading) -> None:
        super().__init__(name, text)
        self.text, self.reading = text, reading

    def read_here(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
        position = 0
        for number, line in numbered_lines(self.text, self.name):
            if not line.strip():
                continue
            position += 1
            try:
                raw = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                yield Rejected(
                    position,
                    json.dumps({"line": number, "text": line.rstrip("\n")}, ensure_ascii=False),
                    f"line {number} is not a JSON order: {error}",
                    None,
                    "not JSON",
                )
                continue
            yield parse_order(position, raw, menu, self.reading)


def expect_a_list(stream: io.BufferedReader, name: str) -> None:
    first = stream.peek(64)[:64].lstrip()
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:].lstrip()
    if not first.startswith(b"["):
        raise OrdersFileError(f"{name}: expected a JSON list of orders")


FIRST_LINE = 65_536
"""Bytes of the first line read to tell a list written an element a line (a first line of '[' alone); the rest of
a longer line goes to ijson as it is read, so a list on one line is read in flat memory and linear time."""


class _ElementLines:
    """The elements of a JSON list written an element a line, parsed with orjson. It stops at the end of the
    list, at a syntax error it can name (`error`: a missing or extra comma, no closing bracket), or at the
    first line that is not one element alone: then `rest` is the rest of the file as a JSON list of the
    elements not yet read, for ijson. Numbers of 19 digits or more go to ijson too (orjson reads them
    as floats, ijson exactly)."""

    def __init__(self, stream: io.BufferedReader) -> None:
        self.stream = stream
        self.rest: _Chained | None = None
        self.error: str | None = None
        first = stream.readline(FIRST_LINE)  # bounded: a list on one line is the whole file
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


class _Readable(Protocol):
    """A binary stream; `_Chained` and `_Available` also use its read1, when it has one."""

    def read(self, size: int = ..., /) -> bytes: ...


class _Chained:
    """Some bytes already read, then the rest of a stream, as one readable stream."""

    def __init__(self, head: bytes, stream: _Readable) -> None:
        self.head, self.stream = head, stream

    def read(self, size: int = -1) -> bytes:
        if self.head:
            head, self.head = (
                (self.head, b"") if size < 0 or size >= len(self.head) else (self.head[:size], self.head[size:])
            )
            return head
        return self.stream.read1(size) if hasattr(self.stream, "read1") else self.stream.read(size)

    read1 = read


_DIGITS_AS_NINES = bytes.maketrans(b"0123456789", b"9999999999")
_LONG_NUMBER = b"9" * 19  # 19 digits in a row, once every digit reads 9 (cheaper than a regular expression)


class _Available:
    """A binary stream whose read(n) returns what is there (read1), so that a live pipe is read as it comes."""

    def __init__(self, stream: _Readable) -> None:
        self.stream = stream

    def read(self, size: int = -1) -> bytes:
        return self.stream.read1(size) if hasattr(self.stream, "read1") else self.stream.read(size)
