"""Hostile input: random and malformed orders through the real parser, model and store.

Whatever the stream holds, the simulator does not crash; every accepted order is stored verbatim,
every other one is in rejected_orders with a reason (or counted as discarded when it has no items),
and the counts add up to the input.
"""

from __future__ import annotations

import json
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.database import connect_writer
from common.localtime import LocalClock
from simulator.feed import read_orders
from simulator.menu import Dish
from simulator.run import simulate
from simulator.store import RunParameters, RunStore

MENU = {"Soup": Dish("Soup", 60), "Stew": Dish("Stew", 300), "Tea": Dish("Tea", 5)}
NASTY_TEXT = st.sampled_from(
    [
        "O'Brien",
        'say "hi"',
        "Robert'); DROP TABLE orders;--",
        "x\x00y",
        "🍕🍔",
        "Zoë",
        "",
        " ",
        "\\",
        "%s",
        "?",
        "\u202eevil",
        "a" * 2000,
    ]
)
TEXT = st.one_of(NASTY_TEXT, st.text(max_size=30))
TIMESTAMPS = st.one_of(
    st.datetimes(
        min_value=__import__("datetime").datetime(2019, 1, 1), max_value=__import__("datetime").datetime(2019, 1, 3)
    ).map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "2019-01-01T10:00:00Z",
            "2019-01-01T02:00:00-08:00",
            "2019-01-01T10:00:00.999999",
            "0001-01-01T00:00:00",
            "9999-12-31T23:59:59",
            "2019-02-30T00:00:00",
            "",
            "soon",
            "1969-12-31T23:59:59Z",
            "2100-01-01T00:00:00",
        ]
    ),
    st.integers(),
    st.none(),
)
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
LINE = st.fixed_dictionaries(
    {
        "name": st.one_of(st.sampled_from(list(MENU) + ["Pizza", "soup"]), ANYTHING),
        "quantity": st.one_of(st.integers(-2, 4), st.sampled_from([10**6, 10**20]), ANYTHING),
        "price_per_unit": st.one_of(st.integers(-5, 5000), st.sampled_from([10**9, 10**30, 12.5]), ANYTHING),
    }
)
ORDER = st.fixed_dictionaries(
    {
        "name": st.one_of(TEXT, ANYTHING),
        "service": st.one_of(st.sampled_from(["TastyBites", "FoodFlash"]), ANYTHING),
        "ordered_at": TIMESTAMPS,
        "items": st.one_of(st.lists(LINE, max_size=3), ANYTHING),
    }
)


VALID_ORDER = st.fixed_dictionaries(
    {
        "name": TEXT,
        "service": st.sampled_from(["TastyBites", "FoodFlash"]),
        "ordered_at": st.one_of(TIMESTAMPS, TIMESTAMPS.filter(lambda t: isinstance(t, str) and t[:2] in ("00", "99"))),
        "items": st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.sampled_from(list(MENU)),
                    "quantity": st.integers(1, 3),
                    "price_per_unit": st.integers(0, 5000),
                }
            ),
            max_size=3,
        ),
    }
)


def without_some_fields(order_strategy):
    return st.tuples(order_strategy, st.sets(st.sampled_from(["name", "service", "ordered_at", "items"]))).map(
        lambda pair: {k: v for k, v in pair[0].items() if k not in pair[1]}
    )


STREAM = st.lists(st.one_of(VALID_ORDER, ORDER, without_some_fields(ORDER), ANYTHING), min_size=1, max_size=25)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(stream=STREAM)
def test_any_stream_is_stored_verbatim_or_rejected_with_a_reason(tmp_path_factory, stream):
    folder = tmp_path_factory.mktemp("hostile")
    orders_file = folder / "orders.json"
    orders_file.write_text(json.dumps(stream, allow_nan=False), encoding="utf-8")
    connection = connect_writer(folder / "k.db")
    store = RunStore.start(
        connection, RunParameters("Kitchen", 2, None, "orders.json", "items.json", "America/Los_Angeles")
    )
    outcome = simulate(read_orders(orders_file, MENU), 2, None, store, LocalClock("America/Los_Angeles"))
    store.finish("completed")
    connection.close()

    db = sqlite3.connect(folder / "k.db")
    summary = outcome.summary
    assert summary.received + summary.discarded + summary.rejected == len(stream)
    [(received, discarded, rejected)] = db.execute(
        "SELECT orders_received, orders_discarded, orders_rejected FROM runs"
    )
    assert (received, discarded, rejected) == (summary.received, summary.discarded, summary.rejected)

    stored = db.execute(
        "SELECT id, status, customer_name, service, items, received_at, started_at, completed_at FROM orders"
    ).fetchall()
    assert len(stored) == received
    for position, status, name, service, items, received_at, started_at, completed_at in stored:
        original = stream[position - 1]
        assert (name, service) == (original["name"], original["service"])
        assert json.loads(items) == original["items"]
        assert status == "Completed" and received_at <= started_at <= completed_at

    rejections = db.execute("SELECT position, raw, reason FROM rejected_orders").fetchall()
    assert len(rejections) == rejected
    for position, raw, reason in rejections:
        assert reason
        assert json.loads(raw) == json.loads(json.dumps(stream[position - 1]))
    positions = {p for p, *_ in stored} | {p for p, *_ in rejections}
    assert len(positions) == received + rejected  # no order both stored and rejected
    db.close()
