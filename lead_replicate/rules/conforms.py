"""A fast yes/no: does a plan match the format? Cerberus explains only the plans that do not.

Cerberus builds a child validator for every mapping and list it meets and looks up each rule's
handler by name, which made it half of a ``validate`` over many files. Almost every plan
checked is sound, and a sound plan needs no explanation, so :func:`conforms` walks the plan
against a compiled copy of :data:`~lead_replicate.rules.schema.FORMAT` and answers only yes or
no. It answers yes exactly when cerberus (as :func:`~lead_replicate.rules.schema.validator`
runs it, without normalizing) reports nothing; on no, the structural check runs cerberus
itself, so every message still comes from one place. ``tests/test_conforms.py`` holds the two
to agreement over every stored plan and over a value of every kind put at every field.

Each rule mirrors cerberus 1.3's handler: ``nullable`` first (a null skips every other rule),
then ``type`` (from the validator's own type table), ``empty`` (an empty value skips
``allowed`` and ``regex``), ``allowed``, ``regex`` (matched as cerberus does, with ``$``
appended), ``min`` (ignored when the value cannot be compared), and ``schema`` for a mapping's
fields (unknown keys refused, required keys present) or a list's items. A rule this module
does not know makes :func:`conforms` unavailable (None), so cerberus always runs rather than
a new rule being skipped.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable, Mapping, Sequence, Sized
from typing import Any

from lead_replicate.rules.schema import FORMAT

_KNOWN = {"type", "required", "nullable", "allowed", "regex", "min", "empty", "schema", "meta"}
# cerberus.Validator.types_mapping as rules/schema.py's validator() adjusts it (integer refuses
# booleans, date refuses date-times): included and excluded types. A test compares the two.
TYPES: dict[str, tuple[tuple[type, ...], tuple[type, ...]]] = {
    "string": ((str,), ()),
    "integer": ((int,), (bool,)),
    "boolean": ((bool,), ()),
    "date": ((datetime.date,), (datetime.datetime,)),
    "list": ((Sequence,), (str,)),
    "dict": ((Mapping,), ()),
}

_EXACT = {"string": str, "integer": int, "boolean": bool, "date": datetime.date, "list": list,
          "dict": dict}


class _Unsupported(Exception):
    """FORMAT uses a rule this module does not mirror."""


class _Field:
    """One field's rules, compiled: plain attributes, read in the order cerberus applies them."""

    __slots__ = ("allowed", "empty", "exact", "excluded", "fields", "included", "item", "min",
                 "nullable", "regex", "required")

    def __init__(self, rules: dict) -> None:
        unknown = set(rules) - _KNOWN
        if unknown or rules.get("type") not in TYPES:
            raise _Unsupported(", ".join(sorted(unknown)) or str(rules.get("type")))
        self.included, self.excluded = TYPES[rules["type"]]
        self.exact = _EXACT[rules["type"]]  # what YAML gives; checked first, as it is cheap
        self.nullable = bool(rules.get("nullable", False))
        self.empty: bool | None = rules.get("empty")
        self.allowed = tuple(rules["allowed"]) if "allowed" in rules else None
        pattern = rules.get("regex")
        if pattern is not None and not pattern.endswith("$"):
            pattern += "$"
        self.regex = re.compile(pattern).match if pattern is not None else None
        self.min = rules.get("min")
        self.fields: dict[str, _Field] | None = None
        self.required: frozenset[str] = frozenset()
        self.item: _Field | None = None
        schema = rules.get("schema")
        if schema is not None and rules["type"] == "dict":
            self.fields, self.required = _compile(schema)
        elif schema is not None and rules["type"] == "list":
            self.item = _Field(schema)
        elif schema is not None:
            raise _Unsupported("schema on " + rules["type"])


def _compile(fields: dict) -> tuple[dict[str, _Field], frozenset[str]]:
    return ({key: _Field(rules) for key, rules in fields.items()},
            frozenset(k for k, rules in fields.items() if rules.get("required") is True))


@functools.lru_cache(maxsize=1)
def _root() -> tuple[dict[str, _Field], frozenset[str]] | None:
    try:
        return _compile(FORMAT)
    except _Unsupported:
        return None


def available() -> bool:
    """True when every rule in FORMAT is one :func:`conforms` mirrors."""
    return _root() is not None


def conforms(data: Any) -> bool:
    """True when cerberus would find nothing wrong with ``data``; False when it might.

    Raises RuntimeError when FORMAT uses a rule not mirrored here (see :func:`available`).
    """
    root = _root()
    if root is None:
        raise RuntimeError("FORMAT uses a rule that conforms() does not mirror")
    return isinstance(data, Mapping) and _mapping(data, *root)


def _mapping(node: Mapping, fields: dict[str, _Field], required: frozenset[str]) -> bool:
    for key, value in node.items():
        rule = fields.get(key) if isinstance(key, str) else None
        if rule is None or not _value(value, rule):
            return False
    return required.issubset(node.keys())


def _value(value: Any, rule: _Field) -> bool:
    if value is None:
        return rule.nullable
    if type(value) is not rule.exact and (not isinstance(value, rule.included)
                                          or isinstance(value, rule.excluded)):
        return False
    if rule.empty is not None and isinstance(value, Sized) and len(value) == 0:
        if not rule.empty:
            return False
    else:
        if rule.allowed is not None and not _allowed(value, rule.allowed):
            return False
        if rule.regex is not None and isinstance(value, str) and not rule.regex(value):
            return False
    if rule.min is not None:
        try:
            if value < rule.min:
                return False
        except TypeError:
            pass
    if rule.fields is not None and (type(value) is dict or isinstance(value, Mapping)):
        return _mapping(value, rule.fields, rule.required)
    if rule.item is not None and (type(value) is list or (isinstance(value, Sequence)
                                                          and not isinstance(value, str))):
        item = rule.item
        return all(_value(x, item) for x in value)
    return True


def _allowed(value: Any, allowed: tuple) -> bool:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return value in allowed
    return all(x in allowed for x in value)
