"""Tests for ``diff`` (diff.py) and the redlines (documents/redline.py, blockhtml.py)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT
from lxml import etree

from lead_replicate.cli import cli
from lead_replicate.diff import diff_plans, read_side
from lead_replicate.documents.word.blocks import Para
from lead_replicate.documents.word.redline import document_blocks, write_redlines

SANTA_FE = ROOT / "examples" / "santa_fe.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def edited(tmp_path: Path, old: str, new: str, name: str = "santa_fe.yaml") -> Path:
    """A copy of the Santa Fe example with one line changed."""
    text = SANTA_FE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    copy = tmp_path / name
    copy.write_text(text.replace(old, new), encoding="utf-8")
    return copy


@pytest.fixture
def no_removal(tmp_path: Path) -> Path:
    return edited(tmp_path, "removal_for_noncompliance: true", "removal_for_noncompliance: false")


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def test_one_decision_changed_is_reported_with_its_principle_and_counts(no_removal) -> None:
    result = run("diff", str(SANTA_FE), str(no_removal))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[:7] == [
        f"Changes from {SANTA_FE} to {no_removal}:",
        "",
        "Decisions (1):",
        "  Case management: removal for noncompliance: yes -> no",
        "",
        "LEAD principles whose status changed (1):",
        "  No failing out (core): not met -> met",
    ]
    old, new = read_side(str(SANTA_FE)), read_side(str(no_removal))
    assert f"  errors: {old.errors} -> {new.errors}" in lines
    assert new.errors == old.errors - 1


def test_a_file_against_itself_is_the_same(no_removal) -> None:
    result = run("diff", str(SANTA_FE), str(SANTA_FE))
    assert result.exit_code == 0
    assert result.output == (f"{SANTA_FE} and {SANTA_FE}: the plans are the same (no decision "
                             "changed).\n")
    commented = no_removal.parent / "commented.yaml"  # comments and layout are not decisions
    commented.write_text("# a note\n" + SANTA_FE.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("diff", str(SANTA_FE), str(commented)).exit_code == 0


def test_json_for_scripts(no_removal) -> None:
    result = run("diff", str(SANTA_FE), str(no_removal), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["same"] is False and data["written"] == []
    assert data["decisions"] == [{
        "section": "Case management", "path": "case_management.removal_for_noncompliance",
        "label": "removal for noncompliance", "old": "yes", "new": "no", "kind": "changed"}]
    assert [(p["id"], p["old"], p["new"]) for p in data["principles"]] == [
        ("no-fail-out", "error", "met")]
    assert data["after"]["errors"] == data["before"]["errors"] - 1


def test_lists_and_stakeholders_change_item_by_item(tmp_path) -> None:
    plan = edited(tmp_path, "    enabled: true        # \"Low-level drug offense\"",
                  "    enabled: false        # \"Low-level drug offense\"")
    result = diff_plans(read_side(str(SANTA_FE)), read_side(str(plan)))
    assert [(c.label, c.text()) for c in result.decisions] == [
        ("arrest diversion > enabled", "yes -> no")]


@pytest.mark.parametrize("bad, message", [
    ("missing.yaml", "missing.yaml:1:1: the file does not exist"),
    (str(DATA / "loader" / "python-object-tag.yaml"), "is not allowed"),
    (str(DATA / "schema" / "bad-enum.yaml"), "has format errors and cannot be compared"),
])
def test_unreadable_or_invalid_side_is_trouble_exit_2(bad, message) -> None:
    result = run("diff", bad, str(SANTA_FE))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("Error: ")
    assert message in result.stderr.splitlines()[-1]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_side_can_be_read_from_git(tmp_path, monkeypatch) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       cwd=tmp_path, check=True, capture_output=True)

    plan = tmp_path / "plan.yaml"
    plan.write_bytes(SANTA_FE.read_bytes())
    git("init", "-q")
    git("add", "plan.yaml")
    git("commit", "-q", "-m", "first draft")
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "removal_for_noncompliance: true", "removal_for_noncompliance: false"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("diff", "HEAD:plan.yaml", "plan.yaml")
    assert result.exit_code == 1, result.output
    assert "  Case management: removal for noncompliance: yes -> no" in result.output
    assert run("diff", "HEAD:./plan.yaml", "HEAD:plan.yaml").exit_code == 0
    missing = run("diff", "HEAD~5:plan.yaml", "plan.yaml")
    assert missing.exit_code == 2 and "git cannot show it" in missing.stderr


def body(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read("word/document.xml")).find(f"{W}body")


def words_when(root: etree._Element, *, accepted: bool) -> list[str]:
    """The document's words once every change is accepted (or rejected)."""
    paragraphs = []
    for p in root.iter(f"{W}p"):
        kept = []
        for el in p.iter(f"{W}t", f"{W}delText"):
            inserted = any(a.tag == f"{W}ins" for a in el.iterancestors())
            deleted = el.tag == f"{W}delText"
            if (accepted and not deleted) or (not accepted and not inserted):
                kept.append(el.text or "")
        paragraphs.append("".join(kept))
    return " ".join(paragraphs).split()


