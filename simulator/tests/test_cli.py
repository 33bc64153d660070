"""The real `python -m simulator` process: bad input, failures, signals, and a live end-to-end run."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.__main__ import EveryFewSeconds
from tests.kitchen_data import MENU_ENTRIES, T0, order, stored_run, write_json
from tests.parameters import write_parameters


def simulator(*args: object, wait: bool = True, **options):
    command = [sys.executable, "-m", "simulator", *map(str, args)]
    if not wait:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **options)


def query(db: Path, sql: str, *parameters):
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def wait_for_an_order(db: Path, process: subprocess.Popen, seconds: float = 20) -> None:
    """Until the running simulator has committed its first order."""
    deadline = time.monotonic() + seconds
    while not _has_an_order(db):
        assert time.monotonic() < deadline and process.poll() is None, "the simulator never wrote an order"
        time.sleep(0.05)


def _has_an_order(db: Path) -> bool:
    try:
        return db.exists() and query(db, "SELECT COUNT(*) FROM orders")[0][0] >= 1
    except sqlite3.OperationalError:  # the file is there, its tables not yet
        return False


@pytest.fixture
def files(tmp_path):
    menu = write_json(tmp_path / "items.json", MENU_ENTRIES)
    orders = write_json(tmp_path / "orders.json", [order(T0 + 60 * i, ("Soup", 1), ("Stew", 1)) for i in range(30)])
    return tmp_path, menu, orders


@pytest.mark.e2e
def test_a_short_run_reports_labour_with_enough_digits(files):
    tmp_path, menu, _ = files
    orders = write_json(tmp_path / "one.json", [order(T0, ("Soup", 1))])
    result = simulator("--orders", orders, "--menu", menu, "--db", tmp_path / "k.db", "--cooks", 3, "--speed", "max")
    assert result.returncode == 0, result.stderr
    assert "labour 0.05 cook-hours, utilisation 33%" in result.stdout  # 3 cooks for the 60 s one soup takes


@pytest.mark.e2e
def test_as_fast_as_possible_a_day_and_more_is_two_progress_lines_the_first_and_the_last(files):
    tmp_path, menu, _ = files
    orders = write_json(tmp_path / "hours.json", [order(T0 + 3600 * i + 600, ("Soup", 1)) for i in range(30)])
    result = simulator("--orders", orders, "--menu", menu, "--db", tmp_path / "k.db", "--cooks", 1, "--speed", "max")
    assert result.returncode == 0, result.stderr
    hours = re.findall(r"(\S+ \S+) P[SD]T  received (\d+)", result.stderr)  # a line per simulated hour, unthinned
    assert 2 <= len(hours) <= 3, result.stderr  # a third only if this machine took 5 s over it
    assert hours[0] == ("2019-02-18 09:00", "1") and hours[-1] == ("2019-02-19 13:00", "29")


def test_progress_lines_come_at_most_every_few_wall_seconds_and_the_last_is_said():
    now = [0.0]
    lines = EveryFewSeconds(5, clock=lambda: now[0])
    shown = []
    for wall in (0, 0.1, 0.2, 4.9, 5.0, 5.1, 11, 11.5):  # as fast as possible, then slower
        now[0] = wall
        record = logging.LogRecord("simulator.progress", logging.INFO, __file__, 0, f"at {wall}", None, None)
        if lines.filter(record):
            shown.append(wall)
    assert shown == [0, 5.0, 11] and lines.held.getMessage() == "at 11.5"
    handler = logging.Handler()
    handler.emit = lambda record: shown.append(record.getMessage())
    logging.getLogger().addHandler(handler)
    try:
        lines.say_the_last()
        lines.say_the_last()  # once
    finally:
        logging.getLogger().removeHandler(handler)
    assert shown == [0, 5.0, 11, "at 11.5"] and lines.held is None


@pytest.mark.e2e
def test_a_run_at_max_speed_completes(files):
    tmp_path, menu, orders = files
    db = tmp_path / "k.db"
    result = simulator("--orders", orders, "--menu", menu, "--db", db, "--cooks", 2, "--speed", "max")
    assert result.returncode == 0, result.stderr
    assert "run 1 completed" in result.stdout
    assert "orders received 30, completed 30, discarded (no items) 0, rejected 0" in result.stdout
    assert query(db, "SELECT status, orders_completed FROM runs") == [("completed", 30)]
    assert query(db, "SELECT COUNT(*) FROM orders WHERE status = 'Completed'") == [(30,)]
    assert query(db, "PRAGMA journal_mode") == [("wal",)]


@pytest.mark.e2e
@pytest.mark.parametrize(
    "menu, message",
    [
        (None, "menu file not found"),
        ('[{"name": "Soup"}]', "entry 1: missing field 'cook_time'"),
        ('[{"name": "Soup", "cook_time": 0}]', "'cook_time' must be a whole number of seconds > 0"),
        ('[{"name": "Soup", "cook_time": 60}, {"name": "Soup", "cook_time": 60}]', "duplicate dish name"),
        ('[{"name": ', "not valid JSON"),
    ],
)
def test_a_bad_menu_stops_before_anything_is_written(files, menu, message):
    tmp_path, _, orders = files
    menu_path = tmp_path / "bad-menu.json"
    if menu is not None:
        menu_path.write_text(menu)
    db = tmp_path / "db" / "k.db"
    result = simulator("--orders", orders, "--menu", menu_path, "--db", db, "--speed", "max")
    assert result.returncode == 2
    assert message in result.stderr and "bad-menu.json" in result.stderr
    assert not db.exists()


@pytest.mark.e2e
@pytest.mark.parametrize(
    "flag, value",
    [
        ("--cooks", "0"),
        ("--cooks", "many"),
        ("--speed", "-3"),
        ("--speed", "fast"),
        ("--timezone", "Central"),
        ("--db-retry-seconds", "-1"),
        ("--db-retry-seconds", "a while"),
        ("--resume", "0"),
        ("--resume", "last"),
    ],
)
def test_bad_flags_are_refused(files, flag, value):
    tmp_path, menu, orders = files
    result = simulator("--orders", orders, "--menu", menu, "--db", tmp_path / "k.db", flag, value)
    assert result.returncode == 2
    assert flag in result.stderr
    assert not (tmp_path / "k.db").exists()


@pytest.mark.e2e
@pytest.mark.parametrize(
    "written, message",
    [
        (None, "layout file not found"),
        ('[stations]\nline = {}\n[roles.cook]\nstations = ["line"]\n', "roles.cook: give its crew as either"),
        (
            '[stations]\nline = {}\n[roles.cook]\nstations = ["line"]\ncooks = 2\n[[routes]]\ndishes = "Stu"\n'
            'steps = [{ station = "line" }]\n',
            "routes entry 1 (Stu) takes no dish of the menu",
        ),
    ],
)
def test_a_bad_layout_stops_before_anything_is_written(files, written, message):
    tmp_path, menu, orders = files
    layout = tmp_path / "layout.toml"
    if written is not None:
        layout.write_text(written)
    db = tmp_path / "k.db"
    result = simulator("--orders", orders, "--menu", menu, "--db", db, "--speed", "max", "--layout", layout)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "layout.toml" in result.stderr
    assert not db.exists()


@pytest.mark.e2e
def test_a_laid_out_run_takes_its_crew_from_the_layout_and_refuses_another_crew_beside_it(files):
    tmp_path, menu, orders = files
    layout = tmp_path / "layout.toml"
    layout.write_text(
        '[stations]\nline = {}\npass = {}\n[roles.cook]\nstations = ["line"]\ncooks = 12\n'
        '[roles.packer]\nstations = ["pass"]\ncooks = 1\n[packing]\nstation = "pass"\nper_order = 30\n'
    )
    both = simulator("--orders", orders, "--menu", menu, "--db", tmp_path / "k.db", "--layout", layout, "--cooks", "3")
    assert both.returncode == 2 and "--cooks: not allowed with argument --layout" in both.stderr
    alone = simulator("--orders", orders, "--menu", menu, "--db", tmp_path / "k.db", "--record-units")
    assert alone.returncode == 2 and "--record-units: it is for a laid-out kitchen" in alone.stderr
    seed = simulator("--orders", orders, "--menu", menu, "--db", tmp_path / "k.db", "--layout-seed", "4")
    assert seed.returncode == 2 and "--layout-seed: it is for a laid-out kitchen" in seed.stderr
    laid_out = ("--layout", layout, "--speed", "max", "--record-units")
    done = simulator("--orders", orders, "--menu", menu, "--db", tmp_path / "k.db", *laid_out)
    assert done.returncode == 0, done.stderr
    assert "a layout of 2 stations and 2 roles, up to 13 cooks" in done.stderr
    # an order a minute, a soup (60 s) and a stew (300 s) each, cooks enough: each order cooked in 300 s, packed in 30
    assert set(query(tmp_path / "k.db", "SELECT completed_at - received_at FROM orders")) == {(330,)}
    assert set(query(tmp_path / "k.db", "SELECT completed_at - cooked_at FROM orders")) == {(30,)}  # packing
    # a row a step: the soup's and the stew's, and the packing (unit 2, at the pass) of each of the 30 orders
    assert query(tmp_path / "k.db", "SELECT unit, station, role, COUNT(*) FROM unit_steps GROUP BY 1, 2, 3") == [
        (0, "line", "cook", 30),
        (1, "line", "cook", 30),
        (2, "pass", "packer", 30),
    ]
    assert query(tmp_path / "k.db", "SELECT cooks FROM runs") == [(13,)]
    minutes = query(tmp_path / "k.db", "SELECT COUNT(*) FROM kitchen_stats")[0][0]
    by_station = query(tmp_path / "k.db", "SELECT station, COUNT(*), MAX(capacity) FROM station_stats GROUP BY 1")
    assert sorted(by_station) == [("line", minutes, 12), ("pass", minutes, 1)]


@pytest.mark.e2e
def test_a_missing_orders_file_stops_before_anything_is_written(files):
    tmp_path, menu, _ = files
    result = simulator("--orders", tmp_path / "none.json", "--menu", menu, "--db", tmp_path / "k.db")
    assert result.returncode == 2 and "cannot open orders file" in result.stderr
    assert not (tmp_path / "k.db").exists()


@pytest.mark.e2e
def test_a_syntax_error_fails_the_run_and_keeps_what_was_written(files):
    tmp_path, menu, _ = files
    good = [json.dumps(order(T0 + 60 * i, ("Soup", 1))) for i in range(5)]
    orders = tmp_path / "broken.json"
    orders.write_text("[" + ",\n".join(good) + ',\n{"name": "Ann", "ordered_at": 2019-02-18}]')
    db = tmp_path / "k.db"
    result = simulator("--orders", orders, "--menu", menu, "--db", db, "--speed", "max")
    assert result.returncode == 1
    assert "JSON syntax error in order 6 (after 5 complete orders)" in result.stderr
    [(status, message)] = query(db, "SELECT status, message FROM runs")
    assert status == "failed" and "order 6" in message
    assert query(db, "SELECT COUNT(*) FROM orders") == [(5,)]


CSV_HEADER = "Ticket,Created,Guest,Platform,Product,Qty,Price\n"
CSV_COLUMNS = (
    "order_id=Ticket,ordered_at=Created,name=Guest,service=Platform,item=Product,quantity=Qty,price_per_unit=Price"
)


@pytest.mark.e2e
def test_a_csv_without_a_needed_column_stops_before_anything_is_written(files):
    tmp_path, menu, _ = files
    orders = tmp_path / "export.csv"
    orders.write_text("Ticket,Created,Guest,Platform,Product,Price\n1,2019-02-18 08:00,Ann,Uber,Soup,1.00\n")
    db = tmp_path / "k.db"
    result = simulator("--orders", orders, "--menu", menu, "--db", db, "--columns", CSV_COLUMNS, "--speed", "max")
    assert result.returncode == 2
    assert "export.csv: the CSV header has no column quantity (as 'Qty')" in result.stderr
    assert not db.exists()


@pytest.mark.e2e
def test_a_csv_cut_short_fails_the_run_at_that_line_and_keeps_what_was_written(files):
    tmp_path, menu, _ = files
    rows = [f"{i},2019-02-18 08:{i:02}:00,Ann,Uber,Soup,1,2.50" for i in range(1, 6)]
    orders = tmp_path / "export.csv"
    orders.write_text(CSV_HEADER + "\n".join(rows) + "\n6,2019-02-18 08:06:00,Bo")
    db = tmp_path / "k.db"
    result = simulator(
        "--orders",
        orders,
        "--menu",
        menu,
        "--db",
        db,
        "--columns",
        CSV_COLUMNS,
        "--speed",
        "max",
        "--orders-timezone",
        "America/Los_Angeles",
    )
    assert result.returncode == 1
    assert "line 7 has 3 fields where the header has 7" in result.stderr
    [(status, message)] = query(db, "SELECT status, message FROM runs")
    assert status == "failed" and "line 7" in message
    assert query(db, "SELECT id, order_id, received_at, total_price FROM orders ORDER BY id") == [
        (i, str(i), T0 + 60 * i, 250) for i in range(1, 6)
    ]


@pytest.mark.e2e
def test_malformed_orders_are_rejected_and_the_run_goes_on(files):
    tmp_path, menu, _ = files
    stream = [
        order(T0, ("Soup", 1)),
        order(T0 + 1, ("Pizza", 1)),
        {"name": "x"},
        order(T0 + 2, ("Soup", -1)),
        order(T0 + 3),
        order(T0 + 4, ("Stew", 1)),
    ]
    orders = write_json(tmp_path / "orders.json", stream)
    db = tmp_path / "k.db"
    result = simulator("--orders", orders, "--menu", menu, "--db", db, "--speed", "max")
    assert result.returncode == 0, result.stderr
    assert "order 2 rejected: item 1: unknown dish 'Pizza' (the first 'unknown dish';" in result.stderr
    assert "rejected 3: 1 unknown dish (first: order 2: item 1: unknown dish 'Pizza'), 1 missing field" in result.stdout
    assert query(db, "SELECT position FROM rejected_orders ORDER BY position") == [(2,), (3,), (4,)]
    assert query(db, "SELECT id FROM orders ORDER BY id") == [(1,), (6,)]
    assert query(db, "SELECT orders_rejected, orders_discarded FROM runs") == [(3, 1)]


def us_dated_csv(path: Path, count: int) -> Path:
    """A point-of-sale export of `count` one-line orders, two a minute from 2019-02-18 08:00 (up to 1,920), its times
    written like '2/18/19 8:00 AM'."""
    rows = ["order_id,ordered_at,name,service,item,quantity,price_per_unit"]
    for i in range(count):
        hour, minute = divmod(8 * 60 + i // 2, 60)
        stamp = f"2/18/19 {(hour - 1) % 12 + 1}:{minute:02} {'AM' if hour < 12 else 'PM'}"
        rows.append(f"T-{i + 1},{stamp},Ann,TastyBites,Soup,1,2.50")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.e2e
def test_a_file_read_with_the_wrong_time_format_is_refused_in_one_line_and_nothing_is_written(files):
    tmp_path, menu, orders = files
    db = tmp_path / "k.db"
    assert simulator("--orders", orders, "--menu", menu, "--db", db).returncode == 0  # a run before it: kept
    export = us_dated_csv(tmp_path / "export.csv", 1200)
    result = simulator("--orders", export, "--menu", menu, "--db", db)
    assert result.returncode == 2
    [said] = result.stderr.splitlines()
    assert said == (
        f"simulator: {export}: not run, nothing written: 1,000 of its first 1,000 orders would be rejected, 1,000 of"
        " 1,000 for bad timestamp; the first: order 1: ordered_at is not an ISO-8601 timestamp: '2/18/19 8:00 AM'"
        " (give its pattern with --time-format or ORDERS_TIME_FORMAT, like '%m/%d/%Y %I:%M %p')"
    )
    assert result.stdout == ""
    assert query(db, "SELECT id, orders_file FROM runs") == [(1, str(orders))]
    assert query(db, "SELECT COUNT(*) FROM orders WHERE run_id <> 1") == [(0,)]
    assert query(db, "SELECT COUNT(*) FROM rejected_orders") == [(0,)]


@pytest.mark.e2e
def test_a_short_file_all_rejected_is_refused_too_from_a_file_or_standard_input_at_max_speed(files):
    tmp_path, menu, _ = files
    stream = [order(T0, ("Pizza", 1))] * 3 + [order("yesterday", ("Soup", 1))] * 2
    db = tmp_path / "k.db"
    result = simulator("--orders", write_json(tmp_path / "five.json", stream), "--menu", menu, "--db", db)
    assert result.returncode == 2
    [said] = result.stderr.splitlines()
    assert "5 of its 5 orders would be rejected, 3 of 5 for unknown dish; the first: order 1: item 1: unknown" in said
    assert not db.exists()
    lines = "".join(json.dumps(entry) + "\n" for entry in stream)
    piped = simulator("--orders", "-", "--orders-format", "jsonl", "--menu", menu, "--db", db, input=lines)
    assert piped.returncode == 2 and "standard input: not run, nothing written: 5 of its 5 orders" in piped.stderr
    assert not db.exists()


@pytest.mark.e2e
def test_a_few_rejections_among_many_orders_are_said_once_a_kind_counted_in_the_summary_and_all_stored(files):
    tmp_path, menu, _ = files
    stream = [order(T0 + 30 * i, ("Soup", 1)) for i in range(400)]
    for i in range(5, 400, 40):
        stream[i] = order(T0 + 30 * i, ("Pho", 1))  # 10 unknown dishes, the first order 6
    for i in (12, 200, 399):
        stream[i] = order("10/8/26 5:18 PM", ("Soup", 1))  # 3 bad timestamps, the first order 13
    db = tmp_path / "k.db"
    result = simulator("--orders", write_json(tmp_path / "orders.json", stream), "--menu", menu, "--db", db)
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if " rejected: " in line]
    assert len(said) == 2
    assert "order 6 rejected: item 1: unknown dish 'Pho' (the first 'unknown dish';" in said[0]
    assert "order 13 rejected: ordered_at is not an ISO-8601 timestamp: '10/8/26 5:18 PM'" in said[1]
    assert (
        "orders received 387, completed 387, discarded (no items) 0, rejected 13: 10 unknown dish (first: order 6:"
        " item 1: unknown dish 'Pho'), 3 bad timestamp (first: order 13: ordered_at is not an ISO-8601 timestamp:"
    ) in result.stdout
    expected = sorted([*range(6, 400, 40), 13, 201, 400])
    assert query(db, "SELECT position FROM rejected_orders ORDER BY position") == [(p,) for p in expected]
    assert query(db, "SELECT orders_received, orders_rejected FROM runs") == [(387, 13)]


@pytest.mark.e2e
def test_orders_time_format_in_the_parameters_file_reads_an_export_and_a_resumed_run_keeps_it(files):
    tmp_path, menu, _ = files
    export = us_dated_csv(tmp_path / "export.csv", 1200)
    parameters = write_parameters(tmp_path / "parameters.py", ORDERS_TIME_FORMAT="%m/%d/%y %I:%M %p")
    env = {**os.environ, "KITCHEN_PARAMETERS": str(parameters)}
    db = tmp_path / "k.db"
    result = simulator(
        "--orders", export, "--menu", menu, "--db", db, "--orders-timezone", "America/Los_Angeles", env=env
    )
    assert result.returncode == 0, result.stderr
    assert "orders received 1200, completed 1200, discarded (no items) 0, rejected 0\n" in result.stdout
    assert query(db, "SELECT MIN(received_at), MAX(received_at) FROM orders") == [(T0, T0 + 599 * 60)]  # 08:00-17:59
    [(reading,)] = query(db, "SELECT reading FROM runs")
    assert json.loads(reading)["reading"]["time_format"] == "%m/%d/%y %I:%M %p"  # what --resume reads it with
    flag = simulator("--orders", export, "--menu", menu, "--db", db, "--time-format", "%d/%m/%y %I:%M %p", env=env)
    assert flag.returncode == 2 and "1,000 of 1,000 for bad timestamp" in flag.stderr  # the flag wins: 18/2 is no date


@pytest.mark.e2e
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_marks_the_run_interrupted_and_exits_0(files, signal_number):
    tmp_path, menu, orders = files
    db = tmp_path / "k.db"
    process = simulator("--orders", orders, "--menu", menu, "--db", db, "--speed", 1, wait=False)
    try:
        wait_for_an_order(db, process)
        process.send_signal(signal_number)  # how soon it exits is measured by bench/ (python -m bench realtime)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == 0, stderr
    assert "run 1 interrupted" in stdout
    assert query(db, "SELECT status FROM runs") == [("interrupted",)]
    assert query(db, "SELECT status FROM orders WHERE id = 1") in ([("Queued",)], [("In Progress",)])


@pytest.mark.e2e
def test_live_run_on_generated_data(tmp_path):
    """Generate a day of orders, replay it in accelerated real time and watch the database fill up."""
    menu, orders, db = tmp_path / "items.json", tmp_path / "orders.json", tmp_path / "k.db"
    generated = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.generate",
            "--days",
            "1",
            "--orders-per-day",
            "800",
            "--seed",
            "5",
            "--menu",
            str(menu),
            "--orders",
            str(orders),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert generated.returncode == 0, generated.stderr
    total = len(json.loads(orders.read_text()))
    process = simulator("--orders", orders, "--menu", menu, "--db", db, "--cooks", 40, "--speed", 8000, wait=False)
    seen = []
    try:
        while process.poll() is None:
            if db.exists():
                seen.append(query(db, "SELECT COUNT(*), COALESCE(MAX(sim_now), 0) FROM orders, runs")[0])
            time.sleep(0.5)
    finally:
        process.kill()
        _, stderr = process.communicate()
    assert process.returncode == 0, stderr
    counts = [count for count, _ in seen]
    assert len(set(counts)) >= 3, f"expected the database to fill up while running, saw {seen}"
    assert counts == sorted(counts)
    discarded = query(db, "SELECT orders_discarded FROM runs")[0][0]
    assert query(db, "SELECT COUNT(*) FROM orders WHERE status = 'Completed'")[0][0] + discarded == total


@pytest.mark.e2e
def test_a_database_file_that_is_not_a_database_is_refused(files):
    tmp_path, menu, orders = files
    db = tmp_path / "k.db"
    db.write_bytes(b"not a database" * 1000)
    result = simulator("--orders", orders, "--menu", menu, "--db", db, "--speed", "max")
    assert result.returncode == 2
    assert "cannot open database" in result.stderr and "not a database" in result.stderr
    assert db.read_bytes() == b"not a database" * 1000


@pytest.mark.e2e
def test_a_database_deleted_while_running_stops_the_run_with_a_message(files):
    tmp_path, menu, orders = files
    db = tmp_path / "k.db"
    process = simulator("--orders", orders, "--menu", menu, "--db", db, "--speed", 600, wait=False)
    try:
        wait_for_an_order(db, process)
        db.unlink()
        _, stderr = process.communicate(timeout=10)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == 1
    assert "was deleted or replaced while in use" in stderr


@pytest.mark.e2e
def test_a_full_disk_fails_the_run_with_a_message_instead_of_hanging_and_it_resumes_once_there_is_room(tmp_path):
    import resource

    from tests.processes import generate

    menu, orders = generate(tmp_path, days=1, orders_per_day=3000)
    db = tmp_path / "k.db"

    def small_disk():  # files may not grow beyond 300 KB, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))

    result = simulator(
        "--orders",
        orders,
        "--menu",
        menu,
        "--db",
        db,
        "--cooks",
        100,
        "--speed",
        "max",
        "--quiet",
        preexec_fn=small_disk,
    )
    assert result.returncode == 1
    assert "simulator: run 1 failed: disk I/O error (writing" in result.stderr
    assert "Traceback" not in result.stderr
    assert query(db, "PRAGMA integrity_check") == [("ok",)]

    # once there is room again, the run goes on where it stopped, to what a run never stopped stores
    resumed = simulator("--db", db, "--resume", "1", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert "run 1 completed" in resumed.stdout
    again = simulator("--orders", orders, "--menu", menu, "--db", db, "--cooks", 100, "--speed", "max", "--quiet")
    assert again.returncode == 0, again.stderr
    assert stored_run(db, 1) == stored_run(db, 2)


@pytest.mark.e2e
def test_a_cook_schedule_from_the_parameters_file_is_followed_and_recorded(files):
    tmp_path, menu, orders = files
    parameters = tmp_path / "parameters.py"
    parameters.write_text(
        'SIMULATION_SPEED = "max"\nDASHBOARD_REFRESH_INTERVAL = 5\nCOOK_SCHEDULE = {"00:00": 1, "08:10": 3}\n'
    )
    db = tmp_path / "k.db"
    env = {**os.environ, "KITCHEN_PARAMETERS": str(parameters)}
    result = simulator("--orders", orders, "--menu", menu, "--db", db, env=env)
    assert result.returncode == 0, result.stderr
    [(cooks, schedule)] = query(db, "SELECT cooks, cook_schedule FROM runs")
    assert cooks == 3 and json.loads(schedule)["Wed"] == {"00:00": 1, "08:10": 3}
    on_shift = dict(query(db, "SELECT t, cooks FROM kitchen_stats"))
    assert on_shift[T0] == 1 and on_shift[T0 + 600] == 3  # T0 is 08:00 local
    assert "a schedule of up to 3 cooks" in result.stderr

    fixed = simulator("--orders", orders, "--menu", menu, "--db", db, "--cooks", 2, env=env)
    assert fixed.returncode == 0, fixed.stderr
    assert query(db, "SELECT cooks, cook_schedule FROM runs WHERE id = 2") == [(2, None)]


@pytest.mark.e2e
def test_the_kitchens_zone_from_the_flag_over_the_environment_and_the_file_sets_the_run_and_its_schedules(files):
    tmp_path, menu, orders = files
    parameters = tmp_path / "parameters.py"
    parameters.write_text(
        'SIMULATION_SPEED = "max"\nDASHBOARD_REFRESH_INTERVAL = 5\n'
        'COOK_SCHEDULE = {"00:00": 1, "10:10": 3}\nKITCHEN_TIMEZONE = "America/Los_Angeles"\n'
    )
    db = tmp_path / "k.db"
    env = {**os.environ, "KITCHEN_PARAMETERS": str(parameters), "KITCHEN_TIMEZONE": "Asia/Tokyo"}
    result = simulator("--orders", orders, "--menu", menu, "--db", db, "--timezone", "America/Chicago", env=env)
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT timezone FROM runs") == [("America/Chicago",)]
    on_shift = dict(query(db, "SELECT t, cooks FROM kitchen_stats"))
    assert on_shift[T0] == 1 and on_shift[T0 + 600] == 3  # T0 is 10:00 in Chicago: COOK_SCHEDULE read there
    assert "simulated 2019-02-18 10:00 CST to " in result.stdout

    schedule = tmp_path / "cook_schedule.json"
    schedule.write_text('{"00:00": 2, "10:10": 4}')
    result = simulator(
        "--orders", orders, "--menu", menu, "--db", db, "--schedule", schedule, "--timezone", "America/Chicago", env=env
    )
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT timezone FROM runs WHERE id = 2") == [("America/Chicago",)]
    on_shift = dict(query(db, "SELECT t, cooks FROM kitchen_stats WHERE run_id = 2"))
    assert on_shift[T0] == 2 and on_shift[T0 + 600] == 4


def test_the_time_a_database_may_be_away_is_a_parameter_and_a_flag(tmp_path):
    from common.settings import SettingsError, load_settings
    from simulator.cli import run_request

    settings = load_settings()
    assert run_request([], settings, None).db_retry_seconds == 120
    assert run_request(["--db-retry-seconds", "2.5"], settings, None).db_retry_seconds == 2.5
    own = tmp_path / "parameters.py"
    own.write_text("SIMULATION_SPEED = 60\nNUM_COOKS = 3\nDB_RETRY_SECONDS = 0\n")
    assert run_request([], load_settings({"KITCHEN_PARAMETERS": str(own)}), None).db_retry_seconds == 0
    own.write_text("SIMULATION_SPEED = 60\nNUM_COOKS = 3\nDB_RETRY_SECONDS = -5\n")
    with pytest.raises(SettingsError, match="DB_RETRY_SECONDS: expected a number of seconds, 0 or more, got -5"):
        load_settings({"KITCHEN_PARAMETERS": str(own)})


def test_resume_takes_a_run_number_or_none_for_the_kitchens_latest():
    from common.settings import load_settings
    from simulator.cli import run_request
    from simulator.requests import LATEST

    settings = load_settings()
    assert run_request([], settings, None).resume is None
    assert run_request(["--resume"], settings, None).resume == LATEST
    assert run_request(["--resume", "7"], settings, None).resume == 7
