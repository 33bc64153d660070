"""Reading a layout: the shipped one, each mistake a person makes writing one by hand (named with its entry), and
step times that vary as their median and p90 say."""

from __future__ import annotations

import numpy as np
import pytest

from common.settings import PROJECT_ROOT
from simulator.menu import Dish, load_menu
from simulator.stations.layout import LaidOut, LayoutError, parse_layout, read_layout

ZONE = "Asia/Kolkata"
MENU = {name: Dish(name, 300) for name in ("Masala Dosa", "Paneer Tikka", "Chai", "Samosa")}


def layout(**changes) -> dict:
    written = {
        "default_station": "tawa",
        "stations": {"tawa": {}, "tandoor": {"slots": 3}, "counter": {}},
        "roles": {
            "tawa_cook": {"stations": ["tawa"], "cooks": 2},
            "server": {"stations": ["counter", "tawa"], "schedule": {"00:00": 1, "12:00": 3}},
        },
        "routes": [
            {"dishes": "Paneer *", "steps": [{"station": "tawa", "time": "2:00"}, {"station": "tandoor", "time": 600}]},
            {"dishes": ["Chai"], "steps": [{"station": "counter", "time": {"samples": [60, 90]}}]},
        ],
        "packing": {"station": "counter", "per_order": "0:30", "per_unit": 0},
    }
    return written | changes


def test_the_shipped_layout_reads_and_routes_every_pattern_to_a_dish_of_the_shipped_menu():
    shipped = read_layout(PROJECT_ROOT / "data" / "layout.toml", "America/Los_Angeles")
    menu = load_menu(PROJECT_ROOT / "data" / "items.json")
    shipped.check_menu(menu)
    names = [s.name for s in shipped.stations]
    assert shipped.stations[names.index("oven")].slots == 24
    pizza = shipped.route(menu["Grilled Mushroom Pizza"])  # the pizza route comes before the grill's
    assert [names[step.station] for step in pizza] == ["bench", "oven", "bench"]
    assert [names[s.station] for s in shipped.route(menu["Spicy Pork Ramen"])] == ["line"]  # no route: the default


def test_a_layout_is_kept_whole_in_a_runs_row_and_read_back_equal():
    laid_out = LaidOut(parse_layout(layout(), ZONE), seed=5)
    again = LaidOut.from_json(laid_out.to_json(), ZONE)
    assert again == laid_out and again.most == 2 + 3


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"stations": {}}, "[stations] is empty"),
        ({"stations": {"tawa": {"slots": 0}}}, "stations.tawa.slots: expected a whole number >= 1, got 0"),
        (
            {"stations": {"tawa": {}, "tandoor": {"slots": 3}, "counter": {}, "grill": {}}},
            "stations.grill: no role works it",
        ),
        (
            {"roles": {"cook": {"stations": ["tawa", "tandoor"], "cooks": 1}}},
            "roles.cook.stations: 'tandoor' is equipment",
        ),
        ({"roles": {"cook": {"stations": ["tava"], "cooks": 1}}}, "roles.cook.stations: 'tava' is not a station"),
        (
            {"roles": {"cook": {"stations": ["tawa", "counter"], "cooks": 1, "schedule": {"00:00": 1}}}},
            "roles.cook: give its crew as either 'cooks' (a count) or 'schedule', not both",
        ),
        (
            {"roles": {"cook": {"stations": ["tawa", "counter"], "cooks": -1}}},
            "roles.cook.cooks: expected a whole number >= 0, got -1",
        ),
        ({"roles": {"cook": {"stations": ["tawa", "counter"], "schedule": {"25:00": 1}}}}, "roles.cook.schedule: "),
        ({"routes": [{"dishes": "Chai", "steps": []}]}, "routes entry 1 (Chai).steps"),
        (
            {"routes": [{"dishes": "Chai", "steps": [{"station": "tawa", "time": "1:75"}]}]},
            "step 1, time: expected whole",
        ),
        (
            {"routes": [{"dishes": "Chai", "steps": [{"station": "tawa", "time": {"median": 90, "p90": 60}}]}]},
            "p90 (60 s) is below the median (90 s)",
        ),
        (
            {"routes": [{"dishes": "Chai", "steps": [{"station": "tawa", "time": {"median": 90}}]}]},
            "routes entry 1 (Chai), step 1, time: a varying time needs both 'median' and 'p90'",
        ),
        ({"packing": {"station": "tandoor"}}, "packing.station: 'tandoor' is equipment"),
        ({"packing": {"station": "counter"}}, "per_order and per_unit are both 0"),
        ({"routes": [{"dishes": "Chai", "step": []}]}, "routes entry 1: unknown entry step"),
        ({"default_station": "grill"}, "default_station: 'grill' is not a station"),
        ({"cooks": 4}, "layout: unknown entry cooks"),
        (
            {"stations": {"tawa": {"load": 20, "load_by": "server"}, "tandoor": {"slots": 3}, "counter": {}}},
            "stations.tawa: only equipment (with slots) is loaded",
        ),
        (
            {"stations": {"tawa": {}, "tandoor": {"slots": 3, "load": 20}, "counter": {}}},
            "stations.tandoor: a load needs both its time ('load') and who loads it ('load_by')",
        ),
        (
            {"stations": {"tawa": {}, "tandoor": {"slots": 3, "load": 20, "load_by": 3}, "counter": {}}},
            "stations.tandoor.load_by: expected a role's name or a list of them, got 3",
        ),
        (
            {
                "stations": {"tawa": {}, "tandoor": {"slots": 3, "load": 20, "load_by": "server"}, "counter": {}},
                "roles": {"server": {"stations": ["counter", "tawa", "tandoor"], "cooks": 1}},
            },
            "roles.server.stations: 'tandoor' is equipment, which cooks load: name the role in"
            " stations.tandoor.load_by",
        ),
        ({"default_station": "tandoor"}, "default_station: 'tandoor' is equipment, which needs no cook"),
        (
            {"stations": {"tawa": {}, "tandoor": {"slots": 3, "load": 20, "load_by": "baker"}, "counter": {}}},
            "stations.tandoor.load_by: 'baker' is not a role (roles: tawa_cook, server)",
        ),
    ],
)
def test_each_mistake_is_named_with_its_entry(changes, message):
    with pytest.raises(LayoutError) as raised:
        parse_layout(layout(**changes), ZONE)
    assert message in str(raised.value)


