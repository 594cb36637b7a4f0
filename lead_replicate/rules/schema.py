"""The jurisdiction file format (format.md) as one definition; JSON Schema derived from it."""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from lead_replicate.findings import PathParts

if TYPE_CHECKING:
    import cerberus  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

ID_PATTERN = "^[a-z0-9-]+$"
STATES = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY", "DC", "AS", "GU", "MP", "PR", "VI",
]
KINDS = ["city", "county", "city-county", "state", "tribal", "region"]
ROLES = [
    "law-enforcement", "prosecutor", "public-defense", "case-management", "project-management",
    "behavioral-health", "housing", "health", "elected-official", "government", "community",
    "business", "civil-rights", "evaluator", "funder", "corrections", "courts", "other",
]
SERVICE_TYPES = [
    "housing", "substance-use-treatment", "opioid-medication", "mental-health", "medical",
    "legal", "employment", "benefits", "education", "peer-support", "basic-needs",
    "transportation", "other",
]
AUDIENCES = [
    "officers", "supervisors", "dispatch", "prosecutors", "public-defenders", "case-managers",
    "providers", "community",
]
MEETS = ["weekly", "biweekly", "monthly", "quarterly", "as-needed"]
LEVELS = ["infraction", "misdemeanor", "gross-misdemeanor", "felony"]
# What a partner may receive about a participant (data_sharing.recipients[].receives).
INFORMATION_KINDS = ["status", "progress", "court-cases", "health-records",
                     "substance-use-records"]
STATUTE_SUBJECTS = ["authority", "filing", "public-records", "records-retention",
                    "confidentiality", "other"]
# The standard milestone ids, titles and derivations live in data/milestones.yaml (read by
# rules/readiness.py); the statuses a plan may give a milestone are these.
MILESTONE_STATUSES = ("done", "in-progress", "not-started", "not-applicable")


# Small constructors keep the definition one line per field, each with its description.
def _rule(type_: str, desc: str, **rules: Any) -> dict:
    meta = {"description": desc}
    if "default" in rules:
        meta["default"] = rules.pop("default")
    return {"type": type_, **rules, "meta": meta}


def _req(rule: dict) -> dict:
    return {**rule, "required": True}


def _text(desc: str, **kw: Any) -> dict:
    return _rule("string", desc, **kw)


def _whole(desc: str, **kw: Any) -> dict:
    return _rule("integer", desc, min=0, **kw)


def _flag(desc: str, **kw: Any) -> dict:
    return _rule("boolean", desc, **kw)


def _enum(values: list[str], desc: str, **kw: Any) -> dict:
    return _rule("string", desc, allowed=list(values), **kw)


def _id(desc: str) -> dict:
    return _rule("string", desc, regex=ID_PATTERN)


def _list(item: dict, desc: str, **kw: Any) -> dict:
    return _rule("list", desc, schema=item, **kw)


def _map(fields: dict, desc: str) -> dict:
    return _rule("dict", desc, schema=fields)


def _members(desc: str) -> dict:
    return _list(_id("A stakeholder id."), desc)


_PERSON = {"name": _text("The person's name."), "title": _text("The person's title.")}

