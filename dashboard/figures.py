"""Figure builders: pure functions from query rows to Plotly figures, in the kitchen's local time.

Each takes what its query returned (None when there is no run to show) and the kitchen's time zone,
and returns the figure as a plain dict, which Dash sends as it is. Every chart is rebuilt at every
refresh, and plotly's graph objects would spend more time validating than the queries take; the tests
check every figure against plotly's schema instead.

Money arrives in cents and is shown in the kitchen's CURRENCY (Money). Times arrive as epoch seconds and are
shown as the kitchen's local wall-clock time (DST-correct); axis titles name the zone.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from common.localtime import EPOCH_WEEKDAY, LocalClock, day_label, half_hour_label
from common.service_level import BlockLevel, Promise, ServiceLevel, judge_days
from common.settings import DEFAULT_LABOUR_COST_TARGET, DEFAULT_SLA_P90, DEFAULT_WAGE
from common.wages import DAY_MINUTES, Wages
from dashboard.queries import MEAL_PERIODS

BACKGROUND = "#1e2130"
GRID = "#2f3447"
TEXT = "#eceff1"
COLOURS = ["#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8", "#fff176"]
PERIOD_COLOURS = {"Breakfast": "#fff176", "Lunch": "#ffb74d", "Dinner": "#e57373", "Late Night": "#7986cb"}
OVER, MET = "#e57373", "#81c784"
WAITING = "Waiting for data…"
AXIS = {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID}


@dataclass(frozen=True)
class Money:
    """How the page shows money: the currency every amount says (CURRENCY), the wages labour is costed at, and the
    share of revenue labour should cost (LABOUR_COST_TARGET, a line on the labour chart)."""

    wages: Wages = Wages(DEFAULT_WAGE)
    target_share: float = DEFAULT_LABOUR_COST_TARGET

    @property
    def currency(self) -> str:
        return self.wages.currency

    def show(self, cents: float) -> str:
        return f"{self.currency} {cents / 100:,.2f}"


MONEY = Money()


def figure(data: list[dict], title: str, **layout) -> dict:
    """A dark figure: a few explicit colours instead of a template, which would be costly to apply."""
    return {
        "data": data,
        "layout": {
            "title": {"text": title, "x": 0.02},
            "paper_bgcolor": BACKGROUND,
            "plot_bgcolor": BACKGROUND,
            "font": {"color": TEXT, "family": "Segoe UI, Roboto, Helvetica, Arial, sans-serif"},
            "xaxis": AXIS,
            "yaxis": AXIS,
            "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
            "colorway": COLOURS,
            "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
            "uirevision": "keep",  # keep the user's zoom across refreshes
            **layout,
        },
    }


def _axis(title: str, **more) -> dict:
    return {**AXIS, "title": {"text": title}, **more}


def level_line(y: float, label: str, above: bool = True) -> dict:
    """A dashed line across the chart at `y` (a target, a service level), labelled at its right end, above it
    or below: the layout's `shapes` and `annotations`."""
    line = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": y, "y1": y}
    return {
        "shapes": [{**line, "line": {"color": TEXT, "dash": "dash", "width": 1}}],
        "annotations": [
            {
                "text": label,
                "xref": "paper",
                "x": 1,
                "xanchor": "right",
                "y": y,
                "yanchor": "bottom" if above else "top",
                "showarrow": False,
                "font": {"color": TEXT},
            }
        ],
    }


def waiting(title: str) -> dict:
    """An empty chart saying that there is nothing to show yet."""
    return figure(
        [],
        title,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": WAITING,
                "showarrow": False,
                "font": {"size": 16, "color": "#9e9e9e"},
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
            }
        ],
    )


def local_times(epochs: Iterable[int], zone: str) -> list[int]:
    """Epoch seconds as the kitchen's local wall-clock times, for a date axis: milliseconds since 1970-01-01
    00:00 local, which Plotly shows as they are (numbers are much cheaper to make and send than strings)."""
    import numpy as np  # here: numpy takes a tenth of a second to import

    seconds = np.fromiter(epochs, dtype=np.int64)
    return ((seconds + clock_of(zone).offsets(seconds)) * 1000).tolist()


