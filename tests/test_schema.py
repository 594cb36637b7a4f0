"""Tests for the format definition, structural checks, normalization and JSON Schema export."""

from __future__ import annotations

import copy
import datetime
import hashlib
import re
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import DATA, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lead_replicate.loading.loader import Source, load_jurisdiction
from lead_replicate.rules import schema
from lead_replicate.rules.readiness import MilestoneStatus, standard_steps
from lead_replicate.rules.schema import (
    FORMAT,
    json_schema,
    slugify,
)
from lead_replicate.rules.structure import check_structure

SCHEMA_DATA = DATA / "schema"

# fixture name -> (path, line, column, a phrase the message must contain)
DEFECTS = {
    "unknown-key": ("stakholders", 7, 1, "unknown key 'stakholders'; did you mean 'stakeholders'?"),
    "unknown-nested-key": ("stakeholders[0].signator", 11, 5, "did you mean 'signatory'?"),
    "wrong-type-population": ("jurisdiction.population", 7, 15, "expected a whole number"),
    "bool-for-money": ("funding.sources[0].amount", 9, 44, "expected a whole number, got true"),
    "negative-money": ("funding.sources[0].amount", 10, 15, "0 or more, got -500"),
    "bool-for-text": ("jurisdiction.short_name", 5, 15,
                      "got yes/no/on/off read as true/false; put the text in quotes"),
    "number-for-text": ("funding.sources[0].period", 9, 44, "expected text, got the number 2027"),
    "bad-date": ("jurisdiction.launch", 7, 11, "expected a date written YYYY-MM-DD"),
    "not-a-list": ("stakeholders", 8, 3, "expected a list, got a mapping"),
    "null-value": ("jurisdiction.population", 7, 14, "has no value; expected a whole number"),
    "bad-state": ("jurisdiction.state", 5, 10, "'XO' is not allowed; expected a two-letter USPS"),
    "bad-enum": ("case_management.approach", 8, 13, "did you mean 'harm-reduction'?"),
    "language-not-en": ("jurisdiction.language", 7, 13, "expected one of: en"),
    "bad-id": ("stakeholders[0].id", 8, 9, "'City PD' is not a valid id"),
    "bad-slug": ("jurisdiction.slug", 5, 9, "'../Example' is not a valid id"),
    "missing-required": ("jurisdiction.kind", 3, 1, "missing required key 'kind' in jurisdiction"),
    "missing-jurisdiction": ("jurisdiction", 1, 1, "missing required key 'jurisdiction'"),
    "missing-stakeholder-role": ("stakeholders[0].role", 8, 5, "missing required key 'role'"),
    "lead-2": ("lead", 2, 7, "format version 2 is not known; this tool reads format 1"),
    "lead-true": ("lead", 2, 7, "expected a whole number"),
    "bad-stakeholder-ref": ("governance.policy_group.members[1]", 12, 21,
                            "no stakeholder has id 'ecdaa'; did you mean 'ecda'?"),
    "bad-milestone-owner": ("milestones[0].owner", 10, 56, "no stakeholder has id 'police'"),
    "refs-without-stakeholders": ("governance.project_manager.host", 9, 11,
                                  "the file lists no stakeholders"),
    "liaison-not-prosecutor": ("governance.operations_group.liaison_prosecutor", 13, 25,
                               "must name a stakeholder with role 'prosecutor'"),
    "provider-not-case-management": ("case_management.provider", 11, 13,
                                     "with role 'case-management'"),
    "duplicate-stakeholder-id": ("stakeholders[1].id", 11, 9,
                                 "stakeholder id 'ecpd' is used twice (first on line 8)"),
    "duplicate-milestone-id": ("milestones[1].id", 9, 10,
                               "milestone id 'mou-signed' is used twice"),
    "custom-milestone-without-title": ("milestones[1].title", 9, 5,
                                       "custom milestone 'neighborhood-briefing' needs a title"),
    "acting-for-not-government": ("stakeholders[0].acting_for", 8, 89,
                                  "acting_for must name a stakeholder with role 'government'"),
    "handles-not-prosecutor": ("stakeholders[0].handles", 11, 5,
                               "only a prosecutor lists the offense levels it handles"),
    "bad-eligibility-confirmer": ("referral.arrest_diversion.eligibility_confirmed_by", 12, 31,
                                  "no stakeholder has id 'da'; did you mean 'ecda'?"),
    "bad-part2-program": ("data_sharing.part2_programs[0]", 11, 20,
                          "no stakeholder has id 'cares'; did you mean 'care'?"),
    "bad-recipient": ("data_sharing.recipients[0].id", 12, 12,
                      "no stakeholder has id 'epcd'; did you mean 'ecpd'?"),
    "statute-without-source": ("agreement.statutes[0].source", 9, 7,
                               "missing required key 'source' in agreement.statutes[0]"),
}


