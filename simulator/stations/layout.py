"""A kitchen as it is laid out: its stations, the roles of its cooks, and each dish's route through them.

Written by hand as TOML (`--layout FILE`, or KITCHEN_LAYOUT in the parameters file), e.g. data/layout.toml:

    default_station = "line"            # where a dish no route names is cooked, in one step of its menu time

    [stations]
    line = {}                            # worked by cooks
    oven = { slots = 4 }                 # equipment: 4 units at once, each for its time, no cook needed
    # or loaded by a cook: { slots = 4, load = "0:20", load_by = "cook" }: the cook is busy for the load only
    pass = {}

    [roles.cook]                         # each cook has one role: the stations they can work
    stations = ["line"]
    cooks = 6                            # a fixed count, or a schedule as COOK_SCHEDULE has it:
    wage = 19.0                          # an hour (optional: WAGE_PER_HOUR otherwise)
    max_cooks = 4                        # at most so many at once, room for no more (optional): the plan keeps to it
    [roles.packer]
    stations = ["pass"]
    schedule = { "00:00" = 1, "11:00" = 2, "22:00" = 1 }

    [[routes]]                           # the first route naming a dish is its route
    dishes = "* Pizza"                   # a dish name, a pattern (*, ?, [..]) or a list of them
    steps = [
      { station = "line", time = "1:30" },                        # m:ss, or seconds
      { station = "oven", time = { median = "8:00", p90 = "9:30" } },  # lognormal
      { station = "line", time = { samples = [20, 30, 45] } },    # one of these, equally likely
    ]

    [packing]                            # an order is done once packed here, by a role that works the pass
    station = "pass"
    per_order = "0:40"
    per_unit = 5

A step without `time` takes the dish's menu cook time. Without a layout the kitchen is one station
worked by every cook, each dish one step of its menu time, and no packing: exactly the kitchen of
simulator/kitchen.py.

Who takes what (the SimPy kitchen and the direct model of a layout both follow it, to the second; no result
depends on the order in which SimPy happens to process the events of one moment):
- a unit is ready at a station when its order is received (first step) or its previous step ends; units
  wait there first come, first served by that moment, ties by the order's place in the stream, then the
  unit's place in its order; an order waits to be packed from the end of its last unit, ties the same;
- everything that happens at one moment happens first (crews change before anything else), then free
  cooks and free slots are given work: the oldest waiting unit at any station that a free cook can
  work goes first, to a cook of the role that works the fewest stations (ties: the role written first);
  at equipment, the oldest waiting unit takes a free slot; equipment a cook loads counts as a station that
  role works, while it has a free slot (the unit holds its slot from the load on, the cook only for the load);
- a cook sent home by the schedule finishes the unit at hand; a unit starts only while fewer cooks of
  a role are working than it has on shift.
"""

from __future__ import annotations

import fnmatch
import json
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from common.schedule import CookSchedule, ScheduleError
from simulator.menu import Dish, seconds_of

if TYPE_CHECKING:  # numpy is imported where a time is drawn: a kitchen of one pool of cooks never pays for it
    import numpy as np

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Z90 = 1.2815515655446004
"""The standard normal's 90th percentile: a lognormal's sigma is log(p90 / median) / Z90."""


StationOf = Callable[..., int]
"""parse_layout's check of a station's name, giving its index: (name, where it is written, cooks_only=False)."""


class LayoutError(ValueError):
    """A layout file that cannot be read, or an entry in it that makes no kitchen."""


