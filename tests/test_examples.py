"""Tests for the shipped example and cohort files: they load and validate as intended."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from lead_replicate.loading.loader import load_jurisdiction
from lead_replicate.rules.validate import validate_file

SEATTLE = ROOT / "examples" / "seattle.yaml"
SANTA_FE = ROOT / "examples" / "santa_fe.yaml"
ALBANY = ROOT / "jurisdictions" / "albany.yaml"
ALL_FILES = [SEATTLE, SANTA_FE, ALBANY]

def _walk_keys(node: object) -> list[str]:
    """Every mapping key anywhere in ``node``."""
    if isinstance(node, dict):
        return [k for key, value in node.items() for k in (key, *_walk_keys(value))]
    if isinstance(node, list):
        return [k for item in node for k in _walk_keys(item)]
    return []


def _describe(report) -> str:
    return "\n".join(f"{f.line}:{f.column} {f.severity} [{f.principle}] {f.message}"
                     for f in report.findings)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_file_loads_with_required_keys(path: Path) -> None:
    data = load_jurisdiction(path).data
    assert data["lead"] == 1
    jurisdiction = data["jurisdiction"]
    for key in ("name", "state", "kind"):
        assert isinstance(jurisdiction[key], str) and jurisdiction[key], key


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_no_statute_is_given(path: Path) -> None:
    """lead-facts.md sources no statute number, so no file may carry one."""
    assert "statute" not in _walk_keys(load_jurisdiction(path).data)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_stakeholder_ids_are_unique_and_referenced_ids_exist(path: Path) -> None:
    data = load_jurisdiction(path).data
    ids = [s["id"] for s in data["stakeholders"]]
    assert len(ids) == len(set(ids))
    governance = data.get("governance", {})
    named = [m for group in ("policy_group", "operations_group", "community_leadership_team")
             for m in governance.get(group, {}).get("members", [])]
    assert set(named) <= set(ids)


def test_no_signer_is_invented() -> None:
    """No source names who signed any of these MOUs: the documents print blank lines."""
    for path in ALL_FILES:
        for stakeholder in load_jurisdiction(path).data["stakeholders"]:
            assert "signer" not in stakeholder, (path.name, stakeholder["id"])


def test_seattle_launch_is_month_precise() -> None:
    jurisdiction = load_jurisdiction(SEATTLE).data["jurisdiction"]
    assert str(jurisdiction["launch"]) == "2011-10-01"
    assert jurisdiction["launch_precision"] == "month"


def test_seattle_has_no_errors() -> None:
    """The showcase must build its MOU and manual; warnings (honest gaps) are allowed."""
    report = validate_file(SEATTLE)
    assert report.structurally_valid, _describe(report)
    assert report.errors == 0, _describe(report)


def test_santa_fe_fails_the_no_fail_out_principle() -> None:
    report = validate_file(SANTA_FE)
    hits = [f for f in report.findings if f.principle == "no-fail-out" and f.severity == "error"]
    assert hits, _describe(report)
    assert any("removal_for_noncompliance" in f.path for f in hits), _describe(report)


def test_albany_is_structurally_valid() -> None:
    """A plan in progress: open questions, but nothing the format rejects."""
    report = validate_file(ALBANY)
    bad = [f for f in report.findings if not f.is_principle]
    assert not bad, _describe(report)
    assert report.structurally_valid
