"""Edits made on a plan's own lines: a value replaced, a key removed, a key filled in.

These are the edits a planner makes most, and each touches one line, so they need no dump
of the whole document: the validator's positions (``Source``) say where the key and value
stand. Each function returns the new text, or None when the edit is not of its kind there;
the caller checks that the result means exactly the edit.
"""

from __future__ import annotations

import re
from typing import Any

from lead_replicate.findings import PathParts
from lead_replicate.loading.source import Source, commented_keys
from lead_replicate.workbench.splicing import SIMPLE_VALUE, split_comment, with_comment


def scalar_end(line: str, start: int) -> int | None:
    """Where the one-line scalar starting at ``start`` ends; None for anything else."""
    if start >= len(line) or line[start] in "|>[{&*!":
        return None
    quote = line[start]
    if quote in "'\"":
        i = start + 1
        while i < len(line):
            if quote == '"' and line[i] == "\\":
                i += 2
                continue
            if line[i] == quote:
                if quote == "'" and line[i + 1: i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        return None
    comment = re.search(r"\s#", line[start:])
    end = start + comment.start() if comment else len(line)
    return len(line[:end].rstrip())


def with_value(data: Any, path: PathParts, value: Any) -> Any:
    """A copy of plain ``data`` with ``path`` set to ``value`` (its parent exists)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: with_value(data.get(head), rest, value)}
    copy = list(data)
    copy[head] = with_value(copy[head], rest, value)  # type: ignore[index]
    return copy


def without(data: Any, path: PathParts) -> Any:
    """A copy of plain ``data`` without the key at ``path`` (which exists)."""
    head, rest = path[0], path[1:]
    if not rest:
        return {k: v for k, v in data.items() if k != head}
    if isinstance(data, dict):
        return {**data, head: without(data[head], rest)}
    copy = list(data)
    copy[head] = without(copy[head], rest)  # type: ignore[index]
    return copy


def replace_value(text: str, path: PathParts, new: str, source: Source) -> str | None:
    """``text`` with the one-line value at ``path`` written as ``new``; an end-of-line
    comment keeps its column where the line allows."""
    mark = source.value_marks.get(path)
    if mark is None:
        return None
    lines = text.split("\n")
    line = lines[mark.line - 1]
    start = mark.column - 1
    end = scalar_end(line, start)
    if end is None:
        return None
    rest = line[end:]
    comment = re.match(r"^(\s+)(#.*)$", rest)
    if comment:
        gap = max(1, len(comment.group(1)) - (len(new) - (end - start)))
        rest = " " * gap + comment.group(2)
    lines[mark.line - 1] = line[:start] + new + rest
    return "\n".join(lines)


def remove_key_line(text: str, path: PathParts, source: Source) -> str | None:
    """``text`` without the line of the key at ``path``, when the key and its one-line value
    fill that line alone (its end-of-line comment goes with it; the lines around stay)."""
    key, value = source.key_marks.get(path), source.value_marks.get(path)
    if key is None or value is None or key.line != value.line:
        return None
    lines = text.split("\n")
    line = lines[key.line - 1]
    if line[: key.column - 1].strip():
        return None  # after "- " or inside a flow mapping: not a line of its own
    end = scalar_end(line, value.column - 1)
    if end is None or line[end:].strip()[:1] not in ("", "#"):
        return None
    del lines[key.line - 1]
    return "\n".join(lines)


def fill_commented_key(text: str, path: PathParts, new: str, source: Source) -> str | None:
    """``text`` with ``key: new`` written where ``init`` left the key commented out: over
    that line when it holds no value or a one-word one (its comment kept), else just below
    it (it is a note). The key is indented as its present siblings are."""
    mark = commented_keys(text).get(path)
    siblings = [m for p, m in source.key_marks.items()
                if len(p) == len(path) and p[:-1] == path[:-1]]
    if mark is None or not siblings:
        return None
    lines = text.split("\n")
    old = lines[mark.line - 1]
    written = " " * (siblings[0].column - 1) + f"{path[-1]}: {new}"
    note, comment = split_comment(old.split(":", 1)[1])
    if SIMPLE_VALUE.match(note.strip()):
        lines[mark.line - 1] = with_comment(written, old, comment)
    else:
        lines.insert(mark.line, written)
    return "\n".join(lines)


def insert_key_line(text: str, path: PathParts, new: str, source: Source,
                    order: list[str]) -> str | None:
    """``text`` with ``key: new`` added to its (present, block) section: after the lines of
    the key the format lists before it, and after the comments indented with that section
    that follow them; else above the section's first key."""
    parent = path[:-1]
    present = {p[-1]: m for p, m in source.key_marks.items()
               if len(p) == len(path) and p[:-1] == parent}
    if not present or path[-1] not in order:
        return None
    lines = text.split("\n")
    indent = next(iter(present.values())).column - 1
    before = [k for k in order[: order.index(path[-1])] if k in present]
    if before:
        prefix = (*parent, before[-1])
        last = max(m.line for marks in (source.key_marks, source.value_marks)
                   for p, m in marks.items() if p[: len(prefix)] == prefix)
        at = last  # 0-based index of the line after the previous key's last line
        while at < len(lines) and lines[at].strip().startswith("#") and (
                len(lines[at]) - len(lines[at].lstrip()) >= indent):
            at += 1
    else:
        at = min(m.line for m in present.values()) - 1
    lines.insert(at, " " * indent + f"{path[-1]}: {new}")
    return "\n".join(lines)
