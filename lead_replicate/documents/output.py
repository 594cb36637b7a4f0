"""Safe paths inside the output folder, and atomic writes so nothing is left half written.

Each output folder holds a record, ``.lead-replicate-written.json``, of the SHA-256 of every
file the tool wrote there: a file may be replaced without ``--force`` only when its bytes are
bytes the tool wrote. The record entry is written *before* the document is renamed into
place and keeps the previous digest beside the new one, so a crash or a full disk between
the two renames leaves a file the next build still recognises as its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lead_replicate.errors import OutputError, os_error_text

try:  # advisory locks mark a temporary file as in use; Windows has none (see _sweep)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RECORD = ".lead-replicate-written.json"
RECORD_LIMIT = 1024 * 1024  # a record lists a few digests per file; anything bigger is damage
_DIGEST_RE = re.compile(r"[0-9a-f]{64}")
# The temporary names replace_atomic makes: "." + final name + "." + mkstemp's 8 characters.
_TMP_RE = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


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
    try:
        root = Path(out_dir).resolve()
        target = root / slug / filename
        resolved = target.resolve()
    except OSError as exc:
        raise OutputError(os_error_text(Path(out_dir), exc)) from None
    if not resolved.is_relative_to(root) or resolved != target:
        raise OutputError(f"{target} would be written outside the output folder {root}")
    return target


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` atomically, never replacing a file this tool did not write.

    A file may be replaced when its bytes are bytes this tool wrote there (their SHA-256 is in
    the folder's record), or with ``force``. Otherwise OutputError: an existing user file is
    never overwritten by surprise. Any operating-system failure (no permission, a read-only
    disk, a name too long, a full disk) becomes one plain OutputError naming the path.
    """
    path = Path(path)
    try:
        _write_recorded(path, data, force)
    except OSError as exc:
        raise OutputError(os_error_text(path, exc)) from None


def _write_recorded(path: Path, data: bytes, force: bool) -> None:
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    record, damaged = read_record(folder)
    mine = record.get(path.name, [])
    current = _digest(path.read_bytes()) if path.exists() else None
    if current is not None and current not in mine and not force:
        if damaged:
            raise OutputError(f"{path} already exists and lead-replicate's record of the files "
                              f"it wrote there ({folder / RECORD}) is damaged, so it cannot "
                              "tell whether you changed it; use --force to replace it")
        raise OutputError(f"{path} already exists and was not written by lead-replicate "
                          "(or was changed since); use --force to replace it")
    new = _digest(data)
    # Intent first: until the rename below, the old bytes (when they were ours) stay ours.
    record[path.name] = [new] + ([current] if current in mine and current != new else [])
    with _temporary(path, data) as tmp:
        replace_atomic(folder / RECORD, json.dumps(record, indent=1, sort_keys=True).encode())
        os.replace(tmp, path)


def written_by_us(path: Path) -> bool:
    """True when ``path`` holds bytes this tool wrote there (so it may replace or remove it)."""
    path = Path(path)
    try:
        return _digest(path.read_bytes()) in read_record(path.parent)[0].get(path.name, [])
    except OSError:
        return False


def read_record(folder: Path) -> tuple[dict[str, list[str]], bool]:
    """The folder's record as {file name: digests}, and whether the record was damaged.

    The record is a file anyone can edit, so it is bounded in size and checked for shape; a
    damaged record counts as "nothing recorded" (existing files then need ``--force``) and is
    rewritten whole at the next write. A plain digest string (the first format) still reads.
    """
    path = Path(folder) / RECORD
    try:
        with open(path, "rb") as handle:
            raw = handle.read(RECORD_LIMIT + 1)
    except FileNotFoundError:
        return {}, False
    except OSError:
        return {}, True
    try:
        if len(raw) > RECORD_LIMIT:
            raise ValueError("too large")
        loaded = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return {}, True
    if not isinstance(loaded, dict):
        return {}, True
    record: dict[str, list[str]] = {}
    for name, value in loaded.items():
        digests = [value] if isinstance(value, str) else value
        if not isinstance(digests, list) or not all(
                isinstance(d, str) and _DIGEST_RE.fullmatch(d) for d in digests):
            return {}, True
        record[name] = digests
    return record, False


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def replace_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename.

    A crash or a full disk leaves either the old file or the new one, never half of one (and
    at worst a temporary file, which the next write in that folder removes).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path.parent)
    with _temporary(path, data) as tmp:
        os.replace(tmp, path)


@contextlib.contextmanager
def _temporary(path: Path, data: bytes) -> Iterator[str]:
    """A flushed temporary copy of ``data`` beside ``path``, locked while it is in use.

    The lock tells :func:`_sweep` in another process that this file is not a crash's leftover;
    whatever the body does not rename away is removed on the way out.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            yield tmp  # still open, so still locked, until the body has renamed it
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _sweep(folder: Path) -> None:
    """Remove temporary files a crashed write of this tool left in ``folder``.

    Only names of the form replace_atomic makes are touched, and only when no live process
    holds their lock. Without advisory locks (Windows) a leftover must be a day old.
    """
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if _TMP_RE.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if _abandoned(entry.path):
                        os.unlink(entry.path)


def _abandoned(path: str) -> bool:
    if fcntl is None:  # pragma: no cover - Windows
        import time

        return time.time() - os.stat(path).st_mtime > 86400
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing releases the lock we may have taken
    return True
