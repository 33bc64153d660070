#!/usr/bin/env bash
# `make run`: the simulator and the dashboard natively, as in production (the dashboard under gunicorn).
#   PYTHON  the virtual environment's python (the Makefile passes it)
#   PORT    the dashboard's port on 127.0.0.1 (8050)
#   DASHBOARD_ACCESS_LOG=1 prints a line per request
# Either service failing to start stops both, with one line saying why, and a non-zero exit status.
# Ctrl-C stops both (the run is then marked interrupted) and exits 0. When the simulator has replayed every
# order, the dashboard stays up to look at, until Ctrl-C.
set -u

# Ctrl-C is this script's alone. From a terminal, it runs again as the terminal's foreground job, so that
# make, which started it, is not interrupted too (make would end with an error, or the signal, whatever the
# script did); the services run in process groups of their own and are stopped once each, by `stop`: gunicorn
# interrupted together with its workers can wait 30 s for one of them and then kill it.
if [[ -t 0 && -z ${KITCHEN_RUN_IN_FOREGROUND:-} ]]; then
  set -m
  KITCHEN_RUN_IN_FOREGROUND=$$ bash "$0" "$@"
  exit $?
fi
PYTHON=${PYTHON:-.venv/bin/python}
PORT=${PORT:-8050}
URL="http://localhost:$PORT"
say() { echo "make run: $*" >&2; }

# The parameters first: one line naming the bad value, before anything starts.
"$PYTHON" -c 'from common.settings import settings_or_exit; settings_or_exit("make run")' || exit 2
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || (( PORT < 1 || PORT > 65535 )); then say "PORT must be a port number, got '$PORT'"; exit 2; fi
if "$PYTHON" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $PORT)) != 0)"; then
  say "port $PORT is already in use; choose another: PORT=$((PORT + 1)) make run"; exit 1
fi

dashboard=; simulator=; watchdog=
stop() { kill -TERM $simulator $dashboard 2>/dev/null; wait $simulator $dashboard 2>/dev/null; }
trap 'stop; exit 0' INT TERM
trap 'stop; exit 129' HUP
if [[ ${KITCHEN_RUN_IN_FOREGROUND:-} ]]; then  # the services stop too when make is stopped another way (kill, timeout)
  ( while kill -0 "$KITCHEN_RUN_IN_FOREGROUND" 2>/dev/null; do sleep 1; done; kill -TERM $$ ) & watchdog=$!
  trap 'kill $watchdog 2>/dev/null' EXIT
fi

set -m  # each service in a process group of its own (see above)
"$PYTHON" -m gunicorn -c python:dashboard.gunicorn_conf --bind "127.0.0.1:$PORT" dashboard.wsgi:server </dev/null & dashboard=$!
set +m
for _ in $(seq 100); do  # up to 20 s for the dashboard to answer
  if ! kill -0 $dashboard 2>/dev/null; then wait $dashboard; say "the dashboard could not start (exit $?); see above"; exit 1; fi
  "$PYTHON" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/health', timeout=1)" 2>/dev/null && break
  sleep 0.2
done

set -m
"$PYTHON" -m simulator </dev/null & simulator=$!
set +m
echo "Dashboard: $URL  (Ctrl-C stops both services)"

while true; do
  wait -n $simulator $dashboard; status=$?
  if ! kill -0 $dashboard 2>/dev/null; then
    say "the dashboard stopped (exit $status); stopping the simulator"; stop; exit 1
  fi
  if ! kill -0 $simulator 2>/dev/null; then
    if (( status != 0 )); then say "the simulator failed (exit $status); stopping the dashboard"; stop; exit $status; fi
    echo "The simulator has replayed every order; the dashboard stays at $URL until Ctrl-C."
    wait $dashboard; say "the dashboard stopped (exit $?)"; exit 1
  fi
done
