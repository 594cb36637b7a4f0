"""Tests for readiness: standard steps, given/derived/default statuses, custom steps, percent."""

from __future__ import annotations

import copy
import datetime

import pytest

from lead_replicate.rules.readiness import (
    DERIVATIONS,
    milestone_statuses,
    readiness,
    standard_steps,
)

STANDARD_IDS = [
    "champions-identified", "stakeholders-convened", "policy-group-formed",
    "project-manager-hired", "eligibility-defined", "case-management-contracted",
    "prosecutor-agreement", "roi-adopted", "mou-signed", "protocols-adopted", "officers-trained",
    "case-managers-trained", "evaluation-plan", "data-system", "funding-secured",
    "community-briefed", "launch-date-set",
]
NEVER_DERIVED = {"mou-signed", "officers-trained", "case-managers-trained", "community-briefed",
                 "data-system", "stakeholders-convened", "champions-identified",
                 "protocols-adopted"}


def by_id(plan: dict) -> dict[str, tuple[str, str]]:
    return {m.id: (m.status, m.source) for m in milestone_statuses(plan)}


def test_standard_steps_follow_format_md() -> None:
    steps = standard_steps()
    assert [s.id for s in steps] == STANDARD_IDS
    assert all(s.title and s.description for s in steps)


def test_derivation_rules_match_the_data_file() -> None:
    documented = {s.id for s in standard_steps() if s.derived_from}
    assert set(DERIVATIONS) == documented
    assert documented.isdisjoint(NEVER_DERIVED)


def test_a_plan_that_records_no_milestone_shows_no_step_done(complete_plan: dict) -> None:
    plan = {k: v for k, v in complete_plan.items() if k != "milestones"}
    assert readiness(plan).done == 0
    assert by_id(plan)["mou-signed"] == ("not-started", "default")


def test_empty_plan_is_all_not_started() -> None:
    r = readiness({})
    assert [m.id for m in r.milestones] == STANDARD_IDS
    assert {(m.status, m.source) for m in r.milestones} == {("not-started", "default")}
    assert (r.percent, r.done, r.not_started, r.total) == (0, 0, 17, 17)


def test_complete_plan(complete_plan: dict) -> None:
    statuses = by_id(complete_plan)
    assert statuses["mou-signed"] == ("done", "file")
    assert statuses["officers-trained"] == ("in-progress", "file")
    # A named provider is at most in progress: only milestones can record a step done.
    assert statuses["case-management-contracted"] == ("in-progress", "derived")
    assert statuses["project-manager-hired"] == ("in-progress", "derived")
    assert statuses["roi-adopted"] == ("in-progress", "derived")
    for step in NEVER_DERIVED - {"mou-signed", "officers-trained"}:
        assert statuses[step] == ("not-started", "default"), step
    r = readiness(complete_plan)
    # done: only the MOU, which milestones records; the seven steps the plan shows decided
    # (policy group, eligibility, case management, prosecutor, evaluation, funding, launch
    # date) are in progress with the three others: 1 of 18 (17 standard + 1 custom)
    assert (r.done, r.in_progress, r.not_started, r.total) == (1, 10, 7, 18)
    assert r.percent == 1 * 100 // 18


def test_given_status_keeps_owner_and_due(complete_plan: dict) -> None:
    mou = next(m for m in milestone_statuses(complete_plan) if m.id == "mou-signed")
    assert (mou.owner, mou.due, mou.custom) == ("pm-org", datetime.date(2027, 1, 15), False)


def test_file_status_wins_over_derivation(complete_plan: dict) -> None:
    plan = copy.deepcopy(complete_plan)
    plan["milestones"] = [{"id": "case-management-contracted", "status": "in-progress"}]
    assert by_id(plan)["case-management-contracted"] == ("in-progress", "file")


def test_never_derived_steps_stay_not_started_even_in_a_full_plan(complete_plan: dict) -> None:
    plan = {k: v for k, v in complete_plan.items() if k != "milestones"}
    statuses = by_id(plan)
    assert {statuses[s] for s in NEVER_DERIVED} == {("not-started", "default")}


