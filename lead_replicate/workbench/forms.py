"""The plan form, described as data from the format definition and ``init``'s guidance.

The page builds its controls from this description, so a field added to the format (with its
description) appears in the workbench with no change here. Each section carries the
"Decide / Why / Serves" guidance that ``init`` writes above it in a new plan.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from lead_replicate.rules.schema import FORMAT

LONG_TEXT = {"problem_statement", "sustainability_plan", "criteria", "notes"}
_REF = re.compile(r"^(A stakeholder id\.|Stakeholder id)")
_HEADING = re.compile(r"^# ([A-Z][A-Z &-]+)(?:: (.*))?$")
_GUIDE = re.compile(r"^# (Decide|Why|Serves): (.*)$")
_SECTION_KEY = re.compile(r"^(?:#= |# )?([a-z_]+):")


def label(key: str) -> str:
    """``fixed_duration_months`` -> ``Fixed duration months``."""
    return key.replace("_", " ").capitalize()


def _field(key: str, rule: dict, path: str) -> dict[str, Any]:
    kind = rule["type"]
    desc = rule["meta"]["description"]
    out: dict[str, Any] = {"key": key, "path": path, "label": label(key),
                           "description": desc, "required": bool(rule.get("required"))}
    if "default" in rule["meta"]:
        out["default"] = rule["meta"]["default"]
    if rule.get("nullable"):
        out["nullable"] = True
    if kind == "dict":
        out["control"] = "group"
        out["fields"] = [_field(k, r, f"{path}.{k}") for k, r in rule["schema"].items()]
    elif kind == "list":
        item = rule["schema"]
        if item["type"] == "dict":
            out["control"] = "items"
            out["item_label"] = item["meta"]["description"]
            out["fields"] = [_field(k, r, f"{path}[].{k}") for k, r in item["schema"].items()]
        elif _REF.match(item["meta"]["description"]):
            out["control"] = "refs"
        else:
            out["control"] = "strings"
            out["item_label"] = item["meta"]["description"]
    elif kind == "boolean":
        out["control"] = "flag"
    elif "allowed" in rule:
        out["control"] = "choice"
        out["choices"] = list(rule["allowed"])
    elif kind == "integer":
        out["control"] = "number"
        if "min" in rule:
            out["min"] = rule["min"]
    elif kind == "date":
        out["control"] = "date"
    elif _REF.match(desc):
        out["control"] = "ref"
    else:
        out["control"] = "longtext" if key in LONG_TEXT else "text"
    return out


def guidance(template_text: str) -> dict[str, dict[str, Any]]:
    """Section key -> {heading, summary, decide, why, serves}, read from init's template."""
    out: dict[str, dict[str, Any]] = {}
    block: dict[str, Any] = {}
    current: str | None = None
    for line in template_text.splitlines():
        if line.startswith("# ----"):
            block, current = {}, None
            continue
        heading = _HEADING.match(line)
        guide = _GUIDE.match(line)
        if heading and not block:
            block = {"heading": heading.group(1).strip().title(), "summary": heading.group(2) or ""}
        elif guide:
            current = guide.group(1).lower()
            block[current] = guide.group(2).strip()
        elif current and line.startswith("#   "):
            block[current] += " " + line[4:].strip()
        else:
            current = None
            key = _SECTION_KEY.match(line)
            if key and block and key.group(1) in FORMAT and key.group(1) not in out:
                out[key.group(1)] = block
                block = {}
    for block in out.values():
        block["serves"] = [s.strip() for s in block.get("serves", "").split(",") if s.strip()]
    return out


@functools.lru_cache(maxsize=1)
def form_description() -> dict[str, Any]:
    """The sections of the form in the format's order, each with its fields and guidance."""
    from lead_replicate.documents.templating import templates_dir

    try:
        text = (templates_dir() / "init" / "plan.yaml.j2").read_text(encoding="utf-8")
    except OSError:
        text = ""
    guides = guidance(text)
    sections = []
    for key, rule in FORMAT.items():
        if key == "lead":
            continue
        section = _field(key, rule, key)
        section["guidance"] = guides.get(key, {})
        sections.append(section)
    return {"format": 1, "sections": sections}
