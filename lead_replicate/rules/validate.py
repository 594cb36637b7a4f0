"""Validate jurisdiction files: load, check the structure, then check the LEAD principles."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lead_replicate.errors import LoadError
from lead_replicate.findings import Finding
from lead_replicate.loading.loader import Source, load_jurisdiction, load_text

log = logging.getLogger(__name__)


@dataclass
class Report:
    """Everything validation learned about one file."""

    file: str
    source: Source | None = None
    plan: dict | None = None  # the normalized plan; None when the structure is invalid
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

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
            "findings": [f.to_dict() for f in self.findings],
        }


def validate_source(source: Source) -> Report:
    """Check an already loaded file."""
    from lead_replicate.rules.principles import check_principles
    from lead_replicate.rules.structure import check_structure

    findings, plan = check_structure(source)
    if plan is not None:
        findings += check_principles(plan, source)
    return Report(source.name, source, plan, sorted(findings, key=Finding.sort_key))


def validate_file(path: str | Path) -> Report:
    """Load and check one file; a file that cannot be read becomes a report with one finding."""
    try:
        source = load_jurisdiction(path)
    except LoadError as exc:
        return _unreadable(str(path), exc)
    return validate_source(source)


def validate_text(raw: bytes | str, name: str = "<text>") -> Report:
    """Check YAML text as if it were a file called ``name``."""
    try:
        source = load_text(raw, name)
    except LoadError as exc:
        return _unreadable(name, exc)
    return validate_source(source)


def _unreadable(name: str, exc: LoadError) -> Report:
    finding = Finding("error", "yaml", "", exc.line, exc.column, exc.message,
                      fix="Correct the file so that it is valid YAML (see docs/format.md).")
    return Report(name, findings=[finding])


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into their ``*.yaml``/``*.yml`` files (sorted); keep files as given.

    Raises FileNotFoundError naming the first path that does not exist.
    """
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files += sorted(q for q in p.iterdir()
                            if q.suffix in (".yaml", ".yml") and q.is_file())
        elif p.exists():
            files.append(p)
        else:
            raise FileNotFoundError(str(raw))
    return files
