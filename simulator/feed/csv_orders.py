"""CSV orders, as point-of-sale and delivery platforms export them: a header, then one row per order line;
the rows of one order are consecutive and share its order_id. An order is whole when the next order's first
row is read (or the file ends), so a CSV is read one row ahead."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from common.settings import COLUMNS
from simulator.feed.options import OPTIONAL_COLUMNS, FeedOptions
from simulator.feed.text import not_utf8
from simulator.menu import Dish
from simulator.orders import (
    FeedEntry,
    Invalid,
    OrdersFileError,
    Rejected,
    parse_money,
    parse_order,
    parse_quantity,
    parse_timestamp,
)


class CsvOrders:
    """A CSV's orders; its header is read, and checked for the columns needed, when it is opened."""

    def __init__(self, text: io.TextIOWrapper, name: str, options: FeedOptions) -> None:
        self.name, self.options = name, options
        self.rows = csv.reader(text, strict=True)
        self.header = self._read_header()

    def _read_header(self) -> list[str]:
        try:
            header = next(self.rows, None)
        except UnicodeDecodeError as error:
            raise not_utf8(self.name, error, 0) from None
        except csv.Error as error:
            raise OrdersFileError(f"{self.name}: cannot read the CSV header: {error}") from None
        if not header:
            raise OrdersFileError(f"{self.name}: expected a CSV header naming the columns {', '.join(COLUMNS)}")
        header = [h.strip() for h in header]
        wanted = {c: self.options.header_of(c) for c in COLUMNS}
        missing = [
            f"{ours} (as {theirs!r})" if ours != theirs else repr(ours)
            for ours, theirs in wanted.items()
            if theirs not in header and ours not in OPTIONAL_COLUMNS
        ]
        if missing:
            raise OrdersFileError(
                f"{self.name}: the CSV header has no column {', '.join(missing)}; it has"
                f" {', '.join(map(repr, header))}. Name the columns with --columns, like"
                f" --columns ordered_at=Created,item=Product"
            )
        return header

    def entries(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
        index = {
            ours: self.header.index(self.options.header_of(ours))
            for ours in COLUMNS
            if self.options.header_of(ours) in self.header
        }
        seen = SeenIds()
        position, current = 0, None
        rows: list[tuple[int, list[str]]] = []  # the order read so far: (line number, row)
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
                    raise OrdersFileError(
                        f"{self.name}: line {number} has {len(row)} fields where the header has"
                        f" {width}: the file is cut short or malformed"
                    )
                yield number, row
        except csv.Error as error:
            raise OrdersFileError(f"{self.name}: CSV error at line {self.rows.line_num}: {error}") from None
        except UnicodeDecodeError as error:
            raise not_utf8(self.name, error, self.rows.line_num) from None

    def _order(
        self,
        position: int,
        rows: list[tuple[int, list[str]]],
        index: dict[str, int],
        menu: dict[str, Dish],
        seen: SeenIds,
    ) -> FeedEntry:
        """One order from its consecutive rows, as the raw order parse_order checks."""
        first_line, first = rows[0]

        def value(row: list[str], column: str) -> str:
            return row[index[column]] if column in index else ""

        order_id = value(first, "order_id").strip()
        raw = {
            "order_id": order_id,
            "line": first_line,
            "rows": [{self.header[i]: cell for i, cell in enumerate(row)} for _, row in rows],
        }
        ordered_at = None
        try:
            ordered_at = parse_timestamp(value(first, "ordered_at"), self.options.reading)
            if not order_id:
                raise Invalid(f"line {first_line}: no order_id", "missing field")
            if seen.add(order_id):
                raise Invalid(
                    f"line {first_line}: order_id {order_id!r} appears again after other orders"
                    " (rows of one order must be consecutive)",
                    "order id again",
                )
            items = []
            for number, row in rows:
                for column in ("ordered_at", "name", "service"):
                    if value(row, column) != value(first, column):
                        raise Invalid(
                            f"line {number}: {column} {value(row, column)!r} differs from line {first_line}'s"
                            f" {value(first, column)!r} in the same order",
                            "rows disagree",
                        )
                if not value(row, "item").strip():
                    continue  # a row of the order with no item on it
                try:
                    quantity = parse_quantity(value(row, "quantity"))
                except Invalid as reason:
                    raise Invalid(f"line {number}: {reason}", reason.kind) from None
                items.append(
                    {
                        "name": value(row, "item").strip(),
                        "quantity": quantity,
                        "price_per_unit": parse_money(value(row, "price_per_unit"), self.options.price_unit),
                    }
                )
        except Invalid as reason:
            return Rejected(position, json.dumps(raw, ensure_ascii=False), str(reason), ordered_at, reason.kind)
        order = {
            "order_id": order_id,
            "ordered_at": value(first, "ordered_at"),
            "name": value(first, "name"),
            "service": value(first, "service"),
            "items": items,
        }
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
