"""The compare page's pieces: the selection in the URL, a plan opened beside the runs, its figures and table,
and each chart's data as CSV."""

from __future__ import annotations

import base64
import csv
import io
import json

import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.database import DatabaseUnavailable
from common.plan_files import COLUMNS, PlannedInterval
from common.statistics import percentile
from dashboard import comparison, tables
from dashboard.app import create_app
from dashboard.compare import kept_per_view, read_plan, search_of, selection_of
from dashboard.comparison import Shown
from dashboard.figures import NO_STATIONS
from simulator.stations.layout import LaidOut, parse_layout
from tests.dash_callbacks import UPDATE_URL, payload, values
from tests.kitchen_data import T0, build_database, order

ZONE = "America/Los_Angeles"
RUNS = {
    3: Shown(3, "Kitchen · run 3 · 110 cooks", "America/Los_Angeles"),
    5: Shown(5, "Harbour · run 5", "Asia/Kolkata"),
}


@pytest.mark.parametrize(
    "search, runs",
    [
        ("?runs=3,5", [3, 5]),
        ("?runs=5,3,5", [5, 3]),
        ("", []),
        ("?runs=x,2", [2]),
        ("?runs=1,2,3,4,5,6,7", [1, 2, 3, 4, 5, 6]),
    ],
)
def test_the_selection_in_the_url(search, runs):
    assert selection_of(search) == runs
    if runs:
        assert selection_of(search_of(runs)) == runs


def upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def plan_csv(rows: list[tuple[str, int, str]]) -> str:
    """An intervals.csv as the plan writes it (common/plan_files.py), from (interval, rostered, p90) rows."""
    out = io.StringIO()
    write = csv.writer(out)
    write.writerow(COLUMNS)
    for interval, cooks, p90 in rows:
        write.writerow(
            PlannedInterval(
                interval,
                interval,
                10.0,
                cooks - 1,
                cooks,
                40,
                97.5,
                90.0,
                99.0,
                float(p90) if p90 else None,
                "yes",
                cooks,
                cooks,
                "UTC",
            )
        )
    return out.getvalue().replace(",None,", ",,")


def test_a_plans_intervals_are_read_for_the_charts_and_its_roster_as_a_schedule():
    plan = read_plan(upload(plan_csv([("00:00", 3, "12.5"), ("00:30", 3, "13.0"), ("01:00", 2, "")])), "intervals.csv")
    assert (
        plan["labels"] == ["00:00", "00:30", "01:00"]
        and plan["rostered"] == [3, 3, 2]
        and plan["p90"] == [12.5, 13.0, None]
    )
    assert plan["schedule"]["Wed"] == {"00:00": 3, "01:00": 2}
    plan = read_plan(upload(plan_csv([("Mon 12:00", 4, "20"), ("Sat 12:00", 8, "20")])), "intervals.csv")
    assert plan["rostered"] == [6.0] and plan["schedule"] is None  # per weekday: the mean, and no single schedule
    with pytest.raises(ValueError, match="expected the intervals.csv that python -m simulator.plan writes"):
        read_plan(upload("a,b\n1,2\n"), "other.csv")
    old = (
        "interval,orders_per_hour,requirement_cooks,rostered_cooks,p90_min,p90_min_ci95,held_to_target,target_met\n"
        "00:00,10,2,3,12.5,1,yes,yes\n"
    )
    with pytest.raises(ValueError, match="a plan of an older layout .* make the plan again"):
        read_plan(upload(old), "intervals.csv")


def test_time_of_day_is_each_runs_own_local_time():
    # (run, first sample, samples, sums): the same UTC moment is 08:00 in Los Angeles and 21:30 in Kolkata
    rows = [(3, T0, 2, 8, 4, 10), (5, T0, 1, 6, 1, 5)]
    built = comparison.queued([r[:4] for r in rows], RUNS)
    go.Figure(built)
    assert {trace["name"]: (trace["x"], trace["y"]) for trace in built["data"]} == {
        RUNS[3].legend: ([8.0], [4.0]),
        RUNS[5].legend: ([21.5], [6.0]),
    }
    kathmandu = {7: Shown(7, "Hill · run 7", "Asia/Kathmandu")}  # 5:45 ahead: 21:45, not the 21:40 of its 10 minutes
    assert comparison.queued([(7, T0, 1, 3)], kathmandu)["data"][0]["x"] == [21.75]
    cooks = comparison.cooks(
        [(r[0], r[1], r[2], r[4], r[5]) for r in rows], RUNS, {"labels": ["08:00"], "rostered": [7], "p90": [None]}
    )
    go.Figure(cooks)
    assert cooks["data"][0]["y"] == [2.0] and cooks["data"][1]["y"] == [5.0]
    assert cooks["data"][-1]["name"] == "the plan: cooks rostered" and cooks["data"][-1]["y"] == [7]


