"""The plan of a laid-out kitchen for a future week: the cooks of each role, and a roster of shifts for each, whose
promise holds on days it never saw (`python -m simulator.plan --layout FILE`; issue #27, a first version).

The week and its four sets of replications are planner.py's; what differs is the crew tried, one per role:
1. the requirement per role and interval on the search set (role_staffing.py);
2. each role's roster of shifts (roster.py), simulated together on the raise set: while some block falls short,
   the role whose one more cook in the short intervals helps the most (the fewest intervals still short, tried
   role by role on the same replications) gets it, and the rosters are solved again, up to ROSTER_ROUNDS times;
3. the verdict from the held-out set, in batches until every block's share of days is known within LEVEL_WIDTH;
4. the sensitivity to cook times: the requirement found by one cheaper search (half the search set, one pass
   over the roles, from half as many again as the plan's requirement, times the factor) with the times as they
   are, with every time of the layout and the menu 20% shorter, and 20% longer: the three on the same search.
5. the comparisons, on the compare set: the rosters beside the crews the layout file gives and each role's
   rosters' peak all day; and the backtest (plan.py): the rosters replayed on the file's own days, and each of the
   file's last weeks planned by role again from the weeks before it (fold_crew), as the one-pool plan does.

Where cooks do not help: a block still short with cooks to spare, once doubling them stops helping, is bound by
something cooks cannot change: equipment that is full (the stations whose slots, made unlimited, let it meet the
promise), or the dishes' own times. The plan says so per block ("oven full Fri 18:00-20:30: p90 with unlimited
cooks is 52 min") and holds such a block to within BOUND_SLACK of what cooks to spare reach there, instead of
raising cooks that do not help towards a target they cannot reach; the promise is then not kept (exit status 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace

from common.service_level import LEVEL_WIDTH, ServiceLevel
from common.settings import DEFAULT_WAGE
from common.wages import Wages
from simulator.experiment import report, staffing
from simulator.experiment.executor import Executor
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.labour_cost import cheapest_roster, rule_costs
from simulator.experiment.planner import (
    ROSTER_ROUNDS,
    PlanProgress,
    PlanRequest,
    Trials,
    UnreachableTarget,
    broken,
    textbook_rules,
)
from simulator.experiment.report import Assessment
from simulator.experiment.role_staffing import (
    RoleRequirement,
    capped_at,
    crewed,
    floors_by_role,
    requirement_by_role,
)
from simulator.experiment.roster import Roster
from simulator.experiment.study import Replication, WeekAhead
from simulator.experiment.trials import Option
from simulator.stations.layout import LaidOut, Layout

SENSITIVITY = (0.8, 1.2)
"""Every step time 20% shorter, and 20% longer."""
SPARE_DOUBLINGS = 5
"""How often the crew to spare is doubled, at most, before the plan says cooks alone do not keep the promise."""
BOUND_SLACK = 0.10
"""How much worse than with cooks to spare (its score: the p90 at the level's quantile of days, against the target)
a block that cooks cannot bring to the promise may be under the plan's crew."""
UNLIMITED_SLOTS = 100_000
"""Slots that are as good as unlimited: equipment tried without its limit, to see whether it is what binds."""
SENSITIVITY_PASSES = 1
"""Passes over the roles of a sensitivity's search (the plan's own: role_staffing.PASSES): one, as cheap as the
three searches can be; they are compared with one another, not with the plan's requirement."""


@dataclass(frozen=True)
class Bound:
    """A block that no number of cooks brings to the promise, and what binds it."""

    block: int
    intervals: tuple[int, ...]
    p90_minutes: float | None
    """Its p90 with cooks to spare, at the level's quantile of days; None: too few orders on a day to have one."""
    equipment: tuple[str, ...]
    """The equipment whose slots, made unlimited, let it meet the promise; empty: not equipment, but the dishes'
    own times (or all the equipment at once), or a role's cap."""
    capped: tuple[str, ...] = ()
    """The roles whose max_cooks, lifted, let it meet the promise: the room at their stations binds it."""

    def said(self, grid: IntervalGrid) -> str:
        first, last = self.intervals[0], self.intervals[-1]
        end = (grid.start_minute(last) + grid.minutes) % (24 * 60)
        span = f"{grid.label(first)}-{end // 60:02}:{end % 60:02}"
        p90 = "too few orders a day for a p90" if self.p90_minutes is None else f"{self.p90_minutes:.0f} min"
        if self.equipment:
            return f"{' and '.join(self.equipment)} full {span}: p90 with unlimited cooks is {p90}"
        if self.capped:
            return f"{' and '.join(self.capped)} at max_cooks {span}: p90 with as many as fit is {p90}"
        return f"{span}: the dishes' own times keep the p90 at {p90} with unlimited cooks"

    @property
    def causes(self) -> tuple[str, ...]:
        """What binds it, by name: equipment, or roles at their cap."""
        return self.equipment + self.capped


def holding(judge: Callable[[LaidOut], ServiceLevel], beyond: LaidOut) -> Callable[[LaidOut], ServiceLevel]:
    """`judge` as the plan searches with it: no crew is asked more than `beyond` (_beyond: twice the cooks to
    spare) reaches on the same replications. A block that `beyond` leaves short is bound by what cooks cannot
    change: it meets the promise while its score (BlockLevel.score) stays within BOUND_SLACK of the score there
    (its share of days is then all or none). On the search set these are the plan's Bound blocks; another set's
    days may bind a few more."""
    spared = judge(beyond)
    if not spared.short:
        return judge
    reference = {b.block: b.score for b in spared.short}

    def held(crew: LaidOut) -> ServiceLevel:
        result = judge(crew)
        blocks = [
            b
            if b.block not in reference
            else replace(b, met=b.days if b.score <= reference[b.block] * (1 + BOUND_SLACK) else 0)
            for b in result.blocks
        ]
        return replace(result, blocks=blocks)

    return held


@dataclass(frozen=True)
class RolePlan:
    week: WeekAhead
    layout: Layout
    requirement: RoleRequirement
    needed: list[list[int]]
    """The requirement per role as raised until the rosters met the service level on the raise replications."""
    rosters: list[Roster | None]
    """Each role's roster; None: the role needs no cook all week."""
    rounds: int
    raised: bool
    held_out: ServiceLevel
    """The rosters on the held-out replications: the verdict."""
    sensitivity: dict[float, RoleRequirement | None]
    """The requirement found by one cheaper search with the times as they are (1.0) and with every time of the
    layout (and the menu) SENSITIVITY times as long: cook times move the answer most, and point-of-sale data does
    not hold them. None: with those times, cooks to spare do not keep a block the plan keeps."""
    bound: dict[int, Bound]
    """The blocks no number of cooks keeps to the promise, by block."""
    wages: Wages = Wages(DEFAULT_WAGE)
    """What labour costs (each role at its wage), as the rosters were solved with."""
    rule_costs: dict[str, float] = field(default_factory=dict)
    """What each rule the rosters are held to costs a week, every role's together (labour_cost.rule_costs)."""
    assessments: dict[str, Assessment] = field(default_factory=dict)
    """On the compare replications: the rosters first, then what they are compared with (_comparisons)."""
    seed: int = 1
    """The seed its trials drew step times from: the crew replayed on the file's days draws from it too."""

    @property
    def crew(self) -> LaidOut:
        """The layout with each role's roster as its crew: what `python -m simulator --layout` runs."""
        return crewed(self.layout, *rostered(self.rosters, self.week.history.grid), self.seed)

    @property
    def on_shift(self) -> list[list[int]]:
        """Each role's cooks on shift in each interval of the plan (the fewest during it, on a finer grid)."""
        return on_plan_grid(self.rosters, self.week.history.grid)

    @property
    def holds(self) -> bool:
        """Whether the promise holds on the held-out days: never where cooks cannot keep it."""
        return not self.bound and not broken(self.held_out)


def plan_roles(
    request: PlanRequest,
    layout: Layout,
    week: WeekAhead,
    open_executor: Callable[[WeekAhead], AbstractContextManager[Executor[Replication]]],
    progress: PlanProgress,
) -> RolePlan:
    grid, promise = week.history.grid, request.promise
    with open_executor(week) as executor:
        staffed = _staff(request, layout, week, executor, progress, ROSTER_ROUNDS)
        held_out, compare = (Trials(executor, week, name, promise, progress) for name in ("held-out", "compare"))
        progress.set_postfix_str("held-out check")
        verdict = _verify(held_out, crewed(layout, *rostered(staffed.rosters, grid), request.seed))
        progress.set_postfix_str("comparisons")
        assessments = _comparisons(compare, layout, staffed.rosters, grid, request.seed)
        search = Trials(executor, week, "search", promise, progress)
        sensitivity = _sensitivity(
            search, layout, staffed.requirement, staffed.start, staffed.bound, staffed.least, request, progress
        )
    costs: dict[str, float] = {}
    for counts, roster, role in zip(staffed.needed, staffed.rosters, layout.roles, strict=True):
        if roster is not None:
            found = rule_costs(
                capped_at(role, counts),
                grid,
                request.min_shift,
                request.max_shift,
                role.max_cooks,
                request.wages,
                role.wage,
                roster,
            )
            for name, cost in found.items():
                costs[name] = costs.get(name, 0.0) + cost
    return RolePlan(
        week,
        layout,
        staffed.requirement,
        staffed.needed,
        staffed.rosters,
        staffed.rounds,
        staffed.raised,
        verdict,
        sensitivity,
        staffed.bound,
        request.wages,
        costs,
        assessments,
        request.seed,
    )


def fold_crew(
    request: PlanRequest,
    layout: Layout,
    week: WeekAhead,
    open_executor: Callable[[WeekAhead], AbstractContextManager[Executor[Replication]]],
    rounds: int,
    progress: PlanProgress,
) -> tuple[LaidOut, float]:
    """A cheaper plan by role of the week, for a backtest fold (planner.fold_roster's, by role): the requirement on
    the search set, the rosters raised on the raise set for at most `rounds` rounds; no held-out check, no
    comparisons, no sensitivity. (the layout with the rosters as its crews, the paid cook-hours of every role)."""
    with open_executor(week) as executor:
        staffed = _staff(request, layout, week, executor, progress, rounds)
    grid = week.history.grid
    hours = sum(roster.cook_hours for roster in staffed.rosters if roster is not None)
    return crewed(layout, *rostered(staffed.rosters, grid), request.seed), hours


@dataclass(frozen=True)
class _Staffed:
    """The rosters as found on the search and raise sets, with what the rest of the plan reads of the search."""

    start: list[int]
    """Cooks to spare per interval (_to_spare)."""
    bound: dict[int, Bound]
    least: list[list[int]]
    """The least cooks of each role in each interval (role_staffing.floors_by_role)."""
    requirement: RoleRequirement
    needed: list[list[int]]
    rosters: list[Roster | None]
    rounds: int
    raised: bool


def _staff(
    request: PlanRequest,
    layout: Layout,
    week: WeekAhead,
    executor: Executor[Replication],
    progress: PlanProgress,
    most_rounds: int,
) -> _Staffed:
    """The requirement per role on the search set, then each role's roster raised on the raise set."""
    grid, promise = week.history.grid, request.promise
    search, raising = (Trials(executor, week, name, promise, progress) for name in ("search", "raise"))
    textbook = [max(1, c) for c in textbook_rules(week, promise.target_minutes)["SIPP"]]
    progress.set_postfix_str("the promise with cooks to spare")
    start, bound = _to_spare(search.service_of, layout, grid, textbook, request.seed)
    beyond = _beyond(layout, start, grid, request.seed)
    least = floors_by_role(layout, week.history.file, grid, promise.worst_minutes)
    requirement = requirement_by_role(
        holding(search.service_of, beyond),
        layout,
        [start] * len(layout.roles),
        least,
        grid,
        promise.target_minutes,
        request.seed,
        lambda phase: progress.set_postfix_str(f"requirement: {phase}"),
        wages=_wages_of(layout, request),
    )
    progress.set_postfix_str("rosters")
    needed, rosters, rounds, raised = _raise_rosters(
        requirement.cooks, layout, holding(raising.service_of, beyond), request, grid, most_rounds
    )
    return _Staffed(start, bound, least, requirement, needed, rosters, rounds, raised)


def _comparisons(
    compare: Trials, layout: Layout, rosters: list[Roster | None], grid: IntervalGrid, seed: int
) -> dict[str, Assessment]:
    """On the compare replications: the rosters, then what an operator would staff instead: the crews the layout
    file gives (what the kitchen works today), and each role's rosters' peak all day (staffing for the rush)."""
    peaks = [[max(counts, default=0)] * grid.size for counts in rostered(rosters, grid)[0]]
    options = [
        Option("the rosters", crewed(layout, *rostered(rosters, grid), seed), "roster"),
        Option("the layout's own crews", LaidOut(layout, seed), "yours"),
        Option("each role's peak all day", crewed(layout, peaks, grid, seed), "fixed"),
    ]
    return {option.name: compare.assess(option) for option in options}


def _to_spare(
    judge: Callable[[LaidOut], ServiceLevel], layout: Layout, grid: IntervalGrid, textbook: list[int], seed: int
) -> tuple[list[int], dict[int, Bound]]:
    """Cooks per interval that keep the promise as every role's crew wherever cooks can: twice the textbook crew of
    the whole kitchen (SIPP, from the menu's cook times), doubled while the promise is missed and doubling helps (a
    layout's steps may take longer than the menu says); and the blocks still short once doubling stops helping,
    each with what binds it (Bound). UnreachableTarget when a block bound so waits longer than the promise's
    longest wait even then: the layout cannot keep up at all."""
    crew, missed = [2 * c for c in textbook], None
    for doubling in range(SPARE_DOUBLINGS):
        result = judge(crewed(layout, [crew] * len(layout.roles), grid, seed))
        if not result.short:
            return crew, {}
        if missed is not None and len(result.short) >= missed or doubling == SPARE_DOUBLINGS - 1:
            break  # `crew` is the crew judged last, that `result` is of
        missed = len(result.short)
        crew = [2 * c for c in crew]
    promise = result.promise
    worst = max(result.short, key=lambda b: b.score)
    if worst.p90_minutes is not None and worst.p90_minutes > promise.worst_minutes:
        equipment = ", ".join(f"{s.name} ({s.slots} slots)" for s in layout.stations if s.slots)
        raise UnreachableTarget(
            f"the kitchen cannot keep up by cooks alone: even with {max(crew)} cooks of every role at the peak, the"
            f" p90 of {grid.label(worst.intervals[0])} is {worst.p90_minutes:.0f} min, beyond the longest wait"
            f" promised ({promise.worst_minutes:g} min); "
            + (
                f"the equipment holds too few units at once: {equipment}"
                if equipment
                else "the dishes' own times are longer than the target allows"
            )
            + "".join(f"; {role.name} has room for {role.max_cooks} cooks" for role in layout.roles if role.max_cooks)
            + " (python -m simulator --layout with many cooks shows each station's longest wait)"
        )
    return crew, _what_binds(judge, layout, grid, crew, result, seed)


def _wages_of(layout: Layout, request: PlanRequest) -> list[float]:
    """Each role's wage an hour: its own, else WAGE_PER_HOUR."""
    return [request.wages.per_hour if role.wage is None else role.wage for role in layout.roles]


def _beyond(layout: Layout, spare: list[int], grid: IntervalGrid, seed: int) -> LaidOut:
    """Twice the cooks to spare in every role: what no crew the plan tries is asked to do better than."""
    return crewed(layout, [[2 * c for c in spare]] * len(layout.roles), grid, seed)


def _what_binds(
    judge: Callable[[LaidOut], ServiceLevel],
    layout: Layout,
    grid: IntervalGrid,
    crew: list[int],
    result: ServiceLevel,
    seed: int,
) -> dict[int, Bound]:
    """Each short block with the equipment whose slots, made unlimited one at a time (then all at once), let it
    meet the promise with the same cooks to spare."""
    short = {b.block: b for b in result.short}
    freed: dict[int, list[str]] = {block: [] for block in short}
    equipment = [s for s, station in enumerate(layout.stations) if station.slots]
    trials = [[s] for s in equipment] + ([equipment] if len(equipment) > 1 else [])
    for unlimited in trials:
        if len(unlimited) > 1 and all(freed.values()):
            break  # each block is freed by one station alone: all at once says no more
        stations = tuple(
            replace(station, slots=UNLIMITED_SLOTS) if s in unlimited else station
            for s, station in enumerate(layout.stations)
        )
        still = {
            b.block
            for b in judge(crewed(replace(layout, stations=stations), [crew] * len(layout.roles), grid, seed)).short
        }
        for block in short:
            if block not in still and not (len(unlimited) > 1 and freed[block]):
                freed[block].append(" and ".join(layout.stations[s].name for s in unlimited))
    capped: dict[int, list[str]] = {block: [] for block in short}
    for r, role in enumerate(layout.roles):
        if role.max_cooks is None or all(freed[block] for block in short):
            continue
        roles = tuple(replace(other, max_cooks=None) if k == r else other for k, other in enumerate(layout.roles))
        still = {b.block for b in judge(crewed(replace(layout, roles=roles), [crew] * len(roles), grid, seed)).short}
        for block in short:
            if block not in still and not freed[block]:
                capped[block].append(role.name)
    return {
        block: Bound(block, b.intervals, b.p90_minutes, tuple(freed[block]), tuple(capped[block]))
        for block, b in short.items()
    }


def _sensitivity(
    search: Trials,
    layout: Layout,
    requirement: RoleRequirement,
    start: list[int],
    bound: dict[int, Bound],
    least: list[list[int]],
    request: PlanRequest,
    progress: PlanProgress,
) -> dict[float, RoleRequirement | None]:
    """The requirement found again by one cheaper search (half the search weeks, SENSITIVITY_PASSES passes, from
    half as many cooks again as the plan's requirement, times the factor) with the times as they are (1) and
    every time SENSITIVITY times as long: the factors are compared on the same search. None: with those times,
    cooks to spare do not keep a block that the plan keeps (one not `bound`)."""
    grid, promise = search.week.history.grid, request.promise
    half = range(max(1, search.week.size("search") // 2))

    def on_half(crew: LaidOut) -> ServiceLevel:
        return search.service_of(crew, half)

    found: dict[float, RoleRequirement | None] = {}
    for factor in (1.0, *SENSITIVITY):
        progress.set_postfix_str(f"cook times x{factor:g}")
        scaled = layout.scaled(factor) if factor != 1 else layout
        try:
            spare_then, bound_then = _to_spare(
                on_half, scaled, grid, [math.ceil(c * factor / 2) for c in start], request.seed
            )
        except UnreachableTarget:
            found[factor] = None
            continue
        if set(bound_then) - set(bound):
            found[factor] = None
            continue
        # every role a half more than it needed, times the factor: the search cuts the most general first, as the
        # plan's did, while the others have cooks to spare (from a tight start it would pile the work on it)
        warm = [[math.ceil(c * factor * 1.5) + 1 for c in counts] for counts in requirement.cooks]
        found[factor] = requirement_by_role(
            holding(on_half, _beyond(scaled, spare_then, grid, request.seed)),
            scaled,
            warm,
            least,
            grid,
            promise.target_minutes,
            request.seed,
            passes=SENSITIVITY_PASSES,
            wages=_wages_of(layout, request),
        )
    return found


def _rosters(needed: list[list[int]], layout: Layout, grid: IntervalGrid, request: PlanRequest) -> list[Roster | None]:
    """Each role's cheapest roster, at its wage, never more of its cooks at once than its max_cooks."""
    return [
        cheapest_roster(
            capped_at(role, n),
            grid,
            request.min_shift,
            request.max_shift,
            role.max_cooks,
            request.wages,
            role.wage,
            request.rules,
        )
        if any(n)
        else None
        for n, role in zip(needed, layout.roles, strict=True)
    ]


def rostered(rosters: Sequence[Roster | None], grid: IntervalGrid) -> tuple[list[list[int]], IntervalGrid]:
    """Each role's cooks on shift on the rosters' own grid (the plan's `grid`, or a finer one for starts and breaks),
    and that grid: the crews the kitchen runs."""
    steps = next((roster.grid for roster in rosters if roster is not None), grid)
    return [roster.on_shift if roster else [0] * steps.size for roster in rosters], steps


def on_plan_grid(rosters: Sequence[Roster | None], grid: IntervalGrid) -> list[list[int]]:
    """Each role's cooks on shift in each interval of the plan's `grid` (Roster.on_grid)."""
    return [roster.on_grid(grid) if roster else [0] * grid.size for roster in rosters]


def _raise_rosters(
    requirement: list[list[int]],
    layout: Layout,
    judge: Callable[[LaidOut], ServiceLevel],
    request: PlanRequest,
    grid: IntervalGrid,
    most: int = ROSTER_ROUNDS,
) -> tuple[list[list[int]], list[Roster | None], int, bool]:
    """Each role's roster, simulated together on the raise set (`judge`); while intervals fall short, one more cook
    there for the role that helps the most, at most `most` rounds. (requirement as raised, rosters, rounds, whether
    they showed the level)."""
    needed = [list(counts) for counts in requirement]
    for rounds in range(1, most + 1):
        rosters = _rosters(needed, layout, grid, request)
        fine, steps = rostered(rosters, grid)
        on_shift = on_plan_grid(rosters, grid)
        missed = staffing.short_intervals(judge(crewed(layout, fine, steps, request.seed)))
        if not missed or rounds == most:
            return needed, rosters, rounds, not missed

        def still_short(
            role: int, missed: set[int] = missed, fine: list[list[int]] = fine, steps: IntervalGrid = steps
        ) -> int:
            """The intervals still short with one more cook of `role` in the missed ones."""
            per = grid.minutes // steps.minutes
            more = [
                [c + (k == role and i // per in missed) for i, c in enumerate(counts)] for k, counts in enumerate(fine)
            ]
            return len(staffing.short_intervals(judge(crewed(layout, more, steps, request.seed))))

        roomy = [
            r
            for r, role in enumerate(layout.roles)
            if role.max_cooks is None or any(on_shift[r][i] < role.max_cooks for i in missed)
        ]
        left = {r: still_short(r) for r in roomy}
        best = min(roomy, key=left.__getitem__, default=None)
        full = len(roomy) < len(layout.roles)  # a role is at its max_cooks in every short interval
        if best is None or full and left[best] >= len(missed):
            # the roles that could help are at their max_cooks, and one more cook of any other helps nowhere
            return needed, rosters, rounds, False
        for interval in missed:
            needed[best][interval] = max(needed[best][interval], on_shift[best][interval]) + 1
    raise AssertionError("unreachable: the last round returns")


def _verify(held_out: Trials, crew: LaidOut) -> ServiceLevel:
    """The crew on held-out replications, a batch at a time, until every block's share of days is known within
    LEVEL_WIDTH or the set is used up (planner.verify's rule)."""
    total = held_out.week.size("held-out")
    batch = max(1, math.ceil(total / 8))
    done = 0
    summaries = []
    while done < total:
        numbers = range(done, min(total, done + batch))
        summaries += held_out.executor.map([(("held-out", r), crew) for r in numbers], held_out.progress)
        done = numbers.stop
        found = report.service_level(summaries, held_out.week.blocks, held_out.promise)
        if found.widest <= LEVEL_WIDTH:
            break
    return found
