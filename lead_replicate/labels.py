"""Plain words for the values the format allows: the one mapping every reader-facing text uses.

A plan stores ids (``case-managers``, ``held-in-abeyance``, ``multi-party``); people read
words. Findings, documents, the comparison and the checklist all call ``label`` here, so a
value never reaches a reader raw, and never as a naive "multi party". A test holds every
value of every list in rules/schema.py to an entry in ``WORDS``.
"""

from __future__ import annotations

from typing import Any

from lead_replicate.rules.schema import ROLES

# Value -> words as they read in the middle of a sentence. A value whose words are the value
# itself ("weekly", "felony") is listed too, so the test can tell an omission from a choice.
WORDS = {
    # jurisdiction.kind, launch_precision, language
    "city": "city", "county": "county", "city-county": "city and county", "state": "state",
    "tribal": "tribal nation", "region": "region", "day": "day", "month": "month",
    "year": "year", "en": "English",
    # stakeholders[].role (ROLE_NAMES below is the capitalized label for a table column)
    "law-enforcement": "law enforcement", "prosecutor": "prosecutor",
    "public-defense": "public defense", "case-management": "case management",
    "project-management": "project management", "behavioral-health": "behavioral health",
    "housing": "housing", "health": "health", "elected-official": "elected official",
    "government": "government", "community": "community", "business": "business",
    "civil-rights": "civil rights", "evaluator": "evaluator", "funder": "funder",
    "corrections": "corrections", "courts": "courts", "other": "other",
    # offense levels, stakeholders[].handles
    "infraction": "infraction", "misdemeanor": "misdemeanor",
    "gross-misdemeanor": "gross misdemeanor", "felony": "felony",
    # governance: decision_rule, meets
    "consensus": "consensus", "majority": "majority", "weekly": "weekly",
    "biweekly": "every two weeks", "monthly": "monthly", "quarterly": "quarterly",
    "as-needed": "as needed",
    # referral.arrest_diversion.point (compound modifiers keep their hyphen: "the pre-booking
    # stage")
    "pre-booking": "pre-booking", "post-booking": "post-booking", "court": "court",
    # prosecution
    "not-filed": "not filed", "held-in-abeyance": "held in abeyance", "filed": "filed",
    "coordinate": "coordinated", "no-coordination": "not coordinated",
    "file": "filed", "review": "reviewed", "not-file": "not filed",
    # case_management.approach
    "harm-reduction": "harm-reduction", "abstinence-based": "abstinence-based",
    # services[].type
    "substance-use-treatment": "substance use treatment",
    "opioid-medication": "opioid medication", "mental-health": "mental health",
    "medical": "medical care", "legal": "legal help", "employment": "employment",
    "benefits": "benefits", "education": "education", "peer-support": "peer support",
    "basic-needs": "basic needs", "transportation": "transportation",
    # data_sharing: release_of_information, frameworks (free text; the usual ones)
    "multi-party": "multi-party", "per-agency": "one release per agency", "none": "none",
    "hipaa": "HIPAA", "42-cfr-part-2": "42 CFR Part 2", "state-law": "state law",
    # evaluation.design
    "randomized": "randomized", "quasi-experimental": "quasi-experimental",
    "pre-post": "before-and-after", "process-only": "process-only",
    # training[].audience
    "officers": "officers", "supervisors": "supervisors", "dispatch": "dispatchers",
    "prosecutors": "prosecutors", "public-defenders": "public defenders",
    "case-managers": "case managers", "providers": "providers",
    # agreement.statutes[].subject
    "authority": "authority", "filing": "filing", "public-records": "public records",
    "records-retention": "records retention", "confidentiality": "confidentiality",
    # data_sharing.recipients[].receives (the consent form words each kind in full)
    "status": "status", "progress": "progress", "court-cases": "court cases",
    "health-records": "health records", "substance-use-records": "substance use records",
    # milestones[].status
    "done": "done", "in-progress": "in progress", "not-started": "not started",
    "not-applicable": "not applicable",
}

# What each kind of information a partner receives (data_sharing.recipients[].receives) is, in
# full words with the reader as a slot: the consent form speaks to the participant ("whether you
# are in LEAD"), the MOU about them ("whether the participant is in LEAD"). One wording for
# both documents, so the form and the MOU can never describe a share differently.
RECEIVED = {
    "status": ("whether {you} {are} in LEAD", "whether {you} finished intake"),
    "progress": ("how {you} {are} doing with {their} goals",),
    "court-cases": ("{your} court cases and warrants",),
    "health-records": ("{your} health records",),
    "substance-use-records": ("records of {your} drug or alcohol care",),
}
READERS = {
    "you": {"you": "you", "are": "are", "your": "your", "their": "your"},
    "participant": {"you": "the participant", "are": "is", "your": "the participant's",
                    "their": "their"},
}


def received(kinds: list[str], reader: str) -> list[str]:
    """Each kind's phrases for ``reader`` ("you" on the consent form, "participant" in the
    MOU), in the order given; a kind the format does not list reads as its label."""
    slots = READERS[reader]
    return [phrase.format(**slots) for kind in kinds
            for phrase in RECEIVED.get(kind, (label(kind),))]


# The same value reads differently under some fields ("other" approach, "none" design).
IN_FIELD = {
    ("approach", "other"): "another approach",
    ("decision_rule", "other"): "another rule",
    ("release_of_information", "none"): "no release",
    ("design", "none"): "no evaluation",
    ("role", "other"): "other partner",
}

# What each stakeholder role is called in a table of partners and in the comparison: one
# label per organization, so singular ("King County Executive (elected official)"). It is the
# role's words, capitalized, except where a table names the function rather than the body.
_ROLE_FUNCTIONS = {"prosecutor": "prosecution", "evaluator": "evaluation"}


def label(value: Any, field: str = "") -> str:
    """``value`` in words; ``field`` (the key it sits under) picks a reading in context.

    A value the format does not list (a free-text measure such as ``jail-days``) reads with
    its hyphens as spaces.
    """
    text = str(value)
    return IN_FIELD.get((field, text)) or WORDS.get(text) or text.replace("-", " ")


ROLE_NAMES = {role: (_ROLE_FUNCTIONS.get(role) or label(role, "role")).capitalize()
              for role in ROLES}
