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
from collections.abc import Sequence
from multiprocessing.pool import Pool
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from simulator.experiment.streams import Stream
from simulator.experiment.trials import TrialCrew, run_trial
from simulator.tally import RunSummary

if TYPE_CHECKING:
    from dask.typing import Key as DaskKey

Key = TypeVar("Key")
"""What names a replication's stream among the executor's streams: a list's index, WeekAhead's (set, number)."""
Key_contra = TypeVar("Key_contra", contravariant=True)

Task = tuple[Key, TrialCrew]
"""(the key of the replication's stream among the executor's streams, the crew)"""


class Streams(Protocol[Key_contra]):
    """A list of streams, or anything that makes a stream from a key (study.WeekAhead)."""

    def __getitem__(self, key: Key_contra, /) -> Stream: ...


class Progress(Protocol):
    """A progress bar (tqdm's, or a test's): told of every trial done."""

    def update(self, n: int = 1) -> object: ...


class Executor(Protocol[Key_contra]):
    def map(self, tasks: Sequence[Task[Key_contra]], progress: Progress | None = None) -> list[RunSummary]:
        """The summary of every task, in the order of the tasks."""

    def close(self) -> None: ...


class LocalExecutor(Generic[Key]):
    """Trials in this process (one worker) or in a pool of local processes."""

    def __init__(self, streams: Streams[Key], workers: int) -> None:
        self.streams = streams
        self.pool: Pool | None = None
        if workers > 1:
            self.pool = multiprocessing.get_context("fork").Pool(
                workers, initializer=_receive, initargs=(self.streams,)
            )
        self.workers = workers

    def map(self, tasks: Sequence[Task[Key]], progress: Progress | None = None) -> list[RunSummary]:
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

    def __enter__(self) -> LocalExecutor[Key]:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None and self.pool is not None:
            self.pool.terminate()
        self.close()


class DaskExecutor(Generic[Key]):
    """Trials on a Dask cluster. Every stream is scattered once to every worker (so a worker lost mid-study
    loses nothing the others lack); the scheduler runs a lost worker's trials again elsewhere."""

    def __init__(self, streams: Streams[Key], address: str) -> None:
        from distributed import Client  # an optional extra: pip install ".[cluster]"

        self.client = Client(address)
        self.streams = self.client.scatter(streams, broadcast=True, hash=False)

    def map(self, tasks: Sequence[Task[Key]], progress: Progress | None = None) -> list[RunSummary]:
        from distributed import as_completed

        futures = [self.client.submit(_run_on, self.streams, key, crew, retries=2) for key, crew in tasks]
        places: dict[DaskKey, list[int]] = {}  # the same trial twice is one future (Dask keys pure calls by inputs)
        for i, future in enumerate(futures):
            places.setdefault(future.key, []).append(i)
        results: dict[int, RunSummary] = {}  # by the task's place
        for future, summary in as_completed(list({f.key: f for f in futures}.values()), with_results=True):
            for i in places[future.key]:
                results[i] = summary
            if progress is not None:
                progress.update(len(places[future.key]))
        return [results[i] for i in range(len(futures))]

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> DaskExecutor[Key]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def executor_for(streams: Streams[Key], workers: int, cluster: str | None) -> LocalExecutor[Key] | DaskExecutor[Key]:
    """A Dask cluster's executor when an address is given, else local processes."""
    return DaskExecutor(streams, cluster) if cluster else LocalExecutor(streams, workers)


_worker_streams: list[Streams[Any]] = []  # a worker's own copy, set once by the pool's initializer: whichever
# streams the study made, keyed as they are (the tasks that reach the worker come with keys of that kind)


def _receive(streams: Streams[Any]) -> None:
    _worker_streams[:] = [streams]


def _run(task: Task[Any]) -> RunSummary:
    key, crew = task
    return run_trial(_worker_streams[0][key], crew)


def _run_on(streams: Streams[Key], key: Key, crew: TrialCrew) -> RunSummary:
    return run_trial(streams[key], crew)
