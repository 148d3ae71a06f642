"""Misuse of the autodiff API gets a TypeError/ValueError with a plain message (reliability audit D14/D16),
and the residual block's graph keeps its skip edge clear of the other nodes (content review A8)."""

from __future__ import annotations

import numpy as np
import pytest

from nnbook.autodiff import (
    ForwardTrace,
    ReverseTrace,
    neuron,
    random_expression,
    relu,
    reverse_trace,
    time_sweeps,
    trace,
)


def baydin_like(x1, x2):
    return x1 * x2 + x1


@pytest.mark.parametrize("call, error, match", [
    (lambda: ForwardTrace(None, 0), TypeError, "takes a Trace"),
    (lambda: ReverseTrace(None), TypeError, "takes a Trace"),
    (lambda: ForwardTrace(trace(baydin_like, 1, 2), 5), ValueError, "input position"),
    (lambda: trace(baydin_like, 1, 2).tangent_sweep(7), ValueError, "input position"),
    (lambda: trace(baydin_like, 1, 2).tangent_sweep("0"), TypeError, "integer"),
    (lambda: trace(baydin_like, 1, 2).partial_rules(99), ValueError, "node position"),
    (lambda: time_sweeps(None), TypeError, "Trace"),
    (lambda: time_sweeps(trace(baydin_like, 1, 2), repeat=0), ValueError, "repeat"),
    (lambda: time_sweeps(trace(baydin_like, 1, 2), repeat=10**12), ValueError, "at most"),
    (lambda: random_expression(None), TypeError, "Generator"),
    (lambda: random_expression(np.random.default_rng(0), names=()), ValueError, "names"),
    (lambda: random_expression(np.random.default_rng(0), names="x1"), ValueError, "names"),
    (lambda: random_expression(np.random.default_rng(0), size=10**12), ValueError, "at most"),
    (lambda: neuron(10**7), ValueError, "at most"),
])
def test_misuse_is_a_plain_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_graph_functions_refuse_non_traces():
    pytest.importorskip("matplotlib")
    from nnbook.plots.autodiff import computational_graph, difference_error_plot, graph_layout

    for fn in (graph_layout, computational_graph, difference_error_plot):
        with pytest.raises(TypeError):
            fn(None)


def test_residual_skip_edge_curves_around_the_nodes_it_jumps():
    pytest.importorskip("matplotlib")
    from nnbook.plots.autodiff import RADIUS, ROW_GAP, edge_route, graph_layout

    def residual(x0, w0, b0, w1, b1):
        a1 = relu(x0 * w0 + b0)
        return relu(a1 * w1 + b1 + x0)

    t = reverse_trace(residual, 1.0, 0.5, 0.1, -0.2, 0.15).trace
    where = [(x, ROW_GAP * y) for x, y in graph_layout(t)]
    t_samples = np.linspace(0, 1, 200)[:, None]
    bent = 0
    for pos, node in enumerate(t.nodes):
        for a in node.args:
            (x0, y0), (x1, y1) = where[a], where[pos]
            others = [where[k] for k in range(len(where)) if k not in (a, pos)]
            ctrl = np.array(edge_route((x0, y0), (x1, y1), others))
            curve = ((1 - t_samples) ** 2 * np.array([x0, y0]) + 2 * (1 - t_samples) * t_samples * ctrl
                     + t_samples**2 * np.array([x1, y1]))
            gaps = np.linalg.norm(curve[:, None, :] - np.array(others)[None], axis=2)
            assert gaps.min() > RADIUS, (a, pos)
            bent += not np.allclose(ctrl, [(x0 + x1) / 2, (y0 + y1) / 2])
    assert bent >= 1  # the skip edge x0 -> v6 is one of them
