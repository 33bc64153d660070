"""Starting the real services for end-to-end tests: generated data, the simulator, the dashboard."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from common.database import connect_readonly


def generate(folder: Path, days: int = 1, orders_per_day: int = 1500, seed: int = 3) -> tuple[Path, Path]:
    menu, orders = folder / "items.json", folder / "orders.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.generate",
            "--days",
            str(days),
            "--orders-per-day",
            str(orders_per_day),
            "--seed",
            str(seed),
            "--menu",
            str(menu),
            "--orders",
            str(orders),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return menu, orders


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(command: list[str], log: Path, env: dict[str, str] | None = None):
    """Run a command for the duration of the block, its output in `log`; SIGINT, then kill, at the end."""
    with open(log, "w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(2)
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def simulator_process(menu: Path, orders: Path, db: Path | str, *flags: str) -> list[str]:
    """`python -m simulator` on these files and this database, with more flags."""
    return [sys.executable, "-m", "simulator", "--menu", str(menu), "--orders", str(orders), "--db", str(db), *flags]


def simulator_command(menu: Path, orders: Path, db: Path, cooks: int, speed: str) -> list[str]:
    return simulator_process(menu, orders, db, "--cooks", str(cooks), "--speed", speed, "--quiet")


def committed(db: Path | str, run: int) -> int:
    """Orders the run has committed so far: 0 before its first commit (or while the database is away)."""
    try:
        session = connect_readonly(db)
        try:
            found = session.execute("SELECT orders_received FROM runs WHERE id = ?", (run,)).fetchone()
        finally:
            session.close()
    except Exception:  # not created yet, or away
        return 0
    return found[0] if found else 0


def dashboard_command(db: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "dashboard", "--db", str(db), "--port", str(port)]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