def words_of(report, document: str = "mou") -> list[str]:
    blocks = document_blocks(report, document, None).blocks
    paras = [p for b in blocks for p in ([b] if isinstance(b, Para) else
                                         [p for row in b.rows for c in row for p in c.paras])]
    return " ".join(p.text for p in paras).split()


def test_redline_is_that_one_change_as_word_tracked_changes(tmp_path, no_removal, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    old, new = read_side(str(SANTA_FE)), read_side(str(no_removal))
    written = write_redlines(old, new, tmp_path / "red", pdf=False)
    assert [p.name for p in written] == ["mou-redline.docx", "protocol-manual-redline.docx",
                                         "consent-form-redline.docx"]
    root = body((tmp_path / "red" / "mou-redline.docx").read_bytes())
    ins, dels = root.findall(f".//{W}ins"), root.findall(f".//{W}del")
    assert len(ins) == len(dels) == 1  # one sentence out, one sentence in, in one clause
    assert ins[0].getparent() is dels[0].getparent()
    for mark in (*ins, *dels):
        assert mark.get(f"{W}author") == "lead-replicate"
        assert mark.get(f"{W}date") == "2026-01-01T00:00:00Z"
    removed = "".join(t.text for t in dels[0].iter(f"{W}delText"))
    added = "".join(t.text for t in ins[0].iter(f"{W}t"))
    assert "removed" in removed and "fail out" in added
    # Accepting every change gives the new draft; rejecting them, the old one.
    assert words_when(root, accepted=True) == words_of(new)
    assert words_when(root, accepted=False) == words_of(old)


def test_renumbered_clauses_are_not_changes(tmp_path) -> None:
    plan = edited(tmp_path, "    enabled: true        # \"Low-level drug offense\"",
                  "    enabled: false        # \"Low-level drug offense\"")
    old, new = read_side(str(SANTA_FE)), read_side(str(plan))
    write_redlines(old, new, tmp_path / "red", pdf=False)
    root = body((tmp_path / "red" / "mou-redline.docx").read_bytes())
    paragraphs = root.findall(f"{W}p")
    case_management = [p for p in paragraphs
                       if "".join(t.text or "" for t in p.iter(f"{W}t")).startswith(
                           "Case management.")]
    assert len(case_management) == 1  # its number went down by three; its text did not change
    assert not list(case_management[0].iter(f"{W}ins", f"{W}del"))
    whole = [p for p in paragraphs if p.find(f"{W}pPr/{W}rPr/{W}del") is not None]
    assert len(whole) >= 3  # the eligible-offenses, exclusions and prosecutor clauses, whole
    assert words_when(root, accepted=True) == words_of(new)
    assert words_when(root, accepted=False) == words_of(old)


def test_out_writes_word_and_pdf_redlines(tmp_path, no_removal) -> None:
    out = tmp_path / "redlines"
    result = run("diff", str(SANTA_FE), str(no_removal), "--out", str(out))
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "consent-form-redline.docx", "consent-form-redline.pdf", "mou-redline.docx",
        "mou-redline.pdf", "protocol-manual-redline.docx", "protocol-manual-redline.pdf"]
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(out / "mou-redline.pdf").pages)
    assert "insertions are underlined, deletions are struck through" in " ".join(text.split())
    assert "Redline from santa_fe.yaml to santa_fe.yaml" in " ".join(text.split())
