"""The stored records are the schema's tables: a column added to one and not the other fails here."""

from contextlib import closing

import pytest

from common.database import connect_writer
from common.records import STORED, UPDATE_PROGRESS, FulfillmentRow, Progress, adding, replacing


def columns(db, table: str) -> tuple[str, ...]:
    return tuple(row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall())


@pytest.mark.parametrize("record", STORED, ids=lambda record: record.__name__)
def test_each_record_is_its_table_column_for_column(tmp_path, record):
    with closing(connect_writer(tmp_path / "kitchen.db")) as db:
        assert record._fields == columns(db, record.table)


def test_a_flush_progress_names_columns_of_the_runs_table(tmp_path):
    with closing(connect_writer(tmp_path / "kitchen.db")) as db:
        assert set(Progress._fields) <= set(columns(db, "runs"))
    # the batch's number, the run's id, the number, the times resumed
    assert UPDATE_PROGRESS.count("?") == len(Progress._fields) + 4
    assert UPDATE_PROGRESS.endswith(", last_batch = ? WHERE id = ? AND last_batch < ? AND resumed = ?")
    assert "sim_started_at = COALESCE(sim_started_at, ?)" in UPDATE_PROGRESS
    assert "orders_completed = orders_completed + ?" in UPDATE_PROGRESS and "sim_now = ?," in UPDATE_PROGRESS


def test_a_summary_adds_to_the_row_with_its_key_and_a_replacement_sets_what_it_names(tmp_path):
    with closing(connect_writer(tmp_path / "kitchen.db")) as db:
        db.execute(
            "INSERT INTO runs (kitchen, status, cooks, orders_file, menu_file, timezone, wall_started_at)"
            " VALUES ('k', 'running', 1, 'o', 'm', 'UTC', 0)"
        )
        add = adding(FulfillmentRow, ("run_id", "local_day", "half_hour", "minutes"))
        for rows in (
            [FulfillmentRow(1, "2026-12-01", 24, 7, 2, 800)],
            [FulfillmentRow(1, "2026-12-01", 24, 7, 3, 1200), FulfillmentRow(1, "2026-12-01", 25, 7, 1, 400)],
        ):
            with db.transaction():
                db.upsert_many(add, rows)
        assert db.execute(
            "SELECT half_hour, orders, seconds FROM fulfillment_by_half_hour ORDER BY half_hour"
        ).fetchall() == [(24, 5, 2000), (25, 1, 400)]
        replace = replacing(FulfillmentRow, ("run_id", "local_day", "half_hour", "minutes"), ("orders",))
        with db.transaction():
            db.upsert_many(replace, [FulfillmentRow(1, "2026-12-01", 24, 7, 9, 1)])
        assert db.execute("SELECT orders, seconds FROM fulfillment_by_half_hour WHERE half_hour = 24").fetchall() == [
            (9, 2000)
        ]
