"""One full dashboard refresh (the runs query, then every chart's query, figure and JSON, as the
callbacks do it) on databases the real simulator wrote, against the same charts computed naively
from the orders table alone."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from plotly.io.json import to_json_plotly

from bench import naive, workload
from bench.measure import Result, median_of, timed
from common.database import connect_readonly
from dashboard import figures, queries
from dashboard.charts import CHARTS

ZONE = "America/Los_Angeles"
REFRESH_TARGET_MS = 100
GROWTH_TARGET = 2.0
NAIVE_DEADLINE_S = 120.0

NAIVE_CHARTS = [
    (lambda c, run, now, zone: naive.order_statuses(c, run, now), figures.order_statuses),
    (lambda c, run, now, zone: naive.recent_fulfillment(c, run, now), figures.recent_fulfillment),
    (naive.revenue_by_day, figures.revenue_by_day),
    (naive.total_revenue, figures.total_revenue),
    (naive.revenue_by_meal_period, figures.revenue_by_meal_period),
    (naive.top_dishes, figures.top_dishes),
]


def full_refresh(db: Path) -> None:
    """What one refresh of the page costs the server: the callbacks' calls, and the JSON Dash sends."""
    run = queries.read(db, queries.runs)[-1]
    if run.sim_now is None:  # the run has only just started: the charts wait, as on the page
        return
    for chart in CHARTS:
        rows = queries.read(db, lambda session: chart.query(session, [run.id], run.sim_now))
        to_json_plotly(chart.figure(rows, ZONE))


def naive_refresh(db: Path, deadline: float) -> None:
    """The first design's refresh; raises TimeoutError once `deadline` (a perf_counter time) passes."""
    connection = connect_readonly(db).raw  # the naive design is SQLite's: a raw sqlite3 connection
    connection.set_progress_handler(lambda: time.perf_counter() > deadline, 100_000)
    try:
        run_id, now = connection.execute("SELECT id, sim_now FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        for query, figure in NAIVE_CHARTS:
            to_json_plotly(figure(query(connection, run_id, now, ZONE), ZONE))
    except sqlite3.OperationalError as error:
        if "interrupted" in str(error):
            raise TimeoutError from None
        raise
    finally:
        connection.close()


def database(size: int) -> Path:
    db = workload.WORK / f"kitchen-{size}.db"
    return db if db.exists() else workload.simulated_database(size)[0]


def refresh(sizes: list[int], repeat: int) -> list[Result]:
    results, fast = [], {}
    for size in sizes:
        db = database(size)
        full_refresh(db)  # warm the page cache, as a running dashboard has it
        fast[size] = median_of(repeat, lambda: timed(lambda: full_refresh(db)))
        baseline = _naive(db, repeat)
        results.append(Result(
            "dashboard full refresh", f"{size:,} orders", f"{fast[size] * 1000:.1f} ms",
            f"{baseline * 1000:,.0f} ms naive" if baseline < NAIVE_DEADLINE_S else f"> {NAIVE_DEADLINE_S:.0f} s naive (stopped)",
            f"{baseline / fast[size]:,.0f}x faster" if baseline < NAIVE_DEADLINE_S else f"> {NAIVE_DEADLINE_S / fast[size]:,.0f}x faster",
            f"< {REFRESH_TARGET_MS} ms", fast[size] * 1000 < REFRESH_TARGET_MS,
        ))
    ordered = sorted(sizes)
    for smaller, larger in zip(ordered, ordered[1:]):
        growth = fast[larger] / fast[smaller]
        results.append(Result("dashboard refresh growth", f"{smaller:,} -> {larger:,} orders",
                              f"{fast[larger] * 1000:.1f} ms", f"{fast[smaller] * 1000:.1f} ms", f"{growth:.2f}",
                              f"< {GROWTH_TARGET:.0f}x", growth < GROWTH_TARGET))
    return results


def _naive(db: Path, repeat: int) -> float:
    """The naive refresh's median; a single stopped run when one takes longer than the deadline."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            naive_refresh(db, started + NAIVE_DEADLINE_S)
        except TimeoutError:
            return NAIVE_DEADLINE_S
        times.append(time.perf_counter() - started)
        if times[-1] > 5:  # slow enough to be sure of: do not repeat
            break
    return sorted(times)[len(times) // 2]
