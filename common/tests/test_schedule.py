from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from common.schedule import CookSchedule, ScheduleError, standard_reading

ZONE = "America/Los_Angeles"
MONDAY_0800 = 1550505600  # 2019-02-18 08:00 PST, a Monday


def test_one_schedule_for_every_day_holds_across_midnight():
    schedule = CookSchedule.parse({"22:00": 5, "05:00": 40, "11:00": 120}, ZONE)
    assert schedule.most == 120
    assert schedule.cooks_at(MONDAY_0800) == 40
    assert schedule.cooks_at(MONDAY_0800 + 3 * 3600) == 120  # 11:00
    assert schedule.cooks_at(MONDAY_0800 + 3 * 3600 - 1) == 40
    assert schedule.cooks_at(MONDAY_0800 - 4 * 3600) == 5  # 04:00: still the night crew from 22:00


def test_schedules_per_weekday_with_a_default():
    schedule = CookSchedule.parse({"default": {"00:00": 10}, "Sat": {"00:00": 20, "12:00": 30}}, ZONE)
    saturday_noon = MONDAY_0800 + 5 * 86400 + 4 * 3600
    assert schedule.cooks_at(MONDAY_0800) == 10
    assert schedule.cooks_at(saturday_noon) == 30
    assert schedule.cooks_at(saturday_noon + 12 * 3600 + 60) == 10  # Sunday 00:01
    assert schedule.describe()["Sat"] == {"00:00": 20, "12:00": 30}
    assert schedule.describe()["Mon"] == {"00:00": 10}


def test_changes_follow_the_local_clock_through_dst():
    schedule = CookSchedule.parse({"01:00": 1, "03:00": 3, "12:00": 12}, ZONE)
    before_spring = 1552204800  # 2019-03-10 00:00 PST
    changes = []
    for moment, cooks in schedule.changes_after(before_spring):
        changes.append((moment, cooks))
        if len(changes) == 4:
            break
    assert changes == [
        (before_spring + 3600, 1),  # 01:00 PST
        (before_spring + 2 * 3600, 3),  # 03:00 PDT, an hour after 01:00 on that day
        (before_spring + 11 * 3600, 12),  # 12:00 PDT
        (before_spring + 24 * 3600, 1),  # 01:00 PDT the next day
    ]


@pytest.mark.parametrize(
    "value, message",
    [
        ({}, "expected a dict"),
        ([40, 120], "expected a dict"),
        ({"5:00": 40}, "'5:00' is not a time of day 'HH:MM'"),
        ({"24:00": 40}, "'24:00' is not a time of day"),
        ({"05:00": -1}, "every day at 05:00: expected a whole number of cooks >= 0, got -1"),
        ({"05:00": 0, "22:00": 0}, "every count is 0"),
        ({"05:00": 2.5}, "got 2.5"),
        ({"Mon": {"05:00": 4}, "Funday": {"05:00": 4}}, "unknown day 'Funday'"),
        ({"Mon": {"05:00": 4}}, "no schedule for Tue, Wed, Thu, Fri, Sat, Sun"),
        ({"default": {}}, "default: expected a dict"),
    ],
)
def test_bad_schedules_are_named(value, message):
    with pytest.raises(ScheduleError, match=message.replace("(", r"\(").replace(")", r"\)")):
        CookSchedule.parse(value, ZONE)


@pytest.mark.parametrize(
    "zone",
    [
        "America/Chicago",
        "Europe/London",
        "America/Santiago",
        "Asia/Beirut",
        "America/Havana",
        "Australia/Lord_Howe",
        "UTC",
    ],
)
def test_changes_are_each_entry_read_on_its_own_day_in_every_zone(zone):
    """Days without a clock change are counted from midnight: every change equals its own standard reading,
    over two years of days, clock changes at midnight and half-hour ones among them."""
    every_quarter = {f"{m // 60:02}:{m % 60:02}": 1 + m % 7 for m in range(0, 1440, 15)}
    schedule = CookSchedule.parse(every_quarter, zone)
    first = date(2025, 1, 1)
    start = int(datetime.combine(first, time(), ZoneInfo(zone)).timestamp())
    expected = []
    for d in range(730):
        day = first + timedelta(days=d)
        expected += sorted((standard_reading(day, m, ZoneInfo(zone)), c) for m, c in schedule.days[day.weekday()])
    expected = [change for change in expected if change[0] > start]
    changes = schedule.changes_after(start)
    assert [next(changes) for _ in expected] == expected
