"""`python -m simulator.sweep`: how many cooks? Try fixed crews and two-level schedules on your own orders.

For every fixed crew in --cooks (start:stop:step), every two-level schedule built from those counts (a
base crew, and a peak crew over the busiest intervals of your own demand) and your own COOK_SCHEDULE, the
kitchen replays the orders in virtual time (no database, no waiting) on R replications, in parallel on
this machine's cores: replication 1 is your file, 2..R are its days made again (same demand curve,
order mix and day-to-day variation, other moments and orders; see simulator/experiment/demand.py). Every
option sees the same replications. It prints a table, writes it as CSV beside a chart of p90 fulfillment
against labour (HTML), and names the smallest fixed crew and the cheapest option that meet the p90 target
over the whole run, and the service level day by day in every interval (common/service_level.py).
`python -m simulator.plan` goes further: next week's cheapest roster of real shifts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go
from tqdm import tqdm

from common.service_level import MIN_ORDERS
from common.settings import settings_or_exit
from simulator.experiment import cli, options, report
from simulator.experiment.executor import executor_for
from simulator.experiment.report import Assessment
from simulator.experiment.study import past_days
from simulator.requests import SweepRequest

CHEAPEST_SCHEDULES_SHOWN = 5


def plot(
    assessments: list[Assessment],
    target: float,
    marked: dict[str, Assessment],
    path: Path,
    include_plotlyjs: bool | str,
    zone: str,
) -> None:
    """p90 against labour for every option, the target as a line, the recommended options labelled."""
    figure = go.Figure()
    for kind, name, symbol in (
        ("fixed", "fixed crews", "circle"),
        ("schedule", "two-level schedules", "diamond"),
        ("yours", "your COOK_SCHEDULE", "star"),
    ):
        chosen = [a for a in assessments if a.option.kind == kind and a.p90.mean is not None]
        if chosen:
            figure.add_scatter(
                x=[a.labour_hours.mean for a in chosen],
                y=[a.p90.mean for a in chosen],
                mode="markers",
                name=name,
                marker_symbol=symbol,
                text=[a.option.name for a in chosen],
                error_y={"type": "data", "array": [a.p90.half_width or 0 for a in chosen]},
                hovertemplate="%{text}<br>%{x:,.0f} cook-hours<br>p90 %{y:.1f} min<extra></extra>",
            )
    for label, a in marked.items():
        figure.add_annotation(
            x=a.labour_hours.mean,
            y=a.p90.mean,
            text=f"{label}: {a.option.name}",
            showarrow=True,
            arrowhead=2,
            ax=40,
            ay=-40,
            bgcolor="white",
        )
    figure.add_hline(y=target, line_dash="dash", annotation_text=f"target p90 {target:g} min")
    figure.update_layout(
        title=f"Fixed crews and schedules: p90 fulfillment against labour ({zone})",
        xaxis_title="labour (cook-hours)",
        yaxis_title="p90 fulfillment (minutes)",
        template="plotly_white",
        width=1000,
        height=600,
    )
    figure.write_html(path, include_plotlyjs=include_plotlyjs)


def cheapest(assessments: list[Assessment], meets: Callable[[Assessment], bool]) -> Assessment | None:
    return min((a for a in assessments if meets(a)), key=lambda a: a.mean_labour_hours, default=None)


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("simulator.sweep")
    return sweep(cli.sweep_request(argv, settings, __doc__))


def sweep(request: SweepRequest) -> int:
    """Every option on every replication, then the table, the files and the verdicts."""
    study, promise = request.study, request.study.promise
    history = cli.history_or_exit("simulator.sweep", study)
    past = past_days(history, request.replications, study.seed, study.demand_scale)
    grid = history.grid
    peaks = options.peak_intervals(past.orders_per_day, grid)
    yours = request.yours
    crews = list(request.cooks)
    choices = options.fixed_crews(crews) + options.two_level_schedules(crews, peaks, grid) + options.yours(yours)

    tasks = [(r, option.crew) for option in choices for r in range(len(past.streams))]
    with (
        executor_for(past.streams, study.workers, study.cluster) as executor,
        tqdm(total=len(tasks), desc="trials", unit="run", disable=not study.progress) as progress,
    ):
        summaries = executor.map(tasks, progress)
    per_option = len(past.streams)
    assessments = [
        report.assess(option, summaries[i * per_option : (i + 1) * per_option], past.blocks, promise)
        for i, option in enumerate(choices)
    ]

    target = promise.target_minutes
    fixed = [a for a in assessments if a.option.kind == "fixed"]
    verdicts = {
        "smallest fixed crew, p90 overall": cheapest(fixed, lambda a: a.meets_overall(target)),
        "smallest fixed crew, service level": cheapest(fixed, Assessment.meets_service_level),
        "cheapest option, p90 overall": cheapest(assessments, lambda a: a.meets_overall(target)),
        "cheapest option, service level": cheapest(assessments, Assessment.meets_service_level),
    }
    report.write_csv(
        study.out / "sweep.csv",
        [{**row, "timezone": grid.zone} for row in report.rows(assessments, options.describe, study.wages)],
    )
    plot(
        assessments,
        target,
        {k: v for k, v in verdicts.items() if v is not None and "cheapest" in k},
        study.out / "sweep.html",
        study.plotly_js,
        grid.zone,
    )

    schedules = sorted(
        (a for a in assessments if a.option.kind == "schedule" and a.meets_overall(target)),
        key=lambda a: a.mean_labour_hours,
    )
    shown = fixed + schedules[:CHEAPEST_SCHEDULES_SHOWN] + [a for a in assessments if a.option.kind == "yours"]
    print(report.table(shown))
    print(
        f"\nShown: every fixed crew, the {min(CHEAPEST_SCHEDULES_SHOWN, len(schedules))} cheapest of"
        f" {len(schedules)} two-level schedules meeting p90 <= {target:g} min overall"
        + (", and your COOK_SCHEDULE" if yours else "")
        + f"; all {len(assessments)} options in"
        f" {study.out / 'sweep.csv'}, charted in {study.out / 'sweep.html'}."
    )
    print(
        f"The promise: {promise.describe()}. Intervals are {study.interval} min of local time ({grid.zone}),"
        f" judged day by day; quiet ones pooled to expect {MIN_ORDERS} orders a day. A two-level schedule's"
        f" peaks are your busiest intervals: {options.describe_peaks(peaks, grid)}."
    )
    print(
        "Labour counts every cook on shift from the first order until the last is done: a crew too small"
        " works on past the last order. Max queue counts orders waiting for a first cook."
    )
    print(
        f"{history.file.orders:,} orders in the file; {len(past.streams)} replication(s) of"
        f" {sum(s.orders for s in past.streams) / len(past.streams):,.0f} orders on average."
    )
    print(history.demand.dispersion.describe() + "\n")
    for label, a in verdicts.items():
        print(verdict_line(label, a, fixed[0] if fixed else None))
    return 0


def verdict_line(label: str, chosen: Assessment | None, smallest_tried: Assessment | None) -> str:
    """One verdict. When what meets it is the smallest crew tried, the sweep cannot tell that a smaller one would
    not: it says so, rather than let the bottom of the range pass for the answer."""
    line = f"{label[0].upper() + label[1:]}: " + (
        "none tried meets it"
        if chosen is None
        else f"{chosen.option.name} ({chosen.labour_hours.show(0, ci=False)} cook-hours, p90 {chosen.p90.show()} min,"
        f" {'/'.join(map(str, chosen.blocks_meeting()))} blocks at the service level)"
    )
    if chosen is not None and chosen is smallest_tried:
        line += "; the smallest crew tried: a smaller one might also meet it (widen --cooks to a lower start)"
    return line


if __name__ == "__main__":
    raise SystemExit(main())
