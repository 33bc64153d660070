"""Load: 20 browser-like clients poll every callback of the dashboard, served by gunicorn, while the
simulator writes. Zero errors allowed; the latencies are printed (and saved in test-artifacts/).

Each client does what a page does at every tick: the run-and-header callback, then every chart's,
once a second (five times the default refresh rate). KITCHEN_LOAD_SECONDS sets the duration
(default 10; the issue's figure is for 60).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
import urllib.request

import pytest

from common.settings import PROJECT_ROOT
from tests.dash_callbacks import RUN_OUTPUTS, UPDATE_URL, chart_requests, run_request, values
from tests.processes import free_port, generate, running, simulator_command, wait_for_http

CLIENTS = 20
ROUND_EVERY = 1.0


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def client(url: str, until: float, latencies: list[float], errors: list[str]) -> None:
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            before = time.perf_counter()
            [run] = values(post(url, run_request()), RUN_OUTPUTS[3:])
            latencies.append(time.perf_counter() - before)
            for body in chart_requests(run):
                before = time.perf_counter()
                post(url, body)
                latencies.append(time.perf_counter() - before)
        except Exception as error:  # any failure at all is what this test counts
            errors.append(repr(error))
        time.sleep(max(0.0, ROUND_EVERY - (time.monotonic() - started)))


@pytest.mark.e2e
def test_twenty_clients_against_gunicorn_see_no_errors(tmp_path):
    seconds = float(os.environ.get("KITCHEN_LOAD_SECONDS", "10"))
    menu, orders = generate(tmp_path, days=2, orders_per_day=3000)
    db, port = tmp_path / "k.db", free_port()
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "dashboard.wsgi:server",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
    ]
    with (
        running(simulator_command(menu, orders, db, cooks=110, speed="3000"), tmp_path / "simulator.log"),
        running(gunicorn, tmp_path / "gunicorn.log", {"KITCHEN_DB": str(db)}) as server,
    ):
        wait_for_http(f"http://127.0.0.1:{port}/health", server)
        url = f"http://127.0.0.1:{port}{UPDATE_URL}"
        latencies: list[float] = []
        errors: list[str] = []
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=client, args=(url, until, latencies, errors)) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    cuts = statistics.quantiles(latencies, n=100)
    report = (
        f"{CLIENTS} clients for {seconds:g} s: {len(latencies)} requests, {len(errors)} errors, "
        f"p50 {cuts[49] * 1000:.0f} ms, p95 {cuts[94] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    print(report)
    (PROJECT_ROOT / "test-artifacts").mkdir(exist_ok=True)
    (PROJECT_ROOT / "test-artifacts" / "load.txt").write_text(report + "\n")
    assert errors == []
    assert len(latencies) > CLIENTS * seconds * 4  # the clients kept polling
