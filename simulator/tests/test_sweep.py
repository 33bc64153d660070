import csv
import math

import pytest

from simulator import sweep
from tests.processes import generate


def test_confidence_intervals_use_student_t():
    mean, half = sweep.summarise([1.0, 2.0, 3.0])
    assert mean == 2.0 and half == pytest.approx(4.30 * 1.0 / math.sqrt(3))
    assert sweep.summarise([5.0]) == (5.0, None)


@pytest.mark.parametrize("text", ["60:160", "a:b:c", "0:10:1", "50:40:10", "10:20:0"])
def test_bad_crew_ranges_are_refused(text):
    with pytest.raises(Exception, match="expected"):
        sweep.crew_range(text)


def test_a_peak_schedule_has_the_peak_crew_at_lunch_and_dinner():
    schedule = sweep.peak_schedule(40, 90, "America/Los_Angeles")
    assert schedule.describe()["Tue"] == {"00:00": 40, "10:30": 90, "14:30": 40, "17:00": 90, "21:30": 40}


def test_the_verdict_picks_the_cheapest_that_meets_the_target():
    rows = [{"option": "a", "kind": "fixed", "p90": 50, "labour_hours": 100},
            {"option": "b", "kind": "fixed", "p90": 30, "labour_hours": 200},
            {"option": "c", "kind": "schedule", "p90": 39, "labour_hours": 150},
            {"option": "d", "kind": "schedule", "p90": 41, "labour_hours": 120}]
    fixed, cheapest = sweep.verdict(rows, 40)
    assert (fixed["option"], cheapest["option"]) == ("b", "c")
    assert sweep.verdict(rows, 10) == (None, None)


@pytest.mark.e2e
def test_a_sweep_writes_its_table_chart_and_verdict(tmp_path, capsys):
    menu, orders = generate(tmp_path, days=1, orders_per_day=800)
    out = tmp_path / "out"
    assert sweep.main(["--orders", str(orders), "--menu", str(menu), "--cooks", "20:40:10", "--replications", "2",
                       "--out", str(out), "--no-progress", "--sla-p90", "30"]) == 0
    rows = list(csv.DictReader((out / "sweep.csv").read_text().splitlines()))
    assert [r["option"] for r in rows] == ["20 cooks", "30 cooks", "40 cooks", "20 / 30 at peaks",
                                           "20 / 40 at peaks", "30 / 40 at peaks"]
    p90 = [float(r["p90"]) for r in rows[:3]]
    assert p90 == sorted(p90, reverse=True)  # more cooks, shorter waits
    assert all(r["p90_ci95"] for r in rows)  # two replications give an interval
    assert float(rows[0]["labour_hours"]) < float(rows[2]["labour_hours"])
    assert (out / "sweep.html").stat().st_size > 100_000  # plotly.js is inside: it opens offline
    printed = capsys.readouterr().out
    assert "p90 (95% CI)" in printed and ("Smallest fixed crew meeting p90 <= 30 min" in printed
                                           or "No fixed crew tried meets" in printed)
