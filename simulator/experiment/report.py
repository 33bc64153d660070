"""What a study reports, read only from the trials' summaries: estimates with their 95% confidence
intervals over the replications, and the service level day by day (common/service_level.py), per option,
as tables and CSV.

A metric with no data (no order completed, nobody on shift) is "no data", never 0.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from common.service_level import Blocks, Promise, ServiceLevel, judge
from common.wages import Wages
from simulator.experiment.trials import Option, TrialCrew
from simulator.stations.layout import LaidOut
from simulator.tally import RunSummary

T_95 = [
    12.71,
    4.30,
    3.18,
    2.78,
    2.57,
    2.45,
    2.36,
    2.31,
    2.26,
    2.23,
    2.20,
    2.18,
    2.16,
    2.14,
    2.13,
    2.12,
    2.11,
    2.10,
    2.09,
    2.09,
    2.08,
    2.07,
    2.07,
    2.06,
    2.06,
    2.06,
    2.05,
    2.05,
    2.05,
    2.04,
]
"""Student's t, 97.5% quantile, for 1 to 30 degrees of freedom (then 1.96)."""
NO_DATA = "no data"


@dataclass(frozen=True)
class Estimate:
    """The mean over the replications that have a value, and the half-width of its 95% confidence interval
    (Student's t; None with fewer than two values). `mean` is None when no replication has a value."""

    mean: float | None
    half_width: float | None = None

    @classmethod
    def of(cls, values: Sequence[float | None]) -> Estimate:
        known = [v for v in values if v is not None]
        if not known:
            return cls(None)
        mean = statistics.fmean(known)
        if len(known) < 2:
            return cls(mean)
        t = T_95[len(known) - 2] if len(known) - 1 <= len(T_95) else 1.96
        return cls(mean, t * statistics.stdev(known) / math.sqrt(len(known)))

    def show(self, digits: int = 1, ci: bool = True, scale: float = 1.0, suffix: str = "") -> str:
        if self.mean is None:
            return NO_DATA
        text = f"{self.mean * scale:,.{digits}f}{suffix}"
        if ci and self.half_width is not None:
            text += f" ±{self.half_width * scale:,.{digits}f}"
        return text


@dataclass(frozen=True)
class Assessment:
    """One option, over every replication."""

    option: Option
    replications: int
    mean: Estimate
    p50: Estimate
    p90: Estimate
    p99: Estimate
    """Minutes, over each replication's orders."""
    max_queue: Estimate
    """Orders waiting for their first cook."""
    utilisation: Estimate
    labour_hours: Estimate
    service: ServiceLevel
    """The promise held day by day and block by block (common/service_level.py)."""

    def blocks_meeting(self) -> tuple[int, int]:
        """(blocks meeting the service level, blocks with orders)."""
        return len(self.service.blocks) - len(self.service.missed), len(self.service.blocks)

    def meets_service_level(self) -> bool:
        return self.service.met

    @property
    def mean_labour_hours(self) -> float:
        """`labour_hours`' mean: every replication pays its crew, so it has one whenever the option was run."""
        if self.labour_hours.mean is None:
            raise ValueError(f"{self.option.name}: assessed on no replication")
        return self.labour_hours.mean

    def meets_overall(self, target: float) -> bool:
        """The p90 of all the orders of a replication at most the target, on average: the weakest verdict."""
        return self.p90.mean is not None and self.p90.mean <= target


def assess(option: Option, summaries: Sequence[RunSummary], blocks: Blocks, promise: Promise) -> Assessment:
    def minutes(summary: RunSummary, p: float) -> float | None:
        seconds = summary.fulfillment.percentile(p)
        return None if seconds is None else seconds / 60

    return Assessment(
        option=option,
        replications=len(summaries),
        mean=Estimate.of([None if s.fulfillment.mean is None else s.fulfillment.mean / 60 for s in summaries]),
        p50=Estimate.of([minutes(s, 50) for s in summaries]),
        p90=Estimate.of([minutes(s, 90) for s in summaries]),
        p99=Estimate.of([minutes(s, 99) for s in summaries]),
        max_queue=Estimate.of([s.max_queue for s in summaries]),
        utilisation=Estimate.of([s.utilisation for s in summaries]),
        labour_hours=Estimate.of([s.labour_hours for s in summaries]),
        service=service_level(summaries, blocks, promise),
    )


