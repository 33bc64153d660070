"""The store outlives a database outage: the real simulator writing while its database goes away.

A PostgreSQL server restarted mid-run (a cluster of the test's own: the shared server is never restarted),
and a SQLite file locked by another program past the busy timeout: the run waits, completes, and stores
what an uninterrupted run of the same orders stores, every row once. A server that stays away longer than
--db-retry-seconds: the simulator stops with one line, and the run stays 'running' with what it committed. A
connection cut between a COMMIT and its answer (a relay that drops the answer): the batch is written once.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import threading
import time

import pytest

from common.database import BUSY_TIMEOUT_MS
from tests.kitchen_data import CONSISTENT, rows, stored_run
from tests.processes import committed, generate, simulator_process

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("outage"), days=20, orders_per_day=3000, seed=8)


def simulator(menu, orders, db, *flags: str) -> list[str]:
    return simulator_process(menu, orders, db, "--cooks", "110", *flags)


def start_and_wait_for(command: list[str], db, run: int, orders: int) -> subprocess.Popen:
    """Start the run, and return once it has committed `orders` orders (it is then well under way)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while committed(db, run) < orders:
        assert process.poll() is None, f"the run ended before its database went away: {process.communicate()}"
        time.sleep(0.01)
    return process


def finished(process: subprocess.Popen, timeout: float) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def test_a_postgres_server_restarted_mid_run_loses_nothing_and_doubles_nothing(stream, throwaway_postgres):
    menu, orders = stream
    db = throwaway_postgres.url
    calm = subprocess.run(simulator(menu, orders, db, "--speed", "max", "--quiet"), capture_output=True, text=True)
    assert calm.returncode == 0, calm.stderr

    running = start_and_wait_for(simulator(menu, orders, db, "--speed", "max"), db, 2, 10_000)
    throwaway_postgres.restart()
    assert running.poll() is None, "the run ended before the server came back"
    returncode, out, err = finished(running, timeout=120)

    assert returncode == 0, err
    assert "run 2 completed" in out and "Traceback" not in err
    assert f"database {db} away since " in err and f"database {db} back after " in err
    assert rows(db, "SELECT id, status FROM runs ORDER BY id") == [(1, "completed"), (2, "completed")]
    assert stored_run(db, 2) == stored_run(db, 1)


def test_a_server_away_longer_than_the_retry_time_stops_the_run_with_one_line_leaving_it_running(
    stream, throwaway_postgres
):
    menu, orders = stream
    db = throwaway_postgres.url
    command = simulator(menu, orders, db, "--speed", "3000", "--db-retry-seconds", "3", "--quiet")
    running = start_and_wait_for(command, db, 1, 500)
    throwaway_postgres.stop()
    stopped_at = time.monotonic()
    returncode, out, err = finished(running, timeout=60)
    waited = time.monotonic() - stopped_at

    assert returncode == 1 and out == ""
    [line] = err.splitlines()
    assert line.startswith(f"simulator: run 1 stopped: database {db} away for ")
    assert "past --db-retry-seconds 3; it stays 'running', with what it committed" in line
    assert 3 <= waited < 15
    throwaway_postgres.start()
    [(status, ended, received, last_batch)] = rows(
        db, "SELECT status, wall_ended_at, orders_received, last_batch FROM runs WHERE id = 1"
    )
    assert (status, ended) == ("running", None)  # stalled, on the dashboard; to be resumed
    assert received >= 500 and last_batch > 0
    assert rows(db, "SELECT COUNT(*) FROM orders WHERE run_id = 1") == [(received,)]  # every order received, once
    assert rows(db, "SELECT SUM(orders) FROM daily_sales WHERE run_id = 1") == [(received,)]
    assert rows(db, CONSISTENT, 1) == [(0,)]
    [(completed,)] = rows(db, "SELECT orders_completed FROM runs WHERE id = 1")
    assert rows(db, "SELECT SUM(orders) FROM fulfillment_by_time_of_day WHERE run_id = 1") == [(completed,)]


