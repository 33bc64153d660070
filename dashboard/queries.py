"""Data access: one SQL query per chart, against the database the simulator writes (SQLite or PostgreSQL).

Each chart query reads the last two weeks of the simulator's time series, the summary tables it keeps
current, or an indexed slice of recent orders, so a refresh costs about the same at ten thousand orders
as at a million. A chart shows one run, or the latest run of every kitchen added together: queries take
the run ids and the latest simulated moment. Queries return plain rows; turning them into figures is
figures.py's job. Every value is bound; only the number of `?` in an IN list is written into the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.database import Session
from common.localtime import LocalClock

RECENT_WINDOW = 3600  # simulated seconds: "the last simulated hour"
HISTORY_WINDOW = 14 * 86400  # simulated seconds of time series the charts show: two weeks at 10 minutes
MEAL_PERIODS = ("Breakfast", "Lunch", "Dinner", "Late Night")

# What differs per engine, side by side. SQLite's planner must be told to use the partial index of
# 10-minute samples; PostgreSQL's finds it.
EVERY_10_MINUTES = {
    "sqlite": "kitchen_stats INDEXED BY kitchen_stats_every_10_minutes",
    "postgresql": "kitchen_stats",
}


@dataclass(frozen=True)
class Run:
    id: int
    kitchen: str
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
    timezone: str  # the kitchen's own zone, which its local days and half hours were counted in


def _in(runs: list[int]) -> str:
    """`?, ?, ?`: as many placeholders as runs."""
    return ", ".join("?" * len(runs))


def runs(session: Session) -> list[Run]:
    """Every run of every kitchen, oldest first (a handful of rows)."""
    return [
        Run(*row)
        for row in session.execute(
            "SELECT id, kitchen, status, cooks, cook_schedule, speed, wall_started_at, wall_updated_at, sim_started_at,"
            " sim_now, orders_received, orders_completed, timezone FROM runs ORDER BY id"
        )
    ]


def order_statuses(session: Session, runs: list[int], now: int, zone: str = "UTC") -> list[tuple[int, int, int]]:
    """(t, queued orders, in-progress orders) every 10 simulated minutes, up to two weeks back."""
    return session.execute(
        f"SELECT t, CAST(SUM(queued_orders) AS BIGINT), CAST(SUM(in_progress_orders) AS BIGINT)"
        f" FROM {EVERY_10_MINUTES[session.engine]}"
        f" WHERE run_id IN ({_in(runs)}) AND t % 600 = 0 AND t > ? GROUP BY t ORDER BY t",
        (*runs, now - HISTORY_WINDOW),
    ).fetchall()


def recent_fulfillment(
    session: Session, runs: list[int], now: int, zone: str = "UTC"
) -> tuple[int, float | None, int | None]:
    """(orders, mean seconds, p90 seconds) from receipt to completion, over orders completed in the last hour.

    The p90 is the nearest-rank percentile: the ceil(0.9 n)-th shortest time.
    """
    return session.execute(
        f"""
        WITH recent AS (
            SELECT completed_at - received_at AS seconds FROM orders
            WHERE run_id IN ({_in(runs)}) AND completed_at > ? AND completed_at <= ?
        )
        SELECT COUNT(*), CAST(AVG(seconds) AS DOUBLE PRECISION),
               (SELECT seconds FROM recent ORDER BY seconds LIMIT 1 OFFSET
                   (SELECT CASE WHEN COUNT(*) = 0 THEN 0 ELSE (COUNT(*) * 9 + 9) / 10 - 1 END FROM recent))
        FROM recent
        """,
        (*runs, now - RECENT_WINDOW, now),
    ).fetchone()


def revenue_by_day(session: Session, runs: list[int], now: int, zone: str = "UTC") -> list[tuple[str, str, int]]:
    """(local day, service, revenue in cents), by the local day of receipt."""
    return session.execute(
        f"SELECT local_day, service, CAST(SUM(revenue) AS BIGINT) FROM daily_sales WHERE run_id IN ({_in(runs)})"
        " GROUP BY local_day, service ORDER BY local_day, service",
        runs,
    ).fetchall()


def total_revenue(session: Session, runs: list[int], now: int, zone: str = "UTC") -> int:
    """Revenue in cents of every order received so far."""
    return session.execute(
        f"SELECT CAST(COALESCE(SUM(revenue), 0) AS BIGINT) FROM daily_sales WHERE run_id IN ({_in(runs)})", runs
    ).fetchone()[0]


def revenue_by_meal_period(session: Session, runs: list[int], now: int, zone: str = "UTC") -> list[tuple[str, int]]:
    """(meal period, revenue in cents) by local hour of receipt: Breakfast 05-10, Lunch 11-15,
    Dinner 16-22, Late Night otherwise (hours inclusive)."""
    return session.execute(
        f"""
        SELECT CASE WHEN local_hour BETWEEN 5 AND 10 THEN 'Breakfast'
                    WHEN local_hour BETWEEN 11 AND 15 THEN 'Lunch'
                    WHEN local_hour BETWEEN 16 AND 22 THEN 'Dinner'
                    ELSE 'Late Night' END AS period,
               CAST(SUM(revenue) AS BIGINT)
        FROM hour_of_day_sales WHERE run_id IN ({_in(runs)}) GROUP BY period
        """,
        runs,
    ).fetchall()


def cook_utilisation(session: Session, runs: list[int], now: int, zone: str = "UTC") -> list[tuple[int, int, int]]:
    """(t, busy cooks, cooks on shift) every 10 simulated minutes up to two weeks back, then the latest
    sample of each run (added together, at the latest of their times)."""
    return session.execute(
        f"""
        SELECT t, CAST(SUM(busy_cooks) AS BIGINT), CAST(SUM(cooks) AS BIGINT) FROM {EVERY_10_MINUTES[session.engine]}
        WHERE run_id IN ({_in(runs)}) AND t % 600 = 0 AND t > ? GROUP BY t
        UNION
        SELECT MAX(s.t), CAST(SUM(s.busy_cooks) AS BIGINT), CAST(SUM(s.cooks) AS BIGINT)
        FROM runs r JOIN kitchen_stats s
          ON s.run_id = r.id AND s.t = (SELECT MAX(t) FROM kitchen_stats WHERE run_id = r.id)
        WHERE r.id IN ({_in(runs)})
        ORDER BY 1
        """,
        (*runs, now - HISTORY_WINDOW, *runs),
    ).fetchall()


def labour_cost(
    session: Session, runs: list[int], now: int, zone: str = "UTC"
) -> tuple[list[tuple[str, int]], list[tuple[int, int]], int]:
    """(local day, revenue in cents) of every day, the crew's cook-minutes of every quarter hour up to two weeks
    back (_crew_minutes), and where those two weeks begin: labour cost against sales, by day (figures.labour_cost
    costs them, leaving out the day the two weeks cut in two)."""
    revenue = session.execute(
        f"SELECT local_day, CAST(SUM(revenue) AS BIGINT) FROM daily_sales WHERE run_id IN ({_in(runs)})"
        " GROUP BY local_day ORDER BY local_day",
        runs,
    ).fetchall()
    return revenue, _crew_minutes(session, runs, now), now - HISTORY_WINDOW


def labour_cost_by_half_hour(
    session: Session, runs: list[int], now: int, zone: str = "UTC"
) -> tuple[list[tuple[str, int, int]], list[tuple[int, int]], int]:
    """(local day, half hour 0-47, revenue in cents) of the days of the last two weeks, the crew's cook-minutes
    of every quarter hour of them (_crew_minutes), and where they begin: labour cost against sales by half hour
    of the day (figures.labour_cost_by_half_hour)."""
    since = now - HISTORY_WINDOW
    revenue = session.execute(
        f"SELECT local_day, half_hour, CAST(SUM(revenue) AS BIGINT) FROM half_hour_sales"
        f" WHERE run_id IN ({_in(runs)}) AND local_day >= ? GROUP BY local_day, half_hour ORDER BY 1, 2",
        (*runs, LocalClock(zone).hour_of(since)[0]),
    ).fetchall()
    return revenue, _crew_minutes(session, runs, now), since


def _crew_minutes(session: Session, runs: list[int], now: int) -> list[tuple[int, int]]:
    """(start, cook-minutes) of every quarter hour up to two weeks back, runs added together: the cooks on shift
    at every simulated minute (the time series' samples, LATE in each minute), added up by quarter hour of UTC,
    which every zone's offset keeps a local quarter hour. Exact to the minute where the crew changes on whole
    minutes, as schedules do; not the 10-minute samples, which miss a crew that changes on the quarter hour."""
    return session.execute(
        f"SELECT t - t % 900 AS quarter, CAST(SUM(cooks) AS BIGINT) FROM kitchen_stats"
        f" WHERE run_id IN ({_in(runs)}) AND t > ? GROUP BY t - t % 900 ORDER BY 1",
        (*runs, now - HISTORY_WINDOW),
    ).fetchall()


STATIONS_ALIAS = {
    "sqlite": "station_stats AS s INDEXED BY station_stats_every_10_minutes",
    "postgresql": "station_stats AS s",
}


def stations(session: Session, runs: list[int], now: int, zone: str = "UTC") -> list[tuple]:
    """(t, station, units waiting, units worked, capacity, the longest wait in seconds) of each station of a
    laid-out kitchen, every 10 simulated minutes up to two weeks back, then at each run's latest sample (runs
    added together by station name, at the latest of their times); none for a kitchen of one pool of cooks."""
    sums = "CAST(SUM(s.waiting) AS BIGINT), CAST(SUM(s.working) AS BIGINT), CAST(SUM(s.capacity) AS BIGINT)"
    return session.execute(
        f"""
        SELECT s.t, s.station, {sums}, MAX(s.longest_wait) FROM {STATIONS_ALIAS[session.engine]}
        WHERE s.run_id IN ({_in(runs)}) AND s.t % 600 = 0 AND s.t > ? GROUP BY s.t, s.station
        UNION
        SELECT MAX(s.t), s.station, {sums}, MAX(s.longest_wait)
        FROM runs r JOIN station_stats s
          ON s.run_id = r.id AND s.t = (SELECT MAX(t) FROM station_stats WHERE run_id = r.id)
        WHERE r.id IN ({_in(runs)}) GROUP BY s.station
        ORDER BY 1, 2
        """,
        (*runs, now - HISTORY_WINDOW, *runs),
    ).fetchall()


def top_dishes(
    session: Session, runs: list[int], now: int, zone: str = "UTC", limit: int = 10
) -> list[tuple[str, int]]:
    """(dish, units ordered), the most ordered first."""
    return session.execute(
        f"SELECT dish, CAST(SUM(units) AS BIGINT) AS total FROM dish_sales WHERE run_id IN ({_in(runs)})"
        " GROUP BY dish ORDER BY total DESC, dish LIMIT ?",
        (*runs, limit),
    ).fetchall()


def fulfillment_by_half_hour(
    session: Session, runs: list[int], now: int, zone: str = "UTC"
) -> list[tuple[int, int, int, int]]:
    """(local half hour of receipt 0-47, orders, p50 minutes, p90 minutes) over the local days of the last
    two weeks, from the writer's minute buckets: nearest-rank percentiles, exact to the (rounded-up) minute."""
    since = LocalClock(zone).hour_of(now - HISTORY_WINDOW)[0]
    return session.execute(
        f"""
        WITH buckets AS (
            SELECT half_hour, minutes, SUM(orders) AS n FROM fulfillment_by_half_hour
            WHERE run_id IN ({_in(runs)}) AND local_day >= ? GROUP BY half_hour, minutes
        ), ranked AS (
            SELECT half_hour, minutes, SUM(n) OVER (PARTITION BY half_hour ORDER BY minutes) AS running,
                   SUM(n) OVER (PARTITION BY half_hour) AS total
            FROM buckets
        )
        SELECT half_hour, CAST(MAX(total) AS BIGINT),
               MIN(CASE WHEN running * 2 >= total THEN minutes END),
               MIN(CASE WHEN running * 10 >= total * 9 THEN minutes END)
        FROM ranked GROUP BY half_hour ORDER BY half_hour
        """,
        (*runs, since),
    ).fetchall()


