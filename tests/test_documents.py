"""Tests for documents.py: the packet build, its refusal and draft rules, and the golden HTML."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import DATA, ROOT
from pypdf import PdfReader

from lead_replicate.console import outcome_line
from lead_replicate.documents.packet import (
    BuildOptions,
    build_jurisdiction,
    generated_on,
    render_document,
)
from lead_replicate.loading.loader import load_text
from lead_replicate.outcome import Outcome
from lead_replicate.rules.validate import Report, validate_file, validate_source

GOLDEN = ROOT / "tests" / "golden"
EPOCH = "1767225600"  # 2026-01-01


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The complete fixture built once (PDF and HTML) for the whole module."""
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    out = tmp_path_factory.mktemp("out")
    return build_jurisdiction(DATA / "complete.yaml", BuildOptions(out, html=True))


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    out = tmp_path_factory.mktemp("draft")
    return build_jurisdiction(DATA / "principle-errors.yaml", BuildOptions(out, draft=True))


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


class Tags(HTMLParser):
    """Collects ids and data-stakeholder attributes of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.signatures: list[str] = []
        self.images = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if a.get("data-stakeholder"):
            self.signatures.append(a["data-stakeholder"] or "")
        self.images += tag == "img"


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def test_complete_plan_writes_three_pdfs_and_three_html(built: Outcome) -> None:
    names = sorted(p.name for p in built.written)
    assert names == sorted(["mou.pdf", "protocol-manual.pdf", "readiness-checklist.pdf",
                            "mou.html", "protocol-manual.html", "readiness-checklist.html"])
    assert all(p.parent.name == "example-city" for p in built.written)
    assert built.complete and built.refused == []
    assert not list(built.written[0].parent.glob(".*.tmp"))


def test_mou_html_has_every_section_and_one_signature_per_signatory() -> None:
    report = validate_file(DATA / "complete.yaml")
    tags = parse(render_document(report, "mou", BuildOptions(Path("unused"))))
    for section in ("recitals", "purpose", "definitions", "program", "responsibilities",
                    "governance", "information-sharing", "evaluation", "funding", "term",
                    "signatures"):
        assert section in tags.ids
    signatories = [s["id"] for s in report.plan["stakeholders"] if s.get("signatory")]
    assert tags.signatures == signatories
    assert "neighbors" not in tags.signatures  # a partner that does not sign


def test_manual_and_checklist_html_sections() -> None:
    report = validate_file(DATA / "complete.yaml")
    manual = parse(render_document(report, "manual", BuildOptions(Path("unused"))))
    for section in ("officer-card", "eligibility", "prosecutor", "case-manager", "services",
                    "owg", "information-sharing", "contacts"):
        assert section in manual.ids
    checklist = parse(render_document(report, "checklist", BuildOptions(Path("unused"))))
    assert {"summary", "milestones", "principles"} <= set(checklist.ids)


def test_pdf_text_has_the_plans_facts(built: Outcome) -> None:
    folder = built.written[0].parent
    mou = squash(pdf_text(folder / "mou.pdf"))
    for needle in ("Example City Police Department", "Example County District Attorney",
                   "Possession of a controlled substance", "Prostitution",
                   "Appears to exploit minors.", "within 30 days", "Pat Example",
                   "Chief of Police", "LEAD standard terms, version 1",
                   "evalprogplan.2017.05.008",
                   "Draft generated from complete.yaml", "Page 1 of"):
        assert needle in mou, needle
    manual = squash(pdf_text(folder / "protocol-manual.pdf"))
    assert "30 days" in manual and "Sam Sergeant" in manual and "30 minutes" in manual
    checklist = squash(pdf_text(folder / "readiness-checklist.pdf"))
    for needle in ("MOU signed", "Officers trained", "Brief the Downtown Neighbors Association",
                   "January 15, 2027", "Harm reduction"):
        assert needle in checklist, needle


def test_pdf_metadata_tags_bookmarks_and_fonts(built: Outcome) -> None:
    reader = PdfReader(built.written[0].parent / "mou.pdf")
    meta = reader.metadata
    assert meta.title == "Memorandum of Understanding: Example City and County, Oregon"
    assert meta.author.startswith("lead-replicate")
    assert "LEAD program" in meta.subject
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()  # PDF/UA-1
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Memorandum of Understanding" in titles
    assert any(t.startswith("1. Recitals") for t in _flatten(reader.outline))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            desc = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in desc  # embedded
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts and all(f.startswith("Caladea") for f in fonts)


def _flatten(outline: list) -> list[str]:
    out: list[str] = []
    for item in outline:
        out += _flatten(item) if isinstance(item, list) else [item.title]
    return out


def test_identical_input_gives_identical_bytes(built: Outcome) -> None:
    from lead_replicate.documents.pdf import render_pdf

    report = validate_file(DATA / "complete.yaml")
    html = render_document(report, "checklist", BuildOptions(Path("unused")))
    first = (built.written[0].parent / "readiness-checklist.pdf").read_bytes()
    assert render_pdf(html) == first


def test_principle_errors_refuse_mou_and_manual(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lead_replicate.documents.pdf.render_pdf", lambda html, **kw: b"%PDF-fake")
    result = build_jurisdiction(DATA / "principle-errors.yaml", BuildOptions(tmp_path))
    assert [p.name for p in result.written] == ["readiness-checklist.pdf"]
    assert result.refused == ["mou.pdf", "protocol-manual.pdf"]
    assert not result.complete and not result.failed
    assert outcome_line(result) == (
        f"{DATA / 'principle-errors.yaml'}: wrote readiness-checklist.pdf in "
        f"{tmp_path / 'hostile-example'}; refused mou.pdf and protocol-manual.pdf: "
        "1 principle error (fix it, or use --draft to build marked drafts)")
    assert not (tmp_path / "hostile-example" / "mou.pdf").exists()


def test_schema_errors_build_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("lead: 1\njurisdiction: [not, a, mapping\n", encoding="utf-8")
    result = build_jurisdiction(bad, BuildOptions(tmp_path / "out"))
    assert result.slug is None and result.written == [] and result.failed
    assert outcome_line(result) == (
        f"{bad}: nothing built: the file has errors (listed above)")
    assert not (tmp_path / "out").exists()


def test_draft_marks_every_page_and_lists_findings(drafted: Outcome) -> None:
    folder = drafted.written[0].parent
    assert drafted.refused == []
    for name in ("mou.pdf", "protocol-manual.pdf"):
        pages = PdfReader(folder / name).pages
        for page in pages:
            assert "DRAFT - does not yet meet the LEAD core principles" in page.extract_text()
        assert "Abstinence is required" in squash(pdf_text(folder / name))
    assert "DRAFT - does not" not in pdf_text(folder / "readiness-checklist.pdf")


def test_untrusted_text_prints_literally(drafted: Outcome) -> None:
    report = validate_file(DATA / "principle-errors.yaml")
    html = render_document(report, "mou", BuildOptions(Path("unused")))
    assert "Example &lt;b&gt;City&lt;/b&gt; {{ 7*7 }} {% if x %}" in html
    assert "<b>City</b>" not in html and parse(html).images == 0
    text = squash(pdf_text(drafted.written[0].parent / "mou.pdf"))
    assert "Example <b>City</b> {{ 7*7 }} {% if x %}" in text
    assert "<img src='file:///etc/passwd'>" in text


def test_template_override_replaces_one_clause(tmp_path: Path) -> None:
    clause = tmp_path / "mou" / "clauses" / "purpose.html"
    clause.parent.mkdir(parents=True)
    clause.write_text('<section class="sec" id="purpose"><h2>Purpose</h2>'
                      "<p>Local purpose for {{ j.short_name }}.</p></section>\n", "utf-8")
    report = validate_file(DATA / "complete.yaml")
    html = render_document(report, "mou", BuildOptions(tmp_path, templates=tmp_path))
    assert "Local purpose for Example City." in html
    assert 'id="recitals"' in html and 'id="signatures"' in html  # the rest still shipped


def test_generated_on_honours_source_date_epoch() -> None:
    assert generated_on().isoformat() == "2026-01-01"


@pytest.mark.parametrize("document", ["mou", "manual", "checklist"])
def test_seattle_golden_html(document: str) -> None:
    seattle = ROOT / "examples" / "seattle.yaml"
    if not seattle.exists():
        pytest.skip("examples/seattle.yaml is not there yet")
    html = render_document(validate_file(seattle), document, BuildOptions(Path("unused")),
                           source_name="seattle.yaml")
    golden = GOLDEN / f"seattle-{document}.html"
    if os.environ.get("LEAD_UPDATE_GOLDEN") == "1":
        golden.write_text(html, encoding="utf-8")
    assert golden.exists(), "run with LEAD_UPDATE_GOLDEN=1 to create the golden file"
    assert html == golden.read_text(encoding="utf-8")


def test_missing_pdf_engine_still_writes_html(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from lead_replicate.errors import PdfEngineError

    def no_engine(html: str, **kw: object) -> bytes:
        raise PdfEngineError("The PDF engine could not start.")

    monkeypatch.setattr("lead_replicate.documents.pdf.render_pdf", no_engine)
    result = build_jurisdiction(DATA / "complete.yaml", BuildOptions(tmp_path))
    assert sorted(p.name for p in result.written) == [
        "mou.html", "protocol-manual.html", "readiness-checklist.html"]
    assert result.problem == "The PDF engine could not start." and result.failed
    html = (tmp_path / "example-city" / "mou.html").read_text(encoding="utf-8")
    assert "data:font/ttf;base64," in html and "<style>" in html  # opens on its own


# --- The documents promise only what the plan says ------------------------------------------

def _plan_report(plan: dict, name: str = "plan.yaml") -> Report:
    return validate_source(load_text(yaml.safe_dump(plan, sort_keys=False), name))


def _complete() -> dict:
    return yaml.safe_load((DATA / "complete.yaml").read_text(encoding="utf-8"))


def visible_text(html: str) -> str:
    """What a reader sees: tags dropped, entities decoded, whitespace squashed."""
    from html import unescape

    html = re.sub(r"<(style|head)\b.*?</\1>", " ", html, flags=re.S)
    return squash(unescape(re.sub(r"<[^>]+>", " ", html))).replace(" .", ".").replace(" ,", ",")


def _render(plan: dict, document: str) -> str:
    return visible_text(render_document(_plan_report(plan), document,
                                        BuildOptions(Path("unused"))))


def test_case_management_is_not_called_field_based_when_unset() -> None:
    plan = _complete()
    for key in ("field_based", "outreach", "flexible_funds", "caseload"):
        plan["case_management"].pop(key, None)
    mou = _render(plan, "mou")
    assert "in the field" not in mou and "with outreach" not in mou
    assert "flexible funds for" not in mou
    # What is open is said in validate's words, once.
    assert mou.count("Not decided yet: field-based case management, outreach, flexible funds.") == 1
    assert "Caseloads average" not in mou  # no default 20/25 put in the plan's mouth
    manual = _render(plan, "manual")
    assert "wherever they are" not in manual and "using flexible funds" not in manual
    assert "Caseloads average" not in manual
    plan["case_management"]["field_based"] = True
    assert "Provide field-based, harm-reduction case management" in _render(plan, "mou")


def test_role_commitments_follow_the_plan() -> None:
    plan = _complete()
    plan["referral"]["arrest_diversion"]["enabled"] = False
    plan["data_sharing"].pop("informant_use_prohibited")
    for key in ("abstinence_required", "sanctions_for_drug_use", "drug_testing_required",
                "removal_for_noncompliance"):
        plan["case_management"].pop(key)
    mou = _render(plan, "mou")
    assert "Offer LEAD, where an officer has probable cause" not in mou
    assert "Respond to arrest diversions" not in mou
    assert "Handle diverted charges" not in mou
    assert "Not ask LEAD participants for confidential" not in mou
    assert "Participants are not required to be abstinent" not in mou
    assert "cannot \"fail out\"" not in mou
    assert "without requiring abstinence" not in mou
    manual = _render(plan, "manual")
    assert "Do not require abstinence" not in manual
    assert "Participants are not removed" not in manual
    assert "Never ask a LEAD participant" not in manual
    full = _render(_complete(), "mou")  # and the complete plan keeps every promise
    for promise in ("Offer LEAD, where an officer has probable cause", "Handle diverted charges",
                    "Not ask LEAD participants for confidential",
                    "Participants are not required to be abstinent"):
        assert promise in full, promise


def test_policy_group_decision_rule_is_not_invented() -> None:
    plan = _complete()
    del plan["governance"]["policy_group"]["decision_rule"]
    mou = _render(plan, "mou")
    assert "by a rule it sets for itself" not in mou
    assert "To be decided: its decision rule" in mou


def _checklist_summary(report: Report) -> str:
    html = render_document(report, "checklist", BuildOptions(Path("unused")))
    start = html.index('id="summary"')
    return visible_text(html[start:html.index("</section>", start)])


def test_checklist_summary_follows_the_build_rule_for_open_core_questions() -> None:
    plan = _complete()
    del plan["evaluation"]  # a core question left open: an error-severity finding
    report = _plan_report(plan)
    assert report.errors == 1 and all(f.status == "open" for f in report.findings
                                      if f.severity == "error")
    summary = _checklist_summary(report)
    assert "cannot be issued yet" in summary and "1 remains" in summary
    assert "1 core question the plan leaves open" in summary
    assert "can be issued for review" not in summary
    ready = _checklist_summary(_plan_report(_complete()))
    assert "No error-severity finding remains" in ready and "cannot be issued" not in ready


def test_albany_checklist_says_the_mou_is_refused() -> None:
    albany = ROOT / "jurisdictions" / "albany.yaml"
    if not albany.exists():
        pytest.skip("jurisdictions/albany.yaml is not there")
    report = validate_file(albany)
    summary = _checklist_summary(report)
    assert report.errors > 0
    assert "No core principle is broken" not in summary
    assert "cannot be issued yet" in summary and f"{report.errors} remain" in summary


def _dotted(plan: dict) -> dict:
    """Every free-text value ends in a full stop, as users often type them."""
    def dot(text: str) -> str:
        return text if text.endswith(".") else text + "."

    j = plan["jurisdiction"]
    for key in ("pilot_area", "problem_statement"):
        j[key] = dot(j[key])
    for s in plan["stakeholders"]:
        s["name"] = dot(s["name"] + " Inc")
        s["commitments"] = [dot(c) for c in s.get("commitments", [])]
    ad = plan["referral"]["arrest_diversion"]
    for o in ad["eligible_offenses"]:
        o["name"] = dot(o["name"])
        if o.get("limit"):
            o["limit"] = dot(o["limit"])
    plan["referral"]["social_contact"]["criteria"] = dot(
        plan["referral"]["social_contact"]["criteria"])
    plan["referral"]["community_referral"]["sources"] = [
        dot(x) for x in plan["referral"]["community_referral"].get("sources") or ["Outreach"]]
    plan["racial_equity"]["goals"] = [dot(g) for g in plan["racial_equity"]["goals"]]
    plan["funding"]["sustainability_plan"] = dot(plan["funding"]["sustainability_plan"])
    plan["evaluation"]["evaluator"] = dot(plan["evaluation"].get("evaluator", "Example U"))
    for svc in plan["services"]:
        if svc.get("notes"):
            svc["notes"] = dot(svc["notes"])
    return plan


@pytest.mark.parametrize("document", ["mou", "manual", "checklist"])
def test_no_double_full_stops(document: str) -> None:
    for plan in (_complete(), _dotted(_complete())):
        text = _render(plan, document)
        assert ".." not in text, text[max(0, text.index("..") - 80):text.index("..") + 20]
    for path in (ROOT / "examples" / "seattle.yaml", ROOT / "examples" / "santa_fe.yaml",
                 ROOT / "jurisdictions" / "albany.yaml"):
        if path.exists():
            html = render_document(validate_file(path), document,
                                   BuildOptions(Path("unused"), draft=True))
            assert ".." not in visible_text(html), path


def test_table_headers_never_break_mid_word() -> None:
    css = (ROOT / "templates" / "assets" / "lead.css").read_text(encoding="utf-8")
    rule = re.search(r"thead th \{([^}]*)\}", css)
    assert rule and "overflow-wrap: normal" in rule.group(1)
    plan = _complete()
    mou = render_document(_plan_report(plan), "mou", BuildOptions(Path("unused")))
    assert 'class="col-amount"' in mou  # the funding table sizes its columns by name


def test_empty_table_columns_are_left_out() -> None:
    plan = _complete()
    for o in plan["referral"]["arrest_diversion"]["eligible_offenses"]:
        o.pop("statute", None)
        o.pop("level", None)
    html = render_document(_plan_report(plan), "mou", BuildOptions(Path("unused")))
    table = html[html.index('<table class="offenses'):]
    table = table[:table.index("</table>")]
    assert ">Statute<" not in table and ">Level<" not in table and ">Offense<" in table


def test_long_names_stay_inside_the_page(tmp_path: Path) -> None:
    """Body text wraps; the running header shortens the name instead of running off."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    from lead_replicate.documents.pdf import render_pdf

    plan = _complete()
    plan["stakeholders"][0]["name"] = "Example" * 18  # 126 characters, no space to break at
    plan["jurisdiction"]["short_name"] = "Example" * 714  # 4,998 characters, in every header
    plan["stakeholders"][3]["name"] = ("Example Regional Behavioral Health and Housing "
                                       "Collaborative for Downtown, Riverside, Northgate and "
                                       "Unincorporated Areas")
    pdf = tmp_path / "mou.pdf"
    pdf.write_bytes(render_pdf(render_document(_plan_report(plan), "mou",
                                               BuildOptions(Path("unused")))))
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    right = [float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes)]
    assert right and max(right) <= 612 - 72 + 1  # letter width minus the 1in margin


