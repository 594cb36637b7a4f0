"""Tests for the rulebook: data, registry, every principle's checks, statuses and locations."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from conftest import DATA

from lead_replicate.findings import Finding
from lead_replicate.loading.loader import Source, load_jurisdiction, load_text
from lead_replicate.rules.principles import (
    CHECKS,
    check_principles,
    load_evidence,
    load_rulebook,
    principle_statuses,
)

COMPLETE = (DATA / "complete.yaml").read_text(encoding="utf-8")
DOC_TABLE_IDS = [
    "harm-reduction", "no-fail-out", "voluntary", "pre-booking", "police-referral",
    "three-doors", "warm-handoff", "divertible-offenses", "eligibility-check",
    "shared-intention", "public-defense", "policy-group", "consensus", "operations-group",
    "meeting-cadence", "project-manager", "prosecutor-commitment", "intake-window",
    "charge-handling", "caseload", "field-based", "information-sharing", "no-informants",
    "racial-equity", "evaluation", "community-leadership", "training",
    "crisis-communications", "sustainable-funding", "local-fit",
]


@pytest.fixture(scope="module")
def source() -> Source:
    return load_text(COMPLETE, "complete.yaml")


def mutate(data: dict, *changes: tuple) -> dict:
    """Apply ``(path, value)`` changes to a copy; value ``DEL`` deletes the key."""
    plan = copy.deepcopy(data)
    for path, value in changes:
        node: Any = plan
        for key in path[:-1]:
            node = node[key]
        if value is DEL:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return plan


DEL = object()
SECOND_PROSECUTOR = {"id": "city-attorney", "name": "Example City Attorney", "role": "prosecutor"}


def _complete_stakeholders() -> list[dict]:
    return list(load_text(COMPLETE).data["stakeholders"])


CM, AD, GOV = ("case_management",), ("referral", "arrest_diversion"), ("governance",)

# (principle, changes, expected path, status, severity)
FAILING = [
    ("harm-reduction", [((*CM, "approach"), "abstinence-based")], "case_management.approach",
     "violation", "error"),
    ("harm-reduction", [((*CM, "approach"), DEL)], "case_management.approach", "open", "error"),
    ("harm-reduction", [((*CM, "sanctions_for_drug_use"), True)],
     "case_management.sanctions_for_drug_use", "violation", "error"),
    ("no-fail-out", [((*CM, "fixed_duration_months"), 12)],
     "case_management.fixed_duration_months", "violation", "error"),
    ("no-fail-out", [((*CM, "removal_for_noncompliance"), DEL)],
     "case_management.removal_for_noncompliance", "open", "error"),
    ("voluntary", [(("referral", "voluntary"), False)], "referral.voluntary", "violation",
     "error"),
    ("voluntary", [(("referral", "voluntary"), DEL)], "referral.voluntary", "open", "error"),
    ("pre-booking", [((*AD, "point"), "post-booking")], "referral.arrest_diversion.point",
     "violation", "error"),
    ("pre-booking", [((*AD, "point"), DEL)], "referral.arrest_diversion.point", "open", "error"),
    ("police-referral", [((*AD, "enabled"), False),
                         (("referral", "social_contact", "enabled"), False)],
     "referral.arrest_diversion.enabled", "violation", "error"),
    ("police-referral", [(("referral",), DEL)], "referral", "open", "error"),
    ("three-doors", [(("referral", "community_referral", "enabled"), False)],
     "referral.community_referral.enabled", "violation", "warning"),
    ("three-doors", [(("referral", "community_referral"), DEL)],
     "referral.community_referral.enabled", "open", "warning"),
    ("warm-handoff", [((*AD, "handoff_minutes"), 45)], "referral.arrest_diversion.handoff_minutes",
     "violation", "warning"),
    ("warm-handoff", [((*AD, "handoff_minutes"), DEL)],
     "referral.arrest_diversion.handoff_minutes", "open", "warning"),
    ("divertible-offenses", [((*AD, "eligible_offenses"), [])],
     "referral.arrest_diversion.eligible_offenses", "open", "error"),
    ("eligibility-check", [((*AD, "eligibility_confirmed_by"), DEL)],
     "referral.arrest_diversion.eligibility_confirmed_by", "open", "warning"),
    ("charge-handling", [(("prosecution", "if_intake_missed"), DEL)],
     "prosecution.if_intake_missed", "open", "warning"),
    ("charge-handling", [(("prosecution", "refiling_allowed"), DEL)],
     "prosecution.refiling_allowed", "open", "warning"),
    ("charge-handling", [(("stakeholders",), [*_complete_stakeholders(), SECOND_PROSECUTOR])],
     "stakeholders[7]", "open", "warning"),
    ("shared-intention", [(("stakeholders", 1, "signatory"), False)],
     "stakeholders[1].signatory", "violation", "error"),
    ("public-defense", [(("stakeholders", 2, "role"), "other")], "stakeholders", "open",
     "warning"),
    ("public-defense", [((*GOV, "operations_group", "members"), ["ecpd", "ecda", "care"])],
     "governance.operations_group.members", "violation", "warning"),
    ("policy-group", [((*GOV, "policy_group", "members"), ["ecpd", "care"])],
     "governance.policy_group.members", "violation", "error"),
    ("policy-group", [((*GOV, "policy_group"), DEL)], "governance.policy_group.members", "open",
     "error"),
    ("consensus", [((*GOV, "policy_group", "decision_rule"), "majority")],
     "governance.policy_group.decision_rule", "violation", "warning"),
    ("consensus", [((*GOV, "policy_group", "decision_rule"), DEL)],
     "governance.policy_group.decision_rule", "open", "warning"),
    ("operations-group", [((*GOV, "operations_group", "members"), ["ecpd", "ecda"])],
     "governance.operations_group.members", "violation", "error"),
    ("operations-group", [((*GOV, "operations_group", "liaison_prosecutor"), "ecpd")],
     "governance.operations_group.liaison_prosecutor", "violation", "error"),
    ("operations-group", [((*GOV, "operations_group", "liaison_prosecutor"), DEL)],
     "governance.operations_group.liaison_prosecutor", "open", "error"),
    ("meeting-cadence", [((*GOV, "operations_group", "meets"), "monthly")],
     "governance.operations_group.meets", "violation", "warning"),
    ("meeting-cadence", [((*GOV, "operations_group", "meets"), "as-needed")],
     "governance.operations_group.meets", "violation", "warning"),
    ("meeting-cadence", [((*GOV, "policy_group", "meets"), "as-needed")],
     "governance.policy_group.meets", "violation", "warning"),
    ("meeting-cadence", [((*GOV, "policy_group", "meets"), DEL)],
     "governance.policy_group.meets", "open", "warning"),
    ("project-manager", [((*GOV, "project_manager"), DEL)], "governance.project_manager.host",
     "open", "error"),
    ("project-manager", [((*GOV, "project_manager", "full_time"), False)],
     "governance.project_manager.full_time", "violation", "warning"),
    ("project-manager", [((*GOV, "project_manager", "host"), "ecda")],
     "governance.project_manager.host", "violation", "warning"),
    ("project-manager", [((*GOV, "project_manager", "full_time"), DEL)],
     "governance.project_manager.full_time", "open", "warning"),
    ("prosecutor-commitment", [(("prosecution", "diverted_charges"), "filed")],
     "prosecution.diverted_charges", "violation", "error"),
    ("prosecutor-commitment", [(("prosecution", "diverted_charges"), DEL)],
     "prosecution.diverted_charges", "open", "error"),
    ("intake-window", [(("prosecution", "intake_window_days"), 5)],
     "prosecution.intake_window_days", "violation", "warning"),
    ("intake-window", [(("prosecution", "intake_window_days"), 31)],
     "prosecution.intake_window_days", "violation", "warning"),
    ("caseload", [((*CM, "caseload", "average"), 21)], "case_management.caseload.average",
     "violation", "warning"),
    ("caseload", [((*CM, "caseload", "maximum"), 26)], "case_management.caseload.maximum",
     "violation", "error"),
    ("caseload", [((*CM, "caseload", "maximum"), DEL)], "case_management.caseload.maximum",
     "open", "error"),
    ("field-based", [((*CM, "field_based"), False)], "case_management.field_based", "violation",
     "warning"),
    ("field-based", [((*CM, "flexible_funds"), DEL)], "case_management.flexible_funds", "open",
     "warning"),
    ("information-sharing", [(("data_sharing", "release_of_information"), "per-agency")],
     "data_sharing.release_of_information", "violation", "error"),
    ("information-sharing", [(("data_sharing", "frameworks"), [])], "data_sharing.frameworks",
     "open", "error"),
    ("no-informants", [(("data_sharing", "informant_use_prohibited"), False)],
     "data_sharing.informant_use_prohibited", "violation", "error"),
    ("no-informants", [(("data_sharing",), DEL)], "data_sharing.informant_use_prohibited",
     "open", "error"),
    ("racial-equity", [(("racial_equity", "disparity_monitoring"), False)],
     "racial_equity.disparity_monitoring", "violation", "warning"),
    ("racial-equity", [(("racial_equity",), DEL)], "racial_equity.disparity_monitoring", "open",
     "warning"),
    ("evaluation", [(("evaluation", "design"), "none")], "evaluation.design", "violation",
     "error"),
    ("evaluation", [(("evaluation",), DEL)], "evaluation", "open", "error"),
    ("evaluation", [(("evaluation", "independent"), False)], "evaluation.independent",
     "violation", "warning"),
    ("evaluation", [(("evaluation", "comparison_group"), DEL)], "evaluation.comparison_group",
     "open", "warning"),
    ("community-leadership", [((*GOV, "community_leadership_team"), DEL)],
     "governance.community_leadership_team.members", "open", "warning"),
    ("training", [(("training",), [{"audience": "officers"}])], "training", "violation",
     "warning"),
    ("training", [(("training",), DEL)], "training", "open", "warning"),
    ("crisis-communications", [((*GOV, "crisis_communications"), False)],
     "governance.crisis_communications", "violation", "warning"),
    ("crisis-communications", [((*GOV, "crisis_communications"), DEL)],
     "governance.crisis_communications", "open", "warning"),
    ("sustainable-funding", [(("funding", "sources"), [])], "funding.sources", "open", "warning"),
    ("sustainable-funding", [(("funding", "sustainability_plan"), DEL)],
     "funding.sustainability_plan", "open", "warning"),
    ("local-fit", [(("jurisdiction", "problem_statement"), "  ")],
     "jurisdiction.problem_statement", "open", "warning"),
]

def _stakeholders() -> list[dict]:
    return copy.deepcopy(load_text(COMPLETE).data["stakeholders"])


SHERIFF = {"id": "sheriff", "name": "Example Sheriff", "role": "law-enforcement"}

# (principle, changes): that principle still has no finding.
PASSING = [
    ("no-fail-out", [((*CM, "fixed_duration_months"), None)]),
    ("pre-booking", [((*AD, "enabled"), False), ((*AD, "point"), "court")]),
    ("police-referral", [((*AD, "enabled"), False)]),
    ("police-referral", [(("referral", "social_contact", "enabled"), False)]),
    ("divertible-offenses", [((*AD, "enabled"), False), ((*AD, "eligible_offenses"), DEL)]),
    ("warm-handoff", [((*AD, "handoff_minutes"), 15)]),
    ("warm-handoff", [((*AD, "enabled"), False), ((*AD, "handoff_minutes"), 90)]),
    ("prosecutor-commitment", [((*AD, "enabled"), False), (("prosecution",), DEL)]),
    ("prosecutor-commitment", [(("prosecution", "diverted_charges"), "held-in-abeyance")]),
    ("eligibility-check", [((*AD, "enabled"), False),
                           ((*AD, "eligibility_confirmed_by"), DEL)]),
    ("charge-handling", [((*AD, "enabled"), False), (("prosecution", "if_intake_missed"), DEL)]),
    ("charge-handling", [(("stakeholders",), [*_complete_stakeholders(),
                                              {**SECOND_PROSECUTOR, "handles": ["felony"]}])]),
    ("intake-window", [(("prosecution", "intake_window_days"), 7)]),
    ("intake-window", [(("prosecution", "intake_window_days"), 10)]),
    ("intake-window", [(("prosecution", "intake_window_days"), 14)]),
    ("intake-window", [((*AD, "enabled"), False), (("prosecution",), DEL)]),
    ("caseload", [((*CM, "caseload"), {"average": 20, "maximum": 25})]),
    ("meeting-cadence", [((*GOV, "operations_group", "meets"), "weekly"),
                         ((*GOV, "policy_group", "meets"), "quarterly")]),
    ("shared-intention", [(("stakeholders",), [*_stakeholders(), SHERIFF])]),
    ("evaluation", [(("evaluation", "design"), "randomized")]),
    ("training", [(("training",), [{"audience": "case-managers"}, {"audience": "prosecutors"},
                                   {"audience": "officers"}])]),
    ("project-manager", [((*GOV, "project_manager", "host"), "care")]),
    ("operations-group", [((*GOV, "operations_group", "liaison_prosecutor"), "no-such-id")]),
]


def findings_for(source: Source, plan: dict, principle: str) -> list[Finding]:
    return [f for f in check_principles(plan, source) if f.principle == principle]


# --- the rulebook data ------------------------------------------------------------------------

def test_rulebook_has_every_principle_of_the_table_in_order() -> None:
    assert [p.id for p in load_rulebook()] == DOC_TABLE_IDS


def test_every_rulebook_entry_has_a_check_and_every_check_an_entry() -> None:
    assert set(CHECKS) == {p.id for p in load_rulebook()}


def test_rulebook_entries_are_complete_and_cite_sources() -> None:
    for p in load_rulebook():
        assert p.severity in ("core", "recommended"), p.id
        assert p.title and p.requirement and p.fix and p.checked_from, p.id
        assert p.sources and all(len(s) > 20 for s in p.sources), p.id
        assert all("[T]" not in s and "[S]" not in s and "[B]" not in s for s in p.sources)


def test_core_is_error_and_recommended_is_warning() -> None:
    book = {p.id: p for p in load_rulebook()}
    assert book["harm-reduction"].finding_severity == "error"
    assert book["three-doors"].finding_severity == "warning"


def test_rulebook_is_cached_but_callers_cannot_corrupt_it() -> None:
    first = load_rulebook()
    first.clear()
    assert len(load_rulebook()) == 30


def test_evidence_matches_the_published_figures() -> None:
    evidence = load_evidence()
    dois = [e.get("doi") for e in evidence["evidence"]]
    assert dois == ["10.1016/j.evalprogplan.2017.05.008", None, "10.1007/s11292-019-09352-7",
                    "10.1177/0011128716687550"]
    # lead-facts.md section 3: the 2015 report and the 2019 article give different figures;
    # each citation carries only its own.
    report, article = evidence["evidence"][1], evidence["evidence"][2]
    assert report["findings"] == ["39 fewer jail days per year", "87% lower odds of a prison term"]
    assert "2015" in report["citation"] and "2019" not in report["citation"]
    assert article["findings"] == ["about 41 fewer jail days per year",
                                   "88% lower odds of a prison term"]
    assert "2019" in article["citation"] and "2015" not in article["citation"]
    assert all("comparison group" in e["design"] for e in (report, article))
    assert "60% lower odds of arrest in the six months after entry" in \
        evidence["evidence"][0]["findings"]
    assert [s["key"] for s in evidence["sources"]] == ["T", "B", "S"]
    assert "not" in evidence["trademark_note"] and "endorsement" in evidence["trademark_note"]


# --- every principle: failing and passing ----------------------------------------------------

def test_complete_plan_has_no_principle_findings(source: Source) -> None:
    assert check_principles(source.data, source) == []
    assert set(principle_statuses([]).values()) == {"met"}


def test_every_principle_has_a_failing_and_a_passing_case() -> None:
    assert {case[0] for case in FAILING} == set(DOC_TABLE_IDS)
    # complete.yaml is the passing case for every principle; PASSING adds edge cases.
    assert {case[0] for case in PASSING} <= set(DOC_TABLE_IDS)


@pytest.mark.parametrize(("principle", "changes", "path", "status", "severity"), FAILING,
                         ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(FAILING)])
def test_failing_case(source: Source, principle: str, changes: list, path: str, status: str,
                      severity: str) -> None:
    found = findings_for(source, mutate(source.data, *changes), principle)
    match = [f for f in found if f.path == path]
    assert match, found
    finding = match[0]
    assert (finding.status, finding.severity) == (status, severity)
    assert finding.message.endswith(".") and finding.fix
    if status == "open":
        assert "yet" in finding.message


@pytest.mark.parametrize(("principle", "changes"), PASSING,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(PASSING)])
def test_passing_case(source: Source, principle: str, changes: list) -> None:
    assert findings_for(source, mutate(source.data, *changes), principle) == []


def test_open_question_wording_names_the_missing_role(source: Source) -> None:
    stakeholders = [s for s in _stakeholders() if s["role"] != "prosecutor"]
    found = findings_for(source, mutate(source.data, (("stakeholders",), stakeholders)),
                         "shared-intention")
    assert [(f.message, f.status) for f in found] == [
        ("No prosecutor is listed among the stakeholders yet.", "open")]


# Each fix names only what the plan still lacks (issue 7: not the host when one is named, not
# a public defender who is listed, not outreach that is already true).
FIXES = [
    ("project-manager", [((*GOV, "project_manager", "full_time"), False)],
     ["Set governance.project_manager.full_time to true."]),
    ("project-manager", [((*GOV, "project_manager", "host"), DEL)],
     ["Name the organization that employs the project manager in "
      "governance.project_manager.host (ideally one with no other role in LEAD, not police or "
      "prosecution)."]),
    ("public-defense", [((*GOV, "policy_group", "members"), ["ecpd", "ecda", "care"])],
     ["Add 'ecpd-defense' to governance.policy_group.members."]),
    ("field-based", [((*CM, "field_based"), DEL), ((*CM, "flexible_funds"), False)],
     ["Set case_management.flexible_funds to true.",
      "Set case_management.field_based to true."]),
    ("harm-reduction", [((*CM, "drug_testing_required"), True)],
     ["Set case_management.drug_testing_required to false."]),
    ("no-fail-out", [((*CM, "fixed_duration_months"), 12)],
     ["Remove case_management.fixed_duration_months (or set it to null): services last as "
      "long as the person wants them."]),
    ("evaluation", [(("evaluation", "design"), DEL)],
     ["Set evaluation.design (randomized, quasi-experimental, pre-post or process-only)."]),
    ("shared-intention", [(("stakeholders", 1, "signatory"), False)],
     ["Set signatory: true for 'ecda'."]),
]


@pytest.mark.parametrize(("principle", "changes", "fixes"), FIXES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(FIXES)])
def test_fix_names_only_what_is_missing(source: Source, principle: str, changes: list,
                                        fixes: list[str]) -> None:
    found = findings_for(source, mutate(source.data, *changes), principle)
    assert [f.fix for f in found] == fixes


def test_intake_window_boundaries(source: Source) -> None:
    def flagged(days: int) -> bool:
        plan = mutate(source.data, (("prosecution", "intake_window_days"), days))
        return bool(findings_for(source, plan, "intake-window"))
    assert [d for d in (1, 6, 7, 13, 14, 30, 31, 60) if flagged(d)] == [1, 6, 31, 60]


def test_caseload_severity_overrides(source: Source) -> None:
    plan = mutate(source.data, ((*CM, "caseload"), {"average": 30, "maximum": 44}))
    found = findings_for(source, plan, "caseload")
    assert [(f.path, f.severity) for f in found] == [
        ("case_management.caseload.average", "warning"),
        ("case_management.caseload.maximum", "error")]


# --- locations --------------------------------------------------------------------------------

def test_violation_points_at_the_value(source: Source) -> None:
    plan = mutate(source.data, ((*CM, "approach"), "abstinence-based"))
    (finding,) = findings_for(source, plan, "harm-reduction")
    line = COMPLETE.splitlines().index("  approach: harm-reduction") + 1
    assert (finding.line, finding.column) == (line, len("  approach: ") + 1)


def test_missing_value_points_at_the_nearest_present_key() -> None:
    text = COMPLETE.replace("  approach: harm-reduction\n", "")
    source = load_text(text)
    (finding,) = findings_for(source, source.data, "harm-reduction")
    assert finding.status == "open"
    assert (finding.line, finding.column) == (text.splitlines().index("case_management:") + 1, 1)


def test_empty_plan_reports_open_questions_without_crashing() -> None:
    source = load_text("lead: 1\njurisdiction: {name: X, state: OR, kind: city}\n")
    findings = check_principles(source.data, source)
    assert findings and all(f.status == "open" for f in findings)
    statuses = principle_statuses(findings)
    assert statuses["harm-reduction"] == "open"
    # an undecided arrest-diversion door leaves its questions open: nothing is "met" by silence
    ad = ("pre-booking", "warm-handoff", "divertible-offenses", "prosecutor-commitment",
          "intake-window")
    assert {statuses[p] for p in ad} == {"open"}


def test_arrest_diversion_questions_do_not_apply_when_that_door_is_closed() -> None:
    source = load_text("lead: 1\njurisdiction: {name: X, state: OR, kind: city}\n"
                       "referral:\n  arrest_diversion: {enabled: false}\n")
    statuses = principle_statuses(check_principles(source.data, source))
    assert statuses["pre-booking"] == statuses["prosecutor-commitment"] == "met"
    assert statuses["warm-handoff"] == statuses["intake-window"] == "met"


@pytest.mark.parametrize("plan", [
    {}, {"stakeholders": "oops"}, {"stakeholders": [None, 3, {"role": None}]},
    {"governance": [], "referral": "x", "case_management": {"caseload": 7}},
    {"training": [1, "officers"], "funding": {"sources": None}},
    {"referral": {"arrest_diversion": {"enabled": True, "handoff_minutes": "soon"}}},
])
def test_odd_shapes_never_raise(plan: dict) -> None:
    source = load_text("lead: 1\n")
    assert isinstance(check_principles(plan, source), list)


# --- stored fixtures: one defect each, exact id, path and line ----------------------------

STORED = [
    ("abstinence-required.yaml", "harm-reduction", "case_management.abstinence_required", 95,
     "error"),
    ("drug-testing-mandate.yaml", "harm-reduction", "case_management.drug_testing_required", 97,
     "error"),
    ("removal-for-noncompliance.yaml", "no-fail-out",
     "case_management.removal_for_noncompliance", 98, "error"),
    ("caseload-44.yaml", "caseload", "case_management.caseload.maximum", 99, "error"),
    ("court-based-diversion.yaml", "pre-booking", "referral.arrest_diversion.point", 67,
     "error"),
    ("no-project-manager.yaml", "project-manager", "governance.project_manager.host", 47,
     "error"),
    ("pm-hosted-by-police.yaml", "project-manager", "governance.project_manager.host", 49,
     "warning"),
    ("two-prosecutors-no-split.yaml", "charge-handling", "stakeholders[1]", 27, "warning"),
    ("prosecutor-not-signing.yaml", "shared-intention", "stakeholders[1].signatory", 30,
     "error"),
]


@pytest.mark.parametrize(("name", "principle", "path", "line", "severity"), STORED,
                         ids=[s[0] for s in STORED])
def test_stored_fixture(name: str, principle: str, path: str, line: int, severity: str) -> None:
    source = load_jurisdiction(DATA / "principles" / name)
    findings = check_principles(source.data, source)
    assert [(f.principle, f.path, f.line, f.severity) for f in findings] == [
        (principle, path, line, severity)]


def test_no_project_manager_is_an_open_error_in_statuses() -> None:
    source = load_jurisdiction(DATA / "principles" / "no-project-manager.yaml")
    statuses = principle_statuses(check_principles(source.data, source))
    assert statuses["project-manager"] == "open"
    assert [k for k, v in statuses.items() if v != "met"] == ["project-manager"]


# --- principle_statuses -----------------------------------------------------------------------

def _f(principle: str, severity: str, status: str) -> Finding:
    return Finding(severity, principle, "", 1, 1, "m", status=status)  # type: ignore[arg-type]


@pytest.mark.parametrize(("findings", "expected"), [
    ([], "met"),
    ([_f("caseload", "warning", "violation")], "warning"),
    ([_f("caseload", "warning", "open")], "open"),
    ([_f("caseload", "error", "open"), _f("caseload", "warning", "violation")], "open"),
    ([_f("caseload", "error", "violation"), _f("caseload", "error", "open")], "error"),
    ([_f("schema", "error", "violation"), _f("yaml", "error", "violation")], "met"),
])
def test_principle_statuses(findings: list[Finding], expected: str) -> None:
    statuses = principle_statuses(findings)
    assert list(statuses) == DOC_TABLE_IDS
    assert statuses["caseload"] == expected
    assert statuses["harm-reduction"] == "met"


def test_checking_one_plan_is_fast(source: Source) -> None:
    check_principles(source.data, source)
    start = time.perf_counter()
    for _ in range(200):
        check_principles(source.data, source)
    assert (time.perf_counter() - start) / 200 < 0.001


def test_checked_from_names_the_fields_each_check_reports(source: Source) -> None:
    """principles.yaml's checked_from is held to the code: every path a failing case reports
    is one of the fields listed for its principle (or a section holding them)."""
    import re

    listed = {p.id: p.checked_from for p in load_rulebook()}
    for principle, changes, _path, _status, _severity in FAILING:
        for f in findings_for(source, mutate(source.data, *changes), principle):
            path = re.sub(r"\[\d+\]", "[]", f.path)
            assert any(field == path or field.startswith(path + ".") or
                       field.startswith(path + "[]") for field in listed[principle]), (
                principle, path, listed[principle])


def test_an_unset_safeguard_flag_is_an_open_core_question(source: Source) -> None:
    # The contract: "abstinence_required, sanctions_for_drug_use, drug_testing_required all
    # false", and a missing value is reported at the same severity as an open question.
    plan = mutate(source.data, ((*CM, "drug_testing_required"), DEL))
    (finding,) = findings_for(source, plan, "harm-reduction")
    assert (finding.severity, finding.status, finding.path) == (
        "error", "open", "case_management.drug_testing_required")
    assert finding.message == ("Decided: the harm-reduction approach, abstinence is not "
                               "required and drug use or relapse is not sanctioned. Not decided "
                               "yet: whether drug testing is required.")
    assert finding.fix == "Set case_management.drug_testing_required to false."
    every = mutate(source.data, *[((*CM, k), DEL) for k in (
        "approach", "abstinence_required", "sanctions_for_drug_use", "drug_testing_required")])
    assert [f.path for f in findings_for(source, every, "harm-reduction")] == [
        f"case_management.{k}" for k in ("approach", "abstinence_required",
                                         "sanctions_for_drug_use", "drug_testing_required")]


def test_a_citation_names_each_work_once() -> None:
    from lead_replicate.rules.principles import citation

    toolkit = ("LEAD Support Bureau, LEAD Community Toolkit, version 1.1, July 1, 2023 "
               "(leadbureau.org/toolkit)")
    assert citation([f'{toolkit}, glossary "Harm Reduction"', f"{toolkit}, FAQ: no sanctions",
                     "K. Beckett, report (2014)"]) == (
        f'{toolkit}, glossary "Harm Reduction" and FAQ: no sanctions; K. Beckett, report (2014)')
    harm = next(p for p in load_rulebook() if p.id == "harm-reduction")
    assert citation(harm.sources).count("LEAD Community Toolkit") == 1
