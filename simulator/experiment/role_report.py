"""What a plan by role leaves the analyst (role_planner.py): each role's shifts, the layout with the rosters as its
crews (run it: `python -m simulator --layout plan/layout.json`), each interval's cooks by role and held-out
verdict (and what binds it where cooks do not help), and a summary."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from common.plan_files import NO, YES
from simulator.experiment import report
from simulator.experiment.calendar_file import write_calendar
from simulator.experiment.labour_cost import week_cost
from simulator.experiment.plan_report import (
    SHIFT_COLUMNS,
    Backtest,
    CsvRow,
    _pct,
    _write,
    backtest_lines,
    block_label,
    budget_line,
    cost_by_day,
    cost_terms,
    days_met,
    forecast_bars,
    labour_against,
    rules_lines,
    shift_rows_of,
    write_backtest,
    write_comparison,
)
from simulator.experiment.role_planner import BOUND_SLACK, Bound, RolePlan
from simulator.experiment.role_staffing import PASSES, RoleRequirement
from simulator.experiment.shift_rules import NO_RULES

FILES = (
    "shifts.csv",
    "shifts.ics",
    "layout.json",
    "intervals_by_role.csv",
    "sensitivity.csv",
    "backtest.csv",
    "accuracy.csv",
    "comparison.csv",
    "plan.html",
)
DISHES_OWN_TIMES = "the dishes' own times"


def write_role_outputs(
    plan: RolePlan, tested: Backtest, out: Path, include_plotlyjs: bool | str = "cdn", budget: float | None = None
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    grid = plan.week.history.grid
    write_backtest(out, grid, tested)
    write_comparison(out, list(plan.assessments.values()), plan.wages, grid, _rosters_cost(plan), _solver(plan))
    rows = [
        [role.name, *row]
        for role, roster in zip(plan.layout.roles, plan.rosters, strict=True)
        if roster is not None
        for row in shift_rows_of(plan.week, roster, plan.wages, role.wage)
    ]
    _write(out / "shifts.csv", ["role", *SHIFT_COLUMNS], rows)
    write_calendar(out / "shifts.ics", ["role", *SHIFT_COLUMNS], rows, plan.week.history.grid.zone)
    (out / "layout.json").write_text(json.dumps(laid_out_as_written(plan), indent=2), encoding="utf-8")
    _write(
        out / "intervals_by_role.csv",
        [
            "interval",
            "block",
            "orders_per_day",
            *(f"{role.name}_{what}" for role in plan.layout.roles for what in ("needed", "on_shift")),
            "held_out_days",
            "held_out_share_pct",
            "held_out_p90_min",
            "meets_service_level",
            "bound_by",
            "timezone",
        ],
        _interval_rows(plan),
    )
    role_chart(plan, rows, budget).write_html(out / "plan.html", include_plotlyjs=include_plotlyjs)
    hours = _requirement_hours(plan)
    _write(
        out / "sensitivity.csv",
        ["role", *(f"requirement_cook_hours_times_{factor:g}" for factor in hours)],
        [
            [role.name, *("" if of_roles is None else round(of_roles[r], 1) for of_roles in hours.values())]
            for r, role in enumerate(plan.layout.roles)
        ],
    )


def role_chart(plan: RolePlan, shifts: list[CsvRow], budget: float | None = None) -> go.Figure:
    """plan.html of a plan by role: each role's cooks needed and rostered by interval, the held-out share of days
    by interval (where cooks do not help, what binds it), and the labour cost by day and role."""
    grid, week, held = plan.week.history.grid, plan.week, plan.held_out
    level = held.promise.level
    labels = [grid.label(i) for i in range(grid.size)]
    columns = ["role", *SHIFT_COLUMNS]
    total = sum(cost_by_day(shifts, columns).values())
    against = "" if budget is None else f" against a budget of {plan.wages.show(budget)} ({total / budget:.0%})"
    figure = make_subplots(
        rows=3,
        cols=1,
        vertical_spacing=0.09,
        specs=[[{"secondary_y": True}], [{}], [{}]],
        row_heights=[0.4, 0.3, 0.3],
        subplot_titles=(
            f"Cooks needed (dotted) and rostered, by role ({grid.zone})",
            f"Share of held-out days meeting the target, by interval; level {level:.0%}"
            + ("; grey: no number of cooks keeps it" if plan.bound else ""),
            f"Labour cost by day of the shifts that start on it: {plan.wages.show(total)} a week{against}",
        ),
    )
    forecast_bars(figure, labels, week)
    palette = ["#1e88e5", "#e53935", "#43a047", "#8e24aa", "#fb8c00", "#00897b", "#6d4c41", "#546e7a"]
    for r, (role, needed, on_shift) in enumerate(zip(plan.layout.roles, plan.needed, plan.on_shift, strict=True)):
        colour = palette[r % len(palette)]
        figure.add_scatter(x=labels, y=needed, name=f"{role.name} needed", row=1, col=1,
                           line={"shape": "hv", "dash": "dot", "color": colour})  # fmt: skip
        figure.add_scatter(x=labels, y=on_shift, name=f"{role.name} rostered", row=1, col=1,
                           line={"shape": "hv", "width": 2, "color": colour})  # fmt: skip
    bound_intervals = {i for bound in plan.bound.values() for i in bound.intervals}
    shown = [(i, b) for i in range(grid.size) if (b := held.of_interval(i)) is not None]
    days_met(figure, labels, shown, level, frozenset(bound_intervals))
    day_column, role_column, cost_column = columns.index("day"), columns.index("role"), columns.index("cost")
    for r, role in enumerate(plan.layout.roles):
        by_day: dict[str, float] = {}
        for row in shifts:
            if row[role_column] == role.name:
                by_day[str(row[day_column])] = by_day.get(str(row[day_column]), 0.0) + float(row[cost_column] or 0)
        if by_day:
            figure.add_bar(x=list(by_day), y=list(by_day.values()), name=f"{role.name} cost", row=3, col=1,
                           marker_color=palette[r % len(palette)])  # fmt: skip
    if budget is not None:
        figure.add_hline(y=budget / 7, line_dash="dash", annotation_text="budget / 7", row=3, col=1)
    figure.update_layout(
        barmode="stack",
        title=f"Staffing plan by role: {held.promise.describe()}",
        template="plotly_white",
        width=1200,
        height=1250,
    )
    figure.update_yaxes(title_text="cooks", row=1, col=1, secondary_y=False)
    figure.update_yaxes(title_text="orders per hour", row=1, col=1, secondary_y=True, showgrid=False)
    figure.update_yaxes(title_text="% of days", row=2, col=1)
    figure.update_yaxes(title_text=plan.wages.currency, row=3, col=1)
    return figure


def _interval_rows(plan: RolePlan) -> list[CsvRow]:
    """Per interval: the orders expected, each role's requirement and roster, the held-out verdict of its block,
    and, where no number of cooks keeps it, what binds it (equipment, or the dishes' own times)."""
    grid, week, held = plan.week.history.grid, plan.week, plan.held_out
    rows = []
    for interval in range(grid.size):
        block_of = week.blocks.of_interval[interval]
        block = held.of_interval(interval)
        bound = plan.bound.get(block_of)
        rows.append(
            [
                grid.label(interval),
                block_label(grid, week.blocks.intervals(block_of)),
                round(float(week.orders_per_day[interval]), 2),
                *(
                    counts[interval]
                    for needed, on_shift in zip(plan.needed, plan.on_shift, strict=True)
                    for counts in (needed, on_shift)
                ),
                block.days if block else 0,
                _pct(block.share) if block else None,
                None if block is None or block.p90_minutes is None else round(block.p90_minutes, 2),
                (YES if block.meets(held.promise.level) else NO) if block else YES,
                "" if bound is None else " and ".join(bound.causes) or DISHES_OWN_TIMES,
                grid.zone,
            ]
        )
    return rows


def _bound_stretches(plan: RolePlan) -> list[tuple[Bound, float | None]]:
    """The blocks where cooks do not help, neighbours bound by the same thing joined into one stretch (its p90 the
    worst of theirs), each with the rosters' worst held-out p90 there."""
    held = {b.block: b.p90_minutes for b in plan.held_out.blocks}
    stretches: list[tuple[Bound, float | None]] = []
    for bound in sorted(plan.bound.values(), key=lambda b: b.intervals[0]):
        reached = held.get(bound.block)
        if stretches:
            last, worst = stretches[-1]
            if last.causes == bound.causes and last.intervals[-1] + 1 == bound.intervals[0]:
                p90s = [p for p in (last.p90_minutes, bound.p90_minutes) if p is not None]
                joined = replace(last, intervals=last.intervals + bound.intervals, p90_minutes=max(p90s, default=None))
                worsts = [p for p in (worst, reached) if p is not None]
                stretches[-1] = (joined, max(worsts, default=None))
                continue
        stretches.append((bound, reached))
    return stretches


def _requirement_hours(plan: RolePlan) -> dict[float, list[float] | None]:
    """Cook-hours of each role's requirement per cycle, found by the sensitivity's search with cook times as they
    are (1) and scaled; None where the promise is not kept by cooks alone."""
    minutes = plan.week.history.grid.minutes
    found: dict[float, RoleRequirement | None] = plan.sensitivity
    return {
        factor: None if requirement is None else [sum(counts) * minutes / 60 for counts in requirement.cooks]
        for factor, requirement in sorted(found.items())
    }


def laid_out_as_written(plan: RolePlan) -> dict[str, object]:
    """The layout's own tables, each role's crew replaced by its roster: a schedule in the kitchen's zone (refused
    in another), or no cook."""
    assert plan.layout.written is not None  # the layout was read from a file
    written = dict(plan.layout.written)
    roles = dict(written["roles"])  # type: ignore[call-overload]
    for role, crew in zip(plan.layout.roles, plan.crew.layout.roles, strict=True):
        entry = {k: v for k, v in roles[role.name].items() if k not in ("cooks", "schedule")}
        if isinstance(crew.crew, int):
            entry["cooks"] = crew.crew
        else:
            entry["schedule"] = {"timezone": plan.week.history.grid.zone, **crew.crew.describe()}
        roles[role.name] = entry
    written["roles"] = roles
    return written


def _rosters_cost(plan: RolePlan) -> float:
    """What every role's roster costs a week, its shifts' breaks and shift costs priced."""
    return sum(
        week_cost(roster, plan.wages, role.wage)
        for role, roster in zip(plan.layout.roles, plan.rosters, strict=True)
        if roster is not None
    )


def _solver(plan: RolePlan) -> str:
    """The rosters' solver status: the furthest from optimal of them."""
    rosters = [roster for roster in plan.rosters if roster is not None]
    return max(rosters, key=lambda r: r.gap).status() if rosters else ""


def role_summary(plan: RolePlan, tested: Backtest, out: Path, budget: float | None = None) -> str:
    grid, week = plan.week.history.grid, plan.week
    cycle = "a week" if grid.per_weekday else "a day"
    held = plan.held_out
    lines = [f"The week planned by role, local time of {grid.zone}; the layout's {len(plan.layout.roles)} roles:"]
    total = 0.0
    for role, needed, roster in zip(plan.layout.roles, plan.requirement.cooks, plan.rosters, strict=True):
        hours = roster.cook_hours if roster else 0.0
        cost = week_cost(roster, plan.wages, role.wage) if roster else 0.0
        total += cost
        lines.append(
            f"  {role.name}: requirement {sum(needed) * grid.minutes / 60:,.0f} cook-hours {cycle},"
            f" roster {sum(s.cooks for s in roster.shifts) if roster else 0} shifts,"
            f" {hours:,.0f} paid cook-hours {cycle}, {plan.wages.show(cost)} a week at"
            f" {cost_terms(plan.wages, role.wage)}"
        )
    lines.append(f"Labour cost: {plan.wages.show(total)} a week, every role's shifts (shifts.csv, by shift).")
    lines += budget_line(total, budget, plan.wages)
    lines += rules_lines(
        next(r.rules for r in plan.rosters if r) if any(plan.rosters) else NO_RULES,
        plan.rule_costs,
        total,
        plan.wages,
        grid,
    )
    totals = {f: None if of_roles is None else sum(of_roles) for f, of_roles in _requirement_hours(plan).items()}
    planned = totals[1.0] or 1e-9
    unsure = [f"x{f:g}" for f, found in plan.sensitivity.items() if found is not None and found.result.short]
    lines.append(
        f"Sensitivity to cook times (requirement by a cheaper search, cook-hours {cycle}): "
        + "; ".join(
            f"x{factor:g}: "
            + ("not kept by cooks alone" if total is None else f"{total:,.0f} ({total / planned - 1:+.0%})")
            for factor, total in totals.items()
        )
        + (f"; {', '.join(unsure)}: the search stopped short of the promise" if unsure else "")
        + " (sensitivity.csv by role)."
    )
    if plan.bound:
        lines.append(
            f"Where cooks do not help (cooks there held within {BOUND_SLACK:.0%} of what cooks to spare reach, not"
            " raised towards the target; intervals_by_role.csv's bound_by):"
        )
        for bound, reached in _bound_stretches(plan):
            rosters = "" if reached is None else f"; with the rosters {reached:.0f} min on held-out days"
            lines.append(f"  {bound.said(grid)}{rosters}")
    lines += [
        f"Requirement found in {plan.requirement.rounds} simulation rounds on {week.size('search')} search weeks"
        + ("" if plan.requirement.converged else " (a search stopped at its cap)")
        + ("" if plan.requirement.settled else f", {PASSES} passes over the roles")
        + f"; rosters raised in {plan.rounds} round(s) on {week.size('raise')} raise weeks"
        + (
            "."
            if plan.raised
            else ": blocks still short of the service level (the rounds ran out, or the roles that could help were at"
            " their max_cooks)."
        ),
        f"Held out ({held.days} days): {sum(b.meets(held.promise.level) for b in held.blocks)} of {len(held.blocks)}"
        " blocks at the"
        f" service level, the worst {min((b.share for b in held.blocks), default=1.0):.1%} of days; every block met on"
        f" {held.days_every_cell_met} of {held.days} days.",
        *backtest_lines(tested, "the rosters", week.scale),
        "",
        f"Compared on {week.size('compare')} other weeks (labour: cook-hours over each whole week, every role):",
        report.table(list(plan.assessments.values()), labour="cook-h/week"),
        "",
        *_labour_against(plan),
        f"Written to {out}: {', '.join(FILES)} (run the rosters: python -m simulator --layout {out / 'layout.json'}"
        f" --timezone {grid.zone}).",
    ]
    return "\n".join(lines)


def _labour_against(plan: RolePlan) -> list[str]:
    """The rosters' labour against each other option's, on the compare replications."""
    rosters, *others = plan.assessments.values()
    return [labour_against(rosters, other, other.option.name) for other in others]