def service_level_by_half_hour(session: Session, runs: list[int], now: int, zone: str, target: float) -> list[tuple]:
    """(local day, half hour, orders, orders that took at most `target` minutes, the longest in minutes) over
    the local days of the last two weeks, today so far among them, the runs added together: what the service
    level is judged from, day by day (common/service_level.judge_days)."""
    since = LocalClock(zone).hour_of(now - HISTORY_WINDOW)[0]
    return session.execute(
        f"SELECT local_day, half_hour, {DAY_COUNTS} FROM fulfillment_by_half_hour"
        f" WHERE run_id IN ({_in(runs)}) AND local_day >= ?"
        " GROUP BY local_day, half_hour ORDER BY local_day, half_hour",
        (target, *runs, since),
    ).fetchall()


DAY_COUNTS = (
    "CAST(SUM(orders) AS BIGINT), CAST(SUM(CASE WHEN minutes <= ? THEN orders ELSE 0 END) AS BIGINT), MAX(minutes)"
)
"""A cell's counts, from the writer's minute buckets: its orders, those within the target (bound), the longest."""


# The compare page: several runs side by side, each query for one chart ---------------------------------

SAMPLES_ALIAS = {
    "sqlite": "kitchen_stats AS s INDEXED BY kitchen_stats_every_10_minutes",
    "postgresql": "kitchen_stats AS s",
}