@lru_cache(maxsize=64)
def clock_of(zone: str) -> LocalClock:
    """One clock a zone for the life of the dashboard, so that its offsets by UTC hour are looked up once."""
    return LocalClock(zone)


def order_statuses(rows: list[tuple[int, int, int]] | None, zone: str) -> dict:
    title = "Order statuses every 10 simulated minutes (up to 14 days back)"
    if not rows:
        return waiting(title)
    t, queued, in_progress = zip(*rows, strict=True)
    times = local_times(t, zone)
    return figure(
        [
            {"type": "scatter", "mode": "lines", "name": "Queued", "x": times, "y": list(queued)},
            {"type": "scatter", "mode": "lines", "name": "In progress", "x": times, "y": list(in_progress)},
        ],
        title,
        xaxis=_axis(f"Local time ({zone})", type="date"),
        yaxis=_axis("Orders"),
    )


def recent_fulfillment(
    row: tuple[int, float | None, int | None] | None, zone: str, target: float = DEFAULT_SLA_P90
) -> dict:
    """The gauge: green up to the target, amber up to twice it, red beyond."""
    count, mean_seconds, p90_seconds = row or (0, None, None)
    if not count or mean_seconds is None or p90_seconds is None:  # orders counted have both
        return waiting("Fulfillment time, last simulated hour")
    mean, p90 = mean_seconds / 60, p90_seconds / 60
    top = max(3 * target, p90 * 1.1)
    return figure(
        [
            {
                "type": "indicator",
                "mode": "gauge+number",
                "value": round(mean, 1),
                "number": {"suffix": " min"},
                "title": {"text": "Mean"},
                "domain": {"x": [0, 0.68], "y": [0, 0.85]},
                "gauge": {
                    "axis": {"range": [0, top]},
                    "bar": {"color": "#eceff1"},
                    "steps": [
                        {"range": [0, target], "color": "#2e7d32"},
                        {"range": [target, 2 * target], "color": "#f9a825"},
                        {"range": [2 * target, top], "color": "#c62828"},
                    ],
                },
            },
            {
                "type": "indicator",
                "mode": "number",
                "value": round(p90, 1),
                "number": {"suffix": " min"},
                "title": {"text": f"p90 (target {target:g})"},
                "domain": {"x": [0.72, 1], "y": [0.25, 0.75]},
            },
        ],
        f"Fulfillment time, last simulated hour ({count:,} {'order' if count == 1 else 'orders'})",
    )


def fulfillment_by_half_hour(
    rows: list[tuple[int, int, int, int]] | None, zone: str, target: float = DEFAULT_SLA_P90
) -> dict:
    """p90 by half hour of receipt against the target line; the half hours over it in red."""
    title = "p90 fulfillment by half hour of receipt (up to 14 days back)"
    if not rows:
        return waiting(title)
    labels = [half_hour_label(h) for h, *_ in rows]
    p90 = [row[3] for row in rows]
    over = sum(value > target for value in p90)
    return figure(
        [
            {
                "type": "bar",
                "name": "p90",
                "x": labels,
                "y": p90,
                "customdata": [[row[1], row[2]] for row in rows],
                "marker": {"color": [OVER if value > target else MET for value in p90]},
                "hovertemplate": "%{x}: p90 %{y} min, p50 %{customdata[1]} min, %{customdata[0]} orders<extra></extra>",
            },
        ],
        f"{title}: {over} of {len(rows)} over the target" if over else f"{title}: every one on target",
        xaxis=_axis(f"Local half hour of receipt ({zone})", type="category"),
        yaxis=_axis("p90 fulfillment (minutes, rounded up)", rangemode="tozero"),
        showlegend=False,
        **level_line(target, f"target {target:g} min"),
    )


