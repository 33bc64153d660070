"""What a plan leaves the analyst: its files, its chart and the lines it prints, all read from the Plan and its
backtest (nothing here runs a trial). Every file names the kitchen's zone.

- cook_schedule.json: the roster as a COOK_SCHEDULE (`python -m simulator --schedule ...` runs it);
- shifts.csv: the shifts, day by day of the week planned, with their breaks and cost; shifts.ics, the same as a
  calendar (calendar_file.py);
- intervals.csv: the requirement, the roster and the held-out verdict per interval (common/plan_files.py);
- forecast.csv: the orders forecast for each day, with the 90% range of the replications;
- backtest.csv: the roster (and each fold's) replayed on the file's own days, cell by cell;
- accuracy.csv: the forecast against the two baselines, fold by fold;
- comparison.csv: the roster beside the fixed crew, the two-level schedule and the textbook rules;
- plan.html: demand and cooks, the share of held-out days meeting the target, the backtest as a heatmap.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from common.plan_files import NO, YES, PlannedInterval, write_intervals
from common.service_level import MIN_ORDERS, BlockLevel, least_shown
from common.wages import Wages
from simulator.experiment import options, report
from simulator.experiment.backtest import Cell, Fold
from simulator.experiment.calendar_file import write_calendar
from simulator.experiment.demand import day_date
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.labour_cost import EVERY_RULE, shift_cost, week_cost
from simulator.experiment.named_cooks import hours_by_cook
from simulator.experiment.planner import Plan, broken
from simulator.experiment.report import Assessment
from simulator.experiment.roster import GAP, Roster
from simulator.experiment.shift_rules import ShiftRules
from simulator.experiment.study import WeekAhead

FILES = (
    "cook_schedule.json",
    "shifts.csv",
    "shifts.ics",
    "intervals.csv",
    "forecast.csv",
    "backtest.csv",
    "accuracy.csv",
    "comparison.csv",
    "plan.html",
)
CsvRow = list[str | int | float | None]
"""A row of an output CSV: None is written empty."""
"""A line of one of the CSV files: its cells, in the order of the file's header."""


@dataclass(frozen=True)
class Backtest:
    replay: list[Cell]
    """The roster on the file's own days."""
    folds: list[Fold]
    holidays: dict[int, str]
    """Local days named as holidays, in the history and the week planned."""


def schedule_value(cooks: list[int], grid: IntervalGrid) -> dict[str, object]:
    """The COOK_SCHEDULE a parameters file takes (one day, or a dict per weekday), with the zone it is in."""
    days = grid.schedule(cooks).describe()
    return {"timezone": grid.zone, **(days if grid.per_weekday else days["Mon"])}


def block_label(grid: IntervalGrid, intervals: tuple[int, ...] | list[int]) -> str:
    """'12:00' for one interval; '07:00-08:30' (where the last one ends) for several pooled."""
    first, last = min(intervals), max(intervals)
    if first == last:
        return grid.label(first)
    end = grid.start_minute(last) + grid.minutes
    return f"{grid.label(first)}-{end // 60:02}:{end % 60:02}"


def interval_rows(plan: Plan) -> list[PlannedInterval]:
    grid, week = plan.week.history.grid, plan.week
    rostered = plan.roster.on_grid(grid)
    rows = []
    for interval in range(grid.size):
        block = plan.held_out.service.of_interval(interval)
        low, high = block.interval_95 if block else (None, None)
        rows.append(
            PlannedInterval(
                grid.label(interval),
                block_label(grid, week.blocks.intervals(week.blocks.of_interval[interval])),
                round(float(week.orders_per_day[interval]), 2),
                plan.needed[interval],
                rostered[interval],
                block.days if block else 0,
                _pct(block.share) if block else None,
                _pct(low),
                _pct(high),
                None if block is None or block.p90_minutes is None else round(block.p90_minutes, 2),
                (YES if block.meets(plan.held_out.service.promise.level) else NO) if block else YES,
                plan.textbook["SIPP"][interval],
                plan.textbook["square-root staffing"][interval],
                grid.zone,
            )
        )
    return rows


