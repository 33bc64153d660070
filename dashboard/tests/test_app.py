"""The app's callbacks over HTTP, as the browser calls them: the waiting states, run choice and health."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from common.database import connect_writer
from dashboard.app import create_app
from dashboard.charts import CHARTS
from dashboard.figures import NO_STATIONS, WAITING
from simulator.stations.layout import LaidOut, Layout
from tests.dash_callbacks import NOT_UPDATED, RUN_OUTPUTS, UPDATE_URL, chart_requests, payload, run_request, values
from tests.databases import POSTGRES
from tests.kitchen_data import T0, build_database, order

ZONE = "America/Los_Angeles"


def client_for(db):
    return create_app(db, 5, ZONE).server.test_client()


def post(client, body: dict) -> dict:
    response = client.post(UPDATE_URL, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def refresh_run(client, chosen=None, kitchen=None):
    """The run choices, the header and the run data (the kitchen choices are left out)."""
    return values(post(client, run_request(chosen, kitchen)), RUN_OUTPUTS)[1:]


def kitchen_options(client):
    return values(post(client, run_request()), RUN_OUTPUTS)[0]


def chart(client, chart_id, run):
    [body] = [b for b in chart_requests(run) if b["output"] == f"{chart_id}.figure"]
    [figure] = values(post(client, body), [(chart_id, "figure")])
    return figure


def text(component) -> str:
    return json.dumps(component, ensure_ascii=False)


@pytest.fixture
def two_runs(tmp_path, menu):
    db = tmp_path / "k.db"
    first = build_database(db, [order(T0, ("Soup", 1), price=700)], menu)
    july = [order(T0 + 3600 * 24 * 150, ("Stew", 2), price=900)]  # in July: PDT
    second = build_database(db, july, menu, LaidOut(Layout.single(1)))  # one station: the same run, its station's rows
    return db, first, second


def test_the_page_loads_and_the_health_endpoint_answers(tmp_path):
    client = client_for(tmp_path / "missing.db")
    assert client.get("/").status_code == 200
    assert client.get("/health").get_json() == {"status": "ok"}


@pytest.mark.parametrize("state", ["missing", "no tables", "no runs"])
def test_before_the_simulator_writes_the_page_waits(tmp_path, state):
    db = tmp_path / "k.db"
    if state == "no tables":
        sqlite3.connect(db).close()
    elif state == "no runs":
        connect_writer(db).close()
    client = client_for(db)
    options, status, run = refresh_run(client)
    assert options == [] and run is None
    assert "Waiting for the simulator" in status
    for each in CHARTS:
        assert WAITING in text(chart(client, each.id, run))


def test_the_latest_run_is_followed_and_an_earlier_one_can_be_chosen(two_runs):
    db, first, second = two_runs
    client = client_for(db)
    options, status, run = refresh_run(client)
    assert [o["value"] for o in options] == [second, first]
    assert run["runs"] == [second]
    assert "PDT" in text(status) and "2 of 2 completed" not in text(status)
    assert "1 of 1 completed" in text(status)

    options, status, run = refresh_run(client, chosen=first)
    assert run["runs"] == [first]
    assert "2019-02-18 08:01 PST" in text(status)
    revenue = chart(client, "total-revenue", run)
    assert revenue["data"][0]["value"] == 7.0


def test_every_chart_draws_the_chosen_run(two_runs):
    db, first, second = two_runs
    client = client_for(db)
    _, _, run = refresh_run(client)
    for each in CHARTS:
        figure = chart(client, each.id, run)
        assert WAITING not in text(figure), each.id
        assert figure["data"], each.id
    assert chart(client, "total-revenue", run)["data"][0]["value"] == 18.0


def test_the_station_view_shows_a_laid_out_run_and_says_a_run_without_a_layout_has_none(two_runs):
    db, first, second = two_runs
    client = client_for(db)
    _, _, laid_out = refresh_run(client)
    queues = chart(client, "station-queues", laid_out)
    assert [trace["name"] for trace in queues["data"]] == ["kitchen"]  # Layout.single's one station
    busy = chart(client, "station-utilisation", laid_out)
    assert [trace["name"] for trace in busy["data"]] == ["kitchen"] and busy["data"][0]["y"][-1] == 0.0  # all done
    assert "Stations busy: now kitchen 0% (0 of 1)" == busy["layout"]["title"]["text"]
    _, _, pooled = refresh_run(client, chosen=first)
    for each in ("station-queues", "station-utilisation"):
        assert NO_STATIONS in text(chart(client, each, pooled))


def test_a_database_deleted_while_running_returns_to_waiting(two_runs):
    db, first, second = two_runs
    client = client_for(db)
    _, _, run = refresh_run(client)
    db.unlink()
    options, status, gone = refresh_run(client)
    assert gone is None and "database file not found" in status
    assert WAITING in text(chart(client, "top-dishes", run))


def test_a_run_whose_simulator_went_silent_is_shown_stalled(two_runs):
    db, first, second = two_runs
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE runs SET status = 'running', wall_updated_at = wall_updated_at - 60 WHERE id = ?", (second,)
        )
    _, status, _ = refresh_run(client_for(db))
    assert "stalled: no word from the simulator for" in text(status)


def test_an_unreadable_database_file_is_a_clear_waiting_state(tmp_path):
    db = tmp_path / "k.db"
    db.write_bytes(b"\x00garbage" * 1000)
    client = client_for(db)
    options, status, run = refresh_run(client)
    assert run is None and "cannot read" in status and "not a database" in status


def test_several_kitchens_one_or_all(database, menu):
    first = build_database(database, [order(T0, ("Soup", 1), price=700)], menu, kitchen="Downtown")
    second = build_database(database, [order(T0, ("Stew", 2), price=900)], menu, kitchen="Airport")
    third = build_database(database, [order(T0, ("Soup", 3), price=100)], menu, kitchen="Downtown")
    client = client_for(database)
    assert [o["value"] for o in kitchen_options(client)] == ["Airport", "Downtown"]

    _, status, shown = refresh_run(client)  # all kitchens: the latest run of each, added together
    assert sorted(shown["runs"]) == sorted([second, third])
    assert "2, 0 running" in text(status)
    assert chart(client, "total-revenue", shown)["data"][0]["value"] == 18.0 + 3.0

    options, status, shown = refresh_run(client, kitchen="Downtown")
    assert shown["runs"] == [third] and [o["value"] for o in options] == [third, first]
    assert chart(client, "total-revenue", shown)["data"][0]["value"] == 3.0
    _, _, shown = refresh_run(client, kitchen="Downtown", chosen=first)
    assert chart(client, "total-revenue", shown)["data"][0]["value"] == 7.0


def test_the_same_run_at_the_same_moment_leaves_the_charts_alone(two_runs):
    db, _, second = two_runs
    client = client_for(db)
    *_, shown = refresh_run(client)
    assert shown["runs"] == [second]
    again = values(post(client, run_request(shown=shown)), RUN_OUTPUTS)
    assert again[3] is NOT_UPDATED  # the run store is not set again, so no chart callback fires
    assert "Simulation time" in text(again[2])  # while the header is refreshed
    other = values(post(client, run_request(shown={"runs": shown["runs"], "now": shown["now"] - 60})), RUN_OUTPUTS)
    assert other[3] == shown  # a new simulated moment does reach the charts


@pytest.mark.skipif(not POSTGRES, reason="needs a PostgreSQL server")
def test_a_postgres_database_that_does_not_exist_is_said_so_not_waited_for():
    missing = re.sub(r"/[^/?]*(\?|$)", r"/no_such_kitchen\1", POSTGRES, count=1)
    status = text(refresh_run(client_for(missing))[1])
    assert "the database 'no_such_kitchen' does not exist" in status and "createdb no_such_kitchen" in status


def test_a_pick_made_as_the_clock_ticks_still_rewrites_the_link(two_runs):
    db, first, second = two_runs
    client = client_for(db)
    outputs = [("compare-runs", "options"), ("compare-runs", "value"), ("url", "search")]

    def selection(changed: list[str], picked, search):
        body = payload(
            outputs, [("compare-tick", "n_intervals", 3), ("compare-runs", "value", picked), ("url", "search", search)]
        )
        body["changedPropIds"] = changed
        return values(post(client, body), outputs)[1:]

    both = ["compare-tick.n_intervals", "compare-runs.value"]
    assert selection(both, [first, second], f"?runs={first}") == [[first, second], f"?runs={first},{second}"]
    tick = ["compare-tick.n_intervals"]  # a tick whose call made the browser drop the pick's call as outdated
    assert selection(tick, [first, second], f"?runs={first}") == [NOT_UPDATED, f"?runs={first},{second}"]
    assert selection(tick, [first, second], f"?runs={first},{second}") == [NOT_UPDATED, NOT_UPDATED]
    assert selection(tick, None, f"?runs={second},{first}") == [[second, first], NOT_UPDATED]  # a link just opened
    assert selection(["url.search"], [first], f"?runs={second},{first}") == [[second, first], NOT_UPDATED]


def test_a_fresh_app_serves_its_first_requests_at_once_without_a_500(tmp_path):
    """A gunicorn worker's first page comes as several requests together; Dash's setup, left to the first of them,
    let the others through unready ('"dash" is not a registered library': a script answered 500)."""
    index = create_app(tmp_path / "k.db", 5, ZONE).server.test_client().get("/").get_data(as_text=True)
    scripts = re.findall(r'src="(/_dash-component-suites/[^"]+)"', index)
    assert len(scripts) >= 5
    fresh = create_app(tmp_path / "k.db", 5, ZONE).server
    start = threading.Barrier(len(scripts))

    def fetch(url: str) -> int:
        start.wait()
        return fresh.test_client().get(url).status_code

    with ThreadPoolExecutor(len(scripts)) as pool:
        assert list(pool.map(fetch, scripts)) == [200] * len(scripts)
