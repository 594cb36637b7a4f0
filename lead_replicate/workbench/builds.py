"""The "Build PDFs" button: the folder's saved plans built as ``build`` builds them.

One build runs at a time, in a background thread, so the page stays responsive and can show
progress; the files it wrote are then served by name (nothing else in the output folder).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from lead_replicate.errors import LeadError
from lead_replicate.workbench.workspace import Workspace

log = logging.getLogger(__name__)


class BuildJob:
    """The current or last build of the workspace's plans into ``out_dir``."""

    def __init__(self, workspace: Workspace, out_dir: Path) -> None:
        self.workspace, self.out_dir = workspace, Path(out_dir)
        self.lock = threading.Lock()
        self.running = False
        self.total = 0
        self.items: list[dict[str, Any]] = []
        self.error: str | None = None
        self.files: dict[tuple[str, str], Path] = {}
        self.thread: threading.Thread | None = None

    def status(self) -> dict[str, Any]:
        with self.lock:
            return {"running": self.running, "done": len(self.items), "total": self.total,
                    "out_dir": str(self.out_dir), "items": list(self.items),
                    "error": self.error}

    def start(self) -> dict[str, Any]:
        """Start building every saved plan; refused while a build runs."""
        with self.lock:
            if self.running:
                raise LeadError("a build is already running")
            files = list(self.workspace.files().items())
            if not files:
                raise LeadError("there are no plans to build")
            self.running, self.total, self.items, self.error = True, len(files), [], None
            self.files = {}
        self.thread = threading.Thread(target=self._run, args=(files,), daemon=True)
        self.thread.start()
        return self.status()

    def _run(self, files: list[tuple[str, Path]]) -> None:
        from lead_replicate.cohort import build_many
        from lead_replicate.documents.packet import BuildOptions

        slugs = {str(path): slug for slug, path in files}

        def progress(item: Any) -> None:
            written = [Path(p) for p in item.written]
            names = [p.name for p in written if p.suffix in (".pdf", ".html", ".docx")]
            entry = {"file": Path(item.file).name, "plan": slugs.get(item.file),
                     "slug": item.slug, "written": names, "refused": list(item.refused),
                     "cached": item.cached, "draft": item.draft, "problem": item.problem,
                     "message": _message(item, names)}
            with self.lock:
                for p in written:
                    if item.slug:
                        self.files[(item.slug, p.name)] = p
                self.items.append(entry)

        try:
            build_many([path for _, path in files], BuildOptions(out_dir=self.out_dir),
                       jobs=1, progress=progress)
        except LeadError as exc:
            with self.lock:
                self.error = str(exc)
        except Exception as exc:  # never let the thread die with a traceback
            log.error("the build stopped: %s: %s", type(exc).__name__, exc)
            with self.lock:
                self.error = f"the build stopped unexpectedly ({type(exc).__name__}: {exc})"
        finally:
            with self.lock:
                self.running = False

    def file(self, slug: str, name: str) -> Path | None:
        """A file the last build wrote, by its folder and name; None for anything else."""
        with self.lock:
            path = self.files.get((slug, name))
        return path if path is not None and path.is_file() else None


def _message(item: Any, names: list[str]) -> str:
    """One plain line about one file's build, for the page."""
    if item.problem:
        return str(item.problem)
    parts = []
    if names:
        parts.append(("up to date: " if item.cached else "wrote ") + ", ".join(names))
    if item.refused:
        parts.append("refused " + " and ".join(item.refused) + " while the plan has errors")
    return "; ".join(parts) or "nothing to write"
