"""Round-trip edits: only the edited lines change; comments, order and quoting stay."""

from __future__ import annotations

import datetime as dt
import difflib

import pytest
import yaml
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from lead_replicate.loading.loader import load_text
from lead_replicate.scaffold import render_plan
from lead_replicate.workbench.editing import Document, EditError, parse_path

SEATTLE = (ROOT / "examples" / "seattle.yaml").read_text(encoding="utf-8")


def changed(before: str, after: str) -> list[str]:
    """The diff's changed lines, without headers or context."""
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("---", "+++")]


def edit(text: str, *edits: tuple[str, object], lines: bool = True) -> str:
    """Make the edits as the workbench does: with the validator's positions (``lines``), so
    one-line edits are made on their line, or without, so ruamel's dump is spliced in."""
    doc = Document(text)
    for path, value in edits:
        doc.edit(parse_path(path), value, load_text(doc.text, "plan.yaml") if lines else None)
    return doc.text


@pytest.mark.parametrize(("text", "parts"), [
    ("case_management.caseload.maximum", ("case_management", "caseload", "maximum")),
    ("stakeholders[2].name", ("stakeholders", 2, "name")),
    ("referral.arrest_diversion.eligible_offenses[0]",
     ("referral", "arrest_diversion", "eligible_offenses", 0)),
    ("a[1][2]", ("a", 1, 2)),
])
def test_paths_are_written_as_findings_write_them(text, parts):
    assert parse_path(text) == parts


@pytest.mark.parametrize("text", ["", "[0]", "a..b", "a.", "a[x]", "a b", "a.[0]", "a]",
                                  "stakeholders.2.name", "../etc", "a[0]b"])
def test_malformed_paths_are_refused(text):
    with pytest.raises(EditError):
        parse_path(text)


NOTED = """\
lead: 1
jurisdiction:
  name: Example City   # as the charter spells it
  # population: not in our sources
  state: WA
  kind: city
case_management:
  caseload:
    average: 20   # average
    maximum: 25   # at most
  # field_based: unknown; ask the provider

# Next section's heading
evaluation:
  independent: true
"""


@pytest.mark.parametrize("lines", [True, False])
def test_changing_a_value_changes_only_that_line_and_keeps_its_comment(lines):
    after = edit(SEATTLE, ("case_management.caseload.maximum", 30), lines=lines)
    old = next(line for line in SEATTLE.splitlines() if line.startswith("    maximum: 25"))
    assert changed(SEATTLE, after) == ["-" + old, "+" + old.replace("25", "30", 1)]
    after = edit(NOTED, ("case_management.caseload.maximum", 30), lines=lines)
    assert changed(NOTED, after) == ["-    maximum: 25   # at most", "+    maximum: 30   # at most"]


@pytest.mark.parametrize("lines", [True, False])
def test_a_new_key_goes_below_a_note_about_it_and_nothing_else_moves(lines):
    after = edit(NOTED, ("case_management.field_based", True), ("jurisdiction.population", 7),
                 lines=lines)
    assert changed(NOTED, after) == ["+  population: 7", "+  field_based: true"]
    rows = after.splitlines()
    note = "  # field_based: unknown; ask the provider"
    assert rows[rows.index("  field_based: true") - 1] == note
    assert rows[rows.index("  population: 7") - 1] == "  # population: not in our sources"


@pytest.mark.parametrize("lines", [True, False])
def test_a_new_key_at_the_end_of_a_section_goes_above_the_next_heading(lines):
    after = edit(NOTED, ("case_management.outreach", True), lines=lines)
    assert changed(NOTED, after) == ["+  outreach: true"]
    rows = after.splitlines()
    assert rows[rows.index("  outreach: true") - 1:][:3] == [
        "  # field_based: unknown; ask the provider", "  outreach: true", ""]


