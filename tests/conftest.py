from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CASES = TESTS / "cases"

# Property tests check what the code does, not how fast: a per-example deadline only makes them
# fail on a busy machine. Speed is measured in benchmarks/.
settings.register_profile("safeguard", deadline=None)
settings.load_profile("safeguard")


@pytest.fixture
def cases() -> Path:
    return CASES


@pytest.fixture
def complete_yaml() -> Path:
    """A small set using every DSL feature."""
    return CASES / "valid" / "complete.yaml"


# -- the slow tests ----------------------------------------------------------------------------
# ``python -m pytest -m "not slow"`` is the fast loop while working; CI runs everything. A test
# is slow when it renders a PDF, drives a browser or LibreOffice, builds and installs a wheel,
# times kills, or generates and runs the hostile corpus. New tests of those kinds carry
# ``@pytest.mark.slow`` themselves; the tests below are marked here, by module, by name, or by
# a ``pdf`` parameter, so that the rule is written down once.

SLOW_MODULES = {"test_render_pdf.py", "test_browser.py", "test_packaging.py"}
SLOW_TESTS = {
    "test_a_render_killed_at_any_moment_never_damages_the_previous_file",
    "test_a_process_killed_while_writing_leaves_the_old_file",
    "test_no_command_modifies_its_source_files",
    "test_entry",
    "test_entry_in_a_fresh_process",
    "test_html_runs_nothing_in_a_browser",
    "test_html_has_no_accessibility_violations",
    "test_pdf_reads_back",
    "test_bundled_pdf_form",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if (
            item.path.name in SLOW_MODULES
            or name in SLOW_TESTS
            or "pdf" in params.values()
            or "browser" in item.fixturenames
        ):
            item.add_marker(pytest.mark.slow)
