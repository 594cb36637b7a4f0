"""Page-break rules of the shared stylesheet, asserted on a printed PDF.

The documents are long and their breaks move whenever a clause changes, so a test on a real
MOU would stop exercising a rule the day its page break moved. Instead one small document
puts the same list and the same heading at every position around a page break, and the text
of each page shows where the breaks fell. About a second.
"""

from __future__ import annotations

import io

from pypdf import PdfReader

from lead_replicate.documents.pdf import render_pdf

LAST = "Last of the list."
HEADING = "A section heading"


def _chunk(n: int, filler_in: float) -> str:
    """One page-sized chunk: a label, blank space, then a clause with a five-item list, and a
    heading with its first clause. ``filler_in`` moves both across the page foot."""
    items = "".join(f"<li>Item {i} of the list.</li>" for i in range(1, 5))
    return (f'<section style="break-before: page"><p>Chunk {n}.</p>'
            f'<div style="height: {filler_in:.2f}in"></div>'
            '<ol class="clauses"><li><strong>Exclusions.</strong> A person is not eligible in'
            f' any of these cases:<ul>{items}<li>{LAST}</li></ul></li></ol>'
            f"<h2>{HEADING}</h2>"
            '<ol class="clauses"><li>The first clause of the section, long enough to wrap onto'
            " a second line of the page so that it is a paragraph and not a label.</li>"
            "<li>A second clause.</li></ol></section>")


def _pages() -> list[str]:
    # The text area is 9 in tall; the chunks move the list, then the heading, across the page
    # foot in 0.1 in steps.
    chunks = "".join(_chunk(n, 5.8 + n * 0.1) for n in range(31))
    html = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
            f'</head><body class="mou"><main>{chunks}</main></body></html>')
    return [p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(html))).pages]


def test_no_page_starts_with_a_lists_last_item_alone_or_ends_with_a_heading() -> None:
    pages = _pages()
    split_lists = split_sections = 0
    for number, text in enumerate(pages, 1):
        # The last item keeps the one before it (Santa Fe MOU p. 4 began with it alone).
        if LAST in text:
            assert "Item 4 of the list." in text, (number, text[:80])
        # A heading keeps its first clause with it (Albany MOU p. 2 ended with "4.").
        if HEADING in text:
            assert "The first clause of the section" in text, (number, text[-120:])
        split_lists += "Item" in text and "Exclusions." not in text
        split_sections += HEADING in text and "Chunk" not in text
    # Both did cross a page foot somewhere, so both rules were exercised.
    assert split_lists and split_sections, (split_lists, split_sections)
