"""Both engines for the tests: a fresh SQLite file, or a fresh schema on the PostgreSQL test server.

The server is the one KITCHEN_TEST_POSTGRES_URL names (.ci/run sets it, and fails when the server is
not there), else the local server at its default address when it answers. A test that needs a server to
stop or restart has one of its own (`throwaway_postgres`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from common.database import with_search_path
from tests.processes import free_port

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _find_server() -> tuple[str | None, str]:
    """(the URL of the test server, or None; and why not)"""
    url = os.environ.get("KITCHEN_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0]
        return None, (
            f"no server answers at {url} ({reason}); set KITCHEN_TEST_POSTGRES_URL to a server whose"
            " user may create schemas"
        )
    return url, ""


POSTGRES, POSTGRES_MISSING = _find_server()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """Where a test's database lives: a file path or a postgresql:// URL, empty."""
    if request.param == "sqlite":
        yield tmp_path / "k.db"
        return
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield with_search_path(POSTGRES, schema)
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")


class ThrowawayServer:
    """A PostgreSQL cluster of a test's own, in a new folder on a free port, to stop and restart at will (the
    shared server is never restarted). Run as the `postgres` user when the tests run as root (initdb refuses
    root), in a folder that user owns."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="kitchen-pg-"))
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data, self.log = self.folder / "data", self.folder / "server.log"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self.start()

    def _run(self, program: str, *arguments: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(POSTGRES_BIN / program), *arguments], check=True, capture_output=True, timeout=120
        )

    def _pg_ctl(self, *arguments: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", *arguments)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "start")

    def stop(self) -> None:
        """A fast shutdown: every connection is ended, what was committed stays."""
        self._pg_ctl("-m", "fast", "stop")

    def restart(self) -> None:
        self._pg_ctl("-m", "fast", "restart")

    def remove(self) -> None:
        subprocess.run(
            [*self.as_postgres, str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def throwaway_postgres():
    """A ThrowawayServer, running; removed at the end."""
    if not (POSTGRES_BIN / "initdb").exists():
        pytest.skip(f"needs PostgreSQL's initdb and pg_ctl in {POSTGRES_BIN}")
    server = ThrowawayServer()
    try:
        yield server
    finally:
        server.remove()
