"""Placeholder: the rulebook (being written)."""

from __future__ import annotations

from lead_replicate.findings import Finding
from lead_replicate.loader import Source


def check_principles(plan: dict, source: Source) -> list[Finding]:
    return []