def service_level_by_half_hour(rows: list[tuple] | None, zone: str, promise: Promise) -> dict:
    """Each half hour's share of days that met the promise, with its 95% interval, against the service level;
    quiet half hours are judged with their neighbours (common/service_level.py), and those below it are red."""
    title = "Days each half hour met the promise (up to 14 days back)"
    if not rows:
        return waiting(title)
    judged = judge_days(rows, promise, per_day=48)
    shown = sorted({row[1] for row in rows})
    blocks = [_judged_block(judged, h) for h in shown]
    share = [round(100 * b.share, 1) for b in blocks]
    low, high = zip(*(b.interval_95 for b in blocks), strict=True)
    level = 100 * promise.level
    pooled = [
        f"{half_hour_label(b.intervals[0])}-{half_hour_label(b.intervals[-1] + 1)}, " if len(b.intervals) > 1 else ""
        for b in blocks
    ]
    missed = len(judged.missed)
    verdict = (
        f"{missed} of {len(judged.blocks)} below {promise.level:.0%}" if missed else f"every one at {promise.level:.0%}"
    ) + (f"; every half hour met on {judged.days_every_cell_met} of {judged.days} days")
    return figure(
        [
            {
                "type": "bar",
                "name": "days met",
                "x": [half_hour_label(h) for h in shown],
                "y": share,
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "color": TEXT,
                    "thickness": 1,
                    "array": [round(100 * h - s, 1) for h, s in zip(high, share, strict=True)],
                    "arrayminus": [round(s - 100 * lo, 1) for lo, s in zip(low, share, strict=True)],
                },
                "customdata": [[b.met, b.days, p, round(b.orders, 1)] for b, p in zip(blocks, pooled, strict=True)],
                "marker": {"color": [MET if b.meets(promise.level) else OVER for b in blocks]},
                "hovertemplate": "%{x}: met on %{customdata[0]} of %{customdata[1]} days (%{y}%),"
                " %{customdata[2]}%{customdata[3]} orders a day<extra></extra>",
            },
        ],
        f"{title}: {verdict}",
        xaxis=_axis(f"Local half hour of receipt ({zone})", type="category"),
        yaxis=_axis(
            f"days met: p90 ≤ {promise.target_minutes:g} min, none over {promise.worst_minutes:g} (%)", range=[0, 105]
        ),
        showlegend=False,
        **level_line(level, f"service level {promise.level:.0%}", above=False),
    )


def _judged_block(judged: ServiceLevel, half_hour: int) -> BlockLevel:
    """The block a half hour of the rows was judged in."""
    block = judged.of_interval(half_hour)
    assert block is not None, "judge_days judges the block of every half hour its rows have"
    return block


def revenue_by_day(rows: list[tuple[str, str, int]] | None, zone: str, money: Money = MONEY) -> dict:
    title = "Revenue by day and delivery service"
    if not rows:
        return waiting(title)
    by_service: dict[str, tuple[list[str], list[float]]] = {}
    for day, service, cents in rows:
        days, dollars = by_service.setdefault(service, ([], []))
        days.append(day)
        dollars.append(cents / 100)
    colours = service_colours(list(by_service))
    return figure(
        [
            {"type": "bar", "name": service, "x": days, "y": dollars, "marker": {"color": colours[service]}}
            for service, (days, dollars) in sorted(by_service.items())
        ],
        title,
        barmode="stack",
        xaxis=_axis(f"Local day ({zone})", type="category"),
        yaxis=_axis(f"Revenue ({money.currency})"),
        # below the axis, where it can wrap onto more lines as services are added, never over the title
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.3, "yanchor": "top"},
        margin={"l": 60, "r": 20, "t": 50, "b": 100},
    )


SERVICE_COLOURS = [
    "#4fc3f7",
    "#ffb74d",
    "#81c784",
    "#e57373",
    "#ba68c8",
    "#fff176",
    "#4db6ac",
    "#f06292",
    "#a1887f",
    "#90a4ae",
]


def service_colours(services: list[str]) -> dict[str, str]:
    """A colour for each delivery service that depends on its name alone, so that it is the same in every run
    and every kitchen: its name's checksum picks it; two that pick the same take the next free one, in
    name order."""
    taken: set[str] = set()
    colours: dict[str, str] = {}
    for service in sorted(services):
        index = zlib.crc32(service.encode()) % len(SERVICE_COLOURS)
        while SERVICE_COLOURS[index] in taken and len(taken) < len(SERVICE_COLOURS):
            index = (index + 1) % len(SERVICE_COLOURS)
        taken.add(SERVICE_COLOURS[index])
        colours[service] = SERVICE_COLOURS[index]
    return colours


