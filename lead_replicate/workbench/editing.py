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
from lead_replicate.loading.source import commented_keys
from lead_replicate.rules.schema import rules_at

_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"
_PATH = re.compile(rf"{_KEY}(?:\.{_KEY}|\[\d{{1,6}}\])*")
_PART = re.compile(rf"({_KEY})|\[(\d{{1,6}})\]")
_KEY_ONLY = re.compile(r"^( *)([A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?$")
_SIMPLE_VALUE = re.compile(r"^[\w.+-]*$")
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


def _meaning(text: str) -> Any:
    """What a text means, read as the validator reads it (YAML 1.1, plain data)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


class Document:
    """One plan's text and its ruamel document, kept in step edit after edit."""

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            root = _yaml(_INDENTS[0]).load(text)
        except Exception as exc:  # ruamel's errors have no common base worth naming
            raise EditError(f"the file cannot be edited here ({type(exc).__name__}); "
                            "edit it in a text editor") from None
        best: tuple[int, YAML, str] | None = None
        for indent in _INDENTS:  # the style under which the file round-trips unchanged
            y = _yaml(indent)
            dumped = _dump(y, root)
            changed = 0 if dumped == text else sum(
                1 for op in difflib.SequenceMatcher(None, text.splitlines(),
                                                    dumped.splitlines(), False).get_opcodes()
                if op[0] != "equal")
            if best is None or changed < best[0]:
                best = (changed, y, dumped)
            if changed == 0:
                break
        assert best is not None
        _, self._yaml, self._dumped = best
        self.root = CommentedMap() if root is None else root
        if not isinstance(self.root, CommentedMap):
            raise EditError("the file's top level is not a set of 'key: value' lines; "
                            "fix it in a text editor")

    def edit(self, path: PathParts, value: Any) -> str:
        """Set ``path`` to ``value`` (None removes it); return and keep the new text."""
        depth = _present_depth(self.root, path)
        try:
            _change(self.root, path, value)
            dumped = _dump(self._yaml, self.root)
        except EditError:
            self.__init__(self.text)  # type: ignore[misc]  # undo a partial change
            raise
        text, moved = splice(self.text, self._dumped, dumped, path[: depth + 1])
        if moved:  # lines went where ruamel would not put them: read the new layout back
            self.__init__(text)  # type: ignore[misc]
        else:
            self.text, self._dumped = text, dumped
        return self.text


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


# --- splicing the changed lines into the file's own text ----------------------------------


def splice(text: str, old_dump: str, new_dump: str,
           created: PathParts = ()) -> tuple[str, bool]:
    """``text`` with the lines that changed from ``old_dump`` to ``new_dump`` changed too.

    ``created`` is the path of the first key the edit added (its parents existed). Returns the
    text and whether lines were placed differently from the dump (the caller re-reads it).
    """
    t = text.splitlines(keepends=True)
    d = old_dump.splitlines(keepends=True)
    n = new_dump.splitlines(keepends=True)
    if text and not text.endswith("\n"):
        t[-1] += "\n"  # compare whole lines; the missing final newline is restored below
    want = _meaning(new_dump)
    candidates: list[tuple[str | None, bool]] = []
    for paired in (True, False):
        dmap = _line_map(d, t, paired=paired)
        ranges = _changed_ranges(d, n, dmap)
        if paired:
            n = _reindented(n, d, t, dmap, ranges)
        if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:  # one block of new lines
            candidates += [(_fill_commented(t, d, n, dmap, ranges[0], created), True),
                           (_apply(t, d, n, dmap, ranges, lift=True), True)]
        elif len(ranges) == 1 and ranges[0][2] == ranges[0][3]:  # lines removed
            candidates.append((_apply(t, d, n, dmap, ranges, keep_comments=True), True))
        candidates.append((_apply(t, d, n, dmap, ranges), False))
        if d == t:
            break  # the file round-trips unchanged: both maps are the same
    for candidate, moved in candidates:
        if candidate is not None and _meaning(candidate) == want:
            return _ending(candidate, text), moved
    return new_dump, False


def _ending(result: str, original: str) -> str:
    if original and not original.endswith("\n") and result.endswith("\n"):
        return result[:-1]
    return result


def _line_map(d: list[str], t: list[str], *, paired: bool = True) -> dict[int, int]:
    """Dump line -> text line, for the lines that are the same in both.

    With ``paired``, a run of lines that differ but has as many lines in both (ruamel wrote
    them with other spacing or indentation) maps line for line too, so an edit there keeps
    the text's own way of writing the lines around it.
    """
    if d == t:
        return {i: i for i in range(len(d))}
    out: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, d, t, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (paired and tag == "replace" and i2 - i1 == j2 - j1):
            out.update({i1 + k: j1 + k for k in range(i2 - i1)})
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _reindented(n: list[str], d: list[str], t: list[str], dmap: dict[int, int],
                ranges: list[tuple[int, int, int, int]]) -> list[str]:
    """The new dump's changed lines shifted to the text's indentation where it differs."""
    out = list(n)
    for a, b, n1, n2 in ranges:
        ref = a if a < b else (b if b < len(d) else a - 1)
        if ref < 0 or ref not in dmap:
            continue
        shift = _indent(t[dmap[ref]]) - _indent(d[ref])
        for k in range(n1, n2):
            if shift > 0 and out[k].strip():
                out[k] = " " * shift + out[k]
            elif shift < 0 and _indent(out[k]) >= -shift:
                out[k] = out[k][-shift:]
    return out


