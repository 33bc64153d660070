"""What the writer leaves in the database: rows, summaries, rejections and run history."""

import json

import pytest

from tests.kitchen_data import T0, build_database, order, rows, run_orders

STREAM = [
    order(T0, ("Stew", 1), ("Soup", 2), name="Ann", service="TastyBites", price=500),
    order(T0 + 10, ("Salad", 1), name="Bo", service="FoodFlash", price=300),
    order(T0 + 20),  # empty: discarded
    order(T0 + 30, ("Pizza", 1)),  # unknown dish: rejected
    order(T0 + 3600, ("Soup", 1), name="Cy", service="TastyBites", price=100),
]


@pytest.mark.parametrize("flush_every_tick", [False, True])
def test_orders_are_stored_with_their_timestamps(database, menu, flush_every_tick):
    db = database
    run_id = build_database(db, STREAM, menu, flush_every_tick=flush_every_tick)
    expected = run_orders(STREAM, menu, cooks=1).times()
    stored = rows(
        db,
        "SELECT id, status, received_at, started_at, completed_at, customer_name, service, total_price,"
        " items FROM orders WHERE run_id = ? ORDER BY id",
        run_id,
    )
    assert [(r[0], r[2], r[3], r[4]) for r in stored] == [(p, *expected[p]) for p in (1, 2, 5)]
    assert {r[1] for r in stored} == {"Completed"}
    assert [(r[5], r[6], r[7]) for r in stored] == [
        ("Ann", "TastyBites", 1500),
        ("Bo", "FoodFlash", 300),
        ("Cy", "TastyBites", 100),
    ]
    assert json.loads(stored[0][8]) == [
        {"name": "Stew", "quantity": 1, "price_per_unit": 500},
        {"name": "Soup", "quantity": 2, "price_per_unit": 500},
    ]


def test_the_run_is_recorded_with_its_counts(database, menu):
    db = database
    run_id = build_database(db, STREAM, menu)
    [run] = rows(
        db,
        "SELECT status, cooks, orders_received, orders_completed, orders_discarded, orders_rejected,"
        " sim_started_at, sim_now, mean_fulfillment_s, p90_fulfillment_s, wall_ended_at"
        " FROM runs WHERE id = ?",
        run_id,
    )
    assert run[:6] == ("completed", 1, 3, 3, 1, 1)
    assert run[6] == T0 and run[7] >= T0 + 3660
    # one cook: Ann done at +420 (stew, soup, soup), Bo at +540 (salad), Cy 60 s after receipt
    assert run[8] == pytest.approx((420 + 530 + 60) / 3)
    assert run[9] == 530 and run[10] is not None


def test_rejected_orders_keep_position_raw_json_and_reason(database, menu):
    db = database
    build_database(db, STREAM, menu)
    [(position, raw, reason)] = rows(db, "SELECT position, raw, reason FROM rejected_orders")
    assert position == 4
    assert json.loads(raw) == STREAM[3]
    assert "unknown dish 'Pizza'" in reason


@pytest.mark.parametrize("flush_every_tick", [False, True])
def test_sales_summaries_by_local_day_hour_and_dish(database, menu, flush_every_tick):
    db = database
    build_database(db, STREAM, menu, flush_every_tick=flush_every_tick)
    assert rows(db, "SELECT local_day, service, orders, revenue FROM daily_sales ORDER BY 1, 2") == [
        ("2019-02-18", "FoodFlash", 1, 300),
        ("2019-02-18", "TastyBites", 2, 1600),
    ]
    assert rows(db, "SELECT local_hour, service, orders, revenue FROM hour_of_day_sales ORDER BY 1, 2") == [
        (8, "FoodFlash", 1, 300),
        (8, "TastyBites", 1, 1500),
        (9, "TastyBites", 1, 100),
    ]
    assert rows(db, "SELECT local_day, half_hour, orders, revenue FROM half_hour_sales ORDER BY 1, 2") == [
        ("2019-02-18", 16, 2, 1800),  # 08:00-08:30
        ("2019-02-18", 18, 1, 100),
    ]
    assert rows(db, "SELECT dish, units, revenue FROM dish_sales ORDER BY dish") == [
        ("Salad", 1, 300),
        ("Soup", 3, 1100),
        ("Stew", 1, 500),
    ]


