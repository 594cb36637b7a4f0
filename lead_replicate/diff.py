"""Compare two drafts of a plan: the decisions, principle statuses and readiness that changed.

This is ``lead-replicate diff``'s report, for people who negotiate a plan over several
drafts: each decision old -> new with its section, each LEAD principle whose status moved,
and the readiness and counts before and after. The redlined documents are ``redline.py``'s.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lead_replicate.errors import DiffInputError, LoadError
from lead_replicate.loading.loader import read_plan_bytes
from lead_replicate.rules.validate import Report, validate_text

IDENTITY_KEYS = ("id", "name", "service", "source", "audience", "path", "title")
STATUS_WORDS = {"met": "met", "warning": "warning", "open": "to decide", "error": "not met"}
_REV = re.compile(r"^(?P<rev>[^:\s]{2,}):(?P<path>.+)$")  # not a Windows drive letter


@dataclass
class Change:
    """One decision that differs: ``old``/``new`` are plain text ("" when absent).

    ``kind``: "changed" (a value), "added" or "removed" (a list item, or a whole entry such as
    a stakeholder)."""

    section: str
    path: str  # dotted path in the plan, for scripts (the text report shows labels)
    label: str
    old: str
    new: str
    kind: str = "changed"

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)

    def text(self) -> str:
        if self.kind == "added":
            return f"added: {self.new}"
        if self.kind == "removed":
            return f"removed: {self.old}"
        return f"{self.old or 'not set'} -> {self.new or 'not set'}"


@dataclass
class PlanDiff:
    """What changed between two drafts of a plan."""

    old: Report
    new: Report
    decisions: list[Change] = field(default_factory=list)
    principles: list[dict[str, str]] = field(default_factory=list)  # id, title, old, new

    @property
    def same(self) -> bool:
        """The normalized plans are equal (comments, order and layout do not count)."""
        return self.old.plan == self.new.plan

    def summary(self, report: Report) -> dict[str, Any]:
        ready = report.readiness
        return {"readiness": ready.percent if ready else None,
                "errors": report.counts.errors, "warnings": report.counts.warnings,
                "open_questions": report.counts.open,
                "mou": "can be issued" if report.errors == 0 else "refused until the errors "
                       "are resolved (a draft can be built)"}

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old.file, "new": self.new.file, "same": self.same,
                "decisions": [c.to_dict() for c in self.decisions],
                "principles": self.principles,
                "before": self.summary(self.old), "after": self.summary(self.new)}


def read_side(spec: str) -> Report:
    """Check one side of a diff: a plan file, or ``REV:path`` read with ``git show``.

    A side that cannot be read, or whose structure is invalid, cannot be compared:
    DiffInputError (the report is attached, for its findings).
    """
    path = Path(spec)
    match = _REV.match(spec)
    try:
        raw = read_plan_bytes(path) if path.exists() or not match else _git_show(spec)
    except LoadError as exc:
        raise DiffInputError(str(exc)) from None
    report = validate_text(raw, spec)
    if report.source is None:  # not YAML we accept (syntax, size, a hostile construct)
        first = report.findings[0]
        raise DiffInputError(f"{spec}:{first.line}:{first.column}: {first.message}")
    if not report.structurally_valid:
        raise DiffInputError(f"{spec} has format errors and cannot be compared; fix them "
                             f"first (lead-replicate validate {spec})", report)
    return report


def _git_show(spec: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise DiffInputError(f"{spec}: reading REV:path needs git, which is not installed; "
                             "check the file out and give its path instead")
    try:
        done = subprocess.run([git, "show", spec], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DiffInputError(f"{spec}: git could not be run ({exc})") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffInputError(f"{spec}: no such file, and git cannot show it either "
                             f"({reason[-1] if reason else 'unknown revision'}); give a file "
                             "path, or REV:path with a path from the repository's top folder "
                             "(or ./path from the current folder)")
    return done.stdout


def diff_plans(old: Report, new: Report) -> PlanDiff:
    """The decisions and principle statuses that differ between two checked plans."""
    result = PlanDiff(old, new)
    names = {**_names(old.plan), **_names(new.plan)}
    _walk(old.plan or {}, new.plan or {}, (), result.decisions, names)
    from lead_replicate.rules.principles import load_rulebook

    for rule in load_rulebook():
        before, after = old.statuses.get(rule.id), new.statuses.get(rule.id)
        if before != after:
            result.principles.append({"id": rule.id, "title": rule.title,
                                      "severity": rule.severity,
                                      "old": before or "", "new": after or ""})
    return result


def _names(plan: dict | None) -> dict[str, str]:
    people = (plan or {}).get("stakeholders") or []
    return {p["id"]: p.get("name") or p["id"] for p in people
            if isinstance(p, dict) and isinstance(p.get("id"), str)}


def _walk(old: Any, new: Any, path: tuple[str, ...], out: list[Change],
          names: dict[str, str]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*new, *(k for k in old if k not in new)]:
            _walk(old.get(key), new.get(key), (*path, str(key)), out, names)
    elif isinstance(old, list) and isinstance(new, list) and _keyed(old + new):
        key = _keyed(old + new)
        before = {str(item[key]): item for item in old}
        after = {str(item[key]): item for item in new}
        for ident in [*after, *(k for k in before if k not in after)]:
            _walk(before.get(ident), after.get(ident), (*path, ident), out, names)
    elif isinstance(old, list) and isinstance(new, list) and not _has_dicts(old + new):
        gone = [x for x in old if x not in new]
        came = [x for x in new if x not in old]
        out += [_change(path, _text(x, names), "", names, "removed") for x in gone]
        out += [_change(path, "", _text(x, names), names, "added") for x in came]
        if not gone and not came:  # the same items in another order
            out.append(_change(path, _text(old, names), _text(new, names), names))
    else:
        whole = isinstance(old, dict) or isinstance(new, dict)
        kind = "added" if whole and old is None else "removed" if whole and new is None else ""
        out.append(_change(path, _text(old, names), _text(new, names), names,
                           kind or "changed"))


def _keyed(items: list[Any]) -> str | None:
    """The key that identifies each item of a list of mappings (stakeholders by id, ...)."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in IDENTITY_KEYS:
        values = [i.get(key) for i in items]
        if all(isinstance(v, str | int) for v in values):
            return key
    return None