def total_revenue(cents: int | None, zone: str, money: Money = MONEY) -> dict:
    title = "Total revenue"
    if not cents:
        return waiting(title)
    return figure(
        [
            {
                "type": "indicator",
                "mode": "number",
                "value": cents / 100,
                "number": {"prefix": f"{money.currency} ", "valueformat": ",.2f", "font": {"size": 48}},
            }
        ],
        title,
    )


def revenue_by_meal_period(rows: list[tuple[str, int]] | None, zone: str, money: Money = MONEY) -> dict:
    title = "Revenue by meal period"
    revenue = dict(rows or [])
    periods = [p for p in MEAL_PERIODS if revenue.get(p)]
    if not periods:
        return waiting(title)
    return figure(
        [
            {
                "type": "pie",
                "labels": periods,
                "values": [revenue[p] / 100 for p in periods],
                "sort": False,
                "hole": 0.35,
                "marker": {"colors": [PERIOD_COLOURS[p] for p in periods]},
                "texttemplate": "%{label}<br>%{percent}",
                "hovertemplate": f"%{{label}}: {money.currency} %{{value:,.2f}}<extra></extra>",
            }
        ],
        title,
        showlegend=False,
    )


def cook_utilisation(rows: list[tuple[int, int, int]] | None, zone: str) -> dict:
    title = "Cooks on shift and busy"
    if not rows:
        return waiting(title)
    t, busy, cooks = zip(*rows, strict=True)
    times = local_times(t, zone)
    now = (
        f"{100 * busy[-1] / cooks[-1]:.0f}% busy now ({busy[-1]} of {cooks[-1]})"
        if cooks[-1]
        else f"nobody on shift now ({busy[-1]} finishing)"
    )
    return figure(
        [
            {
                "type": "scatter",
                "mode": "lines",
                "fill": "tozeroy",
                "name": "Busy cooks",
                "x": times,
                "y": list(busy),
                "customdata": [round(100 * b / c) if c else None for b, c in zip(busy, cooks, strict=True)],
                "hovertemplate": "%{y} busy (%{customdata}%)<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "line": {"shape": "hv", "dash": "dot", "color": TEXT},
                "name": "Cooks on shift",
                "x": times,
                "y": list(cooks),
            },
        ],
        f"{title}: {now}",
        xaxis=_axis(f"Local time ({zone})", type="date"),
        yaxis=_axis("Cooks", rangemode="tozero"),
    )


def top_dishes(rows: list[tuple[str, int]] | None, zone: str) -> dict:
    title = "Top 10 dishes by units ordered"
    if not rows:
        return waiting(title)
    dishes, units = zip(*reversed(rows), strict=True)  # the most ordered at the top
    return figure(
        [{"type": "bar", "orientation": "h", "x": list(units), "y": list(dishes), "marker": {"color": COLOURS[2]}}],
        title,
        xaxis=_axis("Units"),
        yaxis={"gridcolor": GRID},
        margin={"l": 180, "r": 20, "t": 50, "b": 40},
    )


NO_STATIONS = "No stations: a run with --layout records its stations every minute"


def _by_station(rows: list[tuple]) -> dict[str, list[tuple]]:
    stations: dict[str, list[tuple]] = {}
    for row in rows:
        stations.setdefault(row[1], []).append(row)
    return stations


def no_stations(title: str) -> dict:
    """A run without a layout: the station view says how to have one (not 'waiting': nothing is coming)."""
    empty = waiting(title)
    empty["layout"]["annotations"][0]["text"] = NO_STATIONS
    return empty


def station_queues(rows: list[tuple] | None, zone: str) -> dict:
    """Units waiting at each station over time; the title names the bottleneck now: the station whose oldest
    waiting unit has waited longest at the latest sample."""
    title = "Units waiting by station"
    if rows is None:
        return waiting(title)
    if not rows:
        return no_stations(title)
    latest = [row for row in rows if row[0] == rows[-1][0]]
    worst = max(latest, key=lambda row: row[5])
    now = (
        f"bottleneck now: {worst[1]} ({worst[2]} waiting, the oldest {worst[5] / 60:.0f} min)"
        if worst[5]
        else "no unit waits now"
    )
    return figure(
        [
            {
                "type": "scatter",
                "mode": "lines",
                "name": name,
                "x": local_times((row[0] for row in samples), zone),
                "y": [row[2] for row in samples],
                "customdata": [round(row[5] / 60) for row in samples],
                "hovertemplate": f"{name}: %{{y}} waiting, the oldest %{{customdata}} min<extra></extra>",
            }
            for name, samples in _by_station(rows).items()
        ],
        f"{title}: {now}",
        xaxis=_axis(f"Local time ({zone})", type="date"),
        yaxis=_axis("Units waiting", rangemode="tozero"),
    )