def test_recitals_do_not_claim_a_control_group_for_the_housing_study() -> None:
    mou = _render(_complete(), "mou")
    housing = mou[mou.index("89% more likely") - 120:mou.index("89% more likely")]
    assert "control group" not in housing and "month before their referral" in housing
    assert "does not imply that the Bureau has reviewed or endorsed" in mou
    assert "follow the LEAD model" in mou and "technical assistance" in mou


def test_a_plan_that_now_fails_loses_the_documents_it_no_longer_supports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan that passed once and now fails: its old MOU and manual are removed, and said so;
    a file the user put there under a refused name stays."""
    monkeypatch.setattr("lead_replicate.documents.pdf.render_pdf", lambda html, **kw: b"%PDF-x")
    plan = tmp_path / "plan.yaml"
    text = (DATA / "complete.yaml").read_text(encoding="utf-8")
    plan.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    first = build_jurisdiction(plan, BuildOptions(out, html=True))
    assert first.complete and len(first.written) == 6
    folder = out / "example-city"
    (folder / "protocol-manual.html").write_text("my notes", encoding="utf-8")  # now the user's
    plan.write_text(text.replace("removal_for_noncompliance: false",
                                 "removal_for_noncompliance: true"), encoding="utf-8")
    second = build_jurisdiction(plan, BuildOptions(out, html=True))
    assert second.refused == ["mou.pdf", "protocol-manual.pdf"]
    assert second.removed == ["mou.pdf", "mou.html", "protocol-manual.pdf"]
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "protocol-manual.html", "readiness-checklist.html", "readiness-checklist.pdf"]
    assert outcome_line(second).endswith(
        "; removed mou.pdf, mou.html and protocol-manual.pdf from an earlier build (they no "
        "longer match the plan)")
