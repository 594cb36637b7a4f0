"""Build many jurisdictions at once: a process pool, and a cache that skips unchanged work."""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import re
import tempfile
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import lead_replicate
from lead_replicate.errors import LeadError

if TYPE_CHECKING:
    from lead_replicate.documents import BuildOptions, BuildResult

log = logging.getLogger(__name__)

MANIFEST_NAME = ".lead-replicate-cache.json"
MANIFEST_FORMAT = 1

Builder = Callable[[Path, "BuildOptions"], "BuildResult"]
Progress = Callable[[Union["BuildResult", "CohortItem"]], None]


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
        return self.error or getattr(self.result, "error", None)

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
    from lead_replicate.documents import build_jurisdiction

    return build_jurisdiction


def _warm_worker(overrides: Path | None) -> None:
    """Pool initializer: load WeasyPrint and the stylesheet/fonts once per worker process.

    A failure here must not break the pool: the builder reports the PDF engine problem per file.
    """
    try:
        from lead_replicate import pdf

        pdf.warm_up(overrides)
        # Free the fonts before interpreter teardown: WeasyPrint's FontConfiguration.__del__
        # otherwise prints "Exception ignored" at every worker's exit.
        release = getattr(getattr(pdf, "_engine", None), "cache_clear", None)
        if release:
            atexit.register(release)
    except Exception as exc:
        log.debug("worker warm-up failed: %s", exc)


def _readiness_of(result: BuildResult) -> float | None:
    plan = result.report.plan
    if plan is None:
        return None
    try:
        from lead_replicate.readiness import readiness

        return float(readiness(plan).percent)
    except ImportError:
        return None
    except Exception as exc:  # the documents are written; a missing % must not hide that
        log.warning("%s: readiness could not be computed: %s", result.file, exc)
        return None


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


# --- the cache ----------------------------------------------------------------------------


def _shipped_folders() -> dict[str, Path]:
    """The folders every build reads besides the plan: shipped templates and the rulebook."""
    from lead_replicate.templating import templates_dir

    return {"shipped": templates_dir(), "rulebook": Path(lead_replicate.__file__).parent / "data"}


def _hash_tree(h: Any, label: str, folder: Path | None) -> None:
    if folder is None or not Path(folder).is_dir():
        h.update(f"{label}:absent\0".encode())
        return
    root = Path(folder)
    for p in sorted(q for q in root.rglob("*") if q.is_file() and "__pycache__" not in q.parts):
        data = p.read_bytes()
        h.update(f"{label}:{p.relative_to(root).as_posix()}\0{len(data)}\0".encode())
        h.update(data)


def _shared_key(options: BuildOptions) -> bytes:
    """The key part every file shares: computed once per run, not once per file."""
    templates = Path(options.templates).resolve() if options.templates else None
    h = hashlib.sha256()
    h.update(f"cache={MANIFEST_FORMAT}\0version={lead_replicate.__version__}\0"
             f"html={bool(options.html)}\0draft={bool(options.draft)}\0templates={templates}\0"
             f"sde={os.environ.get('SOURCE_DATE_EPOCH', '')}\0".encode())
    for label, folder in sorted(_shipped_folders().items()):
        _hash_tree(h, label, folder)
    _hash_tree(h, "override", templates)
    return h.digest()


def _read_manifest(path: Path) -> dict[str, dict]:
    """The cache entries; a missing or damaged manifest just means a full build."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_manifest(path: Path, entries: dict[str, dict]) -> None:
    """Write atomically (temp file, then rename); the cache is an optimisation: log failures."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".cache-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"format": MANIFEST_FORMAT, "entries": entries}, fh, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not save the build cache %s: %s", path, exc)


def _outputs_intact(entry: dict, out_dir: Path) -> bool:
    for out in entry.get("outputs", []):
        try:
            st = (out_dir / out["path"]).stat()
        except (OSError, KeyError, TypeError):
            return False
        if st.st_size != out.get("size") or st.st_mtime_ns != out.get("mtime_ns"):
            return False
    return True