@pytest.mark.parametrize("lines", [True, False])
def test_removing_a_key_keeps_the_comments_after_it(lines):
    after = edit(NOTED, ("case_management.caseload.maximum", None), lines=lines)
    assert changed(NOTED, after) == ["-    maximum: 25   # at most"]
    after = edit(SEATTLE, ("case_management.caseload.maximum", None), lines=lines)
    assert [line.split("#")[0].rstrip() for line in changed(SEATTLE, after)] == [
        "-    maximum: 25"]


@pytest.mark.parametrize("lines", [True, False])
def test_a_commented_out_field_of_an_init_plan_is_filled_in_on_its_own_line(lines):
    plan = render_plan("Example City, Oregon", "OR", "city")
    after = edit(plan, ("jurisdiction.population", 25000), lines=lines)
    assert changed(plan, after) == [
        "-#   population:                      # a whole number",
        "+  population: 25000                  # a whole number",
    ]


def test_a_commented_out_section_of_an_init_plan_is_uncommented_where_it_stands():
    plan = render_plan("Example City, Oregon", "OR", "city")
    after = edit(plan, ("case_management.caseload.maximum", 25))
    assert changed(plan, after) == [
        "-#= case_management:".replace("#=", "#"),
        "+case_management:",
        "-#   caseload:",
        "+  caseload:",
        "-#     maximum:                       # the most any case manager carries",
        "+    maximum: 25                      # the most any case manager carries",
    ]
    assert yaml.safe_load(after)["case_management"] == {"caseload": {"maximum": 25}}


def test_a_first_stakeholder_goes_under_the_commented_stakeholders_heading():
    plan = render_plan("Example City, Oregon", "OR", "city")
    after = edit(plan, ("stakeholders[0].id", "police"), ("stakeholders[0].name", "Police"))
    assert changed(plan, after) == ["-# stakeholders:", "+stakeholders:", "+  - id: police",
                                    "+    name: Police"]


@pytest.mark.parametrize("lines", [True, False])
def test_text_yaml_would_misread_is_quoted_and_dates_are_dates(lines):
    after = edit(SEATTLE, ("jurisdiction.pilot_area", "yes"),
                 ("jurisdiction.problem_statement", "2027-01-01"),
                 ("jurisdiction.short_name", " padded"),
                 ("jurisdiction.launch", "2012-03-01"),
                 ("stakeholders[0].name", "Police: the department # 1"), lines=lines)
    data = yaml.safe_load(after)
    assert data["jurisdiction"]["pilot_area"] == "yes"
    assert data["jurisdiction"]["problem_statement"] == "2027-01-01"
    assert data["jurisdiction"]["short_name"] == " padded"
    assert data["jurisdiction"]["launch"] == dt.date(2012, 3, 1)
    assert data["stakeholders"][0]["name"] == "Police: the department # 1"


def test_list_items_are_appended_replaced_and_removed():
    n = len(yaml.safe_load(SEATTLE)["stakeholders"])
    after = edit(SEATTLE, (f"stakeholders[{n}]", {"id": "new", "name": "New", "role": "other"}))
    assert yaml.safe_load(after)["stakeholders"][-1] == {"id": "new", "name": "New",
                                                         "role": "other"}
    assert changed(SEATTLE, after) == ["+  - id: new", "+    name: New", "+    role: other"]
    after = edit(after, (f"stakeholders[{n}]", None))
    assert after == SEATTLE


def test_impossible_edits_are_refused_and_leave_the_text_alone():
    doc = Document(SEATTLE)
    for path, value in [("stakeholders[99].name", "x"), ("lead.x", 1),
                        ("stakeholders.name", "x"), ("jurisdiction[0]", 1)]:
        with pytest.raises(EditError):
            doc.edit(parse_path(path), value)
    assert doc.text == SEATTLE
    assert changed(SEATTLE, doc.edit(parse_path("prosecution.intake_window_days"), 20)) == [
        line for line in changed(SEATTLE, edit(SEATTLE, ("prosecution.intake_window_days", 20)))]


