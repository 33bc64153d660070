import io
import json

import pytest

from simulator.feed import Feed, FeedOptions, open_orders, read_orders
from simulator.orders import (
    EmptyOrder,
    Order,
    OrdersFileError,
    Rejected,
    parse_order,
    parse_timestamp,
)
from tests.kitchen_data import order, write_json


@pytest.mark.parametrize(
    "text, epoch",
    [
        ("2019-02-18T16:01:00", 1550505660),  # naive means UTC
        ("2019-02-18T16:01:00Z", 1550505660),
        ("2019-02-18T08:01:00-08:00", 1550505660),
        ("2019-02-18T17:01:00+01:00", 1550505660),
        ("2019-02-18T16:01:00.999", 1550505660),  # fractions are truncated
        ("2019-02-18T16:01:00.5-08:00", 1550534460),
        ("2019-02-18 16:01:00", 1550505660),
        ("2019-02-18T17:01+01", 1550505660),  # 19 characters with an offset: not the naive fast path
        ("2019-02-18T17+01:00", 1550505600),
    ],
)
def test_timestamps(text, epoch):
    assert parse_timestamp(text) == epoch


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tomorrow",
        "2019-02-30T10:00:00",
        "2019-13-01T00:00:00",
        1550505660,
        None,
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59",
        "1969-12-31T23:59:59Z",
        "2100-01-01T00:00:00",
    ],
)
def test_unreadable_timestamps_are_invalid(text, menu):
    rejected = parse_order(7, {"name": "Ann", "service": "S", "ordered_at": text, "items": []}, menu)
    assert isinstance(rejected, Rejected)
    assert rejected.ordered_at is None and rejected.position == 7
    assert "ordered_at" in rejected.reason


def test_a_valid_order(menu):
    parsed = parse_order(3, order("2019-02-18T16:01:00", ("Soup", 2), ("Stew", 1), ("Soup", 1), price=250), menu)
    assert isinstance(parsed, Order)
    assert parsed.position == 3 and parsed.ordered_at == 1550505660
    assert [d.name for d in parsed.units()] == ["Soup", "Soup", "Stew", "Soup"]
    assert parsed.total_price == 1000
    # a dish on two lines stays two lines
    assert json.loads(parsed.items_json) == [
        {"name": "Soup", "quantity": 2, "price_per_unit": 250},
        {"name": "Stew", "quantity": 1, "price_per_unit": 250},
        {"name": "Soup", "quantity": 1, "price_per_unit": 250},
    ]


def test_an_order_without_items_is_empty(menu):
    assert parse_order(4, order("2019-02-18T16:01:00"), menu) == EmptyOrder(4, 1550505660)


GOOD = {
    "name": "Ann",
    "service": "TastyBites",
    "ordered_at": "2019-02-18T16:01:00",
    "items": [{"name": "Soup", "quantity": 1, "price_per_unit": 100}],
}


def changed(**fields):
    raw = json.loads(json.dumps(GOOD))
    for key, value in fields.items():
        if value is ...:
            del raw[key]
        else:
            raw[key] = value
    return raw


def item(**fields):
    line = dict(GOOD["items"][0])
    for key, value in fields.items():
        if value is ...:
            del line[key]
        else:
            line[key] = value
    return changed(items=[line])


