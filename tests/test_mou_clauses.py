"""The MOU read as the city attorney who signs it: no two clauses disagree, every cross-reference
names a section that exists, and nothing is stated that the plan does not say."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import DATA, ROOT
from test_mou import complete, mou_html, section, text_of

from lead_replicate import scaffold
from lead_replicate.documents.agreement import MOU_SECTIONS, section_ref
from lead_replicate.documents.packet import BuildOptions, render_document
from lead_replicate.rules.validate import validate_file


def test_eligibility_checks_come_from_the_plan_or_are_bracketed() -> None:
    plan = complete()
    clause = section(mou_html(plan), "program")
    assert ("Before the hand-off, Example County District Attorney confirms that the person is "
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
    assert ("Members that are not Parties. Washington State Department of Corrections, ACLU of "
            "Washington, King County Executive, and The Defender Association's Racial Disparity "
            "Project are not Parties to this MOU, or have not yet decided whether to sign it. "
            "Sitting on a group places no duty under this MOU on an organization that is not a "
            "Party.") in gov
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
