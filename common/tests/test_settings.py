import os
import re
import shutil
import subprocess
import sys

import pytest

from common.localtime import LocalClock
from common.settings import DEFAULT_PARAMETERS_FILE, PROJECT_ROOT, SettingsError, load_settings, parse_speed

GOOD = """
SIMULATION_SPEED = 120
NUM_COOKS = 12
DASHBOARD_REFRESH_INTERVAL = 2
ORDERS_FILE = "elsewhere/orders.json"
MENU_FILE = "/abs/items.json"
DATABASE = "db/test.db"
KITCHEN_TIMEZONE = "Europe/Paris"
"""


def parameters(tmp_path, text):
    path = tmp_path / "simulation_parameters.py"
    path.write_text(text)
    return {"KITCHEN_PARAMETERS": str(path)}


def test_the_users_parameters_file_loads_whatever_valid_values_it_holds():
    settings = load_settings({})  # no KITCHEN_PARAMETERS: the project's own file, as the user left it
    assert DEFAULT_PARAMETERS_FILE.is_file()
    assert settings.cooks >= 1 and settings.refresh_interval > 0 and settings.orders_path.is_absolute()


def test_the_tests_read_a_parameters_file_of_their_own(own_parameters):
    assert os.environ["KITCHEN_PARAMETERS"] == str(own_parameters) != str(DEFAULT_PARAMETERS_FILE)
    settings = load_settings()
    assert (settings.cooks, settings.refresh_interval) == (110, 5)
    assert settings.orders_path == PROJECT_ROOT / "data" / "orders.json"


def test_values_and_paths_relative_to_the_project(tmp_path):
    settings = load_settings(parameters(tmp_path, GOOD))
    assert (settings.speed, settings.cooks, settings.refresh_interval) == (120.0, 12, 2.0)
    assert settings.orders_path == PROJECT_ROOT / "elsewhere" / "orders.json"
    assert str(settings.menu_path) == "/abs/items.json"
    assert settings.timezone == "Europe/Paris"


def test_environment_overrides(tmp_path):
    env = parameters(tmp_path, GOOD) | {"KITCHEN_DB": str(tmp_path / "x.db"), "KITCHEN_REFRESH_INTERVAL": "0.5"}
    settings = load_settings(env)
    assert settings.database == tmp_path / "x.db" and settings.refresh_interval == 0.5


@pytest.mark.parametrize("value, expected", [("max", None), ("MAX", None), (60, 60.0), ("2.5", 2.5)])
def test_speeds(value, expected):
    assert parse_speed(value) == expected


@pytest.mark.parametrize(
    "change, message",
    [
        ("SIMULATION_SPEED = 0", "SIMULATION_SPEED: expected a positive number or 'max', got 0"),
        (
            "SIMULATION_SPEED = 'fast'",
            "SIMULATION_SPEED: expected a positive number, or the string 'max', got str 'fast'",
        ),
        ("NUM_COOKS = 0", "NUM_COOKS: expected a whole number of cooks >= 1, got 0"),
        ("NUM_COOKS = 2.5", "NUM_COOKS: expected a whole number, got float 2.5"),
        ("DASHBOARD_REFRESH_INTERVAL = -1", "DASHBOARD_REFRESH_INTERVAL: expected a positive number of seconds"),
        ("KITCHEN_TIMEZONE = 'Mars/Olympus'", "unknown time zone 'Mars/Olympus'"),
        ("del NUM_COOKS", "NUM_COOKS is not set"),
        ("NUM_COOKS = = 3", "line 9: invalid syntax"),
        ("CURRENCY = 'dollars'", "CURRENCY: expected an ISO 4217 code like 'USD' or 'EUR', got 'dollars'"),
        (
            "WAGE_PREMIUMS = [{'from': '22:00', 'to': '06:00', 'times': 0}]",
            "WAGE_PREMIUMS entry 1: times: expected a number > 0, got 0",
        ),
    ],
)
def test_bad_parameters_are_named(tmp_path, change, message):
    with pytest.raises(SettingsError) as error:
        load_settings(parameters(tmp_path, GOOD + change + "\n"))
    assert message in str(error.value)
    assert "simulation_parameters.py" in str(error.value)