@pytest.mark.parametrize(
    "raw, reason",
    [
        (["not", "an", "order"], "an order must be a JSON object"),
        (changed(name=...), "missing field 'name'"),
        (changed(service=...), "missing field 'service'"),
        (changed(items=...), "missing field 'items'"),
        (changed(name=42), "name must be a string, got 42"),
        (changed(items="Soup"), "items must be a list"),
        (changed(items=["Soup"]), "item 1 must be an object"),
        (item(name="Pizza"), "item 1: unknown dish 'Pizza'"),
        (item(name=...), "item 1: missing field 'name'"),
        (item(quantity=0), "item 1 (Soup): quantity must be a whole number >= 1, got 0"),
        (item(quantity=2.5), "quantity must be a whole number >= 1"),
        (item(quantity="2"), "quantity must be a whole number >= 1"),
        (item(quantity=...), "item 1: missing field 'quantity'"),
        (item(quantity=10**9), "more than 1000 units in one order"),
        (item(price_per_unit=-1), "item 1 (Soup): negative price_per_unit -1"),
        (item(price_per_unit=12.5), "price_per_unit must be whole cents"),
        (item(price_per_unit=10**20), "is more than 100000000 cents"),
        (changed(name="\ud800"), "name is not valid Unicode text"),
        (changed(name="nul\x00byte"), "name holds a NUL character"),
    ],
)
def test_malformed_orders_are_rejected_with_a_reason(raw, reason, menu):
    rejected = parse_order(9, raw, menu)
    assert isinstance(rejected, Rejected)
    assert reason in rejected.reason
    assert rejected.position == 9
    json.loads(rejected.raw)  # the raw order is kept as JSON
    rejected.raw.encode("utf-8")  # and can be stored


def test_a_rejected_order_with_a_good_timestamp_keeps_it(menu):
    assert parse_order(1, item(name="Pizza"), menu).ordered_at == 1550505660


def test_names_are_kept_verbatim(menu):
    name = 'Robert\'); DROP TABLE orders;-- "Bobby" Ω 🍕 %s ? end'
    parsed = parse_order(1, changed(name=name), menu)
    assert parsed.customer_name == name


def test_the_stream_is_read_one_order_at_a_time(menu):
    class CountingFile(io.BytesIO):
        bytes_read = 0

        def read(self, size=-1):
            data = super().read(size)
            self.bytes_read += len(data)
            return data

    body = ",".join(json.dumps(order("2019-02-18T16:01:00", ("Soup", 1))) for _ in range(20000))
    stream = io.BufferedReader(CountingFile(f"[{body}]".encode()))
    entries = Feed(stream, "orders.json", "json", FeedOptions()).entries(menu)
    first = next(entries)
    assert first.position == 1
    assert stream.raw.bytes_read < len(stream.raw.getvalue()) / 10  # far from all of it


def test_a_syntax_error_names_the_position(tmp_path, menu):
    path = tmp_path / "orders.json"
    good = json.dumps(order("2019-02-18T16:01:00", ("Soup", 1)))
    path.write_text(f'[{good},\n{good},\n{{"name": "Ann", "service": ]')
    entries = read_orders(path, menu)
    assert [e.position for e in (next(entries), next(entries))] == [1, 2]
    with pytest.raises(OrdersFileError, match=r"orders.json: JSON syntax error in order 3 \(after 2 complete orders\)"):
        next(entries)


def test_a_truncated_file_is_a_syntax_error(tmp_path, menu):
    path = tmp_path / "orders.json"
    path.write_text('[{"name": "Ann"')
    with pytest.raises(OrdersFileError, match="JSON syntax error in order 1"):
        list(read_orders(path, menu))


@pytest.mark.parametrize("content", ['{"orders": []}', "", "42"])
def test_the_file_must_hold_a_list(tmp_path, content):
    path = tmp_path / "orders.json"
    path.write_text(content)
    with pytest.raises(OrdersFileError, match="expected a JSON list of orders"):
        open_orders(path)


def test_a_missing_orders_file(tmp_path):
    with pytest.raises(OrdersFileError, match="cannot open orders file .*missing.json"):
        open_orders(tmp_path / "missing.json")


def test_an_empty_list_has_no_orders(tmp_path, menu):
    assert list(read_orders(write_json(tmp_path / "o.json", []), menu)) == []


def test_a_lone_surrogate_escape_in_the_file_is_read_as_a_question_mark(tmp_path, menu):
    """JSON allows "\\ud800" but it is no Unicode character; the parser (yajl) reads it as '?', and that
    is what is stored. A parser that hands over the surrogate itself gets the order rejected instead."""
    path = tmp_path / "orders.json"
    path.write_text(
        '[{"name": "a\\ud800b", "service": "S", "ordered_at": "2019-02-18T16:01:00",'
        ' "items": [{"name": "Soup", "quantity": 1, "price_per_unit": 1}]}]'
    )
    [parsed] = read_orders(path, menu)
    assert parsed.customer_name == "a?b"
