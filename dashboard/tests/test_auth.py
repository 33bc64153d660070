"""The optional login, and the one warning when the dashboard is open to the network without one."""

from __future__ import annotations

import base64
import sys

import pytest
from werkzeug.security import generate_password_hash

from dashboard import gunicorn_conf
from dashboard.app import create_app
from dashboard.auth import UsersError, listener_host, users_from, warning
from tests.processes import free_port, running, wait_for_http


def basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


@pytest.fixture
def client(tmp_path):
    users = users_from({"DASHBOARD_USERS": f"ana:plain secret,raj:{generate_password_hash('s3cret:with colon')}"})
    return create_app(tmp_path / "k.db", 5, "UTC", users).server.test_client()


def test_without_a_login_every_page_is_refused_but_health(client):
    for path in ("/", "/_dash-layout", "/_dash-update-component"):
        response = client.get(path)
        assert response.status_code == 401 and 'Basic realm="Kitchen Simulator"' in response.headers["WWW-Authenticate"]
    assert client.get("/health").status_code == 200


@pytest.mark.parametrize(
    "name, password, status",
    [
        ("ana", "plain secret", 200),
        ("raj", "s3cret:with colon", 200),  # a plain password, and a hashed one
        ("ana", "plain secreT", 401),
        ("raj", "pbkdf2", 401),
        ("nobody", "plain secret", 401),
        ("ana", "", 401),
    ],
)
def test_a_login(client, name, password, status):
    assert client.get("/", headers=basic(name, password)).status_code == status


def test_no_users_no_login(tmp_path):
    assert create_app(tmp_path / "k.db", 5, "UTC", users_from({})).server.test_client().get("/").status_code == 200


def test_users_from_a_file_and_bad_entries(tmp_path):
    path = tmp_path / "users"
    path.write_text("# who may look\nana:one\n\nbo:two\n")
    assert users_from({"DASHBOARD_USERS_FILE": str(path)}) == {"ana": "one", "bo": "two"}
    with pytest.raises(UsersError, match="DASHBOARD_USERS, entry 2: expected name:password, got 'bo'"):
        users_from({"DASHBOARD_USERS": "ana:one,bo"})
    with pytest.raises(UsersError, match="DASHBOARD_USERS_FILE: cannot read .*nowhere"):
        users_from({"DASHBOARD_USERS_FILE": str(tmp_path / "nowhere")})


@pytest.mark.parametrize(
    "host, users, warned",
    [
        ("127.0.0.1", {}, False),
        ("::1", {}, False),
        ("localhost", {}, False),
        ("0.0.0.0", {}, True),
        ("", {}, True),
        ("192.168.1.20", {}, True),
        ("0.0.0.0", {"ana": "x"}, False),
    ],
)
def test_the_warning(host, users, warned):
    assert (warning(host, users) is not None) == warned


@pytest.mark.parametrize(
    "listener, warned",
    [
        ("127.0.0.1:8050", False),
        ("http://127.0.0.1:8050", False),  # gunicorn's names, before 23 and since
        ("[::1]:8050", False),
        ("http://[::1]:8050", False),
        ("unix:/run/dashboard.sock", False),
        ("0.0.0.0:8050", True),
        ("http://0.0.0.0:8050", True),
        ("http://192.168.1.20:8050", True),
    ],
)
def test_gunicorn_warns_only_for_a_listener_beyond_this_machine(listener, warned, monkeypatch, capsys):
    monkeypatch.delenv("DASHBOARD_PUBLISHED", raising=False)
    monkeypatch.delenv("DASHBOARD_USERS", raising=False)
    monkeypatch.delenv("DASHBOARD_USERS_FILE", raising=False)

    class Server:
        LISTENERS = [listener]

    gunicorn_conf.when_ready(Server)
    printed = capsys.readouterr().err
    assert ("with no login" in printed) == warned, printed
    if warned:
        assert f"listening on {listener_host(listener)} with no login" in printed and "http://" not in printed


@pytest.mark.e2e
def test_the_process_warns_once_when_open_to_the_network_without_a_login(tmp_path):
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "dashboard",
        "--db",
        str(tmp_path / "k.db"),
        "--port",
        str(port),
        "--host",
        "0.0.0.0",
    ]
    with running(command, tmp_path / "dashboard.log") as process:
        wait_for_http(f"http://127.0.0.1:{port}/health", process)
    log = (tmp_path / "dashboard.log").read_text()
    assert log.count("warning: listening on 0.0.0.0 with no login") == 1
