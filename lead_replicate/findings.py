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

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of format.md's command-line contract (plus ``fix`` and ``status``)."""
        return asdict(self)

    def sort_key(self) -> tuple[int, int, str, str]:
        return (self.line, self.column, self.principle, self.message)
