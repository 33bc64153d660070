"""What a study reports, read only from the trials' summaries: estimates with their 95% confidence
intervals over the replications, per option and per interval of the grid, as tables, CSV and charts.

A metric with no data (no order completed, nobody on shift) is "no data", never 0.
"""

from __future__ import annotations

import csv
import math
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from simulator.experiment.grid import IntervalGrid
from simulator.experiment.trials import Option
from simulator.tally import RunSummary

MIN_ORDERS = 10
"""An interval is held to the target when it has at least this many orders per replication (on average):
the p90 of fewer orders says little."""
T_95 = [12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.20, 2.18, 2.16, 2.14, 2.13,
        2.12, 2.11, 2.10, 2.09, 2.09, 2.08, 2.07, 2.07, 2.06, 2.06, 2.06, 2.05, 2.05, 2.05, 2.04]
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
class IntervalResult:
    interval: int
    label: str
    orders: float
    """Orders received in the interval, per replication."""
    p90: Estimate
    """Minutes."""

    @property
    def counted(self) -> bool:
        return self.orders >= MIN_ORDERS

    def met(self, target: float) -> bool:
        return self.p90.mean is not None and self.p90.mean <= target


@dataclass(frozen=True)
class Assessment:
    """One option, over every replication."""

    option: Option
    replications: int
    mean: Estimate
    p50: Estimate
    p90: Estimate
    p99: Estimate
    """Minutes."""
    max_queue: Estimate
    """Orders waiting for their first cook."""
    utilisation: Estimate
    labour_hours: Estimate
    intervals: list[IntervalResult]

    def missed(self, target: float) -> list[IntervalResult]:
        """The intervals held to the target that miss it."""
        return [i for i in self.intervals if i.counted and not i.met(target)]

    def intervals_meeting(self, target: float) -> tuple[int, int]:
        """(intervals held to the target that meet it, intervals held to it)."""
        counted = [i for i in self.intervals if i.counted]
        return sum(i.met(target) for i in counted), len(counted)

    def meets_every_interval(self, target: float) -> bool:
        return not self.missed(target)

    def meets_overall(self, target: float) -> bool:
        return self.p90.mean is not None and self.p90.mean <= target


def assess(option: Option, summaries: Sequence[RunSummary], grid: IntervalGrid) -> Assessment:
    def minutes(summary: RunSummary, p: float) -> float | None:
        seconds = summary.fulfillment.percentile(p)
        return None if seconds is None else seconds / 60

    intervals = []
    for interval in sorted({i for s in summaries for i in s.by_interval}):
        tallies = [s.by_interval.get(interval) for s in summaries]
        p90s = [None if t is None else t.percentile(90) / 60 for t in tallies]
        orders = sum(t.total for t in tallies if t is not None) / len(summaries)
        intervals.append(IntervalResult(interval, grid.label(interval), orders, Estimate.of(p90s)))
    return Assessment(
        option=option, replications=len(summaries),
        mean=Estimate.of([None if s.fulfillment.mean is None else s.fulfillment.mean / 60 for s in summaries]),
        p50=Estimate.of([minutes(s, 50) for s in summaries]),
        p90=Estimate.of([minutes(s, 90) for s in summaries]),
        p99=Estimate.of([minutes(s, 99) for s in summaries]),
        max_queue=Estimate.of([s.max_queue for s in summaries]),
        utilisation=Estimate.of([s.utilisation for s in summaries]),
        labour_hours=Estimate.of([s.labour_hours for s in summaries]),
        intervals=intervals,
    )


def table(assessments: Sequence[Assessment], target: float) -> str:
    """One line per option: labour, fulfillment (minutes), the longest queue, utilisation, intervals on target."""
    header = [("option", ""), ("labour", "cook-h"), ("mean", "min"), ("p50", "min"), ("p90 (95% CI)", "min"),
              ("p99", "min"), ("max queue", "orders"), ("util", "%"), ("intervals", "on target")]
    lines = []
    for a in assessments:
        met, counted = a.intervals_meeting(target)
        lines.append([a.option.name, a.labour_hours.show(0, ci=False), a.mean.show(ci=False), a.p50.show(ci=False),
                      a.p90.show(), a.p99.show(ci=False), a.max_queue.show(0, ci=False),
                      a.utilisation.show(0, ci=False, scale=100), f"{met}/{counted}"])
    every = [[name for name, _ in header], [unit for _, unit in header], *lines]
    widths = [max(len(row[column]) for row in every) for column in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join(line(cells) for cells in every)


def rows(assessments: Sequence[Assessment], target: float, describe_crew) -> list[dict]:
    """The CSV rows: one per option, rounded, units in the column names, '' for no data."""
    def value(estimate: Estimate, digits: int, scale: float = 1.0):
        return "" if estimate.mean is None else round(estimate.mean * scale, digits)

    def half(estimate: Estimate, digits: int, scale: float = 1.0):
        return "" if estimate.half_width is None else round(estimate.half_width * scale, digits)

    result = []
    for a in assessments:
        met, counted = a.intervals_meeting(target)
        result.append({
            "option": a.option.name, "kind": a.option.kind, "cook_schedule": describe_crew(a.option.crew),
            "labour_cook_hours": value(a.labour_hours, 1), "labour_cook_hours_ci95": half(a.labour_hours, 1),
            "mean_min": value(a.mean, 2), "mean_min_ci95": half(a.mean, 2),
            "p50_min": value(a.p50, 2), "p50_min_ci95": half(a.p50, 2),
            "p90_min": value(a.p90, 2), "p90_min_ci95": half(a.p90, 2),
            "p99_min": value(a.p99, 2), "p99_min_ci95": half(a.p99, 2),
            "max_queued_orders": value(a.max_queue, 1), "max_queued_orders_ci95": half(a.max_queue, 1),
            "utilisation_pct": value(a.utilisation, 1, 100), "utilisation_pct_ci95": half(a.utilisation, 1, 100),
            "intervals_on_target": met, "intervals_held_to_target": counted,
            "intervals_on_target_pct": round(100 * met / counted, 1) if counted else "",
            "replications": a.replications,
        })
    return result


def write_csv(path: Path, records: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
