"""The compare page: 2 to 6 runs, of any kitchens, side by side and live. The selection lives in the URL
(/compare?runs=3,5), so a comparison can be shared; a plan's intervals.csv can be opened beside the runs.

Each tick re-reads the runs; only when the selection or a selected run's moment changes is the view store
set again, with how each run is named, and each chart then runs its one query, once for every page open."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import astuple
from functools import lru_cache
from typing import TypeVar
from urllib.parse import parse_qs, urlencode

from dash import ALL, Dash, Input, Output, State, ctx, dcc, no_update

from common.database import DatabaseUnavailable, Reader
from common.localtime import half_hour_label
from common.plan_files import read_intervals
from common.schedule import CookSchedule, ScheduleError
from common.service_level import Promise
from dashboard import comparison, queries, tables
from dashboard.comparison import Shown, summary_columns
from dashboard.figures import MONEY, Money, clock_of, premium_share
from dashboard.layout import summary_table

MOST_RUNS = 6
T = TypeVar("T")


def selection_of(search: str | None) -> list[int]:
    """The runs in a URL's query string (?runs=3,5), in order, without repeats or what is not a run id."""
    values = parse_qs((search or "").lstrip("?")).get("runs", [""])[0]
    chosen = []
    for part in values.split(","):
        if part.strip().isdigit() and int(part) not in chosen:
            chosen.append(int(part))
    return chosen[:MOST_RUNS]


def search_of(runs: list[int]) -> str:
    return "?" + urlencode({"runs": ",".join(map(str, runs))}, safe=",") if runs else ""


def read_plan(contents: str, filename: str) -> dict:
    """A plan's intervals.csv as the charts draw it: rostered cooks, and the p90 of the day at the plan's
    service level, by time of day (the mean over weekdays when the plan has one per weekday), and its roster
    as a schedule. PlanLayoutError (a ValueError) says what is wrong with another file or an older plan."""
    text = base64.b64decode(contents.split(",", 1)[1]).decode("utf-8-sig")
    by_time: dict[str, list] = {}
    for row in read_intervals(text, filename):
        clock = row.interval.split()[-1]
        cooks, p90 = by_time.setdefault(clock, [[], []])
        cooks.append(row.rostered_cooks)
        if row.p90_min_at_level is not None:
            p90.append(row.p90_min_at_level)
    labels = sorted(by_time)
    weekly = any(len(by_time[t][0]) > 1 for t in labels)
    daily = {label: by_time[label][0][0] for label in labels} if not weekly else None
    return {
        "name": filename,
        "labels": labels,
        "rostered": [round(sum(by_time[t][0]) / len(by_time[t][0]), 1) for t in labels],
        "p90": [round(sum(by_time[t][1]) / len(by_time[t][1]), 1) if by_time[t][1] else None for t in labels],
        "schedule": _schedule(daily),
    }


def _schedule(daily: dict[str, int] | None) -> dict | None:
    """The roster as a run records the schedule it followed (its describe()), to know which runs followed it."""
    if daily is None:
        return None
    changes, previous = {}, None
    for clock, cooks in daily.items():
        if cooks != previous:
            changes[clock] = cooks
            previous = cooks
    try:
        return CookSchedule.parse(changes, "UTC").describe()
    except ScheduleError:
        return None


def kept_per_view(draw: Callable[[dict, dict | None], T]) -> Callable[..., T]:
    """`draw(view, plan)`, kept for the last views and plans it was asked for. A view holds each run's moment
    (simulated time, orders completed, status): every page open on the same runs asks for the same moments,
    and finished runs keep theirs, so each chart is drawn once for all of them. A failed read is not kept."""

    @lru_cache(maxsize=16)
    def by_value(key: str) -> T:
        return draw(*json.loads(key))

    return lambda view, plan=None: by_value(json.dumps([view, plan], sort_keys=True))


