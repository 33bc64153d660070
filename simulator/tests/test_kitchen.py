"""The queueing semantics, on small cases computed by hand and against an independent FIFO computation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.localtime import LocalClock
from common.schedule import CookSchedule
from simulator.orders import parse_order
from simulator.run import simulate
from tests.kitchen_data import MENU, T0, Recording, fifo_reference, order, run_orders


def test_one_cook_serves_units_in_order_of_arrival(menu):
    recording = run_orders([order(T0, ("Stew", 1)), order(T0 + 10, ("Soup", 2))], menu, cooks=1)
    assert recording.times() == {
        1: (T0, T0, T0 + 300),
        2: (T0 + 10, T0 + 300, T0 + 300 + 60 + 60),
    }


def test_units_of_one_order_spread_over_free_cooks(menu):
    recording = run_orders([order(T0, ("Stew", 1), ("Soup", 2))], menu, cooks=3)
    # started when the first unit gets a cook, completed when the last unit is done
    assert recording.times() == {1: (T0, T0, T0 + 300)}


def test_orders_received_at_the_same_moment_keep_file_order(menu):
    recording = run_orders([order(T0, ("Soup", 1)), order(T0, ("Stew", 1)), order(T0, ("Salad", 1))], menu, cooks=1)
    assert recording.times() == {
        1: (T0, T0, T0 + 60),
        2: (T0, T0 + 60, T0 + 360),
        3: (T0, T0 + 360, T0 + 480),
    }


def test_a_cook_freed_at_a_receipt_goes_to_the_longest_waiting_unit(menu):
    # Cook frees at T0+60; order 2 has waited since T0+30, order 3 arrives exactly at T0+60.
    recording = run_orders(
        [order(T0, ("Soup", 1)), order(T0 + 30, ("Soup", 1)), order(T0 + 60, ("Soup", 1))], menu, cooks=1
    )
    assert recording.times()[2] == (T0 + 30, T0 + 60, T0 + 120)
    assert recording.times()[3] == (T0 + 60, T0 + 120, T0 + 180)


def test_a_late_order_is_received_when_it_is_read(menu):
    # Order 2 is stamped before order 1: it is received at order 1's receipt, not in the past.
    recording = run_orders(
        [order(T0 + 100, ("Soup", 1)), order(T0 + 40, ("Soup", 1)), order(T0 + 130, ("Soup", 1))], menu, cooks=5
    )
    assert [recording.times()[p][0] for p in (1, 2, 3)] == [T0 + 100, T0 + 100, T0 + 130]


def test_empty_orders_are_discarded_but_move_the_receipt_clock(menu):
    recording = run_orders([order(T0 + 500), order(T0 + 100, ("Soup", 1))], menu, cooks=1)
    assert recording.discarded == [1]
    assert 1 not in recording.tickets
    assert recording.times()[2] == (T0 + 500, T0 + 500, T0 + 560)


def test_a_rejected_order_with_a_readable_timestamp_moves_the_clock(menu):
    recording = run_orders([order(T0 + 500, ("Pizza", 1)), order(T0 + 100, ("Soup", 1))], menu, cooks=1)
    assert [r.position for r in recording.rejected] == [1]
    assert recording.times()[2][0] == T0 + 500


def test_an_unreadable_timestamp_is_rejected_and_moves_nothing(menu):
    recording = run_orders(
        [
            order("yesterday", ("Soup", 1)),
            order(T0 + 100, ("Soup", 1)),
            order("never", ("Soup", 1)),
            order(T0 + 50, ("Soup", 1)),
        ],
        menu,
        cooks=1,
    )
    assert [r.position for r in recording.rejected] == [1, 3]
    assert all(r.ordered_at is None for r in recording.rejected)
    assert recording.times() == {2: (T0 + 100, T0 + 100, T0 + 160), 4: (T0 + 100, T0 + 160, T0 + 220)}


def test_a_busy_kitchen_queues_first_in_first_out(menu):
    orders = [order(T0 + i, ("Stew", 1)) for i in range(6)]
    recording = run_orders(orders, menu, cooks=2)
    starts = [recording.times()[p][1] for p in range(1, 7)]
    assert starts == [T0, T0 + 1, T0 + 300, T0 + 301, T0 + 600, T0 + 601]
    busiest = max(recording.samples, key=lambda s: s.queued_units)
    assert busiest.busy_cooks == 2 and busiest.cooks == 2


def test_time_series_counts_orders_by_state(menu):
    recording = run_orders([order(T0, ("Stew", 1)), order(T0, ("Stew", 1)), order(T0, ("Soup", 1))], menu, cooks=1)
    by_minute = {s.t: s for s in recording.samples}
    # at T0 + 60 (a whole minute): order 1 cooking, orders 2 and 3 waiting
    sample = by_minute[T0 + 60]
    assert (sample.queued_orders, sample.in_progress_orders, sample.queued_units, sample.busy_cooks) == (2, 1, 2, 1)
    final = recording.samples[-1]
    assert (final.queued_orders, final.in_progress_orders, final.busy_cooks) == (0, 0, 0)
    assert all(s.t % 60 == 0 for s in recording.samples[:-1])


def test_no_order_is_read_before_the_previous_order_is_received(menu):
    """The feed is advanced only once the clock has reached the previous order's receipt."""
    raw = [order(T0 + 60 * i, ("Soup", 1)) for i in range(5)]
    reads = []

    def feed():
        for position, entry in enumerate(raw, start=1):
            reads.append(position)
            yield parse_order(position, entry, menu)

    class Watching(Recording):
        def order_received(self, ticket):
            super().order_received(ticket)
            # when order k is received, at most order k has been read
            assert reads[-1] == ticket.order.position

    recording = Watching()
    simulate(feed(), 1, None, recording, LocalClock("UTC"))
    assert len(recording.tickets) == 5


