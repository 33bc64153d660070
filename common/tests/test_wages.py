"""Labour as money: premiums by the minute of the week, a crew's weekly cost counted independently, and every bad
entry named."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.schedule import CookSchedule
from common.wages import WEEK_MINUTES, Wages, WagesError, cooks_at, parse_wages

ZONE = "Europe/Madrid"
NIGHTS = {"from": "22:00", "to": "06:00", "times": 1.25}
SUNDAYS = {"days": ["Sun"], "from": "00:00", "to": "24:00", "times": 2.0}


def wages(*premiums: dict, per_hour: float = 12.0, per_shift: float = 0) -> Wages:
    return parse_wages(per_hour, "eur", per_shift, list(premiums))


def test_premiums_hold_their_windows_across_midnight_and_the_largest_applies():
    w = wages(NIGHTS, SUNDAYS)
    assert w.currency == "EUR"

    def at(day: int, clock: str) -> float:
        hours, minutes = map(int, clock.split(":"))
        return w.times(day * 1440 + hours * 60 + minutes)

    assert at(0, "12:00") == 1.0
    assert at(0, "22:00") == 1.25 and at(1, "05:59") == 1.25 and at(1, "06:00") == 1.0  # Monday's night, into Tuesday
    assert at(0, "05:00") == 1.25  # Sunday's night runs into Monday morning, across the week's end
    assert at(6, "12:00") == 2.0 and at(6, "23:00") == 2.0  # Sunday and its night: the larger
    assert at(0, "00:00") == 1.25  # past Sunday's 24:00


@settings(max_examples=60, deadline=None)
@given(
    changes=st.dictionaries(st.integers(0, 95), st.integers(0, 9), min_size=1, max_size=8).filter(
        lambda c: any(c.values())
    ),
    weekend=st.dictionaries(st.integers(0, 95), st.integers(0, 9), max_size=4),
)
def test_a_crews_week_costs_its_cooks_minute_by_minute_at_their_pay(changes, weekend):
    def day(counts: dict[int, int]) -> dict[str, int]:
        return {f"{q // 4:02}:{q % 4 * 15:02}": n for q, n in counts.items()}

    schedule = CookSchedule.parse({"default": day(changes), "Sat": day(weekend) or {"00:00": 0}}, ZONE)
    w = wages(NIGHTS, SUNDAYS, per_hour=12.0)
    by_hand = 0.0
    for minute in range(WEEK_MINUTES):  # the count and the pay at each minute, written out again
        weekday, clock = divmod(minute, 1440)
        counts = schedule.days[weekday]
        earlier = [n for m, n in counts if m <= clock]
        back = 1
        while not earlier:  # the count holds from the last change before: the day before's, or before that
            earlier = [n for _, n in schedule.days[(weekday - back) % 7]]
            back += 1
        night = clock >= 22 * 60 or clock < 6 * 60
        times = 2.0 if weekday == 6 else 1.25 if night else 1.0
        by_hand += earlier[-1] * times * 12.0 / 60
        assert cooks_at(schedule, minute) == earlier[-1]
    assert w.week_cost(schedule) == pytest.approx(by_hand)
    assert wages(per_hour=12.0).week_cost(3) == pytest.approx(3 * 168 * 12.0)


@pytest.mark.parametrize(
    "entry, said",
    [
        ({"per_hour": 0}, "WAGE_PER_HOUR: expected a number > 0"),
        ({"per_hour": "18"}, "WAGE_PER_HOUR: expected a number >= 0"),
        ({"currency": "$"}, "CURRENCY: expected an ISO 4217 code"),
        ({"per_shift": -1}, "SHIFT_COST: expected a number >= 0"),
        ({"premiums": {"from": "22:00"}}, "WAGE_PREMIUMS: expected a list of windows"),
        ({"premiums": [{"from": "22:00", "to": "6:00", "times": 1.5}]}, "entry 1: to: expected a time 'HH:MM'"),
        ({"premiums": [NIGHTS, {"days": ["Sunday"], "from": "00:00", "to": "24:00", "times": 2}]}, "entry 2: days"),
        ({"premiums": [{"from": "22:00", "to": "06:00"}]}, "entry 1: times: expected a number >= 0"),
        ({"premiums": [{"from": "22:00", "to": "06:00", "times": 1.5, "rate": 2}]}, "entry 1: expected {"),
    ],
)
def test_bad_wages_are_named(entry, said):
    given = {"per_hour": 18.5, "currency": "USD", "per_shift": 0, "premiums": None, **entry}
    with pytest.raises(WagesError, match=said.replace("(", r"\(").replace("{", r"\{")):
        parse_wages(given["per_hour"], given["currency"], given["per_shift"], given["premiums"], "params.py")