def test_half_hours_against_the_target_and_no_data_in_the_table():
    # (run, half hour, minutes, orders): 12:00 has 4 orders of 5 min, 5 of 11 and 1 of 38, so the 9th of 10
    # (its p90, nearest rank) took 11 minutes; 12:30 has one tally
    tallies = [(3, 24, 5, 4), (3, 24, 11, 5), (3, 24, 38, 1), (3, 25, 45, 35), (5, 24, 7, 2)]
    assert comparison.half_hour_percentiles(tallies) == [(3, 24, 10, 11, 11), (3, 25, 35, 45, 45), (5, 24, 2, 7, 7)]
    built = comparison.half_hours(tallies, RUNS, 40)
    go.Figure(built)
    assert built["data"][0]["y"] == [11, 45] and built["data"][0]["customdata"] == [10, 35]
    assert built["layout"]["shapes"][0]["y0"] == 40
    [row] = comparison.summary_rows([(3, 0, None, None, None, None, 0.0, 0.0, 0)], RUNS, {})
    assert row[2:8] == ["no data"] * 6 and row[10:13] == ["no data"] * 3  # no revenue, no cook-hours


def test_every_chart_has_its_csv_with_units_and_local_times():
    header, rows = tables.order_statuses([(T0, 3, 5)], "America/Los_Angeles")
    text = tables.csv_text(header, rows)
    assert list(csv.reader(io.StringIO(text))) == [
        ["local time (America/Los_Angeles)", "queued orders", "orders in progress"],
        ["2019-02-18 08:00", "3", "5"],
    ]
    assert tables.revenue_by_day([("2019-02-18", "Uber", 1250)], "UTC")[1] == [("2019-02-18", "Uber", "12.50")]
    assert tables.fulfillment_by_half_hour([(25, 12, 9, 31)], "UTC") == (
        [
            "local half hour of receipt (UTC)",
            "orders",
            "p50 fulfillment (minutes, rounded up)",
            "p90 fulfillment (minutes, rounded up)",
        ],
        [("12:30", 12, 9, 31)],
    )
    assert tables.service_level_by_half_hour([("2019-02-18", 47, 12, 11, 52)], "UTC")[1] == [
        ("2019-02-18", "23:30", 12, 11, 52)
    ]


def test_a_view_is_drawn_once_for_every_page_and_a_failed_read_is_not_kept():
    drawn = []

    def draw(view, plan):
        drawn.append((view["moments"], plan))
        if view["moments"][0][2] == "gone":
            raise DatabaseUnavailable("the database went away")
        return {"moments": view["moments"], "plan": plan}

    kept = kept_per_view(draw)
    going = {"runs": [3, 5], "moments": [[600, 40, "running"], [900, 70, "completed"]]}
    assert kept(going) == kept(dict(reversed(going.items()))) == {"moments": going["moments"], "plan": None}
    later = {**going, "moments": [[1200, 41, "running"], [900, 70, "completed"]]}
    kept(later), kept(later, {"name": "intervals.csv"}), kept(later)
    assert len(drawn) == 3  # one drawing a view and plan: the same moments again are not drawn twice
    gone = {**going, "moments": [[1200, 41, "gone"], [900, 70, "completed"]]}
    for _ in range(2):
        with pytest.raises(DatabaseUnavailable):
            kept(gone)
    assert len(drawn) == 5


