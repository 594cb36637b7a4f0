"""The protocol manual's day-one procedures: the charge terms worded as the MOU words them
(templates/charge-terms.html), the plan's words or a bracket where the format has a field."""

from __future__ import annotations

import io
import re
from pathlib import Path

import yaml
from conftest import ROOT
from pypdf import PdfReader
from test_mou import complete, mou_html, report_of, section, text_of

from lead_replicate.documents.packet import BuildOptions, render_document
from lead_replicate.documents.pdf import render_pdf
from lead_replicate.loading.loader import load_text
from lead_replicate.rules.validate import validate_source


def manual_text(plan: dict, draft: bool = False) -> str:
    report = report_of(plan)
    return text_of(render_document(report, "manual", BuildOptions(Path("unused"), draft=draft)))


def manual_section(plan: dict, sid: str) -> str:
    report = report_of(plan)
    return section(render_document(report, "manual", BuildOptions(Path("unused"))), sid)


REPORT = ("With the participant's written consent, given on the form “Consent to Share "
          "Information”, the case manager tells the prosecutor, within the window, whether the "
          "person has completed intake.")


def test_completed_intake_is_reported_on_consent_as_the_mou_says() -> None:
    plan = complete()
    page = manual_text(plan)
    assert ("Intake window. The person has 30 days from the referral to complete intake. "
            + REPORT) in page
    assert page.count(REPORT) == 2  # the prosecutor's protocol and the case manager's
    assert "when intake is complete." not in page
    # The MOU's binding clause says the same, naming the provider and the MOU's section.
    assert re.search(r"With the participant's written consent, given on the consent form "
                     r"described in section \d+ \(\"Information sharing, use and "
                     r"confidentiality\"\), Example Care Network tells the prosecutor, within "
                     r"the window, whether the person has completed intake\.",
                     section(mou_html(plan), "charges"))


def test_completed_intake_prints_the_plan_or_a_bracket() -> None:
    plan = complete()
    said = "Completed intake means the first assessment and a signed consent form."
    assert f"Completed intake. {said}" in manual_text(plan)
    assert said in section(mou_html(plan), "charges")
    # Words that do not start with an article are quoted as written, never lower-cased.
    plan["prosecution"]["completed_intake"] = "LEAD intake assessment done."
    said = "Completed intake means: “LEAD intake assessment done.”"
    assert f"Completed intake. {said}" in manual_text(plan)
    assert said in section(mou_html(plan), "charges")
    plan["prosecution"]["completed_intake"] = "completion of the first assessment"
    assert ("Completed intake means completion of the first assessment."
            in section(mou_html(plan), "charges"))
    del plan["prosecution"]["completed_intake"]
    bracket = ("[To be decided: what counts as completed intake, for example the first "
               "assessment and a signed consent form]")
    assert f"Completed intake. {bracket}" in manual_text(plan)
    assert bracket in section(mou_html(plan), "charges")


def test_consent_conversation_says_what_follows_a_refusal() -> None:
    plan = complete()
    assert ("The form tells the person what happens if they do not sign: “You can still work "
            "with your case manager, but the prosecutor will not be told that you finished "
            "intake.”") in manual_text(plan)
    del plan["data_sharing"]["if_consent_refused"]
    assert ("in writing. [To be decided: what happens if the person does not sign]"
            in manual_text(plan))


