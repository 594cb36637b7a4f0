"""Terms still to be confirmed: the plan's ``to_confirm`` list, checked and resolved.

Planners often write down what the LEAD model requires before a partner has confirmed it.
``to_confirm`` names those values by path, so that ``validate`` lists them as open items and
every document prints them in [brackets], the way counsel marks unsettled terms in a draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lead_replicate.findings import Finding, PathParts, format_path
from lead_replicate.loading.source import Source

TO_CONFIRM = "to-confirm"  # the ``principle`` of the open items validate lists
_STEP = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[([^\]]*)\]")


@dataclass(frozen=True)
class Term:
    """One listed term: where it is (indexes resolved), as written, and the planners' note."""

    parts: PathParts
    path: str  # format_path(parts): how documents and validate name it
    written: str  # the path as the plan writes it (ids allowed in brackets)
    note: str
    value: Any


def resolve(data: Any, written: str) -> PathParts | None:
    """The path ``written`` names in ``data``, or None when nothing is there.

    Steps are keys (``case_management.caseload``) and list items, by position (``[0]``), by
    the ``id`` of a list item (``stakeholders[spd]``) or by the item itself
    (``governance.policy_group.members[spd]``), so a term survives reordering.
    """
    if not isinstance(written, str) or not written.strip():
        return None
    text, pos, node, parts = written.strip(), 0, data, []
    while pos < len(text):
        step = _STEP.match(text, pos)
        if step is None or (pos == 0 and step.group(0).startswith((".", "["))):
            return None
        pos = step.end()
        key, item = step.group(1), step.group(2)
        if key is not None:
            if not isinstance(node, dict) or key not in node:
                return None
            parts.append(key)
            node = node[key]
            continue
        if not isinstance(node, list):
            return None
        index = _index(node, item.strip())
        if index is None:
            return None
        parts.append(index)
        node = node[index]
    return tuple(parts)


def _index(items: list, item: str) -> int | None:
    if item.isdigit():
        return int(item) if int(item) < len(items) else None
    for i, x in enumerate(items):
        if x == item or (isinstance(x, dict) and x.get("id") == item):
            return i
    return None


def _value(data: Any, parts: PathParts) -> Any:
    for part in parts:
        data = data[part]
    return data


def _entries(data: Any) -> list[tuple[int, dict]]:
    items = data.get("to_confirm") if isinstance(data, dict) else None
    return [(i, x) for i, x in enumerate(items) if isinstance(x, dict)] \
        if isinstance(items, list) else []


def terms(data: Any) -> list[Term]:
    """The listed terms that exist in ``data`` (the plan), in the order listed."""
    out = []
    for _, entry in _entries(data):
        parts = resolve(data, str(entry.get("path") or ""))
        if parts is not None:
            out.append(Term(parts, format_path(parts), str(entry["path"]).strip(),
                            str(entry.get("note") or "").strip(), _value(data, parts)))
    return out


def check_paths(source: Source) -> list[Finding]:
    """A schema error at each listed path that names nothing in the plan."""
    out = []
    for i, entry in _entries(source.data):
        written = entry.get("path")
        if not isinstance(written, str) or resolve(source.data, written) is not None:
            continue  # a missing or non-text path is the format check's to report
        mark = source.locate(("to_confirm", i, "path"), value=True)
        out.append(Finding(
            "error", "schema", f"to_confirm[{i}].path", mark.line, mark.column,
            f"to_confirm: '{written}' names nothing in this plan",
            "Write the dotted path of a value the plan sets, for example "
            "prosecution.intake_window_days or stakeholders[spd].signatory."))
    return out


def open_items(plan: dict, source: Source) -> list[Finding]:
    """One open item (a warning, never an error) per term to confirm, at the value's line."""
    out = []
    for term in terms(plan):
        mark = source.locate(term.parts, value=term.parts in source.value_marks)
        note = f": {term.note.rstrip('.')}" if term.note else ""
        out.append(Finding(
            "warning", TO_CONFIRM, term.path, mark.line, mark.column,
            f"To be confirmed before signing: {term.written}{note}.",
            "Confirm it with the partners, then remove its entry from to_confirm.", "open"))
    return out


def covering(listed: list[Term], path: str) -> Term | None:
    """The listed term that ``path`` is (or lies under), if any."""
    for term in listed:
        if path == term.path or path.startswith((term.path + ".", term.path + "[")):
            return term
    return None