@pytest.mark.parametrize("flush_every_tick", [False, True])
def test_fulfillment_by_local_half_hour_to_the_minute(database, menu, flush_every_tick):
    # one cook: Ann (received 08:00) waits 420 s, Bo (08:00:10) 530 s, Cy (09:00) 60 s; written open
    # at every tick, each order is counted once, when it is written complete
    build_database(database, STREAM, menu, flush_every_tick=flush_every_tick)
    assert rows(
        database, "SELECT local_day, half_hour, minutes, orders, seconds FROM fulfillment_by_half_hour ORDER BY 1, 2, 3"
    ) == [("2019-02-18", 16, 7, 1, 420), ("2019-02-18", 16, 9, 1, 530), ("2019-02-18", 18, 1, 1, 60)]
    assert rows(
        database, "SELECT half_hour, minutes, orders, seconds FROM fulfillment_by_time_of_day ORDER BY 1, 2"
    ) == [(16, 7, 1, 420), (16, 9, 1, 530), (18, 1, 1, 60)]


def test_the_time_series_is_stored(database, menu):
    db = database
    build_database(db, STREAM, menu)
    series = rows(
        db, "SELECT t, queued_orders, in_progress_orders, queued_units, busy_cooks, cooks FROM kitchen_stats ORDER BY t"
    )
    assert series[0][0] == T0
    assert (T0 + 60, 1, 1, 3, 1, 1) in series  # Ann's stew cooking, her soups and Bo's salad waiting
    assert series[-1][1:5] == (0, 0, 0, 0)


def test_a_new_run_keeps_earlier_runs(database, menu):
    db = database
    first = build_database(db, STREAM, menu)
    second = build_database(db, STREAM[:2], menu)
    assert second == first + 1
    assert rows(db, "SELECT run_id, COUNT(*) FROM orders GROUP BY run_id ORDER BY run_id") == [(first, 3), (second, 2)]
    assert rows(db, "SELECT id, status FROM runs ORDER BY id") == [(first, "completed"), (second, "completed")]


def test_names_with_quotes_unicode_and_sql_are_stored_verbatim(database, menu):
    names = ["O'Brien", 'Say "hi"', "Zoë Ωmega", "🍕 Pizza Fan 🍕", "x'); DROP TABLE orders; --", "50% off?", "%(x)s"]
    db = database
    build_database(db, [order(T0 + i, ("Soup", 1), name=name) for i, name in enumerate(names)], menu)
    assert [r[0] for r in rows(db, "SELECT customer_name FROM orders ORDER BY id")] == names


@pytest.mark.parametrize("flush_every_tick", [False, True])
def test_the_final_state_at_a_minute_already_sampled_replaces_that_sample(database, menu, flush_every_tick):
    # one soup received at T0 (a whole minute) is done at T0 + 60, the very minute the kitchen samples
    run = build_database(database, [order(T0, ("Soup", 1))], menu, flush_every_tick=flush_every_tick)
    assert rows(
        database,
        "SELECT t, queued_orders, in_progress_orders, busy_cooks FROM kitchen_stats WHERE run_id = ? ORDER BY t",
        run,
    ) == [(T0, 0, 1, 1), (T0 + 60, 0, 0, 0)]


def test_a_batch_crosses_the_writers_pipe_as_the_same_records():
    import pickle

    from common.records import OrderRow, Progress, RejectedRow, SampleRow
    from simulator.writer import Batch

    order = OrderRow(1, 7, "K", "Completed", 10, 10, 20, 80, "Ana", "Uber", 1250, "[]", None, 80)
    batch = Batch(
        1,
        3,
        [order],
        [order._replace(status="Queued", completed_at=None)],
        [],
        [SampleRow(1, 60, "K", 1, 0, 2, 1, 3)],
        [],
        [RejectedRow(1, 8, "{}", "not an order")],
        Progress(10, 60, 1.5, 2, 1, 0, 1, 60.0, 30.0),
    )
    again = pickle.loads(pickle.dumps(batch))
    assert again == batch
    assert type(again.orders[0]) is OrderRow and again.orders[0].completed_at == 80
    assert type(again.samples[0]) is SampleRow and type(again.progress) is Progress