def station_utilisation(rows: list[tuple] | None, zone: str) -> dict:
    """Each station's share of its capacity at work (cooks who can work it, or slots) over time."""
    title = "Stations busy"
    if rows is None:
        return waiting(title)
    if not rows:
        return no_stations(title)

    def share(row: tuple) -> float | None:
        return round(100 * row[3] / row[4], 1) if row[4] else None

    latest = [row for row in rows if row[0] == rows[-1][0]]
    busiest = max(latest, key=lambda row: share(row) or 0)
    now = f"now {busiest[1]} {share(busiest) or 0:.0f}% ({busiest[3]} of {busiest[4]})"
    return figure(
        [
            {
                "type": "scatter",
                "mode": "lines",
                "name": name,
                "x": local_times((row[0] for row in samples), zone),
                "y": [share(row) for row in samples],
                "customdata": [[row[3], row[4]] for row in samples],
                "hovertemplate": f"{name}: %{{y}}% (%{{customdata[0]}} of %{{customdata[1]}})<extra></extra>",
            }
            for name, samples in _by_station(rows).items()
        ],
        f"{title}: {now}",
        xaxis=_axis(f"Local time ({zone})", type="date"),
        yaxis=_axis("% of capacity at work", rangemode="tozero"),
    )


def labour_by_day(
    revenue: list[tuple[str, int]], crew: list[tuple[int, int]], zone: str, money: Money, since: int | None = None
) -> list[tuple[str, float, float, int]]:
    """(local day, cook-hours, labour cost, revenue in cents) of each day with a crew: each quarter hour's
    cook-minutes (queries._crew_minutes) at the wage and its premium there (common/wages.py). The local day of
    `since`, where the crew's rows begin, is left out: they cover part of it, its sales all of it."""
    hours: dict[int, float] = defaultdict(float)
    cost: dict[int, float] = defaultdict(float)
    for day, _, cook_hours, paid in _costed(crew, zone, money, since):
        hours[day] += cook_hours
        cost[day] += paid
    sales = dict(revenue)
    return [
        (label, hours[day], cost[day], int(sales.get(label, 0))) for day in sorted(hours) for label in [day_label(day)]
    ]


def labour_by_half_hour(
    revenue: list[tuple[str, int, int]], crew: list[tuple[int, int]], zone: str, money: Money, since: int
) -> list[tuple[int, float, float, int]]:
    """(half hour of the day 0-47, cook-hours, labour cost, revenue in cents) over the whole days of the crew's
    rows (the day of `since` left out, as by day): each half hour of the day, every day added up."""
    hours: dict[int, float] = defaultdict(float)
    cost: dict[int, float] = defaultdict(float)
    days = set()
    for day, seconds, cook_hours, paid in _costed(crew, zone, money, since):
        half = seconds // 1800
        hours[half] += cook_hours
        cost[half] += paid
        days.add(day)
    labels = {day_label(day) for day in days}
    sales: dict[int, int] = defaultdict(int)
    for label, half_hour, cents in revenue:
        if label in labels:
            sales[half_hour] += cents
    return [(half, hours[half], cost[half], sales[half]) for half in sorted(hours)]


def _costed(
    crew: list[tuple[int, int]], zone: str, money: Money, since: int | None
) -> Iterator[tuple[int, int, float, float]]:
    """(local day, local seconds of the day, cook-hours, cost) of each quarter hour of the crew, but those of the
    local day of `since`; in integers of the local clock, the wage's multiple looked up once per quarter of the week
    (two weeks of them: two charts a refresh)."""
    clock = clock_of(zone)
    cut = None if since is None else clock.local_seconds(since) // 86400
    multiples: dict[int, float] = {}
    for t, cook_minutes in crew:
        day, seconds = divmod(clock.local_seconds(t), 86400)
        if day == cut:
            continue
        minute = (day + EPOCH_WEEKDAY) % 7 * DAY_MINUTES + seconds // 60
        if minute not in multiples:
            multiples[minute] = money.wages.times(minute)
        hours = cook_minutes / 60
        yield day, seconds, hours, hours * money.wages.per_hour * multiples[minute]