class ComparePage:
    """The page's callbacks on one database, each a method (`register` wires them to the app): what the picker
    offers and holds, the view store, the plan opened, each chart, the table and the CSV downloads."""

    def __init__(self, reader: Reader, zone: str, promise: Promise, money: Money = MONEY) -> None:
        self.reader, self.zone, self.promise, self.money = reader, zone, promise, money
        self.table = kept_per_view(self._table)
        self.charts: dict[str, tuple[Callable, Callable, bool]] = {
            "compare-queued": (self.queued, comparison.queued, False),
            "compare-cooks": (self.cooks, comparison.cooks, True),
            "compare-half-hours": (
                self.half_hours,
                lambda rows, shown, plan: comparison.half_hours(rows, shown, promise.target_minutes, plan),
                True,
            ),
            "compare-stations": (self.stations, comparison.stations, False),
        }

    def selection(self, _, chosen, search):
        """The runs to pick from, and the selection: a link opens its selection, a pick rewrites the link (the
        options come first, so that the picker keeps what the link names)."""
        try:
            runs = self.reader.read(queries.runs)
        except DatabaseUnavailable:
            runs = []
        options = [{"label": comparison.choice_label(r, self.zone), "value": r.id} for r in reversed(runs)]
        triggered = ctx.triggered_prop_ids  # a tick may come in the same call as a pick: the pick still counts
        if "compare-runs.value" in triggered:
            chosen = list(chosen or [])[:MOST_RUNS]
            return options, chosen, search_of(chosen)
        if set(triggered) == {"compare-tick.n_intervals"} and chosen:
            # A tick while a pick's call is in flight makes the browser drop that call as outdated: the tick's
            # call carries the pick into the link instead.
            return options, no_update, search_of(chosen) if chosen != selection_of(search) else no_update
        return options, selection_of(search), no_update

    def refresh(self, _, chosen, plan, before):
        """The view store (the runs shown, their moments and names), set again only when it changes."""
        try:
            runs = self.reader.read(queries.runs)
        except DatabaseUnavailable as why:
            return None, f"Waiting for the simulator: {why}"
        if not runs:
            return None, "No runs yet: start the simulator, then pick runs here."
        chosen = [r.id for r in runs if r.id in (chosen or [])]
        if len(chosen) < 2:
            return None, "Pick 2 to 6 runs to compare them."
        picked = [r for r in runs if r.id in chosen]
        view = {
            "runs": chosen,
            "moments": [[r.sim_now, r.orders_completed, r.status] for r in picked],
            "shown": [list(astuple(comparison.shown(r))) for r in picked],
        }
        return no_update if view == before else view, _followed(runs, chosen, plan)

    @staticmethod
    def open_plan(contents, filename):
        try:
            plan = read_plan(contents, filename)
        except (ValueError, KeyError, UnicodeDecodeError) as error:
            return None, f"Not a plan: {error}"
        return plan, f"Plan: {filename} (open another)"

    # The charts' queries, on the view -------------------------------------------------------------

    def queued(self, session, view: dict) -> list[tuple]:
        return queries.compare_queued(session, view["runs"], _changes_in(view))

    def cooks(self, session, view: dict) -> list[tuple]:
        return queries.compare_cooks(session, view["runs"], _changes_in(view))

    def stations(self, session, view: dict) -> list[tuple]:
        return queries.compare_stations(session, view["runs"])

    def half_hours(self, session, view: dict) -> list[tuple]:
        return queries.compare_half_hours(session, view["runs"])

    def rows_of(self, query, view: dict) -> list[tuple]:
        return self.reader.read(lambda session: query(session, view))

    def chart(self, output: str) -> Callable:
        """The callback that draws one chart: once per view (and plan) for every page open."""
        query, draw, uses_plan = self.charts[output]

        @kept_per_view
        def drawn(view: dict, plan: dict | None) -> dict:
            rows = self.rows_of(query, view)
            return draw(rows, _info(view), plan) if uses_plan else draw(rows, _info(view))

        def refresh_chart(view, plan=None):
            if not view:
                return draw(None, {}, plan) if uses_plan else draw(None, {})
            try:
                return drawn(view, plan)
            except DatabaseUnavailable:
                return draw(None, _info(view), plan) if uses_plan else draw(None, _info(view))

        return refresh_chart

    # The table and the downloads ------------------------------------------------------------------

    def _table(self, view: dict, _) -> list[list]:
        since = {
            run_id: clock_of(run_zone).hour_of(now - queries.HISTORY_WINDOW)[0]
            for (run_id, _, run_zone), (now, _, _) in zip(view["shown"], view["moments"], strict=True)
            if now is not None
        }
        target = self.promise.target_minutes

        def read(session) -> tuple[list, list, list]:
            return (
                queries.compare_summaries(session, view["runs"]),
                queries.compare_days(session, since, target),
                queries.compare_crews(session, view["runs"]) if self.money.wages.premiums else [],
            )

        rows, days, crews = self.reader.read(read)
        zones = {run_id: run_zone for run_id, _, run_zone in view["shown"]}
        samples: dict[int, list] = {}
        for run_id, t, cooks in crews:
            samples.setdefault(run_id, []).append((t, cooks))
        premiums = {run_id: premium_share(own, zones[run_id], self.money) for run_id, own in samples.items()}
        levels = comparison.service_levels(days, self.promise)
        return comparison.summary_rows(rows, _info(view), levels, premiums, self.money)

    def refresh_table(self, view):
        try:
            return summary_table(self.table(view) if view else [], summary_columns(self.money))
        except DatabaseUnavailable:
            return summary_table([], summary_columns(self.money))

    def download(self, clicks, view):
        which = (ctx.triggered_id or {}).get("chart")
        if not view or not which or not any(clicks):
            return no_update
        header, rows = self.csv_of(which, view)
        return dcc.send_string(tables.csv_text(header, rows), f"{which}.csv")

    def csv_of(self, which: str, view: dict):
        """A chart's or the table's CSV: the rows its query returned for the view shown."""
        shown = _info(view)
        if which == "compare-table":
            return summary_columns(self.money), self.table(view)
        if which == "compare-half-hours":
            rows = comparison.half_hour_percentiles(self.rows_of(self.half_hours, view))
            return [
                "run",
                "local half hour of receipt",
                "orders",
                "p50 fulfillment (minutes, rounded up)",
                "p90 fulfillment (minutes, rounded up)",
            ], [(shown[r].label, half_hour_label(h), n, p50, p90) for r, h, n, p50, p90 in rows]
        if which == "compare-stations":
            return [
                "run",
                "station",
                "share of capacity at work (%, mean over the last 14 days)",
                "units waiting (mean)",
                "longest wait (minutes)",
            ], [
                (shown[r].label, name, round(100 * w / c, 1) if c else "", round(q / n, 2), round(longest / 60, 1))
                for r, name, w, c, n, q, longest in self.rows_of(self.stations, view)
            ]
        query, columns = (
            (self.queued, ["queued orders"])
            if which == "compare-queued"
            else (self.cooks, ["busy cooks", "cooks on shift"])
        )
        rows = self.rows_of(query, view)
        series = comparison.time_of_day(rows, shown, *range(3, 3 + len(columns)))
        return ["run", "local time of day"] + [f"{name} (mean over the last 14 days)" for name in columns], [
            (shown[run_id].label, comparison.clock_label(minute), *(means[k] for means in columns_of_run))
            for run_id, (minutes, columns_of_run) in series.items()
            for k, minute in enumerate(minutes)
        ]


