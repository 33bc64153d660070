"""How a CSV's rows become orders (as parse_order makes them of the same raw orders), and where it goes wrong: a
sort that cannot finish, times that cannot be read, ids used again, options that do not fit the file
(simulator/feed/csv_orders.py, sorting.py, times.py)."""

from __future__ import annotations

import csv
import tempfile
from datetime import datetime, timezone

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from common.settings import COLUMNS
from simulator.feed import FeedOptions, open_orders, read_orders
from simulator.menu import Dish
from simulator.orders import Order, OrdersFileError, Reading, Rejected, parse_order

MENU = {"Bao": Dish("Bao", 240), "Pho": Dish("Pho", 480)}
HEADER = "order_id,ordered_at,item,quantity,price_per_unit\n"


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp())


@pytest.fixture
def sort_folder(tmp_path, monkeypatch):
    """Where sorts put their temporary files, watched."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_file_to_sort_that_breaks_is_refused_at_open_and_leaves_no_temporary_file(tmp_path, sort_folder):
    path = tmp_path / "o.csv"
    path.write_text(HEADER + "2,2024-05-01 13:10:00,Bao,1,4.00\n1,2024-05-01 12:00:00,Pho,1,9.00\n3,2024-05-01")
    with pytest.raises(OrdersFileError, match="line 4 has 2 fields"):
        open_orders(path)
    assert list(sort_folder.iterdir()) == []


def test_a_sorted_file_leaves_no_temporary_file_read_or_abandoned(tmp_path, sort_folder):
    path = tmp_path / "o.csv"
    path.write_text(HEADER + "2,2024-05-01 13:10:00,Bao,1,4.00\n1,2024-05-01 12:00:00,Pho,1,9.00\n")
    assert [entry.order_id for entry in read_orders(path, MENU)] == ["1", "2"]
    with open_orders(path) as feed:
        next(feed.entries(MENU))  # the sort is made, and left half read
        assert list(sort_folder.iterdir())
    assert list(sort_folder.iterdir()) == []


def test_orders_whose_time_cannot_be_read_come_after_the_sorted_ones(tmp_path):
    path = tmp_path / "o.csv"
    rows = ["4,2024-05-01 13:30:00,Bao,1,4.00", "3,noon,Pho,1,9.00", "2,2024-05-01 12:10:00,Bao,1,4.00"]
    path.write_text(HEADER + "\n".join(rows) + "\n")
    first, second, third = read_orders(path, MENU)
    assert (first.order_id, second.order_id) == ("2", "4") and isinstance(third, Rejected)
    assert third.kind == "bad timestamp" and third.ordered_at is None


def test_an_id_used_again_at_another_time_is_rejected_not_merged(tmp_path):
    path = tmp_path / "o.csv"  # tickets numbered afresh each day, a day pasted before the one ahead of it
    rows = ["12,2024-05-02 08:00:00,Pho,1,9.00", "13,2024-05-01 09:00:00,Bao,1,4", "12,2024-05-01 08:00:00,Bao,2,4.00"]
    path.write_text(HEADER + "\n".join(rows) + "\n")
    first, second, third = read_orders(path, MENU)
    assert isinstance(first, Order) and [line.dish.name for line in first.lines] == ["Bao"]
    assert first.ordered_at == epoch("2024-05-01T08:00:00") and second.order_id == "13"
    assert isinstance(third, Rejected) and third.kind == "order id again"


def test_a_time_with_its_own_offset_is_not_moved_again_by_a_zone_column(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(
        "order_id,ordered_at,tz,item,quantity,price_per_unit\n"
        "1,2026-03-01T12:00:00+01:00,+01:00,Bao,1,4.00\n"
        "2,2026-03-01T12:30:00,+01:00,Bao,1,4.00\n"
        "3,2026-03-01T13:00:00,Europe/Paris,Bao,1,4.00\n"
    )
    columns = {"zone": "tz"}
    read = list(read_orders(path, MENU, FeedOptions(columns=columns)))
    assert [order.ordered_at for order in read] == [
        epoch("2026-03-01T11:00:00"),
        epoch("2026-03-01T11:30:00"),
        epoch("2026-03-01T12:00:00"),
    ]


def test_a_pattern_given_for_another_file_does_not_stop_a_presets_own(tmp_path):
    path = tmp_path / "ItemSelectionDetails.csv"
    path.write_text("Order Id,Sent Date,Menu Item,Qty,Gross Price\n7,10/8/26 5:18 PM,Pho,1,9.00\n")
    options = FeedOptions(reading=Reading("America/Chicago", "%d.%m.%Y %H:%M"), preset="toast")
    (order,) = read_orders(path, MENU, options)
    assert order.ordered_at == epoch("2026-10-08T22:18:00")


def test_a_location_asked_of_a_file_with_no_location_column_is_refused(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(HEADER + "1,2024-05-01 12:00:00,Pho,1,9.00\n")
    with pytest.raises(OrdersFileError, match="--location 'Downtown', but our columns has no location column"):
        open_orders(path, FeedOptions(location="Downtown"))


def test_item_lines_read_once_are_the_lines_read_afresh_when_the_remembered_ones_are_let_go(tmp_path, monkeypatch):
    from simulator.feed import csv_orders

    rows = [
        f"{n},2024-05-01 12:{n:02}:00,{dish},{q},{price}\n"
        for n, (dish, q, price) in enumerate(
            [
                ("Bao", 1, "4.00"),
                ("Pho", 2, "9.00"),
                ("Bao", 1, "4.00"),
                ("Bao", 3, "4.50"),
                ("Pho", 2, "9.00"),
                ("Pho", 1, "9.25"),
                ("Bao", 1, "4.00"),
            ],
            start=1,
        )
    ]
    path = tmp_path / "o.csv"
    path.write_text(HEADER + "".join(rows))
    remembered = [(o.lines, o.total_price) for o in read_orders(path, MENU)]
    monkeypatch.setattr(csv_orders, "LINES", 2)  # the remembered lines let go every second new one
    afresh = [(o.lines, o.total_price) for o in read_orders(path, MENU)]
    assert afresh == remembered
    assert [total for _, total in remembered] == [400, 1800, 400, 1350, 1800, 925, 400]


@settings(max_examples=60, deadline=None)
@given(
    orders=st.lists(
        st.tuples(
            st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=6),
            st.lists(
                st.tuples(st.sampled_from(["Bao", "Pho", "Ramen", "bao"]), st.sampled_from([1, 2, 499, 502, 0])),
                max_size=3,
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
@example(orders=[("Ann\x00", [("Bao", 1)]), ("Bee", [("Pho", 600), ("Bao", 401)])])  # a NUL; 1,001 units
def test_each_order_is_what_parse_order_makes_of_its_rows(tmp_path_factory, orders):
    """An order of lines all of the menu is made at once (known_line, made_order), any other by parse_order: the
    same entries either way, rejections (dishes not on the menu, a quantity of 0, over 1,000 units, a name with
    a NUL) said alike."""
    rows, raws = [], []
    for number, (name, lines) in enumerate(orders):
        at = f"2024-05-01 12:{number:02d}:00"
        rows += [[str(number), at, name, "Walk-in", dish, str(quantity), "4.50"] for dish, quantity in lines]
        rows += [[str(number), at, name, "Walk-in", "", "", ""]] if not lines else []
        items = [{"name": dish, "quantity": quantity, "price_per_unit": 450} for dish, quantity in lines]
        raw = {"order_id": str(number), "ordered_at": None, "name": name.strip(), "service": "Walk-in", "items": items}
        raws.append(raw)  # a cell is read stripped
    path = tmp_path_factory.mktemp("orders") / "orders.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([list(COLUMNS), *rows])
    expected = [parse_order(k + 1, raw, MENU, at=epoch(f"2024-05-01T12:{k:02d}:00")) for k, raw in enumerate(raws)]
    assert list(read_orders(path, MENU)) == expected
