"""Readiness: the standard milestones' statuses (given, derived or default) and a percentage."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

from lead_replicate.loading.loader import load_shipped
from lead_replicate.rules.plan import dig
from lead_replicate.rules.schema import MILESTONE_STATUSES

# The type spells out schema.MILESTONE_STATUSES (a test holds the two equal).
MilestoneStatus = Literal["done", "in-progress", "not-started", "not-applicable"]


@dataclass(frozen=True)
class Milestone:
    """One checklist step; ``source`` says where its status came from, so none is overclaimed."""

    id: str
    title: str
    description: str
    status: MilestoneStatus
    owner: str | None = None
    due: Any = None  # a date (YAML reads ISO dates as datetime.date) or None
    source: Literal["file", "derived", "default"] = "default"
    custom: bool = False


@dataclass(frozen=True)
class Readiness:
    """Counts over all steps; ``percent`` is done / applicable steps (not-applicable excluded)."""

    percent: int
    done: int
    in_progress: int
    not_started: int
    not_applicable: int
    total: int
    milestones: list[Milestone]


@dataclass(frozen=True)
class StandardStep:
    id: str
    title: str
    description: str
    derived_from: str | None


@functools.lru_cache(maxsize=1)
def standard_steps() -> tuple[StandardStep, ...]:
    """The 17 standard steps of format.md, in order (read once via importlib.resources)."""
    return tuple(StandardStep(e["id"], e["title"], e["description"], e.get("derived_from"))
                 for e in load_shipped("milestones.yaml"))


# --- derivations: conservative; "done" only when the file itself states the decision --------

Derivation = Callable[[dict], "MilestoneStatus | None"]
DERIVATIONS: dict[str, Derivation] = {}


def derives(step_id: str) -> Callable[[Derivation], Derivation]:
    """Register the rule that derives ``step_id`` from the plan (None: cannot tell)."""
    def register(fn: Derivation) -> Derivation:
        DERIVATIONS[step_id] = fn
        return fn
    return register


def _set(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value != [] and value != {}


def _both(first: bool, second: bool) -> MilestoneStatus | None:
    if first and second:
        return "done"
    return "in-progress" if first or second else None


@derives("policy-group-formed")
def _policy_group(plan: dict) -> MilestoneStatus | None:
    members = dig(plan, "governance", "policy_group", "members")
    return "done" if isinstance(members, list) and members else None


@derives("project-manager-hired")
def _project_manager(plan: dict) -> MilestoneStatus | None:
    # A named host shows a decision, not a completed hiring.
    return "in-progress" if _set(dig(plan, "governance", "project_manager", "host")) else None


@derives("eligibility-defined")
def _eligibility(plan: dict) -> MilestoneStatus | None:
    return _both(_set(dig(plan, "referral", "arrest_diversion", "eligible_offenses")),
                 _set(dig(plan, "referral", "arrest_diversion", "exclusions")))


@derives("case-management-contracted")
def _case_management(plan: dict) -> MilestoneStatus | None:
    # format.md: "a named case-management provider can" be derived.
    return "done" if _set(dig(plan, "case_management", "provider")) else None


@derives("prosecutor-agreement")
def _prosecutor(plan: dict) -> MilestoneStatus | None:
    return _both(_set(dig(plan, "prosecution", "diverted_charges")),
                 _set(dig(plan, "prosecution", "intake_window_days")))


@derives("roi-adopted")
def _roi(plan: dict) -> MilestoneStatus | None:
    multi = dig(plan, "data_sharing", "release_of_information") == "multi-party"
    return "in-progress" if multi else None


@derives("evaluation-plan")
def _evaluation(plan: dict) -> MilestoneStatus | None:
    design = dig(plan, "evaluation", "design")
    return _both(_set(design) and design != "none", _set(dig(plan, "evaluation", "evaluator")))


@derives("funding-secured")
def _funding(plan: dict) -> MilestoneStatus | None:
    if not _set(dig(plan, "funding", "sources")):
        return None
    return "done" if _set(dig(plan, "funding", "sustainability_plan")) else "in-progress"


@derives("launch-date-set")
def _launch(plan: dict) -> MilestoneStatus | None:
    return "done" if _set(dig(plan, "jurisdiction", "launch")) else None


# --- statuses and the percentage --------------------------------------------------------------

def _entries(plan: dict) -> dict[str, dict]:
    """The plan's milestone entries by id; the first entry wins if an id repeats."""
    raw = plan.get("milestones") if isinstance(plan, dict) else None
    out: dict[str, dict] = {}
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            out.setdefault(entry["id"], entry)
    return out


def _given(entry: dict) -> MilestoneStatus | None:
    status = entry.get("status")
    return cast(MilestoneStatus, status) if status in MILESTONE_STATUSES else None


def milestone_statuses(plan: dict) -> list[Milestone]:
    """Standard steps in format.md's order, then the file's custom steps in file order."""
    entries = _entries(plan)
    out: list[Milestone] = []
    for step in standard_steps():
        entry = entries.get(step.id, {})
        rule = DERIVATIONS.get(step.id)
        derived = None if not rule else rule(plan)
        # The plan shows a decision, never that the step is done (a named provider is not a
        # signed contract): only the plan's own milestones entry can say "done".
        derived = "in-progress" if derived == "done" else derived
        given = _given(entry)
        status: MilestoneStatus = given or derived or "not-started"
        source = "file" if given else "derived" if derived else "default"
        out.append(Milestone(step.id, step.title, step.description, status,
                             entry.get("owner"), entry.get("due"), source))  # type: ignore[arg-type]
    standard = {s.id for s in standard_steps()}
    for step_id, entry in entries.items():
        if step_id not in standard:
            given = _given(entry)
            out.append(Milestone(step_id, str(entry.get("title") or step_id), "",
                                 given or "not-started", entry.get("owner"), entry.get("due"),
                                 "file" if given else "default", custom=True))
    return out


def readiness(plan: dict) -> Readiness:
    """Counts and a percentage: done over applicable steps, rounded down (100 only when all done).

    With no applicable step at all the percentage is 0: there is nothing to show progress on.
    """
    steps = milestone_statuses(plan)
    count = {s: sum(m.status == s for m in steps) for s in MILESTONE_STATUSES}
    applicable = len(steps) - count["not-applicable"]
    percent = count["done"] * 100 // applicable if applicable else 0
    return Readiness(percent, count["done"], count["in-progress"], count["not-started"],
                     count["not-applicable"], len(steps), steps)
