"""A large file's orders read in a child process while the kitchen runs in this one.

Reading orders costs Python a good part of the kitchen's own work on them: a JSON order is parsed and checked
(a sixth of a run's process's time), a point-of-sale export's more (the csv module reads every column of its rows,
and each order is put together from several). A run's process is busy with the kitchen, its writer is another
process, and a machine of two cores still has room: so a JSON file (json_orders.py), or a CSV file that the scan
found in order (csv_orders.CsvOrders), is read by a forked child, which sends its entries on in batches, and this
process only puts them back together. The child reads ahead as far as the pipe holds (a few batches: memory stays
flat) and no further; the kitchen receives each order at its time, as before.

On the wire an order is a tuple of plain values, and its item lines are numbers into a table of the lines met so
far (a menu's dishes, in their quantities and prices, repeat): unpickling orders with their dishes cost this process
half of what reading them did. The dishes are this process's menu's own.

The entries, the lines left out as each entry is handed on, the location read and an error that ends the stream
(after the orders before it) are what reading the file here gives. The child answers no signal: this process does,
and ends it (ReadAhead.close, from the feed's close). A file below AHEAD_FROM, a file to be sorted, standard input
or a pipe, a process with one core, or a system that cannot fork is read here as before.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import stat
from collections import Counter
from collections.abc import Iterator
from functools import partial
from multiprocessing.connection import Connection
from typing import Protocol, cast

from simulator.menu import Dish
from simulator.orders import FeedEntry, Line, Order, OrdersFileError

AHEAD_FROM = 1 << 20
"""Files from this many bytes are read by a child process while the kitchen runs: below it, a run is over before the
child would have paid for its start (10,000 orders of our columns, 2 MB, replay in 0.44 s read ahead, 0.49 s read
here)."""
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
"""The cores this process may run on: with one, a child reading ahead would only take turns with the kitchen."""
STANDARD_INPUT = 0
"""Its file descriptor."""
BATCH = 512
"""Entries a message: large enough that a message's cost is small beside its orders', small enough that a few fill
the pipe's buffer (what the child reads ahead)."""
TABLE = 65_536
"""Item lines numbered at most: past them (a file of ever new prices), the table starts again, on both sides."""

_ORDERS, _ERROR, _END = "orders", "error", "end"
_DONE = object()
_order = partial(tuple.__new__, Order)
"""An Order from the tuple of its fields, without the call of its named tuple's __new__ (a hundred thousand a run)."""


class HasFileno(Protocol):
    def fileno(self) -> int: ...


class Reader(Protocol):
    """A file's reader (csv_orders.CsvOrders, json_orders' readers), and what its reading finds as it goes."""

    name: str
    left_out: Counter[str]
    location: str | None
    """The location read: the first met, when none was named."""

    def read_here(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]: ...


def worth_it(stream: HasFileno) -> bool:
    """Whether a stream is a file large enough to be read ahead (AHEAD_FROM), with a core for the child; standard
    input is read here, as its orders come (a live run's), whatever it is."""
    try:
        descriptor = stream.fileno()
        info = os.fstat(descriptor)
    except (OSError, ValueError, io.UnsupportedOperation):
        return False
    return CORES > 1 and descriptor != STANDARD_INPUT and stat.S_ISREG(info.st_mode) and info.st_size >= AHEAD_FROM


class ReadsAhead:
    """A reader whose large file a child may read (`read_by_a_child`); close() ends that child."""

    ahead: ReadAhead | None = None

    def read_by_a_child(self, menu: dict[str, Dish]) -> ReadAhead:
        self.ahead = ReadAhead(cast(Reader, self), menu)
        return self.ahead

    def close(self) -> None:
        if self.ahead is not None:
            self.ahead.close()  # its child must end: the run's writer, started after it, shares its pipe


