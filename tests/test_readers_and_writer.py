"""Readers never block the writer and never see errors: reader processes run the dashboard's refresh
in a tight loop against the database the simulator is writing at full speed.

SQLite in WAL mode lets readers read while the writer writes. How much CPU the readers take from the
writer on this machine is a benchmark's question (python -m bench contention), not a test's: a busy
machine would make a timing assertion fail for the wrong reason."""

from __future__ import annotations

import pytest

from bench import contention_bench

ORDERS = 20_000
READERS = 3


@pytest.mark.e2e
def test_readers_in_a_tight_loop_never_see_a_lock():
    errors: list[int] = []
    contention_bench.writer_seconds(ORDERS, READERS, 0, 19, errors)
    assert errors == [0] * READERS  # every reader reported, and none saw "database is locked"