def test_wages_are_read_with_their_currency_and_premiums(tmp_path):
    read = load_settings(
        parameters(
            tmp_path,
            GOOD + "WAGE_PER_HOUR = 14\nCURRENCY = 'gbp'\nSHIFT_COST = 3.5\n"
            "WAGE_PREMIUMS = [{'days': ['Sat', 'Sun'], 'from': '00:00', 'to': '24:00', 'times': 1.5}]\n",
        )
    ).wages
    assert (read.per_hour, read.currency, read.per_shift) == (14.0, "GBP", 3.5)
    assert read.times(5 * 1440 + 600) == 1.5 and read.times(600) == 1.0 and read.show(1234.5) == "GBP 1,234.50"
    assert load_settings(parameters(tmp_path, GOOD)).wages.currency == "USD"  # the defaults when not set


def test_a_missing_parameters_file(tmp_path):
    with pytest.raises(SettingsError, match="parameters file not found"):
        load_settings({"KITCHEN_PARAMETERS": str(tmp_path / "nope.py")})


@pytest.mark.parametrize(
    "epoch, label, day_and_hour",
    [
        (1550505600, "2019-02-18 08:00 PST", ("2019-02-18", 8)),
        (1561996800, "2019-07-01 09:00 PDT", ("2019-07-01", 9)),
        (1552210200, "2019-03-10 01:30 PST", ("2019-03-10", 1)),  # just before spring forward
        (1552213800, "2019-03-10 03:30 PDT", ("2019-03-10", 3)),  # an hour later: two on the wall clock
    ],
)
def test_local_clock_labels_and_hours(epoch, label, day_and_hour):
    clock = LocalClock("America/Los_Angeles")
    assert clock.label(epoch) == label
    assert clock.hour_of(epoch) == day_and_hour


def test_the_kitchens_time_zone_from_the_environment_and_its_schedule_read_in_it(tmp_path):
    env = parameters(tmp_path, GOOD + 'COOK_SCHEDULE = {"05:00": 4, "11:00": 9}\n') | {
        "KITCHEN_TIMEZONE": "America/Chicago"
    }
    settings = load_settings(env)
    assert settings.timezone == "America/Chicago" and settings.schedule.zone == "America/Chicago"
    assert load_settings(env | {"KITCHEN_TIMEZONE": ""}).timezone == "Europe/Paris"  # set but empty: the file's
    with pytest.raises(SettingsError, match=r"^environment variable KITCHEN_TIMEZONE: unknown time zone 'Central'"):
        load_settings(env | {"KITCHEN_TIMEZONE": "Central"})


def test_a_bad_override_names_the_variable(tmp_path):
    with pytest.raises(SettingsError, match="environment variable KITCHEN_REFRESH_INTERVAL: expected a positive"):
        load_settings(parameters(tmp_path, GOOD) | {"KITCHEN_REFRESH_INTERVAL": "soon"})


def test_the_command_lines_exit_2_naming_the_problem(tmp_path, monkeypatch, capsys):
    from common.settings import settings_or_exit

    monkeypatch.setenv("KITCHEN_PARAMETERS", str(tmp_path / "nope.py"))
    with pytest.raises(SystemExit) as stopped:
        settings_or_exit("simulator")
    assert stopped.value.code == 2
    assert capsys.readouterr().err.startswith("simulator: parameters file not found")


def test_a_cook_schedule_replaces_the_fixed_crew(tmp_path):
    settings = load_settings(
        parameters(tmp_path, GOOD.replace("NUM_COOKS = 12\n", "") + 'COOK_SCHEDULE = {"05:00": 4, "11:00": 9}\n')
    )
    assert settings.schedule.most == 9 and settings.cooks == 9
    assert settings.schedule.zone == "Europe/Paris"


def test_a_bad_cook_schedule_names_the_file(tmp_path):
    with pytest.raises(SettingsError, match=r"simulation_parameters.py: COOK_SCHEDULE: every day at 05:00: expected"):
        load_settings(parameters(tmp_path, GOOD + 'COOK_SCHEDULE = {"05:00": -1}\n'))


