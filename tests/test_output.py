"""Tests for output.py: output paths stay inside the output folder; writes are atomic."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import tempfile
from pathlib import Path

import pytest

from lead_replicate.documents.output import (
    RECORD,
    RECORD_LIMIT,
    read_record,
    safe_output_path,
    write_atomic,
    written_by_us,
)
from lead_replicate.errors import OutputError


def test_safe_path_inside_the_folder(tmp_path: Path) -> None:
    expected = tmp_path.resolve() / "seattle" / "mou.pdf"
    assert safe_output_path(tmp_path, "seattle", "mou.pdf") == expected


@pytest.mark.parametrize("slug", ["..", "../x", "/etc", "a/b", "", "Seattle", "a..b", "-x"])
def test_bad_slugs_are_refused(tmp_path: Path, slug: str) -> None:
    with pytest.raises(OutputError):
        safe_output_path(tmp_path, slug, "mou.pdf")


@pytest.mark.parametrize("name", ["../mou.pdf", "a/b.pdf", "..", ""])
def test_bad_file_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputError):
        safe_output_path(tmp_path, "seattle", name)


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "seattle").symlink_to(elsewhere)
    with pytest.raises(OutputError, match="outside the output folder"):
        safe_output_path(out, "seattle", "mou.pdf")


def test_write_atomic_replaces_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "a" / "mou.pdf"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(os.listdir(target.parent)) == sorted([RECORD, "mou.pdf"])


def test_write_atomic_failure_keeps_the_old_file(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "mou.pdf"
    write_atomic(target, b"old")

    def broken(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OutputError) as info:
        write_atomic(target, b"new")
    assert str(info.value) == (f"{target}: cannot write (No space left on device); the disk "
                               "is full; free some space and run the command again")
    assert target.read_bytes() == b"old"
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even ``except Exception`` blocks."""


@pytest.mark.parametrize("fatal", [1, 2], ids=["record-renamed", "document-renamed"])
def test_a_crash_between_the_renames_does_not_lock_the_tool_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fatal: int) -> None:
    """Die at the 1st or 2nd rename of a rebuild, leaving the temporary files on disk."""
    target = tmp_path / "mou.pdf"
    write_atomic(target, b"old")
    real_replace, real_unlink, calls = os.replace, os.unlink, []

    def dying_replace(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == fatal:
            monkeypatch.setattr(os, "unlink", lambda p: None)  # a dead process cleans nothing
            raise Killed
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", dying_replace)
    with pytest.raises(Killed):
        write_atomic(target, b"new")
    monkeypatch.setattr(os, "replace", real_replace)
    monkeypatch.setattr(os, "unlink", real_unlink)
    assert [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]  # the crash's leftovers
    assert target.read_bytes() == b"old"
    write_atomic(target, b"newer")  # the next build recovers by itself, without --force
    assert target.read_bytes() == b"newer"
    assert sorted(os.listdir(tmp_path)) == sorted([RECORD, "mou.pdf"])
    assert written_by_us(target)


def test_a_live_writer_keeps_its_temporary_file(tmp_path: Path) -> None:
    """Only a dead write's temporary file is swept: a locked one belongs to a live process."""
    leftover = tmp_path / ".mou.pdf.abcd1234.tmp"
    leftover.write_bytes(b"half")
    busy = tmp_path / ".protocol-manual.pdf.efgh5678.tmp"
    busy.write_bytes(b"in use")
    other = tmp_path / ".notes.tmp"  # not a name this tool makes
    other.write_bytes(b"someone else's")
    with open(busy, "rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        write_atomic(tmp_path / "mou.pdf", b"new")
        assert sorted(os.listdir(tmp_path)) == sorted(
            [RECORD, "mou.pdf", busy.name, other.name])


@pytest.mark.parametrize("damage", [
    "[" * 100_000 + "]" * 100_000,
    '{"mou.pdf": 3}',
    '{"mou.pdf": ["not a digest"]}',
    "[]",
    " " * (RECORD_LIMIT + 1),
    "\xff",
])
def test_a_damaged_record_counts_as_nothing_recorded(tmp_path: Path, damage: str) -> None:
    (tmp_path / RECORD).write_text(damage, encoding="latin-1")
    write_atomic(tmp_path / "new.pdf", b"fresh")  # a new file is written, the record repaired
    assert read_record(tmp_path) == ({"new.pdf": [hashlib.sha256(b"fresh").hexdigest()]}, False)
    (tmp_path / "mou.pdf").write_bytes(b"was it ours?")
    (tmp_path / RECORD).write_text(damage, encoding="latin-1")
    with pytest.raises(OutputError) as info:
        write_atomic(tmp_path / "mou.pdf", b"new")
    assert str(info.value) == (
        f"{tmp_path / 'mou.pdf'} already exists and lead-replicate's record of the files it "
        f"wrote there ({tmp_path / RECORD}) is damaged, so it cannot tell whether you changed "
        "it; use --force to replace it")
    write_atomic(tmp_path / "mou.pdf", b"new", force=True)
    assert written_by_us(tmp_path / "mou.pdf")


def test_the_first_record_format_still_reads(tmp_path: Path) -> None:
    (tmp_path / "mou.pdf").write_bytes(b"old")
    (tmp_path / RECORD).write_text(
        json.dumps({"mou.pdf": hashlib.sha256(b"old").hexdigest()}), encoding="utf-8")
    write_atomic(tmp_path / "mou.pdf", b"new")
    assert (tmp_path / "mou.pdf").read_bytes() == b"new"


@pytest.mark.parametrize(("error", "advice"), [
    (PermissionError(errno.EACCES, "Permission denied"),
     "choose another folder, or change its permissions"),
    (PermissionError(errno.EPERM, "Operation not permitted"),
     "the folder may be read-only or immutable; choose another folder, or change its "
     "permissions"),
    (OSError(errno.EROFS, "Read-only file system"),
     "the disk is read-only; choose a folder on another disk"),
])
def test_an_unwritable_folder_is_a_plain_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               error: OSError, advice: str) -> None:
    """Tests run as root, where chmod 555 does not stop a write: fake the refusal."""
    def refused(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    target = tmp_path / "seattle" / "mou.pdf"
    with pytest.raises(OutputError) as info:
        write_atomic(target, b"new")
    assert str(info.value) == f"{target}: cannot write ({error.strerror}); {advice}"


def test_a_name_too_long_is_a_plain_error(tmp_path: Path) -> None:
    target = tmp_path / ("a" * 300) / "mou.pdf"
    with pytest.raises(OutputError) as info:
        write_atomic(target, b"new")
    assert str(info.value) == (f"{target}: cannot write (File name too long); the name is "
                               "too long for this disk; choose a shorter name")


def test_never_replaces_a_file_it_did_not_write(tmp_path: Path) -> None:
    target = tmp_path / "seattle" / "mou.pdf"
    target.parent.mkdir()
    target.write_bytes(b"the user's own file")
    with pytest.raises(OutputError, match="was not written by lead-replicate"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"the user's own file"
    write_atomic(target, b"new", force=True)
    assert target.read_bytes() == b"new"


def test_replaces_its_own_output_until_someone_edits_it(tmp_path: Path) -> None:
    target = tmp_path / "mou.pdf"
    write_atomic(target, b"first")
    write_atomic(target, b"second")  # ours, unchanged since: replaced without --force
    assert target.read_bytes() == b"second"
    assert (tmp_path / RECORD).is_file()
    target.write_bytes(b"edited by hand")
    with pytest.raises(OutputError):
        write_atomic(target, b"third")
    assert target.read_bytes() == b"edited by hand"
