"""Tests for cohort builds: cache hits and misses, the process pool and the closing table."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
import yaml
from conftest import DATA

from lead_replicate import pool
from lead_replicate.cohort import build_many
from lead_replicate.console import format_table
from lead_replicate.documents import buildcache
from lead_replicate.documents.buildcache import MANIFEST_NAME
from lead_replicate.documents.packet import BuildOptions
from lead_replicate.findings import Counts
from lead_replicate.outcome import Outcome

CALLS: list[str] = []  # files the fake builder built, in this process


def fake_build(path: Path, options: BuildOptions, raw: bytes) -> Outcome:
    """A fast stand-in for build_jurisdiction; module level so worker processes can import it.

    Like the real one, it builds from the bytes the cohort read, never from the file.
    """
    data = yaml.safe_load(raw)
    if data.get("x_test") == "crash":
        os._exit(3)  # a worker dying as if the PDF engine had crashed
    if data.get("x_test") == "boom":
        raise RuntimeError("boom")
    CALLS.append(Path(path).name)
    slug = data["jurisdiction"]["slug"]
    folder = Path(options.out_dir) / slug
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "mou.pdf"
    target.write_bytes(raw + f"{options}".encode())
    return Outcome(str(path), jurisdiction=data["jurisdiction"]["name"], slug=slug,
                   counts=Counts(1, 0, 0), written=[target], refused=["protocol-manual.pdf"])


def write_plan(folder: Path, stem: str, *, slug: str | None = None, extra: str = "") -> Path:
    text = (DATA / "complete.yaml").read_text(encoding="utf-8")
    text = text.replace("name: Example City and County, Oregon",
                        f"name: Example {stem.title()} County, Oregon", 1)
    text = text.replace("slug: example-city", f"slug: {slug or 'example-' + stem}", 1)
    path = folder / f"{stem}.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash a private copy of the shipped folders: others may edit the real ones meanwhile."""
    shipped = tmp_path / "shipped"
    (shipped / "mou").mkdir(parents=True)
    (shipped / "mou" / "mou.html").write_text("<p>{{ name }}</p>", encoding="utf-8")
    (tmp_path / "rulebook").mkdir()
    monkeypatch.setattr(buildcache, "shipped_folders",
                        lambda: {"shipped": shipped, "rulebook": tmp_path / "rulebook"})
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    CALLS.clear()


