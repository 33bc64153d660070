"""The week's shifts as an iCalendar file (RFC 5545, written with the icalendar package), which any calendar can
import: one event per row of shifts.csv, in UTC (so no calendar needs the kitchen's zone), its break and paid hours
in the description."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

PRODUCT = "-//Kitchen Simulator//simulator.plan//EN"


def write_calendar(path: Path, columns: Sequence[str], rows: Sequence[Sequence[object]], zone: str) -> int:
    """Write the shifts (rows as shifts.csv has them, under its `columns`) to `path`; returns the events written. The
    stamp of every event is the week's first midnight, so the same plan writes the same file."""
    from icalendar import Calendar, Event  # the [plan] extra

    local = ZoneInfo(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Kitchen shifts")
    shifts = [dict(zip(columns, row, strict=True)) for row in rows]
    if not shifts:
        path.write_bytes(calendar.to_ical())
        return 0
    stamp = datetime.combine(min(date.fromisoformat(str(s["day"])) for s in shifts), time(), local)
    for number, shift in enumerate(shifts, start=1):
        begins = _moment(str(shift["day"]), str(shift["start"]), local)
        ends = begins + timedelta(hours=float(shift["hours"]))  # type: ignore[arg-type]
        cooks = int(shift["cooks_starting"])  # type: ignore[call-overload]
        role = f"{shift['role']} " if "role" in shift else ""
        cook = f"{shift['cook']}: " if shift.get("cook") else ""
        event = Event()
        who = str(shift.get("cook") or role.strip() or "cook").replace(" ", "-")
        event.add("uid", f"{shift['day']}-{shift['start']}-{who}-{number}@kitchen-simulator")
        event.add("dtstamp", stamp.astimezone(timezone.utc))
        event.add("dtstart", begins.astimezone(timezone.utc))
        event.add("dtend", ends.astimezone(timezone.utc))
        event.add("summary", cook + f"{role}shift, {cooks} cook{'s' if cooks > 1 else ''}".capitalize())
        rest = f"break {shift['break_start']} for {shift['break_minutes']} min; " if shift.get("break_start") else ""
        event.add(
            "description",
            f"{rest}{shift['paid_hours']} paid hours a cook; {shift['cost']} {shift['currency']} for the"
            f" {cooks}; times of {zone}",
        )
        calendar.add_component(event)
    path.write_bytes(calendar.to_ical())
    return len(shifts)


def _moment(day: str, clock: str, zone: ZoneInfo) -> datetime:
    """A local day and wall-clock time as an aware moment (a time the clocks skip reads as after the change)."""
    naive = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock))
    return naive.replace(tzinfo=zone)
