"""Orders: what one order of the feed is, and the checks that make it an Order, an EmptyOrder or a Rejected.

Every format of orders file (feed.py reads them) comes here as the same raw order: a dict with
`ordered_at`, `name`, `service`, `items` (each with `name`, `quantity`, `price_per_unit` in whole cents)
and an optional `order_id`. Each becomes exactly one of:

- `Order`: a valid order with at least one item line;
- `EmptyOrder`: a valid order with no items (the kitchen discards it);
- `Rejected`: anything malformed, with the reason and its kind; `ordered_at` is None when even the
  timestamp could not be read.

Timestamps are ISO-8601 (a space instead of the `T` will do), or follow a strptime pattern
(`Reading.time_format`). An offset or `Z` is honoured; a naive time is UTC, or the local time of
`Reading.timezone`, where a time the clocks pass twice is its first occurrence and a time they skip is
rejected. (How a CSV's cells become these fields: simulator/feed/.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import NamedTuple, TypeGuard
from zoneinfo import ZoneInfo

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
class Reading:
    """How to read an orders file's times: naive ones as UTC or as local time of a zone, ISO or a pattern."""

    timezone: str | None = None
    """IANA zone of naive timestamps; None: they are UTC."""
    time_format: str | None = None
    """A strptime pattern for timestamps that are not ISO-8601, like '%m/%d/%Y %I:%M %p'."""

    @cached_property
    def zone(self) -> ZoneInfo | None:
        return None if self.timezone is None else ZoneInfo(self.timezone)


UTC = Reading()


class Line(NamedTuple):
    dish: Dish
    quantity: int
    price_per_unit: int
    """Cents."""


@lru_cache(maxsize=65536)
def _line_json(name: str, quantity: int, price_per_unit: int) -> str:
    return orjson.dumps({"name": name, "quantity": quantity, "price_per_unit": price_per_unit}).decode()


class Order(NamedTuple):
    """A valid order (a named tuple: immutable, and cheap to make a million of)."""

    position: int
    """1-based position in the stream of orders (the file's order, or its time order when a CSV's rows were
    sorted); the order's id in the database."""
    customer_name: str
    service: str
    ordered_at: int
    """Epoch seconds, UTC."""
    lines: tuple[Line, ...]
    total_price: int
    """Cents: the sum over lines of quantity × price_per_unit."""
    order_id: str | None = None
    """The order's own id in the file (a CSV's order_id column), kept in the orders table."""

    def units(self) -> Iterator[Dish]:
        """One dish per unit to cook: item lines in order, `quantity` units each."""
        for line in self.lines:
            for _ in range(line.quantity):
                yield line.dish

    @property
    def items_json(self) -> str:
        """The item lines as stored, a JSON list: a dish on two lines stays two lines. Lines repeat (the
        same dish, quantity and price), so each line's JSON is made once (the writer's hot path)."""
        return "[" + ",".join([_line_json(dish.name, quantity, price) for dish, quantity, price in self.lines]) + "]"


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
    kind: str = "malformed"
    """What is wrong, in a few words that group rejections: 'unknown dish', 'bad timestamp', ..."""


FeedEntry = Order | EmptyOrder | Rejected


class Invalid(ValueError):
    """One reason an order is rejected, and its kind."""

    def __init__(self, reason: str, kind: str = "malformed") -> None:
        super().__init__(reason)
        self.kind = kind


_EPOCH = datetime(1970, 1, 1)  # naive: a naive time read as UTC is this many seconds after it
_FRACTION = re.compile(r"([T ]\d{2}:\d{2}:\d{2})[.,]\d+")


def parse_timestamp(text: object, reading: Reading = UTC) -> int:
    """A timestamp to epoch seconds (see the module's docstring); fractions of a second are dropped."""
    if (
        reading.timezone is None and reading.time_format is None and type(text) is str and len(text) == 19
    ):  # the common 'YYYY-MM-DDTHH:MM:SS', fast
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is None and EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            return int((moment - _EPOCH).total_seconds())
    if not isinstance(text, str):
        raise Invalid(f"ordered_at must be a timestamp string, got {_show(text)}", "bad timestamp")
    try:
        if reading.time_format is not None:
            moment = datetime.strptime(text.strip(), reading.time_format)
        else:
            normalised = _FRACTION.sub(r"\1", text.strip())
            if normalised.endswith(("Z", "z")):
                normalised = normalised[:-1] + "+00:00"
            moment = datetime.fromisoformat(normalised)
    except ValueError:
        expected = f"the pattern {reading.time_format!r}" if reading.time_format else "an ISO-8601 timestamp"
        fix = (
            ""
            if reading.time_format
            else " (give its pattern with --time-format or ORDERS_TIME_FORMAT, like '%m/%d/%Y %I:%M %p')"
        )
        raise Invalid(f"ordered_at is not {expected}: {_show(text)}{fix}", "bad timestamp") from None
    if moment.tzinfo is None:
        moment = _local(moment, reading) if reading.zone is not None else moment.replace(tzinfo=timezone.utc)
    try:
        utc = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not EARLIEST_YEAR <= utc.year <= LATEST_YEAR:
        raise Invalid(f"ordered_at is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}: {_show(text)}", "bad timestamp")
    return int(utc.timestamp())


def _local(wall: datetime, reading: Reading) -> datetime:
    """A naive wall-clock time in the reading's zone: the first occurrence of a repeated time; a skipped
    time is refused."""
    first = wall.replace(tzinfo=reading.zone, fold=0)
    try:
        back = first.astimezone(timezone.utc).astimezone(reading.zone).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return first
    if back != wall:
        raise Invalid(
            f"ordered_at {wall:%Y-%m-%d %H:%M:%S} does not exist in {reading.timezone}: the clocks skipped it",
            "time the clocks skipped",
        )
    return first