def check(name: str) -> tuple[list, dict | None]:
    return check_structure(load_jurisdiction(SCHEMA_DATA / f"{name}.yaml"))


def test_every_fixture_is_covered() -> None:
    names = {p.stem for p in SCHEMA_DATA.glob("*.yaml") if not p.stem.startswith("ok-")}
    assert names == set(DEFECTS)


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_defect_gives_one_schema_error_at_the_exact_place(name: str) -> None:
    path, line, column, phrase = DEFECTS[name]
    findings, plan = check(name)
    assert plan is None
    assert len(findings) == 1, findings
    (f,) = findings
    assert (f.severity, f.principle, f.status) == ("error", "schema", "violation")
    assert (f.path, f.line, f.column) == (path, line, column)
    assert phrase in f.message
    assert f.fix.endswith(".") and len(f.fix) > 10


def test_complete_plan_has_no_findings(complete_path: Path) -> None:
    findings, plan = check_structure(load_jurisdiction(complete_path))
    assert findings == []
    assert plan is not None
    assert plan["jurisdiction"]["slug"] == "example-city"  # given values are kept
    assert plan["stakeholders"][0]["commitments"] == [
        "Designate a LEAD sergeant for each shift in the pilot area."]
    assert plan["stakeholders"][5]["signatory"] is False  # the community partner: defaulted


@pytest.mark.parametrize("name", ["ok-minimal", "ok-service-provider-free-text"])
def test_valid_fixtures_pass(name: str) -> None:
    assert check(name)[0] == []


def test_normalization_fills_documented_defaults_in_a_copy() -> None:
    source = load_jurisdiction(SCHEMA_DATA / "ok-minimal.yaml")
    source.data["stakeholders"] = [{"id": "ecpd", "name": "Example City PD",
                                    "role": "law-enforcement"}]
    before = copy.deepcopy(source.data)
    findings, plan = check_structure(source)
    assert findings == [] and plan is not None
    assert source.data == before  # the loaded data is not touched
    j = plan["jurisdiction"]
    assert j["short_name"] == "Example City, Oregon"
    assert j["slug"] == "example-city-oregon"
    assert j["language"] == "en"
    assert j["launch_precision"] == "day"
    assert plan["stakeholders"][0]["signatory"] is False
    assert plan["stakeholders"][0]["commitments"] == []
    assert "governance" not in plan  # absent sections stay absent


def test_launch_precision_is_accepted_and_checked(complete_plan: dict) -> None:
    complete_plan["jurisdiction"]["launch_precision"] = "month"
    assert check_structure(Source("x", complete_plan))[0] == []
    complete_plan["jurisdiction"]["launch_precision"] = "week"
    (f,) = check_structure(Source("x", complete_plan))[0]
    assert f.path == "jurisdiction.launch_precision"
    assert "day, month, year" in f.message


def test_fixed_duration_may_be_null(complete_plan: dict) -> None:
    complete_plan["case_management"]["fixed_duration_months"] = None
    assert check_structure(Source("x", complete_plan))[0] == []


def test_datetime_is_not_a_date(complete_plan: dict) -> None:
    complete_plan["jurisdiction"]["launch"] = datetime.datetime(2027, 3, 1, 9, 0)
    (f,) = check_structure(Source("x", complete_plan))[0]
    assert f.path == "jurisdiction.launch"


def test_several_errors_are_all_reported(complete_plan: dict) -> None:
    complete_plan["jurisdiction"]["population"] = "many"
    complete_plan["lead"] = 3
    complete_plan["governance"]["policy_group"]["members"].append("nobody")
    paths = {f.path for f in check_structure(Source("x", complete_plan))[0]}
    assert paths == {"lead", "jurisdiction.population", "governance.policy_group.members[5]"}


