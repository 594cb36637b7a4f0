"""The plans the workbench serves: the folder's files, each with its unsaved edits.

The client names a plan by its slug (made from the file name) and never by a path: the files
are the ``*.yaml``/``*.yml`` regular files directly in the folder the server was started on
(symbolic links are skipped, so nothing outside the folder is read or written). An edited
plan is validated from its text exactly as ``validate`` validates the file, and saving
writes that text back atomically, refusing when the file changed on disk since it was read.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lead_replicate.errors import LeadError, OutputError
from lead_replicate.findings import PathParts
from lead_replicate.loading.loader import MAX_BYTES
from lead_replicate.rules.schema import slugify
from lead_replicate.rules.validate import Report, validate_text
from lead_replicate.workbench.editing import Document, EditError

UNDO_LIMIT = 200


class NotFound(LeadError):
    """No plan by that slug (or no such document)."""


class Conflict(LeadError):
    """The file changed on disk since it was loaded, or a new plan's file exists."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Plan:
    """One plan file: the text as last read or saved, and the text being edited."""

    slug: str
    path: Path
    disk_digest: str  # of the bytes last read or written: a save checks the file still has it
    saved_text: str
    text: str
    report: Report
    revision: int = 0
    undo: list[str] = field(default_factory=list)
    stamp: tuple[int, int] = (0, 0)  # the file's (mtime_ns, size) when read or written
    bom: bool = False  # the file starts with a UTF-8 byte-order mark: saving keeps it
    crlf: bool = False  # the file's lines end in CR LF: edited as LF, saved as CR LF
    _document: Document | None = None
    refreshing: bool = False  # a background thread is preparing the document

    def encoded(self) -> bytes:
        """The edited text as the file's bytes (its line endings and byte-order mark)."""
        text = self.text.replace("\n", "\r\n") if self.crlf else self.text
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")

    @property
    def dirty(self) -> bool:
        return self.text != self.saved_text

    @property
    def editable(self) -> bool:
        """A file that ``validate`` refuses to read (binary, too big, bad YAML) is not edited."""
        return self.report.source is not None

    def document(self) -> Document:
        if not self.editable:
            first = self.report.findings[0] if self.report.findings else None
            raise EditError("this file cannot be edited here until it can be read: "
                            f"{first.message if first else 'it is not valid YAML'}; "
                            "fix it in a text editor")
        if self._document is None:
            self._document = Document(self.text)
        return self._document


