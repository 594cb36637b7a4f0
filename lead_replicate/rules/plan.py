"""Reading plan data defensively: any section may be absent or of an unexpected type."""

from __future__ import annotations

from typing import Any


def dig(data: Any, *keys: str | int) -> Any:
    """``data[k1][k2]...`` through mappings, or None as soon as a step is missing."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def section(data: Any, *keys: str) -> dict:
    """The mapping at ``data[k1][k2]...``, or an empty one when it is absent or not a mapping."""
    node = dig(data, *keys)
    return node if isinstance(node, dict) else {}
