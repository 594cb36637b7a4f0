"""Structural checks: where a file departs from the format, in plain words at its line."""

from __future__ import annotations

import datetime
import difflib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lead_replicate.findings import Finding, PathParts, format_path
from lead_replicate.loading.loader import Source
from lead_replicate.rules.confirm import check_paths
from lead_replicate.rules.conforms import available, conforms
from lead_replicate.rules.plan import dig
from lead_replicate.rules.readiness import standard_steps
from lead_replicate.rules.schema import (
    keys_at,
    normalize,
    rules_at,
    slugify,
    validator,
)

if TYPE_CHECKING:
    from cerberus import errors as ce  # type: ignore[import-untyped]

log = logging.getLogger(__name__)


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


def check_structure(source: Source) -> tuple[list[Finding], dict | None]:
    """All structural and reference errors, and the normalized plan (None if any error).

    Never raises: the loader can hand over any YAML, and a traceback helps no one.
    """
    data = source.data
    if not isinstance(data, dict):
        return [_finding(source, (), "the file must be a mapping of keys to values",
                         "Start the file with 'lead: 1' and write one 'key: value' a line.")], None
    try:
        findings = [] if available() and conforms(data) else format_errors(source)
        findings += _check_references(source)
        findings += check_paths(source)
    except Exception:  # a bug here must become a finding, never a traceback
        log.exception("structural check failed on %s", source.name)
        findings = [_finding(source, (), "the file could not be checked against the format "
                             "(an internal error)",
                             "Report this file to the lead-replicate maintainers.")]
    findings.sort(key=Finding.sort_key)
    return findings, (None if findings else normalize(data))


def format_errors(source: Source) -> list[Finding]:
    """Where the file departs from FORMAT, as cerberus finds it (run only when it does)."""
    odd: list[PathParts] = []
    clean = _text_keys_only(source.data, (), odd)
    findings = [_unknown_key(source, path) for path in odd if keys_at(path[:-1])]
    v = validator()
    v.validate(clean, normalize=False)
    return findings + [_from_cerberus(source, e) for e in _flatten(v._errors)]


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
    from cerberus import errors as ce
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
    message = ce.BasicErrorHandler.messages.get(code, "is not valid")
    return _finding(source, path, f"{name}: {message}", "See format.md for this field.",
                    value=True)


def _unknown_key(source: Source, path: PathParts) -> Finding:
    key = str(path[-1])
    for heading, mark in source.commented_headings(path):
        if key in keys_at(heading):
            return _finding(source, path, f"'{key}' belongs in the section "
                            f"'{format_path(heading)}', whose heading on line {mark.line} is "
                            "still commented out",
                            f"Delete the '# ' at the start of line {mark.line}.")
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


def _items(data: Any, *keys: str) -> list[tuple[int, dict]]:
    seq = dig(data, *keys)
    return [(i, x) for i, x in enumerate(seq) if isinstance(x, dict)] \
        if isinstance(seq, list) else []


# Lists of stakeholder ids anywhere in the plan.
_ID_LISTS = (("governance", "policy_group", "members"),
             ("governance", "operations_group", "members"),
             ("governance", "community_leadership_team", "members"),
             ("data_sharing", "part2_programs"), ("data_sharing", "hipaa_covered_entities"))


def _handles_only_prosecutors(source: Source) -> list[Finding]:
    """``handles`` (offense levels) means something only for a prosecutor."""
    return [_finding(source, ("stakeholders", i, "handles"),
                     f"'{holder.get('id')}' has role '{holder.get('role')}'; only a prosecutor "
                     "lists the offense levels it handles",
                     "Remove 'handles', or give it to the prosecutor that files those "
                     "charges.")
            for i, holder in _items(source.data, "stakeholders")
            if "handles" in holder and holder.get("role") != "prosecutor"]


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
        (("referral", "arrest_diversion", "eligibility_confirmed_by"), None),
    ]
    refs += [(("stakeholders", i, "acting_for"), "government")
             for i, _ in _items(data, "stakeholders")]
    findings += _handles_only_prosecutors(source)
    for id_list in _ID_LISTS:
        members = dig(data, *id_list)
        if isinstance(members, list):
            refs += [((*id_list, i), None) for i in range(len(members))]
    refs += [(("data_sharing", "recipients", i, "id"), None)
             for i, _ in _items(data, "data_sharing", "recipients")]
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
    standard = [step.id for step in standard_steps()] if _items(data, "milestones") else []
    for i, milestone in _items(data, "milestones"):
        mid = milestone.get("id")
        if not isinstance(mid, str):
            continue
        if mid in seen:
            findings.append(_finding(
                source, ("milestones", i, "id"), f"milestone id '{mid}' is used twice",
                "List each milestone once.", value=True))
        seen.setdefault(mid, i)
        if mid not in standard and "title" not in milestone:
            hint = _closest(mid, standard)
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
        ids = list(roles)
        which = (f"Write the stakeholder id '{ids[0]}', or add" if len(ids) == 1 else
                 f"Write one of the stakeholder ids ({', '.join(ids)}), or add" if ids else "Add")
        return [_finding(source, path, f"no stakeholder has id '{value}'"
                         + (f"; did you mean '{hint}'?" if hint else ""),
                         f"{which} '{value}' under stakeholders.", value=True)]
    actual = roles[value][1]
    if role and actual != role:
        return [_finding(source, path, f"'{value}' has role '{actual}'; {path[-1]} must name a "
                         f"stakeholder with role '{role}'",
                         f"Name a stakeholder whose role is {role}.", value=True)]
    return []
