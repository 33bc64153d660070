"""Every shape of orders file side by side (issue #26): the same orders as the generator's JSON list an order a
line, as JSON Lines, as a JSON list on one line (what json.dump writes), as one indented (indent=2), as our CSV
and as a Square items export, each replayed by a whole simulator process at full speed with the SQLite store,
in turn with the textbook SimPy model (bench/textbook.py) on the JSON. Each is timed against the JSON an order
a line and the textbook model, run in the same rounds; and the peak memory of the simulator and its writer
together must not grow with the file. A layout the feed read whole would show here in memory first, one it read
in quadratic time (the one-line list did, before FIRST_LINE in simulator/feed/json_orders.py) in time."""

from __future__ import annotations

import csv
import hashlib
import heapq
import json
import statistics
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

import orjson

from bench import workload
from bench.measure import Result, run_for_peak_memory
from bench.simulator_bench import textbook_command
from common.settings import load_settings
from simulator.feed.zone_names import RAILS_ZONES
from simulator.generate import WRITERS

BENCHMARK = "input formats (--speed max)"
GROWTH = "input formats: memory growth"
TEXTBOOK_RATIO_TARGET = 0.7
TEXTBOOK_FROM = 100_000
"""The smallest stream the textbook target is judged on: below it, the simulator's start-up (imports, the
database, its writer process) is a good part of its time, and the textbook model has none of it."""
GROWTH_TARGET_MB = 10
IDS_BYTES = 8
"""What the set of order ids seen keeps of each order, its 64-bit key (simulator/feed/seen_ids.py; the CSVs' quick
scan keeps the same keys): the issue's stated exception to flat memory, taken off the growth its target judges in
the formats that keep it (Format.keeps_ids)."""
ONE_ROUND_FROM = 1_000_000
"""Streams this long are replayed once in each format: a round of seven processes over a million orders takes
a quarter of an hour (the CSVs are the slowest, at some 2.5 minutes each)."""
MB = 1e6 / 2**20
"""A megabyte (the issue's targets) in MiB (what is measured)."""

Writer = Callable[[TextIO, Iterable[dict]], object]


@dataclass(frozen=True)
class Format:
    """One shape of the stream's file, and the issue's targets for it."""

    title: str
    file: str
    """Its file's name in bench/.work, with the stream's {size}."""
    write: Writer | None
    """Writes the orders in this shape; None: the generated stream itself."""
    json_ratio: float | None = None
    """Target: its wall time at most this many times the JSON an order a line's."""
    peak_mb: float | None = None
    """Target: its peak memory under this many MB (10^6 bytes)."""
    keeps_ids: bool = False
    """Whether its reading keeps the set of order ids seen (a CSV's orders are told apart by their ids)."""


def one_line(out: TextIO, orders: Iterable[dict]) -> None:
    """A JSON list on one line, as json.dump writes it: the layout the feed once read in quadratic time."""
    out.write("[")
    for count, order in enumerate(orders):
        out.write(", " if count else "")
        out.write(json.dumps(order))
    out.write("]")


def indented(out: TextIO, orders: Iterable[dict]) -> None:
    """A JSON list as json.dump(indent=2) writes it: an order over several lines, each read by ijson."""
    count = 0
    out.write("[")
    for count, order in enumerate(orders, start=1):
        out.write(",\n" if count > 1 else "\n")
        out.write(textwrap.indent(json.dumps(order, indent=2), "  "))
    out.write("\n]" if count else "]")


SQUARE_HEADER = (
    "Date,Time,Time Zone,Category,Item,Qty,Price Point Name,SKU,Modifiers Applied,Gross Sales,Discounts,Net Sales,"
    "Tax,Transaction ID,Payment ID,Device Name,Notes,Details,Event Type,Location,Dining Option,Customer ID,"
    "Customer Name"
).split(",")
TAX_RATE = 0.0875
LATE = timedelta(minutes=15)
"""Longer than any generated order is late (stamped before one ahead of it: up to 5 minutes,
simulator/generate.py): Square's rows are in time order, so an order is held this long for one stamped earlier."""


