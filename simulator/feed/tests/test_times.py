"""A local time read by its day's offset (RowTimes' fast path) is the time the long way reads: on random days of
zones with odd changes, and minute by minute around each of their changes from 2024 to 2028, the fast path
taken on days without a clock change only."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.settings import COLUMNS
from simulator.feed.layout import OURS
from simulator.feed.presets import SQUARE, with_columns
from simulator.feed.times import RowTimes, steady_offset
from simulator.orders import Invalid, Reading, parse_timestamp

ZONES = [
    "America/Chicago",
    "Europe/Paris",
    "Australia/Lord_Howe",  # clocks move by half an hour
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kathmandu",  # +05:45, no changes
    "America/Santiago",  # changes at midnight
    "Africa/Casablanca",  # clocks go back for Ramadan
    "UTC",
]


def reader() -> RowTimes:
    return RowTimes(OURS.layout([*COLUMNS, "zone"]), Reading(None, None), None)


def the_long_way(wall: str, zone: str) -> int | str:
    try:
        return parse_timestamp(wall, Reading(zone, None))
    except Invalid as reason:
        return reason.kind


@settings(max_examples=400, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    moment=st.datetimes(min_value=datetime(1975, 1, 1), max_value=datetime(2098, 12, 31)),
)
def test_a_time_read_by_its_days_offset_is_the_time_read_the_long_way(zone, moment):
    wall = moment.replace(microsecond=0).isoformat(sep=" ")
    fast = reader()._on_a_steady_day(wall, ZoneInfo(zone))
    if fast is not None:
        assert fast == the_long_way(wall, zone)


@settings(max_examples=40, deadline=None)
@given(zone=st.sampled_from(ZONES), day=st.dates(min_value=date(1975, 1, 1), max_value=date(2098, 12, 31)))
def test_a_day_called_steady_has_one_offset_minute_by_minute(zone, day):
    offset = steady_offset(day, ZoneInfo(zone))
    if offset is None:
        return
    midnight = datetime.combine(day, datetime.min.time())
    for minute in range(24 * 60):
        wall = midnight + timedelta(minutes=minute)
        assert the_long_way(wall.isoformat(sep=" "), zone) == (wall - datetime(1970, 1, 1)).total_seconds() - offset


def test_the_days_of_a_clock_change_are_read_the_long_way():
    chicago = ZoneInfo("America/Chicago")
    assert steady_offset(date(2026, 3, 8), chicago) is None  # spring forward
    assert steady_offset(date(2026, 11, 1), chicago) is None  # fall back
    assert steady_offset(date(2026, 3, 9), chicago) == -5 * 3600
    times = reader()  # our own columns: a zone given by the cells, as Square's are
    assert times._on_a_steady_day("2026-11-01 01:30:00", chicago) is None
    assert times._on_a_steady_day("2026-11-02 01:30:00", chicago) == the_long_way(
        "2026-11-02 01:30:00", "America/Chicago"
    )


def change_days(zone: str, first: int = 2024, last: int = 2028) -> list[date]:
    """The local days on which the zone's clocks change, found by its offset at each UTC noon."""
    local, days, before = ZoneInfo(zone), [], None
    moment = datetime(first, 1, 1, 12, tzinfo=timezone.utc)
    while moment.year <= last:
        offset = moment.astimezone(local).utcoffset()
        if before is not None and offset != before:
            days.append((moment - timedelta(days=1)).astimezone(local).date())
        before, moment = offset, moment + timedelta(days=1)
    return days


@pytest.mark.parametrize("zone", ZONES)
def test_around_every_clock_change_the_fast_path_reads_as_the_long_way(zone):
    times = reader()
    days = change_days(zone)
    assert days or zone in ("Asia/Kathmandu", "UTC")
    for day in days:
        for near in (day - timedelta(days=1), day, day + timedelta(days=1), day + timedelta(days=2)):
            midnight = datetime.combine(near, datetime.min.time())
            for minute in range(0, 24 * 60, 5):
                wall = (midnight + timedelta(minutes=minute)).isoformat(sep=" ")
                fast = times._on_a_steady_day(wall, ZoneInfo(zone))
                assert fast is None or fast == the_long_way(wall, zone), (zone, wall)


def test_a_rows_time_takes_the_fast_path_only_when_read_as_iso():
    header = ["Date", "Time", "Time Zone", "Item", "Qty", "Gross Sales", "Transaction ID", "Customer Name"]
    row = ["2026-07-01", "12:00:00", "Central Time (US & Canada)", "Pad Thai", "1.0", "$12.00", "T1", "Guest"]
    plain = RowTimes(SQUARE.layout(header), Reading(None, None), None)
    assert plain.epoch(row) == the_long_way("2026-07-01 12:00:00", "America/Chicago")
    assert plain.day_offsets == {(date(2026, 7, 1), ZoneInfo("America/Chicago")): -5 * 3600}
    patterned = RowTimes(SQUARE.layout(header), Reading(None, "%Y-%m-%d %H:%M:%S"), None)
    assert patterned.epoch(row) == plain.epoch(row)
    assert patterned.day_offsets == {}  # a pattern given: every time read by it


CELLS = st.one_of(
    st.datetimes(min_value=datetime(1965, 1, 1), max_value=datetime(2104, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0).isoformat(sep=st_sep(moment))
    ),
    st.sampled_from(
        [
            "2026-02-30 10:00:00",  # no such day
            "1969-12-31 23:59:59",  # the years' ends, which the UTC and the zones' paths keep differently
            "1970-01-01 00:00:00",
            "2099-12-31 23:59:59",
            "2100-01-01 00:00:00",
            "2026-03-08 02:30:00",  # skipped in Chicago
            "2026-11-01 01:30:00",  # passed twice in Chicago
            "2026-07-01 12:00:00 EDT",
            "2026-07-01T12:00:00+05:30",
            "2026-07-01T12:00:00Z",
            "2026-07-01 24:00:00",
            "07/01/2026 12:00",
            "",
            "noon",
        ]
    ),
)


def st_sep(moment: datetime) -> str:
    return "T" if moment.second % 2 else " "


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            CELLS, st.sampled_from(["", "America/Chicago", "Central Time (US & Canada)", "UTC", "+02:00", "Mars"])
        ),
        min_size=1,
        max_size=40,
    ),
    default=st.sampled_from([None, *ZONES]),
)
def test_many_rows_times_read_at_once_are_each_rows_time(rows, default):
    """RowTimes.epochs (a large file's quick scan) says of every row what epoch says of it, unreadable ones too,
    read in UTC, in a zone column's zone or in the kitchen's zone; numpy reads the common ones together."""
    header = [*COLUMNS, "zone"]
    layout = with_columns({"zone": "zone"}).layout(header)
    cells = [[""] * len(header) for _ in rows]
    for row, (wall, zone) in zip(cells, rows, strict=True):
        row[header.index("ordered_at")], row[header.index("zone")] = wall, zone
    together = RowTimes(layout, Reading(default, None), None).epochs(cells)
    alone = RowTimes(layout, Reading(default, None), None)
    for row, at in zip(cells, together.tolist(), strict=True):
        try:
            expected = float(alone.epoch(row))
        except Invalid:
            expected = float("inf")
        assert at == expected, row
