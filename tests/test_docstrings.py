"""Every docstring example in the package runs and prints what it says (one test per module).

Exercise declarations (nnbook.exercises.<chapter>) and the Explorer base are checked by
their own tests instead; every other module must carry examples, as the guide asks.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import nnbook

MODULES = sorted(m.name for m in pkgutil.walk_packages(nnbook.__path__, "nnbook."))
WITHOUT_EXAMPLES = {"nnbook.widgets"} | {
    m for m in MODULES if m.startswith("nnbook.exercises.") and m != "nnbook.exercises._core"
}
# The chapters whose docstrings carry many examples keep at least that many.
MIN_EXAMPLES = {"nnbook.autodiff": 21, "nnbook.softmax": 21, "nnbook.sizing": 10}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, name
    if name not in WITHOUT_EXAMPLES:
        assert result.attempted >= MIN_EXAMPLES.get(name, 1), f"{name} has no docstring examples"
