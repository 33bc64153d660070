"""The formats benchmark compares like with like: each of its files holds the generated stream's orders, so each
replays as the same orders table, and its JSON layouts are byte for byte what json.dump writes."""

import json
import sqlite3
import subprocess

import pytest

from bench import formats_bench
from tests.processes import generate, simulator_command

ORDERS = [
    {"name": "Zoë Müller", "service": "TastyBites", "ordered_at": "2019-02-18T08:08:06", "items": []},
    {
        "name": "Ana",
        "service": "QuickEats",
        "ordered_at": "2019-02-18T08:09:00",
        "items": [{"name": "Grilled Chicken Bowl", "quantity": 2, "price_per_unit": 1750}],
    },
]


@pytest.mark.parametrize("orders", [ORDERS, ORDERS[:1], []])
def test_its_json_layouts_are_what_json_dump_writes(tmp_path, orders):
    for write, expected in (
        (formats_bench.one_line, json.dumps(orders)),
        (formats_bench.indented, json.dumps(orders, indent=2)),
    ):
        path = tmp_path / "orders.json"
        with open(path, "w", encoding="utf-8") as out:
            write(out, orders)
        assert path.read_text(encoding="utf-8") == expected


def test_a_square_export_is_in_time_order_and_leaves_out_orders_with_no_items(tmp_path):
    late = {**ORDERS[1], "ordered_at": "2019-02-18T08:05:00"}  # stamped before the one ahead of it
    path = tmp_path / "items.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        formats_bench.square("America/Los_Angeles")(out, [ORDERS[0], ORDERS[1], late])
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    assert header.split(",") == formats_bench.SQUARE_HEADER
    assert [row.split(",")[:6] + row.split(",")[9:10] for row in rows] == [
        [
            "2019-02-18",
            "00:05:00",
            "Pacific Time (US & Canada)",
            "Chicken Bowl",
            "Grilled Chicken Bowl",
            "2.0",
            "$35.00",
        ],
        [
            "2019-02-18",
            "00:09:00",
            "Pacific Time (US & Canada)",
            "Chicken Bowl",
            "Grilled Chicken Bowl",
            "2.0",
            "$35.00",
        ],
    ]


def orders_table(db) -> list[tuple]:
    with sqlite3.connect(db) as session:
        return sorted(session.execute("SELECT ordered_at, items, total_price, customer_name, service FROM orders"))


@pytest.mark.e2e
def test_every_format_replays_as_the_same_orders(tmp_path):
    menu, stream = generate(tmp_path, days=1, orders_per_day=1500)

    def replayed(orders) -> list[tuple]:
        db = tmp_path / f"{orders.name}.db"
        subprocess.run(simulator_command(menu, orders, db, 20, "max"), check=True, capture_output=True, timeout=60)
        return orders_table(db)

    expected = replayed(stream)
    assert len(expected) > 1000
    for form in formats_bench.FORMATS[1:]:
        path = formats_bench.write_file(form, stream, tmp_path / form.file.format(size=1500))
        assert replayed(path) == expected, form.title
