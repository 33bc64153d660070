"""Both engines for the tests: a fresh SQLite file, or a fresh schema on the PostgreSQL test server.

The server is the one KITCHEN_TEST_POSTGRES_URL names (.ci/run sets it, and fails when the server is
not there), else the local server at its default address when it answers.
"""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from psycopg import sql

from common.database import with_search_path

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
