"""`python -m simulator.calibrate`: a kitchen layout's cook times from a kitchen display export, and a replay of
the period it came from that says how far to trust them.

From item-level rows (order, item, station, fired, started and done times; columns mapped with --columns, or
Toast's KitchenTimings.csv with --preset toast) and the crew that worked that period (--crew: a layout file
without routes), it writes a layout (--out) with a route for every dish, each step's time fitted (a median and
p90, or samples), and the packing's time. Then it replays the export's own orders through that layout and crew
and prints, per station, the p50 and p90 of the time there (fired to done), recorded and replayed. How the times
are fitted: simulator/stations/calibration.py.

Exit status: 0 when every station replays within --tolerance, 1 when one does not (the layout is written all the
same), 2 for input that cannot be calibrated from.
"""

from __future__ import annotations

import json
import sys

from common.settings import settings_or_exit
from simulator import cli
from simulator.requests import CalibrateRequest


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit("simulator.calibrate")
    return calibrate(cli.calibrate_request(argv, settings, __doc__))


def calibrate(request: CalibrateRequest) -> int:
    from simulator.stations.calibration import CalibrationError, fit_layout, read_items, replay
    from simulator.stations.layout import LayoutError, read_tables

    try:
        rows = read_items(request.items, request.zone, request.preset, request.columns)
        tables = fit_layout(rows, read_tables(request.crew), request.zone, request.fit)
        fits = replay(rows, tables, request.zone, request.seed)
    except (CalibrationError, LayoutError) as error:
        print(f"simulator.calibrate: {error}", file=sys.stderr)
        return 2
    try:
        request.out.write_text(json.dumps(tables, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as error:
        print(f"simulator.calibrate: cannot write {request.out}: {error.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {request.out}: {len(tables['routes'])} dishes routed over {len(tables['stations'])} stations")
    print(f"the export's {rows['order_id'].nunique():,} orders replayed with the crew of {request.crew}:")
    print(f"  {'station':<16}{'rows':>8}  {'p50 recorded':>13}{'replayed':>10}  {'p90 recorded':>13}{'replayed':>10}")
    for fit in fits:
        mark = "" if fit.off() <= request.tolerance else f"  off by {fit.off():.0%}"
        print(
            f"  {fit.station:<16}{fit.rows:>8,}  {_minutes(fit.recorded[0]):>13}{_minutes(fit.simulated[0]):>10}"
            f"  {_minutes(fit.recorded[1]):>13}{_minutes(fit.simulated[1]):>10}{mark}"
        )
    missed = [fit.station for fit in fits if fit.off() > request.tolerance]
    if missed:
        print(
            f"{', '.join(missed)}: replayed more than {request.tolerance:.0%} from the record; check the crew file"
            " (who worked, and when) and the export's period"
        )
        return 1
    print(f"every station within {request.tolerance:.0%} of the record (p50 and p90)")
    return 0


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02}"


if __name__ == "__main__":
    sys.exit(main())
