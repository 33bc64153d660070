"""gunicorn's settings for the dashboard (`gunicorn -c python:dashboard.gunicorn_conf dashboard.wsgi:server`, and
`python -m dashboard`).

Several workers, each with a few threads: every chart's callback is a separate request. No access log
unless DASHBOARD_ACCESS_LOG is set (a line per request buries everything else); errors and warnings only.
"""

import os
import signal
import sys

from dashboard.auth import listener_host, users_from, warning

workers = 2
threads = 4
loglevel = "warning"
accesslog = "-" if os.environ.get("DASHBOARD_ACCESS_LOG") else None


def when_ready(server):
    """Warn once, when the dashboard listens beyond this machine with no login."""
    published = os.environ.get("DASHBOARD_PUBLISHED")  # in a container: the address it is published on
    hosts = [published] if published else [listener_host(str(listener)) for listener in server.LISTENERS]
    for host in filter(None, hosts):
        line = warning(host, users_from())
        if line:
            print(line, file=sys.stderr, flush=True)
            return


def post_worker_init(worker):
    """Ctrl-C is the master's to handle: a terminal interrupts the workers too, and a worker interrupted and then
    told to quit by its master can hang until the master kills it, 30 s later."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
