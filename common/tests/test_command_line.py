"""Every command reads its flags with common/command_line.py's Parser: a mistake is one line with the flag meant, a
flag is never abbreviated, every flag says what it does and its default, every description is whole."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

import simulator.__main__ as run_command
from common import commands
from common.command_line import Parser, shown_default, shows_default, summary
from common.settings import PROJECT_ROOT, load_settings
from dashboard import __main__ as dashboard_command
from dashboard import passwords
from simulator import calibrate, check, cli, generate, plan, sweep
from simulator.experiment import cli as study_cli


def parsers() -> dict[str, tuple[Parser, str | None]]:
    """Every command's parser, and the docstring its description comes from."""
    settings = load_settings()
    return {
        "simulator": (cli.run_parser(settings, run_command.__doc__), run_command.__doc__),
        "simulator.check": (cli.check_parser(settings, check.__doc__), check.__doc__),
        "simulator.generate": (cli.generate_parser(settings, generate.__doc__), generate.__doc__),
        "simulator.calibrate": (cli.calibrate_parser(settings, calibrate.__doc__), calibrate.__doc__),
        "simulator.sweep": (study_cli.sweep_parser(settings, sweep.__doc__), sweep.__doc__),
        "simulator.plan": (study_cli.plan_parser(settings, plan.__doc__), plan.__doc__),
        "dashboard": (dashboard_command.parser(settings), dashboard_command.__doc__),
        "dashboard.passwords": (passwords.parser(), passwords.__doc__),
        "kitchen": (commands.parser(), None),
    }


def flags_without_help_or_default(parser: Parser) -> list[str]:
    """The flags whose help says nothing, or says nothing of the default they have."""
    formatter, wanting = parser._get_formatter(), []
    for action in parser._actions:
        shown = formatter._expand_help(action) if action.help else ""
        if not shown.strip() or (shows_default(action) and "default" not in shown):
            wanting.append("/".join(action.option_strings) or action.dest)
    return wanting


def refused(parser: Parser, argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as stopped:
        parser.parse_args(argv)
    assert stopped.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("name", list(parsers()))
def test_every_flag_says_what_it_does_and_its_default(name):
    parser, _ = parsers()[name]
    assert flags_without_help_or_default(parser) == []  # python -m bench: tests/test_bench.py


def test_a_flag_without_help_or_without_its_default_is_found():
    parser = Parser("x", "`x`: a test.")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--menu", default="items.json", help="the menu (default: MENU_FILE)")
    parser.add_argument("--speed", default=300, help="how fast")
    assert flags_without_help_or_default(parser) == ["--port"]  # the others say their default, or are given it


@pytest.mark.parametrize("name", [name for name in parsers() if name != "kitchen"])
def test_every_description_is_its_modules_first_paragraph_whole(name):
    parser, doc = parsers()[name]
    first = " ".join(doc.strip().split("\n\n")[0].split())
    assert parser.description and first.endswith(parser.description) and not parser.description.startswith("`")


def test_the_plans_description_is_not_cut():
    parser, _ = parsers()["simulator.plan"]
    assert parser.description == (
        "next week's cheapest roster of real shifts that keeps the promise on days it never saw."
    )
    assert (
        summary('"""`python -m x`: a first sentence (--a 1 --b 2): in every\ninterval, whole.\n\nMore."""'.strip('"'))
        == "a first sentence (--a 1 --b 2): in every interval, whole."
    )


def test_the_simulators_help_shows_the_defaults_of_menu_db_and_speed(capsys):
    parser, _ = parsers()["simulator"]
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for said in (
        "(default: MENU_FILE, data/items.json in the project folder)",  # the tests' parameters file's
        "(default: DATABASE, or KITCHEN_DB: db/kitchen.db in the project folder)",
        "(default: SIMULATION_SPEED, max)",
    ):
        assert said in shown, said


def test_a_default_file_is_shown_as_the_parameters_file_writes_it_and_a_url_without_its_password(tmp_path):
    assert shown_default(PROJECT_ROOT / "data" / "orders.json") == "data/orders.json in the project folder"
    assert shown_default(tmp_path / "k.db") == str(tmp_path / "k.db")
    assert shown_default("postgresql://kitchen:s3cret@db:5432/k") == "postgresql://kitchen:***@db:5432/k"
    assert shown_default(tmp_path / "100%.db").endswith("100%%.db")  # argparse formats help with %


def test_a_typo_is_one_line_naming_the_flag_meant(capsys):
    parser, _ = parsers()["simulator"]
    said = refused(parser, ["--ordres", "orders.json"], capsys)
    assert said == (
        "python -m simulator: error: unrecognized arguments: --ordres orders.json; did you mean --orders?"
        " (see python -m simulator --help)\n"
    )


def test_an_abbreviation_is_refused_naming_the_flag_it_would_have_been(capsys):
    parser, _ = parsers()["simulator.sweep"]
    said = refused(parser, ["--cooks", "1:2:1", "--sla", "25"], capsys)
    assert said.splitlines() == [
        "python -m simulator.sweep: error: unrecognized arguments: --sla 25; did you mean"
        " --sla-p90? (see python -m simulator.sweep --help)"
    ]
    said = refused(parser, ["--cooks", "1:2:1", "--sla=25"], capsys)
    assert "did you mean --sla-p90?" in said


def test_a_flag_far_from_any_is_refused_without_a_guess(capsys):
    parser, _ = parsers()["simulator.check"]
    said = refused(parser, ["--zzzzzz"], capsys)
    assert said == (
        "python -m simulator.check: error: unrecognized arguments: --zzzzzz (see python -m simulator.check --help)\n"
    )


def test_a_refused_choice_names_the_choice_meant(capsys):
    parser, _ = parsers()["simulator.generate"]
    said = refused(parser, ["--format", "jsn"], capsys)
    assert len(said.splitlines()) == 1 and "invalid choice: 'jsn'" in said and "did you mean json?" in said


def test_a_bad_value_is_one_line_naming_the_flag(capsys):
    parser, _ = parsers()["simulator.plan"]
    said = refused(parser, ["--min-shift", "four"], capsys)
    assert said.splitlines() == [
        "python -m simulator.plan: error: argument --min-shift: invalid float value: 'four'"
        " (see python -m simulator.plan --help)"
    ]


@pytest.mark.parametrize("port", ["99999999", "0", "http"])
def test_a_port_that_is_no_port_is_one_line(capsys, port):
    parser, _ = parsers()["dashboard"]
    said = refused(parser, ["--port", port], capsys)
    assert len(said.splitlines()) == 1 and "argument --port: " in said and "port" in said.split("--port: ")[1]


@pytest.mark.e2e
def test_the_real_process_says_one_line_and_exits_2():
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "--speeed", "max"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "python -m simulator: error: unrecognized arguments: --speeed max; did you"
        " mean --speed? (see python -m simulator --help)"
    ]


def test_a_flag_with_no_default_worth_saying_is_not_given_one():
    parser = Parser("x", "`x`: a test.")
    switch = parser.add_argument("--quiet", action="store_true", help="say less")
    optional = parser.add_argument("--limit", type=int, help="at most this many")
    number = parser.add_argument("--size", type=int, default=3, help="how many")
    zero = parser.add_argument("--offset", type=int, default=0, help="where to start")  # 0 == False, but is one
    assert not shows_default(switch) and not shows_default(optional) and shows_default(number) and shows_default(zero)
    assert "how many (default: 3)" in " ".join(parser.format_help().split())
    assert isinstance(parser, argparse.ArgumentParser) and parser.allow_abbrev is False
