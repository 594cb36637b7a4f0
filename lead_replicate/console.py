"""Text for people: finding lines, validation summaries, build lines and the closing table."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from lead_replicate.findings import plural

if TYPE_CHECKING:
    from lead_replicate.findings import Finding
    from lead_replicate.outcome import Outcome
    from lead_replicate.rules.principles import Principle
    from lead_replicate.rules.validate import Report


def finding_lines(report: Report, *, errors_only: bool = False) -> list[str]:
    """``FILE:LINE:COL: SEVERITY [principle] message Fix: ...``: format.md's contract."""
    return [_finding_line(report.file, f) for f in report.findings
            if not errors_only or f.severity == "error"]


def _finding_line(file: str, f: Finding) -> str:
    also = "".join(f" [{p}]" for p in f.also)
    return (f"{file}:{f.line}:{f.column}: {f.severity} [{f.principle}] {f.message}"
            + (f" Also open under{also}." if also else "") + (f" Fix: {f.fix}" if f.fix else ""))


def blocking_lines(outcome: Outcome) -> list[str]:
    """The errors behind a build's refused or unbuilt documents, as ``validate`` prints them."""
    return [_finding_line(outcome.file, f) for f in outcome.blocking]


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



def outcome_line(outcome: Outcome) -> str:
    """One plain line per built file: what was written, refused, removed, or went wrong."""
    if outcome.cached:
        return f"{outcome.file}: unchanged since the last build; its documents are current"
    parts = []
    if outcome.written:
        folder = Path(outcome.written[0]).parent
        parts.append(f"wrote {', '.join(Path(p).name for p in outcome.written)} in {folder}"
                     + (" (marked DRAFT)" if outcome.draft else ""))
    if outcome.refused:
        errors = outcome.counts.errors if outcome.counts else 0
        them = "it" if errors == 1 else "them"
        parts.append(f"refused {' and '.join(outcome.refused)}: "
                     f"{plural(errors, 'principle error')} "
                     f"(fix {them}, or use --draft to build marked drafts)")
    if outcome.removed:
        names = outcome.removed
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        parts.append(f"removed {listed} from an earlier build (they no longer match the plan)")
    if outcome.problem:
        parts.append(outcome.problem)
    return f"{outcome.file}: {'; '.join(parts) or 'nothing to write'}"


def format_table(outcomes: list[Outcome]) -> str:
    """The closing summary: one row per file, then the problems in plain words, then totals.

    The numbers are the report's counts: the same errors, warnings and open questions that
    ``validate`` prints for the file.
    """
    header = ("Jurisdiction", "Errors", "Warnings", "Open", "Readiness", "Documents")
    rows = [header]
    for o in outcomes:
        counts = ("-", "-", "-") if o.counts is None else (
            str(o.counts.errors), str(o.counts.warnings), str(o.counts.open))
        rows.append((o.jurisdiction or Path(o.file).name, *counts,
                     "-" if o.readiness is None else f"{o.readiness:.0f}%", _documents_cell(o)))
    widths = [max(len(row[c]) for row in rows) for c in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0]), *(row[c].rjust(widths[c]) for c in (1, 2, 3, 4)),
                 row[5].ljust(widths[5])]
        return "  ".join(cells).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows[1:]]
    problems = [f"{o.file}: {o.problem}" for o in outcomes if o.problem]
    out += ["", *problems] if problems else []
    failed = sum(o.failed for o in outcomes)
    cached = sum(o.cached for o in outcomes)
    refused = sum(bool(o.refused) and not o.failed for o in outcomes)
    total = (f"{plural(len(outcomes), 'jurisdiction')}: {len(outcomes) - cached - failed} built, "
             f"{cached} unchanged (from the cache), {failed} failed")
    out += ["", total + (f"; {refused} with documents refused." if refused else ".")]
    return "\n".join(out)


def _documents_cell(o: Outcome) -> str:
    if o.failed and not o.written:
        return "not built (see below)"
    parts = [f"{len(o.written)} {'cached' if o.cached else 'written'}"]
    if o.refused:
        parts.append(f"{len(o.refused)} refused")
    return ", ".join(parts) + (" (see below)" if o.failed else "")
