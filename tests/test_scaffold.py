"""Tests for lead_replicate.scaffold: the plan written by `lead-replicate init`."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from conftest import DATA
from hypothesis import given
from hypothesis import strategies as st

from lead_replicate import scaffold
from lead_replicate.documents.templating import quote_yaml
from lead_replicate.errors import LeadError, OutputError
from lead_replicate.loading.loader import load_text
from lead_replicate.rules.validate import validate_file

SECTIONS = ["lead", "jurisdiction", "stakeholders", "governance", "referral", "prosecution",
            "case_management", "services", "data_sharing", "racial_equity", "evaluation",
            "training", "funding", "agreement", "milestones"]


# Fields of format.md that tests/data/complete.yaml happens not to use.
FIELDS_NOT_IN_COMPLETE = {
    "referral.arrest_diversion.eligible_offenses[].statute",
    "case_management.fixed_duration_months",
}

HOSTILE_NAMES = [
    'Example: "City" # x',
    "{{ x }}",
    "{% if true %}x{% endif %}",
    "Example\nCity",
    "Example\r\nCity\t(tab)",
    "  leading and trailing spaces  ",
    "'single' and \"double\" quotes \\ backslash",
    "- starts like a list item",
    "&anchor *alias !tag |",
    "Peñasco, Española, Ōtautahi, 東京, 😀",
    "line\u2028separator\u2029paragraph\x85next",
    "\ufeffbyte order mark",
    "null",
    "yes",
    "123",
    "\x00\x07\x1b control",
]


def _render_all_fields(**answers: object) -> str:
    """The template with every undecided field uncommented (checks the template's structure)."""
    context = {"name": "Example City", "state": "OR", "kind": "city", "short_name": None,
               "government_signs": True}
    context.update(answers)
    return scaffold._render(context, undecided_prefix="")


def _key_paths(data: object, prefix: str = "") -> set[str]:
    paths: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            paths.add(path)
            paths |= _key_paths(value, path)
    elif isinstance(data, list):
        for item in data:
            paths |= _key_paths(item, f"{prefix}[]")
    return paths


def _rulebook_ids() -> set[str]:
    from lead_replicate.rules.principles import load_rulebook

    return {p.id for p in load_rulebook()}


# --- render_plan -----------------------------------------------------------------------------

def test_rendered_plan_loads_with_the_given_answers() -> None:
    source = load_text(scaffold.render_plan("Example City", "OR", "city-county"))
    assert source.data == {
        "lead": 1,
        "jurisdiction": {"name": "Example City", "state": "OR", "kind": "city-county"},
    }


def test_state_and_kind_are_normalized() -> None:
    data = load_text(scaffold.render_plan("Example County", " or ", " County ")).data
    assert data["jurisdiction"]["state"] == "OR"
    assert data["jurisdiction"]["kind"] == "county"


def test_short_name_is_filled_only_when_given() -> None:
    with_short = scaffold.render_plan("Example City and County", "OR", "city", "Example")
    assert load_text(with_short).data["jurisdiction"]["short_name"] == "Example"
    without = scaffold.render_plan("Example City and County", "OR", "city")
    assert "short_name" not in load_text(without).data["jurisdiction"]
    assert re.search(r"^#   short_name:", without, re.MULTILINE)


def test_modeline_is_the_first_line() -> None:
    text = scaffold.render_plan("Example City", "OR", "city")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=lead-replicate.schema.json"
    assert scaffold.SCHEMA_FILENAME == "lead-replicate.schema.json"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_round_trip_exactly(name: str) -> None:
    text = scaffold.render_plan(name, "OR", "city", short_name=name)
    jurisdiction = load_text(text).data["jurisdiction"]
    assert jurisdiction["name"] == name
    assert jurisdiction["short_name"] == name
    assert set(load_text(text).data) == {"lead", "jurisdiction"}


@given(st.text(min_size=1).filter(str.strip))
def test_any_name_round_trips_exactly(name: str) -> None:
    text = scaffold.render_plan(name, "OR", "city")
    assert load_text(text).data["jurisdiction"]["name"] == name


@given(st.text())
def test_quote_yaml_reads_back_with_both_yaml_parsers(value: str) -> None:
    quoted = quote_yaml(value)
    assert "\n" not in quoted
    assert yaml.load(quoted, Loader=yaml.SafeLoader) == value
    if hasattr(yaml, "CSafeLoader") and not re.search("[\ud800-\udfff]", value):
        assert yaml.load(quoted, Loader=yaml.CSafeLoader) == value


def test_quote_yaml_keeps_readable_unicode_readable() -> None:
    assert quote_yaml("Peñasco 😀") == '"Peñasco 😀"'
    assert quote_yaml('a "b" \\') == '"a \\"b\\" \\\\"'


def test_every_section_of_the_format_is_present_commented() -> None:
    text = scaffold.render_plan("Example City", "OR", "city")
    for section in SECTIONS[2:]:
        assert re.search(rf"^# {section}:", text, re.MULTILINE), section
        assert not re.search(rf"^{section}:", text, re.MULTILINE), section


def test_every_field_of_the_format_is_present() -> None:
    """Uncommenting every field gives exactly the format's fields, nothing misspelled."""
    data = yaml.safe_load(_render_all_fields())
    assert list(data) == SECTIONS
    complete = yaml.safe_load((DATA / "complete.yaml").read_text("utf-8"))
    assert _key_paths(data) == _key_paths(complete) | FIELDS_NOT_IN_COMPLETE


def test_every_section_says_which_principles_it_serves() -> None:
    text = scaffold.render_plan("Example City", "OR", "city")
    lines = text.splitlines()
    served: set[str] = set()
    serves_lines = 0
    for i, line in enumerate(lines):
        if not line.startswith("# Serves:"):
            continue
        serves_lines += 1
        if "checklist" in line or "the MOU's standard terms" in line:
            continue
        payload = line.removeprefix("# Serves:")
        for more in lines[i + 1:]:
            if not more.startswith("#   ") or ":" in more:
                break
            payload += "," + more.removeprefix("#")
        served |= {part.strip() for part in payload.split(",") if part.strip()}
    assert serves_lines == len(SECTIONS) - 1  # every section but `lead`
    known = _rulebook_ids()
    assert served <= known, served - known
    assert known <= served, f"principles no section serves: {known - served}"


@pytest.mark.parametrize(("args", "message"), [
    (("Example City", "XX", "city"), "'XX' is not a two-letter USPS state code"),
    (("Example City", "Oregon", "city"), "'Oregon' is not a two-letter USPS state code"),
    (("Example City", "", "city"), "'' is not a two-letter USPS state code"),
    (("Example City", "OR", "town"), "'town' is not a kind of jurisdiction. Use one of: city, "
                                     "county, city-county, state, tribal, region."),
    (("   ", "OR", "city"), "The jurisdiction name is empty"),
])
def test_bad_answers_are_rejected_in_plain_words(args: tuple[str, str, str],
                                                 message: str) -> None:
    with pytest.raises(LeadError) as info:
        scaffold.render_plan(*args)
    assert str(info.value).startswith(message)


def test_undecodable_characters_are_rejected() -> None:
    with pytest.raises(LeadError, match=r"not valid text \(U\+DCFF\); retype it"):
        scaffold.render_plan("Example\udcffCity", "OR", "city")


def test_blank_short_name_is_rejected() -> None:
    with pytest.raises(LeadError, match="short name is empty"):
        scaffold.render_plan("Example City", "OR", "city", short_name=" ")


def test_states_and_kinds() -> None:
    assert len(scaffold.STATES) == 56
    assert {"DC", "AS", "GU", "MP", "PR", "VI", "WA", "NM"} <= set(scaffold.STATES)
    assert all(re.fullmatch("[A-Z]{2}", code) for code in scaffold.STATES)
    assert scaffold.KINDS == ["city", "county", "city-county", "state", "tribal", "region"]
    for code in scaffold.STATES:
        scaffold.check_inputs("Example", code, "state")


def test_templates_dir_holds_the_plan_template() -> None:
    assert (scaffold.templates_dir() / scaffold.TEMPLATE).is_file()


# --- write_new_plan --------------------------------------------------------------------------

def test_write_new_plan_writes_the_rendered_plan(tmp_path: Path) -> None:
    target = tmp_path / "mycity.yaml"
    assert scaffold.write_new_plan(target, "Example City", "OR", "city") == target
    assert target.read_bytes() == scaffold.render_plan("Example City", "OR", "city").encode()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != scaffold.SCHEMA_FILENAME) == [
        "mycity.yaml"]


