"""Read a jurisdiction file safely: size, encoding and syntax checks, in plain words."""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from lead_replicate.errors import LoadError
from lead_replicate.loading.source import KEY_LINE, Mark, Source
from lead_replicate.loading.yamlevents import MAX_DEPTH, parse

__all__ = ["MAX_BYTES", "LoadError", "Mark", "Source", "load_jurisdiction", "load_shipped",
           "load_text", "read_bounded", "read_plan_bytes"]

MAX_BYTES = 5 * 1024 * 1024
_DATA = Path(__file__).resolve().parent.parent / "data"
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SYNTAX_HINTS = {  # libyaml / PyYAML problem text -> plain English
    "could not find expected ':'": "expected ':' after a key",
    "mapping values are not allowed": "a ':' appears where it is not allowed "
    "(put quotes around text that contains ': ', or check the indentation)",
    "did not find expected key": "expected a key here; check this line's indentation",
    "expected <block end>": "expected a key here; check this line's indentation",
    "expected '-' indicator": "expected a '- ' list item here; check the indentation",
    "cannot start any token": "this character cannot start a value; put the value in quotes",
    "expected ',' or ']'": "a [list] is not closed: expected ',' or ']'",
    "expected ',' or '}'": "a {mapping} is not closed: expected ',' or '}'",
    "did not find expected node content": "expected a value here",
    "found undefined tag handle": "unknown tag handle ('!' prefix)",
}


def load_jurisdiction(path: str | Path) -> Source:
    """Read ``path``; raise :class:`LoadError` (one line, with file and line) if it cannot be."""
    return load_text(read_plan_bytes(path), str(path))


def read_plan_bytes(path: str | Path) -> bytes:
    """The bytes of a plan file, read once and bounded: what validate and build both check.

    Anything that is not a regular file (a folder, a FIFO, a device such as /dev/zero, even
    through a symbolic link) is refused before it is read, so nothing can hang or flood us.
    """
    return read_bounded(path, MAX_BYTES)


def read_bounded(path: str | Path, limit: int) -> bytes:
    """At most ``limit`` bytes of the regular file ``path``; LoadError for anything else."""
    p, name = Path(path), str(path)
    try:
        if p.is_dir():
            raise LoadError(name, "this is a folder, not a file")
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise LoadError(name, f"this is {_kind(st.st_mode)}, not a regular file; "
                                "give the path of a .yaml file")
            if st.st_size > limit:
                raise LoadError(name, f"the file is {st.st_size:,} bytes; the limit is {limit:,}"
                                + (" (5 MiB)" if limit == MAX_BYTES else ""))
            raw = handle.read(limit + 1)  # bounded: a file growing meanwhile cannot flood us
    except FileNotFoundError:
        raise LoadError(name, "the file does not exist") from None
    except PermissionError:
        raise LoadError(name, "permission denied: the file cannot be read") from None
    except OSError as exc:
        raise LoadError(name, f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise LoadError(name, f"the file grew past the {limit:,}-byte limit while being read")
    return raw


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def load_text(raw: bytes | str, name: str = "<string>") -> Source:
    """Parse YAML text into a :class:`Source`, refusing anything hostile with a LoadError."""
    text = _decode(raw, name)
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - text.rfind("\n", 0, bad.start())
        what = "a NUL byte (binary data, not YAML text)" if bad.group() == "\0" else (
            f"a character YAML does not allow (U+{ord(bad.group()):04X})")
        raise LoadError(name, f"line {line} contains {what}", line, col)
    try:
        source = parse(text, name)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, name) from None
    except yaml.YAMLError as exc:  # unmarked parser errors (the checks above should prevent)
        raise LoadError(name, f"YAML error: {exc}".splitlines()[0]) from None
    source.text = text
    return source


def load_shipped(name: str) -> Any:
    """One of the tool's own data files (``lead_replicate/data/NAME``): trusted, so plain.

    Read next to the package (pip installs a wheel as plain files; importlib.resources cost
    15 ms of a cold ``validate`` to import), with libyaml's loader when available (the
    pure-Python one took a third of a cold ``validate``).
    """
    text = (_DATA / name).read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# A value that opens with a quote mark: "  name: 'King County..." or "  - 'text".
_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s#'"][^#'"]*?:\s+)?(['"])""")


