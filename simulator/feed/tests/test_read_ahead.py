"""A large file in order is read by a child process (simulator/feed/read_ahead.py) as it would be read here.

Exports of Square, Toast and Clover, files of our columns, and JSON lists in any layout and JSON Lines are read
whole by a child and by this process: the same entries, each order's dishes the menu's own, the same lines left
out, the same words said, the same errors after the same orders. A reader that stops early ends the child; a
child that dies, or a system that cannot fork, is said or read around."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.feed import FeedOptions, open_orders, read_ahead
from simulator.feed.tests.test_presets import MENU, NEW_YORK, SQUARE, SYSTEMS, Sold
from simulator.feed.tests.test_quick_scan import drawn_export, ours
from simulator.menu import Dish
from simulator.orders import EmptyOrder, FeedEntry, Order, OrdersFileError, Rejected

PROJECT = Path(__file__).parents[3]


def read(path: Path, ahead: bool, **options: object) -> tuple[object, ...]:
    """The whole file read, by a child or here: its entries (and, of each order's dishes, whether they are the
    menu's own objects), each followed by the lines left out so far; the lines left out and what is said of it;
    or its error, with the orders read before."""
    made: list[object] = []
    with mock.patch.object(read_ahead, "AHEAD_FROM", 0 if ahead else 1 << 62):
        try:
            with open_orders(path, FeedOptions(**options)) as feed:  # type: ignore[arg-type]
                for entry in feed.entries(MENU):
                    made.append(
                        (entry, all(line.dish is MENU[line.dish.name] for line in entry.lines))
                        if isinstance(entry, Order)
                        else entry
                    )
                    made.append(dict(feed.left_out))  # as each entry is handed on
                return "read", made, dict(feed.left_out), feed.describe()
        except OrdersFileError as error:
            return "error", made, str(error)


def same_both_ways(path: Path, **options: object) -> tuple[object, ...]:
    ahead = read(path, True, **options)
    assert ahead == read(path, False, **options)
    assert not multiprocessing.active_children()  # the child is gone
    return ahead


@pytest.mark.parametrize("system", SYSTEMS, ids=[system.name for system in SYSTEMS])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_an_export_reads_the_same_by_a_child_as_here(tmp_path_factory, system, data):
    path, kept, _ = drawn_export(data, system, tmp_path_factory.mktemp(system.name))
    outcome = same_both_ways(path, kitchen_zone=NEW_YORK, location=kept)
    if outcome[0] == "read":
        assert all(made[1] for made in outcome[1] if isinstance(made, tuple))  # the menu's own dishes


def test_many_batches_of_orders_rejections_and_empty_orders_come_whole_and_in_order(tmp_path):
    """Enough orders for several batches; rejected ones (an unknown dish), and orders of no item, among them."""
    rows = [
        (f"o{n}", f"2026-07-18T{8 + n // 240:02d}:{n // 4 % 60:02d}:{n % 4 * 15:02d}", "12.50")
        for n in range(3 * read_ahead.BATCH + 7)
    ]
    path = ours(tmp_path / "orders.csv", rows)
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    text[100] = text[100].replace("Pad Thai", "Pad Thai Deluxe")  # no such dish
    text[700] = text[700].replace("Pad Thai", "")  # a row with no item: an order of nothing
    path.write_text("".join(text), encoding="utf-8")
    kind, made, _, _ = same_both_ways(path)
    entries = made[::2]  # type: ignore[index]
    assert kind == "read" and len(entries) == len(rows)
    kinds = Counter(type(entry[0] if isinstance(entry, tuple) else entry) for entry in entries)
    assert kinds == {Order: len(rows) - 2, Rejected: 1, EmptyOrder: 1}


def test_a_table_of_lines_full_starts_again_on_both_sides(tmp_path):
    """Every order at a price of its own: the table of lines fills up every few orders, and starts again."""
    rows = [(f"o{n}", f"2026-07-18T{8 + n // 60:02d}:{n % 60:02d}:00", f"{10 + n / 100:.2f}") for n in range(600)]
    with mock.patch.object(read_ahead, "TABLE", 7):
        kind, made, _, _ = same_both_ways(ours(tmp_path / "orders.csv", rows))
    prices = [entry[0].lines[0].price_per_unit for entry in made[::2]]  # type: ignore[index]
    assert kind == "read" and prices == [1000 + n for n in range(600)]


@pytest.mark.parametrize(
    "broken, said",
    [
        ("c,2026-07-18T12:40:00,Ann,Walk-in,Pad Thai,1,12.50,extra\n", "line 4 has 8 fields"),
        ("c,2026-07-18T12:40:00,Ann\n", "line 4 has 3 fields"),
    ],
)
def test_a_broken_row_ends_the_stream_after_the_orders_before_it(tmp_path, broken, said):
    path = ours(tmp_path / "orders.csv", [("a", "2026-07-18T12:00:00", "12.50"), ("b", "2026-07-18T12:20:00", "9.00")])
    with open(path, "a", encoding="utf-8") as out:
        out.write(broken + "d,2026-07-18T12:50:00,Ann,Walk-in,Pad Thai,1,12.50\n")
    kind, made, error = same_both_ways(path)
    assert kind == "error" and said in str(error)
    assert [entry[0].order_id for entry in made[::2]] == ["a", "b"]  # type: ignore[index]


def test_a_file_to_be_sorted_is_read_here(tmp_path):
    path = ours(tmp_path / "orders.csv", [("b", "2026-07-18T12:20:00", "9.00"), ("a", "2026-07-18T12:00:00", "1.00")])
    with mock.patch.object(read_ahead, "ReadAhead", side_effect=AssertionError("read by a child")):
        kind, made, _, said = read(path, True)
    assert kind == "read" and [entry[0].order_id for entry in made[::2]] == ["a", "b"]  # type: ignore[index]
    assert "rows sorted by order and time (out of order at its end)" in said  # type: ignore[operator]


def test_a_reader_that_stops_early_ends_the_child(tmp_path):
    rows = [(f"o{n}", f"2026-07-18T{8 + n // 60:02d}:{n % 60:02d}:00", "12.50") for n in range(20 * read_ahead.BATCH)]
    with mock.patch.object(read_ahead, "AHEAD_FROM", 0):
        with open_orders(ours(tmp_path / "orders.csv", rows)) as feed:
            entries = feed.entries(MENU)
            first = next(entries)
            assert [child.is_alive() for child in multiprocessing.active_children()] == [True]  # waiting to send
            entries.close()  # type: ignore[attr-defined]  # a generator's
    assert first.order_id == "o0" and not multiprocessing.active_children()  # type: ignore[union-attr]


def json_orders(count: int) -> list[dict]:
    """Orders 40 s apart in a menu's dishes, some of a dish it does not have (rejected), some of no item (empty),
    half with an id of their own."""
    start, made = datetime(2026, 7, 18, 11), []
    for n in range(count):
        items = [{"name": "Margherita", "quantity": 1 + n % 3, "price_per_unit": 1100 + n % 7}]
        items += [{"name": "Falafel Wrap", "quantity": 1, "price_per_unit": 950}] if n % 4 == 0 else []
        if n % 97 == 5:
            items[0]["name"] = "Margherita Deluxe"
        order = {"ordered_at": f"{start + timedelta(seconds=40 * n):%Y-%m-%dT%H:%M:%S}", "name": f"Guest {n}"}
        order |= {"service": "Walk-in", "items": [] if n % 101 == 7 else items}
        made.append(order | ({"order_id": f"j{n}"} if n % 2 else {}))
    return made


JSON_LAYOUTS = {
    "orders.json": lambda orders: "[\n" + ",\n".join(json.dumps(order) for order in orders) + "\n]\n",
    "one-line.json": json.dumps,
    "indented.json": lambda orders: json.dumps(orders, indent=2),
    "orders.jsonl": lambda orders: "".join(json.dumps(order) + "\n" for order in orders),
}


@pytest.mark.parametrize("cut", [False, True], ids=["whole", "cut off"])
@pytest.mark.parametrize("name", JSON_LAYOUTS)
def test_json_reads_the_same_by_a_child_as_here(tmp_path, name, cut):
    """Several batches of orders, rejected and empty ones among them; cut off two thirds in: a syntax error (a
    line that is not JSON, in JSON Lines), after the same orders both ways."""
    orders = json_orders(3 * read_ahead.BATCH + 11)
    text = JSON_LAYOUTS[name](orders)
    path = tmp_path / name
    path.write_text(text[: len(text) * 2 // 3] + ("\n" if name.endswith("l") else "") if cut else text)
    with mock.patch.object(read_ahead, "AHEAD_FROM", 0), open_orders(path) as feed:
        next(feed.entries(MENU))
        assert feed.orders.ahead is not None and feed.orders.ahead.child is not None  # a child reads it
    kind, made, *_ = same_both_ways(path)
    entries = made[::2]  # type: ignore[index]
    kinds = Counter(type(entry[0] if isinstance(entry, tuple) else entry) for entry in entries)
    assert kind == ("error" if cut and not name.endswith("l") else "read")
    assert kinds[EmptyOrder] >= 2 and kinds[Rejected] >= 5 and kinds[Order] > read_ahead.BATCH
    assert len(entries) < len(orders) if cut else len(entries) == len(orders)


def test_only_a_file_large_enough_is_read_ahead_and_only_with_a_core_for_its_child(tmp_path):
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    small.write_bytes(b"[]")
    large.write_bytes(b" " * 4096)
    with mock.patch.object(read_ahead, "AHEAD_FROM", 4096), mock.patch.object(read_ahead, "CORES", 2):
        with open(small, "rb") as a, open(large, "rb") as b:
            assert (read_ahead.worth_it(a), read_ahead.worth_it(b)) == (False, True)
            with mock.patch.object(read_ahead, "STANDARD_INPUT", b.fileno()):
                assert not read_ahead.worth_it(b)  # standard input, a file or not, is read as it comes
            with mock.patch.object(read_ahead, "CORES", 1):
                assert not read_ahead.worth_it(b)
        reading, writing = os.pipe()
        with open(reading, "rb") as pipe, open(writing, "wb"):
            assert not read_ahead.worth_it(pipe)
        assert not read_ahead.worth_it(io.BytesIO(b" " * 8192))  # no file at all


class Reading:
    """A reader of `count` empty orders, then `end` raised (or not), or `dies` (the reading process dies), or
    `stalls` (a file that takes its time, a disk gone slow)."""

    def __init__(
        self, end: BaseException | None = None, dies: bool = False, stalls: bool = False, count: int = 1
    ) -> None:
        self.name = "orders.csv"
        self.left_out: Counter[str] = Counter()
        self.location: str | None = None
        self.end, self.dies, self.stalls, self.count = end, dies, stalls, count

    def read_here(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
        if self.dies:
            os._exit(3)
        self.left_out["voided"] += 1
        self.location = "Dock Rd"
        for position in range(1, self.count + 1):
            yield EmptyOrder(position, 1_780_000_000)
        if self.stalls:
            time.sleep(600)
        if self.end is not None:
            raise self.end


def test_the_child_answers_no_signal_and_its_parent_ends_it():
    ahead = read_ahead.ReadAhead(Reading(stalls=True, count=read_ahead.BATCH), MENU)
    entries = iter(ahead)
    assert next(entries) == EmptyOrder(1, 1_780_000_000)
    assert ahead.child is not None and ahead.child.pid is not None
    for number in (signal.SIGTERM, signal.SIGINT):  # what `timeout` or Ctrl-C send the whole group
        os.kill(ahead.child.pid, number)
    time.sleep(0.3)
    assert ahead.child.is_alive()  # the run decides when its reading ends
    ahead.close()
    assert not ahead.child.is_alive() and not multiprocessing.active_children()


def test_an_error_in_the_child_is_raised_here_after_the_entries_before_it():
    read: list[FeedEntry] = []
    reader = Reading(OSError(5, "disk gone"))
    with pytest.raises(OSError, match="disk gone"):
        for entry in read_ahead.ReadAhead(reader, MENU):
            read.append(entry)
    assert read == [EmptyOrder(1, 1_780_000_000)]
    assert reader.left_out == {"voided": 1} and reader.location == "Dock Rd"  # what the child's reading found


def test_a_child_that_dies_is_said():
    with pytest.raises(
        OrdersFileError, match=r"orders.csv: the process reading it ended before the file did \(exit 3\)"
    ):
        list(read_ahead.ReadAhead(Reading(dies=True), MENU))


def test_where_no_process_can_be_forked_the_file_is_read_here(monkeypatch):
    def no_fork(method: str) -> None:
        raise ValueError(f"cannot find context for {method!r}")

    monkeypatch.setattr(read_ahead.multiprocessing, "get_context", no_fork)
    reader = Reading()
    assert list(read_ahead.ReadAhead(reader, MENU)) == [EmptyOrder(1, 1_780_000_000)]
    assert reader.left_out == {"voided": 1} and reader.location == "Dock Rd"


def test_a_run_that_closes_its_feed_first_then_lets_go_of_its_entries_is_quiet(tmp_path):
    """A run stopped by a signal closes its feed, and its entries are let go after."""
    rows = [(f"o{n}", f"2026-07-18T{8 + n // 60:02d}:{n % 60:02d}:00", "12.50") for n in range(4 * read_ahead.BATCH)]
    with mock.patch.object(read_ahead, "AHEAD_FROM", 0):
        feed = open_orders(ours(tmp_path / "orders.csv", rows))
        entries = feed.entries(MENU)
        next(entries)
        feed.close()
        assert not multiprocessing.active_children()  # the feed's close ended it (a writer may share its pipe)
        entries.close()  # type: ignore[attr-defined]  # a generator's


def square_run(tmp_path: Path, orders: int) -> tuple[list[Sold], list[str]]:
    """A Square export of `orders` orders 37 s apart, a line left out, and the simulator's arguments to run it."""
    sold = [
        Sold(f"sq-{n}", datetime(2026, 7, 18, 11) + timedelta(seconds=37 * n), NEW_YORK, dish, 1 + n % 2, 1400)
        for n in range(orders)
        for dish in (["Pad Thai", "Margherita"] if n % 3 else ["Falafel Wrap"])
    ]
    sold[10] = Sold(**{**sold[10].__dict__, "left_out": "refund"})
    path = SQUARE.write(tmp_path / "export.csv", sold)
    menu = tmp_path / "menu.json"
    menu.write_text(json.dumps([{"name": d.name, "cook_time": d.cook_time} for d in MENU.values()]))
    return sold, ["--orders", str(path), "--menu", str(menu), "--cooks", "9"]


def simulator(arguments: list[str], ahead: int, marker: Path) -> list[str]:
    """The simulator's command, reading ahead from `ahead` bytes; `marker` is made when a reading child starts."""
    script = f"""
import pathlib, runpy, sys
from simulator.feed import read_ahead
read_ahead.AHEAD_FROM = {ahead}
reading = read_ahead._child
def marked(*arguments):
    pathlib.Path({str(marker)!r}).touch()
    reading(*arguments)
read_ahead._child = marked
sys.argv = ["simulator", *{arguments!r}]
runpy.run_module("simulator", run_name="__main__")
"""
    return [sys.executable, "-c", script]


def json_run(tmp_path: Path, orders: int) -> list[str]:
    """A JSON list of `orders` orders (json_orders), and the simulator's arguments to run it."""
    path = tmp_path / "orders.json"
    path.write_text(JSON_LAYOUTS["orders.json"](json_orders(orders)), encoding="utf-8")
    menu = tmp_path / "menu.json"
    menu.write_text(json.dumps([{"name": d.name, "cook_time": d.cook_time} for d in MENU.values()]))
    return ["--orders", str(path), "--menu", str(menu), "--cooks", "9"]


def stored_both_ways(tmp_path: Path, arguments: list[str], *queries: str) -> list[tuple[list, list[str]]]:
    """The run of `arguments` read by a child, then read here: what each query finds stored, and what the run said."""
    outcomes = []
    for ahead in (0, 1 << 62):
        db, marker = tmp_path / f"kitchen-{ahead}.db", tmp_path / f"child-{ahead}"
        command = simulator([*arguments, "--db", str(db), "--speed", "max"], ahead, marker)
        done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT, timeout=120)
        assert done.returncode == 0, done.stderr
        assert marker.exists() == (ahead == 0)  # read by a child, or here
        said = [line for line in done.stdout.splitlines() if "wall time" not in line and "run " not in line]
        with sqlite3.connect(db) as connection:
            outcomes.append(([connection.execute(query).fetchall() for query in queries], said))
    return outcomes


