"""How one cell of a point-of-sale export is read: an amount of money, a quantity, a time zone.

Exports write numbers in their locale: '$1,250.00' in the US, '1.250,00 €' in much of Europe, '1 250,00'
in France, "1'250.00" in Switzerland. Which mark is the decimal one is a property of the file (the
--decimal-comma flag), but a cell often proves it on its own ('13,50' can only be a decimal comma), and
then a cell that contradicts the file's mark is refused rather than read a hundred or a thousand times
wrong. Some cells prove nothing ('1,250' is 1250 or 1.25): read with a known mark they are unambiguous;
without one they are refused.

Time zones come as IANA names, as the display names Rails-built systems write (Square: 'Eastern Time
(US & Canada)', see zone_names.py), or as an abbreviation at the end of a timestamp (Clover: '09:34 PM EDT').

Every function is pure; a bad cell raises `Invalid` with a message that quotes it and says what to do.
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone, tzinfo
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, available_timezones

from simulator.feed.zone_names import ABBREVIATIONS, AMBIGUOUS_ABBREVIATIONS, RAILS_ZONES
from simulator.orders import Invalid, _show

DOT, COMMA = ".", ","
"""The two decimal marks."""

FLAG = "--decimal-comma"
"""The command-line flag that says a file's decimal mark is the comma; messages name it."""

_MAX_DIGITS = 18  # more digits than any price or quantity; and int() refuses very long digit strings
_SIGN = "[-+\u2212]"  # U+2212 is the minus sign some locales format negatives with
_CURRENCY = "|".join(
    [
        r"[A-Z]{3}",  # an ISO 4217 code: EUR, CHF, USD
        r"(?:US|CA|C|AU|A|NZ|HK|S|MX|R)\$",  # dollars (and the Brazilian real) named by their country
        r"[Kk]r\.?|Fr\.|Rs\.?|RM|zł|Kč|Ft|lei",
        r"[$€£¥₹₩₽₺₪₱₫฿₴₦₡₲₵]",
    ]
)
_CELL = re.compile(
    rf"""(?P<open>\()?\s*
    (?P<sign>{_SIGN})?\s*
    (?:(?P<before>{_CURRENCY})\s*)?
    (?P<sign_after>{_SIGN})?\s*
    (?P<number>[0-9.,](?:[0-9.,'’\s]*[0-9.,'’])?)
    \s*(?P<after>{_CURRENCY})?\s*
    (?P<close>\))?""",
    re.VERBOSE,
)
_PLAIN = re.compile(r"(-?)([0-9][0-9.,]*)")  # most cells: '12.50', '-2', '1,250.00', read without _CELL
_GROUPING = re.compile(r"[1-9][0-9]{0,2}")
"""What comes before a lone separator followed by three digits when that separator may group thousands."""
_GROUPED = re.compile(
    r"""[0-9]{1,3}(?P<by>[,.\s'’])[0-9]{3}(?:(?P=by)[0-9]{3})*  # thousands: 1,250,000
    |[0-9]{1,2}(?P<lakh>[,.\s'’])[0-9]{2}(?:(?P=lakh)[0-9]{2})*(?P=lakh)[0-9]{3}  # lakhs and crores: 12,50,000""",
    re.VERBOSE,
)
"""Digits grouped with one separator throughout: the other mark, a space (no-break, narrow no-break) or an
apostrophe (Swiss)."""
_NOT_DIGIT = re.compile(r"[^0-9]")
_DIGIT = re.compile(r"[0-9]")
_OFFSET = re.compile(rf"(?:(?:UTC|GMT)\s*)?({_SIGN})([0-9]{{1,2}})(?::?([0-9]{{2}}))?", re.IGNORECASE)
_SUFFIXED_OFFSET = re.compile(rf"(?:UTC|GMT){_SIGN}[0-9]{{1,2}}(?::?[0-9]{{2}})?|{_SIGN}[0-9]{{2}}(?::?[0-9]{{2}})?")
_DISPLAY_PREFIX = re.compile(rf"\((?:GMT|UTC)(?:{_SIGN}[0-9]{{1,2}}(?::?[0-9]{{2}})?)?\)\s*", re.IGNORECASE)
_LAST_TOKEN = re.compile(r"(?P<stamp>.*\S)\s+(?P<token>\S+)\s*", re.DOTALL)


class _Cell(NamedTuple):
    negative: bool
    number: str
    """Digits and separators, the signs, parentheses and currency taken off."""


def decimal_evidence(text: str) -> str | None:
    """The decimal mark a money or quantity cell proves: DOT, COMMA, or None when it reads the same either
    way ('8') or when it is ambiguous on its own ('1,250': one separator and three digits after it)."""
    cell = _cell(text)
    return None if cell is None else _evidence(cell.number)


def is_ambiguous(text: str) -> bool:
    """Whether the cell reads as two different amounts depending on the mark: '1,250' is 1250 or 1.25."""
    cell = _cell(text)
    return cell is not None and _evidence(cell.number) is None and (DOT in cell.number or COMMA in cell.number)


