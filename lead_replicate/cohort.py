"""Build many jurisdictions at once: a process pool, skipping files the build cache has current."""

from __future__ import annotations

import logging
import os
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from lead_replicate.documents.buildcache import BuildCache, Row, file_key, shared_key
from lead_replicate.errors import LeadError, LoadError

if TYPE_CHECKING:
    from lead_replicate.documents.packet import BuildOptions, BuildResult

log = logging.getLogger(__name__)

Builder = Callable[[Path, "BuildOptions"], "BuildResult"]
Progress = Callable[["CohortItem"], None]


@dataclass
class CohortItem:
    """One file's outcome in a cohort: its build result (or why there is none) and table row."""

    file: str
    result: BuildResult | None = None
    error: str | None = None  # set when the file could not be built at all
    cached: bool = False  # True when the documents from an earlier build were still current
    jurisdiction: str = ""
    slug: str | None = None
    errors: int = 0
    warnings: int = 0
    readiness: float | None = None
    written: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def problem(self) -> str | None:
        """Why the file was not built, or what went wrong outside the file (no PDF engine)."""
        return self.error or (self.result.error if self.result else None)

    @property
    def ok(self) -> bool:
        """False when the file failed to build or its plan has errors (the exit code says so)."""
        return self.problem is None and self.errors == 0


@dataclass
class _Outcome:
    """What a worker sends back: plain, picklable data, never an exception object."""

    result: BuildResult | None = None
    readiness: float | None = None
    error: str | None = None
    detail: str = ""


# --- the worker side ----------------------------------------------------------------------


def _default_builder() -> Builder:
    from lead_replicate.documents.packet import build_jurisdiction

    return build_jurisdiction


def _warm_worker(overrides: Path | None, warm: bool) -> None:
    """Pool initializer: load WeasyPrint and the stylesheet/fonts once per worker process.

    A failure here must not break the pool: the builder reports the PDF engine problem per file.
    """
    if not warm:  # a custom builder may not need WeasyPrint
        return
    try:
        from lead_replicate.documents import pdf

        pdf.warm_up(overrides)  # pdf.py itself frees the fonts at exit
    except Exception as exc:
        log.debug("worker warm-up failed: %s", exc)


def _readiness_of(result: BuildResult) -> float | None:
    computed = result.report.readiness  # computed once, when the documents were rendered
    return None if computed is None else float(computed.percent)


def _build_one(builder: Builder | None, path: Path, options: BuildOptions) -> _Outcome:
    """Build one file; every failure becomes a message (exceptions do not always pickle)."""
    try:
        result = (builder or _default_builder())(path, options)
        return _Outcome(result, _readiness_of(result))
    except LeadError as exc:
        return _Outcome(error=str(exc))
    except Exception as exc:
        return _Outcome(error=f"internal error while building this file ({type(exc).__name__}: "
                              f"{exc}); please report it", detail=traceback.format_exc())


# --- items ---------------------------------------------------------------------------------


def _item_from_row(file: str, row: Row) -> CohortItem:
    return CohortItem(file, cached=True, **row,
                      message=f"{file}: unchanged since the last build; its documents are current")


def _row_of(item: CohortItem) -> Row:
    return Row(jurisdiction=item.jurisdiction, slug=item.slug, errors=item.errors,
               warnings=item.warnings, readiness=item.readiness, refused=item.refused,
               written=item.written)


def _item_from_outcome(path: Path, outcome: _Outcome) -> CohortItem:
    result = outcome.result
    if result is None:
        if outcome.detail:
            log.debug("%s:\n%s", path, outcome.detail)
        return CohortItem(str(path), error=outcome.error or "the build failed",
                          jurisdiction=path.name)
    report = result.report
    return CohortItem(str(path), result, jurisdiction=report.jurisdiction or path.name,
                      slug=result.slug, errors=report.errors, warnings=report.warnings,
                      readiness=outcome.readiness, written=[str(p) for p in result.written],
                      refused=list(result.refused), message=result.message)


# --- slugs --------------------------------------------------------------------------------


def _planned(path: Path, raw: bytes | None) -> tuple[str | None, str | None]:
    """(name, slug) a file will build under, read cheaply before building; None if unknown."""
    from lead_replicate.loading.loader import load_text
    from lead_replicate.rules.schema import slug_of

    if raw is None:
        return None, None
    try:
        data = load_text(raw, str(path)).data
    except LoadError:
        return None, None
    j = data.get("jurisdiction")
    if not isinstance(j, dict) or not isinstance(j.get("name"), str):
        return None, None
    return j["name"], slug_of(j)


def _claim_slugs(paths: list[Path], items: list[CohortItem | None], raws: dict[int, bytes | None],
                 todo: list[int]) -> None:
    """Two files with one slug would write to one folder: the second (in input order) is an error.

    Slugs are compared case-insensitively because Windows and macOS folders are.
    """
    owners: dict[str, int] = {}
    for i, path in enumerate(paths):
        item = items[i]
        name, slug = (item.jurisdiction, item.slug) if item else _planned(path, raws.get(i))
        if not slug:
            continue
        first = owners.setdefault(slug.casefold(), i)
        if first != i:
            items[i] = CohortItem(str(path), jurisdiction=name or path.name, slug=slug, error=(
                f"its slug '{slug}' is already used by {paths[first]} in this build, so its "
                "documents would replace that file's; give one of them a different "
                "jurisdiction.slug"))
            if i in todo:
                todo.remove(i)


