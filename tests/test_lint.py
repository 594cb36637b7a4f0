"""The code base is ruff- and mypy-clean (so the README's test command is also the lint gate)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


def test_ruff_check_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.fail("ruff is not installed: install the test extras (pip install '.[test]')")
    proc = subprocess.run([ruff, "check", "--no-cache", str(ROOT)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean():
    mypy = shutil.which("mypy") or str(Path(sys.executable).parent / "mypy")
    if not Path(mypy).exists():
        pytest.fail("mypy is not installed: install the test extras (pip install '.[test]')")
    proc = subprocess.run([mypy, "--no-incremental"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_module_map_names_every_module():
    # docs/architecture.md is where a newcomer finds the room for a change: every module of
    # the package has a row (or a line in the tree), and every module it names exists.
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = ROOT / "lead_replicate"
    modules = {p.stem for p in package.rglob("*.py") if not p.name.startswith("__")}
    missing = sorted(m for m in modules if f"{m}.py" not in text)
    assert missing == [], f"add these modules to docs/architecture.md: {missing}"
    named = set(re.findall(r"`([a-z_]+)\.py`", text))
    assert named - modules == set(), "docs/architecture.md names modules that do not exist"
