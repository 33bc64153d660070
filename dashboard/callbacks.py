"""The live page: what refreshes and when. Every tick re-reads the runs; only a new run or a new simulated
moment re-runs the charts' queries (otherwise the shown runs stay as they are: no_update, and no chart
asks). Each chart's CSV button sends the rows of its query."""

from __future__ import annotations

import time
from functools import lru_cache

from dash import ALL, Dash, Input, Output, State, ctx, dcc, no_update

from common.database import DatabaseUnavailable, Reader
from common.localtime import LocalClock
from common.records import STALLED_AFTER
from common.service_level import Promise
from dashboard import queries, tables
from dashboard.charts import CHARTS, Chart
from dashboard.figures import MONEY, Money
from dashboard.layout import status_line


def register(app: Dash, reader: Reader, zone: str, promise: Promise, money: Money = MONEY) -> None:
    clock = LocalClock(zone)

    @app.callback(
        Output("kitchen-choice", "options"),
        Output("run-choice", "options"),
        Output("status", "children"),
        Output("run", "data"),
        Input("tick", "n_intervals"),
        Input("kitchen-choice", "value"),
        Input("run-choice", "value"),
        State("run", "data"),
    )
    def refresh_run(_, kitchen, chosen, shown_before):
        try:
            runs = reader.read(queries.runs)
        except DatabaseUnavailable as why:
            return [], [], f"Waiting for the simulator: {why}", None
        if not runs:
            return [], [], "Waiting for the simulator to start a run…", None
        kitchens = sorted({r.kitchen for r in runs})
        kitchen_options = [{"label": name, "value": name} for name in kitchens]
        if kitchen not in kitchens and len(kitchens) == 1:
            kitchen = kitchens[0]
        if kitchen in kitchens:
            own = [r for r in runs if r.kitchen == kitchen]
            shown = [next((r for r in own if r.id == chosen), own[-1])]
            run_options = [{"label": f"Run {r.id} ({r.status}, {r.cooks} cooks)", "value": r.id} for r in reversed(own)]
        else:  # every kitchen: the latest run of each, added together
            shown = [[r for r in runs if r.kitchen == name][-1] for name in kitchens]
            run_options = []
        started = [r for r in shown if r.sim_now is not None]
        if not started:
            return kitchen_options, run_options, "The run is starting: waiting for its first orders…", None
        status = status_line(_facts(shown, clock))
        shown_now = {"runs": [r.id for r in started], "now": max(r.sim_now for r in started)}
        return kitchen_options, run_options, status, no_update if shown_now == shown_before else shown_now

    for chart in CHARTS:
        _register_chart(app, chart, reader, zone, promise, money)

    by_id = {chart.id: chart for chart in CHARTS}

    @app.callback(
        Output("download", "data", allow_duplicate=True),
        Input({"type": "live-csv", "chart": ALL}, "n_clicks"),
        State("run", "data"),
        prevent_initial_call=True,
    )
    def download(clicks, shown):
        chart = by_id.get((ctx.triggered_id or {}).get("chart"))
        if chart is None or not any(clicks) or not shown:
            return no_update
        rows = reader.read(lambda session: chart.read(session, shown["runs"], shown["now"], zone, promise))
        header, table = chart.tabulate(rows, zone, money)
        return dcc.send_string(tables.csv_text(header, table), f"{chart.id}.csv")


def _facts(shown: list[queries.Run], clock: LocalClock) -> list[tuple[str, str]]:
    now = max(r.sim_now for r in shown if r.sim_now is not None)
    received, completed = sum(r.orders_received for r in shown), sum(r.orders_completed for r in shown)
    orders = ("Orders", f"{completed:,} of {received:,} completed")
    if len(shown) > 1:
        running = sum(r.status == "running" for r in shown)
        return [
            ("Simulation time", clock.label(now)),
            ("Kitchens", f"{len(shown)}, {running} running"),
            ("Cooks", f"up to {sum(r.cooks for r in shown):,}"),
            orders,
        ]
    run = shown[0]
    state = run.status
    silent = time.time() - (run.wall_updated_at or run.wall_started_at)
    if state == "running" and silent > STALLED_AFTER:
        state = f"stalled: no word from the simulator for {silent:,.0f} s"
    return [
        ("Simulation time", clock.label(now)),
        ("Run", f"{run.kitchen} · {run.id} · {state}"),
        ("Cooks", f"a schedule of up to {run.cooks}" if run.cook_schedule else str(run.cooks)),
        ("Speed", "as fast as possible" if run.speed is None else f"{run.speed:g}× real time"),
        orders,
    ]


def _register_chart(app: Dash, chart: Chart, reader: Reader, zone: str, promise: Promise, money: Money) -> None:
    @lru_cache(maxsize=32)
    def figure_at(runs: tuple[int, ...], now: int) -> dict:
        """The chart at a simulated moment. Every page open on the same runs asks for the same moment
        (the writer commits once a second), so it is drawn once for all of them."""
        return chart.draw(
            reader.read(lambda session: chart.read(session, list(runs), now, zone, promise)), zone, promise, money
        )

    @app.callback(Output(chart.id, "figure"), Input("run", "data"))
    def refresh_chart(shown):
        if not shown:
            return chart.draw(None, zone, promise, money)
        try:
            return figure_at(tuple(shown["runs"]), shown["now"])
        except DatabaseUnavailable:
            return chart.draw(None, zone, promise, money)