def _compare_samples(session: Session, runs: list[int], columns: list[str], changes: list[int]) -> list[tuple]:
    """Each run's 10-minute samples over its last two weeks, added up by UTC time of day and by the stretch
    between the `changes` (the moments the zone's offset changes in those weeks) they fall in: (run, first
    sample's time, samples, *sums of `columns`). All the samples of a row have one local time of day, that of
    the first; a few hundred rows a run instead of two thousand. `columns` are ours, never the user's: only
    the run ids, the window and the changes are data, and they are bound."""
    stretch = "".join(", CASE WHEN s.t >= ? THEN 1 ELSE 0 END" for _ in changes)  # the changes before a sample
    sums = ", ".join(f"CAST(SUM(s.{column}) AS BIGINT)" for column in columns)
    return session.execute(
        f"SELECT s.run_id, MIN(s.t), COUNT(*), {sums} FROM {SAMPLES_ALIAS[session.engine]}"
        " JOIN runs r ON r.id = s.run_id"
        f" WHERE s.run_id IN ({_in(runs)}) AND s.t % 600 = 0 AND s.t > r.sim_now - ?"
        f" GROUP BY s.run_id, s.t % 86400{stretch} ORDER BY s.run_id, MIN(s.t)",
        (*runs, HISTORY_WINDOW, *changes),
    ).fetchall()


