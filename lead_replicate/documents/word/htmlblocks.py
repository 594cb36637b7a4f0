"""Read a document's HTML into neutral blocks (paragraphs and tables) for Word and redlines.

The PDF, the Word file and the redline all start from the HTML that ``render_document``
makes, so they share one template context: the same clause numbers, text and brackets. This
module knows the templates' small vocabulary (``section.sec``, ``ol.clauses``,
``div.signature``, ``thead``, the running header and footer, ``.draft-mark``, ``.tbd``) and
reads page breaks and keep-together rules from the same stylesheet the PDF uses; anything
else falls back to plain paragraphs, so a document added later still converts.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from lead_replicate.documents.word.blocks import Block, Blocks, Cell, Para, Run, Table, tidy
from lead_replicate.documents.word.htmltree import classes, parse_html, text_of
from lead_replicate.documents.word.pagerules import PageRules, page_rules

BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "section",
              "header", "main", "div", "article", "aside", "nav", "footer", "blockquote",
              "li", "dt", "dd", "figure", "figcaption", "hr"}
FURNITURE = {"running-jurisdiction", "running-title", "running-footer", "draft-mark"}


def read_blocks(html: str, *, stylesheet: str = "", skip: tuple[str, ...] = ()) -> Blocks:
    """The neutral blocks of one document's HTML. ``skip``: class names of sections to
    leave out (the redline leaves out the draft annex of open findings)."""
    root = parse_html(html)
    doc = Blocks(language=root.get("lang") or "en")
    head = root.find("head")
    if head is not None:
        _read_head(head, doc)
    body = root.find("body")
    if body is None:
        return doc
    doc.document = body.get("class", "")
    walker = _Walker(page_rules(stylesheet, root), skip)
    walker.flow(body, _Context())
    doc.blocks = walker.blocks
    for name, value in walker.furniture.items():
        setattr(doc, name, value)
    return doc


def _read_head(head: ET.Element, doc: Blocks) -> None:
    title = head.find("title")
    doc.title = text_of(title) if title is not None else ""
    metas = {m.get("name", ""): m.get("content", "") for m in head.iter("meta")}
    doc.author = metas.get("author", "")
    doc.subject = metas.get("description", "")
    doc.keywords = metas.get("keywords", "")
    doc.created = metas.get("dcterms.created", "")


@dataclass
class _Context:
    depth: int = 0  # list items around this point
    level: int = 0  # the list level of the paragraphs made here
    kind: str = "text"  # the kind of the paragraph an item's first text makes
    bold: bool = False
    italic: bool = False
    tbd: bool = False
    small: bool = False
    change: str | None = None

    def but(self, **changes: object) -> _Context:
        return _Context(**{**self.__dict__, **changes})


_FURNITURE_FIELDS = {"running-jurisdiction": "header_left", "running-title": "header_right",
                     "running-footer": "footer", "draft-mark": "draft"}


class _Walker:
    def __init__(self, rules: PageRules, skip: tuple[str, ...]) -> None:
        self.rules, self.skip = rules, set(skip)
        self.blocks: list[Block] = []
        self.furniture: dict[str, str] = {}
        self.section = 0  # numbered MOU sections (section.sec), as the stylesheet counts them
        self.clause = 0
        self.lists = 0
        self.sec_heading = False  # the next h2 is a numbered section's heading
        self.break_pending = False

    # --- blocks -------------------------------------------------------------------------

    def emit(self, block: Block) -> None:
        if self.break_pending:
            block.page_break_before, self.break_pending = True, False
        self.blocks.append(block)

    def flow(self, el: ET.Element, ctx: _Context) -> None:
        """Lay out an element's children: loose text gathers into paragraphs of ``ctx.kind``;
        after the first one (or after a nested block) they are continuations."""
        pending: list[Run] = []
        continued = False

        def flush() -> None:
            nonlocal pending, continued
            runs = tidy(pending)
            if runs:
                self.emit(Para(ctx.kind, runs, level=ctx.level, continued=continued))
                continued = True
            pending = []

        self._inline_text(el.text, ctx, pending)
        for child in el:
            if child.tag in BLOCK_TAGS:
                flush()
                self.block(child, ctx)
                continued = True
            else:
                self.inline(child, ctx, pending)
            self._inline_text(child.tail, ctx, pending)
        flush()

    def block(self, el: ET.Element, ctx: _Context) -> None:
        cls = classes(el)
        if cls & self.skip:
            return
        if cls & FURNITURE:
            name = _FURNITURE_FIELDS[next(iter(cls & FURNITURE))]
            self.furniture[name] = text_of(el)
            return
        start = len(self.blocks)
        if self.rules.breaks_before(el):
            self.break_pending = True
        ctx = self._styled(el, ctx)
        tag = el.tag
        if tag == "section" and "sec" in cls:
            self.section += 1
            self.clause, self.sec_heading = 0, True
            self.flow(el, ctx)
            self.sec_heading = False
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading(el, ctx)
        elif tag == "p":
            kind = "subtitle" if "subtitle" in cls else "meta" if "meta" in cls else ctx.kind
            self.flow(el, ctx.but(kind=kind if kind in ("subtitle", "meta") else "text"))
        elif tag in ("ul", "ol"):
            self._list(el, ctx)
        elif tag == "dl":
            for item in el:
                kind = "term" if item.tag == "dt" else "definition"
                self.flow(item, ctx.but(kind=kind, bold=ctx.bold or kind == "term"))
        elif tag == "table":
            self._table(el, ctx)
        elif tag == "div" and "signature" in cls:
            self._signature(el, ctx)
        else:
            self.flow(el, ctx.but(kind="text"))
        self._apply_rules(el, start)

    def _apply_rules(self, el: ET.Element, start: int) -> None:
        made = [b for b in self.blocks[start:] if isinstance(b, Para)]
        if self.rules.keeps_together(el):
            for para in made[:-1]:
                para.keep_with_next = True
        if made and self.rules.keeps_with_next(el):
            made[-1].keep_with_next = True
        if self.rules.breaks_after(el):
            self.break_pending = True

    def _heading(self, el: ET.Element, ctx: _Context) -> None:
        level = int(el.tag[1])
        runs = tidy(self._runs(el, ctx))
        if level == 1:
            self.emit(Para("title", runs))
            return
        number = ""
        if level == 2 and self.sec_heading:
            number, self.sec_heading = f"{self.section}.", False
        self.emit(Para("heading", runs, level=min(level - 1, 3), number=number,
                       keep_with_next=True))

    def _list(self, el: ET.Element, ctx: _Context) -> None:
        clauses = el.tag == "ol" and "clauses" in classes(el)
        kind = "clause" if clauses else "number" if el.tag == "ol" else "bullet"
        self.lists += 1
        list_id = self.lists  # nested lists inside the items count on from here
        item_ctx = ctx.but(kind=kind, level=ctx.depth, depth=ctx.depth + 1)
        for item in el:
            if item.tag != "li":
                continue
            start = len(self.blocks)
            if clauses:
                self.clause += 1
            self.flow(item, self._styled(item, item_ctx))
            # An item made of paragraphs (<li><p>...</p><p>...</p></li>): the first carries
            # the number, the others are the item's continuations.
            mine = [b for b in self.blocks[start:] if isinstance(b, Para)
                    and b.level == ctx.depth and b.kind in (kind, "text")]
            for i, para in enumerate(mine):
                para.kind, para.continued = kind, i > 0 or para.continued
            first = self.blocks[start] if len(self.blocks) > start else None
            if isinstance(first, Para) and first.kind == kind and not first.continued:
                first.number = f"{self.section}.{self.clause}" if clauses else ""
                first.list_id = list_id
            self._apply_rules(item, start)

    def _table(self, el: ET.Element, ctx: _Context) -> None:
        caption = el.find("caption")
        if caption is not None:
            self.emit(Para("caption", tidy(self._runs(caption, ctx.but(bold=True))),
                           keep_with_next=True))
        widths = _col_widths(el)
        rows: list[list[Cell]] = []
        header_rows = 0
        for part in el:
            trs = [part] if part.tag == "tr" else [t for t in part if t.tag == "tr"]
            for tr in trs:
                cells = [self._cell(td, ctx) for td in tr if td.tag in ("td", "th")]
                if cells:
                    rows.append(cells)
                    if part.tag == "thead" and len(rows) == header_rows + 1:
                        header_rows += 1
        if rows:
            self.emit(Table(rows, header_rows, widths, indent=ctx.depth))

    def _cell(self, td: ET.Element, ctx: _Context) -> Cell:
        sub = _Walker(self.rules, tuple(self.skip))
        header = td.tag == "th"
        sub.flow(td, self._styled(td, ctx.but(kind="text", depth=0, level=0,
                                             bold=ctx.bold or header)))
        paras = [b for b in sub.blocks if isinstance(b, Para)]
        return Cell(paras or [Para("text", [])], header=header)

    def _signature(self, el: ET.Element, ctx: _Context) -> None:
        """``div.signature``: the organization, a signature line, then labelled fields."""
        org = el.find("div[@class='org']")
        rows: list[list[Cell]] = []
        if org is not None:
            rows.append([Cell([Para("text", tidy(self._runs(org, ctx.but(bold=True))))])])
        for child in el:
            if "line" in classes(child):  # a line straight under the block: the signature
                rows.append([_sig_cell(text_of(child), _next_label(el, child))])
            elif "approved" in classes(child):  # "Approved as to form:" above counsel's line
                rows.append([Cell([Para("text", tidy(self._runs(child, ctx)))])])
            elif "field" in classes(child):  # one row of side-by-side fields
                fields: list[Cell] = []
                for f in child:
                    value, name = f.find("div[@class='line']"), f.find("div[@class='label']")
                    fields.append(_sig_cell(text_of(value) if value is not None else "",
                                            text_of(name) if name is not None else ""))
                rows.append(fields)
        self.emit(Table(rows, signature=True))

    # --- inline -------------------------------------------------------------------------

    def _styled(self, el: ET.Element, ctx: _Context) -> _Context:
        cls = classes(el)
        tag = el.tag
        return ctx.but(
            bold=ctx.bold or tag in ("strong", "b", "code") or "script" in cls,
            italic=ctx.italic or tag in ("em", "i") or "script" in cls,
            tbd=ctx.tbd or "tbd" in cls,
            small=ctx.small or bool(cls & {"cite", "note", "label"}),
            change="ins" if tag == "ins" else "del" if tag == "del" else ctx.change,
        )

    def _inline_text(self, text: str | None, ctx: _Context, out: list[Run]) -> None:
        if text:
            out.append(Run(text, ctx.bold, ctx.italic, ctx.tbd, ctx.small, ctx.change))

    def inline(self, el: ET.Element, ctx: _Context, out: list[Run]) -> None:
        if el.tag == "br":
            out.append(Run("\n", change=ctx.change))
            return
        if el.tag in ("script", "style", "head", "col", "colgroup"):
            return
        ctx = self._styled(el, ctx)
        self._inline_text(el.text, ctx, out)
        for child in el:
            self.inline(child, ctx, out)
            self._inline_text(child.tail, ctx, out)

    def _runs(self, el: ET.Element, ctx: _Context) -> list[Run]:
        out: list[Run] = []
        self.inline(el, ctx, out)
        return out


def _next_label(parent: ET.Element, line: ET.Element) -> str:
    children = list(parent)
    i = children.index(line)
    if i + 1 < len(children) and "label" in classes(children[i + 1]):
        return text_of(children[i + 1])
    return ""


def _sig_cell(value: str, label: str) -> Cell:
    return Cell([Para("sigline", [Run(value)] if value else []),
                 Para("siglabel", [Run(label, small=True)] if label else [])])


_WIDTH = re.compile(r"width\s*:\s*([\d.]+)%")


def _col_widths(table: ET.Element) -> list[float] | None:
    cols = [c for g in table.findall("colgroup") for c in g.findall("col")]
    found = [_WIDTH.search(c.get("style", "")) for c in cols]
    if not cols or not all(found):
        return None
    return [float(m.group(1)) / 100 for m in found if m]
