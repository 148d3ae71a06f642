"""Autodiff chapter: tracing and rendering a 200-operation expression, the cost of a gradient by n
forward sweeps against one reverse sweep, and the worst case of what a reader can type."""

from __future__ import annotations

import ast
import statistics
import time

from _harness import Result, benchmark, median_seconds

from nnbook.autodiff import (
    MAX_LENGTH,
    MAX_NESTING,
    cos,
    forward_trace,
    jacobian,
    neuron,
    reverse_trace,
    sigmoid,
    sin,
    tanh,
    trace,
    trace_text,
    vjp,
)

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


# -- what a reader can type into the step-through explorer ----------------------------------------
ADVERSARIAL = [
    "x1 + 9**9**9",                                   # a power tower (hung the kernel before the fix)
    "+".join(["x1"] * ((MAX_LENGTH + 1) // 3)),       # the longest flat sum the parser reads
    "sin(" * (MAX_NESTING - 1) + "x1" + ")" * (MAX_NESTING - 1),  # the deepest nesting it reads
    "-" * (MAX_LENGTH - 2) + "x1",                    # 1998 signs: refused as too deep, after Python parses
    "x1 * 2.0**5000",                                 # an overflow in a constant
]


def _reader_worst_case() -> float:
    worst = 0.0
    for text in ADVERSARIAL:
        start = time.perf_counter()
        try:
            trace_text(text, "0.5")
        except ValueError:
            pass
        worst = max(worst, time.perf_counter() - start)
    return worst


@benchmark("autodiff: slowest of 5 adversarial typed formulas (parse + trace or refuse)", max_seconds=0.5)
def reader_worst_case() -> Result:
    measured = statistics.median(_reader_worst_case() for _ in range(5))
    reference = median_seconds(lambda: [ast.parse(t, mode="eval") for t in ADVERSARIAL[:3]], repeat=5)
    return Result(measured, reference, "Python's own ast.parse of the three readable ones",
                  note="a bound on any reader input: 2000 characters, 100 levels")


@benchmark("autodiff: full 1x64 Jacobian of a neuron, 64 jvp sweeps", max_ratio=256)
def jvp_columns_vs_one_vjp() -> Result:
    loss, w = neuron(64)
    n = len(w)
    measured = median_seconds(lambda: jacobian(loss, w, mode="forward"), repeat=5)
    reference = median_seconds(lambda: vjp(loss, w, 1.0), repeat=5)
    # each jvp re-runs f on dual numbers, a little dearer than a sweep over a recorded tape
    return Result(measured, reference, "one vjp (the same gradient)", note=f"ratio ~ n to 3n, n = {n}")