def _pct(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def write_outputs(
    plan: Plan, tested: Backtest, out: Path, include_plotlyjs: bool | str, budget: float | None = None
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    grid = plan.week.history.grid
    (out / "cook_schedule.json").write_text(
        json.dumps(schedule_value(plan.roster.on_shift, plan.roster.grid), indent=1) + "\n", encoding="utf-8"
    )
    shifts = shift_rows(plan)
    _write(out / "shifts.csv", SHIFT_COLUMNS, shifts)
    write_calendar(out / "shifts.ics", SHIFT_COLUMNS, shifts, grid.zone)
    write_intervals(out / "intervals.csv", interval_rows(plan))
    _write(
        out / "forecast.csv",
        ["day", "weekday", "orders_expected", "orders_p05", "orders_p95", "holiday", "timezone"],
        forecast_rows(plan, tested.holidays),
    )
    write_backtest(out, grid, tested)
    compared = [plan.held_out, *plan.assessments.values()]
    roster_cost = week_cost(plan.roster, plan.wages)  # its shifts': breaks and shift costs priced
    write_comparison(out, compared, plan.wages, grid, roster_cost, plan.roster.status())
    chart(plan, tested, shifts, budget).write_html(out / "plan.html", include_plotlyjs=include_plotlyjs)


def write_backtest(out: Path, grid: IntervalGrid, tested: Backtest) -> None:
    """backtest.csv, the plan on the file's own days and fold by fold, and accuracy.csv, the folds' forecasts."""
    _write(
        out / "backtest.csv",
        ["replay", "day", "weekday", "interval", "orders", "p90_min", "longest_min", "met", "holiday", "timezone"],
        backtest_rows(grid, tested),
    )
    _write(
        out / "accuracy.csv",
        ["fold", "week_of", "history_days", "method", "mase_daily_total", "mase_interval", "mape_daily_total_pct"],
        accuracy_rows(tested.folds),
    )


def write_comparison(
    out: Path, compared: list[Assessment], wages: Wages, grid: IntervalGrid, roster_cost: float, solver: str
) -> None:
    """comparison.csv: the options assessed; a roster's cost is its shifts' (`roster_cost`), breaks and shift costs
    priced, where a crew's is its hours on shift."""
    report.write_csv(
        out / "comparison.csv",
        [
            {
                **row,
                **({"labour_cost_a_week": round(roster_cost, 2)} if row["kind"] == "roster" else {}),
                "roster_solver": solver if row["kind"] == "roster" else "",
                "timezone": grid.zone,
            }
            for row in report.rows(compared, options.describe, wages)
        ],
    )


def _write(path: Path, header: list[str], rows: list[CsvRow]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


SHIFT_COLUMNS = [
    "day",
    "cook",
    "start",
    "end",
    "hours",
    "break_start",
    "break_minutes",
    "paid_hours",
    "cooks_starting",
    "cost",
    "currency",
    "timezone",
]
"""shifts.csv's columns: `cook` is who works it with named cooks (--cooks-available: a row per cook and shift),
else empty (a row per shift, `cooks_starting` the cooks who start it); `hours` from start to end, `paid_hours`
without an unpaid break; `cost` is what the cooks starting that shift cost together (labour_cost.shift_cost)."""


def shift_rows(plan: Plan) -> list[CsvRow]:
    """Each shift of the week planned, by its day (every day of the week, for a daily roster)."""
    return shift_rows_of(plan.week, plan.roster, plan.wages)


def shift_rows_of(week: WeekAhead, roster: Roster, wages: Wages, wage: float | None = None) -> list[CsvRow]:
    """Each shift of a roster of the week, by its day (SHIFT_COLUMNS), its cost at `wage` an hour (WAGE_PER_HOUR's
    when None); with named cooks, each cook's."""
    grid = roster.grid
    rows: list[CsvRow] = []
    for day in week.days[1:].tolist():
        weekday = day_date(day).weekday()
        if roster.named:
            worked = [(a.shift, 1, f"Cook {a.cook}") for a in roster.named if a.day == weekday]
        else:
            worked = [
                (shift, shift.cooks, "")
                for shift in sorted(roster.shifts, key=lambda s: (s.start, s.intervals))
                if not grid.per_weekday or shift.start // grid.per_day == weekday
            ]
        for shift, cooks, cook in worked:
            end = (shift.start + shift.intervals) % grid.size
            rows.append(
                [
                    day_date(day).isoformat(),
                    cook,
                    _clock(grid, shift.start),
                    _clock(grid, end),
                    shift.intervals * grid.minutes / 60,
                    "" if shift.break_at is None else _clock(grid, (shift.start + shift.break_at) % grid.size),
                    0 if shift.break_at is None else roster.rules.break_minutes,
                    shift.paid_minutes(grid) / 60,
                    cooks,
                    round(cooks * shift_cost(shift, grid, wages, wage, weekday), 2),
                    wages.currency,
                    grid.zone,
                ]
            )
    return rows


def _clock(grid: IntervalGrid, interval: int) -> str:
    minute = grid.start_minute(interval)
    return f"{minute // 60:02}:{minute % 60:02}"


def forecast_rows(plan: Plan, holidays: dict[int, str]) -> list[CsvRow]:
    week = plan.week
    drawn = week.paths["held-out"] * week.scale
    rows: list[CsvRow] = []
    for i, day in enumerate(week.days.tolist()[1:], 1):
        totals = drawn[:, i]
        rows.append(
            [
                day_date(day).isoformat(),
                day_date(day).strftime("%a"),
                round(float(week.mean[i]), 1),
                round(float(np.percentile(totals, 5)), 1),
                round(float(np.percentile(totals, 95)), 1),
                holidays.get(day, ""),
                week.history.grid.zone,
            ]
        )
    return rows


def backtest_rows(grid: IntervalGrid, tested: Backtest) -> list[CsvRow]:
    rows: list[CsvRow] = []
    for cell in [*tested.replay, *[c for fold in tested.folds for c in fold.cells]]:
        rows.append(
            [
                cell.replay,
                day_date(cell.day).isoformat(),
                day_date(cell.day).strftime("%a"),
                block_label(grid, cell.intervals),
                cell.orders,
                round(cell.p90_seconds / 60, 2),
                round(cell.longest_seconds / 60, 2),
                YES if cell.met else NO,
                tested.holidays.get(cell.day, ""),
                grid.zone,
            ]
        )
    return rows


def accuracy_rows(folds: list[Fold]) -> list[CsvRow]:
    return [
        [
            fold.number,
            day_date(fold.first_day).isoformat(),
            fold.history_days,
            a.method,
            round(a.mase_day, 3),
            round(a.mase_interval, 3),
            round(100 * a.mape_day_total, 1),
        ]
        for fold in folds
        for a in fold.accuracy
    ]


def chart(plan: Plan, tested: Backtest, shifts: list[CsvRow], budget: float | None = None) -> go.Figure:
    grid, week, service = plan.week.history.grid, plan.week, plan.held_out.service
    level = service.promise.level
    labels = [grid.label(i) for i in range(grid.size)]
    by_day = cost_by_day(shifts)
    total = sum(by_day.values())
    against = "" if budget is None else f" against a budget of {plan.wages.show(budget)} ({total / budget:.0%})"
    figure = make_subplots(
        rows=4,
        cols=1,
        vertical_spacing=0.07,
        specs=[[{"secondary_y": True}], [{}], [{}], [{}]],
        row_heights=[0.3, 0.22, 0.28, 0.2],
        subplot_titles=(
            f"Demand forecast, cooks needed and cooks rostered ({grid.zone})",
            f"Share of held-out days meeting the target, by interval (95% interval); level {level:.0%}",
            "Your own days replayed with the roster: each cell met (green) or missed (red)",
            f"Labour cost by day of the shifts that start on it: {plan.wages.show(total)} a week{against}",
        ),
    )
    figure.add_bar(
        x=list(by_day),
        y=list(by_day.values()),
        name=f"labour cost ({plan.wages.currency})",
        marker_color="#546e7a",
        row=4,
        col=1,
    )
    if budget is not None:
        figure.add_hline(y=budget / 7, line_dash="dash", annotation_text="budget / 7", row=4, col=1)
    figure.update_yaxes(title_text=plan.wages.currency, row=4, col=1)
    forecast_bars(figure, labels, week)
    figure.add_scatter(
        x=labels, y=plan.needed, name="cooks needed", row=1, col=1, line={"shape": "hv", "color": "#e53935", "width": 2}
    )
    figure.add_scatter(
        x=labels,
        y=plan.roster.on_grid(grid),
        name="cooks rostered",
        row=1,
        col=1,
        line={"shape": "hv", "color": "#1e88e5", "width": 3},
    )
    figure.add_scatter(
        x=labels,
        y=plan.textbook["SIPP"],
        name="SIPP (Erlang C per interval)",
        row=1,
        col=1,
        line={"shape": "hv", "dash": "dot", "color": "#8e24aa"},
    )
    every = [(i, service.of_interval(i)) for i in range(grid.size)]
    shown = [(i, b) for i, b in every if b is not None]
    days_met(figure, labels, shown, level)
    _heatmap(figure, grid, tested)
    figure.update_yaxes(title_text="cooks", row=1, col=1, secondary_y=False)
    figure.update_yaxes(
        title_text="orders per hour", row=1, col=1, secondary_y=True, showgrid=False, rangemode="tozero"
    )
    figure.update_yaxes(title_text="% of days", row=2, col=1)
    figure.update_xaxes(title_text=f"local time ({grid.zone})", row=3, col=1)
    first, last = (day_date(d).isoformat() for d in (week.first_day, week.first_day + 6))
    figure.update_layout(
        title=f"Staffing plan for {first} to {last}: {service.promise.describe()}",
        template="plotly_white",
        width=1200,
        height=1450,
    )
    return figure


def forecast_bars(figure: go.Figure, labels: list[str], week: WeekAhead) -> None:
    """The week's forecast orders per hour by interval, as bars on the first row's second axis."""
    figure.add_bar(
        x=labels,
        y=week.orders_per_day * 60 / week.history.grid.minutes,
        name="orders per hour (forecast)",
        marker_color="#cfd8dc",
        row=1,
        col=1,
        secondary_y=True,
    )


def days_met(
    figure: go.Figure,
    labels: list[str],
    shown: list[tuple[int, BlockLevel]],
    level: float,
    grey: frozenset[int] = frozenset(),
) -> None:
    """The share of held-out days meeting the target by interval (`shown`: each interval with its block), with its
    95% interval, met in green, missed in red, `grey` ones (where no number of cooks keeps it) in grey; and the
    level as a line. In the figure's second row."""
    figure.add_scatter(
        x=[labels[i] for i, _ in shown],
        y=[100 * b.share for _, b in shown],
        mode="markers",
        name="days met (held out)",
        marker={"color": ["#9e9e9e" if i in grey else "#2e7d32" if b.meets(level) else "#c62828" for i, b in shown]},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [100 * (b.interval_95[1] - b.share) for _, b in shown],
            "arrayminus": [100 * (b.share - b.interval_95[0]) for _, b in shown],
        },
        row=2,
        col=1,
    )
    figure.add_hline(y=100 * level, line_dash="dash", annotation_text=f"service level {level:.0%}", row=2, col=1)


def _heatmap(figure: go.Figure, grid: IntervalGrid, tested: Backtest) -> None:
    cells = tested.replay
    if not cells:
        return
    days = sorted({c.day for c in cells})
    row_of = {d: i for i, d in enumerate(days)}
    z = np.full((len(days), grid.per_day), np.nan)
    text = [[""] * grid.per_day for _ in days]
    for cell in cells:
        for interval in cell.intervals:
            column = interval % grid.per_day
            z[row_of[cell.day], column] = 1.0 if cell.met else 0.0
            text[row_of[cell.day]][column] = (
                f"{cell.orders} orders, p90 {cell.p90_seconds / 60:.0f} min,"
                f" longest {cell.longest_seconds / 60:.0f} min"
            )
    names = [
        f"{day_date(d).isoformat()} {day_date(d).strftime('%a')}"
        + (f" ({tested.holidays[d]})" if d in tested.holidays else "")
        for d in days
    ]
    figure.add_heatmap(
        z=z,
        x=[grid.label(i) for i in range(grid.per_day)],
        y=names,
        text=text,
        row=3,
        col=1,
        colorscale=[[0, "#c62828"], [1, "#2e7d32"]],
        zmin=0,
        zmax=1,
        showscale=False,
        hovertemplate="%{y} %{x}: %{text}<extra></extra>",
    )


def shown_line(plan: Plan) -> str:
    """How many of a block's days the search and the raise asked to meet: more than the level's share of them."""
    week, level = plan.week, plan.held_out.service.promise.level
    per_week = 1 if week.history.grid.per_weekday else 7
    search, raising = (per_week * week.size(name) for name in ("search", "raise"))
    return (
        f"Decided on days that must show the level, not only reach it: a block passed on {least_shown(search, level)}"
        f" of its {search} search days and {least_shown(raising, level)} of its {raising} raise days (the fewest"
        " cooks whose days just reach it keep it on fewer days to come)."
    )


def cost_by_day(shifts: list[CsvRow], columns: list[str] = SHIFT_COLUMNS) -> dict[str, float]:
    """The cost of the shifts that start on each day, from shifts.csv's rows (under `columns`)."""
    day, cost = columns.index("day"), columns.index("cost")
    days: dict[str, float] = {}
    for row in shifts:
        days[str(row[day])] = days.get(str(row[day]), 0.0) + float(row[cost] or 0)
    return days


def budget_line(cost: float, budget: float | None, wages: Wages) -> list[str]:
    """The week's cost set against --budget, when given."""
    if budget is None:
        return []
    gap = budget - cost
    side = f"{wages.show(gap)} under" if gap >= 0 else f"{wages.show(-gap)} over"
    return [
        f"Budget: {wages.show(budget)} a week; the roster costs {wages.show(cost)}, {cost / budget:.1%} of it ({side})."
    ]


def summary(plan: Plan, tested: Backtest, out: Path, budget: float | None = None) -> str:
    grid, week, verdict = plan.week.history.grid, plan.week, plan.held_out.service
    promise, forecast = verdict.promise, plan.forecast
    cycle = "a week" if grid.per_weekday else "a day"
    requirement_hours = sum(plan.requirement.cooks) * grid.minutes / 60

    def hours(per_cycle: float, what: str) -> str:
        """Hours of the grid's cycle, and of the week too when the cycle is a day: the table is of weeks."""
        return f"{per_cycle:,.0f} {what} {cycle}" + ("" if grid.per_weekday else f", {7 * per_cycle:,.0f} a week")

    first, last = (day_date(d) for d in (week.first_day, week.first_day + 6))
    totals = week.mean[1:].sum()
    cost = week_cost(plan.roster, plan.wages)  # its shifts': breaks and shift costs priced
    lines = [
        f"The week planned: {first:%a %Y-%m-%d} to {last:%a %Y-%m-%d}, local time of {grid.zone}.",
        f"Forecast: {forecast.method}: {totals:,.0f} orders"
        + (f" (demand times {week.scale:g})" if week.scale != 1 else "")
        + ".",
        f"Promise: {promise.describe()}; the {int((week.orders_per_day > 0).sum())} intervals that expect orders are"
        f" judged in {len({week.blocks.of_interval[i] for i in np.flatnonzero(week.orders_per_day > 0)})} blocks"
        f" (quiet ones pooled to expect {MIN_ORDERS} orders a day).",
        f"Requirement: {hours(requirement_hours, 'cook-hours')}, found in {plan.requirement.rounds} simulation rounds"
        f" on {week.size('search')} search weeks"
        + ("" if plan.requirement.converged else " (stopped at the iteration cap: not converged)")
        + ".",
        f"Roster: {sum(s.cooks for s in plan.roster.shifts)} shifts, {hours(plan.roster.cook_hours, 'paid cook-hours')}"
        f" (solver: {plan.roster.status()}); price of shifts"
        f" {plan.roster.cook_hours / max(requirement_hours, 1e-9):.2f}; {plan.roster_rounds} round(s) on"
        f" {week.size('raise')} raise weeks"
        + ("." if plan.raised else ": the rounds ran out with blocks still short of the service level."),
        f"Labour cost: {plan.wages.show(cost)} a week, the roster's shifts at"
        f" {cost_terms(plan.wages)} (shifts.csv, by shift).",
        *named_line(plan.roster),
        *rules_lines(plan.roster.rules, plan.rule_costs, cost, plan.wages, grid),
        *budget_line(cost, budget, plan.wages),
        shown_line(plan),
    ]
    lines += held_out_lines(plan)
    lines += backtest_lines(tested, "the roster", week.scale)
    lines += [
        "",
        f"Compared on {week.size('compare')} other weeks (labour: cook-hours over each whole week):",
        report.table(list(plan.assessments.values()), labour="cook-h/week"),
        "",
    ]
    roster = plan.assessments["the roster"]
    for name in ("smallest fixed crew", "best two-level schedule"):
        if name in plan.assessments:
            lines.append(labour_against(roster, plan.assessments[name], f"the {name}"))
    if "best two-level schedule" in plan.assessments:
        peaks = options.describe_peaks(options.peak_intervals(week.orders_per_day, grid), grid)
        lines.append(f"The two-level schedule's peaks are your busiest intervals: {peaks}.")
    lines.append(
        f"Written to {out}: {', '.join(FILES)} (run the roster: python -m simulator --schedule"
        f" {out / 'cook_schedule.json'} --timezone {grid.zone})."
    )
    return "\n".join(lines)


def named_line(roster: Roster) -> list[str]:
    """With named cooks: who works how much (shifts.csv's cook column)."""
    if not roster.named:
        return []
    rules, hours = roster.rules, hours_by_cook(roster.named, roster.grid)
    return [
        f"Named cooks: {len(hours)} of the {rules.cooks_available} available work the week, {min(hours.values()):g} to"
        f" {max(hours.values()):g} paid hours each (at most {rules.max_week_hours:g}), at least"
        f" {rules.min_rest_hours:g} h between one cook's shifts (shifts.csv's cook column)."
    ]


def rules_lines(
    rules: ShiftRules, costs: dict[str, float], total: float, wages: Wages, grid: IntervalGrid
) -> list[str]:
    """The rules the roster is held to, each with what it costs a week (the roster solved again without it)."""
    named = rules.in_force()
    if not named:
        return ["Rules: none (any start on the grid, no breaks)."]
    said = []
    for name in [*named, *([EVERY_RULE] if EVERY_RULE in costs else [])]:
        cost = costs.get(name)
        if cost is None:
            price = "no roster without it"
        elif abs(cost) <= GAP * total:  # each roster is within GAP of its least cost: a difference this small is noise
            price = f"nothing to tell (within the solver's {GAP:.1%})"
        else:
            share = f"{cost / max(total - cost, 1e-9):+.1%}"
            price = (
                f"{wages.show(cost)} a week ({share})" if cost >= 0 else f"saves {wages.show(-cost)} a week ({share})"
            )
        said.append(f"{'all of them' if name == EVERY_RULE else rules.describe(name, grid)}: {price}")
    return [
        "What each rule costs (the roster solved again without it, on the same requirement): " + "; ".join(said) + "."
    ]


def cost_terms(wages: Wages, wage: float | None = None) -> str:
    """How labour is priced, in words: the wage, its premiums, the cost of a shift."""
    terms = [f"{wages.show(wages.per_hour if wage is None else wage)} an hour"]
    if wages.premiums:
        terms.append(f"{len(wages.premiums)} premium window{'s' if len(wages.premiums) > 1 else ''} (WAGE_PREMIUMS)")
    if wages.per_shift:
        terms.append(f"{wages.show(wages.per_shift)} a shift")
    return ", ".join(terms)


def held_out_lines(plan: Plan) -> list[str]:
    grid, verdict = plan.week.history.grid, plan.held_out.service
    level = verdict.promise.level
    blocks: list[BlockLevel] = verdict.blocks
    worst = min(blocks, key=lambda b: b.share) if blocks else None
    below, shown = verdict.missed, broken(verdict)
    lines = [
        f"Held out ({plan.held_out.replications} weeks, drawn with seeds no decision used): {len(blocks) - len(below)}"
        f" of {len(blocks)} blocks meet the target on at least {level:.0%} of days; on {verdict.every_cell_share:.1%}"
        " of days every interval met it."
    ]
    if worst is not None:
        low, high = worst.interval_95
        lines.append(
            f"  worst: {block_label(grid, worst.intervals)} on {worst.share:.1%} of days (95% interval"
            f" {low:.1%}-{high:.1%}, {worst.days} days)."
        )
    if shown:
        lines.append(
            f"  THE PROMISE DOES NOT HOLD in {len(shown)} block(s), their whole 95% interval below {level:.0%}: "
            + ", ".join(block_label(grid, b.intervals) for b in shown[:8])
            + "."
        )
    elif below:
        lines.append(
            f"  {len(below)} block(s) below {level:.0%} within the noise of the held-out days (their 95%"
            " interval reaches the level): " + ", ".join(block_label(grid, b.intervals) for b in below[:8]) + "."
        )
    return lines


def labour_against(ours: Assessment, other: Assessment, name: str) -> str:
    """Our labour against another option's, on the same replications, and whether that option keeps the service
    level: 'Labour: 55% below the smallest fixed crew (36 cooks), which keeps the service level.'"""
    change = 1 - ours.mean_labour_hours / other.mean_labour_hours
    shown = name if other.option.name == name else f"{name} ({other.option.name})"
    return (
        f"Labour: {abs(change):.0%} {'below' if change >= 0 else 'above'} {shown},"
        f" {other.mean_labour_hours:,.0f} cook-hours a week, which"
        f" {'keeps' if other.meets_service_level() else 'falls short of'} the service level."
    )


def backtest_lines(tested: Backtest, replayed: str = "the roster", scale: float = 1.0) -> list[str]:
    """The plan replayed on the file's own days and fold by fold (`replayed`: what the plan wrote), for demand
    times `scale`."""
    lines = []
    if scale != 1:
        lines.append(
            f"The backtest replays {replayed} for demand times {scale:g} on your days as they were; its folds plan"
            " for the demand of their week, unscaled."
        )
    busy = [c for c in tested.replay if c.orders >= MIN_ORDERS]
    if tested.replay:
        days = sorted({c.day for c in tested.replay})
        red_days = sorted({c.day for c in tested.replay if not c.met})
        lines.append(
            f"Your own {len(days)} days replayed with {replayed}: {sum(c.met for c in busy)} of {len(busy)}"
            f" cells with {MIN_ORDERS}+ orders met the target ({_share(busy):.1%}); {len(days) - len(red_days)}"
            f" of {len(days)} days had every interval met."
        )
        if red_days:
            lines.append(
                "  days with a missed interval: "
                + ", ".join(
                    f"{day_date(d):%a %m-%d}" + (f" ({tested.holidays[d]})" if d in tested.holidays else "")
                    for d in red_days[:10]
                )
                + (" ..." if len(red_days) > 10 else "")
            )
    for fold in tested.folds:
        forecast, *baselines = fold.accuracy
        lines.append(
            f"Rolling origin, fold {fold.number}: planned from {fold.history_days} days, tested on the week of"
            f" {day_date(fold.first_day):%Y-%m-%d}: {fold.share_met:.1%} of cells with {MIN_ORDERS}+ orders met;"
            f" forecast MASE {forecast.mase_day:.2f} a day, {forecast.mase_interval:.2f} an interval"
            f" (baselines: "
            + "; ".join(f"{b.method} {b.mase_day:.2f} / {b.mase_interval:.2f}" for b in baselines)
            + ")"
        )
    if tested.holidays:
        lines.append(
            "Holidays (kept out of the profile; the week planned staffs them as ordinary days): "
            + ", ".join(f"{day_date(d):%Y-%m-%d} {n}" for d, n in sorted(tested.holidays.items())[:8])
        )
    return lines


def _share(cells: list[Cell]) -> float:
    return sum(c.met for c in cells) / len(cells) if cells else 1.0
