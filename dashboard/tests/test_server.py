"""The real dashboard process: production mode, no debug pages, loopback only unless told otherwise."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.processes import free_port, running, wait_for_http


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP socket listens on at `port`, from /proc/net/tcp (hex, little-endian)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if int(hex_port, 16) == port and state == "0A":  # LISTEN
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


@pytest.fixture
def serve(tmp_path):
    def start(*extra: str):
        port = free_port()
        command = [sys.executable, "-m", "dashboard", "--db", str(tmp_path / "k.db"), "--port", str(port), *extra]
        return port, running(command, tmp_path / "dashboard.log")

    return start


@pytest.mark.e2e
def test_natively_it_listens_on_loopback_only_and_shows_no_debug_tools(serve):
    port, server = serve()
    with server as process:
        wait_for_http(f"http://127.0.0.1:{port}/health", process)
        assert listening_addresses(port) == {"127.0.0.1"}
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
        config = json.loads(page.split('<script id="_dash-config" type="application/json">')[1].split("</script>")[0])
        assert config["ui"] is False and config["props_check"] is False  # no dev tools in the page

        broken = urllib.request.Request(
            f"http://127.0.0.1:{port}/_dash-update-component",
            data=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(broken, timeout=5)
        body = error.value.read().decode()
        assert error.value.code in (400, 500)
        assert "Traceback" not in body and "Werkzeug Debugger" not in body and "console" not in body.lower()


@pytest.mark.e2e
def test_it_listens_on_every_interface_only_when_told(serve):
    port, server = serve("--host", "0.0.0.0")
    with server as process:
        wait_for_http(f"http://127.0.0.1:{port}/health", process)
        assert listening_addresses(port) == {"0.0.0.0"}


@pytest.mark.e2e
def test_it_says_its_url_once_and_nothing_per_request_and_ctrl_c_stops_it_at_once(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--db", str(tmp_path / "k.db"), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", process)
        for _ in range(5):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the server and its workers at once
        asked = time.monotonic()
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert time.monotonic() - asked < 10  # no worker left waiting for the master's 30 s timeout
    assert output.splitlines() == [f"Dashboard on http://localhost:{port} reading {tmp_path / 'k.db'}"]


@pytest.mark.e2e
def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "dashboard", "--db", str(tmp_path / "k.db"), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert (
        result.stderr == f"dashboard: port {port} is already in use on 127.0.0.1; choose another: --port {port + 1}\n"
    )
