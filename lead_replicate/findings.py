"""Findings: what validation says about a file, one at a file:line:column, with a fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]
# "violation": the plan says something that departs from the principle.
# "open": the plan does not say yet (an open question for the planners).
Status = Literal["violation", "open"]

PathParts = tuple[str | int, ...]

# Findings about the file itself rather than a LEAD principle: YAML syntax, the format's
# structure, and text the document fonts cannot show.
FORMAT_CHECKS = frozenset({"yaml", "schema", "unprintable-text"})


def format_path(parts: Iterable[str | int]) -> str:
    """Render ``("stakeholders", 0, "role")`` as ``stakeholders[0].role``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class Finding:
    """One message about one place in a jurisdiction file."""

    severity: Severity
    principle: str  # a rulebook id, or "yaml" (syntax) / "schema" (structure, references)
    path: str  # dotted path, e.g. "stakeholders[0].role"; "" for the whole document
    line: int  # 1-based
    column: int  # 1-based
    message: str
    fix: str = ""
    status: Status = "violation"
    # Other principles this one finding leaves open. One missing field can be the open point
    # of two principles (no intake window: the prosecutor's commitment, core, and the
    # window's length, recommended); it is reported once, under the first, and the others'
    # statuses and rows still count it, so a plan author reads one line for one field.
    also: tuple[str, ...] = ()

    @property
    def principles(self) -> tuple[str, ...]:
        """Every principle this finding bears on: its own, then ``also``."""
        return (self.principle, *self.also)

    @property
    def is_principle(self) -> bool:
        """True for a finding about a LEAD principle, False for one about the file's format."""
        return self.principle not in FORMAT_CHECKS

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of format.md's command-line contract (plus ``fix``, ``status`` and,
        when the finding leaves other principles open too, ``also``)."""
        out = asdict(self)
        if self.also:
            out["also"] = list(self.also)
        else:
            del out["also"]
        return out

    def sort_key(self) -> tuple[int, int, str, str]:
        return (self.line, self.column, self.principle, self.message)


def plural(n: int, word: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Counts:
    """The one definition of the numbers every output prints for a file.

    ``errors`` and ``warnings`` split the findings by severity; ``open`` counts the findings
    that are open questions (the plan does not decide yet), whatever their severity, so it
    overlaps the other two. ``validate``, the build table, the checklist and ``compare`` all
    print these three numbers and nothing else under these names.
    """

    errors: int = 0
    warnings: int = 0
    open: int = 0

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Counts:
        found = list(findings)
        return cls(sum(f.severity == "error" for f in found),
                   sum(f.severity == "warning" for f in found),
                   sum(f.status == "open" for f in found))

    def text(self) -> str:
        """``3 errors, 1 warning (2 open questions)``: how every output says it."""
        extra = f" ({plural(self.open, 'open question')})" if self.open else ""
        return f"{plural(self.errors, 'error')}, {plural(self.warnings, 'warning')}{extra}"
