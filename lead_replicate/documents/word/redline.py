"""Redlines between two drafts of a plan's documents: Word tracked changes and a marked PDF.

Both drafts are rendered as they would be built and read into neutral blocks; the blocks are
aligned by their text, never by clause number, so a clause that only moved to another
number is not a change. Inside a paragraph or a table cell the change shows word by word;
a paragraph, row or table with nothing in common with the other draft shows whole.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from lead_replicate import __version__
from lead_replicate.documents.output import write_atomic
from lead_replicate.documents.packet import DOCUMENTS, BuildOptions, generated_on, render_document
from lead_replicate.documents.templating import date_long, find_asset
from lead_replicate.documents.word.blocks import Blocks, Cell, Para, Run, Table
from lead_replicate.documents.word.htmlblocks import read_blocks
from lead_replicate.errors import OutputError
from lead_replicate.rules.validate import Report

REDLINED = ("mou.pdf", "protocol-manual.pdf", "consent-form.pdf")  # what counsel negotiates
SKIPPED = ("annex",)  # the draft annex lists the validator's findings, not negotiated text
SIMILAR = 0.5  # below this share of words in common, a paragraph is replaced whole
LOOKAHEAD = 4
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*\s*|[^\w\s]\s*|\s+")  # a word and the space after it
MIN_KEPT = 3  # unchanged words between two changes, fewer are shown as part of the change
Block = Para | Table


def redline_blocks(old: Blocks, new: Blocks) -> Blocks:
    """``new`` with the differences from ``old`` marked: runs, paragraphs and table rows
    carry ``change`` = "ins" or "del"."""
    merged = dataclasses.replace(new, blocks=[])
    keys_old, keys_new = [_key(b) for b in old.blocks], [_key(b) for b in new.blocks]
    matcher = difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            merged.blocks += new.blocks[j1:j2]
        else:
            merged.blocks += _pair(old.blocks[i1:i2], new.blocks[j1:j2])
    return merged


def _key(block: Block) -> tuple[str, ...]:
    if isinstance(block, Para):
        return (block.kind, block.text)
    return ("table", *("\t".join(c_text(c) for c in row) for row in block.rows))


def c_text(cell: Cell) -> str:
    return "\n".join(p.text for p in cell.paras)


def _similar(a: Block, b: Block) -> bool:
    if isinstance(a, Para) and isinstance(b, Para):
        return a.kind == b.kind and _ratio(a.text, b.text) >= SIMILAR
    if isinstance(a, Table) and isinstance(b, Table):
        return (a.signature == b.signature and _columns(a) == _columns(b)
                and _ratio(" ".join(_key(a)), " ".join(_key(b))) >= SIMILAR)
    return False


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def _columns(table: Table) -> int:
    return max(len(r) for r in table.rows)


def _pair(olds: list[Block], news: list[Block]) -> Iterator[Block]:
    """A changed stretch: blocks that resemble each other are diffed inside, in order; the
    rest are deleted or inserted whole."""
    i = j = 0
    while i < len(olds) and j < len(news):
        if _similar(olds[i], news[j]):
            yield _merge(olds[i], news[j])
            i, j = i + 1, j + 1
            continue
        ahead = _next_similar(olds[i], news, j)
        if ahead is not None:
            yield from (_whole(b, "ins") for b in news[j:ahead])
            j = ahead
            continue
        behind = _next_similar(news[j], olds, i)
        if behind is not None:
            yield from (_whole(b, "del") for b in olds[i:behind])
            i = behind
            continue
        yield _whole(olds[i], "del")
        yield _whole(news[j], "ins")
        i, j = i + 1, j + 1
    yield from (_whole(b, "del") for b in olds[i:])
    yield from (_whole(b, "ins") for b in news[j:])


def _next_similar(block: Block, blocks: list[Block], start: int) -> int | None:
    """Where ``block`` reappears a little further on, if it does."""
    return next((k for k in range(start + 1, min(start + LOOKAHEAD, len(blocks)))
                 if _similar(block, blocks[k])), None)


def _whole(block: Block, change: str) -> Block:
    if isinstance(block, Para):
        return _para_marked(block, change)
    rows = [[_cell_marked(c, change) for c in row] for row in block.rows]
    return dataclasses.replace(block, rows=rows, row_changes=[change] * len(rows))


def _cell_marked(cell: Cell, change: str) -> Cell:
    return Cell([_para_marked(p, change) for p in cell.paras], cell.header)


def _para_marked(para: Para, change: str) -> Para:
    return dataclasses.replace(para, change=change,
                               runs=[dataclasses.replace(r, change=change) for r in para.runs])


def _merge(old: Block, new: Block) -> Block:
    if isinstance(old, Para) and isinstance(new, Para):
        return dataclasses.replace(new, runs=diff_runs(old.runs, new.runs))
    assert isinstance(old, Table) and isinstance(new, Table)
    rows: list[list[Cell]] = []
    changes: list[str | None] = []
    old_keys = ["\t".join(c_text(c) for c in r) for r in old.rows]
    new_keys = ["\t".join(c_text(c) for c in r) for r in new.rows]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += new.rows[j1:j2]
            changes += [None] * (j2 - j1)
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for a, b in zip(old.rows[i1:i1 + pairs], new.rows[j1:j1 + pairs], strict=True):
            rows.append([_merge_cell(x, y) for x, y in zip(a, b, strict=False)])
            changes.append(None)
        for row in old.rows[i1 + pairs:i2]:
            rows.append([_cell_marked(c, "del") for c in row])
            changes.append("del")
        for row in new.rows[j1 + pairs:j2]:
            rows.append([_cell_marked(c, "ins") for c in row])
            changes.append("ins")
    return dataclasses.replace(new, rows=rows, row_changes=changes)


def _merge_cell(old: Cell, new: Cell) -> Cell:
    if len(old.paras) != len(new.paras):
        return Cell([*(_para_marked(p, "del") for p in old.paras),
                     *(_para_marked(p, "ins") for p in new.paras)], new.header)
    return Cell([dataclasses.replace(b, runs=diff_runs(a.runs, b.runs))
                 for a, b in zip(old.paras, new.paras, strict=True)], new.header)


def diff_runs(old: list[Run], new: list[Run]) -> list[Run]:
    """Word by word: unchanged words keep the new draft's look, deletions come first."""
    a, b = list(_tokens(old)), list(_tokens(new))
    out: list[Run] = []
    matcher = difflib.SequenceMatcher(None, [t.text for t in a], [t.text for t in b],
                                      autojunk=False)
    for op, i1, i2, j1, j2 in _readable(matcher.get_opcodes()):
        if op == "equal":
            out += b[j1:j2]
            continue
        out += [dataclasses.replace(t, change="del") for t in a[i1:i2]]
        out += [dataclasses.replace(t, change="ins") for t in b[j1:j2]]
    return _joined(out)


