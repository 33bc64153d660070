import re
import sqlite3
from contextlib import closing

import pytest

from common.database import (
    SCHEMA_VERSION,
    DatabaseUnavailable,
    connect_readonly,
    connect_writer,
    describe,
    is_transient,
    open_writer,
)
from tests.databases import POSTGRES


def test_the_writer_creates_folders_schema_and_wal(tmp_path):
    db = tmp_path / "deep" / "er" / "k.db"
    connection = connect_writer(db)
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert connection.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "runs",
        "orders",
        "rejected_orders",
        "kitchen_stats",
        "daily_sales",
        "hour_of_day_sales",
        "half_hour_sales",
        "dish_sales",
    } <= tables
    connection.close()
    connect_writer(db).close()  # opening again keeps everything


def test_a_database_of_something_else_is_refused_alike_on_both_engines(database):
    other = connect_writer(database)
    for table in sorted(other.tables()):
        other.execute(f"DROP TABLE {table} CASCADE" if other.engine == "postgresql" else f"DROP TABLE {table}")
    other.execute("CREATE TABLE orders (id INTEGER)")
    other.close()
    with pytest.raises(DatabaseUnavailable) as refused:
        connect_writer(database)
    assert str(refused.value) == (
        f"{describe(database)} holds other tables (schema version None; this simulator"
        f" writes version {SCHEMA_VERSION}): give --db a new database"
    )
    left = connect_readonly(database)
    assert left.tables() == {"orders"}  # nothing was changed
    left.close()


def test_a_database_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseUnavailable, match="cannot open database .* for writing"):
        connect_writer(blocker / "k.db")


def test_a_transaction_rolls_back_on_error(tmp_path):
    connection = connect_writer(tmp_path / "k.db")
    with pytest.raises(ZeroDivisionError):
        with connection.transaction():
            connection.execute(
                "INSERT INTO runs (kitchen, status, cooks, orders_file, menu_file, timezone, wall_started_at)"
                " VALUES ('K', 'running', 1, 'o', 'm', 'UTC', 0)"
            )
            raise ZeroDivisionError
    assert connection.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)


def test_the_reader_cannot_write(tmp_path):
    connect_writer(tmp_path / "k.db").close()
    reader = connect_readonly(tmp_path / "k.db")
    with pytest.raises(sqlite3.OperationalError):
        reader.execute(
            "INSERT INTO runs (kitchen, status, cooks, orders_file, menu_file, timezone, wall_started_at)"
            " VALUES ('K', 'running', 1, 'o', 'm', 'UTC', 0)"
        )
    reader.close()


def test_the_file_guard_notices_a_deleted_or_replaced_file(tmp_path):
    from common.database import FileGuard

    db = tmp_path / "k.db"
    connection = connect_writer(db)
    guard = FileGuard(connection)
    guard.check()
    db.unlink()
    with pytest.raises(DatabaseUnavailable, match="deleted or replaced while in use"):
        guard.check()
    connect_writer(db).close()  # a new file at the same path is not the one being written
    with pytest.raises(DatabaseUnavailable):
        guard.check()


