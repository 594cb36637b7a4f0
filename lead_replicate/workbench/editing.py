"""Edit a plan's YAML text in place, changing only the lines the edit changes.

ruamel.yaml's round-trip mode keeps comments, order and quoting; it edits the document and
dumps it. The dump is not written as is: only the lines that differ between the dump before
and after the edit are spliced into the file's own text, so every untouched line stays byte
for byte what the planner wrote even where ruamel would have formatted it differently. A new
key goes where the format puts it; a key that ``init`` left commented out ("#   population:")
is filled in on its own line instead. Every result is checked to mean exactly what the edited
document means, else the plainer result is used.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from lead_replicate.errors import LeadError
from lead_replicate.findings import PathParts, format_path
from lead_replicate.loading.source import Source
from lead_replicate.rules.schema import rules_at
from lead_replicate.workbench import lineedits
from lead_replicate.workbench.splicing import SpliceError, meaning, splice

_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"
_PATH = re.compile(rf"{_KEY}(?:\.{_KEY}|\[\d{{1,6}}\])*")
_PART = re.compile(rf"({_KEY})|\[(\d{{1,6}})\]")
_STR_TAG = "tag:yaml.org,2002:str"
# Indentation styles tried on a file, the format's own first: (mapping, sequence, offset).
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (3, 5, 3))


class EditError(LeadError):
    """An edit that cannot be made (a malformed path, a list index out of range)."""


def parse_path(text: str) -> PathParts:
    """``"stakeholders[2].name"`` -> ``("stakeholders", 2, "name")`` (the findings' style)."""
    if not isinstance(text, str) or not _PATH.fullmatch(text):
        raise EditError(f"'{text}' is not a path such as case_management.caseload.maximum "
                        "or stakeholders[0].name")
    return tuple(key if key else int(index) for key, index in _PART.findall(text))


def _yaml(indent: tuple[int, int, int]) -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a line
    y.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    return y


def _dump(y: YAML, root: Any) -> str:
    out = io.StringIO()
    y.dump(root, out)
    return out.getvalue()


class Document:
    """One plan's text and its ruamel document, kept in step edit after edit."""

    def __init__(self, text: str, *, indent: tuple[int, int, int] | None = None) -> None:
        self.text = text
        try:
            root = _yaml(_INDENTS[0]).load(text)
        except Exception as exc:  # ruamel's errors have no common base worth naming
            raise EditError(f"the file cannot be edited here ({type(exc).__name__}); "
                            "edit it in a text editor") from None
        self.root = CommentedMap() if root is None else root
        if not isinstance(self.root, CommentedMap):
            raise EditError("the file's top level is not a set of 'key: value' lines; "
                            "fix it in a text editor")
        best: tuple[int, tuple[int, int, int], str] | None = None
        for style in ((indent,) if indent else ()) + _INDENTS:
            dumped = _dump(_yaml(style), self.root)  # the style that round-trips the file
            changed = 0 if dumped == text else sum(
                1 for op in difflib.SequenceMatcher(None, text.splitlines(),
                                                    dumped.splitlines(), False).get_opcodes()
                if op[0] != "equal")
            if best is None or changed < best[0]:
                best = (changed, style, dumped)
            if changed == 0:
                break
        assert best is not None
        _, self.indent, dumped = best
        self._yaml = _yaml(self.indent)
        self._dumped: str | None = dumped  # the dump matching ``text``; None: not made yet
        self._plain: Any = None  # what ``text`` means, once needed
        self.stale = False  # lines were placed where ruamel would not put them

    @property
    def pending(self) -> bool:
        """Whether :meth:`prepare` has work to do."""
        return self._dumped is None

    def prepare(self) -> None:
        """Dump the document now, so the next edit that adds or removes lines is quicker."""
        if self._dumped is None:
            self._dumped = _dump(self._yaml, self.root)

    def edit(self, path: PathParts, value: Any, source: Source | None = None) -> str:
        """Set ``path`` to ``value`` (None removes it); return and keep the new text.

        ``source`` (the validator's reading of the current text, with the position of every
        key and value) allows the common edits, one value replaced, one key removed or
        filled in, to be made on their own line without dumping the whole document.
        """
        depth = _present_depth(self.root, path)
        node = _node(value, path) if value is not None else None
        if source is not None:
            done = self._line_edit(path, value, node, depth, source)
            if done is not None:
                _change(self.root, path, value)
                if node is None or depth < len(path):  # ruamel's comments no longer match
                    self._dumped, self.stale = None, True
                else:  # a dump that was the text differs from it in this line at most
                    self._dumped = done if self._dumped == self.text else None
                self.text = done
                return done
        if self.stale:  # earlier lines went where ruamel would not put them: read afresh
            self.__init__(self.text, indent=self.indent)  # type: ignore[misc]
        for attempt in (1, 2):
            self.prepare()
            assert self._dumped is not None
            try:
                _change(self.root, path, value)
                dumped = _dump(self._yaml, self.root)
            except EditError:
                self.__init__(self.text, indent=self.indent)  # type: ignore[misc]  # undo it
                raise
            try:
                text, moved, whole = splice(self.text, self._dumped, dumped,
                                            path[: depth + 1])
            except SpliceError as exc:
                if attempt == 1 and self.stale:
                    self.__init__(self.text, indent=self.indent)  # type: ignore[misc]
                    continue
                self.__init__(self.text, indent=self.indent)  # type: ignore[misc]  # undo it
                raise EditError(str(exc)) from None
            if whole and attempt == 1 and self.stale:
                # Earlier lines went where ruamel would not put them, and this edit could not
                # be spliced: read the text afresh (dropping the change) and make it again.
                self.__init__(self.text, indent=self.indent)  # type: ignore[misc]
                continue
            break
        self.text, self._dumped, self._plain = text, dumped, None
        self.stale = self.stale or moved
        return self.text

    def _line_edit(self, path: PathParts, value: Any, node: Any, depth: int,
                   source: Source) -> str | None:
        """The edit made on the text's own lines, when it is one line: a value replaced, a
        one-line key removed, or a key filled in where ``init`` left it commented out.
        None when it is not such an edit, or the result would not mean exactly the edit."""
        containers = (CommentedMap, CommentedSeq)
        if isinstance(node, (*containers, LiteralScalarString)) or not isinstance(
                path[-1], str):
            return None
        if self._plain is None:
            self._plain = meaning(self.text)
        if node is None:
            if depth < len(path) or isinstance(_get_node(self.root, path), containers) or len(
                    _get_node(self.root, path[:-1])) < 2:
                return None  # nothing to remove, a section, or the section would be empty
            text = lineedits.remove_key_line(self.text, path, source)
            expected = lineedits.without(self._plain, path)
        else:
            rendered = _dump(self._yaml, {"k": node})
            parsed = meaning(rendered)
            if rendered.count("\n") != 1 or not isinstance(parsed, dict) or (
                    parsed["k"] != node or type(parsed["k"]) is not _plain_type(node)):
                return None  # not one line, or YAML 1.1 would read it as something else
            if depth == len(path) and not isinstance(_get_node(self.root, path), containers):
                text = lineedits.replace_value(self.text, path, rendered[3:-1], source)
            elif depth == len(path) - 1 and isinstance(_get_node(self.root, path[:-1]),
                                                        CommentedMap):
                new = rendered[3:-1]
                rules = rules_at(path[:-1])
                order = list((rules or {}).get("schema") or {}) if rules and rules[
                    "type"] == "dict" else []
                text = lineedits.fill_commented_key(self.text, path, new, source) or \
                    lineedits.insert_key_line(self.text, path, new, source, order)
            else:
                return None
            expected = lineedits.with_value(self._plain, path, parsed["k"])
        if text is None or meaning(text) != expected:
            return None
        self._plain = expected
        return text


def _plain_type(node: Any) -> type:
    """The plain Python type the validator reads a ruamel scalar as."""
    for kind in (bool, int, float, str, dt.date):
        if isinstance(node, kind):
            return kind
    return type(node)


def _get_node(root: Any, path: PathParts) -> Any:
    node = root
    for part in path:
        node = node[part]
    return node


def _present_depth(root: Any, path: PathParts) -> int:
    """How many leading parts of ``path`` already exist in the document."""
    node = root
    for depth, part in enumerate(path):
        if not _has(node, part):
            return depth
        node = node[part]
    return len(path)


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, CommentedMap):
        return isinstance(part, str) and part in node
    return isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node)


