"""The project stands alone: nothing it holds points outside its own folder."""

from __future__ import annotations

import subprocess

from common.settings import PROJECT_ROOT


def test_no_file_points_outside_the_project():
    files = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout.split()
    text_files = [f for f in files if not f.endswith((".png", ".json")) and f != "tests/test_repository.py"]
    offenders = [f for f in text_files if any(word in (PROJECT_ROOT / f).read_text(errors="replace")
                                              for word in ("../shared", "shared/tools", ".library"))]
    assert offenders == [], "these files point outside the project"


def test_make_help_lists_every_target_with_what_it_costs():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    targets = makefile.split(".PHONY:")[1].splitlines()[0].split()
    shown = subprocess.run(["make", "-s", "help"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout
    listed = {line.split()[1] for line in shown.splitlines() if line.startswith("make ")}
    assert set(targets) - {"help", "chromium"} <= listed
    for target in ("test", "bench", "bench-quick", "unittest"):
        assert any(line.startswith(f"make {target} ") and ("minute" in line or "hour" in line) for line in shown.splitlines())
    clean = next(line for line in shown.splitlines() if line.startswith("make clean "))
    assert "db/ stays" in makefile and "sweep/" in clean and "plan/" in clean and "bench/.work/" in clean
