"""One trial: one crew option on one replication, computed directly. A pure function of its arguments,
so that it gives the same summary wherever it runs: in this process, a local worker or a cluster."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from simulator.experiment import direct, direct_layout
from simulator.experiment.direct import Crew
from simulator.experiment.streams import Stream
from simulator.stations.layout import LaidOut
from simulator.tally import RunSummary

TrialCrew = Crew | LaidOut
"""What a trial runs: a fixed crew or a cook schedule in one pool, or a laid-out kitchen with its roles' crews."""


@dataclass(frozen=True)
class Option:
    """A way to staff the kitchen that a study compares with others."""

    name: str
    crew: TrialCrew
    kind: str
    """'fixed', 'schedule' (two-level), 'yours' (COOK_SCHEDULE, or a layout's own crews), 'roster', ..."""


def run_trial(stream: Stream, crew: TrialCrew) -> RunSummary:
    """The kitchen with this crew over this stream, in virtual time, with no database. A laid-out crew's step
    times are drawn from its seed and the replication's name: every option tried on a replication gets the same
    times (common random numbers), and each replication its own."""
    if isinstance(crew, LaidOut):
        return direct_layout.run(stream, crew.layout, crew.seed * 1_000_003 + zlib.crc32(stream.name.encode()))
    return direct.run(stream, crew)
