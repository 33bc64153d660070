"""The one place that opens the shared SQLite database.

The simulator is the only writer: it opens the file read-write, in WAL mode so that readers never
block it, and applies the schema. The dashboard opens it read-only, so a bug there cannot change data.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

SCHEMA = files("common").joinpath("schema.sql").read_text(encoding="utf-8")
SCHEMA_VERSION = 1  # stored as PRAGMA user_version; bump it when schema.sql changes its layout

# How long a connection waits for a lock before giving up (milliseconds).
BUSY_TIMEOUT_MS = 5000


class DatabaseUnavailable(RuntimeError):
    """The database file is missing or cannot be opened."""


def connect_writer(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the database for the simulator, with the schema applied.

    The connection is in autocommit mode: the writer opens its own transactions explicitly.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")  # durable at each checkpoint; safe in WAL mode
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = connection.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables and version != SCHEMA_VERSION:
            connection.close()
            raise DatabaseUnavailable(
                f"{path} holds other tables (schema version {version}; this simulator writes version"
                f" {SCHEMA_VERSION}): give --db a new file"
            )
        connection.executescript(SCHEMA)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except (OSError, sqlite3.Error) as error:
        raise DatabaseUnavailable(f"cannot open database {path} for writing: {error}") from error
    return connection


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open the database read-only; any write through this connection fails."""
    path = Path(path)
    if not path.is_file():
        raise DatabaseUnavailable(f"database file not found: {path}")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA query_only = ON")
    except sqlite3.Error as error:
        raise DatabaseUnavailable(f"cannot open database {path}: {error}") from error
    return connection


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT on an autocommit connection; rolled back if anything fails inside."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


class FileGuard:
    """Notices the database file being deleted or replaced under an open connection, which would otherwise
    go on writing, without an error, into a file nobody can open any more."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.path = connection.execute("PRAGMA database_list").fetchone()[2]
        self.inode = self._inode()

    def _inode(self) -> int | None:
        try:
            return os.stat(self.path).st_ino
        except FileNotFoundError:
            return None

    def check(self) -> None:
        if self._inode() != self.inode:
            raise DatabaseUnavailable(f"the database file {self.path} was deleted or replaced while in use")
