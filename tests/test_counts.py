"""One definition of errors, warnings and open questions, printed the same by every output."""

from __future__ import annotations

import json
from dataclasses import astuple

from click.testing import CliRunner
from conftest import DATA, ROOT

from lead_replicate.cli import cli
from lead_replicate.compare import compare_reports
from lead_replicate.rules.validate import validate_file

PLANS = sorted([*ROOT.glob("examples/*.yaml"), *ROOT.glob("jurisdictions/*.yaml"),
                *DATA.glob("*.yaml"), *DATA.glob("principles/*.yaml"),
                *DATA.glob("schema/*.yaml")])


def test_validate_json_text_report_and_compare_agree() -> None:
    assert len(PLANS) > 40  # the examples, the cohort folder and every stored test plan
    reports = [validate_file(p) for p in PLANS]
    rows = compare_reports(reports).rows
    result = CliRunner().invoke(cli, ["validate", "--format", "json", *map(str, PLANS)])
    entries = json.loads(result.stdout)["files"]
    text = CliRunner().invoke(cli, ["validate", *map(str, PLANS)]).stdout.splitlines()
    summaries = text[-len(PLANS) - 1:-1]
    for plan, report, row, entry, summary in zip(PLANS, reports, rows, entries, summaries,
                                                strict=True):
        numbers = astuple(report.counts)
        assert (entry["errors"], entry["warnings"], entry["open_questions"]) == numbers, plan
        assert astuple(row.counts) == numbers, plan
        assert summary.endswith(": " + report.counts.text()), (plan, summary)
        assert numbers[:2] == (
            sum(f.severity == "error" for f in report.findings),
            sum(f.severity == "warning" for f in report.findings)), plan


def test_the_comparison_prints_validates_numbers() -> None:
    from lead_replicate.compare import render_comparison

    santa_fe = validate_file(ROOT / "examples" / "santa_fe.yaml")
    html = render_comparison(compare_reports([santa_fe]))
    errors, warnings, open_questions = astuple(santa_fe.counts)
    assert (f'<td class="num">{errors}</td><td class="num">{warnings}</td>'
            f'<td class="num">{open_questions}</td>') in html
    assert f"&middot; {santa_fe.counts.text()} &middot; principles: " in html
