"""Tests for the Word writer (documents/docx.py, htmlblocks.py, wordbody.py): the structure
Word needs, read back from the .docx itself, and LibreOffice's reading of every file."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT
from lxml import etree

from lead_replicate.diff import read_side
from lead_replicate.documents.packet import BuildOptions, build_jurisdiction, render_document
from lead_replicate.documents.word.blocks import Blocks, Para, Run
from lead_replicate.documents.word.docx import blocks_to_docx, html_to_docx
from lead_replicate.documents.word.htmlblocks import read_blocks
from lead_replicate.documents.word.htmltree import classes, parse_html, text_of
from lead_replicate.documents.word.redline import write_redlines
from lead_replicate.rules.validate import validate_file

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}
SEATTLE = ROOT / "examples" / "seattle.yaml"
SANTA_FE = ROOT / "examples" / "santa_fe.yaml"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """HTML of Seattle's three documents and Santa Fe's draft MOU, on a fixed date."""
    import datetime as dt

    on = dt.date(2026, 1, 1)
    seattle = validate_file(SEATTLE)
    out = {doc: render_document(seattle, doc, BuildOptions(Path("x")), on=on)
           for doc in ("mou", "manual", "checklist")}
    out["draft"] = render_document(validate_file(SANTA_FE), "mou",
                                   BuildOptions(Path("x"), draft=True), on=on)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """``build examples/seattle.yaml --docx``: the PDFs and, beside each, its Word file."""
    out = tmp_path_factory.mktemp("build")
    assert build_jurisdiction(SEATTLE, BuildOptions(out, docx=True)).complete
    return out / "seattle"


@pytest.fixture(scope="module")
def words(pages: dict[str, str]) -> dict[str, bytes]:
    return {name: html_to_docx(html) for name, html in pages.items()}


def part(data: bytes, member: str = "word/document.xml") -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(member))


def style_of(p: etree._Element) -> str:
    found = p.find("w:pPr/w:pStyle", NS)
    return found.get(W + "val") if found is not None else "Normal"


def text(el: etree._Element) -> str:
    return "".join(t.text or "" for t in el.iter(W + "t"))


def body_paragraphs(data: bytes) -> list[etree._Element]:
    return part(data).findall("w:body/w:p", NS)


def test_clauses_are_word_numbered_paragraphs_with_the_html_text(pages, words) -> None:
    html = parse_html(pages["mou"])
    lis = [li for ol in html.iter("ol") if "clauses" in classes(ol) for li in ol if li.tag == "li"]
    clauses = [p for p in body_paragraphs(words["mou"]) if style_of(p) == "Clause"]
    assert len(clauses) == len(lis) > 30
    for p, li in zip(clauses, lis, strict=True):  # the clause's text up to any nested list
        assert text(p) and text_of(li).startswith(text(p)), text(p)
    numbered = [p for p in body_paragraphs(words["mou"]) if p.find("w:pPr/w:numPr", NS) is not None
                and style_of(p) == "Heading1"]
    assert [text(p) for p in numbered][:3] == ["Recitals", "Purpose", "Definitions"]
    sections = [s for s in html.iter("section") if "sec" in classes(s)]
    assert len(numbered) == len(sections) == 12
    # The Clause style carries the numbering (level 2 of the sections' list): Word renumbers
    # when counsel inserts or deletes a clause.
    style = part(words["mou"], "word/styles.xml").find(".//w:style[@w:styleId='Clause']", NS)
    assert style.find("w:pPr/w:numPr/w:ilvl", NS).get(W + "val") == "1"


def test_styles_are_word_built_ins(words) -> None:
    kinds = Counter(style_of(p) for p in body_paragraphs(words["manual"]))
    for style in ("Title", "Subtitle", "Heading1", "Heading2", "ListBullet", "ListNumber"):
        assert kinds[style] > 0, style


def test_tables_repeat_their_header_rows_and_rows_never_split(words) -> None:
    tables = part(words["checklist"]).findall("w:body/w:tbl", NS)
    assert len(tables) == 4  # open items, terms to confirm, planning steps, principles
    for table in tables:
        rows = table.findall("w:tr", NS)
        assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
        assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:])
        assert all(r.find("w:trPr/w:cantSplit", NS) is not None for r in rows)
    assert text(tables[0].find("w:tr", NS)) == "ItemStatusOwnerDue"
    assert text(tables[1].find("w:tr", NS)) == "TermAs writtenNote"
    assert text(tables[2].find("w:tr", NS)) == "StepStatusOwnerDue"


def test_signature_blocks_are_tables_that_stay_on_one_page(words) -> None:
    tables = [t for t in part(words["mou"]).findall("w:body/w:tbl", NS)
              if t.find("w:tblPr/w:tblStyle", NS) is None]
    # Seattle lists every signatory under to_confirm: each name is bracketed; a department
    # with no government named for it asks counsel which legal entity signs for it.
    departments = ("Seattle Police Department", "King County Sheriff's Office",
                   "King County Prosecuting Attorney's Office", "Seattle City Attorney's Office")
    assert [text(t.find("w:tr", NS)) for t in tables] == [
        f"[{name}] (to be confirmed) [Counsel to complete: the legal entity that signs for "
        f"the {name}]" for name in departments] + [
        "[Evergreen Treatment Services (REACH)] (to be confirmed)"]
    for table in tables:
        rows = table.findall("w:tr", NS)
        assert len(rows) == 5
        for row in rows[:-1]:  # each paragraph keeps with the next: the block moves as one
            assert all(p.find("w:pPr/w:keepNext", NS) is not None for p in row.iter(W + "p"))
        assert [text(r) for r in rows[1:]] == ["SignatureDate", "Printed nameTitle",
                                               "Approved as to form:",
                                               "Counsel for the PartyDate"]


def test_header_footer_page_fields_and_draft_mark(words) -> None:
    draft = words["draft"]
    with zipfile.ZipFile(io.BytesIO(draft)) as z:
        headers = [etree.fromstring(z.read(n)) for n in z.namelist() if "header" in n]
        footers = [etree.fromstring(z.read(n)) for n in z.namelist() if "footer" in n]
    assert len(headers) == 2 and len(footers) == 2  # first page, and the others
    mark = "DRAFT - does not yet meet the LEAD core principles"
    assert all(text(h).startswith(mark) for h in headers)
    assert sorted(text(h)[len(mark):] for h in headers) == [
        "", "Santa FeMemorandum of Understanding"]
    for footer in footers:
        assert text(footer).startswith("Draft for review by counsel. Generated by lead-replicate ")
        assert [i.text.strip() for i in footer.iter(W + "instrText")] == ["PAGE", "NUMPAGES"]
    plain = words["mou"]
    with zipfile.ZipFile(io.BytesIO(plain)) as z:
        assert not any(b"DRAFT" in z.read(n) for n in z.namelist() if "header" in n)


def test_document_properties_and_language(words) -> None:
    import docx

    props = docx.Document(io.BytesIO(words["mou"])).core_properties
    assert props.title == "Memorandum of Understanding: Seattle and King County, Washington"
    assert props.subject.startswith("Memorandum of Understanding for the LEAD program")
    assert props.author.startswith("lead-replicate ")
    assert props.language == "en"
    assert props.created.isoformat() == "2026-01-01T00:00:00+00:00"
    styles = part(words["mou"], "word/styles.xml")
    assert styles.find(".//w:docDefaults//w:lang", NS).get(W + "val") == "en-US"


def test_to_be_decided_wording_and_page_breaks_follow_the_pdf(pages, words) -> None:
    tbd = [text(r) for r in part(words["mou"]).iter(W + "r")
           if r.find("w:rPr/w:rStyle", NS) is not None]
    marked = [text_of(el) for el in parse_html(pages["mou"]).iter() if "tbd" in classes(el)]
    assert tbd and re.sub(r"\s", "", "".join(tbd)) == re.sub(r"\s", "", "".join(marked))
    breaks = [text(p) for p in body_paragraphs(words["manual"])
              if p.find("w:pPr/w:pageBreakBefore", NS) is not None]
    assert breaks == ["Eligibility and exclusions"]  # after the officer's one-page card
    checklist = [text(p) for p in body_paragraphs(words["checklist"])
                 if p.find("w:pPr/w:pageBreakBefore", NS) is not None]
    assert checklist == ["Planning steps", "LEAD principles"]


def test_same_input_gives_the_same_bytes(pages, words) -> None:
    assert html_to_docx(pages["mou"]) == words["mou"]


def test_build_writes_a_word_file_beside_each_pdf(built) -> None:
    assert sorted(p.name for p in built.iterdir() if not p.name.startswith(".")) == [
        "consent-form.docx", "consent-form.pdf", "decisions.docx", "decisions.pdf", "mou.docx",
        "mou.pdf", "protocol-manual.docx",
        "protocol-manual.pdf", "readiness-checklist.docx", "readiness-checklist.pdf"]


def test_a_list_item_made_of_paragraphs_is_numbered_once() -> None:
    html = ('<html><body><ol><li><p><strong>First question?</strong></p><p>Why it matters.</p>'
            '<div>Notes:</div></li><li><p>Second question?</p></li></ol></body></html>')
    paras = read_blocks(html).blocks
    assert [(p.kind, p.continued, p.text) for p in paras] == [
        ("number", False, "First question?"), ("number", True, "Why it matters."),
        ("number", True, "Notes:"), ("number", False, "Second question?")]
    numbered = [p for p in body_paragraphs(blocks_to_docx(Blocks(blocks=paras)))
                if p.find("w:pPr/w:numPr", NS) is not None]
    assert [text(p) for p in numbered] == ["First question?", "Second question?"]


def test_text_that_looks_like_markup_stays_text() -> None:
    hostile = '</w:t></w:r><w:p>&amp; "x" <script>'
    data = blocks_to_docx(Blocks(title=hostile, footer=hostile,
                                 blocks=[Para("text", [Run(hostile)])]))
    assert [text(p) for p in body_paragraphs(data)] == [hostile]


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="LibreOffice (soffice) and pdftotext are needed to read .docx back")
def test_libreoffice_opens_every_docx_and_the_mou_has_the_pdf_clauses(tmp_path, pages,
                                                                       built) -> None:
    folder = built
    docs = sorted(folder.glob("*.docx"))
    (tmp_path / "draft.docx").write_bytes(html_to_docx(pages["draft"]))
    docs.append(tmp_path / "draft.docx")
    new_plan = tmp_path / "santa_fe.yaml"  # and a redline, whose changes LibreOffice shows
    new_plan.write_text(SANTA_FE.read_text(encoding="utf-8").replace(
        "removal_for_noncompliance: true", "removal_for_noncompliance: false"), encoding="utf-8")
    docs += write_redlines(read_side(str(SANTA_FE)), read_side(str(new_plan)),
                           tmp_path / "redline", pdf=False)[:1]
    converted = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--norestore", "--convert-to", "pdf", "--outdir",
                    str(converted), *map(str, docs)],
                   check=True, capture_output=True, timeout=180)
    for doc in docs:
        pdf = converted / doc.with_suffix(".pdf").name
        assert pdf.is_file(), f"LibreOffice could not read {doc.name}"
        assert re.search(r"Page 1 of \d+", _pdf_text(pdf, body_only=False)), doc.name
    numbers = _clause_numbers(pages["mou"])
    assert len(numbers) > 30 and numbers[-1].startswith("12.")
    ours = _clauses(_pdf_text(folder / "mou.pdf"), numbers)
    theirs = _clauses(_pdf_text(converted / "mou.pdf", raw=True), numbers)
    # Word repeats a table's header row on each page the table spans; the PDF does not.
    headers = [" ".join(_words(" ".join(text_of(cell) for cell in row)))
               for head in parse_html(pages["mou"]).iter("thead") for row in head.iter("tr")]
    i = 0
    while i < len(numbers):
        # Same letters clause by clause. WeasyPrint's text reads a table's right-hand cells
        # beside the lines that follow it, so a clause with a table is compared together
        # with the next one (never more).
        a, b = ours[i][1], theirs[i][1]
        if _letters(a) != _letters(b) and i + 1 < len(numbers):
            a, b, i = a + ours[i + 1][1], b + theirs[i + 1][1], i + 1
        for header in headers:
            b = _drop_repeats(a, b, header)
        assert _letters(a) == _letters(b), numbers[i]
        assert " ".join(_words(b)[:7]) in " ".join(_words(a)), numbers[i]
        i += 1
    assert "DRAFT - does not yet meet" in _pdf_text(converted / "draft.pdf", body_only=False)
    redline = _pdf_text(converted / "mou-redline.pdf", raw=True)
    assert 'Participants cannot "fail out" of LEAD' in redline  # inserted
    assert "can be removed for not meeting goals" in redline  # deleted, shown struck through


def _pdf_text(pdf: Path, *, body_only: bool = True, raw: bool = False) -> str:
    """The text of a Letter-size PDF; ``body_only``: without the 1-inch top and bottom margins
    (the running header, the draft mark and the footer). ``raw``: in the order the PDF draws
    it (LibreOffice draws a list's numbers with their text; WeasyPrint draws them apart, so
    its text reads right only in layout order)."""
    crop = ["-x", "0", "-y", "72", "-W", "612", "-H", "648"] if body_only else []
    done = subprocess.run(["pdftotext", *crop, *(["-raw"] if raw else []), str(pdf), "-"],
                          check=True, capture_output=True, text=True, timeout=60)
    return re.sub(r"\s+", " ", done.stdout)


def _clause_numbers(html: str) -> list[str]:
    """1.1, 1.2, ... as the stylesheet numbers the MOU's sections and their clauses."""
    root = parse_html(html)
    sections = [s for s in root.iter("section") if "sec" in classes(s)]
    return [f"{i}.{j}" for i, sec in enumerate(sections, 1)
            for j in range(1, 1 + sum(len([li for li in ol if li.tag == "li"])
                                      for ol in sec.iter("ol") if "clauses" in classes(ol)))]


def _clauses(body: str, numbers: list[str]) -> list[tuple[str, str]]:
    """The text split at each clause number in turn (from 1.1 to the signatures)."""
    end = body.index("Signatures")
    starts, at = [], 0
    for number in numbers:
        at = body.find(f"{number} ", at)
        assert 0 <= at < end, f"clause {number} is missing"
        starts.append(at)
    bounds = [*starts, end]
    return [(n, body[bounds[i]:bounds[i + 1]]) for i, n in enumerate(numbers)]


def _drop_repeats(ours: str, theirs: str, header: str) -> str:
    """``theirs`` without the repeats of a table header row that ``ours`` does not have (the
    PDF text may read a header's cells out of order, so one copy always stays)."""
    flat, head = " ".join(_words(theirs)), header
    while head and flat.count(head) > max(1, " ".join(_words(ours)).count(head)):
        at = flat.rindex(head)
        flat = flat[:at] + flat[at + len(head):]
    return flat


def _letters(text_: str) -> Counter[str]:
    return Counter(c for c in text_ if not c.isspace() and c not in "-•")


def _words(text_: str) -> list[str]:
    return text_.replace("-", "").replace("•", "").split()
