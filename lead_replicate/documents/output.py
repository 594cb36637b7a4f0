"""Safe paths inside the output folder, and atomic writes so nothing is left half written."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from lead_replicate.errors import OutputError

_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def safe_output_path(out_dir: Path, slug: str, filename: str) -> Path:
    """``out_dir/slug/filename``, refusing anything that would land outside ``out_dir``.

    The slug and file name come from user files, so ``..``, absolute paths and symbolic
    links that point elsewhere are all refused rather than followed.
    """
    if not _SLUG_RE.fullmatch(slug or ""):
        raise OutputError(f"'{slug}' cannot be used as a folder name: use lower-case letters, "
                          "digits and hyphens (for example 'example-city')")
    if not filename or "/" in filename or "\\" in filename or filename in (".", ".."):
        raise OutputError(f"'{filename}' is not a plain file name")
    root = Path(out_dir).resolve()
    target = root / slug / filename
    resolved = target.resolve()
    if not resolved.is_relative_to(root) or resolved != target:
        raise OutputError(f"{target} would be written outside the output folder {root}")
    return target


RECORD = ".lead-replicate-written.json"


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` atomically, never replacing a file this tool did not write.

    A file may be replaced when this tool wrote it and nobody has changed it since (its
    SHA-256 is in the folder's record), or with ``force``. Otherwise OutputError: an existing
    user file is never overwritten by surprise.
    """
    path = Path(path)
    record = _read_record(path.parent)
    if path.exists() and not force and record.get(path.name) != _digest(path.read_bytes()):
        raise OutputError(f"{path} already exists and was not written by lead-replicate "
                          "(or was changed since); use --force to replace it")
    replace_atomic(path, data)
    record[path.name] = _digest(data)
    replace_atomic(path.parent / RECORD, json.dumps(record, indent=1, sort_keys=True).encode())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_record(folder: Path) -> dict[str, str]:
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def replace_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename.

    A crash or a full disk leaves either the old file or the new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