def test_standard_milestone_ids_are_valid_ids() -> None:
    ids = [step.id for step in standard_steps()]  # data/milestones.yaml: their one home
    assert len(set(ids)) == 17
    assert all(re.fullmatch(schema.ID_PATTERN, m) for m in ids)


def test_milestone_statuses_have_one_home() -> None:
    assert typing.get_args(MilestoneStatus) == schema.MILESTONE_STATUSES
    assert schema.rules_at(("milestones", 0, "status"))["allowed"] == list(
        schema.MILESTONE_STATUSES)


def test_defaults_come_from_the_format_definition() -> None:
    assert schema.default("jurisdiction", "language") == "en"
    assert schema.default("jurisdiction", "launch_precision") == "day"
    assert schema.default("stakeholders", "signatory") is False
    assert schema.default("stakeholders", "commitments") == []


def test_states_include_dc_and_territories_only() -> None:
    assert len(schema.STATES) == 56
    assert {"DC", "AS", "GU", "MP", "PR", "VI", "WA"} <= set(schema.STATES)


@pytest.mark.parametrize(("text", "slug"), [
    ("Seattle and King County, Washington", "seattle-and-king-county-washington"),
    ("Santa Fe, New Mexico", "santa-fe-new-mexico"),
    ("Bogotá  --  Región", "bogota-region"),
    ("../../etc/passwd", "etc-passwd"),
    ("!!!", "jurisdiction-" + hashlib.sha256(b"!!!").hexdigest()[:8]),
    # no Latin letter: one folder per name, not one "jurisdiction" folder for them all
    ("東京都", "jurisdiction-ce76fe65"),
    ("Αθήνα", "jurisdiction-c52df369"),
])
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug
    assert re.fullmatch(schema.ID_PATTERN, slug)


ODD_INPUTS: list[Any] = [
    {}, {"lead": 1}, {"lead": None, "jurisdiction": []}, {1: 2, None: 3, 2.5: "x"},
    {"lead": 1, "jurisdiction": {"name": ["a"], "state": {}, "kind": 5}},
    {"lead": 1, "stakeholders": [None, 1, [], {"id": ["x"]}, {"id": "a"}, {"id": "a"}]},
    {"lead": 1, "governance": {"policy_group": {"members": "spd"}}, "milestones": {"x": 1}},
    {"lead": 1, "governance": [1], "case_management": {"provider": {"a": 1}}},
    {"lead": 1, "milestones": [{"id": 5}, {"id": None}, "x", {"id": "custom", "owner": []}]},
    {"lead": 1.0, "jurisdiction": {"name": "x", "state": "WA", "kind": "city", 7: 8}},
    {"lead": 1, "jurisdiction": {"name": "x", "state": "WA", "kind": "city"},
     "stakeholders": [{"id": "a", "name": "A", "role": "prosecutor", "signer": "x"}],
     "governance": {"operations_group": {"liaison_prosecutor": "a", "members": [["a"]]}}},
    [], None, "lead: 1", 5,
]


@pytest.mark.parametrize("data", ODD_INPUTS)
def test_never_raises_on_odd_input(data: Any) -> None:
    findings, plan = check_structure(Source("odd.yaml", data))
    assert plan is None
    assert findings and all(f.principle == "schema" for f in findings)
    assert not any("internal error" in f.message for f in findings)


def _schema_keys(rule: dict) -> set[str]:
    if rule["type"] == "list":
        return _schema_keys(rule["schema"])
    if rule["type"] != "dict":
        return set()
    return set(rule["schema"]).union(*(_schema_keys(r) for r in rule["schema"].values()))


_KEYS = sorted(_schema_keys({"type": "dict", "schema": FORMAT}) | {"schema", "type"})
_scalars = (st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=4)
            | st.sampled_from(["a", "spd", "WA", "city", "en", "mou-signed"])
            | st.dates() | st.floats(allow_nan=True))
_keys = st.sampled_from(_KEYS) | st.integers(0, 3) | st.none() | st.booleans()
_junk = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(_keys, inner, max_size=4), max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(list(FORMAT)) | _keys, _junk, max_size=8))
def test_never_raises_on_generated_input(data: dict) -> None:
    findings, plan = check_structure(Source("fuzz.yaml", data))
    assert not any("internal error" in f.message for f in findings)
    assert (plan is None) == bool(findings)


