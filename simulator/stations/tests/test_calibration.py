"""Calibration from a kitchen display export, on exports the tests make by running a known layout: the fitted
times come back close to the known ones, and the fitted layout replays each station's recorded times within 10%
(p50 and p90), with started times, without them, and from Toast's KitchenTimings.csv."""

from __future__ import annotations

import csv
import random
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from common.localtime import LocalClock
from simulator.menu import Dish
from simulator.orders import Line, Order
from simulator.run import simulate
from simulator.stations.calibration import CalibrationError, fit_layout, read_items, replay
from simulator.stations.layout import LaidOut, parse_layout
from tests.kitchen_data import Recording

ZONE = "Australia/Sydney"
TOLERANCE = 0.10
KNOWN = {
    "stations": {"wok": {}, "tandoor": {"slots": 4}, "pass": {}},
    "roles": {"wok_cook": {"stations": ["wok"], "cooks": 2}, "packer": {"stations": ["pass"], "cooks": 1}},
    "routes": [
        {"dishes": "Pad Thai", "steps": [{"station": "wok", "time": {"median": 240, "p90": 330}}]},
        {"dishes": "Naan", "steps": [{"station": "tandoor", "time": {"median": 420, "p90": 480}}]},
        {
            "dishes": "Tikka",
            "steps": [{"station": "wok", "time": 150}, {"station": "tandoor", "time": {"median": 600, "p90": 720}}],
        },
    ],
    "packing": {"station": "pass", "per_order": 30, "per_unit": 8},
}
CREW = {key: KNOWN[key] for key in ("stations", "roles")} | {"packing": {"station": "pass"}}
"""What the analyst knows without the export: the roles as they worked, the tandoor's slots, who packs."""
DISHES = [Dish("Pad Thai", 1), Dish("Naan", 1), Dish("Tikka", 1)]


def recorded(layout: dict, orders: int = 2500, seed: int = 3) -> Recording:
    """The unit steps of a run of the known layout over a Poisson stream, busy enough that units wait."""
    rng, t, made = random.Random(seed), 1_700_000_000.0, []
    for position in range(1, orders + 1):
        t += rng.expovariate(1 / 260)
        lines = tuple(Line(dish, rng.randint(1, 2), 100) for dish in rng.sample(DISHES, rng.randint(1, 2)))
        made.append(Order(position, "c", "s", int(t), lines, 100))
    recording = Recording()
    simulate(made, LaidOut(parse_layout(layout, ZONE), seed=seed, record_units=True), None, recording, LocalClock(ZONE))
    return recording


def local(moment: int, pattern: str = "%Y-%m-%d %H:%M:%S") -> str:
    return datetime.fromtimestamp(moment, ZoneInfo(ZONE)).strftime(pattern)


def dish_of(recording: Recording, step) -> str:
    ticket = recording.tickets[step.order]
    units = [line.dish.name for line in ticket.order.lines for _ in range(line.quantity)]
    return units[step.unit] if step.unit < len(units) else ""


def write_export(path: Path, recording: Recording, started: bool = True) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        rows = csv.writer(out)
        rows.writerow(["Ticket", "Item", "Station", "Fired", *(["Started"] if started else []), "Bumped"])
        for step in recording.steps:
            rows.writerow(
                [
                    f"T{step.order}",
                    dish_of(recording, step),
                    step.station,
                    local(step.ready_at),
                    *([local(step.started_at)] if started else []),
                    local(step.ended_at),
                ]
            )
    return path


COLUMNS = {"order_id": "Ticket", "item": "Item", "station": "Station", "fired_at": "Fired", "done_at": "Bumped"}


def route_times(tables: dict) -> dict[tuple[str, str], object]:
    return {(r["dishes"], s["station"]): s["time"] for r in tables["routes"] for s in r["steps"]}


def assert_replays(rows, tables) -> None:
    fits = replay(rows, tables, ZONE)
    assert {fit.station for fit in fits} == {"wok", "tandoor", "pass"}
    for fit in fits:
        assert fit.off() <= TOLERANCE, fit


@pytest.fixture(scope="module")
def run_of_known() -> Recording:
    return recorded(KNOWN)


def test_with_started_times_the_fit_finds_the_known_times_and_replays_within_tolerance(tmp_path, run_of_known):
    export = write_export(tmp_path / "items.csv", run_of_known)
    rows = read_items(export, ZONE, columns={**COLUMNS, "started_at": "Started"})
    tables = fit_layout(rows, CREW, ZONE)
    times = route_times(tables)
    assert times[("Pad Thai", "wok")]["median"] == pytest.approx(240, rel=0.05)
    assert times[("Pad Thai", "wok")]["p90"] == pytest.approx(330, rel=0.05)
    assert times[("Tikka", "wok")] == 150  # a fixed time comes back fixed
    assert times[("Tikka", "tandoor")]["median"] == pytest.approx(600, rel=0.05)
    assert [r["steps"][0]["station"] for r in tables["routes"] if r["dishes"] == "Tikka"] == ["wok"]
    assert tables["packing"] == {"station": "pass", "per_order": pytest.approx(30, abs=1), "per_unit": 8}
    assert_replays(rows, tables)


