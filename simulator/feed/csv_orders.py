"""CSV orders, as point-of-sale and delivery platforms export them: a header, then one row per order line.

How a file is read, in order:
1. its text and delimiter (simulator/feed/csv_source.py), its header, and what its columns hold: --columns, a
   --preset, else ours or the one preset the header fits (simulator/feed/presets.py);
2. a file (not a pipe) is scanned once first: which locations it holds (several need --location), which decimal
   mark its prices use (unless --decimal-comma or --no-decimal-comma says), and whether its orders are in
   time order with each order's rows together (a large file quickly, by pandas: simulator/feed/quick_scan.py);
3. rows that are not food to cook (voided, refunds, fees) and rows of other locations are left out and counted
   (`left_out`); the rest are grouped by order: as they come when the file is in order (streamed, one order
   read ahead; a file of 1 MiB or more by a child process, simulator/feed/read_ahead.py), else sorted first
   (simulator/feed/sorting.py).
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from simulator.feed import read_ahead
from simulator.feed.cells import COMMA, DOT, decimal_evidence, parse_money, parse_quantity
from simulator.feed.csv_source import CsvSource
from simulator.feed.layout import LEFT_OUT, Layout, remembered
from simulator.feed.options import FeedOptions
from simulator.feed.presets import PRESETS, detect, with_columns
from simulator.feed.read_ahead import ReadAhead, ReadsAhead
from simulator.feed.seen_ids import SeenIds
from simulator.feed.sorting import SortedRows
from simulator.feed.times import RowTimes
from simulator.menu import Dish
from simulator.orders import (
    FeedEntry,
    Invalid,
    Line,
    OrdersFileError,
    Rejected,
    checked_text,
    known_line,
    made_order,
    parse_order,
)

OTHER_LOCATIONS = "rows of other locations"
QUICK_FROM = 16 << 20
"""Files from this many bytes are scanned quickly (simulator/feed/quick_scan.py): below it, the child's start and its
import of pandas (a fifth of a second) cost more than the exact scan (which took as long as the quick one at some
20 MB, both of a Square export and of our columns: 0.09 s where the quick scan took 0.19 s at 6 MB)."""
LATE_SLACK = 15 * 60
"""Seconds an order may be stamped before one ahead of it in a file in arrival order: a delivery service that
sends an order late stamps it when it was placed, and the kitchen receives it when it is read. Any more, and the
file is not in the order orders arrived in (newest first, a week pasted before the one ahead of it): sorted.
A point-of-sale export (a preset) has no slack: its times are when the kitchen got each line, not when a late
order was placed, so an order stamped before one ahead of it is out of place (a report newest first)."""


@dataclass
class Scan:
    """What a first pass over a file found."""

    out_of_place: int | None = None
    """The line of the first order out of time order, or whose rows are apart (-1: the last order); None: the file
    is in order."""
    locations: Counter[str] = field(default_factory=Counter)
    quick: bool = False
    """Found by the quick scan (simulator/feed/quick_scan.py)."""
    evidence: dict[str, tuple[int | None, str]] = field(default_factory=dict)
    """Decimal mark -> the first (line, price) that proves it; the line is None from the quick scan, which gives
    way to the exact one where a line must be said (both marks)."""


@dataclass(frozen=True)
class Sold:
    """A dish as an export sold it."""

    category: str
    units: int


class CsvOrders(ReadsAhead):
    """A CSV's orders; its header is read, and a file scanned (see the module's docstring), when it is opened."""

    def __init__(self, stream: io.BufferedReader, name: str, options: FeedOptions) -> None:
        self.name, self.options = name, options
        self.source = CsvSource(stream, name, options.delimiter)
        self.sorted: SortedRows | None = None
        try:
            self.layout = self._layout()
            self.times = RowTimes(self.layout, options.reading, options.kitchen_zone)
            self.left_out: Counter[str] = Counter()
            self.location = options.location
            self.scan = (self._quick_scan() or self._scan()) if self.source.rereadable else None
            try:
                self.mark = self._mark()
                self._check_locations()
            except OrdersFileError:
                if self.scan is None or not self.scan.quick:
                    raise
                # the quick scan reads past a row cut short or too long, which the exact scan stops at: the
                # location or price that refuses the file may be one it misread there
                self.scan = self._scan()
                self.mark = self._mark()
                self._check_locations()
        except BaseException:
            self.source.close()  # the text reader let go: the stream stays the caller's (standard input too)
            raise

    # Opening ---------------------------------------------------------------------------------------------

    def _layout(self) -> Layout:
        header = self.source.header
        if self.options.preset is not None:
            shape = PRESETS[self.options.preset]
        elif self.options.columns:
            shape = with_columns(self.options.columns)
        else:
            shape = detect(header, self.name)
        try:
            return shape.layout(header)
        except OrdersFileError as error:
            raise OrdersFileError(
                f"{self.name}: {error}; it has {', '.join(map(repr, header))}."
                + (
                    f" Is it {shape.title}?"
                    if shape.name in PRESETS
                    else " Name the columns with --columns, like --columns ordered_at=Created,item=Product"
                )
            ) from None

    def _quick_scan(self) -> Scan | None:
        """A large file's scan by pandas' C parser (simulator/feed/quick_scan.py); None: the exact scan's to do."""
        if self.source.size < QUICK_FROM:
            return None
        from simulator.feed import quick_scan

        reading, zone = self.options.reading, self.options.kitchen_zone
        return quick_scan.apart(self.source, self.layout, reading, zone, self.location, self._slack, self._proof)

    @property
    def _proof(self) -> Callable[[str], str | None]:
        """The decimal mark a price proves, for the scans to find the file's; a mark given proves them all."""
        return _proven if self.options.decimal_comma is None else _given

    @property
    def _slack(self) -> int:
        return 0 if self.layout.shape.name in PRESETS else LATE_SLACK

    def _scan(self) -> Scan:
        scan, seen = Scan(), SeenIds()
        current: str | None = None
        order_at: int | None = None
        order_line = 0
        latest: int | None = None
        price_of, proof = self.layout.reader(self.layout.price), self._proof
        order_of, time_key = self.layout.reader("order_id"), self.times.key
        slack = self._slack
        order_time: object = None  # its first readable row's time cells: rows that repeat them need not be read
        try:
            for number, row in self._kept(self.source.numbered_rows(), Counter(), scan.locations):
                cell = price_of(row)
                mark = proof(cell)
                if mark is not None:
                    scan.evidence.setdefault(mark, (number, cell))
                if scan.out_of_place is not None:
                    continue
                order_id = order_of(row)
                if order_id != current:
                    latest = _latest(latest, order_at)
                    if latest is not None and order_at is not None and latest - order_at > slack:
                        scan.out_of_place = order_line  # the order just read, stamped before one ahead of it
                    if order_id and seen.add(order_id) and scan.out_of_place is None:
                        scan.out_of_place = number
                    current, order_at, order_line, order_time = order_id, None, number, None
                elif time_key(row) == order_time:
                    continue
                try:
                    at = self.times.epoch(row)
                except Invalid:
                    continue
                if order_time is None:
                    order_time = time_key(row)
                order_at = at if order_at is None else min(order_at, at)
        except OrdersFileError as error:
            # in order: its orders up to there are read, then the same error ends the stream, as from a pipe
            broken: OrdersFileError | None = error
        else:
            broken = None
        if scan.out_of_place is None and latest is not None and order_at is not None and latest - order_at > slack:
            scan.out_of_place = -1  # the last order
        if broken is not None and scan.out_of_place is not None:  # to be sorted, none of its orders can come
            raise broken
        return scan

    def _mark(self) -> str | None:
        """The decimal mark of the file's prices: given, else the one its prices prove (None: neither, when an
        ambiguous price is refused); a pipe, which cannot be scanned, reads a decimal point unless told."""
        if self.options.decimal_comma is not None:
            return COMMA if self.options.decimal_comma else DOT
        if self.scan is None:
            return DOT
        proofs = {mark: where for mark, where in self.scan.evidence.items() if mark in (DOT, COMMA)}
        if len(proofs) == 2:
            (dot_line, dot), (comma_line, comma) = proofs[DOT], proofs[COMMA]
            raise OrdersFileError(
                f"{self.name}: prices are written with both decimal marks, line {dot_line} {dot!r} and line"
                f" {comma_line} {comma!r}: give --decimal-comma or --no-decimal-comma"
            )
        return next(iter(proofs), None)

    def _check_locations(self) -> None:
        if "location" not in self.layout.fields:
            if self.location is not None:
                raise OrdersFileError(
                    f"{self.name}: --location {self.location!r}, but {self.layout.shape.title} has no location column"
                    + (
                        " (name it with --columns location=...)"
                        if self.layout.shape.name in ("ours", "columns")
                        else ""
                    )
                )
            return
        if self.scan is None:
            return
        places = self.scan.locations
        named = ", ".join(f"{place!r} ({n:,} rows)" for place, n in places.most_common())
        if self.location is None and len(places) > 1:
            raise OrdersFileError(
                f"{self.name}: the file holds {len(places)} locations: {named}; keep one with --location"
            )
        if self.location is not None and self.location.casefold() not in {p.casefold() for p in places}:
            raise OrdersFileError(f"{self.name}: no location {self.location!r}; the file holds {named or 'none'}")

    def describe(self) -> list[str]:
        """How the file was read, for `simulator.check` and the run's first line."""
        said = [f"read as {self.layout.shape.title}", *self.source.describe()]
        if self.times.zone != self.options.reading.timezone and "zone" not in self.layout.fields:
            said.append(f"times without a zone read in {self.times.zone}, the kitchen's zone")
        if self.mark == COMMA:
            said.append("prices with a decimal comma" + (" (detected)" if self.options.decimal_comma is None else ""))
        if self.location is not None:
            said.append(f"location {self.location!r}")
        if self.scan is not None and self.scan.out_of_place is not None:
            where = "at its end" if self.scan.out_of_place < 0 else f"from line {self.scan.out_of_place}"
            said.append(f"rows sorted by order and time (out of order {where})")
        return said

    # Reading ---------------------------------------------------------------------------------------------

    def entries(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
        """The file's entries, one at a time: a large file in order read by a child process of its own
        (simulator/feed/read_ahead.py), the rest here."""
        scan = self.scan
        if scan is None or scan.out_of_place is not None or not read_ahead.worth_it(self.source.stream):
            return self.read_here(menu)
        return self._read_ahead(self.read_by_a_child(menu))

    def _read_ahead(self, ahead: ReadAhead) -> Iterator[FeedEntry]:
        try:
            yield from ahead
        finally:
            if not self.source.stream.closed:  # a run stopped closes its feed before it lets go of the entries
                self.source.rewound()  # the child moved the file offset it shares with this process

    def read_here(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
        """The entries, read by this process."""
        rows: Iterable[tuple[int, list[str]]] = self._kept(self.source.numbered_rows(), self.left_out)
        if self.scan is not None and self.scan.out_of_place is not None:
            self.sorted = SortedRows(rows, self._sort_key)
            rows = self.sorted
        # a file the scan found in order has no id twice: its ids need not be remembered again
        seen = SeenIds() if self.scan is None or self.scan.out_of_place is not None else _NoneSeen()
        order_of, lines = self.layout.reader("order_id"), self._lines(menu)
        position, current = 0, None
        order: list[tuple[int, list[str]]] = []
        try:
            for number, row in rows:
                order_id = order_of(row)
                if order and order_id != current:
                    position += 1
                    yield self._order(position, order, menu, seen, lines)
                    order = []
                current = order_id
                order.append((number, row))
        except OrdersFileError:
            if order:  # the order read so far is whole: it ends where the file can no longer be read
                yield self._order(position + 1, order, menu, seen, lines)
            raise
        if order:
            yield self._order(position + 1, order, menu, seen, lines)

    def _kept(
        self, rows: Iterable[tuple[int, list[str]]], counted: Counter[str], places: Counter[str] | None = None
    ) -> Iterator[tuple[int, list[str]]]:
        """The rows that are food to cook at the kept location; the others counted by reason. `places`, when
        scanning: every location met is counted there (and kept, when no --location names one)."""
        layout, by_place, scanning = self.layout, "location" in self.layout.fields, places is not None
        if not by_place and not any(name in layout.fields for name in LEFT_OUT):
            yield from rows  # every row is food to cook (our own columns)
            return
        kept = None if self.location is None else self.location.casefold()
        flag = remembered(layout.cells(*LEFT_OUT), layout.flag)
        place_of = remembered(layout.cells("location"), layout.reader("location"))
        for number, row in rows:
            reason = flag(row)
            if reason is not None:
                counted[reason] += 1
                continue
            if by_place:
                place = place_of(row)
                if places is not None:
                    places[place] += 1
                if kept is None and not scanning:
                    kept = place.casefold()  # a pipe: the first location met is the one
                    self.location = place
                if kept is not None and place.casefold() != kept:
                    if not scanning and self.scan is None and self.options.location is None:
                        raise OrdersFileError(
                            f"{self.name}: line {number} is at location {place!r}, the lines before at"
                            f" {self.location!r}: keep one with --location"
                        )
                    counted[OTHER_LOCATIONS] += 1
                    continue
            yield number, row

    def _sort_key(self, number: int, row: list[str]) -> tuple[str, int | None]:
        """A row's order and time. Our columns' order is its id at its time: an id used again at another time
        (tickets numbered afresh each day) is another order, rejected as an id met again, not merged into the
        first; an export's lines of one id are one order, fired over time."""
        order_id = self.layout.value(row, "order_id")
        try:
            at: int | None = self.times.epoch(row)
        except Invalid:
            at = None
        if not order_id:
            return f"\x00{number}", at
        if self.layout.shape.strict_rows:
            return f"{order_id}\x00{self.layout.value(row, 'ordered_at')}", at
        return order_id, at

    def _order(
        self,
        position: int,
        rows: list[tuple[int, list[str]]],
        menu: dict[str, Dish],
        seen: SeenIds | _NoneSeen,
        lines: Callable[[list[str]], tuple[dict[str, object], Line | None]],
    ) -> FeedEntry:
        """One order from its rows: made at once from lines of the menu (`lines`), else the raw order parse_order
        checks, and says what is wrong with."""
        layout, header = self.layout, self.source.header
        order_of, item_of, name_of, service_of = self._order_readers
        first_line, first = rows[0]
        order_id = order_of(first)
        ordered_at = None
        try:
            ordered_at = self._ordered_at(rows)
            if layout.shape.strict_rows:
                self._agree(rows)
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
                if not item_of(row):
                    continue  # a row of the order with no item on it
                try:
                    items.append(lines(row))
                except Invalid as reason:
                    raise Invalid(f"line {number}: {reason}", reason.kind) from None
        except Invalid as reason:
            raw = {
                "order_id": order_id,
                "line": first_line,
                "rows": [{header[i]: cell for i, cell in enumerate(row)} for _, row in rows],
            }
            return Rejected(position, json.dumps(raw, ensure_ascii=False), str(reason), ordered_at, reason.kind)
        known = tuple([line for _, line in items if line is not None])
        if len(known) == len(items):
            try:
                name, service = checked_text(name_of(first), "name"), checked_text(service_of(first), "service")
                return made_order(position, name, service, ordered_at, known, order_id)
            except Invalid:
                pass  # parse_order says what is wrong, as it would have
        order = {
            "order_id": order_id,
            "ordered_at": None,
            "name": name_of(first),
            "service": service_of(first),
            "items": [item for item, _ in items],
        }
        return parse_order(position, order, menu, at=ordered_at)

    def _ordered_at(self, rows: list[tuple[int, list[str]]]) -> int:
        """The order's time: its first row's (our columns: the others must agree with it, see _agree), or its
        earliest row's (an export's, whose lines are fired one by one)."""
        epoch = self.times.epoch
        if self.layout.shape.strict_rows:
            return epoch(rows[0][1])
        key, times, read = self.times.key, [], None
        for number, row in rows:
            cells = key(row)
            if cells == read:
                continue  # the row before's time again (an order's lines share theirs)
            try:
                times.append(epoch(row))
            except Invalid as reason:
                raise Invalid(f"line {number}: {reason}", reason.kind) from None
            read = cells
        return min(times)

    def _agree(self, rows: list[tuple[int, list[str]]]) -> None:
        """Our columns: an order's rows say the same time, zone, customer and service."""
        layout, shared = self.layout, self._shared
        first_line, first = rows[0]
        for number, row in rows[1:]:
            if all(row[i] == first[i] for i in shared):
                continue
            for column in ("ordered_at", "zone", "name", "service"):
                if layout.value(row, column) != layout.value(first, column):
                    raise Invalid(
                        f"line {number}: {column} {layout.value(row, column)!r} differs from line {first_line}'s"
                        f" {layout.value(first, column)!r} in the same order",
                        "rows disagree",
                    )

    @cached_property
    def _shared(self) -> tuple[int, ...]:
        """The columns an order's rows must share (see _agree): equal cells need no closer look."""
        fields = self.layout.fields
        return tuple(
            i
            for column in ("ordered_at", "zone", "name", "service")
            if column in fields
            for alternative in fields[column].alternatives
            for i in alternative
        )

    def _lines(self, menu: dict[str, Dish]) -> Callable[[list[str]], tuple[dict[str, object], Line | None]]:
        """An item line of a row: its dish, quantity (1 for an export of a row a unit) and price of a unit in cents
        (a line's amount over its quantity, to the nearest cent, half to even, when the export gives the line's);
        with it, the Line it makes when it is a well-formed line of the menu (None: parse_order says why not).
        Lines repeat (a menu's dishes, quantities and prices): each is read once, the last LINES of them kept."""
        readers = tuple(self.layout.reader(name) for name in self._line_fields)

        def line_of(row: list[str]) -> tuple[dict[str, object], Line | None]:
            item = self._read_line(*(read(row) for read in readers))
            return item, known_line(item, menu)

        return remembered(self.layout.cells(*self._line_fields), line_of, LINES)

    def _read_line(self, item: str, quantity_cell: str, money_cell: str) -> dict[str, object]:
        layout, mark = self.layout, self.mark
        quantity = 1 if layout.shape.unit_per_row else _quantity(quantity_cell, mark or DOT)
        if "amount" in layout.fields:
            if quantity < 1:
                raise Invalid(f"quantity must be a whole number >= 1, got {quantity}", "bad quantity")
            amount = _money(money_cell, self.options.price_unit, mark)
            price, rest = divmod(amount, quantity)
            if 2 * rest > quantity or (2 * rest == quantity and price % 2):
                price += 1
        else:
            price = _money(money_cell, self.options.price_unit, mark)
        return {"name": item, "quantity": quantity, "price_per_unit": price}

    @cached_property
    def _order_readers(self) -> tuple[Callable[[list[str]], str], ...]:
        """An order's id, item, customer and service cells: read for every order of a million."""
        return tuple(self.layout.reader(name) for name in ("order_id", "item", "name", "service"))

    @cached_property
    def _line_fields(self) -> tuple[str, str, str]:
        """A line's item, quantity and money (its amount, or its price of a unit)."""
        return ("item", "quantity", self.layout.price)

    def sold(self) -> dict[str, Sold]:
        """Every dish its kept lines name, with its category and the units sold: a pass of its own, for a menu's
        draft (simulator/menu_draft.py)."""
        if not self.source.rereadable:
            raise OrdersFileError(f"{self.name}: a menu is drafted from a file, not from standard input")
        units: Counter[str] = Counter()
        category: dict[str, str] = {}
        for _, row in self._kept(self.source.numbered_rows(), Counter()):
            item = self.layout.value(row, "item")
            if not item:
                continue
            try:
                quantity = (
                    1
                    if self.layout.shape.unit_per_row
                    else parse_quantity(self.layout.value(row, "quantity"), self.mark or DOT)
                )
            except Invalid:
                quantity = 0
            units[item] += max(quantity, 0)
            category.setdefault(item, self.layout.value(row, "category"))
        return {item: Sold(category[item], units[item]) for item in category}

    @property
    def item_header(self) -> str:
        """The header of the column that names the dish, as rejected rows keep it."""
        return self.source.header[self.layout.fields["item"].alternatives[0][0]]

    def close(self) -> None:
        super().close()
        if self.sorted is not None:
            self.sorted.close()
        self.source.close()


def _latest(latest: int | None, at: int | None) -> int | None:
    return latest if at is None else at if latest is None else max(latest, at)


@lru_cache(maxsize=65_536)
def _proven(price: str) -> str | None:
    """The decimal mark a price proves (prices repeat: a menu has few)."""
    return decimal_evidence(price)


def _given(price: str) -> None:
    """No price need prove a mark that --decimal-comma or --no-decimal-comma gives."""
    return None


LINES = 4096
"""Item lines remembered by their cells (CsvOrders._lines): a menu's dishes, in their quantities and prices."""
# A menu has few prices and quantities: each cell is read once (a bad one is not remembered: it raises each time).
_money = lru_cache(maxsize=4096)(parse_money)
_quantity = lru_cache(maxsize=256)(parse_quantity)


class _NoneSeen:
    """In place of SeenIds where no id can come twice."""

    def add(self, order_id: str) -> bool:
        return False
