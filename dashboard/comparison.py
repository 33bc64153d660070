"""The compare page's figures and table: pure functions from query rows to figures and rows, several runs
side by side, aligned by each run's local time of day (a run's own time zone)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from common.service_level import Promise, ServiceLevel, judge_days
from common.statistics import nearest_rank
from dashboard.figures import COLOURS, MONEY, TEXT, Money, _axis, clock_of, figure, level_line, no_stations, waiting
from dashboard.queries import Run

BELOW = {
    "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.22, "yanchor": "top"},
    "margin": {"l": 60, "r": 20, "t": 50, "b": 110},
}
"""Legends below the axis: run names are long, and there are several runs."""


@dataclass(frozen=True)
class Shown:
    """A run as the compare page names it."""

    id: int
    label: str
    zone: str

    @property
    def legend(self) -> str:
        """The run in a chart's legend: the zone it is drawn in too, since runs of kitchens in several zones
        share one axis of local time."""
        return f"{self.label} · {self.zone}"


def shown(run: Run) -> Shown:
    """The run named, in its own recorded zone: its half hours were counted in that zone, so its samples are
    drawn by the same clock, not by the dashboard's."""
    crew = f"a schedule of up to {run.cooks}" if run.cook_schedule else f"{run.cooks} cooks"
    return Shown(run.id, f"{run.kitchen} · run {run.id} · {crew}", run.timezone)


def choice_label(run: Run, zone: str) -> str:
    started = clock_of(zone).label(int(run.wall_started_at))
    crew = f"schedule, up to {run.cooks}" if run.cook_schedule else f"{run.cooks} cooks"
    return f"{run.kitchen} · run {run.id} · {run.status} · {crew} · started {started}"


def time_of_day(rows, runs: dict[int, Shown], *columns: int) -> dict[int, tuple[list[int], list[list[float]]]]:
    """Per run: the local minutes of its day that have samples, and the mean of each of `columns` of its 10-minute
    samples at each, from rows of (run, first sample's time, samples, *sums) whose samples share one local time
    of day. A minute is the samples' own (03:45 in a zone 5:45 ahead of UTC), not the start of their 10 minutes."""
    groups = np.asarray(rows, dtype=np.int64).reshape(len(rows), -1)
    series = {}
    for run_id in sorted(set(groups[:, 0].tolist())):  # not np.unique: its first call imports numpy.ma, 20 ms
        own = groups[groups[:, 0] == run_id]
        t = own[:, 1]
        local = (t + clock_of(runs[run_id].zone).offsets(t)) % 86400
        slots = local // 600
        at = np.zeros(144, dtype=np.int64)
        at[slots] = local
        counts = np.bincount(slots, weights=own[:, 2], minlength=144)
        filled = np.flatnonzero(counts)
        means = [
            np.round(np.bincount(slots, weights=own[:, column], minlength=144)[filled] / counts[filled], 1).tolist()
            for column in columns
        ]
        series[run_id] = ((at[filled] // 60).tolist(), means)
    return series


SAMPLE_MINUTES = 10  # the writer samples each kitchen every 10 simulated minutes


def day_axis(title: str) -> dict:
    """Time of day as a line from 00:00 to 24:00, a tick every 2 hours: hours without data keep their width, so
    that runs with different hours line up, and a night without samples shows as the gap it is."""
    hours = list(range(0, 25, 2))
    return _axis(
        title, type="linear", range=[0, 24], tickmode="array", tickvals=hours, ticktext=[f"{h:02}:00" for h in hours]
    )


def broken(minutes: list[int], step: int, *series: Sequence[float]) -> tuple[Sequence[float | str | None], ...]:
    """(x in hours of the day, x as 'HH:MM' for the hover, *series), with None between two points more than `step`
    minutes apart, so that the line breaks where there is no data instead of joining across it."""
    x: list[float | None] = []
    text: list[str | None] = []
    columns: list[list[float | None]] = [[] for _ in series]
    for k, minute in enumerate(minutes):
        if k and minute - minutes[k - 1] > step:
            x.append(None)
            text.append(None)
            for column in columns:
                column.append(None)
        x.append(minute / 60)
        text.append(clock_label(minute))
        for column, values in zip(columns, series, strict=True):
            column.append(values[k])
    return (x, text, *columns)


def _plan_hours(labels: list[str]) -> list[float]:
    """A plan's 'HH:MM' intervals as hours of the day, for the day axis."""
    return [int(label[:2]) + int(label[3:5]) / 60 for label in labels]


def half_hour_percentiles(rows) -> list[tuple[int, int, int, int, int]]:
    """(run, half hour, orders, p50, p90 minutes) from (run, half hour, minutes, orders) tallies, in any order.
    A percentile is the nearest rank: the first minute at which the half hour's running count reaches
    ceil(p n / 100), found by a binary search in the running count of all the tallies, sorted."""
    if not rows:
        return []
    tallies = np.asarray(rows, dtype=np.int64).reshape(len(rows), -1)
    tallies = tallies[np.lexsort((tallies[:, 2], tallies[:, 1], tallies[:, 0]))]
    new_group = (np.diff(tallies[:, 0]) != 0) | (np.diff(tallies[:, 1]) != 0)
    starts = np.concatenate(([0], np.flatnonzero(new_group) + 1))
    running = np.cumsum(tallies[:, 3])
    before = np.concatenate(([0], running[starts[1:] - 1]))
    orders = np.concatenate((running[starts[1:] - 1], running[-1:])) - before

    def rank(percent: int) -> list[int]:
        return tallies[np.searchsorted(running, before + nearest_rank(orders, percent)), 2].tolist()

    return list(
        zip(tallies[starts, 0].tolist(), tallies[starts, 1].tolist(), orders.tolist(), rank(50), rank(90), strict=True)
    )


def clock_label(minute: int) -> str:
    return f"{minute // 60:02}:{minute % 60:02}"


def _colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def queued(rows, runs: dict[int, Shown]) -> dict:
    title = "Queued orders by local time of day (mean over the last 14 days)"
    if not rows:
        return waiting(title)
    data = []
    for i, (run_id, (minutes, [queue])) in enumerate(sorted(time_of_day(rows, runs, 3).items())):
        x, text, y = broken(minutes, SAMPLE_MINUTES, queue)
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": runs[run_id].legend,
                "x": x,
                "y": y,
                "text": text,
                "hovertemplate": "%{text}: %{y}",
                "line": {"color": _colour(i)},
            }
        )
    return figure(data, title, xaxis=day_axis("Local time of day of each kitchen"), yaxis=_axis("Orders"), **BELOW)


