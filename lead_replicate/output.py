"""Safe paths inside the output folder, and atomic writes so nothing is left half written."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from lead_replicate.errors import OutputError

_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens; ``""`` when nothing usable is left."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:80].strip("-")


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


def write_atomic(path: Path, data: bytes) -> None:
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
