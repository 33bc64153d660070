"""One trial: one crew option on one replication, computed directly. A pure function of its arguments,
so that it gives the same summary wherever it runs: in this process, a local worker or a cluster."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.experiment import direct
from simulator.experiment.direct import Crew
from simulator.experiment.streams import Stream
from simulator.tally import RunSummary


@dataclass(frozen=True)
class Option:
    """A way to staff the kitchen that a study compares with others."""

    name: str
    crew: Crew
    kind: str
    """'fixed', 'schedule' (two-level), 'yours' (COOK_SCHEDULE), 'roster', ..."""


def run_trial(stream: Stream, crew: Crew) -> RunSummary:
    """The kitchen with this crew over this stream, in virtual time, with no database."""
    return direct.run(stream, crew)
