"""Autodiff chapter: tracing and rendering a 200-operation expression, and the cost of a gradient
by n forward sweeps against one reverse sweep."""

from __future__ import annotations

from _harness import Result, benchmark, median_seconds

from nnbook.autodiff import cos, forward_trace, neuron, reverse_trace, sigmoid, sin, tanh, trace

N_OPS = 200
N_INPUTS = 4


def long_expression(*x):
    """A chain of exactly 200 elementary operations over 4 inputs, mixing every kind of step."""
    v = x[0]
    for i in range(N_OPS // 8):
        a = x[i % N_INPUTS]
        v = v * a  # 8 operations per round: *, sin, cos, +, /, tanh, sigmoid, -
        v = sin(v) + cos(a)
        v = v / a
        v = tanh(v) - sigmoid(v)
    return v


def long_expression_floats(*x):
    """The same function on plain floats (the reference): no trace is recorded."""
    return long_expression(*[float(v) for v in x])


POINT = (0.7, 1.3, -0.4, 2.1)


def _trace_and_render() -> int:
    rt = reverse_trace(long_expression, *POINT)
    return len(rt.to_html()) + len(repr(rt)) + len(rt.to_latex())


@benchmark(f"autodiff: reverse-trace + render a {N_OPS}-op expression", max_seconds=0.1)
def trace_and_render() -> Result:
    assert len(trace(long_expression, *POINT)) == N_OPS
    measured = median_seconds(_trace_and_render, repeat=7)
    reference = median_seconds(lambda: long_expression_floats(*POINT), repeat=7, number=20)
    return Result(measured, reference, "same function on plain floats", note="HTML + text + LaTeX tables")


@benchmark(f"autodiff: forward-trace + render the {N_OPS}-op expression", max_seconds=0.1)
def forward_trace_and_render() -> Result:
    def work() -> int:
        ft = forward_trace(long_expression, *POINT)
        return len(ft.to_html()) + len(repr(ft)) + len(ft.to_latex())

    measured = median_seconds(work, repeat=7)
    reference = median_seconds(lambda: long_expression_floats(*POINT), repeat=7, number=20)
    return Result(measured, reference, "same function on plain floats")


@benchmark("autodiff: gradient of a 64-weight neuron, 64 forward sweeps", max_ratio=128)
def n_forward_vs_one_reverse() -> Result:
    loss, w = neuron(64)
    t = trace(loss, *w)
    measured = median_seconds(lambda: [t.tangent_sweep(k) for k in range(t.n)], repeat=15)
    reference = median_seconds(t.adjoint_sweep, repeat=15, number=t.n)  # same number of sweeps timed
    return Result(measured, reference, "one reverse sweep (same gradient)", note="ratio ~ n = 64 expected")


@benchmark("autodiff: full traced tables, 16 forward_trace calls", max_ratio=60)
def traced_tables_forward_vs_reverse() -> Result:
    loss, w = neuron(16)
    measured = median_seconds(lambda: [forward_trace(loss, *w, wrt=k) for k in range(16)], repeat=5)
    reference = median_seconds(lambda: reverse_trace(loss, *w), repeat=5)
    return Result(measured, reference, "one reverse_trace (same gradient)", note="includes re-tracing per sweep")
