-- The shared database, written by the simulator and read by the dashboard: SQLite or PostgreSQL.
-- Times are integer epoch seconds (UTC); money is integer cents. @ID@ and @WITHOUT_ROWID@ are the
-- only words that differ per engine (database.py fills them in).
-- Every statement is idempotent: the simulator applies this file at start-up, never dropping data.
-- SCHEMA_VERSION in database.py names this layout; bump it when the layout changes.

CREATE TABLE IF NOT EXISTS schema_version (
    version             INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    id                  @ID@,
    kitchen             TEXT    NOT NULL,   -- which kitchen ran: several may share one database
    status              TEXT    NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
    cooks               INTEGER NOT NULL,   -- the fixed crew, or the most cooks on shift in the schedule
    cook_schedule       TEXT,               -- JSON of cooks by weekday and time of day; NULL for a fixed crew
    speed               DOUBLE PRECISION, -- simulated seconds per wall second; NULL = as fast as possible
    orders_file         TEXT    NOT NULL,
    menu_file           TEXT    NOT NULL,
    timezone            TEXT    NOT NULL,
    wall_started_at     DOUBLE PRECISION NOT NULL, -- epoch seconds, wall clock
    wall_ended_at       DOUBLE PRECISION,
    wall_updated_at     DOUBLE PRECISION, -- the last commit: a 'running' run whose commits stopped was killed
    sim_started_at      BIGINT,             -- the first order's receipt
    sim_now             BIGINT,             -- the latest simulated moment written
    orders_received     INTEGER NOT NULL DEFAULT 0,
    orders_completed    INTEGER NOT NULL DEFAULT 0,
    orders_discarded    INTEGER NOT NULL DEFAULT 0,   -- orders with no items
    orders_rejected     INTEGER NOT NULL DEFAULT 0,   -- malformed orders, see rejected_orders
    mean_fulfillment_s  DOUBLE PRECISION,
    p90_fulfillment_s   BIGINT ,
    message             TEXT,               -- why a run failed
    cook_seconds        DOUBLE PRECISION NOT NULL DEFAULT 0,  -- cooks on shift, summed over the minutes sampled
    busy_seconds        DOUBLE PRECISION NOT NULL DEFAULT 0,  -- cooks cooking, the same way
    last_batch          BIGINT  NOT NULL DEFAULT 0,  -- its last batch committed (1, 2, ...): one written again is skipped
    orders_digest       TEXT,               -- SHA-256 of the orders file, and of the menu: a run is resumed only on
    menu_digest         TEXT,               -- the same files (NULL: read from standard input, or an older simulator)
    reading             TEXT,               -- JSON of how the orders file was read (format, columns, times, prices)
    resumed             INTEGER NOT NULL DEFAULT 0, -- times resumed: a batch of an earlier simulator of it is refused
    layout              TEXT                -- JSON of the kitchen's layout and its seed; NULL: one pool of cooks
);

CREATE TABLE IF NOT EXISTS orders (
    run_id          BIGINT  NOT NULL REFERENCES runs (id),
    id              INTEGER NOT NULL,       -- 1-based position in the orders file
    kitchen         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('Queued', 'In Progress', 'Completed')),
    ordered_at      BIGINT  NOT NULL,
    received_at     BIGINT  NOT NULL,
    started_at      BIGINT,                 -- the first unit gets a cook
    completed_at    BIGINT,                 -- the last unit is done; in a laid-out kitchen that packs: packed
    customer_name   TEXT    NOT NULL,
    service         TEXT    NOT NULL,
    total_price     BIGINT  NOT NULL,       -- cents
    items           TEXT    NOT NULL,       -- JSON list of {name, quantity, price_per_unit}
    order_id        TEXT,                   -- the order's own id in the file (a CSV's order_id), if it has one
    cooked_at       BIGINT,                 -- its last unit is done (packed after it, when the layout packs orders)
    PRIMARY KEY (run_id, id)
) @WITHOUT_ROWID@;                            -- one B-tree fewer to write per order
CREATE INDEX IF NOT EXISTS orders_by_completion ON orders (run_id, completed_at);

CREATE TABLE IF NOT EXISTS rejected_orders (
    run_id      BIGINT  NOT NULL REFERENCES runs (id),
    position    INTEGER NOT NULL,           -- 1-based position in the orders file
    raw         TEXT    NOT NULL,           -- the order as JSON
    reason      TEXT    NOT NULL,
    PRIMARY KEY (run_id, position)
);

-- The kitchen's state, sampled at every whole simulated minute.
CREATE TABLE IF NOT EXISTS kitchen_stats (
    run_id              BIGINT  NOT NULL REFERENCES runs (id),
    t                   BIGINT  NOT NULL,
    kitchen             TEXT    NOT NULL,
    queued_orders       INTEGER NOT NULL,   -- received, no unit started
    in_progress_orders  INTEGER NOT NULL,   -- started, not completed
    queued_units        INTEGER NOT NULL,   -- units waiting for a cook
    busy_cooks          INTEGER NOT NULL,   -- = units being cooked
    cooks               INTEGER NOT NULL,
    PRIMARY KEY (run_id, t)
) @WITHOUT_ROWID@;
-- The status and utilisation charts read one sample every 10 minutes; this index holds just those,
-- with the values they show, so those charts never touch the other nine samples in ten.
CREATE INDEX IF NOT EXISTS kitchen_stats_every_10_minutes
    ON kitchen_stats (run_id, t, queued_orders, in_progress_orders, busy_cooks, cooks) WHERE t % 600 = 0;

