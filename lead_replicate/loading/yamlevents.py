"""Build plain data from YAML parser events: no tags constructed, aliases and depth bounded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from lead_replicate.errors import LoadError
from lead_replicate.findings import PathParts
from lead_replicate.loading.source import Mark, Source

MAX_DEPTH = 64
MAX_NODES = 100_000

# Only a parser is used (libyaml's when available: fast, iterative). The data is built from its
# events below, so no tag can ever construct an object and aliases cannot expand unchecked.
_PARSER = yaml.CBaseLoader if yaml.__with_libyaml__ else yaml.BaseLoader
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()  # scalar methods are stateless: shareable
_Y = "tag:yaml.org,2002:"
_MAP, _SEQ = _Y + "map", _Y + "seq"
_SCALARS = {
    _Y + "str": lambda node: node.value,
    _Y + "null": lambda node: None,
    _Y + "bool": _CONSTRUCTOR.construct_yaml_bool,
    _Y + "int": _CONSTRUCTOR.construct_yaml_int,
    _Y + "float": _CONSTRUCTOR.construct_yaml_float,
    _Y + "timestamp": _CONSTRUCTOR.construct_yaml_timestamp,
}
# Plain scalars whose first character starts no implicit tag (most text) are text as they
# stand; the others are resolved once per distinct value and remembered (the values are
# immutable: None, booleans, numbers, dates), which halves the time spent on scalars.
_RESOLVED_FIRST = frozenset(k for k in _RESOLVER.yaml_implicit_resolvers if k is not None)
_ALWAYS_RESOLVE = None in _RESOLVER.yaml_implicit_resolvers
_PLAIN: dict[str, Any] = {}
_PLAIN_LIMIT = 4096
_MISSING = object()
_NODE_EVENTS = {AliasEvent, ScalarEvent, MappingStartEvent, MappingEndEvent,
                SequenceStartEvent, SequenceEndEvent}


def parse(text: str, name: str) -> Source:
    """The :class:`Source` for YAML ``text``; raises LoadError or yaml.MarkedYAMLError."""
    parser = _PARSER(text)
    try:
        return _Builder(name).build(parser)
    finally:
        parser.dispose()


def _mark(event: Any) -> Mark:
    return Mark(event.start_mark.line + 1, event.start_mark.column + 1)


def _tag_problem(tag: str) -> str:
    shown = "!!" + tag[len(_Y):] if tag.startswith(_Y) else tag
    if tag in (_MAP, _SEQ) or tag in _SCALARS:
        return f"the tag {shown} does not fit the value it is on"
    return f"tag {shown} is not allowed (only plain values, lists and mappings)"


@dataclass
class _Frame:
    """An open mapping or list while events stream in."""

    container: Any  # dict or list
    path: PathParts
    anchor: str | None = None
    log_start: int = 0
    nodes_before: int = 0
    key: Any = None
    want_key: bool = True


@dataclass(frozen=True)
class _AliasRef:
    """A resolved alias inside the anchor log: replay the log from start to end."""

    start: int
    end: int


class _Builder:
    """Build plain data and the source map from parser events, without recursion.

    Aliases are expanded by replaying the events recorded for their anchor, so every value
    counts against MAX_NODES (alias bombs stop early) and an alias inside its own anchor is
    refused. An alias's value is located where the alias is written; the values inside it,
    where the anchored original is. Anchors may not be redefined (as PyYAML's SafeLoader).
    Merge keys (``<<``) are refused: a plan should spell its keys out, and merging would
    hide where a value came from.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.source = Source(name, {})
        self.frames: list[_Frame] = []
        self.root: Any = None
        self.nodes = 0
        self.aliases_used = False
        self.log: list[Any] = []  # the events (and resolved aliases) inside anchors
        self.anchors: dict[str, tuple[int, int, Mark, int]] = {}  # log slice, mark, size
        self.open_anchors: dict[str, Mark] = {}

    def fail(self, message: str, mark: Mark) -> LoadError:
        return LoadError(self.name, message, mark.line, mark.column)

    def build(self, parser: Any) -> Source:
        documents = 0
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is StreamEndEvent:
                break
            if kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.fail("the file holds more than one YAML document (a second "
                                    "'---' starts here); keep one jurisdiction per file",
                                    _mark(event))
            elif kind is AliasEvent:
                ref = self.resolve_alias(event)
                if self.open_anchors:
                    self.log.append(ref)
                self.replay(ref, _mark(event))
            elif kind in _NODE_EVENTS:
                if self.open_anchors or getattr(event, "anchor", None) is not None:
                    self.log.append(event)
                self.handle(event, None, live=True)
        if documents == 0:
            raise LoadError(self.name, "the file is empty (it holds no YAML, only comments "
                            "or blank lines)")
        if not isinstance(self.root, dict):  # only an empty document gets here
            raise LoadError(self.name, "the file is empty: write the plan as keys and values "
                            "(start with 'lead: 1')")
        self.source.data = self.root
        return self.source

    def resolve_alias(self, event: Any) -> _AliasRef:
        name, mark = event.anchor, _mark(event)
        if name in self.open_anchors:
            raise self.fail(f"the alias *{name} refers to the value that contains it "
                            "(a recursive alias)", mark)
        if name not in self.anchors:
            raise self.fail(f"the alias *{name} has no matching anchor &{name} before it", mark)
        self.aliases_used = True
        start, end, _, size = self.anchors[name]
        if self.nodes + size > MAX_NODES:  # refuse before expanding, not while
            raise self.fail(f"the file expands to more than {MAX_NODES:,} values "
                            "(too many YAML aliases)", mark)
        return _AliasRef(start, end)

    def replay(self, ref: _AliasRef, mark: Mark) -> None:
        """Feed an anchor's recorded events again; the first one is placed at the alias."""
        cursors = [[ref.start, ref.end]]
        first: Mark | None = mark
        while cursors:
            cursor = cursors[-1]
            if cursor[0] >= cursor[1]:
                cursors.pop()
                continue
            item = self.log[cursor[0]]
            cursor[0] += 1
            if isinstance(item, _AliasRef):
                cursors.append([item.start, item.end])
            else:
                self.handle(item, first, live=False)
                first = None

    def handle(self, event: Any, at: Mark | None, *, live: bool) -> None:
        kind = type(event)
        if kind is MappingEndEvent or kind is SequenceEndEvent:
            frame = self.frames.pop()
            if frame.anchor is not None:
                start = self.open_anchors.pop(frame.anchor)
                size = self.nodes - frame.nodes_before
                self.anchors[frame.anchor] = (frame.log_start, len(self.log), start, size)
            return
        mark = at or _mark(event)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            why = "too many YAML aliases" if self.aliases_used else "far more than a plan needs"
            raise self.fail(f"the file expands to more than {MAX_NODES:,} values ({why})", mark)
        anchor = event.anchor if live else None
        if anchor is not None and (anchor in self.anchors or anchor in self.open_anchors):
            first = self.anchors[anchor][2] if anchor in self.anchors else self.open_anchors[anchor]
            raise self.fail(f"the anchor &{anchor} is defined twice (first on line "
                            f"{first.line})", mark)
        if kind is ScalarEvent:
            value = self.scalar(event, mark)
            if anchor is not None:
                self.anchors[anchor] = (len(self.log) - 1, len(self.log), mark, 1)
            self.place(value, mark, event, None)
            return
        is_map = kind is MappingStartEvent
        if event.tag not in (None, "!", _MAP if is_map else _SEQ):
            raise self.fail(_tag_problem(event.tag), mark)
        if len(self.frames) >= MAX_DEPTH:
            raise self.fail(f"the file nests values more than {MAX_DEPTH} levels deep", mark)
        container: Any = {} if is_map else []
        frame = _Frame(container, self.place(container, mark, event, "a mapping" if is_map
                                             else "a list"))
        if anchor is not None:
            frame.anchor, frame.log_start = anchor, len(self.log) - 1
            frame.nodes_before = self.nodes - 1
            self.open_anchors[anchor] = mark
        self.frames.append(frame)

    def place(self, value: Any, mark: Mark, event: Any, what: str | None) -> PathParts:
        """Attach a new value to its parent (``what`` names a collection); return its path."""
        marks = self.source
        if not self.frames:
            if what == "a list" or (what is None and value is not None):
                raise self.fail(f"the top of the file is {what or 'a single value'}, but it "
                                "must be keys and values (start with 'lead: 1')", mark)
            self.root = value
            marks.value_marks[()] = mark
            return ()
        parent = self.frames[-1]
        container = parent.container
        if type(container) is list:
            path = (*parent.path, len(container))
            container.append(value)
            marks.key_marks[path] = marks.value_marks[path] = mark
            return path
        if parent.want_key:
            if what is not None:
                raise self.fail(f"a key must be a single value, not {what}", mark)
            if value == "<<" and event.implicit[0] and not event.tag:
                raise self.fail("merge keys ('<<') are not supported; write the keys out "
                                "in full", mark)
            path = (*parent.path, value)
            if value in container:  # also catches keys Python treats as equal: 1 and true
                raise self.fail(f"the key '{event.value}' appears twice in the same mapping "
                                f"(first on line {marks.key_marks[path].line})", mark)
            marks.key_marks[path] = mark
            parent.key, parent.want_key = value, False
            container[value] = None  # keeps the file's order; the value comes next
            return path
        path = (*parent.path, parent.key)
        container[parent.key] = value
        marks.value_marks[path] = mark
        parent.want_key = True
        return path

    def scalar(self, event: Any, mark: Mark) -> Any:
        """The value SafeLoader would give, for the standard tags only."""
        tag = event.tag
        if tag is None or tag == "!":
            text = event.value
            if not event.implicit[0]:  # quoted or block text
                return text
            if text and text[0] not in _RESOLVED_FIRST and not _ALWAYS_RESOLVE:
                return text
            known = _PLAIN.get(text, _MISSING)
            if known is not _MISSING:
                return known
            tag = _RESOLVER.resolve(yaml.ScalarNode, text, event.implicit)
            if tag not in _SCALARS:  # '=' (value) and '<<' (merge) stay text
                return text
            value = self.construct(tag, event, mark)
            if len(_PLAIN) < _PLAIN_LIMIT:
                _PLAIN[text] = value
            return value
        return self.construct(tag, event, mark)

    def construct(self, tag: str, event: Any, mark: Mark) -> Any:
        construct = _SCALARS.get(tag)
        if construct is None:
            raise self.fail(_tag_problem(tag), mark)
        try:
            return construct(yaml.ScalarNode(tag, event.value))
        except Exception:  # a wrong explicit tag, e.g. "!!int abc"
            kind = tag.rsplit(":", 1)[-1]
            raise self.fail(f"'{event.value}' is not a valid {kind} value", mark) from None
