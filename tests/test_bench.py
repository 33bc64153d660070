"""A smoke run of the benchmark runner: every benchmark runs end to end on tiny inputs.

Timings are not checked here (that is what `make bench` and bench/RESULTS.md are for); only that each
benchmark produces its rows, with the numbers it promises.
"""

import re
import subprocess
import sys

import pytest

from bench import __main__ as runner
from common.command_line import Parser
from common.tests.test_command_line import flags_without_help_or_default


def test_its_flags_are_read_as_every_commands_are():
    parser = runner.parser()
    assert isinstance(parser, Parser) and flags_without_help_or_default(parser) == []
    result = subprocess.run([sys.executable, "-m", "bench", "--qick"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (
        "python -m bench: error: unrecognized arguments: --qick; did you mean --quick? (see python -m bench --help)\n"
    )


@pytest.mark.e2e
def test_the_runner_produces_every_benchmark(tmp_path):
    output = tmp_path / "RESULTS.md"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "all", "--quick", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = output.read_text()
    assert text.startswith("# Benchmark results")
    rows = [
        line for line in text.splitlines() if line.startswith("| ") and not line.startswith(("| benchmark", "| ---"))
    ]
    names = [row.split(" | ")[0].strip("| ") for row in rows]
    assert names.count("simulator against the textbook SimPy model (--speed max)") == 2
    assert names.count("simulator with PostgreSQL (--speed max)") == 1
    assert names.count("dashboard refresh over HTTP") == 2  # SQLite and PostgreSQL
    assert names.count("dashboard under load") == 2
    assert names.count("compare page refresh over HTTP") == 2  # a new selection, and the same again
    assert names.count("simulator peak memory") == 2
    assert names.count("input formats (--speed max)") == 6  # each format at the small size; no growth to show
    assert names.count("dashboard full refresh") == 2
    assert names.count("laid-out kitchen (--speed max)") == 1
    assert names.count("simulator without a layout, beside the textbook model (--speed max)") == 1
    assert names.count("trial model, laid-out kitchen (virtual time)") == 1
    assert names.count("dashboard full refresh, laid-out run") == 1
    assert names.count("real-time lag") == 2
    assert names.count("stop on a signal") == 2
    assert names.count("outage") == 1
    assert names.count("writer vs readers") == 3
    assert names.count("trial model, fixed crew (virtual time)") == 2
    assert names.count("trial model, cook schedule (virtual time)") == 2
    assert names.count("staffing plan") == 4
    assert names.count("plan on weeks it never saw") == 7
    assert names.count("plan speed") == 1  # one small history; five weeks and a year in a full run
    assert names.count("sweep on a Dask cluster") == 1
    assert all(re.search(r"\d", row.split(" | ")[2]) for row in rows)  # every row measured something
    assert re.search(r"\| 0 reader errors|, 0 reader errors", text)
