"""The incremental build cache: which files' documents are still current, kept in a manifest."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import lead_replicate
from lead_replicate.documents.output import replace_atomic

if TYPE_CHECKING:
    from lead_replicate.documents.packet import BuildOptions

log = logging.getLogger(__name__)

MANIFEST_NAME = ".lead-replicate-cache.json"
MANIFEST_FORMAT = 1


class Row(TypedDict):
    """A built file's line in the closing table, kept so an unchanged file still has one."""

    jurisdiction: str
    slug: str | None
    errors: int
    warnings: int
    readiness: float | None
    refused: list[str]
    written: list[str]  # the documents written, as paths


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
             f"html={bool(options.html)}\0draft={bool(options.draft)}\0templates={templates}\0"
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

    The cache is an optimisation: a missing or damaged manifest means a full build, and a
    manifest that cannot be saved is logged, never raised.
    """

    def __init__(self, out_dir: Path, entries: dict[str, dict]) -> None:
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / MANIFEST_NAME
        self.entries = dict(entries)
        self._saved = dict(entries)

    @classmethod
    def load(cls, out_dir: Path) -> BuildCache:
        """The cache of ``out_dir``; empty when its manifest is missing or damaged."""
        path = Path(out_dir) / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, dict) or data.get("format") != MANIFEST_FORMAT:
            entries = {}
        return cls(out_dir, entries)

    def lookup(self, file: Path, key: str) -> Row | None:
        """The row of ``file`` when its key is unchanged and its documents are untouched."""
        entry = self.entries.get(_name(file))
        if not isinstance(entry, dict) or entry.get("key") != key or not self._intact(entry):
            return None
        return Row(jurisdiction=entry.get("jurisdiction") or "", slug=entry.get("slug"),
                   errors=entry.get("errors", 0), warnings=entry.get("warnings", 0),
                   readiness=entry.get("readiness"), refused=list(entry.get("refused", [])),
                   written=[str(self.out_dir / o["path"]) for o in entry.get("outputs", [])])

    def record(self, file: Path, key: str, row: Row) -> None:
        """Remember a fresh build; forget the file instead if an output cannot be recorded."""
        outputs = []
        root = self.out_dir.resolve()
        for written in row["written"]:
            p = Path(written).resolve()
            try:
                st = p.stat()
            except OSError:
                self.forget(file)
                return
            rel = p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p)
            outputs.append({"path": rel, "size": st.st_size, "mtime_ns": st.st_mtime_ns})
        entry: dict[str, Any] = {k: v for k, v in row.items() if k != "written"}
        self.entries[_name(file)] = {**entry, "key": key, "outputs": outputs}

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
        for out in entry.get("outputs", []):
            try:
                st = (self.out_dir / out["path"]).stat()
            except (OSError, KeyError, TypeError):
                return False
            if st.st_size != out.get("size") or st.st_mtime_ns != out.get("mtime_ns"):
                return False
        return True


def _name(file: Path) -> str:
    return str(Path(file).resolve())
