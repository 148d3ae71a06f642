"""The propagation explorer's front-end (js/init.js) against nnbook.

The built page carries a grid of settings simulated in advance (js/init_grid.json); the front-end
looks the current setting up and shows it. Tested: every grid setting shows what Python shows for
it; a sample of the grid (and the first setting) equals nnbook.init.simulate recomputed now; a
setting Python sends live is shown the same way; outside the grid the page says so in words.
"""

from __future__ import annotations

import json
import random

import pytest

pytest.importorskip("anywidget")
pytest.importorskip("py_mini_racer")

from test_widgets_js import js_context  # noqa: E402

from nnbook.init import ACTIVATIONS, SCHEMES  # noqa: E402
from nnbook.widgets.init import (  # noqa: E402
    GRID,
    GRID_ABOUT,
    PropagationExplorer,
    _pack,
    _saved_grid,
    _unpack,
    grid_key,
    propagation_entry,
    propagation_view,
)

CALL = """(items => JSON.stringify(items.map(([v, d]) => {
  try { return model(v, d); }
  catch (e) { if (e instanceof Refusal) return {error: e.message}; throw e; }
})))"""


def js_views(ctx, items):
    return json.loads(ctx.eval(f"{CALL}({json.dumps(items)})"))


@pytest.fixture(scope="module")
def ctx():
    return js_context(PropagationExplorer.js_module)


@pytest.fixture(scope="module")
def grid():
    saved = _saved_grid()
    assert saved, "js/init_grid.json is missing: run `python -m nnbook.widgets.init`"
    return {"about": GRID_ABOUT, "schemes": list(SCHEMES), "activations": list(ACTIVATIONS), "entries": saved}


def _view(entry, state):
    view = propagation_view(entry, state["depth"], state["width"], state["batch_norm"], state["residual"])
    return json.loads(json.dumps({"panel": view.panel, **view.data}))


def test_the_grid_holds_exactly_the_announced_settings(grid):
    assert sorted(grid["entries"]) == sorted(grid_key(**s) for s in GRID)
    assert len(GRID) == 240


def test_every_grid_setting_shows_what_python_shows(ctx, grid):
    items = [[state, {"grid": grid}] for state in GRID]
    shown = js_views(ctx, items)
    wrong = [s for s, js in zip(GRID, shown) if js != _view(grid["entries"][grid_key(**s)], s)]
    assert not wrong, f"{len(wrong)} of {len(GRID)} differ, e.g. {wrong[:2]}"


def test_a_sample_of_the_grid_is_nnbooks_simulation_now(grid):
    """The saved numbers are nnbook.init.simulate's (a stale grid fails here: regenerate it)."""
    rng = random.Random(11)
    first = {"depth": 30, "width": 256, "scheme": "he_normal", "activation": "relu", "use_default_gain": True,
             "gain": 1.0, "batch_norm": False, "residual": False}
    sample = [first] + rng.sample([s for s in GRID if s["depth"] <= 30], 5)
    for state in sample:
        assert grid["entries"][grid_key(**state)] == propagation_entry(**state), state


def test_python_sends_the_current_setting_live(ctx, grid):
    state = {"depth": 7, "width": 32, "scheme": "lecun_normal", "activation": "tanh", "use_default_gain": False,
             "gain": 1.25, "batch_norm": True, "residual": True}
    ex = PropagationExplorer(**state)
    assert ex.ok and ex.entry["key"] == grid_key(**state)
    shown = js_views(ctx, [[state, {"grid": grid, "entry": ex.entry}]])[0]
    assert shown == json.loads(json.dumps(ex.view_model(**state)))
    # without Python the page cannot show it, and says which settings it can
    refused = js_views(ctx, [[state, {"grid": grid}]])[0]
    assert "simulated in advance" in refused["error"] and "width 256" in refused["error"] and "live notebook" in refused["error"]


def test_gain_zero_is_refused_with_pythons_words(ctx, grid):
    state = {**GRID[0], "scheme": "xavier_normal", "use_default_gain": False, "gain": 0.0}
    shown = js_views(ctx, [[state, {"grid": grid}]])[0]
    assert shown == PropagationExplorer().view_model(**state)


def test_slider_gains_are_the_grids_keys(ctx):
    """Gain i * 0.05 from the page's slider names the same grid entry as in Python."""
    grid = json.dumps({"schemes": list(SCHEMES), "activations": list(ACTIVATIONS)})
    keys = json.loads(ctx.eval("JSON.stringify(Array.from({length: 61}, (_, i) => gridKey({depth: 10, width: 256, "
                               "scheme: 'xavier_normal', activation: 'relu', use_default_gain: false, gain: i * 0.05, "
                               f"batch_norm: false, residual: false}}, {grid})))"))
    assert keys == [grid_key(10, 256, "xavier_normal", "relu", False, i * 0.05, False, False) for i in range(61)]


def test_packing_round_trips_in_both_languages(ctx):
    rng = random.Random(3)
    for delta in (True, False):
        values = [None if rng.random() < 0.1 else rng.randint(-40000, 40000) for _ in range(300)]
        packed = _pack(values, delta)
        assert _unpack(packed, delta) == values
        assert json.loads(ctx.eval(f"JSON.stringify(unpack({json.dumps(packed)}, {str(delta).lower()}))")) == values


def test_page_weight_of_the_grid():
    from nnbook.widgets.init import GRID_FILE

    assert GRID_FILE.stat().st_size < 75_000


def test_the_widget_carries_the_whole_grid_deflated(grid):
    """The page gets the grid as deflate+base64 (a quarter of its JSON); it inflates to exactly the
    saved entries (the browser tests draw grid settings from it on the built page)."""
    import base64
    import zlib

    packed = PropagationExplorer().grid["packed"]
    assert "entries" not in PropagationExplorer().grid
    assert json.loads(zlib.decompress(base64.b64decode(packed))) == grid["entries"]
    assert len(packed) < 25_000, len(packed)