def square(zone: str) -> Writer:
    """Writes a Square items export of the orders, in `zone`: a row an item line, in time order, with its local
    date and time, the zone's display name, the quantity as Square writes it ('2.0') and the line's amount
    ('$18.00'); an order with no items has no row, as Square sells none."""
    local = ZoneInfo(zone)
    shown = next((name for name, iana in RAILS_ZONES.items() if iana == zone), zone)  # else the IANA name, read too

    def write(out: TextIO, orders: Iterable[dict]) -> None:
        rows = csv.writer(out)
        rows.writerow(SQUARE_HEADER)
        for position, order in _in_time_order(orders):
            if not order["items"]:
                continue
            at = datetime.fromisoformat(order["ordered_at"]).replace(tzinfo=timezone.utc).astimezone(local)
            day, time = at.strftime("%Y-%m-%d"), at.strftime("%H:%M:%S")
            transaction, payment = _square_id(f"transaction {position}"), _square_id(f"payment {position}")
            customer = _square_id(f"customer {order['name']}")
            for line in order["items"]:
                amount = line["quantity"] * line["price_per_unit"]
                rows.writerow(
                    [
                        day,
                        time,
                        shown,
                        line["name"].split(" ", 1)[-1],  # the dish's base, 'Chicken Bowl', as its category
                        line["name"],
                        f"{line['quantity']:.1f}",
                        "Regular",
                        "",
                        "",
                        _dollars(amount),
                        "$0.00",
                        _dollars(amount),
                        _dollars(round(amount * TAX_RATE)),
                        transaction,
                        payment,
                        "Kitchen iPad",
                        "",
                        "",
                        "Payment",
                        "Main St",
                        order["service"],
                        customer,
                        order["name"],
                    ]
                )

    return write


def _in_time_order(orders: Iterable[dict]) -> Iterator[tuple[int, dict]]:
    """The orders with their positions, in time order; raises if one is later than LATE says (see _held)."""
    last: datetime | None = None
    for at, position, order in _held(orders):
        if last is not None and at < last:
            raise ValueError(f"order {position} is more than {LATE} late: the Square export would be out of order")
        last = at
        yield position, order


def _held(orders: Iterable[dict]) -> Iterator[tuple[datetime, int, dict]]:
    """(time, position, order), each order held until one LATE after it has come: few are held at once."""
    waiting: list[tuple[datetime, int, dict]] = []
    for position, order in enumerate(orders, start=1):
        at = datetime.fromisoformat(order["ordered_at"])
        heapq.heappush(waiting, (at, position, order))
        while waiting[0][0] < at - LATE:
            yield heapq.heappop(waiting)
    while waiting:
        yield heapq.heappop(waiting)


def _square_id(key: str) -> str:
    """An id of Square's length, the same for the same key."""
    return hashlib.blake2b(key.encode(), digest_size=13).hexdigest()


def _dollars(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def _square_in_kitchen_zone(out: TextIO, orders: Iterable[dict]) -> None:
    """In the kitchen's zone (KITCHEN_TIMEZONE), the zone the stream was generated in and is replayed in."""
    square(load_settings().timezone)(out, orders)


JSON = Format("JSON, an order a line", "orders-{size}.json", None)
FORMATS = (
    JSON,
    Format("JSON Lines", "orders-{size}.jsonl", WRITERS["jsonl"]),
    Format("JSON on one line", "orders-{size}-one-line.json", one_line, json_ratio=1.2, peak_mb=100),
    Format("JSON indented", "orders-{size}-indented.json", indented),
    Format("our CSV", "orders-{size}.csv", WRITERS["csv"], json_ratio=1.3, keeps_ids=True),
    Format("Square export", "items-{size}.csv", _square_in_kitchen_zone, json_ratio=1.3, keeps_ids=True),
)


def orders_of(stream: Path) -> Iterator[dict]:
    """The orders of a generated stream, one at a time (it is written an element a line, generate.write_json_list)."""
    with open(stream, "rb") as lines:
        for line in lines:
            text = line.strip().removesuffix(b",")
            if text not in (b"[", b"]", b""):
                yield orjson.loads(text)


def write_file(form: Format, stream: Path, path: Path) -> Path:
    """The stream's orders in this format at `path`, written beside it and renamed into place."""
    assert form.write is not None
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "w", encoding="utf-8", newline="") as out:
        form.write(out, orders_of(stream))
    partial.replace(path)
    return path


def file_for(form: Format, size: int) -> Path:
    """The stream of `size` orders in this format, written once and kept in bench/.work, as workload's are."""
    stream = workload.stream(size)
    if form.write is None:
        return stream
    path = workload.WORK / form.file.format(size=size)
    return path if path.exists() else write_file(form, stream, path)


@dataclass(frozen=True)
class Replay:
    """One process's run: its wall seconds and peak memory (MiB)."""

    wall: float
    peak: float


@dataclass(frozen=True)
class Round:
    """The textbook model on the JSON, then the simulator on each format; where `paired`, each format's own run of
    the JSON just before it, against which its ratio is taken (a single round of a million orders lasts ten
    minutes: a machine whose speed drifts meanwhile would tilt ratios taken against one JSON run)."""

    textbook: Replay
    runs: dict[Format, Replay]
    partners: dict[Format, Replay]

    def json_for(self, form: Format) -> Replay:
        """The JSON run a format's ratio is taken against."""
        return self.partners.get(form, self.runs[JSON])

    def to_json(self, form: Format) -> float:
        return self.runs[form].wall / self.json_for(form).wall


