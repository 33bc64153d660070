"""The charts on the page: each pairs its one query with its figure builder, under a component id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from dashboard import figures, queries


@dataclass(frozen=True)
class Chart:
    id: str
    query: Callable
    """(session, run ids, the latest simulated moment) -> rows"""
    figure: Callable
    """(rows or None, time zone) -> figure"""


CHARTS = (
    Chart("order-statuses", queries.order_statuses, figures.order_statuses),
    Chart("recent-fulfillment", queries.recent_fulfillment, figures.recent_fulfillment),
    Chart("revenue-by-day", queries.revenue_by_day, figures.revenue_by_day),
    Chart("total-revenue", queries.total_revenue, figures.total_revenue),
    Chart("revenue-by-meal-period", queries.revenue_by_meal_period, figures.revenue_by_meal_period),
    Chart("cook-utilisation", queries.cook_utilisation, figures.cook_utilisation),
    Chart("top-dishes", queries.top_dishes, figures.top_dishes),
)
