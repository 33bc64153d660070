"""Parameters files of the tests' own: no test reads the user's parameters/simulation_parameters.py,
which the README invites the user to edit."""

from __future__ import annotations

from pathlib import Path

DEFAULTS = {
    "SIMULATION_SPEED": "max",
    "NUM_COOKS": 110,
    "COOK_SCHEDULE": None,
    "DASHBOARD_REFRESH_INTERVAL": 5,
    "SLA_P90_MINUTES": 40,
    "ORDERS_FILE": "data/orders.json",
    "MENU_FILE": "data/items.json",
    "DATABASE": "db/kitchen.db",
    "KITCHEN_NAME": "Kitchen",
    "KITCHEN_TIMEZONE": "America/Los_Angeles",
}


def write_parameters(path: Path, **values: object) -> Path:
    """A parameters file with the defaults above, some of them replaced; returns its path."""
    lines = [f"{name} = {value!r}" for name, value in {**DEFAULTS, **values}.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
