"""A plan's intervals.csv: one record type, written by `python -m simulator.plan` and read by the dashboard's
compare page ("Open a plan"), so that the two cannot drift apart.

One row per interval of the plan's grid (a day's, or a week's per weekday), in the kitchen's zone (the
`timezone` column). The share of days columns come from the held-out replications (see
common/service_level.py); `*_low` and `*_high` bound its 95% Wilson interval.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

YES, NO = "yes", "no"


class PlanLayoutError(ValueError):
    """A file that is not a plan's intervals.csv, or one of an older layout."""


class PlannedInterval(NamedTuple):
    interval: str
    """'12:00', or 'Mon 12:00' when the plan is per weekday: the interval's start, local time."""
    block: str
    """The intervals judged together ('07:00-08:30' when quiet ones are pooled; else the interval's own)."""
    orders_per_day: float
    """Orders expected in the interval on a day of the week planned (the forecast's mean)."""
    requirement_cooks: int
    rostered_cooks: int
    days_judged: int
    """Held-out days on which the block received orders."""
    days_met_pct: float | None
    days_met_pct_low: float | None
    days_met_pct_high: float | None
    p90_min_at_level: float | None
    """The p90 of the block's orders on the day at the service level (95% of days do better), minutes."""
    meets_service_level: str
    """yes: the share of days is at least the level; no: it is below (see days_met_pct_high for how sure)."""
    sipp_cooks: int
    square_root_cooks: int
    timezone: str


COLUMNS = PlannedInterval._fields
OLD_LAYOUT = {"interval", "rostered_cooks", "p90_min", "held_to_target"}
"""The columns of the layout before plans were judged day by day: said, not misread."""


def write_intervals(path: Path, rows: Iterable[PlannedInterval]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        writer.writerows(["" if value is None else value for value in row] for row in rows)


def read_intervals(text: str, name: str = "intervals.csv") -> list[PlannedInterval]:
    """The rows of an intervals.csv; PlanLayoutError names what is wrong (another file, an older layout)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    header = set(rows[0]) if rows else set()
    if rows and OLD_LAYOUT <= header:
        raise PlanLayoutError(
            f"{name} is a plan of an older layout (one p90 averaged over replications): make the"
            " plan again with python -m simulator.plan to open it here"
        )
    missing = [column for column in COLUMNS if column not in header]
    if not rows or missing:
        raise PlanLayoutError(
            f"{name}: expected the intervals.csv that python -m simulator.plan writes"
            + (f" (no column {missing[0]!r})" if rows else "")
        )
    found = []
    for number, row in enumerate(rows, 2):
        try:
            found.append(
                PlannedInterval(
                    row["interval"],
                    row["block"],
                    float(row["orders_per_day"]),
                    int(row["requirement_cooks"]),
                    int(row["rostered_cooks"]),
                    int(row["days_judged"]),
                    _number(row["days_met_pct"]),
                    _number(row["days_met_pct_low"]),
                    _number(row["days_met_pct_high"]),
                    _number(row["p90_min_at_level"]),
                    row["meets_service_level"],
                    int(row["sipp_cooks"]),
                    int(row["square_root_cooks"]),
                    row["timezone"],
                )
            )
        except ValueError as error:
            raise PlanLayoutError(f"{name}, line {number}: {error}") from None
    return found


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None
