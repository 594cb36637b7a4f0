"""The body of a Word document (WordprocessingML) written from neutral blocks, as text.

python-docx builds a document one object at a time, which costs about a tenth of a second
per document here; writing the body's XML directly is ten times faster and makes Word's
tracked changes (``w:ins``/``w:del``) simple to emit. Styles, numbering, header and footer
are still made with python-docx (``docx.py``, ``wordxml.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from lead_replicate.documents.word.blocks import Cell, Para, Run, Table

AUTHOR = "lead-replicate"
TWIP = 1440  # per inch
TEXT_WIDTH = 6.5  # inches between the margins of a Letter page with 1-inch margins
BULLET_LEFT, BULLET_STEP, HANG = 0.3, 0.5, 0.25  # inches
ORDERED_EXTRA = 0.05  # room for "10." in an ordered list
CLAUSE_INDENT = 0.5
HEADER_FILL = "E8E8E8"


def twips(inches: float) -> int:
    return round(inches * TWIP)


@dataclass
class Numbers:
    """The numbering instances the body refers to (made in ``wordxml.Numbering``)."""

    clauses: int
    bullets: int
    ordered: dict[int, int] = field(default_factory=dict)  # list id -> numbering instance


@dataclass
class BodyWriter:
    """Blocks to ``<w:p>``/``<w:tbl>`` XML; ``style_ids`` maps style names to their ids."""

    style_ids: dict[str, str]
    numbers: Numbers
    date: str  # the tracked changes' date
    next_id: int = 1
    out: list[str] = field(default_factory=list)

    def write(self, blocks: list[Para | Table]) -> str:
        after_table = False
        for i, block in enumerate(blocks):
            if isinstance(block, Table):
                self.table(block)
                following = blocks[i + 1] if i + 1 < len(blocks) else None
                if following is None or isinstance(following, Table):
                    self.out.append(self._p("", _spacing(after=6 if block.signature else 0)))
                after_table = True
            else:
                self.paragraph(block, space_before=after_table)
                after_table = False
        return "".join(self.out)

    # --- tracked changes ------------------------------------------------------------------

    def _change(self, kind: str) -> str:
        """The attributes of one tracked change: an id, the author, the date."""
        self.next_id += 1
        return (f'<w:{kind} w:id="{self.next_id - 1}" w:author="{AUTHOR}" '
                f'w:date="{self.date}"')

    # --- paragraphs -----------------------------------------------------------------------

    def paragraph(self, para: Para, *, space_before: bool = False,
                  table_text: bool = False, keep: bool = False) -> None:
        style = self._style(para, table_text)
        props = [f'<w:pStyle w:val="{self.style_ids[style]}"/>']
        if para.keep_with_next or keep:
            props.append("<w:keepNext/>")
        if para.page_break_before:
            props.append("<w:pageBreakBefore/>")
        numbering = self._numbering(para)
        if numbering:
            props.append(numbering)
        if para.kind == "sigline":
            props.append('<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" '
                         'w:color="000000"/></w:pBdr>')
        if space_before:
            props.append(_spacing(before=8))
        indent = self._indent(para)
        if indent:
            props.append(indent)
        if para.change:
            props.append(f"<w:rPr>{self._change(para.change)}/></w:rPr>")
        self.out.append(self._p("".join(self._runs(para.runs)), "".join(props)))

    @staticmethod
    def _p(runs: str, props: str) -> str:
        return f"<w:p><w:pPr>{props}</w:pPr>{runs}</w:p>" if props else f"<w:p>{runs}</w:p>"

    def _numbering(self, para: Para) -> str:
        if para.kind == "heading" and para.number:
            num, level = self.numbers.clauses, 0
        elif para.kind in ("bullet", "number") and not para.continued:
            num = (self.numbers.bullets if para.kind == "bullet"
                   else self.numbers.ordered.get(para.list_id, self.numbers.bullets))
            level = min(para.level, 5)
        else:
            return ""  # clauses are numbered by their style
        return f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>'

    @staticmethod
    def _indent(para: Para) -> str:
        if para.kind in ("bullet", "number") and para.continued:  # under the item's text
            left = BULLET_LEFT + BULLET_STEP * para.level + (ORDERED_EXTRA
                                                             if para.kind == "number" else 0)
        elif para.kind in ("term", "definition", "text") and para.level:
            left = CLAUSE_INDENT * para.level + (0.3 if para.kind == "definition" else 0)
        else:
            return ""
        return f'<w:ind w:left="{twips(left)}"/>'

    @staticmethod
    def _style(para: Para, table_text: bool) -> str:
        kind = para.kind
        if kind == "heading":
            return f"Heading {min(max(para.level, 1), 3)}"
        if kind == "clause":
            return "Clause Continued" if para.continued else "Clause"
        if kind in ("bullet", "number"):
            base = "List Continue" if para.continued else (
                "List Bullet" if kind == "bullet" else "List Number")
            return base + ("" if para.level == 0 else f" {min(para.level + 1, 3)}")
        if kind == "text" and table_text:
            return "Table Text"
        return {"title": "Title", "subtitle": "Subtitle", "meta": "Document Meta",
                "term": "Definition Term", "definition": "Definition", "caption": "Caption",
                "sigline": "Signature Line", "siglabel": "Signature Label"}.get(kind, "Normal")

    def _runs(self, runs: list[Run]) -> list[str]:
        """Runs, with each stretch of inserted or deleted runs inside one w:ins or w:del."""
        out: list[str] = []
        open_kind: str | None = None
        for run in runs:
            if run.change != open_kind:
                if open_kind:
                    out.append(f"</w:{open_kind}>")
                if run.change:
                    out.append(self._change(run.change) + ">")
                open_kind = run.change
            out.append(self._run(run))
        if open_kind:
            out.append(f"</w:{open_kind}>")
        return out

    def _run(self, run: Run) -> str:
        if run.text == "\n":
            return "<w:r><w:br/></w:r>"
        props = []
        if run.tbd:
            props.append(f'<w:rStyle w:val="{self.style_ids["To Be Decided"]}"/>')
        if run.bold:
            props.append("<w:b/>")
        if run.italic:
            props.append("<w:i/>")
        if run.small:
            props.append('<w:sz w:val="19"/>')
        tag = "w:delText" if run.change == "del" else "w:t"
        rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
        return f'<w:r>{rpr}<{tag} xml:space="preserve">{escape(run.text)}</{tag}></w:r>'

    # --- tables ---------------------------------------------------------------------------

    def table(self, table: Table) -> None:
        columns = max(len(row) for row in table.rows)
        indent = CLAUSE_INDENT * table.indent
        width = TEXT_WIDTH - indent
        fractions = (table.widths if table.widths and len(table.widths) == columns
                     else [1 / columns] * columns)
        cols = [twips(width * f) for f in fractions]
        props = [] if table.signature else ['<w:tblStyle w:val='
                                            f'{quoteattr(self.style_ids["Table Grid"])}/>']
        props.append(f'<w:tblW w:w="{sum(cols)}" w:type="dxa"/>')
        if indent:
            props.append(f'<w:tblInd w:w="{twips(indent)}" w:type="dxa"/>')
        props.append('<w:tblLayout w:type="fixed"/>')
        self.out.append(f"<w:tbl><w:tblPr>{''.join(props)}</w:tblPr><w:tblGrid>"
                        + "".join(f'<w:gridCol w:w="{w}"/>' for w in cols) + "</w:tblGrid>")
        last = len(table.rows) - 1
        for r, row in enumerate(table.rows):
            flags = "<w:cantSplit/>" + ("<w:tblHeader/>" if r < table.header_rows else "")
            change = table.row_changes[r] if r < len(table.row_changes) else None
            if change:
                flags += self._change(change) + "/>"
            self.out.append(f"<w:tr><w:trPr>{flags}</w:trPr>")
            for c, cell in enumerate(row):
                span = columns - c if c == len(row) - 1 else 1
                self._cell(cell, sum(cols[c:c + span]), span,
                           keep=table.signature and r < last,
                           page_break=table.page_break_before and r == 0 and c == 0)
            self.out.append("</w:tr>")
        self.out.append("</w:tbl>")

    def _cell(self, cell: Cell, width: int, span: int, *, keep: bool, page_break: bool) -> None:
        props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if span > 1:
            props += f'<w:gridSpan w:val="{span}"/>'
        if cell.header:
            props += f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>'
        self.out.append(f"<w:tc><w:tcPr>{props}</w:tcPr>")
        for i, para in enumerate(cell.paras):
            if page_break and i == 0:
                para.page_break_before = True
            self.paragraph(para, table_text=True,
                           keep=keep or (i < len(cell.paras) - 1 and para.kind.startswith("sig")))
        self.out.append("</w:tc>")


def _spacing(*, before: int | None = None, after: int | None = None) -> str:
    attrs = "".join(f' w:{name}="{points * 20}"' for name, points in
                    (("before", before), ("after", after)) if points is not None)
    return f"<w:spacing{attrs}/>"
