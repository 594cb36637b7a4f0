"""Tests for the convening comparison: the data, the HTML structure, and one real PDF."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from pathlib import Path

import pytest
import yaml

from lead_replicate import compare
from lead_replicate.compare import (
    UNDECIDED,
    build_comparison,
    compare_reports,
    design_choices,
    matrix_pages,
    render_comparison,
)
from lead_replicate.errors import LeadError, OutputError, PdfEngineError
from lead_replicate.findings import Counts
from lead_replicate.loading.loader import load_text
from lead_replicate.rules.readiness import readiness
from lead_replicate.rules.validate import Report, validate_file, validate_source

DAY = dt.date(2026, 1, 15)


def _report(plan: dict, name: str = "plan.yaml") -> Report:
    return validate_source(load_text(yaml.safe_dump(plan, sort_keys=False), name))


def _site(base: dict, n: int, **changes: object) -> dict:
    """A fictional copy of the complete plan, renamed, with a few dotted-path changes."""
    plan = copy.deepcopy(base)
    plan["jurisdiction"].update(name=f"Example Town {n}, Oregon",
                                short_name=f"Example Town {n}", slug=f"example-town-{n}")
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = plan
        for key in parents:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return plan


def _write(tmp_path: Path, name: str, plan: dict) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    return path


def test_complete_plan_row(complete_path: Path, complete_plan: dict) -> None:
    result = compare_reports([validate_file(complete_path)])
    (row,) = result.rows
    assert row.compared and row.counts == Counts(0, 0, 0)
    assert row.short_name == "Example City" and row.slug == "example-city"
    assert row.readiness == readiness(complete_plan).percent
    assert set(row.statuses.values()) == {"met"}
    assert row.principles == {"error": 0, "open": 0, "warning": 0, "met": len(row.statuses)}
    assert row.choices == {
        "doors": "all three",
        "offenses": "Possession of a controlled substance; Prostitution",
        "intake": "30 days",
        "caseload": "15 / 20",
        "pm_host": "Example Civic Partnership (project management)",
        "policy_group": "decides by consensus; meets monthly",
        "operations_group": "every two weeks",
        "diverted_charges": "not filed",
    }
    assert {"name": "Example County District Attorney", "role": "Prosecution",
            "signatory": True} in row.partners
    assert row.top_items == [] and row.more_items == 0


def test_statuses_and_top_items_of_mutated_plans(complete_plan: dict) -> None:
    broken = _site(complete_plan, 1, case_management__abstinence_required=True)
    undecided = _site(complete_plan, 2)
    del undecided["governance"]["policy_group"]["decision_rule"]
    del undecided["prosecution"]["intake_window_days"]
    result = compare_reports([_report(broken), _report(undecided)])
    first, second = result.rows
    assert first.statuses["harm-reduction"] == "error"
    assert first.top_items[0]["kind"] == "error"
    assert first.top_items[0]["principle"] == "Harm reduction"
    assert first.top_items[0]["fix"]
    assert second.statuses["consensus"] == "open"
    assert second.choices["intake"] == UNDECIDED
    assert second.choices["policy_group"] == "decision rule not decided; meets monthly"
    assert {i["kind"] for i in second.top_items} == {"open"}


def test_top_items_put_core_questions_first_and_terms_to_confirm_last(complete_plan: dict) -> None:
    plan = _site(complete_plan, 1)
    del plan["governance"]["policy_group"]["decision_rule"]  # recommended, early in the file
    del plan["prosecution"]["intake_window_days"]  # core, later in the file
    plan["to_confirm"] = [{"path": "jurisdiction.population", "note": "Census figure."}]
    row = compare_reports([_report(plan)]).rows[0]
    assert [i["principle"] for i in row.top_items] == [
        "Prosecutor's commitment", "Decisions by consensus", "Term to confirm"]


def test_referral_doors_wording(complete_plan: dict) -> None:
    plan = copy.deepcopy(complete_plan)
    plan["referral"]["community_referral"]["enabled"] = False
    assert design_choices(plan)[0]["doors"] == "arrest diversion, social contact"
    for door in ("arrest_diversion", "social_contact"):
        plan["referral"][door]["enabled"] = False
    assert design_choices(plan)[0]["doors"] == "none enabled"
    del plan["referral"]
    assert design_choices(plan)[0]["doors"] == UNDECIDED


def test_differing_choices_ranked_most_varied_first(complete_plan: dict) -> None:
    plans = [_site(complete_plan, 1, prosecution__intake_window_days=30),
             _site(complete_plan, 2, prosecution__intake_window_days=14),
             _site(complete_plan, 3, prosecution__intake_window_days=60,
                   case_management__caseload={"average": 18, "maximum": 20})]
    ranking = compare_reports([_report(p) for p in plans]).differing_choices
    assert [s.key for s in ranking[:2]] == ["intake", "caseload"]
    assert (ranking[0].distinct, ranking[1].distinct) == (3, 2)
    assert ranking[1].values == [("15 / 20", 2), ("18 / 20", 1)]
    assert all(s.distinct == 1 for s in ranking[2:])
    # Organization names differ between sites; the host's kind of organization does not.
    assert next(s for s in ranking if s.key == "pm_host").distinct == 1


def test_structurally_broken_file_is_listed_without_choices(
        complete_path: Path, data_dir: Path) -> None:
    result = compare_reports([validate_file(complete_path),
                              validate_file(data_dir / "schema" / "lead-2.yaml")])
    assert len(result.compared) == 1
    (bad,) = result.unreadable
    assert bad.counts == Counts(1, 0, 0) and bad.choices == {} and bad.readiness is None
    assert bad.first_error.startswith("line 2:")
    html = render_comparison(result, on=DAY)
    assert "Not compared:" in html and "lead-2.yaml" in html
    assert html.count('class="profile"') == 1  # no profile for a file that could not be read


def test_forty_jurisdictions_split_the_matrix(complete_plan: dict) -> None:
    reports = [_report(_site(complete_plan, n), f"town-{n}.yaml") for n in range(1, 41)]
    result = compare_reports(reports)
    assert [len(group) for group in matrix_pages(result.compared)] == [10, 10, 10, 10]
    html = render_comparison(result, on=DAY)
    tables = re.findall(r'<table class="matrix" data-jurisdictions="(\d+)">', html)
    assert tables == ["10", "10", "10", "10"]
    assert html.count('class="site name"') == 40  # one column per jurisdiction
    assert html.count('class="profile"') == 40
    assert "Example Town 40" in html
    rulebook_size = len(result.principles)
    assert html.count('class="cell st-') == 40 * rulebook_size


def test_matrix_pages_limits() -> None:
    assert matrix_pages([]) == []
    assert [len(g) for g in matrix_pages(list(range(12)))] == [12]
    assert [len(g) for g in matrix_pages(list(range(13)))] == [7, 6]


def test_hostile_names_are_escaped(complete_plan: dict) -> None:
    plan = _site(complete_plan, 1)
    evil = '<script>alert("x")</script> & <img src="file:///etc/passwd">'
    plan["jurisdiction"]["name"] = evil
    plan["jurisdiction"]["short_name"] = evil
    plan["stakeholders"][0]["name"] = evil
    html = render_comparison(compare_reports([_report(plan)]), on=DAY)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html


def test_build_refuses_folder_and_empty_input(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(OutputError, match="is a folder"):
        build_comparison([data_dir / "complete.yaml"], tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(LeadError, match="no jurisdiction files"):
        build_comparison([empty], tmp_path / "c.pdf")
    with pytest.raises(LeadError, match="none of the files"):
        build_comparison([data_dir / "schema" / "lead-2.yaml"], tmp_path / "c.pdf")
    assert not (tmp_path / "c.pdf").exists()


def test_html_still_written_when_pdf_engine_is_missing(
        tmp_path: Path, complete_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lead_replicate.documents.pdf

    def no_engine(html: str, **_: object) -> bytes:
        raise PdfEngineError(lead_replicate.documents.pdf.ENGINE_HELP)

    monkeypatch.setattr(lead_replicate.documents.pdf, "render_pdf", no_engine)
    out = tmp_path / "convening" / "comparison.pdf"
    with pytest.raises(PdfEngineError):
        build_comparison([complete_path], out)
    assert not out.exists()
    page = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "Example City" in page and "@font-face" in page  # standalone: stylesheet inlined


def test_real_pdf(tmp_path: Path, complete_plan: dict, data_dir: Path,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PdfReader

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1768435200")  # 2026-01-15
    files = [_write(tmp_path, "a.yaml", _site(complete_plan, 1)),
             _write(tmp_path, "b.yaml", _site(complete_plan, 2,
                                              prosecution__intake_window_days=14)),
             data_dir / "schema" / "lead-2.yaml"]
    out = tmp_path / "out" / "comparison.pdf"
    written = build_comparison(files, out, html=True)
    assert written == [out, out.with_suffix(".html")]
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    # overview, one matrix page, design choices, one profile per readable plan
    assert len(reader.pages) == 5
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (792, 612)
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Example Town 1" in text and "Example Town 2" in text
    assert "Not compared" in text and "Page 1 of 5" in text
    assert "January 15, 2026" in text
    assert compare.CHOICES["intake"] in text


def test_comparison_footer_and_landscape_style_in_head(complete_path: Path) -> None:
    html = render_comparison(compare_reports([validate_file(complete_path)]), on=DAY)
    head, body = html.split("</head>", 1)
    assert "@page comparison" in head and "<style>" not in body
    footer = re.search(r'<p class="running-footer">(.*?)</p>', body, re.S)
    assert footer is not None
    assert footer.group(1).startswith("Convening comparison generated from complete.yaml")
    assert "Draft generated from" not in html
