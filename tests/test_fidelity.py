"""A partly decided point prints as partial, and partner documents bracket what is open."""

from __future__ import annotations

import functools
from pathlib import Path

from conftest import ROOT
from test_faithful import render, visible

from lead_replicate.documents.openquestions import open_questions
from lead_replicate.rules.validate import Report, validate_file


@functools.cache
def report(name: str) -> Report:
    return validate_file(Path(ROOT / "examples" / f"{name}.yaml"))


def questions(name: str) -> dict[str, str]:
    return {q["id"]: q["question"] for g in open_questions(report(name)) for q in g["items"]}


def messages(name: str, principle: str) -> list[str]:
    return [f.message for f in report(name).findings if f.principle == principle]


def test_partial_decisions_ask_only_what_is_open() -> None:
    santa_fe, seattle = questions("santa_fe"), questions("seattle")
    assert santa_fe["evaluation"] == "What design will the evaluation use?"
    assert santa_fe["charge-handling"] == "What happens when intake is not completed in time?"
    assert seattle["project-manager"] == "Is the project manager's position full time?"


def test_partial_decision_messages_state_what_is_decided() -> None:
    assert messages("santa_fe", "evaluation") == [
        "The evaluator is named; the evaluation design is not decided yet."]
    assert messages("santa_fe", "charge-handling") == [
        "Decided: re-filing is allowed. Not decided yet: what happens when intake is not "
        "completed in time."]
    assert "The project manager's host is named; not decided yet whether the position is " \
        "full time." in messages("seattle", "project-manager")
    brief = visible(render(report("santa_fe"), "decisions"))
    assert "Who will evaluate" not in brief and "may a charge be re-filed" not in brief


def test_checklist_lists_every_open_point_of_a_principle() -> None:
    checklist = visible(render(report("seattle"), "checklist"))
    for message in messages("seattle", "charge-handling"):
        assert checklist.count(message) >= 1, message


def test_partner_documents_bracket_open_points_as_decisions() -> None:
    albany = validate_file(ROOT / "jurisdictions" / "albany.yaml")
    seattle = report("seattle")
    mou = visible(render(seattle, "mou"))
    assert "[To be decided: whether racial disparities in referrals and outcomes are " \
        "monitored.]" in mou
    for r in (seattle, albany):
        for doc in ("mou", "manual"):
            text = visible(render(r, doc))
            for f in r.findings:
                if f.is_principle and f.status == "open":
                    assert f.message not in text, (doc, f.message)
            assert "The plan does not say" not in text
    albany_mou = visible(render(albany, "mou"))
    window = "[To be decided: how many days a diverted person has to complete intake.]"
    assert albany_mou.count(window) <= 1


def test_core_means_a_core_principle_with_an_error_finding() -> None:
    seattle = report("seattle")
    checklist = visible(render(seattle, "checklist"))
    assert "of them core" not in checklist or "leaves no core question open" not in checklist
    assert "Dedicated project manager (core)" not in checklist
    core = [q["id"] for g in open_questions(seattle) for q in g["items"] if q["core"]]
    errors = {f.principle for f in seattle.findings if f.severity == "error"}
    assert set(core) <= errors and "project-manager" not in core


def test_checklist_status_note_wraps_inside_its_cell() -> None:
    # "in progress (named in the plan)" overprinted "unassigned" in the Owner column when the
    # whole status cell was nowrap; the note now wraps on its own line inside the cell.
    css = (ROOT / "templates" / "assets" / "lead.css").read_text(encoding="utf-8")
    assert ".status .note { display: block; white-space: normal;" in css


def test_brief_shows_no_booleans_or_audience_ids() -> None:
    brief = visible(render(report("seattle"), "decisions"))
    assert "True" not in brief and "False" not in brief
    assert "Options: yes or no." in brief
    assert "case-managers" not in brief and "case-managers" not in visible(
        render(report("santa_fe"), "decisions"))


def test_signing_finding_names_the_role_in_words() -> None:
    assert any(m.endswith("(case-management provider) does not sign the MOU.")
               for m in messages("santa_fe", "shared-intention"))