# --- JSON Schema --------------------------------------------------------------------------


def _json_valid(instance: Any, rule: dict) -> bool:
    """Check with the real draft 2020-12 validator editors use (jsonschema, a test dependency)."""
    checker = jsonschema.Draft202012Validator(rule, format_checker=jsonschema.FormatChecker())
    return checker.is_valid(instance)


def _as_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value.isoformat() if isinstance(value, datetime.date) else value


def _walk(rule: dict) -> list[dict]:
    out = [rule]
    for sub in rule.get("properties", {}).values():
        out += _walk(sub)
    if "items" in rule:
        out += _walk(rule["items"])
    return out


def test_json_schema_shape() -> None:
    js = json_schema()
    assert js["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert js["type"] == "object" and js["additionalProperties"] is False
    assert js["required"] == ["lead", "jurisdiction"]
    assert js["properties"]["lead"]["enum"] == [1]
    jur = js["properties"]["jurisdiction"]
    assert jur["required"] == ["name", "state", "kind"]
    assert jur["properties"]["launch"] == {
        "description": jur["properties"]["launch"]["description"],
        "type": "string", "format": "date"}
    assert jur["properties"]["state"]["enum"] == schema.STATES
    assert "launch_precision" in jur["properties"]
    assert jur["properties"]["language"]["default"] == "en"
    fixed = js["properties"]["case_management"]["properties"]["fixed_duration_months"]
    assert fixed["type"] == ["integer", "null"] and fixed["minimum"] == 0
    stake = js["properties"]["stakeholders"]
    assert stake["type"] == "array" and stake["items"]["required"] == ["id", "name", "role"]
    assert stake["items"]["properties"]["id"]["pattern"] == schema.ID_PATTERN
    allowed = {"type", "properties", "required", "additionalProperties", "items", "enum",
               "pattern", "minimum", "maximum", "minLength", "format", "description", "default"}
    assert set(js) == {"$schema", "title", "description", "type", "properties", "required",
                       "additionalProperties"}
    for rule in _walk(js)[1:]:
        assert set(rule) <= allowed
        assert rule["description"].endswith(".")
        if "object" in rule["type"]:
            assert rule["additionalProperties"] is False


def test_json_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema())


def test_complete_plan_passes_json_schema(complete_plan: dict) -> None:
    assert _json_valid(_as_json(complete_plan), json_schema())


@pytest.mark.parametrize("example", ["examples/seattle.yaml", "examples/santa_fe.yaml",
                                     "jurisdictions/albany.yaml"])
def test_examples_pass_json_schema(example: str) -> None:
    data = load_jurisdiction(ROOT / example).data
    assert _json_valid(_as_json(data), json_schema())


@pytest.mark.parametrize("name", [
    "ok-minimal", "ok-service-provider-free-text", "unknown-key", "unknown-nested-key",
    "wrong-type-population", "bool-for-money", "negative-money", "bool-for-text",
    "number-for-text", "not-a-list", "null-value", "bad-state", "bad-enum", "language-not-en",
    "bad-id", "bad-slug", "missing-required", "missing-jurisdiction", "lead-2", "lead-true",
])
def test_json_schema_agrees_with_cerberus(name: str) -> None:
    source = load_jurisdiction(SCHEMA_DATA / f"{name}.yaml")
    cerberus_ok = check_structure(source)[0] == []
    assert _json_valid(_as_json(source.data), json_schema()) is cerberus_ok
    assert cerberus_ok is name.startswith("ok-")


def test_validator_is_built_once() -> None:
    assert schema.validator() is schema.validator()


def test_format_is_a_valid_cerberus_schema() -> None:
    """validator() skips cerberus's own check of FORMAT for speed; this test runs it."""
    import cerberus
    from cerberus.schema import DefinitionSchema

    checker = type(schema.validator())
    definition = copy.deepcopy(schema.FORMAT)
    checker(definition)  # raises cerberus.SchemaError on any unknown rule or bad constraint
    # Cerberus expands shortcuts when it checks; the unchecked FORMAT must need none.
    assert DefinitionSchema.expand(copy.deepcopy(schema.FORMAT)) == schema.FORMAT
    with pytest.raises(cerberus.SchemaError):
        checker({"lead": {"type": "integer", "alowed": [1]}})