def cooks(rows, runs: dict[int, Shown], plan: dict | None = None) -> dict:
    title = "Cooks on shift (dotted) and busy, by local time of day"
    if not rows:
        return waiting(title)
    data = []
    for i, (run_id, (minutes, columns)) in enumerate(sorted(time_of_day(rows, runs, 3, 4).items())):
        label = runs[run_id].label  # not .legend: two entries a run, and their zones would cover the axis title
        x, text, busy, on_shift = broken(minutes, SAMPLE_MINUTES, *columns)
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{label}: busy",
                "x": x,
                "y": busy,
                "text": text,
                "hovertemplate": "%{text}: %{y}",
                "line": {"color": _colour(i)},
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{label}: on shift",
                "x": x,
                "y": on_shift,
                "text": text,
                "hovertemplate": "%{text}: %{y}",
                "line": {"color": _colour(i), "dash": "dot", "shape": "hv"},
            }
        )
    if plan:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "the plan: cooks rostered",
                "x": _plan_hours(plan["labels"]),
                "y": plan["rostered"],
                "text": plan["labels"],
                "hovertemplate": "%{text}: %{y}",
                "line": {"color": TEXT, "dash": "dash", "shape": "hv", "width": 2},
            }
        )
    return figure(
        data,
        title,
        xaxis=day_axis("Local time of day of each kitchen"),
        yaxis=_axis("Cooks", rangemode="tozero"),
        **BELOW,
    )


def half_hours(rows, runs: dict[int, Shown], target: float, plan: dict | None = None) -> dict:
    title = "p90 fulfillment by half hour of receipt, each whole run"
    if not rows:
        return waiting(title)
    by_run: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for run_id, half_hour, orders, _p50, p90 in half_hour_percentiles(rows):
        by_run[run_id].append((half_hour * 30, p90, orders))
    data = []
    for i, (run_id, points) in enumerate(sorted(by_run.items())):
        minutes, p90s, counts = zip(*points, strict=True)
        x, text, y, customdata = broken(list(minutes), 30, p90s, counts)  # 30: the next half hour
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": runs[run_id].legend,
                "x": x,
                "y": y,
                "text": text,
                "customdata": customdata,
                "line": {"color": _colour(i)},
                "hovertemplate": "%{text}: p90 %{y} min, %{customdata} orders<extra></extra>",
            }
        )
    if plan and plan.get("p90"):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "the plan: p90 on its service level's day",
                "x": _plan_hours(plan["labels"]),
                "y": plan["p90"],
                "text": plan["labels"],
                "hovertemplate": "%{text}: %{y}",
                "line": {"color": TEXT, "dash": "dash"},
            }
        )
    return figure(
        data,
        title,
        xaxis=day_axis("Local half hour of receipt of each kitchen"),
        yaxis=_axis("p90 fulfillment (minutes, rounded up)", rangemode="tozero"),
        **level_line(target, f"target {target:g} min"),
        **BELOW,
    )


