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
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from simulator.feed.cells import split_zone_abbreviation, zone_named
from simulator.feed.layout import Layout
from simulator.orders import EARLIEST_YEAR, LATEST_YEAR, UTC, Invalid, Reading, parse_timestamp

if TYPE_CHECKING:
    import numpy as np

_OWN_OFFSET = re.compile(r"(?:[zZ]|[+-]\d{2}:?\d{2})$")
"""An ISO time's own offset at its end ('...T12:00:00+01:00', '...Z')."""
CACHE = 4096
"""Times remembered, by cell: an order's lines share theirs, and a busy minute has several orders."""
EPOCH = datetime(1970, 1, 1)
_ISO_WALL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]")
"""A wall time RowTimes.epochs reads by numpy: one split_zone_abbreviation and _OWN_OFFSET leave as it is."""


class RowTimes:
    """Reads a row's time to epoch seconds, remembering the last few (see CACHE), unreadable ones too."""

    def __init__(self, layout: Layout, reading: Reading, kitchen_zone: str | None) -> None:
        self.layout = layout
        self._ordered_at, self._zone = layout.reader("ordered_at"), layout.reader("zone")
        self.key = layout.cells("ordered_at", "zone")
        """A row's raw time and zone cells: rows with the same key have the same time (an order's lines do)."""
        # a pattern given (--time-format, ORDERS_TIME_FORMAT) first, then the export's own: a pattern set for one
        # file does not make a preset's file unreadable
        given = (reading.time_format,) if reading.time_format else ()
        self.formats: list[str | None] = [*given, *layout.shape.time_formats] or [None]
        default = reading.timezone or (kitchen_zone if layout.shape.local_times else None)
        self.default = None if default is None else ZoneInfo(default)
        self.cache: dict[object, int | Invalid] = {}
        """By the row's raw time and zone cells (Layout.cells)."""
        self.zones: dict[str, tzinfo] = {}
        self.day_offsets: dict[tuple[date, ZoneInfo], int | None] = {}

    @property
    def zone(self) -> str | None:
        """Where times without a zone of their own are read (None: UTC), for `simulator.check`."""
        return None if self.default is None else str(self.default)

    def epoch(self, row: list[str]) -> int:
        """The row's time, or Invalid saying why it cannot be read."""
        key = self.key(row)
        found = self.cache.get(key)
        if found is None:
            if len(self.cache) >= CACHE:
                self.cache.clear()
            try:
                found = self._read(self._ordered_at(row), self._zone(row))
            except Invalid as reason:
                found = reason
            self.cache[key] = found
        if isinstance(found, Invalid):
            raise Invalid(str(found), found.kind)
        return found

    def epochs(self, rows: list[list[str]]) -> np.ndarray:
        """Many rows' times at once, as floats (inf: unreadable): the common shapes together, by numpy (a
        'YYYY-MM-DD HH:MM:SS' wall time without a zone of its own, read in UTC or in a named zone on a day the
        clocks do not change), the others one by one (epoch). Each is what epoch says of it."""
        import numpy as np  # here: only a large file's quick scan asks this (simulator/feed/quick_scan.py)

        texts = [self._ordered_at(row) for row in rows]
        zone_cells = [self._zone(row) for row in rows]
        found = np.full(len(rows), np.nan)
        if self.formats == [None]:
            by_zone: dict[str, list[int]] = {}
            for k, (text, zone_cell) in enumerate(zip(texts, zone_cells, strict=True)):
                if _ISO_WALL.fullmatch(text):
                    by_zone.setdefault(zone_cell, []).append(k)
            for zone_cell, ks in by_zone.items():
                found[ks] = self._walls([texts[k] for k in ks], zone_cell)
        for k in np.flatnonzero(np.isnan(found)).tolist():
            try:
                found[k] = self.epoch(rows[k])
            except Invalid:
                found[k] = np.inf
        return found

    def _walls(self, walls: list[str], zone_cell: str) -> np.ndarray:
        """'YYYY-MM-DD HH:MM:SS' wall times of one zone cell, read as _read would; nan: to be read by it."""
        import numpy as np

        unread = np.full(len(walls), np.nan)
        try:
            zone = self._zone_named(zone_cell) if zone_cell else self.default
            naive = np.array(walls, dtype="datetime64[s]").astype(np.int64)
        except (Invalid, ValueError):
            return unread
        days = naive // 86_400
        years = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        if zone is None:  # _read's UTC shortcut, by parse_timestamp's, which keeps its years' ends
            return np.where((EARLIEST_YEAR <= years) & (years <= LATEST_YEAR), naive, np.nan)
        if not isinstance(zone, ZoneInfo):
            return unread
        offsets = np.full(len(walls), np.nan)
        for day in np.unique(days).tolist():
            key = (EPOCH.date() + timedelta(days=day), zone)
            if key not in self.day_offsets:
                self.day_offsets[key] = steady_offset(*key)
            offset = self.day_offsets[key]
            if offset is not None:
                offsets[days == day] = offset
        inside = (EARLIEST_YEAR < years) & (years < LATEST_YEAR)  # as _on_a_steady_day
        return np.where(inside, naive - offsets, np.nan)

    def _read(self, text: str, zone_cell: str) -> int:
        if not text:
            raise Invalid(f"no ordered_at (column {self.layout.header_of('ordered_at')})", "bad timestamp")
        if len(text) == 19 and not zone_cell and self.default is None and self.formats == [None]:
            return parse_timestamp(text)  # our own 'YYYY-MM-DD HH:MM:SS' in UTC: the common case, read fast
        zone: tzinfo | None = self.default
        if zone_cell:
            zone = self._zone_named(zone_cell)
        wall = text
        if not _ISO_WALL.fullmatch(text):  # which has neither a zone nor an offset of its own
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

    def _zone_named(self, cell: str) -> tzinfo:
        """zone_named, remembered: a file names few zones, on every row."""
        zone = self.zones.get(cell)
        if zone is None:
            zone = self.zones[cell] = zone_named(cell)
        return zone

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
