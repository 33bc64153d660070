"""The Dash app: the pages and their callbacks wired to one database. `create_app` takes its configuration, so
tests and gunicorn (see wsgi.py) each build the app they need."""

from __future__ import annotations

from pathlib import Path

from dash import Dash, Input, Output

from common.database import Reader
from common.service_level import Promise
from common.settings import DEFAULT_LEVEL, DEFAULT_SLA_P90
from dashboard import callbacks, compare, layout
from dashboard.auth import require_login
from dashboard.figures import MONEY, Money


def create_app(
    database: Path | str,
    refresh_seconds: float,
    zone: str,
    users: dict[str, str] | None = None,
    target: float = DEFAULT_SLA_P90,
    level: float = DEFAULT_LEVEL,
    money: Money = MONEY,
) -> Dash:
    """The app; with `users` (name -> password or hash), every page asks for a login. `target` is the p90
    fulfillment, in minutes, each half hour is held to, on a `level` share of days; `money` how amounts show and
    labour is costed."""
    # no "Updating..." in the tab while a callback runs: Dash documents "" as None, which its signature does not take
    app = Dash(__name__, title="Kitchen Simulator", update_title="")
    app.layout = layout.shell(refresh_seconds)

    @app.callback(
        Output("live-page", "style"),
        Output("compare-page", "style"),
        Output("tick", "disabled"),
        Output("compare-tick", "disabled"),
        Input("url", "pathname"),
    )
    def route(path):
        """Show the page the URL names; only its clock ticks."""
        comparing = path == layout.COMPARE
        return (
            ({"display": "none"} if comparing else {}),
            ({} if comparing else {"display": "none"}),
            comparing,
            not comparing,
        )

    reader = Reader(database)
    promise = Promise(target, level)
    callbacks.register(app, reader, zone, promise, money)
    compare.register(app, reader, zone, promise, money)
    if users:
        require_login(app.server, users)

    @app.server.route("/health")
    def health():
        """For container healthchecks: the web server answers (the database may not exist yet)."""
        return {"status": "ok"}

    # Dash sets its server up on the first request it gets, and lets the requests that come meanwhile through
    # unready: a gunicorn worker's first page comes as several requests at once, and its scripts failed (500).
    # One request now, which reads nothing, sets the app up before it serves anyone.
    app.server.test_client().get("/health")
    return app