def parse_money(text: str, unit: str = "dollars", mark: str | None = DOT) -> int:
    """A price as an export writes it, in whole cents, exactly: '12.50', '$1,250.00', '-$9.00', '($9.00)',
    '1.250,00 €', 'EUR 13,50', "CHF 1'250.00" (unit 'dollars', the currency's main unit; `mark` the file's
    decimal mark), or whole cents ('1250', unit 'cents'). `mark` None: the file's mark is not known, and a
    cell that does not prove it and reads two ways is refused. Fractions of a cent are refused."""
    if unit not in ("dollars", "cents"):
        raise ValueError(f"unit must be 'dollars' or 'cents', not {unit!r}")
    if mark not in (DOT, COMMA, None):
        raise ValueError(f"mark must be DOT, COMMA or None, not {mark!r}")
    shown = _show(text)
    cell = _cell(text)
    if cell is None:
        raise Invalid(f"price {shown} is not an amount of money: write one like {_example(mark)}", "bad price")
    if unit == "cents":
        return _whole_cents(cell, mark, shown)
    evidence = _evidence(cell.number)
    if mark is None:
        if evidence is None and is_ambiguous(text):
            raise Invalid(
                f"price {shown} is {_read_as(cell.number, DOT)} with a decimal point and {_read_as(cell.number, COMMA)}"
                f" with a decimal comma: give {FLAG} if the file writes 12,50 for twelve and a half, or not if 12.50",
                "ambiguous price",
            )
        mark = evidence or DOT
    elif evidence is not None and evidence != mark:
        raise _wrong_mark("price", shown, evidence)
    whole, fraction = _split(cell.number, mark, shown)
    if fraction[2:].strip("0"):
        raise Invalid(f"price {shown} has fractions of a cent: round it to whole cents", "bad price")
    cents = int(whole or "0") * 100 + int(fraction[:2].ljust(2, "0"))
    return -cents if cell.negative else cents


def parse_quantity(text: str, mark: str = DOT) -> int:
    """A quantity: whole units, '2', or '2.00' as some exports write it ('2,00' with a decimal comma); a
    negative one is a refund (Square), and whether a quantity must be at least 1 is checked elsewhere."""
    if mark not in (DOT, COMMA):
        raise ValueError(f"mark must be DOT or COMMA, not {mark!r}")
    shown = _show(text)
    pattern = rf"({_SIGN})?([0-9]{{1,{_MAX_DIGITS}}})(?:{re.escape(mark)}([0-9]+))?"
    found = re.fullmatch(pattern, text.strip())
    if found is None:
        evidence = decimal_evidence(text)
        if evidence is not None and evidence != mark:
            raise _wrong_mark("quantity", shown, evidence, "bad quantity")
        raise Invalid(f"quantity {shown} is not a whole number: write digits, like 2", "bad quantity")
    sign, whole, fraction = found.groups()
    if fraction and fraction.strip("0"):
        raise Invalid(f"quantity {shown} is not a whole number of units", "bad quantity")
    return -int(whole) if sign in ("-", "\u2212") else int(whole)


@lru_cache(maxsize=1024)
def zone_named(text: str) -> tzinfo:
    """The zone a zone cell names: an IANA name ('America/New_York'), a Rails display name as Square writes
    it ('Eastern Time (US & Canada)', maybe after '(GMT-05:00) '), 'UTC', 'GMT' or 'Z', or a fixed offset
    ('+02:00', 'UTC-5'). Names are read whatever their case."""
    name = text.strip()
    if name.upper() in ("UTC", "GMT", "Z"):
        return timezone.utc
    if _OFFSET.fullmatch(name):
        return timezone(_offset(name))
    prefix = _DISPLAY_PREFIX.match(name)
    name = name[prefix.end() :] if prefix else name
    iana = _rails_zones().get(name.lower()) or _iana_zones().get(name.lower())
    if iana is None:
        raise Invalid(f"unknown time zone {_show(text)}: give an IANA name like America/New_York", "bad time zone")
    return ZoneInfo(iana)


def split_zone_abbreviation(text: str) -> tuple[str, tzinfo | None]:
    """A timestamp without its trailing zone, and that zone: '23-Aug-2026 09:34 PM EDT' is
    ('23-Aug-2026 09:34 PM', UTC-4 named EDT); a trailing offset ('-04:00', 'UTC+2') is split off too.
    An abbreviation is a fixed offset (zone_names.ABBREVIATIONS): it says which side of a clock change the
    time is on. CST is the US Central zone; IST (India, Ireland or Israel) is refused. Only a last
    whitespace-separated token in capitals or an offset is split off; without one: (text, None)."""
    found = _LAST_TOKEN.fullmatch(text)
    if found is None:
        return text, None
    stamp, token = found.group("stamp", "token")
    if token in AMBIGUOUS_ABBREVIATIONS:
        raise Invalid(
            f"time zone {token!r} in {_show(text)} is ambiguous ({AMBIGUOUS_ABBREVIATIONS[token]}):"
            " write the times with an offset like +05:30, or without the zone and give --orders-timezone",
            "bad time zone",
        )
    if token in ABBREVIATIONS:
        return stamp, timezone(timedelta(minutes=ABBREVIATIONS[token]), token)
    if _SUFFIXED_OFFSET.fullmatch(token):
        return stamp, timezone(_offset(token))
    return text, None


