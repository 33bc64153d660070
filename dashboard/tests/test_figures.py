"""The figure builders: what each chart draws from its rows, in local time, dollars and the right order."""

from __future__ import annotations

from datetime import datetime, timezone

import plotly.graph_objects as go
import pytest

from common.service_level import Promise, wilson
from common.wages import parse_wages
from dashboard import figures, tables
from tests.kitchen_data import T0

ZONE = "America/Los_Angeles"
JULY = 1_561_996_800  # 2019-07-01 16:00 UTC, 09:00 PDT


def checked(built: dict) -> dict:
    """Every figure must be valid for plotly (its schema rejects unknown properties and bad values)."""
    go.Figure(built)
    return built


def annotations(built) -> list[str]:
    return [a["text"] for a in built["layout"].get("annotations", [])]


@pytest.mark.parametrize(
    "builder",
    [
        figures.order_statuses,
        figures.recent_fulfillment,
        figures.revenue_by_day,
        figures.total_revenue,
        figures.revenue_by_meal_period,
        figures.cook_utilisation,
        figures.top_dishes,
    ],
)
@pytest.mark.parametrize("rows", [None, []])
def test_every_chart_says_it_is_waiting_without_data(builder, rows):
    built = checked(builder(rows, ZONE))
    assert annotations(built) == [figures.WAITING]
    assert not built["data"]


def test_order_statuses_are_two_lines_in_local_time():
    built = checked(figures.order_statuses([(T0, 3, 5), (JULY, 0, 2)], ZONE))
    queued, in_progress = built["data"]
    assert (queued["name"], in_progress["name"]) == ("Queued", "In progress")
    # 16:00 UTC is 08:00 PST in February and 09:00 PDT in July
    wall = [datetime.fromtimestamp(ms / 1000, timezone.utc).replace(tzinfo=None) for ms in queued["x"]]
    assert wall == [datetime(2019, 2, 18, 8), datetime(2019, 7, 1, 9)]
    assert built["layout"]["xaxis"]["type"] == "date"
    assert queued["y"] == [3, 0] and in_progress["y"] == [5, 2]
    assert ZONE in built["layout"]["xaxis"]["title"]["text"]


@pytest.mark.parametrize("mean, colour_band", [(35 * 60, 0), (60 * 60, 1), (100 * 60, 2)])
def test_fulfillment_gauge_shows_mean_and_p90_in_minutes(mean, colour_band):
    built = checked(figures.recent_fulfillment((12, mean, 130 * 60), ZONE))
    gauge, p90 = built["data"]
    assert gauge["value"] == round(mean / 60, 1) and p90["value"] == 130
    steps = gauge["gauge"]["steps"]
    ranges = [s["range"] for s in steps]
    assert ranges[0][0] == 0 and all(
        a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False)
    )  # contiguous from 0
    assert ranges[-1][1] == gauge["gauge"]["axis"]["range"][1]
    assert len({s["color"] for s in steps}) == 3  # good, fair, poor: three colours
    low, high = steps[colour_band]["range"]
    assert low <= gauge["value"] <= high
    assert "12 orders" in built["layout"]["title"]["text"]


def test_revenue_by_day_is_stacked_by_service_in_dollars():
    built = checked(
        figures.revenue_by_day(
            [("2019-02-18", "FoodFlash", 150), ("2019-02-18", "TastyBites", 2500), ("2019-02-19", "TastyBites", 1000)],
            ZONE,
        )
    )
    assert built["layout"]["barmode"] == "stack"
    bars = {bar["name"]: (bar["x"], bar["y"]) for bar in built["data"]}
    assert bars == {"FoodFlash": (["2019-02-18"], [1.5]), "TastyBites": (["2019-02-18", "2019-02-19"], [25.0, 10.0])}


def test_the_legend_of_many_services_stays_clear_of_the_title():
    services = ["TastyBites", "FoodFlash", "QuickEats", "Uber Eats", "DoorDash", "Deliveroo"]
    built = checked(figures.revenue_by_day([("2019-02-18", service, 100) for service in services], ZONE))
    legend = built["layout"]["legend"]
    assert legend["y"] < 0 and legend["yanchor"] == "top"  # below the plot, growing downwards
    assert built["layout"]["margin"]["b"] >= 80  # with room for it


