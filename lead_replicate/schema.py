"""Placeholder: the format definition (being written)."""

from __future__ import annotations

from lead_replicate.findings import Finding
from lead_replicate.loader import Source


def check_structure(source: Source) -> tuple[list[Finding], dict | None]:
    return [], source.data
