"""The menu: every dish the kitchen can cook and how long one unit of it takes.

The menu is small and read whole, before anything is simulated or written, so that a bad menu stops
the run at once with a message naming the file and the entry.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path


class MenuError(ValueError):
    """The menu file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Dish:
    name: str
    cook_time: int
    """Seconds one cook spends on one unit."""


def load_menu(path: Path) -> dict[str, Dish]:
    """Read the menu, checking every entry: JSON, `[{"name": "Dish 12", "cook_time": 660}, ...]`, or CSV with
    a `name,cook_time` header, the cook time in seconds (`660`) or minutes and seconds (`11:00`)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MenuError(f"menu file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise MenuError(f"cannot read menu file {path}: {error}") from None
    if Path(path).suffix.lower() == ".csv":
        entries = _csv_entries(text, path)
    else:
        try:
            entries = json.loads(text)
        except json.JSONDecodeError as error:
            raise MenuError(
                f"{path}: not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
            ) from None
    if not isinstance(entries, list) or not entries:
        raise MenuError(
            f"{path}: expected a non-empty {'CSV' if Path(path).suffix.lower() == '.csv' else 'JSON'} list of dishes"
        )

    menu: dict[str, Dish] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{path}, entry {number}"
        if not isinstance(entry, dict):
            raise MenuError(f"{where}: expected an object with 'name' and 'cook_time', got {entry!r}")
        for field in ("name", "cook_time"):
            if field not in entry:
                raise MenuError(f"{where}: missing field '{field}'")
        name, cook_time = entry["name"], entry["cook_time"]
        if not isinstance(name, str) or not name.strip() or "\x00" in name:
            raise MenuError(f"{where}: 'name' must be a non-empty string without NUL characters, got {name!r}")
        where = f"{path}, entry {number} ({name!r})"
        if isinstance(cook_time, bool) or not isinstance(cook_time, int) or cook_time <= 0:
            raise MenuError(f"{where}: 'cook_time' must be a whole number of seconds > 0, got {cook_time!r}")
        if name in menu:
            raise MenuError(f"{where}: duplicate dish name")
        menu[name] = Dish(name, cook_time)
    return menu


def _csv_entries(text: str, path: Path) -> list[dict]:
    """The CSV's rows as menu entries, cook times turned into seconds where they can be."""
    rows = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in ("name", "cook_time") if c not in (rows.fieldnames or [])]
    if missing:
        raise MenuError(
            f"{path}: the CSV header has no column {', '.join(map(repr, missing))};"
            f" expected name,cook_time, got {','.join(rows.fieldnames or [])!r}"
        )
    entries = []
    for row in rows:
        if not any((value or "").strip() for value in row.values()):
            continue
        entries.append({"name": (row["name"] or "").strip(), "cook_time": seconds_of(row["cook_time"] or "")})
    return entries


def seconds_of(text: str) -> int | str:
    """'660' or '11:00' (minutes:seconds) as seconds; anything else as it is, for the check to name."""
    match = re.fullmatch(r"\s*(\d+)(?::([0-5]\d))?\s*", text)
    if not match:
        return text
    return int(match[1]) * 60 + int(match[2]) if match[2] is not None else int(match[1])
