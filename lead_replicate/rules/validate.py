"""Validate jurisdiction files: load, check the structure, then check the LEAD principles."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lead_replicate.errors import LoadError
from lead_replicate.findings import Counts, Finding
from lead_replicate.loading.loader import Source, load_jurisdiction, load_text

if TYPE_CHECKING:
    from lead_replicate.rules.principles import PrincipleRow
    from lead_replicate.rules.readiness import Readiness

log = logging.getLogger(__name__)


@dataclass
class Report:
    """Everything validation learned about one file, and what follows from it.

    The statuses, principle rows, readiness and counts are computed once, on first use, and
    every output (``validate``, the documents, the build table, ``compare``) reads them from
    here, so no two outputs can disagree about a plan.
    """

    file: str
    source: Source | None = None
    plan: dict | None = None  # the normalized plan; None when the structure is invalid
    findings: list[Finding] = field(default_factory=list)

    @functools.cached_property
    def counts(self) -> Counts:
        """Errors, warnings and open questions: the numbers every output prints."""
        return Counts.of(self.findings)

    @property
    def errors(self) -> int:
        return self.counts.errors

    @property
    def warnings(self) -> int:
        return self.counts.warnings

    @functools.cached_property
    def statuses(self) -> dict[str, str]:
        """``met``/``warning``/``open``/``error`` per principle id, in rulebook order."""
        from lead_replicate.rules.principles import principle_statuses

        return principle_statuses(self.findings)

    @functools.cached_property
    def principle_rows(self) -> list[PrincipleRow]:
        """Every principle with this file's status and, when not met, what to do about it."""
        from lead_replicate.rules.principles import principle_rows

        return principle_rows(self.findings, self.statuses)

    @functools.cached_property
    def readiness(self) -> Readiness | None:
        """Milestone statuses and the readiness percentage; None without a valid plan."""
        from lead_replicate.rules.readiness import readiness

        return None if self.plan is None else readiness(self.plan)

    @property
    def valid(self) -> bool:
        return self.errors == 0

    @property
    def structurally_valid(self) -> bool:
        """True when the file loaded and matched the format (principle errors may remain)."""
        return self.plan is not None

    @property
    def jurisdiction(self) -> str | None:
        data = self.plan or (self.source.data if self.source else None) or {}
        j = data.get("jurisdiction")
        name = j.get("name") if isinstance(j, dict) else None
        return name if isinstance(name, str) else None

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "jurisdiction": self.jurisdiction,
            "valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "open_questions": self.counts.open,
            "findings": [f.to_dict() for f in self.findings],
        }


def validate_source(source: Source) -> Report:
    """Check an already loaded file."""
    from lead_replicate.rules.confirm import open_items
    from lead_replicate.rules.glyphs import check_text
    from lead_replicate.rules.principles import check_principles
    from lead_replicate.rules.structure import check_structure

    findings, plan = check_structure(source)
    findings += check_text(source)
    if plan is not None:
        findings += check_principles(plan, source) + open_items(plan, source)
    return Report(source.name, source, plan, sorted(findings, key=Finding.sort_key))


def validate_file(path: str | Path) -> Report:
    """Load and check one file; a file that cannot be read becomes a report with one finding."""
    try:
        source = load_jurisdiction(path)
    except LoadError as exc:
        return unreadable_report(str(path), exc)
    return validate_source(source)


def validate_text(raw: bytes | str, name: str = "<text>") -> Report:
    """Check YAML text as if it were a file called ``name``."""
    try:
        source = load_text(raw, name)
    except LoadError as exc:
        return unreadable_report(name, exc)
    return validate_source(source)


def unreadable_report(name: str, exc: LoadError) -> Report:
    """The report of a file that could not be read or parsed: one ``yaml`` error finding."""
    finding = Finding("error", "yaml", "", exc.line, exc.column, exc.message,
                      fix=exc.fix or "Correct the file so that it is valid YAML (see "
                      "docs/format.md).")
    return Report(name, findings=[finding])


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into their ``*.yaml``/``*.yml`` files (sorted); keep files as given.

    A file named twice (``a.yaml ./a.yaml``, or a file and its folder) is kept once, where it
    first appears: it is one plan, so it is checked, built or compared once.
    Raises FileNotFoundError naming the first path that does not exist.
    """
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found += sorted(q for q in p.iterdir()
                            if q.suffix in (".yaml", ".yml") and q.is_file())
        elif p.exists():
            found.append(p)
        else:
            raise FileNotFoundError(str(raw))
    seen: set[Path] = set()
    files = []
    for p in found:
        if p.resolve() not in seen:
            seen.add(p.resolve())
            files.append(p)
    return files
