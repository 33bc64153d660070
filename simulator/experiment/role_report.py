"""What a plan by role leaves the analyst (role_planner.py): each role's shifts, the layout with the rosters as its
crews (run it: `python -m simulator --layout plan/layout.json`), and a summary."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.experiment.plan_report import _write, shift_rows_of
from simulator.experiment.role_planner import RolePlan
from simulator.experiment.role_staffing import PASSES, RoleRequirement

FILES = ("shifts.csv", "layout.json", "sensitivity.csv")


def write_role_outputs(plan: RolePlan, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rows = [
        [role.name, *row]
        for role, roster in zip(plan.layout.roles, plan.rosters, strict=True)
        if roster is not None
        for row in shift_rows_of(plan.week, roster)
    ]
    _write(out / "shifts.csv", ["role", "day", "start", "end", "hours", "cooks_starting", "timezone"], rows)
    (out / "layout.json").write_text(json.dumps(laid_out_as_written(plan), indent=2), encoding="utf-8")
    hours = _requirement_hours(plan)
    _write(
        out / "sensitivity.csv",
        ["role", *(f"requirement_cook_hours_times_{factor:g}" for factor in hours)],
        [
            [role.name, *("" if of_roles is None else round(of_roles[r], 1) for of_roles in hours.values())]
            for r, role in enumerate(plan.layout.roles)
        ],
    )


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


def role_summary(plan: RolePlan, out: Path) -> str:
    grid, week = plan.week.history.grid, plan.week
    cycle = "a week" if grid.per_weekday else "a day"
    held = plan.held_out
    lines = [f"The week planned by role, local time of {grid.zone}; the layout's {len(plan.layout.roles)} roles:"]
    for role, needed, roster in zip(plan.layout.roles, plan.requirement.cooks, plan.rosters, strict=True):
        hours = roster.cook_hours if roster else 0.0
        lines.append(
            f"  {role.name}: requirement {sum(needed) * grid.minutes / 60:,.0f} cook-hours {cycle},"
            f" roster {sum(s.cooks for s in roster.shifts) if roster else 0} shifts,"
            f" {hours:,.0f} paid cook-hours {cycle}"
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
    lines += [
        f"Requirement found in {plan.requirement.rounds} simulation rounds on {week.size('search')} search weeks"
        + ("" if plan.requirement.converged else " (a search stopped at its cap)")
        + ("" if plan.requirement.settled else f", {PASSES} passes over the roles")
        + f"; rosters raised in {plan.rounds} round(s) on {week.size('raise')} raise weeks"
        + ("." if plan.raised else ": the rounds ran out with blocks still short of the service level."),
        f"Held out ({held.days} days): {sum(b.meets(held.promise.level) for b in held.blocks)} of {len(held.blocks)}"
        " blocks at the"
        f" service level, the worst {min((b.share for b in held.blocks), default=1.0):.1%} of days; every block met on"
        f" {held.days_every_cell_met} of {held.days} days.",
        f"Written to {out}: {', '.join(FILES)} (run the rosters: python -m simulator --layout {out / 'layout.json'}"
        f" --timezone {grid.zone}).",
    ]
    return "\n".join(lines)
