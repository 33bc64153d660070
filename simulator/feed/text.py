"""Text read a line at a time, and the one way a file that is not UTF-8 is said."""

from __future__ import annotations

import io
from collections.abc import Iterator

from simulator.orders import OrdersFileError


def numbered_lines(text: io.TextIOWrapper, name: str) -> Iterator[tuple[int, str]]:
    number = 0
    try:
        for number, line in enumerate(text, start=1):
            yield number, line
    except UnicodeDecodeError as error:
        raise not_utf8(name, error, number) from None


def not_utf8(name: str, error: UnicodeDecodeError, lines_read: int) -> OrdersFileError:
    """Text is decoded a block at a time, so the line is known only as 'after the lines read'."""
    byte = error.object[error.start : error.start + 1]
    return OrdersFileError(f"{name}: not UTF-8 text (a byte {byte!r} after line {lines_read}); save the file as UTF-8")
