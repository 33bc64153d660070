"""The order feed: reads an orders file, in any of its formats, as a stream of checked orders.

Formats, picked by the file's extension or `FeedOptions.format` (standard input, `-`, needs the latter):
- `json`: one JSON list of orders, parsed incrementally (ijson);
- `jsonl` (`.jsonl`, `.ndjson`): one order object per line; a line that is not JSON is rejected alone;
- `csv`: a header, then one row per order line, as point-of-sale and delivery platforms export them: our
  columns (COLUMNS), the user's (`FeedOptions.columns`), or a point-of-sale system's export (Square, Toast,
  Clover: feed/presets.py); see feed/csv_orders.py for how its rows become orders.

Every format is read one order at a time, as the simulator asks for it (a file of 1 MiB or more, a CSV once
found in order, by a child process a few batches ahead: feed/read_ahead.py), so memory stays flat in the file's
length (bar 8 bytes an order for the CSV's order ids, see `SeenIds`; a CSV whose rows are out of order is sorted
on disk first, feed/sorting.py) and, from a pipe, no order is read before its time (a file is scanned whole
first, see feed/csv_orders.py, and a run looks at its first orders before it begins). A file that cannot be read
on (a JSON syntax error, bytes that are not UTF-8, a CSV row cut short) ends the stream with `OrdersFileError`,
naming the position; one that cannot be used at all (no such file, not a list, a CSV header without a needed
column) fails at `open_orders`, before any run.
"""

from __future__ import annotations

import io
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Literal, cast, overload

from simulator.feed.csv_orders import CsvOrders, Sold
from simulator.feed.json_orders import JsonLines, JsonOrders
from simulator.feed.live import Live
from simulator.feed.options import EXTENSIONS, FORMATS, PRICE_UNITS, STDIN, FeedOptions, format_of
from simulator.feed.seen_ids import SeenIds
from simulator.menu import Dish
from simulator.orders import FeedEntry, OrdersFileError

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "PRICE_UNITS",
    "STDIN",
    "Feed",
    "FeedOptions",
    "SeenIds",
    "format_of",
    "open_orders",
    "read_orders",
]


class Feed:
    """An open orders file: `entries(menu)` reads it; use it as a context manager to close it."""

    def __init__(self, stream: io.BufferedReader, name: str, kind: str, options: FeedOptions) -> None:
        self.stream, self.name, self.kind, self.options = stream, name, kind, options
        self.text: io.TextIOWrapper | None = None
        self.orders: JsonOrders | JsonLines | CsvOrders
        try:
            if kind == "json":
                self.orders = JsonOrders(stream, name, options.reading)
            elif kind == "csv":
                self.orders = CsvOrders(stream, name, options)
            else:
                self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline=None)
                self.orders = JsonLines(self.text, name, options.reading)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Feed:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file; standard input stays open (only its reader is let go)."""
        if hasattr(self, "orders"):
            self.orders.close()
        if self.stream is sys.stdin.buffer:
            if self.text is not None:
                self.text.detach()
        elif self.text is not None:
            self.text.close()
        else:
            self.stream.close()

    @property
    def left_out(self) -> Counter[str]:
        """Lines read and left out, by reason: not food to cook (a CSV export's voided lines, refunds, fees), or
        another location's."""
        return self.orders.left_out

    def describe(self) -> list[str]:
        """How the file is read, where that is not the plain default: said by `simulator.check` and by a run."""
        return self.orders.describe() if isinstance(self.orders, CsvOrders) else []

    @property
    def naive_zone(self) -> str | None:
        """The zone timestamps without an offset are read in; None: UTC."""
        return self.orders.times.zone if isinstance(self.orders, CsvOrders) else self.options.reading.timezone

    def sold(self) -> dict[str, Sold]:
        """Every dish a CSV export sold, with its category and units (CsvOrders.sold)."""
        if not isinstance(self.orders, CsvOrders):
            raise OrdersFileError(
                f"{self.name}: a menu is drafted from a CSV export; a {self.kind} file names its dishes"
            )
        return self.orders.sold()

    @property
    def item_header(self) -> str:
        """Where a rejected order keeps its dishes' names: a CSV's column, else the items' 'name'."""
        return self.orders.item_header if isinstance(self.orders, CsvOrders) else "name"

    @overload
    def entries(self, menu: dict[str, Dish], live: Literal[False] = False) -> Iterator[FeedEntry]: ...
    @overload
    def entries(self, menu: dict[str, Dish], live: bool) -> Iterator[FeedEntry | None]: ...

    def entries(self, menu: dict[str, Dish], live: bool = False) -> Iterator[FeedEntry | None]:
        """The entries, one at a time. `live`: from a pipe whose orders come as they happen (see Live), where
        None says that the next one has not come yet."""
        entries = self.orders.entries(menu)
        return Live(entries) if live else entries


def open_orders(path: Path | str, options: FeedOptions = FeedOptions()) -> Feed:
    """Open an orders file (or `-`, standard input), failing at once if it cannot be used at all."""
    kind = format_of(path, options)
    if str(path) == STDIN:
        # CPython's standard input is always buffered, a BufferedReader, though typeshed says only BinaryIO
        return Feed(cast(io.BufferedReader, sys.stdin.buffer), "standard input", kind, options)
    try:
        stream = open(path, "rb")
    except OSError as error:
        raise OrdersFileError(f"cannot open orders file {path}: {error.strerror}") from None
    return Feed(stream, str(path), kind, options)


def read_orders(path: Path | str, menu: dict[str, Dish], options: FeedOptions = FeedOptions()) -> Iterator[FeedEntry]:
    """Yield the file's entries one at a time, reading only as far as the entry asked for."""
    with open_orders(path, options) as feed:
        yield from feed.entries(menu)
