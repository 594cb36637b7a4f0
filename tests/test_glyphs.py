"""Text the documents' fonts cannot show: a warning at its line; the fonts cover the rest."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import DATA

from lead_replicate.documents.packet import BuildOptions, render_document
from lead_replicate.loading.loader import load_text
from lead_replicate.rules.glyphs import COVERAGE_FILE, coverage_text, shipped_font_files
from lead_replicate.rules.validate import validate_source


def test_the_coverage_table_matches_the_shipped_fonts() -> None:
    """Regenerate with ``python tools/fonts.py coverage`` after changing a font."""
    assert COVERAGE_FILE.read_text(encoding="utf-8") == coverage_text(shipped_font_files())


def test_text_the_fonts_cannot_show_is_a_warning_at_its_line() -> None:
    plan = yaml.safe_load((DATA / "complete.yaml").read_text(encoding="utf-8"))
    plan["jurisdiction"]["short_name"] = "Ελληνικά Русский Tiếng Việt 北京市"
    text = yaml.safe_dump(plan, sort_keys=False, allow_unicode=True)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "short_name" in row)
    report = validate_source(load_text(text, "plan.yaml"))
    flagged = [f for f in report.findings if f.principle == "unprintable-text"]
    assert [(f.severity, f.path, f.line, f.column, f.message) for f in flagged] == [(
        "warning", "jurisdiction.short_name", line, 15,
        "The documents' fonts cannot show 北 (U+5317), 京 (U+4EAC), 市 (U+5E02): they print "
        "as empty boxes, or in whatever font the computer making the PDF has.")]
    assert report.errors == 0  # a warning about the text, not about the plan
    for document in ("mou", "manual", "checklist"):  # the documents still build
        assert "北京市" in render_document(report, document, BuildOptions(Path("unused")))


def test_text_written_with_escapes_is_checked_too() -> None:
    """An ASCII file can still hold other characters, through a double-quoted escape."""
    text = (DATA / "complete.yaml").read_text(encoding="utf-8").replace(
        "name: Example City and County, Oregon", 'name: "Example \\u5317"', 1)
    assert text.isascii()
    flagged = [(f.path, f.message[:43]) for f in validate_source(load_text(text)).findings
               if f.principle == "unprintable-text"]
    assert flagged == [("jurisdiction.name", "The documents' fonts cannot show 北 (U+5317)")]
