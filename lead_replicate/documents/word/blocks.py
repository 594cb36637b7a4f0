"""The neutral blocks a document is read into: paragraphs, tables and styled runs of text.

``htmlblocks`` makes them from a document's HTML; ``wordbody`` writes them as Word, the
redline (``redline``) diffs two of them, and ``blockhtml`` writes them back as HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SPACE = re.compile(r"\s+")


@dataclass
class Run:
    """A stretch of text with one look; ``change`` is "ins" or "del" inside a redline."""

    text: str
    bold: bool = False
    italic: bool = False
    tbd: bool = False  # "to be decided" wording (styled apart, as in the PDF)
    small: bool = False
    change: str | None = None


@dataclass
class Para:
    """One paragraph. ``kind``: title, subtitle, meta, heading, text, clause, bullet,
    number, term, definition, sigline, siglabel, caption."""

    kind: str
    runs: list[Run]
    level: int = 0  # heading level 1-3, or list depth
    number: str = ""  # as the PDF prints it: "3." for a section heading, "3.2" for a clause
    continued: bool = False  # text after a nested list inside an item: indented, unnumbered
    list_id: int = 0  # which ordered list a numbered item belongs to (numbering restarts)
    page_break_before: bool = False
    keep_with_next: bool = False
    change: str | None = None  # the whole paragraph was inserted or deleted (redline)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Cell:
    paras: list[Para]
    header: bool = False  # a th: bold and shaded


@dataclass
class Table:
    """Rows of cells; ``header_rows`` repeat on every page. A signature block is a table
    whose rows never split from each other."""

    rows: list[list[Cell]]
    header_rows: int = 0
    widths: list[float] | None = None  # fractions of the text width
    signature: bool = False
    indent: int = 0  # list depth it sits in (a table inside a clause is indented with it)
    page_break_before: bool = False
    row_changes: list[str | None] = field(default_factory=list)  # redline: inserted/deleted


Block = Para | Table


@dataclass
class Blocks:
    """A whole document: its properties, running header and footer, and body blocks."""

    document: str = ""
    title: str = ""
    subject: str = ""
    author: str = ""
    keywords: str = ""
    language: str = "en"
    created: str = ""  # ISO date-time from dcterms.created (SOURCE_DATE_EPOCH), never the clock
    header_left: str = ""
    header_right: str = ""
    footer: str = ""
    draft: str = ""  # the DRAFT mark the PDF prints on every page, if any
    blocks: list[Block] = field(default_factory=list)


def tidy(runs: list[Run]) -> list[Run]:
    """Collapse white space as a browser does, across runs; drop empty runs."""
    out: list[Run] = []
    space_before = True  # at the start of a paragraph, or after a line break
    for run in runs:
        if run.text == "\n":
            if out and out[-1].text.endswith(" "):
                out[-1].text = out[-1].text.rstrip(" ")
            out.append(run)
            space_before = True
            continue
        text = _SPACE.sub(" ", run.text)
        if space_before:
            text = text.lstrip(" ")
        if not text:
            continue
        space_before = text.endswith(" ")
        out.append(Run(text, run.bold, run.italic, run.tbd, run.small, run.change))
    while out:
        last = out[-1]
        if last.text != "\n":
            last.text = last.text.rstrip(" ")
            if last.text:
                break
        out.pop()
    return out
