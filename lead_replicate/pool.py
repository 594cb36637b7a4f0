"""The cohort's worker processes: crash-isolated, warmed once, and never outliving the build.

A worker builds one plan at a time from bytes the parent read (it never reads a plan itself)
and returns an :class:`~lead_replicate.outcome.Outcome`. A worker that crashes costs only the
file it was building. A worker whose parent is gone (killed, or stopped by Ctrl-C) exits
within a few seconds, removing any temporary file it was writing: it must not go on writing
into a folder that a new build may already hold.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from lead_replicate.errors import LeadError
from lead_replicate.outcome import Outcome

if TYPE_CHECKING:
    from lead_replicate.documents.packet import BuildOptions

log = logging.getLogger(__name__)

# build_jurisdiction(path, options, raw): builds from the bytes given, never rereads the file
Builder = Callable[[Path, "BuildOptions", bytes], Outcome]
Done = Callable[[int, Outcome], None]
Args = Callable[[int], tuple[Path, bytes]]  # a file's index -> (path, bytes)

CRASHED = ("the process building this file stopped unexpectedly (it may have run out of memory "
           "or crashed in the PDF engine); the other files were still built. Try this file alone "
           "with --jobs 1")
WATCH_EVERY = 0.5  # seconds between a worker's checks that its parent is still there
GRACE = 2.0  # seconds a stopped worker has to clean up before it is ended outright


# --- the worker side ----------------------------------------------------------------------


def build_one(builder: Builder | None, path: Path, raw: bytes, options: BuildOptions) -> Outcome:
    """Build one file; every failure becomes an Outcome (exceptions do not always pickle)."""
    try:
        return (builder or _default_builder())(path, options, raw)
    except LeadError as exc:
        return Outcome.failure(path, str(exc))
    except Exception as exc:
        return Outcome.failure(path, f"internal error while building this file "
                               f"({type(exc).__name__}: {exc}); please report it",
                               detail=traceback.format_exc())


def _default_builder() -> Builder:
    from lead_replicate.documents.packet import build_jurisdiction

    return build_jurisdiction


def _start_worker(parent: int, overrides: Path | None, warm: bool) -> None:
    """Pool initializer: guard the worker, then load WeasyPrint and the fonts once.

    A warm-up failure must not break the pool: the builder reports the PDF engine per file.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches every process: the parent
    signal.signal(signal.SIGTERM, _stop_worker)  # decides, and stops the workers with SIGTERM
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="lead-replicate-parent-watch").start()
    if not warm:  # a custom builder may not need WeasyPrint
        return
    try:
        from lead_replicate.documents import pdf

        pdf.warm_up(overrides)  # pdf.py itself frees the fonts at exit
    except Exception as exc:
        log.debug("worker warm-up failed: %s", exc)


def _stop_worker(signum: int, frame: object) -> None:
    """SIGTERM in a worker: unwind (atomic writes remove their temporary file), then exit."""
    threading.Thread(target=_exit_soon, daemon=True).start()
    raise SystemExit(128 + signum)


def _exit_soon() -> None:
    time.sleep(GRACE)  # the unwinding may end in a blocked pipe to a dead parent: end it here
    os._exit(1)


def _watch_parent(parent: int) -> None:
    """Stop this worker once its parent process is gone (the worker is then re-parented)."""
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY)
    os.kill(os.getpid(), signal.SIGTERM)


# --- the parent side ----------------------------------------------------------------------


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """End every worker now (the build was interrupted): SIGTERM, then SIGKILL after GRACE."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(GRACE + 1)
        if process.is_alive():
            process.kill()


def _run_round(batch: deque[int], width: int, args: Args, options: BuildOptions,
               builder: Builder | None, done: Done) -> list[int] | None:
    """Run ``batch`` with at most ``width`` files in flight, so a crash has few suspects.

    Returns None when the batch finished, else the files in flight when the pool broke.
    """
    ctx = get_context("spawn")  # forking after WeasyPrint is loaded has crashed for users
    pool = ProcessPoolExecutor(max_workers=width, mp_context=ctx, initializer=_start_worker,
                               initargs=(os.getpid(), options.templates, builder is None))
    try:
        result = _drive(pool, batch, width, args, options, builder, done)
    except BaseException:  # Ctrl-C, SIGTERM: no worker may go on writing
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)
    return result


def _drive(pool: ProcessPoolExecutor, batch: deque[int], width: int, args: Args,
           options: BuildOptions, builder: Builder | None, done: Done) -> list[int] | None:
    running: dict[Future[Outcome], int] = {}
    broken: list[int] = []
    while (batch or running) and not broken:
        dead = False
        while batch and len(running) < width and not dead:
            i = batch.popleft()
            try:
                running[pool.submit(build_one, builder, *args(i), options)] = i
            except BrokenProcessPool:
                batch.appendleft(i)
                dead = True
        if dead and not running:
            return []
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        if dead or any(isinstance(f.exception(), BrokenProcessPool) for f in finished):
            finished, _ = wait(running)  # the pool is dead: every other future ends too
        for fut in finished:
            i = running.pop(fut)
            exc = fut.exception()
            if isinstance(exc, BrokenProcessPool):
                broken.append(i)
            else:
                done(i, Outcome.failure(args(i)[0], f"the build result could not be returned "
                                        f"({exc})") if exc else fut.result())
        if dead and not broken:
            return []
    return broken or None


def run_pool(todo: list[int], jobs: int, args: Args, options: BuildOptions,
             builder: Builder | None, done: Done) -> None:
    """Build ``todo`` in worker processes; a crashed worker fails only the file it was building.

    After a crash, the files that were in flight are retried one at a time in a fresh pool
    (so the culprit is known), then the rest continue in parallel.
    """
    queue, suspects = deque(todo), deque[int]()
    idle_breaks = 0
    while queue or suspects:
        batch, width = (suspects, 1) if suspects else (queue, jobs)
        broken = _run_round(batch, width, args, options, builder, done)
        idle_breaks = idle_breaks + 1 if broken == [] else 0
        if broken is None:
            continue
        if len(broken) == 1:
            done(broken[0], Outcome.failure(args(broken[0])[0], CRASHED))
        elif len(broken) > 1:
            suspects.extend(broken)
        elif idle_breaks > 1:  # twice broken with nothing in flight: the workers cannot start
            for i in batch:
                done(i, Outcome.failure(args(i)[0], "the worker processes could not start; "
                                        "try --jobs 1"))
            batch.clear()