class Workspace:
    """The folder (or single file) the server was started on, and the plans being edited."""

    def __init__(self, target: Path) -> None:
        target = Path(target)
        self.single = target if target.is_file() else None
        self.folder = (target.parent if self.single else target).resolve()
        self.plans: dict[str, Plan] = {}
        self.lock = threading.RLock()  # the server may run handlers in threads

    # --- which files ----------------------------------------------------------------------

    def files(self) -> dict[str, Path]:
        """slug -> file, for the plan files directly in the folder (or the one file)."""
        if self.single is not None:
            candidates = [self.folder / self.single.name]
        else:
            candidates = sorted(p for p in self.folder.iterdir()
                                if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
        out: dict[str, Path] = {}
        for path in candidates:
            if path.is_symlink() or not path.is_file():
                continue
            slug = base = slugify(path.stem)
            n = 2
            while slug in out:
                slug, n = f"{base}-{n}", n + 1
            out[slug] = path
        return out

    def get(self, slug: str) -> Plan:
        with self.lock:
            files = self.files()
            path = files.get(slug)
            plan = self.plans.get(slug)
            if path is None:
                self.plans.pop(slug, None)
                raise NotFound(f"there is no plan '{slug}' in {self.folder}")
            if plan is None or plan.path != path or (not plan.dirty and
                                                     _stamp(path) != plan.stamp):
                plan = self.plans[slug] = self._load(slug, path)  # new, or changed on disk
                self._prepare_later(plan)
            return plan

    def _load(self, slug: str, path: Path) -> Plan:
        stamp = _stamp(path)
        raw = _read(path)
        report = validate_text(raw, self.shown(path))
        text = report.source.text if report.source is not None else ""
        crlf = "\r\n" in text
        if crlf:
            text = text.replace("\r\n", "\n")
            report = validate_text(text, self.shown(path))
        return Plan(slug, path, digest(raw), text, text, report, stamp=stamp,
                    bom=raw.startswith(b"\xef\xbb\xbf"), crlf=crlf)

    def shown(self, path: Path) -> str:
        """The file name findings carry: the same as ``validate FOLDER`` prints."""
        return path.name if self.single is None else str(self.single)

    # --- editing --------------------------------------------------------------------------

    def edit(self, slug: str, path: PathParts, value: Any) -> Plan:
        with self.lock:
            plan = self.get(slug)
            before = plan.text
            text = plan.document().edit(path, value, plan.report.source)
            if text != before:
                plan.undo = [*plan.undo[-(UNDO_LIMIT - 1):], before]
                self._set_text(plan, text)
            self._prepare_later(plan)
            return plan

    def _prepare_later(self, plan: Plan) -> None:
        """Read the plan's document in a background thread, between requests, when it is not
        read yet or an edit placed lines where ruamel would not, so the next edit does not
        wait for it (ruamel reads a 15 KB plan in about 50 ms)."""
        if plan.editable and not plan.refreshing and (
                plan._document is None or plan._document.stale):
            plan.refreshing = True
            threading.Thread(target=self._prepare, args=(plan,), daemon=True).start()

    def _prepare(self, plan: Plan) -> None:
        with self.lock:
            text, doc = plan.text, plan._document
        try:  # outside the lock: the slow part
            fresh: Document | None = Document(text, indent=doc.indent if doc else None)
        except EditError:
            fresh = None
        with self.lock:
            if fresh is not None and plan._document is doc and plan.text == text:
                plan._document = fresh
            plan.refreshing = False

    def set_text(self, slug: str, text: str) -> Plan:
        """Replace the whole text (the raw-YAML tab); checked as the file would be."""
        with self.lock:
            plan = self.get(slug)
            if text != plan.text:
                plan.undo = [*plan.undo[-(UNDO_LIMIT - 1):], plan.text]
                self._set_text(plan, text)
                plan._document = None
                self._prepare_later(plan)
            return plan

    def undo(self, slug: str) -> Plan:
        with self.lock:
            plan = self.get(slug)
            if plan.undo:
                self._set_text(plan, plan.undo.pop())
                plan._document = None
                self._prepare_later(plan)
            return plan

    def _set_text(self, plan: Plan, text: str) -> None:
        plan.text = text
        plan.report = validate_text(text, self.shown(plan.path))
        plan.revision += 1

    def reload(self, slug: str) -> Plan:
        """Drop unsaved edits and read the file again."""
        with self.lock:
            self.plans.pop(slug, None)
            return self.get(slug)

    def save(self, slug: str) -> Plan:
        """Write the edited text; Conflict when the file changed on disk since it was read."""
        from lead_replicate.documents.output import replace_atomic

        with self.lock:
            plan = self.get(slug)
            if not plan.editable:
                raise EditError("this file cannot be read as YAML; nothing to save")
            try:
                current = _read(plan.path)
            except OSError:
                current = b""
            if digest(current) != plan.disk_digest:
                raise Conflict(f"{plan.path.name} changed on disk since it was opened; reload "
                               "it (your unsaved changes are then lost) or copy them first")
            data = plan.encoded()
            if data != current:
                try:
                    mode = plan.path.stat().st_mode & 0o7777
                    replace_atomic(plan.path, data)
                    plan.path.chmod(mode)  # the planner's permissions, not the temp file's
                except OSError as exc:
                    raise OutputError(f"{plan.path.name} could not be saved: "
                                      f"{exc.strerror or exc}") from None
            plan.disk_digest, plan.saved_text = digest(data), plan.text
            plan.stamp = _stamp(plan.path)
            return plan

    def new_plan(self, name: str, state: str, kind: str) -> Plan:
        """``init``'s plan, in the folder, named after the jurisdiction (never overwriting)."""
        from lead_replicate.scaffold import write_new_plan

        if self.single is not None:
            raise Conflict("the workbench was started on one file; start it on a folder "
                           "to create plans")
        with self.lock:
            target = self.folder / f"{slugify(name)}.yaml"
            if target.exists():
                raise Conflict(f"{target.name} already exists in {self.folder}; "
                               "choose another name")
            write_new_plan(target, name, state, kind)
            slug = next(s for s, p in self.files().items() if p == target)
            return self.get(slug)

    def reports(self) -> list[tuple[str, Plan]]:
        """Every plan, with its current (unsaved) state."""
        with self.lock:
            return [(slug, self.get(slug)) for slug in self.files()]


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


def _read(path: Path) -> bytes:
    """The file's bytes, bounded as the loader bounds them (the report then refuses them)."""
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1)
