"""When a CSV row was ordered: its time cell(s) read in the zone they are in.

The zone of a time, first that applies: an abbreviation or offset at its end ('09:34 PM EDT', Clover), which
says which side of a clock change it is on; the row's zone column (Square's 'Eastern Time (US & Canada)');
--orders-timezone; the kitchen's zone, for an export whose till writes local times (Layout.local_times); else
UTC. A time the clocks pass twice, in a named zone, is its first occurrence; one they skip is rejected
(simulator/orders.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from simulator.feed.cells import split_zone_abbreviation, zone_named
from simulator.feed.layout import Layout
from simulator.orders import EARLIEST_YEAR, LATEST_YEAR, UTC, Invalid, Reading, parse_timestamp

_OWN_OFFSET = re.compile(r"(?:[zZ]|[+-]\d{2}:?\d{2})$")
"""An ISO time's own offset at its end ('...T12:00:00+01:00', '...Z')."""
CACHE = 4096
"""Times remembered, by cell: an order's lines share theirs, and a busy minute has several orders."""
EPOCH = datetime(1970, 1, 1)


class RowTimes:
    """Reads a row's time to epoch seconds, remembering the last few (see CACHE), unreadable ones too."""

    def __init__(self, layout: Layout, reading: Reading, kitchen_zone: str | None) -> None:
        self.layout = layout
        self._ordered_at, self._zone = layout.reader("ordered_at"), layout.reader("zone")
        # a pattern given (--time-format, ORDERS_TIME_FORMAT) first, then the export's own: a pattern set for one
        # file does not make a preset's file unreadable
        given = (reading.time_format,) if reading.time_format else ()
        self.formats: list[str | None] = [*given, *layout.shape.time_formats] or [None]
        default = reading.timezone or (kitchen_zone if layout.shape.local_times else None)
        self.default = None if default is None else ZoneInfo(default)
        self.cache: dict[tuple[str, str], int | Invalid] = {}
        self.day_offsets: dict[tuple[date, ZoneInfo], int | None] = {}

    @property
    def zone(self) -> str | None:
        """Where times without a zone of their own are read (None: UTC), for `simulator.check`."""
        return None if self.default is None else str(self.default)

    def epoch(self, row: list[str]) -> int:
        """The row's time, or Invalid saying why it cannot be read."""
        key = (self._ordered_at(row), self._zone(row))
        found = self.cache.get(key)
        if found is None:
            if len(self.cache) >= CACHE:
                self.cache.clear()
            try:
                found = self._read(*key)
            except Invalid as reason:
                found = reason
            self.cache[key] = found
        if isinstance(found, Invalid):
            raise Invalid(str(found), found.kind)
        return found

    def _read(self, text: str, zone_cell: str) -> int:
        if not text:
            raise Invalid(f"no ordered_at (column {self.layout.header_of('ordered_at')})", "bad timestamp")
        if len(text) == 19 and not zone_cell and self.default is None and self.formats == [None]:
            return parse_timestamp(text)  # our own 'YYYY-MM-DD HH:MM:SS' in UTC: the common case, read fast
        zone: tzinfo | None = self.default
        if zone_cell:
            zone = zone_named(zone_cell)
        wall, said = split_zone_abbreviation(text)
        if said is not None:
            zone = said
        elif _OWN_OFFSET.search(wall):
            zone = None  # the time says its offset itself, which parse_timestamp honours
        if isinstance(zone, ZoneInfo) and self.formats == [None] and len(wall) == 19:
            seconds = self._on_a_steady_day(wall, zone)
            if seconds is not None:
                return seconds
        error: Invalid | None = None
        for pattern in self.formats:
            try:
                if isinstance(zone, ZoneInfo):
                    seconds = parse_timestamp(wall, Reading(zone.key, pattern))
                else:
                    seconds = parse_timestamp(wall, Reading(None, pattern) if pattern else UTC)
                    offset = zone.utcoffset(None) if zone is not None else None
                    seconds -= int((offset or timedelta(0)).total_seconds())
            except Invalid as reason:
                error = error or reason
                continue
            if pattern != self.formats[0]:  # the pattern that read this one first, for the rows to come
                self.formats.remove(pattern)
                self.formats.insert(0, pattern)
            return seconds
        assert error is not None
        raise error

    def _on_a_steady_day(self, wall: str, zone: ZoneInfo) -> int | None:
        """A 'YYYY-MM-DD HH:MM:SS' local time on a day the clocks do not change, by that day's offset, found once a
        day and zone (a point-of-sale export spent a third of its reading on its times, each converted alone);
        None: to be read the long way (a day with a clock change, a time of another shape, a year near the ends)."""
        try:
            naive = datetime.fromisoformat(wall)
        except ValueError:
            return None
        if naive.tzinfo is not None or not EARLIEST_YEAR < naive.year < LATEST_YEAR:
            return None
        key = (naive.date(), zone)
        if key not in self.day_offsets:
            self.day_offsets[key] = steady_offset(*key)
        offset = self.day_offsets[key]
        return None if offset is None else int((naive - EPOCH).total_seconds()) - offset


def steady_offset(day: date, zone: ZoneInfo) -> int | None:
    """The zone's offset from UTC in seconds through the whole local day, or None when the clocks change that day.
    Both readings of each quarter hour's wall time (fold 0 and 1), midnight to midnight, must have the one
    offset: a time the clocks skip or pass twice reads two ways, even when the change spans midnight (a change
    that began and ended between two quarter hours would pass unseen: none lasts so little)."""
    midnight = datetime.combine(day, time(), tzinfo=zone)
    offsets = {
        (midnight + timedelta(minutes=15 * k)).replace(fold=fold).utcoffset()
        for k in range(24 * 4 + 1)
        for fold in (0, 1)
    }
    only = offsets.pop() if len(offsets) == 1 else None
    return None if only is None else int(only.total_seconds())