# --- changing the ruamel document ---------------------------------------------------------


def _change(root: CommentedMap, path: PathParts, value: Any) -> None:
    node: Any = root
    for i, part in enumerate(path[:-1]):
        child = _get(node, part, path[: i + 1])
        if child is None:
            if value is None:
                return  # removing something under a parent that is not there: done
            child = CommentedSeq() if isinstance(path[i + 1], int) else CommentedMap()
            _put(node, part, child, path[: i + 1])
        elif not isinstance(child, (CommentedMap, CommentedSeq)):
            raise EditError(f"{format_path(path[: i + 1])} holds a single value, not a section; "
                            "set it to null first to replace it")
        node = child
    last = path[-1]
    if value is None:
        _remove(node, last)
        if not node and len(path) > 1:  # a section left empty is undecided too: remove it
            _change(root, path[:-1], None)
    else:
        _put(node, last, _node(value, path), path)


def _get(node: Any, part: str | int, where: PathParts) -> Any:
    if isinstance(node, CommentedMap) and isinstance(part, str):
        return node.get(part)
    if isinstance(node, CommentedSeq) and isinstance(part, int):
        if part > len(node):
            raise EditError(f"{format_path(where)}: the list has {len(node)} items")
        return node[part] if part < len(node) else None
    kind = "a list" if isinstance(node, CommentedSeq) else "a section"
    raise EditError(f"{format_path(where)}: the place above it is {kind}; "
                    f"use {'an index such as [0]' if kind == 'a list' else 'a key'}")


