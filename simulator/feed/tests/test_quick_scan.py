"""A large file's quick scan (simulator/feed/quick_scan.py) finds what the exact scan finds, or gives way to it.

Exports of Square, Toast and Clover and files of our columns are written with their rows in time order or in any
order, at one location or two, with lines left out, and read whole with the quick scan (in chunks of three rows,
so that orders run across them) and with the exact one: the same orders, the same lines left out, the same words
said, the same errors; and where both scans run, the same findings."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pandas  # noqa: F401  # imported once here, not in each forked scan (quick_scan.apart)
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.settings import COLUMNS
from simulator.feed import FeedOptions, csv_orders, open_orders, quick_scan
from simulator.feed.csv_orders import CsvOrders
from simulator.feed.seen_ids import SeenIds
from simulator.feed.tests.test_presets import (
    CLOVER,
    MENU,
    NEW_YORK,
    SQUARE,
    SYSTEMS,
    TOAST,
    Sold,
    System,
    exports,
    write,
)
from simulator.orders import Order, OrdersFileError, Rejected

Outcome = tuple[str, object, object, object]


def read(path: Path, quick: bool, parts: int = 2, **options: object) -> Outcome:
    """The whole file read: its orders, rejections, lines left out and what is said of it, or its error; and
    which scan it had (with the quick one, its findings, from the file cut in `parts`)."""
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(csv_orders, "QUICK_FROM", 0 if quick else 1 << 62))
        stack.enter_context(mock.patch.object(quick_scan, "CHUNK_ROWS", 3))
        stack.enter_context(mock.patch.object(quick_scan, "PARTS", parts))
        try:
            feed = stack.enter_context(open_orders(path, FeedOptions(**options)))  # type: ignore[arg-type]
            entries = list(feed.entries(MENU))
        except OrdersFileError as error:
            return "error", str(error), None, None
        orders = feed.orders
        assert isinstance(orders, CsvOrders) and orders.scan is not None
        made = [
            (e.order_id, e.ordered_at, [(x.dish.name, x.quantity, x.price_per_unit) for x in e.lines])
            if isinstance(e, Order)
            else (e.reason, e.raw)
            if isinstance(e, Rejected)
            else e
            for e in entries
        ]
        findings = (orders.scan.out_of_place, dict(orders.scan.locations), marks(orders.scan.evidence))
        return "read", (made, dict(feed.left_out), feed.describe()), findings, orders.scan.evidence


def marks(evidence: dict[str, tuple[int | None, str]]) -> dict[str, str]:
    return {mark: price for mark, (_, price) in evidence.items()}


def same_both_ways(path: Path, parts: int = 2, **options: object) -> Outcome:
    quick, exact = read(path, True, parts, **options), read(path, False, **options)
    assert quick[:3] == exact[:3]
    return quick


def in_order(sold: list[Sold], kept: str | None) -> list[Sold]:
    """Each order's lines together, the orders by their earliest line read (what a feed of orders would send)."""
    orders: dict[str, list[Sold]] = {}
    for line in sold:
        orders.setdefault(line.order_id, []).append(line)

    def earliest(lines: list[Sold]) -> int:
        read = [x.epoch for x in lines if x.left_out is None and kept in (None, x.location.casefold())]
        return min(read, default=0)

    return [line for lines in sorted(orders.values(), key=earliest) for line in lines]


def drawn_export(data: st.DataObject, system: System, folder: Path) -> tuple[Path, str | None, bool]:
    """An export of the system's, at one location or two, its rows in time order or in any order; the location
    kept (None: the file's only one), and whether the rows are in order."""
    sold = data.draw(exports(system))
    if system is not CLOVER and data.draw(st.booleans()):  # Clover's lines have no location
        places = st.sampled_from(["Main St", "Dock Rd"])
        sold = [Sold(**{**line.__dict__, "location": data.draw(places)}) for line in sold]
    kept = None if system is CLOVER else data.draw(st.sampled_from([None, "Main St", "dock rd"]))
    ordered = data.draw(st.booleans())
    rows = in_order(sold, kept and kept.casefold()) if ordered else data.draw(st.permutations(sold))
    return system.write(folder / "export.csv", rows), kept, ordered


