"""The autodiff chapter's view layer: computational graph and step-through widget (no browser)."""

from __future__ import annotations

import pytest

from nnbook.autodiff import forward_trace, log, reverse_trace, sin, trace, trace_text

pytest.importorskip("matplotlib")
pytest.importorskip("ipywidgets")

from nnbook.plots import figure_to_png  # noqa: E402
from nnbook.plots.autodiff import computational_graph, graph_layout  # noqa: E402
from nnbook.widgets.autodiff import TraceStepper, describe_step  # noqa: E402


def baydin(x1, x2):
    return log(x1) + x1 * x2 - sin(x2)


def test_layout_puts_every_node_right_of_its_arguments():
    t = trace(baydin, 2, 5)
    where = graph_layout(t)
    assert len(where) == len(t.nodes) == 7
    for pos, node in enumerate(t.nodes):
        assert all(where[a][0] < where[pos][0] for a in node.args)
    assert len(set(where)) == len(where)  # no two nodes on top of each other


def test_graph_labels_every_node_with_its_trace_name_and_highlights():
    rt = reverse_trace(baydin, 2, 5)
    fig = computational_graph(rt, highlight=2, edge=(2, 0))
    texts = [t.get_text() for t in fig.axes[0].texts]
    for index in range(-1, 6):
        assert f"$v_{{{index}}}$" in texts
    assert "ln(v₋₁)" in texts and "= y" in texts
    assert any("1.7163" in t for t in texts)  # the adjoint of x2 under its node
    faces = [p.get_facecolor() for p in fig.axes[0].patches]
    from matplotlib.colors import to_rgb

    from nnbook.plots.autodiff import HIGHLIGHT

    assert sum(tuple(f[:3]) == to_rgb(HIGHLIGHT) for f in faces) == 1
    assert figure_to_png(computational_graph(forward_trace(baydin, 2, 5)))[:4] == b"\x89PNG"


def test_stepper_walks_forward_then_reverse():
    ex = TraceStepper()
    rt = trace_text("log(x1) + x1*x2 - sin(x2)", "2, 5")
    n_forward, n_reverse = len(rt.trace.rows), len(rt.rows)
    assert ex.controls["step"].max == n_forward + n_reverse - 1
    ex.set(step=0)
    assert ex.ok and "Forward sweep, step 1 of 8: v₋₁ = x₁ = 2.0000" in ex.panel.value
    assert ex.panel.value.count('class="hl"') == 1
    assert ex.panel.value.count("= ?") == (n_forward - 1) + n_reverse  # not computed yet
    ex.set(step=n_forward)
    assert "Reverse sweep, step 1 of 11: v̄₅ = y\u0304 = 1.0000" in ex.panel.value
    assert ex.panel.value.count("= ?") == n_reverse - 1
    ex.set(step=n_forward + n_reverse - 1)
    assert "Done: the gradient is (5.5000, 1.7163)" in ex.panel.value and "= ?" not in ex.panel.value


def test_stepper_reads_the_readers_formula_and_refuses_bad_ones():
    ex = TraceStepper()
    ex.set(expression="1/(x1 + x2) + x2^2 + cos(x1)", point="x1=3, x2=6", step=0)
    assert ex.ok and "at x₁ = 3, x₂ = 6" in ex.panel.value and "v₋₁ = x₁ = 3.0000" in ex.panel.value
    assert ex.controls["step"].max == len(trace_text("1/(x1 + x2) + x2^2 + cos(x1)", "3, 6").sweep()) - 1
    picture = ex.image.value
    for expression, point, words in [
        ("__import__('os').system('ls')", "1", "not a supported function"),
        ("log(x1 - 3)", "2", "v₂ = ln(v₁) fails"),
        ("x1 / (x2 - 1)", "1, 1", "division by zero"),
        ("x1 + x2", "1", "give 2 value(s)"),
    ]:
        ex.set(expression=expression, point=point)
        assert not ex.ok and words in ex.message.value, ex.message.value
        assert ex.image.value == picture
    ex.set(expression="x1*x1", point="3", step=99)
    assert ex.ok and ex.controls["step"].value == ex.controls["step"].max


def test_describe_step_mentions_accumulation():
    rt = reverse_trace(baydin, 2, 5)
    n = len(rt.trace.rows)
    acc = [i for i, r in enumerate(rt.rows) if r.kind == "accumulate"]
    assert "adds a second contribution" in describe_step(rt, n + acc[0])