def test_every_amount_says_its_currency():
    euros = figures.Money(parse_wages(14.0, "EUR", 0, None))
    built = checked(figures.total_revenue(123456789, ZONE, euros))
    assert built["data"][0]["value"] == 1234567.89
    assert built["data"][0]["number"]["prefix"] == "EUR "
    assert euros.show(123456789) == "EUR 1,234,567.89"
    by_day = checked(figures.revenue_by_day([("2024-03-01", "Glovo", 1000)], ZONE, euros))
    assert by_day["layout"]["yaxis"]["title"]["text"] == "Revenue (EUR)"
    meals = checked(figures.revenue_by_meal_period([("Lunch", 1000)], ZONE, euros))
    assert "EUR" in meals["data"][0]["hovertemplate"]
    assert tables.revenue_by_day([("2024-03-01", "Glovo", 1000)], ZONE, euros)[0][-1] == "revenue (EUR)"


def test_labour_cost_by_day_counts_each_quarter_hour_at_its_premium_against_the_days_sales():
    """Two local days of Lisbon (a Saturday and a Sunday), two cooks on shift all the time: each quarter hour is
    30 cook-minutes, at the wage and its premium (Sundays double), against the day's sales."""
    zone = "Europe/Lisbon"
    money = figures.Money(
        parse_wages(10.0, "EUR", 0, [{"days": ["Sun"], "from": "00:00", "to": "24:00", "times": 2}]), 0.25
    )
    saturday = 1_709_337_600  # 2024-03-02 00:00 UTC, midnight in Lisbon (WET, UTC+0)
    samples = [(saturday + 900 * k, 2 * 15) for k in range(2 * 96)]
    revenue = [("2024-03-02", 200_000), ("2024-03-03", 100_000)]
    days = figures.labour_by_day(revenue, samples, zone, money)
    assert days == [("2024-03-02", pytest.approx(48.0), pytest.approx(480.0), 200_000),
                    ("2024-03-03", pytest.approx(48.0), pytest.approx(960.0), 100_000)]  # fmt: skip
    built = checked(figures.labour_cost((revenue, samples, saturday - 86400), zone, money))
    bars, per_hour = built["data"]
    assert bars["y"] == pytest.approx([100 * 480 / 2000, 100 * 960 / 1000])  # 24% and 96% of sales
    assert bars["marker"]["color"] == [figures.MET, figures.OVER]  # against the 25% target
    assert per_hour["y"] == pytest.approx([2000 / 48, 1000 / 48])
    assert built["layout"]["shapes"][0]["y0"] == 25
    header, rows = tables.labour_cost((revenue, samples, saturday - 86400), zone, money)
    assert header[2] == "labour cost (EUR)" and rows[1][2:5] == (960.0, "1000.00", 96.0)
    # two weeks back from a moment on Saturday afternoon: Saturday's samples are half a day, its sales a whole one
    cut = figures.labour_by_day(revenue, samples, zone, money, since=saturday + 12 * 3600)
    assert [day for day, *_ in cut] == ["2024-03-03"]
    assert figures.labour_cost(None, zone, money)["layout"]["title"]["text"].startswith("Labour cost")


def test_labour_cost_by_half_hour_adds_the_days_up_each_quarter_hour_at_its_premium():
    """Two whole days in Kathmandu (UTC+5:45: its quarter hours are UTC's), one cook all day and two more from
    12:15 to 12:30 only; nights from 22:00 paid 1.5 times. The half hour 12:00 has a cook-hour a day (15 minutes
    of one cook, 15 of three), 22:00 half a cook-hour at 1.5; each half hour against its own sales, the day the
    window cuts left out."""
    zone = "Asia/Kathmandu"
    money = figures.Money(parse_wages(10.0, "NPR", 0, [{"from": "22:00", "to": "06:00", "times": 1.5}]), 0.3)
    first = 1_709_316_900  # 2024-03-02 00:00 in Kathmandu (18:15 UTC the day before)
    crew = []
    for k in range(3 * 96):  # the day before the window, then two whole days
        local_minute = 15 * (k % 96)
        crew.append((first - 86400 + 900 * k, 15 * (3 if local_minute == 12 * 60 + 15 else 1)))
    revenue = [
        (day, half, cents)
        for day in ("2024-03-01", "2024-03-02", "2024-03-03")
        for half, cents in ((24, 1_000), (44, 200))  # 12:00 and 22:00
    ]
    halves = {row[0]: row[1:] for row in figures.labour_by_half_hour(revenue, crew, zone, money, since=first - 3600)}
    assert len(halves) == 48 and halves[24] == (pytest.approx(2.0), pytest.approx(20.0), 2_000)
    assert halves[44] == (pytest.approx(1.0), pytest.approx(15.0), 400)  # nights at 1.5 times the wage
    assert halves[0] == (pytest.approx(1.0), pytest.approx(15.0), 0)
    built = checked(figures.labour_cost_by_half_hour((revenue, crew, first - 3600), zone, money))
    bars, per_hour = built["data"]
    assert bars["x"] == ["12:00", "22:00"]  # half hours with sales and a crew
    assert bars["y"] == pytest.approx([100 * 20 / 20, 100 * 15 / 4])  # 100% and 375% of sales
    assert per_hour["y"] == pytest.approx([20 / 2.0, 4 / 1.0])
    assert built["layout"]["shapes"][0]["y0"] == 30 and "NPR" in per_hour["name"]
    header, rows = tables.labour_cost_by_half_hour((revenue, crew, first - 3600), zone, money)
    assert header[0].startswith("local half hour (Asia/Kathmandu)") and header[2] == "labour cost (NPR)"
    assert rows[24] == ("12:00", 2.0, 20.0, "20.00", 100.0, 10.0)
    assert figures.labour_cost_by_half_hour(None, zone, money)["layout"]["title"]["text"].startswith("Labour cost")


