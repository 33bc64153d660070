"""The staffing plan for a future week, from the user's own orders: the cheapest roster of real shifts whose
promise (common/service_level.py) holds on days it never saw.

1. The week: each day's orders from the forecast (forecast.py), spread by the file's intraday profile, with
   the file's baskets (demand.py); blocks of intervals from the orders expected in each.
2. A target no crew can reach is said before any search: with a cook for every unit, an order takes as
   long as its longest unit; if even that misses the promise somewhere, the least reachable target is named.
3. The requirement: the fewest cooks per interval meeting the service level on the *search* replications
   (staffing.py).
4. The roster: shifts covering the requirement at the fewest paid hours (roster.py), simulated on the
   *raise* replications; the intervals of every block that falls short there get one more cook, and the
   roster is solved again, up to ROSTER_ROUNDS times.
   Both decide as a sample of days shows the level (common/service_level.py, ServiceLevel.short): at least
   ceil(level (n + 1)) of a block's n days met, 28 of 28 search days and 55 of 56 raise days at 95%. By the
   plain share (27 of 28, 54 of 56) the roster kept the promise on the days it was chosen on, and on fewer of
   the days to come, most of all after a peak.
5. The verdict: the roster on *held-out* replications that took part in no decision, in batches until every
   block's share of days is known within LEVEL_WIDTH (a 95% Wilson interval at most 3 points wide) or
   HELD_OUT_TIMES search sets were run (800 days per block by default). Nothing is tuned on them.
6. Comparisons on the *compare* replications (a set of their own): the smallest fixed crew and the best
   two-level schedule meeting the same service level, and the rosters of two textbook rules (SIPP, and
   square-root staffing). The baselines are sized on these same replications, which favours them.

The four sets are drawn with seeds of their own, so the roster never depends on the held-out seeds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from common.schedule import CookSchedule
from common.service_level import LEVEL_WIDTH, BlockLevel, CellStats, Promise, ServiceLevel, judge
from common.settings import DEFAULT_WAGE
from common.wages import Wages
from simulator.experiment import options, report, staffing
from simulator.experiment.demand import day_date
from simulator.experiment.executor import Executor, Progress
from simulator.experiment.forecast import Forecast, forecast
from simulator.experiment.labour_cost import cheapest_roster, rule_costs
from simulator.experiment.report import Assessment
from simulator.experiment.roster import Roster
from simulator.experiment.shift_rules import ShiftRules
from simulator.experiment.streams import Stream
from simulator.experiment.study import History, Replication, WeekAhead
from simulator.experiment.trials import Option, TrialCrew
from simulator.tally import RunSummary

ROSTER_ROUNDS = 30
"""Re-simulations of the roster on the raise replications before the plan gives up, and says so."""
SEARCH_DAYS = 24
"""Days each block sees in the search set, by default."""
RAISE_TIMES, HELD_OUT_TIMES = 2, 20
"""The raise set and the held-out set (at most: it stops sooner once the verdict is sure), in search sets."""


class PlanProgress(Progress, Protocol):
    """The plan's progress bar (tqdm's): trials done, and the step under way."""

    def set_postfix_str(self, s: str) -> None: ...


class UnreachableTarget(ValueError):
    """No crew, however large, meets the promise: the orders' own cook times are longer."""


@dataclass(frozen=True)
class PlanRequest:
    promise: Promise
    min_shift: float
    max_shift: float
    max_cooks: int | None = None
    scale: float = 1.0
    seed: int = 1
    wages: Wages = Wages(DEFAULT_WAGE)
    """What labour costs: the roster minimises it (labour_cost.py)."""
    rules: ShiftRules = ShiftRules()
    """The rules the roster is held to (shift_rules.py)."""


@dataclass(frozen=True)
class Plan:
    week: WeekAhead
    requirement: staffing.Requirement
    needed: list[int]
    """The requirement as raised until the roster met the service level on the raise replications."""
    roster: Roster
    roster_rounds: int
    raised: bool
    """Whether the roster showed the service level on the raise replications within ROSTER_ROUNDS (every block
    at least ceil(level (n + 1)) of its n days met: ServiceLevel.short)."""
    held_out: Assessment
    """The roster on the held-out replications: the verdict."""
    assessments: dict[str, Assessment]
    """On the compare replications: the roster first, then what it is compared with."""
    textbook: dict[str, list[int]]
    """SIPP's and square-root staffing's cooks per interval."""
    wages: Wages = Wages(DEFAULT_WAGE)
    """What labour costs, as the roster was solved with."""
    rule_costs: dict[str, float] = field(default_factory=dict)
    """What each rule the roster is held to costs a week (labour_cost.rule_costs)."""

    @property
    def forecast(self) -> Forecast:
        return self.week.forecast

    @property
    def holds(self) -> bool:
        """No block's held-out share of days is below the service level by more than its 95% interval."""
        return not broken(self.held_out.service)