def test_without_started_times_the_starts_are_estimated_from_the_crew(tmp_path, run_of_known):
    export = write_export(tmp_path / "items.csv", run_of_known, started=False)
    rows = read_items(export, ZONE, columns=COLUMNS)
    tables = fit_layout(rows, CREW, ZONE)
    times = route_times(tables)
    # the wok's units wait for its 2 cooks: fired to done is well above the work, the estimate is not
    waited = (rows["done"] - rows["fired"])[(rows["item"] == "Pad Thai") & (rows["station"] == "wok")].median()
    assert waited > 1.2 * 240
    assert times[("Pad Thai", "wok")]["median"] == pytest.approx(240, rel=0.05)
    assert times[("Naan", "tandoor")]["median"] == pytest.approx(420, rel=0.05)
    assert_replays(rows, tables)


def test_a_crew_unlike_the_one_that_worked_does_not_replay(tmp_path, run_of_known):
    rows = read_items(
        write_export(tmp_path / "items.csv", run_of_known), ZONE, columns={**COLUMNS, "started_at": "Started"}
    )
    fewer = {**CREW, "roles": {**CREW["roles"], "wok_cook": {"stations": ["wok"], "cooks": 1}}}
    fits = replay(rows, fit_layout(rows, fewer, ZONE), ZONE)
    assert max(fit.off() for fit in fits if fit.station == "wok") > 1  # one cook cannot keep up with the wok


def test_toasts_kitchen_timings_a_ticket_per_station(tmp_path):
    layout = {
        "stations": {"grill": {}, "pizza": {"slots": 3}, "expo": {}},
        "roles": {"cook": {"stations": ["grill"], "cooks": 2}, "expo": {"stations": ["expo"], "cooks": 1}},
        "routes": [
            {"dishes": "Pad Thai", "steps": [{"station": "grill", "time": {"median": 200, "p90": 300}}]},
            {"dishes": ["Naan", "Tikka"], "steps": [{"station": "pizza", "time": {"median": 480, "p90": 540}}]},
        ],
        "packing": {"station": "expo", "per_order": 45, "per_unit": 0},
    }
    recording = recorded(layout, orders=2000, seed=5)
    days: dict[str, int] = {}
    check = {}  # the order's check number: its place in its day's orders
    for position, ticket in sorted(recording.tickets.items()):
        day = local(ticket.received_at, "%Y-%m-%d")
        days[day] = check[position] = days.get(day, 0) + 1
    export = tmp_path / "KitchenTimings.csv"
    with export.open("w", newline="", encoding="utf-8") as out:
        rows = csv.writer(out)
        rows.writerow(["Location", "ID", "Check #", "Station", "Expediter Level", "Fired Date", "Fulfilled Date",
                       "Fulfillment Time"])  # fmt: skip
        for step in recording.steps:
            # a ticket is fired when the order is sent, the expediter's too; the dates show minutes, the duration
            # seconds
            fired = recording.tickets[step.order].received_at
            took = step.ended_at - fired
            rows.writerow(
                [
                    "Sydney",
                    step.order,
                    check[step.order],
                    "" if step.station == "expo" else step.station,
                    "1" if step.station == "expo" else "",
                    local(fired, "%m/%d/%y %I:%M %p"),
                    local(step.ended_at, "%m/%d/%y %I:%M %p"),
                    f"{took // 3600}:{took // 60 % 60:02}:{took % 60:02}",
                ]
            )
    rows = read_items(export, ZONE, preset="toast")
    assert rows["order_id"].nunique() == len(recording.tickets)  # a check number is an order once per day
    crew = {key: layout[key] for key in ("stations", "roles")} | {"packing": {"station": "expo"}}
    tables = fit_layout(rows, crew, ZONE)
    times = route_times(tables)
    assert times[("grill", "grill")]["median"] == pytest.approx(200, rel=0.05)
    assert times[("pizza", "pizza")]["median"] == pytest.approx(480, rel=0.05)
    assert tables["packing"]["per_order"] == pytest.approx(45, abs=2)
    fits = replay(rows, tables, ZONE)
    assert {fit.station for fit in fits} == {"grill", "pizza", "expo"}
    assert all(fit.off() <= TOLERANCE for fit in fits), fits


def test_samples_fit(tmp_path, run_of_known):
    rows = read_items(
        write_export(tmp_path / "items.csv", run_of_known), ZONE, columns={**COLUMNS, "started_at": "Started"}
    )
    tables = fit_layout(rows, CREW, ZONE, fit="samples")
    samples = route_times(tables)[("Naan", "tandoor")]["samples"]
    assert len(samples) == 100 and samples == sorted(samples)
    assert samples[49] == pytest.approx(420, rel=0.05)
    assert_replays(rows, tables)


