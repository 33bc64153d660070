"""`kitchen`: every command under one name, installed by pyproject.toml, each the `python -m` module it names."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import tomllib

from common import commands
from common.settings import PROJECT_ROOT
from tests.kitchen_data import MENU_ENTRIES, T0, order, write_json


def kitchen(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "common.commands", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )


def test_pyproject_installs_it_as_the_kitchen_command():
    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, function = scripts["kitchen"].split(":")
    assert getattr(importlib.import_module(module), function) is commands.main


def test_every_command_is_a_module_with_a_main():
    for module in commands.COMMANDS.values():
        assert callable(importlib.import_module(module).main), module


@pytest.mark.e2e
def test_its_help_lists_every_command_with_what_it_does():
    result = kitchen("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: kitchen [-h] COMMAND")
    for name in ("run", "dashboard", "plan", "sweep", "check", "generate", "calibrate"):
        assert f"\n  {name} " in result.stdout, name
    assert "next week's cheapest roster of real shifts that keeps the promise on days it never saw." in result.stdout


@pytest.mark.e2e
def test_a_command_gets_the_rest_of_the_line_under_the_name_typed(tmp_path):
    result = kitchen("plan", "--help")
    assert result.returncode == 0 and result.stdout.startswith("usage: kitchen plan [-h]")
    refused = kitchen("sweep", "--cooks", "1:2:1", "--sla", "25")
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "kitchen sweep: error: unrecognized arguments: --sla 25; did you mean --sla-p90? (see kitchen sweep --help)"
    ]

    menu = write_json(tmp_path / "items.json", MENU_ENTRIES)
    orders = write_json(tmp_path / "orders.json", [order(T0 + 60 * i, ("Soup", 1)) for i in range(3)])
    checked = kitchen("check", "--orders", orders, "--menu", menu)
    assert checked.returncode == 0, checked.stderr
    assert "3 orders the kitchen would cook" in checked.stdout


@pytest.mark.e2e
def test_an_unknown_command_is_one_line_naming_the_one_meant():
    result = kitchen("plna", "--week-of", "2024-03-25")
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("kitchen: error: argument COMMAND: invalid choice: 'plna'")
    assert result.stderr.rstrip().endswith("did you mean plan? (see kitchen --help)")
    assert kitchen().stderr == "kitchen: error: the following arguments are required: COMMAND (see kitchen --help)\n"
