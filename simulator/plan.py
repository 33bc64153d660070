"""`python -m simulator.plan`: the cheapest roster of real shifts that meets the fulfillment target in every
interval of the day, from your own orders.

1. Replications: your file, and R-1 streams made from it (its demand curve and order mix; see
   simulator/experiment/demand.py); R more, made with other seeds, to check the plan on.
2. The requirement: the fewest cooks in each interval (--interval minutes of local time) such that the p90
   fulfillment of the orders received in it is at most --sla-p90, over the replications, backlog
   included (simulator/experiment/staffing.py has the method and its stopping rule).
3. The roster: shifts of --min-shift to --max-shift hours starting on the grid that cover the requirement
   at the fewest paid cook-hours (an integer program, OR-Tools CP-SAT). Then simulated on the fresh
   replications; where an interval misses the target, its requirement rises and the roster is solved
   again, until every interval with at least 10 orders meets it.
4. A comparison on the same fresh replications: the roster, the smallest fixed crew meeting the same
   per-interval target, the best two-level schedule, and the rosters of two textbook rules (SIPP's
   Erlang C per interval, and square-root staffing).

It writes --out (plan/ by default): cook_schedule.json (a COOK_SCHEDULE: run it with `python -m simulator
--schedule plan/cook_schedule.json`), shifts.csv, intervals.csv, comparison.csv and plan.html.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from tqdm import tqdm

from common.schedule import CookSchedule
from common.settings import settings_or_exit
from simulator.experiment import options, report, staffing
from simulator.experiment.direct import Crew
from simulator.experiment.executor import executor_for
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.report import Assessment
from simulator.experiment.roster import Roster, RosterError, solve
from simulator.experiment.trials import Option
from simulator.sweep import checked, plotly_js, read_replications, study_arguments

ROSTER_ROUNDS = 30  # re-simulations of the roster before giving up on meeting the target everywhere


@dataclass(frozen=True)
class Plan:
    grid: IntervalGrid
    orders_per_hour: np.ndarray
    requirement: staffing.Requirement
    needed: list[int]
    """The requirement as raised until the roster met the target on the fresh replications."""
    roster: Roster
    roster_rounds: int
    assessments: dict[str, Assessment]
    """On the fresh replications: the roster first, then what it is compared with."""
    textbook: dict[str, list[int]]
    """SIPP's and square-root staffing's cooks per interval."""


class Study:
    """Runs crews on a set of replications (by their indices among the executor's streams)."""

    def __init__(self, executor, grid: IntervalGrid, replications: list[int], progress: tqdm) -> None:
        self.executor, self.grid, self.replications, self.progress = executor, grid, replications, progress

    def assess(self, option: Option) -> Assessment:
        summaries = self.executor.map([(r, option.crew) for r in self.replications], self.progress)
        return report.assess(option, summaries, self.grid)

    def cooks(self, cooks: list[int], name: str = "staffing", kind: str = "requirement") -> Assessment:
        return self.assess(Option(name, self.grid.schedule(cooks), kind))


def smallest(feasible: Callable[[int], Assessment | None], low: int, high: int) -> Assessment | None:
    """The assessment at the smallest n in [low, high] for which `feasible(n)` is not None (monotone in n)."""
    best = feasible(high)
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


def make_plan(args, made, progress: tqdm) -> Plan:
    grid, target = made.grid, args.sla_p90
    search = list(range(len(made.streams)))
    fresh = list(range(len(made.streams), len(made.streams) + len(made.fresh)))
    with executor_for(made.streams + made.fresh, args.workers, args.cluster) as executor:
        finding, checking = Study(executor, grid, search, progress), Study(executor, grid, fresh, progress)
        rate, cook_time = staffing.offered_load(made.demand, grid)
        textbook = {"SIPP": staffing.sipp(rate, cook_time, target),
                    "square-root staffing": staffing.square_root(rate, cook_time)}
        arrivals = np.zeros(grid.size)
        for stream in made.streams:
            arrivals += np.bincount(stream.intervals, minlength=grid.size)
        least = staffing.floors((arrivals > 0).tolist(), grid, target)

        def on_round(phase: str) -> None:
            progress.set_postfix_str(f"requirement: {phase}")

        requirement = staffing.requirement(lambda cooks: finding.cooks(cooks).intervals,
                                           textbook["SIPP"], least, grid, target, on_round)
        needed = list(requirement.cooks)
        progress.set_postfix_str("roster")
        for rounds in range(1, ROSTER_ROUNDS + 1):
            roster = solve(needed, grid, args.min_shift, args.max_shift, args.max_cooks)
            checked_roster = checking.cooks(roster.on_shift, "the roster", "roster")
            missed = checked_roster.missed(target)
            if not missed:
                break
            for interval in missed:
                needed[interval.interval] += 1
        assessments = {"the roster": checked_roster}

        progress.set_postfix_str("comparisons")
        top = max(max(needed), 1)

        def fixed(n: int) -> Assessment | None:
            found = checking.assess(Option(f"{n} cooks", n, "fixed"))
            return found if found.meets_every_interval(target) else None

        ceiling = top
        while fixed(ceiling) is None and ceiling < 64 * top:
            ceiling *= 2
        crew = smallest(fixed, 1, ceiling)
        if crew is not None:
            assessments["smallest fixed crew"] = crew
        two_level = best_two_level(checking, grid, target, ceiling)
        if two_level is not None:
            assessments["best two-level schedule"] = two_level
        for name, cooks in textbook.items():
            try:
                textbook_roster = solve([max(c, f) for c, f in zip(cooks, least)], grid, args.min_shift,
                                        args.max_shift, args.max_cooks)
            except RosterError:
                continue
            assessments[f"{name} roster"] = checking.cooks(textbook_roster.on_shift, f"{name} roster", "textbook")
    return Plan(grid, made.demand.orders_per_hour(grid), requirement, needed, roster, rounds, assessments, textbook)


def best_two_level(study: Study, grid: IntervalGrid, target: float, ceiling: int) -> Assessment | None:
    """The two-level schedule (base crew, peak crew over lunch and dinner) of least labour that meets the
    target in every interval: the smallest base that can, then bases above it until labour rises twice."""
    def schedule(base: int, peak: int) -> Assessment:
        return study.assess(Option(f"{base} / {peak} at peaks", options.peak_schedule(base, peak, grid.zone), "schedule"))

    def base_ok(base: int) -> Assessment | None:
        found = schedule(base, max(base, ceiling))
        return found if found.meets_every_interval(target) else None

    lowest = smallest(base_ok, 1, ceiling)
    if lowest is None:
        return None
    base_floor = int(lowest.option.name.split(" / ")[0])
    best, rises, base = None, 0, base_floor
    step = max(1, base_floor // 10)
    while base <= ceiling and rises < 2:
        def peak_ok(peak: int, base=base) -> Assessment | None:
            found = schedule(base, peak)
            return found if found.meets_every_interval(target) else None

        found = smallest(peak_ok, base, max(base, ceiling))
        if found is not None and (best is None or found.labour_hours.mean < best.labour_hours.mean):
            best, rises = found, 0
        else:
            rises += 1
        base += step
    return best


def schedule_value(cooks: list[int], grid: IntervalGrid) -> dict:
    """The COOK_SCHEDULE a parameters file takes: one day, or a dict per weekday."""
    days = grid.schedule(cooks).describe()
    return days if grid.per_weekday else days["Mon"]


def write_outputs(plan: Plan, out: Path, target: float, include_plotlyjs: bool | str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    grid = plan.grid
    (out / "cook_schedule.json").write_text(json.dumps(schedule_value(plan.roster.on_shift, grid), indent=1) + "\n",
                                            encoding="utf-8")
    with open(out / "shifts.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["start", "end", "hours", "cooks_starting"])
        for shift in sorted(plan.roster.shifts, key=lambda s: (s.start, s.intervals)):
            writer.writerow([grid.label(shift.start), grid.label((shift.start + shift.intervals) % grid.size),
                             shift.intervals * grid.minutes / 60, shift.cooks])
    roster = {r.interval: r for r in plan.assessments["the roster"].intervals}
    with open(out / "intervals.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["interval", "orders_per_hour", "requirement_cooks", "rostered_cooks", "p90_min",
                         "p90_min_ci95", "held_to_target", "target_met", *[f"{n} cooks" for n in plan.textbook]])
        for interval in range(grid.size):
            result = roster.get(interval)
            p90 = result.p90 if result else report.Estimate(None)
            writer.writerow([
                grid.label(interval), round(float(plan.orders_per_hour[interval]), 1), plan.needed[interval],
                plan.roster.on_shift[interval], "" if p90.mean is None else round(p90.mean, 2),
                "" if p90.half_width is None else round(p90.half_width, 2),
                "yes" if result and result.counted else "no",
                "" if not (result and result.counted) else ("yes" if result.met(target) else "no"),
                *[cooks[interval] for cooks in plan.textbook.values()],
            ])
    report.write_csv(out / "comparison.csv", report.rows(list(plan.assessments.values()), target, options.describe))
    chart(plan, target).write_html(out / "plan.html", include_plotlyjs=include_plotlyjs)


def chart(plan: Plan, target: float) -> go.Figure:
    grid = plan.grid
    labels = [grid.label(i) for i in range(grid.size)]
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                           specs=[[{"secondary_y": True}], [{}]],
                           subplot_titles=("Demand, cooks needed and cooks rostered",
                                           "p90 fulfillment of the roster, by interval of receipt (fresh replications)"))
    figure.add_bar(x=labels, y=plan.orders_per_hour, name="orders per hour (your file)", marker_color="#cfd8dc",
                   row=1, col=1, secondary_y=True)
    figure.add_scatter(x=labels, y=plan.requirement.cooks, name="cooks needed", row=1, col=1,
                       line={"shape": "hv", "color": "#e53935", "width": 2})
    figure.add_scatter(x=labels, y=plan.roster.on_shift, name="cooks rostered", row=1, col=1,
                       line={"shape": "hv", "color": "#1e88e5", "width": 3})
    figure.add_scatter(x=labels, y=plan.textbook["SIPP"], name="SIPP (Erlang C per interval)", row=1, col=1,
                       line={"shape": "hv", "dash": "dot", "color": "#8e24aa"})
    results = {r.interval: r for r in plan.assessments["the roster"].intervals}
    shown = [i for i in range(grid.size) if i in results and results[i].p90.mean is not None]
    figure.add_scatter(x=[labels[i] for i in shown], y=[results[i].p90.mean for i in shown], mode="markers",
                       name="p90 (95% CI)", row=2, col=1,
                       marker={"color": ["#2e7d32" if results[i].met(target) or not results[i].counted else "#c62828"
                                         for i in shown]},
                       error_y={"type": "data", "array": [results[i].p90.half_width or 0 for i in shown]})
    figure.add_hline(y=target, line_dash="dash", annotation_text=f"target {target:g} min", row=2, col=1)
    figure.update_yaxes(title_text="cooks", row=1, col=1, secondary_y=False)
    figure.update_yaxes(title_text="orders per hour", row=1, col=1, secondary_y=True, showgrid=False, tickmode="auto",
                        rangemode="tozero")
    figure.update_yaxes(title_text="minutes", rangemode="tozero", row=2, col=1)
    figure.update_xaxes(title_text=f"local time ({grid.zone})", row=2, col=1)
    figure.update_layout(title=f"Staffing plan: p90 fulfillment at most {target:g} min in every interval",
                         template="plotly_white", width=1200, height=800)
    return figure


def summary(plan: Plan, args, made) -> str:
    target, grid = args.sla_p90, plan.grid
    roster = plan.assessments["the roster"]
    met, counted = roster.intervals_meeting(target)
    requirement_hours = sum(plan.requirement.cooks) * grid.minutes / 60
    cycle = "a week" if grid.per_weekday else "a day"
    lines = [
        f"Requirement: {requirement_hours:,.0f} cook-hours {cycle}, found in {plan.requirement.rounds} simulation"
        f" rounds{'' if plan.requirement.converged else ' (stopped at the iteration cap: not converged)'}.",
        f"Roster: {sum(s.cooks for s in plan.roster.shifts)} shifts of {args.min_shift:g}-{args.max_shift:g} hours,"
        f" {plan.roster.cook_hours:,.0f} paid cook-hours {cycle}"
        f" ({'optimal' if plan.roster.optimal else 'best found in the time given'}); price of shifts"
        f" {plan.roster.cook_hours / requirement_hours:.2f} (roster hours over requirement hours);"
        f" {plan.roster_rounds} round(s) of re-simulation.",
        f"On {len(made.fresh)} fresh replications: {met} of {counted} intervals held to the target meet it"
        f" (those with at least {report.MIN_ORDERS} orders per replication).",
        "",
        report.table(list(plan.assessments.values()), target),
        "",
    ]
    if "smallest fixed crew" in plan.assessments:
        crew = plan.assessments["smallest fixed crew"]
        lines.append(f"Labour: {1 - roster.labour_hours.mean / crew.labour_hours.mean:.0%} below the smallest fixed"
                     f" crew meeting the same target ({crew.option.name}).")
    if "best two-level schedule" in plan.assessments:
        two = plan.assessments["best two-level schedule"]
        lines.append(f"Labour: {1 - roster.labour_hours.mean / two.labour_hours.mean:.0%} below the best two-level"
                     f" schedule meeting it ({two.option.name}).")
    lines.append(f"Written to {args.out}: cook_schedule.json (run it: python -m simulator --schedule"
                 f" {args.out / 'cook_schedule.json'}), shifts.csv, intervals.csv, comparison.csv, plan.html.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("simulator.plan")
    parser = argparse.ArgumentParser(prog="python -m simulator.plan", description=__doc__.splitlines()[0])
    study_arguments(parser, settings, "plan")
    parser.add_argument("--min-shift", type=float, default=4.0, help="shortest shift, hours (default: %(default)s)")
    parser.add_argument("--max-shift", type=float, default=8.0, help="longest shift, hours (default: %(default)s)")
    parser.add_argument("--max-cooks", type=int, help="at most this many cooks on shift at once (default: no limit)")
    args = checked(parser, parser.parse_args(argv), settings)
    if not 0 < args.min_shift <= args.max_shift <= 24:
        parser.error("expected 0 < --min-shift <= --max-shift <= 24 hours")
    if args.max_cooks is not None and args.max_cooks < 1:
        parser.error("--max-cooks must be at least 1")
    made = read_replications("simulator.plan", args, args.timezone, fresh=args.replications)
    try:
        with tqdm(desc="planning", unit="run", disable=args.no_progress) as progress:
            plan = make_plan(args, made, progress)
    except RosterError as error:
        print(f"simulator.plan: {error}", file=sys.stderr)
        return 1
    write_outputs(plan, args.out, args.sla_p90, plotly_js(args))
    print(summary(plan, args, made))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
