"""The MOU read as the city attorney who signs it: no two clauses disagree, every cross-reference
names a section that exists, and nothing is stated that the plan does not say."""

from __future__ import annotations

from test_mou import complete, mou_html, section


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
