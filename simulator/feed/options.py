"""How an orders file is to be read: its format, the CSV's columns, preset, location and prices, how timestamps
read."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from simulator.orders import OrdersFileError, Reading

FORMATS = ("json", "jsonl", "csv")
EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
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
    preset: str | None = None
    """A point-of-sale export's layout by name (simulator/feed/presets.py); None: --columns, else found from the
    header."""
    location: str | None = None
    """The one location kept from an export of several."""
    decimal_comma: bool | None = None
    """Whether a CSV's prices write a decimal comma ('13,50'); None: found from the file's prices."""
    delimiter: str | None = None
    """A CSV's delimiter; None: found from its header line."""
    kitchen_zone: str | None = None
    """The kitchen's zone: an export's local times are read in it when `reading` names no zone."""

    def to_json(self) -> str:
        """As a run keeps it (runs.reading), so that a resumed run reads its file as the run first did."""
        kept = asdict(self)
        kept["reading"] = {"timezone": self.reading.timezone, "time_format": self.reading.time_format}
        return json.dumps(kept)

    @classmethod
    def from_json(cls, text: str) -> FeedOptions:
        """What to_json wrote, an older run's (fewer fields: their defaults) too."""
        kept = json.loads(text)
        return cls(**{**kept, "reading": Reading(**kept["reading"])})


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
