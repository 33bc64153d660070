"""The compare page in headless Chromium: picking runs, the link that carries them, a CSV download, a run
still going, the runs picked fitting their box, and a database with no runs yet."""

from __future__ import annotations

import csv
import io
import subprocess

import pytest
from playwright.sync_api import expect, sync_playwright

from common.database import connect_writer
from common.plan_files import PlannedInterval, write_intervals
from dashboard.tests.test_browser import CHROMIUM, CHROMIUM_FLAGS
from tests.kitchen_data import MENU, T0, build_database, order
from tests.processes import dashboard_command, free_port, generate, running, simulator_command, wait_for_http


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    menu, orders = generate(folder, days=1, orders_per_day=600)
    db = folder / "kitchen.db"
    for cooks in (40, 80):
        subprocess.run(simulator_command(menu, orders, db, cooks=cooks, speed="max"), check=True, capture_output=True)
    return folder, menu, orders, db


def browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


def table_rows(page) -> list[str]:
    return page.locator("#compare-table tbody tr").all_inner_texts()


@pytest.mark.browser
@pytest.mark.e2e
def test_pick_runs_share_the_link_download_the_table_and_watch_a_run_going_on(two_runs, tmp_path):
    folder, menu, orders, db = two_runs
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with (
        running(dashboard_command(db, port), tmp_path / "dashboard.log", {"KITCHEN_REFRESH_INTERVAL": "1"}) as dash,
        running(simulator_command(menu, orders, db, cooks=60, speed="1500"), tmp_path / "simulator.log"),
        sync_playwright() as playwright,
    ):
        wait_for_http(f"{url}/health", dash)
        chromium = browser(playwright)
        page = chromium.new_page(viewport={"width": 1600, "height": 1200}, accept_downloads=True)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

        page.goto(f"{url}/compare")
        expect(page.locator("#compare-note")).to_contain_text("Pick 2 to 6 runs")
        page.evaluate("window.loadedOnce = true")  # gone if a pick loads the page again
        picker = page.locator("#compare-runs")
        for run in (1, 2):  # pick two runs from the list
            picker.click()
            page.get_by_role("option", name=f"run {run} ·").first.click()
            page.keyboard.press("Escape")
        expect(page).to_have_url(f"{url}/compare?runs=1,2")
        assert page.evaluate("window.loadedOnce === true"), "picking runs loaded the page again"
        expect(page.locator("#compare-table tbody tr")).to_have_count(2)
        assert [row.split("\t")[0] for row in table_rows(page)] == [
            "Kitchen · run 1 · 40 cooks",
            "Kitchen · run 2 · 80 cooks",
        ]

        with page.expect_download() as download:  # the table as CSV, the same rows
            page.locator(".compare-table .csv").click()
        saved = list(csv.reader(io.StringIO(download.value.path().read_text())))
        assert saved[0][:3] == ["run", "orders", "mean fulfillment (min)"] and len(saved) == 3
        assert saved[1][0] == "Kitchen · run 1 · 40 cooks" and int(saved[1][1]) > 500

        plan = tmp_path / "intervals.csv"  # a plan, opened beside the runs
        write_intervals(
            plan,
            [
                PlannedInterval(
                    f"{h:02}:{m:02}",
                    f"{h:02}:{m:02}",
                    20.0,
                    50 + h,
                    50 + h,
                    40,
                    97.5,
                    92.0,
                    99.0,
                    30.0,
                    "yes",
                    50,
                    52,
                    "UTC",
                )
                for h in range(24)
                for m in (0, 30)
            ],
        )
        page.locator("#plan-upload input[type=file]").set_input_files(str(plan))
        expect(page.locator("#compare-note")).to_contain_text("The plan intervals.csv: none of these runs followed it")
        expect(page.locator("#compare-cooks")).to_contain_text("the plan: cooks rostered")

        page.goto(f"{url}/compare?runs=2,3")  # a shared link, with the run still going
        expect(page.locator("#compare-table tbody tr")).to_have_count(2)
        expect(page.locator("#compare-note")).to_contain_text("Runs going on (updating live): 3")
        going = page.locator("#compare-table tbody tr").nth(1).locator("td").nth(1)
        first = int(going.inner_text())
        expect(going).not_to_have_text(str(first), timeout=30_000)  # its orders grow as the page refreshes
        assert int(going.inner_text()) > first
        chromium.close()
    assert problems == []


@pytest.mark.browser
@pytest.mark.e2e
def test_a_kitchen_with_no_runs_yet(tmp_path):
    db = tmp_path / "empty.db"
    connect_writer(db).close()  # the simulator's tables, no run
    port = free_port()
    with running(dashboard_command(db, port), tmp_path / "dashboard.log") as dash, sync_playwright() as playwright:
        wait_for_http(f"http://127.0.0.1:{port}/health", dash)
        chromium = browser(playwright)
        page = chromium.new_page()
        page.goto(f"http://127.0.0.1:{port}/compare?runs=1,2")
        expect(page.locator("#compare-note")).to_contain_text("No runs yet: start the simulator")
        expect(page.locator("#compare-table tbody tr")).to_have_count(0)
        chromium.close()


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def inside(inner: dict, outer: dict) -> bool:
    return (
        outer["x"] <= inner["x"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and outer["y"] <= inner["y"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


@pytest.mark.browser
@pytest.mark.e2e
@pytest.mark.parametrize("width", [1600, 1280, 700])
def test_the_runs_picked_fit_their_box_beside_the_count(tmp_path, width):
    db = tmp_path / "kitchen.db"
    for cooks in (40, 80, 60):  # labels a good deal wider than the picker's box
        build_database(
            db,
            [order(T0 + 600 * k, ("Stew", 1)) for k in range(6)],
            dict(MENU),
            cooks=cooks,
            kitchen="Harbour Street Kitchen",
        )
    port = free_port()
    with running(dashboard_command(db, port), tmp_path / "dashboard.log") as dash, sync_playwright() as playwright:
        wait_for_http(f"http://127.0.0.1:{port}/health", dash)
        chromium = browser(playwright)
        page = chromium.new_page(viewport={"width": width, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/compare?runs=1,2,3")
        count = page.locator("#compare-runs .dash-dropdown-value-count")
        expect(count).to_have_text("3 selected")
        box, counted = page.locator("#compare-runs").bounding_box(), count.bounding_box()
        labels = page.locator("#compare-runs .dash-dropdown-value-item")
        expect(labels).to_have_count(3)
        for label in labels.all():
            drawn = label.bounding_box()
            assert not overlap(drawn, counted), (label.inner_text(), drawn, counted)
            assert inside(drawn, box), (label.inner_text(), drawn, box)
        assert inside(counted, box)
        chromium.close()
