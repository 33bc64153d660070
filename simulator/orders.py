"""The order feed: reads the orders file incrementally and checks each order as it is read.

The file is one JSON list. It is parsed as a stream (ijson), one order at a time, so the simulator never
holds more than the order at hand and never sees an order before its time. Each element of the list
becomes exactly one of:

- `Order`: a valid order with at least one item line;
- `EmptyOrder`: a valid order with no items (the kitchen discards it);
- `Rejected`: anything malformed, with the reason; `ordered_at` is None when even the timestamp
  could not be read.

A syntax error in the file itself ends the stream with `OrdersFileError`, naming the position.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Iterator, Union

import ijson
import orjson

from simulator.menu import Dish

# Guards against orders no kitchen would accept, which would otherwise stall the simulation.
MAX_UNITS_PER_ORDER = 1000
MAX_PRICE_PER_UNIT = 100_000_000  # cents: one million dollars
# Timestamps outside these years are typos, and would put the kitchen's calendar out of range.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2099


class OrdersFileError(ValueError):
    """The orders file cannot be read on; the message names the file and the position."""


@dataclass(frozen=True)
class Line:
    dish: Dish
    quantity: int
    price_per_unit: int
    """Cents."""


@dataclass(frozen=True)
class Order:
    position: int
    """1-based position in the orders file; the order's id in the database."""
    customer_name: str
    service: str
    ordered_at: int
    """Epoch seconds, UTC."""
    lines: tuple[Line, ...]
    total_price: int
    """Cents: the sum over lines of quantity × price_per_unit."""

    def units(self) -> Iterator[Dish]:
        """One dish per unit to cook: item lines in order, `quantity` units each."""
        for line in self.lines:
            for _ in range(line.quantity):
                yield line.dish

    @cached_property
    def items_json(self) -> str:
        """The item lines as stored: a dish on two lines stays two lines. (orjson: the writer's hot path.)"""
        return orjson.dumps(
            [{"name": l.dish.name, "quantity": l.quantity, "price_per_unit": l.price_per_unit} for l in self.lines]
        ).decode()


@dataclass(frozen=True)
class EmptyOrder:
    position: int
    ordered_at: int


@dataclass(frozen=True)
class Rejected:
    position: int
    raw: str
    """The order as JSON."""
    reason: str
    ordered_at: int | None
    """None when the timestamp itself could not be read."""


FeedEntry = Union[Order, EmptyOrder, Rejected]


class Invalid(ValueError):
    """One reason an order is rejected."""


_FRACTION = re.compile(r"(T\d{2}:\d{2}:\d{2})[.,]\d+")