@pytest.mark.parametrize(("step", "plan", "expected"), [
    ("policy-group-formed", {"governance": {"policy_group": {"members": ["a"]}}}, "in-progress"),
    ("policy-group-formed", {"governance": {"policy_group": {"members": []}}}, "not-started"),
    ("project-manager-hired", {"governance": {"project_manager": {"host": "a"}}}, "in-progress"),
    ("eligibility-defined",
     {"referral": {"arrest_diversion": {"eligible_offenses": [{"name": "x"}],
                                        "exclusions": ["y"]}}}, "in-progress"),
    ("eligibility-defined",
     {"referral": {"arrest_diversion": {"eligible_offenses": [{"name": "x"}]}}}, "in-progress"),
    ("case-management-contracted", {"case_management": {"provider": "care"}}, "in-progress"),
    ("case-management-contracted", {"case_management": {"approach": "harm-reduction"}},
     "not-started"),
    ("prosecutor-agreement",
     {"prosecution": {"diverted_charges": "not-filed", "intake_window_days": 30}}, "in-progress"),
    ("prosecutor-agreement", {"prosecution": {"intake_window_days": 30}}, "in-progress"),
    ("roi-adopted", {"data_sharing": {"release_of_information": "multi-party"}}, "in-progress"),
    ("roi-adopted", {"data_sharing": {"release_of_information": "per-agency"}}, "not-started"),
    ("evaluation-plan", {"evaluation": {"design": "pre-post", "evaluator": "U"}}, "in-progress"),
    ("evaluation-plan", {"evaluation": {"design": "none", "evaluator": "U"}}, "in-progress"),
    ("evaluation-plan", {"evaluation": {"design": "none"}}, "not-started"),
    ("funding-secured", {"funding": {"sources": [{"source": "F"}]}}, "in-progress"),
    ("funding-secured",
     {"funding": {"sources": [{"source": "F"}], "sustainability_plan": "Savings."}}, "in-progress"),
    ("funding-secured", {"funding": {"sustainability_plan": "Savings."}}, "not-started"),
    ("launch-date-set", {"jurisdiction": {"launch": datetime.date(2027, 3, 1)}}, "in-progress"),
    ("launch-date-set", {"jurisdiction": {"name": "X"}}, "not-started"),
])
def test_derivation(step: str, plan: dict, expected: str) -> None:
    status, source = by_id(plan)[step]
    assert status == expected
    assert source == ("default" if expected == "not-started" else "derived")


def test_custom_steps_follow_standard_ones_in_file_order() -> None:
    plan = {"milestones": [
        {"id": "zeta", "title": "Zeta step", "status": "done", "owner": "pm"},
        {"id": "mou-signed", "status": "done"},
        {"id": "alpha", "title": "Alpha step"},
    ]}
    steps = milestone_statuses(plan)
    assert [m.id for m in steps] == [*STANDARD_IDS, "zeta", "alpha"]
    zeta, alpha = steps[-2:]
    assert (zeta.title, zeta.status, zeta.source, zeta.custom, zeta.owner) == \
        ("Zeta step", "done", "file", True, "pm")
    assert (alpha.status, alpha.source, alpha.custom) == ("not-started", "default", True)


def test_percent_excludes_not_applicable_and_rounds_down() -> None:
    given = (["done"] * 2 + ["not-applicable"] * 14 + ["in-progress"])
    pairs = zip(STANDARD_IDS, given, strict=True)
    plan = {"milestones": [{"id": i, "status": s} for i, s in pairs]}
    r = readiness(plan)
    assert (r.done, r.not_applicable, r.in_progress, r.total) == (2, 14, 1, 17)
    assert r.percent == 66  # 2 of 3 applicable steps, rounded down


def test_percent_is_100_only_when_every_applicable_step_is_done() -> None:
    plan = {"milestones": [{"id": i, "status": "done"} for i in STANDARD_IDS]}
    assert readiness(plan).percent == 100
    plan["milestones"].append({"id": "extra", "title": "Extra", "status": "not-started"})
    assert readiness(plan).percent == 94  # 17 of 18, never rounded up to 100


def test_all_not_applicable_is_zero_percent_not_a_crash() -> None:
    plan = {"milestones": [{"id": i, "status": "not-applicable"} for i in STANDARD_IDS]}
    r = readiness(plan)
    assert (r.percent, r.not_applicable) == (0, 17)


@pytest.mark.parametrize("milestones", [
    "oops", [None, 3, {"status": "done"}, {"id": 5}], [{"id": "mou-signed", "status": "maybe"}],
])
def test_odd_milestone_shapes_are_ignored(milestones: object) -> None:
    r = readiness({"milestones": milestones})
    assert (r.total, r.done) == (17, 0)
