"""Real time and as fast as possible give the same timestamps; a stop request ends the run at once; a run
makes no reference cycles; rejections are said once a kind and counted by kind; a feed whose first entries are
nearly all rejected is refused before it runs."""

import gc
import logging
import time

import pytest

from common.localtime import LocalClock
from common.schedule import CookSchedule
from simulator.orders import OrdersFileError, parse_order
from simulator.run import FIRST_LOOK, NEARLY_ALL, first_look, refusal, simulate
from tests.kitchen_data import T0, Recording, build_database, order, run_orders


def test_real_time_and_max_speed_give_the_same_timestamps(menu):
    stream = [order(T0 + 7 * i, ("Stew", 1), ("Soup", i % 3 + 1)) for i in range(20)] + [order(T0 + 90, ("Salad", 2))]
    fast = run_orders(stream, menu, cooks=3)
    started = time.monotonic()
    real_time = run_orders(stream, menu, cooks=3, speed=5000)
    wall = time.monotonic() - started
    assert real_time.times() == fast.times()
    assert real_time.samples == fast.samples
    last = max(c for _, _, c in fast.times().values())
    assert wall >= (last - T0) / 5000 * 0.9  # it really ran in (accelerated) real time


def test_a_stop_request_ends_a_real_time_run(menu):
    """(How soon, in wall time, is measured by bench/: python -m bench realtime.)"""
    stream = [order(T0 + 3600 * i, ("Soup", 1)) for i in range(10)]  # ten hours of orders, at 60x: ten minutes
    asked = []
    feed = (parse_order(p, raw, menu) for p, raw in enumerate(stream, start=1))
    recording = Recording()

    def stop_once_an_order_is_in() -> bool:
        asked.append(recording.tickets.keys() >= {1})
        return asked[-1]

    outcome = simulate(feed, 1, 60.0, recording, LocalClock("UTC"), stop_once_an_order_is_in)
    assert outcome.interrupted and asked[-1] and not any(asked[:-1])
    assert outcome.sim_ended_at < T0 + 3600  # stopped long before the second order


def test_a_real_time_run_of_nothing_readable_records_the_rejections(menu):
    """No timestamp to start the clock at: the run is over at once, at any speed."""
    feed = [parse_order(1, order("yesterday", ("Soup", 1)), menu)]
    recording = Recording()
    outcome = simulate(feed, 2, 60.0, recording, LocalClock("UTC"))
    assert not outcome.interrupted and outcome.sim_started_at is None and outcome.summary.rejected == 1
    assert [r.position for r in recording.rejected] == [1]


@pytest.mark.parametrize("crew", [3, {"00:00": 2, "08:10": 4, "09:00": 1}], ids=["fixed", "schedule"])
def test_a_run_makes_no_reference_cycles(menu, tmp_path, crew):
    """The simulator turns the cyclic garbage collector off for the run (its writer process keeps it): safe
    only while the kitchen, the run loop and the store leave every order's objects to reference counting."""
    crew = crew if isinstance(crew, int) else CookSchedule.parse(crew, "America/Los_Angeles")
    stream = [order(T0 + 20 * i, ("Stew", 1), ("Soup", i % 3 + 1)) for i in range(2000)]
    stream[::50] = [order(T0, ("Pizza", 1))] * 40  # rejected: an unknown dish,
    stream[7::70] = [order("yesterday", ("Soup", 1))] * 29  # and a timestamp that cannot be read
    gc.collect()
    gc.disable()
    try:
        build_database(tmp_path / "kitchen.db", stream, menu, cooks=crew, flush_every_tick=True, writer_process=True)
        left = gc.collect()
    finally:
        gc.enable()
    assert left < 150  # 2,000 orders, 7,000 units, 69 rejections, 667 flushes: a cycle each would leave hundreds


def entries(menu, *kinds: str) -> list:
    """Feed entries, one per letter: g a good order, d an unknown dish, t a timestamp that cannot be read."""
    raw = {"g": order(T0, ("Soup", 1)), "d": order(T0, ("Pizza", 1)), "t": order("10/8/26 5:18 PM", ("Soup", 1))}
    return [parse_order(position, raw[kind], menu) for position, kind in enumerate("".join(kinds), start=1)]


