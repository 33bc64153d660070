"""Turn an orders CSV of `python -m simulator.generate` into a practice point-of-sale export.

The tutorial's stand-in for the file a till or a delivery platform gives you: the generator writes our
column names, UTC times and plain prices; a real export has its own column names, local times in the
restaurant's format and prices with a currency sign. This makes one of those from the other:

    python docs/tutorial/pos_export.py INPUT.csv OUTPUT.csv [--zone America/Chicago]

Standard library only; each row of the input becomes one row of the output, in the same order.
"""

from __future__ import annotations

import argparse
import csv
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

THEIRS = ["Ticket", "Created", "Customer", "Platform", "Menu item", "Qty", "Unit price"]


def convert(source, target, zone: ZoneInfo) -> int:
    """Copy every row of `source` (our columns) to `target` (the till's); returns the rows written."""
    rows = csv.DictReader(source)
    writer = csv.writer(target)
    writer.writerow(THEIRS)
    written = 0
    for row in rows:
        moment = datetime.fromisoformat(row["ordered_at"]).replace(tzinfo=timezone.utc).astimezone(zone)
        ticket = "T-" + row["order_id"].rsplit("-", 1)[-1].lstrip("0")
        price = row["price_per_unit"] and f"${float(row['price_per_unit']):,.2f}"  # empty: an order with no items
        writer.writerow(
            [
                ticket,
                moment.strftime("%m/%d/%Y %I:%M %p"),
                row["name"],
                row["service"],
                row["item"],
                row["quantity"],
                price,
            ]
        )
        written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="an orders CSV written by python -m simulator.generate")
    parser.add_argument("output", help="the practice export to write")
    parser.add_argument("--zone", default="America/Chicago", help="the restaurant's time zone (default: %(default)s)")
    arguments = parser.parse_args()
    with (
        open(arguments.input, newline="", encoding="utf-8") as source,
        open(arguments.output, "w", newline="", encoding="utf-8") as target,
    ):
        written = convert(source, target, ZoneInfo(arguments.zone))
    print(f"wrote {written} rows to {arguments.output}")


if __name__ == "__main__":
    main()
