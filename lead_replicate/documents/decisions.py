"""The plan's decisions, computed once from the validated plan and its principle statuses.

Templates print these; they never decide. What is open comes from the same findings that
``validate`` reports, so a document cannot call a principle undecided that ``validate``
calls met, or the reverse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import markupsafe

from lead_replicate.documents.openquestions import to_decide
from lead_replicate.rules.confirm import Term, covering, terms
from lead_replicate.rules.validate import Report

# The three referral doors (Toolkit ch. 3), in the order documents list them.
DOORS = {"arrest_diversion": "Arrest diversion", "social_contact": "Social-contact referral",
         "community_referral": "Community referral"}

# The harm-reduction safeguards: key, what "false" means in a sentence, what "true" means.
SAFEGUARDS = (
    ("abstinence_required", "are not required to be abstinent", "abstinence is required"),
    ("drug_testing_required", "are not required to take drug tests",
     "drug tests are required"),
    ("sanctions_for_drug_use", "are not sanctioned for drug use or relapse",
     "drug use or relapse is sanctioned"),
)


Bracket = Callable[[Any, str], markupsafe.Markup]


def bracketer(listed: list[Term]) -> Bracket:
    """The ``tbc(value, path)`` every template calls to print a value the plan sets.

    ``path`` is where the value comes from, written as validate writes paths
    (``prosecution.intake_window_days``, ``stakeholders[2].signatory``). A value under a
    path the plan lists in ``to_confirm`` prints as ``[value]`` with a visible "to be
    confirmed" mark; any other value prints as it is (escaped, unless already markup).
    """
    def tbc(value: Any, path: str) -> markupsafe.Markup:
        text = markupsafe.escape(value)
        if covering(listed, path) is None:
            return text
        return markupsafe.Markup('<span class="tbc" data-path="{}">[{}]<span class="tbc-mark">'
                                 ' (to be confirmed)</span></span>').format(path, text)
    return tbc


def _section(data: Any, *keys: str) -> dict:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def door_state(value: Any) -> str:
    """``open`` (enabled: true), ``closed`` (enabled: false) or ``undecided`` (absent)."""
    return "open" if value is True else "closed" if value is False else "undecided"


def doors(plan: dict) -> dict[str, dict[str, Any]]:
    """Each referral door: its state, its label and the plan's section for it."""
    referral = _section(plan, "referral")
    out = {}
    for key, label in DOORS.items():
        part = _section(referral, key)
        state = door_state(part.get("enabled"))
        out[key] = {"key": key, "label": label, "state": state, "open": state == "open",
                    "closed": state == "closed", "undecided": state == "undecided",
                    "data": part}
    return out


def harm_reduction(cm: dict, status: str, tbc: Bracket) -> dict[str, Any]:
    """What the plan decides about harm reduction, and exactly what departs or is open.

    An explicit ``true`` safeguard departs from harm reduction; an absent one is an open
    question (validate's finding, which the templates bracket through ``open_points``), so a
    partial plan prints what it states and brackets exactly what ``validate`` calls open.
    """
    return {
        "status": status,
        "approach": cm.get("approach"),
        "stated": [tbc(text, f"case_management.{key}") for key, text, _ in SAFEGUARDS
                   if cm.get(key) is False],
        "departures": [text for key, _, text in SAFEGUARDS if cm.get(key) is True],
        "unstated": [key for key, _, _ in SAFEGUARDS if cm.get(key) is None],
    }


def no_fail_out(cm: dict, status: str, tbc: Bracket) -> dict[str, Any]:
    """Whether participants can fail out: stated never, departing, or still open."""
    removal, months = cm.get("removal_for_noncompliance"), cm.get("fixed_duration_months")
    departures = []
    if removal is True:
        departures.append("participants can be removed for not meeting goals or timelines")
    if months is not None:
        departures.append(f"services end after a fixed {months} months")
    stated = removal is False and months is None
    return {"status": status, "departures": departures,
            "stated": tbc('Participants cannot "fail out" of LEAD: services continue as long as '
                          "the participant wants them.", "case_management."
                          "removal_for_noncompliance") if stated else ""}


def _plain(description: str) -> str:
    """A format description as a label: no "(default ...)" or "(role ...)", no "Stakeholder id"."""
    text = re.sub(r"\s*\([^)]*\)", "", description).strip().rstrip(".")
    text = re.sub(r"^Stakeholder ids? of (the )?", "", text)
    text = re.sub(r"^Whether ", "whether ", text)
    return text[:1].upper() + text[1:]


def term_rows(plan: dict, listed: list[Term]) -> list[dict[str, Any]]:
    """Each term to confirm in plain words (no paths) for partner-facing documents."""
    from lead_replicate.documents.templating import shown
    from lead_replicate.rules.schema import rules_at

    people = {s.get("id"): s.get("name") for s in plan.get("stakeholders") or []
              if isinstance(s, dict)}

    def described(parts: tuple, lower: bool = False) -> str:
        rules = rules_at(parts)
        text = _plain(rules["meta"]["description"]) if rules else ""
        return text[:1].lower() + text[1:] if lower else text

    rows = []
    for term in listed:
        parts = term.parts
        value = term.value
        name = people.get(value, value) if isinstance(value, str) else value
        if parts[0] == "stakeholders" and len(parts) > 2:
            owner = plan["stakeholders"][parts[1]].get("name", "")
            label = f"{owner}: {described(parts, lower=True)}"
        elif len(parts) > 2 and isinstance(parts[-1], int) and parts[-2] == "members":
            label = f"Member of {described(parts[:-2], lower=True)}"
        else:
            label = described(parts) or term.written
        rows.append({"path": term.path, "written": term.written, "note": term.note,
                     "label": label, "value": shown(name)})
    return rows


def plan_decisions(report: Report) -> dict[str, Any]:
    """The decisions every document prints, keyed as the templates use them."""
    plan = report.plan or {}
    statuses = report.statuses
    cm = _section(plan, "case_management")
    open_by_principle: dict[str, list[dict[str, str]]] = {}
    for f in report.findings:
        for pid in f.principles if f.is_principle and f.status == "open" else ():
            open_by_principle.setdefault(pid, []).append({"message": f.message, "path": f.path})
    for pid, points in open_by_principle.items():
        paths = [q["path"] for q in points]
        for q in points:
            # "decide": this point alone (a bracket under one part of a clause); "decide_all":
            # the whole decision once when every part of it is open.
            q["decide"] = to_decide(pid, q["path"])
            q["decide_all"] = to_decide(pid, q["path"], paths)
    door_map = doors(plan)
    listed = terms(plan)
    tbc = bracketer(listed)
    return {
        "to_confirm": term_rows(plan, listed), "tbc": tbc,
        "status": statuses,
        "open_by_principle": open_by_principle,
        "doors": door_map,
        # The doors' sections, read once here instead of in every template.
        "ad": door_map["arrest_diversion"]["data"],
        "sc": door_map["social_contact"]["data"],
        "cr": door_map["community_referral"]["data"],
        "harm_reduction": harm_reduction(cm, statuses.get("harm-reduction", "met"), tbc),
        "no_fail_out": no_fail_out(cm, statuses.get("no-fail-out", "met"), tbc),
    }
