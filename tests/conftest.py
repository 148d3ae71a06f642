"""Shared test configuration.

- Hypothesis runs derandomized (the same examples on every run, like every other seeded
  thing in this book) with no per-example deadline (CI machines are small).
- ``torch`` fixture: PyTorch is an *oracle*, not a dependency. Tests that need it take the
  fixture and are skipped with a clear reason when it is not installed; CI installs it
  (``torch==2.13.0``, CPU build) so they run there.
"""

from __future__ import annotations

import os
import pathlib

import pytest
from hypothesis import HealthCheck, settings

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"

settings.register_profile(
    "nnbook",
    derandomize=True,
    deadline=None,
    max_examples=int(os.environ.get("NNBOOK_HYPOTHESIS_EXAMPLES", "100")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("nnbook")


@pytest.fixture(scope="session")
def torch():
    """The PyTorch module, or skip: 'torch is not installed (CI installs torch==2.13.0)'."""
    return pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")


def pytest_collection_modifyitems(config, items):
    # Tests that take the torch fixture carry the marker too, so `-m "not torch"` works.
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.torch)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test file (Playwright's sync API allows one
    instance per thread, so the files cannot each start their own)."""
    from playwright.sync_api import sync_playwright

    from browser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