def parse_timestamp(text: object) -> int:
    """ISO-8601 to epoch seconds: naive means UTC, offsets and `Z` are honoured, fractions truncated."""
    if not isinstance(text, str):
        raise Invalid(f"ordered_at must be an ISO-8601 string, got {_show(text)}")
    normalised = _FRACTION.sub(r"\1", text.strip())
    if normalised.endswith(("Z", "z")):
        normalised = normalised[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(normalised)
    except ValueError:
        raise Invalid(f"ordered_at is not an ISO-8601 timestamp: {_show(text)}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if not EARLIEST_YEAR <= moment.astimezone(timezone.utc).year <= LATEST_YEAR:
        raise Invalid(f"ordered_at is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}: {_show(text)}")
    return int(moment.timestamp())


def parse_order(position: int, raw: object, menu: dict[str, Dish]) -> FeedEntry:
    """Turn one element of the orders list into an Order, an EmptyOrder or a Rejected."""
    ordered_at = None
    try:
        if not isinstance(raw, dict):
            raise Invalid(f"an order must be a JSON object, got {_show(raw)}")
        ordered_at = parse_timestamp(_field(raw, "ordered_at"))
        customer_name = _text(raw, "name")
        service = _text(raw, "service")
        items = _field(raw, "items")
        if not isinstance(items, list):
            raise Invalid(f"items must be a list, got {_show(items)}")
        lines = tuple(_line(number, item, menu) for number, item in enumerate(items, start=1))
        if sum(line.quantity for line in lines) > MAX_UNITS_PER_ORDER:
            raise Invalid(f"more than {MAX_UNITS_PER_ORDER} units in one order")
    except Invalid as reason:
        return Rejected(position, _to_json(raw), str(reason), ordered_at)
    if not lines:
        return EmptyOrder(position, ordered_at)
    total_price = sum(line.quantity * line.price_per_unit for line in lines)
    return Order(position, customer_name, service, ordered_at, lines, total_price)


def read_orders(path: Path, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
    """Yield the orders file's entries one at a time, parsing only as far as the entry asked for."""
    with open_orders(path) as stream:
        yield from parse_stream(stream, menu, str(path))


def open_orders(path: Path):
    """Open the orders file, failing at once (before any run starts) if it is missing or not a list."""
    try:
        stream = open(path, "rb")
    except OSError as error:
        raise OrdersFileError(f"cannot open orders file {path}: {error.strerror}") from None
    first = stream.read(64).lstrip()
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:].lstrip()
    if not first.startswith(b"["):
        stream.close()
        raise OrdersFileError(f"{path}: expected a JSON list of orders")
    stream.seek(0)
    return stream


def parse_stream(stream, menu: dict[str, Dish], name: str) -> Iterator[FeedEntry]:
    position = 0
    elements = ijson.items(stream, "item")
    while True:
        try:
            raw = next(elements)
        except StopIteration:
            return
        except (ijson.JSONError, UnicodeDecodeError) as error:
            raise OrdersFileError(
                f"{name}: JSON syntax error in order {position + 1} (after {position} complete orders): {error}"
            ) from None
        position += 1
        yield parse_order(position, raw, menu)


def _field(raw: dict, name: str) -> object:
    if name not in raw:
        raise Invalid(f"missing field '{name}'")
    return raw[name]


def _text(raw: dict, name: str) -> str:
    value = _field(raw, name)
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a string, got {_show(value)}")
    if not _is_storable(value):
        raise Invalid(f"{name} is not valid Unicode text")
    if "\x00" in value:
        raise Invalid(f"{name} holds a NUL character, which a PostgreSQL database cannot store")
    return value


def _line(number: int, item: object, menu: dict[str, Dish]) -> Line:
    where = f"item {number}"
    if not isinstance(item, dict):
        raise Invalid(f"{where} must be an object, got {_show(item)}")
    name = _field_of(item, "name", where)
    if not isinstance(name, str) or name not in menu:
        raise Invalid(f"{where}: unknown dish {_show(name)}")
    quantity = _field_of(item, "quantity", where)
    if not _is_whole(quantity) or quantity < 1:
        raise Invalid(f"{where} ({name}): quantity must be a whole number >= 1, got {_show(quantity)}")
    price = _field_of(item, "price_per_unit", where)
    if not _is_whole(price):
        raise Invalid(f"{where} ({name}): price_per_unit must be whole cents, got {_show(price)}")
    if price < 0:
        raise Invalid(f"{where} ({name}): negative price_per_unit {price}")
    if price > MAX_PRICE_PER_UNIT:
        raise Invalid(f"{where} ({name}): price_per_unit {price} is more than {MAX_PRICE_PER_UNIT} cents")
    return Line(menu[name], quantity, price)


def _field_of(item: dict, name: str, where: str) -> object:
    if name not in item:
        raise Invalid(f"{where}: missing field '{name}'")
    return item[name]


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, which JSON allows and UTF-8 storage does not
        return False
    return True


def _show(value: object, limit: int = 60) -> str:
    shown = repr(float(value) if isinstance(value, Decimal) else value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _to_json(raw: object) -> str:
    def number(value: object) -> object:
        if isinstance(value, Decimal):
            return float(value) if value.is_finite() else str(value)
        raise TypeError(f"cannot store {type(value).__name__}")

    text = json.dumps(raw, ensure_ascii=False, default=number)
    return text if _is_storable(text) else json.dumps(raw, default=number)
