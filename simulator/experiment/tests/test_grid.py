"""Intervals of local time, in zones whose offsets are not whole hours, per day and per weekday."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from simulator.experiment.grid import GridError, IntervalGrid


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe"])
def test_intervals_follow_the_local_clock(zone):
    grid = IntervalGrid(15, True, zone)
    epochs = np.arange(1_700_000_000, 1_700_000_000 + 14 * 86400, 433, dtype=np.int64)
    expected = []
    for epoch in epochs.tolist():
        local = datetime.fromtimestamp(epoch, timezone.utc).astimezone(ZoneInfo(zone))
        expected.append(local.weekday() * 96 + (local.hour * 60 + local.minute) // 15)
    assert grid.of(epochs).tolist() == expected


def test_labels_and_schedules():
    daily, weekly = IntervalGrid(30, False, "UTC"), IntervalGrid(60, True, "UTC")
    assert (daily.size, weekly.size) == (48, 168)
    assert (daily.label(25), weekly.label(24 + 13)) == ("12:30", "Tue 13:00")
    cooks = [2] * 48
    cooks[20:24] = [5, 5, 7, 7]
    assert daily.schedule(cooks).describe()["Sun"] == {"00:00": 2, "10:00": 5, "11:00": 7, "12:00": 2}


@pytest.mark.parametrize("minutes", [0, 7, 10, 50, 1441])
def test_intervals_that_do_not_divide_the_day_in_quarter_hours_are_refused(minutes):
    with pytest.raises(GridError, match="quarter hours"):
        IntervalGrid(minutes, False, "UTC")
