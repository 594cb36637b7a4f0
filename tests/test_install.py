"""The installed command works from any folder (CI installs the wheel, not an editable copy)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

EXE = Path(sys.executable).parent / ("lead-replicate.exe" if os.name == "nt" else "lead-replicate")


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    if not EXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{EXE} is missing: CI must install the package (pip install '.[test]')")
        pytest.skip("the package is not installed in this environment")
    for name in ("seattle.yaml", "santa_fe.yaml"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    return tmp_path


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(EXE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_installed_package_is_used_outside_the_checkout(elsewhere: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [sys.executable, "-c", "import lead_replicate; print(lead_replicate.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    module = Path(where.stdout.strip())
    if os.environ.get("CI"):  # a non-editable install: the code comes from site-packages
        assert "site-packages" in module.parts, module


def test_installed_command_validates_and_builds_from_another_folder(elsewhere: Path) -> None:
    checked = _run(elsewhere, "validate", "seattle.yaml", "santa_fe.yaml")
    assert checked.returncode == 1, checked.stdout + checked.stderr  # Santa Fe has errors
    assert "seattle.yaml: ok: 0 errors" in checked.stdout
    assert "error [no-fail-out]" in checked.stdout
    built = _run(elsewhere, "build", "seattle.yaml", "--out", "out")
    assert built.returncode == 0, built.stdout + built.stderr
    # A real build of Seattle, workers included: stderr holds the tool's own lines and nothing
    # that WeasyPrint, fontTools or Python logged (such as the "HarfBuzz-Subset" notice).
    lines = built.stderr.splitlines()
    assert lines[0].startswith("seattle.yaml: wrote mou.pdf, protocol-manual.pdf, "), lines
    assert lines[1].startswith("Jurisdiction ") and lines[2].startswith("-----")
    assert lines[3].startswith("Seattle and King County, Washington ")
    assert lines[4:] == ["", "1 jurisdiction: 1 built, 0 unchanged (from the cache), 0 failed."]
    assert built.stdout == ""
    pdfs = sorted(p.name for p in (elsewhere / "out" / "seattle").glob("*.pdf"))
    assert pdfs == ["consent-form.pdf", "decisions.pdf", "mou.pdf", "protocol-manual.pdf",
                    "readiness-checklist.pdf"]
    assert _run(elsewhere, "principles", "--format", "json").returncode == 0