def broken(service: ServiceLevel) -> list[BlockLevel]:
    """The blocks whose whole 95% interval lies below the level: the promise shown not to hold."""
    return [b for b in service.blocks if b.interval_95[1] < service.promise.level]


def set_sizes(per_weekday: bool, search_weeks: int | None) -> dict[str, int]:
    """Replications in each set: a week gives a block one day on a weekly grid, seven on a daily one. The raise
    set is twice the search set, the compare set as large, and the held-out set (at most) twenty times."""
    search = search_weeks or math.ceil(SEARCH_DAYS / (1 if per_weekday else 7))
    return {"search": search, "raise": RAISE_TIMES * search, "compare": search, "held-out": HELD_OUT_TIMES * search}


class Trials:
    """Runs staffings on the replications of one set of the week and judges them."""

    def __init__(
        self, executor: Executor[Replication], week: WeekAhead, name: str, promise: Promise, progress: PlanProgress
    ) -> None:
        self.executor, self.week, self.name, self.promise, self.progress = executor, week, name, promise, progress

    def assess(self, option: Option, replications: range | None = None) -> Assessment:
        return report.assess(option, self._summaries(option.crew, replications), self.week.blocks, self.promise)

    def service(self, cooks: list[int]) -> ServiceLevel:
        """The service level of cooks per interval of the plan alone (no fulfillment percentiles): what the
        searches read, round after round."""
        return self.service_of(self.week.history.grid.schedule(cooks))

    def service_of(self, crew: TrialCrew, replications: range | None = None) -> ServiceLevel:
        """The service level of any crew (a roster's schedule, a laid-out kitchen), on this set (or some of it)."""
        return report.service_level(self._summaries(crew, replications), self.week.blocks, self.promise)

    def _summaries(self, crew: TrialCrew, replications: range | None = None) -> list[RunSummary]:
        numbers = replications if replications is not None else range(self.week.size(self.name))
        return self.executor.map([((self.name, r), crew) for r in numbers], self.progress)


def make_plan(
    request: PlanRequest,
    week: WeekAhead,
    open_executor: Callable[[WeekAhead], AbstractContextManager[Executor[Replication]]],
    progress: PlanProgress,
) -> Plan:
    grid, promise = week.history.grid, request.promise
    with open_executor(week) as executor:
        held_out, compare = (Trials(executor, week, name, promise, progress) for name in ("held-out", "compare"))
        progress.set_postfix_str("the least reachable target")
        least_target = least_reachable(week, promise)
        if least_target is not None:
            raise UnreachableTarget(least_target)
        requirement, roster, needed, rounds, raised = staff(request, week, executor, ROSTER_ROUNDS, progress)
        progress.set_postfix_str("held-out check")
        verdict = verify(held_out, roster.schedule())
        progress.set_postfix_str("comparisons")
        assessments = {"the roster": compare.assess(Option("the roster", roster.schedule(), "roster"))}
        textbook = textbook_rules(week, promise.target_minutes)
        assessments.update(comparisons(compare, week, textbook, floors_of(week, promise), request))
    progress.set_postfix_str("what the rules cost")
    costs = rule_costs(
        needed, grid, request.min_shift, request.max_shift, request.max_cooks, request.wages, None, roster
    )
    return Plan(week, requirement, needed, roster, rounds, raised, verdict, assessments, textbook, request.wages, costs)


def staff(
    request: PlanRequest, week: WeekAhead, executor: Executor[Replication], most_rounds: int, progress: PlanProgress
) -> tuple[staffing.Requirement, Roster, list[int], int, bool]:
    """The requirement on the search set, then the roster raised on the raise set: (requirement, roster, the
    requirement as raised, rounds, whether the roster met the service level there)."""
    grid, promise = week.history.grid, request.promise
    search, raising = (Trials(executor, week, name, promise, progress) for name in ("search", "raise"))
    requirement = staffing.requirement(
        search.service,
        textbook_rules(week, promise.target_minutes)["SIPP"],
        floors_of(week, promise),
        grid,
        promise.target_minutes,
        lambda phase: progress.set_postfix_str(f"requirement: {phase}"),
    )
    progress.set_postfix_str("roster")
    return (requirement, *raise_roster(requirement.cooks, raising, request, most_rounds))


