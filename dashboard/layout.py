"""The page: a header with the simulation time and the run, then a grid of charts (see assets/style.css)."""

from __future__ import annotations

from dash import dcc, html

from dashboard.charts import CHARTS


def page(refresh_seconds: float) -> html.Div:
    return html.Div(className="page", children=[
        html.Header(className="header", children=[
            html.H1("Kitchen Simulator"),
            html.Div(id="status", className="status", children="Waiting for data…"),
            html.Label(className="run-picker", children=[
                "Kitchen",
                dcc.Dropdown(id="kitchen-choice", placeholder="All kitchens", clearable=True, searchable=False),
            ]),
            html.Label(className="run-picker", children=[
                "Run",
                dcc.Dropdown(id="run-choice", placeholder="Latest run", clearable=True, searchable=False),
            ]),
        ]),
        html.Main(className="charts", children=[
            dcc.Graph(id=chart.id, className=f"chart {chart.id}", config={"displaylogo": False})
            for chart in CHARTS
        ]),
        dcc.Store(id="run"),
        dcc.Interval(id="tick", interval=int(refresh_seconds * 1000)),
    ])


def status_line(items: list[tuple[str, str]]) -> list:
    """Label: value pairs, the first (the simulation time) shown large."""
    return [html.Span(className="fact", children=[html.Span(label, className="label"), html.Strong(value)])
            for label, value in items]
