"""`python -m simulator.sweep`: how many cooks, and when? Run the kitchen in virtual time for each crew.

For every fixed crew in --cooks (start:stop:step) and every two-level schedule built from those counts
(a base crew, and a peak crew over lunch and dinner), the kitchen replays the orders with no database
and no waiting, in parallel across the CPU's cores. Replication 1 replays --orders; replications 2..R
replay streams generated with other seeds on the same demand curve, as many days and orders as the
file. It prints a table, writes it as CSV beside a Plotly chart (HTML) of p90 fulfillment against
labour, and names the smallest fixed crew and the cheapest schedule tried that meet the p90 target.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import multiprocessing
import os
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import plotly.graph_objects as go
import pytz
from tqdm import tqdm

from common.localtime import LocalClock
from common.schedule import CookSchedule
from common.settings import settings_or_exit
from simulator import fifo, generate
from simulator.menu import MenuError, load_menu
from simulator.orders import FeedEntry, OrdersFileError, parse_order, read_orders
from simulator.run import NoRecorder, simulate

PEAKS = ("10:30", "14:30", "17:00", "21:30")  # lunch and dinner, local time: when a schedule's peak crew works
T_95 = [12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.20, 2.18, 2.16, 2.14, 2.13,
        2.12, 2.11, 2.10, 2.09, 2.09, 2.08, 2.07, 2.07, 2.06, 2.06, 2.06, 2.05, 2.05, 2.05, 2.04]
METRICS = ("mean", "p50", "p90", "p99", "max_queue", "utilisation", "labour_hours")

_streams: list[list[FeedEntry]] = []  # set before the workers fork, shared with them


@dataclass(frozen=True)
class Option:
    name: str
    crew: int | CookSchedule


def peak_schedule(base: int, peak: int, zone: str) -> CookSchedule:
    at = dict(zip(PEAKS, (peak, base, peak, base)))
    return CookSchedule.parse({"00:00": base, **at}, zone)


def options(counts: list[int], zone: str, extra: CookSchedule | None) -> list[Option]:
    fixed = [Option(f"{n} cooks", n) for n in counts]
    schedules = [Option(f"{base} / {peak} at peaks", peak_schedule(base, peak, zone))
                 for base in counts for peak in counts if peak > base]
    if extra is not None:
        schedules.append(Option("COOK_SCHEDULE", extra))
    return fixed + schedules


def run_one(task: tuple[int, int, Option]) -> tuple[int, int, dict]:
    index, replication, option = task
    stream = _streams[replication]
    if isinstance(option.crew, int):
        outcome = fifo.fixed_crew(stream, option.crew)
    else:
        kitchen = simulate(stream, option.crew, None, NoRecorder(), LocalClock(option.crew.zone)).kitchen
        outcome = fifo.Outcome(kitchen.fulfillment, kitchen.most_queued, kitchen.utilisation(), kitchen.labour_hours())
    tally = outcome.fulfillment
    minutes = {f"p{p}": (tally.percentile(p) or 0) / 60 for p in (50, 90, 99)}
    return index, replication, {"mean": (tally.mean or 0) / 60, **minutes, "max_queue": outcome.max_queue,
                                "utilisation": outcome.utilisation or 0, "labour_hours": outcome.labour_hours}


def summarise(values: list[float]) -> tuple[float, float | None]:
    """The mean and the half-width of its 95% confidence interval (Student's t); None for one value."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, None
    t = T_95[len(values) - 2] if len(values) - 1 <= len(T_95) else 1.96
    return mean, t * statistics.stdev(values) / math.sqrt(len(values))


def streams(orders: Path, menu_path: Path, replications: int, zone: str) -> list[list[FeedEntry]]:
    """The orders file, then streams generated with seeds 2..R: the same span and volume, and the
    generator's default menu and dish popularity (the shipped data's), so only the orders vary."""
    menu = load_menu(menu_path)
    first = list(read_orders(orders, menu))
    result = [first]
    if replications > 1:
        tz = pytz.timezone(zone)
        days = sorted({datetime.fromtimestamp(e.ordered_at, timezone.utc).astimezone(tz).date()
                       for e in first if e.ordered_at is not None})
        per_day = round(len(first) / max(1, len(days)))
        for seed in range(2, replications + 1):
            _, raw = generate.generate(generate.SEED, days[0] if days else date(2019, 2, 18), max(1, len(days)),
                                       per_day, zone, stream_seed=seed)
            result.append([parse_order(p, o, menu) for p, o in enumerate(raw, start=1)])
    return result


def sweep(option_list: list[Option], replications: int, workers: int, progress: bool = True) -> list[dict]:
    tasks = [(i, r, option) for i, option in enumerate(option_list) for r in range(replications)]
    results: dict[int, list[dict]] = {i: [] for i in range(len(option_list))}
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for index, _, metrics in tqdm(pool.imap_unordered(run_one, tasks, chunksize=2), total=len(tasks),
                                      desc="runs", unit="run", disable=not progress):
            results[index].append(metrics)
    rows = []
    for index, option in enumerate(option_list):
        row = {"option": option.name, "kind": "fixed" if isinstance(option.crew, int) else "schedule",
               "schedule": "" if isinstance(option.crew, int) else json.dumps(option.crew.describe()["Mon"])}
        for metric in METRICS:
            mean, half_width = summarise([r[metric] for r in results[index]])
            row[metric] = mean
            row[f"{metric}_ci95"] = half_width
        rows.append(row)
    return rows


def verdict(rows: list[dict], sla_p90: float) -> tuple[dict | None, dict | None]:
    """The smallest fixed crew, and the cheapest schedule, whose mean p90 meets the target."""
    meeting = [r for r in rows if r["p90"] <= sla_p90]
    fixed = min((r for r in meeting if r["kind"] == "fixed"), key=lambda r: r["labour_hours"], default=None)
    cheapest = min(meeting, key=lambda r: r["labour_hours"], default=None)
    return fixed, cheapest


def table(rows: list[dict]) -> str:
    def ci(row, metric, fmt):
        half = row[f"{metric}_ci95"]
        return format(row[metric], fmt) + ("" if half is None else f" ±{half:{fmt}}")

    lines = [f"{'option':<26}{'labour h':>10}{'mean min':>10}{'p50':>8}{'p90 (95% CI)':>16}{'p99':>8}"
             f"{'max queue':>11}{'util':>7}"]
    for r in rows:
        lines.append(f"{r['option']:<26}{r['labour_hours']:>10,.0f}{r['mean']:>10.1f}{r['p50']:>8.1f}"
                     f"{ci(r, 'p90', '.1f'):>16}{r['p99']:>8.1f}{r['max_queue']:>11.0f}{r['utilisation']:>7.0%}")
    return "\n".join(lines)


def plot(rows: list[dict], sla_p90: float, path: Path) -> None:
    figure = go.Figure()
    for kind, symbol in (("fixed", "circle"), ("schedule", "diamond")):
        chosen = [r for r in rows if r["kind"] == kind]
        figure.add_scatter(
            x=[r["labour_hours"] for r in chosen], y=[r["p90"] for r in chosen], mode="markers",
            name="fixed crews" if kind == "fixed" else "schedules", marker_symbol=symbol, text=[r["option"] for r in chosen],
            error_y={"type": "data", "array": [r["p90_ci95"] or 0 for r in chosen]},
            hovertemplate="%{text}<br>%{x:,.0f} cook-hours<br>p90 %{y:.1f} min<extra></extra>",
        )
    figure.add_hline(y=sla_p90, line_dash="dash", annotation_text=f"target p90 {sla_p90:g} min")
    figure.update_layout(title="p90 fulfillment against labour", xaxis_title="labour (cook-hours)",
                         yaxis_title="p90 fulfillment (minutes)", template="plotly_white")
    figure.write_html(path, include_plotlyjs=True)


def crew_range(text: str) -> list[int]:
    try:
        start, stop, step = (int(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected start:stop:step, like 60:160:10, got {text!r}") from None
    if not (0 < start <= stop and step > 0):
        raise argparse.ArgumentTypeError(f"expected 0 < start <= stop and step > 0, got {text!r}")
    return list(range(start, stop + 1, step))


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("simulator.sweep")
    parser = argparse.ArgumentParser(prog="python -m simulator.sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=Path, default=settings.orders_path)
    parser.add_argument("--menu", type=Path, default=settings.menu_path)
    parser.add_argument("--cooks", type=crew_range, required=True, help="fixed crews to try: start:stop:step")
    parser.add_argument("--replications", type=int, default=1)
    parser.add_argument("--sla-p90", type=float, default=40.0, help="target p90 fulfillment in minutes")
    parser.add_argument("--out", type=Path, default=Path("sweep"), help="folder for sweep.csv and sweep.html")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.replications < 1:
        parser.error("--replications must be at least 1")

    global _streams
    try:
        _streams = streams(args.orders, args.menu, args.replications, settings.timezone)
    except (MenuError, OrdersFileError) as error:
        parser.exit(2, f"simulator.sweep: {error}\n")
    option_list = options(args.cooks, settings.timezone, settings.schedule)
    rows = sweep(option_list, args.replications, args.workers, progress=not args.no_progress)

    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "sweep.csv", "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plot(rows, args.sla_p90, args.out / "sweep.html")

    fixed, cheapest = verdict(rows, args.sla_p90)
    shown = [r for r in rows if r["kind"] == "fixed"]
    shown += sorted((r for r in rows if r["kind"] == "schedule" and r["p90"] <= args.sla_p90),
                    key=lambda r: r["labour_hours"])[:5]
    print(table(shown))
    print(f"\n{len(_streams[0]):,} orders, {args.replications} replication(s), {len(option_list)} crews and schedules;"
          f" results in {args.out / 'sweep.csv'} and {args.out / 'sweep.html'}")
    if fixed is None:
        print(f"No fixed crew tried meets p90 <= {args.sla_p90:g} min: try more cooks.")
    else:
        print(f"Smallest fixed crew meeting p90 <= {args.sla_p90:g} min: {fixed['option']}"
              f" ({fixed['labour_hours']:,.0f} cook-hours, p90 {fixed['p90']:.1f} min)")
    if cheapest is not None and cheapest["kind"] == "schedule":
        saving = 1 - cheapest["labour_hours"] / fixed["labour_hours"] if fixed else 0
        print(f"Cheapest schedule tried that meets it: {cheapest['option']}, {cheapest['schedule']}"
              f" ({cheapest['labour_hours']:,.0f} cook-hours, p90 {cheapest['p90']:.1f} min"
              + (f", {saving:.0%} less labour)" if fixed else ")"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