def test_a_cook_schedule_can_be_a_json_file_like_the_plan_writes(tmp_path):
    (tmp_path / "cook_schedule.json").write_text('{"00:00": 3, "11:30": 9}')
    settings = load_settings(parameters(tmp_path, GOOD + f"COOK_SCHEDULE = {str(tmp_path / 'cook_schedule.json')!r}\n"))
    assert settings.schedule.describe()["Fri"] == {"00:00": 3, "11:30": 9}
    assert settings.schedule.zone == "Europe/Paris"


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "COOK_SCHEDULE: schedule file not found: "),
        ("{oops", "COOK_SCHEDULE: .*cook_schedule.json: not valid JSON \\(line 1, column 2\\)"),
        ('{"25:00": 3}', "COOK_SCHEDULE: .*cook_schedule.json: every day: '25:00' is not a time of day"),
    ],
)
def test_a_bad_cook_schedule_file_is_named(tmp_path, content, message):
    if content is not None:
        (tmp_path / "cook_schedule.json").write_text(content)
    with pytest.raises(SettingsError, match=message):
        load_settings(parameters(tmp_path, GOOD + f"COOK_SCHEDULE = {str(tmp_path / 'cook_schedule.json')!r}\n"))


def test_orders_columns_and_time_zone(tmp_path):
    settings = load_settings(
        parameters(
            tmp_path,
            GOOD + "ORDERS_COLUMNS = {'ordered_at': 'Created', 'item': 'Product'}\nORDERS_TIMEZONE = 'Asia/Kolkata'\n",
        )
    )
    assert settings.orders_columns == {"ordered_at": "Created", "item": "Product"}
    assert settings.orders_timezone == "Asia/Kolkata"
    assert load_settings(parameters(tmp_path, GOOD)).orders_timezone is None


def test_orders_time_format_is_a_strptime_pattern_and_the_default_of_every_orders_command(tmp_path):
    from simulator.cli import check_request, run_request

    assert load_settings(parameters(tmp_path, GOOD)).orders_time_format is None
    settings = load_settings(parameters(tmp_path, GOOD + "ORDERS_TIME_FORMAT = '%m/%d/%Y %I:%M %p'\n"))
    assert settings.orders_time_format == "%m/%d/%Y %I:%M %p"
    assert run_request([], settings, None).orders.feed.reading.time_format == "%m/%d/%Y %I:%M %p"
    assert check_request([], settings, None).orders.feed.reading.time_format == "%m/%d/%Y %I:%M %p"
    assert check_request(["--time-format", "%d.%m.%Y %H:%M"], settings, None).orders.feed.reading.time_format == (
        "%d.%m.%Y %H:%M"
    )


@pytest.mark.parametrize(
    "line, message",
    [
        (
            "ORDERS_COLUMNS = {'when': 'Created'}",
            "ORDERS_COLUMNS: unknown column 'when'; ours are order_id, ordered_at",
        ),
        (
            "ORDERS_COLUMNS = ['Created']",
            "ORDERS_COLUMNS: expected a dict of our column names to yours, or None, got list",
        ),
        ("ORDERS_COLUMNS = {'item': ' '}", "ORDERS_COLUMNS: a column with no name"),
        ("ORDERS_TIMEZONE = 'Moon/Base'", "ORDERS_TIMEZONE: unknown time zone 'Moon/Base'"),
        (
            "ORDERS_TIME_FORMAT = 'MM/DD/YYYY hh:mm'",
            "ORDERS_TIME_FORMAT: expected a strptime pattern with % directives, like '%m/%d/%Y %I:%M %p', got"
            " 'MM/DD/YYYY hh:mm'",
        ),
        ("ORDERS_TIME_FORMAT = '100%%'", "ORDERS_TIME_FORMAT: expected a strptime pattern with % directives"),
    ],
)
def test_bad_orders_settings_are_named(tmp_path, line, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(parameters(tmp_path, GOOD + line + "\n"))


EDITED = """
SIMULATION_SPEED = 1
NUM_COOKS = 3
COOK_SCHEDULE = {"00:00": 2, "12:00": 4}
DASHBOARD_REFRESH_INTERVAL = 60
KITCHEN_NAME = "Edited"
KITCHEN_TIMEZONE = "Asia/Tokyo"
ORDERS_TIMEZONE = "Asia/Tokyo"
"""
SETTINGS_DEPENDENT = [
    "common/tests/test_settings.py",
    "simulator/tests/test_generate.py",
    "simulator/tests/test_cli.py",
    "simulator/tests/test_sweep.py",
    "simulator/experiment/tests/test_direct.py",
    "dashboard/tests/test_app.py",
    "tests/test_queueing_theory.py::test_littles_law_holds_on_the_recorded_time_series",
]


@pytest.mark.e2e
@pytest.mark.skipif(
    not (PROJECT_ROOT / ".git").exists(), reason="copies the git checkout: runs in make test, not in the test image"
)
def test_the_settings_dependent_tests_pass_with_an_edited_parameters_file(tmp_path):
    """As a user would: edit parameters/simulation_parameters.py as the README invites, then run the tests."""
    copy = tmp_path / "project"
    files = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, copy / name)
    user_file = copy / "parameters" / "simulation_parameters.py"
    user_file.write_text(user_file.read_text() + EDITED)
    environment = {k: v for k, v in os.environ.items() if k != "KITCHEN_PARAMETERS"}
    itself = "common/tests/test_settings.py::test_the_settings_dependent_tests_pass_with_an_edited_parameters_file"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-x",
            "-p",
            "no:cacheprovider",
            "--deselect",
            itself,
            *SETTINGS_DEPENDENT,
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout.splitlines()[-1] and "failed" not in result.stdout.splitlines()[-1]


