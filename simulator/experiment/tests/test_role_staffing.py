"""The requirement per role of a laid-out kitchen, on a kitchen that is not the shipped one (Kolkata, its own menu
and demand curve): a one-role layout finds exactly what one pool's search finds, and a kitchen of two stations
worked by two roles gets a requirement that keeps the promise and needs both roles."""

from __future__ import annotations

import numpy as np
import pytest

from common.service_level import Blocks, Promise
from simulator.experiment import report, staffing
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.role_staffing import crewed, floors_by_role, requirement_by_role
from simulator.experiment.streams import read_stream
from simulator.experiment.study import judged_by_days
from simulator.experiment.trials import run_trial
from simulator.menu import load_menu
from simulator.stations.layout import LaidOut, Layout, parse_layout
from tests import other_kitchen

PROMISE = Promise(40)
GRID = IntervalGrid(30, False, other_kitchen.ZONE)


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """Eight days of the kitchen's orders: the first warms it up, the next seven are judged, cell by cell."""
    menu, orders = other_kitchen.write(tmp_path_factory.mktemp("kolkata"), days=8)
    stream = read_stream(orders, load_menu(menu), GRID)
    per_day = np.bincount(stream.intervals, minlength=GRID.size) / 8
    blocks = Blocks.pooled(per_day.tolist(), GRID.per_day)
    judged = judged_by_days(stream, blocks, int(stream.days[0]) + 1, other_kitchen.ZONE)
    start = [max(1, c) for c in staffing.sipp(*staffing.offered_load(per_day, stream, GRID), PROMISE.target_minutes)]
    return judged, blocks, [2 * c for c in start]  # enough for the whole kitchen's work


def evaluate_on(judged, blocks):
    def evaluate(crew):
        return report.service_level([run_trial(judged, crew)], blocks, PROMISE)

    return evaluate


def test_a_layout_of_one_role_at_one_station_finds_what_one_pool_finds(week):
    judged, blocks, start = week
    single = Layout.single(1)
    least = floors_by_role(single, judged, GRID, 40)
    by_role = requirement_by_role(evaluate_on(judged, blocks), single, [start], least, GRID, 40)
    has_orders = (np.bincount(judged.intervals, minlength=GRID.size) > 0).tolist()
    assert least == [staffing.floors(has_orders, GRID, 40)]  # one station, worked by its one role
    pooled = staffing.requirement(
        lambda cooks: evaluate_on(judged, blocks)(GRID.schedule(cooks)), start, least[0], GRID, 40
    )
    assert by_role.cooks == [pooled.cooks] and by_role.rounds == pooled.rounds
    assert by_role.converged and by_role.settled and not by_role.result.short


def test_two_roles_at_two_stations_keep_the_promise_and_each_is_needed(week):
    judged, blocks, start = week
    layout = parse_layout(
        {
            "stations": {"tandoor": {}, "tawa": {}},
            "roles": {
                "tandoor cook": {"stations": ["tandoor"], "cooks": 1},
                "tawa cook": {"stations": ["tawa"], "cooks": 1},
            },
            "routes": [
                {"dishes": ["Paneer Tikka", "Hyderabadi Biryani"], "steps": [{"station": "tandoor"}]},
                {"dishes": "Masala Dosa", "steps": [{"station": "tawa", "time": {"median": "7:00", "p90": "9:00"}}]},
            ],
            "default_station": "tawa",
        },
        other_kitchen.ZONE,
    )
    evaluate = evaluate_on(judged, blocks)
    least = floors_by_role(layout, judged, GRID, 40)
    found = requirement_by_role(evaluate, layout, [start] * 2, least, GRID, 40, seed=5)
    assert found.converged and not found.result.short
    assert evaluate(crewed(layout, found.cooks, GRID, 5)) == found.result  # the same trials, the same verdict
    for r in range(2):  # neither role can be done without
        without = [counts if k != r else [0] * GRID.size for k, counts in enumerate(found.cooks)]
        assert evaluate(crewed(layout, without, GRID, 5)).short
    assert isinstance(crewed(layout, found.cooks, GRID, 5), LaidOut)
    # the two roles together need at least what one pool of cooks working both stations needs
    pooled_layout = parse_layout(
        {**layout.written, "roles": {"cook": {"stations": ["tandoor", "tawa"], "cooks": 1}}}, other_kitchen.ZONE
    )  # type: ignore[dict-item]
    pooled = requirement_by_role(
        evaluate, pooled_layout, [start], floors_by_role(pooled_layout, judged, GRID, 40), GRID, 40, seed=5
    )
    assert sum(map(sum, found.cooks)) >= sum(map(sum, pooled.cooks))


def test_a_role_alone_at_the_pass_has_a_cook_wherever_orders_come(week):
    judged, _, _ = week
    layout = parse_layout(
        {
            "stations": {"line": {}, "pass": {}},
            "roles": {"cook": {"stations": ["line"], "cooks": 1}, "packer": {"stations": ["pass"], "cooks": 1}},
            "packing": {"station": "pass", "per_order": 20},
        },
        other_kitchen.ZONE,
    )
    has_orders = (np.bincount(judged.intervals, minlength=GRID.size) > 0).tolist()
    assert floors_by_role(layout, judged, GRID, 40) == [staffing.floors(has_orders, GRID, 40)] * 2


def test_roles_that_share_a_station_split_its_work_by_their_wages(week):
    """A tandoor cook and an all-rounder who also works the tandoor: when the all-rounder is the dearer, it is cut
    first and the cheaper tandoor cooks keep the tandoor's work; when the tandoor cook is the dearer, the other way
    round. Either way the requirement keeps the promise, and the split follows the wages."""
    judged, blocks, start = week
    layout = parse_layout(
        {
            "stations": {"tandoor": {}, "tawa": {}},
            "roles": {
                "tandoor cook": {"stations": ["tandoor"], "cooks": 1},
                "all-rounder": {"stations": ["tandoor", "tawa"], "cooks": 1},
            },
            "routes": [{"dishes": ["Paneer Tikka", "Hyderabadi Biryani"], "steps": [{"station": "tandoor"}]}],
            "default_station": "tawa",
        },
        other_kitchen.ZONE,
    )
    evaluate = evaluate_on(judged, blocks)
    least = floors_by_role(layout, judged, GRID, 40)

    def hours(wages):
        found = requirement_by_role(evaluate, layout, [start] * 2, least, GRID, 40, seed=3, wages=wages)
        assert found.converged and not found.result.short
        return [sum(counts) for counts in found.cooks]

    tandoor_cheap, all_rounder_cheap = hours([15.0, 30.0]), hours([30.0, 15.0])
    assert tandoor_cheap[0] > all_rounder_cheap[0]  # cheap tandoor cooks take more of the tandoor
    assert tandoor_cheap[1] < all_rounder_cheap[1]  # and the dear all-rounders less
    cost = lambda found, wages: sum(h * w for h, w in zip(found, wages, strict=True))  # noqa: E731
    assert cost(tandoor_cheap, [15.0, 30.0]) <= cost(all_rounder_cheap, [15.0, 30.0])  # the split is the cheaper
