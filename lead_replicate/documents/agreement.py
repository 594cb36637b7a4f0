"""The MOU's parties, records law, charge routing and standard-term values, computed once.

Templates print these; they never work out who signs for whom or which law governs which
records. A value the plan leaves open is ``None`` (or listed as open), and the templates print
a bracketed blank for counsel or the partners in its place.
"""

from __future__ import annotations

from typing import Any

from lead_replicate.documents.articles import statute_in_text
from lead_replicate.rules.confirm import Term, covering

# The version of the project's own standard terms (never "LEAD standard terms": the
# LEAD Support Bureau publishes no such terms).
STANDARD_TERMS_VERSION = 2

STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "DC": "the District of Columbia", "AS": "American Samoa", "GU": "Guam",
    "MP": "the Northern Mariana Islands", "PR": "Puerto Rico", "VI": "the U.S. Virgin Islands",
}
COMMONWEALTHS = ("KY", "MA", "PA", "VA")
# Roles that are usually a department of a city, county or state rather than a legal entity of
# its own. When the plan never says who signs for a department (no stakeholder has
# ``acting_for``), the MOU brackets the legal entity for counsel instead of implying that the
# department itself can be bound. A plan that sets ``acting_for`` for some departments has
# answered the question: a department without it is read as signing for itself.
DEPARTMENT_ROLES = ("law-enforcement", "prosecutor", "corrections")
SIGNATURE_PAGE_ROWS = 3  # rows of two signature blocks that fit on one page
LEVEL_NAMES = {"infraction": "infractions", "misdemeanor": "misdemeanors",
               "gross-misdemeanor": "gross misdemeanors", "felony": "felonies"}


# The MOU's numbered sections, in order: id (the section's HTML id and its clause file) and
# title. The MOU template includes them from this list, each heading prints its title from it,
# and every cross-reference ("section 6 (\"Diverted charges\")") is computed from it: one
# source, so a reference can never name a section that is not there or call it by another title.
MOU_SECTIONS = (
    ("recitals", "Recitals"), ("purpose", "Purpose"), ("definitions", "Definitions"),
    ("effect", "How this MOU binds the Parties"), ("program", "Program description"),
    ("charges", "Diverted charges"), ("responsibilities", "Responsibilities of the Parties"),
    ("governance", "Governance"),
    ("information-sharing", "Information sharing, use and confidentiality"),
    ("evaluation", "Evaluation"), ("funding", "Funding"),
    ("general-provisions", "General provisions"),
)
_SECTION_NUMBERS = {sid: (n, title) for n, (sid, title) in enumerate(MOU_SECTIONS, start=1)}


def section_title(sid: str) -> str:
    """The title of MOU section ``sid`` (a KeyError names a section that does not exist)."""
    return _SECTION_NUMBERS[sid][1]


def section_ref(*sids: str, start: bool = False) -> str:
    """A cross-reference in the MOU's words: 'section 6 ("Diverted charges")', or for two,
    'sections 6 ("Diverted charges") and 9 ("…")'; ``start``: at the start of a sentence."""
    refs = [f'{_SECTION_NUMBERS[s][0]} ("{_SECTION_NUMBERS[s][1]}")' for s in sids]
    words = f"section {refs[0]}" if len(refs) == 1 else \
        f"sections {', '.join(refs[:-1])} and {refs[-1]}"
    return words[0].upper() + words[1:] if start else words


def governing_law(state: str) -> str:
    """The jurisdiction whose laws govern: "the State of Oregon", "the Commonwealth of …"."""
    name = STATE_NAMES.get(state, state)
    if state in ("DC", "AS", "GU", "MP", "PR", "VI") or state not in STATE_NAMES:
        return name
    return f"the {'Commonwealth' if state in COMMONWEALTHS else 'State'} of {name}"


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def parties(people: list[dict]) -> list[dict[str, Any]]:
    """The Parties to the MOU, in plan order, each with its printed name and signer.

    A signatory that acts for a government (``acting_for``) is that government acting through
    it. When the government signs too, its departments join its party ("City of Example,
    acting through its Police Department"); otherwise each department signs for it.
    """
    by_id = {p["id"]: p for p in people}
    signing = [p for p in people if p.get("signatory")]
    signers_open = not any(p.get("acting_for") for p in people)
    out: list[dict[str, Any]] = []
    merged: dict[str, dict[str, Any]] = {}
    for p in signing:
        gov = by_id.get(p.get("acting_for") or "")
        if gov is not None and gov.get("signatory") and gov is not p:
            continue  # joins the government's party below
        party = {"id": p["id"], "members": [p], "signer": p.get("signer") or {},
                 "notice_address": p.get("notice_address"), "through": [],
                 "government": gov["name"] if gov is not None else None,
                 "government_id": gov["id"] if gov is not None else None}
        merged[p["id"]] = party
        out.append(party)
    for p in signing:
        gov_id = p.get("acting_for")
        if gov_id in merged and gov_id != p["id"]:
            merged[gov_id]["members"].append(p)
            merged[gov_id]["through"].append(p["name"])
    for party in out:
        head = party["members"][0]
        if party["government"]:
            party["name"] = f"{party['government']}, acting through its {head['name']}"
        elif party["through"]:
            party["name"] = (f"{head['name']}, acting through its "
                             + " and its ".join(party["through"]))
        else:
            party["name"] = head["name"]
        party["entity_open"] = (signers_open and party["government"] is None
                                and head.get("role") in DEPARTMENT_ROLES)
        party["path"] = f"{head.get('path', '')}.signatory"  # for tbc(): is signing confirmed
        roles = [m.get("role_name", m.get("role", "")) for m in party["members"]]
        party["role_name"] = ", ".join(dict.fromkeys(r.lower() for r in roles))
        for member in party["members"]:
            member["party_name"] = party["name"]
    return out


