"""Readers never block the writer and never see errors: reader processes run the dashboard's refresh
in a tight loop against the database the simulator is writing at full speed.

SQLite in WAL mode lets readers read while the writer writes, so what the readers take from the writer
is CPU time, not locks. On a two-core machine the readers run at the lowest priority (nice 19), as a
dashboard beside a simulator should; bench/ measures the same at the same priority too. Each side is
the faster of two runs, so that a busy moment of the machine does not decide the outcome.
"""

from __future__ import annotations

import pytest

from bench import contention_bench

ORDERS = 20_000
READERS = 3


@pytest.mark.e2e
def test_readers_in_a_tight_loop_never_see_a_lock_and_barely_slow_the_writer():
    alone = min(contention_bench.writer_seconds(ORDERS, 0, 0, 0, []) for _ in range(2))
    errors: list[int] = []
    loaded = min(contention_bench.writer_seconds(ORDERS, READERS, 0, 19, errors) for _ in range(2))
    assert errors == [0] * READERS * 2  # every reader reported, and none saw "database is locked"
    assert loaded < alone * 1.5, f"the writer took {loaded:.1f} s beside the readers, {alone:.1f} s alone"
