"""`python -m simulator.sweep` on a user's own file: another menu, another demand curve, another zone."""

from __future__ import annotations

import argparse
import csv
import json
from types import SimpleNamespace

import pytest

from common.localtime import LocalClock
from simulator import sweep
from simulator.experiment.cli import crew_range
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.options import describe_peaks, peak_intervals, two_level
from simulator.experiment.report import Estimate
from simulator.feed import read_orders
from simulator.menu import load_menu
from simulator.run import NoRecorder, simulate
from simulator.sweep import verdict_line
from tests import other_kitchen
from tests.parameters import write_parameters


@pytest.mark.parametrize("text", ["60:160", "a:b:c", "0:10:1", "50:40:10", "10:20:0"])
def test_bad_crew_ranges_are_refused(text):
    with pytest.raises(argparse.ArgumentTypeError, match=r"expected (start:stop:step|0 < start <= stop)"):
        crew_range(text)


def test_a_two_level_schedules_peaks_are_the_users_busiest_intervals():
    grid = IntervalGrid(60, False, "Asia/Kolkata")
    orders = [1] * 24
    orders[13:15] = [30, 40]  # a late lunch
    orders[19:23] = [60, 80, 80, 50]  # a long evening
    peaks = peak_intervals(orders, grid)
    assert [i for i, peak in enumerate(peaks) if peak] == [14, 19, 20, 21, 22]  # at least half the busiest
    schedule = two_level(40, 90, peaks, grid)
    assert schedule.describe()["Tue"] == {"00:00": 40, "14:00": 90, "15:00": 40, "19:00": 90, "23:00": 40}
    assert describe_peaks(peaks, grid) == "14:00-15:00, 19:00-23:00"


def test_a_weekly_grids_peaks_are_named_by_the_weekdays_that_share_them():
    grid = IntervalGrid(60, True, "Asia/Kolkata")
    week = []
    for weekday in range(7):
        day = [1] * 24
        if weekday < 4:
            day[12:14] = [50, 60]
        elif weekday < 6:
            day[18:22] = [70, 90, 90, 60]
        week += day if weekday < 6 else [0] * 24  # closed on Sundays
    assert describe_peaks(peak_intervals(week, grid), grid) == "Mon-Thu 12:00-14:00; Fri-Sat 18:00-22:00; Sun none"


@pytest.fixture
def their_kitchen(tmp_path, monkeypatch):
    """The other kitchen's files, one order of them with a dish not on the menu, and its parameters."""
    menu, orders = other_kitchen.write(tmp_path, days=4)
    raw = json.loads(orders.read_text())
    raw[10]["items"][0]["name"] = "Pizza Margherita"
    orders.write_text(json.dumps(raw))
    monkeypatch.setenv(
        "KITCHEN_PARAMETERS",
        str(
            write_parameters(
                tmp_path / "parameters.py",
                KITCHEN_TIMEZONE=other_kitchen.ZONE,
                COOK_SCHEDULE={"00:00": 10, "12:00": 60, "16:00": 30, "18:30": 80, "23:30": 15},
            )
        ),
    )
    return tmp_path, menu, orders


def run_sweep(folder, menu, orders, *more) -> tuple[list[dict], str]:
    out = folder / "out"
    assert (
        sweep.main(
            [
                "--orders",
                str(orders),
                "--menu",
                str(menu),
                "--out",
                str(out),
                "--no-progress",
                "--workers",
                "2",
                *map(str, more),
            ]
        )
        == 0
    )
    return list(csv.DictReader((out / "sweep.csv").read_text().splitlines())), (out / "sweep.html").read_text()


def test_replication_one_is_the_file_replayed(their_kitchen, capsys):
    folder, menu, orders = their_kitchen
    rows, _ = run_sweep(folder, menu, orders, "--cooks", "40:80:20", "--replications", "1")
    for crew in (40, 60, 80):
        replay = simulate(
            read_orders(orders, load_menu(menu)), crew, None, NoRecorder(), LocalClock(other_kitchen.ZONE)
        )
        row = next(r for r in rows if r["option"] == f"{crew} cooks")
        assert float(row["p90_min"]) == round(replay.summary.fulfillment.percentile(90) / 60, 2)
        assert float(row["labour_cook_hours"]) == round(replay.summary.labour_hours, 1)
    printed = capsys.readouterr().out
    assert printed.count("rejected") == 1  # one line for the file, none per order
    assert "1 orders of the file rejected (the first: order 11: item 1: unknown dish 'Pizza Margherita')" in printed


