"""Each chart's data as a table to take away (CSV): the rows its query returned, times in the kitchen's local
time, money in the kitchen's currency, the units in the column names."""

from __future__ import annotations

import csv
import io

from common.localtime import half_hour_label
from dashboard.figures import MONEY, Money, clock_of, labour_by_day, labour_by_half_hour


def local_time(epoch: int, zone: str) -> str:
    return clock_of(zone).local(epoch).strftime("%Y-%m-%d %H:%M")


def dollars(cents) -> str:
    return f"{cents / 100:.2f}"


def order_statuses(rows, zone: str):
    return [f"local time ({zone})", "queued orders", "orders in progress"], [
        (local_time(t, zone), queued, in_progress) for t, queued, in_progress in rows or []
    ]


def recent_fulfillment(row, zone: str):
    count, mean, p90 = row or (0, None, None)
    return ["orders completed in the last simulated hour", "mean fulfillment (minutes)", "p90 fulfillment (minutes)"], [
        (count, "" if mean is None else round(mean / 60, 2), "" if p90 is None else round(p90 / 60, 2))
    ]


def revenue_by_day(rows, zone: str, money: Money = MONEY):
    return [f"local day ({zone})", "delivery service", f"revenue ({money.currency})"], [
        (day, service, dollars(cents)) for day, service, cents in rows or []
    ]


def total_revenue(cents, zone: str, money: Money = MONEY):
    return [f"revenue ({money.currency})"], [(dollars(cents or 0),)]


def revenue_by_meal_period(rows, zone: str, money: Money = MONEY):
    return ["meal period (by local hour of receipt)", f"revenue ({money.currency})"], [
        (period, dollars(cents)) for period, cents in rows or []
    ]


def labour_cost(rows, zone: str, money: Money = MONEY):
    days = labour_by_day(rows[0], rows[1], zone, money, rows[2]) if rows else []
    return _labour_columns(f"local day ({zone})", money), _labour_rows(days)


def labour_cost_by_half_hour(rows, zone: str, money: Money = MONEY):
    halves = labour_by_half_hour(rows[0], rows[1], zone, money, rows[2]) if rows else []
    labelled = [(half_hour_label(half), *rest) for half, *rest in halves]
    return _labour_columns(f"local half hour ({zone}), the last two weeks", money), _labour_rows(labelled)


def _labour_columns(first: str, money: Money) -> list[str]:
    unit = money.currency
    return [
        first,
        "cook-hours",
        f"labour cost ({unit})",
        f"revenue ({unit})",
        "labour cost / revenue (%)",
        f"sales per labour hour ({unit})",
    ]


def _labour_rows(rows) -> list[tuple]:
    return [
        (
            label,
            round(hours, 2),
            round(cost, 2),
            dollars(cents),
            round(100 * cost / (cents / 100), 1) if cents else "",
            round(cents / 100 / hours, 2) if hours else "",
        )
        for label, hours, cost, cents in rows
    ]


def cook_utilisation(rows, zone: str):
    return [f"local time ({zone})", "busy cooks", "cooks on shift"], [
        (local_time(t, zone), busy, cooks) for t, busy, cooks in rows or []
    ]


def stations(rows, zone: str):
    return [
        f"local time ({zone})",
        "station",
        "units waiting",
        "units worked",
        "capacity (slots, or cooks on shift who can work it)",
        "longest wait (minutes)",
    ], [
        (local_time(t, zone), name, w, busy, cap, round(longest / 60, 1))
        for t, name, w, busy, cap, longest in rows or []
    ]


def top_dishes(rows, zone: str):
    return ["dish", "units ordered"], list(rows or [])


def fulfillment_by_half_hour(rows, zone: str):
    return [
        f"local half hour of receipt ({zone})",
        "orders",
        "p50 fulfillment (minutes, rounded up)",
        "p90 fulfillment (minutes, rounded up)",
    ], [(half_hour_label(h), orders, p50, p90) for h, orders, p50, p90 in rows or []]


def service_level_by_half_hour(rows, zone: str):
    return [
        "local day",
        f"local half hour of receipt ({zone})",
        "orders",
        "orders within the target",
        "longest (minutes, rounded up)",
    ], [(day, half_hour_label(h), orders, on_time, longest) for day, h, orders, on_time, longest in rows or []]


def csv_text(header: list[str], rows: list) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
