"""`make run` (scripts/run.sh): both services as in production, one URL line, quiet, and honest about failure."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import termios
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from common.settings import PROJECT_ROOT
from tests.parameters import write_parameters
from tests.processes import free_port, generate


def environment(tmp_path, port: int, **parameters) -> dict[str, str]:
    menu, orders = generate(tmp_path, days=1, orders_per_day=400)
    values = {
        "ORDERS_FILE": str(orders),
        "MENU_FILE": str(menu),
        "DATABASE": str(tmp_path / "k.db"),
        "SIMULATION_SPEED": 600,
    } | parameters
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHON": sys.executable,
        "PORT": str(port),
        "KITCHEN_PARAMETERS": str(write_parameters(tmp_path / "parameters.py", **values)),
    }


def start(tmp_path, port: int, **parameters) -> subprocess.Popen:
    """scripts/run.sh in a process group of its own, as a terminal would start it (without the terminal)."""
    return subprocess.Popen(
        ["bash", str(PROJECT_ROOT / "scripts" / "run.sh")],
        cwd=PROJECT_ROOT,
        env=environment(tmp_path, port, **parameters),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


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
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C does: to the whole process group
        asked = time.monotonic()
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert time.monotonic() - asked < 15, output  # not gunicorn's 30 s wait for a worker interrupted twice
    assert output.count(f"http://localhost:{port}") == 1  # the URL, once
    assert "no login" not in output  # it listens on loopback
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
    assert output.strip().splitlines() == [
        f"make run: {tmp_path / 'parameters.py'}: NUM_COOKS: expected a whole number of cooks >= 1, got 0"
    ]
    assert not (tmp_path / "k.db").exists()


@pytest.mark.e2e
def test_a_simulator_that_cannot_start_stops_the_dashboard_too(tmp_path):
    port = free_port()
    process = start(tmp_path, port, MENU_FILE=str(tmp_path / "no-menu.json"))
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert (
        "menu file not found" in output and "make run: the simulator failed (exit 2); stopping the dashboard" in output
    )
    assert not answers(f"http://127.0.0.1:{port}/health")


def in_a_terminal(command: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, int, list[bytes]]:
    """`command` with a terminal of its own (a pseudo-terminal, whose controlling process it is); its output is
    collected as it comes. Writing b"\x03" to the returned descriptor is pressing Ctrl-C."""
    terminal, side = os.openpty()

    def take_the_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdin=side,
        stdout=side,
        stderr=side,
        start_new_session=True,
        preexec_fn=take_the_terminal,
    )
    os.close(side)
    output: list[bytes] = []

    def collect() -> None:
        while True:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # every writer has closed the terminal
                return
            if not chunk:
                return
            output.append(chunk)

    threading.Thread(target=collect, daemon=True).start()
    return process, terminal, output


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_ctrl_c_in_a_terminal_ends_make_run_with_exit_0_and_no_make_error(tmp_path):
    """The newcomer's way: `make run` in a terminal, the simulator done, then Ctrl-C (the terminal interrupts
    its whole foreground process group, make included)."""
    port = free_port()
    env = environment(tmp_path, port, SIMULATION_SPEED="max")
    stamp = Path(".venv") / ".installed"  # the set-up is this test's own interpreter: make must not redo it
    process, terminal, output = in_a_terminal(
        ["make", "-s", "-o", str(stamp), "run", f"PY={sys.executable}", f"PORT={port}"], env
    )
    try:
        deadline = time.monotonic() + 60
        while b"replayed every order" not in b"".join(output):
            assert process.poll() is None and time.monotonic() < deadline, b"".join(output).decode(errors="replace")
            time.sleep(0.1)
        assert answers(f"http://127.0.0.1:{port}/health")
        os.write(terminal, b"\x03")
        process.wait(timeout=60)
        time.sleep(0.2)  # the last of the output
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        os.close(terminal)
    shown = b"".join(output).decode(errors="replace")
    assert process.returncode == 0, shown
    assert "make: ***" not in shown and "make run:" not in shown and "no login" not in shown
    assert run_status(tmp_path / "k.db") == "completed"
    assert not answers(f"http://127.0.0.1:{port}/health")
