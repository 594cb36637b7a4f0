"""One small check per LEAD principle: each reads the normalized plan and returns problems."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lead_replicate.findings import PathParts, Severity, Status, format_path
from lead_replicate.labels import label as in_words
from lead_replicate.rules.plan import dig


@dataclass(frozen=True)
class Problem:
    """What a check found: where, what, and whether it is a departure or an undecided point."""

    path: PathParts
    message: str
    status: Status = "violation"
    severity: Severity | None = None  # None: the principle's own severity
    # What to do about this problem alone, when the principle's fix asks for more than is
    # missing (it names the parts already in the plan); "" means the principle's fix.
    fix: str = ""
    # Other principles this problem also leaves open (reported once, under this one).
    also: tuple[str, ...] = ()


Check = Callable[[dict], list[Problem]]
CHECKS: dict[str, Check] = {}


def check(principle_id: str) -> Callable[[Check], Check]:
    """Register ``fn`` as the check for ``principle_id`` (one check per principle)."""
    def register(fn: Check) -> Check:
        if principle_id in CHECKS:
            raise ValueError(f"two checks registered for {principle_id!r}")
        CHECKS[principle_id] = fn
        return fn
    return register


# --- reading the plan defensively (any section may be absent or of the wrong type) ---------

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value) or \
        (isinstance(value, str) and not value.strip())


def _stakeholders(plan: dict) -> list[tuple[int, dict]]:
    items = plan.get("stakeholders")
    return [(i, s) for i, s in enumerate(items) if isinstance(s, dict)] \
        if isinstance(items, list) else []


def _role_of(plan: dict) -> dict[Any, Any]:
    return {s.get("id"): s.get("role") for _, s in _stakeholders(plan)}


def _member_roles(plan: dict, group: str) -> set[Any]:
    members, roles = dig(plan, "governance", group, "members"), _role_of(plan)
    return {roles.get(m) for m in members if isinstance(m, str)} \
        if isinstance(members, list) else set()


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _arrest_diversion(plan: dict) -> bool:
    """Arrest-diversion questions apply unless the plan says the door is closed.

    An undecided door leaves them open (a principle is not "met" by saying nothing).
    """
    return dig(plan, *AD, "enabled") is not False


def _expect(plan: dict, path: PathParts, want: Any, unset: str, wrong: str,
            fix: str = "") -> list[Problem]:
    """A value that must equal ``want`` (or be one of a tuple): absent is an open question."""
    value = dig(plan, *path)
    if _blank(value):
        return [Problem(path, unset, "open", fix=fix)]
    ok = value in want if isinstance(want, tuple) else value == want
    words = in_words(value, str(path[-1])) if isinstance(value, str) else value
    return [] if ok else [Problem(path, wrong.format(value=words), fix=fix)]


def _listed(plan: dict, path: PathParts, unset: str, fix: str = "",
            also: tuple[str, ...] = ()) -> list[Problem]:
    """A list or text the planners must fill in; empty counts as not filled in yet."""
    return [Problem(path, unset, "open", fix=fix, also=also)] if _blank(dig(plan, *path)) else []


def _flags(plan: dict, base: PathParts, names: dict[str, str], why: str) -> list[Problem]:
    """Flags that should all be true: each false one is a violation, each absent one a question.

    One open finding per absent flag, so the partners are asked only about the flags still
    open (data/decisions.yaml ``parts``); each says which flags the plan already sets.
    """
    where = format_path(base)
    out = [Problem((*base, k), f"The plan has no {label}; {why}.",
                   fix=f"Set {where}.{k} to true.")
           for k, label in names.items() if dig(plan, *base, k) is False]
    decided = [label for k, label in names.items() if dig(plan, *base, k) is True]
    return out + _still_open(decided, [((*base, k), label, f"Set {where}.{k} to true.")
                                       for k, label in names.items()
                                       if dig(plan, *base, k) is None])


def _and(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _still_open(decided: list[str], open_points: Sequence[tuple[PathParts, str, str]]
                ) -> list[Problem]:
    """One open finding per point (path, what to decide, fix), each stating what is decided.

    A partly decided principle reads "Decided: X. Not decided yet: Y.", so the partners are
    asked only about what is still open (data/decisions.yaml ``parts``).
    """
    lead = f"Decided: {_and(decided)}. " if decided else ""
    return [Problem(path, f"{lead}Not decided yet: {what}.", "open", fix=fix)
            for path, what, fix in open_points]


# What a finding calls the one stakeholder of a role it misses ("No prosecutor is listed").
ROLE_NOUNS = {"law-enforcement": "law-enforcement agency", "prosecutor": "prosecutor",
              "case-management": "case-management provider"}
AD = ("referral", "arrest_diversion")
CM = ("case_management",)
GOV = "governance"


# --- one check per principle, in rulebook order ---------------------------------------------

# The harm-reduction safeguards: what ``true`` says, what ``false`` says, the open question.
_SAFEGUARDS = {
    "abstinence_required": ("Abstinence is required", "abstinence is not required",
                            "whether abstinence is required"),
    "sanctions_for_drug_use": ("Drug use or relapse is sanctioned",
                               "drug use or relapse is not sanctioned",
                               "whether drug use or relapse is sanctioned"),
    "drug_testing_required": ("Drug testing is required", "drug testing is not required",
                              "whether drug testing is required"),
}


@check("harm-reduction")
def _harm_reduction(plan: dict) -> list[Problem]:
    """Harm reduction is met only when the plan says so: each safeguard flag explicitly false.

    An unset flag is an open question (the contract's rule for a missing value), one finding
    per flag, each saying what the plan already decides.
    """
    approach = dig(plan, *CM, "approach")
    out = _expect(plan, (*CM, "approach"), "harm-reduction",
                  "The case-management approach is not stated yet.",
                  "Case management is {value}, not harm reduction.",
                  "Set case_management.approach to harm-reduction.")
    decided = ["the harm-reduction approach"] if approach == "harm-reduction" else []
    for key, (yes, no, _) in _SAFEGUARDS.items():
        value = dig(plan, *CM, key)
        if value is True:
            out.append(Problem((*CM, key), f"{yes}; LEAD case management does not do this.",
                               fix=f"Set case_management.{key} to false."))
        elif value is False:
            decided.append(no)
    unset = [((*CM, key), label, f"Set case_management.{key} to false.")
             for key, (_, _, label) in _SAFEGUARDS.items() if dig(plan, *CM, key) is None]
    return out + _still_open(decided, unset)


_KEEP_PEOPLE = ("Set case_management.removal_for_noncompliance to false. Mark people inactive "
                "instead of removing them.")


@check("no-fail-out")
def _no_fail_out(plan: dict) -> list[Problem]:
    removal, months = (dig(plan, *CM, k) for k in ("removal_for_noncompliance",
                                                    "fixed_duration_months"))
    out = []
    if removal is True:
        out.append(Problem((*CM, "removal_for_noncompliance"),
                           "Participants can be removed for not meeting goals or timelines.",
                           fix=_KEEP_PEOPLE))
    if months is not None:
        out.append(Problem((*CM, "fixed_duration_months"),
                           f"Services end after a fixed {months} months.",
                           fix="Remove case_management.fixed_duration_months (or set it to "
                           "null): services last as long as the person wants them."))
    # Met only when the plan says so: removal_for_noncompliance explicitly false.
    if not out and removal is not False:
        out.append(Problem((*CM, "removal_for_noncompliance"), "The plan does not say yet "
                           "whether participants can be removed for not meeting goals.", "open",
                           fix=_KEEP_PEOPLE))
    return out


@check("voluntary")
def _voluntary(plan: dict) -> list[Problem]:
    return _expect(plan, ("referral", "voluntary"), True,
                   "The plan does not say yet that participation is voluntary.",
                   "Participation is not voluntary.")


@check("pre-booking")
def _pre_booking(plan: dict) -> list[Problem]:
    return _expect(plan, (*AD, "point"), "pre-booking",
                   "The point of arrest diversion is not decided yet.",
                   "Arrest diversion happens at the {value} stage, not before booking.") \
        if _arrest_diversion(plan) else []


@check("police-referral")
def _police_referral(plan: dict) -> list[Problem]:
    doors = (dig(plan, *AD, "enabled"), dig(plan, "referral", "social_contact", "enabled"))
    if True in doors:
        return []
    if doors == (False, False):
        return [Problem((*AD, "enabled"), "Neither arrest diversion nor social-contact "
                        "referral is enabled, so officers cannot refer anyone.")]
    return [Problem(("referral",), "The plan does not say yet how officers refer people "
                    "(arrest diversion or social contact).", "open")]


@check("three-doors")
def _three_doors(plan: dict) -> list[Problem]:
    doors = {"arrest_diversion": "arrest diversion", "social_contact": "social-contact referral",
             "community_referral": "community referral"}
    out = [Problem(("referral", k, "enabled"), f"The {doors[k]} door is closed.",
                   fix=f"Enable {doors[k]}: set referral.{k}.enabled to true.")
           for k in doors if dig(plan, "referral", k, "enabled") is False]
    missing = [k for k in doors if dig(plan, "referral", k, "enabled") is None]
    if missing:
        out.append(Problem(("referral", missing[0], "enabled"), "Not decided yet whether "
                           f"these doors are open: {', '.join(doors[k] for k in missing)}.",
                           "open", fix="Enable " + _and([doors[k] for k in missing]) +
                           ": set " + _and([f"referral.{k}.enabled" for k in missing]) +
                           " to true."))
    return out


@check("warm-handoff")
def _warm_handoff(plan: dict) -> list[Problem]:
    minutes = dig(plan, *AD, "handoff_minutes")
    if not _arrest_diversion(plan):
        return []
    if minutes is None:
        return [Problem((*AD, "handoff_minutes"),
                        "No target time for the hand-off to a case manager is set yet.", "open")]
    return [Problem((*AD, "handoff_minutes"), f"The hand-off target is {minutes} minutes, "
                    "more than 30.")] if _number(minutes) and minutes > 30 else []


@check("divertible-offenses")
def _divertible_offenses(plan: dict) -> list[Problem]:
    return _listed(plan, (*AD, "eligible_offenses"), "No eligible offenses are listed for "
                   "arrest diversion yet.") if _arrest_diversion(plan) else []


@check("eligibility-check")
def _eligibility_check(plan: dict) -> list[Problem]:
    return _listed(plan, (*AD, "eligibility_confirmed_by"), "The plan does not say yet who "
                   "confirms eligibility before the hand-off.") if _arrest_diversion(plan) else []


@check("shared-intention")
def _shared_intention(plan: dict) -> list[Problem]:
    out, people = [], _stakeholders(plan)
    for role, name in ROLE_NOUNS.items():
        holders = [(i, s) for i, s in people if s.get("role") == role]
        if not holders:
            out.append(Problem(("stakeholders",),
                               f"No {name} is listed among the stakeholders yet.", "open",
                               fix=f"Add a {role} stakeholder with signatory: true."))
        elif not any(s.get("signatory") is True for _, s in holders):
            i, s = holders[0]
            out.append(Problem(("stakeholders", i, "signatory"),
                               f"{s.get('name') or s.get('id')} ({name}) does not sign the MOU.",
                               fix=f"Set signatory: true for '{s.get('id')}'."))
    return out


@check("public-defense")
def _public_defense(plan: dict) -> list[Problem]:
    defenders = [i for i, r in _role_of(plan).items() if r == "public-defense"]
    if not defenders:
        return [Problem(("stakeholders",),
                        "No public defender is listed among the stakeholders yet.", "open")]
    out = []
    for group, label in (("policy_group", "Policy Coordinating Group"),
                         ("operations_group", "Operational Work Group")):
        path = (GOV, group, "members")
        fix = f"Add '{defenders[0]}' to {format_path(path)}."
        if _blank(dig(plan, *path)):
            out.append(Problem(path, f"The {label} has no members listed yet.", "open",
                               fix=f"List the members of {format_path(path)} by stakeholder "
                               f"id, including '{defenders[0]}'."))
        elif "public-defense" not in _member_roles(plan, group):
            out.append(Problem(path, f"Public defense is not a member of the {label}.",
                               fix=fix))
    return out


@check("policy-group")
def _policy_group(plan: dict) -> list[Problem]:
    path = (GOV, "policy_group", "members")
    if _blank(dig(plan, *path)):
        return [Problem(path, "No Policy Coordinating Group members are listed yet.", "open")]
    roles = _member_roles(plan, "policy_group")
    return [Problem(path, f"The Policy Coordinating Group has no {ROLE_NOUNS[r]}.",
                    fix=f"Add the id of a {r} stakeholder to {format_path(path)}.")
            for r in ("law-enforcement", "prosecutor") if r not in roles]


@check("consensus")
def _consensus(plan: dict) -> list[Problem]:
    return _expect(plan, (GOV, "policy_group", "decision_rule"), "consensus",
                   "The policy group's decision rule is not decided yet.",
                   "The policy group decides by {value}, not by consensus.")


@check("operations-group")
def _operations_group(plan: dict) -> list[Problem]:
    base = (GOV, "operations_group")
    members = "governance.operations_group.members"
    out = _listed(plan, (*base, "members"), "No Operational Work Group members are listed yet.",
                  f"List the members of {members} by stakeholder id, including "
                  "law-enforcement and case-management stakeholders.")
    if not out:
        roles = _member_roles(plan, "operations_group")
        out = [Problem((*base, "members"), f"The Operational Work Group has no {ROLE_NOUNS[r]}.",
                       fix=f"Add the id of a {r} stakeholder to {members}.")
               for r in ("law-enforcement", "case-management") if r not in roles]
    liaison = dig(plan, *base, "liaison_prosecutor")
    name_one = ("Set governance.operations_group.liaison_prosecutor to the id of a prosecutor "
                "stakeholder.")
    if liaison is None:
        out.append(Problem((*base, "liaison_prosecutor"),
                           "No liaison prosecutor is named yet.", "open", fix=name_one))
    elif _role_of(plan).get(liaison, "prosecutor") != "prosecutor":
        # An id that names no stakeholder is a reference error, reported by the schema.
        out.append(Problem((*base, "liaison_prosecutor"),
                           f"The liaison prosecutor {liaison!r} is not a prosecutor stakeholder.",
                           fix=name_one))
    return out


@check("meeting-cadence")
def _meeting_cadence(plan: dict) -> list[Problem]:
    # `as-needed` is not a regular schedule, so it departs from the principle (a warning).
    return _expect(plan, (GOV, "operations_group", "meets"), ("weekly", "biweekly"),
                   "How often the Operational Work Group meets is not decided yet.",
                   "The Operational Work Group meets {value}; it should meet at least every "
                   "two weeks.",
                   "Set governance.operations_group.meets to weekly or biweekly.") + \
        _expect(plan, (GOV, "policy_group", "meets"), ("weekly", "biweekly", "monthly",
                                                        "quarterly"),
                "How often the Policy Coordinating Group meets is not decided yet.",
                "The Policy Coordinating Group meets {value}; it should meet at least quarterly.",
                "Set governance.policy_group.meets to weekly, biweekly, monthly or quarterly.")


@check("project-manager")
def _project_manager(plan: dict) -> list[Problem]:
    base = (GOV, "project_manager")
    host = dig(plan, *base, "host")
    full_time = dig(plan, *base, "full_time")
    full = "Set governance.project_manager.full_time to true."
    if _blank(host):
        return [Problem((*base, "host"), "No project manager is named yet.", "open",
                        fix="Name the organization that employs the project manager in "
                        "governance.project_manager.host (ideally one with no other role in "
                        "LEAD, not police or prosecution)." +
                        ("" if full_time is True else " " + full))]
    out = []
    role = _role_of(plan).get(host)
    if role in ("law-enforcement", "prosecutor"):
        out.append(Problem((*base, "host"), "The project manager is hosted by a "
                           f"{in_words(role)} partner; a host with no other role in LEAD is "
                           "recommended.",
                           severity="warning", fix="Consider a host organization with no other "
                           "role in LEAD for governance.project_manager.host."))
    if full_time is None:
        out.append(Problem((*base, "full_time"), "The project manager's host is named; not "
                           "decided yet whether the position is full time.", "open", "warning",
                           fix=full))
    elif full_time is not True:
        out.append(Problem((*base, "full_time"), "The project manager is part time.",
                           severity="warning", fix=full))
    return out


@check("prosecutor-commitment")
def _prosecutor_commitment(plan: dict) -> list[Problem]:
    if not _arrest_diversion(plan):
        return []
    return _expect(plan, ("prosecution", "diverted_charges"), ("not-filed", "held-in-abeyance"),
                   "The prosecutor has not yet committed to how diverted charges are handled.",
                   "Diverted charges are {value}, not dropped or held in abeyance.",
                   "Set prosecution.diverted_charges to not-filed or held-in-abeyance.") + \
        _listed(plan, ("prosecution", "intake_window_days"), "No intake window is set yet.",
                "Set prosecution.intake_window_days (14 to 30 days, the range the sites use).",
                also=("intake-window",))


@check("intake-window")
def _intake_window(plan: dict) -> list[Problem]:
    path = ("prosecution", "intake_window_days")
    days = dig(plan, *path)
    if days is None:
        # Open, but reported once: prosecutor-commitment's finding names this principle too.
        return []
    # 7 to 13 days is short but not flagged: the rulebook warns only under 7 or over 30.
    return [Problem(path, f"The intake window is {days} days; sites use 14 to 30.")] \
        if _number(days) and not 7 <= days <= 30 else []


@check("charge-handling")
def _charge_handling(plan: dict) -> list[Problem]:
    """One open finding per open point, each saying what the plan already decides."""
    if not _arrest_diversion(plan):
        return []
    labels = {"if_intake_missed": "what happens when intake is not completed in time",
              "refiling_allowed": "whether a charge may be re-filed"}
    missed, refile = (dig(plan, "prosecution", k) for k in labels)
    decided = []
    if missed is not None:
        decided.append(f"when intake is missed the charge is {in_words(missed)}")
    if refile is not None:
        decided.append(f"re-filing is {'allowed' if refile else 'not allowed'}")
    open_points: list[tuple[PathParts, str]] = [
        (("prosecution", key), label) for key, label in labels.items()
        if dig(plan, "prosecution", key) is None]
    prosecutors = [(i, s) for i, s in _stakeholders(plan) if s.get("role") == "prosecutor"]
    unsplit = [i for i, s in prosecutors if _blank(s.get("handles"))]
    if len(prosecutors) > 1 and unsplit:
        open_points.append((("stakeholders", unsplit[0]), "which offense levels each "
                            "prosecutor handles"))
    return _still_open(decided, [(path, label, "") for path, label in open_points])


@check("caseload")
def _caseload(plan: dict) -> list[Problem]:
    base = (*CM, "caseload")
    out = []
    for key, limit, severity in (("average", 20, "warning"), ("maximum", 25, "error")):
        value = dig(plan, *base, key)
        fix = (f"Set case_management.caseload.{key} to {limit} or less, and fund enough case "
               "managers to keep it there.")
        if value is None:
            out.append(Problem((*base, key),
                               f"The {key} caseload per case manager is not set yet.", "open",
                               fix=fix))
        elif _number(value) and value > limit:
            out.append(Problem((*base, key), f"The {key} caseload is {value}, over {limit}.",
                               severity=severity, fix=fix))  # type: ignore[arg-type]
    return out


@check("field-based")
def _field_based(plan: dict) -> list[Problem]:
    return _flags(plan, CM, {"field_based": "field-based case management",
                             "outreach": "outreach", "flexible_funds": "flexible funds"},
                  "LEAD case managers work in the field with flexible funds")


@check("information-sharing")
def _information_sharing(plan: dict) -> list[Problem]:
    return _expect(plan, ("data_sharing", "release_of_information"), "multi-party",
                   "The release of information is not decided yet.",
                   "Participants sign {value}, not one multi-party release of information.",
                   "Set data_sharing.release_of_information to multi-party.") + \
        _listed(plan, ("data_sharing", "frameworks"),
                "The confidentiality laws that apply are not listed yet.",
                "List the applicable law in data_sharing.frameworks (for example hipaa, "
                "42-cfr-part-2, state-law).")


@check("no-informants")
def _no_informants(plan: dict) -> list[Problem]:
    return _expect(plan, ("data_sharing", "informant_use_prohibited"), True,
                   "The plan does not say yet that officers may not use participants as "
                   "informants.", "Officers are not prohibited from using participants as "
                   "informants.")


@check("racial-equity")
def _racial_equity(plan: dict) -> list[Problem]:
    goals = _blank(dig(plan, "racial_equity", "goals"))
    return _expect(plan, ("racial_equity", "disparity_monitoring"), True,
                   "The plan does not say yet whether racial disparities are monitored.",
                   "Racial disparities are not monitored.",
                   "Set racial_equity.disparity_monitoring to true" +
                   (" and list the program's goals in racial_equity.goals." if goals else "."))


@check("evaluation")
def _evaluation(plan: dict) -> list[Problem]:
    # Nothing named: the finding is about the whole evaluation (who and how), not the design.
    named = not _blank(dig(plan, "evaluation", "evaluator"))
    out = _expect(plan, ("evaluation", "design"), ("randomized", "quasi-experimental",
                                                   "pre-post", "process-only"),
                  "The evaluator is named; the evaluation design is not decided yet."
                  if named else "No evaluation plan is described yet.",
                  "No evaluation is planned.",
                  "Set evaluation.design (randomized, quasi-experimental, pre-post or "
                  "process-only)" + ("" if named
                                     else " and name the evaluator in evaluation.evaluator")
                  + ".")
    if out:
        return out if named or out[0].status != "open" else [replace(out[0], path=("evaluation",))]
    # The principle is core, but independence and a comparison group are recommended only.
    recommended = _flags(plan, ("evaluation",), {"independent": "independent evaluator",
                                                 "comparison_group": "comparison group"},
                         "both are recommended")
    return [replace(p, severity="warning") for p in recommended]


@check("community-leadership")
def _community_leadership(plan: dict) -> list[Problem]:
    return _listed(plan, (GOV, "community_leadership_team", "members"),
                   "No Community Leadership Team members are listed yet.")


@check("training")
def _training(plan: dict) -> list[Problem]:
    entries = plan.get("training")
    if _blank(entries) or not isinstance(entries, list):
        return [Problem(("training",), "No training is planned yet.", "open")]
    audiences = {e.get("audience") for e in entries if isinstance(e, dict)}
    missing = [a for a in ("officers", "case-managers") if a not in audiences]
    return [Problem(("training",), "No training is planned for "
                    f"{' or '.join(in_words(a) for a in missing)}.",
                    fix=f"Add training entries for the {_and(missing)} "
                    f"audience{'s' if len(missing) > 1 else ''}.")] if missing else []


@check("crisis-communications")
def _crisis_communications(plan: dict) -> list[Problem]:
    return _expect(plan, (GOV, "crisis_communications"), True,
                   "The partners have not agreed yet how to communicate about incidents.",
                   "The partners have no crisis-communications agreement.")


@check("sustainable-funding")
def _sustainable_funding(plan: dict) -> list[Problem]:
    return _listed(plan, ("funding", "sources"), "No funding sources are listed yet.",
                   "List the pilot's funding under funding.sources.") + \
        _listed(plan, ("funding", "sustainability_plan"),
                "No plan to sustain funding after the pilot is written yet.",
                "Describe how services will continue in funding.sustainability_plan.")


@check("local-fit")
def _local_fit(plan: dict) -> list[Problem]:
    return _listed(plan, ("jurisdiction", "problem_statement"),
                   "No problem statement names the local issues yet.")
