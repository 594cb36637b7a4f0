"""The incremental build cache: which files' documents are still current, kept in a manifest."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lead_replicate
from lead_replicate.documents.output import replace_atomic
from lead_replicate.errors import LeadError
from lead_replicate.findings import Counts
from lead_replicate.outcome import Outcome

if TYPE_CHECKING:
    from lead_replicate.documents.packet import BuildOptions

log = logging.getLogger(__name__)

MANIFEST_NAME = ".lead-replicate-cache.json"
MANIFEST_FORMAT = 2  # 2: one Outcome per entry (counts, draft); format 1 is rebuilt
MANIFEST_LIMIT = 8 * 1024 * 1024  # ~20,000 plans; anything larger is damage, not a cache


# --- the key ------------------------------------------------------------------------------


def shipped_folders() -> dict[str, Path]:
    """The folders every build reads besides the plan: shipped templates and the rulebook."""
    from lead_replicate.documents.templating import templates_dir

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


def shared_key(options: BuildOptions) -> bytes:
    """The key part every file shares: computed once per run, not once per file.

    It covers the tool version, the options that change documents, SOURCE_DATE_EPOCH (the
    dates printed), the shipped templates, the rulebook data and the user's override templates.
    """
    templates = Path(options.templates).resolve() if options.templates else None
    h = hashlib.sha256()
    h.update(f"cache={MANIFEST_FORMAT}\0version={lead_replicate.__version__}\0"
             f"html={bool(options.html)}\0draft={bool(options.draft)}\0"
             f"docx={bool(options.docx)}\0templates={templates}\0"
             f"sde={os.environ.get('SOURCE_DATE_EPOCH', '')}\0".encode())
    for label, folder in sorted(shipped_folders().items()):
        _hash_tree(h, label, folder)
    _hash_tree(h, "override", templates)
    return h.digest()


def file_key(shared: bytes, raw: bytes) -> str:
    """One file's cache key: the shared part plus the file's own bytes."""
    return hashlib.sha256(shared + raw).hexdigest()


# --- the manifest -------------------------------------------------------------------------


class BuildCache:
    """The manifest in an output folder: one entry per plan file (by absolute path).

    The cache is an optimisation: a missing or damaged manifest (too large, nested, an entry
    of the wrong shape) means a full build, and a manifest that cannot be saved is logged,
    never raised. ``--force`` does not read it at all (:meth:`empty`).
    """

    def __init__(self, out_dir: Path, entries: dict[str, dict]) -> None:
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / MANIFEST_NAME
        self.entries = dict(entries)
        self._saved: dict[str, dict] | None = dict(entries)

    @classmethod
    def empty(cls, out_dir: Path) -> BuildCache:
        """A cache that remembers nothing, whatever the manifest says; saving replaces it."""
        cache = cls(out_dir, {})
        cache._saved = None
        return cache

    @classmethod
    def load(cls, out_dir: Path) -> BuildCache:
        """The cache of ``out_dir``; empty when its manifest is missing or damaged."""
        from lead_replicate.loading.loader import read_bounded

        try:
            data = json.loads(read_bounded(Path(out_dir) / MANIFEST_NAME, MANIFEST_LIMIT))
        except (LeadError, ValueError, RecursionError):
            return cls(out_dir, {})
        if not isinstance(data, dict):
            data = {}
        entries = data.get("entries")
        if (data.get("format") != MANIFEST_FORMAT or not isinstance(entries, dict)
                or not all(isinstance(k, str) and _well_formed(e) for k, e in entries.items())):
            if os.path.lexists(Path(out_dir) / MANIFEST_NAME):
                log.info("the build cache %s is damaged; building every file", out_dir)
            return cls(out_dir, {})
        return cls(out_dir, entries)

    def lookup(self, file: Path, key: str) -> Outcome | None:
        """The outcome of ``file``'s last build when its key is unchanged and its documents are
        untouched (marked ``cached``)."""
        entry = self.entries.get(_name(file))
        if entry is None or entry["key"] != key or not self._intact(entry):
            return None
        return Outcome(str(file), jurisdiction=entry["jurisdiction"], slug=entry["slug"],
                       counts=Counts(*entry["counts"]), readiness=entry["readiness"],
                       written=[self.out_dir / o["path"] for o in entry["outputs"]],
                       refused=list(entry["refused"]), draft=entry["draft"], cached=True)

    def record(self, file: Path, key: str, outcome: Outcome) -> None:
        """Remember a fresh, successful build; forget the file if an output cannot be recorded.

        A failed file (its ``problem`` set, e.g. no PDF engine) is forgotten instead: fix the
        cause, and the next build builds it again.
        """
        if outcome.problem is not None or outcome.counts is None:
            self.forget(file)
            return
        outputs = []
        root = self.out_dir.resolve()
        for written in outcome.written:
            p = Path(written).resolve()
            try:
                st = p.stat()
            except OSError:
                self.forget(file)
                return
            rel = p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p)
            outputs.append({"path": rel, "size": st.st_size, "mtime_ns": st.st_mtime_ns})
        c = outcome.counts
        self.entries[_name(file)] = {
            "key": key, "jurisdiction": outcome.jurisdiction, "slug": outcome.slug,
            "counts": [c.errors, c.warnings, c.open], "readiness": outcome.readiness,
            "refused": list(outcome.refused), "draft": outcome.draft, "outputs": outputs}

    def forget(self, file: Path) -> None:
        """Drop ``file``'s entry: it failed, so the next run must build it again."""
        self.entries.pop(_name(file), None)

    def save(self) -> None:
        """Write the manifest atomically (temp file, then rename) if anything changed."""
        if self.entries == self._saved:
            return
        text = json.dumps({"format": MANIFEST_FORMAT, "entries": self.entries}, indent=1,
                          sort_keys=True)
        try:
            replace_atomic(self.path, text.encode("utf-8"))
            self._saved = dict(self.entries)
        except OSError as exc:
            log.warning("could not save the build cache %s: %s", self.path, exc)

    def _intact(self, entry: dict) -> bool:
        """True when every recorded output still has its recorded size and modification time."""
        for out in entry["outputs"]:
            try:
                st = (self.out_dir / out["path"]).stat()
            except (OSError, ValueError):
                return False
            if st.st_size != out["size"] or st.st_mtime_ns != out["mtime_ns"]:
                return False
        return True


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _well_formed(entry: object) -> bool:
    """True when a manifest entry has exactly the shape :meth:`BuildCache.record` writes."""
    if not isinstance(entry, dict):
        return False
    counts, outputs, refused = entry.get("counts"), entry.get("outputs"), entry.get("refused")
    readiness = entry.get("readiness")
    return (isinstance(entry.get("key"), str) and isinstance(entry.get("jurisdiction"), str)
            and isinstance(entry.get("slug"), (str, type(None)))
            and (readiness is None or _int(readiness) or isinstance(readiness, float))
            and isinstance(entry.get("draft"), bool)
            and isinstance(counts, list) and len(counts) == 3 and all(map(_int, counts))
            and isinstance(refused, list) and all(isinstance(r, str) for r in refused)
            and isinstance(outputs, list) and all(
                isinstance(o, dict) and isinstance(o.get("path"), str) and _int(o.get("size"))
                and _int(o.get("mtime_ns")) for o in outputs))


def _name(file: Path) -> str:
    return str(Path(file).resolve())