def _quote_inside_quotes(line: str, col: int) -> tuple[str, str] | None:
    """What went wrong and how to write it, when a quote mark inside quoted text ended it.

    ``name: 'King County Prosecuting Attorney's Office'`` ends the quoted text after
    ``Attorney``; the parser then finds ``s Office'`` where a key or the line's end must be.
    """
    opened = _QUOTED_VALUE.match(line)
    if not opened or col < 2 or line[col - 2] != opened.group(1) or col - 2 <= opened.end(1):
        return None
    mark = opened.group(1)
    text = line[opened.end(1):].rstrip()
    text = text[:-1] if text.endswith(mark) else text
    single = "'" + text.replace("'", "''") + "'"
    if mark == "'":
        double = f' or in double quotes: "{text}"' if '"' not in text else ""
        return ("a quote mark inside single-quoted text ends the text",
                f"Write it as {single} (a quote mark inside single quotes is written twice)"
                f"{double}.")
    return ("a double quote mark inside double-quoted text ends the text",
            f"Write it in single quotes: {single}.")


def _commented_heading_above(text: str, line: int) -> tuple[int, str] | None:
    """(line, key) when the line before ``line`` is a key commented out, less indented."""
    lines = text.split("\n")
    this = lines[line - 1] if line <= len(lines) else ""
    indent = len(this) - len(this.lstrip(" "))
    for number in range(line - 1, 0, -1):
        above = lines[number - 1]
        if not above.strip():
            continue
        match = KEY_LINE.match(above)
        if match and "#" in above[: match.start(3)] and \
                len(match.group(1)) + len(match.group(2)) < indent:
            return number, match.group(3)
        return None
    return None


def _decode(raw: bytes | str, name: str) -> str:
    """Bytes to text, refusing oversize, UTF-16, binary and invalid UTF-8 input."""
    if isinstance(raw, str):
        if len(raw) > MAX_BYTES or (
            len(raw) * 4 > MAX_BYTES and len(raw.encode("utf-8", "surrogatepass")) > MAX_BYTES
        ):
            raise LoadError(name, f"the text is larger than the {MAX_BYTES:,}-byte (5 MiB) limit")
        return raw.removeprefix("\ufeff")
    if len(raw) > MAX_BYTES:
        raise LoadError(name, f"the file is larger than the {MAX_BYTES:,}-byte (5 MiB) limit")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LoadError(name, "the file is saved as UTF-16; save it as UTF-8 text")
    nul = raw.find(b"\0")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise LoadError(name, f"line {line} contains a NUL byte (binary data, not YAML text)", line)
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8")) + 1
        raise LoadError(name, f"the file is not valid UTF-8 text: byte 0x{raw[exc.start]:02X} "
                        f"on line {line} (save the file as UTF-8)", line, col) from None


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, name: str) -> LoadError:
    """One plain line for a scanner/parser error; tab indentation gets its own message."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    this_line = [*text.split("\n"), ""][line - 1]
    indent = this_line[: len(this_line) - len(this_line.lstrip(" \t"))]
    if "\t" in indent:
        return LoadError(name, f"line {line} is indented with a tab; YAML needs spaces",
                         line, indent.index("\t") + 1)
    problem = exc.problem or "the file is not valid YAML"
    if "maximum nesting depth" in problem:  # newer libyaml stops deep nesting itself
        return LoadError(name, f"the file nests values more than {MAX_DEPTH} levels deep",
                         line, col)
    quoted = _quote_inside_quotes(this_line, col)
    if quoted:
        return LoadError(name, f"YAML syntax error: {quoted[0]}", line, col - 1, fix=quoted[1])
    heading = _commented_heading_above(text, line)
    if heading and ("expected key" in problem or "block end" in problem):
        number, key = heading
        return LoadError(name, f"YAML syntax error: this line is indented under '{key}:' on "
                         f"line {number}, which is still commented out", line, col,
                         fix=f"Delete the '# ' at the start of line {number}.")
    message = next((hint for key, hint in _SYNTAX_HINTS.items() if key in problem), problem)
    opened = exc.context_mark
    if "end of stream" in problem and "quoted" in (exc.context or "") and opened:
        line, col = opened.line + 1, opened.column + 1  # point at the quote, not the file's end
        message = "this quoted value is never closed (a closing quote is missing)"
    return LoadError(name, f"YAML syntax error: {message}", line, col)
