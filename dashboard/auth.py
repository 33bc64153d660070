"""Optional login: HTTP basic auth over the whole dashboard when users are configured.

Users come from DASHBOARD_USERS, `name:password` pairs separated by commas, or from the file that
DASHBOARD_USERS_FILE names, one `name:password` a line. A password may be written as a hash
(`python -m dashboard.passwords NAME` prints such a line), which is better than the password itself.
Checking is Flask-HTTPAuth's and Werkzeug's. /health stays open, for container healthchecks.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from pathlib import Path

from flask import Flask, request
from flask_httpauth import HTTPBasicAuth
from werkzeug.security import check_password_hash

HASH_METHODS = ("scrypt:", "pbkdf2:")
OPEN_PATHS = ("/health",)


class UsersError(ValueError):
    """The users cannot be read; the message says where."""


def users_from(environ: dict[str, str] | None = None) -> dict[str, str]:
    """name -> password or password hash; empty when no login is configured."""
    env = os.environ if environ is None else environ
    if env.get("DASHBOARD_USERS_FILE"):
        path = Path(env["DASHBOARD_USERS_FILE"])
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise UsersError(f"DASHBOARD_USERS_FILE: cannot read {path}: {error.strerror}") from None
        return _pairs([line for line in lines if line.strip() and not line.startswith("#")], f"{path}, line")
    if env.get("DASHBOARD_USERS"):
        return _pairs(env["DASHBOARD_USERS"].split(","), "DASHBOARD_USERS, entry")
    return {}


def _pairs(entries: list[str], where: str) -> dict[str, str]:
    users = {}
    for number, entry in enumerate(entries, start=1):
        name, colon, secret = entry.strip().partition(":")
        if not (name and colon and secret):
            raise UsersError(f"{where} {number}: expected name:password, got {entry.strip()!r}")
        users[name] = secret
    return users


def require_login(server: Flask, users: dict[str, str]) -> None:
    """Every request but /health asks for one of `users`' name and password."""
    auth = HTTPBasicAuth(realm="Kitchen Simulator")

    @auth.verify_password
    def verify(name: str, password: str) -> str | None:
        secret = users.get(name)
        if secret is None or not password:
            return None
        if secret.startswith(HASH_METHODS):
            return name if check_password_hash(secret, password) else None
        return name if hmac.compare_digest(secret.encode(), password.encode()) else None

    @server.before_request
    def ask_for_login():
        if request.path in OPEN_PATHS:
            return None
        return auth.login_required(lambda: None)()


def exposed(host: str) -> bool:
    """Whether an address to listen on reaches beyond this machine."""
    if host in ("localhost", ""):
        return host == ""
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def listener_host(listener: str) -> str | None:
    """The address in gunicorn's name for a listener: '127.0.0.1:8050', or 'http://127.0.0.1:8050' as recent
    versions write it, or '[::1]:8050'; None for a Unix socket, which only this machine reaches."""
    if listener.startswith("unix:"):
        return None
    return listener.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")


def warning(host: str, users: dict[str, str]) -> str | None:
    """One line when the dashboard listens beyond this machine with no login, else None."""
    if users or not exposed(host):
        return None
    return (
        f"dashboard: warning: listening on {host} with no login: anyone who can reach it sees the kitchen's"
        " revenue; set DASHBOARD_USERS (or DASHBOARD_USERS_FILE), or listen on 127.0.0.1"
    )