def signers_to_confirm(the_parties: list[dict[str, Any]], listed: list[Term]) -> list[str]:
    """The Parties whose signing the plan lists under ``to_confirm``, by printed name.

    The checklist names them beside a recorded "MOU signed": the record stays as the plan
    gives it, and the reader sees that who signed is not confirmed, as the MOU brackets it.
    """
    return [party["name"] for party in the_parties
            if any(covering(listed, f"{m.get('path', '')}.signatory") for m in party["members"])]


def records(plan: dict, by_id: dict[str, dict], party_ids: list[str]) -> dict[str, Any]:
    """Which Party holds records under which federal law; ``None`` where the plan is silent."""
    sharing = plan.get("data_sharing") or {}
    frameworks = _list(sharing.get("frameworks"))

    def named(key: str) -> list[dict] | None:
        ids = sharing.get(key)
        return None if ids is None else [by_id[i] for i in _list(ids) if i in by_id]

    part2, hipaa = named("part2_programs"), named("hipaa_covered_entities")
    special = {p["id"] for p in (part2 or []) + (hipaa or [])}
    listed = [(i, r) for i, r in enumerate(_list(sharing.get("recipients")))
              if isinstance(r, dict)]
    return {
        # stakeholder id -> {kinds: what it receives (None: not said), path: for tbc()};
        # None when the plan has no recipients list at all
        "receives": {r.get("id"): {"kinds": r["receives"] if isinstance(r.get("receives"), list)
                                   else None, "path": f"data_sharing.recipients[{i}].receives"}
                     for i, r in listed} if "recipients" in sharing else None,
        "frameworks": frameworks,
        "cites_part2": "42-cfr-part-2" in frameworks or bool(part2),
        "cites_hipaa": "hipaa" in frameworks or bool(hipaa),
        "cites_state": "state-law" in frameworks,
        "part2": part2, "hipaa": hipaa,
        "others": [by_id[i] for i in party_ids if i in by_id and i not in special],
    }


def prosecutors(people: list[dict]) -> dict[str, Any]:
    """Who prosecutes which offense levels, and whether that split is still open."""
    found = [p for p in people if p.get("role") == "prosecutor"]
    routes = [{"name": p["name"], "levels": [LEVEL_NAMES[x] for x in _list(p.get("handles"))
                                             if x in LEVEL_NAMES]} for p in found]
    return {"all": found, "routes": routes,
            "split_open": len(found) > 1 and any(not r["levels"] for r in routes)}


def statutes(plan: dict) -> dict[str, list[dict]]:
    """The statutes the plan cites, grouped by what the MOU uses them for; each also has
    ``in_text``, its name as it reads mid-sentence."""
    out: dict[str, list[dict]] = {}
    for item in _list((plan.get("agreement") or {}).get("statutes")):
        if isinstance(item, dict):
            out.setdefault(item.get("subject") or "other", []).append(
                {**item, "in_text": statute_in_text(item.get("name"))})
    return out


def agreement_terms(plan: dict, people: list[dict], by_id: dict[str, dict]) -> dict[str, Any]:
    """Everything the MOU, the manual and the consent form say about the agreement."""
    the_parties = parties(people)
    party_ids = [m["id"] for party in the_parties for m in party["members"]]
    agreement = plan.get("agreement") or {}
    state = (plan.get("jurisdiction") or {}).get("state")
    return {
        "terms_version": STANDARD_TERMS_VERSION,
        "mou_sections": [sid for sid, _ in MOU_SECTIONS],
        "section_title": section_title, "section_ref": section_ref,
        "parties": the_parties,
        # Up to SIGNATURE_PAGE_ROWS rows of two blocks start a page of their own (the
        # signature page, which each Party can sign as a counterpart), and the body says so;
        # more rows flow on from the last clause.
        "signature_page": 0 < len(the_parties) <= 2 * SIGNATURE_PAGE_ROWS,
        # Every stakeholder that is a Party or part of one (a government its department acts for).
        "party_members": party_ids + [p["government_id"] for p in the_parties
                                      if p["government_id"]],
        "records": records(plan, by_id, party_ids),
        "prosecutors": prosecutors(people),
        "statutes": statutes(plan),
        "state_name": STATE_NAMES.get(str(state), str(state)),
        "governing_law": governing_law(str(state)),
        "term_months": agreement.get("term_months"),
        "notice_days": agreement.get("withdrawal_notice_days"),
    }