@pytest.mark.parametrize("system", SYSTEMS, ids=[system.name for system in SYSTEMS])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_an_export_reads_the_same_with_the_quick_scan(tmp_path_factory, system, data):
    path, kept, ordered = drawn_export(data, system, tmp_path_factory.mktemp(system.name))
    outcome = same_both_ways(path, data.draw(st.integers(1, 3), "parts"), kitchen_zone=NEW_YORK, location=kept)
    if ordered and outcome[0] == "read":
        assert outcome[2][0] is None  # found in order by the quick scan itself
        assert all(line is None for line, _ in outcome[3].values())


def ours(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A file of our columns, a row for each (order id, time, price)."""
    cells = {"item": "Pad Thai", "quantity": "1", "name": "Ann", "service": "Walk-in"}
    return write(
        path,
        list(COLUMNS),
        [
            [{**cells, "order_id": i, "ordered_at": at, "price_per_unit": price}[c] for c in COLUMNS]
            for i, at, price in rows
        ],
    )


@settings(max_examples=60, deadline=None)
@given(
    orders=st.lists(
        st.tuples(
            st.integers(0, 8),
            st.one_of(st.integers(-40, 40), st.none()),
            st.integers(1, 3),
            st.sampled_from(["12.50", "12,50", "1,250", "8"]),
        ),
        min_size=1,
        max_size=12,
    ),
    parts=st.integers(1, 3),
)
def test_our_columns_read_the_same_with_the_quick_scan(tmp_path_factory, orders, parts):
    """Our columns allow an order stamped up to 15 minutes before one ahead of it (a delivery service sending it
    late): orders ten minutes apart give or take up to 40, ids used again, up to three rows an order, times that
    cannot be read, prices with either decimal mark or neither."""
    rows = []
    for number, (which, minutes, lines, price) in enumerate(orders):
        at = (
            "soon"
            if minutes is None
            else f"2026-07-18T{12 + (number * 10 + minutes) // 60:02d}:{(number * 10 + minutes) % 60:02d}:00"
        )
        rows += [(f"o{which}", at, price)] * lines
    kind, _, findings, evidence = same_both_ways(ours(tmp_path_factory.mktemp("ours") / "orders.csv", rows), parts)
    if kind == "read" and findings[0] is None:  # type: ignore[index]  # a read's findings
        assert all(line is None for line, _ in evidence.values())  # type: ignore[attr-defined]  # the quick scan's own


@pytest.mark.parametrize("before, in_order", [(15, True), (16, False)])
def test_the_quick_scan_keeps_our_columns_slack_to_the_minute(tmp_path, before, in_order):
    rows = [("a", "2026-07-18T12:00:00", "1.00"), ("b", "2026-07-18T12:30:00", "1.00")]
    rows.append(("c", f"2026-07-18T12:{30 - before:02d}:00", "1.00"))
    _, _, (out_of_place, _, _), evidence = same_both_ways(ours(tmp_path / "orders.csv", rows))
    assert (out_of_place is None) == in_order
    assert all((line is None) == in_order for line, _ in evidence.values())  # the quick scan's own, or the exact


def test_an_order_running_across_chunks_is_at_its_earliest_line(tmp_path):
    """A Toast ticket fired over half an hour, its first line in one chunk of three rows and its last in the
    next, comes at its first line: before the ticket opened ten minutes after it."""
    first = datetime(2026, 7, 18, 12, 0)
    sold = [Sold("1001", first + timedelta(minutes=m), NEW_YORK, "Pad Thai", 1, 1400) for m in (0, 25, 25, 25)]
    sold.append(Sold("1002", first + timedelta(minutes=10), NEW_YORK, "Iced Tea", 1, 350))
    _, _, (out_of_place, _, _), evidence = same_both_ways(TOAST.write(tmp_path / "export.csv", sold))
    assert out_of_place is None and all(line is None for line, _ in evidence.values())


def line_ends(path: Path) -> list[int]:
    """The byte offsets just after each line of the file (where the quick scan may cut it), its header's too."""
    data = path.read_bytes()
    return [k + 1 for k, byte in enumerate(data) if byte == 10 and k + 1 < len(data)]


def cut_at(*cuts: int):
    return mock.patch.object(quick_scan, "_cuts", lambda source, parts: [0, *cuts, source.size])


def read_cut(path: Path, *cuts: int) -> tuple[Outcome, int, int, list[object]]:
    """The file read with the quick scan of its parts between cuts; how many times it was scanned exactly, the
    most parts joined, and what each quick scan found (None: it gave way to the exact one)."""
    scan, apart, found = csv_orders.CsvOrders._scan, quick_scan.apart, []

    def quickly(*args: object) -> object:
        scanned = apart(*args)  # type: ignore[arg-type]  # CsvOrders' own call
        found.append(None if scanned is None else (scanned.out_of_place, dict(scanned.locations), scanned.evidence))
        return scanned

    with (
        cut_at(*cuts),
        mock.patch.object(csv_orders.CsvOrders, "_scan", autospec=True, side_effect=scan) as exact,
        mock.patch.object(quick_scan, "_joined", wraps=quick_scan._joined) as joined,
        mock.patch.object(quick_scan, "apart", quickly),
        mock.patch.object(SeenIds, "BATCH", 2),  # ids looked up across parts two at a time
    ):
        outcome = read(path, True)
    return outcome, exact.call_count, max((len(call.args[0]) for call in joined.call_args_list), default=0), found


@pytest.mark.parametrize(
    "rows",
    [
        # an order fired over time, running across a cut, its lines before the cut stamped first or last; a
        # ticket stamped before one of their lines
        [("x", "11:55", "9.00"), ("a", "12:00", "9.00"), ("a", "12:30", "9.00"), ("b", "12:10", "9.00")],
        [("x", "11:55", "9.00"), ("a", "12:30", "9.00"), ("a", "12:00", "9.00"), ("b", "12:10", "9.00")],
        # two orders stamped the same; one 30 minutes before the one ahead of it (over our columns' 15)
        [("a", "12:00", "9.00"), ("b", "12:00", "9.00"), ("c", "12:40", "9.00"), ("d", "12:10", "9.00")],
        # an id met again after other orders
        [("p", "11:40", "9.00"), ("q", "11:50", "9.00"), ("a", "12:00", "9.00"), ("b", "12:10", "9.00")]
        + [("c", "12:20", "9.00"), ("d", "12:25", "9.00"), ("a", "12:30", "9.00")],
        # a decimal comma after a decimal point; rows with no order id
        [("a", "12:00", "12.50"), ("", "12:05", "1"), ("", "12:05", "1"), ("b", "12:10", "12,50")],
        # times that cannot be read, at either side of a cut
        [("a", "soon", "9.00"), ("b", "12:10", "9.00"), ("c", "later", "9.00"), ("d", "12:20", "9.00")],
    ],
)
def test_a_file_cut_anywhere_is_scanned_as_it_is_whole(tmp_path, rows):
    """The quick scan of a file cut at each of its line ends (its parts scanned apart, then joined) finds what the
    exact scan finds: an order that runs across the cut is one, the orders after the cut come after the ones
    before it (give or take our columns' 15 minutes), an id met in both parts is met again, both decimal marks
    are both. A part needs two orders (its first may have begun before it, its last go on after it): a cut that
    leaves one fewer has the file scanned whole."""
    rows = [*rows, ("z", "12:59", "8"), ("z", "12:59", "8"), ("y", "13:00", "8")]
    path = ours(tmp_path / "orders.csv", [(i, f"2026-07-18T{at}:00" if ":" in at else at, p) for i, at, p in rows])
    whole = same_both_ways(path, parts=1)
    _, exact_scans, _, found = read_cut(path)
    ends = line_ends(path)
    joined = set()
    for cuts in [*itertools.combinations(ends, 1), *itertools.combinations(ends, 2)]:
        outcome, scans, parts, found_cut = read_cut(path, *cuts)
        assert outcome[:3] == whole[:3], cuts
        assert found_cut == found, cuts  # the quick scan's own findings, or its giving way, as of the whole
        assert scans == exact_scans, cuts  # a cut costs no exact scan
        joined.add(parts)
    assert {2, 3} <= joined  # cuts between orders, each part with two or more: the parts joined


def test_a_cut_inside_a_quoted_cell_has_the_file_scanned_whole(tmp_path):
    """Names of two lines, quoted: a cut after the third one's first line leaves the part before it (two orders
    and a half) unreadable."""
    rows = [(order_id, f"2026-07-18T12:{10 * n:02d}:00", "9.00") for n, order_id in enumerate("abcde")]
    path = ours(tmp_path / "orders.csv", rows)
    text = path.read_text(encoding="utf-8").replace(",Ann,", ',"Ann\nBee",')
    path.write_text(text, encoding="utf-8")
    data = text.encode()
    inside = data.index(b"Ann\n", data.index(b"Ann\n", data.index(b"Ann\n") + 1) + 1) + 4
    with mock.patch.object(quick_scan, "_in_children", wraps=quick_scan._in_children) as spy:
        outcome, scans, _, _ = read_cut(path, inside)
    assert [len(call.args[1]) for call in spy.call_args_list] == [3, 2]  # cut in two, then whole
    assert outcome[:3] == same_both_ways(path)[:3]
    assert outcome[2][0] is None and scans == 0  # type: ignore[index]  # found in order, by the quick scan


def test_what_the_quick_scan_cannot_say_where_the_exact_scan_says(tmp_path):
    rows = [
        ("a", "2026-07-18T12:00:00", "12.50"),
        ("b", "2026-07-18T12:20:00", "12,50"),
        ("a", "2026-07-18T12:30:00", "1.00"),
    ]
    path = ours(tmp_path / "orders.csv", rows)
    kind, said, _, _ = same_both_ways(path)
    assert kind == "error" and "line 2 '12.50' and line 3 '12,50'" in str(said)
    kind, (made, _, describe), _, evidence = same_both_ways(path, decimal_comma=False)
    assert "rows sorted by order and time (out of order from line 4)" in describe
    assert all(line is not None for line, _ in evidence.values())  # the exact scan's, with its lines


def test_prices_of_both_marks_need_no_exact_scan_when_the_mark_is_given(tmp_path):
    rows = [
        ("a", "2026-07-18T12:00:00", "12.50"),
        ("b", "2026-07-18T12:20:00", "12,50"),
        ("c", "2026-07-18T12:30:00", "1.00"),
    ]
    path = ours(tmp_path / "orders.csv", rows)
    assert same_both_ways(path)[0] == "error"  # both marks, none given: the exact scan says on which lines
    for comma in (False, True):
        with mock.patch.object(csv_orders.CsvOrders, "_scan", side_effect=AssertionError("scanned exactly")):
            quick = read(path, True, decimal_comma=comma)
        assert quick[0] == "read" and quick[2] == (None, {}, {})  # in order, one place, no mark to prove
        assert quick[:3] == read(path, False, decimal_comma=comma)[:3]


@pytest.mark.parametrize(
    "broken, said",
    [
        ("c,2026-07-18T12:40:00,Ann,Walk-in,Pad Thai,1,12.50,extra\n", "line 4 has 8 fields"),
        ("c,2026-07-18T12:40:00,Ann\n", "line 4 has 3 fields"),
        ('c,2026-07-18T12:40:00,"Ann"x,Walk-in,Pad Thai,1,12.50\n', "line 4"),
    ],
)
def test_a_broken_row_ends_the_stream_where_it_is_read_the_quick_scan_or_not(tmp_path, broken, said):
    """pandas refuses a row too long (the exact scan then says where), and reads a row cut short or a stray quote
    where Python's csv module would not: its rows before the break are read, then the break ends the stream."""
    path = ours(tmp_path / "orders.csv", [("a", "2026-07-18T12:00:00", "12.50"), ("b", "2026-07-18T12:20:00", "9.00")])
    with open(path, "a", encoding="utf-8") as out:
        out.write(broken + "d,2026-07-18T12:50:00,Ann,Walk-in,Pad Thai,1,12.50\n")
    for quick in (True, False):
        with mock.patch.object(csv_orders, "QUICK_FROM", 0 if quick else 1 << 62):
            with open_orders(path) as feed:
                read_before = []
                with pytest.raises(OrdersFileError, match=said):
                    for entry in feed.entries(MENU):
                        read_before.append(entry.order_id)  # type: ignore[union-attr]
        assert read_before == ["a", "b"]


@pytest.mark.parametrize("last_row", [5, 40])
def test_a_square_export_cut_short_reads_to_its_break_the_quick_scan_or_not(tmp_path, last_row):
    """A download cut off in its last row (or one with a comma too many, mid-file) has a location the quick scan
    misreads ('' or the next column's): the file is then scanned exactly, and read up to the break."""
    sold = [Sold(f"sq-{n}", datetime(2026, 7, 18, 12, n), NEW_YORK, "Pad Thai", 1, 1400) for n in range(40)]
    path = SQUARE.write(tmp_path / "export.csv", sold)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if last_row == len(sold):
        lines[-1] = lines[-1][: lines[-1].index("Main St")]  # cut short before its location
    else:
        lines[last_row] = lines[last_row].replace("Pad Thai", "Pad, Thai")  # a comma too many
    path.write_text("".join(lines), encoding="utf-8")
    kind, said, _, _ = same_both_ways(path, kitchen_zone=NEW_YORK)
    assert kind == "error" and f"line {last_row + 1} has" in str(said)


def test_where_no_process_can_be_forked_the_quick_scan_runs_in_this_one(tmp_path, monkeypatch):
    path = ours(tmp_path / "orders.csv", [("a", "2026-07-18T12:00:00", "12,50"), ("b", "2026-07-18T12:10:00", "9,00")])

    def no_fork(method: str) -> None:
        raise ValueError(f"cannot find context for {method!r}")

    monkeypatch.setattr(quick_scan.multiprocessing, "get_context", no_fork)
    kind, _, (out_of_place, _, found), evidence = read(path, True)
    assert kind == "read" and out_of_place is None and found == {",": "12,50"}
    assert evidence == {",": (None, "12,50")}


def test_where_the_scanning_child_cannot_fork_it_scans_every_part_itself(tmp_path, monkeypatch):
    rows = [(order_id, f"2026-07-18T12:{10 * n:02d}:00", "12,50") for n, order_id in enumerate("abcdef")]
    path = ours(tmp_path / "orders.csv", rows)
    fork, parent = os.fork, os.getpid()

    def no_grandchild() -> int:
        if os.getpid() != parent:
            raise OSError("no more processes")
        return fork()

    monkeypatch.setattr(os, "fork", no_grandchild)
    outcome, scans, parts, _ = read_cut(path, line_ends(path)[3])
    assert (scans, parts) == (0, 2) and outcome[:3] == same_both_ways(path, parts=1)[:3]


def test_the_quick_scan_leaves_pandas_and_its_memory_in_its_own_process(tmp_path):
    """The simulator imports neither pandas nor the quick scan's chunks: a child process scans, and its findings
    come back (a line None: the quick scan's own)."""
    path = ours(tmp_path / "orders.csv", [("a", "2026-07-18T12:00:00", "12,50"), ("b", "2026-07-18T12:10:00", "9,00")])
    script = f"""
import sys
from simulator.feed import csv_orders, open_orders
csv_orders.QUICK_FROM = 0
with open_orders({str(path)!r}) as feed:
    assert feed.orders.scan.evidence == {{",": (None, "12,50")}}, feed.orders.scan
    assert [entry.ordered_at for entry in feed.entries({{}})] == [1784376000, 1784376600]  # no menu: rejected
assert "pandas" not in sys.modules
"""
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).parents[3])


def test_the_heap_is_given_back_where_glibc_can_and_nothing_is_asked_elsewhere(monkeypatch):
    import ctypes

    trim = quick_scan._heap_trimmer()
    if hasattr(ctypes.CDLL(None), "malloc_trim"):  # glibc: 1 when memory was given back, else 0
        assert trim() in (0, 1)
    monkeypatch.setattr(ctypes, "CDLL", mock.Mock(side_effect=OSError("no C library")))
    assert quick_scan._heap_trimmer()() is None  # a system without one: nothing to do