def _has_dicts(items: list[Any]) -> bool:
    return any(isinstance(i, dict | list) for i in items)


def _change(path: tuple[str, ...], old: str, new: str, names: dict[str, str],
            kind: str = "changed") -> Change:
    section = _words(path[0]).capitalize() if path else "Plan"
    label = " > ".join(names.get(p, _words(p)) for p in path[1:]) or _words(path[0])
    return Change(section, ".".join(path), label, old, new, kind)


def _words(key: str) -> str:
    return str(key).replace("_", " ")


def _text(value: Any, names: dict[str, str]) -> str:
    """A value in plain words: yes/no, stakeholder names for their ids, lists joined."""
    if value is None or value == [] or value == {}:
        return ""
    if value is True or value is False:
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(_text(v, names) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_words(k)}: {_text(v, names)}" for k, v in value.items()
                         if k != "id" and _text(v, names))
    return names.get(value, str(value)) if isinstance(value, str) else str(value)


def diff_text(d: PlanDiff) -> list[str]:
    """The report ``diff`` prints: plain sentences, one change per line."""
    if d.same:
        return [f"{d.old.file} and {d.new.file}: the plans are the same (no decision changed)."]
    lines = [f"Changes from {d.old.file} to {d.new.file}:"]
    if d.decisions:
        lines += ["", f"Decisions ({len(d.decisions)}):"]
        lines += [f"  {c.section}: {c.label}: {c.text()}" for c in d.decisions]
    if d.principles:
        lines += ["", f"LEAD principles whose status changed ({len(d.principles)}):"]
        for p in d.principles:
            lines.append(f"  {p['title']} ({p['severity']}): {STATUS_WORDS.get(p['old'], '?')}"
                         f" -> {STATUS_WORDS.get(p['new'], '?')}")
    before, after = d.summary(d.old), d.summary(d.new)
    lines += ["", "Before and after:"]
    for key, label in (("readiness", "readiness (standard planning steps done)"),
                       ("errors", "errors"), ("warnings", "warnings"),
                       ("open_questions", "open questions"), ("mou", "the MOU and manual")):
        unit = "%" if key == "readiness" else ""
        old_v, new_v = f"{before[key]}{unit}", f"{after[key]}{unit}"
        lines.append(f"  {label}: {old_v}" + ("" if old_v == new_v else f" -> {new_v}"))
    return lines
