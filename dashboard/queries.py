"""Data access: one SQL query per chart, against the database the simulator writes.

Each chart query reads the last two weeks of the simulator's time series, the summary tables it keeps
current, or an indexed slice of recent orders, so a refresh costs about the same at ten thousand orders
as at a million.
Queries return plain rows; turning them into figures is figures.py's job. Every value is bound.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from common.database import DatabaseUnavailable, connect_readonly

T = TypeVar("T")

RECENT_WINDOW = 3600  # simulated seconds: "the last simulated hour"
HISTORY_WINDOW = 14 * 86400  # simulated seconds of time series the charts show: two weeks at 10 minutes
MEAL_PERIODS = ("Breakfast", "Lunch", "Dinner", "Late Night")


@dataclass(frozen=True)
class Run:
    id: int
    status: str
    cooks: int
    cook_schedule: str | None
    speed: float | None
    wall_started_at: float
    wall_updated_at: float | None
    sim_started_at: int | None
    sim_now: int | None
    orders_received: int
    orders_completed: int


def read(database: Path, query: Callable[[sqlite3.Connection], T]) -> T:
    """Run one query on a fresh read-only connection.

    A missing or unreadable database, or one without the simulator's tables, is DatabaseUnavailable.
    """
    with closing(connect_readonly(database)) as connection:
        try:
            return query(connection)
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                raise DatabaseUnavailable("the simulator has not created its tables yet") from error
            raise
        except sqlite3.DatabaseError as error:  # not a database, or a damaged one
            raise DatabaseUnavailable(f"cannot read {database}: {error}") from error


def runs(connection: sqlite3.Connection) -> list[Run]:
    """Every run, oldest first (a handful of rows)."""
    return [Run(*row) for row in connection.execute(
        "SELECT id, status, cooks, cook_schedule, speed, wall_started_at, wall_updated_at, sim_started_at, sim_now, orders_received,"
        " orders_completed FROM runs ORDER BY id"
    )]


def order_statuses(connection: sqlite3.Connection, run: int, now: int) -> list[tuple[int, int, int]]:
    """(t, queued orders, in-progress orders) every 10 simulated minutes, up to two weeks back."""
    return connection.execute(
        "SELECT t, queued_orders, in_progress_orders FROM kitchen_stats INDEXED BY kitchen_stats_every_10_minutes"
        " WHERE run_id = ? AND t % 600 = 0 AND t > ? ORDER BY t", (run, now - HISTORY_WINDOW)
    ).fetchall()


def recent_fulfillment(connection: sqlite3.Connection, run: int, now: int) -> tuple[int, float | None, int | None]:
    """(orders, mean seconds, p90 seconds) from receipt to completion, over orders completed in the last hour.

    The p90 is the nearest-rank percentile: the ceil(0.9 n)-th shortest time.
    """
    return connection.execute(
        """
        WITH recent AS (
            SELECT completed_at - received_at AS seconds FROM orders
            WHERE run_id = ? AND completed_at > ? AND completed_at <= ?
        )
        SELECT COUNT(*), AVG(seconds),
               (SELECT seconds FROM recent ORDER BY seconds
                LIMIT 1 OFFSET (SELECT MAX((COUNT(*) * 9 + 9) / 10 - 1, 0) FROM recent))
        FROM recent
        """,
        (run, now - RECENT_WINDOW, now),
    ).fetchone()


def revenue_by_day(connection: sqlite3.Connection, run: int, now: int) -> list[tuple[str, str, int]]:
    """(local day, service, revenue in cents), by the local day of receipt."""
    return connection.execute(
        "SELECT local_day, service, revenue FROM daily_sales WHERE run_id = ? ORDER BY local_day, service", (run,)
    ).fetchall()


def total_revenue(connection: sqlite3.Connection, run: int, now: int) -> int:
    """Revenue in cents of every order received so far."""
    return connection.execute(
        "SELECT COALESCE(SUM(revenue), 0) FROM daily_sales WHERE run_id = ?", (run,)
    ).fetchone()[0]


def revenue_by_meal_period(connection: sqlite3.Connection, run: int, now: int) -> list[tuple[str, int]]:
    """(meal period, revenue in cents) by local hour of receipt: Breakfast 05-10, Lunch 11-15,
    Dinner 16-22, Late Night otherwise (hours inclusive)."""
    return connection.execute(
        """
        SELECT CASE WHEN local_hour BETWEEN 5 AND 10 THEN 'Breakfast'
                    WHEN local_hour BETWEEN 11 AND 15 THEN 'Lunch'
                    WHEN local_hour BETWEEN 16 AND 22 THEN 'Dinner'
                    ELSE 'Late Night' END AS period,
               SUM(revenue)
        FROM hour_of_day_sales WHERE run_id = ? GROUP BY period
        """, (run,)
    ).fetchall()


def cook_utilisation(connection: sqlite3.Connection, run: int, now: int) -> list[tuple[int, int, int]]:
    """(t, busy cooks, cooks) every 10 simulated minutes up to two weeks back, and the latest sample last."""
    return connection.execute(
        """
        SELECT t, busy_cooks, cooks FROM kitchen_stats INDEXED BY kitchen_stats_every_10_minutes
        WHERE run_id = ? AND t % 600 = 0 AND t > ?
        UNION
        SELECT t, busy_cooks, cooks FROM kitchen_stats
        WHERE run_id = ? AND t = (SELECT MAX(t) FROM kitchen_stats WHERE run_id = ?)
        ORDER BY t
        """, (run, now - HISTORY_WINDOW, run, run)
    ).fetchall()


def top_dishes(connection: sqlite3.Connection, run: int, now: int, limit: int = 10) -> list[tuple[str, int]]:
    """(dish, units ordered), the most ordered first."""
    return connection.execute(
        "SELECT dish, units FROM dish_sales WHERE run_id = ? ORDER BY units DESC, dish LIMIT ?", (run, limit)
    ).fetchall()
