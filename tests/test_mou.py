"""The MOU as counsel reads it: every provision present, the plan's values, brackets only where
the plan leaves something open, and no promise a party cannot make."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DATA

from lead_replicate import scaffold
from lead_replicate.documents.agreement import governing_law
from lead_replicate.documents.articles import statute_in_text
from lead_replicate.documents.packet import BuildOptions, render_document
from lead_replicate.loading.loader import load_text
from lead_replicate.rules.validate import Report, validate_source

TERMS = ["authority", "term", "withdrawal", "amendment", "notices", "relationship", "liability",
         "third-parties", "appropriation", "disputes", "governing-law", "public-records",
         "filing", "counterparts", "severability", "entire-agreement"]
BRACKET = re.compile(r"\[(To be decided|Counsel to complete): ([^\]]*)\]")


def complete() -> dict:
    return yaml.safe_load((DATA / "complete.yaml").read_text(encoding="utf-8"))


def report_of(plan: dict) -> Report:
    """Validate a plan held in a test as a user's file would be: dumped to YAML and loaded."""
    return validate_source(load_text(yaml.safe_dump(plan, sort_keys=False), "plan.yaml"))


def mou_html(plan: dict, draft: bool = False) -> str:
    report = report_of(plan)
    assert report.plan is not None, report.findings
    return render_document(report, "mou", BuildOptions(Path("unused"), draft=draft))


