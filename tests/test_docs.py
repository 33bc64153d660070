"""The documentation: the README stays a front door, the site's navigation and the README's links hold, the
tutorial's first commands work as written, and the site builds with `mkdocs build --strict`, its reference
pages generated from the code."""

from __future__ import annotations

import html
import importlib.util
import os
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from common.settings import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"
README_LIMIT = 8 * 1024  # bytes: what a newcomer reads in the first five minutes
HELPED = [
    "simulator",
    "simulator.check",
    "simulator.plan",
    "simulator.sweep",
    "simulator.generate",
    "simulator.calibrate",
    "dashboard",
    "dashboard.passwords",
    "bench",
    "common.commands",
]


def nav_pages(entries) -> list[str]:
    """The pages of mkdocs.yml's nav, in order: it nests lists of {title: page or list}."""
    pages = []
    for entry in entries:
        for value in entry.values() if isinstance(entry, dict) else [entry]:
            pages += nav_pages(value) if isinstance(value, list) else [value]
    return pages


def config() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def test_the_readme_is_a_front_door_under_8_kb():
    size = len((PROJECT_ROOT / "README.md").read_bytes())
    assert size < README_LIMIT, f"README.md is {size:,} bytes: move what is not for the first five minutes to docs/"


def test_every_page_in_the_nav_exists_and_every_page_is_in_the_nav():
    pages = nav_pages(config()["nav"])
    assert [page for page in pages if not (DOCS / page).is_file()] == []
    assert len(pages) == len(set(pages))
    written = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert sorted(written - set(pages)) == [], "pages that no one can reach from the nav"
    for section in ("Tutorial", "How-to guides", "Reference", "Explanation"):
        assert any(section in entry for entry in config()["nav"] if isinstance(entry, dict))


def test_every_link_of_the_readme_into_the_project_exists():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    targets = [t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)\)", readme) if not t.startswith(("http", "#"))]
    assert "docs/tutorial/index.md" in targets and "images/dashboard.png" in targets
    assert [t for t in targets if not (PROJECT_ROOT / t).exists()] == []


def tutorial_commands() -> list[list[str]]:
    """The tutorial's commands, in order, as they are written in its `sh` blocks."""
    text = (DOCS / "tutorial" / "index.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    lines = [line for block in blocks for line in block.replace("\\\n", " ").splitlines()]  # continuations joined
    return [shlex.split(line) for line in lines if line.startswith("python ")]


def test_the_tutorials_export_is_made_and_checks_clean_with_the_flags_it_gives(tmp_path):
    """Its steps 1 and 2, run as written (the plan, step 3, takes minutes: the studies' own tests cover it)."""
    commands = tutorial_commands()
    steps = [
        c
        for c in commands
        if c[1:3] in (["-m", "simulator.generate"], ["-m", "simulator.check"]) or c[1] == "docs/tutorial/pos_export.py"
    ]
    assert [c[1 if c[1] != "-m" else 2] for c in steps] == [
        "simulator.generate",
        "docs/tutorial/pos_export.py",
        "simulator.check",
    ]
    assert any(c[1:3] == ["-m", "simulator.plan"] and "--orders-timezone" in c for c in commands)
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    for command in steps:
        command = [sys.executable] + [
            str(PROJECT_ROOT / word) if word.startswith("docs/") else word for word in command[1:]
        ]
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=environment, timeout=300)
        assert done.returncode == 0, f"{shlex.join(command)}:\n{done.stdout}{done.stderr}"
    assert "rejected: none" in done.stdout and "CST to" in done.stdout  # every order taken, shown in Chicago's time
    by_hour = {
        int(hour): int(count.replace(",", ""))
        for hour, count in re.findall(r"^ {4}(\d\d) \S* *([\d,]+)$", done.stdout, re.MULTILINE)
    }
    assert len(by_hour) == 24 and 11 <= max(by_hour, key=by_hour.get) <= 20  # lunch or dinner: the zones read right


def test_the_site_builds_strictly_with_its_reference_generated_from_the_code(tmp_path):
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        if os.environ.get("CI"):
            pytest.fail("MkDocs or its Material theme is missing in CI: make test installs the docs extra")
        pytest.skip("MkDocs is not installed: pip install '.[docs]' (make test installs it)")
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-4000:]

    commands = (site / "reference" / "commands" / "index.html").read_text(encoding="utf-8")
    for module in HELPED:
        shown = subprocess.run(
            [sys.executable, "-m", module, "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout
        flags = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", shown))
        assert flags and {flag for flag in flags if flag not in commands} == set(), module
    assert "make docs" in commands

    parameters = (site / "reference" / "parameters" / "index.html").read_text(encoding="utf-8")
    knobs = re.findall(
        r"^([A-Z][A-Z0-9_]*) = ",
        (PROJECT_ROOT / "parameters" / "simulation_parameters.py").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert knobs and [k for k in knobs if f"<code>{k}</code>" not in parameters] == []
    assert "<code>KITCHEN_PARAMETERS</code>" in parameters

    tables = (site / "reference" / "database" / "index.html").read_text(encoding="utf-8")
    schema = (PROJECT_ROOT / "common" / "schema.sql").read_text(encoding="utf-8")
    for table, body in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\)", schema, re.DOTALL):
        columns = [line.split()[0] for line in body.strip().splitlines() if not line.strip().startswith("PRIMARY")]
        assert f'id="{table}"' in tables and all(f"<code>{c}</code>" in tables for c in columns), table

    performance = (site / "explanation" / "performance" / "index.html").read_text(encoding="utf-8")
    first_result = next(
        line
        for line in (PROJECT_ROOT / "bench" / "RESULTS.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and "---" not in line and "benchmark |" not in line
    )
    assert html.escape(first_result.split(" | ")[1].strip(), quote=False) in performance  # "<=" is "&lt;=" there

    assert (site / "images" / "dashboard.png").is_file()
