"""`make run` (scripts/run.sh): both services as in production, one URL line, quiet, and honest about failure."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from common.settings import PROJECT_ROOT
from tests.parameters import write_parameters
from tests.processes import free_port, generate


def start(tmp_path, port: int, **parameters) -> subprocess.Popen:
    menu, orders = generate(tmp_path, days=1, orders_per_day=400)
    values = {"ORDERS_FILE": str(orders), "MENU_FILE": str(menu), "DATABASE": str(tmp_path / "k.db"),
              "SIMULATION_SPEED": 600} | parameters
    env = {"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "PORT": str(port),
           "KITCHEN_PARAMETERS": str(write_parameters(tmp_path / "parameters.py", **values))}
    return subprocess.Popen(["bash", str(PROJECT_ROOT / "scripts" / "run.sh")], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(condition, process, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()
        time.sleep(0.1)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def run_status(db) -> str | None:
    try:
        with sqlite3.connect(db) as connection:
            return connection.execute("SELECT status FROM runs").fetchone()[0]
    except (sqlite3.OperationalError, TypeError):
        return None


@pytest.mark.e2e
def test_both_services_run_quietly_and_ctrl_c_stops_both(tmp_path):
    port = free_port()
    process = start(tmp_path, port)
    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/health"), process)
        wait_for(lambda: run_status(tmp_path / "k.db") == "running", process)
        for _ in range(10):
            assert answers(f"http://127.0.0.1:{port}/")
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert output.count(f"http://localhost:{port}") == 1  # the URL, once
    assert "GET /" not in output and "Werkzeug" not in output and "development server" not in output
    assert run_status(tmp_path / "k.db") == "interrupted"
    assert not answers(f"http://127.0.0.1:{port}/health")


@pytest.mark.e2e
def test_a_taken_port_stops_it_before_the_simulator_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start(tmp_path, port)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert f"make run: port {port} is already in use; choose another: PORT={port + 1} make run" in output
    assert not (tmp_path / "k.db").exists()


@pytest.mark.e2e
def test_bad_parameters_stop_it_with_one_line(tmp_path):
    process = start(tmp_path, free_port(), NUM_COOKS=0)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert output.strip().splitlines() == [f"make run: {tmp_path / 'parameters.py'}: NUM_COOKS: expected a whole number"
                                           " of cooks >= 1, got 0"]
    assert not (tmp_path / "k.db").exists()


@pytest.mark.e2e
def test_a_simulator_that_cannot_start_stops_the_dashboard_too(tmp_path):
    port = free_port()
    process = start(tmp_path, port, MENU_FILE=str(tmp_path / "no-menu.json"))
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "menu file not found" in output and "make run: the simulator failed (exit 2); stopping the dashboard" in output
    assert not answers(f"http://127.0.0.1:{port}/health")
