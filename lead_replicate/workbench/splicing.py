"""Splice a changed YAML dump into the file's own text, changing only the changed lines.

ruamel.yaml dumps the whole edited document; the lines that differ between the dump before
and after an edit are written into the planner's text, so every untouched line stays byte
for byte as written even where ruamel would have formatted it differently. New lines go
where ``init`` left their keys commented out, or just below the content before them; a
removed key's neighbouring comments stay. Each candidate is checked to mean exactly what the
edited document means (YAML read as the validator reads it), else the plainer one is used.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import yaml

from lead_replicate.errors import LeadError
from lead_replicate.findings import PathParts
from lead_replicate.loading.source import commented_keys

_KEY_ONLY = re.compile(r"^( *)([A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?$")
SIMPLE_VALUE = re.compile(r"^[\w.+-]*$")


class _Strict(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader, refusing a key twice in one mapping as the validator does (a
    plain loader keeps the last, so a line spliced in twice would go unnoticed)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) or key is None:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


class SpliceError(LeadError):
    """No layout of the change reads back as the change: it is refused, nothing is written."""


def meaning(text: str) -> Any:
    """What a text means, read as the validator reads it (YAML 1.1, plain data); a text
    the validator would refuse (a duplicate key, bad YAML) means nothing (None)."""
    try:
        return yaml.load(text, Loader=_Strict)
    except yaml.YAMLError:
        return _NOTHING


_NOTHING: Any = object()  # never equal to any data


def splice(text: str, old_dump: str, new_dump: str,
           created: PathParts = ()) -> tuple[str, bool, bool]:
    """``text`` with the lines that changed from ``old_dump`` to ``new_dump`` changed too.

    ``created`` is the path of the first key the edit added (its parents existed). Returns the
    text, whether lines were placed differently from the dump, and whether no splice fitted
    and the text is the whole new dump (then the caller may re-read the text and retry).
    """
    t = text.splitlines(keepends=True)
    d = old_dump.splitlines(keepends=True)
    n = new_dump.splitlines(keepends=True)
    if text and not text.endswith("\n"):
        t[-1] += "\n"  # compare whole lines; the missing final newline is restored below
    want = meaning(new_dump)
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
        candidates += [(_apply(t, d, n, dmap, ranges), True),
                       (_apply(t, d, n, dmap, ranges, text_only=False), False)]
        if d == t:
            break  # the file round-trips unchanged: both maps are the same
    for candidate, moved in candidates:
        if candidate is not None and meaning(candidate) == want:
            return _ending(candidate, text), moved, False
    if meaning(new_dump) is _NOTHING:  # ruamel wrote something YAML 1.1 reads otherwise
        raise SpliceError("this change cannot be written into the file as it is laid out; "
                          "make it in the YAML text tab")
    return new_dump, False, True


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
           keep_comments: bool = False, text_only: bool = True) -> str:
    """Replace each changed block of the text by the new dump's lines.

    ``lift``: new lines go up past blank lines and less indented comments to just below the
    content before them (ruamel puts a new key after the comments that follow the previous
    key, and those usually head the next section); a comment indented as deep as the new
    lines belongs with them and stays above. ``keep_comments``: removing a key keeps the
    comment lines ruamel would drop with it (they are about what follows). ``text_only``:
    comment and blank lines found only in the text (ruamel lost them, or never knew where
    they go) stay, after the new lines.
    """
    images = set(dmap.values())
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
            kept = [t[j] for j in range(start, end) if j not in images and _is_gap(t[j])]
            out += t[cursor:start] + n[n1:n2] + (kept if text_only else [])
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
        note, comment = split_comment(old.split(":", 1)[1])
        simple = bool(SIMPLE_VALUE.match(note.strip()))
        placed.append((index, with_comment(rest[0].rstrip("\n"), old, comment) + "\n"
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


def split_comment(rest: str) -> tuple[str, str]:
    """(value, comment) of what follows a commented key's colon."""
    match = re.search(r"(^|\s)#", rest)
    if not match:
        return rest, ""
    return rest[: match.start()], rest[match.start():].strip()


def with_comment(line: str, old: str, comment: str) -> str:
    if not comment:
        return line
    column = old.find(comment)
    return line + " " * max(2, column - len(line)) + comment
