"""Fixtures for the dashboard's tests: small databases written by the real simulator pipeline."""

from __future__ import annotations

import pytest

from simulator.menu import Dish
from tests.databases import database  # noqa: F401  (a fixture: both engines)


@pytest.fixture
def menu() -> dict[str, Dish]:
    return {"Soup": Dish("Soup", 60), "Stew": Dish("Stew", 300), "Salad": Dish("Salad", 120)}
