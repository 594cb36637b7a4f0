"""Document HTML as an ElementTree, read with the standard library's HTML parser.

The documents are our own templates' output, so a small tolerant tree builder is enough;
an ElementTree also lets the stylesheet's selectors be matched against it (``pagerules``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

VOID_TAGS = {"br", "meta", "col", "img", "hr", "link", "input", "wbr"}
_SPACE = re.compile(r"\s+")


class _TreeBuilder(HTMLParser):
    """HTML to an ElementTree (so the stylesheet's selectors can be matched against it)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = ET.Element("document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = ET.SubElement(self.stack[-1], tag, {k: v or "" for k, v in attrs})
        if tag not in VOID_TAGS:
            self.stack.append(el)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        parent = self.stack[-1]
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + data
        else:
            parent.text = (parent.text or "") + data


def parse_html(html: str) -> ET.Element:
    """The document's ``<html>`` element."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root.find("html") or builder.root


def classes(el: ET.Element) -> set[str]:
    return set(el.get("class", "").split())


def text_of(el: ET.Element) -> str:
    return _SPACE.sub(" ", "".join(el.itertext())).strip()