FORMAT: dict[str, dict] = {
    "lead": _req(_rule("integer", "Format version of this file; only format 1 exists.",
                       allowed=[1])),
    "jurisdiction": _req(_map({
        "name": _req(_text("Full name of the jurisdiction.", empty=False)),
        "short_name": _text("Name used in headings; default: the name."),
        "slug": _id("Output folder name ([a-z0-9-]+); default: derived from the name."),
        "state": _req(_enum(STATES, "Two-letter USPS code of a state, DC or territory.")),
        "kind": _req(_enum(KINDS,
                           "What kind of jurisdiction runs the program.")),
        "population": _whole("Number of residents."),
        "pilot_area": _text("Where the program starts (neighborhoods, precincts)."),
        "launch": _rule("date", "Planned or actual launch date, YYYY-MM-DD."),
        "launch_precision": _enum(
            ["day", "month", "year"],
            "Added by lead-replicate: how precise 'launch' is (default day); with month or "
            "year, write the first day of the month or year and only that much is printed.",
            default="day"),
        "language": _enum(["en"], "Document language (BCP 47); format 1 requires en.",
                          default="en"),
        "problem_statement": _text("The local issues the program addresses."),
    }, "The jurisdiction this plan is for.")),
    "stakeholders": _list(_map({
        "id": _req(_id("Unique id other sections use to name this organization.")),
        "name": _req(_text("The organization's name.", empty=False)),
        "role": _req(_enum(ROLES, "The organization's role in the program.")),
        "signatory": _flag("Whether it signs the MOU.", default=False),
        "signer": _map(_PERSON, "Who signs; printed under the signature line."),
        "contact": _map({**_PERSON, "email": _text("Email address."),
                         "phone": _text("Phone number, as text.")},
                        "Contact for the manual's directory."),
        "commitments": _list(_text("One commitment."),
                             "Commitments added to the role's standard ones in the MOU.",
                             default=[]),
        "acting_for": _id("Added by lead-replicate: the id of the government stakeholder (role "
                          "government) this organization acts for; the MOU names that "
                          "government as the Party, acting through this organization."),
        "handles": _list(_enum(LEVELS, "One offense level."),
                         "Added by lead-replicate: for a prosecutor, the offense levels it "
                         "prosecutes; officers send paperwork by level."),
        "notice_address": _text("Added by lead-replicate: where formal notices under the MOU "
                                "are sent (postal or email address)."),
    }, "One partner organization."), "Each partner organization."),
    "governance": _map({
        "project_manager": _map({
            "host": _id("Stakeholder id of the organization employing the project manager."),
            "full_time": _flag("Whether the project manager is full time."),
        }, "The project manager."),
        "policy_group": _map({
            "members": _members("Stakeholder ids of the Policy Coordinating Group."),
            "decision_rule": _enum(["consensus", "majority", "other"], "How it decides."),
            "meets": _enum(MEETS, "How often it meets."),
        }, "The Policy Coordinating Group."),
        "operations_group": _map({
            "members": _members("Stakeholder ids of the Operational Work Group."),
            "liaison_prosecutor": _id("Stakeholder id of the liaison prosecutor (role "
                                      "prosecutor)."),
            "meets": _enum(MEETS, "How often it meets."),
        }, "The Operational Work Group."),
        "community_leadership_team": _map({
            "members": _members("Stakeholder ids of the Community Leadership Team."),
        }, "The Community Leadership Team."),
        "crisis_communications": _flag("Whether partners agreed how to talk about incidents."),
    }, "How the program is governed."),
    "referral": _map({
        "voluntary": _flag("Whether participation is voluntary."),
        "capacity_per_year": _whole("Added by lead-replicate: how many people the program "
                                    "can take in per year."),
        "arrest_diversion": _map({
            "enabled": _flag("Whether officers divert at the point of arrest."),
            "point": _enum(["pre-booking", "post-booking", "court"], "When diversion happens."),
            "handoff_minutes": _whole("Target minutes for the warm hand-off."),
            "officer_discretion": _flag("Whether officers may choose to divert."),
            "eligibility_confirmed_by": _id("Added by lead-replicate: stakeholder id of the "
                                            "organization that confirms eligibility before "
                                            "the hand-off."),
            "eligibility_checks": _list(_text("One thing checked, e.g. open warrants."),
                                        "Added by lead-replicate: what is checked to confirm "
                                        "eligibility before the hand-off, each completing "
                                        "'a check of ...', e.g. criminal history."),
            "outreach_hours": _text("Added by lead-replicate: when case managers can answer "
                                    "an officer's call, e.g. 24/7."),
            "if_no_case_manager": _text("Added by lead-replicate: what the officer does when "
                                        "no case manager arrives within the hand-off time."),
            "eligible_offenses": _list(_map({
                "name": _text("The offense."),
                "statute": _text("The statute, if known; never invent one."),
                "limit": _text("Amount or other limit."),
                "level": _enum(LEVELS, "The offense level."),
                "conditions": _list(_text("One condition."),
                                    "Added by lead-replicate: conditions on diverting this "
                                    "offense, e.g. victims consulted first."),
            }, "One eligible offense."), "Offenses eligible for diversion."),
            "exclusions": _list(_text("One exclusion."), "Who is excluded, and why."),
        }, "Arrest diversion."),
        "social_contact": _map({
            "enabled": _flag("Whether officers refer people outside an arrest."),
            "criteria": _text("Who may be referred by social contact."),
        }, "Social-contact referral."),
        "community_referral": _map({
            "enabled": _flag("Whether others may refer people."),
            "sources": _list(_text("One source."), "Who may refer."),
        }, "Community referral."),
    }, "How people come into the program."),
    "prosecution": _map({
        "diverted_charges": _enum(["not-filed", "held-in-abeyance", "filed"],
                                  "What happens to the diverted charge."),
        "intake_window_days": _whole("Days to complete intake before the charge may be filed."),
        "other_cases": _enum(["coordinate", "no-coordination"],
                             "Whether other pending cases are coordinated."),
        "if_intake_missed": _enum(["file", "review", "not-file"],
                                  "Added by lead-replicate: what the prosecutor does when "
                                  "intake is not completed within the window."),
        "refiling_allowed": _flag("Added by lead-replicate: whether a charge not filed may "
                                  "be filed later (within the time the law allows)."),
        "completed_intake": _text("Added by lead-replicate: what counts as completed intake, "
                                  "for example the first assessment and a signed consent "
                                  "form."),
    }, "The prosecutor's commitments."),
    "case_management": _map({
        "provider": _id("Stakeholder id of the provider (role case-management)."),
        "approach": _enum(["harm-reduction", "abstinence-based", "other"], "The approach."),
        "abstinence_required": _flag("Whether abstinence is required."),
        "sanctions_for_drug_use": _flag("Whether drug use is sanctioned."),
        "drug_testing_required": _flag("Whether drug testing is required."),
        "removal_for_noncompliance": _flag("Whether people are removed for noncompliance."),
        "fixed_duration_months": _whole("Fixed length of services; null: as long as wanted.",
                                        nullable=True),
        "caseload": _map({"average": _whole("Average participants per case manager."),
                          "maximum": _whole("Maximum participants per case manager.")},
                         "Case manager caseloads."),
        "field_based": _flag("Whether case managers work in the field."),
        "outreach": _flag("Whether case managers do outreach."),
        "flexible_funds": _flag("Whether flexible funds are available."),
    }, "Case management."),
    "services": _list(_map({
        "type": _enum(SERVICE_TYPES, "The kind of service."),
        "provider": _text("A stakeholder id, or the provider's name as text."),
        "notes": _text("Notes."),
    }, "One service."), "Services participants can reach."),
    "data_sharing": _map({
        "release_of_information": _enum(["multi-party", "per-agency", "none"],
                                        "The release-of-information form."),
        "frameworks": _list(_text("One framework, e.g. hipaa."), "Privacy laws followed."),
        "informant_use_prohibited": _flag("Whether using participants as informants is barred."),
        "part2_programs": _members("Added by lead-replicate: stakeholder ids of the parties "
                                   "that are federally assisted substance-use programs under "
                                   "42 CFR Part 2; an empty list says none is."),
        "hipaa_covered_entities": _members("Added by lead-replicate: stakeholder ids of the "
                                           "parties that are HIPAA covered entities; an "
                                           "empty list says none is."),
        "recipients": _list(_map({
            "id": _id("Stakeholder id of the partner that receives information."),
            "receives": _list(_enum(INFORMATION_KINDS, "One kind of information."),
                              "What the partner receives; an empty list says nothing."),
        }, "One partner and what it receives."), "Added by lead-replicate: what each partner "
            "receives about a participant under the consent form (42 CFR 2.31: how much and "
            "what kind)."),
        "consent_expires": _text("Added by lead-replicate: when the participant's consent "
                                 "ends: a date, an event or a condition (42 CFR 2.31)."),
        "if_consent_refused": _text("Added by lead-replicate: what happens when a person does "
                                    "not sign the consent form."),
    }, "Information sharing."),
    "racial_equity": _map({
        "disparity_monitoring": _flag("Whether racial disparity is monitored."),
        "goals": _list(_text("One goal."), "Racial equity goals."),
    }, "Racial equity."),
    "evaluation": _map({
        "evaluator": _text("Who evaluates."),
        "independent": _flag("Whether the evaluator is independent."),
        "design": _enum(["randomized", "quasi-experimental", "pre-post", "process-only", "none"],
                        "The evaluation design."),
        "comparison_group": _flag("Whether there is a comparison group."),
        "measures": _list(_text("One measure."), "What is measured."),
    }, "Evaluation."),
    "training": _list(_map({
        "audience": _enum(AUDIENCES, "Who is trained."),
        "topic": _text("The topic."),
        "hours": _whole("Length in hours."),
    }, "One training."), "Training."),
    "funding": _map({
        "sources": _list(_map({
            "source": _text("Who funds."),
            "amount": _whole("Whole US dollars."),
            "period": _text("The period, e.g. 2027-2029."),
            "covers": _list(_text("One item."), "What it pays for."),
        }, "One funding source."), "Funding sources."),
        "sustainability_plan": _text("How the program will be funded after the pilot."),
    }, "Funding."),
    "agreement": _map({
        "term_months": _whole("How many months the MOU runs before renewal."),
        "withdrawal_notice_days": _whole("Days of written notice a Party gives to withdraw."),
        "statutes": _list(_map({
            "name": _req(_text("The statute's name, e.g. the state's public records act.",
                               empty=False)),
            "citation": _req(_text("The citation, exactly as published.", empty=False)),
            "source": _req(_text("Where the citation was checked (a public source).",
                                 empty=False)),
            "subject": _enum(STATUTE_SUBJECTS, "What the MOU uses it for: authority to "
                             "sign, filing of the agreement, public records, records "
                             "retention, confidentiality, or other."),
        }, "One statute the Parties cite."), "Statutes the Parties cite; never invent one."),
    }, "Added by lead-replicate: the MOU's terms as an agreement (for counsel)."),
    "milestones": _list(_map({
        "id": _req(_id("A standard milestone id, or a custom one (which needs a title).")),
        "title": _text("The step's title; required for a custom id."),
        "status": _enum(list(MILESTONE_STATUSES), "Status."),
        "owner": _id("Stakeholder id of the owner."),
        "due": _rule("date", "Due date, YYYY-MM-DD."),
    }, "One planning step."), "Readiness: status of planning steps."),
    "to_confirm": _list(_map({
        "path": _req(_text("Dotted path of a value the plan sets, e.g. "
                           "prosecution.intake_window_days or stakeholders[spd].signatory "
                           "(a list item by position or by its id).", empty=False)),
        "note": _text("Why it is unconfirmed, and the source of the value as written."),
    }, "One term still to be confirmed."),
        "Terms written down before the partners confirmed them: every document prints them "
        "in [brackets], the checklist lists them, and validate lists each as an open item."),
}


