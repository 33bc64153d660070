"""`python -m simulator.check`: read an orders file once and say what the simulator would do with it.

Orders, item lines and units; the orders it would reject, counted by reason with the first positions;
orders with no items; orders stamped before the one ahead of them; the time span and the orders per hour
of the day in the kitchen's local time (--timezone), with a word when the orders' zone is another; the
dishes that are not on the menu; and, when nearly all of its first orders would be rejected, that the simulator
would not run it (simulator/run.py `first_look`, the same judgement). Exit status: 0 when nothing would be
rejected, 1 when something would, 2 when the file (or the menu) cannot be read.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from common.localtime import LocalClock
from common.settings import settings_or_exit
from simulator import cli, feed
from simulator.feed.layout import said_left_out
from simulator.menu import Dish, MenuError, load_menu
from simulator.menu_draft import write_draft
from simulator.orders import EmptyOrder, FeedEntry, Order, OrdersFileError, Rejected
from simulator.requests import CheckRequest
from simulator.run import first_look

FIRST_POSITIONS = 5  # positions shown per reason
BAR_WIDTH = 40


@dataclass
class Findings:
    orders: int = 0
    lines: int = 0
    units: int = 0
    empty: int = 0
    late: int = 0
    """Orders stamped before the order ahead of them (received when they are read)."""
    first: int | None = None
    last: int | None = None
    by_hour: Counter[int] = field(default_factory=Counter)
    rejected: dict[str, list[int]] = field(default_factory=dict)
    """Kind of rejection -> positions."""
    first_reason: dict[str, str] = field(default_factory=dict)
    unknown_dishes: Counter[str] = field(default_factory=Counter)
    left_out: Counter[str] = field(default_factory=Counter)
    """Lines read and left out, by reason (a CSV export's voided lines, refunds, fees, other locations)."""
    read_as: list[str] = field(default_factory=list)
    """How the file was read, where that is not the plain default (a preset, a decimal comma, ...)."""
    error: str | None = None
    """Why the file could not be read to its end."""

    @property
    def rejections(self) -> int:
        return sum(len(p) for p in self.rejected.values())


def examine(
    entries: Iterable[FeedEntry],
    menu: dict[str, Dish],
    clock: LocalClock,
    item_column: str,
    progress: Callable[[], None] | None = None,
) -> Findings:
    found, previous = Findings(), None
    try:
        for entry in entries:
            if progress is not None:
                progress()
            if entry.ordered_at is not None:
                if previous is not None and entry.ordered_at < previous:
                    found.late += 1
                previous = entry.ordered_at if previous is None else max(previous, entry.ordered_at)
                found.first = entry.ordered_at if found.first is None else min(found.first, entry.ordered_at)
                found.last = entry.ordered_at if found.last is None else max(found.last, entry.ordered_at)
            if isinstance(entry, Order):
                found.orders += 1
                found.lines += len(entry.lines)
                found.units += sum(line.quantity for line in entry.lines)
                found.by_hour[clock.hour_of(entry.ordered_at)[1]] += 1
            elif isinstance(entry, EmptyOrder):
                found.empty += 1
            else:
                found.rejected.setdefault(entry.kind, []).append(entry.position)
                found.first_reason.setdefault(entry.kind, f"order {entry.position}: {entry.reason}")
                for dish in _dishes(entry, item_column):
                    if dish not in menu:
                        found.unknown_dishes[dish] += 1
    except OrdersFileError as error:
        found.error = str(error)
    return found


def _dishes(rejection: Rejected, item_column: str) -> list[str]:
    """The dish names in a rejected order, as the file wrote them (JSON's items, or the CSV's rows)."""
    try:
        raw = json.loads(rejection.raw)
    except ValueError:
        return []
    if not isinstance(raw, dict):
        return []
    lines = raw.get("items")
    if isinstance(lines, list):
        return [line["name"] for line in lines if isinstance(line, dict) and isinstance(line.get("name"), str)]
    rows = raw.get("rows")
    if not isinstance(rows, list):
        return []
    return [row[item_column].strip() for row in rows if isinstance(row, dict) and (row.get(item_column) or "").strip()]


def zones_note(orders_zone: str | None, clock: LocalClock) -> str | None:
    """When the orders' zone is not the kitchen's, which does what: setting one and expecting the other is
    the usual mistake (a Chicago export read with --orders-timezone only is counted in the kitchen's hours)."""
    read_in = orders_zone or "UTC"
    if read_in == clock.name:
        return None
    return (
        f"  time zones differ: timestamps without an offset are read in {read_in} (--orders-timezone);"
        f" local days and hours are counted in {clock.name} (--timezone); a file whose timestamps carry"
        f" their own offset is not affected by the first"
    )


def report(found: Findings, name: str, kind: str, clock: LocalClock, orders_zone: str | None = None) -> str:
    """What `found` holds, times in `clock`'s zone; `orders_zone` is the zone naive timestamps were read in (None:
    UTC)."""
    lines = [
        f"{name} ({kind}): {found.orders:,} orders the kitchen would cook, {found.lines:,} item lines,"
        f" {found.units:,} units"
    ]
    if found.read_as:
        lines.append(f"  {'; '.join(found.read_as)}")
    if found.left_out:
        lines.append(f"  lines left out, not food to cook here: {said_left_out(found.left_out)}")
    if found.rejected:
        lines.append(f"  rejected: {found.rejections:,} orders")
        for kind_, positions in sorted(found.rejected.items(), key=lambda kv: -len(kv[1])):
            shown = ", ".join(map(str, positions[:FIRST_POSITIONS])) + (
                ", ..." if len(positions) > FIRST_POSITIONS else ""
            )
            lines.append(f"    {kind_}: {len(positions):,} (orders {shown}); the first: {found.first_reason[kind_]}")
    else:
        lines.append("  rejected: none")
    lines.append(f"  with no items (discarded): {found.empty:,}")
    lines.append(f"  stamped before the order ahead of them (received when read): {found.late:,}")
    note = zones_note(orders_zone, clock)
    if note:
        lines.append(note)
    if found.first is not None and found.last is not None:  # both, or neither
        lines.append(
            f"  time span: {clock.label(found.first)} to {clock.label(found.last)}"
            f" ({(found.last - found.first) / 86400:,.1f} days)"
        )
    if found.by_hour:
        top = max(found.by_hour.values())
        lines.append(f"  orders by hour of the day ({clock.name}):")
        for hour in range(24):
            count = found.by_hour.get(hour, 0)
            lines.append(f"    {hour:02} {'█' * round(BAR_WIDTH * count / top):<{BAR_WIDTH}} {count:,}")
    if found.unknown_dishes:
        shown = ", ".join(f"{dish!r} ({count:,} lines)" for dish, count in found.unknown_dishes.most_common(20))
        more = len(found.unknown_dishes) - 20
        lines.append(f"  dishes not on the menu: {shown}" + (f" and {more:,} more" if more > 0 else ""))
    if found.error:
        lines.append(f"  the file cannot be read on: {found.error}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("simulator.check")
    return check(cli.check_request(argv, settings, __doc__))


def check(request: CheckRequest) -> int:
    """Read the file, print what was found; the exit status (see the module's docstring)."""
    given = request.orders
    options = given.feed
    clock = LocalClock(given.zone)
    try:
        menu = _menu(request)
        source = feed.open_orders(given.path, options)
        draft = None
        if request.write_menu is not None:
            draft = write_draft(request.write_menu, source.sold(), menu, request.default_cook_times)
    except (MenuError, OrdersFileError, OSError) as error:
        print(f"simulator.check: {error}", file=sys.stderr)
        return 2
    if draft is not None:
        print(draft.said())
    size = None if str(given.path) == feed.STDIN else Path(given.path).stat().st_size
    with source, tqdm(total=size, unit="B", unit_scale=True, desc="reading", disable=None, leave=False) as bar:
        entries_read = itertools.count(1)

        def progress() -> None:
            if size and next(entries_read) % 2048 == 0:
                bar.update(source.stream.tell() - bar.n)

        refused, entries = first_look(source.entries(menu))
        found = examine(entries, menu, clock, source.item_header, progress)
        found.left_out, found.read_as = source.left_out, source.describe()
    print(report(found, source.name, source.kind, clock, source.naive_zone))
    if found.error:
        return 2
    if refused is not None:
        print(f"The simulator would not run it: {refused} (exit 1).")
        return 1
    if found.rejected:
        print(f"The simulator would reject {found.rejections:,} orders (exit 1).")
        return 1
    print("The simulator would take every order (exit 0).")
    return 0


def _menu(request: CheckRequest) -> dict[str, Dish]:
    """The menu orders are checked against; none yet, when a menu is being drafted from the export."""
    if request.write_menu is not None and not Path(request.orders.menu).exists():
        return {}
    return load_menu(request.orders.menu)


if __name__ == "__main__":
    sys.exit(main())
