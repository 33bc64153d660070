"""A menu drafted from an export (`simulator.check --write-menu menu.csv`): every dish the export sold, with its
category, the units sold, and a cook time to fill in.

Point-of-sale data has no cook times, and the kitchen model needs one per dish: the draft keeps the cook time a
dish already has on --menu, else the default of its category (--default-cook-time Burgers=8:00,*=5:00), else
leaves it empty, and says which dishes still lack one. Dishes are listed by units sold, most first: the cook
times that move the answer most come first. The file is CSV with the menu's own columns (name,cook_time), which
`--menu` reads as it is once every cook time is filled in.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from simulator.feed.csv_orders import Sold
from simulator.menu import Dish

ANY = "*"
"""--default-cook-time's key for every category without its own."""


@dataclass(frozen=True)
class Draft:
    path: Path
    dishes: int
    from_menu: int
    from_default: int
    missing: list[str]
    """Dishes still without a cook time, most sold first."""

    def said(self) -> str:
        lines = [
            f"wrote {self.path}: {self.dishes:,} dishes, {self.from_menu:,} with the cook time of --menu,"
            f" {self.from_default:,} with a default of their category (--default-cook-time)"
        ]
        if self.missing:
            shown = ", ".join(map(repr, self.missing[:10])) + (", ..." if len(self.missing) > 10 else "")
            lines.append(
                f"  {len(self.missing):,} dishes still without a cook time, to fill in (seconds, or minutes:seconds"
                f" like 6:30) before --menu {self.path} reads it: {shown}"
            )
        return "\n".join(lines)


def write_draft(path: Path, sold: Mapping[str, Sold], menu: Mapping[str, Dish], defaults: Mapping[str, int]) -> Draft:
    """Write the draft beside `path`, then rename it into place: a file there is never left half written."""
    from_menu = from_default = 0
    missing = []
    rows = []
    for name, dish in sorted(sold.items(), key=lambda kv: (-kv[1].units, kv[0])):
        if name in menu:
            cook_time: int | None = menu[name].cook_time
            from_menu += 1
        else:
            cook_time = defaults.get(dish.category, defaults.get(ANY))
            from_default += cook_time is not None
        if cook_time is None:
            missing.append(name)
        rows.append([name, "" if cook_time is None else cook_time, dish.category, dish.units])
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "cook_time", "category", "units_sold"])
        writer.writerows(rows)
    os.replace(partial, path)
    return Draft(path, len(rows), from_menu, from_default, missing)
