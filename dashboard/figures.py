"""Figure builders: pure functions from query rows to Plotly figures, in the kitchen's local time.

Each takes what its query returned (None when there is no run to show) and the kitchen's time zone.

Money arrives in cents and is shown in dollars. Times arrive as epoch seconds and are shown as the
kitchen's local wall-clock time (DST-correct); axis titles name the zone.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.queries import MEAL_PERIODS

TEMPLATE = "plotly_dark"
BACKGROUND = "#1e2130"
COLOURS = ["#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8", "#fff176"]
PERIOD_COLOURS = {"Breakfast": "#fff176", "Lunch": "#ffb74d", "Dinner": "#e57373", "Late Night": "#7986cb"}
GOOD_MINUTES, FAIR_MINUTES = 40, 80
WAITING = "Waiting for data…"


def _layout(figure: go.Figure, title: str, **extra) -> go.Figure:
    layout = dict(
        template=TEMPLATE, title={"text": title, "x": 0.02}, paper_bgcolor=BACKGROUND, plot_bgcolor=BACKGROUND,
        margin={"l": 50, "r": 20, "t": 50, "b": 40}, colorway=COLOURS, legend={"orientation": "h", "y": -0.2},
        uirevision="keep",  # keep the user's zoom across refreshes
    )
    figure.update_layout(**(layout | extra))
    return figure


def waiting(title: str) -> go.Figure:
    """An empty chart saying that there is nothing to show yet."""
    figure = _layout(go.Figure(), title)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure.add_annotation(text=WAITING, showarrow=False, font={"size": 16, "color": "#9e9e9e"},
                          xref="paper", yref="paper", x=0.5, y=0.5)
    return figure


def local_times(epochs, zone: str) -> pd.DatetimeIndex:
    """Epoch seconds as naive local wall-clock times, which Plotly shows as they are."""
    return pd.to_datetime(pd.Series(epochs, dtype="int64"), unit="s", utc=True).dt.tz_convert(zone).dt.tz_localize(None)


def order_statuses(rows, zone: str) -> go.Figure:
    title = "Order statuses every 10 simulated minutes (up to 14 days back)"
    if not rows:
        return waiting(title)
    frame = pd.DataFrame(rows, columns=["t", "queued", "in_progress"])
    times = local_times(frame["t"], zone)
    figure = go.Figure([
        go.Scatter(x=times, y=frame["queued"], name="Queued", mode="lines"),
        go.Scatter(x=times, y=frame["in_progress"], name="In progress", mode="lines"),
    ])
    return _layout(figure, title, xaxis_title=f"Local time ({zone})", yaxis_title="Orders")


def recent_fulfillment(row, zone: str) -> go.Figure:
    count, mean_seconds, p90_seconds = row or (0, None, None)
    if not count:
        return waiting("Fulfillment time, last simulated hour")
    title = f"Fulfillment time, last simulated hour ({count} orders)"
    mean, p90 = mean_seconds / 60, p90_seconds / 60
    top = max(120, p90 * 1.1)
    figure = go.Figure([
        go.Indicator(
            mode="gauge+number", value=round(mean, 1), number={"suffix": " min"}, title={"text": "Mean"},
            domain={"x": [0, 0.68], "y": [0, 0.85]},
            gauge={
                "axis": {"range": [0, top]}, "bar": {"color": "#eceff1"},
                "steps": [{"range": [0, GOOD_MINUTES], "color": "#2e7d32"},
                          {"range": [GOOD_MINUTES, FAIR_MINUTES], "color": "#f9a825"},
                          {"range": [FAIR_MINUTES, top], "color": "#c62828"}],
            },
        ),
        go.Indicator(mode="number", value=round(p90, 1), number={"suffix": " min"}, title={"text": "p90"},
                     domain={"x": [0.72, 1], "y": [0.25, 0.75]}),
    ])
    return _layout(figure, title)


def revenue_by_day(rows, zone: str) -> go.Figure:
    title = "Revenue by day and delivery service"
    if not rows:
        return waiting(title)
    frame = pd.DataFrame(rows, columns=["day", "service", "cents"])
    figure = go.Figure([
        go.Bar(x=part["day"], y=part["cents"] / 100, name=service)
        for service, part in frame.groupby("service", sort=True)
    ])
    return _layout(figure, title, barmode="stack", xaxis_title=f"Local day ({zone})", xaxis_type="category",
                   yaxis_title="Revenue ($)", yaxis_tickprefix="$")


def money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def total_revenue(cents: int, zone: str) -> go.Figure:
    title = "Total revenue"
    if not cents:
        return waiting(title)
    figure = go.Figure(go.Indicator(mode="number", value=cents / 100,
                                    number={"prefix": "$", "valueformat": ",.2f", "font": {"size": 48}}))
    return _layout(figure, title)


def revenue_by_meal_period(rows, zone: str) -> go.Figure:
    title = "Revenue by meal period"
    revenue = dict(rows or [])
    if not any(revenue.values()):
        return waiting(title)
    periods = [p for p in MEAL_PERIODS if revenue.get(p)]
    figure = go.Figure(go.Pie(labels=periods, values=[revenue[p] / 100 for p in periods], sort=False, hole=0.35,
                              marker_colors=[PERIOD_COLOURS[p] for p in periods],
                              texttemplate="%{label}<br>%{percent}", hovertemplate="%{label}: $%{value:,.2f}"))
    return _layout(figure, title, showlegend=False)


def cook_utilisation(rows, zone: str) -> go.Figure:
    title = "Cook utilisation"
    if not rows:
        return waiting(title)
    frame = pd.DataFrame(rows, columns=["t", "busy", "cooks"])
    share = 100 * frame["busy"] / frame["cooks"]
    figure = go.Figure(go.Scatter(x=local_times(frame["t"], zone), y=share, name="Busy cooks", mode="lines",
                                  fill="tozeroy", customdata=frame[["busy", "cooks"]],
                                  hovertemplate="%{y:.0f}% (%{customdata[0]} of %{customdata[1]} cooks)"))
    now = share.iloc[-1]
    latest = frame.iloc[-1]
    return _layout(figure, f"{title}: {now:.0f}% now ({latest['busy']} of {latest['cooks']} cooks busy)",
                   xaxis_title=f"Local time ({zone})", yaxis_title="Busy cooks (%)", yaxis_range=[0, 105])


def top_dishes(rows, zone: str) -> go.Figure:
    title = "Top 10 dishes by units ordered"
    if not rows:
        return waiting(title)
    dishes, units = zip(*reversed(rows))  # the most ordered at the top
    figure = go.Figure(go.Bar(x=units, y=dishes, orientation="h", marker_color=COLOURS[2]))
    return _layout(figure, title, xaxis_title="Units", margin={"l": 180, "r": 20, "t": 50, "b": 40})