@functools.lru_cache(maxsize=1)
def validator() -> cerberus.Validator:
    """The cerberus validator for :data:`FORMAT`, built once per process.

    Its types differ from cerberus's in two ways: ``integer`` refuses booleans and ``date``
    refuses date-times. Cerberus normally checks a schema against its own rules whenever a
    validator is made, which took about half of a cold ``validate``; :data:`FORMAT` is a
    constant, checked that way by a test (``test_format_is_a_valid_cerberus_schema``), so it
    is handed over as an ``UnvalidatedSchema``. Cerberus is imported here, not at the top,
    so that code needing only the lists above (``init``, the CLI's choices) does not load it.
    """
    import cerberus
    from cerberus.schema import UnvalidatedSchema  # type: ignore[import-untyped]

    types = cerberus.Validator.types_mapping.copy()
    types["integer"] = cerberus.TypeDefinition("integer", (int,), (bool,))
    types["date"] = cerberus.TypeDefinition("date", (datetime.date,), (datetime.datetime,))
    checker = type("FormatValidator", (cerberus.Validator,), {"types_mapping": types})
    return checker(UnvalidatedSchema(FORMAT))


def slugify(text: str) -> str:
    """An output-folder name: lowercase ASCII letters, digits and single hyphens.

    A name with no Latin letter or digit (``東京都``) gets ``jurisdiction-`` and 8 hex digits
    of its SHA-256, so that such plans do not all share one folder (docs/format.md).
    """
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if slug:
        return slug
    return "jurisdiction-" + hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:8]