def _cell(text: str) -> _Cell | None:
    stripped = text.strip()
    plain = _PLAIN.fullmatch(stripped)
    if plain is not None:
        return _Cell(plain[1] == "-", plain[2])
    found = _CELL.fullmatch(stripped)
    if found is None or _DIGIT.search(found["number"]) is None:
        return None
    opened, closed, before, after = found.group("open", "close", "sign", "sign_after")
    if bool(opened) != bool(closed) or (before and after) or (opened and (before or after)):
        return None  # one way to say negative, once
    return _Cell(bool(opened) or (before or after) in ("-", "\u2212"), found["number"])


def _evidence(number: str) -> str | None:
    dot, comma = number.rfind(DOT), number.rfind(COMMA)
    if dot >= 0 and comma >= 0:
        return DOT if dot > comma else COMMA  # the last one: '1,250.00', '1.250,00'
    if dot < 0 and comma < 0:
        return None
    mark = DOT if dot >= 0 else COMMA
    if number.count(mark) > 1:
        return COMMA if mark == DOT else DOT  # it groups: '1,250,000'
    before, after = number.split(mark)
    if len(after) == 3 and after.isdigit() and _GROUPING.fullmatch(before):
        return None  # '1,250': a thousands separator, or a decimal mark with three decimals
    return mark


def _split(number: str, mark: str, shown: str) -> tuple[str, str]:
    """The digits before and after the decimal mark; the ones before may be grouped by thousands (or as
    lakhs and crores), with the other mark, spaces or apostrophes, one kind in a cell."""
    whole, _, fraction = number.partition(mark)
    if mark in fraction or not (fraction == "" or fraction.isdigit()) or not (whole or fraction):
        raise Invalid(f"price {shown} is not an amount of money: write one like {_example(mark)}", "bad price")
    return _ungrouped(whole, shown), fraction


def _ungrouped(whole: str, shown: str) -> str:
    if whole.isdigit() or not whole:
        digits = whole
    elif _GROUPED.fullmatch(whole):
        digits = _NOT_DIGIT.sub("", whole)
    else:
        raise Invalid(f"price {shown} has its digits grouped wrongly: group thousands by three digits", "bad price")
    if len(digits) > _MAX_DIGITS:
        raise Invalid(f"price {shown} has too many digits to be a price", "bad price")
    return digits


def _whole_cents(cell: _Cell, mark: str | None, shown: str) -> int:
    """Whole cents may be grouped by thousands, with either mark when the file's is not known."""
    refused = Invalid(
        f"price {shown} must be whole cents (the prices are in cents): write digits like 1250", "bad price"
    )
    if mark is not None and mark in cell.number:
        raise refused
    try:
        cents = int(_ungrouped(cell.number, shown))
    except Invalid:
        raise refused from None
    return -cents if cell.negative else cents


def _wrong_mark(what: str, shown: str, evidence: str, kind: str = "wrong decimal mark") -> Invalid:
    if evidence == COMMA:
        return Invalid(f"{what} {shown} has a decimal comma: give {FLAG}", kind)
    return Invalid(f"{what} {shown} has a decimal point: leave out {FLAG}", kind)


def _read_as(number: str, mark: str) -> str:
    """An ambiguous number ('1,250') as it reads with `mark` the decimal one ('1250', '1.25'), for a message."""
    whole, _, fraction = number.partition(mark)
    whole, fraction = re.sub("[^0-9]", "", whole), fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def _example(mark: str | None) -> str:
    return "12,50 or 1.250,00" if mark == COMMA else "12.50 or $1,250.00"


def _offset(text: str) -> timedelta:
    found = _OFFSET.fullmatch(text.strip())
    assert found is not None
    sign, hours, minutes = found.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if offset > timedelta(hours=14) or int(minutes or 0) >= 60:
        raise Invalid(f"{_show(text)} is no offset from UTC: write one like -05:00", "bad time zone")
    return offset if sign == "+" else -offset


@lru_cache(maxsize=1)
def _rails_zones() -> dict[str, str]:
    return {name.lower(): iana for name, iana in RAILS_ZONES.items()}


@lru_cache(maxsize=1)
def _iana_zones() -> dict[str, str]:
    """IANA names by their lower case: the files are found case-sensitively, the names are not meant to be."""
    return {name.lower(): name for name in available_timezones()}
