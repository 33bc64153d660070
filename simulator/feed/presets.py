"""The item-level exports of the largest restaurant point-of-sale systems, read with no mapping: `--preset NAME`,
or found from the header when no --columns is given.

Each is a Shape (simulator/feed/layout.py): where its fields are, by the headers its documentation gives (matched
whatever their case and punctuation; alternatives after a |), and how its times and lines go:

- **Square**, Items detail (`items-*.csv`): the order is `Transaction ID`; the time is `Date` + `Time` in the zone
  of `Time Zone` ('Eastern Time (US & Canada)'); a unit's price is `Gross Sales` over `Qty`; rows whose
  `Event Type` is Refund are money going back, left out (the sale they refund stays).
- **Toast**, `ItemSelectionDetails.csv`: the order is `Order Id` (kept as text: 19 digits); the kitchen receives
  a line when it is fired, `Sent Date`, else `Order Date`, like '10/8/26 5:18 PM' in the kitchen's local time
  (--orders-timezone, else the kitchen's zone); a unit's price is `Gross Price` over `Qty`; lines with `Void?`
  true were never fired, left out.
- **Clover**, line items: the order is `Order ID`; the time is `Line Item Date`, like '23-Aug-2026 09:34 PM EDT';
  one row is one unit, priced `Item Revenue`; rows with a `Service Charge` are not food. A line flagged
  `Refunded` is a sale refunded afterwards: it was cooked, and stays.

Modifiers stay in their item's row (Square's `Modifiers Applied`, Clover's `Modifiers`): an item with its
modifiers is one dish of the menu.
"""

from __future__ import annotations

from simulator.feed.layout import OURS, Shape
from simulator.orders import OrdersFileError

SQUARE = Shape(
    "square",
    "a Square items export",
    {
        "order_id": "Transaction ID",
        "ordered_at": "Date+Time",
        "zone": "Time Zone",
        "item": "Item",
        "quantity": "Qty|Quantity",
        "amount": "Gross Sales",
        "name": "Customer Name",
        "service": "Dining Option",
        "location": "Location",
        "category": "Category",
        "refund": "Event Type",
    },
    local_times=True,
    strict_rows=False,
)
TOAST = Shape(
    "toast",
    "a Toast item selection export",
    {
        "order_id": "Order Id",
        "ordered_at": "Sent Date|Order Date",
        "item": "Menu Item",
        "quantity": "Qty|Quantity",
        "amount": "Gross Price",
        "service": "Dining Option",
        "location": "Location",
        "category": "Sales Category|Menu Group",
        "voided": "Void?|Voided",
    },
    time_formats=(
        "%m/%d/%y %I:%M %p",
        "%m/%d/%Y %I:%M %p",
        "%m/%d/%y %I:%M:%S %p",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M",  # some accounts write 24-hour times
        "%m/%d/%y %H:%M",
    ),
    local_times=True,
    strict_rows=False,
)
CLOVER = Shape(
    "clover",
    "a Clover line items export",
    {
        "order_id": "Order ID",
        "ordered_at": "Line Item Date",
        "item": "Item Name",
        "amount": "Item Revenue",
        "category": "Category|Item Category",
        "fee": "Service Charge",
    },
    time_formats=("%d-%b-%Y %I:%M %p", "%d-%b-%Y %I:%M:%S %p", "%d-%b-%Y %H:%M"),
    local_times=True,
    unit_per_row=True,
    strict_rows=False,
)
PRESETS = {shape.name: shape for shape in (SQUARE, TOAST, CLOVER)}
NEARLY = 2
"""A header that lacks at most this many of a preset's columns is said to be nearly that export (renamed
columns), and what it lacks is named."""


def with_columns(columns: dict[str, str]) -> Shape:
    """Our own columns, renamed by --columns (ORDERS_COLUMNS); a line's `amount` takes the place of price_per_unit."""
    renamed = {**OURS.columns, **columns}
    if "amount" in columns and "price_per_unit" not in columns:
        del renamed["price_per_unit"]
    return Shape("columns", "your columns (--columns)", renamed)


def detect(header: list[str], name: str) -> Shape:
    """The shape of a header given no mapping: ours when it has our columns, else the one preset it fits whole.

    A header that fits no preset, or more than one, is not guessed: the error says what each lacks."""
    if not OURS.missing(header):
        return OURS
    fitting = [shape for shape in PRESETS.values() if not shape.missing(header)]
    if len(fitting) == 1:
        return fitting[0]
    if fitting:
        raise OrdersFileError(
            f"{name}: the header fits {' and '.join(shape.title for shape in fitting)}: give --preset"
            f" {'|'.join(shape.name for shape in fitting)}"
        )
    shown = ", ".join(map(repr, header[:12])) + (", ..." if len(header) > 12 else "")
    said = f"{name}: the CSV header has no column {', '.join(OURS.missing(header))}; it has {shown}."
    if len(header) == 1 and any(mark in header[0] for mark in ";\t|"):
        said += " It is one column: are its fields separated by another character (--delimiter)?"
    nearest = min(PRESETS.values(), key=lambda shape: len(shape.missing(header)))
    if len(nearest.missing(header)) <= NEARLY:
        said += f" It is nearly {nearest.title}, which would have {', '.join(nearest.missing(header))}."
    raise OrdersFileError(
        f"{said} Name the columns with --columns, like --columns ordered_at=Created,item=Product, or give"
        f" --preset {'|'.join(PRESETS)} for a point-of-sale export"
    )