def test_the_target_p90_from_the_file_or_the_environment(tmp_path):
    assert load_settings(parameters(tmp_path, GOOD)).sla_p90_minutes == 40
    env = parameters(tmp_path, GOOD + "SLA_P90_MINUTES = 25\n")
    assert load_settings(env).sla_p90_minutes == 25
    assert load_settings(env | {"KITCHEN_SLA_P90_MINUTES": "32.5"}).sla_p90_minutes == 32.5
    with pytest.raises(SettingsError, match="KITCHEN_SLA_P90_MINUTES: expected a positive number of minutes, got '0'"):
        load_settings(env | {"KITCHEN_SLA_P90_MINUTES": "0"})


@pytest.mark.parametrize(
    "line, message",
    [
        ("NUM_COKS = 5", "NUM_COKS is not a parameter; did you mean NUM_COOKS?"),
        ("SIMULATON_SPEED = 60", "SIMULATON_SPEED is not a parameter; did you mean SIMULATION_SPEED?"),
        ("FOO = 1", "FOO is not a parameter; the knobs are SIMULATION_SPEED, NUM_COOKS"),
        ("NUM_COOKS = '110'", "NUM_COOKS: expected a whole number, got str '110'"),
        ("NUM_COOKS = True", "NUM_COOKS: expected a whole number, got bool True"),
        ("SIMULATION_SPEED = '60'", "SIMULATION_SPEED: expected a positive number, or the string 'max', got str '60'"),
        ("DASHBOARD_REFRESH_INTERVAL = '5'", "DASHBOARD_REFRESH_INTERVAL: expected a number of seconds, got str '5'"),
        (
            "KITCHEN_TIMEZONE = None",
            "KITCHEN_TIMEZONE: expected an IANA time zone name, as a string, got NoneType None",
        ),
        (
            "ORDERS_TIME_FORMAT = ['%m/%d/%Y']",
            "ORDERS_TIME_FORMAT: expected a strptime pattern, like '%m/%d/%Y %I:%M %p', or None, got list ['%m/%d/%Y']",
        ),
        ("ORDERS_TIME_FORMT = '%m/%d/%Y'", "ORDERS_TIME_FORMT is not a parameter; did you mean ORDERS_TIME_FORMAT?"),
    ],
)
def test_a_misspelled_or_mistyped_knob_is_named(tmp_path, line, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_settings(parameters(tmp_path, GOOD + line + "\n"))


def test_helpers_and_lower_case_names_are_fine_and_strings_are_read_from_the_environment(tmp_path):
    env = parameters(tmp_path, GOOD + "import math\n_HIDDEN = 1\nhours = 3\nNUM_COOKS = 4 * hours\n")
    assert load_settings(env).cooks == 12
    assert load_settings(env | {"KITCHEN_REFRESH_INTERVAL": "0.5"}).refresh_interval == 0.5
