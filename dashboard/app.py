"""The Dash app: layout and callbacks wired to one database. `create_app` takes its configuration, so
tests and gunicorn (see wsgi.py) each build the app they need."""

from __future__ import annotations

from pathlib import Path

from dash import Dash

from dashboard import callbacks, layout
from dashboard.auth import require_login


def create_app(database: Path | str, refresh_seconds: float, zone: str, users: dict[str, str] | None = None) -> Dash:
    """The app; with `users` (name -> password or hash), every page asks for a login."""
    app = Dash(__name__, title="Kitchen Simulator", update_title=None)
    app.layout = layout.page(refresh_seconds)
    callbacks.register(app, database, zone)
    if users:
        require_login(app.server, users)

    @app.server.route("/health")
    def health():
        """For container healthchecks: the web server answers (the database may not exist yet)."""
        return {"status": "ok"}

    return app
