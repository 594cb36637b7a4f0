"""Turn document HTML into a Word file (.docx) that counsel can edit, with real Word structure.

A sibling of ``pdf.py``: both start from the HTML ``render_document`` makes, so the Word
file has the PDF's clause numbers, text and brackets. The HTML is read into neutral blocks
(``htmlblocks``) and written with python-docx, imported lazily: built-in styles (Title,
Heading 1-3, List Bullet), a "Clause" style numbered by Word itself, tables whose header rows
repeat, signature blocks that never split, a running header, a footer with "Page N of M"
fields and the draft notice, the DRAFT mark, and the document properties.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from lead_replicate.documents.templating import find_asset
from lead_replicate.documents.word.blocks import Blocks, Para, Table
from lead_replicate.documents.word.htmlblocks import read_blocks
from lead_replicate.documents.word.wordbody import CLAUSE_INDENT, BodyWriter, Numbers

STYLESHEET = "lead.css"  # read for its page breaks, as the PDF engine reads it
FONT = "Cambria"  # Word's metric twin of the PDF's Caladea (LibreOffice maps one to the other)


def html_to_docx(html: str, *, overrides: Path | None = None) -> bytes:
    """The Word file of one document's HTML (``render_document``'s output)."""
    stylesheet = find_asset(STYLESHEET, overrides).read_text(encoding="utf-8")
    return blocks_to_docx(read_blocks(html, stylesheet=stylesheet))


def blocks_to_docx(doc: Blocks, *, redline: bool = False) -> bytes:
    """Write ``doc`` as .docx bytes; runs marked ``ins``/``del`` become tracked changes."""
    import docx

    from lead_replicate.documents.word import wordxml

    created = _created(doc.created)
    base, numbers, ordered_abstract, _ids = _base()
    word = docx.Document(io.BytesIO(base))
    numbers = Numbers(numbers.clauses, numbers.bullets)
    wordxml.add_ordered_lists(word, numbers, ordered_abstract,
                              {b.list_id for b in _paragraphs(doc.blocks) if b.kind == "number"})
    wordxml.set_language(word, "en-US" if doc.language == "en" else doc.language)
    _page_furniture(word, doc)
    writer = BodyWriter(_style_ids(), numbers, created.strftime("%Y-%m-%dT%H:%M:%SZ"))
    body = word.element.body
    end = body[-1]  # the section properties stay last
    for el in wordxml.body_fragment(writer.write(doc.blocks)):
        end.addprevious(el)
    if redline:
        wordxml.track_revisions(word)
    _properties(word, doc, created)
    return wordxml.save_stable(word, (max(created.year, 1980), created.month, created.day))


@lru_cache(maxsize=1)
def _base() -> tuple[bytes, Numbers, int, dict[str, str]]:
    """python-docx's blank document with our styles and list definitions, made once per
    process (styling it takes longer than writing a document's body), and its style ids by
    name (python-docx looks a style up by name through every style, each time)."""
    import docx

    from lead_replicate.documents.word import wordxml

    word = docx.Document()
    wordxml.slim(word, {"Normal Table", "Table Grid"})
    numbers, ordered_abstract = wordxml.add_numbering(word)
    wordxml.link_style(_styles(word), numbers.clauses, 1)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue(), numbers, ordered_abstract, {s.name: s.style_id for s in word.styles}


def _style_ids() -> dict[str, str]:
    return _base()[3]


def _created(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)


def _paragraphs(blocks: list[Para | Table]) -> Iterator[Para]:
    for block in blocks:
        if isinstance(block, Para):
            yield block
        else:
            for row in block.rows:
                for cell in row:
                    yield from cell.paras


def _styles(word: Any) -> Any:
    """Adjust the built-in styles to the PDF's look and add the few the documents need;
    returns the Clause style, for its numbering."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Inches, Pt, RGBColor

    from lead_replicate.documents.word import wordxml

    styles = word.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    black = RGBColor(0x11, 0x11, 0x11)
    for name, size in (("Title", 20), ("Subtitle", 12), ("Heading 1", 13.5), ("Heading 2", 11.5),
                       ("Heading 3", 11)):
        style = styles[name]
        style.font.name, style.font.size, style.font.color.rgb = FONT, Pt(size), black
        style.font.bold = name != "Subtitle"
        style.font.italic = False
        wordxml.own_font(style)
        style.paragraph_format.space_before = Pt(14 if name.startswith("Heading") else 0)
        style.paragraph_format.space_after = Pt(6)
    for name in ("Title", "Subtitle"):
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def paragraph_style(name: str, size: float | None = None, *, left: float = 0,
                        hanging: float = 0, bold: bool = False) -> Any:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        if size:
            style.font.size = Pt(size)
        style.font.bold = bold or None
        style.paragraph_format.left_indent = Inches(left)
        style.paragraph_format.first_line_indent = Inches(-hanging) if hanging else None
        return style

    paragraph_style("Document Meta", 9.5).paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    clause = paragraph_style("Clause", left=CLAUSE_INDENT, hanging=CLAUSE_INDENT)
    paragraph_style("Clause Continued", left=CLAUSE_INDENT)
    paragraph_style("Definition Term", bold=True).paragraph_format.keep_with_next = True
    paragraph_style("Definition", left=0.3)
    paragraph_style("Table Text", 10).paragraph_format.space_after = Pt(2)
    sigline = paragraph_style("Signature Line")
    sigline.paragraph_format.space_before, sigline.paragraph_format.space_after = Pt(22), Pt(1)
    paragraph_style("Signature Label", 9).paragraph_format.space_after = Pt(4)
    draft = paragraph_style("Draft Mark", 10, bold=True)
    draft.font.color.rgb = RGBColor(0xA0, 0x00, 0x00)
    draft.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tbd = styles.add_style("To Be Decided", WD_STYLE_TYPE.CHARACTER)
    tbd.font.italic, tbd.font.color.rgb = True, RGBColor(0x6A, 0x3D, 0x00)
    return clause


def _page_furniture(word: Any, doc: Blocks) -> None:
    """Letter pages with 1-inch margins; the running header from page 2 (as in the PDF);
    the draft notice and "Page N of M" in every footer; the DRAFT mark on every page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Inches, Pt

    from lead_replicate.documents.word import wordxml

    section = word.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("top", "bottom", "left", "right"):
        setattr(section, f"{side}_margin", Inches(1))
    section.header_distance = section.footer_distance = Inches(0.45)
    section.different_first_page_header_footer = True
    ids = _style_ids()

    def styled(p: Any, name: str) -> Any:  # by id: python-docx's lookup by name is slow
        p._p.get_or_add_pPr().style = ids[name]
        return p

    for header, running in ((section.first_page_header, False), (section.header, True)):
        p = header.paragraphs[0]
        if doc.draft:
            styled(p, "Draft Mark").add_run(doc.draft)
            p = styled(header.add_paragraph(), "Header") if running else p
        if running:
            stops = p.paragraph_format.tab_stops
            stops.add_tab_stop(Inches(3.25), WD_TAB_ALIGNMENT.CLEAR)
            stops.add_tab_stop(Inches(6.5), WD_TAB_ALIGNMENT.RIGHT)
            for text in (doc.header_left, "\t", doc.header_right):
                p.add_run(text).font.size = Pt(9)
    for footer in (section.first_page_footer, section.footer):
        p = footer.paragraphs[0]
        run = p.add_run(doc.footer)
        run.italic, run.font.size = True, Pt(8)
        pages = styled(footer.add_paragraph(), "Footer")
        pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        pages.add_run("Page ")
        wordxml.add_field(pages, "PAGE")
        pages.add_run(" of ")
        wordxml.add_field(pages, "NUMPAGES")
        for r in pages.runs:
            r.font.size = Pt(9)


def _properties(word: Any, doc: Blocks, created: dt.datetime) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    props = word.core_properties
    props.title, props.subject, props.author = doc.title, doc.subject, doc.author
    props.keywords, props.language, props.comments = doc.keywords, doc.language, doc.footer
    props.last_modified_by, props.revision = doc.author, 1
    props.category = "Draft for review by counsel"
    props.created = props.modified = created.replace(tzinfo=None)
    package = word.part.package
    for rel_id, rel in list(package.rels.items()):  # python-docx's blank thumbnail: not ours
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)
