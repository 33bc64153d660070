"""The benchmarks' inputs: generated order streams of a given size, and databases the real simulator wrote.

Files are kept in bench/.work (ignored by git) and made again only when missing.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from bench.measure import run_for_peak_rss
from simulator.generate import main as generate

WORK = Path(__file__).resolve().parent / ".work"
ORDERS_PER_DAY = 3000  # the generator's default demand curve
COOKS = 110  # the default crew: the queue builds at the meal peaks and drains every night
SEED = 1


def menu_file() -> Path:
    stream(1000)
    return WORK / "items.json"


def stream(size: int) -> Path:
    """A generated order stream of exactly `size` orders."""
    path = WORK / f"orders-{size}.json"
    if not path.exists():
        WORK.mkdir(exist_ok=True)
        days = math.ceil(size / ORDERS_PER_DAY * 1.1) + 1
        partial = path.with_suffix(".partial")
        generate(
            [
                "--seed",
                str(SEED),
                "--days",
                str(days),
                "--orders-per-day",
                str(ORDERS_PER_DAY),
                "--max-orders",
                str(size),
                "--orders",
                str(partial),
                "--menu",
                str(WORK / "items.json"),
            ]
        )
        partial.rename(path)
    return path


def simulator_command(orders: Path, db: Path, speed: str = "max", cooks: int = COOKS) -> list[str]:
    return [
        sys.executable,
        "-m",
        "simulator",
        "--orders",
        str(orders),
        "--menu",
        str(menu_file()),
        "--db",
        str(db),
        "--cooks",
        str(cooks),
        "--speed",
        speed,
        "--quiet",
    ]


def fresh(db: Path) -> Path:
    """Remove a database and its WAL files, so that a run starts from nothing."""
    db.parent.mkdir(parents=True, exist_ok=True)  # bench/.work, on a fresh clone
    for path in db.parent.glob(db.name + "*"):
        path.unlink()
    return db


def simulated_database(size: int) -> tuple[Path, float, float]:
    """Run the real simulator at full speed over a stream of `size` orders into a new database.

    Returns the database, the run's wall seconds and its peak memory in MiB.
    """
    db = fresh(WORK / f"kitchen-{size}.db")
    wall, peak = run_for_peak_rss(simulator_command(stream(size), db))
    return db, wall, peak
