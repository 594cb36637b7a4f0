"""Read a jurisdiction file safely into plain data plus a map of where every node stands."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lead_replicate.errors import LoadError
from lead_replicate.findings import PathParts

MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column in the file."""

    line: int
    column: int


@dataclass
class Source:
    """A loaded jurisdiction file: its data and the position of every key and value.

    ``key_marks[path]`` is where the key (or, for a list item, the item) named by ``path``
    starts; ``value_marks[path]`` is where its value starts. Paths are tuples such as
    ``("stakeholders", 0, "role")``; the root is ``()``.
    """

    name: str
    data: dict
    key_marks: dict[PathParts, Mark] = field(default_factory=dict)
    value_marks: dict[PathParts, Mark] = field(default_factory=dict)

    def locate(self, path: PathParts, *, value: bool = False) -> Mark:
        """Where ``path`` stands; for a missing path, where its nearest present ancestor does."""
        marks = self.value_marks if value else self.key_marks
        parts = tuple(path)
        while parts:
            if parts in marks:
                return marks[parts]
            if not value and parts in self.value_marks:
                return self.value_marks[parts]
            parts = parts[:-1]
        return Mark(1, 1)


def load_jurisdiction(path: str | Path) -> Source:
    """Read ``path``; raise :class:`LoadError` (one line, with file and line) if it cannot be."""
    p = Path(path)
    name = str(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise LoadError(name, f"file is {size:,} bytes; the limit is {MAX_BYTES:,} (5 MiB)")
        raw = p.read_bytes()
    except OSError as exc:
        raise LoadError(name, f"cannot read the file: {exc.strerror or exc}") from None
    return load_text(raw, name)


def load_text(raw: bytes | str, name: str = "<string>") -> Source:
    """Parse YAML text into a :class:`Source`. Hardened by the loader issue; see tests."""
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise LoadError(name, f"YAML syntax error: {exc.problem}", line, col) from None
    if node is None:
        raise LoadError(name, "the file is empty")
    source = Source(name, {})
    constructor = yaml.SafeLoader("")
    data = _build(node, (), source, constructor)
    if not isinstance(data, dict):
        raise LoadError(name, "the file must be a mapping of keys to values (start with 'lead: 1')")
    source.data = data
    return source


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _build(node: yaml.Node, path: PathParts, source: Source, constructor: yaml.SafeLoader):
    source.value_marks[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node)
            child = (*path, key)
            source.key_marks[child] = _mark(key_node)
            out[key] = _build(value_node, child, source, constructor)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            source.key_marks[(*path, i)] = _mark(item)
            items.append(_build(item, (*path, i), source, constructor))
        return items
    return constructor.construct_object(node)