@pytest.mark.e2e
def test_a_run_read_by_a_child_stores_what_a_run_read_here_stores(tmp_path):
    """The simulator's own process, its writer and the reading child together: the same orders and summary."""
    sold, arguments = square_run(tmp_path, 3 * read_ahead.BATCH)
    ([stored], said), here = stored_both_ways(tmp_path, arguments, "SELECT * FROM orders ORDER BY id")
    assert ([stored], said) == here and len(stored) == len({line.order_id for line in sold if not line.left_out})
    assert any("left out" in line for line in said)


@pytest.mark.e2e
def test_a_json_run_read_by_a_child_stores_what_a_run_read_here_stores(tmp_path):
    """The same for a JSON list, its rejected and empty orders among them."""
    arguments = json_run(tmp_path, 3 * read_ahead.BATCH)
    orders, rejected = "SELECT * FROM orders ORDER BY id", "SELECT * FROM rejected_orders ORDER BY position"
    ([stored, refused], said), here = stored_both_ways(tmp_path, arguments, orders, rejected)
    empty = sum(not order["items"] for order in json_orders(3 * read_ahead.BATCH))  # discarded
    assert ([stored, refused], said) == here and len(refused) >= 5  # the dish no menu has
    assert len(stored) + len(refused) + empty == 3 * read_ahead.BATCH and empty >= 2


@pytest.mark.e2e
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_whole_group_interrupts_a_run_read_ahead(tmp_path, number):
    """`timeout`, a service manager or Ctrl-C signal every process of the run: the run is marked interrupted,
    exits 0 with no traceback, and leaves no process behind (the reading child answers no signal: the run ends it)."""
    _, arguments = square_run(tmp_path, 3 * read_ahead.BATCH)
    db, marker = tmp_path / "kitchen.db", tmp_path / "child"
    command = simulator([*arguments, "--db", str(db), "--speed", "600"], 0, marker)
    process = subprocess.Popen(
        command, cwd=PROJECT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    for _ in range(200):
        if marker.exists() and db.exists():
            break
        time.sleep(0.05)
    time.sleep(1)
    os.killpg(process.pid, number)
    out, errors = process.communicate(timeout=60)
    assert process.returncode == 0 and "Traceback" not in errors, errors
    assert "interrupted" in out
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # no process of the group is left
