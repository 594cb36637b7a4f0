"""Maintain the shipped fonts and the table of characters they can show.

    python tools/fonts.py subset /usr/share/fonts/truetype/noto   # Noto Serif subsets
    python tools/fonts.py coverage                                # lead_replicate/data/...

``subset`` cuts the four Noto Serif styles (SIL Open Font License; Debian's fonts-noto-core)
down to what Caladea lacks of Latin with every diacritic (Vietnamese), Greek and Cyrillic, so
documents in those scripts do not depend on the machine's fonts.
``coverage`` writes the characters every shipped style can show, which ``validate`` reads to
warn about text that would print as empty boxes; a test checks it against the fonts.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lead_replicate.rules.glyphs import COVERAGE_FILE, coverage_text, shipped_font_files  # noqa: E402

FONTS = ROOT / "templates" / "assets" / "fonts"
STYLES = ("Regular", "Bold", "Italic", "BoldItalic")
RANGES = [
    (0x0020, 0x007E), (0x00A0, 0x024F),  # Basic Latin, Latin-1, Latin Extended-A and -B
    (0x02B0, 0x02FF), (0x0300, 0x036F),  # spacing modifiers, combining diacritics
    (0x0370, 0x03FF),  # Greek (modern, monotonic)
    (0x0400, 0x052F),  # Cyrillic and its Supplement
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F),  # punctuation, currency, letterlike
]

NEUTRAL = {*range(0x0020, 0x0041), *range(0x005B, 0x0061), *range(0x007B, 0x007F),
           *range(0x00A0, 0x00C0), *range(0x2000, 0x206F)}


def subset(source: Path) -> None:
    from fontTools import subset as ft

    for style in STYLES:
        options = ft.Options()
        # Kerning, and the features that place and compose diacritics; no alternates.
        options.layout_features = ["kern", "mark", "mkmk", "ccmp", "locl", "liga"]
        options.hinting = False
        options.name_IDs = ["*"]
        options.notdef_outline = True
        font = ft.load_font(str(source / f"NotoSerif-{style}.ttf"), options)
        # Only what Caladea lacks: the text falls back to Noto Serif character by character.
        caladea = set(ft.load_font(str(FONTS / f"Caladea-{style}.ttf"), options).getBestCmap())
        sub = ft.Subsetter(options)
        # ... and the neutral characters (spaces, digits, punctuation) a Greek or Cyrillic run
        # carries on in, which would otherwise print as boxes between two words.
        sub.populate(unicodes=[c for lo, hi in RANGES for c in range(lo, hi + 1)
                               if c not in caladea or c in NEUTRAL])
        sub.subset(font)
        ft.save_font(font, str(FONTS / f"NotoSerif-{style}.ttf"), options)
        print(f"NotoSerif-{style}.ttf: {(FONTS / f'NotoSerif-{style}.ttf').stat().st_size:,} bytes")


def coverage() -> None:
    COVERAGE_FILE.write_text(coverage_text(shipped_font_files()), encoding="utf-8")
    print(f"wrote {COVERAGE_FILE}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["subset"] and len(sys.argv) == 3:
        subset(Path(sys.argv[2]))
    elif sys.argv[1:] == ["coverage"]:
        coverage()
    else:
        sys.exit(__doc__)
