"""The JSON the workbench's API returns: the shapes of ``validate --format json``, extended.

A plan is ``Report.to_dict()`` (file, jurisdiction, valid, errors, warnings, findings) plus
what the page needs: its slug, counts of open questions, readiness, principle statuses, the
text being edited and its data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from lead_replicate.rules.validate import Report
from lead_replicate.workbench.workspace import Plan


def jsonable(value: Any) -> Any:
    """Plain YAML data as JSON data: dates become ``YYYY-MM-DD`` text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def counts(report: Report) -> dict[str, Any]:
    """The numbers a folder listing shows for one plan (the Report's own counts)."""
    return {
        "jurisdiction": report.jurisdiction,
        "valid": report.valid,
        "errors": report.errors,
        "warnings": report.warnings,
        "open_questions": report.counts.open,
        "readiness": report.readiness.percent if report.readiness is not None else None,
    }


def plan_summary(plan: Plan) -> dict[str, Any]:
    return {"slug": plan.slug, "file": plan.path.name, **counts(plan.report),
            "dirty": plan.dirty}


def plan_json(plan: Plan, *, text: bool = True) -> dict[str, Any]:
    """Everything the plan page shows; ``text=False`` leaves out the file's text and data."""
    report = plan.report
    out: dict[str, Any] = {"slug": plan.slug, **report.to_dict(), **counts(report),
                           "statuses": report.statuses if report.plan is not None else {},
                           "editable": plan.editable, "dirty": plan.dirty,
                           "revision": plan.revision, "can_undo": bool(plan.undo)}
    if text:
        out["text"] = plan.text
        out["data"] = jsonable(report.source.data) if report.source is not None else None
    return out


def rulebook_json() -> list[dict[str, Any]]:
    from lead_replicate.rules.principles import load_rulebook

    return [{**asdict(p), "finding_severity": p.finding_severity} for p in load_rulebook()]


def comparison_json(plans: list[tuple[str, Report]]) -> dict[str, Any]:
    """The convening matrix: the comparison's rows (with each plan's slug), principles and the
    choices that differ, as ``compare`` computes them."""
    from lead_replicate.compare import CHOICES, compare_reports

    comparison = compare_reports(report for _, report in plans)
    rows = []
    for (slug, _), row in zip(plans, comparison.rows, strict=True):
        rows.append({**asdict(row), "plan": slug, "principle_counts": row.principles})
    return {
        "principles": comparison.principles,
        "choices": CHOICES,
        "rows": rows,
        "differing_choices": [asdict(s) | {"agreement": s.agreement}
                              for s in comparison.differing_choices],
    }