def service_level(summaries: Sequence[RunSummary], blocks: Blocks, promise: Promise) -> ServiceLevel:
    """The promise held, block by block, over the replications' days (common/service_level.py)."""
    return judge([s.cells for s in summaries if s.cells is not None], blocks, promise)


def table(assessments: Sequence[Assessment], labour: str = "cook-h") -> str:
    """One line per option: labour, fulfillment (minutes), the longest queue, utilisation, the service level:
    blocks (an interval, or quiet ones pooled) meeting it, the worst block's share of days, days on which every
    block met it. `labour` is its unit, which says over how long when a reader could take it for another
    period (the plan's, a week, beside its roster's hours a day)."""
    header = [
        ("option", ""),
        ("labour", labour),
        ("mean", "min"),
        ("p50", "min"),
        ("p90 (95% CI)", "min"),
        ("p99", "min"),
        ("max queue", "orders"),
        ("util", "%"),
        ("blocks", "at level"),
        ("worst", "days %"),
        ("all met", "days %"),
    ]
    lines = []
    for a in assessments:
        met, held = a.blocks_meeting()
        worst = min((b.share for b in a.service.blocks), default=None)
        lines.append(
            [
                a.option.name,
                a.labour_hours.show(0, ci=False),
                a.mean.show(ci=False),
                a.p50.show(ci=False),
                a.p90.show(),
                a.p99.show(ci=False),
                a.max_queue.show(0, ci=False),
                a.utilisation.show(0, ci=False, scale=100),
                f"{met}/{held}",
                NO_DATA if worst is None else f"{100 * worst:.1f}",
                f"{100 * a.service.every_cell_share:.1f}" if a.service.days else NO_DATA,
            ]
        )
    every = [[name for name, _ in header], [unit for _, unit in header], *lines]
    widths = [max(len(row[column]) for row in every) for column in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join(line(cells) for cells in every)


HALF_WIDTH = "_ci95_half_width"
"""The CSV column beside an estimate's: the half-width of its 95% confidence interval (mean ± this), named so, for
a reader would otherwise take a column called ..._ci95 for a bound, or for the interval's width."""


def crew_cost(crew: TrialCrew, wages: Wages) -> float:
    """What a crew costs a week (Wages.week_cost): a laid-out kitchen's, every role's crew at its wage."""
    if isinstance(crew, LaidOut):
        return math.fsum(wages.week_cost(role.crew, role.wage) for role in crew.layout.roles)
    return wages.week_cost(crew)


def rows(
    assessments: Sequence[Assessment], describe_crew: Callable[[TrialCrew], str], wages: Wages | None = None
) -> list[dict[str, object]]:
    """The CSV rows: one per option, rounded, units in the column names, '' for no data; each estimate followed by
    its interval's half-width (HALF_WIDTH); with `wages`, what the option's crew costs a week (its hours on shift at
    their pay: Wages.week_cost) and in which currency."""

    def estimate(name: str, of: Estimate, digits: int, scale: float = 1.0) -> dict[str, object]:
        return {
            name: "" if of.mean is None else round(of.mean * scale, digits),
            name + HALF_WIDTH: "" if of.half_width is None else round(of.half_width * scale, digits),
        }

    result = []
    for a in assessments:
        met, held = a.blocks_meeting()
        worst = min((b.share for b in a.service.blocks), default=None)
        result.append(
            {
                "option": a.option.name,
                "kind": a.option.kind,
                "cook_schedule": describe_crew(a.option.crew),
                **estimate("labour_cook_hours", a.labour_hours, 1),
                **(
                    {}
                    if wages is None
                    else {"labour_cost_a_week": round(crew_cost(a.option.crew, wages), 2), "currency": wages.currency}
                ),
                **estimate("mean_min", a.mean, 2),
                **estimate("p50_min", a.p50, 2),
                **estimate("p90_min", a.p90, 2),
                **estimate("p99_min", a.p99, 2),
                **estimate("max_queued_orders", a.max_queue, 1),
                **estimate("utilisation_pct", a.utilisation, 1, 100),
                "blocks_meeting_service_level": met,
                "blocks_with_orders": held,
                "worst_block_days_met_pct": "" if worst is None else round(100 * worst, 1),
                "days_every_block_met_pct": round(100 * a.service.every_cell_share, 1) if a.service.days else "",
                "days_judged": a.service.days,
                "replications": a.replications,
            }
        )
    return result


def write_csv(path: Path, records: list[dict[str, object]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
