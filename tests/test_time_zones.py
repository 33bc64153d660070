"""Sales land in the right local day, hour and meal period, and times are labelled right, in every kind
of zone: offsets that are not whole hours, half-hour DST, both directions of the DST change. The
expected answers come from the standard library's zoneinfo, computed here order by order."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from common.database import connect_readonly
from common.localtime import LocalClock
from dashboard import queries
from simulator.menu import Dish
from tests.kitchen_data import build_database, order, rows

ZONES = [
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Adelaide",
    "America/St_Johns",
    "Pacific/Chatham",
    "Europe/London",
    "America/Los_Angeles",
]
MENU = {"Chai": Dish("Chai", 30)}
YEAR_START = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp())


def changes_in_2024(zone: str) -> list[int]:
    """The moments (to the hour) the zone's offset changes in 2024, found hour by hour."""
    tz, found = ZoneInfo(zone), []
    previous = None
    for hour in range(366 * 24):
        offset = datetime.fromtimestamp(YEAR_START + 3600 * hour, tz).utcoffset()
        if previous is not None and offset != previous:
            found.append(YEAR_START + 3600 * hour)
        previous = offset
    return found


def moments(zone: str) -> list[int]:
    """Every 7 min 13 s for 6 hours around each change of the year, and over a plain day in June."""
    centres = changes_in_2024(zone) + [YEAR_START + 170 * 86400]
    return sorted({centre + step for centre in centres for step in range(-3 * 3600, 3 * 3600, 433)})


def meal(hour: int) -> str:
    return (
        "Breakfast"
        if 5 <= hour <= 10
        else "Lunch"
        if 11 <= hour <= 15
        else "Dinner"
        if 16 <= hour <= 22
        else "Late Night"
    )


@pytest.mark.parametrize("zone", ZONES)
def test_days_hours_meal_periods_and_labels(database, zone):
    times = moments(zone)
    assert zone in ("Asia/Kolkata", "Asia/Kathmandu") or len(changes_in_2024(zone)) == 2
    raw = [order(t, ("Chai", 1), price=i + 1, service="Swiggy" if i % 3 else "Zomato") for i, t in enumerate(times)]
    run = build_database(database, raw, MENU, cooks=50, zone=zone)

    tz = ZoneInfo(zone)
    daily, hourly, halves, periods = Counter(), Counter(), Counter(), Counter()
    for i, t in enumerate(times):
        local = datetime.fromtimestamp(t, timezone.utc).astimezone(tz)
        service = "Swiggy" if i % 3 else "Zomato"
        daily[(local.strftime("%Y-%m-%d"), service)] += i + 1
        hourly[(local.hour, service)] += i + 1
        halves[(local.strftime("%Y-%m-%d"), local.hour * 2 + local.minute // 30)] += i + 1
        periods[meal(local.hour)] += i + 1
    assert {
        (d, s): r for d, s, _, r in rows(database, "SELECT local_day, service, orders, revenue FROM daily_sales")
    } == daily
    assert {
        (h, s): r for h, s, _, r in rows(database, "SELECT local_hour, service, orders, revenue FROM hour_of_day_sales")
    } == hourly
    assert {
        (d, h): r for d, h, _, r in rows(database, "SELECT local_day, half_hour, orders, revenue FROM half_hour_sales")
    } == halves
    session = connect_readonly(database)
    try:
        assert dict(queries.revenue_by_meal_period(session, [run], times[-1])) == periods
    finally:
        session.close()

    clock = LocalClock(zone)
    for t in times[::5]:
        local = datetime.fromtimestamp(t, timezone.utc).astimezone(tz)
        assert clock.label(t) == local.strftime("%Y-%m-%d %H:%M %Z")
        assert clock.hour_of(t) == (local.strftime("%Y-%m-%d"), local.hour)


def test_a_whole_hour_cache_would_have_failed_here():
    """The defect this guards against: in Kolkata, a UTC hour holds two local hours."""
    clock = LocalClock("Asia/Kolkata")
    start = YEAR_START + 170 * 86400  # 00:00 UTC = 05:30 IST
    assert clock.hour_of(start + 20 * 60)[1] == 5 and clock.hour_of(start + 40 * 60)[1] == 6
    assert timedelta(seconds=clock.offset(start)) == timedelta(hours=5, minutes=30)


@pytest.mark.parametrize("zone", ZONES + ["Australia/Lord_Howe", "UTC"])
def test_the_moments_a_zone_changes_offset(zone):
    """LocalClock.changes, on the hour (Los Angeles, London) or inside one (Adelaide, St John's, Chatham,
    Lord Howe's half-hour shift): each to the second, and none missed, against zoneinfo hour by hour."""
    tz = ZoneInfo(zone)
    found = LocalClock(zone).changes(YEAR_START, YEAR_START + 366 * 86400 - 1)
    assert [-(-moment // 3600) * 3600 for moment in found] == changes_in_2024(zone)
    for moment in found:
        assert datetime.fromtimestamp(moment - 1, tz).utcoffset() != datetime.fromtimestamp(moment, tz).utcoffset()
