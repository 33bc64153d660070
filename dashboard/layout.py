"""The pages: one layout holding both pages, the URL saying which shows (/ the live kitchen, /compare runs
side by side; only the shown page's clock ticks), each page a header and a grid of charts (see
assets/style.css)."""

from __future__ import annotations

from dash import dcc, html

from dashboard.charts import CHARTS
from dashboard.comparison import SUMMARY_COLUMNS

LIVE, COMPARE = "/", "/compare"


def shell(refresh_seconds: float) -> html.Div:
    return html.Div(
        className="page",
        children=[
            # The compare page writes its selection into the link (?runs=3,5) and reads it back in the same
            # callback: the link changes without loading the page again.
            dcc.Location(id="url", refresh=False),
            html.Div(id="live-page", children=live_page(refresh_seconds)),
            html.Div(id="compare-page", style={"display": "none"}, children=compare_page(refresh_seconds)),
            dcc.Download(id="download"),
        ],
    )


def nav(current: str) -> html.Nav:
    return html.Nav(
        className="nav",
        children=[
            dcc.Link("Live", href=LIVE, className="current" if current == LIVE else ""),
            dcc.Link("Compare runs", href=COMPARE, className="current" if current == COMPARE else ""),
        ],
    )


def csv_button(page: str, target: str) -> html.Button:
    return html.Button(
        "CSV", id={"type": f"{page}-csv", "chart": target}, className="csv", title="this chart's data as CSV"
    )


def live_page(refresh_seconds: float) -> html.Div:
    return html.Div(
        children=[
            html.Header(
                className="header",
                children=[
                    html.H1("Kitchen Simulator"),
                    nav(LIVE),
                    html.Div(id="status", className="status", children="Waiting for data…"),
                    html.Label(
                        className="run-picker",
                        children=[
                            "Kitchen",
                            dcc.Dropdown(
                                id="kitchen-choice", placeholder="All kitchens", clearable=True, searchable=False
                            ),
                        ],
                    ),
                    html.Label(
                        className="run-picker",
                        children=[
                            "Run",
                            dcc.Dropdown(id="run-choice", placeholder="Latest run", clearable=True, searchable=False),
                        ],
                    ),
                ],
            ),
            html.Main(
                className="charts",
                children=[
                    html.Div(
                        className=f"chart {chart.id}",
                        children=[
                            dcc.Graph(id=chart.id, className="graph", config={"displaylogo": False}),
                            csv_button("live", chart.id),
                        ],
                    )
                    for chart in CHARTS
                ],
            ),
            dcc.Store(id="run"),
            dcc.Interval(id="tick", interval=int(refresh_seconds * 1000)),
        ]
    )


COMPARE_CHARTS = ("compare-queued", "compare-cooks", "compare-half-hours", "compare-stations")


def compare_page(refresh_seconds: float) -> html.Div:
    return html.Div(
        children=[
            html.Header(
                className="header",
                children=[
                    html.H1("Kitchen Simulator"),
                    nav(COMPARE),
                    html.Label(
                        className="run-picker runs",
                        children=[
                            "Runs",
                            dcc.Dropdown(
                                id="compare-runs", multi=True, placeholder="Pick 2 to 6 runs, of any kitchens"
                            ),
                        ],
                    ),
                    dcc.Upload(
                        id="plan-upload",
                        className="upload",
                        accept=".csv",
                        children=html.Span(id="plan-name", children="Open a plan (intervals.csv)"),
                    ),
                ],
            ),
            html.Div(id="compare-note", className="note"),
            html.Main(
                className="charts compare",
                children=[
                    html.Div(
                        className=f"chart {name}",
                        children=[
                            dcc.Graph(id=name, className="graph", config={"displaylogo": False}),
                            csv_button("compare", name),
                        ],
                    )
                    for name in COMPARE_CHARTS
                ]
                + [
                    html.Div(
                        className="chart compare-table",
                        children=[
                            html.Table(id="compare-table", className="summary", children=summary_table([])),
                            csv_button("compare", "compare-table"),
                        ],
                    )
                ],
            ),
            dcc.Store(id="compare-view"),
            dcc.Store(id="plan"),
            dcc.Interval(id="compare-tick", interval=int(refresh_seconds * 1000)),
        ]
    )


def status_line(items: list[tuple[str, str]]) -> list:
    """Label: value pairs, the first (the simulation time) shown large."""
    return [
        html.Span(className="fact", children=[html.Span(label, className="label"), html.Strong(value)])
        for label, value in items
    ]


def summary_table(rows: list[list], columns: list[str] = SUMMARY_COLUMNS) -> list:
    """The compare table's header (comparison.summary_columns) and rows."""
    return [
        html.Thead(html.Tr([html.Th(column) for column in columns])),
        html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows]),
    ]
