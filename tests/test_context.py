"""Tests for context.py: the one template context."""

from __future__ import annotations

import datetime as dt

from conftest import DATA

from lead_replicate.documents.context import build_context
from lead_replicate.rules.validate import validate_file


def context(name: str, document: str = "mou") -> dict:
    return build_context(validate_file(DATA / name), document=document, draft=False,
                         generated_on=dt.date(2026, 1, 1), source_name=name)


def test_stakeholders_signatories_and_roles() -> None:
    ctx = context("complete.yaml")
    assert [p["id"] for p in ctx["signatories"]] == ["ecpd", "ecda", "ecpd-defense", "care",
                                                     "pm-org"]
    assert ctx["by_id"]["neighbors"]["signatory"] is False
    assert [p["id"] for p in ctx["roles"]["prosecutor"]] == ["ecda"]
    assert ctx["names"](["ecpd", "unknown"]) == ["Example City Police Department", "unknown"]
    assert ctx["services"][0]["provider_name"] == "Example Care Network"
    assert ctx["services"][1]["provider_name"] == "Example Legal Aid"
    assert ctx["doc_title"] == "Memorandum of Understanding"


def test_readiness_and_principles() -> None:
    ctx = context("complete.yaml", "checklist")
    ms = {m["id"]: m for m in ctx["readiness"]["milestones"]}
    assert ms["mou-signed"]["status"] == "done"
    assert ms["mou-signed"]["owner"] == "Example Civic Partnership"
    assert ms["neighborhood-briefing"]["custom"] is True
    assert sum(ctx["readiness"]["counts"].values()) == len(ms)
    assert all(p["status"] == "met" for p in ctx["principles"])


def test_failing_plan_principle_row_has_fix() -> None:
    ctx = context("principle-errors.yaml", "checklist")
    row = next(p for p in ctx["principles"] if p["id"] == "harm-reduction")
    assert row["status"] == "error" and row["fix"] and row["messages"]
    assert [f["principle"] for f in ctx["open_findings"]] == ["harm-reduction"]


def test_blocking_counts_open_core_questions_as_errors() -> None:
    ctx = context("complete.yaml", "checklist")
    assert ctx["blocking"] == {"total": 0, "violations": 0, "open": 0}
    failing = context("principle-errors.yaml", "checklist")
    assert failing["blocking"]["total"] >= 1 and failing["blocking"]["violations"] >= 1


def test_evidence_says_how_each_result_was_measured() -> None:
    designs = {e["id"]: e["design"] for e in context("complete.yaml")["evidence"]["evidence"]}
    assert "control group" in designs["recidivism"]
    assert "control" not in designs["housing-employment-income"]
    assert "month before their referral" in designs["housing-employment-income"]