def test_rejections_are_said_once_a_kind_and_counted_by_kind_while_every_one_is_recorded(menu, caplog):
    feed = entries(menu, "g" * 5, "d", "g", "t", "d" * 10, "g", "t")
    recording = Recording()
    with caplog.at_level(logging.WARNING, logger="simulator.kitchen"):
        outcome = simulate(feed, 2, None, recording, LocalClock("UTC"))
    said = [record.getMessage() for record in caplog.records if record.name == "simulator.kitchen"]
    assert said == [
        "order 6 rejected: item 1: unknown dish 'Pizza' (the first 'unknown dish'; the summary counts the others"
        " of its kind)",
        "order 8 rejected: ordered_at is not an ISO-8601 timestamp: '10/8/26 5:18 PM' (give its pattern with"
        " --time-format or ORDERS_TIME_FORMAT, like '%m/%d/%Y %I:%M %p') (the first 'bad timestamp'; the summary"
        " counts the others of its kind)",
    ]
    assert [r.position for r in recording.rejected] == [6, *range(8, 19), 20]
    assert outcome.summary.rejected == 13 and outcome.summary.first_rejection.startswith("order 6: item 1")
    assert dict(outcome.rejections.counts) == {"unknown dish": 11, "bad timestamp": 2}
    assert outcome.rejections.by_kind() == (
        "11 unknown dish (first: order 6: item 1: unknown dish 'Pizza'), 2 bad timestamp (first: order 8: ordered_at"
        " is not an ISO-8601 timestamp: '10/8/26 5:18 PM' (give its pattern with --time-format or"
        " ORDERS_TIME_FORMAT, like '%m/%d/%Y %I:%M %p'))"
    )


def test_a_feed_is_refused_when_nearly_all_of_its_entries_are_rejected(menu):
    assert NEARLY_ALL == 0.9
    assert refusal(entries(menu, "g", "t" * 9)) == (
        "9 of its 10 orders would be rejected, 9 of 10 for bad timestamp; the first: order 2: ordered_at is not an"
        " ISO-8601 timestamp: '10/8/26 5:18 PM' (give its pattern with --time-format or ORDERS_TIME_FORMAT, like"
        " '%m/%d/%Y %I:%M %p')"
    )
    assert refusal(entries(menu, "gg", "t" * 8)) is None  # 80%: a file with many bad orders still runs
    assert refusal(entries(menu, "d" * 3, "t" * 2)).startswith(
        "5 of its 5 orders would be rejected, 3 of 5 for unknown"
    )
    assert refusal(entries(menu, "t")).startswith("1 of its 1 order would be rejected")
    assert refusal([]) is None  # an empty file runs, and completes at once, as ever


def test_only_the_first_entries_are_judged_and_the_feed_comes_back_whole_each_entry_read_once(menu):
    assert FIRST_LOOK == 1000
    late = entries(menu, "g" * 101, "t" * 2000)  # 899 of the first 1,000 rejected
    read = []
    judged, feed = first_look(entry for entry in late if not read.append(entry.position))
    assert judged is None and len(read) == FIRST_LOOK
    assert list(feed) == late and read == list(range(1, len(late) + 1))

    judged, feed = first_look(iter(entries(menu, "t" * 1000, "g" * 3000)))
    assert judged.startswith("1,000 of its first 1,000 orders would be rejected, 1,000 of 1,000 for bad timestamp")
    assert len(list(feed)) == 4000


def test_a_file_that_cannot_be_read_on_within_the_first_look_fails_where_the_run_reaches_it(menu):
    def broken():
        yield from entries(menu, "g" * 3)
        raise OrdersFileError("orders.json: not JSON at order 4")

    judged, feed = first_look(broken())
    assert judged is None
    assert [next(feed).position for _ in range(3)] == [1, 2, 3]
    with pytest.raises(OrdersFileError, match="at order 4"):
        next(feed)

    def broken_after_rejections():
        yield from entries(menu, "t" * 3)
        raise OrdersFileError("orders.json: not JSON at order 4")

    judged, _ = first_look(broken_after_rejections())  # judged on the entries before: refused
    assert judged.startswith("3 of its 3 orders would be rejected")
