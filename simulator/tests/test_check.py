"""`python -m simulator.check`: what the simulator would do with a file, and an exit status that says it."""

from __future__ import annotations

import json

import pytest

from simulator import check
from tests import other_kitchen
from tests.parameters import write_parameters

HEADER = "Ref,Created,Guest,Channel,Product,Qty,Price\n"
COLUMNS = "order_id=Ref,ordered_at=Created,name=Guest,service=Channel,item=Product,quantity=Qty,price_per_unit=Price"


@pytest.fixture(autouse=True)
def parameters(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "KITCHEN_PARAMETERS", str(write_parameters(tmp_path / "parameters.py", KITCHEN_TIMEZONE=other_kitchen.ZONE))
    )


def test_a_clean_file_says_what_it_holds_and_exits_0(tmp_path, capsys):
    menu, orders = other_kitchen.write(tmp_path, days=2)
    raw = json.loads(orders.read_text())
    assert check.main(["--orders", str(orders), "--menu", str(menu)]) == 0
    printed = capsys.readouterr().out
    units = sum(line["quantity"] for order in raw for line in order["items"])
    lines = sum(len(order["items"]) for order in raw)
    assert f"(json): {len(raw):,} orders the kitchen would cook, {lines:,} item lines, {units:,} units" in printed
    assert "rejected: none" in printed and "time span: 2024-03-04 00:" in printed and "IST" in printed
    bars = {
        line.split()[0]: line for line in printed.splitlines() if line.startswith("    ") and line.split()[0].isdigit()
    }
    assert len(bars) == 24 and bars["21"].count("█") > bars["09"].count("█")  # the evening peak, in local time


def test_rejections_are_counted_by_reason_with_their_positions_and_dishes(tmp_path, capsys):
    menu = tmp_path / "menu.csv"
    menu.write_text("name,cook_time\nDosa,7:00\nChai,1:30\n")
    rows = [
        "1,2024-03-04 09:00:00,A,Swiggy,Dosa,1,120.00",
        "2,2024-03-04 09:01:00,B,Swiggy,Pizza,1,300",
        "3,2024-03-04 09:02:00,C,Swiggy,Chai,2,20.005",
        "4,2024-03-04 08:59:00,D,Zomato,Dosa,1,120",
        "5,2024-03-04 09:03:00,E,Zomato,Pasta,1,250",
        "5,2024-03-04 09:03:00,E,Zomato,Pizza,1,300",
        "6,2024-03-04 09:04:00,F,Zomato,,,",
    ]
    orders = tmp_path / "export.csv"
    orders.write_text(HEADER + "\n".join(rows) + "\n")
    code = check.main(
        ["--orders", str(orders), "--menu", str(menu), "--columns", COLUMNS, "--orders-timezone", other_kitchen.ZONE]
    )
    printed = capsys.readouterr().out
    assert code == 1
    assert "2 orders the kitchen would cook" in printed and "rejected: 3 orders" in printed
    assert "unknown dish: 2 (orders 2, 5); the first: order 2: item 1: unknown dish 'Pizza'" in printed
    assert "bad price: 1 (orders 3)" in printed
    assert "with no items (discarded): 1" in printed
    assert "stamped before the order ahead of them (received when read): 1" in printed
    assert "dishes not on the menu: 'Pizza' (2 lines), 'Pasta' (1 lines)" in printed
    assert "The simulator would reject 3 orders (exit 1)." in printed


def test_a_file_read_with_the_wrong_time_format_is_one_the_simulator_would_not_run(tmp_path, capsys):
    menu = tmp_path / "menu.csv"
    menu.write_text("name,cook_time\nDosa,7:00\n")
    orders = tmp_path / "export.csv"
    orders.write_text(HEADER + "".join(f"{i},3/4/24 9:{i:02} AM,A,Swiggy,Dosa,1,120.00\n" for i in range(1, 21)))
    flags = ["--orders", str(orders), "--menu", str(menu), "--columns", COLUMNS]
    assert check.main(flags) == 1
    printed = capsys.readouterr().out
    assert "bad timestamp: 20 (orders 1, 2, 3, 4, 5, ...); the first: order 1: ordered_at is not an ISO-8601" in printed
    assert (
        "The simulator would not run it: 20 of its 20 orders would be rejected, 20 of 20 for bad timestamp; the first:"
        " order 1: ordered_at is not an ISO-8601 timestamp: '3/4/24 9:01 AM' (give its pattern with --time-format or"
        " ORDERS_TIME_FORMAT, like '%m/%d/%Y %I:%M %p') (exit 1)."
    ) in printed
    assert check.main(flags + ["--time-format", "%m/%d/%y %I:%M %p"]) == 0
    assert "The simulator would take every order (exit 0)." in capsys.readouterr().out