def textbook_rules(week: WeekAhead, target_minutes: float) -> dict[str, list[int]]:
    """SIPP's and square-root staffing's cooks per interval, for the week's expected orders."""
    rate, cook_time = staffing.offered_load(week.orders_per_day, week.history.file, week.history.grid)
    return {
        "SIPP": staffing.sipp(rate, cook_time, target_minutes),
        "square-root staffing": staffing.square_root(rate, cook_time),
    }


def floors_of(week: WeekAhead, promise: Promise) -> list[int]:
    return staffing.floors((week.orders_per_day > 0).tolist(), week.history.grid, promise.worst_minutes)


def week_ahead(history: History, first_day: int, request: PlanRequest, sizes: dict[str, int]) -> WeekAhead:
    """The week from `first_day` (a local day after the file's last), forecast from the file alone."""
    last = int(history.demand.days[-1])
    if first_day <= last:
        raise ValueError(f"the week planned must start after the file's last day, {day_date(last)}")
    made = forecast(history.demand, np.arange(max(last + 1, first_day - 1), first_day + 7))
    return WeekAhead.of(history, made, first_day, request.seed, request.scale, sizes)


def fold_roster(
    request: PlanRequest,
    week: WeekAhead,
    open_executor: Callable[[WeekAhead], AbstractContextManager[Executor[Replication]]],
    rounds: int,
    progress: PlanProgress,
) -> tuple[CookSchedule, float]:
    """A cheaper plan of the week for a backtest fold: the requirement on the search set, the roster raised on
    the raise set for at most `rounds` rounds; no held-out check, no comparisons. (schedule, cook-hours paid)."""
    with open_executor(week) as executor:
        _, roster, *_ = staff(request, week, executor, rounds, progress)
    return roster.schedule(), roster.cook_hours


def raise_roster(
    requirement: list[int], raising: Trials, request: PlanRequest, most: int
) -> tuple[Roster, list[int], int, bool]:
    """The roster covering the requirement, simulated on the raise set; the intervals of every block that falls
    short of the service level there (ServiceLevel.short) get one more cook and it is solved again, at most
    `most` times. (roster, the requirement it covers, rounds, whether it showed the service level)."""
    grid, needed = raising.week.history.grid, list(requirement)
    for rounds in range(1, most + 1):
        roster = cheapest_roster(
            needed, grid, request.min_shift, request.max_shift, request.max_cooks, request.wages, rules=request.rules
        )
        missed = staffing.short_intervals(raising.service_of(roster.schedule()))
        room = [i for i in missed if request.max_cooks is None or needed[i] < request.max_cooks]
        if not missed or not room or rounds == most:  # met; or capped by --max-cooks; or out of rounds
            return roster, needed, rounds, not missed
        for interval in room:
            needed[interval] += 1
    raise ValueError("at least one round is needed")


def verify(held_out: Trials, schedule: CookSchedule) -> Assessment:
    """The roster on held-out replications, a batch at a time, until every block's share of days is known
    within LEVEL_WIDTH or the set is used up."""
    total = held_out.week.size("held-out")
    batch = max(1, math.ceil(total / 8))
    summaries: list[RunSummary] = []
    option = Option("the roster, held out", schedule, "roster")
    while len(summaries) < total:
        numbers = range(len(summaries), min(total, len(summaries) + batch))
        summaries += held_out.executor.map([(("held-out", r), schedule) for r in numbers], held_out.progress)
        found = report.assess(option, summaries, held_out.week.blocks, held_out.promise)
        if found.service.widest <= LEVEL_WIDTH:
            break
    return found


def least_reachable(week: WeekAhead, promise: Promise) -> str | None:
    """None when a crew with a cook for every unit meets the promise in every block on the search replications;
    else one line naming the least target that could be met."""
    numbers = range(week.size("search"))
    unlimited = [unlimited_cells(week[("search", r)]) for r in numbers]
    result = judge(unlimited, week.blocks, promise)
    if result.met:
        return None
    grid = week.history.grid
    worst = max(result.blocks, key=lambda b: b.score)
    p90s = [b.p90_minutes for b in result.blocks if b.p90_minutes is not None]
    longest = max(float(np.max(c.longest)) for c in unlimited if len(c.longest)) / 60
    p90_needed = math.ceil(max(p90s, default=0.0))
    return (
        f"the promise cannot be met with any number of cooks: even with a cook for every unit, an order takes as"
        f" long as its longest unit, and {grid.label(worst.intervals[0])} misses on"
        f" {1 - worst.share:.0%} of days; the least targets this kitchen can reach are --sla-p90"
        f" {max(p90_needed, 1)} with --max-wait {math.ceil(max(longest, p90_needed))}"
        f" (minutes, at --service-level {promise.level:g})"
    )


