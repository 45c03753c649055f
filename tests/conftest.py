from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CASES = TESTS / "cases"


@pytest.fixture
def cases() -> Path:
    return CASES


@pytest.fixture
def complete_yaml() -> Path:
    """A small set using every DSL feature."""
    return CASES / "valid" / "complete.yaml"
