"""How an orders file is to be read: its format, the CSV's columns and prices, how timestamps read."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from simulator.orders import OrdersFileError, Reading

FORMATS = ("json", "jsonl", "csv")
EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
OPTIONAL_COLUMNS = ("name", "service")
"""A CSV without a customer or a service column reads them as empty."""
PRICE_UNITS = ("dollars", "cents")
STDIN = "-"


@dataclass(frozen=True)
class FeedOptions:
    format: str | None = None
    """json, jsonl or csv; None: from the file's extension."""
    columns: dict[str, str] = field(default_factory=dict)
    """Our column name -> the header of the user's CSV that holds it."""
    reading: Reading = Reading()
    price_unit: str = "dollars"
    """How a CSV writes prices: 'dollars' (an amount of the currency's main unit) or 'cents'."""

    def header_of(self, column: str) -> str:
        return self.columns.get(column, column)

    def to_json(self) -> str:
        """As a run keeps it (runs.reading), so that a resumed run reads its file as the run first did."""
        reading = {"timezone": self.reading.timezone, "time_format": self.reading.time_format}
        return json.dumps(
            {"format": self.format, "columns": self.columns, "reading": reading, "price_unit": self.price_unit}
        )

    @classmethod
    def from_json(cls, text: str) -> FeedOptions:
        kept = json.loads(text)
        return cls(kept["format"], kept["columns"], Reading(**kept["reading"]), kept["price_unit"])


def format_of(path: Path | str, options: FeedOptions) -> str:
    if options.format is not None:
        return options.format
    if str(path) == STDIN:
        raise OrdersFileError("reading orders from standard input needs --orders-format json, jsonl or csv")
    found = EXTENSIONS.get(Path(path).suffix.lower())
    if found is None:
        raise OrdersFileError(
            f"{path}: cannot tell the format from the extension {Path(path).suffix!r};"
            " use .json, .jsonl, .ndjson or .csv, or give --orders-format json|jsonl|csv"
        )
    return found