def test_a_missing_intake_window_is_one_finding_that_leaves_both_principles_open() -> None:
    albany = validate_file(ROOT / "jurisdictions" / "albany.yaml")
    window = [f for f in albany.findings if f.path == "prosecution.intake_window_days"]
    assert [(f.principle, f.also, f.severity, f.status) for f in window] == [
        ("prosecutor-commitment", ("intake-window",), "error", "open")]
    assert albany.statuses["intake-window"] == albany.statuses["prosecutor-commitment"] == "open"
    from lead_replicate.console import finding_lines
    (line,) = [t for t in finding_lines(albany) if "intake window" in t]
    assert "[prosecutor-commitment] No intake window is set yet. Also open under " \
        "[intake-window]. Fix:" in line
    row = next(r for r in albany.principle_rows if r["id"] == "intake-window")
    assert row["messages"] == ["No intake window is set yet."] and not row["core"]


def _items(name: str) -> dict[str, dict]:
    return {q["id"]: q for g in open_questions(report(name)) for q in g["items"]}


def test_an_unset_safeguard_flag_is_asked_narrowly_and_bracketed_once() -> None:
    # Santa Fe states abstinence and sanctions but not drug testing: harm reduction is open.
    santa_fe = report("santa_fe")
    assert santa_fe.statuses["harm-reduction"] == "open"
    hr = _items("santa_fe")["harm-reduction"]
    assert (hr["question"], hr["options"], hr["recommends"]) == (
        "Will participants be required to take drug tests?", ["no", "yes"],
        "no drug-testing requirement")
    mou = visible(render(santa_fe, "mou"))
    assert "Participants are not required to be abstinent and are not sanctioned for drug use " \
        "or relapse. As now drafted" in mou
    assert mou.count("[To be decided: whether participants are required to take drug "
                     "tests.]") == 1
    # Nothing decided: the whole question, bracketed once (not once per flag).
    albany = validate_file(ROOT / "jurisdictions" / "albany.yaml")
    assert visible(render(albany, "manual")).count("[To be decided: whether case management "
                                                    "follows harm reduction") <= 1


def test_field_based_asks_only_the_open_flags() -> None:
    q = _items("seattle")["field-based"]
    assert q["question"] == "Will case managers work in the field rather than in an office?"
    mou = visible(render(report("seattle"), "mou"))
    assert "[To be decided: whether case managers work in the field.]" in mou
    assert "outreach and flexible funds.]" not in mou
    assert [m for m in messages("seattle", "field-based")] == [
        "Decided: outreach and flexible funds. Not decided yet: field-based case management."]


def test_part_options_are_values_the_format_allows() -> None:
    from lead_replicate.documents.openquestions import decision_data
    from lead_replicate.rules.schema import rules_at
    for pid, entry in decision_data()["principles"].items():
        fields = [(entry.get("field"), entry.get("options") or [])]
        fields += [(path, part.get("options") or []) for path, part in
                   (entry.get("parts") or {}).items()]
        for path, options in fields:
            rules = rules_at(tuple(path.split("."))) if path else None
            for option in options:
                if "value" not in option or rules is None:
                    continue
                allowed = rules.get("allowed")
                if allowed is not None:
                    assert option["value"] in allowed, (pid, path, option)
                elif rules.get("type") == "boolean":
                    assert isinstance(option["value"], bool), (pid, path, option)


def test_a_clause_never_asks_the_same_open_point_twice() -> None:
    # Albany leaves the charge handling, the window and the release open. The clause that
    # brackets a field itself does not also print validate's question about that field.
    albany = validate_file(ROOT / "jurisdictions" / "albany.yaml")
    mou, manual = visible(render(albany, "mou")), visible(render(albany, "manual"))
    presumption = mou.split("The presumption.")[1].split("Completed intake.")[0]
    assert presumption.count("[To be decided:") == 2  # the charge handling and the days
    assert "what happens to a diverted charge" not in presumption
    diverted = manual.split("The diverted charge.")[1].split("Intake window.")[0]
    assert diverted.count("[To be decided:") == 2
    assert "what happens to a diverted charge" not in diverted
    consent = mou.split("The participant's consent.")[1].split("What each organization")[0]
    assert consent.count("release of information") == 1
    assert "[To be decided: which confidentiality laws apply.]" in consent


def test_an_open_point_is_worded_as_the_decision_to_take() -> None:
    # "[To be decided: that police never ask …]" reads as if it were settled; an open point
    # names the decision ("whether police are barred from …").
    from test_faithful import PARTNER, PLANS

    for plan in PLANS:
        report = validate_file(plan)
        if not report.structurally_valid:
            continue
        for document in (*PARTNER, "consent"):
            text = visible(render(report, document))
            assert "[To be decided: that " not in text, (plan.name, document)
