"""The kitchen's local time: calendar days, hours, minutes and readable labels, DST-correct.

Everything the services count by local time (sales by day and hour, intervals of the day for staffing)
goes through `LocalClock.offset`, which is exact in every IANA zone, including those whose offsets are
not whole hours (Asia/Kolkata +5:30, Asia/Kathmandu +5:45, Pacific/Chatham +12:45) and those that
change offset in the middle of a UTC hour (Australia/Lord_Howe). It is cheap: the offset is looked up
once per UTC hour, with the moment of a change inside that hour when there is one. The zone rules are
the standard library's zoneinfo: exact to the second, and right after 2037, where pytz's tables end.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

EPOCH_DAY = date(1970, 1, 1)
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday is 0)


class LocalClock:
    """Converts epoch seconds (UTC) to the kitchen's local calendar."""

    def __init__(self, zone: str) -> None:
        self.name = zone
        self.zone = ZoneInfo(zone)
        self._hour = lru_cache(maxsize=65536)(self._offsets_in_hour)

    def local(self, epoch: int) -> datetime:
        return datetime.fromtimestamp(epoch, timezone.utc).astimezone(self.zone)

    def _offset_at(self, epoch: int) -> int:
        offset = self.local(epoch).utcoffset()
        assert offset is not None  # an aware datetime, in a zone of zoneinfo: it has one
        return int(offset.total_seconds())

    def _offsets_in_hour(self, hour_start: int) -> tuple[int, int, int]:
        """(offset at the start of this UTC hour, the first second of a new offset or the hour's end, that offset).

        Zones change offset at most once an hour, so one binary search finds the moment of a change.
        """
        before, after = self._offset_at(hour_start), self._offset_at(hour_start + 3599)
        if before == after:
            return before, hour_start + 3600, before
        low, high = hour_start, hour_start + 3599  # the offset at `low` is `before`, at `high` it is not
        while high - low > 1:
            middle = (low + high) // 2
            if self._offset_at(middle) == before:
                low = middle
            else:
                high = middle
        return before, high, after

    def offset(self, epoch: int) -> int:
        """Seconds to add to UTC for local wall-clock time at `epoch`."""
        before, change, after = self._hour(epoch - epoch % 3600)
        return before if epoch < change else after

    def local_seconds(self, epoch: int) -> int:
        """Local wall-clock time as seconds since 1970-01-01 00:00 local (a naive timestamp)."""
        return epoch + self.offset(epoch)

    def hour_of(self, epoch: int) -> tuple[str, int]:
        """The local day ('YYYY-MM-DD') and local hour (0-23) of `epoch`."""
        days, seconds = divmod(self.local_seconds(epoch), 86400)
        return day_label(days), seconds // 3600

    def half_hour_of(self, epoch: int) -> tuple[str, int]:
        """The local day ('YYYY-MM-DD') and local half hour (0-47) of `epoch`."""
        days, seconds = divmod(self.local_seconds(epoch), 86400)
        return day_label(days), seconds // 1800

    def offsets(self, epochs: NDArray[np.integer[Any]]) -> NDArray[np.int64]:
        """`offset` of every epoch of an array (int64), in one pass per distinct UTC hour."""
        import numpy as np  # here: numpy takes a tenth of a second to import

        epochs = np.asarray(epochs, dtype=np.int64)
        if not len(epochs):
            return np.zeros(0, dtype=np.int64)
        hours = epochs - epochs % 3600
        distinct, where = np.unique(hours, return_inverse=True)
        table = np.array([self._hour(int(h)) for h in distinct], dtype=np.int64).reshape(-1, 3)
        before, change, after = table[where, 0], table[where, 1], table[where, 2]
        offsets: NDArray[np.int64] = np.where(epochs < change, before, after)
        return offsets

    def days(self, epochs: NDArray[np.integer[Any]]) -> NDArray[np.int64]:
        """The local day (days since 1970-01-01 of the local calendar) of every epoch of an array."""
        import numpy as np  # here: numpy takes a tenth of a second to import

        epochs = np.asarray(epochs, dtype=np.int64)
        local_days: NDArray[np.int64] = (epochs + self.offsets(epochs)) // 86400
        return local_days

    def changes(self, start: int, end: int) -> list[int]:
        """The moments in [start, end] at which the offset changes (a change on the hour is seen between two
        hours, one inside an hour within it)."""
        found, previous = [], None
        for hour in range(start - start % 3600, end + 1, 3600):
            before, change, after = self._hour(hour)
            if previous is not None and before != previous:
                found.append(hour)
            if after != before:
                found.append(change)
            previous = after
        return [moment for moment in found if start <= moment <= end]

    def label(self, epoch: int) -> str:
        """'2019-02-18 12:30 PST': minutes and the zone's abbreviation, PST or PDT as the date has it."""
        return self.local(epoch).strftime("%Y-%m-%d %H:%M %Z")


@lru_cache(maxsize=4096)
def day_label(days: int) -> str:
    """'YYYY-MM-DD' of a local day counted from 1970-01-01."""
    return (EPOCH_DAY + timedelta(days=days)).isoformat()


def half_hour_label(half_hour: int) -> str:
    """'12:30' for the local half hour 25 of a day (0-47), as the writer's tables count them."""
    return f"{half_hour // 2:02}:{30 * (half_hour % 2):02}"


def weekday(days: int) -> int:
    """Monday 0 to Sunday 6, of a local day counted from 1970-01-01."""
    return (days + EPOCH_WEEKDAY) % 7
