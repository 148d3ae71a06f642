"""`import nnbook` stays light: fast, and no matplotlib/ipywidgets until a plot or widget is made."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys, time
t = time.perf_counter()
import nnbook
elapsed = time.perf_counter() - t
heavy = sorted(m for m in ("matplotlib", "ipywidgets", "IPython", "torch", "scipy", "jupyterquiz") if m in sys.modules)
print(json.dumps({"seconds": elapsed, "heavy": heavy}))
"""


def probe(code: str = PROBE) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_is_light_and_fast():
    best = min((probe() for _ in range(3)), key=lambda r: r["seconds"])
    assert best["heavy"] == []
    assert best["seconds"] < 0.2, best


def test_chapter_modules_do_not_pull_in_the_view_layer():
    load_all = (
        "import nnbook\nimport importlib, pkgutil\n"
        "for m in pkgutil.iter_modules(nnbook.__path__):\n"
        "    if not m.name.startswith('_') and m.name not in ('widgets', 'plots'):\n"
        "        importlib.import_module('nnbook.' + m.name)\n"
    )
    code = PROBE.replace("import nnbook\n", load_all)
    result = probe(code)
    assert not {"matplotlib", "ipywidgets", "torch"} & set(result["heavy"]), result


def test_lazy_submodules_and_helpful_attribute_error():
    import pytest

    import nnbook

    assert nnbook.conv.output_size(84, 8, 4) == 20
    assert "conv" in dir(nnbook)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        nnbook.nope  # noqa: B018