def test_a_route_that_takes_no_dish_of_the_menu_is_refused_as_a_misspelling():
    parse_layout(layout(), ZONE).check_menu(MENU)
    misspelt = layout(routes=[{"dishes": ["Paner *"], "steps": [{"station": "tawa"}]}])
    with pytest.raises(LayoutError, match=r"routes entry 1 \(Paner \*\) takes no dish of the menu"):
        parse_layout(misspelt, ZONE).check_menu(MENU)


def test_files_that_are_not_a_layout_say_so(tmp_path):
    with pytest.raises(LayoutError, match="layout file not found"):
        read_layout(tmp_path / "nowhere.toml", ZONE)
    broken = tmp_path / "broken.toml"
    broken.write_text("[stations\ngrill = {}\n")
    with pytest.raises(LayoutError, match=r"broken.toml: not valid TOML"):
        read_layout(broken, ZONE)


def test_varying_times_have_the_median_and_p90_they_are_given_and_samples_are_drawn_evenly():
    written = layout(
        routes=[
            {"dishes": "Masala Dosa", "steps": [{"station": "tawa", "time": {"median": "4:00", "p90": "7:00"}}]},
            {"dishes": "Chai", "steps": [{"station": "tawa", "time": {"samples": [60, 90, 600]}}]},
        ]
    )
    read = parse_layout(written, ZONE)
    rng = np.random.default_rng(11)
    dosa = np.array([read.unit_steps(MENU["Masala Dosa"], rng)[0][1] for _ in range(20000)])
    assert np.median(dosa) == pytest.approx(240, rel=0.02)
    assert np.percentile(dosa, 90) == pytest.approx(420, rel=0.03)
    chai = [read.unit_steps(MENU["Chai"], rng)[0][1] for _ in range(3000)]
    assert sorted(set(chai)) == [60, 90, 600] and 900 < chai.count(600) < 1100
    samosa = read.unit_steps(MENU["Samosa"], rng)  # no route: the default station, its menu time, nothing drawn
    assert samosa == ((0, 300, 0),)
    longer = read.scaled(1.2)
    assert longer.unit_steps(MENU["Chai"], np.random.default_rng(0))[0][1] in (72, 108, 720)