-- Each station's state at every whole simulated minute, in a laid-out kitchen (none without a layout).
CREATE TABLE IF NOT EXISTS station_stats (
    run_id              BIGINT  NOT NULL REFERENCES runs (id),
    t                   BIGINT  NOT NULL,
    station             TEXT    NOT NULL,   -- its name in the layout
    waiting             INTEGER NOT NULL,   -- units (at the pass: orders to pack) waiting there
    working             INTEGER NOT NULL,   -- units worked there: by cooks, or in slots of equipment
    capacity            INTEGER NOT NULL,   -- equipment: slots; else cooks on shift whose role can work it
    longest_wait        BIGINT  NOT NULL,   -- seconds the oldest unit waiting there has waited
    PRIMARY KEY (run_id, t, station)
) @WITHOUT_ROWID@;
-- The station view reads one sample every 10 minutes, as the kitchen's charts do.
CREATE INDEX IF NOT EXISTS station_stats_every_10_minutes
    ON station_stats (run_id, t, station, waiting, working, capacity, longest_wait) WHERE t % 600 = 0;

-- Every step of every unit, and every order's packing, of a laid-out run asked to record them (--record-units).
CREATE TABLE IF NOT EXISTS unit_steps (
    run_id              BIGINT  NOT NULL REFERENCES runs (id),
    order_id            INTEGER NOT NULL,   -- the order's id (orders.id)
    unit                INTEGER NOT NULL,   -- the unit's place in its order, 0, 1, ...; its packing: after them
    step                INTEGER NOT NULL,   -- the step's place in the unit's route, 0, 1, ...
    station             TEXT    NOT NULL,
    role                TEXT,               -- the role of the cook who worked it or loaded it; NULL: equipment
    ready_at            BIGINT  NOT NULL,   -- when it could start
    started_at          BIGINT  NOT NULL,
    ended_at            BIGINT  NOT NULL,
    PRIMARY KEY (run_id, order_id, unit, step)
) @WITHOUT_ROWID@;

-- Sales kept current by the simulator, so that revenue charts read a few rows instead of every order.
-- Revenue counts when an order is received, by the kitchen's local calendar.
CREATE TABLE IF NOT EXISTS daily_sales (
    run_id      BIGINT  NOT NULL REFERENCES runs (id),
    local_day   TEXT    NOT NULL,           -- YYYY-MM-DD in the kitchen's time zone
    service     TEXT    NOT NULL,
    orders      INTEGER NOT NULL,
    revenue     BIGINT  NOT NULL,           -- cents
    PRIMARY KEY (run_id, local_day, service)
) @WITHOUT_ROWID@;

CREATE TABLE IF NOT EXISTS hour_of_day_sales (
    run_id      BIGINT  NOT NULL REFERENCES runs (id),
    local_hour  INTEGER NOT NULL,           -- 0-23 in the kitchen's time zone, over all days
    service     TEXT    NOT NULL,
    orders      INTEGER NOT NULL,
    revenue     BIGINT  NOT NULL,           -- cents
    PRIMARY KEY (run_id, local_hour, service)
) @WITHOUT_ROWID@;

-- By local day and half hour of the day, over every service: labour cost against sales, half hour by half hour.
CREATE TABLE IF NOT EXISTS half_hour_sales (
    run_id      BIGINT  NOT NULL REFERENCES runs (id),
    local_day   TEXT    NOT NULL,           -- YYYY-MM-DD in the kitchen's time zone
    half_hour   INTEGER NOT NULL,           -- 0-47 of the local day
    orders      INTEGER NOT NULL,
    revenue     BIGINT  NOT NULL,           -- cents
    PRIMARY KEY (run_id, local_day, half_hour)
) @WITHOUT_ROWID@;

-- Units and revenue per dish, kept current by the simulator.
CREATE TABLE IF NOT EXISTS dish_sales (
    run_id      BIGINT  NOT NULL REFERENCES runs (id),
    dish        TEXT    NOT NULL,
    units       INTEGER NOT NULL,
    revenue     BIGINT  NOT NULL,           -- cents
    PRIMARY KEY (run_id, dish)
) @WITHOUT_ROWID@;

-- The same over the whole run, by the half hour of the local day alone: a few thousand rows at most, for
-- the whole run's percentiles and its half hours compared with the target.
CREATE TABLE IF NOT EXISTS fulfillment_by_time_of_day (
    run_id      BIGINT  NOT NULL REFERENCES runs (id),
    half_hour   INTEGER NOT NULL,
    minutes     INTEGER NOT NULL,
    orders      INTEGER NOT NULL,
    seconds     BIGINT  NOT NULL,
    PRIMARY KEY (run_id, half_hour, minutes)
) @WITHOUT_ROWID@;
-- The whole run's percentiles add its tallies up by minute, whatever the half hour: this index holds them in
-- that order, so the compare page's table needs no sort.
CREATE INDEX IF NOT EXISTS fulfillment_by_minutes ON fulfillment_by_time_of_day (run_id, minutes, orders, seconds);

-- Fulfillment of completed orders, by the local day and half hour of their receipt, in whole minutes
-- (rounded up: an order in bucket m took at most m minutes): percentiles by half hour, exact to the
-- minute, from a few rows; and the exact sum of seconds, for means.
CREATE TABLE IF NOT EXISTS fulfillment_by_half_hour (
    run_id      BIGINT  NOT NULL REFERENCES runs (id),
    local_day   TEXT    NOT NULL,           -- YYYY-MM-DD of receipt, in the kitchen's time zone
    half_hour   INTEGER NOT NULL,           -- 0-47: the half hour of the local day of receipt
    minutes     INTEGER NOT NULL,           -- fulfillment, rounded up to whole minutes
    orders      INTEGER NOT NULL,
    seconds     BIGINT  NOT NULL,           -- their fulfillment times, summed
    PRIMARY KEY (run_id, local_day, half_hour, minutes)
) @WITHOUT_ROWID@;
