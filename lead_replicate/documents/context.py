"""Build the one template context for a jurisdiction: everything a document template sees."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from lead_replicate import __version__
from lead_replicate.documents.decisions import plan_decisions
from lead_replicate.documents.templating import date_long
from lead_replicate.findings import Finding
from lead_replicate.rules.principles import load_evidence
from lead_replicate.rules.readiness import Readiness, readiness
from lead_replicate.rules.validate import Report

log = logging.getLogger(__name__)

STANDARD_TERMS_VERSION = 1
TITLES = {"mou": "Memorandum of Understanding", "manual": "Protocol Manual",
          "checklist": "Readiness Checklist"}
# What each stakeholder role is called in documents and the comparison: one label per
# organization, so singular ("King County Executive (elected official)").
ROLE_NAMES = {
    "law-enforcement": "Law enforcement", "prosecutor": "Prosecution",
    "public-defense": "Public defense", "case-management": "Case management",
    "project-management": "Project management", "behavioral-health": "Behavioral health",
    "housing": "Housing", "health": "Health", "elected-official": "Elected official",
    "government": "Government", "community": "Community", "business": "Business",
    "civil-rights": "Civil rights", "evaluator": "Evaluation", "funder": "Funder",
    "corrections": "Corrections", "courts": "Courts", "other": "Other partner",
}
MILESTONE_STATUSES = ("done", "in-progress", "not-started", "not-applicable")


def readiness_summary(raw: Readiness, people: dict[str, dict]) -> dict[str, Any]:
    """Milestones with status, owner name and due date, plus counts and a percentage."""
    milestones = [{
        "id": m.id, "title": m.title or m.id, "status": m.status,
        "owner": people.get(m.owner, {}).get("name", m.owner) if m.owner else None,
        "due": m.due, "source": m.source, "custom": m.custom,
    } for m in raw.milestones]
    counts = {s: sum(m["status"] == s for m in milestones) for s in MILESTONE_STATUSES}
    return {"percent": raw.percent, "counts": counts, "milestones": milestones}


def blocking_summary(findings: list[Finding]) -> dict[str, int]:
    """The build rule in numbers: any error-severity finding refuses the MOU and the manual.

    Counted from findings, not principle statuses: a core question left open is an error
    too, and the checklist must not call such a plan ready to issue.
    """
    mine = [f for f in findings if f.severity == "error" and f.is_principle]
    violations = sum(f.status != "open" for f in mine)
    return {"total": len(mine), "violations": violations, "open": len(mine) - violations}


def page_context(*, document: str, doc_title: str, draft: bool, generated_on: dt.date,
                 source_name: str, j: dict, footer: str | None = None) -> dict[str, Any]:
    """What every page needs, whatever the document: the base layout reads only this.

    Shared by the jurisdiction documents and the convening comparison.
    """
    tool = {"name": "lead-replicate", "version": __version__}
    if footer is None:
        footer = (f"Draft generated from {source_name} by {tool['name']} {tool['version']} "
                  f"for review by counsel, {date_long(generated_on)}.")
    return {"document": document, "doc_title": doc_title, "draft": draft,
            "generated_on": generated_on, "source_name": source_name, "tool": tool,
            "language": j.get("language", "en"), "j": j, "footer": footer}


def build_context(report: Report, *, document: str, draft: bool, generated_on: dt.date,
                  source_name: str) -> dict[str, Any]:
    """The one dictionary every template sees; templates never reach past it.

    Sections the file leaves out stay empty dicts or lists, so a template can test them
    and say plainly what is still to be decided instead of failing.
    """
    plan = report.plan or {}
    j = plan.get("jurisdiction", {})  # normalized: short_name, slug, language are set
    people = []
    for s in plan.get("stakeholders", []) or []:
        person = dict(s)  # normalized: signatory and commitments are set
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
        **page_context(document=document, doc_title=TITLES[document], draft=draft,
                       generated_on=generated_on, source_name=source_name, j=j),
        **plan_decisions(report),
        "terms_version": STANDARD_TERMS_VERSION,
        "plan": plan, "stakeholders": people, "by_id": by_id, "roles": roles,
        "role_names": ROLE_NAMES, "names": names,
        "signatories": [p for p in people if p.get("signatory")],
        "gov": plan.get("governance") or {}, "referral": plan.get("referral") or {},
        "prosecution": plan.get("prosecution") or {},
        "cm": plan.get("case_management") or {}, "services": services,
        "data_sharing": plan.get("data_sharing") or {},
        "racial_equity": plan.get("racial_equity") or {},
        "evaluation": plan.get("evaluation") or {}, "training": plan.get("training") or [],
        "funding": plan.get("funding") or {},
        "readiness": readiness_summary(report.readiness or readiness(plan), by_id),
        "principles": report.principle_rows, "counts": report.counts,
        "findings": [f.to_dict() for f in findings],
        "open_findings": [f.to_dict() for f in findings if f.is_principle],
        "blocking": blocking_summary(findings),
        "evidence": load_evidence(),
    }
