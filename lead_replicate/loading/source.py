"""A loaded jurisdiction file: its data, and the line and column of every key and value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from lead_replicate.findings import PathParts

# A key line, commented out or not: "  case_management:", "#   caseload: {...}", "  # meets: x".
KEY_LINE = re.compile(r"^( *)(?:# ?)?( *)([a-z][a-z0-9_]*):(?:\s|$)")


class Mark(NamedTuple):
    """A 1-based line and column in the file (a tuple: made for every value of every file
    read, and a frozen dataclass took twice as long to make)."""

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
    # The text, for keys present only as comments ("# caseload: ..."), as `lead-replicate
    # init` writes them: an open question about a missing field then points at the line
    # where the answer goes. Read only when a missing path is located.
    text: str = ""
    _commented: dict[PathParts, Mark] | None = field(default=None, repr=False, compare=False)

    @property
    def commented_marks(self) -> dict[PathParts, Mark]:
        if self._commented is None:
            self._commented = commented_keys(self.text) if "#" in self.text else {}
        return self._commented

    def locate(self, path: PathParts, *, value: bool = False) -> Mark:
        """Where ``path`` stands; for a missing path, where its nearest present ancestor does.

        A commented-out key deeper than that ancestor is preferred: it is where the planner
        will fill the answer in.
        """
        marks = self.value_marks if value else self.key_marks
        parts = tuple(path)
        hint = None
        while parts:
            if parts in marks:
                return hint or marks[parts]
            if not value and parts in self.value_marks:
                return hint or self.value_marks[parts]
            hint = hint or self.commented_marks.get(parts)
            parts = parts[:-1]
        return hint or Mark(1, 1)

    def commented_headings(self, path: PathParts) -> list[tuple[PathParts, Mark]]:
        """Keys commented out above the key at ``path`` and less indented: nearest first.

        The search stops at the first uncommented line that is less indented (the key's
        parent in the YAML). Used to tell a planner that a key was uncommented but its
        section heading (``# prosecution:``) was not.
        """
        mark = self.key_marks.get(tuple(path))
        if mark is None or "#" not in self.text:
            return []
        lines = self.text.splitlines()
        by_line = {m.line: p for p, m in self.commented_marks.items()}
        found: list[tuple[PathParts, Mark]] = []
        for number in range(min(mark.line - 1, len(lines)), 0, -1):
            line = lines[number - 1]
            if not line.lstrip().startswith("#"):
                if line.strip() and len(line) - len(line.lstrip()) < mark.column - 1:
                    break
                continue
            match = KEY_LINE.match(line)
            if match and len(match.group(1)) + len(match.group(2)) < mark.column - 1:
                heading = by_line.get(number)
                if heading is None and not (match.group(1) + match.group(2)):
                    heading = (match.group(3),)  # a top-level key commented out twice
                if heading is not None:
                    found.append((heading, Mark(number, len(match.group(1)) + 1)))
        return found


def commented_keys(text: str) -> dict[PathParts, Mark]:
    """The mapping keys that appear only commented out, by path (nesting read from indentation).

    List items are not followed: only sections and fields written as ``key:`` lines.
    """
    found: dict[PathParts, Mark] = {}
    stack: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        match = KEY_LINE.match(line)
        if not match:
            if line.strip() and not line.lstrip().startswith("#"):
                stack = [(i, k) for i, k in stack if i < len(line) - len(line.lstrip())]
            continue
        indent = len(match.group(1)) + len(match.group(2))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = (*(k for _, k in stack), match.group(3))
        stack.append((indent, match.group(3)))
        if "#" in line[: match.start(3)]:
            found.setdefault(path, Mark(number, len(match.group(1)) + 1))
    return found
