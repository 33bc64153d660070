"""Which cells of a CSV row hold what: our fields (common/settings.py COLUMNS and EXPORT_COLUMNS), found in the
user's columns by name, and what rows say about themselves (a voided line, a refund, a fee).

A field's columns are written as the user's headers: `Created`; several, joined by a space, `Date+Time` (an export
that keeps the date and the time apart); alternatives, the first present and not empty, `Sent Date|Order Date`.
Headers match whatever their case, spacing and punctuation (`Order ID`, `order id`, `Void?`): exports rename
columns between versions, and their documentation spells them otherwise than their files.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import TypeVar

from common.settings import COLUMNS
from simulator.orders import OrdersFileError

TRUE = frozenset({"true", "t", "yes", "y", "1", "x", "void", "voided", "refund", "refunded"})
"""A flag's cell that says yes (a voided line: `Void?` true; a refund row: `Event Type` Refund)."""
LEFT_OUT = {"voided": "voided lines", "refund": "refund rows", "fee": "service charges and fees"}
"""The flags of lines that are not food to cook, and how a count of them is said. Voided lines were never fired;
a refund row is money going back (the sale it refunds was cooked, and stays); a fee is not a dish."""


def said_left_out(counts: Counter[str]) -> str:
    """Counts of lines left out (Feed.left_out), as `simulator.check` and a run's summary say them."""
    return ", ".join(f"{count:,} {LEFT_OUT.get(why, why)}" for why, count in counts.most_common())


REMEMBERED = 4096
"""Distinct cells `remembered` keeps."""
T = TypeVar("T")
NEEDED = ("order_id", "ordered_at", "item")
"""The fields every layout must find; a quantity and a price too, unless said otherwise (Layout)."""


def normal(header: str) -> str:
    """A header as it is matched: letters and digits only, case folded."""
    return re.sub(r"[^0-9a-z]", "", header.casefold())


@dataclass(frozen=True)
class Field:
    """One of our fields in a row: its alternatives, each the indexes of columns joined by a space."""

    spec: str
    """As the user's headers write it, for messages: 'Date+Time', 'Sent Date|Order Date'."""
    alternatives: tuple[tuple[int, ...], ...]

    def value(self, row: list[str]) -> str:
        for columns in self.alternatives:
            if len(columns) == 1:
                text = row[columns[0]].strip()
            else:
                text = " ".join(row[i].strip() for i in columns).strip()
            if text:
                return text
        return ""