def test_meal_periods_in_day_order_without_empty_ones():
    built = checked(
        figures.revenue_by_meal_period([("Late Night", 100), ("Dinner", 300), ("Breakfast", 50), ("Lunch", 0)], ZONE)
    )
    pie = built["data"][0]
    assert pie["labels"] == ["Breakfast", "Dinner", "Late Night"]
    assert pie["values"] == [0.5, 3.0, 1.0]
    assert pie["marker"]["colors"] == [figures.PERIOD_COLOURS[p] for p in pie["labels"]]


def test_cooks_busy_against_cooks_on_shift_with_the_latest_in_the_title():
    built = checked(figures.cook_utilisation([(T0, 10, 40), (T0 + 600, 30, 40), (T0 + 660, 60, 60)], ZONE))
    busy, on_shift = built["data"]
    assert busy["y"] == [10, 30, 60] and busy["customdata"] == [25, 75, 100]
    assert on_shift["y"] == [40, 40, 60] and on_shift["line"]["shape"] == "hv"
    assert "100% busy now (60 of 60)" in built["layout"]["title"]["text"]


def test_top_dishes_with_the_most_ordered_on_top():
    built = checked(figures.top_dishes([("Soup", 9), ("Stew", 4), ("Salad", 1)], ZONE))
    bars = built["data"][0]
    assert bars["orientation"] == "h"
    assert bars["y"] == ["Salad", "Stew", "Soup"] and bars["x"] == [1, 4, 9]


def test_a_schedule_with_nobody_on_shift_is_drawn():
    built = checked(figures.cook_utilisation([(T0, 2, 4), (T0 + 600, 1, 0)], ZONE))
    busy, _ = built["data"]
    assert busy["customdata"] == [50, None]
    assert "nobody on shift now (1 finishing)" in built["layout"]["title"]["text"]


def test_the_half_hours_over_the_target_are_marked():
    built = checked(figures.fulfillment_by_half_hour([(24, 50, 20, 35), (25, 60, 30, 52), (26, 10, 10, 30)], ZONE, 40))
    bars = built["data"][0]
    assert bars["x"] == ["12:00", "12:30", "13:00"] and bars["y"] == [35, 52, 30]
    assert bars["marker"]["color"] == [figures.MET, figures.OVER, figures.MET]
    assert "1 of 3 over the target" in built["layout"]["title"]["text"]
    assert built["layout"]["shapes"][0]["y0"] == 40


