"""Orders files as users have them: JSON Lines, and point-of-sale CSV exports with their own column names,
local times and prices in dollars; hostile ones too."""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.settings import load_settings
from simulator.feed import Feed, FeedOptions, SeenIds, open_orders, read_orders
from simulator.feed.cells import parse_money
from simulator.feed.json_orders import FIRST_LINE
from simulator.orders import (
    EmptyOrder,
    Invalid,
    Order,
    OrdersFileError,
    Reading,
    Rejected,
    parse_order,
    parse_timestamp,
)
from tests.kitchen_data import MENU
from tests.parameters import write_parameters

HEADER = "order_id,ordered_at,name,service,item,quantity,price_per_unit\n"
LA = Reading("America/Los_Angeles")


def write(path, text: str | bytes):
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def entries(path, menu, **options):
    return list(read_orders(path, menu, FeedOptions(**options)))


# Times and money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, reading, expected",
    [
        ("2019-02-18 08:01:00", LA, "2019-02-18T16:01:00"),  # naive: local time of the zone; a space for the T
        ("2019-02-18T08:01:00-08:00", LA, "2019-02-18T16:01:00"),  # an offset wins over the zone
        ("2019-02-18T16:01:00Z", LA, "2019-02-18T16:01:00"),
        ("2019-02-18 16:01:00.75", Reading(), "2019-02-18T16:01:00"),  # naive without a zone: UTC
        ("2019-11-03 01:30:00", LA, "2019-11-03T08:30:00"),  # passed twice in autumn: the first (PDT)
        ("02/18/2019 4:01 PM", Reading(None, "%m/%d/%Y %I:%M %p"), "2019-02-18T16:01:00"),
        ("18.02.2019 17:01", Reading("Europe/Berlin", "%d.%m.%Y %H:%M"), "2019-02-18T16:01:00"),
        ("2024-06-01 10:00:00", Reading("Asia/Kolkata"), "2024-06-01T04:30:00"),
    ],
)
def test_timestamps_in_the_restaurants_time(text, reading, expected):
    epoch = datetime.fromisoformat(expected).replace(tzinfo=timezone.utc).timestamp()
    assert parse_timestamp(text, reading) == epoch


def test_a_time_the_clocks_skipped_is_rejected_with_its_reason(menu):
    raw = {"name": "A", "service": "S", "ordered_at": "2019-03-10 02:30:00", "items": []}
    rejected = parse_order(1, raw, menu, LA)
    assert isinstance(rejected, Rejected) and rejected.kind == "time the clocks skipped"
    assert "2019-03-10 02:30:00 does not exist in America/Los_Angeles" in rejected.reason


def test_the_pattern_is_named_when_a_time_does_not_follow_it(menu):
    with pytest.raises(Invalid, match="ordered_at is not the pattern '%m/%d/%Y': '2019-02-18'"):
        parse_timestamp("2019-02-18", Reading(None, "%m/%d/%Y"))


@pytest.mark.parametrize(
    "text, unit, cents",
    [
        ("12.50", "dollars", 1250),
        ("$12.50", "dollars", 1250),
        ("1,250.00", "dollars", 125000),
        (" 7 ", "dollars", 700),
        ("0.1", "dollars", 10),
        ("€3.05", "dollars", 305),
        ("1250", "cents", 1250),
        ("-2.00", "dollars", -200),
    ],
)
def test_prices_are_exact_cents(text, unit, cents):
    assert parse_money(text, unit) == cents


@pytest.mark.parametrize(
    "text, unit, message",
    [
        ("12.505", "dollars", "has fractions of a cent"),
        ("twelve", "dollars", "not an amount of money"),
        ("", "dollars", "not an amount of money"),
        ("12.50", "cents", "must be whole cents"),
        ("NaN", "dollars", "not an amount"),
    ],
)
def test_bad_prices_are_refused(text, unit, message):
    with pytest.raises(Invalid, match=message):
        parse_money(text, unit)


# CSV: orders from rows ---------------------------------------------------------------------------------


