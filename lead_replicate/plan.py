"""Reading plan data defensively: any section may be absent or of an unexpected type."""

from __future__ import annotations

from typing import Any


def dig(data: Any, *keys: str | int) -> Any:
    """``data[k1][k2]...`` through mappings, or None as soon as a step is missing."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data
