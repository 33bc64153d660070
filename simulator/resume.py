"""Resuming a run that stopped before its end (`python -m simulator --resume [RUN]`): its simulator was killed, its
machine went down, or it gave up on a database that stayed away. What it committed is kept; the rest is made again.

The simulation is deterministic: the same orders file, read the same way, through the same kitchen, gives the same
timestamps. So a resumed run replays its stream from the start, as fast as possible, up to the last simulated
moment it committed (runs.sim_now); checks that what it recomputed equals what is stored, order for order and
minute for minute (`Replay`); then writes what the stored run lacks and goes on, at the run's own speed, its
simulated clock rejoining wall time from the moment of resuming. Its rows equal those of a run never interrupted,
wall-clock columns aside.

A run is resumed only
- with the parameters kept in its row (the crew, the speed, the zone, how the orders file was read), and on the same
  files: each has its SHA-256 in the row (runs.orders_digest, runs.menu_digest), and a file that changed is refused;
- if it is 'running' and stalled: nothing committed for STALLED_AFTER seconds (a live simulator commits every
  second), waited for when the run's last commit is more recent (a container restarting after a crash comes back
  within a second); or, when named, if it was 'interrupted' (Ctrl-C) or 'failed' (a full disk, since freed: what
  it committed is sound, each batch a transaction; a file that fails part-way fails again at the same order);
- never if it read standard input: a stream that came once cannot be replayed.

Taking a run over is one transaction that counts it resumed (runs.resumed). Every batch and the run's end carry
that count as their simulator knows it, and are refused once it changed (simulator.writer.RunTakenOver): a
simulator thought dead that comes back (its database was away) stops, and cannot write over the resumed run.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.database import Session
from common.records import STALLED_AFTER, OrderRow, RejectedRow, SampleRow
from common.schedule import CookSchedule
from simulator.feed import STDIN, FeedOptions
from simulator.stations.layout import LaidOut

NEVER = -(2**62)
"""A simulated moment before any: of a run that committed none."""
FETCH = 10_000
"""Stored rows read at a time while they are compared: a long run's million orders are never held at once."""


class ResumeError(ValueError):
    """The run cannot be resumed: the message says why, and what to do."""


class ReplayMismatch(ResumeError):
    """What the replay recomputed differs from what the run stored: the files, or the simulator, are not those of
    the run."""