@settings(max_examples=150, deadline=None)
@given(
    cooks=st.integers(1, 4),
    stream=st.lists(
        st.tuples(st.integers(-120, 600), st.lists(st.sampled_from(["Soup", "Stew", "Salad"]), min_size=1, max_size=4)),
        min_size=1,
        max_size=25,
    ),
)
def test_the_model_agrees_with_a_plain_fifo_computation(cooks, stream):
    menu = MENU
    # offsets are relative to the previous order, so some orders arrive late
    times, t = [], T0
    for offset, _ in stream:
        t += offset
        times.append(t)
    raw = [order(at, *[(dish, 1) for dish in dishes]) for at, (_, dishes) in zip(times, stream, strict=True)]
    recording = run_orders(raw, menu, cooks)
    expected = fifo_reference(
        [(at, [menu[d].cook_time for d in dishes]) for at, (_, dishes) in zip(times, stream, strict=True)], cooks
    )
    assert [recording.times()[p] for p in range(1, len(raw) + 1)] == expected


def test_an_idle_kitchen_is_sampled_for_a_day_then_waits_for_the_next_order(menu):
    # ten years between two orders: sampled minute by minute, this would take hours
    later = T0 + 10 * 365 * 86400
    recording = run_orders([order(T0, ("Soup", 1)), order(later, ("Soup", 1))], menu, cooks=1)
    assert recording.times() == {1: (T0, T0, T0 + 60), 2: (later, later, later + 60)}
    times = [s.t for s in recording.samples]
    assert times == sorted(times)
    before = [t for t in times if t < later]
    assert before == list(range(T0, T0 + 60 + 86400 + 1, 60))  # every minute of the quiet day after
    assert recording.samples[-1].t == later + 60 and recording.samples[-1].busy_cooks == 0


def schedule(**changes) -> CookSchedule:
    """A schedule for every day in Los Angeles, e.g. schedule(h0000=1, h0802=3)."""
    return CookSchedule.parse({f"{k[1:3]}:{k[3:5]}": v for k, v in changes.items()}, "America/Los_Angeles")


def run_crew(raw, menu, crew) -> Recording:
    recording = Recording()
    feed = (parse_order(p, o, menu) for p, o in enumerate(raw, start=1))
    simulate(feed, crew, None, recording, LocalClock("America/Los_Angeles"))
    return recording


def test_when_the_schedule_rises_new_cooks_start_on_the_queue_at_once(menu):
    # T0 is 08:00 PST: one cook until 08:02, then three
    recording = run_crew(
        [order(T0, ("Stew", 1)), order(T0, ("Stew", 1)), order(T0, ("Stew", 1))], menu, schedule(h0000=1, h0802=3)
    )
    assert recording.times() == {1: (T0, T0, T0 + 300), 2: (T0, T0 + 120, T0 + 420), 3: (T0, T0 + 120, T0 + 420)}


def test_when_the_schedule_falls_cooks_finish_their_unit_then_leave(menu):
    # three cooks until 08:02, then one: nobody's stew is interrupted; then one cook does the rest
    stream = [
        order(T0, ("Stew", 1)),
        order(T0, ("Stew", 1)),
        order(T0, ("Stew", 1)),
        order(T0 + 200, ("Soup", 1)),
        order(T0 + 310, ("Soup", 1)),
    ]
    recording = run_crew(stream, menu, schedule(h0000=3, h0802=1))
    times = recording.times()
    assert [times[p] for p in (1, 2, 3)] == [(T0, T0, T0 + 300)] * 3
    assert times[4] == (T0 + 200, T0 + 300, T0 + 360)
    assert times[5] == (T0 + 310, T0 + 360, T0 + 420)
    by_minute = {s.t: s for s in recording.samples}
    assert (by_minute[T0 + 180].cooks, by_minute[T0 + 180].busy_cooks) == (1, 3)  # scheduled 1, three finishing
    assert by_minute[T0 + 240].queued_units == 1  # order 4's soup waits; cooks going home are not units


def test_a_constant_schedule_is_the_same_as_a_fixed_crew(menu):
    stream = [order(T0 + 37 * i, ("Stew", 1), ("Soup", i % 3)) for i in range(40)]
    stream = [{**o, "items": [line for line in o["items"] if line["quantity"]]} for o in stream]
    assert run_crew(stream, menu, schedule(h0600=3)).times() == run_crew(stream, menu, 3).times()


def test_labour_and_utilisation(menu):
    # two cooks for the 300 s the single stew takes: 600 cook-seconds on shift, 300 cooking
    feed = (parse_order(p, o, menu) for p, o in enumerate([order(T0, ("Stew", 1))], start=1))
    outcome = simulate(feed, 2, None, Recording(), LocalClock("UTC"))
    assert outcome.summary.labour_hours == pytest.approx(600 / 3600)
    assert outcome.summary.utilisation == pytest.approx(0.5)