def test_a_sqlite_file_locked_by_another_program_past_the_busy_timeout_is_waited_for(stream, tmp_path):
    menu, orders = stream
    db = tmp_path / "k.db"
    calm = subprocess.run(simulator(menu, orders, db, "--speed", "max", "--quiet"), capture_output=True, text=True)
    assert calm.returncode == 0, calm.stderr

    running = start_and_wait_for(simulator(menu, orders, db, "--speed", "max"), db, 2, 5_000)
    with sqlite3.connect(db, isolation_level=None) as other_program:
        other_program.execute("BEGIN EXCLUSIVE")
        time.sleep(BUSY_TIMEOUT_MS / 1000 + 3)
        assert running.poll() is None, "the run ended while the file was locked"
        other_program.execute("ROLLBACK")
    returncode, out, err = finished(running, timeout=120)

    assert returncode == 0, err
    assert f"database {db} away since " in err and "(database is locked)" in err
    assert f"database {db} back after " in err
    assert rows(db, "SELECT id, status FROM runs ORDER BY id") == [(1, "completed"), (2, "completed")]
    assert stored_run(db, 2) == stored_run(db, 1)


class AnswerLostProxy:
    """A TCP relay to a PostgreSQL server that, once, cuts the connection between a COMMIT and its answer: it
    passes the `nth` COMMIT on, waits for the server's answer (the transaction is committed by then), and closes
    both ends instead of passing the answer back. The client sees its connection lost, not knowing whether it
    committed: what happens to a writer when the network or the server's host fails at that moment."""

    def __init__(self, upstream_port: int, nth: int) -> None:
        self.upstream_port, self.nth = upstream_port, nth
        self.commits = 0
        self.cut = threading.Event()  # the answer to the nth COMMIT was dropped
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream_port))
            armed = threading.Event()  # this connection's next answer is the one to drop
            threading.Thread(target=self._up, args=(client, server, armed), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client, armed), daemon=True).start()

    def _up(self, client, server, armed) -> None:
        try:
            while data := client.recv(65536):
                if b"COMMIT" in data and not self.cut.is_set():
                    self.commits += 1
                    if self.commits == self.nth:
                        armed.set()
                server.sendall(data)
        except OSError:
            pass

    def _down(self, server, client, armed) -> None:
        try:
            while data := server.recv(65536):
                if armed.is_set():  # the server answered the COMMIT: it is committed, and the answer is lost
                    self.cut.set()
                    break
                client.sendall(data)
        except OSError:
            pass
        for end in (client, server):  # shutdown, not only close: it wakes the other relay blocked on the socket
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def close(self) -> None:
        self.listener.close()


def test_a_commit_whose_answer_is_lost_on_the_wire_is_not_counted_twice(stream, throwaway_postgres):
    menu, orders = stream
    db = throwaway_postgres.url
    calm = subprocess.run(simulator(menu, orders, db, "--speed", "max", "--quiet"), capture_output=True, text=True)
    assert calm.returncode == 0, calm.stderr
    proxy = AnswerLostProxy(throwaway_postgres.port, nth=12)  # the run's own, then ten of its writer's batches
    try:
        through = db.replace(f":{throwaway_postgres.port}/", f":{proxy.port}/")
        cut = subprocess.run(simulator(menu, orders, through, "--speed", "max"), capture_output=True, text=True)
    finally:
        proxy.close()

    assert proxy.cut.is_set(), "no COMMIT's answer was dropped"
    assert cut.returncode == 0, cut.stderr
    assert f"database {through} away since " in cut.stderr and f"database {through} back after " in cut.stderr
    assert rows(db, "SELECT id, status FROM runs ORDER BY id") == [(1, "completed"), (2, "completed")]
    assert stored_run(db, 2) == stored_run(db, 1)  # the batch committed whose answer was lost: written once