def _entry_for(item: CohortItem, key: str, out_dir: Path) -> dict | None:
    """The manifest entry for a fresh build; None when an output cannot be recorded."""
    outputs = []
    root = out_dir.resolve()
    for written in item.written:
        p = Path(written).resolve()
        try:
            st = p.stat()
        except OSError:
            return None
        rel = p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p)
        outputs.append({"path": rel, "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    return {"key": key, "outputs": outputs, "jurisdiction": item.jurisdiction, "slug": item.slug,
            "errors": item.errors, "warnings": item.warnings, "readiness": item.readiness,
            "refused": item.refused}


def _item_from_entry(file: str, entry: dict, out_dir: Path) -> CohortItem:
    return CohortItem(file, cached=True, jurisdiction=entry.get("jurisdiction") or "",
                      slug=entry.get("slug"), errors=entry.get("errors", 0),
                      warnings=entry.get("warnings", 0), readiness=entry.get("readiness"),
                      written=[str(out_dir / o["path"]) for o in entry.get("outputs", [])],
                      refused=list(entry.get("refused", [])),
                      message=f"{file}: unchanged since the last build; its documents are current")


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
    from lead_replicate.errors import LoadError
    from lead_replicate.loader import load_text
    from lead_replicate.schema import ID_PATTERN, slugify

    if raw is None:
        return None, None
    try:
        data = load_text(raw, str(path)).data
    except LoadError:
        return None, None
    j = data.get("jurisdiction")
    if not isinstance(j, dict) or not isinstance(j.get("name"), str):
        return None, None
    slug = j.get("slug")
    if not (isinstance(slug, str) and re.fullmatch(ID_PATTERN, slug)):
        slug = slugify(j["name"])
    return j["name"], slug


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
    warm = _warm_worker if builder is None else None  # a custom builder may not need WeasyPrint
    with ProcessPoolExecutor(max_workers=width, mp_context=ctx, initializer=warm,
                             initargs=(options.templates,)) as pool:
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
    out_dir = Path(options.out_dir)
    manifest_path = out_dir / MANIFEST_NAME
    old_entries = _read_manifest(manifest_path)
    entries = dict(old_entries)
    shared = _shared_key(options)
    items: list[CohortItem | None] = [None] * len(paths)
    keys: dict[int, str] = {}
    raws: dict[int, bytes | None] = {}
    todo: list[int] = []
    for i, path in enumerate(paths):
        try:
            raw = raws[i] = path.read_bytes()
            keys[i] = hashlib.sha256(shared + raw).hexdigest()
        except OSError:
            raws[i] = None  # the builder reports the unreadable file in plain words
        entry = entries.get(str(path.resolve()))
        if (not force and i in keys and isinstance(entry, dict) and entry.get("key") == keys[i]
                and _outputs_intact(entry, out_dir)):
            items[i] = _item_from_entry(str(path), entry, out_dir)
        else:
            todo.append(i)
    _claim_slugs(paths, items, raws, todo)
    for i, item in enumerate(items):
        if item is not None:
            if item.error:
                entries.pop(str(paths[i].resolve()), None)
            if progress:
                progress(item)

    def done(i: int, outcome: _Outcome) -> None:
        item = items[i] = _item_from_outcome(paths[i], outcome)
        name = str(paths[i].resolve())
        # A build hurt by the environment (no PDF engine) is not cached: fix it, build again.
        entry = _entry_for(item, keys[i], out_dir) if not item.problem and i in keys else None
        if entry is None:
            entries.pop(name, None)
        else:
            entries[name] = entry
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
        if entries != old_entries:
            _write_manifest(manifest_path, entries)
    return [item for item in items if item is not None]


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # Windows and macOS
        return os.cpu_count() or 1


# --- the closing table --------------------------------------------------------------------


def format_table(items: list[CohortItem]) -> str:
    """The closing summary: one row per file, then the problems in plain words, then totals."""
    header = ("Jurisdiction", "Errors", "Warnings", "Readiness", "Documents")
    rows = [header]
    for item in items:
        rows.append((item.jurisdiction or Path(item.file).name,
                     "-" if item.error else str(item.errors),
                     "-" if item.error else str(item.warnings),
                     "-" if item.readiness is None else f"{item.readiness:.0f}%",
                     _documents_cell(item)))
    widths = [max(len(row[c]) for row in rows) for c in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0]), *(row[c].rjust(widths[c]) for c in (1, 2, 3)),
                 row[4].ljust(widths[4])]
        return "  ".join(cells).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows[1:]]
    failed = [item for item in items if item.error]
    problems = [f"{item.file}: {item.problem}" for item in items if item.problem]
    out += ["", *problems] if problems else []
    cached = sum(item.cached for item in items)
    built = len(items) - cached - len(failed)
    out.append("")
    out.append(f"{len(items)} jurisdiction{'s' if len(items) != 1 else ''}: {built} built, "
               f"{cached} unchanged (from the cache), {len(failed)} failed.")
    return "\n".join(out)


def _documents_cell(item: CohortItem) -> str:
    if item.error:
        return "not built (see below)"
    parts = [f"{len(item.written)} {'cached' if item.cached else 'written'}"]
    if item.refused:
        parts.append(f"{len(item.refused)} refused")
    return ", ".join(parts)
