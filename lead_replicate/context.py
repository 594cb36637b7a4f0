"""Build the one template context for a jurisdiction: everything a document template sees."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from lead_replicate import __version__
from lead_replicate.findings import Finding
from lead_replicate.principles import load_evidence, load_rulebook, principle_statuses
from lead_replicate.readiness import readiness
from lead_replicate.validate import Report

log = logging.getLogger(__name__)

STANDARD_TERMS_VERSION = 1
TITLES = {"mou": "Memorandum of Understanding", "manual": "Protocol Manual",
          "checklist": "Readiness Checklist"}
ROLE_NAMES = {
    "law-enforcement": "Law enforcement", "prosecutor": "Prosecution",
    "public-defense": "Public defense", "case-management": "Case management",
    "project-management": "Project management", "behavioral-health": "Behavioral health",
    "housing": "Housing", "health": "Health", "elected-official": "Elected officials",
    "government": "Government", "community": "Community", "business": "Business",
    "civil-rights": "Civil rights", "evaluator": "Evaluation", "funder": "Funders",
    "corrections": "Corrections", "courts": "Courts", "other": "Other partners",
}
MILESTONE_STATUSES = ("done", "in-progress", "not-started", "not-applicable")
# How each published UW result was measured (lead-facts.md section 3), so the MOU never
# presents a within-subjects result as a comparison with a control group.
EVIDENCE_DESIGNS = {
    "recidivism": "Compared with a control group, participants had",
    "criminal-justice-utilization": "Compared with a comparison group, participants had",
    "housing-employment-income": ("Followed for 18 months and compared with the month before "
                                  "their referral, participants were"),
}


def _get(obj: Any, key: str, default: Any = None) -> Any:
    """Read a field from a dict or an object: other modules may return either."""
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def principle_rows(findings: list[Finding]) -> list[dict[str, Any]]:
    """Every principle with the file's status and, when not met, what to do about it."""
    statuses = principle_statuses(findings)
    rows = []
    for rule in load_rulebook():
        pid = _get(rule, "id")
        mine = [f for f in findings if f.principle == pid]
        rows.append({
            "id": pid, "title": _get(rule, "title", pid), "severity": _get(rule, "severity", ""),
            "requirement": _get(rule, "requirement", ""),
            "status": statuses.get(pid, "met"),
            "messages": [f.message for f in mine],
            "fix": next((f.fix for f in mine if f.fix), _get(rule, "fix", "")) if mine else "",
        })
    return rows


def readiness_summary(plan: dict, people: dict[str, dict]) -> dict[str, Any]:
    """Milestones with status, owner name and due date, plus counts and a percentage."""
    raw = readiness(plan)
    items = raw.milestones
    milestones = []
    for item in items:
        owner = _get(item, "owner")
        milestones.append({
            "id": _get(item, "id"), "title": _get(item, "title") or _get(item, "id"),
            "status": _get(item, "status", "not-started"),
            "owner": people.get(owner, {}).get("name", owner) if owner else None,
            "due": _get(item, "due"), "source": _get(item, "source"),
            "custom": _get(item, "custom", False),
        })
    counts = {s: sum(m["status"] == s for m in milestones) for s in MILESTONE_STATUSES}
    return {"percent": raw.percent, "counts": counts, "milestones": milestones}


def blocking_summary(findings: list[Finding]) -> dict[str, int]:
    """The build rule in numbers: any error-severity finding refuses the MOU and the manual.

    Counted from findings, not principle statuses: a core question left open is an error
    too, and the checklist must not call such a plan ready to issue.
    """
    mine = [f for f in findings if f.severity == "error" and f.principle not in ("yaml", "schema")]
    violations = sum(f.status != "open" for f in mine)
    return {"total": len(mine), "violations": violations, "open": len(mine) - violations}


def _evidence() -> dict[str, Any]:
    data = dict(load_evidence())
    items = []
    for item in data.get("evidence") or []:
        entry = dict(item)
        entry.setdefault("design", EVIDENCE_DESIGNS.get(entry.get("id", ""), ""))
        items.append(entry)
    data["evidence"] = items
    return data


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {"severity": f.severity, "principle": f.principle, "path": f.path, "line": f.line,
            "column": f.column, "message": f.message, "fix": f.fix, "status": f.status}


def build_context(report: Report, *, document: str, draft: bool, generated_on: dt.date,
                  source_name: str) -> dict[str, Any]:
    """The one dictionary every template sees; templates never reach past it.

    Sections the file leaves out stay empty dicts or lists, so a template can test them
    and say plainly what is still to be decided instead of failing.
    """
    plan = report.plan or {}
    j = dict(plan.get("jurisdiction", {}))
    j.setdefault("short_name", j.get("name", ""))
    people = []
    for s in plan.get("stakeholders", []) or []:
        person = dict(s)
        person.setdefault("signatory", False)
        person.setdefault("commitments", [])
        person["role_name"] = ROLE_NAMES.get(person.get("role", "other"), "Other partners")
        people.append(person)
    by_id = {p["id"]: p for p in people}
    roles: dict[str, list[dict]] = {}
    for p in people:
        roles.setdefault(p["role"], []).append(p)

    def names(ids: Any) -> list[str]:
        return [by_id[i]["name"] if i in by_id else str(i) for i in (ids or [])]

    services = []
    for svc in plan.get("services", []) or []:
        item = dict(svc)
        prov = item.get("provider")
        item["provider_name"] = by_id[prov]["name"] if prov in by_id else prov
        services.append(item)
    findings = list(report.findings)
    return {
        "document": document, "doc_title": TITLES[document], "draft": draft,
        "generated_on": generated_on, "source_name": source_name,
        "tool": {"name": "lead-replicate", "version": __version__},
        "terms_version": STANDARD_TERMS_VERSION, "language": j.get("language", "en"),
        "plan": plan, "j": j, "stakeholders": people, "by_id": by_id, "roles": roles,
        "role_names": ROLE_NAMES, "names": names,
        "signatories": [p for p in people if p.get("signatory")],
        "gov": plan.get("governance") or {}, "referral": plan.get("referral") or {},
        "prosecution": plan.get("prosecution") or {},
        "cm": plan.get("case_management") or {}, "services": services,
        "data_sharing": plan.get("data_sharing") or {},
        "racial_equity": plan.get("racial_equity") or {},
        "evaluation": plan.get("evaluation") or {}, "training": plan.get("training") or [],
        "funding": plan.get("funding") or {},
        "readiness": readiness_summary(plan, by_id),
        "principles": principle_rows(findings),
        "findings": [_finding_dict(f) for f in findings],
        "open_findings": [_finding_dict(f) for f in findings
                          if f.principle not in ("yaml", "schema")],
        "blocking": blocking_summary(findings),
        "evidence": _evidence(),
    }
