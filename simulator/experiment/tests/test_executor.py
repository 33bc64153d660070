"""The same trials give the same summaries in this process, in local processes and on a Dask cluster, even
when a cluster's worker is killed in the middle of a study."""

from __future__ import annotations

import csv
import os
import signal

import pytest

from common.schedule import CookSchedule
from simulator import sweep
from simulator.experiment.executor import DaskExecutor, LocalExecutor
from simulator.experiment.study import past_days, read_history
from simulator.menu import load_menu
from tests import other_kitchen
from tests.parameters import write_parameters

distributed = pytest.importorskip("distributed", reason="the [cluster] extra")


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cluster")
    menu, orders = other_kitchen.write(folder, days=3)
    made = past_days(read_history(orders, load_menu(menu), other_kitchen.ZONE, 30), 3, seed=4)
    schedule = CookSchedule.parse({"00:00": 10, "12:00": 60, "18:00": 80, "23:00": 20}, other_kitchen.ZONE)
    tasks = [(r, crew) for crew in (40, 55, 70, schedule) for r in range(len(made.streams))] * 4
    return folder, menu, orders, made, tasks


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as running:
        yield running


def comparable(summaries) -> list:
    return [
        (
            s.fulfillment.counts,
            s.cells.cells.tolist(),
            s.cells.p90.tolist(),
            s.cells.longest.tolist(),
            s.max_queue,
            s.busy_seconds,
            s.on_shift_seconds,
        )
        for s in summaries
    ]


@pytest.mark.e2e
def test_local_processes_and_a_cluster_give_the_same_summaries(study, cluster):
    _, _, _, made, tasks = study
    with LocalExecutor(made.streams, 1) as here:
        expected = comparable(here.map(tasks))
    with LocalExecutor(made.streams, 2) as local:
        assert comparable(local.map(tasks)) == expected
    with DaskExecutor(made.streams, cluster.scheduler_address) as dask:
        assert comparable(dask.map(tasks)) == expected


class KillAWorker:
    """A progress bar that kills one of the cluster's workers (SIGKILL) once a few trials are done."""

    def __init__(self, client, after: int) -> None:
        self.client, self.after, self.done, self.killed = client, after, 0, None

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.killed is None and self.done >= self.after:
            address, pid = sorted(self.client.run(os.getpid).items())[0]
            os.kill(pid, signal.SIGKILL)
            self.killed = address


@pytest.mark.e2e
def test_a_worker_killed_mid_study_loses_nothing(study, cluster):
    _, _, _, made, tasks = study
    with LocalExecutor(made.streams, 1) as here:
        expected = comparable(here.map(tasks))
    with DaskExecutor(made.streams, cluster.scheduler_address) as dask:
        progress = KillAWorker(dask.client, after=5)
        summaries = dask.map(tasks, progress)
    assert progress.killed is not None and progress.done == len(tasks)
    assert comparable(summaries) == expected


@pytest.mark.e2e
def test_the_sweep_on_a_cluster_writes_the_same_csv_and_verdict(study, cluster, tmp_path, monkeypatch, capsys):
    _, menu, orders, _, _ = study
    monkeypatch.setenv(
        "KITCHEN_PARAMETERS", str(write_parameters(tmp_path / "parameters.py", KITCHEN_TIMEZONE=other_kitchen.ZONE))
    )
    outputs = {}
    for where, flags in (("local", ["--workers", "2"]), ("cluster", ["--cluster", cluster.scheduler_address])):
        out = tmp_path / where
        assert (
            sweep.main(
                [
                    "--orders",
                    str(orders),
                    "--menu",
                    str(menu),
                    "--cooks",
                    "40:80:20",
                    "--replications",
                    "3",
                    "--out",
                    str(out),
                    "--no-progress",
                    *flags,
                ]
            )
            == 0
        )
        printed = capsys.readouterr().out
        outputs[where] = (
            list(csv.reader((out / "sweep.csv").read_text().splitlines())),
            [line for line in printed.splitlines() if line.startswith(("Smallest", "Cheapest"))],
        )
    assert outputs["cluster"] == outputs["local"]
    assert len(outputs["local"][0]) == 1 + 3 + 3 and len(outputs["local"][1]) == 4
