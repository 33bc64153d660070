"""The dashboard's tests. A page's first callbacks wait for the dashboard's first answers: on a CI machine whose
two cores run the other tests too, they have taken more than Playwright's 5 s, so the browser tests wait up to 15."""

from playwright.sync_api import expect

expect.set_options(timeout=15_000)
