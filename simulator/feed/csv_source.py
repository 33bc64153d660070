"""A CSV file's rows, as many times as the reader needs them (a file) or once (a pipe): its text decoded, its
delimiter found, its header read, each row numbered by the line it ends on and checked for its width.

- The text is UTF-8 (a BOM is skipped); a file that is not is Windows-1252, the Latin-1 most tills on Windows
  write (Latin-1 itself when even that fails). Standard input must be UTF-8: it cannot be read twice.
- The delimiter is --delimiter, else the one of comma, semicolon, tab and bar that the header line holds most
  of outside quotes (a semicolon: exports where a comma is the decimal mark).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import sys
from collections.abc import Iterator

from simulator.feed.text import not_utf8
from simulator.orders import OrdersFileError

DELIMITERS = (",", ";", "\t", "|")
SNIFFED = 65_536
"""Bytes looked at for the header line's delimiter."""
CHUNK = 1 << 20


class CsvSource:
    def __init__(self, stream: io.BufferedReader, name: str, delimiter: str | None = None) -> None:
        self.stream, self.name = stream, name
        self.rereadable = stream is not sys.stdin.buffer and stream.seekable()
        self.encoding = _encoding(stream) if self.rereadable else "utf-8-sig"
        self.delimiter = delimiter or _sniff(self._start())
        self.text: io.TextIOWrapper | None = None
        self.passes = 0
        self.header = self._header(self._reader())

    def _start(self) -> bytes:
        if self.rereadable:
            head = self.stream.read(SNIFFED)
            self.stream.seek(0)
            return head
        return self.stream.peek(SNIFFED)[:SNIFFED]

    def _reader(self) -> Iterator[list[str]]:
        if self.text is not None:
            self.text.detach()
        if self.rereadable:
            self.stream.seek(0)
        self.text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="")
        self.rows = csv.reader(self.text, delimiter=self.delimiter, strict=True)
        return self.rows

    def _header(self, rows: Iterator[list[str]]) -> list[str]:
        try:
            header = next(rows, None)
        except UnicodeDecodeError as error:
            raise not_utf8(self.name, error, 0) from None
        except csv.Error as error:
            raise OrdersFileError(f"{self.name}: cannot read the CSV header: {error}") from None
        if not header:
            raise OrdersFileError(f"{self.name}: expected a CSV header naming its columns")
        header = [h.strip() for h in header]
        header[0] = header[0].removeprefix("\u00ef\u00bb\u00bf")  # a UTF-8 BOM on a file otherwise Windows-1252
        return header

    def numbered_rows(self) -> Iterator[tuple[int, list[str]]]:
        """A pass over the rows after the header: (the line a row ends on, its cells). A file is read from its
        start each time; standard input once."""
        if self.passes and not self.rereadable:
            raise OrdersFileError(f"{self.name}: cannot be read twice")
        rows = self._reader() if self.passes else self.rows
        if self.passes:
            self._header(rows)
        self.passes += 1
        width = len(self.header)
        try:
            for row in rows:
                number = self.rows.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # an empty line
                if len(row) != width:
                    raise OrdersFileError(
                        f"{self.name}: line {number} has {len(row)} fields where the header has"
                        f" {width}: the file is cut short or malformed"
                        + (f", or not separated by {self.delimiter!r} (--delimiter)" if len(row) == 1 else "")
                    )
                yield number, row
        except csv.Error as error:
            raise OrdersFileError(f"{self.name}: CSV error at line {self.rows.line_num}: {error}") from None
        except UnicodeDecodeError as error:
            raise not_utf8(self.name, error, self.rows.line_num) from None

    @property
    def size(self) -> int:
        """The file's length in bytes (0: a pipe)."""
        return os.fstat(self.stream.fileno()).st_size if self.rereadable else 0

    def rewound(self) -> None:
        """The stream was read by another reader (simulator/feed/quick_scan.py): the next pass starts it again."""
        self.stream.seek(0)
        self.passes = max(self.passes, 1)

    def describe(self) -> list[str]:
        """What is not the default about how the text was read, for `simulator.check`."""
        said = []
        if self.encoding != "utf-8-sig":
            said.append(f"text in {self.encoding} (not UTF-8)")
        if self.delimiter != ",":
            said.append(f"separated by {self.delimiter!r}")
        return said

    def close(self) -> None:
        """Let go of the text reader; the stream stays the caller's to close."""
        if self.text is not None:
            self.text.detach()
            self.text = None


def _encoding(stream: io.BufferedReader) -> str:
    """UTF-8 when the whole file decodes as it (in chunks: memory stays flat), else Windows-1252, else Latin-1.

    A file whose text before its first bad byte held letters beyond ASCII in UTF-8 is UTF-8 with a bad byte (cut
    short, or pasted in): it stays UTF-8, and reading it names where it breaks, rather than every 'é' of it
    being read as 'Ã©'."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        beyond_ascii = False
        stream.seek(0)
        try:
            while chunk := stream.read(CHUNK):
                beyond_ascii = beyond_ascii or not decoder.decode(chunk).isascii()
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            if encoding == "utf-8-sig" and (beyond_ascii or not error.object[: error.start].isascii()):
                return encoding
            continue
        finally:
            stream.seek(0)
        return encoding
    return "latin-1"


def _sniff(head: bytes) -> str:
    """The delimiter the header line holds most of, outside quotes; a comma when it holds none."""
    line = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","
