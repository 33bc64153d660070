"""Executors map trials over the study's replications. `LocalExecutor` uses this machine's cores.

A study creates one executor with all its streams; each worker receives them once, through the pool's
initializer, and then only (replication, crew) pairs travel to it and small summaries come back. The
rest of the study sees one method, `map`, and does not know where trials run.
"""

from __future__ import annotations

import multiprocessing
from typing import Protocol, Sequence

from tqdm import tqdm

from simulator.experiment.direct import Crew
from simulator.experiment.streams import Stream
from simulator.experiment.trials import run_trial
from simulator.tally import RunSummary

Task = tuple[int, Crew]
"""(index of the replication's stream, the crew)"""


class Executor(Protocol):
    def map(self, tasks: Sequence[Task], progress: tqdm | None = None) -> list[RunSummary]:
        """The summary of every task, in the order of the tasks."""

    def close(self) -> None: ...


class LocalExecutor:
    """Trials in this process (one worker) or in a pool of local processes."""

    def __init__(self, streams: Sequence[Stream], workers: int) -> None:
        self.streams = list(streams)
        self.pool = None
        if workers > 1:
            self.pool = multiprocessing.get_context("fork").Pool(workers, initializer=_receive, initargs=(self.streams,))
        self.workers = workers

    def map(self, tasks: Sequence[Task], progress: tqdm | None = None) -> list[RunSummary]:
        if self.pool is None:
            results = []
            for stream, crew in tasks:
                results.append(run_trial(self.streams[stream], crew))
                if progress is not None:
                    progress.update()
            return results
        results = []
        for summary in self.pool.imap(_run, tasks, chunksize=max(1, len(tasks) // (8 * self.workers))):
            results.append(summary)
            if progress is not None:
                progress.update()
        return results

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None and self.pool is not None:
            self.pool.terminate()
        self.close()


_worker_streams: list[Stream] = []  # a worker's own copy, set once by the pool's initializer


def _receive(streams: list[Stream]) -> None:
    _worker_streams[:] = streams


def _run(task: Task) -> RunSummary:
    stream, crew = task
    return run_trial(_worker_streams[stream], crew)
