"""`python -m simulator.generate`: make a realistic menu and order stream, the same for the same seed.

The stream covers whole days of one kitchen: three delivery services with different shares, a demand
curve with breakfast, lunch and dinner peaks in the kitchen's local time and a quiet night, 1-5 item
lines per order with popular and unpopular dishes, a few orders with no items, and a few that arrive a
little out of timestamp order, as real feeds do. Timestamps are written as naive UTC.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import os
import random
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO, TypeVar

import pytz
from faker import Faker

from common.settings import COLUMNS, settings_or_exit
from simulator import cli
from simulator.requests import GenerateRequest

PREPARATIONS = ["Grilled", "Spicy", "Crispy", "Smoked", "Teriyaki", "Garlic", "Lemon", "BBQ", "Tandoori", "Pesto"]
BASES = [
    "Chicken Bowl",
    "Beef Burrito",
    "Tofu Salad",
    "Salmon Poke",
    "Pork Ramen",
    "Veggie Wrap",
    "Shrimp Tacos",
    "Lamb Kebab",
    "Mushroom Pizza",
    "Falafel Plate",
]
SERVICES = {"TastyBites": 0.5, "FoodFlash": 0.3, "QuickEats": 0.2}
LINES_PER_ORDER = {1: 0.30, 2: 0.30, 3: 0.20, 4: 0.12, 5: 0.08}
QUANTITY = {1: 0.75, 2: 0.18, 3: 0.07}
# Demand by local time of day: (peak hour, spread in hours, relative height), over a quiet base.
MEAL_PEAKS = [(8.0, 1.0, 3.0), (12.5, 1.2, 8.0), (19.0, 1.5, 7.0)]
NIGHT_BASE = 0.25
EMPTY_ORDER_SHARE = 0.003
LATE_ORDER_SHARE = 0.005
LOCALES = ["en_US", "en_US", "en_US", "es_MX", "fr_FR", "de_DE"]


def make_menu(rng: random.Random) -> list[dict]:
    """100 dishes with cook times of 4-15 minutes in whole seconds, and a price for each (cents)."""
    return [
        {
            "name": f"{preparation} {base}",
            "cook_time": rng.randrange(240, 901, 15),
            "price": rng.randrange(600, 2401, 25),
        }
        for preparation in PREPARATIONS
        for base in BASES
    ]


def demand_by_minute() -> list[float]:
    """Relative order intensity for each minute of a local day."""

    def height(hour: float) -> float:
        return NIGHT_BASE + sum(h * math.exp(-0.5 * ((hour - peak) / spread) ** 2) for peak, spread, h in MEAL_PEAKS)

    # A quiet night: demand falls off after midnight and picks up again at five.
    return [height(m / 60) * (0.3 if 60 <= m < 300 else 1.0) for m in range(1440)]


def generate(
    seed: int, first_day: date, days: int, orders_per_day: int, zone: str, stream_seed: int | None = None
) -> tuple[list[dict], Iterator[dict]]:
    """The menu, and the orders as a stream: one day is held in memory at a time.

    `seed` makes the menu, the dishes' popularity and the stream; a `stream_seed` makes another stream
    for the same menu and popularity (replications of one kitchen).
    """
    rng = random.Random(seed)
    menu = make_menu(rng)
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(menu))]
    rng.shuffle(popularity)
    if stream_seed is not None:
        rng = random.Random(stream_seed)
    fake = Faker(LOCALES)
    fake.seed_instance(seed if stream_seed is None else stream_seed)
    return [{"name": d["name"], "cook_time": d["cook_time"]} for d in menu], _orders(
        rng, fake, menu, popularity, first_day, days, orders_per_day, pytz.timezone(zone)
    )


def _orders(
    rng: random.Random,
    fake: Faker,
    menu: list[dict],
    popularity: list[float],
    first_day: date,
    days: int,
    orders_per_day: int,
    tz: pytz.BaseTzInfo,
) -> Iterator[dict]:
    minutes, weights = range(1440), demand_by_minute()
    for day in range(days):
        midnight = datetime.combine(first_day + timedelta(days=day), time())
        count = max(0, round(rng.gauss(orders_per_day, orders_per_day**0.5)))
        moments = sorted(
            tz.normalize(tz.localize(midnight + timedelta(minutes=minute, seconds=rng.randrange(60)), is_dst=False))
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
            for minute in rng.choices(minutes, weights, k=count)
        )
        for moment in moments:
            if rng.random() < LATE_ORDER_SHARE:  # sent late by the delivery service: stamped a little earlier
                moment -= timedelta(minutes=rng.randint(1, 5))
            lines = (
                []
                if rng.random() < EMPTY_ORDER_SHARE
                else [
                    _line(menu[rng.choices(range(len(menu)), popularity)[0]], rng)
                    for _ in range(_pick(LINES_PER_ORDER, rng))
                ]
            )
            yield {
                "name": fake.name(),
                "service": _pick(SERVICES, rng),
                "ordered_at": moment.isoformat(),
                "items": lines,
            }


def _line(dish: dict, rng: random.Random) -> dict:
    return {"name": dish["name"], "quantity": _pick(QUANTITY, rng), "price_per_unit": dish["price"]}


Choice = TypeVar("Choice")


def _pick(shares: dict[Choice, float], rng: random.Random) -> Choice:
    return rng.choices(list(shares), list(shares.values()))[0]


def write_json_list(path: Path, entries: Iterable[dict]) -> int:
    """One entry per line: small, diffable, and still one JSON list. Returns the count."""
    return _write_in_place(path, lambda out: _json_list(out, entries))


def _json_list(out: TextIO, entries: Iterable[dict]) -> int:
    count = 0
    out.write("[")
    for count, entry in enumerate(entries, start=1):
        out.write(",\n" if count > 1 else "\n")
        out.write(json.dumps(entry, ensure_ascii=False))
    out.write("\n]\n")
    return count


def _json_lines(out: TextIO, orders: Iterable[dict]) -> int:
    count = 0
    for order in orders:
        out.write(json.dumps(order, ensure_ascii=False) + "\n")
        count += 1
    return count


def _csv_rows(out: TextIO, orders: Iterable[dict]) -> int:
    """One row per order line, with our column names and prices in dollars, as a point-of-sale export."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for count, order in enumerate(orders, start=1):
        head = [f"ORD-{count:07}", order["ordered_at"], order["name"], order["service"]]
        for line in order["items"] or [{"name": "", "quantity": "", "price_per_unit": None}]:
            price = "" if line["price_per_unit"] is None else f"{line['price_per_unit'] / 100:.2f}"
            writer.writerow(head + [line["name"], line["quantity"], price])
    return count


WRITERS = {"json": _json_list, "jsonl": _json_lines, "csv": _csv_rows}


def _write_in_place(path: Path, write: Callable[[TextIO], int]) -> int:
    """Write to a temporary file beside `path`, then rename it into place: `path` is never left half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as out:
            count = write(out)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return count


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("simulator.generate")
    return write_data(cli.generate_request(argv, settings, __doc__))


def write_data(request: GenerateRequest) -> int:
    """Write the menu and the orders the request asks for; 1 when a file cannot be written."""
    menu, orders = generate(request.seed, request.first_day, request.days, request.orders_per_day, request.zone)
    try:
        count = _write_in_place(
            request.orders, lambda out: WRITERS[request.format](out, itertools.islice(orders, request.max_orders))
        )
        write_json_list(request.menu, menu)
    except OSError as error:
        print(f"simulator.generate: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {len(menu)} dishes to {request.menu} and {count} orders to {request.orders}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
