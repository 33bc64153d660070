"""The simulator at full speed with its SQLite store, as a whole process, against the textbook SimPy model
of the same kitchen (bench/textbook.py: a process per unit, no database, no sampling), run in turn in
the same invocation; the same with PostgreSQL; and its peak memory, which must not grow with the stream."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

from bench import workload
from bench.measure import Result

TEXTBOOK_RATIO_TARGET = 1.0
POSTGRES_SHARE_TARGET = 0.70
MEMORY_TARGET_MIB = 300
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def units_in(orders) -> int:
    """Units of the stream, read as a stream: this process stays small, since a child it starts reports
    this process's peak memory as its own when it has been larger (Linux keeps it across exec)."""
    from simulator.feed import read_orders
    from simulator.menu import load_menu
    from simulator.orders import Order

    return sum(
        line.quantity
        for entry in read_orders(orders, load_menu(workload.menu_file()))
        if isinstance(entry, Order)
        for line in entry.lines
    )


def textbook_command(orders) -> list[str]:
    return [sys.executable, "-m", "bench.textbook", str(orders), str(workload.menu_file()), str(workload.COOKS)]


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def paired(repeat: int, ours, theirs) -> tuple[float, float, float]:
    """Medians of ours and theirs, run in turn (ours, theirs, ours, ...), and the median of their ratios."""
    pairs = [(ours(), theirs()) for _ in range(repeat)]
    ordered = sorted(pairs, key=lambda p: p[0] / p[1])
    mine, other = sorted(p[0] for p in pairs), sorted(p[1] for p in pairs)
    middle = len(pairs) // 2
    return mine[middle], other[middle], ordered[middle][0] / ordered[middle][1]


def runs_for(size: int, repeat: int) -> int:
    """More pairs where a pair takes a second or less: there the machine's noise is as large as the gap."""
    return min(3 * repeat, max(repeat, repeat * 100_000 // size))


def throughput(sizes: list[int], repeat: int) -> list[Result]:
    results = []
    wall(textbook_command(workload.stream(min(sizes))))  # warm up: imports, the page cache
    for size in sizes:
        orders = workload.stream(size)
        units = units_in(orders)
        db = workload.WORK / "throughput.db"
        pairs = runs_for(size, repeat)
        ours, textbook, ratio = paired(
            pairs,
            lambda: wall(workload.simulator_command(orders, workload.fresh(db))),
            lambda: wall(textbook_command(orders)),
        )
        results.append(
            Result(
                "simulator against the textbook SimPy model (--speed max)",
                f"{size:,} orders, {units:,} units, {pairs} pairs",
                f"{size / ours:,.0f} orders/s, {units / ours:,.0f} units/s with the SQLite store",
                f"{size / textbook:,.0f} orders/s, {units / textbook:,.0f} units/s textbook model, no store",
                f"{ratio:.2f} of its wall time",
                f"<= {TEXTBOOK_RATIO_TARGET:.1f}",
                ratio <= TEXTBOOK_RATIO_TARGET,
            )
        )
    return results


def postgres(sizes: list[int], repeat: int, url: str = DEFAULT_POSTGRES) -> list[Result]:
    """The same runs writing to PostgreSQL (a fresh schema each), against SQLite, in turn."""
    import psycopg
    from psycopg import sql

    from common.database import with_search_path

    results = []
    for size in sizes:
        orders, schema = workload.stream(size), f"bench_{uuid.uuid4().hex[:8]}"

        def into_postgres() -> float:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
                admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
            return wall(workload.simulator_command(orders, with_search_path(url, schema)))

        try:
            pg, lite, ratio = paired(
                repeat,
                into_postgres,
                lambda: wall(workload.simulator_command(orders, workload.fresh(workload.WORK / "pg-vs.db"))),
            )
        finally:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        share = 1 / ratio
        results.append(
            Result(
                "simulator with PostgreSQL (--speed max)",
                f"{size:,} orders",
                f"{size / pg:,.0f} orders/s into PostgreSQL",
                f"{size / lite:,.0f} orders/s into SQLite",
                f"{share:.2f} of SQLite's throughput",
                f">= {POSTGRES_SHARE_TARGET:.2f}",
                share >= POSTGRES_SHARE_TARGET,
            )
        )
    return results


def memory(sizes: list[int]) -> list[Result]:
    """Peak RSS of the real simulator process; each run also leaves the database the dashboard bench reads."""
    peaks = {size: workload.simulated_database(size)[2] for size in sizes}
    smallest = peaks[min(sizes)]
    return [
        Result(
            "simulator peak memory",
            f"{size:,} orders",
            f"{peak:.0f} MiB",
            f"{smallest:.0f} MiB at {min(sizes):,}",
            f"{peak / smallest:.2f}",
            f"< {MEMORY_TARGET_MIB} MiB, flat",
            peak < MEMORY_TARGET_MIB and peak < 1.25 * smallest,
        )
        for size, peak in peaks.items()
    ]