def manual_pdf_pages(plan: dict) -> list[str]:
    report = report_of(plan)
    page = render_document(report, "manual", BuildOptions(Path("unused"), draft=True))
    reader = PdfReader(io.BytesIO(render_pdf(page)))
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def test_the_officer_card_follows_the_title_on_page_1() -> None:
    """Santa Fe's card (long exclusions, every day-one step) fits under the title on page 1,
    also with the hand-off fields filled in; the next section starts on page 2."""
    plan = yaml.safe_load((ROOT / "examples" / "santa_fe.yaml").read_text(encoding="utf-8"))
    plan["referral"]["arrest_diversion"].update({
        "outreach_hours": "24/7", "handoff_minutes": 30,
        "if_no_case_manager": "Release the person with a referral card and tell the case manager.",
        "eligibility_checks": ["criminal history", "open warrants"]})
    pages = manual_pdf_pages(plan)
    assert "Protocol Manual" in pages[0] and "Officer quick-reference card" in pages[0]
    assert "5. Other ways to refer" in pages[0]
    assert "Never ask a LEAD participant for confidential or source information" in pages[0]
    assert "Eligibility and exclusions" not in pages[0]
    assert pages[1].find("Eligibility and exclusions") < 200


def test_the_officer_card_says_each_step_once_from_the_plan() -> None:
    plan = complete()
    card = manual_section(plan, "officer-card")
    assert ("Check before the hand-off. Run a check of criminal history and open warrants. "
            "The Example County District Attorney confirms that the person is eligible.") in card
    assert "Case managers answer 24/7." in card
    assert ("Call the case manager. Wait with the person up to 30 minutes and hand them to the "
            "case manager; do not book them. If no case manager comes in time: Release the "
            "person with a LEAD referral card and tell the case manager.") in card
    assert "Prepare the paperwork as for a booking. Send it to the Example County District " \
        "Attorney." in card
    assert card.count("Call the case manager") == 1 and card.count("Never") == 1
    assert "Send paperwork to The liaison prosecutor at the Example County District Attorney" \
        in card
    ad = plan["referral"]["arrest_diversion"]
    del ad["eligibility_checks"], ad["eligibility_confirmed_by"], ad["outreach_hours"]
    card = manual_section(plan, "officer-card")
    assert ("Check before the hand-off. [To be decided: what the officer checks, for example "
            "criminal history or open warrants] [To be decided: who confirms eligibility before "
            "the hand-off]") in card
    assert "Case managers answer [To be decided: the hours when case managers answer]" in card


def test_a_missing_contact_number_is_a_bracket_like_the_other_contacts() -> None:
    """Issue 10: a missing number is a bracketed blank, never "(phone number to be added)"."""
    def card_of(plan: dict) -> str:  # text_of puts a space at each tag; drop it before stops
        return re.sub(r" ([,.:])", r"\1", manual_section(plan, "officer-card"))

    plan = complete()
    card = card_of(plan)
    assert ("Call for a hand-off Example Care Network, [To be decided: phone number]. Case "
            "managers answer 24/7.") in card
    contacts = manual_section(plan, "contacts")
    assert ("Example City Police Department Law enforcement Sam Sergeant, LEAD Sergeant "
            "sam@example.org 555-0100 ") in contacts
    assert ("Example Care Network Case management [To be decided: contact person] "
            "[To be decided: phone number] ") in contacts
    plan["stakeholders"][3]["contact"] = {"name": "Robin Care", "phone": "555-0199"}
    card = card_of(plan)
    assert "Call for a hand-off Example Care Network: Robin Care, 555-0199. Case" in card
    assert "phone number" not in card and "to be added" not in manual_text(plan)


def test_with_two_prosecutors_the_card_sends_paperwork_by_offense_level_only() -> None:
    """Seattle's card said 'Send paperwork to: the liaison prosecutor at [KCPAO]' above a
    step 4 that sends it by offense level to either prosecutor."""
    card = text_of(re.search(r'<section class="card".*?</section>', render_document(
        validate_source(load_text((ROOT / "examples" / "seattle.yaml").read_text("utf-8"),
                                  "seattle.yaml")),
        "manual", BuildOptions(Path("unused"))), flags=re.S).group(0))
    assert ("Send paperwork to The prosecutor for the offense, as in step 4. Liaison "
            "prosecutor: the [King County Prosecuting Attorney's Office]") in card
    assert "The liaison prosecutor at" not in card
