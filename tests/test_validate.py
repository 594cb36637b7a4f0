"""The validate pipeline: no input, however malformed, makes it raise."""

from __future__ import annotations

import datetime as dt

import yaml
from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lead_replicate.findings import Finding
from lead_replicate.rules.validate import collect_files, validate_file, validate_text

COMPLETE = DATA / "complete.yaml"
PLAN = yaml.safe_load(COMPLETE.read_text(encoding="utf-8"))

scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
           | st.text(max_size=30) | st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(PLAN) if p]


def _replaced(plan, path, value):
    if len(path) == 1:
        copy = list(plan) if isinstance(plan, list) else dict(plan)
        copy[path[0]] = value
        return copy
    copy = list(plan) if isinstance(plan, list) else dict(plan)
    copy[path[0]] = _replaced(plan[path[0]], path[1:], value)
    return copy


def _check_report(report) -> None:
    assert all(isinstance(f, Finding) and f.line >= 1 and f.column >= 1 for f in report.findings)
    assert all(f.message and f.fix for f in report.findings)
    assert report.to_dict()["errors"] == report.errors


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), junk), min_size=1, max_size=3))
def test_a_plan_with_any_part_replaced_never_raises(changes) -> None:
    plan = PLAN
    for path, value in changes:
        try:
            plan = _replaced(plan, path, value)
        except (KeyError, IndexError, TypeError, ValueError):  # an earlier change removed it
            continue
    _check_report(validate_text(yaml.safe_dump(plan, allow_unicode=True), "fuzz.yaml"))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=300))
def test_any_text_or_bytes_never_raises(raw) -> None:
    _check_report(validate_text(raw, "fuzz.yaml"))


def test_the_complete_plan_has_no_findings() -> None:
    report = validate_file(COMPLETE)
    assert report.findings == [] and report.valid and report.plan is not None


def test_unreadable_file_is_one_yaml_finding(tmp_path) -> None:
    report = validate_file(tmp_path / "missing.yaml")
    (finding,) = report.findings
    assert (finding.principle, finding.severity, report.valid) == ("yaml", "error", False)
    assert "does not exist" in finding.message


def test_structure_errors_stop_principle_checks() -> None:
    report = validate_text("lead: 1\njurisdiction: {name: X, state: ZZ, kind: city}\n")
    assert report.plan is None
    assert {f.principle for f in report.findings} == {"schema"}


def test_collect_files_expands_folders_and_refuses_missing(tmp_path) -> None:
    (tmp_path / "b.yaml").write_text("lead: 1\n")
    (tmp_path / "a.yml").write_text("lead: 1\n")
    (tmp_path / "c.txt").write_text("")
    assert [p.name for p in collect_files([tmp_path])] == ["a.yml", "b.yaml"]
    try:
        collect_files([tmp_path / "nope"])
    except FileNotFoundError as exc:
        assert "nope" in str(exc)
    else:
        raise AssertionError("a missing path must raise FileNotFoundError")


def test_counts_are_one_definition_for_every_output():
    from lead_replicate.findings import Counts, Finding

    findings = [Finding("error", "caseload", "a", 1, 1, "m", status="open"),
                Finding("error", "harm-reduction", "b", 2, 1, "m"),
                Finding("warning", "training", "c", 3, 1, "m", status="open"),
                Finding("warning", "schema", "d", 4, 1, "m")]
    counts = Counts.of(findings)
    assert counts == Counts(errors=2, warnings=2, open=2)
    assert counts.text() == "2 errors, 2 warnings (2 open questions)"
    assert Counts(1, 0, 0).text() == "1 error, 0 warnings"
    assert [f.is_principle for f in findings] == [True, True, True, False]


def test_report_computes_statuses_rows_and_readiness_once():
    from lead_replicate.rules.principles import principle_statuses

    report = validate_file(COMPLETE.parents[2] / "examples" / "santa_fe.yaml")
    assert report.statuses is report.statuses  # cached, not recomputed per document
    assert report.statuses == principle_statuses(report.findings)
    assert [r["status"] for r in report.principle_rows] == list(report.statuses.values())
    assert report.readiness is not None and report.readiness is report.readiness
    assert report.to_dict()["errors"] == report.counts.errors


def test_a_file_named_several_times_is_collected_once(tmp_path, monkeypatch) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("lead: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    given = ["b.yaml", ".", "./b.yaml", str(tmp_path / "a.yaml"), "a.yaml"]
    assert [str(p) for p in collect_files(given)] == ["b.yaml", "a.yaml"]