@dataclass(frozen=True)
class Duration:
    """A step's time in seconds: fixed, lognormal by its median and p90, or one of some samples. Draws are
    whole seconds, at least 1, so that no step ends at the moment it starts.

    A varying time is drawn from one standard normal deviate z, whatever its kind (`at`): the lognormal's
    median exp(sigma z), or the sample whose slice of the normal's quantiles z falls in (each sample equally
    likely). One deviate a draw lets a trial draw a week's times in one call (direct_layout.drawn) and give
    them exactly as the SimPy kitchen draws them, one by one."""

    fixed: int | None = None
    median: float | None = None
    p90: float | None = None
    samples: tuple[int, ...] = ()

    @property
    def varies(self) -> bool:
        return self.fixed is None

    def draw(self, rng: np.random.Generator) -> int:
        """A time for one unit's step; a fixed time draws nothing, so it leaves the other draws unchanged."""
        if self.fixed is not None:
            return self.fixed
        return int(self.at(rng.standard_normal(1))[0])

    def at(self, z: np.ndarray) -> np.ndarray:
        """The times (int64) of standard normal deviates `z`, of a varying time."""
        import numpy as np

        if self.samples:
            return self._samples[np.searchsorted(self._thresholds, z)]
        assert self.median is not None and self.p90 is not None
        sigma = math.log(self.p90 / self.median) / Z90
        return np.maximum(1, np.rint(self.median * np.exp(sigma * z))).astype(np.int64)

    @cached_property
    def _samples(self) -> np.ndarray:
        """The samples as an array, made once: a calibrated layout may hold thousands, drawn from one unit at a time."""
        import numpy as np

        return np.array(self.samples, dtype=np.int64)

    @cached_property
    def _thresholds(self) -> np.ndarray:
        """The normal's quantiles at 1/n, 2/n, ... (n - 1)/n: the slices of z that choose each of n samples."""
        import numpy as np

        n = len(self.samples)
        return np.array([NormalDist().inv_cdf(k / n) for k in range(1, n)])

    def scaled(self, factor: float) -> Duration:
        """Every time `factor` times as long (the plan's sensitivity to cook times)."""
        if self.fixed is not None:
            return Duration(fixed=max(1, round(self.fixed * factor)))
        if self.samples:
            return Duration(samples=tuple(max(1, round(s * factor)) for s in self.samples))
        assert self.median is not None and self.p90 is not None
        return Duration(median=self.median * factor, p90=self.p90 * factor)


@dataclass(frozen=True)
class Station:
    name: str
    slots: int | None = None
    """Equipment: how many units it holds at once, each for its time; None: a station worked by cooks."""
    load: Duration | None = None
    """Equipment that a cook loads: a unit takes its slot with a cook of a `load_by` role for this time, then
    stays in it for its step's time, the cook free; None: units go in by themselves."""
    load_by: tuple[int, ...] = ()
    """The roles (indices into Layout.roles) whose cooks load it."""


@dataclass(frozen=True)
class Role:
    name: str
    stations: tuple[int, ...]
    """The stations (indices into Layout.stations) its cooks can work, in the order written."""
    crew: int | CookSchedule
    """Its cooks: a fixed count, or a schedule by the kitchen's local time."""
    wage: float | None = None
    """Its cooks' wage an hour (`wage`); None: WAGE_PER_HOUR's (common/wages.py)."""
    max_cooks: int | None = None
    """At most so many of its cooks at once (`max_cooks`: the room at its stations), which the plan keeps to."""

    def cooks_at(self, moment: int) -> int:
        """Its cooks on shift at `moment` (epoch seconds)."""
        return self.crew if isinstance(self.crew, int) else self.crew.cooks_at(moment)

    @property
    def most(self) -> int:
        """The most cooks it ever has on shift."""
        return self.crew if isinstance(self.crew, int) else self.crew.most


@dataclass(frozen=True)
class Step:
    station: int
    time: Duration | None
    """None: the dish's menu cook time."""


@dataclass(frozen=True)
class Route:
    dishes: tuple[str, ...]
    """Dish names or fnmatch patterns (case-sensitive), as written."""
    steps: tuple[Step, ...]

    def takes(self, dish: str) -> bool:
        return any(fnmatch.fnmatchcase(dish, pattern) for pattern in self.dishes)


@dataclass(frozen=True)
class Packing:
    station: int
    per_order: int
    """Seconds to pack an order, and per_unit more for each of its units."""
    per_unit: int

    def seconds(self, units: int) -> int:
        return self.per_order + self.per_unit * units


