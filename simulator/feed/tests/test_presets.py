"""The item exports of Square, Toast and Clover, read as they come (simulator/feed/presets.py).

Each test writes a small export in a system's own layout (its header exactly, rows of its own) and keeps its own
list of what it wrote: the order, the local wall time and its zone, the dish, the quantity, the line's amount. The
orders it expects are computed from that list here, the times with zoneinfo, a unit's price with Decimal, never
with the reader's code; then every order the reader makes is compared with them.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.feed import FeedOptions, open_orders
from simulator.menu import Dish
from simulator.orders import Order, OrdersFileError, Reading, Rejected

MENU = {
    name: Dish(name, seconds)
    for name, seconds in [
        ("Margherita", 540),
        ("Pad Thai", 420),
        ("Falafel Wrap", 300),
        ("Crème brûlée", 120),
        ("Iced Tea", 30),
    ]
}
SQUARE_HEADER = (
    "Date,Time,Time Zone,Category,Item,Qty,Price Point Name,SKU,Modifiers Applied,Gross Sales,Discounts,Net Sales,"
    "Tax,Transaction ID,Payment ID,Device Name,Notes,Details,Event Type,Location,Dining Option,Customer ID,"
    "Customer Name"
).split(",")
TOAST_HEADER = (
    "Location,Order Id,Order #,Sent Date,Order Date,Check Id,Server,Table,Dining Area,Service,Dining Option,"
    "Item Selection Id,Item Id,Master Id,SKU,PLU,Menu Item,Menu Subgroup(s),Menu Group,Menu,Sales Category,"
    "Gross Price,Discount,Net Price,Qty,Tax,Void?"
).split(",")
CLOVER_HEADER = (
    "Line Item Date,Order Employee ID,Order Employee Name,Order ID,Item Name,Currency,Per Unit Quantity,Item Unit,"
    "Item Revenue,Modifiers,Refunded,Exchanged,Order Payment State,Service Charge"
).split(",")

NEW_YORK, CHICAGO, PARIS = "America/New_York", "America/Chicago", "Europe/Paris"
SQUARE_ZONES = {NEW_YORK: "Eastern Time (US & Canada)", CHICAGO: "Central Time (US & Canada)", PARIS: "Paris"}
"""How Square names the zones the tests use."""
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
SPRING, FALL = datetime(2026, 3, 8), datetime(2026, 11, 1)
"""The US clock changes of 2026: 02:00 becomes 03:00; 02:00 becomes 01:00 again."""


@dataclass(frozen=True)
class Sold:
    """One line as a test writes it."""

    order_id: str
    wall: datetime
    """The local time the kitchen received the line (Toast: when it was sent), naive."""
    zone: str
    dish: str
    quantity: int
    amount: int
    """The line's gross amount, in cents (a unit's, for Clover's rows of one unit)."""
    fold: int = 0
    """Which of a repeated hour's two times: a named zone means the first; Clover's abbreviation says which."""
    left_out: str | None = None
    """'voided', 'refund' or 'fee': a line the reader leaves out and counts."""
    modifiers: str = ""
    location: str = "Main St"
    sent: bool = True
    """Toast: the line was sent (Sent Date is its time, Order Date a few minutes before); False: Sent Date empty."""
    refunded: bool = False
    """Clover: a sale refunded afterwards (it was cooked, and stays)."""

    @property
    def aware(self) -> datetime:
        return self.wall.replace(tzinfo=ZoneInfo(self.zone), fold=self.fold)

    @property
    def epoch(self) -> int:
        return int(self.aware.timestamp())

    @property
    def unit_price(self) -> int:
        """The line's amount over its quantity, to the nearest cent (half to even)."""
        return int((Decimal(self.amount) / self.quantity).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


Made = tuple[str, int, list[tuple[str, int, int]]]
"""An order as compared: its id, its time, its lines (dish, quantity, unit price in cents)."""


def expected(sold: list[Sold]) -> list[Made]:
    """The orders the lines make, in time order (orders at one time in the order of their first lines)."""
    lines: dict[str, list[Sold]] = {}
    for line in sold:
        if line.left_out is None:
            lines.setdefault(line.order_id, []).append(line)
    made = [
        (order_id, min(line.epoch for line in kept), [(line.dish, line.quantity, line.unit_price) for line in kept])
        for order_id, kept in lines.items()
    ]
    return sorted(made, key=lambda order: order[1])


def left_out(sold: list[Sold]) -> Counter[str]:
    return Counter(line.left_out for line in sold if line.left_out is not None)


# Writing each system's rows --------------------------------------------------------------------------------


def dollars(cents: int, sign: str = "$") -> str:
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{sign}{whole:,}.{part:02d}"


def twelve_hour(wall: datetime, hour_digits: int) -> str:
    hour = wall.hour % 12 or 12
    return f"{hour:0{hour_digits}d}:{wall.minute:02d} {'AM' if wall.hour < 12 else 'PM'}"


def square_row(line: Sold) -> list[str]:
    refund = line.left_out == "refund"
    sign = -1 if refund else 1
    gross = dollars(sign * line.amount)
    return [
        f"{line.wall:%Y-%m-%d}",
        f"{line.wall:%H:%M:%S}",
        SQUARE_ZONES[line.zone],
        "Mains",
        line.dish,
        f"{sign * line.quantity}.0",
        "Regular",
        "",
        line.modifiers,
        gross,
        "$0.00",
        gross,
        "$0.00",
        line.order_id,
        f"pay-{line.order_id}",
        "Counter iPad",
        "",
        "",
        "Refund" if refund else "Payment",
        line.location,
        "For Here",
        "",
        "Ann Lee",
    ]


def toast_time(wall: datetime) -> str:
    return f"{wall.month}/{wall.day}/{wall.year % 100:02d} {twelve_hour(wall, 1)}"


def toast_row(line: Sold) -> list[str]:
    opened = line.wall - timedelta(minutes=4) if line.sent else line.wall
    gross = f"{line.amount // 100}.{line.amount % 100:02d}"
    return [
        line.location,
        line.order_id,
        "17",
        toast_time(line.wall) if line.sent else "",
        toast_time(opened),
        f"chk-{line.order_id[-4:]}",
        "Sam",
        "12",
        "Patio",
        "Dinner",
        "Dine In",
        "400000011",
        "400000022",
        "400000033",
        "",
        "",
        line.dish,
        "",
        "Mains",
        "Dinner",
        "Food",
        gross,
        "0.00",
        gross,
        str(line.quantity),
        "0.00",
        "true" if line.left_out == "voided" else "false",
    ]


def clover_time(line: Sold) -> str:
    """'23-Aug-2026 09:34 PM EDT': the abbreviation zoneinfo gives the wall time on its side of a change."""
    wall = line.wall
    return f"{wall.day:02d}-{MONTHS[wall.month - 1]}-{wall.year} {twelve_hour(wall, 2)} {line.aware.tzname()}"


def clover_row(line: Sold) -> list[str]:
    assert line.quantity == 1, "Clover writes a row a unit"
    amount = f"{line.amount // 100}.{line.amount % 100:02d}"
    return [
        clover_time(line),
        "E1",
        "Alex",
        line.order_id,
        line.dish,
        "USD",
        "",
        "",
        amount,
        line.modifiers,
        "true" if line.refunded else "false",
        "false",
        "Paid",
        amount if line.left_out == "fee" else "",
    ]


@dataclass(frozen=True)
class System:
    name: str
    title: str
    header: list[str]
    row: Callable[[Sold], list[str]]
    flag: str
    """The reason its left-out lines are counted under."""

    def write(self, path: Path, sold: list[Sold]) -> Path:
        return write(path, self.header, [self.row(line) for line in sold])


SQUARE = System("square", "a Square items export", SQUARE_HEADER, square_row, "refund")
TOAST = System("toast", "a Toast item selection export", TOAST_HEADER, toast_row, "voided")
CLOVER = System("clover", "a Clover line items export", CLOVER_HEADER, clover_row, "fee")
SYSTEMS = [SQUARE, TOAST, CLOVER]


def write(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


# Reading ------------------------------------------------------------------------------------------------


@dataclass
class Read:
    orders: list[Made]
    rejected: list[Rejected]
    left_out: Counter[str]
    said: str


def read(path: Path, **options: Any) -> Read:
    with open_orders(path, FeedOptions(**options)) as feed:
        entries = list(feed.entries(MENU))
        left, said = Counter(feed.left_out), "; ".join(feed.describe())
    assert [entry.position for entry in entries] == list(range(1, len(entries) + 1))
    orders: list[Made] = []
    for entry in entries:
        if isinstance(entry, Order):
            assert isinstance(entry.order_id, str)  # an export's order id, as text
            lines = [(line.dish.name, line.quantity, line.price_per_unit) for line in entry.lines]
            orders.append((entry.order_id, entry.ordered_at, lines))
    rejected = [entry for entry in entries if isinstance(entry, Rejected)]
    return Read(orders, rejected, left, said)


# Square ---------------------------------------------------------------------------------------------------


def square_day() -> list[Sold]:
    """Newest first, one order's lines apart, a refund, past midnight, both clock changes."""
    ny = NEW_YORK
    return [
        Sold("sq-G", FALL.replace(hour=2, minute=15), ny, "Pad Thai", 1, 1400),
        Sold("sq-F", FALL.replace(hour=1, minute=30), ny, "Margherita", 2, 2400),  # repeated: the first, EDT
        Sold("sq-F2", FALL.replace(hour=1, minute=5), ny, "Iced Tea", 1, 350),
        Sold("sq-C", datetime(2026, 7, 19, 0, 40), ny, "Falafel Wrap", 3, 1000),  # 333.33 a unit
        Sold("sq-A", datetime(2026, 7, 18, 13, 30), ny, "Iced Tea", 1, 900, left_out="refund"),
        Sold("sq-A", datetime(2026, 7, 18, 12, 59, 30), ny, "Margherita", 2, 2400, modifiers="Extra cheese, No onions"),
        Sold("sq-B", datetime(2026, 7, 18, 23, 50), ny, "Pad Thai", 1, 1400),
        Sold("sq-A", datetime(2026, 7, 18, 12, 59, 30), ny, "Iced Tea", 1, 350),  # apart from its order's first
        Sold("sq-E", SPRING.replace(hour=3, minute=1), ny, "Pad Thai", 2, 2801),  # 1400.5 a unit: 1400
        Sold("sq-D", SPRING.replace(hour=1, minute=59), ny, "Iced Tea", 1, 350),
    ]


@pytest.mark.parametrize("preset", [None, "square"])
def test_a_square_items_export_reads_every_order_at_its_time(tmp_path, preset):
    sold = square_day()
    found = read(SQUARE.write(tmp_path / "items-2026-07-01-2026-11-30.csv", sold), preset=preset)
    assert found.orders == expected(sold) and not found.rejected
    assert found.left_out == Counter(refund=1)
    assert "read as a Square items export" in found.said and "rows sorted by order and time" in found.said
    by_id = {order_id: at for order_id, at, _ in found.orders}
    assert by_id["sq-E"] - by_id["sq-D"] == 2 * 60  # 01:59 EST and 03:01 EDT
    assert by_id["sq-G"] - by_id["sq-F"] == 45 * 60 + 3600  # 01:30 EDT (the first) and 02:15 EST


def test_a_square_time_the_clocks_skipped_is_rejected(tmp_path):
    sold = [
        Sold("sq-1", SPRING.replace(hour=1, minute=50), NEW_YORK, "Iced Tea", 1, 350),
        Sold("sq-2", SPRING.replace(hour=2, minute=30), NEW_YORK, "Iced Tea", 1, 350),
    ]
    found = read(SQUARE.write(tmp_path / "items.csv", sold))
    assert found.orders == expected(sold[:1])
    [skipped] = found.rejected
    assert skipped.kind == "time the clocks skipped" and "2026-03-08 02:30:00" in skipped.reason


# Toast ----------------------------------------------------------------------------------------------------


BIG_ID = "9223372036854775809"
"""19 digits, more than a 64-bit integer holds: a number would change it."""


def toast_day(zone: str) -> list[Sold]:
    """Newest first, one order's lines apart, a voided line, a line never sent, past midnight, both clock
    changes, 19-digit order ids one apart."""
    return [
        Sold("9223372036854775808", FALL.replace(hour=2, minute=10), zone, "Falafel Wrap", 1, 950),
        Sold("9223372036854775807", FALL.replace(hour=1, minute=30), zone, "Pad Thai", 1, 1400),  # the first
        Sold("1000000000000000003", datetime(2026, 10, 9, 0, 40), zone, "Iced Tea", 2, 700),
        Sold(BIG_ID, datetime(2026, 10, 8, 17, 25), zone, "Iced Tea", 1, 350),  # sent after the order's first line
        Sold("1000000000000000002", datetime(2026, 10, 8, 18, 2), zone, "Margherita", 1, 1200, sent=False),
        Sold(BIG_ID, datetime(2026, 10, 8, 17, 11), zone, "Margherita", 1, 1200, left_out="voided"),  # not its time
        Sold(BIG_ID, datetime(2026, 10, 8, 17, 18), zone, "Pad Thai", 2, 2800),
        Sold("1000000000000000001", SPRING.replace(hour=3, minute=1), zone, "Pad Thai", 3, 4200),
        Sold("1000000000000000000", SPRING.replace(hour=1, minute=59), zone, "Iced Tea", 1, 350),
    ]


@pytest.mark.parametrize(
    "options, said",
    [
        ({"kitchen_zone": CHICAGO}, "times without a zone read in America/Chicago, the kitchen's zone"),
        ({"kitchen_zone": "America/Los_Angeles", "reading": Reading(CHICAGO)}, None),  # --orders-timezone wins
        ({"kitchen_zone": CHICAGO, "preset": "toast"}, "the kitchen's zone"),
    ],
)
def test_a_toast_item_selection_export_reads_every_order_at_its_local_time(tmp_path, options, said):
    sold = toast_day(CHICAGO)
    found = read(TOAST.write(tmp_path / "ItemSelectionDetails.csv", sold), **options)
    assert found.orders == expected(sold) and not found.rejected
    assert found.left_out == Counter(voided=1)
    assert "read as a Toast item selection export" in found.said
    assert (said is None) == ("kitchen's zone" not in found.said) and (said or "") in found.said
    [big] = [lines for order_id, _, lines in found.orders if order_id == BIG_ID]
    assert big == [("Iced Tea", 1, 350), ("Pad Thai", 2, 1400)]  # the voided Margherita is not among them
    by_id = {order_id: at for order_id, at, _ in found.orders}
    assert by_id["1000000000000000001"] - by_id["1000000000000000000"] == 2 * 60
    assert by_id["9223372036854775808"] - by_id["9223372036854775807"] == 40 * 60 + 3600


def test_a_toast_export_with_24_hour_times_reads_the_same(tmp_path):
    sold = toast_day(CHICAGO)
    path = TOAST.write(tmp_path / "ItemSelectionDetails.csv", sold)
    with open(path, newline="", encoding="utf-8") as text:
        header, *rows = list(csv.reader(text))
    for row in rows:
        for column in ("Sent Date", "Order Date"):
            at = header.index(column)
            if row[at]:
                row[at] = datetime.strptime(row[at], "%m/%d/%y %I:%M %p").strftime("%m/%d/%Y %H:%M")
    assert "17:18" in str(rows)
    found = read(write(tmp_path / "24-hour.csv", header, rows), kitchen_zone=CHICAGO)
    assert found.orders == expected(sold) and not found.rejected


# Clover ---------------------------------------------------------------------------------------------------


def clover_day() -> list[Sold]:
    """A row a unit, service charges, a refunded sale, past midnight, the repeated hour both times (EDT, EST),
    the skipped hour's edges; newest first and one order's rows apart."""
    ny = NEW_YORK
    evening = datetime(2026, 8, 23, 21, 34)
    return [
        Sold("CLV-6", FALL.replace(hour=1, minute=30), ny, "Pad Thai", 1, 1400, fold=1),  # 01:30 EST
        Sold("CLV-5", FALL.replace(hour=1, minute=30), ny, "Margherita", 1, 1200, fold=0),  # 01:30 EDT
        Sold("CLV-5", FALL.replace(hour=1, minute=30), ny, "Service charge", 1, 150, left_out="fee"),
        Sold("CLV-4", datetime(2026, 8, 24, 0, 40), ny, "Falafel Wrap", 1, 950),
        Sold("CLV-1", evening, ny, "Margherita", 1, 1200, modifiers="Extra cheese, No onions"),
        Sold("CLV-1", evening, ny, "Service charge", 1, 300, left_out="fee"),
        Sold("CLV-2", evening.replace(minute=40), ny, "Iced Tea", 1, 350, refunded=True),
        Sold("CLV-1", evening, ny, "Margherita", 1, 1200),  # the order's second unit, apart
        Sold("CLV-3", SPRING.replace(hour=3, minute=1), ny, "Crème brûlée", 1, 800),
        Sold("CLV-0", SPRING.replace(hour=1, minute=59), ny, "Iced Tea", 1, 350),
    ]


@pytest.mark.parametrize("preset", [None, "clover"])
def test_a_clover_line_items_export_reads_every_order_at_its_time(tmp_path, preset):
    sold = clover_day()
    found = read(CLOVER.write(tmp_path / "line-items.csv", sold), preset=preset, kitchen_zone="America/Los_Angeles")
    assert found.orders == expected(sold) and not found.rejected
    assert found.left_out == Counter(fee=2)
    assert "read as a Clover line items export" in found.said
    by_id = {order_id: at for order_id, at, _ in found.orders}
    assert by_id["CLV-6"] - by_id["CLV-5"] == 3600  # 01:30 EST is an hour after 01:30 EDT, exactly
    assert by_id["CLV-3"] - by_id["CLV-0"] == 2 * 60
    assert [lines for order_id, _, lines in found.orders if order_id == "CLV-1"] == [
        [("Margherita", 1, 1200), ("Margherita", 1, 1200)]
    ]


# Headers ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "system, renamed, to, missing",
    [
        (SQUARE, "Transaction ID", "Txn ID", "order_id (as 'Transaction ID')"),
        (TOAST, "Gross Price", "Price", "amount (as 'Gross Price')"),
        (CLOVER, "Line Item Date", "Date", "ordered_at (as 'Line Item Date')"),
    ],
)
def test_a_header_with_a_needed_column_renamed_is_not_guessed(tmp_path, system, renamed, to, missing):
    header = [to if name == renamed else name for name in system.header]
    line = Sold("1000000000000000001", datetime(2026, 8, 23, 21, 34), NEW_YORK, "Iced Tea", 1, 350)
    path = write(tmp_path / "export.csv", header, [system.row(line)])
    with pytest.raises(OrdersFileError, match=re.escape(f"It is nearly {system.title}, which would have {missing}.")):
        open_orders(path, FeedOptions(kitchen_zone=NEW_YORK))
    with pytest.raises(OrdersFileError, match=re.escape(f"no column {missing}; it has")) as given:
        open_orders(path, FeedOptions(preset=system.name, kitchen_zone=NEW_YORK))
    assert f"Is it {system.title}?" in str(given.value)


# Locations ------------------------------------------------------------------------------------------------


def test_a_square_export_of_two_locations_is_refused_unless_one_is_kept(tmp_path):
    at = datetime(2026, 7, 18, 12, 0)
    sold = [
        Sold("sq-1", at, NEW_YORK, "Pad Thai", 1, 1400, location="Main St"),
        Sold("sq-2", at + timedelta(minutes=5), NEW_YORK, "Iced Tea", 1, 350, location="Harbor"),
        Sold("sq-3", at + timedelta(minutes=9), NEW_YORK, "Margherita", 1, 1200, location="Main St"),
        Sold("sq-4", at + timedelta(minutes=30), NEW_YORK, "Iced Tea", 2, 700, location="Harbor"),
    ]
    path = SQUARE.write(tmp_path / "items.csv", sold)
    with pytest.raises(OrdersFileError, match="holds 2 locations: 'Main St' \\(2 rows\\), 'Harbor' \\(2 rows\\)"):
        open_orders(path)
    found = read(path, location="harbor")
    assert found.orders == expected([line for line in sold if line.location == "Harbor"])
    assert found.left_out == Counter({"rows of other locations": 2})
    assert "location 'harbor'" in found.said
    with pytest.raises(OrdersFileError, match="no location 'Dock'; the file holds 'Main St'"):
        open_orders(path, FeedOptions(location="Dock"))


# Decimal marks ----------------------------------------------------------------------------------------------


def test_european_money_in_a_semicolon_separated_latin1_file_with_a_bom_reads_exactly(tmp_path):
    """Square in France: '13,50 €', '1.250,00', Qty '2,0', text in Windows-1252 after a UTF-8 byte order mark."""
    at = datetime(2026, 7, 18, 19, 30)
    sold = [
        Sold("sq-1", at, PARIS, "Crème brûlée", 2, 1350),  # 6,75 € a unit
        Sold("sq-1", at, PARIS, "Iced Tea", 1, 300),
        Sold("sq-2", at + timedelta(hours=1), PARIS, "Margherita", 100, 125000),  # a party's: 12,50 € a unit
    ]
    rows = []
    for line in sold:
        row = square_row(line)
        euros, cents = divmod(line.amount, 100)
        row[SQUARE_HEADER.index("Qty")] = f"{line.quantity},0"
        grouped = f"{euros:,}".replace(",", ".")
        row[SQUARE_HEADER.index("Gross Sales")] = f"{grouped},{cents:02d}" + ("" if euros >= 1000 else " €")
        row[SQUARE_HEADER.index("Customer Name")] = "Zoë Müller"
        rows.append(row)
    assert [row[SQUARE_HEADER.index("Gross Sales")] for row in rows] == ["13,50 €", "3,00 €", "1.250,00"]
    path = tmp_path / "articles.csv"
    path.write_bytes(b"\xef\xbb\xbf" + write(tmp_path / "plain.csv", SQUARE_HEADER, rows, ";", "cp1252").read_bytes())
    found = read(path)
    assert found.orders == expected(sold) and not found.rejected
    assert "prices with a decimal comma (detected)" in found.said and "separated by ';'" in found.said
    assert "text in cp1252 (not UTF-8)" in found.said
    assert "read as a Square items export" in found.said


def test_a_file_whose_only_prices_are_ambiguous_rejects_those_orders(tmp_path):
    at = datetime(2026, 10, 8, 17, 18)
    sold = [
        Sold("1000000000000000001", at, CHICAGO, "Margherita", 100, 125000),  # written '1,250'
        Sold("1000000000000000002", at + timedelta(minutes=20), CHICAGO, "Iced Tea", 2, 800),  # written '8'
    ]
    rows = [toast_row(line) for line in sold]
    for row, amount in zip(rows, ["1,250", "8"], strict=True):
        row[TOAST_HEADER.index("Gross Price")] = amount
    path = write(tmp_path / "ItemSelectionDetails.csv", TOAST_HEADER, rows)
    found = read(path, kitchen_zone=CHICAGO)
    assert found.orders == expected(sold[1:])
    [ambiguous] = found.rejected
    assert ambiguous.kind == "ambiguous price" and ambiguous.ordered_at == sold[0].epoch
    assert "'1,250' is 1250 with a decimal point and 1.25 with a decimal comma" in ambiguous.reason
    told = read(path, kitchen_zone=CHICAGO, decimal_comma=False)
    assert told.orders == expected(sold) and not told.rejected


def test_a_file_with_both_decimal_marks_is_refused_naming_a_line_of_each(tmp_path):
    at = datetime(2026, 10, 8, 17, 18)
    sold = [Sold(f"100000000000000000{n}", at + timedelta(minutes=n), CHICAGO, "Iced Tea", 1, 350) for n in range(4)]
    rows = [toast_row(line) for line in sold]
    for row, amount in zip(rows, ["8", "12.50", "3.50", "13,50"], strict=True):
        row[TOAST_HEADER.index("Gross Price")] = amount
    path = write(tmp_path / "ItemSelectionDetails.csv", TOAST_HEADER, rows)
    with pytest.raises(OrdersFileError, match="both decimal marks, line 3 '12.50' and line 5 '13,50'"):
        open_orders(path, FeedOptions(kitchen_zone=CHICAGO))


@pytest.mark.parametrize("system", SYSTEMS, ids=[system.name for system in SYSTEMS])
def test_an_export_newest_first_is_read_oldest_first_however_close_its_orders(tmp_path, system):
    """A sales report is not a feed of orders as they arrived: an order a minute before the one above it was
    received a minute before it."""
    at = datetime(2026, 7, 18, 12, 0)
    sold = [
        Sold(f"10000000000000000{n:02d}", at - timedelta(minutes=n), NEW_YORK, "Iced Tea", 1, 350) for n in range(4)
    ]
    found = read(system.write(tmp_path / "export.csv", sold), kitchen_zone=NEW_YORK)
    assert found.orders == expected(sold) == expected(sold[::-1])
    assert "rows sorted by order and time (out of order from line 3)" in found.said  # the second order's line


# Any order of the rows ------------------------------------------------------------------------------------


@st.composite
def exports(draw: st.DrawFn, system: System) -> list[Sold]:
    """A few orders around the autumn clock change in New York, a line or three each, some left out."""
    sold = []
    for number in range(draw(st.integers(1, 5))):
        at = FALL + timedelta(minutes=10 * draw(st.integers(0, 23)))  # 00:00 to 03:50, the repeated hour within
        fold = draw(st.integers(0, 1)) if system is CLOVER and at.hour == 1 else 0
        order_id = f"92233720368547758{number:02d}" if system is TOAST else f"{system.name}-{number}"
        for _ in range(draw(st.integers(1, 3))):
            later = timedelta(minutes=draw(st.integers(0, 25))) if system is TOAST else timedelta(0)
            flagged = draw(st.sampled_from([None, None, None, system.flag]))
            sold.append(
                Sold(
                    order_id,
                    at + later,
                    NEW_YORK,
                    draw(st.sampled_from(list(MENU))),
                    1 if system is CLOVER else draw(st.integers(1, 4)),
                    draw(st.integers(1 if flagged == "fee" else 0, 4000)),  # a fee is an amount
                    fold=fold,
                    left_out=flagged,
                    sent=draw(st.booleans()),
                )
            )
    return sold


@pytest.mark.parametrize("system", SYSTEMS, ids=[system.name for system in SYSTEMS])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_order_of_an_exports_rows_reads_the_same_orders(tmp_path_factory, system, data):
    sold = data.draw(exports(system))
    shuffled = data.draw(st.permutations(sold))
    path = system.write(tmp_path_factory.mktemp(system.name) / "export.csv", shuffled)
    found = read(path, kitchen_zone=NEW_YORK)
    assert not found.rejected and found.left_out == left_out(sold)

    def as_set(orders: list[Made]) -> dict[str, tuple[int, list[tuple[str, int, int]]]]:
        return {order_id: (at, sorted(lines)) for order_id, at, lines in orders}

    assert as_set(found.orders) == as_set(expected(sold))
    times = [at for _, at, _ in found.orders]
    assert times == sorted(times)
