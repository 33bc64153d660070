"""The containers are safe by default: the dashboard published on loopback only, PostgreSQL behind
passwords with a writer and a read-only role, one shared image base, one healthcheck definition."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
import yaml
from psycopg import sql

from common.database import connect_readonly, connect_writer
from common.settings import PROJECT_ROOT
from tests.databases import POSTGRES


def compose(name: str) -> dict:
    return yaml.safe_load((PROJECT_ROOT / name).read_text())


def default_of(value: str) -> str:
    """A compose value with its ${VAR:-default}s replaced by their defaults, as when nothing is set."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_the_dashboard_is_published_on_loopback_unless_told_otherwise():
    [port] = compose("docker-compose.yml")["services"]["dashboard"]["ports"]
    assert default_of(port) == "127.0.0.1:8050:8050"
    assert "DASHBOARD_ADDRESS" in port  # ... and an address can be given, with DASHBOARD_USERS for a login
    assert "DASHBOARD_USERS" in compose("docker-compose.yml")["services"]["dashboard"]["environment"]


def test_postgres_needs_passwords_and_trusts_nobody_on_the_network():
    stack = compose("docker-compose.postgres.yml")
    postgres = stack["services"]["postgres"]["environment"]
    for variable in ("KITCHEN_DB_PASSWORD", "KITCHEN_DB_READER_PASSWORD"):
        assert re.fullmatch(rf"\$\{{{variable}:\?set {variable}.*\.env beside the compose files\}}", postgres[variable])
    assert stack["services"]["simulator"]["environment"]["KITCHEN_DB"].startswith("postgresql://kitchen_writer@")
    assert stack["services"]["dashboard"]["environment"]["KITCHEN_DB"].startswith("postgresql://kitchen_reader@")
    start = (PROJECT_ROOT / "postgres" / "start.sh").read_text()
    assert (
        "trust" not in start
        and "--auth-host=scram-sha-256" in start
        and "host all all 0.0.0.0/0 scram-sha-256" in start
    )
    assert ".env" in (PROJECT_ROOT / ".gitignore").read_text().split()


def test_one_image_base_and_one_healthcheck():
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+) AS (\S+)$", dockerfile, flags=re.M)
    names = [name for _, name in stages]
    assert stages[0] == ("python:3.11-slim", "base")  # every other stage grows from the one base
    assert all(image in names[:i] for i, (image, _) in enumerate(stages) if i), stages
    assert dockerfile.count("pip install -r /tmp/requirements.txt") == 1
    assert dockerfile.count("HEALTHCHECK") == 1
    for name in ("docker-compose.yml", "docker-compose.postgres.yml", "docker-compose.test.yml"):
        for service in compose(name)["services"].values():
            assert "healthcheck" not in service
            assert service.get("build", {}).get("dockerfile", "Dockerfile") in ("Dockerfile", "postgres/Dockerfile")
    assert (
        not (PROJECT_ROOT / "simulator" / "Dockerfile").exists()
        and not (PROJECT_ROOT / "dashboard" / "Dockerfile").exists()
    )


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_compose_itself_refuses_the_postgres_stack_without_passwords(tmp_path):
    command = [
        "docker-compose",
        "--project-directory",
        str(PROJECT_ROOT),
        "-f",
        str(PROJECT_ROOT / "docker-compose.yml"),
        "-f",
        str(PROJECT_ROOT / "docker-compose.postgres.yml"),
        "config",
    ]
    refused = subprocess.run(command, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert refused.returncode != 0 and "set KITCHEN_DB_PASSWORD" in refused.stderr
    accepted = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "KITCHEN_DB_PASSWORD": "w", "KITCHEN_DB_READER_PASSWORD": "r"},
    )
    assert accepted.returncode == 0, accepted.stderr
    assert "127.0.0.1:8050:8050" in accepted.stdout