def compare_queued(session: Session, runs: list[int], changes: list[int]) -> list[tuple]:
    """(run, t, samples, queued orders summed) by time of day over each run's last two weeks (_compare_samples)."""
    return _compare_samples(session, runs, ["queued_orders"], changes)


def compare_cooks(session: Session, runs: list[int], changes: list[int]) -> list[tuple]:
    """(run, t, samples, busy cooks summed, cooks on shift summed) by time of day, as compare_queued."""
    return _compare_samples(session, runs, ["busy_cooks", "cooks"], changes)


def compare_stations(session: Session, runs: list[int]) -> list[tuple]:
    """(run, station, units worked summed, capacity summed, samples, units waiting summed, the longest wait in
    seconds) over each laid-out run's last two weeks of 10-minute samples: its stations side by side."""
    return session.execute(
        "SELECT s.run_id, s.station, CAST(SUM(s.working) AS BIGINT), CAST(SUM(s.capacity) AS BIGINT), COUNT(*),"
        f" CAST(SUM(s.waiting) AS BIGINT), MAX(s.longest_wait) FROM {STATIONS_ALIAS[session.engine]}"
        f" JOIN runs r ON r.id = s.run_id WHERE s.run_id IN ({_in(runs)}) AND s.t % 600 = 0 AND s.t > r.sim_now - ?"
        " GROUP BY s.run_id, s.station ORDER BY s.run_id, s.station",
        (*runs, HISTORY_WINDOW),
    ).fetchall()


