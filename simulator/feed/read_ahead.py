"""A large CSV file's orders read in a child process while the kitchen runs in this one.

Reading a point-of-sale export costs Python more than the kitchen's own work on it: the csv module reads every
column of its rows, and each order is put together from several. A run's process is busy with the kitchen, its
writer is another process, and a machine of two cores still has room: so a large file that the scan found in order
(csv_orders.CsvOrders) is read by a forked child, which sends its entries on in batches, and this process only puts
them back together. The child reads ahead as far as the pipe holds (a few batches: memory stays flat) and no
further, so a run in real time reads no sooner than before.

On the wire an order is a tuple of plain values, and its item lines are numbers into a table of the lines met so
far (a menu's dishes, in their quantities and prices, repeat): unpickling orders with their dishes cost this process
half of what reading them did. The dishes are this process's menu's own.

The entries, the lines left out and an error that ends the stream (with the orders before it) are what reading the
file here gives; a file to be sorted, standard input, or a system that cannot fork is read here as before.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import Counter
from collections.abc import Iterator
from functools import partial
from multiprocessing.connection import Connection
from typing import Protocol

from simulator.menu import Dish
from simulator.orders import FeedEntry, Line, Order

BATCH = 512
"""Entries a message: large enough that a message's cost is small beside its orders', small enough that a few fill
the pipe's buffer (what the child reads ahead)."""

TABLE = 65_536
"""Item lines numbered at most: past them (a file of ever new prices), the table starts again, on both sides."""

_ORDERS, _ERROR, _END = "orders", "error", "end"
_order = partial(tuple.__new__, Order)
"""An Order from the tuple of its fields, without the call of its named tuple's __new__ (a hundred thousand a run)."""
_DONE = object()


class Reader(Protocol):
    """A file's reader (csv_orders.CsvOrders), and what its reading finds as it goes."""

    left_out: Counter[str]
    location: str | None
    """The location read: the first met, when none was named."""

    def read_here(self, menu: dict[str, Dish]) -> Iterator[FeedEntry]: ...


def read_ahead(reader: Reader, menu: dict[str, Dish]) -> Iterator[FeedEntry]:
    """`reader.read_here(menu)` in a forked child (see the module's docstring), the reader's findings kept up to date
    with the child's; read here where no process can be forked."""
    try:
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(reader, menu, receiving, sending), daemon=True)
        child.start()
    except (ValueError, AssertionError, OSError):
        yield from reader.read_here(menu)
        return
    sending.close()
    lines: list[Line] = []
    ended = False
    try:
        while True:
            try:
                kind, payload, (left_out, reader.location) = receiving.recv()
            except EOFError:
                child.join()
                raise RuntimeError(
                    f"the process reading the orders ended with no word (exit {child.exitcode})"
                ) from None
            reader.left_out.clear()
            reader.left_out.update(left_out)
            if kind in (_END, _ERROR):
                ended = True
            if kind == _END:
                return
            if kind == _ERROR:
                raise payload
            afresh, new, sent = payload
            if afresh:
                lines = []
            lines += [Line(menu[name], quantity, price) for name, quantity, price in new]
            for entry in sent:
                if type(entry) is tuple:
                    position, customer, service, at, numbers, total, order_id = entry
                    lines_of = tuple([lines[n] for n in numbers])
                    yield _order((position, customer, service, at, lines_of, total, order_id))
                else:
                    yield entry
    finally:
        receiving.close()
        if not ended:
            child.terminate()  # stopped before the end: the child may be waiting for room in the pipe
        child.join()


def _child(reader: Reader, menu: dict[str, Dish], receiving: Connection, sending: Connection) -> None:
    """Read the entries and send them on; the parent, not the child, answers a signal (it ends the child)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    receiving.close()
    numbered: dict[Line, int] = {}
    new: list[tuple[str, int, int]] = []
    batch: list[object] = []
    afresh = False

    def number(line: Line) -> int:
        found = numbered.get(line)
        if found is None:
            found = numbered[line] = len(numbered)
            new.append((line.dish.name, line.quantity, line.price_per_unit))
        return found

    def flush() -> None:
        nonlocal afresh
        sending.send((_ORDERS, (afresh, new.copy(), batch.copy()), (reader.left_out, reader.location)))
        new.clear()
        batch.clear()
        afresh = False

    reading = reader.read_here(menu)
    try:
        while True:
            try:
                entry = next(reading, _DONE)
            except Exception as error:  # an OrdersFileError, an OSError: the parent raises it after the orders before
                flush()
                sending.send((_ERROR, error, (reader.left_out, reader.location)))
                return
            if entry is _DONE:
                break
            if type(entry) is Order:
                if len(numbered) + len(entry.lines) > TABLE:
                    flush()  # the orders sent so far with the table as it is
                    numbered.clear()
                    afresh = True
                numbers = tuple([number(line) for line in entry.lines])
                batch.append(
                    (entry.position, entry.customer_name, entry.service, entry.ordered_at, numbers)
                    + (entry.total_price, entry.order_id)
                )
            else:
                batch.append(entry)
            if len(batch) >= BATCH:
                flush()
        flush()
        sending.send((_END, None, (reader.left_out, reader.location)))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the parent stopped reading: nothing is left to do
    finally:
        sending.close()