def digest(path: Path | str) -> str:
    """SHA-256 of a file, in hex: what a run keeps of its orders file and its menu."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


@dataclass(frozen=True)
class StoredRun:
    """A run's row, as a resumed run needs it."""

    id: int
    kitchen: str
    status: str
    cooks: int
    cook_schedule: str | None
    speed: float | None
    orders_file: str
    menu_file: str
    timezone: str
    orders_digest: str | None
    menu_digest: str | None
    reading: str | None
    resumed: int
    last_batch: int
    sim_now: int | None
    wall_updated_at: float | None
    orders_received: int
    orders_completed: int
    orders_discarded: int
    orders_rejected: int
    cook_seconds: float
    busy_seconds: float
    layout: str | None

    @classmethod
    def read(cls, session: Session, run_id: int) -> StoredRun | None:
        columns = ", ".join(cls.__dataclass_fields__)
        found = session.execute(f"SELECT {columns} FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if found is None else cls(*found)

    @property
    def crew(self) -> int | CookSchedule | LaidOut:
        if self.layout is not None:
            return LaidOut.from_json(self.layout, self.timezone)
        if self.cook_schedule is None:
            return self.cooks
        return CookSchedule.parse(json.loads(self.cook_schedule), self.timezone)

    @property
    def feed_options(self) -> FeedOptions:
        assert self.reading is not None
        return FeedOptions.from_json(self.reading)

    def check_files(self) -> None:
        """Refuse a run that cannot be replayed as it ran: from standard input, by an older simulator, or on files
        that are gone or changed."""
        if self.orders_file == STDIN:
            raise ResumeError(f"run {self.id} read its orders from standard input: a stream cannot be replayed")
        if self.orders_digest is None or self.menu_digest is None or self.reading is None:
            raise ResumeError(
                f"run {self.id} kept no digest of its files (it read a pipe, or was started by an older simulator):"
                " it cannot be replayed"
            )
        for what, path, kept in (
            ("orders file", self.orders_file, self.orders_digest),
            ("menu", self.menu_file, self.menu_digest),
        ):
            try:
                now = digest(path)
            except OSError as error:
                raise ResumeError(f"run {self.id}: cannot read its {what} {path}: {error.strerror or error}") from None
            if now != kept:
                raise ResumeError(
                    f"run {self.id}: its {what} {path} changed since the run began (SHA-256 {now[:12]}..., the run"
                    f" read {kept[:12]}...): a run resumes only on the files it began with"
                )


def find(
    session: Session,
    kitchen: str,
    run_id: int | None,
    stalled_after: float = STALLED_AFTER,
    sleep: Callable[[float], None] = time.sleep,
) -> StoredRun | None:
    """The run to resume: `run_id`, or this kitchen's latest 'running' run (None when it has none). Waits, up to
    `stalled_after` seconds, for a run committed to lately to fall silent; refuses one that does not, or that cannot
    be resumed."""
    if run_id is None:
        latest = session.execute(
            "SELECT MAX(id) FROM runs WHERE kitchen = ? AND status = 'running'", (kitchen,)
        ).fetchone()[0]
        if latest is None:
            return None
        run_id = latest
    run = StoredRun.read(session, run_id)
    if run is None:
        raise ResumeError(f"there is no run {run_id}")
    if run.status == "completed":
        raise ResumeError(f"run {run.id} is completed: there is nothing left to resume")
    silent = None if run.wall_updated_at is None else time.time() - run.wall_updated_at
    if run.status == "running" and silent is not None and silent < stalled_after:
        sleep(stalled_after - silent)  # a live simulator commits within the second
        again = StoredRun.read(session, run.id)
        if again is None or again.wall_updated_at != run.wall_updated_at:
            raise ResumeError(f"run {run.id} is still being written by its simulator: stop it first")
    run.check_files()
    return run


def take_over(session: Session, run: StoredRun) -> StoredRun:
    """Count the run resumed, in one transaction (it waits for a write of an earlier simulator under way, whose later
    ones are then refused), and read it again as it is now: 'running', resumed once more."""
    with session.transaction():
        session.execute(
            "UPDATE runs SET resumed = resumed + 1, status = 'running', wall_ended_at = NULL, wall_updated_at = ?"
            " WHERE id = ?",
            (time.time(), run.id),
        )
    taken = StoredRun.read(session, run.id)
    assert taken is not None
    return taken


class Replay:
    """The stored run, against which a resumed run's replay is checked as it goes, up to `run.sim_now`. Each stored
    row must be recomputed equal; a row the replay makes that is not stored must come from the last moment committed
    (a commit may have caught that moment half done): those the resumed run writes.

    The replay's completions come in time order; the stored ones are read in (completed_at, id) order, FETCH at a
    time, and matched as they come, so memory holds one simulated second of them. Samples likewise, by minute."""

    def __init__(self, session: Session, run: StoredRun) -> None:
        self.run = run
        self.until = NEVER if run.sim_now is None else run.sim_now
        """The last simulated moment committed: the replay goes through every event at or before it."""
        key = (run.id,)
        orders, samples = ", ".join(OrderRow._fields), ", ".join(SampleRow._fields)
        self.completed = _keyed(
            session,
            f"SELECT {orders} FROM {OrderRow.table} WHERE run_id = ? AND status = 'Completed'"
            " AND (completed_at > ? OR (completed_at = ? AND id > ?)) ORDER BY completed_at, id LIMIT ?",
            key,
            lambda row: (row[7], row[7], row[1]),
            (NEVER, NEVER, 0),
        )
        self.samples = _keyed(
            session,
            f"SELECT {samples} FROM {SampleRow.table} WHERE run_id = ? AND t > ? ORDER BY t LIMIT ?",
            key,
            lambda row: (row[1],),
            (NEVER,),
        )
        self.open = {
            row[1]: OrderRow._make(row)
            for row in session.execute(
                f"SELECT {orders} FROM {OrderRow.table} WHERE run_id = ? AND status <> 'Completed'",
                key,
            )
        }
        """Orders stored while still open: the resumed run writes their rows again."""
        self.rejected = {
            position
            for (position,) in session.execute(f"SELECT position FROM {RejectedRow.table} WHERE run_id = ?", key)
        }
        self.waiting: dict[int, OrderRow] = {}  # stored complete, not yet recomputed: by id
        self.unmatched: dict[int, OrderRow] = {}  # recomputed complete, not stored so: by id
        self.next_completed = next(self.completed, None)
        self.next_sample = next(self.samples, None)

    def completed_stored(self, row: OrderRow) -> bool:
        """Whether the order completed in the replay is stored complete already (then equal, or ReplayMismatch)."""
        t = row.completed_at
        assert t is not None
        while self.next_completed is not None and self.next_completed[7] <= t:
            stored = OrderRow._make(self.next_completed)
            self.waiting[stored.id] = stored
            self.next_completed = next(self.completed, None)
        for early in [s for s in self.waiting.values() if s.completed_at is not None and s.completed_at < t]:
            replayed = self.unmatched.get(early.id)
            raise ReplayMismatch(
                f"order {early.id}: stored {_shown(early)}, replayed "
                + (f"{_shown(replayed)}" if replayed else f"still open at {t}")
            )
        stored_row = self.waiting.pop(row.id, None)
        if stored_row is None:
            self.unmatched[row.id] = row
            return False
        if stored_row != row:
            raise ReplayMismatch(f"order {row.id}: stored {_shown(stored_row)}, replayed {_shown(row)}")
        return True

    def sample_stored(self, row: SampleRow) -> bool:
        """Whether the minute sampled in the replay is stored already, equal (else ReplayMismatch); the last minute
        committed may hold the run's final state instead, and is written again."""
        if self.next_sample is not None and self.next_sample[1] < row.t:
            raise ReplayMismatch(f"the minute {self.next_sample[1]} is stored, not sampled in the replay")
        if self.next_sample is None or self.next_sample[1] > row.t:
            return False
        stored, self.next_sample = SampleRow._make(self.next_sample), next(self.samples, None)
        if stored != row and row.t < self.until:
            raise ReplayMismatch(f"minute {row.t}: stored {_shown(stored)}, replayed {_shown(row)}")
        return stored == row

    def rejection_stored(self, row: RejectedRow) -> bool:
        if row.position not in self.rejected:
            return False
        self.rejected.remove(row.position)
        return True

    def check_the_rest(self, still_open: Iterator[OrderRow], completed_now: Iterator[OrderRow]) -> None:
        """At the end of the replay: every stored row was met, and every order the replay has open, or completed and
        not stored complete, is stored as it was up to the last moment committed (or not stored, if it came then)."""
        leftover = next(iter(self.waiting.values()), None) or (
            OrderRow._make(self.next_completed) if self.next_completed is not None else None
        )
        if leftover is not None:
            raise ReplayMismatch(f"order {leftover.id} is stored completed, not so in the replay")
        if self.next_sample is not None:
            raise ReplayMismatch(f"the minute {self.next_sample[1]} is stored, not sampled in the replay")
        if self.rejected:
            raise ReplayMismatch(f"the rejection of entry {min(self.rejected)} is stored, not made in the replay")
        seen: set[int] = set()
        for row in (*still_open, *completed_now):
            seen.add(row.id)
            stored = self.open.get(row.id)
            if stored is None:
                if row.received_at < self.until:
                    raise ReplayMismatch(f"order {row.id} was received at {row.received_at}, and is not stored")
                continue
            for column in ("started_at", "completed_at"):
                was, now = getattr(stored, column), getattr(row, column)
                if was != now and not (was is None and now is not None and now >= self.until):
                    raise ReplayMismatch(f"order {row.id}: stored {_shown(stored)}, replayed {_shown(row)}")
            if stored._replace(status=row.status, started_at=row.started_at, completed_at=row.completed_at) != row:
                raise ReplayMismatch(f"order {row.id}: stored {_shown(stored)}, replayed {_shown(row)}")
        missing = set(self.open) - seen
        if missing:
            raise ReplayMismatch(f"order {min(missing)} is stored open, not so in the replay")


def _keyed(
    session: Session,
    statement: str,
    key: tuple[object, ...],
    after: Callable[[tuple[Any, ...]], tuple[object, ...]],
    first: tuple[object, ...],
) -> Iterator[tuple[Any, ...]]:
    """The rows of `statement`, FETCH at a time, each page after the last row of the one before (`after` makes the
    statement's parameters of it): a cursor that works alike on both engines and holds no transaction open."""
    bounds = first
    while True:
        page = session.execute(statement, (*key, *bounds, FETCH)).fetchall()
        yield from map(tuple, page)
        if len(page) < FETCH:
            return
        bounds = after(tuple(page[-1]))


def _shown(row: tuple[object, ...]) -> str:
    fields = getattr(row, "_fields", ())
    return ", ".join(f"{name} {value}" for name, value in zip(fields, row, strict=True) if name != "run_id")
