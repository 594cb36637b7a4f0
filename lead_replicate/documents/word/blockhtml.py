"""Neutral blocks back to HTML, for the redline PDF: insertions underlined, deletions struck.

The redline's blocks mix two drafts, so they cannot go back through the templates; this
writes them in the same small vocabulary (running header and footer, DRAFT mark, numbered
clauses, lists, tables, signature lines) with the shipped stylesheet, plus a few rules of its
own, and ``pdf.render_pdf`` lays it out like the other documents.
"""

from __future__ import annotations

from html import escape

from lead_replicate.documents.word.blocks import Blocks, Cell, Para, Run, Table

STYLE = """
ins { text-decoration: underline; color: #0b4f9c; }
del { text-decoration: line-through; color: #a00000; }
p.legend { font-size: 9.5pt; border: 0.75pt solid #888; padding: 3pt 6pt; }
p.clause, p.cont { padding-left: 2.6em; position: relative; margin: 0 0 0.6em; }
p.clause > .num { position: absolute; left: 0; top: 0; }
p.item { position: relative; margin: 0 0 0.25em; }
p.item > .mark { position: absolute; left: -1.2em; top: 0; }
p.term { font-weight: bold; margin: 0.4em 0 0.1em; break-after: avoid; }
p.definition { margin-left: 1.6em; }
p.caption { font-weight: bold; break-after: avoid; }
div.sigline { border-bottom: 0.75pt solid #000; min-height: 1.4em; margin-top: 1.4em; }
div.siglabel { font-size: 9pt; color: #333; }
table.signature { break-inside: avoid; }
table.signature td { border: none; padding: 0 8pt 0 0; }
tr.del td, tr.del th { background: #fbeaea; }
tr.ins td, tr.ins th { background: #e8f0fb; }
"""
LEGEND = ("This redline shows the changes between two drafts: insertions are underlined, "
          "deletions are struck through.")


def blocks_html(doc: Blocks) -> str:
    """A complete HTML page for ``pdf.render_pdf``."""
    out = [f'<!DOCTYPE html>\n<html lang="{escape(doc.language)}">\n<head>\n'
           f'<meta charset="utf-8">\n<title>{escape(doc.title)} (redline)</title>\n'
           f'<meta name="author" content="{escape(doc.author)}">\n'
           f'<meta name="description" content="{escape(doc.subject)}">\n'
           f'<meta name="keywords" content="{escape(doc.keywords)}">\n'
           f'<meta name="dcterms.created" content="{escape(doc.created)}">\n'
           f'<meta name="dcterms.modified" content="{escape(doc.created)}">\n'
           f"<style>{STYLE}</style>\n</head>\n"
           f'<body class="redline {escape(doc.document)}">\n'
           f'<div class="running-jurisdiction" aria-hidden="true">{escape(doc.header_left)}'
           f'</div>\n<div class="running-title" aria-hidden="true">'
           f'{escape(doc.header_right)}</div>\n'
           f'<p class="running-footer">{escape(doc.footer)}</p>\n']
    if doc.draft:
        out.append(f'<div class="draft-mark" role="note">{escape(doc.draft)}</div>\n')
    out.append("<main>\n")
    counters: dict[int, int] = {}
    legend_due = True
    for block in doc.blocks:
        if isinstance(block, Table):
            out.append(_table(block, counters))
        else:
            if legend_due and block.kind not in ("title", "subtitle", "meta"):
                out.append(f'<p class="legend">{LEGEND}</p>\n')
                legend_due = False
            out.append(_para(block, counters))
    out.append("</main>\n</body>\n</html>\n")
    return "".join(out)


def _para(p: Para, counters: dict[int, int]) -> str:
    runs = _runs(p.runs)
    number = _wrap(escape(p.number), p.change) if p.number else ""
    style = ' style="break-before: page"' if p.page_break_before else ""
    if p.kind == "title":
        return f"<h1{style}>{runs}</h1>\n"
    if p.kind == "heading":
        tag = f"h{min(p.level + 1, 4)}"
        return f"<{tag}{style}>{number + ' ' if number else ''}{runs}</{tag}>\n"
    if p.kind == "clause":
        cls = "cont" if p.continued else "clause"
        num = f'<span class="num">{number}</span>' if number else ""
        return f'<p class="{cls}"{style}>{num}{runs}</p>\n'
    if p.kind in ("bullet", "number"):
        indent = f"margin-left: {1.2 + 1.6 * p.level + (2.6 if p.level else 0):.1f}em"
        mark = ""
        if not p.continued:
            counters[p.list_id] = counters.get(p.list_id, 0) + 1
            mark = "\u2022" if p.kind == "bullet" else f"{counters[p.list_id]}."
        return (f'<p class="item" style="{indent}"><span class="mark">{mark}</span>'
                f"{runs}</p>\n")
    if p.kind in ("sigline", "siglabel"):
        return f'<div class="{p.kind}">{runs or "&nbsp;"}</div>\n'
    cls = {"subtitle": "subtitle", "meta": "meta", "term": "term", "definition": "definition",
           "caption": "caption"}.get(p.kind, "")
    indent = f' style="margin-left: {2.6 * p.level:.1f}em"' if p.level and not style else style
    return f'<p{f" class={cls!r}" if cls else ""}{indent}>{runs}</p>\n'


def _runs(runs: list[Run]) -> str:
    parts = []
    for r in runs:
        if r.text == "\n":
            parts.append(_wrap("<br>", r.change))
            continue
        html = escape(r.text)
        if r.bold:
            html = f"<strong>{html}</strong>"
        if r.italic:
            html = f"<em>{html}</em>"
        if r.tbd:
            html = f'<span class="tbd">{html}</span>'
        if r.small:
            html = f'<span class="note">{html}</span>'
        parts.append(_wrap(html, r.change))
    return "".join(parts)


def _wrap(html: str, change: str | None) -> str:
    return f"<{change}>{html}</{change}>" if change else html


def _table(t: Table, counters: dict[int, int]) -> str:
    columns = max(len(r) for r in t.rows)
    cls = ' class="signature"' if t.signature else ""
    style = ' style="break-before: page"' if t.page_break_before else ""
    indent = f' style="margin-left: {2.6 * t.indent:.1f}em; width: auto"' if t.indent else ""
    out = [f"<table{cls}{style or indent}>\n"]
    for i, row in enumerate(t.rows):
        if i == 0 and t.header_rows:
            out.append("<thead>\n")
        change = t.row_changes[i] if i < len(t.row_changes) else None
        out.append(f'<tr class="{change}">' if change else "<tr>")
        for c, cell in enumerate(row):
            span = columns - c if c == len(row) - 1 and columns > len(row) else 1
            out.append(_cell(cell, span, counters))
        out.append("</tr>\n")
        if i + 1 == t.header_rows:
            out.append("</thead>\n<tbody>\n")
    out.append("</tbody>\n</table>\n" if t.header_rows else "</table>\n")
    return "".join(out)


def _cell(cell: Cell, span: int, counters: dict[int, int]) -> str:
    tag = "th" if cell.header else "td"
    colspan = f' colspan="{span}"' if span > 1 else ""
    inner = "".join(_para(p, counters) if p.kind not in ("text",) else
                    f"<div>{_runs(p.runs)}</div>" for p in cell.paras)
    return f"<{tag}{colspan}>{inner}</{tag}>"