def slug_of(jurisdiction: dict) -> str:
    """The output folder name: ``slug`` when it is a valid id, else one made from ``name``."""
    slug = jurisdiction.get("slug")
    if isinstance(slug, str) and re.fullmatch(ID_PATTERN, slug):
        return slug
    return slugify(str(jurisdiction.get("name", "")))


def json_schema() -> dict:
    """The format as JSON Schema (draft 2020-12), derived from :data:`FORMAT`."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "LEAD jurisdiction file, format 1",
        "description": "One jurisdiction's LEAD program plan, as read by lead-replicate.",
        **_json_object(FORMAT),
    }


_JSON_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean",
               "list": "array", "dict": "object"}


def _json_object(fields: dict) -> dict:
    out: dict[str, Any] = {"type": "object",
                           "properties": {k: _json_rule(r) for k, r in fields.items()},
                           "additionalProperties": False}
    required = [k for k, r in fields.items() if r.get("required")]
    if required:
        out["required"] = required
    return out


def _json_rule(rule: dict) -> dict:
    kind = rule["type"]
    if kind == "dict":
        out = _json_object(rule["schema"])
    elif kind == "date":
        out = {"type": "string", "format": "date"}
    else:
        out = {"type": _JSON_TYPES[kind]}
    if kind == "list":
        out["items"] = _json_rule(rule["schema"])
    if "allowed" in rule:
        out["enum"] = list(rule["allowed"])
    if "regex" in rule:
        out["pattern"] = rule["regex"]
    if "min" in rule:
        out["minimum"] = rule["min"]
    if "max" in rule:
        out["maximum"] = rule["max"]
    if rule.get("empty") is False:
        out["minLength"] = 1
    if rule.get("nullable"):
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"].append(None)
    out["description"] = rule["meta"]["description"]
    if "default" in rule["meta"]:
        out["default"] = rule["meta"]["default"]
    return {"description": out.pop("description"), **out}


def normalize(data: dict) -> dict:
    """A deep copy of a structurally valid plan with the documented defaults filled in.

    The defaults are the ``default=`` of :data:`FORMAT`, filled into every mapping the plan
    has (absent sections stay absent); the two derived from other fields are set here.
    """
    plan = _fill_defaults(_copy(data), FORMAT)
    j = plan["jurisdiction"]
    j.setdefault("short_name", j["name"])
    j["slug"] = slug_of(j)
    return plan


def _fill_defaults(node: Any, fields: dict) -> Any:
    """``node`` (a copy) with each absent field that has a default set to (a copy of) it."""
    if not isinstance(node, dict):
        return node
    for key, rule in fields.items():
        if key not in node:
            if "default" in rule["meta"]:
                node[key] = _copy(rule["meta"]["default"])
        elif rule["type"] == "dict":
            _fill_defaults(node[key], rule["schema"])
        elif rule["type"] == "list" and rule["schema"]["type"] == "dict" and \
                isinstance(node[key], list):
            for item in node[key]:
                _fill_defaults(item, rule["schema"]["schema"])
    return node


def default(*path: str) -> Any:
    """The format's default for the field at ``path``, e.g. ``default("jurisdiction",
    "language")`` (list items are stepped into: ``default("stakeholders", "signatory")``)."""
    rules: dict = {"type": "dict", "schema": FORMAT}
    for key in path:
        while rules["type"] == "list":
            rules = rules["schema"]
        rules = rules["schema"][key]
    return _copy(rules["meta"]["default"])


def _copy(node: Any) -> Any:
    """A deep copy of plain YAML data (scalars are immutable); much faster than deepcopy."""
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


def rules_at(path: PathParts) -> dict | None:
    """The cerberus rules for ``path`` (list indexes step into the item rules), or None."""
    rules: dict | None = {"type": "dict", "schema": FORMAT}
    for part in path:
        if rules is None:
            return None
        inner = rules.get("schema")
        if rules["type"] == "list" and isinstance(part, int):
            rules = inner
        elif rules["type"] == "dict" and isinstance(inner, dict):
            rules = inner.get(part) if isinstance(part, str) else None
        else:
            return None
    return rules


def keys_at(path: PathParts) -> list[str]:
    """The keys allowed in the mapping at ``path`` (for "did you mean" hints)."""
    rules = rules_at(path)
    return list(rules["schema"]) if rules and rules["type"] == "dict" else []
