"""Knobs for the kitchen simulator and its dashboard.

Edit the values, then rerun (`make run`, or `docker compose up --build`). Command-line flags and
environment variables override them for one run (see docs/reference/parameters.md). Relative paths are
relative to the project folder, not to where you start the programs.
"""

# How fast simulated time runs: simulated seconds per wall-clock second.
# 300 replays five kitchen hours a minute: the shipped day starts at midnight, and breakfast is under way
# a minute and a half later. 60 is an hour a minute; "max" runs as fast as the machine can.
SIMULATION_SPEED = 300

# Cooks on shift. Each cooks one item unit at a time (cooks, a whole number >= 1).
NUM_COOKS = 110

# Or the kitchen as it is laid out (a TOML file, like data/layout.toml): stations worked by cooks of several roles,
# equipment (an oven of 4), each dish's route through them and packing at the pass; its roles then hold the cooks,
# in place of NUM_COOKS and COOK_SCHEDULE. None: one pool of cooks, every dish one step. --layout overrides it.
KITCHEN_LAYOUT = None

# Or a schedule of cooks by the kitchen's local time of day, which then replaces NUM_COOKS: one for
# every day, {"HH:MM": cooks, ...}, or one per weekday, {"Mon": {...}, ..., "default": {...}}.
# When the count rises, new cooks start on the queue at once; when it falls, cooks finish the unit at
# hand, then leave. For example:
# COOK_SCHEDULE = {"00:00": 30, "06:00": 60, "11:00": 170, "15:00": 90, "17:30": 160, "22:00": 40}
COOK_SCHEDULE = None

# How often the dashboard re-reads the database (wall-clock seconds).
DASHBOARD_REFRESH_INTERVAL = 5

# The target: p90 fulfillment (minutes from receipt to the last unit cooked) in every half hour. The
# dashboard marks the half hours over it; KITCHEN_SLA_P90_MINUTES in the environment overrides it.
SLA_P90_MINUTES = 40

# The service level: the share of days on which every half hour must meet that target (the plan, the sweep
# and the compare page judge day by day; a half hour with few orders is pooled with its neighbours).
SERVICE_LEVEL = 0.95

# The order stream and the menu it is replayed against (paths). Orders: .json (a list), .jsonl (an order
# a line) or .csv (a row an order line, as point-of-sale exports have them); the menu: .json or .csv.
ORDERS_FILE = "data/orders.json"
MENU_FILE = "data/items.json"

# A CSV export's column names, when they are not ours (order_id, ordered_at, name, service, item,
# quantity, price_per_unit), e.g. {"ordered_at": "Created", "item": "Product", "quantity": "Qty"};
# "Date+Time" joins two columns, "Sent Date|Order Date" takes the first that is filled in.
ORDERS_COLUMNS = None

# A point-of-sale system's item export read as it comes: "square", "toast" or "clover" (--preset);
# None: found from the file's header when ORDERS_COLUMNS is not given.
ORDERS_PRESET = None

# The time zone of the orders file's timestamps that carry no offset (IANA name); None: they are UTC.
# A time the clocks pass twice is its first occurrence; a time they skip is rejected.
ORDERS_TIMEZONE = None

# The layout of the orders file's timestamps when they are not ISO-8601 ("2019-02-18T08:01:00"), as a strptime
# pattern, e.g. "%m/%d/%Y %I:%M %p" for "02/18/2019 08:01 AM"; None: ISO-8601. --time-format overrides it.
ORDERS_TIME_FORMAT = None

# The shared database both services use: a SQLite file (path), or a PostgreSQL server
# ("postgresql://user@host:5432/dbname"). KITCHEN_DB in the environment overrides it.
DATABASE = "db/kitchen.db"

# This kitchen's name. Several kitchens can share one database; the dashboard shows one or all.
# KITCHEN_NAME in the environment (or --kitchen) overrides it.
KITCHEN_NAME = "Kitchen"

# The kitchen's local time zone, for days, meal periods and every time the dashboard shows (IANA name).
# Cook schedules and the sweep's lunch and dinner peaks are local times of this zone, while the orders'
# timestamps are fixed moments (UTC, unless ORDERS_TIMEZONE says otherwise): change the zone and the
# same schedule meets the same orders at other hours. The shipped orders are a Los Angeles day.
# KITCHEN_TIMEZONE in the environment (or --timezone) overrides it.
KITCHEN_TIMEZONE = "America/Los_Angeles"

# How long the simulator waits for a database that is away (a server restarting, a file locked by another
# program) before it stops, its run left 'running' to be resumed (python -m simulator --resume): seconds, 0 or
# more. --db-retry-seconds overrides it.
DB_RETRY_SECONDS = 120

# Labour as money (the plan minimises it; every output that counts cook-hours shows it beside them). A cook's
# wage an hour, in CURRENCY (an ISO 4217 code, which every amount shown names); a layout's role may set its own
# (`wage = 21.0`). SHIFT_COST: what a shift costs beyond its hours. WAGE_PREMIUMS: hours in a window of the
# kitchen's local time paid `times` the wage (the largest where two apply), e.g. nights and weekends:
# [{"from": "22:00", "to": "06:00", "times": 1.25},
#  {"days": ["Sat", "Sun"], "from": "00:00", "to": "24:00", "times": 1.5}]
WAGE_PER_HOUR = 20.0
CURRENCY = "USD"
SHIFT_COST = 0
WAGE_PREMIUMS = None

# The share of sales labour should cost: the live page draws it as a line beside labour cost by day.
LABOUR_COST_TARGET = 0.30
