"""Tests for output.py: output paths stay inside the output folder; writes are atomic."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lead_replicate.documents.output import RECORD, safe_output_path, write_atomic
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
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


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
