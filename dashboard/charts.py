"""The charts on the page: each pairs its one query with its figure builder and its table (for CSV),
under a component id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from common.service_level import Promise
from dashboard import figures, queries, tables
from dashboard.figures import MONEY, Money


@dataclass(frozen=True)
class Chart:
    id: str
    query: Callable
    """(session, run ids, the latest simulated moment, time zone[, target p90 minutes when it judges]) -> rows"""
    figure: Callable
    """(rows or None, time zone[, target p90 minutes or the promise]) -> figure"""
    table: Callable
    """(rows or None, time zone) -> (column names with units, rows), for CSV"""
    shows_target: bool = False
    """Whether the figure draws the target p90 (its builder then takes it too)."""
    judges: bool = False
    """Whether the chart judges the promise day by day: its query then takes the target, its figure the promise."""
    money: bool = False
    """Whether the chart shows money: its figure and table then take the page's Money (currency, wages, target)."""

    def read(self, session, runs: list[int], now: int, zone: str, promise: Promise):
        if self.judges:
            return self.query(session, runs, now, zone, promise.target_minutes)
        return self.query(session, runs, now, zone)

    def draw(self, rows, zone: str, promise: Promise, money: Money = MONEY) -> dict:
        if self.money:
            return self.figure(rows, zone, money)
        if self.judges:
            return self.figure(rows, zone, promise)
        return self.figure(rows, zone, promise.target_minutes) if self.shows_target else self.figure(rows, zone)

    def tabulate(self, rows, zone: str, money: Money = MONEY):
        return self.table(rows, zone, money) if self.money else self.table(rows, zone)


def _chart(id: str, name: str, shows_target: bool = False, judges: bool = False, money: bool = False) -> Chart:
    """The chart whose query, figure and table are each module's function of that name."""
    return Chart(id, getattr(queries, name), getattr(figures, name), getattr(tables, name), shows_target, judges, money)


CHARTS = (
    _chart("order-statuses", "order_statuses"),
    _chart("recent-fulfillment", "recent_fulfillment", shows_target=True),
    _chart("fulfillment-by-half-hour", "fulfillment_by_half_hour", shows_target=True),
    _chart("service-level-by-half-hour", "service_level_by_half_hour", judges=True),
    _chart("revenue-by-day", "revenue_by_day", money=True),
    _chart("total-revenue", "total_revenue", money=True),
    _chart("revenue-by-meal-period", "revenue_by_meal_period", money=True),
    _chart("cook-utilisation", "cook_utilisation"),
    _chart("labour-cost", "labour_cost", money=True),
    _chart("labour-cost-by-half-hour", "labour_cost_by_half_hour", money=True),
    _chart("top-dishes", "top_dishes"),
    Chart("station-queues", queries.stations, figures.station_queues, tables.stations),
    Chart("station-utilisation", queries.stations, figures.station_utilisation, tables.stations),
)
