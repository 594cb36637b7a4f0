"""The protocol manual's day-one procedures: the charge terms worded as the MOU words them
(templates/charge-terms.html), the plan's words or a bracket where the format has a field."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from test_mou import complete, mou_html, section, text_of

from lead_replicate.documents.packet import BuildOptions, render_document
from lead_replicate.loading.loader import load_text
from lead_replicate.rules.validate import validate_source


def manual_text(plan: dict, draft: bool = False) -> str:
    report = validate_source(load_text(yaml.safe_dump(plan, sort_keys=False), "plan.yaml"))
    return text_of(render_document(report, "manual", BuildOptions(Path("unused"), draft=draft)))


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
    said = "Completed intake means: The first assessment and a signed consent form."
    assert f"Completed intake. {said}" in manual_text(plan)
    assert said in section(mou_html(plan), "charges")
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