def _changed_ranges(d: list[str], n: list[str],
                    dmap: dict[int, int]) -> list[tuple[int, int, int, int]]:
    """(d1, d2, n1, n2) blocks of the dump that changed, widened to lines the text shares."""
    ranges: list[tuple[int, int, int, int]] = []
    matcher = difflib.SequenceMatcher(None, d, n, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        a, b = i1, i2
        while a > 0 and a - 1 not in dmap:
            a -= 1
        while b < len(d) and b not in dmap:
            b += 1
        block = (a, b, j1 - (i1 - a), j2 + (b - i2))
        if ranges and block[0] <= ranges[-1][1]:
            prev = ranges.pop()
            block = (prev[0], max(prev[1], block[1]), prev[2], max(prev[3], block[3]))
        ranges.append(block)
    return ranges


def _text_span(d: list[str], t: list[str], dmap: dict[int, int], a: int,
               b: int) -> tuple[int, int]:
    start = dmap[a - 1] + 1 if a > 0 else 0
    end = dmap[b] if b < len(d) else len(t)
    return start, end


def _is_gap(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _apply(t: list[str], d: list[str], n: list[str], dmap: dict[int, int],
           ranges: list[tuple[int, int, int, int]], *, lift: bool = False,
           keep_comments: bool = False) -> str:
    """Replace each changed block of the text by the new dump's lines.

    ``lift``: new lines go up past blank lines and less indented comments to just below the
    content before them (ruamel puts a new key after the comments that follow the previous
    key, and those usually head the next section); a comment indented as deep as the new
    lines belongs with them and stays above. ``keep_comments``: removing a key keeps the
    comment lines ruamel would drop with it (they are about what follows).
    """
    out: list[str] = []
    cursor = 0
    for a, b, n1, n2 in ranges:
        start, end = _text_span(d, t, dmap, a, b)
        if lift and start == end and n1 < n2:
            depth = _indent(n[n1])
            while start > cursor and _is_gap(t[start - 1]) and not (
                    t[start - 1].strip() and _indent(t[start - 1]) >= depth):
                start -= 1
            out += t[cursor:start] + n[n1:n2] + t[start:end]
        elif keep_comments:
            removed = t[start:end]
            content = [i for i, line in enumerate(removed) if not _is_gap(line)] or [0]
            out += t[cursor:start] + n[n1:n2] + [
                line for line in removed[content[0] + 1: content[-1] + 1]
                if line.lstrip().startswith("#")] + removed[content[-1] + 1:]
        else:
            out += t[cursor:start] + n[n1:n2]
        cursor = end
    return "".join(out + t[cursor:])


def _fill_commented(t: list[str], d: list[str], n: list[str], dmap: dict[int, int],
                    block: tuple[int, int, int, int], created: PathParts) -> str | None:
    """The new lines written where ``init`` left their keys commented out.

    ``created`` is the first new key. Its line goes over (or just below) the line where it
    stands commented out; each following new line that is the next key of a chain with a
    commented-out line further down goes there too; the rest follows the last one placed.
    A commented line with an empty or one-word value is replaced (its comment kept); one
    that reads as a note ("# population: not in our sources") stays, the key goes below it.
    """
    _, _, n1, n2 = block
    new = n[n1:n2]
    if not created or not isinstance(created[-1], str) or not new:
        return None
    commented = commented_keys("".join(t))
    out = list(t)
    path = created
    floor = -1
    placed: list[tuple[int, str, bool]] = []  # (text line, new line, replaces)
    rest = list(new)
    while rest:
        match = _KEY_ONLY.match(rest[0].rstrip("\n"))
        mark = commented.get(path)
        if not match or match.group(2) != path[-1] or mark is None or mark.line - 1 <= floor:
            break
        index = mark.line - 1
        old = t[index].rstrip("\n")
        note, comment = _split_comment(old.split(":", 1)[1])
        simple = bool(_SIMPLE_VALUE.match(note.strip()))
        placed.append((index, _with_comment(rest[0].rstrip("\n"), old, comment) + "\n"
                       if simple else rest[0], simple))
        floor = index
        rest.pop(0)
        nxt = _KEY_ONLY.match(rest[0].rstrip("\n")) if rest else None
        path = (*path, nxt.group(2)) if nxt else path
    if not placed:
        return None
    for number, (index, line, replaces) in enumerate(reversed(placed)):
        extra = rest if number == 0 else []
        if replaces:
            out[index: index + 1] = [line, *extra]
        else:
            out[index + 1: index + 1] = [line, *extra]
    return "".join(out)


def _split_comment(rest: str) -> tuple[str, str]:
    """(value, comment) of what follows a commented key's colon."""
    match = re.search(r"(^|\s)#", rest)
    if not match:
        return rest, ""
    return rest[: match.start()], rest[match.start():].strip()


def _with_comment(line: str, old: str, comment: str) -> str:
    if not comment:
        return line
    column = old.find(comment)
    return line + " " * max(2, column - len(line)) + comment
