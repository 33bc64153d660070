"""The baseline dashboard: the same charts computed from the orders table alone, by scanning it, as the
first design did. Its status chart costs orders × 10-minute marks."""

from __future__ import annotations

import sqlite3

import pandas as pd

from dashboard.queries import MEAL_PERIODS, RECENT_WINDOW


def order_statuses(connection: sqlite3.Connection, run: int, now: int):
    return connection.execute(
        """
        WITH RECURSIVE marks(t) AS (
            SELECT (MIN(received_at) / 600 + 1) * 600 FROM orders NOT INDEXED WHERE run_id = ?
            UNION ALL SELECT t + 600 FROM marks WHERE t + 600 <= ?
        )
        SELECT t, SUM(received_at <= t AND (started_at IS NULL OR started_at > t)),
                  SUM(started_at <= t AND (completed_at IS NULL OR completed_at > t))
        FROM marks JOIN orders NOT INDEXED ON run_id = ? GROUP BY t ORDER BY t
        """,
        (run, now, run),
    ).fetchall()


def recent_fulfillment(connection: sqlite3.Connection, run: int, now: int):
    seconds = [
        s
        for (s,) in connection.execute(
            "SELECT completed_at - received_at FROM orders NOT INDEXED WHERE run_id = ? AND completed_at > ?"
            " AND completed_at <= ? ORDER BY 1",
            (run, now - RECENT_WINDOW, now),
        )
    ]
    if not seconds:
        return 0, None, None
    return len(seconds), sum(seconds) / len(seconds), seconds[max(0, -(-9 * len(seconds) // 10) - 1)]


def _sales(connection: sqlite3.Connection, run: int, zone: str) -> pd.DataFrame:
    frame = pd.read_sql_query(
        "SELECT received_at, service, total_price FROM orders NOT INDEXED WHERE run_id = ?", connection, params=(run,)
    )
    local = pd.to_datetime(frame["received_at"], unit="s", utc=True).dt.tz_convert(zone)
    return frame.assign(day=local.dt.strftime("%Y-%m-%d"), hour=local.dt.hour)


def revenue_by_day(connection, run, now, zone):
    frame = _sales(connection, run, zone)
    grouped = frame.groupby(["day", "service"])["total_price"].sum()
    return [(day, service, int(cents)) for (day, service), cents in grouped.items()]


def total_revenue(connection, run, now, zone):
    return connection.execute(
        "SELECT COALESCE(SUM(total_price), 0) FROM orders NOT INDEXED WHERE run_id = ?", (run,)
    ).fetchone()[0]


def revenue_by_meal_period(connection, run, now, zone):
    frame = _sales(connection, run, zone)
    period = pd.cut(
        frame["hour"], [-1, 4, 10, 15, 22, 23], labels=["Late Night", "Breakfast", "Lunch", "Dinner", "Late"]
    )
    period = period.astype(str).replace("Late", "Late Night")
    grouped = frame.groupby(period)["total_price"].sum()
    return [(p, int(grouped[p])) for p in MEAL_PERIODS if p in grouped]


def top_dishes(connection, run, now, zone):
    return connection.execute(
        "SELECT item.value ->> 'name', SUM(item.value ->> 'quantity') AS units"
        " FROM orders NOT INDEXED, json_each(orders.items) AS item WHERE run_id = ?"
        " GROUP BY 1 ORDER BY units DESC, 1 LIMIT 10",
        (run,),
    ).fetchall()
