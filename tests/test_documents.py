"""Tests for documents.py: the packet build, its refusal and draft rules, and the golden HTML."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from lead_replicate import documents
from lead_replicate.documents import (
    BuildOptions,
    build_jurisdiction,
    generated_on,
    render_document,
)
from lead_replicate.validate import validate_file

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
EPOCH = "1767225600"  # 2026-01-01


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> documents.BuildResult:
    """The complete fixture built once (PDF and HTML) for the whole module."""
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    out = tmp_path_factory.mktemp("out")
    return build_jurisdiction(DATA / "complete.yaml", BuildOptions(out, html=True))


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> documents.BuildResult:
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    out = tmp_path_factory.mktemp("draft")
    return build_jurisdiction(DATA / "principle-errors.yaml", BuildOptions(out, draft=True))


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


class Tags(HTMLParser):
    """Collects ids and data-stakeholder attributes of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.signatures: list[str] = []
        self.images = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if a.get("data-stakeholder"):
            self.signatures.append(a["data-stakeholder"] or "")
        self.images += tag == "img"


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def test_complete_plan_writes_three_pdfs_and_three_html(built: documents.BuildResult) -> None:
    names = sorted(p.name for p in built.written)
    assert names == sorted(["mou.pdf", "protocol-manual.pdf", "readiness-checklist.pdf",
                            "mou.html", "protocol-manual.html", "readiness-checklist.html"])
    assert all(p.parent.name == "example-city" for p in built.written)
    assert built.ok and built.refused == []
    assert not list(built.written[0].parent.glob(".*.tmp"))


def test_mou_html_has_every_section_and_one_signature_per_signatory() -> None:
    report = validate_file(DATA / "complete.yaml")
    tags = parse(render_document(report, "mou", BuildOptions(Path("unused"))))
    for section in ("recitals", "purpose", "definitions", "program", "responsibilities",
                    "governance", "information-sharing", "evaluation", "funding", "term",
                    "signatures"):
        assert section in tags.ids
    signatories = [s["id"] for s in report.plan["stakeholders"] if s.get("signatory")]
    assert tags.signatures == signatories
    assert "neighbors" not in tags.signatures  # a partner that does not sign


def test_manual_and_checklist_html_sections() -> None:
    report = validate_file(DATA / "complete.yaml")
    manual = parse(render_document(report, "manual", BuildOptions(Path("unused"))))
    for section in ("officer-card", "eligibility", "prosecutor", "case-manager", "services",
                    "owg", "information-sharing", "contacts"):
        assert section in manual.ids
    checklist = parse(render_document(report, "checklist", BuildOptions(Path("unused"))))
    assert {"summary", "milestones", "principles"} <= set(checklist.ids)


def test_pdf_text_has_the_plans_facts(built: documents.BuildResult) -> None:
    folder = built.written[0].parent
    mou = squash(pdf_text(folder / "mou.pdf"))
    for needle in ("Example City Police Department", "Example County District Attorney",
                   "Possession of a controlled substance", "Prostitution",
                   "Appears to exploit minors.", "within 30 days", "Pat Example",
                   "Chief of Police", "LEAD standard terms, version 1",
                   "evalprogplan.2017.05.008",
                   "Draft generated from complete.yaml", "Page 1 of"):
        assert needle in mou, needle
    manual = squash(pdf_text(folder / "protocol-manual.pdf"))
    assert "30 days" in manual and "Sam Sergeant" in manual and "30 minutes" in manual
    checklist = squash(pdf_text(folder / "readiness-checklist.pdf"))
    for needle in ("MOU signed", "Officers trained", "Brief the Downtown Neighbors Association",
                   "January 15, 2027", "Harm reduction"):
        assert needle in checklist, needle


def test_pdf_metadata_tags_bookmarks_and_fonts(built: documents.BuildResult) -> None:
    reader = PdfReader(built.written[0].parent / "mou.pdf")
    meta = reader.metadata
    assert meta.title == "Memorandum of Understanding: Example City and County, Oregon"
    assert meta.author.startswith("lead-replicate")
    assert "LEAD program" in meta.subject
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()  # PDF/UA-1
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Memorandum of Understanding" in titles
    assert any(t.startswith("1. Recitals") for t in _flatten(reader.outline))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            desc = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in desc  # embedded
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts and all(f.startswith("Caladea") for f in fonts)


def _flatten(outline: list) -> list[str]:
    out: list[str] = []
    for item in outline:
        out += _flatten(item) if isinstance(item, list) else [item.title]
    return out