def test_an_unreadable_file_exits_2(tmp_path, capsys):
    menu, _ = other_kitchen.write(tmp_path, days=1)
    orders = tmp_path / "export.csv"
    orders.write_text("When,What\n2024-03-04,Dosa\n")
    assert check.main(["--orders", str(orders), "--menu", str(menu)]) == 2
    assert "the CSV header has no column 'order_id'" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    good = json.dumps(
        {
            "name": "A",
            "service": "S",
            "ordered_at": "2024-03-04T04:00:00",
            "items": [{"name": "Masala Dosa", "quantity": 1, "price_per_unit": 100}],
        }
    )
    broken.write_text(f'[{good}, {good}, {{"oops"')
    assert check.main(["--orders", str(broken), "--menu", str(menu)]) == 2
    printed = capsys.readouterr().out
    assert "2 orders the kitchen would cook" in printed and "JSON syntax error in order 3" in printed


def chicago_lunch(folder):
    """A Chicago export: times without an offset, Chicago's wall clock, a lunch peak at noon; and its menu."""
    menu = folder / "menu.json"
    menu.write_text(json.dumps(other_kitchen.MENU))
    minutes = (
        [(11, m) for m in range(0, 60, 12)] + [(12, m) for m in range(0, 60, 3)] + [(13, m) for m in range(0, 60, 15)]
    )  # 5, 20 and 4 orders
    orders = folder / "chicago.json"
    orders.write_text(
        json.dumps(
            [
                {
                    "name": f"Guest {i}",
                    "service": "Zomato",
                    "ordered_at": f"2024-03-12T{hour:02}:{minute:02}:00",
                    "items": [{"name": "Masala Dosa", "quantity": 1, "price_per_unit": 900}],
                }
                for i, (hour, minute) in enumerate(minutes)
            ]
        )
    )
    return menu, orders


def busiest_hour(printed: str) -> int:
    bars = [line.split() for line in printed.splitlines() if line.startswith("    ") and line.split()[0].isdigit()]
    return int(max(bars, key=lambda bar: int(bar[-1].replace(",", "")))[0])