def test_rows_of_one_order_make_one_order(tmp_path, menu):
    path = write(
        tmp_path / "o.csv",
        HEADER + "A1,2019-02-18 08:00:00,Ann,Uber,Soup,2,$3.50\n"
        "A1,2019-02-18 08:00:00,Ann,Uber,Stew,1,12.00\n"
        "B2,2019-02-18 08:05:00,Bo,Uber,Salad,1,4\n",
    )
    first, second = entries(path, menu, reading=LA)
    assert isinstance(first, Order) and (first.position, first.order_id, first.total_price) == (1, "A1", 1900)
    assert [(line.dish.name, line.quantity, line.price_per_unit) for line in first.lines] == [
        ("Soup", 2, 350),
        ("Stew", 1, 1200),
    ]
    assert first.ordered_at == 1550505600 and (second.position, second.order_id) == (2, "B2")


def test_an_order_whose_rows_are_apart_is_whole_from_a_file_and_rejected_from_a_pipe(tmp_path, menu):
    text = (
        HEADER + "A1,2019-02-18 08:00:00,Ann,Uber,Soup,1,1\n"
        "B2,2019-02-18 08:01:00,Bo,Uber,Soup,1,1\nA1,2019-02-18 08:00:00,Ann,Uber,Stew,1,1\n"
    )
    first, second = entries(write(tmp_path / "o.csv", text), menu)  # a file is read twice: its rows are grouped
    assert [line.dish.name for line in first.lines] == ["Soup", "Stew"] and second.order_id == "B2"
    first, second, third = piped(text, menu)  # a pipe is read once, as it comes
    assert isinstance(first, Order) and isinstance(second, Order)
    assert isinstance(third, Rejected) and third.kind == "order id again"
    assert "line 4: order_id 'A1' appears again after other orders" in third.reason
    assert json.loads(third.raw)["rows"][0]["item"] == "Stew"


def piped(text: str | bytes, menu, **options) -> list:
    """The entries of `text` read from a pipe, which cannot be read twice (as standard input)."""
    reader, writer = os.pipe()

    def send() -> None:  # from a thread: a pipe holds 64 KiB until it is read
        with open(writer, "wb") as sink:
            sink.write(text if isinstance(text, bytes) else text.encode())

    threading.Thread(target=send, daemon=True).start()
    with open(reader, "rb") as stream:
        feed = Feed(stream, "a pipe", "csv", FeedOptions(**options))
        return list(feed.entries(menu))


@pytest.mark.parametrize(
    "column, value", [("ordered_at", "2019-02-18 08:09:00"), ("name", "Anne"), ("service", "Bolt")]
)
def test_rows_that_disagree_on_the_order_are_rejected(tmp_path, menu, column, value):
    second = {
        "order_id": "A1",
        "ordered_at": "2019-02-18 08:00:00",
        "name": "Ann",
        "service": "Uber",
        "item": "Stew",
        "quantity": "1",
        "price_per_unit": "1",
    } | {column: value}
    path = write(
        tmp_path / "o.csv", HEADER + "A1,2019-02-18 08:00:00,Ann,Uber,Soup,1,1\n" + ",".join(second.values()) + "\n"
    )
    [rejected] = entries(path, menu)
    assert isinstance(rejected, Rejected) and rejected.kind == "rows disagree"
    assert f"line 3: {column} {value!r} differs from line 2's" in rejected.reason
    assert rejected.ordered_at == 1550476800  # the time still moves the receipt clock


def test_an_order_with_no_item_filled_in_is_empty(tmp_path, menu):
    path = write(
        tmp_path / "o.csv", HEADER + "A1,2019-02-18 08:00:00,Ann,Uber,,,\nB2,2019-02-18 08:01:00,Bo,Uber,Soup,1,1\n"
    )
    assert entries(path, menu) == [EmptyOrder(1, 1550476800), *entries(path, menu)[1:]]
    assert isinstance(entries(path, menu)[1], Order)


def test_hostile_but_valid_csv_bom_crlf_quotes_newlines_and_empty_lines(tmp_path, menu):
    text = (
        "\ufeffPOS Ref,Created,Guest,Channel,Product,Qty,Unit Price\r\n"
        '7,"02/18/2019 8:00 AM","O\'Brien, ""Bob""\r\nSenior",Walk-in,Soup,1,"$1,250.00"\r\n'
        "\r\n"
        '8,"02/18/2019 8:02 AM",Zoë 🍕,Walk-in,Stew,3,0.99\r\n'
    )
    path = write(tmp_path / "export.csv", text)
    columns = {
        "order_id": "POS Ref",
        "ordered_at": "Created",
        "name": "Guest",
        "service": "Channel",
        "item": "Product",
        "quantity": "Qty",
        "price_per_unit": "Unit Price",
    }
    first, second = entries(path, menu, columns=columns, reading=Reading("America/Los_Angeles", "%m/%d/%Y %I:%M %p"))
    assert first.customer_name == 'O\'Brien, "Bob"\r\nSenior' and first.total_price == 125000
    assert (second.customer_name, second.total_price, second.order_id) == ("Zoë 🍕", 297, "8")
    assert second.ordered_at - first.ordered_at == 120


