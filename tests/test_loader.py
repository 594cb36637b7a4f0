"""Tests for the loader: source positions, values, and every kind of hostile input refused."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
import yaml
from conftest import DATA

from lead_replicate.errors import LoadError
from lead_replicate.loading import yamlevents
from lead_replicate.loading.loader import (
    MAX_BYTES,
    Mark,
    load_jurisdiction,
    load_text,
    read_plan_bytes,
)

HOSTILE = DATA / "loader"


def refusal(raw: bytes | str) -> LoadError:
    with pytest.raises(LoadError) as info:
        load_text(raw, "plan.yaml")
    return info.value


# --- good files ---------------------------------------------------------------------------


def test_complete_plan_matches_safe_load(complete_path: Path, complete_plan: dict) -> None:
    source = load_jurisdiction(complete_path)
    assert source.data == complete_plan
    assert source.name == str(complete_path)


def test_positions_in_complete_plan(complete_path: Path) -> None:
    source = load_jurisdiction(complete_path)
    assert source.key_marks[("lead",)] == Mark(3, 1)
    assert source.value_marks[("lead",)] == Mark(3, 7)
    assert source.key_marks[("jurisdiction", "launch")] == Mark(13, 3)
    assert source.value_marks[("jurisdiction", "launch")] == Mark(13, 11)
    # a list item is located where the item starts (its first key, after the dash)
    assert source.key_marks[("stakeholders", 0)] == Mark(19, 5)
    assert source.key_marks[("stakeholders", 0, "signer", "title")] == Mark(23, 33)
    assert source.value_marks[("stakeholders", 0, "signer", "title")] == Mark(23, 40)
    assert source.key_marks[("milestones", 2, "status")] == Mark(174, 82)
    assert source.value_marks[()] == Mark(3, 1)


def test_every_value_has_a_mark(complete_path: Path) -> None:
    source = load_jurisdiction(complete_path)

    def paths(value: object, path: tuple = ()) -> list[tuple]:
        found = [path]
        if isinstance(value, dict):
            for key, child in value.items():
                found += paths(child, (*path, key))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                found += paths(child, (*path, i))
        return found

    every = paths(source.data)
    assert set(every) == set(source.value_marks)
    assert set(every) - {()} == set(source.key_marks)


def test_values_are_what_safe_loader_gives() -> None:
    text = ("lead: 1\nwhen: 2011-10-01\nratio: 1.5\nyes_: yes\nnone: ~\nquoted: '42'\n"
            "forced: !!str 7\nblock: |\n  two\n  lines\n")
    data = load_text(text).data
    assert data == yaml.safe_load(text)
    assert data["when"] == datetime.date(2011, 10, 1)
    assert data["forced"] == "7"


def test_plain_values_read_twice_are_read_the_same() -> None:
    """Plain values are resolved once and remembered; the second reading must not differ."""
    text = ("lead: 1\na: [yes, No, '~', ~, null, '', 0x1F, 0o17, 1_000, -2, .5, .inf, <<z,"
            " 2011-10-01, 2011-10-01 09:00:00, tru, 1e3, +1]\n")
    first = load_text(text).data
    assert first == load_text(text).data == yaml.safe_load(text)
    assert load_text("a: =\n").data == load_text("a: =\n").data == {"a": "="}
    for _ in range(2):  # a date that resolves as one but is not: refused each time
        assert refusal("lead: 1\nx: 2024-13-45\n").message == \
            "'2024-13-45' is not a valid timestamp value"


def test_non_string_scalar_keys_are_kept() -> None:
    data = load_text("lead: 1\n2027: launch\nnull: x\n").data
    assert data == {"lead": 1, 2027: "launch", None: "x"}


def test_aliases_expand_and_the_alias_value_is_located_at_the_alias() -> None:
    source = load_text("lead: 1\nbase: &base {signatory: true}\ncopy: *base\n")
    assert source.data["copy"] == {"signatory": True}
    assert source.value_marks[("copy",)] == Mark(3, 7)
    assert source.key_marks[("copy", "signatory")] == Mark(2, 14)


def test_bom_and_bytes_are_accepted() -> None:
    assert load_text(b"\xef\xbb\xbflead: 1\n").data == {"lead": 1}


def test_locate_falls_back_to_the_nearest_ancestor(complete_path: Path) -> None:
    source = load_jurisdiction(complete_path)
    assert source.locate(("stakeholders", 1, "signer", "name")) == Mark(29, 5)
    assert source.locate(("jurisdiction", "missing"), value=True) == Mark(6, 3)
    assert source.locate(("nowhere", "at", "all")) == Mark(1, 1)
    assert source.locate(("jurisdiction", "name"), value=True) == Mark(6, 9)


# --- hostile files stored in tests/data/loader ---------------------------------------------

CASES = [
    ("syntax-error.yaml", 4, "YAML syntax error: a ':' appears where it is not allowed "
     "(put quotes around text that contains ': ', or check the indentation)"),
    ("unclosed-quote.yaml", 3,
     "YAML syntax error: this quoted value is never closed (a closing quote is missing)"),
    ("tab-indent.yaml", 4, "line 4 is indented with a tab; YAML needs spaces"),
    ("only-comments.yaml", 1,
     "the file is empty (it holds no YAML, only comments or blank lines)"),
    ("top-level-list.yaml", 2, "the top of the file is a list, but it must be keys and "
     "values (start with 'lead: 1')"),
    ("top-level-scalar.yaml", 1, "the top of the file is a single value, but it must be "
     "keys and values (start with 'lead: 1')"),
    ("two-documents.yaml", 4, "the file holds more than one YAML document (a second '---' "
     "starts here); keep one jurisdiction per file"),
    ("duplicate-key.yaml", 5, "the key 'name' appears twice in the same mapping (first on "
     "line 3)"),
    ("duplicate-key-in-list.yaml", 7, "the key 'id' appears twice in the same mapping (first "
     "on line 5)"),
    ("list-as-key.yaml", 2, "a key must be a single value, not a list"),
    ("python-object-tag.yaml", 3, "tag !!python/object/apply:os.system is not allowed (only "
     "plain values, lists and mappings)"),
    ("python-name-tag.yaml", 3, "tag !!python/name:os.system is not allowed (only plain "
     "values, lists and mappings)"),
    ("custom-tag.yaml", 3, "tag !city is not allowed (only plain values, lists and mappings)"),
    ("merge-key.yaml", 5, "merge keys ('<<') are not supported; write the keys out in full"),
    ("recursive-alias.yaml", 3, "the alias *loop refers to the value that contains it "
     "(a recursive alias)"),
    ("undefined-alias.yaml", 2, "the alias *city has no matching anchor &city before it"),
    ("billion-laughs.yaml", 7, "the file expands to more than 100,000 values (too many YAML "
     "aliases)"),
    ("invalid-utf8.yaml", 3, "the file is not valid UTF-8 text: byte 0xE9 on line 3 (save the "
     "file as UTF-8)"),
    ("nul-byte.yaml", 3, "line 3 contains a NUL byte (binary data, not YAML text)"),
]


@pytest.mark.parametrize(("fixture", "line", "message"), CASES, ids=[c[0] for c in CASES])
def test_hostile_fixture_is_refused(fixture: str, line: int, message: str) -> None:
    path = HOSTILE / fixture
    with pytest.raises(LoadError) as info:
        load_jurisdiction(path)
    assert info.value.message == message
    assert info.value.line == line
    assert info.value.file == str(path)
    assert str(info.value).startswith(f"{path}:{line}:")


def test_every_hostile_fixture_has_a_case() -> None:
    assert {p.name for p in HOSTILE.iterdir()} == {c[0] for c in CASES}


@pytest.mark.parametrize("use_libyaml", [True, False], ids=["libyaml", "pure-python"])
def test_pure_python_parser_gives_the_same_answers(
    use_libyaml: bool, monkeypatch: pytest.MonkeyPatch, complete_path: Path
) -> None:
    if not use_libyaml:
        monkeypatch.setattr(yamlevents, "_PARSER", yaml.BaseLoader)
    reference = load_jurisdiction(complete_path)
    assert reference.data == yaml.safe_load(complete_path.read_bytes())
    for fixture, line, message in CASES:
        with pytest.raises(LoadError) as info:
            load_jurisdiction(HOSTILE / fixture)
        assert (info.value.line, info.value.message) == (line, message), fixture


# --- hostile input generated here ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["lead: " + "[" * 20_000 + "]" * 20_000, "lead: " + "{a: " * 20_000 + "}" * 20_000],
    ids=["list", "mapping"],
)
def test_deep_nesting_is_refused_without_recursion(text: str) -> None:
    error = refusal(text)
    assert error.message == "the file nests values more than 64 levels deep"
    assert error.line == 1


def test_nesting_at_the_limit_is_accepted() -> None:
    data = load_text("lead: " + "[" * 63 + "]" * 63).data
    depth = 0
    value = data["lead"]
    while isinstance(value, list):
        depth += 1
        value = value[0] if value else None
    assert depth == 63


def test_many_values_without_aliases_are_refused() -> None:
    error = refusal("lead: [" + "1," * 100_001 + "]")
    assert error.message == (
        "the file expands to more than 100,000 values (far more than a plan needs)"
    )


def test_recursive_alias_in_a_mapping_is_refused() -> None:
    error = refusal("lead: 1\nself: &me\n  again: *me\n")
    assert error.message == "the alias *me refers to the value that contains it (a recursive alias)"
    assert (error.line, error.column) == (3, 10)


def test_duplicate_keys_that_python_treats_as_equal() -> None:
    error = refusal("lead: 1\n1: one\ntrue: also one\n")
    assert error.message == "the key 'true' appears twice in the same mapping (first on line 2)"
    assert error.line == 3


def test_duplicate_key_through_an_alias() -> None:
    error = refusal("lead: 1\nname: &n id\n*n : 1\nid: 2\n")
    assert error.message == "the key 'id' appears twice in the same mapping (first on line 3)"
    assert error.line == 4


def test_mapping_as_key_is_refused() -> None:
    error = refusal("lead: 1\n{a: 1}: 2\n")
    assert (error.message, error.line) == ("a key must be a single value, not a mapping", 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lead: !!binary aGVsbG8=\n", "tag !!binary is not allowed (only plain values, lists "
         "and mappings)"),
        ("lead: !!set {a}\n", "tag !!set is not allowed (only plain values, lists and mappings)"),
        ("lead: !!int one\n", "'one' is not a valid int value"),
        ("lead: !!seq one\n", "the tag !!seq does not fit the value it is on"),
        ("lead: !!python/object:os.system {}\n", "tag !!python/object:os.system is not allowed "
         "(only plain values, lists and mappings)"),
    ],
)
def test_other_tags_are_refused(text: str, message: str) -> None:
    error = refusal(text)
    assert (error.message, error.line, error.column) == (message, 1, 7)


def test_anchor_defined_twice_is_refused() -> None:
    error = refusal("lead: 1\na: &x 1\nb: &x 2\n")
    assert (error.message, error.line) == ("the anchor &x is defined twice (first on line 2)", 3)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("lead: 1\nitems:\n  - one\n\t- two\n", 4,
         "line 4 is indented with a tab; YAML needs spaces"),
        ("lead: [1, 2\nname: x\n", 2,
         "YAML syntax error: a [list] is not closed: expected ',' or ']'"),
        ("lead: 1\nx:\n  - a\n b: 1\n", 4, "YAML syntax error: expected a key here; check this "
         "line's indentation"),
        ("lead: @home\n", 1, "YAML syntax error: this character cannot start a value; put the "
         "value in quotes"),
    ],
)
def test_syntax_errors_are_plain_english(text: str, line: int, message: str) -> None:
    error = refusal(text)
    assert (error.message, error.line) == (message, line)


QUOTES = [
    ("  name: 'King County Prosecuting Attorney's Office'\n", 2, 42,
     "YAML syntax error: a quote mark inside single-quoted text ends the text",
     "Write it as 'King County Prosecuting Attorney''s Office' (a quote mark inside single "
     "quotes is written twice) or in double quotes: \"King County Prosecuting Attorney's "
     "Office\"."),
    ("  - 'Attorney's Office'\n", 2, 14,
     "YAML syntax error: a quote mark inside single-quoted text ends the text",
     "Write it as 'Attorney''s Office' (a quote mark inside single quotes is written twice) "
     "or in double quotes: \"Attorney's Office\"."),
    ('  note: "He said "hi" there"\n', 2, 18,
     "YAML syntax error: a double quote mark inside double-quoted text ends the text",
     "Write it in single quotes: 'He said \"hi\" there'."),
]


@pytest.mark.parametrize("use_libyaml", [True, False], ids=["libyaml", "pure-python"])
@pytest.mark.parametrize(("line_text", "line", "column", "message", "fix"), QUOTES)
def test_a_quote_inside_quoted_text_is_explained(
    line_text: str, line: int, column: int, message: str, fix: str, use_libyaml: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not use_libyaml:
        monkeypatch.setattr(yamlevents, "_PARSER", yaml.BaseLoader)
    first = "stakeholders:\n" if line_text.startswith("  -") else "jurisdiction:\n"
    error = refusal(first + line_text + "  state: WA\n")
    assert (error.message, error.line, error.column, error.fix) == (message, line, column, fix)


def test_a_quote_mark_in_a_comment_is_not_blamed() -> None:
    error = refusal("x: 'fine' # it's fine\ny: [a, b\n")
    assert error.message == "YAML syntax error: a [list] is not closed: expected ',' or ']'"


def test_tabs_inside_a_block_text_are_content() -> None:
    assert load_text("lead: 1\nnote: |\n  a\n  \tb\n").data["note"] == "a\n\tb\n"


def test_null_document_is_empty() -> None:
    assert refusal("---\n").message.startswith("the file is empty")


def test_control_character_is_refused() -> None:
    error = refusal("lead: 1\nname: bell\x07\n")
    assert error.message == "line 2 contains a character YAML does not allow (U+0007)"
    assert (error.line, error.column) == (2, 11)


def test_utf16_is_refused() -> None:
    error = refusal("lead: 1\n".encode("utf-16"))
    assert error.message == "the file is saved as UTF-16; save it as UTF-8 text"


def test_text_over_the_size_limit_is_refused() -> None:
    assert "5 MiB" in refusal("#" * (MAX_BYTES + 1)).message
    assert "5 MiB" in refusal(b"#" * (MAX_BYTES + 1)).message
    # characters are counted as UTF-8 bytes: 1.4 M four-byte characters are over 5 MiB
    assert "5 MiB" in refusal("# " + "\U0001f600" * 1_400_000).message


# --- files ---------------------------------------------------------------------------------


def test_big_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: costs no disk and is never read
    with pytest.raises(LoadError) as info:
        load_jurisdiction(big)
    assert info.value.message == "the file is 5,242,881 bytes; the limit is 5,242,880 (5 MiB)"


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        load_jurisdiction(tmp_path)
    assert info.value.message == "this is a folder, not a file"


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        load_jurisdiction(tmp_path / "nope.yaml")
    assert info.value.message == "the file does not exist"
    assert info.value.file == str(tmp_path / "nope.yaml")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked.yaml"
    locked.write_text("lead: 1\n")
    locked.chmod(0)
    with pytest.raises(LoadError) as info:
        load_jurisdiction(locked)
    assert info.value.message == "permission denied: the file cannot be read"


def test_permission_error_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    plan = tmp_path / "plan.yaml"
    plan.write_text("lead: 1\n")
    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(LoadError) as info:
        load_jurisdiction(plan)
    assert info.value.message == "permission denied: the file cannot be read"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)  # opening it for reading would block forever without a writer
    with pytest.raises(LoadError) as info:
        load_jurisdiction(fifo)
    assert info.value.message == ("this is a pipe (FIFO), not a regular file; "
                                  "give the path of a .yaml file")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_symlink_to_a_device_is_refused_before_reading(tmp_path: Path) -> None:
    link = tmp_path / "plan.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(LoadError) as info:
        read_plan_bytes(link)
    assert info.value.message == ("this is a device, not a regular file; "
                                  "give the path of a .yaml file")