def test_a_database_of_the_previous_layout_is_brought_up_to_date_keeping_its_runs(tmp_path):
    db = tmp_path / "old.db"
    connect_writer(db).close()
    with sqlite3.connect(db) as old:  # as version 2 left it: no order_id column
        old.execute(
            "INSERT INTO runs (kitchen, status, cooks, orders_file, menu_file, timezone, wall_started_at)"
            " VALUES ('K', 'completed', 3, 'o', 'm', 'UTC', 0)"
        )
        old.execute(
            "INSERT INTO orders (run_id, id, kitchen, status, ordered_at, received_at, started_at, completed_at,"
            " customer_name, service, total_price, items)"
            " VALUES (1, 1, 'K', 'Completed', 5, 5, 6, 9, 'A', 'S', 1, '[]')"
        )
        old.execute("ALTER TABLE orders DROP COLUMN order_id")
        old.execute("ALTER TABLE orders DROP COLUMN cooked_at")
        old.execute("ALTER TABLE runs DROP COLUMN cook_seconds")
        old.execute("ALTER TABLE runs DROP COLUMN busy_seconds")
        for column in ("last_batch", "orders_digest", "menu_digest", "reading", "resumed", "layout"):
            old.execute(f"ALTER TABLE runs DROP COLUMN {column}")
        old.execute("DROP TABLE fulfillment_by_half_hour")
        old.execute("DROP TABLE fulfillment_by_time_of_day")
        old.execute("DROP TABLE half_hour_sales")
        old.execute("DELETE FROM schema_version")
        old.execute("INSERT INTO schema_version VALUES (2)")
    connect_writer(db).close()
    with sqlite3.connect(db) as upgraded:
        assert upgraded.execute("SELECT MAX(version) FROM schema_version").fetchone() == (SCHEMA_VERSION,)
        assert {"order_id", "cooked_at"} <= {column[1] for column in upgraded.execute("PRAGMA table_info(orders)")}
        columns = {column[1] for column in upgraded.execute("PRAGMA table_info(runs)")}
        assert {
            "cook_seconds",
            "busy_seconds",
            "last_batch",
            "orders_digest",
            "menu_digest",
            "reading",
            "resumed",
            "layout",
        } <= columns
        assert upgraded.execute("SELECT COUNT(*) FROM fulfillment_by_time_of_day").fetchone() == (0,)
        assert upgraded.execute("SELECT COUNT(*) FROM half_hour_sales").fetchone() == (0,)
        assert upgraded.execute("SELECT kitchen, status FROM runs").fetchall() == [("K", "completed")]
        # a completed order was cooked when it completed, as a resumed run replays it
        assert upgraded.execute("SELECT completed_at, cooked_at FROM orders").fetchall() == [(9, 9)]


@pytest.mark.skipif(not POSTGRES, reason="needs a PostgreSQL server")
@pytest.mark.parametrize("connect", [connect_writer, connect_readonly])
def test_a_postgres_database_that_does_not_exist_is_named_with_how_to_create_it(connect):
    missing = re.sub(r"/[^/?]*(\?|$)", r"/no_such_kitchen\1", POSTGRES, count=1)
    with pytest.raises(
        DatabaseUnavailable,
        match=r"the database 'no_such_kitchen' does not exist on the server of .*;"
        r" create it \(createdb no_such_kitchen, or CREATE DATABASE",
    ):
        connect(missing)


def test_a_sqlite_file_locked_past_the_busy_timeout_is_an_outage_and_a_full_disk_is_not(tmp_path):
    db = tmp_path / "k.db"
    connect_writer(db).close()
    with closing(sqlite3.connect(db, isolation_level=None)) as holder, closing(sqlite3.connect(db, timeout=0)) as other:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(sqlite3.OperationalError) as locked:
            other.execute("BEGIN IMMEDIATE")
        holder.execute("ROLLBACK")
    assert is_transient(locked.value)
    assert is_transient(sqlite3.OperationalError("database is locked"))  # raised by hand: no error code
    assert not is_transient(sqlite3.OperationalError("database or disk is full"))
    assert not is_transient(sqlite3.OperationalError("disk I/O error"))
    assert not is_transient(sqlite3.IntegrityError("UNIQUE constraint failed: orders.run_id, orders.id"))


def test_a_server_gone_restarting_or_out_of_reach_is_an_outage_and_a_fault_of_its_own_is_not():
    import psycopg
    from psycopg import errors

    assert is_transient(psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"))
    assert is_transient(errors.AdminShutdown("terminating connection due to administrator command"))
    assert is_transient(errors.CannotConnectNow("the database system is starting up"))
    assert is_transient(errors.ConnectionFailure("connection failure"))
    assert not is_transient(errors.DiskFull("could not extend file"))
    assert not is_transient(errors.UniqueViolation("duplicate key value"))
    assert not is_transient(errors.UndefinedTable('relation "orders" does not exist'))
    assert not is_transient(ValueError("not a database's error"))


@pytest.mark.skipif(not POSTGRES, reason="needs a PostgreSQL server")
def test_a_writer_notices_a_server_gone_without_a_word_in_half_a_minute_unless_its_url_says_otherwise():
    with closing(open_writer(POSTGRES)) as session:
        settings = session.raw.info.get_parameters()
        assert (settings["connect_timeout"], settings["tcp_user_timeout"]) == ("10", "30000")
    separator = "&" if "?" in POSTGRES else "?"
    with closing(open_writer(f"{POSTGRES}{separator}connect_timeout=3")) as session:
        assert session.raw.info.get_parameters()["connect_timeout"] == "3"