def find(spec: str, header: list[str]) -> Field | None:
    """The field `spec` names in this header, or None when none of its alternatives is there whole."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(normal(name), i)
    if normal(spec) in index and ("+" in spec or "|" in spec):  # a header that itself holds a + or a |
        return Field(spec, ((index[normal(spec)],),))
    alternatives = []
    for alternative in spec.split("|"):
        columns = [index.get(normal(name)) for name in alternative.split("+")]
        if all(i is not None for i in columns):
            alternatives.append(tuple(i for i in columns if i is not None))
    return Field(spec, tuple(alternatives)) if alternatives else None


@dataclass(frozen=True)
class Shape:
    """An export's shape before a header is seen: which of its columns hold our fields, and how its rows go.
    Our own CSV is one (OURS), --columns another, and each point-of-sale preset (simulator/feed/presets.py)."""

    name: str
    title: str
    """What a file of this shape is read as, said by `simulator.check`: 'a Square items export'."""
    columns: dict[str, str]
    """Our field -> the user's spec (see the module's docstring)."""
    time_formats: tuple[str, ...] = ()
    """strptime patterns tried on its times, in order; none: ISO-8601."""
    local_times: bool = False
    """Times without a zone are the kitchen's local time (a till in the kitchen wrote them), unless
    --orders-timezone names another zone."""
    unit_per_row: bool = False
    """No quantity column: each row is one unit (Clover)."""
    strict_rows: bool = True
    """The rows of one order must agree on its time, customer and service. An export's need not (a ticket's
    items are fired at different times): its order is received at its earliest line, with its first line's
    customer and service."""

    def needed(self) -> tuple[str, ...]:
        """The fields it cannot do without; its price is `amount` (a line's) when it names one."""
        price = "amount" if "amount" in self.columns else "price_per_unit"
        return NEEDED + (() if self.unit_per_row else ("quantity",)) + (price,)

    def missing(self, header: list[str]) -> list[str]:
        """The needed fields this header lacks, as a message names them."""
        return [
            f"{ours} (as {self.columns[ours]!r})" if ours != self.columns[ours] else repr(ours)
            for ours in self.needed()
            if find(self.columns[ours], header) is None
        ]

    def layout(self, header: list[str]) -> Layout:
        """Where this header keeps each field; OrdersFileError when a needed one is missing."""
        missing = self.missing(header)
        if missing:
            raise OrdersFileError(f"the CSV header has no column {', '.join(missing)}")
        fields = {ours: find(spec, header) for ours, spec in self.columns.items()}
        return Layout(self, {ours: found for ours, found in fields.items() if found is not None})


OURS = Shape("ours", "our columns", {column: column for column in COLUMNS})


@dataclass(frozen=True)
class Layout:
    """A shape found in a header: where each of its fields is."""

    shape: Shape
    fields: dict[str, Field]

    def value(self, row: list[str], name: str) -> str:
        return self.reader(name)(row)

    def reader(self, name: str) -> Callable[[list[str]], str]:
        """A field's value in a row, as a function made once: a million rows ask for it several times each."""
        return self._readers.get(name, _nothing)

    @property
    def price(self) -> str:
        """The field of a line's money: its `amount` when the layout has one, else its `price_per_unit`."""
        return "amount" if "amount" in self.fields else "price_per_unit"

    def columns(self, *names: str) -> list[int]:
        """The columns these fields (those the layout has) are read from, in the header's order."""
        fields = self.fields
        return sorted({i for name in names if name in fields for alt in fields[name].alternatives for i in alt})

    def cells(self, *names: str) -> Callable[[list[str]], object]:
        """The raw cells of these fields' columns, in one call (operator.itemgetter's): a key under which to
        remember what a row's fields say, a million rows having few distinct ones."""
        columns = self.columns(*names)
        return itemgetter(*columns) if columns else _nothing

    @cached_property
    def _readers(self) -> dict[str, Callable[[list[str]], str]]:
        return {name: _reader(found) for name, found in self.fields.items()}

    def header_of(self, name: str) -> str:
        """The user's column(s) of a field, for messages."""
        found = self.fields.get(name)
        return found.spec if found is not None else name

    def flag(self, row: list[str]) -> str | None:
        """Why a row is not food to cook (a key of LEFT_OUT), or None."""
        for name, read in self._flags:
            cell = read(row).casefold()
            if cell in TRUE or (name == "fee" and _nonzero(cell)):
                return name
        return None

    @cached_property
    def _flags(self) -> tuple[tuple[str, Callable[[list[str]], str]], ...]:
        """The flags this layout has, with their readers: asked of every row."""
        return tuple((name, self.reader(name)) for name in LEFT_OUT if name in self.fields)


def _reader(found: Field) -> Callable[[list[str]], str]:
    """Field.value, made for the field's shape: one column, or columns joined (Square's 'Date+Time'), read
    without the loop over alternatives that only a field with several needs."""
    if len(found.alternatives) == 1:
        columns = found.alternatives[0]
        if len(columns) == 1:
            column = columns[0]
            return lambda row: row[column].strip()
        return lambda row: " ".join([row[i].strip() for i in columns]).strip()
    return found.value


def remembered(
    cells: Callable[[list[str]], object], value_of: Callable[[list[str]], T], size: int = 0
) -> Callable[[list[str]], T]:
    """value_of(row), remembered by the row's raw cells that it reads (`cells`, from Layout.cells) for the last
    `size` (REMEMBERED) of them: a million rows say few distinct things in a column (a location, a flag, an item
    line). A value_of that raises is not remembered: it raises again for the next row like it."""
    known: dict[object, T] = {}
    size = size or REMEMBERED

    def value(row: list[str]) -> T:
        key = cells(row)
        if key in known:
            return known[key]
        if len(known) >= size:
            known.clear()
        found = known[key] = value_of(row)
        return found

    return value


def _nothing(row: list[str]) -> str:
    return ""


def _nonzero(cell: str) -> bool:
    """A fee column holding an amount: any digit but 0 says the row is a fee."""
    return any(c in "123456789" for c in cell)