def test_refuses_to_overwrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("mycity.yaml").write_text("lead: 1  # my work\n", encoding="utf-8")
    with pytest.raises(OutputError) as info:
        scaffold.write_new_plan("mycity.yaml", "Example City", "OR", "city")
    assert str(info.value) == "mycity.yaml already exists; choose another name or delete it first"
    assert Path("mycity.yaml").read_text(encoding="utf-8") == "lead: 1  # my work\n"
    assert sorted(os.listdir()) == ["mycity.yaml"]


def test_a_file_created_during_the_write_is_not_clobbered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "mycity.yaml"
    real_link = os.link

    def racing_link(src: str, dst: str) -> None:
        Path(dst).write_text("someone else's plan\n", encoding="utf-8")
        real_link(src, dst)

    monkeypatch.setattr(os, "link", racing_link)
    with pytest.raises(OutputError, match="already exists"):
        scaffold.write_new_plan(target, "Example City", "OR", "city")
    assert target.read_text(encoding="utf-8") == "someone else's plan\n"
    assert [p.name for p in tmp_path.iterdir()] == ["mycity.yaml"]


def test_works_where_hard_links_are_not_supported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_link(src: str, dst: str) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_link)
    target = scaffold.write_new_plan(tmp_path / "mycity.yml", "Example City", "OR", "city")
    assert load_text(target.read_bytes()).data["jurisdiction"]["name"] == "Example City"
    assert not list(tmp_path.glob(".lead-init-*"))


