"""Source positions: present keys, missing keys, and keys present only as comments."""

from __future__ import annotations

from lead_replicate.loading.loader import load_text
from lead_replicate.loading.source import Mark, commented_keys

TEXT = """\
lead: 1
jurisdiction:
  name: Example City
  # problem_statement: >-
# Why: a note that is prose, not a key
case_management:
  provider: care
  # caseload:
  #   average:                  # per case manager
# referral:
#   arrest_diversion:
#     handoff_minutes: 30
"""


def test_commented_keys_follow_indentation():
    marks = commented_keys(TEXT)
    assert marks[("jurisdiction", "problem_statement")] == Mark(4, 3)
    assert marks[("case_management", "caseload")] == Mark(8, 3)
    assert marks[("case_management", "caseload", "average")] == Mark(9, 3)
    assert marks[("referral", "arrest_diversion", "handoff_minutes")] == Mark(12, 1)
    assert ("lead",) not in marks and ("case_management", "provider") not in marks


def test_missing_key_points_at_its_commented_line_else_the_nearest_ancestor():
    source = load_text(TEXT, "plan.yaml")
    assert source.locate(("case_management", "caseload", "maximum")) == Mark(8, 3)
    assert source.locate(("case_management", "caseload", "average")) == Mark(9, 3)
    assert source.locate(("referral", "voluntary")) == Mark(10, 1)
    assert source.locate(("case_management", "outreach")) == Mark(6, 1)
    assert source.locate(("evaluation", "design")) == Mark(1, 1)
    assert source.locate(("case_management", "provider")) == Mark(7, 3)