def parse_order(
    position: int, raw: object, menu: dict[str, Dish], reading: Reading = UTC, at: int | None = None
) -> FeedEntry:
    """Turn one raw order into an Order, an EmptyOrder or a Rejected. `at`: its time, already read (a CSV's, which
    the feed reads from its own columns and zones), in place of raw's ordered_at."""
    ordered_at = None
    try:
        if not isinstance(raw, dict):
            raise Invalid(f"an order must be a JSON object, got {_show(raw)}", "not an order")
        ordered_at = parse_timestamp(_field(raw, "ordered_at"), reading) if at is None else at
        customer_name = _text(raw, "name")
        service = _text(raw, "service")
        items = _field(raw, "items")
        if not isinstance(items, list):
            raise Invalid(f"items must be a list, got {_show(items)}", "wrong type")
        lines = tuple([_line(number, item, menu) for number, item in enumerate(items, start=1)])
        order_id = raw.get("order_id")
        if order_id is not None and not isinstance(order_id, str):
            order_id = str(order_id)
        return made_order(position, customer_name, service, ordered_at, lines, order_id)
    except Invalid as reason:
        return Rejected(position, _to_json(raw), str(reason), ordered_at, reason.kind)


def made_order(
    position: int, customer_name: str, service: str, ordered_at: int, lines: tuple[Line, ...], order_id: str | None
) -> Order | EmptyOrder:
    """An order of lines read and checked (by parse_order, or a CSV's reader from lines it knows: see known_line);
    Invalid if it holds too many units."""
    units = total_price = 0
    for _, quantity, price in lines:
        units += quantity
        total_price += quantity * price
    if units > MAX_UNITS_PER_ORDER:
        raise Invalid(f"more than {MAX_UNITS_PER_ORDER} units in one order", "too many units")
    if not lines:
        return EmptyOrder(position, ordered_at)
    return Order(position, customer_name, service, ordered_at, lines, total_price, order_id)


def _field(raw: dict, name: str) -> object:
    if name not in raw:
        raise Invalid(f"missing field '{name}'", "missing field")
    return raw[name]


def _text(raw: dict, name: str) -> str:
    return checked_text(_field(raw, name), name)


def checked_text(value: object, name: str) -> str:
    """An order's text field (its customer's name, its service): a string that a database can store."""
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a string, got {_show(value)}", "wrong type")
    if not _is_storable(value):
        raise Invalid(f"{name} is not valid Unicode text", "bad text")
    if "\x00" in value:
        raise Invalid(f"{name} holds a NUL character, which a PostgreSQL database cannot store", "bad text")
    return value


def _line(number: int, item: object, menu: dict[str, Dish]) -> Line:
    return known_line(item, menu) or _checked_line(number, item, menu)


def known_line(item: object, menu: dict[str, Dish]) -> Line | None:
    """A well-formed line of the menu, checked fast; None: anything else, which gets the checks that say why."""
    if type(item) is dict:
        name, quantity, price = item.get("name"), item.get("quantity"), item.get("price_per_unit")
        dish = menu.get(name) if type(name) is str else None
        if (
            dish is not None
            and type(quantity) is int
            and quantity >= 1
            and type(price) is int
            and 0 <= price <= MAX_PRICE_PER_UNIT
        ):
            return Line(dish, quantity, price)
    return None


def _checked_line(number: int, item: object, menu: dict[str, Dish]) -> Line:
    where = f"item {number}"
    if not isinstance(item, dict):
        raise Invalid(f"{where} must be an object, got {_show(item)}", "not an item")
    name = _field_of(item, "name", where)
    if not isinstance(name, str) or name not in menu:
        raise Invalid(f"{where}: unknown dish {_show(name)}", "unknown dish")
    quantity = _field_of(item, "quantity", where)
    if not _is_whole(quantity) or quantity < 1:
        raise Invalid(f"{where} ({name}): quantity must be a whole number >= 1, got {_show(quantity)}", "bad quantity")
    price = _field_of(item, "price_per_unit", where)
    if not _is_whole(price):
        raise Invalid(f"{where} ({name}): price_per_unit must be whole cents, got {_show(price)}", "bad price")
    if price < 0:
        raise Invalid(f"{where} ({name}): negative price_per_unit {price}", "bad price")
    if price > MAX_PRICE_PER_UNIT:
        raise Invalid(f"{where} ({name}): price_per_unit {price} is more than {MAX_PRICE_PER_UNIT} cents", "bad price")
    return Line(menu[name], quantity, price)


def _field_of(item: dict, name: str, where: str) -> object:
    if name not in item:
        raise Invalid(f"{where}: missing field '{name}'", "missing field")
    return item[name]


def _is_whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, which JSON allows and UTF-8 storage does not
        return False
    return True


def _show(value: object, limit: int = 60) -> str:
    """A value for a message, numbers as JSON wrote them (ijson reads fractions as Decimal, orjson as float)."""
    shown = repr(_floats(value))
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _floats(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_floats(v) for v in value]
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    return value


def _to_json(raw: object) -> str:
    def number(value: object) -> object:
        if isinstance(value, Decimal):
            return float(value) if value.is_finite() else str(value)
        raise TypeError(f"cannot store {type(value).__name__}")

    text = json.dumps(raw, ensure_ascii=False, default=number)
    return text if _is_storable(text) else json.dumps(raw, default=number)
