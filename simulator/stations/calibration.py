"""A layout's times from a kitchen display system's export, and how well the layout replays the period it came from.

An item export has a row per item and station: the order, the item (optional), the station, when it was fired,
started (optional) and done. The crew file is a layout without routes (simulator/stations/layout.py): the roles
and their crews as they worked that period, and any equipment (slots, loads) and packing the export cannot tell.

- A step's time is `done - started`. Without a started time it is estimated: the units of a station are taken in
  the order fired, each starting at the later of its firing and the moment the first of the station's servers
  came free (c servers: its slots, or the cooks on shift then of the roles that work it), as the kitchen's rule
  serves them. For a station whose cooks work only it this gives each unit's start exactly; a station shared
  with another role's cooks gets an estimate.
- Each dish's route is the stations its units went through, in the order fired (the most common sequence); its
  time at each is fitted from its rows there: a lognormal by the median and p90, or samples (its quantiles).
  A dish with fewer than MIN_ROWS rows at a station takes the station's time over all its dishes. Without an
  item column (Toast's KitchenTimings.csv has none) a row is a unit of a dish named after its station.
- Rows at the packing station (or Toast's expediter rows) are the packing; its per-order and per-unit seconds
  are fitted by least squares on the order's units.
- The replay: the export's own orders (received when first fired) run through the fitted layout and crew, each
  station's time (fired to done; to pack, from the last unit done) compared with the recorded, p50 and p90.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from common.localtime import LocalClock
from simulator.kitchen import UnitStep
from simulator.menu import Dish
from simulator.orders import Line, Order
from simulator.run import NoRecorder, simulate
from simulator.stations.layout import LaidOut, Layout, LayoutError, parse_layout

MIN_ROWS = 5
"""Rows of a dish at a station below which its time there is the station's, over all its dishes."""
SAMPLES = 100
"""The most quantiles a fitted `samples` time keeps."""
COLUMNS = ("order_id", "item", "station", "fired_at", "started_at", "done_at", "duration", "expediter")
"""What the export's columns may hold; order_id, station, fired_at and done_at (or duration) are needed."""
OURS = {name: name for name in COLUMNS}
TOAST = {
    "order_id": "Check #",
    "station": "Station",
    "fired_at": "Fired Date",
    "done_at": "Fulfilled Date",
    "duration": "Fulfillment Time",
    "expediter": "Expediter Level",
}
"""Toast's KitchenTimings.csv: a ticket per station, no item; `Fulfillment Time` (h:mm:ss) measures fired to done
to the second, where its dates show minutes; check numbers start again each day."""
PRESETS = {"ours": OURS, "toast": TOAST}
REUSED = 6 * 3600
"""Seconds between two rows of one check number beyond which they are two orders (Toast's numbers start again
each day: no order is in the kitchen six hours)."""
TOAST_TIMES = ("%m/%d/%y %I:%M %p", "%m/%d/%Y %I:%M %p", "%m/%d/%y %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p")


class CalibrationError(ValueError):
    """An export or crew file that cannot be calibrated from; the message names the file, column and row."""


@dataclass(frozen=True)
class StationFit:
    """How well the fitted layout replays one station: its time (fired to done) recorded and simulated."""

    station: str
    rows: int
    recorded: tuple[float, float]
    """p50 and p90 in seconds."""
    simulated: tuple[float, float]

    def off(self) -> float:
        """The larger relative difference of the two percentiles (a recorded 0 counts as a second: an expediter
        that bumps an order the moment its last item is done)."""
        return max(abs(s - r) / max(r, 1.0) for s, r in zip(self.simulated, self.recorded, strict=True))


