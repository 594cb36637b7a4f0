"""The LEAD rulebook: principles as data (data/principles.yaml), one small check per principle."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TypedDict

from lead_replicate.findings import Finding, Severity, format_path
from lead_replicate.loading.loader import Source, load_shipped
from lead_replicate.rules.checks import CHECKS


@dataclass(frozen=True)
class Principle:
    """One rulebook entry; ``severity`` is the LEAD weight, not the finding's severity."""

    id: str
    title: str
    severity: Literal["core", "recommended"]
    requirement: str
    fix: str
    checked_from: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def finding_severity(self) -> Severity:
        """Core principles break fidelity (error); recommended practice is a warning."""
        return "error" if self.severity == "core" else "warning"




def citation(sources: Iterable[str]) -> str:
    """One citation for a principle's sources; sources from the same work name it once.

    ``Toolkit (url), glossary "X"`` and ``Toolkit (url), FAQ "Y"`` read
    ``Toolkit (url), glossary "X" and FAQ "Y"``; different works are separated by semicolons.
    """
    works: list[tuple[str, list[str]]] = []
    for text in sources:
        work, sep, detail = text.partition("), ")
        work = work + ")" if sep else text
        if sep and works and works[-1][0] == work and works[-1][1]:
            works[-1][1].append(detail)
        else:
            works.append((work, [detail] if sep else []))
    return "; ".join(work + (", " + " and ".join(details) if details else "")
                     for work, details in works)


@functools.lru_cache(maxsize=1)
def _rulebook() -> tuple[Principle, ...]:
    return tuple(
        Principle(
            id=e["id"], title=e["title"], severity=e["severity"],
            requirement=e["requirement"], fix=e["fix"],
            checked_from=tuple(e["checked_from"]), sources=tuple(e["sources"]),
        )
        for e in load_shipped("principles.yaml")
    )


def load_rulebook() -> list[Principle]:
    """All principles in rulebook order (read once per process, then cached)."""
    return list(_rulebook())


@functools.lru_cache(maxsize=1)
def load_evidence() -> dict:
    """Sources, UW evaluation figures and the trademark note (data/evidence.yaml)."""
    return load_shipped("evidence.yaml")


def check_principles(plan: dict, source: Source) -> list[Finding]:
    """Run every principle's check against the normalized ``plan``; locate each finding."""
    findings: list[Finding] = []
    for principle in _rulebook():
        for problem in CHECKS[principle.id](plan):
            path = problem.path
            has_value = path in source.value_marks
            mark = source.locate(path, value=has_value)
            findings.append(Finding(
                severity=problem.severity or principle.finding_severity,
                principle=principle.id, path=format_path(path),
                line=mark.line, column=mark.column, message=problem.message,
                fix=problem.fix or principle.fix, status=problem.status,
                also=problem.also,
            ))
    return findings


def principle_statuses(findings: Iterable[Finding]) -> dict[str, str]:
    """``met``/``warning``/``open``/``error`` per principle id, in rulebook order.

    An error violation outranks an open question, which outranks a warning violation.
    """
    seen: dict[str, set[tuple[str, str]]] = {}
    for f in findings:
        if f.is_principle:
            for pid in f.principles:
                seen.setdefault(pid, set()).add((f.severity, f.status))
    out: dict[str, str] = {}
    for p in _rulebook():
        kinds = seen.get(p.id, set())
        if ("error", "violation") in kinds:
            out[p.id] = "error"
        elif any(status == "open" for _, status in kinds):
            out[p.id] = "open"
        elif kinds:
            out[p.id] = "warning"
        else:
            out[p.id] = "met"
    return out


class PrincipleRow(TypedDict):
    """One principle as the documents and the comparison show it for one file."""

    id: str
    title: str
    severity: str  # core / recommended
    # Core for the documents: a core principle AND an error-severity finding (one rule, so the
    # checklist, the brief and validate's error count agree; a core principle whose open
    # point is only recommended, such as a full-time project manager, is not core here).
    core: bool
    requirement: str
    status: str  # met / warning / open / error
    messages: list[str]
    fix: str


def principle_rows(findings: list[Finding], statuses: dict[str, str]) -> list[PrincipleRow]:
    """Every principle with the file's status and, when not met, what to do about it."""
    rows: list[PrincipleRow] = []
    for rule in _rulebook():
        mine = [f for f in findings if rule.id in f.principles]
        rows.append(PrincipleRow(
            id=rule.id, title=rule.title, severity=rule.severity,
            core=rule.severity == "core" and any(f.severity == "error" for f in mine),
            requirement=rule.requirement, status=statuses[rule.id],
            messages=[f.message for f in mine],
            fix=" ".join(dict.fromkeys(f.fix for f in mine if f.fix)) if mine else ""))
    return rows