def _readable(ops: Sequence[tuple[str, int, int, int, int]]
              ) -> list[tuple[str, int, int, int, int]]:
    """Fold a few unchanged words caught between two changes into one change, so a rewritten
    sentence reads as the old sentence struck and the new one inserted, not word salad."""
    out: list[tuple[str, int, int, int, int]] = []
    for k, (op, i1, i2, j1, j2) in enumerate(ops):
        inner = 0 < k < len(ops) - 1
        if op == "equal" and inner and i2 - i1 < MIN_KEPT and out and out[-1][0] != "equal":
            op = "replace"
        if op != "equal" and out and out[-1][0] != "equal":
            _, a1, _, b1, _ = out.pop()
            op, i1, j1 = "replace", a1, b1
        out.append((op, i1, i2, j1, j2))
    return out


def _tokens(runs: list[Run]) -> Iterator[Run]:
    for run in runs:
        if run.text == "\n":
            yield run
            continue
        for token in _TOKEN.findall(run.text):
            yield dataclasses.replace(run, text=token)


def _joined(runs: list[Run]) -> list[Run]:
    """Neighbouring tokens with the same look and change become one run again."""
    out: list[Run] = []
    for run in runs:
        if (out and run.text != "\n" and out[-1].text != "\n"
                and dataclasses.replace(out[-1], text="") == dataclasses.replace(run, text="")):
            out[-1] = dataclasses.replace(out[-1], text=out[-1].text + run.text)
        else:
            out.append(run)
    return out


def document_blocks(report: Report, document: str, templates: Path | None) -> Blocks:
    """One document of a plan as ``build --draft`` would write it, read into blocks."""
    options = BuildOptions(Path("."), draft=report.errors > 0, templates=templates)
    html = render_document(report, document, options, source_name=Path(report.file).name)
    stylesheet = find_asset("lead.css", templates).read_text(encoding="utf-8")
    return read_blocks(html, stylesheet=stylesheet, skip=SKIPPED)


def write_redlines(old: Report, new: Report, out_dir: Path, *, templates: Path | None = None,
                   force: bool = False, pdf: bool = True) -> list[Path]:
    """Write ``<document>-redline.docx`` (and ``.pdf``) in ``out_dir`` for each negotiated
    document; returns the paths written. Raises PdfEngineError after the Word files when
    the PDF engine is missing."""
    from lead_replicate.documents.word.docx import blocks_to_docx

    written: list[Path] = []
    pdfs: list[tuple[Path, str]] = []
    footer = (f"Redline from {Path(old.file).name} to {Path(new.file).name}, generated by "
              f"lead-replicate {__version__} for review by counsel, "
              f"{date_long(generated_on())}.")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} is a file; --out names a folder")
    for document, filename in DOCUMENTS.items():
        if filename not in REDLINED:
            continue
        merged = redline_blocks(document_blocks(old, document, templates),
                                document_blocks(new, document, templates))
        merged.footer, merged.header_right = footer, f"{merged.header_right} (redline)"
        stem = Path(filename).stem + "-redline"
        target = out_dir / f"{stem}.docx"
        write_atomic(target, blocks_to_docx(merged, redline=True), force=force)
        written.append(target)
        if pdf:
            from lead_replicate.documents.word.blockhtml import blocks_html

            pdfs.append((out_dir / f"{stem}.pdf", blocks_html(merged)))
    if pdfs:
        from lead_replicate.documents.pdf import render_pdf

        for target, html in pdfs:
            write_atomic(target, render_pdf(html, overrides=templates), force=force)
            written.append(target)
    return written