def test_new_plan_is_not_made_private(tmp_path: Path) -> None:
    target = scaffold.write_new_plan(tmp_path / "mycity.yaml", "Example City", "OR", "city")
    ordinary = tmp_path / "ordinary.txt"
    ordinary.write_text("x", encoding="utf-8")
    assert target.stat().st_mode == ordinary.stat().st_mode


def test_unwritable_folder_is_a_plain_error(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(folder: Path, text: str) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(scaffold, "_new_temp_file", denied)
    with pytest.raises(OutputError) as info:
        scaffold.write_new_plan(tmp_path / "mycity.yaml", "Example City", "OR", "city")
    expected = (f"{tmp_path / 'mycity.yaml'}: cannot write (Permission denied); "
                "choose another folder, or change its permissions")
    assert str(info.value) == expected


def test_missing_folder_and_bad_suffix(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist; create it first"):
        scaffold.write_new_plan(tmp_path / "nope" / "mycity.yaml", "Example City", "OR", "city")
    with pytest.raises(LeadError, match=r"must end in \.yaml or \.yml"):
        scaffold.write_new_plan(tmp_path / "mycity.txt", "Example City", "OR", "city")
    assert list(tmp_path.iterdir()) == []


def test_bad_answers_write_nothing(tmp_path: Path) -> None:
    with pytest.raises(LeadError):
        scaffold.write_new_plan(tmp_path / "mycity.yaml", "Example City", "ZZ", "city")
    assert list(tmp_path.iterdir()) == []


def test_schema_file_is_written_beside_the_plan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lead_replicate.rules import schema

    fake = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}
    monkeypatch.setattr(schema, "json_schema", lambda: fake, raising=False)
    scaffold.write_new_plan(tmp_path / "mycity.yaml", "Example City", "OR", "city")
    written = (tmp_path / scaffold.SCHEMA_FILENAME).read_text(encoding="utf-8")
    assert written == json.dumps(fake, indent=2) + "\n"


def test_existing_schema_file_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lead_replicate.rules import schema

    monkeypatch.setattr(schema, "json_schema", lambda: {"new": True}, raising=False)
    (tmp_path / scaffold.SCHEMA_FILENAME).write_text("{}\n", encoding="utf-8")
    scaffold.write_new_plan(tmp_path / "mycity.yaml", "Example City", "OR", "city")
    assert (tmp_path / scaffold.SCHEMA_FILENAME).read_text(encoding="utf-8") == "{}\n"


# --- the new plan under the validator ---------------------------------------------------------

def test_new_plan_has_no_schema_findings_and_only_open_questions(tmp_path: Path) -> None:
    target = scaffold.write_new_plan(tmp_path / "mycity.yaml", 'Example: "City" # x', "OR",
                                     "city-county")
    report = validate_file(target)
    assert report.structurally_valid
    assert [f for f in report.findings if not f.is_principle] == []
    assert report.jurisdiction == 'Example: "City" # x'
    # Nothing is decided yet, so nothing can depart from a principle: every finding is open.
    assert [f for f in report.findings if f.status != "open"] == []


def _drop_nulls(data: object) -> object:
    """Drop empty fields, except required text (names, a statute's citation and source),
    which gets a fictional value."""
    required = ("name", "citation", "source")
    if isinstance(data, dict):
        return {k: f"Example {k}" if k in required and v is None else _drop_nulls(v)
                for k, v in data.items() if v is not None or k in required}
    if isinstance(data, list):
        return [_drop_nulls(v) for v in data if v is not None]
    return data


def test_shown_values_are_valid_and_what_lead_expects() -> None:
    """Uncommenting every pre-filled value gives a valid plan with no departure from LEAD.

    Empty fields are dropped first: they are what the planner still has to write.
    """
    from lead_replicate.rules.validate import validate_source

    data = _drop_nulls(yaml.safe_load(_render_all_fields()))
    report = validate_source(load_text(yaml.safe_dump(data, sort_keys=False), "shown.yaml"))
    assert [f for f in report.findings if not f.is_principle] == []
    assert [f for f in report.findings if f.status == "violation"] == []


def _comment_lists(text: str, label: str) -> list[str]:
    """The comma-separated words after ``# LABEL:`` and its ``#   `` continuation lines."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"# {label}:"))
    words = lines[start].split(":", 1)[1]
    for line in lines[start + 1:]:
        if not re.match(r"#\s{2,}\S", line):
            break
        words += " " + line[1:]
    return [w.strip() for w in words.split(",")]


def test_the_plan_templates_lists_and_defaults_are_the_formats() -> None:
    """The choices, lists and defaults the template spells out in comments are the format's.

    The format definition (schema.FORMAT) and data/milestones.yaml are their one home; the
    template repeats them for the planner, so this test holds each copy to that home.
    """
    from lead_replicate.rules import schema
    from lead_replicate.rules.readiness import standard_steps

    text = _render_all_fields()
    source = load_text(text, "all.yaml")
    path_of = {mark.line: path for path, mark in source.key_marks.items()
               if path and isinstance(path[-1], str)}
    lines = text.splitlines()
    checked = 0
    for number, line in enumerate(lines, 1):
        comment = line.partition(" # ")[2].strip()
        if number not in path_of or " | " not in comment:
            continue
        listed = comment.split(":")[0]
        follow = number
        while listed.rstrip().endswith("|"):  # a list carried onto the next comment line
            listed += " " + lines[follow].partition("#")[2].strip()
            follow += 1
        choices = [c.strip() for c in listed.split("|")]
        rules = schema.rules_at(path_of[number]) or {}
        expected = ["true", "false"] if rules.get("type") == "boolean" else rules.get("allowed")
        assert choices == expected, (number, line)
        checked += 1
    assert checked >= 25
    assert _comment_lists(text, "roles") == schema.ROLES
    assert _comment_lists(text, "standard ids") == [s.id for s in standard_steps()]
    signatory = next(line for line in lines if line.strip().startswith("signatory:") and
                     "#" in line)
    assert f"(default {str(schema.default('stakeholders', 'signatory')).lower()})" in signatory
