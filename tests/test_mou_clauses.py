"""The MOU read as the city attorney who signs it: no two clauses disagree, every cross-reference
names a section that exists, and nothing is stated that the plan does not say."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DATA, ROOT
from pypdf import PdfReader
from test_mou import complete, mou_html, report_of, section, text_of

from lead_replicate import scaffold
from lead_replicate.documents.agreement import MOU_SECTIONS, section_ref
from lead_replicate.documents.packet import BuildOptions, render_document
from lead_replicate.documents.pdf import render_pdf
from lead_replicate.rules.validate import validate_file


def test_eligibility_checks_come_from_the_plan_or_are_bracketed() -> None:
    plan = complete()
    clause = section(mou_html(plan), "program")
    assert ("Before the hand-off, the Example County District Attorney confirms that the person is "
            "eligible, including a check of criminal history and open warrants.") in clause
    del plan["referral"]["arrest_diversion"]["eligibility_checks"]
    clause = section(mou_html(plan), "program")
    assert ("confirms that the person is eligible. [To be decided: what is checked to confirm "
            "eligibility, for example criminal history or open warrants]") in clause
    assert "warrant check" not in clause


# --- cross-references: one source ------------------------------------------------------------

PLANS = [*sorted(ROOT.glob("examples/*.yaml")), *sorted(ROOT.glob("jurisdictions/*.yaml")),
         DATA / "complete.yaml"]
REF = re.compile(r'\b[Ss]ections? (\d+) \("([^"]+)"\)(?:, (\d+) \("([^"]+)"\))*'
                 r'(?: and (\d+) \("([^"]+)"\))?')
PAIR = re.compile(r'(\d+) \("([^"]+)"\)')


def _numbered_sections(page: str) -> dict[int, str]:
    """The sections the stylesheet numbers (each ``section.sec``, counted in order)."""
    found = re.findall(r'<section class="([^"]*)" id="([a-z-]+)">\s*<h2>([^<]+)</h2>', page)
    numbered = [(sid, html.unescape(title)) for cls, sid, title in found
                if "sec" in cls.split()]
    assert [sid for sid, _ in numbered] == [sid for sid, _ in MOU_SECTIONS]
    return {n: title for n, (_, title) in enumerate(numbered, start=1)}


def _references(text: str) -> list[tuple[int, str]]:
    return [(int(n), title) for m in REF.finditer(text) for n, title in PAIR.findall(m.group(0))]


@pytest.fixture(scope="module")
def mou_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    fresh = scaffold.write_new_plan(tmp_path_factory.mktemp("init") / "new.yaml",
                                    "Example Town, Oregon", "OR", "city")
    pages = {}
    for path in [*PLANS, fresh]:
        report = validate_file(path)
        pages[path.stem] = render_document(report, "mou", BuildOptions(Path("unused"),
                                                                       draft=True))
    return pages


def test_every_cross_reference_names_an_existing_section_by_its_title(
        mou_pages: dict[str, str]) -> None:
    for name, page in mou_pages.items():
        titles = _numbered_sections(page)
        words = text_of(page)
        refs = _references(words)
        assert len(refs) >= 10, name
        for number, title in refs:
            assert titles.get(number) == title, (name, number, title)
        # No reference by title alone, and no "§" cross-reference the reader cannot follow.
        assert not re.search(r'\bsections? "', words), name
        assert "§" not in words, name


def test_the_reference_helper_refuses_a_section_that_does_not_exist() -> None:
    assert section_ref("charges") == 'section 6 ("Diverted charges")'
    assert section_ref("charges", "information-sharing", start=True) == (
        'Sections 6 ("Diverted charges") and 9 ("Information sharing, use and confidentiality")')
    with pytest.raises(KeyError):
        section_ref("information-sharing-and-confidentiality")


# --- clauses that must not disagree -----------------------------------------------------------

def test_decision_rule_is_stated_once_or_bracketed_once(mou_pages: dict[str, str]) -> None:
    seattle = section(mou_pages["seattle"], "governance")  # no decision rule in the plan
    assert ("The PCG has one vote per member organization, however many people represent it. "
            "[To be decided: how the Policy Coordinating Group decides.]") in seattle
    assert seattle.count("how the Policy Coordinating Group decides") == 1
    assert "decides by" not in seattle
    done = section(mou_pages["complete"], "governance")
    assert done.count("one vote per member organization") == 1
    assert "The PCG decides by consensus, with one vote per member organization" in done
    assert "To be decided" not in done
    plan = complete()
    plan["governance"]["policy_group"]["decision_rule"] = "majority"
    gov = section(mou_html(plan), "governance")
    assert "The PCG decides by majority, with one vote per member organization" in gov
    assert "consensus" not in gov


def test_groups_are_their_members_not_the_parties(mou_pages: dict[str, str]) -> None:
    page = mou_pages["seattle"]
    defs = section(page, "definitions")
    assert "Senior representatives of the member organizations listed in section 8 " \
           "(\"Governance\"), which need not be Parties" in defs
    assert "of the Parties" not in defs
    gov = section(page, "governance")
    assert ("Members that are not Parties. The Washington State Department of Corrections, the "
            "ACLU of Washington, the King County Executive, and The Defender Association's "
            "Racial Disparity Project are not Parties to this MOU, or have not yet decided "
            "whether to sign it. Sitting on a group places no duty under this MOU on an "
            "organization that is not a Party.") in gov
    assert "Members that are not Parties" not in section(mou_pages["complete"], "governance")


def test_the_consent_form_is_not_part_of_the_agreement(mou_pages: dict[str, str]) -> None:
    for name, page in mou_pages.items():
        clause = section(page, "term-entire-agreement").strip()
        assert clause.startswith("Entire agreement. This MOU is the whole agreement of the "
                                 "Parties about the program"), name
        assert "with the consent form" not in clause
        assert ("is each participant's own authorization to share information about him or "
                "her; it is not part of this MOU") in clause
        assert "accompanies this MOU" not in text_of(page)


# --- who signs ---------------------------------------------------------------------------------

ENTITY = "[Counsel to complete: the legal entity that signs for the {}]"


def test_a_department_with_no_government_in_the_plan_asks_counsel_who_signs(
        mou_pages: dict[str, str]) -> None:
    page = mou_pages["seattle"]  # police and prosecutors sign; the plan never says for whom
    table = text_of(page.split('<table class="parties">', 1)[1].split("</table>", 1)[0])
    sigs = section(page, "signatures")
    for name in ("Seattle Police Department", "King County Sheriff's Office",
                 "King County Prosecuting Attorney's Office", "Seattle City Attorney's Office"):
        assert f"[{name}] (to be confirmed) {ENTITY.format(name)}" in table
        assert ENTITY.format(name) in sigs
    assert "signs for Evergreen" not in page and "signs for the Evergreen" not in page  # nonprofit
    assert "legal entity" not in section(page, "responsibilities")
    # Santa Fe names two government departments as Parties but never says who signs for the
    # police department or the district attorney's office.
    santa_fe = text_of(mou_pages["santa_fe"].split('<table class="parties">', 1)[1]
                       .split("</table>", 1)[0])
    assert ENTITY.format("Santa Fe Police Department") in santa_fe
    assert ENTITY.format("First Judicial District Attorney's Office") in santa_fe
    assert santa_fe.count("legal entity") == 2
    # A plan that says who signs for its police (acting_for): the district attorney's office,
    # with no acting_for, signs for itself.
    assert "legal entity that signs" not in mou_pages["complete"]


# --- the signature page, as printed -------------------------------------------------------------

def _labels(page: Any) -> list[tuple[float, float]]:
    """(x, y) of each "Signature" label on a PDF page."""
    found: list[tuple[float, float]] = []

    def visit(text: str, cm: list, tm: list, *_: Any) -> None:
        if text.strip() == "Signature":
            found.append((round(cm[4] + tm[4] * cm[0], 1), round(cm[5] + tm[5] * cm[3], 1)))
    page.extract_text(visitor_text=visit)
    return found


def _signature_pages(plan: dict, texts: list[str] | None = None
                     ) -> list[list[tuple[float, float]]]:
    """The signature labels' positions on each page that has any; ``texts`` gets each page's
    text."""
    report = report_of(plan)
    page = render_document(report, "mou", BuildOptions(Path("unused"), draft=True))
    # Only the title, the Parties and the signatures: a PDF of the whole MOU costs seconds.
    page = re.sub(r'<section class="sec" id="[a-z-]+">.*?</section>', "", page, flags=re.S)
    pdf = PdfReader(io.BytesIO(render_pdf(page)))
    if texts is not None:
        texts += [" ".join(p.extract_text().split()) for p in pdf.pages]
    return [labels for labels in map(_labels, pdf.pages) if labels]


def test_signature_lines_align_across_a_row_and_no_block_is_left_alone() -> None:
    """Seattle: five blocks, one long name that wraps (King County Prosecuting Attorney's
    Office): one page, the lines of each row level, the fifth block under the first."""
    seattle = yaml.safe_load((ROOT / "examples/seattle.yaml").read_text(encoding="utf-8"))
    texts: list[str] = []
    pages = _signature_pages(seattle, texts)
    assert len(pages) == 1
    rows = sorted({y for _, y in pages[0]}, reverse=True)
    assert len(rows) == 3 and len(pages[0]) == 5  # two, two, one: each row on one level
    # Up to three rows: a page of their own (all three fit after the forced break), and the
    # page before says so.
    first = next(i for i, t in enumerate(texts) if "Signatures Each Party" in t)
    assert texts[first].startswith("Signatures Each Party")  # at the top of its page
    assert "Signature page follows." in texts[first - 1]
    # Nine signing Parties (five rows): the last row never stands alone on a page.
    plan = complete()
    plan["stakeholders"] += [{"id": f"extra-{i}", "name": f"Example Partner Number {i}",
                              "role": "other", "signatory": True} for i in range(4)]
    texts = []
    pages = _signature_pages(plan, texts)
    assert sum(map(len, pages)) == 9
    assert len(pages[-1]) >= 3, [len(p) for p in pages]
    assert not any("Signature page follows" in t for t in texts)  # they flow on: no claim


# --- the checklist's "MOU signed" ----------------------------------------------------------------

def _mou_signed_row(report: Any) -> str:
    page = render_document(report, "checklist", BuildOptions(Path("unused")))
    row = re.search(r"<tr><td>MOU signed.*?</tr>", page, flags=re.S)
    assert row
    return text_of(row.group(0))


def test_a_recorded_mou_signed_stays_done_and_names_the_signers_to_confirm(
        mou_pages: dict[str, str]) -> None:
    report = validate_file(ROOT / "examples/seattle.yaml")
    assert report.readiness is not None
    recorded = {m.id: m.status for m in report.readiness.milestones}
    assert recorded["mou-signed"] == "done"  # what validate and the build table count
    row = _mou_signed_row(report)
    assert row.strip() == (
        "MOU signed Done as recorded; who signed is still to be confirmed: Seattle Police "
        "Department, King County Sheriff's Office, King County Prosecuting Attorney's Office, "
        "Seattle City Attorney's Office, and Evergreen Treatment Services (REACH). done")
    # The MOU brackets the same five, so the checklist, validate and the MOU agree.
    parties = text_of(mou_pages["seattle"].split('<table class="parties">', 1)[1]
                      .split("</table>", 1)[0])
    assert parties.count("(to be confirmed)") == 5
    # A plan whose signatories are confirmed: the step is simply done.
    row = _mou_signed_row(validate_file(DATA / "complete.yaml"))
    assert row.split()[:3] == ["MOU", "signed", "done"] and "confirmed" not in row


def test_the_offense_list_changes_only_within_the_governance_limits(
        mou_pages: dict[str, str]) -> None:
    program = section(mou_pages["seattle"], "program")
    assert ("The Policy Coordinating Group may change this list within the limits set in "
            "section 8 (\"Governance\"):") in program
    assert "may not widen the offenses that a prosecutor has committed not to file" in \
        section(mou_pages["seattle"], "governance")


def test_a_government_its_department_signs_for_is_never_listed_as_a_non_party(
        mou_pages: dict[str, str]) -> None:
    resp = section(mou_pages["complete"], "responsibilities")
    assert "City of Example City, acting through its Example City Police Department will" in resp
    assert "City of Example City (government)" not in resp
    assert "Downtown Neighbors Association (community)" in resp  # a partner still undecided