@pytest.mark.skipif(not POSTGRES, reason="needs a PostgreSQL server")
def test_the_dashboards_role_can_read_what_the_simulators_role_writes_and_nothing_more():
    suffix = uuid.uuid4().hex[:8]
    database, writer, reader = f"kitchen_{suffix}", f"writer_{suffix}", f"reader_{suffix}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    target = re.sub(r"/[^/?]*(\?|$)", f"/{database}\\1", POSTGRES, count=1)
    try:
        subprocess.run(
            [
                "psql",
                target,
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-v",
                f"database={database}",
                "-v",
                f"writer={writer}",
                "-v",
                f"reader={reader}",
                "-v",
                "writer_password=w",
                "-v",
                "reader_password=r",
                "-f",
                str(PROJECT_ROOT / "postgres" / "roles.sql"),
            ],
            check=True,
            capture_output=True,
        )
        with psycopg.connect(target, autocommit=True) as admin:
            admin.execute(
                sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), sql.Identifier(writer))
            )
        as_writer = re.sub(r"//[^@/]*@", f"//{writer}:w@", target)
        as_reader = re.sub(r"//[^@/]*@", f"//{reader}:r@", target)
        connect_writer(as_writer).close()  # the simulators create the schema
        session = connect_readonly(as_reader)
        try:
            assert session.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)
        finally:
            session.close()
        with psycopg.connect(as_reader, autocommit=True) as dashboard:
            for statement in (
                "INSERT INTO schema_version VALUES (99)",
                "CREATE TABLE mine (x INT)",
                "SET default_transaction_read_only = off; DELETE FROM runs",
            ):
                with pytest.raises(psycopg.Error):
                    dashboard.execute(statement)
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database)))
            for role in (reader, writer):
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_the_planner_writes_the_hosts_folder_as_the_folders_owner():
    planner = compose("docker-compose.yml")["services"]["planner"]
    out = planner["command"][planner["command"].index("--out") + 1]
    assert any(volume.endswith(":" + out) for volume in planner["volumes"])
    assert planner["user"] == "root" and planner["entrypoint"] == ["run-as-owner", out]
    assert "COPY scripts/run-as-owner.sh /usr/local/bin/run-as-owner" in (PROJECT_ROOT / "Dockerfile").read_text()


@pytest.mark.skipif(
    shutil.which("setpriv") is None or not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="needs root and setpriv to take another user's identity",
)
def test_run_as_owner_runs_the_command_as_the_folders_owner_and_passes_its_status():
    with tempfile.TemporaryDirectory() as where:  # pytest's own folders are root's alone: another user cannot enter
        os.chmod(where, 0o755)
        check_run_as_owner(Path(where) / "plan")


def check_run_as_owner(folder: Path) -> None:
    folder.mkdir()
    os.chown(folder, 4321, 4322)
    script = str(PROJECT_ROOT / "scripts" / "run-as-owner.sh")
    wrote = subprocess.run(
        [script, str(folder), "sh", "-c", f"id -u; touch {folder}/cook_schedule.json"], capture_output=True, text=True
    )
    assert wrote.returncode == 0, wrote.stderr
    assert wrote.stdout.split() == ["4321"]
    made = (folder / "cook_schedule.json").stat()
    assert (made.st_uid, made.st_gid) == (4321, 4322)
    assert subprocess.run([script, str(folder), "sh", "-c", "exit 3"]).returncode == 3


@pytest.mark.skipif(
    shutil.which("docker") is None or subprocess.run(["docker", "info"], capture_output=True).returncode,
    reason="needs Docker",
)
def test_the_planner_container_writes_a_folder_its_image_user_does_not_own(tmp_path):
    """As the README's Linux user does: a ./plan folder of the host user's, the planner's image run on it."""
    built = subprocess.run(
        ["docker", "build", "-q", "--target", "cluster", "-t", "kitchen-cluster-test", "."],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    folder = tmp_path / "plan"
    folder.mkdir()
    os.chown(folder, 4321, 4321)
    run = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "--user",
            "root",
            "--entrypoint",
            "run-as-owner",
            "-v",
            f"{folder}:/app/plan",
            "kitchen-cluster-test",
            "/app/plan",
            "python",
            "-c",
            "open('/app/plan/cook_schedule.json', 'w').write('{}')",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert (folder / "cook_schedule.json").stat().st_uid == 4321