def test_a_sweep_writes_its_table_chart_and_verdict(their_kitchen, capsys):
    folder, menu, orders = their_kitchen
    rows, html = run_sweep(folder, menu, orders, "--cooks", "30:90:15", "--replications", "3", "--sla-p90", "25")
    names = [r["option"] for r in rows]
    assert names[:5] == ["30 cooks", "45 cooks", "60 cooks", "75 cooks", "90 cooks"]
    assert names[-1] == "your COOK_SCHEDULE" and "30 / 90 at peaks" in names
    fixed = rows[:5]
    p90 = [float(r["p90_min"]) for r in fixed]
    assert p90 == sorted(p90, reverse=True) and p90[0] > p90[-1]  # more cooks, shorter waits
    assert all(r["p90_min_ci95_half_width"] != "" for r in rows)  # three replications give an interval
    on_target = [int(r["blocks_meeting_service_level"]) for r in fixed]
    assert on_target == sorted(on_target) and on_target[0] < on_target[-1] == int(fixed[-1]["blocks_with_orders"])
    all_met = [float(r["days_every_block_met_pct"]) for r in fixed]
    assert all_met == sorted(all_met) and all_met[-1] == 100 and {r["timezone"] for r in rows} == {other_kitchen.ZONE}
    for row in rows:  # rounded, with units in the column names
        assert all(len(row[c].partition(".")[2]) <= 2 for c in ("p90_min", "labour_cook_hours", "utilisation_pct"))
        assert 0 < float(row["utilisation_pct"]) <= 100
    assert len(html) < 100_000 and "Fixed crews and schedules: p90 fulfillment against labour (Asia" in html

    printed = capsys.readouterr().out
    meeting = [r for r in fixed if float(r["p90_min"]) <= 25]
    verdict = (
        f"Smallest fixed crew, p90 overall: {meeting[0]['option']} ("
        if meeting
        else "Smallest fixed crew, p90 overall: none tried meets it"
    )
    assert verdict in printed
    assert "your COOK_SCHEDULE" in printed.split("Shown:")[0]  # the user's own schedule is always in the table
    assert "Max queue counts orders waiting for a first cook" in printed
    assert "p90 fulfillment at most 25 min in every interval on 95% of days" in printed
    holding = [r for r in fixed if r["blocks_meeting_service_level"] == r["blocks_with_orders"]]
    assert (
        f"Smallest fixed crew, service level: {holding[0]['option']} ("
        if holding
        else "Smallest fixed crew, service level: none tried meets it"
    ) in printed


def test_the_target_defaults_to_the_parameters_file(their_kitchen, capsys, monkeypatch, tmp_path):
    folder, menu, orders = their_kitchen
    monkeypatch.setenv(
        "KITCHEN_PARAMETERS",
        str(write_parameters(tmp_path / "p2.py", KITCHEN_TIMEZONE=other_kitchen.ZONE, SLA_P90_MINUTES=33)),
    )
    run_sweep(folder, menu, orders, "--cooks", "60:60:1", "--replications", "1")
    assert "p90 fulfillment at most 33 min" in capsys.readouterr().out


def test_the_smallest_crew_tried_meeting_it_is_said_to_be_the_bottom_of_the_range(their_kitchen, capsys):
    folder, menu, orders = their_kitchen
    rows, _ = run_sweep(folder, menu, orders, "--cooks", "90:100:10", "--replications", "2")
    assert rows[0]["blocks_meeting_service_level"] == rows[0]["blocks_with_orders"]  # 90 cooks meets it all
    printed = capsys.readouterr().out
    note = "; the smallest crew tried: a smaller one might also meet it (widen --cooks to a lower start)"
    for verdict in ("Smallest fixed crew, p90 overall: 90 cooks (", "Smallest fixed crew, service level: 90 cooks ("):
        line = next(line for line in printed.splitlines() if line.startswith(verdict))
        assert line.endswith(note), line


def test_a_crew_above_the_bottom_of_the_range_is_not_said_to_be_it():
    def tried(name):
        return SimpleNamespace(
            option=SimpleNamespace(name=name),
            labour_hours=Estimate(100.0),
            p90=Estimate(20.0, 1.0),
            blocks_meeting=lambda: (24, 24),
        )

    bottom, above = tried("40 cooks"), tried("60 cooks")
    assert verdict_line("smallest fixed crew, service level", above, bottom) == (
        "Smallest fixed crew, service level: 60 cooks (100 cook-hours, p90 20.0 ±1.0 min, 24/24 blocks at the service"
        " level)"
    )
    assert verdict_line("smallest fixed crew, p90 overall", bottom, bottom).endswith(
        "24/24 blocks at the service level); the smallest crew tried: a smaller one might also meet it (widen --cooks"
        " to a lower start)"
    )
    assert (
        verdict_line("cheapest option, service level", None, bottom)
        == "Cheapest option, service level: none tried meets it"
    )
