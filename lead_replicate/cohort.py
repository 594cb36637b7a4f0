"""Build many jurisdictions at once: each plan read once, the cache consulted, a process pool.

Each plan's bytes are read once (bounded) here, in the parent: those bytes are hashed for the
cache key, passed to the worker that checks and renders them, and recorded under that key,
so a plan edited during a build can never leave documents that do not match its key.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lead_replicate.documents.buildcache import BuildCache, file_key, shared_key
from lead_replicate.documents.folders import folder_lock
from lead_replicate.errors import LoadError
from lead_replicate.loading.loader import read_plan_bytes
from lead_replicate.outcome import Outcome
from lead_replicate.pool import Builder, build_one, run_pool
from lead_replicate.rules.validate import unreadable_report

if TYPE_CHECKING:
    from lead_replicate.documents.packet import BuildOptions

log = logging.getLogger(__name__)

Progress = Callable[[Outcome], None]


# --- slugs --------------------------------------------------------------------------------


def _planned(path: Path, raw: bytes) -> tuple[str | None, str | None]:
    """(name, slug) a file will build under, read cheaply before building; None if unknown."""
    from lead_replicate.loading.loader import load_text
    from lead_replicate.rules.schema import slug_of

    try:
        data = load_text(raw, str(path)).data
    except LoadError:
        return None, None
    j = data.get("jurisdiction")
    if not isinstance(j, dict) or not isinstance(j.get("name"), str):
        return None, None
    return j["name"], slug_of(j)


def _claim_slugs(paths: list[Path], outcomes: list[Outcome | None], raws: dict[int, bytes],
                 todo: list[int]) -> None:
    """Two files with one slug would write to one folder: the second (in input order) is an error.

    Slugs are compared case-insensitively because Windows and macOS folders are.
    """
    owners: dict[str, int] = {}
    for i, path in enumerate(paths):
        known = outcomes[i]
        name, slug = (known.jurisdiction, known.slug) if known else _planned(path, raws[i])
        if not slug:
            continue
        first = owners.setdefault(slug.casefold(), i)
        if first != i:
            outcomes[i] = Outcome.failure(path, jurisdiction=name or "", slug=slug, problem=(
                f"its slug '{slug}' is already used by {paths[first]} in this build, so its "
                "documents would replace that file's; give one of them a different "
                "jurisdiction.slug"))
            if i in todo:
                todo.remove(i)


# --- the entry point ----------------------------------------------------------------------


def build_many(paths: list[Path], options: BuildOptions, *, jobs: int | None = None,
               progress: Progress | None = None, builder: Builder | None = None) -> list[Outcome]:
    """Build every file; outcomes come back in input order, one failure never stops the rest.

    A file whose cache key (its bytes, the templates, tool version, options and
    SOURCE_DATE_EPOCH) is unchanged and whose outputs are untouched is skipped without loading
    WeasyPrint or starting a pool; ``options.force`` ignores the cache. Only one build writes
    an output folder at a time (see :func:`folder_lock`). ``builder`` (default
    ``build_jurisdiction``) must be a module-level function when ``jobs`` > 1, because worker
    processes import it by name.
    """
    with folder_lock(options.out_dir):
        return _build_locked([Path(p) for p in paths], options, jobs, progress, builder)


def _build_locked(paths: list[Path], options: BuildOptions, jobs: int | None,
                  progress: Progress | None, builder: Builder | None) -> list[Outcome]:
    out = Path(options.out_dir)
    cache = BuildCache.empty(out) if options.force else BuildCache.load(out)
    shared = shared_key(options)
    outcomes: list[Outcome | None] = [None] * len(paths)
    keys: dict[int, str] = {}
    raws: dict[int, bytes] = {}
    todo: list[int] = []
    for i, path in enumerate(paths):
        try:
            raws[i] = read_plan_bytes(path)  # the only read of this plan in this build
        except LoadError as exc:
            outcomes[i] = Outcome.checked(unreadable_report(str(path), exc))
            continue
        keys[i] = file_key(shared, raws[i])
        outcomes[i] = cache.lookup(path, keys[i])
        if outcomes[i] is None:
            todo.append(i)
        else:
            del raws[i]
    _claim_slugs(paths, outcomes, raws, todo)
    for i, known in enumerate(outcomes):
        if known is not None:
            if not known.cached:
                cache.forget(paths[i])
            if progress:
                progress(known)

    def done(i: int, outcome: Outcome) -> None:
        outcomes[i] = outcome
        raws.pop(i, None)
        if outcome.detail:
            log.debug("%s:\n%s", paths[i], outcome.detail)
        cache.record(paths[i], keys[i], outcome)  # a failed outcome is forgotten instead
        if progress:
            progress(outcome)

    width = max(1, min(jobs or _cpu_count(), len(todo)))
    try:
        if width == 1:
            for i in todo:
                done(i, build_one(builder, paths[i], raws[i], options))
        else:
            run_pool(todo, width, lambda i: (paths[i], raws[i]), options, builder, done)
    finally:  # keep what was built even if the run is interrupted
        cache.save()
    return [outcome for outcome in outcomes if outcome is not None]


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # Windows and macOS
        return os.cpu_count() or 1
