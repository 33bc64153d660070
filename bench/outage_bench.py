"""What a database outage costs: the same run at 3000x real time into a PostgreSQL server of the bench's own (a
throwaway cluster: the shared server is never stopped), once undisturbed and once with the server stopped for 5 s
in the middle. The writer keeps what it could not commit and the kitchen goes on, so the run with the outage
should end at most 2 s later, with the same rows. The baseline is the undisturbed run, in the same invocation."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import workload
from bench.measure import Result

SPEED = 3000
OUTAGE_S = 5.0
TARGET_LATER_S = 2.0


def _stream(days: int) -> tuple[Path, Path]:
    folder = workload.WORK / "outage"
    folder.mkdir(parents=True, exist_ok=True)
    menu, orders = folder / "items.json", folder / "orders.json"
    subprocess.run(
        [sys.executable, "-m", "simulator.generate", "--days", str(days), "--orders-per-day", "3000", "--seed", "24"]
        + ["--menu", str(menu), "--orders", str(orders)],
        check=True,
        capture_output=True,
    )
    return menu, orders


def _run(menu: Path, orders: Path, url: str, speed: float, during=None) -> float:
    """The run's wall seconds; `during(process)` is called in a thread while it runs."""
    command = [sys.executable, "-m", "simulator", "--menu", str(menu), "--orders", str(orders), "--db", url]
    command += ["--cooks", "110", "--speed", f"{speed:g}", "--quiet"]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if during is not None:
        threading.Thread(target=during, daemon=True).start()
    _, error = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the simulator failed: {error[-2000:]}")
    return time.monotonic() - started


def cost(days: int = 4, speed: float = SPEED, outage_s: float = OUTAGE_S) -> list[Result]:
    """`days` of 3000 orders at `speed`: at 3000x, 4 days take about 2 minutes of wall time a run (115 s)."""
    from tests.databases import POSTGRES_BIN, ThrowawayServer
    from tests.kitchen_data import stored_run

    case = f"{days} day{'s' if days > 1 else ''} of orders at {speed:g}x, PostgreSQL stopped {outage_s:g} s mid-run"
    if not (POSTGRES_BIN / "initdb").exists():
        return [Result("outage", case, "not measured", f"no initdb in {POSTGRES_BIN}", "-", "-", None)]
    menu, orders = _stream(days)
    server = ThrowawayServer()
    try:
        calm = _run(menu, orders, server.url, speed)

        def outage() -> None:
            time.sleep(calm / 2)
            server.stop()
            time.sleep(outage_s)
            server.start()

        disturbed = _run(menu, orders, server.url, speed, outage)
        equal = stored_run(server.url, 2) == stored_run(server.url, 1)
    finally:
        server.remove()
    later = disturbed - calm
    return [
        Result(
            "outage",
            case,
            f"{disturbed:.1f} s{'' if equal else ', rows NOT equal'}",
            f"{calm:.1f} s undisturbed",
            f"{later:+.1f} s",
            f"at most {TARGET_LATER_S:g} s later, equal rows",
            later <= TARGET_LATER_S and equal,
        )
    ]
