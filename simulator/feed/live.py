"""A live feed: orders from a pipe, read as they come while the kitchen's clock goes on."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from enum import Enum

from simulator.orders import FeedEntry


class _End(Enum):
    """The reading thread's word that the feed has ended (an enum member, so that mypy tells it from an entry)."""

    END = "end"


_Answer = FeedEntry | Exception | _End
"""What the reading thread hands over: an entry, the error reading raised, or the end."""


class Live:
    """Entries of a live feed (a pipe), each read by a thread only when the kitchen asks for it, so that the
    kitchen's clock goes on while the next order has not come: then it gets None (see receive_orders)."""

    WAIT = 0.05  # wall seconds a request waits for the next entry before saying "not yet"

    def __init__(self, entries: Iterator[FeedEntry]) -> None:
        self.entries, self.asked = entries, threading.Event()
        self.answers: queue.Queue[_Answer] = queue.Queue(maxsize=1)
        self.waiting = False
        threading.Thread(target=self._read, name="live feed", daemon=True).start()

    def _read(self) -> None:
        while True:
            self.asked.wait()
            self.asked.clear()
            answer: _Answer
            try:
                answer = next(self.entries)
            except StopIteration:
                answer = _End.END
            except Exception as error:  # handed to the kitchen's side, which raises it
                answer = error
            self.answers.put(answer)
            if answer is _End.END or isinstance(answer, Exception):
                return

    def __iter__(self) -> Live:
        return self

    def __next__(self) -> FeedEntry | None:
        if not self.waiting:
            self.asked.set()
            self.waiting = True
        try:
            answer = self.answers.get(timeout=self.WAIT)
        except queue.Empty:
            return None
        self.waiting = False
        if answer is _End.END:
            raise StopIteration
        if isinstance(answer, Exception):
            raise answer
        return answer
