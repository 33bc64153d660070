"""When a CSV row was ordered: its time cell(s) read in the zone they are in.

The zone of a time, first that applies: an abbreviation or offset at its end ('09:34 PM EDT', Clover), which
says which side of a clock change it is on; the row's zone column (Square's 'Eastern Time (US & Canada)');
--orders-timezone; the kitchen's zone, for an export whose till writes local times (Layout.local_times); else
UTC. A time the clocks pass twice, in a named zone, is its first occurrence; one they skip is rejected
(simulator/orders.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from simulator.feed.cells import split_zone_abbreviation, zone_named
from simulator.feed.layout import Layout
from simulator.orders import UTC, Invalid, Reading, parse_timestamp

_EPOCH = datetime(1970, 1, 1)
CACHE = 4096
"""Times remembered, by cell: an order's lines share theirs, and a busy minute has several orders."""


class RowTimes:
    """Reads a row's time to epoch seconds, remembering the last few (see CACHE)."""

    def __init__(self, layout: Layout, reading: Reading, kitchen_zone: str | None) -> None:
        self.layout = layout
        self.formats: tuple[str | None, ...] = (
            (reading.time_format,) if reading.time_format else layout.shape.time_formats or (None,)
        )
        default = reading.timezone or (kitchen_zone if layout.shape.local_times else None)
        self.default = None if default is None else ZoneInfo(default)
        self.cache: dict[tuple[str, str], int] = {}

    @property
    def zone(self) -> str | None:
        """Where times without a zone of their own are read (None: UTC), for `simulator.check`."""
        return None if self.default is None else str(self.default)

    def epoch(self, row: list[str]) -> int:
        """The row's time, or Invalid saying why it cannot be read."""
        text, zone = self.layout.value(row, "ordered_at"), self.layout.value(row, "zone")
        key = (text, zone)
        found = self.cache.get(key)
        if found is None:
            if len(self.cache) >= CACHE:
                self.cache.clear()
            found = self.cache[key] = self._read(text, zone)
        return found

    def _read(self, text: str, zone_cell: str) -> int:
        if not text:
            raise Invalid(f"no ordered_at (column {self.layout.header_of('ordered_at')})", "bad timestamp")
        zone: tzinfo | None = self.default
        if zone_cell:
            zone = zone_named(zone_cell)
        wall, said = split_zone_abbreviation(text)
        if said is not None:
            zone = said
        error: Invalid | None = None
        for pattern in self.formats:
            try:
                if isinstance(zone, ZoneInfo):
                    return parse_timestamp(wall, Reading(zone.key, pattern))
                seconds = parse_timestamp(wall, Reading(None, pattern) if pattern else UTC)
            except Invalid as reason:
                error = error or reason
                continue
            offset = zone.utcoffset(None) if zone is not None else None
            return seconds - int((offset or timedelta(0)).total_seconds())
        assert error is not None
        raise error


def naive_utc(epoch: int) -> str:
    """Epoch seconds as the naive UTC time simulator/orders.py reads fastest."""
    return (_EPOCH + timedelta(seconds=epoch)).strftime("%Y-%m-%dT%H:%M:%S")