def one_round(files: dict[Format, Path], paired: bool = False) -> Round:
    """The textbook model on the JSON, then the simulator on each format in turn (see Round)."""
    db = workload.WORK / "formats.db"

    def replay(path: Path) -> Replay:
        return Replay(*run_for_peak_memory(workload.simulator_command(path, workload.fresh(db))))

    textbook = Replay(*run_for_peak_memory(textbook_command(files[JSON])))
    runs, partners = {}, {}
    for form, path in files.items():
        if paired and form is not JSON:
            partners[form] = replay(files[JSON])
        runs[form] = replay(path)
    return Round(textbook, runs, partners)


def side_by_side(sizes: list[int], repeat: int) -> list[Result]:
    """Each format at each size (medians of `repeat` rounds; one from ONE_ROUND_FROM orders, each format's ratio
    taken against a JSON run just before it; ratios are the medians of each round's), then each one's memory
    growth between the two largest sizes."""
    run_for_peak_memory(textbook_command(workload.stream(min(sizes))))  # warm up: imports, the page cache
    results, peaks = [], {}
    for size in sizes:
        files = {form: file_for(form, size) for form in FORMATS}
        large = size >= ONE_ROUND_FROM
        rounds = [one_round(files, paired=large) for _ in range(1 if large else repeat)]
        textbook = statistics.median(one.textbook.wall for one in rounds)
        textbook_peak = max(one.textbook.peak for one in rounds)
        for form in FORMATS:
            wall = statistics.median(one.runs[form].wall for one in rounds)
            peak = peaks[form, size] = max(one.runs[form].peak for one in rounds)
            to_json = statistics.median(one.to_json(form) for one in rounds)
            to_textbook = statistics.median(one.runs[form].wall / one.textbook.wall for one in rounds)
            targets, met = _targets(form, size, to_json, to_textbook, peak)
            results.append(
                Result(
                    BENCHMARK,
                    f"{form.title}, {size:,} orders, {len(rounds)} run{'s' if len(rounds) > 1 else ''}",
                    f"{wall:.2f} s, {size / wall:,.0f} orders/s, {peak:.0f} MiB",
                    (
                        f"textbook model {textbook:.2f} s, {textbook_peak:.0f} MiB"
                        if form is JSON
                        else f"JSON an order a line {_json_beside(rounds, form):.2f} s"
                    ),
                    f"{to_json:.2f}x JSON, {to_textbook:.2f}x textbook",
                    targets,
                    met,
                )
            )
    if len(sizes) > 1:
        smaller, larger = sorted(sizes)[-2:]
        for form in FORMATS:
            grew = peaks[form, larger] - peaks[form, smaller]
            ids = (larger - smaller) * IDS_BYTES / 2**20 if form.keeps_ids else 0.0
            results.append(
                Result(
                    GROWTH,
                    f"{form.title}, {smaller:,} -> {larger:,} orders",
                    f"{grew:+.1f} MiB, to {peaks[form, larger]:.0f} MiB"
                    + (f"; {grew - ids:+.1f} MiB beside the ids seen" if ids else ""),
                    f"{peaks[form, smaller]:.0f} MiB at {smaller:,}"
                    + (f"; the ids seen {ids:+.1f} MiB" if ids else ""),
                    f"{peaks[form, larger] / peaks[form, smaller]:.2f}",
                    f"< {GROWTH_TARGET_MB} MB ({GROWTH_TARGET_MB * MB:.1f} MiB)"
                    + (" beside the ids seen" if ids else ""),
                    grew - ids < GROWTH_TARGET_MB * MB,
                )
            )
    return results


def _json_beside(rounds: list[Round], form: Format) -> float:
    """The JSON's wall time its ratio was taken against: its own runs, where paired (the median of them)."""
    return statistics.median(one.json_for(form).wall for one in rounds)


def _targets(form: Format, size: int, to_json: float, to_textbook: float, peak: float) -> tuple[str, bool | None]:
    """The issue's targets for this format at this size, as the target column says them, and whether all are met."""
    said, met = [], []
    if form.json_ratio is not None:
        said.append(f"<= {form.json_ratio}x JSON")
        met.append(to_json <= form.json_ratio)
    if form.peak_mb is not None:
        said.append(f"< {form.peak_mb} MB")
        met.append(peak < form.peak_mb * MB)
    if form is JSON and size >= TEXTBOOK_FROM:
        said.append(f"<= {TEXTBOOK_RATIO_TARGET}x textbook")
        met.append(to_textbook <= TEXTBOOK_RATIO_TARGET)
    return (", ".join(said), all(met)) if said else ("-", None)
