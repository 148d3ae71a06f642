"""The step-through's front-end (js/autodiff.js) against nnbook: every step of several traces.

Python traces the formula once (``trace_data``, which the page carries); the front-end looks each
step up and builds the panel (sentence + table with ``?`` for values not reached) and the graph's
highlights. For every step, what it shows equals ``TraceStepper.view_model`` (nnbook.autodiff).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("anywidget")
pytest.importorskip("py_mini_racer")

from test_widgets_js import js_context  # noqa: E402

from nnbook.autodiff import random_expression, reverse_trace, trace_text  # noqa: E402
from nnbook.widgets.autodiff import TraceStepper, describe_step, trace_data  # noqa: E402

CALL = """(items => JSON.stringify(items.map(([v, d]) => {
  try { return model(normalize(v, d), d); }
  catch (e) { if (e instanceof Refusal) return {error: e.message}; throw e; }
})))"""


def js_views(ctx, items):
    return json.loads(ctx.eval(f"{CALL}({json.dumps(items)})"))


@pytest.fixture(scope="module")
def ctx():
    return js_context(TraceStepper.js_module)


FORMULAS = [
    ("log(x1) + x1*x2 - sin(x2)", "2, 5"),
    ("1/(x1 + x2) + x2^2 + cos(x1)", "x1=3, x2=6"),
    ("x1*x1", "3"),
    ("exp(x1) * x1 - x1 / x2", "0.5, -2"),
    ("sqrt(x1) + x1**3", "4"),
]


def _random_formulas(n):
    rng = np.random.default_rng(7)
    out = []
    while len(out) < n:
        text = random_expression(rng, ("x1", "x2"), size=4)
        try:
            trace_text(text, "0.7, 1.3")
        except ValueError:
            continue
        out.append((text, "0.7, 1.3"))
    return out


@pytest.mark.parametrize("expression, point", FORMULAS + _random_formulas(6))
def test_every_step_equals_nnbook(ctx, expression, point):
    ex = TraceStepper(expression, point)
    d = {"trace": trace_data(expression, point)}
    last = len(trace_text(expression, point).sweep()) - 1
    steps = list(range(last + 1)) + [last + 5]  # past the end: clamped, as on the slider
    items = [[{"expression": expression, "point": point, "step": s}, d] for s in steps]
    js = js_views(ctx, items)
    for (state, _), shown in zip(items, js):
        py = json.loads(json.dumps(ex.view_model(**state)))
        assert shown == py, (state, shown.get("panel", shown)[:300], py.get("panel", py)[:300])


def test_saved_trace_is_nnbooks(ctx):
    """The data the page carries is nnbook's trace: each sentence is describe_step, each cell Row.tex()."""
    ex = TraceStepper()
    rt = trace_text(ex.expression, ex.point)
    assert ex.trace == trace_data(ex.expression, ex.point)
    assert ex.trace["describe"] == [describe_step(rt, i) for i in range(len(rt.sweep()))]
    assert ex.trace["forward"] == [list(r.tex()) for r in rt.trace.rows]
    assert ex.trace["reverse"] == [list(r.tex()) for r in rt.rows]
    assert [n["adjoint"] for n in ex.trace["graph"]["nodes"]] == [f"{a:.4f}" for a in rt.adjoints]


def test_errors_and_a_new_formula_on_the_page(ctx):
    ex = TraceStepper("log(x1 - 3)", "2")
    assert not ex.ok and "error" in ex.trace
    shown = js_views(ctx, [[{"expression": "log(x1 - 3)", "point": "2", "step": 0}, {"trace": ex.trace}]])[0]
    assert shown == ex.view_model(expression="log(x1 - 3)", point="2", step=0)
    # the page has no Python: a formula other than the saved one is refused in words
    saved = {"trace": trace_data("x1*x2", "3, 4")}
    shown = js_views(ctx, [[{"expression": "x1 + x2", "point": "3, 4", "step": 0}, saved]])[0]
    assert "live notebook" in shown["error"]


def test_describe_step_refuses_a_step_out_of_range():
    rt = reverse_trace(lambda x: x * x, 3.0)
    with pytest.raises(ValueError, match="from 0 to 5"):
        describe_step(rt, 6)
