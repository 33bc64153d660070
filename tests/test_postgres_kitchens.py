"""Many kitchens, one PostgreSQL: ten simulators at full speed write different kitchens at once while
the dashboard refreshes. No order is lost or written twice, and nobody sees an error.

Runs when KITCHEN_TEST_POSTGRES_URL names a server (CI sets it). The combined throughput against one
simulator alone is printed and saved in test-artifacts/postgres-kitchens.txt.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time

import pytest

from common.database import read
from common.settings import PROJECT_ROOT
from dashboard import queries
from dashboard.app import create_app
from tests.dash_callbacks import RUN_OUTPUTS, chart_requests, run_request, values
from tests.kitchen_data import rows
from tests.processes import generate, simulator_command

KITCHENS = 10


def simulator(menu, orders, db, kitchen: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*simulator_command(menu, orders, db, 110, "max"), "--kitchen", kitchen],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def refresh_until(client, stop: threading.Event, errors: list[str], refreshes: list[int]) -> None:
    while not stop.is_set():
        response = client.post("/_dash-update-component", json=run_request())
        if response.status_code != 200:
            errors.append(response.get_data(as_text=True))
            continue
        [shown] = values(response.get_json(), RUN_OUTPUTS[3:])
        for body in chart_requests(shown):
            if client.post("/_dash-update-component", json=body).status_code != 200:
                errors.append(json.dumps(body))
        refreshes.append(1)


@pytest.mark.e2e
def test_ten_simulators_write_ten_kitchens_into_one_database(database, tmp_path):
    if not str(database).startswith("postgresql"):
        pytest.skip("concurrent writers are PostgreSQL's job; SQLite has one writer per file")
    menu, orders = generate(tmp_path, days=2, orders_per_day=3000)
    expected = sum(1 for o in json.loads(orders.read_text()) if o["items"])

    started = time.perf_counter()
    alone = simulator(menu, orders, database, "Alone")
    assert alone.wait(timeout=120) == 0, alone.stderr.read()
    alone_seconds = time.perf_counter() - started

    stop, errors, refreshes = threading.Event(), [], []
    client = create_app(database, 5, "America/Los_Angeles").server.test_client()
    reader = threading.Thread(target=refresh_until, args=(client, stop, errors, refreshes))
    reader.start()
    started = time.perf_counter()
    processes = [simulator(menu, orders, database, f"Kitchen {n}") for n in range(1, KITCHENS + 1)]
    failures = [p.stderr.read() for p in processes if p.wait(timeout=300) != 0]
    together_seconds = time.perf_counter() - started
    stop.set()
    reader.join()
    for process in [alone, *processes]:
        process.stderr.close()

    assert failures == [] and errors == [] and refreshes
    per_kitchen = dict(rows(database, "SELECT kitchen, COUNT(*) FROM orders GROUP BY kitchen"))
    assert per_kitchen == {"Alone": expected, **{f"Kitchen {n}": expected for n in range(1, KITCHENS + 1)}}
    assert rows(
        database, "SELECT COUNT(*) FROM (SELECT run_id, id FROM orders GROUP BY run_id, id HAVING COUNT(*) > 1) twice"
    ) == [(0,)]
    statuses = rows(database, "SELECT DISTINCT status FROM runs")
    assert statuses == [("completed",)]
    shown = read(database, queries.runs)
    assert {r.kitchen for r in shown} == {"Alone", *(f"Kitchen {n}" for n in range(1, KITCHENS + 1))}

    report = (
        f"{KITCHENS} simulators together: {KITCHENS * expected / together_seconds:,.0f} orders/s combined"
        f" ({together_seconds:.1f} s); one alone: {expected / alone_seconds:,.0f} orders/s"
        f" ({alone_seconds:.1f} s); {len(refreshes)} dashboard refreshes meanwhile, 0 errors"
    )
    print(report)
    (PROJECT_ROOT / "test-artifacts").mkdir(exist_ok=True)
    (PROJECT_ROOT / "test-artifacts" / "postgres-kitchens.txt").write_text(report + "\n")
