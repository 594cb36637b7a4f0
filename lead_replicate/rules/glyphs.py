"""Text the documents' fonts cannot show: a format-level warning at its line.

The documents embed only the shipped fonts (Caladea, with Noto Serif for the Latin
diacritics, Greek and Cyrillic that Caladea lacks). A character neither can show prints as an
empty box, or in whatever font the machine happens to have, so ``validate`` names it at its
line before anyone prints a document. The characters the fonts cover are precomputed from the
fonts into ``data/font-coverage.txt`` (``python tools/fonts.py coverage``; a test checks it
against the fonts), so the check needs no font library and costs almost nothing.
"""

from __future__ import annotations

import bisect
import functools
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lead_replicate.findings import Finding, PathParts, format_path
from lead_replicate.loading.source import Source

CHECK_ID = "unprintable-text"
COVERAGE_FILE = Path(__file__).resolve().parent.parent / "data" / "font-coverage.txt"
STYLES = ("Regular", "Bold", "Italic", "BoldItalic")
SHOWN = 8  # characters named in one message; the rest are counted
FIX = ("Spell this with letters the documents can show (Latin, Greek or Cyrillic), for "
       "example a transliteration, or check the printed document where this text appears.")


def check_text(source: Source) -> list[Finding]:
    """One warning per string value with characters the shipped fonts cannot show."""
    findings: list[Finding] = []
    if source.text and source.text.isascii() and "\\" not in source.text:
        return findings  # ASCII text without escapes ("\\u00e9") holds only ASCII values
    for path, text in _strings(source.data, ()):
        missing = _missing(text)
        if missing:
            mark = source.locate(path, value=True)
            findings.append(Finding("warning", CHECK_ID, format_path(path), mark.line,
                                    mark.column, _message(missing), FIX))
    return findings


def _strings(node: Any, path: PathParts) -> Iterator[tuple[PathParts, str]]:
    if isinstance(node, str):
        if not node.isascii():  # every printable ASCII character is covered
            yield path, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, (*path, i))


def _missing(text: str) -> list[str]:
    starts, ends = _coverage()
    seen: dict[str, None] = {}
    for char in text:
        code = ord(char)
        if code < 0x80 or char in seen or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            continue  # ASCII, or invisible: controls, joiners and marks that draw nothing
        i = bisect.bisect_right(starts, code) - 1
        if i < 0 or code > ends[i]:
            seen[char] = None
    return list(seen)


def _message(missing: list[str]) -> str:
    named = ", ".join(f"{c} (U+{ord(c):04X})" for c in missing[:SHOWN])
    more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
    return (f"The documents' fonts cannot show {named}{more}: "
            f"{'it prints' if len(missing) == 1 else 'they print'} as empty boxes, or in "
            "whatever font the computer making the PDF has.")


@functools.lru_cache(maxsize=1)
def _coverage() -> tuple[list[int], list[int]]:
    starts, ends = [], []
    for line in COVERAGE_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lo, _, hi = line.partition("-")
            starts.append(int(lo, 16))
            ends.append(int(hi or lo, 16))
    return starts, ends


# --- making and checking the data file (needs fontTools, which WeasyPrint installs) --------


def shipped_font_files() -> dict[str, list[Path]]:
    """The shipped font files by style: ``{"Regular": [Caladea-Regular.ttf, ...], ...}``."""
    from lead_replicate.documents.templating import templates_dir

    fonts = templates_dir() / "assets" / "fonts"
    return {style: sorted(fonts.glob(f"*-{style}.ttf")) for style in STYLES}


def coverage_text(files: dict[str, list[Path]]) -> str:
    """The characters every style can show (from one of its fonts), as hex ranges."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    common: set[int] | None = None
    for paths in files.values():
        style: set[int] = set()
        for path in paths:
            with TTFont(path, lazy=True) as font:
                style |= set(font.getBestCmap())
        common = style if common is None else common & style
    ranges: list[list[int]] = []
    for code in sorted(common or ()):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    names = ", ".join(p.name for paths in files.values() for p in paths)
    lines = [f"{lo:04X}" if lo == hi else f"{lo:04X}-{hi:04X}" for lo, hi in ranges]
    return ("# Characters every style of the shipped fonts can show (tools/fonts.py coverage).\n"
            f"# Fonts: {names}\n" + "\n".join(lines) + "\n")
