"""The cooks needed per role and interval of a laid-out kitchen: the first part of the plan by role (issue #27).

Coordinate descent over the roles. Every role starts with enough cooks to do the whole kitchen's work alone
(the plan's crew to spare: role_planner.py); then each role in turn has its requirement found by
staffing.requirement, the raise and the trim of one pool's (a cut kept only when every block still shows the
service level), the other roles held where they are. Passes over the roles repeat until one changes nothing, or
PASSES ran. The result meets the service level on the replications it was found on, and no role can lose a cook
in an interval as its trim tried it; it is a local minimum: roles that share stations split their work by the
order they are searched in. The dearest role goes first (by its wage), so that it is cut while the cheaper
ones still have cooks to spare and they keep the work it need not do; among roles paid the same, the most
general first (the specialists keep the work of their stations, and the generalists take what is left).

A one-role layout of one station is today's kitchen, and its requirement is exactly staffing.requirement's
(the tests hold it): the same search on the same trials.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from common.service_level import ServiceLevel
from simulator.experiment import staffing
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.streams import Stream
from simulator.menu import Dish
from simulator.stations.layout import LaidOut, Layout, Role

PASSES = 2
"""Passes over the roles at most: the first finds each role beside roles with cooks to spare; the second finds
each again beside the others as found (on the shipped layout a third cuts a few cook-hours in a thousand, at
half the search's time again)."""

EvaluateRoles = Callable[[LaidOut], ServiceLevel]
"""Run a laid-out crew on every replication and judge it, block by block."""


@dataclass(frozen=True)
class RoleRequirement:
    cooks: list[list[int]]
    """Per role (the layout's order), cooks needed in each interval of the grid."""
    rounds: int
    """Simulation rounds it took, each over every replication."""
    converged: bool
    """False when a role's search hit its cap (staffing.RAISE_CAP, TRIM_CAP), or the result misses the level."""
    result: ServiceLevel
    settled: bool = True
    """Whether a last pass over the roles changed nothing; False: the passes ran out while a pass still cut
    (another might cut a few cooks more; the result keeps the level all the same)."""


def crewed(layout: Layout, cooks: Sequence[Sequence[int]], grid: IntervalGrid, seed: int) -> LaidOut:
    """The layout with each role's cooks per interval of the grid as its crew (the same count all day: a fixed
    crew, maybe of 0), never more than its max_cooks: every trial of the plan keeps to the room at its stations."""
    capped = [capped_at(role, counts) for role, counts in zip(layout.roles, cooks, strict=True)]
    roles = tuple(
        replace(role, crew=grid.schedule(counts) if len(set(counts)) > 1 else counts[0])
        for role, counts in zip(layout.roles, capped, strict=True)
    )
    return LaidOut(replace(layout, roles=roles), seed)


def capped_at(role: Role, counts: Sequence[int]) -> list[int]:
    """A role's cooks per interval, at most its max_cooks."""
    return [c if role.max_cooks is None else min(c, role.max_cooks) for c in counts]


def floors_by_role(layout: Layout, stream: Stream, grid: IntervalGrid, target_minutes: float) -> list[list[int]]:
    """The least cooks of each role in each interval: one wherever a station that only this role works (or
    loads, or packs at) gets units (or orders to pack), or got them within the target before (staffing.floors);
    none where other roles can do its work too, for which of them does it is the search's to find."""
    assert stream.dishes is not None  # a stream read from orders carries its units' dishes
    order_of_unit = np.repeat(np.arange(stream.orders), np.diff(stream.unit_offsets))
    interval_of_unit = stream.intervals[order_of_unit]
    floors = [[0] * grid.size for _ in layout.roles]
    for s, works in enumerate(layout.servers()):
        if len(works) != 1:
            continue
        routed = np.array(
            [any(step.station == s for step in layout.route(Dish(name, 1))) for name in stream.dish_names], dtype=bool
        )
        arrives = np.zeros(grid.size, dtype=bool)
        if len(routed):
            arrives[np.unique(interval_of_unit[routed[stream.dishes]])] = True
        least = staffing.floors(arrives.tolist(), grid, target_minutes)
        floors[works[0]] = [max(a, b) for a, b in zip(floors[works[0]], least, strict=True)]
    packers = layout.servers()[layout.packing.station] if layout.packing is not None else []
    if len(packers) == 1:  # every order is packed: one cook wherever orders arrive, or arrived within the target
        arrives = np.zeros(grid.size, dtype=bool)
        arrives[np.unique(stream.intervals)] = True
        least = staffing.floors(arrives.tolist(), grid, target_minutes)
        floors[packers[0]] = [max(a, b) for a, b in zip(floors[packers[0]], least, strict=True)]
    return floors


def requirement_by_role(
    evaluate: EvaluateRoles,
    layout: Layout,
    start: Sequence[Sequence[int]],
    least: Sequence[Sequence[int]],
    grid: IntervalGrid,
    target_minutes: float,
    seed: int = 1,
    on_round: Callable[[str], None] = lambda phase: None,
    passes: int = PASSES,
    wages: Sequence[float] | None = None,
) -> RoleRequirement:
    """The fewest cooks per role and interval meeting the service level in every block (see the docstring);
    `start`: each role's first staffing (at first, cooks that can do all of the kitchen's work alone);
    `least`: each role's floors (floors_by_role); `wages`: each role's wage an hour, the order of the search."""
    cooks = [
        [max(s, f) for s, f in zip(first, floors, strict=True)] for first, floors in zip(start, least, strict=True)
    ]
    found_beside: list[list[list[int]] | None] = [None] * len(cooks)  # the other roles' cooks when each was found
    rounds = 0
    result: ServiceLevel | None = None
    paid = wages or [0.0] * len(cooks)
    dearest_first = sorted(range(len(cooks)), key=lambda r: (-paid[r], -len(layout.roles[r].stations), r))
    for _ in range(passes):
        changed = False
        for r in dearest_first:
            others = [counts for k, counts in enumerate(cooks) if k != r]
            if found_beside[r] == others:  # found beside these already: the same search would find it again
                continue

            def of_role(counts: list[int], r: int = r) -> ServiceLevel:
                trial = [counts if k == r else cooks[k] for k in range(len(cooks))]
                return evaluate(crewed(layout, trial, grid, seed))

            def said(phase: str, name: str = layout.roles[r].name) -> None:
                on_round(f"{name} {phase}")

            found = staffing.requirement(of_role, cooks[r], least[r], grid, target_minutes, said)
            rounds += found.rounds
            changed = changed or found.cooks != cooks[r]
            cooks[r], result, found_beside[r] = found.cooks, found.result, [list(c) for c in others]
            if not found.converged:
                return RoleRequirement(cooks, rounds, False, result, False)
        if not changed:
            break
    assert result is not None  # a layout has a role, and the first pass finds each
    return RoleRequirement(cooks, rounds, not result.short, result, not changed)
