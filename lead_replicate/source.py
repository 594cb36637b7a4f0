"""A loaded jurisdiction file: its data, and the line and column of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field

from lead_replicate.findings import PathParts


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