@dataclass(frozen=True)
class Layout:
    stations: tuple[Station, ...]
    roles: tuple[Role, ...]
    routes: tuple[Route, ...]
    default_station: int
    packing: Packing | None = None
    menu_scale: float = 1.0
    """The menu's cook times, as the steps that take them use them, times this (a scaled layout's: `scaled`)."""
    written: Mapping[str, object] | None = field(default=None, compare=False, hash=False)
    """The tables it was read from, as the run's row keeps them (a resumed run reads its layout again from them)."""
    _routes: dict[str, tuple[Step, ...]] = field(default_factory=dict, compare=False, hash=False, repr=False)
    """Each dish's route once found: patterns are matched once a dish, not once a unit."""

    @classmethod
    def single(cls, crew: int | CookSchedule) -> Layout:
        """The kitchen without a layout: one station, one role of every cook, each dish one step of its menu
        time, no packing."""
        return cls((Station("kitchen"),), (Role("cook", (0,), crew),), (), 0)

    def route(self, dish: Dish) -> tuple[Step, ...]:
        """The steps of one unit of `dish`: its route's, or one step of its cook time at the default station."""
        found = self._routes.get(dish.name)
        if found is None:
            found = next((r.steps for r in self.routes if r.takes(dish.name)), (Step(self.default_station, None),))
            self._routes[dish.name] = found
        return found

    def servers(self) -> list[list[int]]:
        """Per station, the roles that work it (or load it, at equipment a cook loads), the most specialised first
        (the fewest stations), then as written: the order in which a free cook is looked for."""
        return [
            sorted(
                station.load_by or (r for r, role in enumerate(self.roles) if s in role.stations),
                key=lambda r: (len(self.roles[r].stations), r),
            )
            for s, station in enumerate(self.stations)
        ]

    def unit_steps(self, dish: Dish, rng: np.random.Generator) -> tuple[tuple[int, int, int], ...]:
        """(station, seconds, seconds to load it) of each step of one unit of `dish`, its times drawn from `rng`
        (the step's, then its load's); the load is 0 but at equipment a cook loads."""
        steps = []
        for step in self.route(dish):
            seconds = self.menu_time(dish.cook_time) if step.time is None else step.time.draw(rng)
            load = self.stations[step.station].load
            steps.append((step.station, seconds, 0 if load is None else load.draw(rng)))
        return tuple(steps)

    def menu_time(self, cook_time: int) -> int:
        """A menu cook time as a step of this layout takes it (menu_scale): at least a second."""
        return cook_time if self.menu_scale == 1 else max(1, round(cook_time * self.menu_scale))

    def scaled(self, factor: float) -> Layout:
        """The layout with every time `factor` times as long: the routes' steps, the menu's cook times the steps
        take, loads and packing (the plan's sensitivity to cook times, which point-of-sale data does not hold)."""
        routes = tuple(
            Route(r.dishes, tuple(Step(s.station, None if s.time is None else s.time.scaled(factor)) for s in r.steps))
            for r in self.routes
        )
        packing = self.packing and Packing(
            self.packing.station,
            max(1, round(self.packing.per_order * factor)) if self.packing.per_order else 0,
            max(1, round(self.packing.per_unit * factor)) if self.packing.per_unit else 0,
        )  # a time that was not 0 stays at least a second: no step ends at the moment it starts
        stations = tuple(replace(s, load=s.load and s.load.scaled(factor)) for s in self.stations)
        menu_scale = self.menu_scale * factor
        return Layout(stations, self.roles, routes, self.default_station, packing, menu_scale)  # not as written

    def check_menu(self, menu: Mapping[str, Dish], where: str = "layout") -> None:
        """Refuse a route that takes no dish of the menu: a misspelt name would otherwise route nothing, silently."""
        for number, route in enumerate(self.routes, start=1):
            if not any(route.takes(name) for name in menu):
                raise LayoutError(
                    f"{where}: routes entry {number} ({', '.join(route.dishes)}) takes no dish of the menu"
                )