@given(
    st.dictionaries(
        st.tuples(st.integers(1, 3), st.integers(0, 47), st.integers(0, 400)),
        st.integers(1, 50),
        min_size=1,
        max_size=60,
    )
)
def test_half_hour_percentiles_are_the_nearest_ranks_of_the_orders_they_count(counts):
    tallies = sorted((run, half_hour, minutes, n) for (run, half_hour, minutes), n in counts.items())
    expected = []
    for run, half_hour in sorted({key[:2] for key in counts}):
        times = sorted(m for (r, h, m), n in counts.items() if (r, h) == (run, half_hour) for _ in range(n))
        expected.append((run, half_hour, len(times), percentile(times, 50), percentile(times, 90)))
    assert comparison.half_hour_percentiles(tallies) == expected == comparison.half_hour_percentiles(tallies[::-1])


def compare_figures(client, runs: list[int]) -> dict[str, dict]:
    """The compare page's charts as the browser gets them: the view the picked runs make, then each chart."""

    def post(body):
        response = client.post(UPDATE_URL, json=body)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    view_outputs = [("compare-view", "data"), ("compare-note", "children")]
    [view, _] = values(
        post(
            payload(
                view_outputs,
                [("compare-tick", "n_intervals", 1), ("compare-runs", "value", runs), ("plan", "data", None)],
                [("compare-view", "data", None)],
            )
        ),
        view_outputs,
    )
    charts = {
        "compare-queued": [("compare-view", "data", view)],
        "compare-half-hours": [("compare-view", "data", view), ("plan", "data", None)],
        "compare-stations": [("compare-view", "data", view)],
    }
    drawn = {
        name: values(post(payload([(name, "figure")], inputs)), [(name, "figure")])[0]
        for name, inputs in charts.items()
    }
    [output] = [
        d["output"]
        for d in client.get("/_dash-dependencies").get_json()  # allow_duplicate's name
        if "compare-csv" in d["inputs"][0]["id"]
    ]
    button = {"chart": "compare-queued", "type": "compare-csv"}
    download = {
        "output": output,
        "outputs": {"id": "download", "property": output.split(".", 1)[1]},
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "changedPropIds": [json.dumps(button, separators=(",", ":")) + ".n_clicks"],
        "state": [{"id": "compare-view", "property": "data", "value": view}],
    }
    saved = post(download)["response"]["download"]["data"]["content"]
    return {**drawn, "compare-queued.csv": list(csv.reader(io.StringIO(saved)))}


def test_each_run_is_drawn_in_its_own_recorded_zone_as_its_half_hours_are(tmp_path, menu):
    # the same burst of orders at the same UTC moment (T0, 16:00 UTC) in two kitchens: 10:00 in Chicago (CST),
    # 21:30 in Kolkata (UTC+5:30); the dashboard's own zone is a third, Los Angeles (08:00)
    db = tmp_path / "k.db"
    burst = [order(T0, ("Stew", 1)) for _ in range(12)]
    zones = {
        build_database(db, burst, menu, zone=zone, kitchen=kitchen): zone
        for kitchen, zone in [("Chicago", "America/Chicago"), ("Kolkata", "Asia/Kolkata")]
    }
    chicago, kolkata = zones
    drawn = compare_figures(create_app(db, 5, "America/Los_Angeles").server.test_client(), [chicago, kolkata])
    saved = drawn.pop("compare-queued.csv")
    for figure in drawn.values():
        go.Figure(figure)
    queued = {trace["name"]: trace for trace in drawn["compare-queued"]["data"]}
    half_hours = {trace["name"]: trace for trace in drawn["compare-half-hours"]["data"]}
    for run, starts in [(chicago, 10.0), (kolkata, 21.5)]:
        [name] = [name for name in queued if f"run {run} ·" in name]
        first_queue = min(x for x, y in zip(queued[name]["x"], queued[name]["y"], strict=True) if x is not None and y)
        assert first_queue == starts  # the queue builds at the burst, at the kitchen's own local time
        assert half_hours[name]["x"] == [starts]  # and the half-hour chart puts the burst's orders there too
        assert zones[run] in name  # the legend says which zone the run is drawn in
        assert (
            min(row[1] for row in saved[1:] if f"run {run} ·" in row[0] and float(row[2]))
            == f"{int(starts):02}:{int(starts % 1 * 60):02}"
        )  # and so does the chart's CSV
    assert "each kitchen" in drawn["compare-queued"]["layout"]["xaxis"]["title"]["text"]
    assert NO_STATIONS in str(drawn["compare-stations"]["layout"]["annotations"])  # neither run is laid out


