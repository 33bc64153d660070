"""One cell of a point-of-sale export: money in US and European forms, quantities, time zones."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.feed.cells import (
    COMMA,
    DOT,
    decimal_evidence,
    is_ambiguous,
    parse_money,
    parse_quantity,
    split_zone_abbreviation,
    zone_named,
)
from simulator.feed.zone_names import RAILS_ZONES
from simulator.orders import Invalid

NBSP, NNBSP = "\u00a0", "\u202f"


# The decimal mark a cell proves ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, mark",
    [
        ("13.50", DOT),
        ("13.5", DOT),
        ("1,250.00", DOT),
        ("$8.00", DOT),
        ("-$9.00", DOT),
        ("1,250,000", DOT),  # a mark twice groups
        ("1250.000", DOT),  # four digits cannot be a first group
        ("0.250", DOT),  # nor can a lone 0
        ("1'250.000", DOT),  # grouped another way already
        ("2.0", DOT),
        ("13,50", COMMA),
        ("1.250,00", COMMA),
        ("1 250,00", COMMA),
        (f"1{NBSP}250,00", COMMA),
        ("€13,50", COMMA),
        ("13,50 EUR", COMMA),
        ("1.250.000", COMMA),
        ("8", None),
        ("$8", None),
        ("", None),
        ("1 250", None),
        ("1,250", None),
        ("1.250", None),
        ("$2,500", None),
        ("twelve", None),
    ],
)
def test_a_cell_proves_its_decimal_mark_or_not(text, mark):
    assert decimal_evidence(text) == mark


@pytest.mark.parametrize(
    "text, ambiguous",
    [
        ("1,250", True),
        ("1.250", True),
        ("$2,500", True),
        ("-1,000 €", True),
        ("1,250.00", False),
        ("13,50", False),
        ("8", False),
        ("1 250", False),
        ("0,250", False),
        ("1,250,000", False),
        ("", False),
        ("abc", False),
    ],
)
def test_a_cell_is_ambiguous_when_it_reads_as_two_amounts(text, ambiguous):
    assert is_ambiguous(text) is ambiguous


# Money --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, mark, cents",
    [
        # what parse_money read before, and still does
        ("12.50", DOT, 1250),
        ("$12.50", DOT, 1250),
        ("1,250.00", DOT, 125000),
        (" 7 ", DOT, 700),
        ("0.1", DOT, 10),
        ("€3.05", DOT, 305),
        ("-2.00", DOT, -200),
        (".50", DOT, 50),
        # US exports
        ("$1,234.50", DOT, 123450),
        ("-$9.00", DOT, -900),
        ("$-9.00", DOT, -900),
        ("($9.00)", DOT, -900),
        ("(9.00)", DOT, -900),
        ("+$9.00", DOT, 900),
        ("\u22129.00", DOT, -900),  # the minus sign
        ("$ 8", DOT, 800),
        ("8 $", DOT, 800),
        ("$13.50 USD", DOT, 1350),
        ("US$13.50", DOT, 1350),
        ("8.000", DOT, 800),
        ("1,250", DOT, 125000),
        ("1,25,000.00", DOT, 12500000),  # lakh grouping
        ("₹12,34,567.00", DOT, 123456700),
        ("£1,000,000.00", DOT, 100000000),
        ("¥1,200", DOT, 120000),
        ("CHF 1'250.00", DOT, 125000),
        ("1’250.00 Fr.", DOT, 125000),
        ("1 250.00", DOT, 125000),
        # European exports
        ("13,50", COMMA, 1350),
        ("1.250,00", COMMA, 125000),
        ("1 250,00", COMMA, 125000),
        (f"1{NBSP}250,00", COMMA, 125000),
        (f"1{NNBSP}250,00{NBSP}€", COMMA, 125000),
        ("€13,50", COMMA, 1350),
        ("13,50 €", COMMA, 1350),
        ("13,50€", COMMA, 1350),
        ("EUR 13,50", COMMA, 1350),
        ("13,50 EUR", COMMA, 1350),
        ("-13,50 €", COMMA, -1350),
        ("€-13,50", COMMA, -1350),
        ("(13,50 €)", COMMA, -1350),
        ("R$ 13,50", COMMA, 1350),
        ("kr 13,50", COMMA, 1350),
        ("13,50 kr.", COMMA, 1350),
        ("13,50 zł", COMMA, 1350),
        ("1.250", COMMA, 125000),
        ("8,000", COMMA, 800),
        ("8", COMMA, 800),
        # the mark not known: the cell proves it, or reads the same either way
        ("13,50", None, 1350),
        ("1.250,00 €", None, 125000),
        ("$1,250.00", None, 125000),
        ("8", None, 800),
        ("1 250", None, 125000),
    ],
)
def test_an_amount_of_money_is_exact_cents(text, mark, cents):
    assert parse_money(text, "dollars", mark) == cents


@pytest.mark.parametrize(
    "text, mark, cents",
    [("1250", DOT, 1250), ("-50", DOT, -50), ("$1250", DOT, 1250), ("1,250", DOT, 1250), ("1.250", COMMA, 1250)]
    + [("1,250", None, 1250), ("1.250", None, 1250), ("(50)", DOT, -50), ("1 250", COMMA, 1250)],
)
def test_whole_cents_are_read_as_they_are(text, mark, cents):
    assert parse_money(text, "cents", mark) == cents


@pytest.mark.parametrize(
    "text, unit, mark, kind, words",
    [
        ("13,50", "dollars", DOT, "wrong decimal mark", "price '13,50' has a decimal comma: give --decimal-comma"),
        ("1.250,00", "dollars", DOT, "wrong decimal mark", "decimal comma: give --decimal-comma"),
        ("€13,50", "dollars", DOT, "wrong decimal mark", "decimal comma"),
        ("13.50", "dollars", COMMA, "wrong decimal mark", "price '13.50' has a decimal point: leave out --decimal"),
        ("$1,250.00", "dollars", COMMA, "wrong decimal mark", "leave out --decimal-comma"),
        ("1,250", "dollars", None, "ambiguous price", "1250 with a decimal point and 1.25 with a decimal comma"),
        ("1.250", "dollars", None, "ambiguous price", "give --decimal-comma"),
        ("$2,500", "dollars", None, "ambiguous price", "or not if 12.50"),
        ("12.505", "dollars", DOT, "bad price", "price '12.505' has fractions of a cent"),
        ("12,505", "dollars", COMMA, "bad price", "fractions of a cent"),
        ("twelve", "dollars", DOT, "bad price", "price 'twelve' is not an amount of money: write one like 12.50"),
        ("", "dollars", DOT, "bad price", "not an amount of money"),
        ("   ", "dollars", None, "bad price", "not an amount of money"),
        ("NaN", "dollars", DOT, "bad price", "not an amount of money"),
        ("Infinity", "dollars", DOT, "bad price", "not an amount of money"),
        ("1e3", "dollars", DOT, "bad price", "not an amount of money"),
        ("$", "dollars", DOT, "bad price", "not an amount of money"),
        ("-", "dollars", DOT, "bad price", "not an amount of money"),
        (".", "dollars", DOT, "bad price", "not an amount of money"),
        ("(-$9.00)", "dollars", DOT, "bad price", "not an amount of money"),  # negative twice
        ("($9.00", "dollars", DOT, "bad price", "not an amount of money"),
        ("--9", "dollars", DOT, "bad price", "not an amount of money"),
        ("9.00-", "dollars", DOT, "bad price", "not an amount of money"),
        ("1.2.3", "dollars", COMMA, "bad price", "grouped wrongly"),
        ("12.50.1", "dollars", DOT, "wrong decimal mark", "decimal comma"),
        ("1,2,3.00", "dollars", DOT, "bad price", "grouped wrongly"),
        ("1,25,0.00", "dollars", DOT, "bad price", "price '1,25,0.00' has its digits grouped wrongly"),
        ("12,50,00.00", "dollars", DOT, "bad price", "grouped wrongly"),
        ("1,2500.00", "dollars", DOT, "bad price", "grouped wrongly"),
        ("1,25000.00", "dollars", DOT, "bad price", "grouped wrongly"),
        ("12,34,5678.00", "dollars", DOT, "bad price", "grouped wrongly"),
        ("1,234,56.00", "dollars", DOT, "bad price", "grouped wrongly"),
        ("1 250,000.00", "dollars", DOT, "bad price", "grouped wrongly"),  # two kinds of separator
        ("1.250 ,00", "dollars", COMMA, "bad price", "grouped wrongly"),
        ("1,250.5,0", "dollars", DOT, "wrong decimal mark", "decimal comma"),
        ("12.5 0", "dollars", DOT, "bad price", "not an amount of money"),
        ("9" * 30, "dollars", DOT, "bad price", "too many digits"),
        ("$12.50 and tip", "dollars", DOT, "bad price", "not an amount of money"),
        ("12.50", "cents", DOT, "bad price", "price '12.50' must be whole cents"),
        ("12,50", "cents", None, "bad price", "must be whole cents"),
        ("1.250", "cents", DOT, "bad price", "must be whole cents"),
        ("1,250", "cents", COMMA, "bad price", "must be whole cents"),
        ("12,5", "cents", DOT, "bad price", "must be whole cents"),
        ("", "cents", DOT, "bad price", "not an amount of money"),
    ],
)
def test_a_cell_that_is_not_a_price_in_the_file_s_form_is_refused_saying_what_to_do(text, unit, mark, kind, words):
    with pytest.raises(Invalid) as refused:
        parse_money(text, unit, mark)
    assert refused.value.kind == kind
    assert words in str(refused.value)


def test_a_unit_or_a_mark_that_does_not_exist_is_a_mistake_in_the_caller():
    with pytest.raises(ValueError, match="unit"):
        parse_money("12.50", "euros")
    with pytest.raises(ValueError, match="mark"):
        parse_money("12.50", "dollars", ";")
    with pytest.raises(ValueError, match="mark"):
        parse_quantity("2", None)  # type: ignore[arg-type]


CENTS = st.integers(min_value=-(10**11), max_value=10**11)


def _us(cents: int, style: int) -> str:
    amount = f"{abs(cents) // 100:,}.{abs(cents) % 100:02d}"
    if cents >= 0:
        return [f"${amount}", amount, f"{amount} USD", f"${amount}", f"USD {amount}"][style]
    return [f"-${amount}", f"-{amount}", f"({amount} USD)", f"(${amount})", f"USD -{amount}"][style]


def _european(cents: int, style: int) -> str:
    grouped = f"{abs(cents) // 100:,}"
    separator = [".", " ", NBSP, NNBSP, "."][style]
    amount = f"{grouped.replace(',', separator)},{abs(cents) % 100:02d}"
    sign = "-" if cents < 0 else ""
    forms = [
        f"{sign}{amount} €",
        f"{sign}{amount}",
        f"{sign}{amount}{NBSP}€",
        f"EUR {sign}{amount}",
        f"€{sign}{amount}",
    ]
    return forms[style]


@settings(max_examples=300, deadline=None)
@given(cents=CENTS, style=st.integers(0, 4))
def test_a_us_formatted_amount_reads_back_as_its_cents(cents, style):
    text = _us(cents, style)
    assert parse_money(text, "dollars", DOT) == cents
    assert parse_money(text, "dollars", None) == cents  # two decimals prove the mark
    assert decimal_evidence(text) == DOT
    assert not is_ambiguous(text)


@settings(max_examples=300, deadline=None)
@given(cents=CENTS, style=st.integers(0, 4))
def test_a_european_formatted_amount_reads_back_as_its_cents(cents, style):
    text = _european(cents, style)
    assert parse_money(text, "dollars", COMMA) == cents
    assert parse_money(text, "dollars", None) == cents
    assert decimal_evidence(text) == COMMA
    assert not is_ambiguous(text)


@settings(max_examples=200, deadline=None)
@given(cents=CENTS)
def test_an_amount_in_one_style_is_refused_with_the_other_mark(cents):
    with pytest.raises(Invalid, match="has a decimal comma: give --decimal-comma"):
        parse_money(_european(cents, 0), "dollars", DOT)
    with pytest.raises(Invalid, match="has a decimal point: leave out --decimal-comma"):
        parse_money(_us(cents, 0), "dollars", COMMA)


@settings(max_examples=200, deadline=None)
@given(thousands=st.integers(1, 999), rest=st.integers(0, 999), separator=st.sampled_from([DOT, COMMA]))
def test_an_ambiguous_cell_reads_a_thousand_times_apart_with_the_two_marks(thousands, rest, separator):
    text = f"{thousands}{separator}{rest:03d}"
    assert is_ambiguous(text) and decimal_evidence(text) is None
    as_thousands = parse_money(text, "dollars", COMMA if separator == DOT else DOT)
    assert as_thousands == (thousands * 1000 + rest) * 100
    if rest % 10 == 0:  # otherwise a fraction of a cent with the separator as the decimal mark
        assert parse_money(text, "dollars", separator) * 1000 == as_thousands


@settings(max_examples=200, deadline=None)
@given(cents=CENTS)
def test_whole_cents_read_back_grouped_or_not(cents):
    assert parse_money(str(cents), "cents") == cents
    assert parse_money(f"{cents:,}", "cents", DOT) == cents
    assert parse_money(f"{cents:,}".replace(",", "."), "cents", COMMA) == cents


# Quantities ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, mark, quantity",
    [
        ("2", DOT, 2),
        (" 3 ", DOT, 3),
        ("0", DOT, 0),
        ("2.0", DOT, 2),
        ("2.00", DOT, 2),
        ("2,0", COMMA, 2),
        ("2,00", COMMA, 2),
        ("-1", DOT, -1),  # a refund, as Square writes it
        ("-1.00", DOT, -1),
        ("\u22122", DOT, -2),
        ("+2", DOT, 2),
        ("12", COMMA, 12),
    ],
)
def test_a_quantity_is_a_whole_number_of_units(text, mark, quantity):
    assert parse_quantity(text, mark) == quantity


@pytest.mark.parametrize(
    "text, mark, words",
    [
        ("1.5", DOT, "quantity '1.5' is not a whole number of units"),
        ("1,5", COMMA, "quantity '1,5' is not a whole number of units"),
        ("2.01", DOT, "not a whole number of units"),
        ("2,0", DOT, "quantity '2,0' has a decimal comma: give --decimal-comma"),
        ("2.0", COMMA, "has a decimal point: leave out --decimal-comma"),
        ("", DOT, "quantity '' is not a whole number: write digits"),
        ("two", DOT, "not a whole number"),
        ("1e3", DOT, "not a whole number"),
        ("1,000", DOT, "not a whole number"),  # ambiguous: no advice on the mark
        ("1,000.0", COMMA, "has a decimal point"),
        ("2.", DOT, "not a whole number"),
        (".5", DOT, "not a whole number"),
        ("--1", DOT, "not a whole number"),
        ("9" * 30, DOT, "not a whole number"),
    ],
)
def test_a_quantity_that_is_not_whole_units_is_refused(text, mark, words):
    with pytest.raises(Invalid) as refused:
        parse_quantity(text, mark)
    assert refused.value.kind == "bad quantity"
    assert words in str(refused.value)


# Time zones ---------------------------------------------------------------------------------------------

WINTER, SUMMER = datetime(2026, 1, 15, 12), datetime(2026, 7, 15, 12)


@pytest.mark.parametrize(
    "text, iana",
    [
        ("America/New_York", "America/New_York"),
        ("america/new_york", "America/New_York"),
        ("Europe/Paris", "Europe/Paris"),
        ("Eastern Time (US & Canada)", "America/New_York"),
        ("eastern time (us & canada)", "America/New_York"),
        ("(GMT-05:00) Eastern Time (US & Canada)", "America/New_York"),
        ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
        ("Central Time (US & Canada)", "America/Chicago"),
        ("Mountain Time (US & Canada)", "America/Denver"),
        ("Pacific Time (US & Canada)", "America/Los_Angeles"),
        ("(GMT-08:00) Pacific Time (US & Canada)", "America/Los_Angeles"),
        ("Arizona", "America/Phoenix"),
        ("Alaska", "America/Juneau"),
        ("Hawaii", "Pacific/Honolulu"),
        ("London", "Europe/London"),
        ("(GMT+00:00) London", "Europe/London"),
        ("Dublin", "Europe/Dublin"),
        ("Edinburgh", "Europe/London"),
        ("Paris", "Europe/Paris"),
        ("Berlin", "Europe/Berlin"),
        ("Madrid", "Europe/Madrid"),
        ("Amsterdam", "Europe/Amsterdam"),
        ("Sydney", "Australia/Sydney"),
        ("Melbourne", "Australia/Melbourne"),
        ("Brisbane", "Australia/Brisbane"),
        ("Auckland", "Pacific/Auckland"),
        ("Tokyo", "Asia/Tokyo"),
        ("Atlantic Time (Canada)", "America/Halifax"),
        ("Newfoundland", "America/St_Johns"),
        ("(GMT-03:30) Newfoundland", "America/St_Johns"),
        ("New Delhi", "Asia/Kolkata"),
        ("  Mexico City ", "America/Mexico_City"),
    ],
)
def test_a_zone_cell_names_the_zone(text, iana):
    zone, expected = zone_named(text), ZoneInfo(iana)
    for moment in (WINTER, SUMMER):
        assert moment.replace(tzinfo=zone).utcoffset() == moment.replace(tzinfo=expected).utcoffset()


def test_eastern_time_is_new_york_s_time_in_winter_and_summer():
    eastern, new_york = zone_named("Eastern Time (US & Canada)"), ZoneInfo("America/New_York")
    assert WINTER.replace(tzinfo=eastern).utcoffset() == WINTER.replace(tzinfo=new_york).utcoffset()
    assert SUMMER.replace(tzinfo=eastern).utcoffset() == SUMMER.replace(tzinfo=new_york).utcoffset()
    assert WINTER.replace(tzinfo=eastern).utcoffset() == timedelta(hours=-5)
    assert SUMMER.replace(tzinfo=eastern).utcoffset() == timedelta(hours=-4)


def test_every_rails_name_is_a_zone_this_python_has():
    assert len(RAILS_ZONES) > 140
    for name, iana in RAILS_ZONES.items():
        assert name == "UTC" or isinstance(zone_named(name), ZoneInfo), name
        assert zone_named(name.upper()).utcoffset(SUMMER) == ZoneInfo(iana).utcoffset(SUMMER), name


@pytest.mark.parametrize(
    "text, offset",
    [
        ("UTC", timedelta(0)),
        ("utc", timedelta(0)),
        ("GMT", timedelta(0)),
        ("Z", timedelta(0)),
        ("+02:00", timedelta(hours=2)),
        ("-05:00", timedelta(hours=-5)),
        ("+0530", timedelta(hours=5, minutes=30)),
        ("UTC-5", timedelta(hours=-5)),
        ("UTC+05:30", timedelta(hours=5, minutes=30)),
        ("GMT+1", timedelta(hours=1)),
        ("UTC\u22123", timedelta(hours=-3)),
        ("+14:00", timedelta(hours=14)),
    ],
)
def test_a_zone_cell_names_a_fixed_offset(text, offset):
    zone = zone_named(text)
    assert WINTER.replace(tzinfo=zone).utcoffset() == offset == SUMMER.replace(tzinfo=zone).utcoffset()


@pytest.mark.parametrize(
    "text, words",
    [
        ("Eastern", "unknown time zone 'Eastern': give an IANA name like America/New_York"),
        ("", "unknown time zone ''"),
        ("Mars/Olympus_Mons", "unknown time zone"),
        ("America", "unknown time zone"),
        ("../etc/passwd", "unknown time zone"),
        ("Eastern Time (US & Canada) (GMT-05:00)", "unknown time zone"),
        ("Paris (GMT+01:00) Berlin", "unknown time zone"),
        ("+25:00", "no offset from UTC"),
        ("UTC+05:75", "no offset from UTC"),
    ],
)
def test_an_unknown_zone_is_refused_naming_the_form_to_give(text, words):
    with pytest.raises(Invalid) as refused:
        zone_named(text)
    assert refused.value.kind == "bad time zone"
    assert words in str(refused.value)


@pytest.mark.parametrize(
    "text, stamp, offset",
    [
        ("23-Aug-2026 09:34 PM EDT", "23-Aug-2026 09:34 PM", timedelta(hours=-4)),
        ("23-Jan-2026 09:34 PM EST", "23-Jan-2026 09:34 PM", timedelta(hours=-5)),
        ("2026-08-23 21:34 CST", "2026-08-23 21:34", timedelta(hours=-6)),  # the US's, not China's
        ("2026-08-23 21:34 PDT", "2026-08-23 21:34", timedelta(hours=-7)),
        ("2026-08-23 21:34 AKDT", "2026-08-23 21:34", timedelta(hours=-8)),
        ("2026-08-23 21:34 NDT", "2026-08-23 21:34", timedelta(hours=-2, minutes=-30)),
        ("2026-08-23 21:34 CEST", "2026-08-23 21:34", timedelta(hours=2)),
        ("2026-08-23 21:34 BST", "2026-08-23 21:34", timedelta(hours=1)),
        ("2026-01-23 21:34 ACDT", "2026-01-23 21:34", timedelta(hours=10, minutes=30)),
        ("2026-01-23 21:34 NZDT", "2026-01-23 21:34", timedelta(hours=13)),
        ("2026-01-23 21:34 JST", "2026-01-23 21:34", timedelta(hours=9)),
        ("2026-01-23 21:34 UTC", "2026-01-23 21:34", timedelta(0)),
        ("2026-01-23 21:34 Z", "2026-01-23 21:34", timedelta(0)),
        ("2026-01-23 21:34:00 -04:00", "2026-01-23 21:34:00", timedelta(hours=-4)),
        ("2026-01-23 21:34:00 +0530", "2026-01-23 21:34:00", timedelta(hours=5, minutes=30)),
        ("2026-01-23 21:34:00 UTC+2", "2026-01-23 21:34:00", timedelta(hours=2)),
        ("2026-01-23 21:34:00 GMT-05:00", "2026-01-23 21:34:00", timedelta(hours=-5)),
        ("23-Aug-2026 09:34 PM  EDT ", "23-Aug-2026 09:34 PM", timedelta(hours=-4)),
    ],
)
def test_a_trailing_zone_is_split_off_as_its_fixed_offset(text, stamp, offset):
    rest, zone = split_zone_abbreviation(text)
    assert rest == stamp
    assert zone is not None and zone.utcoffset(None) == offset


def test_edt_is_four_hours_behind_utc_and_keeps_its_name():
    assert split_zone_abbreviation("23-Aug-2026 09:34 PM EDT") == (
        "23-Aug-2026 09:34 PM",
        timezone(timedelta(hours=-4), "EDT"),
    )
    _, zone = split_zone_abbreviation("23-Aug-2026 09:34 PM EDT")
    assert zone is not None and zone.tzname(None) == "EDT"


@pytest.mark.parametrize(
    "text",
    [
        "12:59:30",
        "2026-08-23 12:59:30",
        "23-Aug-2026 09:34 PM",
        "2026-08-23T12:59:30-04:00",  # the offset is part of the ISO timestamp, not a token of its own
        "EDT",  # nothing before it
        "2026-08-23 21:34 edt",  # abbreviations are capitals
        "2026-08-23 21:34 XYZ",  # not one we know: the timestamp's reading refuses it
        "2026 08 -4",  # no offset has one digit without UTC or GMT
        "",
    ],
)
def test_a_timestamp_without_a_trailing_zone_is_untouched(text):
    assert split_zone_abbreviation(text) == (text, None)


def test_an_ambiguous_abbreviation_is_refused_naming_its_meanings():
    with pytest.raises(Invalid) as refused:
        split_zone_abbreviation("2026-08-23 21:34 IST")
    assert refused.value.kind == "bad time zone"
    assert "'IST'" in str(refused.value) and "India" in str(refused.value) and "Ireland" in str(refused.value)


def test_a_trailing_offset_beyond_fourteen_hours_is_refused():
    with pytest.raises(Invalid) as refused:
        split_zone_abbreviation("2026-08-23 21:34 +25:00")
    assert refused.value.kind == "bad time zone"
