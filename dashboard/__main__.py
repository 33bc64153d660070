"""`python -m dashboard`: serve the dashboard natively (Flask's server, production mode, no debug pages).

It binds to 127.0.0.1 unless told otherwise; the container serves it with gunicorn on 0.0.0.0.
"""

from __future__ import annotations

import argparse
import signal
import sys

from common.settings import cli_target, settings_or_exit
from dashboard.app import create_app
from dashboard.auth import UsersError, users_from, warning


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("dashboard")
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=cli_target, default=settings.database,
                        help="the simulator's database: a SQLite file, or a postgresql:// URL")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for every interface)")
    args = parser.parse_args(argv)
    try:
        users = users_from()
    except UsersError as error:
        parser.exit(2, f"dashboard: {error}\n")
    app = create_app(args.db, settings.refresh_interval, settings.timezone, users, settings.sla_p90_minutes,
                     settings.service_level)
    if warning(args.host, users):
        print(warning(args.host, users), file=sys.stderr, flush=True)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C stops it, even when started in the background
    print(f"Dashboard on http://{'localhost' if args.host in ('127.0.0.1', '0.0.0.0') else args.host}:{args.port}"
          f" reading {args.db}", flush=True)
    app.run(host=args.host, port=args.port, debug=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
