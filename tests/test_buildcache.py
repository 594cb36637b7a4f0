"""Tests for the build cache: what the key covers, and the manifest's entries and damage."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import lead_replicate
from lead_replicate.documents import buildcache
from lead_replicate.documents.buildcache import MANIFEST_NAME, BuildCache, Row, file_key, shared_key
from lead_replicate.documents.packet import BuildOptions


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


def _built(out: Path, name: str = "mou.pdf", **kw: object) -> Row:
    _write(out / "example-city" / name, "pdf bytes")
    row = Row(jurisdiction="Example City", slug="example-city", errors=0, warnings=2,
              readiness=75.0, refused=["protocol-manual.pdf"],
              written=[str(out / "example-city" / name)])
    row.update(kw)  # type: ignore[typeddict-item]
    return row


def test_recorded_build_is_found_again_after_save_and_load(out, tmp_path):
    plan = tmp_path / "plan.yaml"
    cache = BuildCache.load(out)
    row = _built(out)
    cache.record(plan, "k1", row)
    cache.save()
    again = BuildCache.load(out)
    assert again.lookup(plan, "k1") == row
    assert again.lookup(plan, "k2") is None  # the file or the templates changed
    assert again.lookup(tmp_path / "other.yaml", "k1") is None
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    entry = manifest["entries"][str(plan.resolve())]
    assert manifest["format"] == 1
    assert entry["outputs"][0]["path"] == "example-city/mou.pdf"  # relative: the folder may move
    assert entry["key"] == "k1" and entry["warnings"] == 2 and "written" not in entry


@pytest.mark.parametrize("damage", ["delete", "edit", "touch"])
def test_output_deleted_or_edited_is_a_miss(out, tmp_path, damage):
    plan = tmp_path / "plan.yaml"
    cache = BuildCache.load(out)
    row = _built(out)
    cache.record(plan, "k1", row)
    pdf = Path(row["written"][0])
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
    cache.record(plan, "k2", Row(**{**row, "written": [str(out / "gone.pdf")]}))
    assert cache.lookup(plan, "k1") is None and cache.lookup(plan, "k2") is None
    cache.record(plan, "k1", row)
    assert cache.lookup(plan, "k1") == row
    cache.forget(plan)
    assert cache.lookup(plan, "k1") is None


def test_output_outside_the_folder_is_recorded_by_absolute_path(out, tmp_path):
    plan = tmp_path / "plan.yaml"
    elsewhere = tmp_path / "elsewhere.pdf"
    elsewhere.write_bytes(b"pdf")
    cache = BuildCache.load(out)
    cache.record(plan, "k1", _built(out, written=[str(elsewhere)]))
    cache.save()
    assert BuildCache.load(out).lookup(plan, "k1")["written"] == [str(elsewhere.resolve())]


@pytest.mark.parametrize("text", ["{not json", "[]", '{"format": 2, "entries": {}}',
                                  '{"format": 1, "entries": []}', '{"format": 1}'])
def test_damaged_manifest_is_an_empty_cache(out, tmp_path, text):
    _write(out / MANIFEST_NAME, text)
    cache = BuildCache.load(out)
    assert cache.entries == {}
    assert cache.lookup(tmp_path / "plan.yaml", "k1") is None


def test_damaged_entry_is_a_miss(out, tmp_path):
    plan = tmp_path / "plan.yaml"
    entries = {str(plan.resolve()): {"key": "k1", "outputs": [{"size": 3}]}}
    _write(out / MANIFEST_NAME, json.dumps({"format": 1, "entries": entries}))
    assert BuildCache.load(out).lookup(plan, "k1") is None


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
