"""The shipped data's generator: deterministic, and as realistic as the issue asks."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timezone

import pytest
import pytz

from common.localtime import LocalClock
from common.settings import load_settings
from simulator.feed import read_orders
from simulator.generate import generate, main
from simulator.menu import load_menu
from simulator.orders import EmptyOrder, Order
from simulator.run import simulate
from tests.kitchen_data import Recording
from tests.parameters import write_parameters

ZONE = "America/Los_Angeles"


def generated_lists(seed: int) -> tuple[list[dict], list[dict]]:
    menu, orders = generate(seed=seed, first_day=date(2019, 2, 18), days=2, orders_per_day=3000, zone=ZONE)
    return menu, list(orders)


@pytest.fixture(scope="module")
def generated():
    return generated_lists(11)


def local_hour(order) -> int:
    moment = datetime.fromisoformat(order["ordered_at"]).replace(tzinfo=timezone.utc)
    return moment.astimezone(pytz.timezone(ZONE)).hour


def test_the_same_seed_gives_the_same_data(generated):
    assert generated_lists(11) == generated
    assert generated_lists(12) != generated


def test_a_menu_of_100_dishes_cooked_in_4_to_15_minutes(generated):
    menu, _ = generated
    assert len(menu) == len({d["name"] for d in menu}) == 100
    assert all(240 <= d["cook_time"] <= 900 and isinstance(d["cook_time"], int) for d in menu)


def test_orders_have_three_services_with_different_shares_and_1_to_5_lines(generated):
    _, orders = generated
    shares = Counter(o["service"] for o in orders)
    assert len(shares) == 3 and len(set(shares.values())) == 3
    lines = Counter(len(o["items"]) for o in orders)
    assert set(lines) == {0, 1, 2, 3, 4, 5}
    assert 0 < lines[0] < len(orders) / 100  # a few orders with no items
    assert len({o["name"] for o in orders}) > len(orders) / 2  # many different customers


def test_the_day_has_meal_peaks_and_a_quiet_night(generated):
    _, orders = generated
    by_hour = Counter(local_hour(o) for o in orders)
    night = by_hour[3]
    assert by_hour[8] > 3 * night and by_hour[12] > 10 * night and by_hour[19] > 10 * night
    assert by_hour[12] > by_hour[10] and by_hour[19] > by_hour[16]  # lunch and dinner are peaks


def test_a_few_orders_arrive_out_of_timestamp_order(generated):
    _, orders = generated
    stamps = [o["ordered_at"] for o in orders]
    late = sum(1 for before, after in zip(stamps, stamps[1:], strict=False) if after < before)
    assert 0 < late < len(orders) / 50


def test_the_written_files_replay_cleanly(tmp_path):
    main(
        [
            "--days",
            "1",
            "--orders-per-day",
            "200",
            "--seed",
            "4",
            "--menu",
            str(tmp_path / "items.json"),
            "--orders",
            str(tmp_path / "orders.json"),
        ]
    )
    menu = load_menu(tmp_path / "items.json")
    entries = list(read_orders(tmp_path / "orders.json", menu))
    assert entries and all(isinstance(e, (Order, EmptyOrder)) for e in entries)


def test_max_orders_cuts_the_stream(tmp_path):
    main(
        [
            "--days",
            "3",
            "--orders-per-day",
            "200",
            "--max-orders",
            "250",
            "--menu",
            str(tmp_path / "items.json"),
            "--orders",
            str(tmp_path / "orders.json"),
        ]
    )
    assert len(json.loads((tmp_path / "orders.json").read_text())) == 250


def test_the_shipped_data_is_small_and_covers_two_days():
    settings = load_settings()
    assert settings.orders_path.stat().st_size < 5_000_000
    orders = json.loads(settings.orders_path.read_text())
    days = {
        datetime.fromisoformat(o["ordered_at"]).replace(tzinfo=timezone.utc).astimezone(pytz.timezone(ZONE)).date()
        for o in orders
    }
    assert len(days) >= 2


def test_with_the_default_crew_the_queue_builds_at_lunch_and_dinner_and_drains_at_night():
    settings = load_settings()
    recording = Recording()
    simulate(
        read_orders(settings.orders_path, load_menu(settings.menu_path)),
        settings.cooks,
        None,
        recording,
        LocalClock(ZONE),
    )
    clock = pytz.timezone(ZONE)
    queue_by_hour: dict[int, int] = {}
    for sample in recording.samples:
        hour = datetime.fromtimestamp(sample.t, clock).hour
        queue_by_hour[hour] = max(queue_by_hour.get(hour, 0), sample.queued_orders)
    assert max(queue_by_hour[h] for h in (12, 13, 14)) > 50
    assert max(queue_by_hour[h] for h in (19, 20, 21)) > 50
    assert all(queue_by_hour[h] == 0 for h in (2, 3, 4))


@pytest.mark.parametrize("extension", ["csv", "jsonl"])
def test_the_data_in_the_other_formats_reads_back_as_the_same_orders(tmp_path, extension, monkeypatch):
    monkeypatch.setenv("KITCHEN_PARAMETERS", str(write_parameters(tmp_path / "parameters.py")))
    arguments = ["--days", "1", "--orders-per-day", "300", "--menu", str(tmp_path / "items.json")]
    main(arguments + ["--orders", str(tmp_path / "orders.json")])
    main(arguments + ["--orders", str(tmp_path / f"orders.{extension}")])
    menu = load_menu(tmp_path / "items.json")
    as_json = list(read_orders(tmp_path / "orders.json", menu))
    other = list(read_orders(tmp_path / f"orders.{extension}", menu))
    strip = lambda entry: entry if not isinstance(entry, Order) else entry._replace(order_id=None)  # noqa: E731
    assert [strip(e) for e in other] == as_json and len(as_json) > 250
    assert not list((tmp_path).glob(".*partial"))


def test_the_timezone_flag_puts_the_meal_peaks_in_that_zones_hours(tmp_path, monkeypatch):
    monkeypatch.setenv("KITCHEN_PARAMETERS", str(write_parameters(tmp_path / "parameters.py")))  # Los Angeles
    main(
        [
            "--days",
            "1",
            "--orders-per-day",
            "600",
            "--timezone",
            "Asia/Kolkata",
            "--menu",
            str(tmp_path / "items.json"),
            "--orders",
            str(tmp_path / "orders.json"),
        ]
    )
    kolkata = pytz.timezone("Asia/Kolkata")
    by_hour = Counter(
        datetime.fromisoformat(o["ordered_at"]).replace(tzinfo=timezone.utc).astimezone(kolkata).hour
        for o in json.loads((tmp_path / "orders.json").read_text())
    )
    assert by_hour[12] > 5 * by_hour[3] and by_hour[19] > 5 * by_hour[3]  # lunch and dinner, night quiet, in Kolkata


@pytest.mark.parametrize(
    "flags, message",
    [
        (
            ["--orders-per-day", "-5"],
            "argument --orders-per-day: expected at least 1 orders a day, got -5: that makes no data",
        ),
        (["--days", "0"], "argument --days: expected at least 1 days, got 0: that makes no data"),
        (["--max-orders", "0"], "argument --max-orders: expected at least 1 orders, got 0"),
        (["--first-day", "18/02/2019"], "argument --first-day: expected a date like 2019-02-18, got '18/02/2019'"),
        (["--timezone", "Central"], "argument --timezone: unknown time zone 'Central' (use an IANA name"),
    ],
)
def test_bad_flags_leave_the_files_as_they_were(tmp_path, monkeypatch, capsys, flags, message):
    monkeypatch.setenv("KITCHEN_PARAMETERS", str(write_parameters(tmp_path / "parameters.py")))
    orders, menu = tmp_path / "orders.json", tmp_path / "items.json"
    orders.write_text("[]\n")
    with pytest.raises(SystemExit) as exit_:
        main(flags + ["--orders", str(orders), "--menu", str(menu)])
    assert exit_.value.code == 2 and message in capsys.readouterr().err
    assert orders.read_text() == "[]\n" and not menu.exists()