@pytest.fixture
def plans(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "plans"
    folder.mkdir()
    return [write_plan(folder, stem) for stem in ("alpha", "bravo", "charlie")]


@pytest.fixture
def options(tmp_path: Path) -> BuildOptions:
    return BuildOptions(out_dir=tmp_path / "out")


def build(plans: list[Path], options: BuildOptions, **kw: object) -> list[Outcome]:
    kw.setdefault("jobs", 1)
    return build_many(plans, options, builder=fake_build, **kw)  # type: ignore[arg-type]


def force(options: BuildOptions) -> BuildOptions:
    return dataclasses.replace(options, force=True)


def test_unchanged_rebuild_is_cached_and_rewrites_nothing(plans, options):
    first = build(plans, options)
    assert CALLS == ["alpha.yaml", "bravo.yaml", "charlie.yaml"]
    assert [i.cached for i in first] == [False, False, False]
    manifest = options.out_dir / MANIFEST_NAME
    stamps = {p: p.stat().st_mtime_ns for p in options.out_dir.rglob("*")}
    CALLS.clear()
    second = build(plans, options)
    assert CALLS == []
    assert [i.cached for i in second] == [True, True, True]
    assert {p: p.stat().st_mtime_ns for p in options.out_dir.rglob("*")} == stamps
    assert manifest.exists()
    # the closing table still has every row's numbers
    assert [(i.jurisdiction, i.counts, i.refused) for i in second] == [
        (i.jurisdiction, i.counts, i.refused) for i in first]
    assert second[0].written == [options.out_dir / "example-alpha" / "mou.pdf"]


def test_cached_run_loads_no_builder_and_starts_no_pool(plans, options, monkeypatch):
    build(plans, options)

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cached run must not load the builder or start a pool")

    monkeypatch.setattr(pool, "_default_builder", forbidden)
    monkeypatch.setattr(pool, "ProcessPoolExecutor", forbidden)
    items = build_many(plans, options, jobs=4)
    assert all(i.cached for i in items)


def test_edited_file_rebuilds_only_that_file(plans, options):
    build(plans, options)
    CALLS.clear()
    plans[1].write_text(plans[1].read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    items = build(plans, options)
    assert CALLS == ["bravo.yaml"]
    assert [i.cached for i in items] == [True, False, True]


def test_source_date_epoch_change_rebuilds_everything(plans, options, monkeypatch):
    """One shared-key change end to end; test_buildcache checks everything the key covers."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(plans, options)
    CALLS.clear()
    build(plans, options)
    assert CALLS == []
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    build(plans, options)
    assert len(CALLS) == 3


def test_deleted_or_edited_output_is_rebuilt(plans, options):
    build(plans, options)
    CALLS.clear()
    (options.out_dir / "example-alpha" / "mou.pdf").unlink()
    (options.out_dir / "example-charlie" / "mou.pdf").write_bytes(b"edited by hand")
    items = build(plans, options)
    assert CALLS == ["alpha.yaml", "charlie.yaml"]
    assert [i.cached for i in items] == [False, True, False]
    assert (options.out_dir / "example-alpha" / "mou.pdf").exists()


def test_force_rebuilds_everything(plans, options):
    build(plans, options)
    CALLS.clear()
    items = build(plans, force(options))
    assert len(CALLS) == 3
    assert not any(i.cached for i in items)


def test_damaged_manifest_means_a_full_build(plans, options):
    build(plans, options)
    (options.out_dir / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    CALLS.clear()
    build(plans, options)
    assert len(CALLS) == 3
    assert json.loads((options.out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))["format"] == 2


def test_failing_file_does_not_stop_the_others_and_is_not_cached(plans, options, tmp_path):
    bad = write_plan(plans[0].parent, "delta", extra="x_test: boom\n")
    files = [plans[0], bad, plans[1]]
    items = build(files, options)
    assert [Path(i.file).name for i in items] == ["alpha.yaml", "delta.yaml", "bravo.yaml"]
    assert items[1].problem is not None and "RuntimeError: boom" in items[1].problem
    assert items[1].failed and items[1].counts is None
    assert not items[0].failed and not items[2].failed
    entries = json.loads((options.out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))["entries"]
    assert str(bad.resolve()) not in entries
    CALLS.clear()
    again = build(files, options)
    assert [i.cached for i in again] == [True, False, True]


def test_slug_collision_second_file_is_an_error(plans, options):
    twin = write_plan(plans[0].parent, "zulu", slug="example-alpha")
    items = build([plans[0], twin], options)
    assert CALLS == ["alpha.yaml"]
    assert not items[0].failed
    assert items[1].problem == (
        f"its slug 'example-alpha' is already used by {plans[0]} in this build, so its "
        "documents would replace that file's; give one of them a different jurisdiction.slug")
    assert b"Alpha" in (options.out_dir / "example-alpha" / "mou.pdf").read_bytes()


def test_slug_collision_with_a_cached_file(plans, options):
    build([plans[0]], options)
    CALLS.clear()
    twin = write_plan(plans[0].parent, "zulu", slug="example-alpha")
    items = build([plans[0], twin], options)
    assert CALLS == []
    assert items[0].cached and items[1].failed


def test_progress_reports_every_file_once(plans, options):
    build(plans[:1], options)
    seen: list[Outcome] = []
    build(plans, options, progress=seen.append)
    assert sorted(Path(i.file).name for i in seen) == ["alpha.yaml", "bravo.yaml", "charlie.yaml"]
    assert [i.cached for i in seen] == [True, False, False]  # cache hits are reported first


def test_pool_survives_a_raising_and_a_crashing_worker(plans, options):
    folder = plans[0].parent
    crash = write_plan(folder, "echo", extra="x_test: crash\n")
    boom = write_plan(folder, "foxtrot", extra="x_test: boom\n")
    files = [plans[0], crash, plans[1], boom, plans[2]]
    items = build(files, options, jobs=2)
    assert [i.file for i in items] == [str(p) for p in files]
    assert [i.failed for i in items] == [False, True, False, True, False]
    assert items[1].problem == pool.CRASHED
    assert "RuntimeError: boom" in (items[3].problem or "")
    for item in (items[0], items[2], items[4]):
        assert Path(item.written[0]).is_file()
    entries = json.loads((options.out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))["entries"]
    assert sorted(entries) == sorted(str(p.resolve()) for p in plans)  # failures not cached


def test_closing_table(plans, options):
    bad = write_plan(plans[0].parent, "delta", extra="x_test: boom\n")
    build(plans[:1], options)
    items = build([plans[0], plans[1], bad], options)
    table = format_table(items).splitlines()
    assert table[:5] == [
        "Jurisdiction                  Errors  Warnings  Open  Readiness  Documents",
        "----------------------------  ------  --------  ----  ---------  ---------------------",
        "Example Alpha County, Oregon       1         0     0          -  1 cached, 1 refused",
        "Example Bravo County, Oregon       1         0     0          -  1 written, 1 refused",
        "delta.yaml                         -         -     -          -  not built (see below)"]
    assert table[6].startswith(f"{bad}: internal error while building this file (RuntimeError")
    assert table[-1] == ("3 jurisdictions: 1 built, 1 unchanged (from the cache), 1 failed; "
                         "2 with documents refused.")


def test_real_builder_in_a_pool(tmp_path, monkeypatch):
    """Two small plans through the real build_jurisdiction in spawned workers."""
    monkeypatch.undo()  # hash the real shipped templates
    folder = tmp_path / "real"
    folder.mkdir()
    files = [write_plan(folder, "golf"), write_plan(folder, "hotel")]
    options = BuildOptions(out_dir=tmp_path / "out")
    items = build_many(files, options, jobs=2)
    assert [i.problem for i in items] == [None, None], [i.problem for i in items]
    assert all(i.written and all(Path(w).is_file() for w in i.written) for i in items)
    assert all(i.readiness is not None for i in items)
    again = build_many(files, options, jobs=2)
    assert all(i.cached for i in again)
    assert [i.readiness for i in again] == [i.readiness for i in items]


# --- one read per plan: the bytes keyed are the bytes checked and rendered ------------------


@pytest.fixture
def html_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real packet builder with a stand-in PDF engine: the 'PDF' is the page's HTML."""
    monkeypatch.setattr("lead_replicate.documents.pdf.render_pdf",
                        lambda html, **kw: html.encode("utf-8"))


def test_plan_edited_during_a_build_never_reaches_the_documents(tmp_path, monkeypatch,
                                                                 html_pdfs):
    """Edit a plan right after the build read it, then put it back: no stale cache entry."""
    from lead_replicate.loading import loader

    plan = write_plan(tmp_path, "alpha")
    original = plan.read_bytes()
    real = loader.read_bounded
    reads: list[str] = []

    def read_then_edit(path: Path, limit: int) -> bytes:
        data = real(path, limit)
        if Path(path) == plan:
            reads.append(plan.name)
            plan.write_bytes(original.replace(b"Example Alpha", b"Edited Meanwhile"))
        return data

    monkeypatch.setattr(loader, "read_bounded", read_then_edit)
    options = BuildOptions(out_dir=tmp_path / "out")
    build_many([plan], options, jobs=1)
    assert reads == ["alpha.yaml"]  # once: the builder checks and renders those same bytes
    mou = options.out_dir / "example-alpha" / "mou.pdf"
    assert b"Example Alpha County" in mou.read_bytes()
    assert b"Edited Meanwhile" not in mou.read_bytes()
    monkeypatch.setattr(loader, "read_bounded", real)
    plan.write_bytes(original)  # put back: the cache entry is the original bytes' key
    (again,) = build_many([plan], options, jobs=1)
    assert again.cached and b"Example Alpha County" in mou.read_bytes()


def test_truncated_read_is_cached_under_its_own_key(tmp_path, monkeypatch, html_pdfs):
    """A plan read half-saved gets that half's findings, and the next build reads it whole."""
    from lead_replicate.loading import loader

    plan = write_plan(tmp_path, "alpha")
    whole = plan.read_bytes()
    real = loader.read_bounded

    def half_saved(path: Path, limit: int) -> bytes:
        data = real(path, limit)
        return data[: len(whole) // 3] if Path(path) == plan else data

    monkeypatch.setattr(loader, "read_bounded", half_saved)
    options = BuildOptions(out_dir=tmp_path / "out")
    (half,) = build_many([plan], options, jobs=1)
    assert half.counts is not None and half.counts.errors > 0
    monkeypatch.setattr(loader, "read_bounded", real)
    (full,) = build_many([plan], options, jobs=1)
    assert not full.cached and full.counts == Counts(0, 0, 0) and full.complete


def test_a_folder_written_by_another_plan_is_refused_without_force(tmp_path, html_pdfs):
    """Two plans with one slug, built in separate runs, must not silently replace each other."""
    first = write_plan(tmp_path, "alpha", slug="shared")
    second = write_plan(tmp_path, "bravo", slug="shared")
    options = BuildOptions(out_dir=tmp_path / "out")
    assert build_many([first], options, jobs=1)[0].complete
    (refused,) = build_many([second], options, jobs=1)
    folder = options.out_dir / "shared"
    assert refused.problem == (
        f"{folder} holds the documents of {first.resolve()}, which has the same slug; give this "
        "plan its own jurisdiction.slug, or use --force to replace them")
    assert b"Example Alpha" in (folder / "mou.pdf").read_bytes()
    assert build_many([first], options, jobs=1)[0].cached  # its owner still builds
    (forced,) = build_many([second], dataclasses.replace(options, force=True), jobs=1)
    assert forced.complete and b"Example Bravo" in (folder / "mou.pdf").read_bytes()
    assert build_many([first], options, jobs=1)[0].failed  # now bravo's folder


def test_names_without_latin_letters_get_folders_of_their_own(tmp_path, html_pdfs):
    text = (DATA / "complete.yaml").read_text(encoding="utf-8").replace("  slug: example-city\n",
                                                                        "")
    plans = []
    for stem, name in (("tokyo", "東京都"), ("athens", "Αθήνα")):
        plan = tmp_path / f"{stem}.yaml"
        plan.write_text(text.replace("name: Example City and County, Oregon", f"name: {name}"),
                        encoding="utf-8")
        plans.append(plan)
    outcomes = build_many(plans, BuildOptions(out_dir=tmp_path / "out"), jobs=1)
    assert [o.slug for o in outcomes] == ["jurisdiction-ce76fe65", "jurisdiction-c52df369"]
    assert all(o.complete for o in outcomes), [o.problem for o in outcomes]
