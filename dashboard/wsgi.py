"""The WSGI entry point for gunicorn: `gunicorn dashboard.wsgi:server`, configured by settings."""

from common.settings import load_settings
from dashboard.app import create_app

_settings = load_settings()
server = create_app(_settings.database, _settings.refresh_interval, _settings.timezone).server
