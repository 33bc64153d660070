"""`make unittest` runs each service's tests in the test image (docker-compose.test.yml), which CI cannot build.
This holds, without Docker, that every test module those commands collect imports only packages of the
project that the image copies: a test that imports bench/ or tools/ would stop the container at collection."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def copied_into_the_test_image() -> set[str]:
    """The project folders and files the test stage has: its own COPY lines and those of the base stage."""
    stages, current = {}, None
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        start = re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?", line, re.IGNORECASE)
        if start:
            current = start.group(2) or start.group(1)
            stages[current] = {"from": start.group(1), "copies": set()}
        elif line.startswith("COPY") and current:
            stages[current]["copies"] |= {Path(p).name.removesuffix(".py") for p in line.split()[1:-1]}
    copied, stage = set(), "test"
    while stage in stages:
        copied |= stages[stage]["copies"]
        stage = stages[stage]["from"]
    return copied


def collected_by_make_unittest() -> list[Path]:
    compose = yaml.safe_load((ROOT / "docker-compose.test.yml").read_text())
    paths = [arg for service in compose["services"].values() for arg in service["command"] if (ROOT / arg).is_dir()]
    assert paths, "docker-compose.test.yml names no test folder"
    return sorted({module for path in paths for module in (ROOT / path).rglob("*.py")})


def project_imports(module: Path) -> set[str]:
    """The top-level names a module imports that are folders or modules of this project."""
    names = set()
    for node in ast.walk(ast.parse(module.read_text(), str(module))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {name for name in names if (ROOT / name).is_dir() or (ROOT / f"{name}.py").is_file()}


def test_every_test_make_unittest_collects_imports_only_what_the_test_image_copies():
    copied = copied_into_the_test_image()
    assert {"common", "simulator", "dashboard", "tests", "conftest"} <= copied
    missing = {
        str(module.relative_to(ROOT)): sorted(project_imports(module) - copied)
        for module in collected_by_make_unittest() + [ROOT / "conftest.py"]
    }
    assert {module: names for module, names in missing.items() if names} == {}


def test_the_check_sees_a_test_that_imports_what_the_image_lacks(tmp_path):
    module = tmp_path / "test_x.py"
    module.write_text("from bench import contention_bench\nimport simulator.plan\n")
    assert project_imports(module) - copied_into_the_test_image() == {"bench"}
