"""`python -m simulator.plan` end to end on a kitchen that is not the shipped one (another menu, demand
curve and time zone): the roster meets the target in re-simulation, its files agree with each other, and
the simulator runs the schedule it wrote."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from common.schedule import WEEKDAYS, CookSchedule
from simulator import plan
from tests import other_kitchen
from tests.parameters import write_parameters


@pytest.fixture
def their_kitchen(tmp_path, monkeypatch):
    parameters = write_parameters(tmp_path / "parameters.py", KITCHEN_TIMEZONE=other_kitchen.ZONE)
    monkeypatch.setenv("KITCHEN_PARAMETERS", str(parameters))
    return tmp_path, parameters


def read_csv(path):
    return list(csv.DictReader(path.read_text().splitlines()))


@pytest.mark.e2e
def test_a_plan_from_a_week_of_orders(their_kitchen, capsys):
    folder, parameters = their_kitchen
    menu, orders = other_kitchen.write(folder, days=7)
    out = folder / "plan"
    assert plan.main(["--orders", str(orders), "--menu", str(menu), "--out", str(out), "--replications", "3",
                      "--sla-p90", "35", "--no-progress", "--workers", "2"]) == 0

    schedule = json.loads((out / "cook_schedule.json").read_text())
    assert "00:00" in schedule and not set(schedule) & set(WEEKDAYS)  # a week of data: one schedule for every day
    CookSchedule.parse(schedule, other_kitchen.ZONE)

    intervals = read_csv(out / "intervals.csv")
    assert len(intervals) == 48
    held = [row for row in intervals if row["held_to_target"] == "yes"]
    assert held and all(row["target_met"] == "yes" and float(row["p90_min"]) <= 35 for row in held)
    assert all(int(row["rostered_cooks"]) >= int(row["requirement_cooks"]) for row in intervals)

    covered = [0] * 48  # the shifts add up to the cooks rostered in every interval
    labels = [row["interval"] for row in intervals]
    for shift in read_csv(out / "shifts.csv"):
        start, length = labels.index(shift["start"]), round(float(shift["hours"]) * 2)
        assert 4 <= float(shift["hours"]) <= 8
        for k in range(length):
            covered[(start + k) % 48] += int(shift["cooks_starting"])
    assert covered == [int(row["rostered_cooks"]) for row in intervals]

    compared = {row["option"]: row for row in read_csv(out / "comparison.csv")}
    roster = compared["the roster"]
    fixed = next(row for name, row in compared.items() if row["kind"] == "fixed")
    assert int(roster["intervals_on_target"]) == int(roster["intervals_held_to_target"]) > 20
    assert float(roster["labour_cook_hours"]) < 0.8 * float(fixed["labour_cook_hours"])
    assert {"SIPP roster", "square-root staffing roster"} <= set(compared)
    printed = capsys.readouterr().out
    assert "price of shifts" in printed and "below the smallest fixed crew" in printed

    db = folder / "k.db"
    run = subprocess.run([sys.executable, "-m", "simulator", "--orders", str(orders), "--menu", str(menu), "--db", str(db),
                          "--schedule", str(out / "cook_schedule.json"), "--speed", "max", "--quiet"],
                         capture_output=True, text=True, timeout=120, env={"KITCHEN_PARAMETERS": str(parameters),
                                                                          "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    assert "run 1 completed" in run.stdout


@pytest.mark.e2e
def test_two_weeks_of_orders_give_a_schedule_per_weekday_busier_at_weekends(their_kitchen):
    folder, _ = their_kitchen
    menu, orders = other_kitchen.write(folder, days=14, first_day="2024-03-04")
    out = folder / "plan"
    assert plan.main(["--orders", str(orders), "--menu", str(menu), "--out", str(out), "--replications", "2",
                      "--interval", "60", "--no-progress", "--workers", "2"]) == 0
    schedule = json.loads((out / "cook_schedule.json").read_text())
    assert set(schedule) == set(WEEKDAYS)
    parsed = CookSchedule.parse(schedule, other_kitchen.ZONE)
    intervals = {row["interval"]: row for row in read_csv(out / "intervals.csv")}
    assert len(intervals) == 7 * 24
    weekend = [int(intervals[f"{d} 21:00"]["requirement_cooks"]) for d in ("Sat", "Sun")]
    weekday = [int(intervals[f"{d} 21:00"]["requirement_cooks"]) for d in ("Tue", "Wed", "Thu")]
    assert min(weekend) > max(weekday)  # 1.4 times the orders at weekends
    assert parsed.describe()["Sat"] != parsed.describe()["Tue"]


def test_bad_shift_bounds_are_refused(their_kitchen, capsys):
    with pytest.raises(SystemExit) as exit_:
        plan.main(["--min-shift", "9", "--max-shift", "8"])
    assert exit_.value.code == 2
    assert "expected 0 < --min-shift <= --max-shift <= 24 hours" in capsys.readouterr().err