@pytest.mark.parametrize("lines", [True, False])
def test_lines_ruamel_would_reformat_stay_as_written(lines):
    text = ("lead:   1   # odd spacing\n"
            "jurisdiction: {name: 'X',   state: WA, kind: city}\n"
            "case_management:\n"
            "    caseload:\n"
            "        average:    20\n"
            "        maximum: 25\n")
    after = edit(text, ("case_management.caseload.maximum", 30), lines=lines)
    assert changed(text, after) == ["-        maximum: 25", "+        maximum: 30"]


def test_line_endings_and_a_missing_final_newline_are_kept():
    text = "lead: 1\njurisdiction:\n  name: X\n  state: WA\n  kind: city"
    after = edit(text, ("jurisdiction.kind", "county"))
    assert after == text.replace("city", "county")


def test_many_edits_mean_what_they_say():
    doc = Document(SEATTLE)
    for n in range(20, 26):
        doc.edit(parse_path("case_management.caseload.maximum"), n)
        doc.edit(parse_path("governance.policy_group.meets"), ["monthly", "weekly"][n % 2])
    data = yaml.safe_load(doc.text)
    assert data["case_management"]["caseload"]["maximum"] == 25
    assert data["governance"]["policy_group"]["meets"] == "weekly"
    assert len(changed(SEATTLE, doc.text)) <= 4


EDIT_CHOICES = [
    ("case_management.caseload.maximum", [30, 12, None]),
    ("case_management.caseload.average", [15, None]),
    ("case_management.field_based", [True, False, None]),
    ("jurisdiction.population", [5000, None]),
    ("jurisdiction.pilot_area", ["Downtown: 3rd Avenue", "yes", None]),
    ("governance.policy_group.meets", ["monthly", None]),
    ("stakeholders[0].name", ["Police # 1", None]),
    ("evaluation.measures[0]", ["arrests", None]),
]


def _model_edit(data: dict, path: tuple, value: object) -> None:
    """The plain-data meaning of an edit: set (creating parents), or remove with None (and
    the sections that leaves empty)."""
    node = data
    for i, part in enumerate(path[:-1]):
        child = node[part] if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and part < len(node)) else None
        if child is None:
            if value is None:
                return
            child = [] if isinstance(path[i + 1], int) else {}
            if isinstance(node, list):
                node.append(child)
            else:
                node[part] = child
        node = child
    last = path[-1]
    if value is None:
        if isinstance(node, dict):
            node.pop(last, None)
        elif last < len(node):
            del node[last]
        if not node and len(path) > 1:  # a section left empty is removed too
            _model_edit(data, path[:-1], None)
    elif isinstance(node, list) and last == len(node):
        node.append(value)
    else:
        node[last] = value


@settings(max_examples=12, deadline=None)
@given(st.booleans(), st.sampled_from(["seattle", "init"]),
       st.lists(st.tuples(st.integers(0, len(EDIT_CHOICES) - 1), st.integers(0, 2)),
                min_size=1, max_size=6))
def test_any_edits_mean_what_they_say_and_keep_every_other_line(lines, which, picks):
    text = SEATTLE if which == "seattle" else render_plan("Example City, Oregon", "OR", "city")
    doc = Document(text)
    model = yaml.safe_load(text)
    for index, choice in picks:
        path, values = EDIT_CHOICES[index]
        value = values[choice % len(values)]
        parts = parse_path(path)
        try:
            doc.edit(parts, value, load_text(doc.text, "plan.yaml") if lines else None)
        except EditError:
            continue  # e.g. a list index past the end: refused, nothing changed
        _model_edit(model, parts, value)
        assert yaml.safe_load(doc.text) == model
    kept = set(doc.text.splitlines())
    touched = {line for line in text.splitlines() if line not in kept}
    assert len(touched) <= 2 * len(picks) + 2  # each edit changes its own few lines only
