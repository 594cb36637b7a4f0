"""Who may write an output folder: one build at a time, and one plan per jurisdiction folder.

Two builds writing one folder at once would interleave their records of what they wrote, so
a build holds an advisory lock on ``OUT/.lead-replicate.lock`` from reading the cache to
saving it. Two plans with the same slug would replace each other's documents, so each
jurisdiction folder names the plan that wrote it (``.lead-replicate-plan.json``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from lead_replicate.documents.output import replace_atomic
from lead_replicate.errors import LeadError, OutputError, os_error_text

try:  # POSIX (Linux, macOS)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
try:  # Windows
    import msvcrt
except ImportError:
    msvcrt = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCK_NAME = ".lead-replicate.lock"
OWNER_NAME = ".lead-replicate-plan.json"
LOCK_WAIT = 600.0  # seconds a build waits for another one writing the same folder
_POLL = 0.2


@contextlib.contextmanager
def folder_lock(out_dir: Path, *, wait: float | None = None) -> Iterator[None]:
    """Hold the output folder's lock; wait (saying so once) while another build holds it.

    The lock is advisory (``flock`` on Linux and macOS, ``msvcrt.locking`` on Windows) and the
    operating system releases it when the process ends, however it ends. After ``wait``
    seconds (default :data:`LOCK_WAIT`) the build stops with a plain OutputError.
    """
    out_dir = Path(out_dir)
    path = out_dir / LOCK_NAME
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(os_error_text(out_dir, exc)) from None
    try:
        limit = LOCK_WAIT if wait is None else wait
        deadline = time.monotonic() + limit
        said = False
        while not _try_lock(fd):
            if not said:
                log.warning("another build is writing to %s; waiting", out_dir)
                said = True
            if time.monotonic() >= deadline:
                raise OutputError(f"another build has been writing to {out_dir} for "
                                  f"{limit:.0f} seconds; let it finish, or build into "
                                  "another folder with --out")
            time.sleep(_POLL)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _try_lock(fd: int) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    if msvcrt is not None:  # pragma: no cover - Windows
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    return True  # pragma: no cover - no advisory locks here: builds are not serialized


def claim_folder(folder: Path, plan: Path, *, force: bool) -> None:
    """Record that ``plan`` writes ``folder``; refuse a folder another plan wrote, unless force.

    Plans are told apart by their resolved path: a renamed or moved plan is another plan, and
    ``--force`` hands the folder over to it.
    """
    me = str(Path(plan).resolve())
    owner = plan_of(folder)
    if owner is not None and owner != me and not force:
        raise OutputError(f"{folder} holds the documents of {owner}, which has the same "
                          "slug; give this plan its own jurisdiction.slug, or use --force "
                          "to replace them")
    if owner != me:
        replace_atomic(Path(folder) / OWNER_NAME, json.dumps({"plan": me}).encode("utf-8"))


def plan_of(folder: Path) -> str | None:
    """The plan that wrote ``folder``, or None (a new folder, or an unreadable record)."""
    from lead_replicate.loading.loader import read_bounded

    try:
        data = json.loads(read_bounded(Path(folder) / OWNER_NAME, 64 * 1024))
    except (LeadError, ValueError, RecursionError):
        return None
    plan = data.get("plan") if isinstance(data, dict) else None
    return plan if isinstance(plan, str) else None
