"""What refreshes and when: every tick re-reads the runs; a new simulated moment re-runs each chart's query."""

from __future__ import annotations

import time
from pathlib import Path

from dash import Dash, Input, Output

from common.database import DatabaseUnavailable
from common.localtime import LocalClock
from dashboard import queries
from dashboard.charts import Chart, CHARTS
from dashboard.layout import status_line

# A running simulator commits at least once a second; a run silent for longer was stopped without
# closing it (killed, or its machine went down).
STALLED_AFTER = 10


def register(app: Dash, database: Path, zone: str) -> None:
    clock = LocalClock(zone)

    @app.callback(
        Output("run-choice", "options"), Output("status", "children"), Output("run", "data"),
        Input("tick", "n_intervals"), Input("run-choice", "value"),
    )
    def refresh_run(_, chosen):
        try:
            runs = queries.read(database, queries.runs)
        except DatabaseUnavailable as why:
            return [], f"Waiting for the simulator: {why}", None
        if not runs:
            return [], "Waiting for the simulator to start a run…", None
        run = next((r for r in runs if r.id == chosen), runs[-1])
        options = [{"label": f"Run {r.id} ({r.status}, {r.cooks} cooks)", "value": r.id} for r in reversed(runs)]
        if run.sim_now is None:
            return options, f"Run {run.id} is starting: waiting for its first orders…", None
        speed = "as fast as possible" if run.speed is None else f"{run.speed:g}× real time"
        state = run.status
        silent = time.time() - (run.wall_updated_at or run.wall_started_at)
        if state == "running" and silent > STALLED_AFTER:
            state = f"stalled: no word from the simulator for {silent:,.0f} s"
        status = status_line([
            ("Simulation time", clock.label(run.sim_now)),
            ("Run", f"{run.id} · {state}"),
            ("Cooks", f"a schedule of up to {run.cooks}" if run.cook_schedule else str(run.cooks)),
            ("Speed", speed),
            ("Orders", f"{run.orders_completed:,} of {run.orders_received:,} completed"),
        ])
        return options, status, {"id": run.id, "now": run.sim_now}

    for chart in CHARTS:
        _register_chart(app, chart, database, zone)


def _register_chart(app: Dash, chart: Chart, database: Path, zone: str) -> None:
    @app.callback(Output(chart.id, "figure"), Input("run", "data"))
    def refresh_chart(run):
        if not run:
            return chart.figure(None, zone)
        try:
            rows = queries.read(database, lambda connection: chart.query(connection, run["id"], run["now"]))
        except DatabaseUnavailable:
            rows = None
        return chart.figure(rows, zone)