def compare_half_hours(session: Session, runs: list[int]) -> list[tuple]:
    """(run, local half hour of receipt, minutes, orders) over each whole run: the tallies the percentiles come
    from (comparison.half_hour_percentiles). Reading them is a third of the cost of ranking them in SQL, whose
    window functions SQLite evaluates row by row. They come unsorted, and half_hour_percentiles sorts them:
    SQLite sorts rows picked by a bound IN list again however they were read (a third of this query's time)."""
    return session.execute(
        f"SELECT run_id, half_hour, minutes, orders FROM fulfillment_by_time_of_day WHERE run_id IN ({_in(runs)})",
        runs,
    ).fetchall()


def compare_days(session: Session, since: dict[int, str], target: float) -> list[tuple]:
    """(run, local day, half hour, orders, orders that took at most `target` minutes, the longest in minutes) for
    each run from its local day `since[run]` on: the counts the service level is judged from, day by day
    (common/service_level.judge_days). The runs and days are bound, never formatted."""
    if not since:
        return []
    which = " OR ".join("(run_id = ? AND local_day >= ?)" for _ in since)
    return session.execute(
        f"SELECT run_id, local_day, half_hour, {DAY_COUNTS} FROM fulfillment_by_half_hour WHERE {which}"
        " GROUP BY run_id, local_day, half_hour",
        (target, *[value for run, day in since.items() for value in (run, day)]),
    ).fetchall()


def compare_crews(session: Session, runs: list[int]) -> list[tuple[int, int, int]]:
    """(run, t, cooks on shift) every 10 simulated minutes of each run, from the index of 10-minute samples: when the
    cook-hours fell, which the wage premiums price (figures.premium_share)."""
    return session.execute(
        f"SELECT run_id, t, cooks FROM {EVERY_10_MINUTES[session.engine]}"
        f" WHERE run_id IN ({_in(runs)}) AND t % 600 = 0",
        runs,
    ).fetchall()


def compare_summaries(session: Session, runs: list[int]) -> list[tuple]:
    """Per run: (run, orders received, mean seconds, p50, p90, p99 minutes, cook-seconds on shift, cook-seconds
    cooking, revenue cents). Only the run's few hundred minutes are ranked, for its percentiles (SQLite's window
    functions go row by row); the service level comes from compare_days."""
    marks = _in(runs)
    return session.execute(
        f"""
        WITH per_minute AS (
            SELECT run_id, minutes, SUM(orders) AS n, SUM(seconds) AS s FROM fulfillment_by_time_of_day
            WHERE run_id IN ({marks}) GROUP BY run_id, minutes
        ), ranked AS (
            SELECT run_id, minutes, s, SUM(n) OVER (PARTITION BY run_id ORDER BY minutes) AS running,
                   SUM(n) OVER (PARTITION BY run_id) AS total
            FROM per_minute
        ), overall AS (
            SELECT run_id, CAST(SUM(s) AS DOUBLE PRECISION) / MAX(total) AS mean_s,
                   MIN(CASE WHEN running * 2 >= total THEN minutes END) AS p50,
                   MIN(CASE WHEN running * 10 >= total * 9 THEN minutes END) AS p90,
                   MIN(CASE WHEN running * 100 >= total * 99 THEN minutes END) AS p99
            FROM ranked GROUP BY run_id
        ), revenue AS (
            SELECT run_id, SUM(revenue) AS cents FROM daily_sales WHERE run_id IN ({marks}) GROUP BY run_id
        )
        SELECT r.id, r.orders_received, o.mean_s, o.p50, o.p90, o.p99, r.cook_seconds, r.busy_seconds,
               CAST(COALESCE(v.cents, 0) AS BIGINT)
        FROM runs r LEFT JOIN overall o ON o.run_id = r.id LEFT JOIN revenue v ON v.run_id = r.id
        WHERE r.id IN ({marks}) ORDER BY r.id
        """,
        (*runs, *runs, *runs),
    ).fetchall()
