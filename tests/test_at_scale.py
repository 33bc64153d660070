"""A hundred thousand orders of a kitchen the code was not shaped around (tests/other_kitchen.py: another
menu, demand curve and time zone, UTC+5:30) through the real simulator process, its writer process
and SQLite: every order's received, started and completed times are those of a plain FIFO computation,
and every summary table holds exactly what the orders table says."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timezone

import pytest

from tests import other_kitchen
from tests.kitchen_data import fifo_reference, rows
from tests.parameters import write_parameters
from tests.processes import simulator_command

COOKS = 45  # the evening peak outruns them: the queue builds every evening and drains every night
LOCAL = "(received_at + 19800)"  # Asia/Kolkata: UTC+5:30 all year, so SQLite can count local time itself


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("at_scale")
    menu, orders = other_kitchen.write(folder, days=80, scale=2.0)
    db = folder / "kitchen.db"
    subprocess.run(
        simulator_command(menu, orders, db, COOKS, "max"),
        check=True,
        capture_output=True,
        timeout=300,
        env={
            **os.environ,
            "KITCHEN_PARAMETERS": str(write_parameters(folder / "parameters.py", KITCHEN_TIMEZONE=other_kitchen.ZONE)),
        },
    )
    return db, json.loads(orders.read_text()), {dish["name"]: dish["cook_time"] for dish in other_kitchen.MENU}


def test_every_order_is_timed_as_a_plain_fifo_computation_says(run):
    db, raw, cook_times = run
    assert len(raw) >= 100_000
    stored = rows(db, "SELECT received_at, started_at, completed_at FROM orders ORDER BY id")
    units = [[cook_times[line["name"]] for line in order["items"] for _ in range(line["quantity"])] for order in raw]
    expected = fifo_reference(
        [(_epoch(order["ordered_at"]), cooked) for order, cooked in zip(raw, units, strict=True)], COOKS
    )
    assert stored == expected
    assert max(s - r for r, s, _ in stored) > 3600  # the queue did build: over an hour's wait at the worst


def test_the_summaries_hold_what_the_orders_table_says(run):
    db = run[0]
    assert rows(db, "SELECT local_day, service, orders, revenue FROM daily_sales ORDER BY 1, 2") == rows(
        db,
        f"SELECT date({LOCAL}, 'unixepoch'), service, COUNT(*), SUM(total_price) FROM orders"
        " GROUP BY 1, 2 ORDER BY 1, 2",
    )
    assert rows(db, "SELECT local_hour, service, orders, revenue FROM hour_of_day_sales ORDER BY 1, 2") == rows(
        db,
        f"SELECT {LOCAL} % 86400 / 3600, service, COUNT(*), SUM(total_price) FROM orders GROUP BY 1, 2 ORDER BY 1, 2",
    )
    assert rows(db, "SELECT dish, units, revenue FROM dish_sales ORDER BY 1") == rows(
        db,
        "SELECT json_extract(line.value, '$.name'), SUM(json_extract(line.value, '$.quantity')),"
        " SUM(json_extract(line.value, '$.quantity') * json_extract(line.value, '$.price_per_unit'))"
        " FROM orders, json_each(orders.items) AS line GROUP BY 1 ORDER BY 1",
    )
    minutes = "(completed_at - received_at + 59) / 60"
    assert rows(
        db, "SELECT local_day, half_hour, minutes, orders, seconds FROM fulfillment_by_half_hour ORDER BY 1, 2, 3"
    ) == rows(
        db,
        f"SELECT date({LOCAL}, 'unixepoch'), {LOCAL} % 86400 / 1800, {minutes}, COUNT(*),"
        f" SUM(completed_at - received_at) FROM orders GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )
    assert rows(db, "SELECT half_hour, minutes, orders, seconds FROM fulfillment_by_time_of_day ORDER BY 1, 2") == rows(
        db,
        f"SELECT {LOCAL} % 86400 / 1800, {minutes}, COUNT(*), SUM(completed_at - received_at) FROM orders"
        " GROUP BY 1, 2 ORDER BY 1, 2",
    )


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp())
