"""Text for people: finding lines, validation summaries and the cohort's closing table."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from lead_replicate.findings import plural

if TYPE_CHECKING:
    from lead_replicate.cohort import CohortItem
    from lead_replicate.rules.principles import Principle
    from lead_replicate.rules.validate import Report


def finding_lines(report: Report, *, errors_only: bool = False) -> list[str]:
    """``FILE:LINE:COL: SEVERITY [principle] message Fix: ...``: format.md's contract."""
    return [f"{report.file}:{f.line}:{f.column}: {f.severity} [{f.principle}] {f.message}"
            + (f" Fix: {f.fix}" if f.fix else "")
            for f in report.findings if not errors_only or f.severity == "error"]


def rulebook_text(rulebook: list[Principle], fmt: str) -> str:
    """The rulebook as ``text``, a ``markdown`` table, or ``json``."""
    if fmt == "json":
        return json.dumps({"principles": [asdict(p) for p in rulebook]}, indent=2)
    if fmt == "markdown":
        rows = [f"| `{p.id}` | {p.severity} | {p.title} | {p.requirement} | {p.fix} |"
                for p in rulebook]
        return "\n".join(["| id | severity | title | requires | fix |", "|---|---|---|---|---|",
                          *rows])
    return "\n\n".join(f"{p.id} ({p.severity}): {p.title}\n  Requires: {p.requirement}\n"
                       f"  Fix: {p.fix}\n  Source: {'; '.join(p.sources)}" for p in rulebook)


def validation_summary(reports: Iterable[Report]) -> list[str]:
    """One verdict line per file, then the total."""
    reports = list(reports)
    lines = []
    for r in reports:
        lines.append(f"{r.file}: {'ok' if r.valid else 'FAILS'}: {r.counts.text()}")
    bad = sum(not r.valid for r in reports)
    lines.append(f"Checked {plural(len(reports), 'file')}: {plural(bad, 'file')} with errors.")
    return lines



def format_table(items: list[CohortItem]) -> str:
    """The closing summary: one row per file, then the problems in plain words, then totals."""
    header = ("Jurisdiction", "Errors", "Warnings", "Readiness", "Documents")
    rows = [header]
    for item in items:
        rows.append((item.jurisdiction or Path(item.file).name,
                     "-" if item.error else str(item.errors),
                     "-" if item.error else str(item.warnings),
                     "-" if item.readiness is None else f"{item.readiness:.0f}%",
                     _documents_cell(item)))
    widths = [max(len(row[c]) for row in rows) for c in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0]), *(row[c].rjust(widths[c]) for c in (1, 2, 3)),
                 row[4].ljust(widths[4])]
        return "  ".join(cells).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows[1:]]
    failed = [item for item in items if item.error]
    problems = [f"{item.file}: {item.problem}" for item in items if item.problem]
    out += ["", *problems] if problems else []
    cached = sum(item.cached for item in items)
    built = len(items) - cached - len(failed)
    out.append("")
    out.append(f"{len(items)} jurisdiction{'s' if len(items) != 1 else ''}: {built} built, "
               f"{cached} unchanged (from the cache), {len(failed)} failed.")
    return "\n".join(out)


def _documents_cell(item: CohortItem) -> str:
    if item.error:
        return "not built (see below)"
    parts = [f"{len(item.written)} {'cached' if item.cached else 'written'}"]
    if item.refused:
        parts.append(f"{len(item.refused)} refused")
    return ", ".join(parts)