def register(app: Dash, reader: Reader, zone: str, promise: Promise, money: Money = MONEY) -> None:
    page = ComparePage(reader, zone, promise, money)
    app.callback(
        Output("compare-runs", "options"),
        Output("compare-runs", "value"),
        Output("url", "search"),
        Input("compare-tick", "n_intervals"),
        Input("compare-runs", "value"),
        Input("url", "search"),
    )(page.selection)
    app.callback(
        Output("compare-view", "data"),
        Output("compare-note", "children"),
        Input("compare-tick", "n_intervals"),
        Input("compare-runs", "value"),
        Input("plan", "data"),
        State("compare-view", "data"),
    )(page.refresh)
    app.callback(
        Output("plan", "data"),
        Output("plan-name", "children"),
        Input("plan-upload", "contents"),
        State("plan-upload", "filename"),
        prevent_initial_call=True,
    )(page.open_plan)
    for output, (_, _, uses_plan) in page.charts.items():
        app.callback(
            Output(output, "figure"), Input("compare-view", "data"), *([Input("plan", "data")] if uses_plan else [])
        )(page.chart(output))
    app.callback(Output("compare-table", "children"), Input("compare-view", "data"))(page.refresh_table)
    app.callback(
        Output("download", "data", allow_duplicate=True),
        Input({"type": "compare-csv", "chart": ALL}, "n_clicks"),
        State("compare-view", "data"),
        prevent_initial_call=True,
    )(page.download)


def _info(view: dict) -> dict[int, Shown]:
    """The selected runs as the view store carries them, so that no chart reads the runs again."""
    return {run_id: Shown(run_id, label, run_zone) for run_id, label, run_zone in view["shown"]}


def _changes_in(view: dict) -> list[int]:
    """The moments the zone's offset changes in the last two weeks of the selected runs (time of day)."""
    return sorted(
        {
            change
            for (_, _, run_zone), (now, _, _) in zip(view["shown"], view["moments"], strict=True)
            if now is not None
            for change in clock_of(run_zone).changes(now - queries.HISTORY_WINDOW, now)
        }
    )


def _followed(runs, chosen, plan) -> str:
    going = [r.id for r in runs if r.id in chosen and r.status == "running"]
    note = f"Runs going on (updating live): {', '.join(map(str, going))}." if going else ""
    if plan and plan.get("schedule"):
        followed = [
            r.id for r in runs if r.id in chosen and r.cook_schedule and json.loads(r.cook_schedule) == plan["schedule"]
        ]
        note += (
            f" The plan {plan['name']}: followed by run {', '.join(map(str, followed))}."
            if followed
            else f" The plan {plan['name']}: none of these runs followed it."
        )
    return note.strip()