def text_of(page: str) -> str:
    body = re.sub(r"<(style|head)\b.*?</\1>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def brackets(page: str) -> list[tuple[str, str]]:
    return BRACKET.findall(text_of(page))


def section(page: str, sid: str) -> str:
    match = re.search(rf'<(section|li) [^>]*id="{sid}".*?</\1>', page, flags=re.S)
    assert match, sid
    return text_of(match.group(0))


def test_every_standard_provision_is_present_in_order() -> None:
    page = mou_html(complete())
    assert re.findall(r'id="term-([a-z-]+)"', page) == TERMS
    assert "lead-replicate standard terms, version 2" in text_of(page)
    assert "LEAD standard terms" not in page


def test_complete_plan_values_are_printed() -> None:
    page = mou_html(complete())
    assert "runs for 24 months" in section(page, "term-term")
    assert "at least 90 days before" in section(page, "term-withdrawal")
    notices = section(page, "term-notices")
    assert "Chief of Police, 1 Example Plaza, Example City, OR 97000" in notices
    assert "Example Care Network, 4 Example Street" in notices
    assert "The laws of the State of Oregon govern" in section(page, "term-governing-law")
    records = text_of(section(page, "term-public-records"))
    assert ("are subject to the Example State Public Records Act (Example Rev. Stat. 100.001)."
            in records)
    assert records.count("subject to") == 1  # no second "subject to" for the confidentiality rules
    assert ("A Party that receives a request under that law for information covered by section 9 "
            '("Information sharing, use and confidentiality") protects that information as far '
            "as the law allows." in records)
    disputes = section(page, "term-disputes")
    assert disputes.index("Operational Work Group") < disputes.index("Policy Coordinating Group")


@pytest.mark.parametrize("name, in_text", [
    ("Public Records Act", "the Public Records Act"),
    ("The Public Records Act", "the Public Records Act"),
    ("Theft Statutes", "the Theft Statutes"),
    ("Interlocal Cooperation Act of 1967", "the Interlocal Cooperation Act of 1967"),
    ("Chapter 42.56 RCW", "Chapter 42.56 RCW"),
    ("NMSA 1978, Section 14-2-1", "NMSA 1978, Section 14-2-1"),
])
def test_a_statute_name_takes_the_article_where_grammatical(name: str, in_text: str) -> None:
    assert statute_in_text(name) == in_text


def test_complete_plan_brackets_only_what_no_field_decides() -> None:
    # The one decision left: the plan does not say whether its non-signing partners sign.
    assert brackets(mou_html(complete())) == [
        ("To be decided", "whether each signs this MOU"),
        ("Counsel to complete", "the state law on these records"),
        ("Counsel to complete", "the conditions of 42 CFR 2.35 (disclosures to the criminal "
                                "justice system that referred the participant), including how "
                                "long the consent lasts for a prosecutor and when it may be "
                                "revoked"),
        ("Counsel to complete", "whether the Parties add mutual indemnification, and in what "
                                "terms"),
        ("Counsel to complete", "whether state law requires this agreement to be filed or "
                                "posted, and where"),
    ]


def test_a_department_signs_through_its_government() -> None:
    page = mou_html(complete())
    name = "City of Example City, acting through its Example City Police Department"
    assert name in section(page, "signatures")
    assert f"{name} will" in section(page, "responsibilities")


def test_departments_join_a_government_that_signs() -> None:
    plan = complete()
    city = next(s for s in plan["stakeholders"] if s["id"] == "city")
    city.update(signatory=True, signer={"name": "Lee Mayor", "title": "Mayor"})
    page = mou_html(plan)
    sigs = re.findall(r'data-stakeholder="([a-z-]+)"', page)
    assert sigs == ["ecda", "ecpd-defense", "care", "pm-org", "city"]
    assert ("City of Example City, acting through its Example City Police Department"
            in section(page, "signatures"))


def test_signature_blocks_have_name_title_date_and_counsel_approval() -> None:
    page = mou_html(complete())
    blocks = re.findall(r'<div class="signature" .*?Counsel for the Party.*?</div>\s*</div>\s*'
                        r'</div>', page, flags=re.S)
    assert len(blocks) == 5
    for block in blocks:
        words = text_of(block)
        for label in ("Signature", "Printed name", "Title", "Date", "Approved as to form"):
            assert label in words
    assert page.count('<div class="sig-row') == 3  # two blocks a row


def test_charges_are_a_presumption_with_authority_kept() -> None:
    page = mou_html(complete())
    charges = section(page, "charges")
    assert ("completes LEAD intake within 30 days of the referral, the prosecutor presumes that "
            "the diverted charge will not be filed") in charges
    assert "keeps its authority to decide each case" in charges
    assert "reviews the charge and decides whether to file it" in charges
    assert "may be filed later, within the time the law allows" in charges
    assert "Diverted charges will not be filed" not in page
    assert "does not limit any Party's legal authority" not in page
    effect = section(page, "effect")
    assert "presumption" in effect and "not a waiver" in effect


def test_manual_prints_the_mou_presumption_and_the_missed_intake_rule() -> None:
    plan = complete()
    report = report_of(plan)
    assert report.plan is not None
    page = text_of(render_document(report, "manual", BuildOptions(Path("unused"))))
    mou = section(mou_html(plan), "charges")
    presumption = ("When a person referred through arrest diversion completes LEAD intake "
                   "within 30 days of the referral, the prosecutor presumes that the diverted "
                   "charge will not be filed. The prosecutor keeps its authority to decide "
                   "each case.")
    missed = ("If intake is not completed within the window, the prosecutor reviews the charge and "
              "decides whether to file it, as it would any other referral.")
    assert presumption in mou and presumption in page
    assert missed in mou and page.count(missed) == 2  # the officer card and the protocol
    assert ("The prosecutor presumes the charge will not be filed if intake is completed within "
            "30 days, and decides each case.") in page
    assert "The charge is not filed" not in page and "is not filed when" not in page
    del plan["prosecution"]["if_intake_missed"]
    report = report_of(plan)
    page = text_of(render_document(report, "manual", BuildOptions(Path("unused"))))
    assert "[To be decided: what happens when intake is missed]" in page


@pytest.mark.parametrize(("missed", "words"), [
    ("file", "the prosecutor may file the charge"),
    ("not-file", "still does not file the diverted charge"),
])
def test_intake_missed_choices(missed: str, words: str) -> None:
    plan = complete()
    plan["prosecution"]["if_intake_missed"] = missed
    plan["prosecution"]["refiling_allowed"] = False
    charges = section(mou_html(plan), "charges")
    assert words in charges and "will not be filed later" in charges


def test_two_prosecutors_route_by_level_or_bracket_the_split() -> None:
    plan = complete()
    plan["stakeholders"].append({"id": "eca", "name": "Example City Attorney",
                                 "role": "prosecutor", "signatory": True})
    plan["stakeholders"][1]["handles"] = ["felony"]
    charges = section(mou_html(plan), "charges")
    assert "Example County District Attorney, felonies;" in charges
    assert ("Example City Attorney, [To be decided: which offense levels it prosecutes]"
            in charges)
    plan["stakeholders"][-1]["handles"] = ["misdemeanor", "gross-misdemeanor"]
    charges = section(mou_html(plan), "charges")
    assert "Example City Attorney, misdemeanors and gross misdemeanors." in charges


def test_policy_group_limits() -> None:
    gov = section(mou_html(complete()), "governance")
    assert ("The PCG decides by consensus, with one vote per member organization, however many "
            "people represent it.") in gov
    assert ("may not widen the offenses that a prosecutor has committed not to file, or "
            "otherwise change a commitment in section 6 (\"Diverted charges\"), without that "
            "prosecutor's written agreement") in gov


def test_information_sharing_names_who_holds_what_under_which_law() -> None:
    info = section(mou_html(complete()), "information-sharing")
    assert ". The Example Care Network operates a program covered by" in info
    assert "42 CFR Part 2" in info
    assert ". The Example Care Network is a covered entity under" in info
    assert ("City of Example City, acting through its Example City Police Department"
            not in info)  # records are named by organization
    # A sentence that opens with names: each takes its article, the first a capital one.
    assert (". The Example City Police Department, the Example County District Attorney, the "
            "Example Public Defender, and the Example Civic Partnership hold LEAD information "
            "under") in info
    assert "This MOU does not make them subject to HIPAA or 42 CFR Part 2" in info
    assert ("for it: The Example Care Network holds the participant's records; from the "
            "others, it receives only the participant's court cases and warrants. The Example "
            "City Police Department receives only whether") in info
    assert "Consent to Share Information" in info
    assert "as the basis of an arrest, a charge, or any other enforcement" in info
    assert "case manager give evidence against a participant" in info
    assert "LEAD is not a confidential-informant program" in info
    assert "in accordance with HIPAA" not in info


def test_open_records_law_is_bracketed_for_counsel() -> None:
    plan = complete()
    del plan["data_sharing"]["part2_programs"], plan["data_sharing"]["hipaa_covered_entities"]
    info = section(mou_html(plan), "information-sharing")
    assert "[Counsel to complete: which Parties, if any, operate substance-use programs" in info
    assert "[Counsel to complete: which Parties, if any, are covered entities under HIPAA]" in info
    assert "This MOU does not make" not in info


def test_non_parties_get_a_description_not_duties() -> None:
    plan = complete()
    plan["stakeholders"][5]["signatory"] = False  # the neighbors: stated not to sign
    resp = section(mou_html(plan), "responsibilities")
    assert ("are not Parties to this MOU; this MOU describes their part and places no duty on "
            "them: Downtown Neighbors Association (community)") in resp


def test_recitals_cite_the_evaluation_once_without_figures() -> None:
    recitals = section(mou_html(complete()), "recitals")
    assert "doi:10.1016/j.evalprogplan.2017.05.008" in recitals
    assert "%" not in recitals and "$" not in recitals


def _fresh_plan(government_signs: bool) -> dict[str, Any]:
    text = scaffold.render_plan("Example Town", "PA", "city", government_signs=government_signs)
    return yaml.safe_load(text)


def test_fresh_init_plan_is_fully_bracketed() -> None:
    page = mou_html(_fresh_plan(True), draft=True)
    found = [b[1] for b in brackets(page)]
    for needed in ("which partner organizations sign this MOU", "the number of months",
                   "the number of days",
                   "the public-records statute that applies",
                   "whether state law requires this agreement to be filed or posted, and where",
                   "the Parties and their addresses for notices"):
        assert needed in found, needed
    assert "The laws of the Commonwealth of Pennsylvania govern" in text_of(page)
    assert "[To be decided: which local problem the program addresses.]" in \
        section(page, "recitals")


@pytest.mark.parametrize(("state", "words"), [
    ("OR", "the State of Oregon"), ("VA", "the Commonwealth of Virginia"),
    ("DC", "the District of Columbia"), ("PR", "Puerto Rico"),
])
def test_governing_law_names(state: str, words: str) -> None:
    assert governing_law(state) == words


def test_cited_filing_statute_is_named_and_nothing_else_is() -> None:
    plan = complete()
    plan["agreement"]["statutes"].append({
        "name": "Interlocal Cooperation Act", "citation": "RCW 39.34.040",
        "source": "MRSC guidance on interlocal agreements", "subject": "filing"})
    page = mou_html(plan)
    assert ("The Parties will file or post this MOU as the Interlocal Cooperation Act "
            "(RCW 39.34.040) requires." in section(page, "term-filing"))
    assert "RCW" not in text_of(mou_html(complete()))


def test_completed_intake_binds_only_a_party_and_rests_on_consent() -> None:
    plan = complete()
    charges = section(mou_html(plan), "charges")
    assert ("With the participant's written consent, given on the consent form described in "
            "section 9 (\"Information sharing, use and confidentiality\"), Example Care Network "
            "tells the prosecutor, within the window, whether the person has completed "
            "intake.") in charges
    for person in plan["stakeholders"]:
        if person["id"] == "care":
            person["signatory"] = False
    charges = section(mou_html(plan), "charges")
    assert ("Example Care Network, which is not a Party, is expected to tell the prosecutor, "
            "within the window, whether the person has completed intake, and only with the "
            "participant's written consent") in charges
    assert "The case manager tells the prosecutor" not in charges


def test_names_in_running_text_read_as_english() -> None:
    """Articles before bodies' names, and a non-Party's offers as the plan words them."""
    plan = complete()
    plan["stakeholders"][4]["signatory"] = False
    plan["stakeholders"][4]["commitments"] = ["Run day-to-day program operations.",
                                              "Host the project manager."]
    page = mou_html(plan)
    governance = section(page, "governance")
    assert ("senior representatives of the Example City Police Department, the Example County "
            "District Attorney, the Example Public Defender, the Example Care Network, and the "
            "Example Civic Partnership.") in governance
    assert "drawn from the Downtown Neighbors Association," in governance
    assert "employed by the Example Civic Partnership," in governance
    responsibilities = section(page, "responsibilities")
    assert ("Example Civic Partnership (project management), which has offered to: "
            "Run day-to-day program operations. Host the project manager.") in responsibilities
    assert "offered to: Run day-to-day program operations;" not in responsibilities