def unlimited_cells(stream: Stream) -> CellStats:
    """Each cell's orders when no unit ever waits: an order takes its longest unit's cook time."""
    assert stream.cells is not None  # the week's replications are judged by days (study.judged_by_days)
    sizes = np.diff(stream.unit_offsets)
    longest = np.maximum.reduceat(stream.cook_times, stream.unit_offsets[:-1]) if len(sizes) else np.zeros(0)
    return CellStats.of(stream.cells, np.where(sizes > 0, longest, 0))


def comparisons(
    compare: Trials, week: WeekAhead, textbook: dict[str, list[int]], least: list[int], request: PlanRequest
) -> dict[str, Assessment]:
    """The smallest fixed crew and the best two-level schedule meeting the service level, and the textbook
    rules' rosters, all on the compare replications."""
    grid = week.history.grid
    found: dict[str, Assessment] = {}
    top = max(max(textbook["SIPP"]), 1)

    def fixed(n: int) -> Assessment | None:
        assessed = compare.assess(Option(f"{n} cooks", n, "fixed"))
        return assessed if assessed.meets_service_level() else None

    ceiling, crew = top, fixed(top)
    while crew is None and ceiling < 64 * top:
        ceiling *= 2
        crew = fixed(ceiling)
    if crew is not None:
        crew = smallest(fixed, 1, ceiling, known=crew)
    if crew is not None:
        found["smallest fixed crew"] = crew
        fixed_cooks = crew.option.crew
        assert isinstance(fixed_cooks, int)  # an option of fixed(): a number of cooks
        two_level = best_two_level(compare, options.peak_intervals(week.orders_per_day, grid), fixed_cooks)
        if two_level is not None:
            found["best two-level schedule"] = two_level
    unnamed = replace(request.rules, cooks_available=None)  # who works them changes nothing compared here
    for name, cooks in textbook.items():
        try:
            textbook_roster = cheapest_roster(
                [max(c, f) for c, f in zip(cooks, least, strict=True)],
                grid,
                request.min_shift,
                request.max_shift,
                request.max_cooks,
                request.wages,
                rules=unnamed,
            )
        except ValueError:
            continue
        found[f"{name} roster"] = compare.assess(Option(f"{name} roster", textbook_roster.schedule(), "textbook"))
    return found


def smallest(
    feasible: Callable[[int], Assessment | None], low: int, high: int, known: Assessment | None = None
) -> Assessment | None:
    """The assessment at the smallest n in [low, high] for which `feasible(n)` is not None (monotone in n);
    `known`: feasible(high), when it was already run."""
    best = known or feasible(high)
    if best is None:
        return None
    while low < high:
        middle = (low + high) // 2
        found = feasible(middle)
        if found is None:
            low = middle + 1
        else:
            best, high = found, middle
    return best


def best_two_level(trials: Trials, peaks: list[bool], ceiling: int) -> Assessment | None:
    """The two-level schedule (a base crew, and a peak crew over the peaks of the demand) of least labour that
    meets the service level: the smallest base that can, then bases above it until labour rises twice."""
    grid = trials.week.history.grid

    def schedule(base: int, peak: int) -> Assessment:
        return trials.assess(
            Option(f"{base} / {peak} at peaks", options.two_level(base, peak, peaks, grid), "schedule")
        )

    def base_ok(base: int) -> Assessment | None:
        found = schedule(base, ceiling)
        return found if found.meets_service_level() else None

    lowest = smallest(base_ok, 1, ceiling)
    if lowest is None:
        return None
    base_floor = int(lowest.option.name.split(" / ")[0])
    best, rises, base = None, 0, base_floor
    step = max(1, base_floor // 10)
    top = ceiling  # a larger base never needs a larger peak: the last peak found bounds the next search
    while base <= ceiling and rises < 2:

        def peak_ok(peak: int, base: int = base) -> Assessment | None:
            found = schedule(base, peak)
            return found if found.meets_service_level() else None

        found = smallest(peak_ok, base, max(base, top))
        if found is not None:
            top = int(found.option.name.split(" / ")[1].split()[0])
        if found is not None and (best is None or found.mean_labour_hours < best.mean_labour_hours):
            best, rises = found, 0
        else:
            rises += 1
        base += step
    return best
