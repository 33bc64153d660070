"""`python -m dashboard`: serve the dashboard natively, under gunicorn, as `make run` and the container do.

No debug pages, no line per request. It binds to 127.0.0.1 unless told otherwise; the container serves it on
0.0.0.0. It prints the URL once; gunicorn itself says only warnings and errors (dashboard/gunicorn_conf.py),
among them the one line when it listens beyond this machine with no login.
"""

from __future__ import annotations

import errno
import socket
import sys

from flask import Flask
from gunicorn.app.base import BaseApplication

from common.command_line import Parser, port_number, shown_default
from common.settings import Settings, cli_target, settings_or_exit
from dashboard import gunicorn_conf
from dashboard.app import create_app
from dashboard.auth import UsersError, users_from
from dashboard.figures import Money


def parser(settings: Settings) -> Parser:
    flags = Parser("python -m dashboard", __doc__)
    flags.add_argument(
        "--db",
        type=cli_target,
        default=settings.database,
        help="the simulator's database: a SQLite file, or a postgresql:// URL (default: DATABASE, or"
        f" KITCHEN_DB: {shown_default(settings.database)})",
    )
    flags.add_argument("--port", type=port_number, default=8050, help="the port to listen on (default: %(default)s)")
    flags.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for every interface; default: %(default)s)"
    )
    return flags


class Server(BaseApplication):
    """gunicorn in this process, with dashboard/gunicorn_conf.py's settings, serving an app built before the workers
    are forked: each starts ready, rather than all building the app at once while the first already answers."""

    def __init__(self, app: Flask, bind: str) -> None:
        self.app, self.bind = app, bind
        super().__init__()

    def load_config(self) -> None:
        for name, value in vars(gunicorn_conf).items():
            if name in self.cfg.settings:
                self.cfg.set(name, value)
        self.cfg.set("bind", [self.bind])

    def load(self) -> Flask:
        return self.app


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("dashboard")
    flags = parser(settings)
    args = flags.parse_args(argv)
    try:
        users = users_from()
    except UsersError as error:
        flags.exit(2, f"dashboard: {error}\n")
    if in_use(args.host, args.port):
        flags.exit(
            1, f"dashboard: port {args.port} is already in use on {args.host}; choose another: --port {args.port + 1}\n"
        )
    app = create_app(
        args.db,
        settings.refresh_interval,
        settings.timezone,
        users,
        settings.sla_p90_minutes,
        settings.service_level,
        Money(settings.wages, settings.labour_cost_target),
    )  # it opens no connection: each worker opens its own
    address = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"Dashboard on http://{'localhost' if args.host in ('127.0.0.1', '0.0.0.0') else address}:{args.port}"
        f" reading {args.db}",
        flush=True,
    )
    try:
        Server(app.server, f"{address}:{args.port}").run()
    except SystemExit as stopped:  # gunicorn ends by exiting: 0 when stopped by Ctrl-C or SIGTERM
        if isinstance(stopped.code, str):  # a message, said as sys.exit says it (gunicorn's own exits are numbers)
            print(stopped.code, file=sys.stderr)
            return 1
        return stopped.code or 0
    return 0


def in_use(host: str, port: int) -> bool:
    """Whether something already listens there: said in one line, rather than gunicorn's five retries. Any
    other trouble with the address is gunicorn's to report."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False


if __name__ == "__main__":
    sys.exit(main())