class ReadAhead:
    """`reader.read_here(menu)` in a child forked at once (before the run starts its writer, which would otherwise
    share this pipe), iterated once; read here where no process can be forked."""

    def __init__(self, reader: Reader, menu: dict[str, Dish]) -> None:
        self.reader, self.menu = reader, menu
        self.child: multiprocessing.process.BaseProcess | None = None
        self.finished = False
        """The child said its last word (the end, or an error): it ends by itself."""
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:
            return
        self.receiving, sending = context.Pipe(duplex=False)
        try:
            self.child = context.Process(target=_child, args=(reader, menu, self.receiving, sending), daemon=True)
            self.child.start()
        except (AssertionError, OSError):  # a daemonic process, or no process to be had
            self.child = None
            self.receiving.close()
        sending.close()

    def __iter__(self) -> Iterator[FeedEntry]:
        if self.child is None:
            return self.reader.read_here(self.menu)
        return self._received()

    def _received(self) -> Iterator[FeedEntry]:
        reader, menu = self.reader, self.menu
        lines: list[Line] = []
        try:
            while True:
                try:
                    kind, payload, reader.location = self.receiving.recv()
                except EOFError:
                    self.close()
                    raise OrdersFileError(
                        f"{reader.name}: the process reading it ended before the file did"
                        f" (exit {self.child.exitcode if self.child else None}); run it again"
                    ) from None
                if kind == _END:
                    self.finished = True
                    _counted(reader.left_out, payload)
                    return
                if kind == _ERROR:
                    self.finished = True
                    error, left_out = payload
                    _counted(reader.left_out, left_out)
                    raise error
                afresh, new, sent, counts = payload
                if afresh:
                    lines = []
                lines += [Line(menu[name], quantity, price) for name, quantity, price in new]
                for k, entry in enumerate(sent):
                    if counts and counts[0][0] == k:
                        _counted(reader.left_out, counts.pop(0)[1])
                    if type(entry) is tuple:
                        position, customer, service, at, numbers, total, order_id = entry
                        lines_of = tuple([lines[n] for n in numbers])
                        yield _order((position, customer, service, at, lines_of, total, order_id))
                    else:
                        yield entry
        finally:
            self.close()

    def close(self) -> None:
        """End the child, if it has not ended by itself (it may be waiting for room in the pipe), and wait for it."""
        if self.child is None:
            return
        self.receiving.close()
        if not self.finished:
            self.child.kill()
        self.child.join()


def _counted(left_out: Counter[str], counts: dict[str, int]) -> None:
    left_out.clear()
    left_out.update(counts)


def _child(reader: Reader, menu: dict[str, Dish], receiving: Connection, sending: Connection) -> None:
    """Read the entries and send them on. A signal to the whole group (Ctrl-C, `timeout`, a service stopped) is the
    parent's to answer: it ends the child when it stops."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    receiving.close()
    numbered: dict[Line, int] = {}
    new: list[tuple[str, int, int]] = []
    batch: list[object] = []
    counts: list[tuple[int, dict[str, int]]] = []
    """(entry of the batch, the lines left out when it was read): where the count changed."""
    counted: dict[str, int] = {}
    afresh = False

    def flush() -> None:
        nonlocal afresh
        sending.send((_ORDERS, (afresh, new.copy(), batch.copy(), counts.copy()), reader.location))
        new.clear()
        batch.clear()
        counts.clear()
        afresh = False

    reading = reader.read_here(menu)
    try:
        while True:
            try:
                entry = next(reading, _DONE)
            except Exception as error:  # an OrdersFileError, an OSError: the parent raises it after the orders before
                flush()
                sending.send((_ERROR, (error, dict(reader.left_out)), reader.location))
                return
            if entry is _DONE:
                break
            if type(entry) is Order and len(numbered) + len(entry.lines) > TABLE:
                flush()  # the orders so far go with the table as it is
                numbered.clear()
                afresh = True
            if reader.left_out != counted:  # rarely: a voided line, a refund, another location's
                counted = dict(reader.left_out)
                counts.append((len(batch), counted))
            if type(entry) is Order:
                numbers = []
                for line in entry.lines:
                    number = numbered.get(line)
                    if number is None:
                        number = numbered[line] = len(numbered)
                        new.append((line.dish.name, line.quantity, line.price_per_unit))
                    numbers.append(number)
                batch.append(
                    (entry.position, entry.customer_name, entry.service, entry.ordered_at, tuple(numbers))
                    + (entry.total_price, entry.order_id)
                )
            else:
                batch.append(entry)
            if len(batch) >= BATCH:
                flush()
        flush()
        sending.send((_END, dict(reader.left_out), reader.location))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the parent stopped reading: nothing is left to do
    finally:
        sending.close()
