"""The article before a name in running text, for the two kinds of name documents print.

Organizations: "representatives of the Seattle Police Department", but "by Evergreen
Treatment Services" (``the``, ``each_the``). Plans give names as an organization writes them at
the top of its letterhead, without "the". English puts "the" before a name whose head noun is a
common noun for a body (Department, Office, Board, ...: "the King County Executive") or a
place-type followed by "of" ("the City of Seattle", "the University of Washington"), and not
before a name that is itself a proper noun ("Evergreen Treatment Services", "Example State
University", "Catholic Charities of Albany"). A name that already starts with "The" is printed
as written ("The Defender Association" is the organization's own name); nothing inside a name
changes.

Statutes: "under the Public Records Act", but "under Chapter 42.56 RCW" (``statute_in_text``).
The rule differs because statute names differ: "the" comes before a name that ends in a kind of
law (Act, Law, Code, ...), never before a citation, and a leading "The" is the article itself,
so it is lower-cased mid-sentence ("under the Public Records Act").
"""

from __future__ import annotations

import re
from typing import Any

import markupsafe

# Head nouns of bodies: "the ... Department", "the Department of ...".
BODIES = frozenset({
    "administration", "agency", "alliance", "association", "attorney", "authority", "board",
    "bureau", "center", "centre", "clinic", "coalition", "collaborative", "commission",
    "committee", "consortium", "corporation", "council", "court", "defender", "department",
    "district", "division", "executive", "force", "foundation", "foundations", "group",
    "hospital", "initiative", "institute", "mayor", "network", "office", "partnership",
    "police", "program", "programme", "project", "service", "sheriff", "society", "team",
    "trust", "union", "unit",
})
# Place-types and schools that take "the" only before "of": "the City of Seattle", but
# "Example State University".
BEFORE_OF = frozenset({
    "city", "college", "commonwealth", "county", "port", "state", "town", "university",
    "village",
})
_STARTS_WITH_THE = re.compile(r"(?i)the\s")
_PREPOSITION = re.compile(r"\s(?:of|for|on|in)\s")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def needs_article(name: str) -> bool:
    """True when ``name`` reads with "the" before it in the middle of a sentence."""
    text = name.strip().lstrip("[").strip()
    if _STARTS_WITH_THE.match(text):
        return False
    text = re.split(r"[,(;]", text, maxsplit=1)[0]  # "University of Washington (HRRTC)"
    of = _PREPOSITION.search(text)
    words = _WORD.findall(text[:of.start()] if of else text)
    if not words:
        return False
    head = re.sub(r"['’]s$", "", words[-1])
    if of is not None and (head.lower() in BEFORE_OF or (head.isupper() and len(head) > 1)):
        return True  # "the City of Seattle", "the ACLU of Washington"
    return head.lower() in BODIES


def the(value: Any, start: bool = False) -> Any:
    """``value`` with "the" before it where English needs one; "The" at a sentence's start.

    ``value`` may be markup (a bracketed term): the article goes outside the bracket.
    """
    plain = value.striptags() if isinstance(value, markupsafe.Markup) else str(value)
    if not needs_article(plain):
        return value
    article = "The " if start else "the "
    if isinstance(value, markupsafe.Markup):
        return markupsafe.Markup(article) + value
    return article + str(value)


def each_the(values: Any, start: bool = False) -> list[Any]:
    """Each name with its article, for a list of names in running text; with ``start``, the
    first gets a capital "The" (a sentence that opens with the list: "The Seattle Police
    Department, the King County Sheriff's Office and Evergreen Treatment Services hold ...")."""
    return [the(value, start and i == 0) for i, value in enumerate(values or [])]


# A statute's name takes "the" in running text when it ends in such a word ("the Public
# Records Act", "the Sunshine Law"); a citation-like name ("Chapter 42.56 RCW") takes none.
_NAMED_LAW = re.compile(r"\b(Act|Law|Code|Rules?|Regulations?|Ordinance|Statutes?|Charter"
                        r"|Constitution)(\s+of\s+\d{4})?$")


def statute_in_text(name: Any) -> str:
    """A statute's name as it reads mid-sentence: "under the Public Records Act".

    A name that begins with "The" keeps its words with a lower-case article; any other name
    is printed as the plan gives it.
    """
    text = str(name or "").strip()
    if _STARTS_WITH_THE.match(text):
        return "the" + text[3:]
    return f"the {text}" if _NAMED_LAW.search(text) else text