@dataclass(frozen=True)
class LaidOut:
    """The crew of a laid-out kitchen, as a run takes it: the layout, whose roles hold the cooks, and the seed
    its step times are drawn with (the same seed, the same times, whatever the crews)."""

    layout: Layout
    seed: int = 1
    record_units: bool = False
    """Whether the run records every step of every unit (--record-units: for studies of a day or so)."""

    @property
    def most(self) -> int:
        """The most cooks the layout's roles have on shift together, at most."""
        return sum(role.most for role in self.layout.roles)

    def to_json(self) -> str:
        return json.dumps({"seed": self.seed, "record_units": self.record_units, "layout": self.layout.written})

    @classmethod
    def from_json(cls, text: str, zone: str) -> LaidOut:
        stored = json.loads(text)
        return cls(parse_layout(stored["layout"], zone, "the run's layout"), stored["seed"], stored["record_units"])


def read_layout(path: Path, zone: str) -> Layout:
    """Read and check a layout file (TOML, or JSON as the plan writes it); every error names the file and the
    entry."""
    return parse_layout(read_tables(path), zone, str(path))


def read_tables(path: Path) -> dict[str, Any]:
    """A layout file's tables as written (TOML, or JSON), unchecked: a layout's, or a crew file's
    (simulator.calibrate)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text) if Path(path).suffix.lower() == ".json" else tomllib.loads(text)
    except FileNotFoundError:
        raise LayoutError(f"layout file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise LayoutError(f"cannot read layout file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise LayoutError(f"{path}: not valid TOML: {error}") from None
    except json.JSONDecodeError as error:
        raise LayoutError(f"{path}: not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise LayoutError(f"{path}: expected the layout's tables, got {type(data).__name__}")
    return data


def parse_layout(data: Mapping[str, object], zone: str, where: str = "layout") -> Layout:
    """A layout from its TOML tables (see the module's docstring), each entry checked."""
    _known(data, {"default_station", "stations", "roles", "routes", "packing"}, where)
    stations = _stations(data.get("stations"), where)
    names = [station.name for station in stations]

    def station_of(value: object, at: str, cooks_only: bool = False) -> int:
        if not isinstance(value, str) or value not in names:
            raise LayoutError(f"{where}: {at}: {value!r} is not a station (stations: {', '.join(names)})")
        index = names.index(value)
        if cooks_only and stations[index].slots is not None:
            if stations[index].load is not None:
                raise LayoutError(
                    f"{where}: {at}: {value!r} is equipment, which cooks load: name the role in"
                    f" stations.{value}.load_by instead"
                )
            raise LayoutError(f"{where}: {at}: {value!r} is equipment, which needs no cook")
        return index

    roles = _roles(data.get("roles"), zone, station_of, where)
    stations = _loaders(stations, data["stations"], [role.name for role in roles], where)
    worked = {index for role in roles for index in role.stations}
    for index, station in enumerate(stations):
        if station.slots is None and index not in worked:
            raise LayoutError(f"{where}: stations.{station.name}: no role works it, so its units would never be done")
    first_worked = next((s.name for s in stations if s.slots is None), names[0])
    default = station_of(data.get("default_station", first_worked), "default_station", cooks_only=True)
    routes = _routes(data.get("routes", []), station_of, where)
    packing = _packing(data.get("packing"), station_of, where)
    return Layout(stations, roles, routes, default, packing, written=data)


def _known(table: Mapping[str, object], keys: set[str], where: str) -> None:
    unknown = sorted(set(table) - keys)
    if unknown:
        raise LayoutError(
            f"{where}: unknown {'entries' if len(unknown) > 1 else 'entry'} {', '.join(unknown)};"
            f" expected {', '.join(sorted(keys))}"
        )


def _table(value: object, at: str, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise LayoutError(f"{where}: {at}: expected a table, got {value!r}")
    return value


def _stations(value: object, where: str) -> tuple[Station, ...]:
    if value is None:
        raise LayoutError(f"{where}: no [stations] table: a layout needs at least one station")
    table = _table(value, "stations", where)
    if not table:
        raise LayoutError(f"{where}: [stations] is empty: a layout needs at least one station")
    stations = []
    for name, entry in table.items():
        at = f"stations.{name}"
        entry = _table(entry, at, where)
        _known(entry, {"slots", "load", "load_by"}, f"{where}: {at}")
        slots = entry.get("slots")
        if slots is not None and (isinstance(slots, bool) or not isinstance(slots, int) or slots < 1):
            raise LayoutError(f"{where}: {at}.slots: expected a whole number >= 1, got {slots!r}")
        if ("load" in entry or "load_by" in entry) and slots is None:
            raise LayoutError(f"{where}: {at}: only equipment (with slots) is loaded; its cooks work it already")
        if ("load" in entry) != ("load_by" in entry):
            raise LayoutError(f"{where}: {at}: a load needs both its time ('load') and who loads it ('load_by')")
        load = _duration(entry["load"], f"{at}.load", where) if "load" in entry else None
        stations.append(Station(name, slots, load))
    return tuple(stations)


def _loaders(stations: tuple[Station, ...], written: Any, roles: list[str], where: str) -> tuple[Station, ...]:
    """The stations with the roles that load them, now that the roles are known."""
    made = []
    for station in stations:
        names = written[station.name].get("load_by", [])
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise LayoutError(
                f"{where}: stations.{station.name}.load_by: expected a role's name or a list of them, got {names!r}"
            )
        for name in names:
            if name not in roles:
                raise LayoutError(
                    f"{where}: stations.{station.name}.load_by: {name!r} is not a role (roles: {', '.join(roles)})"
                )
        if station.load is not None and not names:
            raise LayoutError(f"{where}: stations.{station.name}.load_by: name the roles that load it")
        made.append(replace(station, load_by=tuple(roles.index(name) for name in names)))
    return tuple(made)


def _roles(value: object, zone: str, station_of: StationOf, where: str) -> tuple[Role, ...]:
    if value is None:
        raise LayoutError(f"{where}: no [roles] table: a layout needs at least one role of cooks")
    roles = []
    for name, entry in _table(value, "roles", where).items():
        at = f"roles.{name}"
        entry = _table(entry, at, where)
        _known(entry, {"stations", "cooks", "schedule", "wage", "max_cooks"}, f"{where}: {at}")
        listed = entry.get("stations")
        if not isinstance(listed, list) or not listed:
            raise LayoutError(f"{where}: {at}.stations: expected a list of the stations it works, got {listed!r}")
        indices = tuple(station_of(s, f"{at}.stations", cooks_only=True) for s in listed)
        if len(set(indices)) < len(indices):
            raise LayoutError(f"{where}: {at}.stations: a station is listed twice")
        if ("cooks" in entry) == ("schedule" in entry):
            raise LayoutError(f"{where}: {at}: give its crew as either 'cooks' (a count) or 'schedule', not both")
        crew: int | CookSchedule
        if "cooks" in entry:
            cooks = entry["cooks"]
            if isinstance(cooks, bool) or not isinstance(cooks, int) or cooks < 0:
                raise LayoutError(f"{where}: {at}.cooks: expected a whole number >= 0, got {cooks!r}")
            crew = cooks
        else:
            try:
                crew = CookSchedule.parse(entry["schedule"], zone)
            except ScheduleError as error:
                raise LayoutError(f"{where}: {at}.schedule: {error}") from None
        wage = entry.get("wage")
        if wage is not None and (
            isinstance(wage, bool) or not isinstance(wage, (int, float)) or not 0 < wage < math.inf
        ):
            raise LayoutError(f"{where}: {at}.wage: expected an amount an hour > 0, like 18.50, got {wage!r}")
        most = entry.get("max_cooks")
        if most is not None and (isinstance(most, bool) or not isinstance(most, int) or most < 1):
            raise LayoutError(f"{where}: {at}.max_cooks: expected a whole number >= 1, got {most!r}")
        if most is not None and (crew if isinstance(crew, int) else crew.most) > most:
            raise LayoutError(f"{where}: {at}: its crew has more cooks than its max_cooks ({most})")
        roles.append(Role(name, indices, crew, None if wage is None else float(wage), most))
    if not roles:
        raise LayoutError(f"{where}: [roles] is empty: a layout needs at least one role of cooks")
    return tuple(roles)


def _routes(value: object, station_of: StationOf, where: str) -> tuple[Route, ...]:
    if not isinstance(value, list):
        raise LayoutError(f"{where}: routes: expected a list of [[routes]] tables, got {value!r}")
    routes = []
    for number, entry in enumerate(value, start=1):
        at = f"routes entry {number}"
        entry = _table(entry, at, where)
        _known(entry, {"dishes", "steps"}, f"{where}: {at}")
        dishes = entry.get("dishes")
        dishes = [dishes] if isinstance(dishes, str) else dishes
        if not isinstance(dishes, list) or not dishes or not all(isinstance(d, str) and d for d in dishes):
            raise LayoutError(f"{where}: {at}.dishes: expected a dish name, a pattern or a list of them")
        at = f"{at} ({', '.join(dishes)})"
        steps = entry.get("steps")
        if not isinstance(steps, list) or not steps:
            raise LayoutError(f"{where}: {at}.steps: expected a list of steps, each {{station = ..., time = ...}}")
        made = []
        for index, step in enumerate(steps, start=1):
            step_at = f"{at}, step {index}"
            step = _table(step, step_at, where)
            _known(step, {"station", "time"}, f"{where}: {step_at}")
            time = step.get("time")
            made.append(
                Step(
                    station_of(step.get("station"), step_at), None if time is None else _duration(time, step_at, where)
                )
            )
        routes.append(Route(tuple(dishes), tuple(made)))
    return tuple(routes)


def _packing(value: object, station_of: StationOf, where: str) -> Packing | None:
    if value is None:
        return None
    table = _table(value, "packing", where)
    _known(table, {"station", "per_order", "per_unit"}, f"{where}: packing")
    station = station_of(table.get("station"), "packing.station", cooks_only=True)
    per_order, per_unit = (_seconds(table.get(key, 0), f"packing.{key}", where) for key in ("per_order", "per_unit"))
    if per_order + per_unit == 0:
        raise LayoutError(f"{where}: packing: per_order and per_unit are both 0; leave [packing] out instead")
    return Packing(station, per_order, per_unit)


def _seconds(value: object, at: str, where: str, least: int = 0) -> int:
    seconds = seconds_of(value) if isinstance(value, str) else value
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < least:
        raise LayoutError(
            f"{where}: {at}: expected whole seconds >= {least} or minutes:seconds ('8:30'), got {value!r}"
        )
    return seconds


def _duration(value: object, at: str, where: str) -> Duration:
    if not isinstance(value, Mapping):
        return Duration(fixed=_seconds(value, f"{at}, time", where, least=1))
    if "samples" in value:
        _known(value, {"samples"}, f"{where}: {at}, time")
        samples = value["samples"]
        if not isinstance(samples, Sequence) or isinstance(samples, str) or not samples:
            raise LayoutError(f"{where}: {at}, time.samples: expected a list of times, got {samples!r}")
        return Duration(samples=tuple(_seconds(s, f"{at}, time.samples", where, least=1) for s in samples))
    _known(value, {"median", "p90"}, f"{where}: {at}, time")
    if "median" not in value or "p90" not in value:
        raise LayoutError(f"{where}: {at}, time: a varying time needs both 'median' and 'p90' (or 'samples')")
    median, p90 = (_seconds(value[key], f"{at}, time.{key}", where, least=1) for key in ("median", "p90"))
    if p90 < median:
        raise LayoutError(f"{where}: {at}, time: p90 ({p90} s) is below the median ({median} s)")
    return Duration(fixed=median) if p90 == median else Duration(median=median, p90=p90)
