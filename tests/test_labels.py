"""Format values reach readers in words: one mapping (labels.py), and no raw id in a document."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from test_faithful import PLANS, _ids, render, visible

from lead_replicate.labels import WORDS, label
from lead_replicate.rules.schema import FORMAT
from lead_replicate.rules.validate import validate_file

PARTNER = ("mou", "manual", "decisions", "consent")
# Raw ids that are also English compound modifiers where documents use them ("the
# case-management provider", "a law-enforcement agency", "the state's public-records law").
ENGLISH = {"case-management", "law-enforcement", "public-records"}


def _allowed(rules: dict) -> set[str]:
    found: set[str] = set()
    for rule in rules.values():
        if not isinstance(rule, dict):
            continue
        found.update(v for v in rule.get("allowed", []) if isinstance(v, str))
        inner = rule.get("schema")
        if isinstance(inner, dict):
            found |= _allowed(inner if "type" not in inner else {"item": inner})
            if inner.get("type") == "dict" and isinstance(inner.get("schema"), dict):
                found |= _allowed(inner["schema"])
    return found


ALLOWED = sorted(_allowed(FORMAT) - {"AL", "AK"} - {s for s in _allowed(FORMAT) if s.isupper()})


def test_every_value_the_format_allows_has_words() -> None:
    assert "case-managers" in ALLOWED and "multi-party" in ALLOWED
    assert [v for v in ALLOWED if v not in WORDS] == []
    assert label("multi-party") == "multi-party" and label("case-managers") == "case managers"
    assert label("other", "approach") == "another approach"


@functools.cache
def _text(plan: Path, document: str) -> str:
    return visible(render(validate_file(plan), document))


@pytest.mark.parametrize("plan", PLANS, ids=_ids(PLANS))
def test_no_partner_document_prints_a_raw_or_naive_value(plan: Path) -> None:
    raw = [v for v in ALLOWED if "-" in v and WORDS[v] != v and v not in ENGLISH]
    # A naive "multi party": the words of a hyphenated compound with the hyphen dropped
    # ("harm reduction" is English as a noun, so it is not one).
    naive = [v.replace("-", " ") for v in ALLOWED if "-" in WORDS[v] and v != "harm-reduction"]
    either = "|".join(map(re.escape, raw + naive))
    pattern = re.compile(rf"(?<![\w-])(?:{either})(?![\w-])")
    for document in PARTNER:
        text = _text(plan, document)
        hits = [text[max(0, m.start() - 50):m.end() + 30] for m in pattern.finditer(text)]
        assert hits == [], (document, hits)


def test_departing_values_read_as_words_in_as_now_drafted_lines() -> None:
    from conftest import ROOT

    from lead_replicate.rules.validate import validate_text
    text = (ROOT / "tests" / "data" / "complete.yaml").read_text(encoding="utf-8")
    for old, new in (("release_of_information: multi-party", "release_of_information: per-agency"),
                     ("decision_rule: consensus", "decision_rule: other"),
                     ("meets: biweekly", "meets: as-needed"),
                     ("point: pre-booking", "point: post-booking"),
                     ("{audience: case-managers,", "{audience: public-defenders,")):
        assert old in text
        text = text.replace(old, new)
    report = validate_text(text, "odd-values.yaml")
    brief = visible(render(report, "decisions"))
    for said in ("Participants sign one release per agency, not one multi-party release of "
                 "information.", "The policy group decides by another rule, not by consensus.",
                 "The Operational Work Group meets as needed;",
                 "Arrest diversion happens at the post-booking stage, not before booking.",
                 "No training is planned for case managers."):
        assert said in brief, said
    for document in PARTNER:
        words = visible(render(report, document))
        assert not re.search(r"\b(?:per-agency|as-needed|multi party|case-managers)\b", words), \
            document
