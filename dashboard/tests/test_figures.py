"""The figure builders: what each chart draws from its rows, in local time, dollars and the right order."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import figures
from tests.kitchen_data import T0

ZONE = "America/Los_Angeles"
JULY = 1_561_996_800  # 2019-07-01 16:00 UTC, 09:00 PDT


def annotations(figure) -> list[str]:
    return [a.text for a in figure.layout.annotations]


@pytest.mark.parametrize("builder", [
    figures.order_statuses, figures.recent_fulfillment, figures.revenue_by_day, figures.total_revenue,
    figures.revenue_by_meal_period, figures.cook_utilisation, figures.top_dishes,
])
@pytest.mark.parametrize("rows", [None, []])
def test_every_chart_says_it_is_waiting_without_data(builder, rows):
    figure = builder(rows, ZONE)
    assert annotations(figure) == [figures.WAITING]
    assert not figure.data


def test_order_statuses_are_two_lines_in_local_time():
    figure = figures.order_statuses([(T0, 3, 5), (JULY, 0, 2)], ZONE)
    queued, in_progress = figure.data
    assert (queued.name, in_progress.name) == ("Queued", "In progress")
    # 16:00 UTC is 08:00 PST in February and 09:00 PDT in July
    assert list(pd.to_datetime(queued.x)) == [pd.Timestamp("2019-02-18 08:00"), pd.Timestamp("2019-07-01 09:00")]
    assert list(queued.y) == [3, 0] and list(in_progress.y) == [5, 2]
    assert ZONE in figure.layout.xaxis.title.text


@pytest.mark.parametrize("mean, colour_band", [(35 * 60, 0), (60 * 60, 1), (100 * 60, 2)])
def test_fulfillment_gauge_shows_mean_and_p90_in_minutes(mean, colour_band):
    figure = figures.recent_fulfillment((12, mean, 130 * 60), ZONE)
    gauge, p90 = figure.data
    assert gauge.value == round(mean / 60, 1) and p90.value == 130
    steps = gauge.gauge.steps
    assert [s.range for s in steps][:2] == [(0, 40), (40, 80)]
    assert [s.color for s in steps] == ["#2e7d32", "#f9a825", "#c62828"]
    low, high = steps[colour_band].range
    assert low <= gauge.value <= high
    assert "12 orders" in figure.layout.title.text


def test_revenue_by_day_is_stacked_by_service_in_dollars():
    figure = figures.revenue_by_day([("2019-02-18", "FoodFlash", 150), ("2019-02-18", "TastyBites", 2500),
                                     ("2019-02-19", "TastyBites", 1000)], ZONE)
    assert figure.layout.barmode == "stack"
    bars = {bar.name: (list(bar.x), list(bar.y)) for bar in figure.data}
    assert bars == {"FoodFlash": (["2019-02-18"], [1.5]), "TastyBites": (["2019-02-18", "2019-02-19"], [25.0, 10.0])}


def test_total_revenue_in_dollars():
    figure = figures.total_revenue(123456789, ZONE)
    assert figure.data[0].value == 1234567.89
    assert figure.data[0].number.prefix == "$"
    assert figures.money(123456789) == "$1,234,567.89"


def test_meal_periods_in_day_order_without_empty_ones():
    figure = figures.revenue_by_meal_period([("Late Night", 100), ("Dinner", 300), ("Breakfast", 50)], ZONE)
    pie = figure.data[0]
    assert list(pie.labels) == ["Breakfast", "Dinner", "Late Night"]
    assert list(pie.values) == [0.5, 3.0, 1.0]


def test_cook_utilisation_in_percent_with_the_latest_in_the_title():
    figure = figures.cook_utilisation([(T0, 10, 40), (T0 + 600, 30, 40), (T0 + 660, 40, 40)], ZONE)
    assert list(figure.data[0].y) == [25.0, 75.0, 100.0]
    assert "100% now (40 of 40 cooks busy)" in figure.layout.title.text


def test_top_dishes_with_the_most_ordered_on_top():
    figure = figures.top_dishes([("Soup", 9), ("Stew", 4), ("Salad", 1)], ZONE)
    bars = figure.data[0]
    assert bars.orientation == "h"
    assert list(bars.y) == ["Salad", "Stew", "Soup"] and list(bars.x) == [1, 4, 9]
