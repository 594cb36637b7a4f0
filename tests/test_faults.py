"""Builds under process faults: two builds at once, Ctrl-C, a parent killed under its workers.

These start real processes, so they are few and bounded: each waits on a marker file or a
log line (never a fixed sleep) with a deadline.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from lead_replicate.documents.folders import LOCK_NAME, folder_lock
from lead_replicate.errors import OutputError

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX signals and advisory locks")


def wait_for(condition: Callable[[], bool], what: str, deadline: float = 60.0) -> None:
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --- two builds into one folder ------------------------------------------------------------


@POSIX
def test_second_build_fails_plainly_when_the_folder_stays_busy(tmp_path, caplog):
    out = tmp_path / "out"
    with (folder_lock(out), caplog.at_level(logging.WARNING), pytest.raises(OutputError) as info,
          folder_lock(out, wait=0.2)):
        pass
    assert str(info.value) == (f"another build has been writing to {out} for 0 seconds; let "
                               "it finish, or build into another folder with --out")
    assert caplog.messages == [f"another build is writing to {out}; waiting"]
    assert (out / LOCK_NAME).is_file()


@POSIX
def test_second_build_waits_for_the_first(tmp_path):
    """The second build starts once the first one releases the folder, and says it waited."""
    out = tmp_path / "out"
    waiting = threading.Event()

    class Said(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            waiting.set()

    handler = Said()
    logging.getLogger("lead_replicate.documents.folders").addHandler(handler)
    order: list[str] = []
    try:
        with folder_lock(out):
            def second() -> None:
                with folder_lock(out, wait=60):
                    order.append("second")

            thread = threading.Thread(target=second)
            thread.start()
            assert waiting.wait(30), "the second build never said it was waiting"
            order.append("first done")
        thread.join(30)
    finally:
        logging.getLogger("lead_replicate.documents.folders").removeHandler(handler)
    assert order == ["first done", "second"]


# --- Ctrl-C --------------------------------------------------------------------------------

# Runs the real command line; the PDF engine is replaced by one that says it started, then
# hangs, so the test can interrupt a build that is certainly in progress.
INTERRUPTED_BUILD = """
import sys, time
from pathlib import Path
import lead_replicate.documents.pdf as pdf
def hang(html, **kw):
    Path({marker!r}).write_text("rendering")
    time.sleep(120)
pdf.render_pdf = hang
from lead_replicate.cli import main
sys.argv = ["lead-replicate", "build", {plan!r}, "--out", {out!r}, "--jobs", "1"]
main()
"""


@POSIX
def test_ctrl_c_exits_130_with_one_line_and_no_partial_files(tmp_path):
    marker, out = tmp_path / "started", tmp_path / "out"
    code = INTERRUPTED_BUILD.format(marker=str(marker), plan=str(DATA / "complete.yaml"),
                                    out=str(out))
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_for(marker.exists, "the build to start rendering")
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert stderr == "Interrupted: stopped before finishing; no file was left half written.\n"
    assert stdout == ""
    leftovers = sorted(p.name for p in out.rglob("*") if p.is_file())
    assert leftovers == [".lead-replicate-plan.json", LOCK_NAME]  # no document, no temp file


# --- no worker outlives its parent ---------------------------------------------------------

SLOW_BUILDER = """
import os, time
from pathlib import Path
def slow_build(path, options, raw):
    Path(options.out_dir, f"worker-{os.getpid()}").write_text("started")
    time.sleep(120)
"""
POOLED_BUILD = """
import sys
from pathlib import Path
sys.path.insert(0, {here!r})
from slowbuild import slow_build
from lead_replicate.cohort import build_many
from lead_replicate.documents.packet import BuildOptions
build_many([Path(p) for p in {plans!r}], BuildOptions(Path({out!r})), jobs=2,
           builder=slow_build)
"""


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie no one has reaped yet counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_soon_after_their_parent_is_killed(tmp_path):
    (tmp_path / "slowbuild.py").write_text(SLOW_BUILDER, encoding="utf-8")
    plans = []
    for stem in ("alpha", "bravo"):
        plan = tmp_path / f"{stem}.yaml"
        text = (DATA / "complete.yaml").read_text(encoding="utf-8")
        plan.write_text(text.replace("slug: example-city", f"slug: example-{stem}"), "utf-8")
        plans.append(str(plan))
    out = tmp_path / "out"
    code = POOLED_BUILD.format(here=str(tmp_path), plans=plans, out=str(out))
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        wait_for(lambda: len(list(out.glob("worker-*"))) == 2, "both workers to start")
        workers = [int(p.name.split("-")[1]) for p in out.glob("worker-*")]
        parent.kill()  # SIGKILL: the parent gets no chance to stop them itself
        parent.wait(10)
        wait_for(lambda: not any(map(_alive, workers)), "the orphaned workers to exit",
                 deadline=10)
    finally:
        parent.kill()
        for pid in [int(p.name.split("-")[1]) for p in out.glob("worker-*")]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


# --- inputs that are not files -------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
def test_a_fifo_plan_is_refused_by_validate_and_build_without_hanging(tmp_path):
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    line = (f"{fifo}:1:1: error [yaml] this is a pipe (FIFO), not a regular file; give the path "
            "of a .yaml file Fix: Correct the file so that it is valid YAML (see docs/format.md).")
    for command in (["validate"], ["build", "--out", str(tmp_path / "out")]):
        proc = subprocess.run([sys.executable, "-m", "lead_replicate", *command, str(fifo)],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1, proc.stderr
        assert proc.stdout.splitlines()[0] == line
    assert proc.stderr.splitlines()[-1] == (
        "1 jurisdiction: 0 built, 0 unchanged (from the cache), 1 failed.")