def minute_of_week(local: datetime) -> int:
    """The minute of the week (from Monday 00:00) of a local moment: where the wage premiums are looked up."""
    return local.weekday() * DAY_MINUTES + local.hour * 60 + local.minute


def premium_share(samples: Iterable[tuple[int, int]], zone: str, money: Money) -> float:
    """The mean multiple of the wage a run's cook-hours were paid at: its 10-minute samples (t, cooks), each cook
    at the premium of that local minute of the week (1 without premiums, or with no cooks)."""
    clock = clock_of(zone)
    cooks_total = paid = 0.0
    for t, cooks in samples:
        local = clock.local(t)
        paid += cooks * money.wages.times(minute_of_week(local))
        cooks_total += cooks
    return paid / cooks_total if cooks_total else 1.0


def labour_cost(rows: tuple[list, list, int] | None, zone: str, money: Money = MONEY) -> dict:
    """Labour cost as a share of revenue by local day, against the target share, and sales per labour hour."""
    title = "Labour cost as a share of sales, by day"
    days = labour_by_day(rows[0], rows[1], zone, money, rows[2]) if rows else []
    return _labour_against_sales(title, days, _axis(f"Local day ({zone})", type="category"), money)


def labour_cost_by_half_hour(rows: tuple[list, list, int] | None, zone: str, money: Money = MONEY) -> dict:
    """The same by half hour of the day, the whole days of the last two weeks added up: which hours' crews cost
    more than their sales carry."""
    title = "Labour cost as a share of sales, by half hour of the day (last two weeks)"
    halves = labour_by_half_hour(rows[0], rows[1], zone, money, rows[2]) if rows else []
    labelled = [(half_hour_label(half), *rest) for half, *rest in halves]
    return _labour_against_sales(title, labelled, _axis(f"Local half hour ({zone})", type="category"), money)


def _labour_against_sales(title: str, rows: list, xaxis: dict, money: Money) -> dict:
    """Bars of labour cost as a share of sales (red above the target, drawn as a line) and a line of sales per
    labour hour, one of each per (label, cook-hours, cost, revenue in cents) with both."""
    rows = [r for r in rows if r[1] > 0 and r[3] > 0]
    if not rows:
        return waiting(title)
    labels = [label for label, *_ in rows]
    share = [100 * cost / (cents / 100) for _, _, cost, cents in rows]
    per_hour = [cents / 100 / hours for _, hours, _, cents in rows]
    target = 100 * money.target_share
    return figure(
        [
            {
                "type": "bar",
                "name": "labour cost / sales (%)",
                "x": labels,
                "y": share,
                "marker": {"color": [OVER if s > target else MET for s in share]},
                "hovertemplate": "%{x}: labour %{y:.1f}% of sales<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"sales per labour hour ({money.currency})",
                "x": labels,
                "y": per_hour,
                "yaxis": "y2",
                "line": {"color": COLOURS[0]},
                "hovertemplate": f"%{{x}}: {money.currency} %{{y:,.2f}} a cook-hour<extra></extra>",
            },
        ],
        title,
        xaxis=xaxis,
        yaxis=_axis("labour cost, % of sales", rangemode="tozero"),
        yaxis2={
            **_axis(f"sales per labour hour ({money.currency})", rangemode="tozero"),
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
        },
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": target,
                "y1": target,
                "line": {"color": TEXT, "dash": "dash", "width": 1},
            }
        ],
        annotations=[
            {
                "xref": "paper",
                "x": 0.01,
                "y": target,
                "yshift": 10,
                "showarrow": False,
                "text": f"target {target:g}%",
                "font": {"color": TEXT},
            }
        ],
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.3, "yanchor": "top"},
        margin={"l": 60, "r": 60, "t": 50, "b": 100},
    )
