"""Who shares information about a participant, and what each organization receives.

The consent form lists these organizations for the participant, and the MOU states the same
shares for the Parties. Both documents take the list and the words from here (the words from
``labels.RECEIVED``), so the form and the MOU can never disagree about who receives what.
"""

from __future__ import annotations

from typing import Any

from lead_replicate.labels import received

# Roles that take part in a participant's case: law enforcement, prosecutors, public defense,
# and project management (it runs the Operational Work Group, where the partners discuss
# cases). Advocacy, funders, elected officials and others neither hold nor receive participant
# records, so they are listed only when the plan names them as recipients.
CASE_ROLES = ("law-enforcement", "prosecutor", "public-defense", "project-management")


def shares(people: list[dict], by_id: dict[str, dict], provider: Any,
           receives: dict[str, dict] | None) -> dict[str, Any]:
    """The organizations that share information, in the order the consent form lists them.

    The case-management provider (``case_management.provider``, else every case-management
    stakeholder) holds the records; then every stakeholder in a case role; then any other the
    plan names as a recipient. Each entry: ``org`` (the stakeholder), ``holder``, and
    ``said``: what the plan says it receives (``kinds`` ``None`` when the entry gives no list,
    ``you``/``participant``: the kinds in words for each reader), or ``None`` when the plan
    does not list it.
    """
    chosen = by_id.get(provider) if isinstance(provider, str) else None
    holders = [chosen] if chosen else [p for p in people if p.get("role") == "case-management"]
    said_by_id = receives or {}
    orgs = list(holders)
    orgs += [p for p in people if p.get("role") in CASE_ROLES and p not in orgs]
    orgs += [p for p in people if p["id"] in said_by_id and p not in orgs]
    entries = []
    for org in orgs:
        said = said_by_id.get(org["id"])
        if said is not None:
            kinds = said["kinds"]
            said = {**said, "you": received(kinds or [], "you"),
                    "participant": received(kinds or [], "participant")}
        entries.append({"org": org, "holder": org in holders, "said": said})
    return {"holders": holders, "orgs": entries, "listed": receives is not None}