# --- the pool -----------------------------------------------------------------------------

Done = Callable[[int, _Outcome], None]
CRASHED = ("the process building this file stopped unexpectedly (it may have run out of memory "
           "or crashed in the PDF engine); the other files were still built. Try this file alone "
           "with --jobs 1")


def _run_round(batch: deque[int], width: int, paths: list[Path], options: BuildOptions,
               builder: Builder | None, done: Done) -> list[int] | None:
    """Run ``batch`` with at most ``width`` files in flight, so a crash has few suspects.

    Returns None when the batch finished, else the files in flight when the pool broke.
    """
    ctx = get_context("spawn")  # forking after WeasyPrint is loaded has crashed for users
    with ProcessPoolExecutor(max_workers=width, mp_context=ctx, initializer=_warm_worker,
                             initargs=(options.templates, builder is None)) as pool:
        running: dict[Future[_Outcome], int] = {}
        broken: list[int] = []
        while (batch or running) and not broken:
            dead = False
            while batch and len(running) < width and not dead:
                i = batch.popleft()
                try:
                    running[pool.submit(_build_one, builder, paths[i], options)] = i
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
                    done(i, _Outcome(error=f"the build result could not be returned ({exc})")
                         if exc else fut.result())
            if dead and not broken:
                return []
        return broken or None


def _run_pool(todo: list[int], jobs: int, paths: list[Path], options: BuildOptions,
              builder: Builder | None, done: Done) -> None:
    """Build ``todo`` in worker processes; a crashed worker fails only the file it was building.

    After a crash, the files that were in flight are retried one at a time in a fresh pool
    (so the culprit is known), then the rest continue in parallel.
    """
    queue, suspects = deque(todo), deque[int]()
    idle_breaks = 0
    while queue or suspects:
        batch, width = (suspects, 1) if suspects else (queue, jobs)
        broken = _run_round(batch, width, paths, options, builder, done)
        idle_breaks = idle_breaks + 1 if broken == [] else 0
        if broken is None:
            continue
        if len(broken) == 1:
            done(broken[0], _Outcome(error=CRASHED))
        elif len(broken) > 1:
            suspects.extend(broken)
        elif idle_breaks > 1:  # twice broken with nothing in flight: the workers cannot start
            for i in batch:
                done(i, _Outcome(error="the worker processes could not start; try --jobs 1"))
            batch.clear()


# --- the entry point ----------------------------------------------------------------------


def build_many(paths: list[Path], options: BuildOptions, *, jobs: int | None = None,
               force: bool = False, progress: Progress | None = None,
               builder: Builder | None = None) -> list[CohortItem]:
    """Build every file; results come back in input order, one failure never stops the rest.

    A file whose cache key (its bytes, the templates, tool version, options and
    SOURCE_DATE_EPOCH) is unchanged and whose outputs are untouched is skipped without loading
    WeasyPrint or starting a pool. ``builder`` (default ``build_jurisdiction``) must be a
    module-level function when ``jobs`` > 1, because worker processes import it by name.
    """
    paths = [Path(p) for p in paths]
    cache = BuildCache.load(Path(options.out_dir))
    shared = shared_key(options)
    items: list[CohortItem | None] = [None] * len(paths)
    keys: dict[int, str] = {}
    raws: dict[int, bytes | None] = {}
    todo: list[int] = []
    for i, path in enumerate(paths):
        try:
            raw = raws[i] = path.read_bytes()
            keys[i] = file_key(shared, raw)
        except OSError:
            raws[i] = None  # the builder reports the unreadable file in plain words
        row = cache.lookup(path, keys[i]) if not force and i in keys else None
        if row is None:
            todo.append(i)
        else:
            items[i] = _item_from_row(str(path), row)
    _claim_slugs(paths, items, raws, todo)
    for i, item in enumerate(items):
        if item is not None:
            if item.error:
                cache.forget(paths[i])
            if progress:
                progress(item)

    def done(i: int, outcome: _Outcome) -> None:
        item = items[i] = _item_from_outcome(paths[i], outcome)
        # A build hurt by the environment (no PDF engine) is not cached: fix it, build again.
        if item.problem or i not in keys:
            cache.forget(paths[i])
        else:
            cache.record(paths[i], keys[i], _row_of(item))
        if progress:
            progress(item)

    width = max(1, min(jobs or _cpu_count(), len(todo)))
    try:
        if width == 1:
            for i in todo:
                done(i, _build_one(builder, paths[i], options))
        else:
            _run_pool(todo, width, paths, options, builder, done)
    finally:  # keep what was built even if the run is interrupted
        cache.save()
    return [item for item in items if item is not None]


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # Windows and macOS
        return os.cpu_count() or 1