def test_each_half_hour_shows_its_share_of_days_met_and_the_ones_below_the_level_are_marked():
    # (day, half hour, orders, within the target, longest minutes): 12:00 meets on 2 of 2 days; 12:30 misses
    # its p90 on one day of two; 13:00 and 13:30 are quiet, judged pooled: one order of 95 min on one day
    rows = [
        ("2030-03-01", 24, 20, 20, 35),
        ("2030-03-02", 24, 12, 11, 41),
        ("2030-03-01", 25, 30, 25, 50),
        ("2030-03-02", 25, 30, 29, 44),
        ("2030-03-01", 26, 5, 5, 30),
        ("2030-03-02", 26, 6, 6, 20),
        ("2030-03-01", 27, 5, 5, 30),
        ("2030-03-02", 27, 6, 5, 95),
    ]
    built = checked(figures.service_level_by_half_hour(rows, ZONE, Promise(40, 0.9)))
    bars = built["data"][0]
    assert bars["x"] == ["12:00", "12:30", "13:00", "13:30"] and bars["y"] == [100.0, 50.0, 50.0, 50.0]
    assert bars["marker"]["color"] == [figures.MET, figures.OVER, figures.OVER, figures.OVER]
    assert [c[:3] for c in bars["customdata"]] == [
        [2, 2, ""],
        [1, 2, ""],
        [1, 2, "13:00-14:00, "],
        [1, 2, "13:00-14:00, "],
    ]
    low, high = wilson(1, 2)
    assert bars["error_y"]["arrayminus"][1] == pytest.approx(50 - 100 * low, abs=0.1)
    assert bars["error_y"]["array"][1] == pytest.approx(100 * high - 50, abs=0.1)
    title = built["layout"]["title"]["text"]
    assert "2 of 3 below 90%" in title and "every half hour met on 0 of 2 days" in title
    assert built["layout"]["shapes"][0]["y0"] == 90
    assert (
        "every one at 50%"
        in checked(figures.service_level_by_half_hour(rows, ZONE, Promise(40, 0.5)))["layout"]["title"]["text"]
    )


@pytest.mark.parametrize("target", [25, 60])
def test_the_gauge_bands_follow_the_target(target):
    gauge = checked(figures.recent_fulfillment((9, 30 * 60, 45 * 60), ZONE, target))["data"][0]
    assert [step["range"][:2] for step in gauge["gauge"]["steps"]][:2] == [[0, target], [target, 2 * target]]


def test_a_service_keeps_its_colour_whatever_else_is_shown():
    trio = ["QuickEats", "TastyBites", "FoodFlash"]
    together = figures.service_colours(trio)
    assert together == {name: figures.service_colours([name])[name] for name in trio}  # as each alone
    assert len(set(together.values())) == 3  # three services, three colours
    many = [f"Service {n}" for n in range(10)]
    assert len(set(figures.service_colours(many).values())) == 10
    built = checked(figures.revenue_by_day([("2019-02-18", "FoodFlash", 100), ("2019-02-18", "TastyBites", 200)], ZONE))
    again = checked(figures.revenue_by_day([("2019-03-01", "TastyBites", 900), ("2019-03-01", "FoodFlash", 5)], ZONE))
    assert {b["name"]: b["marker"]["color"] for b in built["data"]} == {
        b["name"]: b["marker"]["color"] for b in again["data"]
    }


@pytest.mark.parametrize("builder", [figures.station_queues, figures.station_utilisation])
def test_the_station_view_waits_for_a_run_and_says_how_to_have_stations_without_a_layout(builder):
    assert annotations(checked(builder(None, ZONE))) == [figures.WAITING]
    assert annotations(checked(builder([], ZONE))) == [figures.NO_STATIONS]


STATION_ROWS = [
    (T0, "grill", 4, 3, 3, 240),
    (T0, "oven", 0, 2, 4, 0),
    (T0 + 600, "grill", 1, 3, 3, 60),
    (T0 + 600, "oven", 6, 4, 4, 720),
    (T0 + 660, "grill", 0, 2, 4, 0),
    (T0 + 660, "oven", 5, 4, 4, 780),
]


def test_station_queues_are_a_line_a_station_and_the_title_names_where_units_wait_longest_now():
    built = checked(figures.station_queues(STATION_ROWS, ZONE))
    grill, oven = built["data"]
    assert (grill["name"], oven["name"]) == ("grill", "oven")
    assert grill["y"] == [4, 1, 0] and oven["y"] == [0, 6, 5]
    assert oven["customdata"] == [0, 12, 13]
    assert (
        built["layout"]["title"]["text"]
        == "Units waiting by station: bottleneck now: oven (5 waiting, the oldest 13 min)"
    )
    calm = checked(figures.station_queues([(T0, "grill", 0, 1, 3, 0)], ZONE))
    assert calm["layout"]["title"]["text"].endswith("no unit waits now")


def test_station_utilisation_is_the_share_of_capacity_at_work():
    built = checked(figures.station_utilisation(STATION_ROWS, ZONE))
    grill, oven = built["data"]
    assert grill["y"] == [100.0, 100.0, 50.0] and oven["y"] == [50.0, 100.0, 100.0]
    assert built["layout"]["title"]["text"] == "Stations busy: now oven 100% (4 of 4)"
    closed = checked(figures.station_utilisation([(T0, "grill", 2, 0, 0, 60)], ZONE))
    assert closed["data"][0]["y"] == [None]  # nobody on shift who can work it: no share, not 0%
