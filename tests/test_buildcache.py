"""Tests for the build cache: what the key covers, and the manifest's entries and damage."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import lead_replicate
from lead_replicate.documents import buildcache
from lead_replicate.documents.buildcache import (
    MANIFEST_LIMIT,
    MANIFEST_NAME,
    BuildCache,
    file_key,
    shared_key,
)
from lead_replicate.documents.packet import BuildOptions
from lead_replicate.findings import Counts
from lead_replicate.outcome import Outcome


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash a private copy of the shipped folders: others may edit the real ones meanwhile."""
    (tmp_path / "shipped" / "mou").mkdir(parents=True)
    (tmp_path / "shipped" / "mou" / "mou.html").write_text("<p>{{ name }}</p>", encoding="utf-8")
    (tmp_path / "rulebook").mkdir()
    (tmp_path / "mine").mkdir()
    folders = {"shipped": tmp_path / "shipped", "rulebook": tmp_path / "rulebook"}
    monkeypatch.setattr(buildcache, "shipped_folders", lambda: folders)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


def _options(tmp_path: Path, **kw: object) -> BuildOptions:
    kw.setdefault("templates", tmp_path / "mine")
    return BuildOptions(tmp_path / "out", **kw)  # type: ignore[arg-type]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


Change = Callable[[Path, pytest.MonkeyPatch], BuildOptions | None]
CHANGES: dict[str, Change] = {
    "shipped template edited": lambda t, m: _write(t / "shipped/mou/mou.html", "<p>changed</p>"),
    "rulebook file added": lambda t, m: _write(t / "rulebook/principles.yaml", "- id: new\n"),
    "override added": lambda t, m: _write(t / "mine/mou/mou.html", "<p>ours</p>"),
    "override asset added": lambda t, m: _write(t / "mine/assets/lead.css", "p { color: red }"),
    "other override folder": lambda t, m: _options(t, templates=t / "shipped"),
    "no override folder": lambda t, m: _options(t, templates=None),
    "--html": lambda t, m: _options(t, html=True),
    "--draft": lambda t, m: _options(t, draft=True),
    "--docx": lambda t, m: _options(t, docx=True),
    "version": lambda t, m: m.setattr(lead_replicate, "__version__", "99.0.0"),
    "SOURCE_DATE_EPOCH": lambda t, m: m.setenv("SOURCE_DATE_EPOCH", "1800000000"),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_shared_key_covers_templates_rulebook_options_version_and_date(tmp_path, monkeypatch,
                                                                        change):
    options = _options(tmp_path)
    before = shared_key(options)
    assert shared_key(options) == before  # stable when nothing changes
    changed = CHANGES[change](tmp_path, monkeypatch)
    assert shared_key(changed or options) != before


def test_file_key_covers_the_file_bytes_and_the_shared_part():
    assert file_key(b"a", b"plan") == file_key(b"a", b"plan")
    assert file_key(b"a", b"plan") != file_key(b"a", b"plan\n# edited\n")
    assert file_key(b"a", b"plan") != file_key(b"b", b"plan")


def _built(out: Path, name: str = "mou.pdf", **kw: object) -> Outcome:
    _write(out / "example-city" / name, "pdf bytes")
    outcome = Outcome(str(out.parent / "plan.yaml"), jurisdiction="Example City",
                      slug="example-city", counts=Counts(0, 2, 1), readiness=75.0,
                      refused=["protocol-manual.pdf"], written=[out / "example-city" / name])
    return dataclasses.replace(outcome, **kw)  # type: ignore[arg-type]


def test_recorded_build_is_found_again_after_save_and_load(out, tmp_path):
    plan = tmp_path / "plan.yaml"
    cache = BuildCache.load(out)
    row = _built(out)
    cache.record(plan, "k1", row)
    cache.save()
    again = BuildCache.load(out)
    assert again.lookup(plan, "k1") == dataclasses.replace(row, cached=True)
    assert again.lookup(plan, "k2") is None  # the file or the templates changed
    assert again.lookup(tmp_path / "other.yaml", "k1") is None
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    entry = manifest["entries"][str(plan.resolve())]
    assert manifest["format"] == 2
    assert entry["outputs"][0]["path"] == "example-city/mou.pdf"  # relative: the folder may move
    assert entry["key"] == "k1" and entry["counts"] == [0, 2, 1] and "written" not in entry


@pytest.mark.parametrize("damage", ["delete", "edit", "touch"])
def test_output_deleted_or_edited_is_a_miss(out, tmp_path, damage):
    plan = tmp_path / "plan.yaml"
    cache = BuildCache.load(out)
    row = _built(out)
    cache.record(plan, "k1", row)
    pdf = Path(row.written[0])
    if damage == "delete":
        pdf.unlink()
    elif damage == "edit":
        pdf.write_bytes(b"edited by hand")
    else:
        stamp = pdf.stat().st_mtime_ns + 5_000_000_000
        os.utime(pdf, ns=(stamp, stamp))
    assert cache.lookup(plan, "k1") is None


def test_unrecordable_output_and_forget_drop_the_entry(out, tmp_path):
    plan = tmp_path / "plan.yaml"
    cache = BuildCache.load(out)
    row = _built(out)
    cache.record(plan, "k1", row)
    cache.record(plan, "k2", dataclasses.replace(row, written=[out / "gone.pdf"]))
    assert cache.lookup(plan, "k1") is None and cache.lookup(plan, "k2") is None
    cache.record(plan, "k1", row)
    assert cache.lookup(plan, "k1") == dataclasses.replace(row, cached=True)
    cache.record(plan, "k1", dataclasses.replace(row, problem="no PDF engine"))
    assert cache.lookup(plan, "k1") is None  # a failed build is never served from the cache
    cache.record(plan, "k1", row)
    cache.forget(plan)
    assert cache.lookup(plan, "k1") is None


def test_output_outside_the_folder_is_recorded_by_absolute_path(out, tmp_path):
    plan = tmp_path / "plan.yaml"
    elsewhere = tmp_path / "elsewhere.pdf"
    elsewhere.write_bytes(b"pdf")
    cache = BuildCache.load(out)
    cache.record(plan, "k1", _built(out, written=[elsewhere]))
    cache.save()
    assert BuildCache.load(out).lookup(plan, "k1").written == [elsewhere.resolve()]


GOOD_ENTRY = {"key": "k1", "jurisdiction": "Example City", "slug": "example-city",
              "counts": [0, 2, 1], "readiness": 75, "refused": [], "draft": False,
              "outputs": [{"path": "example-city/mou.pdf", "size": 9, "mtime_ns": 1}]}
DAMAGE = {
    "not json": "{not json",
    "a list": "[]",
    "an old format": '{"format": 1, "entries": {}}',
    "entries a list": '{"format": 2, "entries": []}',
    "no entries": '{"format": 2}',
    "nested 100,000 deep": '{"format": 2, "entries": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "counts a string": json.dumps({"format": 2, "entries": {"p": {**GOOD_ENTRY, "counts": "3"}}}),
    "readiness true": json.dumps({"format": 2, "entries": {"p": {**GOOD_ENTRY,
                                                                  "readiness": True}}}),
    "size a float": json.dumps({"format": 2, "entries": {"p": {**GOOD_ENTRY, "outputs": [
        {"path": "x", "size": 1.5, "mtime_ns": 1}]}}}),
    "an entry a list": json.dumps({"format": 2, "entries": {"p": [GOOD_ENTRY]}}),
    "a missing key": json.dumps({"format": 2, "entries": {"p": {
        k: v for k, v in GOOD_ENTRY.items() if k != "key"}}}),
}


def test_good_entry_is_well_formed(out, tmp_path):
    """The shape DAMAGE departs from is the one record() writes and load() accepts."""
    _write(out / MANIFEST_NAME, json.dumps({"format": 2, "entries": {"p": GOOD_ENTRY}}))
    assert BuildCache.load(out).entries == {"p": GOOD_ENTRY}


@pytest.mark.parametrize("text", DAMAGE.values(), ids=list(DAMAGE))
def test_damaged_manifest_is_an_empty_cache(out, tmp_path, text):
    _write(out / MANIFEST_NAME, text)
    cache = BuildCache.load(out)
    assert cache.entries == {}
    assert cache.lookup(tmp_path / "plan.yaml", "k1") is None


def test_oversized_manifest_is_not_read(out, tmp_path):
    manifest = out / MANIFEST_NAME
    out.mkdir()
    with manifest.open("wb") as handle:
        handle.truncate(MANIFEST_LIMIT + 1)  # sparse: were it read, json would refuse it anyway
    assert BuildCache.load(out).entries == {}


def test_empty_cache_ignores_the_manifest_and_replaces_it(out, tmp_path):
    """--force: the manifest is not even read, and a damaged one is replaced at save."""
    _write(out / MANIFEST_NAME, "[" * 100_000)
    cache = BuildCache.empty(out)
    assert cache.entries == {}
    cache.save()
    assert json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8")) == {
        "format": 2, "entries": {}}


def test_save_writes_only_when_something_changed(out, tmp_path):
    cache = BuildCache.load(out)
    cache.forget(tmp_path / "plan.yaml")
    cache.save()
    assert not out.exists()  # a run that built nothing creates no folder
    cache.record(tmp_path / "plan.yaml", "k1", _built(out))
    cache.save()
    stamp = (out / MANIFEST_NAME).stat().st_mtime_ns
    cache.save()
    BuildCache.load(out).save()
    assert (out / MANIFEST_NAME).stat().st_mtime_ns == stamp
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST_NAME, "example-city"]  # no temp


def test_save_failure_is_logged_not_raised(tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be", encoding="utf-8")
    cache = BuildCache(blocker, {})
    cache.entries["x"] = {"key": "k1", "outputs": []}
    with caplog.at_level(logging.WARNING, logger="lead_replicate.documents.buildcache"):
        cache.save()
    assert "could not save the build cache" in caplog.text
