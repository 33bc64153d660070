"""The project's own files: the Makefile says what each target costs and removes."""

from __future__ import annotations

import subprocess

from common.settings import PROJECT_ROOT


def test_make_help_lists_every_target_with_what_it_costs():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    targets = makefile.split(".PHONY:")[1].splitlines()[0].split()
    shown = subprocess.run(["make", "-s", "help"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout
    listed = {line.split()[1] for line in shown.splitlines() if line.startswith("make ")}
    assert set(targets) - {"help", "chromium"} <= listed
    for target in ("test", "bench", "bench-quick", "unittest"):
        assert any(
            line.startswith(f"make {target} ") and ("minute" in line or "hour" in line) for line in shown.splitlines()
        )
    clean = next(line for line in shown.splitlines() if line.startswith("make clean "))
    assert "db/ stays" in makefile and "sweep/" in clean and "plan/" in clean and "bench/.work/" in clean
