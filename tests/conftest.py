"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def complete_path() -> Path:
    """A fictional plan that follows every principle (tests/data/complete.yaml)."""
    return DATA / "complete.yaml"


@pytest.fixture
def complete_plan() -> dict:
    return yaml.safe_load((DATA / "complete.yaml").read_text(encoding="utf-8"))
