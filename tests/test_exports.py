"""A point-of-sale export replayed as it comes: the real simulator on a Toast item selection export, given only
the file, the menu, the database, the cooks, the speed and the kitchen's zone. Every order is stored at the time
the test computes itself, with zoneinfo, from the local times it wrote; `simulator.check` says how it read it."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.processes import simulator_process

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[1]
KITCHEN = "America/Chicago"
HEADER = (
    "Location,Order Id,Order #,Sent Date,Order Date,Check Id,Server,Table,Dining Area,Service,Dining Option,"
    "Item Selection Id,Item Id,Master Id,SKU,PLU,Menu Item,Menu Subgroup(s),Menu Group,Menu,Sales Category,"
    "Gross Price,Discount,Net Price,Qty,Tax,Void?"
).split(",")
SOLD = [  # newest first, as Toast writes them: order id, sent (local, Chicago), dish, quantity, gross, voided
    ("9223372036854775809", datetime(2026, 11, 1, 1, 30), "Pad Thai", 1, "14.00", False),  # repeated: the first
    ("1000000000000000004", datetime(2026, 10, 9, 0, 40), "Iced Tea", 2, "7.00", False),  # past midnight
    ("1000000000000000003", datetime(2026, 10, 8, 17, 25), "Margherita", 1, "12.00", True),  # voided
    ("1000000000000000003", datetime(2026, 10, 8, 17, 21), "Margherita", 2, "24.00", False),
    ("1000000000000000002", datetime(2026, 10, 8, 17, 20), "Pad Thai", 1, "14.00", False),
    ("1000000000000000003", datetime(2026, 10, 8, 17, 18), "Iced Tea", 1, "3.50", False),  # its first line, apart
    ("1000000000000000001", datetime(2026, 10, 8, 11, 5), "Falafel Wrap", 3, "30.00", False),
]


def toast_time(wall: datetime) -> str:
    """'10/8/26 5:18 PM'."""
    clock = f"{wall.hour % 12 or 12}:{wall.minute:02d} {'AM' if wall.hour < 12 else 'PM'}"
    return f"{wall.month}/{wall.day}/{wall.year % 100:02d} {clock}"


def test_a_toast_export_replays_with_no_mapping_every_order_at_its_local_time(tmp_path):
    menu = tmp_path / "menu.csv"
    menu.write_text("name,cook_time\nMargherita,9:00\nPad Thai,7:00\nFalafel Wrap,5:00\nIced Tea,0:30\n")
    export = tmp_path / "ItemSelectionDetails.csv"
    with open(export, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for number, (order_id, sent, dish, quantity, gross, voided) in enumerate(SOLD):
            row = dict.fromkeys(HEADER, "")
            row |= {"Location": "Main St", "Order Id": order_id, "Order #": str(number), "Sent Date": toast_time(sent)}
            row |= {"Order Date": toast_time(sent), "Menu Item": dish, "Gross Price": gross, "Net Price": gross}
            row |= {"Qty": str(quantity), "Void?": "true" if voided else "false", "Dining Option": "Dine In"}
            writer.writerow(row.values())

    first: dict[str, int] = {}
    for order_id, sent, *_, voided in SOLD:
        at = int(sent.replace(tzinfo=ZoneInfo(KITCHEN)).timestamp())
        if not voided:
            first[order_id] = min(first.get(order_id, at), at)
    expected = [
        (position, order_id, at) for position, (order_id, at) in enumerate(sorted(first.items(), key=lambda o: o[1]), 1)
    ]

    db = tmp_path / "kitchen.db"
    command = simulator_process(menu, export, db, "--cooks", "3", "--speed", "max", "--timezone", KITCHEN)
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=PROJECT)
    assert done.returncode == 0, done.stderr
    check = [sys.executable, "-m", "simulator.check", "--orders", str(export), "--menu", str(menu)]
    checked = subprocess.run([*check, "--timezone", KITCHEN], capture_output=True, text=True, timeout=60, cwd=PROJECT)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "5 orders the kitchen would cook" in checked.stdout and "1 voided lines" in checked.stdout
    assert "read as a Toast item selection export; times without a zone read in America/Chicago" in checked.stdout
    assert "rows sorted by order and time (out of order from line 3)" in checked.stdout

    with sqlite3.connect(db) as connection:
        stored = connection.execute("SELECT id, order_id, ordered_at FROM orders ORDER BY id").fetchall()
        rejected = connection.execute("SELECT COUNT(*) FROM rejected_orders").fetchone()[0]
        items = connection.execute("SELECT items FROM orders WHERE order_id = '1000000000000000003'").fetchone()[0]
    assert stored == expected and rejected == 0
    assert json.loads(items) == [  # in the file's order; the voided Margherita is not among them
        {"name": "Margherita", "quantity": 2, "price_per_unit": 1200},
        {"name": "Iced Tea", "quantity": 1, "price_per_unit": 350},
    ]
