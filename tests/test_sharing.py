"""The consent form and the MOU say the same thing about who receives what.

The participant reads the consent form; the Parties sign the MOU. If the two ever described a
share differently, the MOU would promise one thing and the participant would consent to
another. Each test reads both rendered documents and compares, organization by organization.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from conftest import DATA, ROOT
from test_consent import consent_html
from test_mou import mou_html

PLANS = sorted((ROOT / "examples").glob("*.yaml")) + sorted(
    (ROOT / "jurisdictions").glob("*.yaml")) + [DATA / "complete.yaml"]


def plain(fragment: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return re.sub(r" ([.,;:])", r"\1", re.sub(r"\s+", " ", text)).strip()


def common(text: str) -> str:
    """Both readers' words in one form: "you"/"your" and "the participant('s)" become P."""
    for old, new in (("whether you are", "whether P is"), ("how you are", "how P is"),
                     ("with your goals", "with their goals"), ("the participant's", "P's"),
                     ("the participant is", "P is"), ("the participant", "P"),
                     ("your ", "P's "), ("you ", "P ")):
        text = text.replace(old, new)
    return text


def statement(words: str) -> tuple[str, ...]:
    """What one entry says: holds the records and/or receives only …, nothing, or a bracket."""
    words = re.sub(r"\[(?!Counsel|To be)", "", words).replace("] (to be confirmed)", "")
    said: tuple[str, ...] = ("holds",) if "holds" in words and "records" in words else ()
    only = re.search(r"(?:gets|receives) only (.*?)\.(?: It gets| \(|$)", words)
    if only:
        return (*said, "only", common(only.group(1)).replace(", and ", " and "))
    if re.search(r"(gets|receives) no information about (you|a participant)", words):
        return (*said, "nothing")
    if "[Counsel to complete: what it" in words:
        return (*said, "counsel")
    return said


def consent_entries(plan: dict) -> list[tuple[str, tuple[str, ...]]]:
    page = consent_html(plan, draft=True)
    orgs = re.search(r'<div class="orgs">(.*?)</section>', page, flags=re.S)
    items = re.findall(r"<li>(.*?)</li>", orgs.group(1) if orgs else "", flags=re.S)
    out = []
    for item in items:
        name = plain(re.search(r'<span class="name">(.*?)</span>', item).group(1))
        rest = plain(item).split(name, 1)[1].split(")", 1)[1]  # after "(role)"
        out.append((name, statement(rest)))
    return out


def mou_entries(plan: dict) -> list[tuple[str, tuple[str, ...]]] | None:
    """Each organization the MOU's clause lists, or None when it brackets the whole list."""
    page = mou_html(plan, draft=True)
    clause = re.search(r"<li><strong>What each organization receives\.</strong>(.*?)</li>\n"
                       r"(?:</ul>\n)?(?:<li><strong>|\{)", page, flags=re.S)
    assert clause, "the MOU has no 'What each organization receives' clause"
    items = re.findall(r"<li>(.*?)</li>", clause.group(1), flags=re.S)
    if not items:
        assert ("[Counsel to complete: what each organization that shares information "
                "receives about a participant, as the consent form lists it]"
                in plain(clause.group(1)))
        return None
    names = [entry[0] for entry in consent_entries(plan)]
    out = []
    for item in items:
        words = plain(item)
        name = next(n for n in sorted(names, key=len, reverse=True)
                    if re.match(rf"(?:The )?{re.escape(n)}", words))
        out.append((name, statement(words.split(name, 1)[1])))
    return out


def assert_agree(plan: dict) -> list[tuple[str, tuple[str, ...]]]:
    consent = consent_entries(plan)
    mou = mou_entries(plan)
    if mou is None:  # the plan lists no recipients: the form brackets each one's share
        assert all(said in ((), ("holds",), ("counsel",)) for _, said in consent), consent
        return consent
    assert mou == consent
    return mou


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.stem)
def test_consent_form_and_mou_agree_on_who_receives_what(path: Path) -> None:
    assert_agree(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_agreement_covers_empty_unlisted_and_to_confirm_shares() -> None:
    plan = yaml.safe_load((DATA / "complete.yaml").read_text(encoding="utf-8"))
    sharing = plan["data_sharing"]
    sharing["recipients"] = [{"id": "care", "receives": [court := "court-cases"]},
                             {"id": "ecpd", "receives": []},
                             {"id": "ecda", "receives": ["status", "health-records"]}]
    plan["to_confirm"] = [{"path": "data_sharing.recipients[2].receives", "note": "Check."}]
    entries = dict(assert_agree(plan))
    assert court and entries == {
        "Example Care Network": ("holds", "only", "P's court cases and warrants"),
        "Example City Police Department": ("nothing",),
        "Example County District Attorney": (
            "only", "whether P is in LEAD, whether P finished intake and P's health records"),
        "Example Public Defender": ("counsel",),
        "Example Civic Partnership": ("counsel",),
    }
    assert ("Example County District Attorney (prosecution) [gets only whether you are in LEAD, "
            "whether you finished intake, and your health records.] (to be confirmed)"
            in plain(consent_html(plan, draft=True)))
    mou = plain(mou_html(plan, draft=True))
    assert ("Example County District Attorney [receives only whether the participant is in "
            "LEAD, whether the participant finished intake, and the participant's health "
            "records.] (to be confirmed)") in mou
    assert "Example Public Defender: [Counsel to complete: what it receives]" in mou
    assert ("Except as the law otherwise allows, no Party discloses to an organization more "
            "than the form lists for it:") in mou


def test_a_plan_without_recipients_brackets_the_mou_clause_once() -> None:
    plan = yaml.safe_load((DATA / "complete.yaml").read_text(encoding="utf-8"))
    del plan["data_sharing"]["recipients"]
    assert mou_entries(plan) is None
    assert_agree(plan)
