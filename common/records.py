"""The rows the simulator stores, one record type per table of common/schema.sql: each field is a column
of that name, in the table's order, and `table` names the table. The store builds these records, the
summaries count them, and the statements that write them are derived from them here, so that a column
cannot be added to one place and forgotten in another (common/tests/test_records.py holds them equal to
the schema).

They are NamedTuples: a row is a tuple, so the database drivers take it as it is, and the writer process
receives them through its pipe at the cost of a tuple. Each record is a NamedTuple of its columns, subclassed
to name its table: in a NamedTuple's own body, type checkers take every assignment for a field, so `table`
lives in the subclass (its __slots__ empty: a row stays a tuple and nothing more).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, TypeAlias

from common.database import Upsert


class _OrderColumns(NamedTuple):
    run_id: int
    id: int
    """1-based position in the orders file."""
    kitchen: str
    status: str
    """'Queued', 'In Progress' or 'Completed'."""
    ordered_at: int
    received_at: int
    started_at: int | None
    """The first unit gets a cook."""
    completed_at: int | None
    """The last unit is done."""
    customer_name: str
    service: str
    total_price: int
    items: str
    """JSON list of {name, quantity, price_per_unit}."""
    order_id: str | None
    """The order's own id in the file, if it has one."""
    cooked_at: int | None
    """Its last unit is done: completed_at, but in a laid-out kitchen that packs orders, where completed_at is when
    it was packed."""


class OrderRow(_OrderColumns):
    """One order of a run: where it stands, its times (epoch seconds) and what it sold (cents)."""

    __slots__ = ()
    table = "orders"


class _RejectedColumns(NamedTuple):
    run_id: int
    position: int
    raw: str
    reason: str


class RejectedRow(_RejectedColumns):
    """An order the file had that could not be read, and why."""

    __slots__ = ()
    table = "rejected_orders"


class _SampleColumns(NamedTuple):
    run_id: int
    t: int
    kitchen: str
    queued_orders: int
    in_progress_orders: int
    queued_units: int
    busy_cooks: int
    cooks: int


class SampleRow(_SampleColumns):
    """The kitchen's state at a whole simulated minute."""

    __slots__ = ()
    table = "kitchen_stats"


class _StationSampleColumns(NamedTuple):
    run_id: int
    t: int
    station: str
    waiting: int
    working: int
    capacity: int
    longest_wait: int


class StationSampleRow(_StationSampleColumns):
    """A station's state at a whole simulated minute, in a laid-out kitchen (simulator.kitchen.StationSample)."""

    __slots__ = ()
    table = "station_stats"


class _UnitStepColumns(NamedTuple):
    run_id: int
    order_id: int
    unit: int
    step: int
    station: str
    role: str | None
    ready_at: int
    started_at: int
    ended_at: int


class UnitStepRow(_UnitStepColumns):
    """One step of one unit (or an order's packing) in a laid-out run that records them (simulator.kitchen.UnitStep)."""

    __slots__ = ()
    table = "unit_steps"


class _DailySalesColumns(NamedTuple):
    run_id: int
    local_day: str
    service: str
    orders: int
    revenue: int


class DailySalesRow(_DailySalesColumns):
    __slots__ = ()
    table = "daily_sales"


class _HourOfDaySalesColumns(NamedTuple):
    run_id: int
    local_hour: int
    service: str
    orders: int
    revenue: int


class HourOfDaySalesRow(_HourOfDaySalesColumns):
    __slots__ = ()
    table = "hour_of_day_sales"


class _HalfHourSalesColumns(NamedTuple):
    run_id: int
    local_day: str
    half_hour: int
    orders: int
    revenue: int


class HalfHourSalesRow(_HalfHourSalesColumns):
    """Sales by local day and half hour: what the live page sets each half hour's labour cost against."""

    __slots__ = ()
    table = "half_hour_sales"


class _DishSalesColumns(NamedTuple):
    run_id: int
    dish: str
    units: int
    revenue: int


class DishSalesRow(_DishSalesColumns):
    __slots__ = ()
    table = "dish_sales"


class _FulfillmentColumns(NamedTuple):
    run_id: int
    local_day: str
    half_hour: int
    minutes: int
    orders: int
    seconds: int


class FulfillmentRow(_FulfillmentColumns):
    """Orders received in a local half hour of a local day that took `minutes` (rounded up), and the
    seconds they took in all."""

    __slots__ = ()
    table = "fulfillment_by_half_hour"


class _TimeOfDayColumns(NamedTuple):
    run_id: int
    half_hour: int
    minutes: int
    orders: int
    seconds: int


class TimeOfDayRow(_TimeOfDayColumns):
    """The same, over every day: by local half hour of the day alone."""

    __slots__ = ()
    table = "fulfillment_by_time_of_day"


class Progress(NamedTuple):
    """What a flush adds to its run's row in `runs`: the simulated moments, and counts since the last flush."""

    sim_started_at: int | None
    sim_now: int | None
    wall_updated_at: float
    orders_received: int
    orders_completed: int
    orders_discarded: int
    orders_rejected: int
    cook_seconds: float
    busy_seconds: float


STORED = (
    OrderRow,
    RejectedRow,
    SampleRow,
    StationSampleRow,
    UnitStepRow,
    DailySalesRow,
    HourOfDaySalesRow,
    HalfHourSalesRow,
    DishSalesRow,
    FulfillmentRow,
    TimeOfDayRow,
)
"""Every table the run's rows go to."""

StoredRow: TypeAlias = (
    OrderRow
    | RejectedRow
    | SampleRow
    | StationSampleRow
    | UnitStepRow
    | DailySalesRow
    | HourOfDaySalesRow
    | HalfHourSalesRow
    | DishSalesRow
    | FulfillmentRow
    | TimeOfDayRow
)
"""Any of them: what `replacing` and `adding` derive statements from."""


def _progress_set(column: str) -> str:
    if column == "sim_started_at":  # the first moment written stays
        return f"{column} = COALESCE({column}, ?)"
    if column in ("sim_now", "wall_updated_at"):
        return f"{column} = ?"
    return f"{column} = {column} + ?"  # counts since the last flush


UPDATE_PROGRESS = (
    "UPDATE runs SET "
    + ", ".join(map(_progress_set, Progress._fields))
    + ", last_batch = ? WHERE id = ? AND last_batch < ? AND resumed = ?"
)
"""A flush's Progress, then its batch's number, the run's id, the number again and the times the run was resumed
(as the simulator writing it knows), as parameters. It changes no row when that batch is committed already (a
batch written again after its acknowledgement was lost): the counts it adds to are not counted twice; nor when
the run was resumed since by another simulator (see simulator/resume.py): an earlier one's batches are refused."""

STALLED_AFTER = 10
"""Seconds: a running simulator commits at least once a second (Progress.wall_updated_at); a 'running' run silent
for longer was stopped without closing it (killed, its machine down, or its database away)."""


def replacing(record: type[StoredRow], key: Sequence[str], columns: Sequence[str]) -> Upsert:
    """Insert a record, or set `columns` of the row already there with its `key` to the record's."""
    return Upsert(
        record.table,
        record._fields,
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in columns),
    )


def adding(record: type[StoredRow], key: Sequence[str]) -> Upsert:
    """Insert a record, or add its other columns to those of the row already there with its `key`: the
    summaries are running totals."""
    return Upsert(
        record.table,
        record._fields,
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
        + ", ".join(f"{c} = {record.table}.{c} + excluded.{c}" for c in record._fields if c not in key),
    )