def test_laid_out_runs_compare_their_stations(tmp_path, menu):
    # the same orders through a grill worked by one cook or by two, then an oven of two slots
    db = tmp_path / "k.db"
    stews = [order(T0 + 240 * i, ("Stew", 1)) for i in range(30)]

    def laid_out(grill_cooks: int) -> LaidOut:
        written = {
            "stations": {"grill": {}, "oven": {"slots": 2}},
            "roles": {"cook": {"stations": ["grill"], "cooks": grill_cooks}},
            "routes": [{"dishes": "Stew", "steps": [{"station": "grill"}, {"station": "oven", "time": 200}]}],
        }
        return LaidOut(parse_layout(written, ZONE))

    one, two = (build_database(db, stews, menu, laid_out(n)) for n in (1, 2))
    pooled = build_database(db, stews, menu, 2)
    drawn = compare_figures(create_app(db, 5, ZONE).server.test_client(), [one, two, pooled])
    figure = drawn["compare-stations"]
    go.Figure(figure)
    bars = {trace["name"]: trace for trace in figure["data"]}
    assert len(bars) == 2  # the run of one pool of cooks has no stations
    [of_one] = [bar for name, bar in bars.items() if f"run {one} ·" in name]
    [of_two] = [bar for name, bar in bars.items() if f"run {two} ·" in name]
    assert of_one["x"] == of_two["x"] == ["grill", "oven"]
    # a stew every 240 s, 300 s on the grill: one grill cook is always at work and stews pile up before the
    # grill; two grill cooks keep up, and are not always at work
    assert of_one["y"][0] > 90 > of_two["y"][0]
    assert of_one["customdata"][0][0] > of_two["customdata"][0][0]  # more units waiting at the grill


def samples_around_a_night_gap(run: int, zone: str) -> list[tuple]:
    """A day of 10-minute samples (run, t, samples, value) of a run in `zone`, with none from 03:20 to 09:30
    local: the value is the sample's local minute of the day."""
    midnight = T0 - (T0 + comparison.clock_of(zone).offset(T0)) % 86400
    minutes = [m for m in range(0, 1440, 10) if m <= 200 or m >= 570]
    return [(run, midnight + 60 * m, 1, m) for m in minutes]


def test_time_of_day_is_a_linear_day_with_a_night_gap_left_as_a_gap():
    built = comparison.queued(samples_around_a_night_gap(5, "Asia/Kolkata"), RUNS)
    go.Figure(built)
    [trace] = built["data"]
    gap = trace["x"].index(None)
    assert trace["x"][gap - 1 : gap + 2] == [pytest.approx(200 / 60), None, 9.5]  # 03:20, a break, 09:30
    assert trace["x"].count(None) == trace["y"].count(None) == 1 and trace["y"][gap - 1 : gap + 2] == [200, None, 570]
    assert trace["x"][0] == 0 and trace["x"][-1] == pytest.approx(1430 / 60)
    axis = built["layout"]["xaxis"]
    assert axis["type"] == "linear" and axis["range"] == [0, 24]
    assert axis["tickvals"] == list(range(0, 25, 2)) and axis["ticktext"][:3] == ["00:00", "02:00", "04:00"]
    assert axis["ticktext"][-1] == "24:00"
    cooks = comparison.cooks(
        [(*row, row[3]) for row in samples_around_a_night_gap(5, "Asia/Kolkata")],
        RUNS,
        {"labels": ["09:30", "10:00"], "rostered": [2, 3], "p90": [None, None]},
    )
    go.Figure(cooks)
    assert [trace["x"].count(None) for trace in cooks["data"][:2]] == [1, 1]
    assert cooks["data"][-1]["x"] == [9.5, 10.0] and cooks["layout"]["xaxis"]["range"] == [0, 24]
    tallies = [(3, h, 20, 5) for h in list(range(0, 7)) + list(range(19, 48))]  # half hours 00:00-03:00, 09:30-23:30
    half_hours = comparison.half_hours(tallies, RUNS, 40)
    go.Figure(half_hours)
    x = half_hours["data"][0]["x"]
    assert x[5:9] == [2.5, 3.0, None, 9.5] and x.count(None) == 1 and half_hours["layout"]["xaxis"]["range"] == [0, 24]
