"""Every chart's query against small databases whose answers are computed by hand."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from common.database import (
    DatabaseUnavailable,
    Reader,
    connect_readonly,
    connect_writer,
    database_errors,
    read,
)
from common.localtime import LocalClock
from common.service_level import Blocks, CellStats, Promise, judge, judge_days
from common.statistics import percentile
from dashboard import comparison, queries
from simulator.menu import Dish
from simulator.stations.layout import LaidOut, parse_layout
from tests.kitchen_data import T0, build_database, order


def utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp())


def ask(db, query, run, now):
    runs = run if isinstance(run, list) else [run]
    return read(db, lambda session: query(session, runs, now))


@pytest.fixture
def kitchen(database, menu):
    """One cook. A: Stew at +30 (cooked 30-330), B: Stew at +60 (330-630), C: Salad at +90 (630-750),
    D: Soup at +1300 (1300-1360). T0 is a whole 10 minutes."""
    db = database
    run = build_database(
        db,
        [
            order(T0 + 30, ("Stew", 1)),
            order(T0 + 60, ("Stew", 1)),
            order(T0 + 90, ("Salad", 1)),
            order(T0 + 1300, ("Soup", 1)),
        ],
        menu,
    )
    return db, run


def test_order_statuses_every_10_minutes(kitchen):
    db, run = kitchen
    # at +600: A done, B cooking, C waiting; at +1200: all done, D not yet received
    assert ask(db, queries.order_statuses, run, T0 + 1360) == [(T0 + 600, 1, 1), (T0 + 1200, 0, 0)]


def test_stations_every_10_minutes_and_the_latest_sample_of_a_laid_out_kitchen(database, menu):
    # a grill of one cook and an oven of one slot: Stew (300 s) grilled, then 900 s in the oven; A at +30, B at +60
    layout = parse_layout(
        {
            "stations": {"grill": {}, "oven": {"slots": 1}},
            "roles": {"cook": {"stations": ["grill"], "cooks": 1}},
            "routes": [{"dishes": "Stew", "steps": [{"station": "grill"}, {"station": "oven", "time": 900}]}],
        },
        "America/Los_Angeles",
    )
    run = build_database(database, [order(T0 + 30, ("Stew", 1)), order(T0 + 60, ("Stew", 1))], menu, LaidOut(layout))
    # A: grill 30-330, oven 330-1230; B: grill 330-630, waits for the oven 630-1230, oven 1230-2130
    assert ask(database, queries.stations, run, T0 + 2130) == [
        (T0 + 600, "grill", 0, 1, 1, 0),
        (T0 + 600, "oven", 0, 1, 1, 0),
        (T0 + 1200, "grill", 0, 0, 1, 0),
        (T0 + 1200, "oven", 1, 1, 1, 570),
        (T0 + 1800, "grill", 0, 0, 1, 0),
        (T0 + 1800, "oven", 0, 1, 1, 0),
        (T0 + 2130, "grill", 0, 0, 1, 0),
        (T0 + 2130, "oven", 0, 0, 1, 0),
    ]
    earlier = build_database(database, [order(T0 + 30, ("Stew", 1))], menu)  # one pool of cooks: no stations
    assert ask(database, queries.stations, earlier, T0 + 330) == []


def test_cook_utilisation_every_10_minutes_and_the_latest_sample(kitchen):
    db, run = kitchen
    assert ask(db, queries.cook_utilisation, run, T0 + 1360) == [(T0 + 600, 1, 1), (T0 + 1200, 0, 1), (T0 + 1360, 0, 1)]


@pytest.mark.parametrize(
    "now, expected",
    [
        # all four in the last hour: 300, 570, 660 and 60 seconds; p90 is the 4th of 4
        (T0 + 1360, (4, (300 + 570 + 660 + 60) / 4, 660)),
        # at +700 only A and B are done: the p90 is the 2nd of 2
        (T0 + 700, (2, (300 + 570) / 2, 570)),
        # an hour after +1360, only D (completed at +1360) is still inside the window
        (T0 + 1360 + 3599, (1, 60, 60)),
        (T0 + 1360 + 3600, (0, None, None)),
    ],
)
def test_recent_fulfillment_mean_and_p90(kitchen, now, expected):
    db, run = kitchen
    assert ask(db, queries.recent_fulfillment, run, now) == expected


def test_p90_is_the_percentile(database, menu):
    # ten orders, one cook each, fulfilled in 60 s (Soup) ... a 300 s Stew for the last one:
    db = database
    stream = [order(T0 + 1000 * i, ("Soup", 1)) for i in range(9)] + [order(T0 + 9000, ("Stew", 1))]
    run = build_database(db, stream, menu)
    count, mean, p90 = ask(db, queries.recent_fulfillment, run, T0 + 9300)
    assert count == 4  # completed in (T0+5700, T0+9300]: soups at +6060, +7060, +8060 and the stew at +9300
    assert p90 == 300 and mean == pytest.approx((60 * 3 + 300) / 4)


# Orders around the 2019 DST changes in Los Angeles: (UTC time, local day, meal period, price in cents)
SPRING = [  # 2019-03-10: 02:00 PST becomes 03:00 PDT (10:00 UTC)
    ("2019-03-10T09:30:00", "2019-03-10", "Late Night", 1),  # 01:30 PST
    ("2019-03-10T10:30:00", "2019-03-10", "Late Night", 2),  # 03:30 PDT
    ("2019-03-10T12:00:00", "2019-03-10", "Breakfast", 4),  # 05:00 PDT (04:00 if DST were ignored)
    ("2019-03-10T17:59:59", "2019-03-10", "Breakfast", 8),  # 10:59:59 PDT
    ("2019-03-10T18:00:00", "2019-03-10", "Lunch", 16),  # 11:00 PDT
    ("2019-03-10T22:59:00", "2019-03-10", "Lunch", 32),  # 15:59 PDT
    ("2019-03-10T23:00:00", "2019-03-10", "Dinner", 64),  # 16:00 PDT
    ("2019-03-11T05:59:00", "2019-03-10", "Dinner", 128),  # 22:59 PDT
    ("2019-03-11T06:00:00", "2019-03-10", "Late Night", 256),  # 23:00 PDT
    ("2019-03-11T07:30:00", "2019-03-11", "Late Night", 512),  # 00:30 PDT (23:30 the day before in PST)
    ("2019-03-11T12:00:00", "2019-03-11", "Breakfast", 1024),  # 05:00 PDT
]
FALL = [  # 2019-11-03: 02:00 PDT becomes 01:00 PST (09:00 UTC)
    ("2019-11-03T08:30:00", "2019-11-03", "Late Night", 1),  # 01:30 PDT
    ("2019-11-03T09:30:00", "2019-11-03", "Late Night", 2),  # 01:30 PST, the second time
    ("2019-11-03T12:59:00", "2019-11-03", "Late Night", 4),  # 04:59 PST (05:59 if DST were ignored)
    ("2019-11-03T13:00:00", "2019-11-03", "Breakfast", 8),  # 05:00 PST
    ("2019-11-04T07:30:00", "2019-11-03", "Late Night", 16),  # 23:30 PST (00:30 the next day in PDT)
    ("2019-11-04T08:30:00", "2019-11-04", "Late Night", 32),  # 00:30 PST
]


@pytest.fixture
def dst_runs(database, menu):
    db = database
    runs = [
        build_database(
            db,
            [
                order(at, ("Soup", 1), price=price, service=("A" if i % 2 else "B"))
                for i, (at, _, _, price) in enumerate(cases)
            ],
            menu,
            cooks=4,
        )
        for cases in (SPRING, FALL)
    ]
    return db, dict(zip(("spring", "fall"), runs, strict=True))


@pytest.mark.parametrize("season, cases", [("spring", SPRING), ("fall", FALL)])
def test_revenue_by_local_day_and_service_across_dst(dst_runs, season, cases):
    db, runs = dst_runs
    expected: dict[tuple[str, str], int] = {}
    for i, (_, day, _, price) in enumerate(cases):
        key = (day, "A" if i % 2 else "B")
        expected[key] = expected.get(key, 0) + price
    assert ask(db, queries.revenue_by_day, runs[season], 0) == sorted((d, s, r) for (d, s), r in expected.items())


@pytest.mark.parametrize("season, cases", [("spring", SPRING), ("fall", FALL)])
def test_revenue_by_meal_period_at_the_boundaries(dst_runs, season, cases):
    db, runs = dst_runs
    expected: dict[str, int] = {}
    for _, _, period, price in cases:
        expected[period] = expected.get(period, 0) + price
    assert dict(ask(db, queries.revenue_by_meal_period, runs[season], 0)) == expected


def test_total_revenue_of_one_run(dst_runs):
    db, runs = dst_runs
    assert ask(db, queries.total_revenue, runs["spring"], 0) == 2047
    assert ask(db, queries.total_revenue, runs["fall"], 0) == 63
    assert ask(db, queries.total_revenue, 99, 0) == 0
    assert ask(db, queries.total_revenue, [runs["spring"], runs["fall"]], 0) == 2047 + 63  # both kitchens' runs


def test_top_dishes_by_units_then_name(database):
    menu = {f"Dish {n:02}": Dish(f"Dish {n:02}", 60) for n in range(1, 13)}
    db = database
    # Dish n ordered n times over two lines, except that Dish 01 and Dish 02 tie with Dish 03 at 3 units
    stream = [order(T0 + n, (name, n), (name, 0 if n > 3 else 3 - n)) for n, name in enumerate(menu, start=1)]
    stream = [{**o, "items": [i for i in o["items"] if i["quantity"]]} for o in stream]
    run = build_database(db, stream, menu, cooks=20)
    top = ask(db, queries.top_dishes, run, 0)
    assert top == [(f"Dish {n:02}", n) for n in range(12, 3, -1)] + [("Dish 01", 3)]


def test_runs_lists_every_run(dst_runs):
    db, runs = dst_runs
    listed = read(db, queries.runs)
    assert [(r.id, r.kitchen, r.status, r.cooks) for r in listed] == [
        (runs["spring"], "Kitchen", "completed", 4),
        (runs["fall"], "Kitchen", "completed", 4),
    ]
    assert listed[0].sim_now >= utc("2019-03-11T12:00:00")


def test_a_missing_database_is_unavailable(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="database file not found"):
        read(tmp_path / "nothing.db", queries.runs)


def test_a_database_without_tables_is_unavailable(tmp_path):
    db = tmp_path / "empty.db"
    sqlite3.connect(db).close()
    with pytest.raises(DatabaseUnavailable, match="not created its tables yet"):
        read(db, queries.runs)


def test_a_fresh_database_has_no_runs(database):
    db = database
    connect_writer(db).close()
    assert read(db, queries.runs) == []


def test_the_dashboard_connection_cannot_write(kitchen):
    db, run = kitchen
    connection = connect_readonly(db)
    with pytest.raises(database_errors(), match="readonly|read-only"):
        connection.execute("DELETE FROM orders")
    connection.close()
    assert ask(db, queries.total_revenue, run, 0) > 0


def test_time_series_charts_show_the_last_two_weeks(database, menu):
    db = database
    end = T0 + 20 * 86400
    run = build_database(db, [order(t, ("Soup", 1)) for t in range(T0, end + 1, 6 * 3600)], menu)
    statuses = ask(db, queries.order_statuses, run, end + 60)
    assert statuses[0][0] == end + 60 - queries.HISTORY_WINDOW + 540  # the first 10-minute mark inside
    assert statuses[-1][0] == end
    assert len(statuses) == 14 * 144
    assert ask(db, queries.cook_utilisation, run, end + 60)[-1] == (end + 60, 0, 1)


def test_a_file_that_is_not_a_database_is_unavailable(tmp_path):
    db = tmp_path / "garbage.db"
    db.write_bytes(b"this is not SQLite" * 500)
    with pytest.raises(DatabaseUnavailable, match="cannot read .*garbage.db"):
        read(db, queries.runs)


def test_the_reader_keeps_a_sqlite_connection_a_thread_and_notices_another_file(tmp_path, menu):
    db, other = tmp_path / "k.db", tmp_path / "other.db"
    build_database(db, [order(T0, ("Soup", 1))], menu)
    build_database(other, [order(T0, ("Soup", 1)), order(T0 + 60, ("Stew", 1))], menu)
    reader = Reader(db)
    try:
        sessions = {id(reader.read(lambda s: s)) for _ in range(5)}
        assert len(sessions) == 1 and reader.read(queries.runs)[0].orders_received == 1
        elsewhere = []
        thread = threading.Thread(target=lambda: elsewhere.append(id(reader.read(lambda s: s))))
        thread.start()
        thread.join()
        assert elsewhere and elsewhere[0] not in sessions  # a thread of its own, its own connection
        os.replace(other, db)  # as when the database is made again from scratch
        assert reader.read(queries.runs)[0].orders_received == 2
        db.unlink()
        with pytest.raises(DatabaseUnavailable, match="database file not found"):
            reader.read(queries.runs)
        kept = list(reader.opened)
    finally:
        reader.close()
    assert len(kept) == 2 and not reader.opened  # this thread's, after the file changed, and the other's
    for session in kept:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            session.execute("SELECT 1")


def test_the_reader_keeps_postgres_connections_and_they_stay_read_only(database, menu):
    build_database(database, [order(T0, ("Soup", 1))], menu)
    reader = Reader(database)
    try:
        seen = {
            reader.read(
                lambda s: s.execute("SELECT pg_backend_pid()" if s.engine == "postgresql" else "SELECT 1").fetchone()[0]
            )
            for _ in range(6)
        }
        if reader.pool is not None:
            assert len(seen) <= 2  # pooled connections served the six reads, not six new ones
        with pytest.raises(DatabaseUnavailable, match="read-only|readonly"):
            reader.read(lambda s: s.execute("DELETE FROM runs"))
        assert reader.read(queries.runs)[0].orders_received == 1
    finally:
        reader.close()
    assert (reader.pool is not None) == str(database).startswith("postgresql")


@pytest.fixture
def busy_kitchen(database, menu):
    """Two cooks, 120 orders over a morning in Kathmandu (UTC+5:45), some waiting: fulfillment spread over minutes."""
    raw = [order(T0 + 97 * i, *([("Stew", 1)] if i % 3 else [("Soup", 2), ("Salad", 1)])) for i in range(120)]
    run = build_database(database, raw, menu, cooks=2, zone="Asia/Kathmandu")
    return database, run, raw


def test_p90_by_half_hour_of_receipt_is_exact_to_the_minute(busy_kitchen):
    db, run, _ = busy_kitchen
    stored = read(
        db, lambda s: s.execute("SELECT received_at, completed_at FROM orders WHERE run_id = ?", (run,)).fetchall()
    )
    by_half_hour: dict[int, list[int]] = {}
    for received, completed in stored:
        local = datetime.fromtimestamp(received, ZoneInfo("Asia/Kathmandu"))
        minutes = -(-(completed - received) // 60)
        by_half_hour.setdefault(local.hour * 2 + local.minute // 30, []).append(minutes)
    now = max(c for _, c in stored)
    rows = read(db, lambda s: queries.fulfillment_by_half_hour(s, [run], now, "Asia/Kathmandu"))
    assert rows == [(h, len(v), percentile(v, 50), percentile(v, 90)) for h, v in sorted(by_half_hour.items())]
    assert len(rows) >= 6


def test_compare_summaries_and_half_hours(busy_kitchen, menu):
    db, first, raw = busy_kitchen
    second = build_database(db, raw, menu, cooks=6, zone="Asia/Kathmandu")
    rows = read(db, lambda s: queries.compare_summaries(s, [first, second]))
    half_hours = comparison.half_hour_percentiles(read(db, lambda s: queries.compare_half_hours(s, [first, second])))
    assert [r[0] for r in rows] == [first, second]
    revenue = sum(line["quantity"] * line["price_per_unit"] for o in raw for line in o["items"])
    for row in rows:
        run = row[0]
        stored = read(
            db,
            lambda s, run=run: s.execute(
                "SELECT received_at, completed_at FROM orders WHERE run_id = ?", (run,)
            ).fetchall(),
        )
        minutes = [-(-(completed - received) // 60) for received, completed in stored]
        assert row[1] == 120 and row[2] == pytest.approx(sum(c - r for r, c in stored) / 120)
        assert row[3:6] == (percentile(minutes, 50), percentile(minutes, 90), percentile(minutes, 99))
        by_half_hour: dict[int, list[int]] = {}
        for (received, _), taken in zip(stored, minutes, strict=True):
            local = datetime.fromtimestamp(received, ZoneInfo("Asia/Kathmandu"))
            by_half_hour.setdefault(local.hour * 2 + local.minute // 30, []).append(taken)
        assert [r[1:] for r in half_hours if r[0] == run] == [
            (h, len(v), percentile(v, 50), percentile(v, 90)) for h, v in sorted(by_half_hour.items())
        ]
        assert row[6] > 0 and 0 < row[7] <= row[6] and row[8] == revenue
    assert rows[1][4] <= rows[0][4]  # six cooks: no slower than two


@pytest.mark.parametrize("cooks", [1, 2, 8])
def test_the_compare_tables_and_live_pages_service_level_is_the_one_of_the_orders_themselves(database, menu, cooks):
    """Three days in Kathmandu with a busier middle day: the database's day-by-day counts judged as the promise
    says give what judging each stored order does (common/service_level.judge over exact seconds), for the
    compare table and for the live page's chart alike."""
    zone, target = "Asia/Kathmandu", 20
    raw = [
        order(T0 + day * 86400 + step * (60 if day == 1 else 150), ("Stew", 1 + step % 2))
        for day in range(3)
        for step in range(90)
    ]
    run = build_database(database, raw, menu, cooks=cooks, zone=zone)
    stored = read(
        database,
        lambda s: s.execute("SELECT received_at, completed_at FROM orders WHERE run_id = ?", (run,)).fetchall(),
    )
    now = read(database, queries.runs)[0].sim_now
    since = {run: LocalClock(zone).hour_of(now - queries.HISTORY_WINDOW)[0]}
    promise = Promise(target, 0.5)
    level = comparison.service_levels(read(database, lambda s: queries.compare_days(s, since, target)), promise)[run]
    clock = LocalClock(zone)
    days = np.array([clock.local_seconds(r) // 86400 for r, _ in stored])
    halves = np.array([clock.local_seconds(r) % 86400 // 1800 for r, _ in stored])
    per_day = np.bincount(halves, minlength=48) / len(set(days.tolist()))
    blocks = Blocks.pooled(per_day.tolist(), per_day=48)
    exact = judge(
        [CellStats.of(blocks.cells(days, halves, int(days.min())), np.array([c - r for r, c in stored]))],
        blocks,
        promise,
    )
    live = judge_days(
        read(database, lambda s: queries.service_level_by_half_hour(s, [run], now, zone, target)), promise, per_day=48
    )
    for judged in (level, live):
        assert [(b.intervals, b.days, b.met) for b in judged.blocks] == [
            (b.intervals, b.days, b.met) for b in exact.blocks
        ]
        assert (judged.days, judged.days_every_cell_met) == (exact.days, exact.days_every_cell_met)
    assert level.days == len(set(days.tolist())) >= 3
    if cooks == 1:
        assert level.missed and level.days_every_cell_met < level.days
    if cooks == 8:
        assert not level.missed and level.days_every_cell_met == level.days


@pytest.mark.parametrize("zone", ["Australia/Adelaide", "America/St_Johns"])
def test_compared_samples_by_local_time_of_day_across_a_dst_change(database, menu, zone):
    """Busy cooks by local time of day, over days with a change of offset (Adelaide leaves +10:30 on
    2019-04-07, St John's leaves -3:30 on 2019-03-10), against each sample's own local time from zoneinfo."""
    start = {"Australia/Adelaide": 1_554_249_600, "America/St_Johns": 1_551_916_800}[zone]  # 3 days before
    raw = [order(t, ("Stew", 1 + (t // 1500) % 3)) for t in range(start, start + 6 * 86400, 1500)]
    run = build_database(database, raw, menu, cooks=2, zone=zone)
    shown = {run: comparison.Shown(run, "run", zone)}
    now = read(database, queries.runs)[0].sim_now
    clock = LocalClock(zone)
    changes = clock.changes(now - queries.HISTORY_WINDOW, now)
    assert len(changes) == 1
    grouped = read(database, lambda s: queries.compare_cooks(s, [run], changes))
    by_slot: dict[int, list[int]] = {}
    for t, busy in read(
        database,
        lambda s: s.execute(
            "SELECT t, busy_cooks FROM kitchen_stats WHERE run_id = ? AND t % 600 = 0", (run,)
        ).fetchall(),
    ):
        local = datetime.fromtimestamp(t, ZoneInfo(zone))
        by_slot.setdefault(local.hour * 6 + local.minute // 10, []).append(busy)
    minutes, [means] = comparison.time_of_day(grouped, shown, 3)[run]
    assert minutes == [slot * 10 for slot in sorted(by_slot)]
    assert means == [round(sum(v) / len(v), 1) for _, v in sorted(by_slot.items())]
    assert len(grouped) == 2 * 144  # added up in the database: a row per UTC time of day on either side


def test_labour_cost_reads_each_days_sales_and_the_crew_minute_by_minute(kitchen):
    db, run = kitchen
    revenue, crew, since = ask(db, queries.labour_cost, run, T0 + 1360)
    assert since == T0 + 1360 - queries.HISTORY_WINDOW
    assert revenue == [("2019-02-18", 400)]  # four orders of one dish a dollar each, one local day
    minutes = read(db, lambda session: session.execute("SELECT t, cooks FROM kitchen_stats").fetchall())
    quarters: dict[int, int] = {}
    for t, cooks in minutes:  # every minute's crew, added up by quarter hour, here again
        quarters[t - t % 900] = quarters.get(t - t % 900, 0) + cooks
    assert crew == sorted(quarters.items()) and sum(c for _, c in crew) == len(minutes)  # one cook all along
    crews = read(db, lambda session: queries.compare_crews(session, [run]))
    assert [(t, cooks) for _, t, cooks in crews] == [(t, c) for t, c in minutes if t % 600 == 0 and t > T0]
    assert {run_id for run_id, _, _ in crews} == {run}


def test_labour_cost_by_half_hour_reads_the_sales_of_each_local_half_hour_of_the_last_two_weeks(kitchen):
    db, run = kitchen
    zone = "America/Los_Angeles"  # the kitchen's
    revenue, crew, since = read(db, lambda session: queries.labour_cost_by_half_hour(session, [run], T0 + 1360, zone))
    by_half: dict[tuple[str, int], int] = {}
    for at in (T0 + 30, T0 + 60, T0 + 90, T0 + 1300):  # each order a dollar, by its local half hour
        local = datetime.fromtimestamp(at, ZoneInfo(zone))
        key = (local.strftime("%Y-%m-%d"), local.hour * 2 + local.minute // 30)
        by_half[key] = by_half.get(key, 0) + 100
    assert revenue == [(day, half, cents) for (day, half), cents in sorted(by_half.items())]
    assert crew == ask(db, queries.labour_cost, run, T0 + 1360)[1] and since == T0 + 1360 - queries.HISTORY_WINDOW
    later = T0 + 20 * 86400  # three weeks on: the window has left that day behind
    assert read(db, lambda session: queries.labour_cost_by_half_hour(session, [run], later, zone))[0] == []
