"""The jurisdiction file format (format.md) as one definition, and the structural checks on it."""

from __future__ import annotations

import datetime
import difflib
import functools
import logging
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import cerberus  # type: ignore[import-untyped]
from cerberus import errors as ce  # type: ignore[import-untyped]

from lead_replicate.findings import Finding, PathParts, format_path
from lead_replicate.loader import Source

log = logging.getLogger(__name__)

ID_PATTERN = "^[a-z0-9-]+$"
STATES = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY", "DC", "AS", "GU", "MP", "PR", "VI",
]
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
STANDARD_MILESTONE_IDS = (
    "champions-identified", "stakeholders-convened", "policy-group-formed",
    "project-manager-hired", "eligibility-defined", "case-management-contracted",
    "prosecutor-agreement", "roi-adopted", "mou-signed", "protocols-adopted",
    "officers-trained", "case-managers-trained", "evaluation-plan", "data-system",
    "funding-secured", "community-briefed", "launch-date-set",
)


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
        "kind": _req(_enum(["city", "county", "city-county", "state", "tribal", "region"],
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
        "signatory": _flag("Whether it signs the MOU (default false).", default=False),
        "signer": _map(_PERSON, "Who signs; printed under the signature line."),
        "contact": _map({**_PERSON, "email": _text("Email address."),
                         "phone": _text("Phone number, as text.")},
                        "Contact for the manual's directory."),
        "commitments": _list(_text("One commitment."),
                             "Commitments added to the role's standard ones in the MOU.",
                             default=[]),
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
        "arrest_diversion": _map({
            "enabled": _flag("Whether officers divert at the point of arrest."),
            "point": _enum(["pre-booking", "post-booking", "court"], "When diversion happens."),
            "handoff_minutes": _whole("Target minutes for the warm hand-off."),
            "officer_discretion": _flag("Whether officers may choose to divert."),
            "eligible_offenses": _list(_map({
                "name": _text("The offense."),
                "statute": _text("The statute, if known; never invent one."),
                "limit": _text("Amount or other limit."),
                "level": _enum(["infraction", "misdemeanor", "gross-misdemeanor", "felony"],
                               "The offense level."),
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
    "milestones": _list(_map({
        "id": _req(_id("A standard milestone id, or a custom one (which needs a title).")),
        "title": _text("The step's title; required for a custom id."),
        "status": _enum(["done", "in-progress", "not-started", "not-applicable"], "Status."),
        "owner": _id("Stakeholder id of the owner."),
        "due": _rule("date", "Due date, YYYY-MM-DD."),
    }, "One planning step."), "Readiness: status of planning steps."),
}


class _Validator(cerberus.Validator):
    """Cerberus, with ``integer`` refusing booleans and ``date`` refusing date-times."""

    types_mapping = cerberus.Validator.types_mapping.copy()
    types_mapping["integer"] = cerberus.TypeDefinition("integer", (int,), (bool,))
    types_mapping["date"] = cerberus.TypeDefinition("date", (datetime.date,),
                                                    (datetime.datetime,))


@functools.lru_cache(maxsize=1)
def _validator() -> _Validator:
    """Built once per process: building checks the whole schema and is slow."""
    return _Validator(FORMAT)


def slugify(text: str) -> str:
    """An output-folder name: lowercase ASCII letters, digits and single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "jurisdiction"


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


def _text_keys_only(node: Any, path: PathParts, odd: list[PathParts]) -> Any:
    """``node`` without mapping keys that are not text (noted in ``odd``).

    Cerberus sorts its errors by path and fails on a mix such as ``None`` and ``5`` keys.
    The input is copied only where such a key is found.
    """
    if isinstance(node, dict):
        out = {}
        changed = False
        for key, value in node.items():
            if not isinstance(key, str):
                odd.append((*path, key))
                changed = True
                continue
            new = _text_keys_only(value, (*path, key), odd)
            changed = changed or new is not value
            out[key] = new
        return out if changed else node
    if isinstance(node, list):
        items = [_text_keys_only(x, (*path, i), odd) for i, x in enumerate(node)]
        return items if any(a is not b for a, b in zip(items, node, strict=True)) else node
    return node


def _flatten(errs: Any) -> Iterator[ce.ValidationError]:
    for error in errs:
        if error.is_group_error:
            yield from _flatten(error.child_errors)
        else:
            yield error


def normalize(data: dict) -> dict:
    """A deep copy of a structurally valid plan with the documented defaults filled in."""
    plan = _copy(data)
    j = plan["jurisdiction"]
    j.setdefault("short_name", j["name"])
    j.setdefault("slug", slugify(j["name"]))
    j.setdefault("language", "en")
    j.setdefault("launch_precision", "day")
    for holder in plan.get("stakeholders") or []:
        holder.setdefault("signatory", False)
        holder.setdefault("commitments", [])
    return plan


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


def check_structure(source: Source) -> tuple[list[Finding], dict | None]:
    """All structural and reference errors, and the normalized plan (None if any error).

    Never raises: the loader can hand over any YAML, and a traceback helps no one.
    """
    data = source.data
    if not isinstance(data, dict):
        return [_finding(source, (), "the file must be a mapping of keys to values",
                         "Start the file with 'lead: 1' and write one 'key: value' a line.")], None
    try:
        odd: list[PathParts] = []
        clean = _text_keys_only(data, (), odd)
        findings = [_unknown_key(source, path) for path in odd if keys_at(path[:-1])]
        v = _validator()
        v.validate(clean, normalize=False)
        findings += [_from_cerberus(source, e) for e in _flatten(v._errors)]
        findings += _check_references(source)
    except Exception:  # a bug here must become a finding, never a traceback
        log.exception("structural check failed on %s", source.name)
        findings = [_finding(source, (), "the file could not be checked against the format "
                             "(an internal error)",
                             "Report this file to the lead-replicate maintainers.")]
    findings.sort(key=Finding.sort_key)
    return findings, (None if findings else normalize(data))


def _finding(source: Source, path: PathParts, message: str, fix: str, *,
             value: bool = False, at: PathParts | None = None) -> Finding:
    """A schema error at ``path``; ``at`` (default ``path``) is where it is located."""
    mark = source.locate(path if at is None else at, value=value)
    return Finding("error", "schema", _display(source.data, path), mark.line, mark.column,
                   message, fix)


def _display(data: Any, path: PathParts) -> str:
    """``format_path``, but mapping keys that are not text (``5:``, ``yes:``) shown as text."""
    parts: list[str | int] = []
    node = data
    for part in path:
        parts.append(str(part) if isinstance(node, dict) or not isinstance(part, int) else part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return format_path(parts)


_EXPECTED = {"string": "text", "integer": "a whole number", "boolean": "true or false",
             "list": "a list", "dict": "a mapping (indented 'key: value' lines)",
             "date": "a date written YYYY-MM-DD"}


def _got(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"the text '{value[:60]}'"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _closest(value: Any, choices: list[str]) -> str | None:
    text = str(value)
    for choice in choices:
        if choice.lower() == text.lower():
            return choice
    found = difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    return found[0] if found else None


def _from_cerberus(source: Source, error: ce.ValidationError) -> Finding:
    """Turn one cerberus error into a plain-English finding at the right line."""
    path = tuple(error.document_path)
    name = _display(source.data, path)
    code, value = error.code, error.value
    rules = rules_at(path) or {}
    expected = _EXPECTED.get(str(rules.get("type")), "another kind of value")
    if code == ce.UNKNOWN_FIELD.code:
        return _unknown_key(source, path)
    if code == ce.REQUIRED_FIELD.code:
        parent = _display(source.data, path[:-1]) or "the file"
        return _finding(source, path, f"missing required key '{path[-1]}' in {parent}",
                        f"Add '{path[-1]}:' with a value (see format.md).", at=path[:-1])
    if code == ce.NOT_NULLABLE.code:
        return _finding(source, path, f"{name} has no value; expected {expected}",
                        "Give it a value, or delete the line.", value=True)
    if code == ce.BAD_TYPE.code:
        return _type_error(source, path, name, expected, value, str(rules.get("type")))
    if code == ce.UNALLOWED_VALUE.code and path == ("lead",):
        return _finding(source, path, f"format version {value} is not known; this tool reads "
                        "format 1", "Write 'lead: 1'.", value=True)
    if code == ce.UNALLOWED_VALUE.code:
        allowed = list(error.constraint)
        hint = allowed[0] if len(allowed) == 1 else _closest(value, allowed)
        listed = ("a two-letter USPS code of a state, DC or territory" if path[-1] == "state"
                  else "one of: " + ", ".join(allowed))
        message = f"{name}: '{value}' is not allowed; expected {listed}"
        if path[-1] == "language":
            message += " (format 1 makes documents in English only)"
        return _finding(source, path, message + (f"; did you mean '{hint}'?" if hint else ""),
                        f"Write '{hint}'." if hint else "Write one of the values listed.",
                        value=True)
    if code == ce.REGEX_MISMATCH.code:
        return _finding(source, path, f"{name}: '{value}' is not a valid id; ids use only "
                        "lowercase letters, digits and hyphens",
                        f"Write it as '{slugify(value)}', for example.", value=True)
    if code == ce.MIN_VALUE.code:
        return _finding(source, path, f"{name}: expected a whole number of 0 or more, got "
                        f"{value}", "Use a number that is zero or more.", value=True)
    if code == ce.EMPTY_NOT_ALLOWED.code:
        return _finding(source, path, f"{name} is empty; expected {expected}",
                        "Write the value after the colon.", value=True)
    message = cerberus.errors.BasicErrorHandler.messages.get(code, "is not valid")
    return _finding(source, path, f"{name}: {message}", "See format.md for this field.",
                    value=True)


def _unknown_key(source: Source, path: PathParts) -> Finding:
    key = str(path[-1])
    hint = _closest(key, keys_at(path[:-1]))
    if hint:
        return _finding(source, path, f"unknown key '{key}'; did you mean '{hint}'?",
                        f"Rename '{key}' to '{hint}'.")
    allowed = ", ".join(keys_at(path[:-1]))
    return _finding(source, path, f"unknown key '{key}'",
                    f"Remove it or check its spelling; keys allowed here: {allowed}.")


def _type_error(source: Source, path: PathParts, name: str, expected: str, value: Any,
                kind: str) -> Finding:
    if kind == "string" and isinstance(value, bool):
        return _finding(source, path, f"{name}: expected text, got yes/no/on/off read as "
                        "true/false; put the text in quotes",
                        "Put the text in quotes, e.g. \"no\".", value=True)
    if kind == "string" and isinstance(value, (int, float, datetime.date)):
        return _finding(source, path, f"{name}: expected text, got {_got(value)}; put it in "
                        "quotes if it is text", "Put the value in quotes.", value=True)
    fix = {"string": "Write it as plain text on one line.",
           "integer": "Write digits only, with no quotes, commas or decimals.",
           "date": "Write the date as YYYY-MM-DD, without quotes.",
           "boolean": "Write true or false, without quotes.",
           "list": "Write one '- item' a line, or [a, b] on one line.",
           "dict": "Write indented 'key: value' lines under it."}.get(kind, "See format.md.")
    return _finding(source, path, f"{name}: expected {expected}, got {_got(value)}", fix,
                    value=True)


def _value(data: Any, path: PathParts) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _items(data: Any, *keys: str) -> list[tuple[int, dict]]:
    seq = _get(data, *keys)
    return [(i, x) for i, x in enumerate(seq) if isinstance(x, dict)] \
        if isinstance(seq, list) else []


_MEMBER_LISTS = (("governance", "policy_group"), ("governance", "operations_group"),
                 ("governance", "community_leadership_team"))


def _check_references(source: Source) -> list[Finding]:
    """Stakeholder ids exist, have the right role and are unique; milestone ids are sound."""
    data = source.data
    findings: list[Finding] = []
    roles: dict[str, Any] = {}
    for i, holder in _items(data, "stakeholders"):
        sid = holder.get("id")
        if not isinstance(sid, str):
            continue
        if sid in roles:
            first = source.locate(("stakeholders", roles[sid][0], "id"), value=True).line
            findings.append(_finding(
                source, ("stakeholders", i, "id"), f"stakeholder id '{sid}' is used twice "
                f"(first on line {first})", "Give each stakeholder its own id.", value=True))
        else:
            roles[sid] = (i, holder.get("role"))
    refs: list[tuple[PathParts, str | None]] = [
        (("governance", "project_manager", "host"), None),
        (("governance", "operations_group", "liaison_prosecutor"), "prosecutor"),
        (("case_management", "provider"), "case-management"),
    ]
    for group in _MEMBER_LISTS:
        members = _get(data, *group, "members")
        if isinstance(members, list):
            refs += [((*group, "members", i), None) for i in range(len(members))]
    refs += [(("milestones", i, "owner"), None) for i, _ in _items(data, "milestones")]
    if isinstance(data.get("stakeholders"), list):
        for path, role in refs:
            findings += _check_ref(source, path, role, roles)
    else:  # one finding, not one per reference, when the whole list is absent or misspelled
        named = [path for path, _ in refs if isinstance(_value(data, path), str)]
        if named:
            findings.append(_finding(
                source, named[0], f"'{_value(data, named[0])}' names a stakeholder, but the "
                "file lists no stakeholders", "Add a 'stakeholders' list with each partner "
                "organization's id, name and role.", value=True))
    seen: dict[str, int] = {}
    for i, milestone in _items(data, "milestones"):
        mid = milestone.get("id")
        if not isinstance(mid, str):
            continue
        if mid in seen:
            findings.append(_finding(
                source, ("milestones", i, "id"), f"milestone id '{mid}' is used twice",
                "List each milestone once.", value=True))
        seen.setdefault(mid, i)
        if mid not in STANDARD_MILESTONE_IDS and "title" not in milestone:
            hint = _closest(mid, list(STANDARD_MILESTONE_IDS))
            extra = f"; did you mean the standard step '{hint}'?" if hint else ""
            findings.append(_finding(
                source, ("milestones", i, "title"), f"custom milestone '{mid}' needs a title"
                + extra, "Add 'title:' saying what the step is, or use a standard id.",
                at=("milestones", i)))
    return findings


def _check_ref(source: Source, path: PathParts, role: str | None,
               roles: dict[str, Any]) -> list[Finding]:
    value = _value(source.data, path)
    if not isinstance(value, str):
        return []
    if value not in roles:
        hint = _closest(value, list(roles))
        return [_finding(source, path, f"no stakeholder has id '{value}'"
                         + (f"; did you mean '{hint}'?" if hint else ""),
                         "Use the id of an organization listed under stakeholders, or add it "
                         "there.", value=True)]
    actual = roles[value][1]
    if role and actual != role:
        return [_finding(source, path, f"'{value}' has role '{actual}'; {path[-1]} must name a "
                         f"stakeholder with role '{role}'",
                         f"Name a stakeholder whose role is {role}.", value=True)]
    return []
