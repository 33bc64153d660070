import pytest

from simulator.menu import Dish, MenuError, load_menu
from tests.kitchen_data import write_json


def test_reads_dishes_by_name(tmp_path):
    path = write_json(
        tmp_path / "items.json", [{"name": "Dish 12", "cook_time": 660}, {"name": "Soup", "cook_time": 1}]
    )
    assert load_menu(path) == {"Dish 12": Dish("Dish 12", 660), "Soup": Dish("Soup", 1)}


def test_the_shipped_menu_loads():
    from common.settings import load_settings

    menu = load_menu(load_settings().menu_path)
    assert len(menu) == 100
    assert all(240 <= dish.cook_time <= 900 for dish in menu.values())


@pytest.mark.parametrize(
    "entries, message",
    [
        ({"name": "Soup"}, "expected a non-empty JSON list"),
        ([], "expected a non-empty JSON list"),
        (["Soup"], "entry 1: expected an object"),
        ([{"name": "Soup", "cook_time": 60}, {"cook_time": 60}], "entry 2: missing field 'name'"),
        ([{"name": "Soup"}], "entry 1: missing field 'cook_time'"),
        ([{"name": "", "cook_time": 60}], "entry 1: 'name' must be a non-empty string"),
        ([{"name": "Soup", "cook_time": 0}], "entry 1 ('Soup'): 'cook_time' must be a whole number of seconds > 0"),
        ([{"name": "Soup", "cook_time": -5}], "'cook_time' must be a whole number of seconds > 0, got -5"),
        ([{"name": "Soup", "cook_time": 1.5}], "got 1.5"),
        ([{"name": "Soup", "cook_time": True}], "got True"),
        ([{"name": "Soup", "cook_time": "60"}], "got '60'"),
        (
            [{"name": "Soup", "cook_time": 60}, {"name": "Soup", "cook_time": 90}],
            "entry 2 ('Soup'): duplicate dish name",
        ),
    ],
)
def test_a_bad_entry_is_named_with_the_file(tmp_path, entries, message):
    path = write_json(tmp_path / "items.json", entries)
    with pytest.raises(MenuError) as error:
        load_menu(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_a_missing_file(tmp_path):
    with pytest.raises(MenuError, match="menu file not found: .*nowhere.json"):
        load_menu(tmp_path / "nowhere.json")


def test_bad_json_gives_line_and_column(tmp_path):
    path = tmp_path / "items.json"
    path.write_text('[{"name": "Soup", "cook_time": 60},\n {"name": "Stew" "cook_time": 9}]')
    with pytest.raises(MenuError, match=r"items.json: not valid JSON \(line 2, column"):
        load_menu(path)


def test_a_csv_menu_takes_seconds_or_minutes_and_seconds(tmp_path):
    path = tmp_path / "menu.csv"
    path.write_text(
        '\ufeffname,cook_time,price\r\nPho Bo,11:30,12.50\r\n"Banh mi, grilled",300,8\r\n\r\n', encoding="utf-8"
    )
    assert load_menu(path) == {"Pho Bo": Dish("Pho Bo", 690), "Banh mi, grilled": Dish("Banh mi, grilled", 300)}


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "dish,minutes\nPho,5\n",
            "the CSV header has no column 'name', 'cook_time'; expected name,cook_time, got 'dish,minutes'",
        ),
        (
            "name,cook_time\nPho,5:75\n",
            "entry 1 ('Pho'): 'cook_time' must be a whole number of seconds > 0, got '5:75'",
        ),
        ("name,cook_time\nPho,0:00\n", "entry 1 ('Pho'): 'cook_time' must be a whole number of seconds > 0, got 0"),
        ("name,cook_time\nPho,60\nPho,90\n", "entry 2 ('Pho'): duplicate dish name"),
        ("name,cook_time\n", "expected a non-empty CSV list of dishes"),
    ],
)
def test_a_bad_csv_menu_is_named(tmp_path, text, message):
    path = tmp_path / "menu.csv"
    path.write_text(text)
    with pytest.raises(MenuError) as error:
        load_menu(path)
    assert message in str(error.value) and str(path) in str(error.value)