def test_bad_exports_are_named_by_file_column_and_row(tmp_path):
    export = tmp_path / "items.csv"
    export.write_text("Ticket,Station,Fired,Bumped\nT1,wok,2024-05-01 12:00:00,2024-05-01 12:04:00\n"
                      "T2,wok,yesterday noon,2024-05-01 12:09:00\n")  # fmt: skip
    with pytest.raises(CalibrationError, match=r"items.csv, row 3, column 'Fired': not a time: 'yesterday noon'"):
        read_items(export, ZONE, columns=COLUMNS)
    export.write_text("Ticket,Fired,Bumped\nT1,2024-05-01 12:00:00,2024-05-01 12:04:00\n")
    with pytest.raises(CalibrationError, match=r"no column 'Station' for station .* --columns station=YOURS"):
        read_items(export, ZONE, columns=COLUMNS)
    export.write_text("Ticket,Station,Fired,Bumped\nT1,wok,2024-05-01 12:00:00,2024-05-01 11:04:00\n")
    with pytest.raises(CalibrationError, match="row 2: done before it was fired"):
        read_items(export, ZONE, columns=COLUMNS)
    export.write_text("Ticket,Station,Fired,Bumped\nT1,wok,2024-10-06 02:30:00,2024-10-06 03:34:00\n")
    with pytest.raises(CalibrationError, match=r"row 2, column 'Fired': '2024-10-06 02:30:00' is skipped"):
        read_items(export, ZONE, columns=COLUMNS)  # Sydney's clocks skip 02:00-03:00 that night
    with pytest.raises(CalibrationError, match="not found"):
        read_items(tmp_path / "missing.csv", ZONE)


def test_times_with_their_own_offsets_across_a_clock_change_and_a_recorded_zero(tmp_path):
    from simulator.stations.calibration import StationFit

    export = tmp_path / "items.csv"
    export.write_text(
        "Ticket,Station,Fired,Bumped\n"
        "T1,wok,2024-03-30T12:00:00+00:00,2024-03-30T12:04:00+00:00\n"
        "T2,wok,2024-04-01T12:00:00+01:00,2024-04-01T12:05:30+01:00\n"  # Lisbon's summer time, offset and all
        "T3,wok,2024-10-27 01:30:00,2024-10-27 01:40:00\n"  # passed twice that night: its first reading
    )
    rows = read_items(export, "Europe/Lisbon", columns=COLUMNS)
    assert list(rows["done"] - rows["fired"]) == [240, 330, 600]
    assert rows["fired"][1] == 1_711_969_200  # 2024-04-01 11:00 UTC
    assert rows["fired"][2] == 1_729_989_000  # 2024-10-27 00:30 UTC: 01:30 in summer time, the first of the two
    assert StationFit("pass", 3, (0.0, 0.0), (20.0, 35.0)).off() == 35.0  # a recorded 0 is a second, not a crash


def test_a_crew_file_that_makes_no_kitchen_is_refused(tmp_path, run_of_known):
    rows = read_items(write_export(tmp_path / "items.csv", run_of_known), ZONE, columns=COLUMNS)
    with pytest.raises(CalibrationError, match="no role works it"):  # nobody works the pass the export names
        fit_layout(
            rows, {"roles": {"wok_cook": {"stations": ["wok"], "cooks": 2}}, "stations": {"wok": {}, "pass": {}}}, ZONE
        )


def test_the_command_writes_a_layout_the_simulator_reads_and_says_how_it_replays(tmp_path, run_of_known, capsys):
    from simulator.calibrate import main
    from simulator.stations.layout import read_layout

    export = write_export(tmp_path / "items.csv", run_of_known, started=False)
    crew = tmp_path / "crew.toml"
    crew.write_text(
        "[stations]\nwok = {}\ntandoor = { slots = 4 }\npass = {}\n"
        '[roles.wok_cook]\nstations = ["wok"]\ncooks = 2\n[roles.packer]\nstations = ["pass"]\ncooks = 1\n'
        '[packing]\nstation = "pass"\n'
    )
    columns = ",".join(f"{ours}={theirs}" for ours, theirs in COLUMNS.items())
    given = ["--items", str(export), "--crew", str(crew), "--timezone", ZONE]
    argv = [*given, "--columns", columns]
    assert main([*argv, "--out", str(tmp_path / "layout.json")]) == 0
    said = capsys.readouterr().out
    assert "every station within 10% of the record" in said and "tandoor" in said
    layout = read_layout(tmp_path / "layout.json", ZONE)
    assert [station.name for station in layout.stations] == ["wok", "tandoor", "pass"]
    assert layout.packing is not None and layout.packing.per_unit == 8

    crew.write_text(crew.read_text().replace("cooks = 2", "cooks = 1"))  # not the crew that worked
    assert main([*argv, "--out", str(tmp_path / "other.json")]) == 1
    assert "wok: replayed more than 10% from the record" in capsys.readouterr().out

    assert main([*given, "--out", str(tmp_path / "x.json"), "--preset", "toast"]) == 2  # its columns are not there
    assert "no column 'Check #' for order_id" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--columns", "ticket=Ticket"])
    assert exit_.value.code == 2
    assert "'ticket' is not one of ours" in capsys.readouterr().err
