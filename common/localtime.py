"""The kitchen's local time: calendar days, hours and readable labels, DST-correct via pytz."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

import pytz


class LocalClock:
    """Converts epoch seconds (UTC) to the kitchen's local calendar."""

    def __init__(self, zone: str) -> None:
        self.zone = pytz.timezone(zone)
        self.day_and_hour = lru_cache(maxsize=4096)(self._day_and_hour)

    def local(self, epoch: int) -> datetime:
        return datetime.fromtimestamp(epoch, timezone.utc).astimezone(self.zone)

    def _day_and_hour(self, hour_start: int) -> tuple[str, int]:
        moment = self.local(hour_start)
        return moment.strftime("%Y-%m-%d"), moment.hour

    def hour_of(self, epoch: int) -> tuple[str, int]:
        """The local day ('YYYY-MM-DD') and local hour (0-23) of `epoch`.

        Cached per UTC hour: every UTC hour falls in one local hour in zones whose offsets are whole hours.
        """
        return self.day_and_hour(epoch - epoch % 3600)

    def label(self, epoch: int) -> str:
        """'2019-02-18 12:30 PST': minutes and the zone's abbreviation, PST or PDT as the date has it."""
        return self.local(epoch).strftime("%Y-%m-%d %H:%M %Z")
