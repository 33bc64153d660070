"""Both engines for the tests: a fresh SQLite file, or a fresh schema on the PostgreSQL test server.

`make test` runs every test that takes the `database` fixture on SQLite, and on PostgreSQL too when
KITCHEN_TEST_POSTGRES_URL names a server (.ci/run sets it, and fails when the server is not there).
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

POSTGRES = os.environ.get("KITCHEN_TEST_POSTGRES_URL")


def with_search_path(url: str, schema: str) -> str:
    """The URL, with its connections working in `schema`."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query) + [("options", f"-c search_path={schema}")]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """Where a test's database lives: a file path or a postgresql:// URL, empty."""
    if request.param == "sqlite":
        yield tmp_path / "k.db"
        return
    if not POSTGRES:
        pytest.skip("KITCHEN_TEST_POSTGRES_URL is not set")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield with_search_path(POSTGRES, schema)
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
