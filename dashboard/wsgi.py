"""The WSGI entry point for gunicorn: `gunicorn -c python:dashboard.gunicorn_conf dashboard.wsgi:server`,
configured by settings (and DASHBOARD_USERS for a login)."""

from common.settings import load_settings
from dashboard.app import create_app
from dashboard.auth import users_from
from dashboard.figures import Money

_settings = load_settings()
server = create_app(
    _settings.database,
    _settings.refresh_interval,
    _settings.timezone,
    users_from(),
    _settings.sla_p90_minutes,
    _settings.service_level,
    Money(_settings.wages, _settings.labour_cost_target),
).server