def test_a_missing_column_is_named_before_anything_is_read(tmp_path, menu):
    path = write(tmp_path / "o.csv", "Ref,When,Product,Qty\n1,2019-02-18,Soup,1\n")
    with pytest.raises(
        OrdersFileError,
        match=r"o.csv: the CSV header has no column 'order_id', 'ordered_at', 'item', 'quantity',"
        r" 'price_per_unit'; it has 'Ref', 'When', 'Product', 'Qty'",
    ):
        open_orders(path, FeedOptions())
    with pytest.raises(OrdersFileError, match=r"no column ordered_at \(as 'Created'\), 'price_per_unit'"):
        open_orders(
            path,
            FeedOptions(columns={"order_id": "Ref", "ordered_at": "Created", "item": "Product", "quantity": "Qty"}),
        )


def test_a_row_cut_short_ends_the_stream_with_its_line(tmp_path, menu):
    path = write(tmp_path / "o.csv", HEADER + "A1,2019-02-18 08:00:00,Ann,Uber,Soup,1,1\nB2,2019-02-18 08:01:00,Bo")
    feed = read_orders(path, menu)
    assert isinstance(next(feed), Order)
    with pytest.raises(OrdersFileError, match="line 3 has 3 fields where the header has 7: the file is cut short"):
        next(feed)


def test_a_file_that_is_not_utf8_is_read_as_windows_1252_and_a_pipe_is_refused(tmp_path, menu):
    latin = HEADER.encode() + "A1,2019-02-18 08:00:00,Jos\xe9,Uber,Soup,1,1\n".encode("latin-1")
    (order,) = entries(write(tmp_path / "o.csv", latin), menu)
    assert order.customer_name == "José"
    with pytest.raises(OrdersFileError, match=r"a pipe: not UTF-8 text \(a byte b'\\xe9' after line 0\)"):
        piped(latin, menu)
    big = (
        HEADER.encode()
        + b"A1,2019-02-18 08:00:00,Ann,Uber,Soup,1,1\n" * 2000
        + "B2,2019-02-18 08:00:00,Jos\xe9,Uber,Soup,1,1\n".encode("latin-1")
    )
    with pytest.raises(OrdersFileError, match=r"a pipe: not UTF-8 text \(a byte b'\\xe9' after line 1\d\d\d\)"):
        piped(big, menu)
    assert entries(write(tmp_path / "big.csv", big), menu)[-1].customer_name == "José"


def test_order_ids_are_remembered_exactly_across_batches():
    seen = SeenIds()
    seen.BATCH = 100
    assert not any(seen.add(f"id-{n}") for n in range(1000))
    assert all(seen.add(f"id-{n}") for n in (0, 99, 100, 555, 999))
    assert not seen.add("id-1000")


# JSON Lines, formats, standard input ----------------------------------------------------------------


def test_json_lines_reject_a_bad_line_alone(tmp_path, menu):
    good = json.dumps(
        {
            "name": "A",
            "service": "S",
            "ordered_at": "2019-02-18T16:00:00",
            "items": [{"name": "Soup", "quantity": 1, "price_per_unit": 5}],
        }
    )
    path = write(tmp_path / "o.ndjson", f'{good}\n\n{{"name": "cut\n{good}\n')
    first, bad, third = entries(path, menu)
    assert (first.position, bad.position, third.position) == (1, 2, 3)
    assert isinstance(bad, Rejected) and bad.kind == "not JSON" and "line 3 is not a JSON order" in bad.reason
    assert isinstance(third, Order)


@pytest.mark.parametrize(
    "name, options, message",
    [
        ("o.txt", {}, r"cannot tell the format from the extension '.txt'; use .json, .jsonl, .ndjson or .csv"),
        ("-", {}, "reading orders from standard input needs --orders-format json, jsonl or csv"),
    ],
)
def test_the_format_must_be_known(tmp_path, name, options, message):
    path = name if name == "-" else write(tmp_path / name, "[]")
    with pytest.raises(OrdersFileError, match=message):
        open_orders(path, FeedOptions(**options))


