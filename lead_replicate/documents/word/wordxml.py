"""Word markup python-docx has no API for: list numbering, fields, tracked changes, a stable zip.

Imported only by ``documents/word/docx.py`` (itself imported lazily), so python-docx loads only
when a Word file is written.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

from lead_replicate.documents.word.wordbody import (
    BULLET_LEFT,
    BULLET_STEP,
    CLAUSE_INDENT,
    HANG,
    ORDERED_EXTRA,
    TWIP,
    Numbers,
)


def _lvl(ilvl: int, fmt: str, text: str, left: float, hanging: float, *,
         style: str = "", suffix: str = "tab") -> str:
    pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{pstyle}'
            f'<w:suff w:val="{suffix}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{round(left * TWIP)}" w:hanging="{round(hanging * TWIP)}"/>'
            f'</w:pPr></w:lvl>')


def add_numbering(document: Any) -> tuple[Numbers, int]:
    """Three list definitions: numbered sections with their clauses (1., 1.1: Word
    renumbers them when counsel inserts a clause), bullets, and ordered lists. Returns the
    instances the body uses and the ordered lists' definition (one instance per list)."""
    root = document.part.numbering_part.element
    base = max((int(x) for x in root.xpath("./w:abstractNum/@w:abstractNumId")), default=0) + 1
    definitions = {
        base: _lvl(0, "decimal", "%1.", 0, 0, suffix="space")
        + _lvl(1, "decimal", "%1.%2", CLAUSE_INDENT, CLAUSE_INDENT, style="Clause"),
        base + 1: "".join(_lvl(i, "bullet", "\u2022", BULLET_LEFT + BULLET_STEP * i, HANG)
                          for i in range(6)),
        base + 2: "".join(_lvl(i, "decimal", f"%{i + 1}.",
                               BULLET_LEFT + ORDERED_EXTRA + BULLET_STEP * i,
                               HANG + ORDERED_EXTRA) for i in range(6)),
    }
    first_num = root.find(qn("w:num"))
    for abstract_id, levels in definitions.items():
        el = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
                       f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>')
        if first_num is not None:
            first_num.addprevious(el)
        else:
            root.append(el)
    return Numbers(_add_num(root, base), _add_num(root, base + 1)), base + 2


def add_ordered_lists(document: Any, numbers: Numbers, abstract_id: int,
                      list_ids: set[int]) -> None:
    """One numbering instance per ordered list, so each list starts again at 1."""
    root = document.part.numbering_part.element
    for list_id in sorted(list_ids):
        numbers.ordered[list_id] = _add_num(root, abstract_id, restart=True)


def _add_num(root: Any, abstract_id: int, restart: bool = False) -> int:
    num_id = max((int(x) for x in root.xpath("./w:num/@w:numId")), default=0) + 1
    override = ('<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
                if restart else "")
    root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId '
                          f'w:val="{abstract_id}"/>{override}</w:num>'))
    return num_id


def link_style(style: Any, num_id: int, level: int) -> None:
    """Number every paragraph of ``style`` (the Clause style) at ``level`` of ``num_id``."""
    num_pr = style.element.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def add_field(paragraph: Any, instruction: str, placeholder: str = "1") -> None:
    """A field Word and LibreOffice compute when they lay out the page (PAGE, NUMPAGES)."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None),
                       ("text", placeholder), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
            run._r.append(el)
        elif kind == "text":
            run.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)


def body_fragment(xml: str) -> list[Any]:
    """Parse body XML (``wordbody``) into elements ready to go into the document body."""
    return list(parse_xml(f"<w:body {nsdecls('w')}>{xml}</w:body>"))


def own_font(style: Any) -> None:
    """Drop the theme-font links that would override the font the style names; and the
    border under the template's Title."""
    r_fonts = style.element.rPr.rFonts if style.element.rPr is not None else None
    if r_fonts is not None:
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            r_fonts.attrib.pop(qn(f"w:{attr}"), None)
    p_pr = style.element.pPr
    border = p_pr.find(qn("w:pBdr")) if p_pr is not None else None
    if border is not None:
        p_pr.remove(border)


def set_language(document: Any, language: str) -> None:
    """The proofing language of every run (the document default)."""
    r_pr = document.styles.element.find(qn("w:docDefaults")).find(
        qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in r_pr.findall(qn("w:lang")):
        r_pr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    r_pr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")


def track_revisions(document: Any) -> None:
    """Turn on Track Changes, so counsel's own edits to a redline are tracked too."""
    settings = document.settings.element
    if settings.find(qn("w:trackRevisions")) is None:
        anchor = settings.find(qn("w:defaultTabStop"))
        el = OxmlElement("w:trackRevisions")
        if anchor is not None:
            anchor.addprevious(el)
        else:
            settings.append(el)


def slim(document: Any, keep_tables: set[str]) -> None:
    """Drop what python-docx's blank document carries and ours never use: a second copy of
    the styles for Word 2010, a bibliography part and ~140 table styles (the styles part falls
    from 350 kB to a tenth, and every document is quicker to write and to open)."""
    rels = document.part.rels
    for rel_id, rel in list(rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            rels.pop(rel_id)
    styles = document.styles.element
    for style in styles.findall(qn("w:style")):
        name = style.find(qn("w:name"))
        if style.get(qn("w:type")) == "table" and (
                name is None or name.get(qn("w:val")) not in keep_tables):
            styles.remove(style)


def save_stable(document: Any, when: tuple[int, int, int]) -> bytes:
    """The package as bytes with fixed member dates, so identical input gives identical
    bytes (python-docx's own save stamps the current time)."""
    from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
    from docx.opc.pkgwriter import _ContentTypesItem

    package = document.part.package
    parts = list(package.iter_parts())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:

        def put(uri: Any, blob: bytes) -> None:
            member = zipfile.ZipInfo(uri.membername, date_time=(*when, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            zf.writestr(member, blob)

        put(CONTENT_TYPES_URI, _ContentTypesItem.from_parts(parts).blob)
        put(PACKAGE_URI.rels_uri, package.rels.xml)
        for part in parts:
            put(part.partname, part.blob)
            if len(part.rels):
                put(part.partname.rels_uri, part.rels.xml)
    return out.getvalue()
