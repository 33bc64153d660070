"""Fixtures for every test of the project.

- No test reads the user's parameters/simulation_parameters.py (the README invites edits to it): every
  test, and every process a test starts, reads a parameters file of the tests' own (KITCHEN_PARAMETERS),
  with the shipped values.
- `database`: a fresh SQLite file, and a fresh schema on a PostgreSQL server: the one named by
  KITCHEN_TEST_POSTGRES_URL, else the local server when it answers. Without one, the PostgreSQL half
  is left out, and one line at the end says so and why.
"""

from __future__ import annotations

import os

import pytest

from simulator.menu import Dish
from tests.databases import (  # noqa: F401  (fixtures: both engines; a server of a test's own)
    POSTGRES,
    POSTGRES_MISSING,
    database,
    throwaway_postgres,
)
from tests.kitchen_data import MENU
from tests.parameters import write_parameters


@pytest.fixture
def menu() -> dict[str, Dish]:
    """The tests' menu: Soup (60 s), Stew (300 s), Salad (120 s)."""
    return dict(MENU)


@pytest.fixture(autouse=True, scope="session")
def own_parameters(tmp_path_factory):
    path = write_parameters(tmp_path_factory.mktemp("parameters") / "simulation_parameters.py")
    before = os.environ.get("KITCHEN_PARAMETERS")
    os.environ["KITCHEN_PARAMETERS"] = str(path)
    yield path
    if before is None:
        del os.environ["KITCHEN_PARAMETERS"]
    else:
        os.environ["KITCHEN_PARAMETERS"] = before


def pytest_collection_modifyitems(config, items):
    if POSTGRES:
        return
    left_out = [item for item in items if "[postgresql" in item.name or "-postgresql" in item.name]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]
        config._postgres_left_out = len(left_out)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Said by the process that reports: with pytest-xdist (make test), its workers collect, and count, the tests."""
    if POSTGRES:
        return
    left_out = getattr(config, "_postgres_left_out", 0)
    tests = f"{left_out} tests" if left_out else "the tests on it were"
    terminalreporter.write_line(f"PostgreSQL: {tests} left out: {POSTGRES_MISSING}", yellow=True)