def simulator(*args):
    return [sys.executable, "-m", "simulator", *map(str, args)]


@pytest.fixture
def parameters(tmp_path):
    return {"KITCHEN_PARAMETERS": str(write_parameters(tmp_path / "parameters.py")), "PATH": "/usr/bin:/bin"}


@pytest.mark.e2e
def test_a_live_feed_on_standard_input_is_taken_as_it_comes(tmp_path, parameters):
    (tmp_path / "menu.csv").write_text("name,cook_time\nSoup,1:00\n")
    db = tmp_path / "k.db"
    line = {"name": "A", "service": "S", "items": [{"name": "Soup", "quantity": 1, "price_per_unit": 5}]}
    with subprocess.Popen(
        simulator(
            "--orders",
            "-",
            "--orders-format",
            "jsonl",
            "--menu",
            tmp_path / "menu.csv",
            "--db",
            db,
            "--cooks",
            1,
            "--speed",
            600,
            "--quiet",
        ),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=parameters,
    ) as process:
        process.stdin.write((json.dumps(line | {"ordered_at": "2019-02-18T16:00:00"}) + "\n").encode())
        process.stdin.flush()
        deadline = time.monotonic() + 30
        while not (db.exists() and _count(db) == 1):  # the first order is in while the feed is still open
            assert time.monotonic() < deadline and process.poll() is None, "the first order never arrived"
            time.sleep(0.05)
        process.stdin.write((json.dumps(line | {"ordered_at": "2019-02-18T16:00:30"}) + "\n").encode())
        _, errors = process.communicate(timeout=60)
    assert process.returncode == 0, errors.decode()
    assert _count(db) == 2


def _count(db) -> int:
    try:
        with sqlite3.connect(db) as connection:
            return connection.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


# Round trip: the shipped data in every format gives the same orders table ------------------------------


@pytest.mark.e2e
def test_the_shipped_data_as_csv_and_json_lines_gives_the_same_orders_table(tmp_path, parameters):
    settings = load_settings(parameters)
    orders = json.loads(settings.orders_path.read_text())
    zone = ZoneInfo("America/Los_Angeles")

    lines = tmp_path / "orders.jsonl"
    lines.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in orders), encoding="utf-8")
    export = tmp_path / "export.csv"
    with open(export, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Ticket", "Created (local)", "Customer", "Platform", "Menu item", "Qty", "Unit price"])
        for number, order in enumerate(orders, start=1):
            local = datetime.fromisoformat(order["ordered_at"]).replace(tzinfo=timezone.utc).astimezone(zone)
            head = [f"T-{number}", local.strftime("%m/%d/%Y %I:%M:%S %p"), order["name"], order["service"]]
            for line in order["items"] or [{"name": "", "quantity": "", "price_per_unit": None}]:
                cents = line["price_per_unit"]
                writer.writerow(
                    head + [line["name"], line["quantity"], "" if cents is None else f"${cents / 100:,.2f}"]
                )

    columns = (
        "order_id=Ticket,ordered_at=Created (local),name=Customer,service=Platform,item=Menu item,quantity=Qty,"
        "price_per_unit=Unit price"
    )
    runs = {
        "json": ["--orders", settings.orders_path],
        "jsonl": ["--orders", lines],
        "csv": [
            "--orders",
            export,
            "--columns",
            columns,
            "--orders-timezone",
            "America/Los_Angeles",
            "--time-format",
            "%m/%d/%Y %I:%M:%S %p",
        ],
    }
    tables = {}
    for kind, flags in runs.items():
        db = tmp_path / f"{kind}.db"
        result = subprocess.run(
            simulator(*flags, "--menu", settings.menu_path, "--db", db, "--cooks", 110, "--speed", "max", "--quiet"),
            capture_output=True,
            text=True,
            env=parameters,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        with sqlite3.connect(db) as connection:
            tables[kind] = connection.execute(
                "SELECT id, ordered_at, received_at, started_at, completed_at, customer_name, service, total_price,"
                " items FROM orders ORDER BY id"
            ).fetchall()
            order_ids = connection.execute("SELECT order_id FROM orders ORDER BY id LIMIT 2").fetchall()
    assert len(tables["json"]) > 5000
    assert tables["jsonl"] == tables["json"]
    assert tables["csv"] == tables["json"]
    assert order_ids == [("T-1",), ("T-2",)]


JSON_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**25), 10**25),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=8),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6,
)
ORDERISH = st.fixed_dictionaries(
    {
        "name": st.one_of(st.text(max_size=12), JSON_VALUE),
        "service": st.sampled_from(["S", "T"]),
        "ordered_at": st.one_of(
            st.sampled_from(["2019-02-18T16:00:00", "2019-02-18 16:00:05", "2019-02-18T16:00:00Z"]), JSON_VALUE
        ),
        "items": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "name": st.sampled_from(["Soup", "Stew", "Pizza"]),
                        "quantity": st.one_of(st.integers(-1, 3), st.integers(10**18, 10**22), st.floats(0, 3)),
                        "price_per_unit": st.one_of(st.integers(0, 500), st.integers(10**18, 10**22), st.just(2.5)),
                    }
                ),
                max_size=3,
            ),
            JSON_VALUE,
        ),
    }
)


