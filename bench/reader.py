"""`python -m bench.reader DB MARKER INTERVAL NICENESS`: refresh the dashboard in a loop while MARKER exists.

Prints 'ready' once loaded, and 'refreshes errors' at the end. A database not written yet is waited for,
not counted.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bench.dashboard_bench import full_refresh
from common.database import DatabaseUnavailable


def main() -> None:
    db, marker, interval = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
    os.nice(int(sys.argv[4]))
    print("ready", flush=True)
    refreshes = errors = 0
    while marker.exists():
        try:
            full_refresh(db)
            refreshes += 1
        except DatabaseUnavailable as why:
            if "locked" in str(why) or "busy" in str(why):  # what readers must never see
                errors += 1
                print(f"reader error: {why}", file=sys.stderr)
            time.sleep(0.01)  # otherwise: no database, or no tables yet
        except IndexError:  # no run yet
            time.sleep(0.01)
        time.sleep(interval)
    print(refreshes, errors)


if __name__ == "__main__":
    main()