def summary_columns(money: Money = MONEY) -> list[str]:
    """The compare table's columns, amounts in the kitchen's currency."""
    unit = money.currency
    return [
        "run",
        "orders",
        "mean fulfillment (min)",
        "p50 (min)",
        "p90 (min)",
        "p99 (min)",
        "half hours at the service level (last 14 days)",
        "days every half hour met (last 14 days)",
        "labour (cook-hours)",
        f"labour cost ({unit})",
        "labour cost / revenue (%)",
        f"sales per labour hour ({unit})",
        "utilisation (%)",
        f"revenue ({unit})",
    ]


SUMMARY_COLUMNS = summary_columns()


def service_levels(days_rows, promise: Promise) -> dict[int, ServiceLevel]:
    """Each run's service level, judged day by day (common/service_level.py) from compare_days' counts: its half
    hours, quiet ones pooled with their neighbours by the run's own orders a day in each."""
    by_run: dict[int, list] = defaultdict(list)
    for row in days_rows:
        by_run[row[0]].append(row[1:])
    return {run_id: judge_days(rows, promise, per_day=48) for run_id, rows in by_run.items()}


def summary_rows(
    rows,
    runs: dict[int, Shown],
    levels: dict[int, ServiceLevel],
    premiums: dict[int, float] | None = None,
    money: Money = MONEY,
) -> list[list]:
    """The compare table: one row per run, in the columns of summary_columns; 'no data' where there is none. A run's
    labour cost is its cook-hours at the wage, times the mean premium they were paid at (`premiums`, by run:
    figures.premium_share; 1 when not given)."""

    def minutes(value) -> object:
        return "no data" if value is None else value

    table = []
    for run_id, orders, mean_s, p50, p90, p99, cook_seconds, busy_seconds, cents in rows:
        level = levels.get(run_id)
        held = len(level.blocks) if level else 0
        met = held - len(level.missed) if level else 0
        table.append(
            [
                runs[run_id].label,
                orders,
                "no data" if mean_s is None else round(mean_s / 60, 1),
                minutes(p50),
                minutes(p90),
                minutes(p99),
                f"{met} of {held} ({100 * met / held:.0f}%)" if held else "no data",
                f"{level.days_every_cell_met} of {level.days} ({100 * level.every_cell_share:.0f}%)"
                if level and level.days
                else "no data",
                round(cook_seconds / 3600, 1),
                f"{(cost := cook_seconds / 3600 * money.wages.per_hour * (premiums or {}).get(run_id, 1.0)):.2f}",
                round(100 * cost / (cents / 100), 1) if cents else "no data",
                round(cents / 100 / (cook_seconds / 3600), 2) if cook_seconds else "no data",
                round(100 * busy_seconds / cook_seconds, 1) if cook_seconds else "no data",
                f"{cents / 100:.2f}",
            ]
        )
    return table


def stations(rows, runs: dict[int, Shown]) -> dict:
    """Each laid-out run's stations side by side: the share of each station's capacity at work over the last two
    weeks, the mean units waiting and the longest wait in the hover."""
    title = "Stations: share of capacity at work (mean over the last 14 days)"
    if rows is None:
        return waiting(title)
    if not rows:
        return no_stations(title)
    by_run: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_run[row[0]].append(row)
    data = [
        {
            "type": "bar",
            "name": runs[run_id].label,
            "x": [row[1] for row in of_run],
            "y": [round(100 * row[2] / row[3], 1) if row[3] else None for row in of_run],
            "customdata": [[round(row[5] / row[4], 1), round(row[6] / 60)] for row in of_run],
            "hovertemplate": "%{x}: %{y}% at work, %{customdata[0]} waiting on average, the longest %{customdata[1]}"
            " min",
            "marker": {"color": _colour(i)},
        }
        for i, (run_id, of_run) in enumerate(sorted(by_run.items()))
    ]
    return figure(data, title, barmode="group", xaxis=_axis("Station"), yaxis=_axis("% of capacity"), **BELOW)
