"""The plan's open questions for the partners: grouped by who decides, each with its principle.

Partner-facing documents (the draft annex, the decisions brief) show these in plain words:
the question, the LEAD principle behind it in one sentence, its source, the options the
format allows and what the LEAD model recommends. Which principles are open comes from the
report's statuses, the same ones ``validate`` prints.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from lead_replicate.loading.loader import load_shipped
from lead_replicate.rules.principles import citation, load_rulebook
from lead_replicate.rules.validate import Report

DEFAULT_GROUP = "policy-group"


@functools.lru_cache(maxsize=1)
def decision_data() -> dict[str, Any]:
    """data/decisions.yaml: who decides, the question, options and recommendation."""
    return load_shipped("decisions.yaml")


def first_sentence(text: str) -> str:
    """The principle in one sentence: the requirement up to its first full stop.

    A stop inside brackets or quotes does not end the sentence, so an example in parentheses
    is never cut in half.
    """
    flat = " ".join(text.split())
    depth, quoted = 0, False
    for i, char in enumerate(flat):
        if char == '"':
            quoted = not quoted
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char in ".;" and not depth and not quoted and re.match(r"\s+[A-Z]|\s*$", flat[i + 1:]):
            return flat[:i] + "."
    return flat


def _part(entry: dict[str, Any], path: str) -> dict[str, str] | None:
    """The entry's narrower question for a finding at ``path`` (a stakeholder index dropped)."""
    parts = entry.get("parts") or {}
    return parts.get(path) or parts.get(re.sub(r"\[\d+\]$", "", path))


def narrowed(entry: dict[str, Any], paths: list[str]) -> list[dict[str, Any]] | None:
    """The parts to ask about when only some of a principle is open; None: ask the whole.

    A partly decided principle (the evaluator named, the design not) is asked only about its
    open parts; every part open, or a finding no part covers, asks the whole question.
    """
    found = [_part(entry, p) for p in paths]
    parts = entry.get("parts") or {}
    whole = len(parts) > 1 and len({id(f) for f in found}) == len(parts)
    if not paths or not all(found) or whole:
        return None
    return list({id(f): f for f in found if f}.values())


def asked(entry: dict[str, Any], paths: list[str]) -> str:
    """The question about what is still open: the parts' questions, or the whole question."""
    parts = narrowed(entry, paths)
    if parts:
        return " ".join(dict.fromkeys(str(p["question"]) for p in parts))
    return str(entry.get("question") or "")


def _options(entry: dict[str, Any], parts: list[dict[str, Any]] | None) -> list[str]:
    """The options for what is asked: a part's own when it has them (a yes/no flag)."""
    lists = [p.get("options") or entry.get("options") or [] for p in parts or [entry]]
    return list(dict.fromkeys(str(o["text"]) for options in lists for o in options))


def _recommends(entry: dict[str, Any], parts: list[dict[str, Any]] | None) -> str:
    said = [str(p.get("recommends") or entry.get("recommends") or "") for p in parts or [entry]]
    return "; ".join(dict.fromkeys(s for s in said if s))


def to_decide(principle: str, path: str, open_paths: list[str] | None = None) -> str:
    """What a partner document brackets for an open finding: the decision, not "the plan".

    ``open_paths``: every open finding of the principle; all of its parts open brackets the
    whole decision (once), not each part.
    """
    entry = decision_data()["principles"].get(principle, {})
    part = _part(entry, path) if narrowed(entry, open_paths or [path]) else None
    return str((part or entry).get("decide") or entry.get("question") or "")


def open_questions(report: Report) -> list[dict[str, Any]]:
    """The principles the plan does not meet, as questions, grouped by who decides.

    Groups come in the data file's order (the order a meeting takes them); within a group,
    core principles come first, then rulebook order. ``status`` is validate's: ``open``
    (not decided yet), ``error`` or ``warning`` (decided, but departing from the principle).
    """
    data = decision_data()
    groups = {key: {"key": key, "label": label, "items": []}
              for key, label in data["groups"].items()}
    messages: dict[str, list[str]] = {}
    paths: dict[str, list[str]] = {}
    core = {row["id"] for row in report.principle_rows if row["core"]}
    for f in report.findings:
        for pid in f.principles if f.is_principle else ():
            messages.setdefault(pid, []).append(f.message)
            paths.setdefault(pid, []).append(f.path)
    for rank, rule in enumerate(load_rulebook()):
        status = report.statuses.get(rule.id, "met")
        if status == "met":
            continue
        entry = data["principles"].get(rule.id, {})
        group = groups[entry.get("decides", DEFAULT_GROUP)]
        parts = narrowed(entry, paths.get(rule.id, []))
        group["items"].append({
            "id": rule.id, "title": rule.title, "severity": rule.severity, "status": status,
            "core": rule.id in core,
            "question": asked(entry, paths.get(rule.id, [])) or rule.requirement,
            "principle": first_sentence(rule.requirement), "source": citation(rule.sources),
            "options": _options(entry, parts), "recommends": _recommends(entry, parts),
            "messages": messages.get(rule.id, []), "rank": (rule.id not in core, rank),
        })
    out = []
    for group in groups.values():
        if group["items"]:
            group["items"].sort(key=lambda item: item["rank"])
            out.append(group)
    return out


def assigned_items(report: Report, milestones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every principle not met, core first, with the owner and due date of its planning step.

    The owner and due date come from the plan's ``milestones`` entry for the step the item
    belongs to (data/decisions.yaml names it); without one the item is unassigned.
    """
    data = decision_data()["principles"]
    steps = {m["id"]: m for m in milestones}
    items = []
    for row in report.principle_rows:
        if row["status"] == "met":
            continue
        step = steps.get(str(data.get(row["id"], {}).get("milestone", "")), {})
        items.append({**row, "owner": step.get("owner"), "due": step.get("due"),
                      "step": step.get("title")})
    order = {"error": 0, "open": 1, "warning": 2}
    items.sort(key=lambda i: (not i["core"], order.get(str(i["status"]), 3)))
    return items