def test_identical_input_gives_identical_bytes(built: documents.BuildResult) -> None:
    from lead_replicate.pdf import render_pdf

    report = validate_file(DATA / "complete.yaml")
    html = render_document(report, "checklist", BuildOptions(Path("unused")))
    first = (built.written[0].parent / "readiness-checklist.pdf").read_bytes()
    assert render_pdf(html) == first


def test_principle_errors_refuse_mou_and_manual(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lead_replicate.pdf.render_pdf", lambda html, **kw: b"%PDF-fake")
    result = build_jurisdiction(DATA / "principle-errors.yaml", BuildOptions(tmp_path))
    assert [p.name for p in result.written] == ["readiness-checklist.pdf"]
    assert result.refused == ["mou.pdf", "protocol-manual.pdf"]
    assert not result.ok
    assert "use --draft" in result.message
    assert not (tmp_path / "hostile-example" / "mou.pdf").exists()


def test_schema_errors_build_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("lead: 1\njurisdiction: [not, a, mapping\n", encoding="utf-8")
    result = build_jurisdiction(bad, BuildOptions(tmp_path / "out"))
    assert result.slug is None and result.written == [] and not result.ok
    assert not (tmp_path / "out").exists()


def test_draft_marks_every_page_and_lists_findings(drafted: documents.BuildResult) -> None:
    folder = drafted.written[0].parent
    assert drafted.refused == []
    for name in ("mou.pdf", "protocol-manual.pdf"):
        pages = PdfReader(folder / name).pages
        for page in pages:
            assert "DRAFT - does not yet meet the LEAD core principles" in page.extract_text()
        assert "Abstinence is required" in squash(pdf_text(folder / name))
    assert "DRAFT - does not" not in pdf_text(folder / "readiness-checklist.pdf")


def test_untrusted_text_prints_literally(drafted: documents.BuildResult) -> None:
    report = validate_file(DATA / "principle-errors.yaml")
    html = render_document(report, "mou", BuildOptions(Path("unused")))
    assert "Example &lt;b&gt;City&lt;/b&gt; {{ 7*7 }} {% if x %}" in html
    assert "<b>City</b>" not in html and parse(html).images == 0
    text = squash(pdf_text(drafted.written[0].parent / "mou.pdf"))
    assert "Example <b>City</b> {{ 7*7 }} {% if x %}" in text
    assert "<img src='file:///etc/passwd'>" in text


def test_template_override_replaces_one_clause(tmp_path: Path) -> None:
    clause = tmp_path / "mou" / "clauses" / "purpose.html"
    clause.parent.mkdir(parents=True)
    clause.write_text('<section class="sec" id="purpose"><h2>Purpose</h2>'
                      "<p>Local purpose for {{ j.short_name }}.</p></section>\n", "utf-8")
    report = validate_file(DATA / "complete.yaml")
    html = render_document(report, "mou", BuildOptions(tmp_path, templates=tmp_path))
    assert "Local purpose for Example City." in html
    assert 'id="recitals"' in html and 'id="signatures"' in html  # the rest still shipped


def test_generated_on_honours_source_date_epoch() -> None:
    assert generated_on().isoformat() == "2026-01-01"


@pytest.mark.parametrize("document", ["mou", "manual", "checklist"])
def test_seattle_golden_html(document: str) -> None:
    seattle = ROOT / "examples" / "seattle.yaml"
    if not seattle.exists():
        pytest.skip("examples/seattle.yaml is not there yet")
    html = render_document(validate_file(seattle), document, BuildOptions(Path("unused")),
                           source_name="seattle.yaml")
    golden = GOLDEN / f"seattle-{document}.html"
    if os.environ.get("LEAD_UPDATE_GOLDEN") == "1":
        golden.write_text(html, encoding="utf-8")
    assert golden.exists(), "run with LEAD_UPDATE_GOLDEN=1 to create the golden file"
    assert html == golden.read_text(encoding="utf-8")


def test_missing_pdf_engine_still_writes_html(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from lead_replicate.errors import PdfEngineError

    def no_engine(html: str, **kw: object) -> bytes:
        raise PdfEngineError("The PDF engine could not start.")

    monkeypatch.setattr("lead_replicate.pdf.render_pdf", no_engine)
    result = build_jurisdiction(DATA / "complete.yaml", BuildOptions(tmp_path))
    assert sorted(p.name for p in result.written) == [
        "mou.html", "protocol-manual.html", "readiness-checklist.html"]
    assert result.error == "The PDF engine could not start." and not result.ok
    html = (tmp_path / "example-city" / "mou.html").read_text(encoding="utf-8")
    assert "data:font/ttf;base64," in html and "<style>" in html  # opens on its own
