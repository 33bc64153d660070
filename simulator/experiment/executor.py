"""Executors map trials over the study's replications: `LocalExecutor` on this machine's cores,
`DaskExecutor` on a Dask cluster (`--cluster tcp://HOST:8786`, or DASK_SCHEDULER_ADDRESS).

A study creates one executor with its streams: a list of them, or anything that makes a stream from a key
(study.WeekAhead makes a week's replication from its set and number). Each worker receives it once (the
pool's initializer; on a cluster, scattered to every worker), and then only (key, crew) pairs travel and
small summaries come back. The rest of the study sees one method, `map`, and does not know where
trials run: the summaries are the same wherever they do, since a trial is a pure function of its
stream and crew.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Hashable, Sequence
from typing import Protocol

from tqdm import tqdm

from simulator.experiment.direct import Crew
from simulator.experiment.streams import Stream
from simulator.experiment.trials import run_trial
from simulator.tally import RunSummary

Task = tuple[Hashable, Crew]
"""(the key of the replication's stream among the executor's streams, the crew)"""


class Streams(Protocol):
    def __getitem__(self, key) -> Stream: ...


class Executor(Protocol):
    def map(self, tasks: Sequence[Task], progress: tqdm | None = None) -> list[RunSummary]:
        """The summary of every task, in the order of the tasks."""

    def close(self) -> None: ...


class LocalExecutor:
    """Trials in this process (one worker) or in a pool of local processes."""

    def __init__(self, streams: Streams, workers: int) -> None:
        self.streams = streams
        self.pool = None
        if workers > 1:
            self.pool = multiprocessing.get_context("fork").Pool(
                workers, initializer=_receive, initargs=(self.streams,)
            )
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


class DaskExecutor:
    """Trials on a Dask cluster. Every stream is scattered once to every worker (so a worker lost mid-study
    loses nothing the others lack); the scheduler runs a lost worker's trials again elsewhere."""

    def __init__(self, streams: Streams, address) -> None:
        from distributed import Client  # an optional extra: pip install ".[cluster]"

        self.client = Client(address)
        self.streams = self.client.scatter(streams, broadcast=True, hash=False)

    def map(self, tasks: Sequence[Task], progress: tqdm | None = None) -> list[RunSummary]:
        from distributed import as_completed

        futures = [self.client.submit(_run_on, self.streams, key, crew, retries=2) for key, crew in tasks]
        places: dict[str, list[int]] = {}  # the same trial twice is one future (Dask keys pure calls by their inputs)
        for i, future in enumerate(futures):
            places.setdefault(future.key, []).append(i)
        results: list[RunSummary | None] = [None] * len(futures)
        for future, summary in as_completed(list({f.key: f for f in futures}.values()), with_results=True):
            for i in places[future.key]:
                results[i] = summary
            if progress is not None:
                progress.update(len(places[future.key]))
        return results

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def executor_for(streams: Streams, workers: int, cluster: str | None):
    """A Dask cluster's executor when an address is given, else local processes."""
    return DaskExecutor(streams, cluster) if cluster else LocalExecutor(streams, workers)


_worker_streams: list[Streams] = []  # a worker's own copy, set once by the pool's initializer


def _receive(streams: Streams) -> None:
    _worker_streams[:] = [streams]


def _run(task: Task) -> RunSummary:
    key, crew = task
    return run_trial(_worker_streams[0][key], crew)


def _run_on(streams: Streams, key, crew: Crew) -> RunSummary:
    return run_trial(streams[key], crew)