def _put(node: Any, part: str | int, value: Any, where: PathParts) -> None:
    _get(node, part, where)  # checks the kinds and the index
    if isinstance(node, CommentedSeq):
        assert isinstance(part, int)
        if part == len(node):
            node.append(value)
        else:
            node[part] = value
    elif part in node:
        node[part] = value
    else:
        node.insert(_position(node, str(part), where), part, value)


def _position(node: CommentedMap, key: str, where: PathParts) -> int:
    """Where a new key goes: after the keys the format lists before it (else at the end)."""
    rules = rules_at(tuple(where[:-1]))
    order = list(rules.get("schema") or {}) if rules and rules["type"] == "dict" else []
    if key not in order:
        return len(node)
    before = set(order[: order.index(key)])
    keys = list(node)
    pos = 0
    for i, existing in enumerate(keys):
        if existing in before:
            pos = i + 1
    return pos


def _remove(node: Any, part: str | int) -> None:
    if _has(node, part):
        del node[part]


def _node(value: Any, path: PathParts) -> Any:
    """A JSON value as a ruamel node; text that YAML would misread is quoted."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            if v is not None:
                out[str(k)] = _node(v, (*path, str(k)))
        return out
    if isinstance(value, list):
        return CommentedSeq(_node(v, (*path, i)) for i, v in enumerate(value))
    if isinstance(value, str):
        rules = rules_at(path)
        if rules and rules.get("type") == "date":
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        if "\n" in value:
            return LiteralScalarString(value)
        resolved = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))
        if resolved != _STR_TAG or value != value.strip() or not value:
            return DoubleQuotedScalarString(value)
        return value
    if isinstance(value, (bool, int, float)):
        return value
    raise EditError(f"{format_path(path)}: a value must be text, a number, true/false, "
                    "a list or a mapping")
