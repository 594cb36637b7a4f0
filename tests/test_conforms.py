"""The fast format check agrees with cerberus: it says yes exactly when cerberus finds nothing.

``check_structure`` skips cerberus when :func:`conforms` says yes, so a yes that cerberus would
contradict would hide an error. These tests compare the two over every plan stored in the
repository, over a value of every kind put at every field of the complete plan, and over
generated junk.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lead_replicate.errors import LoadError
from lead_replicate.loading.loader import Source, load_jurisdiction
from lead_replicate.rules import conforms as fast
from lead_replicate.rules.schema import FORMAT, validator
from lead_replicate.rules.structure import _text_keys_only, check_structure


def _loadable(paths: list[Path]) -> dict[str, Source]:
    """The stored plans the loader accepts (the others never reach the structural check)."""
    found = {}
    for path in paths:
        try:
            found[str(path.relative_to(ROOT))] = load_jurisdiction(path)
        except LoadError:
            continue
    return found


SOURCES = _loadable(sorted({*DATA.rglob("*.yaml"), *(ROOT / "examples").glob("*.yaml"),
                            *(ROOT / "jurisdictions").glob("*.yaml")}))


def _cerberus_ok(data: Any) -> bool:
    """Cerberus, as the structural check runs it, finds nothing (non-text keys are errors)."""
    odd: list = []
    clean = _text_keys_only(data, (), odd)
    return not odd and validator().validate(clean, normalize=False)


def test_format_uses_only_rules_the_fast_check_mirrors() -> None:
    assert fast.available()


def test_type_table_matches_the_validator() -> None:
    types = validator().types_mapping
    for name, (included, excluded) in fast.TYPES.items():
        assert (types[name].included_types, types[name].excluded_types) == (included, excluded)
        exact = fast._EXACT[name]  # the shortcut for what YAML gives must be a pass
        assert issubclass(exact, included) and not issubclass(exact, excluded)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_agrees_with_cerberus_on_every_stored_plan(name: str) -> None:
    assert fast.conforms(SOURCES[name].data) is _cerberus_ok(SOURCES[name].data)


def test_stored_plans_include_both_answers() -> None:
    assert {fast.conforms(s.data) for s in SOURCES.values()} == {True, False}


def _fields(rules: dict, path: tuple) -> Iterator[tuple[tuple, dict]]:
    """Every field path of FORMAT (list items as index 0) with its rules."""
    for key, rule in rules.items():
        here = (*path, key)
        yield here, rule
        while rule["type"] == "list":
            here, rule = (*here, 0), rule["schema"]
            yield here, rule
        if rule["type"] == "dict":
            yield from _fields(rule["schema"], here)


def _valid(rule: dict) -> Any:
    """A value every rule of ``rule`` accepts (lists get one item, mappings every field)."""
    kind = rule["type"]
    if "allowed" in rule:
        return rule["allowed"][0]
    if kind == "dict":
        return {k: _valid(r) for k, r in rule["schema"].items()}
    if kind == "list":
        return [_valid(rule["schema"])]
    return {"string": "a", "integer": 1, "boolean": True,
            "date": datetime.date(2027, 1, 1)}[kind]


def _parent(plan: dict, path: tuple) -> Any:
    node: Any = plan
    for part in path[:-1]:
        node = node[part]
    return node


def _section(top: str) -> dict:
    """A small valid plan holding every field of the section ``top``."""
    return {k: _valid(FORMAT[k]) for k in ("lead", "jurisdiction", top)}


PROBES = [None, "", "Ab C", "ab-c", "en", -1, 0, 7, True, 1.5, datetime.date(2027, 1, 1),
          datetime.datetime(2027, 1, 1, 9, 0), [], [None], ["x"], {}, {"zz": 1}, {5: "x"}]


def test_agrees_with_cerberus_on_every_kind_of_value_at_every_field() -> None:
    """Each probe value replaces each field in turn; each field is also deleted."""
    for top in FORMAT:
        assert fast.conforms(_section(top)) and _cerberus_ok(_section(top))
    for path, _ in _fields(FORMAT, ()):
        plan = _section(path[0])
        parent = _parent(plan, path)
        original = parent[path[-1]]
        for probe in PROBES:
            parent[path[-1]] = probe
            assert fast.conforms(plan) is _cerberus_ok(plan), (path, probe)
        if isinstance(parent, dict):
            del parent[path[-1]]
            assert fast.conforms(plan) is _cerberus_ok(plan), (path, "deleted")
            parent[path[-1]] = original
            parent["zz"] = 1
            assert fast.conforms(plan) is _cerberus_ok(plan), (path, "unknown key")


_leaf = (st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from(["", "a", "A b", "en"])
         | st.dates())
_junk = st.recursive(_leaf, lambda inner: st.lists(inner, max_size=2)
                     | st.dictionaries(st.sampled_from(["name", "id", "x"]), inner, max_size=2),
                     max_leaves=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([p for p, _ in _fields(FORMAT, ())]), _junk)
def test_agrees_with_cerberus_on_generated_values(path: tuple, value: Any) -> None:
    plan = _section(path[0])
    _parent(plan, path)[path[-1]] = value
    assert fast.conforms(plan) is _cerberus_ok(plan)


def test_check_structure_gives_the_same_findings_with_cerberus_always(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Over every stored plan: the findings and plan with the fast check equal those without."""
    from lead_replicate.rules import structure

    sources = list(SOURCES.values())
    with_fast = [check_structure(s) for s in sources]
    monkeypatch.setattr(structure, "available", lambda: False)
    assert [check_structure(s) for s in sources] == with_fast
