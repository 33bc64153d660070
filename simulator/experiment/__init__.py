"""The experiment layer: what-if studies of the kitchen, in virtual time, from the user's own orders.

    orders file ─► streams.py (the file as a Stream) ─┐
                   demand.py (replications made from  ├─► trials.py (one pure function: a stream and a
                   the file alone, seeded)            ┘    crew in, a RunSummary out; direct.py computes it)
                                                            │  executor.py maps it over local processes
                                                            ▼
                       staffing.py (the cooks needed per interval), roster.py (shifts that cover them),
                       options.py (fixed crews, two-level schedules) ─► report.py (tables, CSV, charts)

Every option compared sees the same replications (common random numbers); the report reads only
summaries, never re-running anything. `python -m simulator.sweep` and `python -m simulator.plan` are the
two commands built on it.
"""