def test_the_kitchens_zone_counts_the_hours_and_a_differing_orders_zone_is_said(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(
        "KITCHEN_PARAMETERS", str(write_parameters(tmp_path / "parameters.py", KITCHEN_TIMEZONE="America/Los_Angeles"))
    )
    menu, orders = chicago_lunch(tmp_path)
    flags = ["--orders", str(orders), "--menu", str(menu), "--orders-timezone", "America/Chicago"]

    assert check.main(flags) == 0  # as the user ran it: read right, counted in the parameters file's zone
    printed = capsys.readouterr().out
    assert busiest_hour(printed) == 10 and "orders by hour of the day (America/Los_Angeles)" in printed
    assert (
        "time zones differ: timestamps without an offset are read in America/Chicago (--orders-timezone);"
        " local days and hours are counted in America/Los_Angeles (--timezone)"
    ) in printed
    assert "time span: 2024-03-12 09:00 PDT to 2024-03-12 11:45 PDT" in printed

    assert check.main(flags + ["--timezone", "America/Chicago"]) == 0
    printed = capsys.readouterr().out
    assert busiest_hour(printed) == 12 and "orders by hour of the day (America/Chicago)" in printed
    assert "time zones differ" not in printed
    assert "time span: 2024-03-12 11:00 CDT to 2024-03-12 13:45 CDT" in printed


def test_the_environment_overrides_the_file_and_the_flag_overrides_both(tmp_path, monkeypatch, capsys):
    menu, orders = chicago_lunch(tmp_path)
    flags = ["--orders", str(orders), "--menu", str(menu), "--orders-timezone", "America/Chicago"]
    monkeypatch.setenv("KITCHEN_TIMEZONE", "America/Denver")
    assert check.main(flags) == 0
    assert busiest_hour(capsys.readouterr().out) == 11
    assert check.main(flags + ["--timezone", "America/Chicago"]) == 0
    assert busiest_hour(capsys.readouterr().out) == 12


def test_orders_in_utc_counted_in_utc_need_no_word_on_zones(tmp_path, capsys):
    menu, orders = chicago_lunch(tmp_path)
    assert check.main(["--orders", str(orders), "--menu", str(menu), "--timezone", "UTC"]) == 0
    printed = capsys.readouterr().out
    assert busiest_hour(printed) == 12 and "time zones differ" not in printed


def test_a_bad_kitchen_zone_is_refused_naming_the_flag(tmp_path, capsys):
    menu, orders = chicago_lunch(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        check.main(["--orders", str(orders), "--menu", str(menu), "--timezone", "Central"])
    assert stopped.value.code == 2
    assert "argument --timezone: unknown time zone 'Central' (use an IANA name" in capsys.readouterr().err


def test_a_menu_is_drafted_from_an_export_with_the_known_cook_times_and_defaults_by_category(tmp_path, capsys):
    menu = tmp_path / "menu.csv"
    menu.write_text("name,cook_time\nDosa,7:00\n")
    export = tmp_path / "export.csv"
    export.write_text(
        "Ref,Created,Product,Group,Qty,Price,Voided\n"
        "1,2024-03-04 12:00:00,Dosa,Mains,2,5.00,false\n"
        "1,2024-03-04 12:00:00,Lassi,Drinks,1,2.00,false\n"
        "2,2024-03-04 12:05:00,Thali,Mains,3,9.00,false\n"
        "2,2024-03-04 12:05:00,Kulfi,Desserts,1,3.00,false\n"
        "3,2024-03-04 12:09:00,Thali,Mains,9,9.00,true\n"  # voided: never cooked, not counted
    )
    draft = tmp_path / "drafted.csv"
    columns = (
        "order_id=Ref,ordered_at=Created,item=Product,category=Group,quantity=Qty,price_per_unit=Price,voided=Voided"
    )
    flags = ["--orders", str(export), "--menu", str(menu), "--columns", columns, "--write-menu", str(draft)]
    assert check.main([*flags, "--default-cook-time", "Mains=9:00,Drinks=60"]) == 1  # Thali, Lassi, Kulfi not on it
    printed = capsys.readouterr().out
    assert f"wrote {draft}: 4 dishes, 1 with the cook time of --menu, 2 with a default of their category" in printed
    assert "1 dishes still without a cook time" in printed and "'Kulfi'" in printed
    assert "1 voided lines" in printed
    rows = draft.read_text().splitlines()
    assert rows == [
        "name,cook_time,category,units_sold",
        "Thali,540,Mains,3",  # most sold first
        "Dosa,420,Mains,2",  # the menu's own time, not the category's
        "Kulfi,,Desserts,1",
        "Lassi,60,Drinks,1",
    ]
    assert check.main([*flags, "--default-cook-time", "5:00"]) == 1  # one time for every category
    assert "Kulfi,300,Desserts,1" in draft.read_text().splitlines()
    assert check.main([*flags[:-2], "--menu", str(draft)]) == 0  # the draft, filled in, is a menu
    assert not list(tmp_path.glob("*.partial"))


def test_a_menu_is_drafted_with_no_menu_yet(tmp_path, capsys):
    export = tmp_path / "export.csv"
    export.write_text("order_id,ordered_at,item,quantity,price_per_unit\n1,2024-03-04 12:00:00,Dosa,2,5.00\n")
    draft = tmp_path / "menu.csv"
    assert check.main(["--orders", str(export), "--menu", str(draft), "--write-menu", str(draft)]) == 1
    assert "1 dishes still without a cook time" in capsys.readouterr().out
    assert draft.read_text().splitlines()[1] == "Dosa,,,2"


@pytest.mark.parametrize(
    "flags, said",
    [
        (["--default-cook-time", "5:00"], "--default-cook-time fills in the menu of --write-menu"),
        (["--write-menu", "menu.json"], "--write-menu writes CSV"),
        (["--write-menu", "m.csv", "--default-cook-time", "Mains=soon"], "expected a cook time like 360 or 6:00"),
    ],
)
def test_menu_drafting_flags_are_refused_by_name(tmp_path, capsys, flags, said):
    with pytest.raises(SystemExit) as stopped:
        check.main(["--orders", str(tmp_path / "o.csv"), *flags])
    assert stopped.value.code == 2 and said in capsys.readouterr().err