@settings(max_examples=150, deadline=None)
@given(orders=st.lists(st.one_of(ORDERISH, JSON_VALUE), max_size=8), indent=st.sampled_from([None, 1]))
def test_a_list_an_element_a_line_reads_as_any_other_layout(tmp_path_factory, orders, indent):
    """The fast line-by-line reading gives exactly what ijson gives, whatever the elements hold."""
    folder = tmp_path_factory.mktemp("layouts")
    one_line = write(folder / "one.json", json.dumps(orders))
    by_lines = write(folder / "lines.json", "[\n" + ",\n".join(json.dumps(o, indent=indent) for o in orders) + "\n]\n")
    assert entries(by_lines, MENU) == entries(one_line, MENU)


def test_a_list_on_one_line_longer_than_the_first_line_read_reads_as_the_list_an_element_a_line(tmp_path):
    """A list on one line is read a block at a time (FIRST_LINE bytes of it looked at first), whatever its length."""
    orders = [
        {
            "name": f"Guest {n}",
            "service": "S",
            "ordered_at": f"2019-02-18T16:{n // 60 % 60:02}:{n % 60:02}",
            "items": [{"name": "Soup", "quantity": 1 + n % 3, "price_per_unit": 250}],
        }
        for n in range(3 * FIRST_LINE // 100)
    ]
    one_line = write(tmp_path / "one.json", json.dumps(orders))
    assert one_line.stat().st_size > 2 * FIRST_LINE
    by_lines = write(tmp_path / "lines.json", "[\n" + ",\n".join(json.dumps(o) for o in orders) + "\n]\n")
    read = entries(one_line, MENU)
    assert len(read) == len(orders) and read == entries(by_lines, MENU)
    assert all(isinstance(entry, Order) for entry in read)


@pytest.mark.parametrize(
    "text, error",
    [
        ('[\n{"a": 1},\n]\n', "in order 2 (after 1 complete orders): a comma before the closing ']'"),
        ('[\n{"a": 1}\n{"a": 2}\n]\n', "in order 2 (after 1 complete orders): no comma between two orders"),
        ('[\n{"a": 1},\n{"a": 2},\n', "in order 3 (after 2 complete orders): the file ends before the list is closed"),
        ('[\n{"a": 1}\n] junk\n', "in order 2 (after 1 complete orders): something after the closing"),
    ],
)
def test_syntax_errors_of_a_list_an_element_a_line_are_named(tmp_path, text, error):
    with pytest.raises(OrdersFileError, match=re.escape(error)):
        entries(write(tmp_path / "o.json", text), MENU)


def test_a_utf8_file_with_one_bad_byte_stays_utf8_and_names_where_it_breaks(tmp_path, menu):
    good = "".join(f"A{n},2019-02-18 08:00:00,Zoë,Uber,Soup,1,1\n" for n in range(2000)).encode()
    text = HEADER.encode() + good + b"B2,2019-02-18 08:01:00,Bo\xc3,Uber,Soup,1,1\n"
    read = []
    with pytest.raises(OrdersFileError, match=r"o.csv: not UTF-8 text \(a byte b'\\xc3' after line 1\d\d\d\)"):
        read.extend(read_orders(write(tmp_path / "o.csv", text), menu))
    assert read and {order.customer_name for order in read} == {"Zoë"}  # not 'ZoÃ«'