def read_items(path: Path, zone: str, preset: str = "ours", columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The export's rows as order_id, item, station, fired, started, done (epoch seconds; started may be NaN),
    packs (an expediter's row); every error names the file, the column and the row."""
    names = {**PRESETS[preset], **(columns or {})}
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise CalibrationError(f"item export not found: {path}") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise CalibrationError(f"cannot read item export {path}: {error}") from None
    header = {column.strip().lower(): column for column in table.columns}

    def column(field: str) -> pd.Series | None:
        found = header.get(names.get(field, "").strip().lower())
        return None if found is None else table[found].str.strip()

    for needed in ("order_id", "station", "fired_at"):
        if column(needed) is None:
            raise CalibrationError(
                f"{path}: no column {names.get(needed)!r} for {needed} (columns: {', '.join(table.columns)});"
                f" map it with --columns {needed}=YOURS"
            )
    if column("done_at") is None and column("duration") is None:
        raise CalibrationError(f"{path}: no column {names.get('done_at')!r} for done_at, nor a duration column")
    formats = TOAST_TIMES if preset == "toast" else (None,)
    fired = _times(column("fired_at"), formats, zone, path, names["fired_at"])
    duration = column("duration")
    if duration is not None and (duration != "").all():
        done = fired + _durations(duration, path, names["duration"])
    else:
        done = _times(column("done_at"), formats, zone, path, names["done_at"])
    started = column("started_at")
    started_at = (
        _times(started, formats, zone, path, names["started_at"])
        if started is not None
        else np.full(len(fired), np.nan)
    )
    order = column("order_id")
    assert order is not None
    if preset == "toast":  # check numbers start again each day: a number fired again hours later is another order
        order = _orders_by_gaps(order, fired)
    station = column("station")
    assert station is not None
    expediter = column("expediter")
    packs = np.zeros(len(fired), dtype=bool) if expediter is None else (~expediter.isin(["", "0"])).to_numpy()
    item = column("item")
    items = pd.Series(np.where(packs, "", station), index=station.index) if item is None else item
    rows = pd.DataFrame(
        {"order_id": order, "item": items, "station": station, "fired": fired, "started": started_at, "done": done}
    )
    rows["packs"] = packs
    if not len(rows):
        raise CalibrationError(f"{path}: no rows")
    late = np.flatnonzero(rows["done"] < rows["fired"])
    if len(late):
        raise CalibrationError(f"{path}, row {late[0] + 2}: done before it was fired")
    return rows


def fit_layout(rows: pd.DataFrame, crew: Mapping[str, Any], zone: str, fit: str = "lognormal") -> dict[str, Any]:
    """The layout's tables (as a layout file writes them): the crew file's, with the export's stations added, a
    route for every dish and the packing's times."""
    tables: dict[str, Any] = {key: value for key, value in crew.items() if key != "routes"}
    stations = dict(tables.get("stations", {}))
    packing = dict(tables.get("packing", {}))
    pass_station = packing.get("station")
    for name in rows["station"].unique():
        if name and name not in stations:
            stations[name] = {}
    tables["stations"] = stations
    rows = rows.copy()
    if pass_station is not None:
        rows.loc[rows["station"] == pass_station, "packs"] = True
    rows.loc[rows["packs"], "station"] = pass_station or ""
    if rows["packs"].any() and pass_station is None:
        raise CalibrationError("the export has expediter rows: name the packing station in the crew file's [packing]")
    rows["fired"] = _pack_ready(rows)
    layout = _crew_layout(tables, zone)
    rows["seconds"] = _work_seconds(rows, layout)
    cooked = rows[~rows["packs"]]
    if "default_station" not in tables:
        tables["default_station"] = next(iter(s for s, v in stations.items() if "slots" not in v), None)
    by_station = {name: _duration(group["seconds"], fit) for name, group in cooked.groupby("station")}
    routes = []
    for item, sequence in _routes(cooked).items():
        steps = []
        for name in sequence:
            times = cooked.loc[(cooked["item"] == item) & (cooked["station"] == name), "seconds"]
            steps.append(
                {"station": name, "time": _duration(times, fit) if len(times) >= MIN_ROWS else by_station[name]}
            )
        routes.append({"dishes": _literal(item), "steps": steps})
    tables["routes"] = routes
    packed = rows[rows["packs"]]
    if len(packed):
        units = _units(cooked).reindex(packed["order_id"]).fillna(0).to_numpy()
        per_unit, per_order = (
            np.polyfit(units, packed["seconds"], 1) if len(set(units)) > 1 else (0.0, packed["seconds"].mean())
        )
        packing.update(per_order=max(0, round(per_order)), per_unit=max(0, round(per_unit)))
        tables["packing"] = packing
    try:
        parse_layout(tables, zone, "the fitted layout")
    except LayoutError as error:
        raise CalibrationError(str(error)) from None
    return tables


def replay(rows: pd.DataFrame, tables: Mapping[str, Any], zone: str, seed: int = 1) -> list[StationFit]:
    """Each station's time, fired to done (to pack: from the order's last unit done), recorded in the export and
    simulated by the fitted layout on the export's own orders."""
    layout = parse_layout(tables, zone, "the fitted layout")
    pass_name = layout.stations[layout.packing.station].name if layout.packing else None
    rows = rows.copy()
    rows.loc[rows["station"] == pass_name, "packs"] = True
    rows["fired"] = _pack_ready(rows)
    cooked = rows[~rows["packs"]]
    routes = _routes(cooked)
    first = cooked[cooked["station"] == cooked["item"].map(lambda item: routes[item][0])]
    orders = []
    for position, (_, group) in enumerate(
        sorted(first.groupby("order_id"), key=lambda pair: int(pair[1]["fired"].min())), start=1
    ):
        counts = Counter(group["item"])
        lines = tuple(Line(Dish(item, 1), quantity, 0) for item, quantity in counts.items())
        orders.append(Order(position, "kitchen display", "recorded", int(group["fired"].min()), lines, 0))
    steps = _Steps()
    simulate(orders, LaidOut(layout, seed=seed, record_units=True), None, steps, LocalClock(zone))
    simulated: dict[str, list[int]] = {}
    for step in steps.steps:
        simulated.setdefault(step.station, []).append(step.ended_at - step.ready_at)
    recorded = rows.assign(station=np.where(rows["packs"], pass_name or "", rows["station"]))
    fits = []
    for name, group in recorded.groupby("station", sort=False):
        times = (group["done"] - group["fired"]).to_numpy()
        if name in simulated:
            fits.append(StationFit(str(name), len(group), _p50_p90(times), _p50_p90(np.array(simulated[str(name)]))))
    return fits


class _Steps(NoRecorder):
    """A recorder that keeps the unit steps of a replay, and nothing else."""

    def __init__(self) -> None:
        self.steps: list[UnitStep] = []

    def step_done(self, step: UnitStep) -> None:
        self.steps.append(step)


def _p50_p90(times: np.ndarray) -> tuple[float, float]:
    return float(np.percentile(times, 50)), float(np.percentile(times, 90))


def _times(cells: pd.Series | None, formats: tuple[str | None, ...], zone: str, path: Path, name: str) -> np.ndarray:
    """Epoch seconds of the cells: an ISO time with its own offset ('...+01:00', '...Z') as it says, any other as a
    local time of `zone` (a time the clocks pass twice is its first reading, as the orders' are; one they skip is
    refused); the first unreadable one named with its row."""
    assert cells is not None
    own = cells.str.contains(r"(?:[+-]\d\d:?\d\d|Z)$", regex=True).to_numpy()
    seconds = np.empty(len(cells))
    if own.any():
        seconds[own] = _epochs(pd.to_datetime(cells[own], errors="coerce", utc=True), cells, own, path, name)
    if (~own).any():
        local = cells[~own]
        for pattern in formats:
            parsed = pd.to_datetime(local, format=pattern, errors="coerce")
            if not parsed.isna().any():
                break
        _first_unread(parsed, cells, ~own, path, name, "not a time")
        try:
            parsed = parsed.dt.tz_localize(zone, ambiguous=np.ones(len(parsed), dtype=bool), nonexistent="NaT")
        except (TypeError, ValueError) as error:  # pragma: no cover - pandas names what it cannot localise
            raise CalibrationError(f"{path}, column {name!r}: {error}") from None
        seconds[~own] = _epochs(parsed, cells, ~own, path, name, f"is skipped by {zone}'s clocks")
    return seconds


def _epochs(
    parsed: pd.Series, cells: pd.Series, rows: np.ndarray, path: Path, name: str, why: str = "not a time"
) -> np.ndarray:
    _first_unread(parsed, cells, rows, path, name, why)
    return ((parsed - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)).to_numpy().astype(float)


def _first_unread(parsed: pd.Series, cells: pd.Series, rows: np.ndarray, path: Path, name: str, why: str) -> None:
    """CalibrationError naming the first cell of `rows` that `parsed` could not read, and why."""
    missing = parsed.isna().to_numpy()
    if missing.any():
        bad = int(np.flatnonzero(rows)[np.flatnonzero(missing)[0]])
        shown = f"not a time: {cells.iloc[bad]!r}" if why == "not a time" else f"{cells.iloc[bad]!r} {why}"
        raise CalibrationError(f"{path}, row {bad + 2}, column {name!r}: {shown}")


def _orders_by_gaps(numbers: pd.Series, fired: np.ndarray) -> pd.Series:
    """Orders told apart by their numbers and by gaps: a number's rows more than REUSED apart are two orders."""
    frame = pd.DataFrame({"number": numbers, "fired": fired}).sort_values(["number", "fired"], kind="stable")
    new = (frame["number"] != frame["number"].shift()) | (frame["fired"].diff() > REUSED)
    return (frame["number"] + " #" + new.cumsum().astype(str)).reindex(numbers.index)


def _durations(cells: pd.Series, path: Path, name: str) -> np.ndarray:
    """Seconds of 'h:mm:ss', 'm:ss' or plain seconds."""
    seconds = []
    for row, cell in enumerate(cells, start=2):
        try:
            parts = [float(part) for part in cell.split(":")]
        except ValueError:
            parts = []
        if not 1 <= len(parts) <= 3 or any(p < 0 for p in parts):
            raise CalibrationError(f"{path}, row {row}, column {name!r}: not a duration (h:mm:ss): {cell!r}")
        seconds.append(sum(p * 60**k for k, p in enumerate(reversed(parts))))
    return np.array(seconds)


def _pack_ready(rows: pd.DataFrame) -> pd.Series:
    """Each row's ready time: its firing, or for a packing row the end of its order's last unit (as the kitchen
    packs); an order whose units the export lacks keeps its firing."""
    last = rows[~rows["packs"]].groupby("order_id")["done"].max()
    return rows["fired"].where(~rows["packs"], rows["order_id"].map(last).fillna(rows["fired"]))


def _crew_layout(tables: Mapping[str, Any], zone: str) -> Layout:
    """The crew file's layout, for its servers' counts (without routes and with a placeholder packing time: those
    are fitted)."""
    placeholder = {"packing": {**tables["packing"], "per_order": 1}} if "packing" in tables else {}
    try:
        return parse_layout({**tables, "routes": [], **placeholder}, zone, "the crew file")
    except LayoutError as error:
        raise CalibrationError(str(error)) from None


def _work_seconds(rows: pd.DataFrame, layout: Layout) -> np.ndarray:
    """Each row's time of work: done - started, or estimated from the station's servers (the module's docstring)."""
    seconds = (rows["done"] - rows["started"]).to_numpy(copy=True)
    names = [station.name for station in layout.stations]
    servers = layout.servers()
    for name, group in rows[np.isnan(seconds)].groupby("station"):
        if name not in names:
            continue
        index = names.index(name)
        station = layout.stations[index]
        free: list[float] = []  # when each server on shift came free, sorted (a count that changes: not a heap)
        for at, fired, done in sorted(zip(group.index, group["fired"], group["done"], strict=True), key=_by_firing):
            count = station.slots or sum(layout.roles[r].cooks_at(int(fired)) for r in servers[index])
            while len(free) < count:  # a cook come on shift is free at once
                free.insert(0, -math.inf)
            del free[count:]  # one gone home: the last to come free
            start = max(fired, free.pop(0)) if free else fired  # nobody on shift, by the crew file: no estimate
            if count:
                bisect.insort(free, done)
            seconds[rows.index.get_loc(at)] = done - start
    return np.maximum(1, np.rint(np.nan_to_num(seconds, nan=1)))


def _by_firing(row: tuple[Any, float, float]) -> tuple[float, Any]:
    """Units in the order fired, ties in the export's order."""
    return row[1], row[0]


def _routes(cooked: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Each dish's most common sequence of stations, in the order its units were fired there."""
    ordered = cooked.sort_values(["fired"], kind="stable")
    sequences: dict[str, Counter[tuple[str, ...]]] = {}
    for (_, item), group in ordered.groupby(["order_id", "item"], sort=False):
        sequence = tuple(dict.fromkeys(group["station"]))
        sequences.setdefault(str(item), Counter())[sequence] += 1
    return {item: counts.most_common(1)[0][0] for item, counts in sequences.items()}


def _units(cooked: pd.DataFrame) -> pd.Series:
    """Units per order: its rows at each dish's first station."""
    routes = _routes(cooked)
    first = cooked[cooked["station"] == cooked["item"].map(lambda item: routes[item][0])]
    return first.groupby("order_id").size()


def _duration(seconds: pd.Series, fit: str) -> Any:
    """A time as a layout writes it: fixed when every time is one, else by the median and p90, or samples."""
    values = np.asarray(seconds, dtype=float)
    median, p90 = (max(1, round(float(np.percentile(values, q)))) for q in (50, 90))
    if p90 == median:
        return median
    if fit == "samples":
        quantiles = np.percentile(
            values, (np.arange(min(SAMPLES, len(values))) + 0.5) * 100 / min(SAMPLES, len(values))
        )
        return {"samples": [max(1, round(float(q))) for q in quantiles]}
    return {"median": median, "p90": p90}


def _literal(name: str) -> str:
    """A dish name as a route's pattern that takes exactly it ([*], [?], [[] stand for themselves)."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
