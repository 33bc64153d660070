# Kitchen Simulator's images, one stage per service on one shared base (see docker-compose.yml):
#   base       Python, the project's dependencies, a non-root user, what both services share
#   simulator  python -m simulator: replays the orders into the shared database
#   dashboard  the Dash app under gunicorn, with its healthcheck
#   cluster    the simulator with Dask and OR-Tools: a Dask scheduler, its workers, and the plan or the
#              sweep run against them (docker compose --profile cluster)
#   test       every service's tests, for `make unittest` (docker-compose.test.yml)
# Build context: the project root.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app KITCHEN_DB=/app/db/kitchen.db
WORKDIR /app
# Dependencies first, read from pyproject.toml alone, so that editing the code does not reinstall them.
COPY pyproject.toml tools/requirements.py ./
RUN python requirements.py > /tmp/requirements.txt && pip install -r /tmp/requirements.txt
COPY common common
COPY parameters parameters
# Bytecode compiled now (PYTHONDONTWRITEBYTECODE, and a read-only /app for the user): not at every start.
RUN python -m compileall -q common parameters
# A non-root user; the db folder is theirs (a new named volume mounted there inherits that, and SQLite
# readers in WAL mode need to write its -shm file).
RUN useradd --create-home --uid 1000 kitchen && mkdir -p db && chown kitchen db

FROM base AS simulator
COPY simulator simulator
COPY data data
RUN python -m compileall -q simulator
USER kitchen
CMD ["python", "-m", "simulator"]

FROM base AS dashboard
COPY dashboard dashboard
RUN python -m compileall -q dashboard
USER kitchen
EXPOSE 8050
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8050/health', timeout=4)"]
# Inside the container it listens on every interface; docker-compose.yml publishes it on the host's
# loopback unless told otherwise (DASHBOARD_ADDRESS).
CMD ["gunicorn", "-c", "python:dashboard.gunicorn_conf", "--bind", "0.0.0.0:8050", "dashboard.wsgi:server"]

FROM simulator AS cluster
USER root
RUN python requirements.py --extras-only cluster plan > /tmp/cluster-requirements.txt \
 && pip install -r /tmp/cluster-requirements.txt
# The planner writes a folder of the host: it runs as that folder's owner (see docker-compose.yml).
COPY scripts/run-as-owner.sh /usr/local/bin/run-as-owner
USER kitchen
CMD ["dask", "worker", "tcp://scheduler:8786", "--nthreads", "1"]

FROM base AS test
RUN python requirements.py --extras-only test > /tmp/test-requirements.txt && pip install -r /tmp/test-requirements.txt
COPY simulator simulator
COPY dashboard dashboard
COPY data data
COPY tests tests
COPY conftest.py ./
RUN chown -R kitchen /app
USER kitchen
CMD ["python", "-m", "pytest", "common/tests", "simulator/tests", "simulator/feed/tests", "simulator/experiment/tests", "simulator/stations/tests"]
