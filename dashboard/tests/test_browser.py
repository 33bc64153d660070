"""The real simulator and the real dashboard, driven in headless Chromium (Debian's) with Playwright."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from common.settings import PROJECT_ROOT
from dashboard.charts import CHARTS
from dashboard.figures import WAITING
from tests.processes import dashboard_command, free_port, generate, running, simulator_command, wait_for_http

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOT = PROJECT_ROOT / "test-artifacts" / "dashboard.png"

EVERY_CHART_HAS_DATA = f"""ids => ids.every(id => {{
    const chart = document.getElementById(id);
    return chart && chart.querySelector('.main-svg') && !chart.textContent.includes('{WAITING}');
}})"""


@pytest.mark.browser
@pytest.mark.e2e
def test_the_live_dashboard_shows_every_chart_and_keeps_updating(tmp_path: Path):
    menu, orders = generate(tmp_path, days=1, orders_per_day=1500)
    db, port = tmp_path / "kitchen.db", free_port()
    url = f"http://127.0.0.1:{port}"
    with (
        running(dashboard_command(db, port), tmp_path / "dashboard.log", {"KITCHEN_REFRESH_INTERVAL": "1"}) as dash,
        running(simulator_command(menu, orders, db, cooks=70, speed="1500"), tmp_path / "simulator.log"),
    ):
        wait_for_http(f"{url}/health", dash)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
            problems: list[str] = []
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)

            page.goto(url)
            page.wait_for_function(EVERY_CHART_HAS_DATA, arg=[c.id for c in CHARTS], timeout=60_000)
            first = page.inner_text("#status"), page.inner_text("#total-revenue")
            page.wait_for_function(  # a later refresh, however long the machine takes to get to it
                "([status, revenue]) => document.querySelector('#status').innerText !== status"
                " && document.querySelector('#total-revenue').innerText !== revenue",
                arg=list(first),
                timeout=60_000,
            )
            page.wait_for_function(EVERY_CHART_HAS_DATA, arg=[c.id for c in CHARTS], timeout=60_000)
            second = page.inner_text("#status"), page.inner_text("#total-revenue")
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
            with page.expect_download() as download:  # a chart's data, as CSV
                page.locator(".revenue-by-day .csv").click()
            saved = list(csv.reader(io.StringIO(download.value.path().read_text())))
            browser.close()

    assert saved[0] == ["local day (America/Los_Angeles)", "delivery service", "revenue (USD)"]  # CURRENCY
    assert len(saved) > 1 and all(re.fullmatch(r"\d+\.\d\d", row[2]) for row in saved[1:])
    assert "Simulation time" in first[0]
    assert first[0] != second[0], "the simulation time did not move between two refreshes"
    assert first[1] != second[1], "the total revenue did not change between two refreshes"
    assert problems == []
