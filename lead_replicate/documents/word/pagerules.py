"""Page breaks and keep-together rules, read from the stylesheet the PDF uses, for Word.

The stylesheet already says where a document breaks pages (the officer's card, the draft
annex, the checklist's tables) and what must stay together (signature blocks, the summary
box). Reading those rules, rather than repeating them in the Word writer, keeps the two
formats in step when a template or a ``--templates`` stylesheet changes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_INLINE = {"span", "strong", "em", "b", "i", "code", "a", "br", "meta", "title", "head"}
_LEAVES = {"table", "p", "h1", "h2", "h3", "h4", "dt", "dd"}  # nothing inside them is matched
_BREAK = {"page", "always", "left", "right", "recto", "verso"}


@dataclass
class PageRules:
    """Which elements (by identity) break a page before or after, or keep together."""

    before: set[int] = field(default_factory=set)
    after: set[int] = field(default_factory=set)
    together: set[int] = field(default_factory=set)
    with_next: set[int] = field(default_factory=set)

    def breaks_before(self, el: ET.Element) -> bool:
        return id(el) in self.before

    def breaks_after(self, el: ET.Element) -> bool:
        return id(el) in self.after

    def keeps_together(self, el: ET.Element) -> bool:
        return id(el) in self.together

    def keeps_with_next(self, el: ET.Element) -> bool:
        return id(el) in self.with_next


def page_rules(stylesheet: str, root: ET.Element) -> PageRules:
    """Match the stylesheet's break rules against the document tree rooted at ``<html>``."""
    rules = PageRules()
    matcher = _matcher(stylesheet) if stylesheet else None
    if matcher is None:
        return rules
    import cssselect2  # type: ignore[import-untyped]

    todo = [cssselect2.ElementWrapper.from_html_root(root)]
    while todo:  # only blocks: a table's cells and inline text are never page-broken
        wrapper = todo.pop()
        for _spec, _order, pseudo, payload in matcher.match(wrapper):
            if pseudo is None:
                getattr(rules, payload).add(id(wrapper.etree_element))
        if wrapper.etree_element.tag not in _LEAVES:
            todo += [c for c in wrapper.iter_children() if c.etree_element.tag not in _INLINE]
    return rules


@lru_cache(maxsize=4)
def _matcher(stylesheet: str) -> Any:
    """A selector matcher whose payloads name the PageRules set each rule adds to."""
    try:
        import cssselect2
        import tinycss2  # type: ignore[import-untyped]
    except ImportError:  # both come with WeasyPrint; without them Word gets no page rules
        return None
    matcher = cssselect2.Matcher()
    for rule in _style_rules(tinycss2.parse_stylesheet(stylesheet, skip_whitespace=True,
                                                        skip_comments=True)):
        kinds = _kinds(tinycss2.parse_declaration_list(rule.content, skip_whitespace=True,
                                                       skip_comments=True))
        if not kinds:
            continue
        try:
            selectors = cssselect2.compile_selector_list(rule.prelude)
        except cssselect2.SelectorError:
            continue
        for selector in selectors:
            for kind in kinds:
                matcher.add_selector(selector, kind)
    return matcher


def _style_rules(nodes: list[Any]) -> list[Any]:
    """Top-level rules and those inside ``@media print`` (or all media); not screen-only."""
    import tinycss2

    out = []
    for node in nodes:
        if node.type == "qualified-rule":
            out.append(node)
        elif node.type == "at-rule" and node.lower_at_keyword == "media" and node.content:
            media = tinycss2.serialize(node.prelude).lower()
            if "print" in media or "all" in media:
                out += _style_rules(tinycss2.parse_rule_list(node.content, skip_whitespace=True,
                                                             skip_comments=True))
    return out


def _kinds(declarations: list[Any]) -> list[str]:
    kinds = []
    for d in declarations:
        if d.type != "declaration":
            continue
        value = "".join(getattr(t, "lower_value", "") for t in d.value if t.type == "ident")
        name = d.lower_name.removeprefix("page-")
        if name == "break-before" and value in _BREAK:
            kinds.append("before")
        elif name == "break-after" and value in _BREAK:
            kinds.append("after")
        elif name == "break-after" and value == "avoid":
            kinds.append("with_next")
        elif name == "break-inside" and value == "avoid":
            kinds.append("together")
    return kinds
