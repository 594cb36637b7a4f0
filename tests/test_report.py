"""Text for people: the finding line contract, summaries, the rulebook listing."""

from __future__ import annotations

import json

from lead_replicate.console import finding_lines, rulebook_text, validation_summary
from lead_replicate.findings import Finding
from lead_replicate.rules.principles import load_rulebook
from lead_replicate.rules.validate import Report

ERROR = Finding("error", "harm-reduction", "case_management.abstinence_required", 42, 5,
                "Abstinence is required.", fix="Set it to false.")
WARNING = Finding("warning", "consensus", "governance.policy_group.decision_rule", 7, 20,
                  "The decision rule is majority.", status="violation")


def test_finding_line_follows_the_command_line_contract():
    report = Report("plan.yaml", findings=[ERROR, WARNING])
    assert finding_lines(report) == [
        "plan.yaml:42:5: error [harm-reduction] Abstinence is required. Fix: Set it to false.",
        "plan.yaml:7:20: warning [consensus] The decision rule is majority.",
    ]
    assert finding_lines(report, errors_only=True) == finding_lines(report)[:1]


def test_validation_summary_counts_files_errors_and_open_questions():
    opened = Finding("warning", "local-fit", "jurisdiction", 1, 1, "No problem statement.",
                     status="open")
    lines = validation_summary([Report("a.yaml", findings=[ERROR, WARNING]),
                                Report("b.yaml", findings=[opened])])
    assert lines == [
        "a.yaml: FAILS: 1 error, 1 warning",
        "b.yaml: ok: 0 errors, 1 warning (1 open question)",
        "Checked 2 files: 1 file with errors.",
    ]


def test_rulebook_text_in_three_formats():
    rulebook = load_rulebook()
    as_json = json.loads(rulebook_text(rulebook, "json"))["principles"]
    assert [p["id"] for p in as_json] == [p.id for p in rulebook]
    markdown = rulebook_text(rulebook, "markdown").splitlines()
    assert len(markdown) == 2 + len(rulebook)
    text = rulebook_text(rulebook, "text")
    assert text.count("  Requires: ") == len(rulebook) and "no-fail-out (core)" in text
