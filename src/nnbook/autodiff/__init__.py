"""Forward-tangent and reverse-adjoint evaluation traces, in the notation of Baydin et al. (2018).

A micrograd-sized tracer: write an ordinary Python function of scalars with ``+ - * / **``,
unary minus and the elementary functions exported here, and nnbook records every elementary
operation as one step of an *evaluation trace*. Inputs are numbered v_{1-n} ... v_0 and named
after the function's parameters; intermediates are v_1, v_2, ...

>>> from nnbook.autodiff import forward_trace, reverse_trace, log, sin
>>> f = lambda x1, x2: log(x1) + x1 * x2 - sin(x2)
>>> round(forward_trace(f, 2, 5).derivative, 4)
5.5
>>> [round(g, 4) for g in reverse_trace(f, 2, 5).gradient]
[5.5, 1.7163]
>>> round(f(2.0, 5.0), 4)                       # the same function works on plain floats
11.6521

Tables render as HTML in Jupyter (``_repr_html_``), as plain text (``str``) and as LaTeX
(``to_latex()``) for handouts. Every row shows the symbolic rule and the value to 4 decimals.

The package has one module per idea:

=========================  ==============================================================
``autodiff.tracer``        traced scalars (:class:`Var`) on a tape; the elementary functions
``autodiff.traces``        the primal trace, forward mode and reverse mode as tables of rows
``autodiff.notation``      how the rows are written (v₋₁, v̇₂, v̄₃ in text and LaTeX)
``autodiff.tables``        the three renderers: plain text, HTML, LaTeX
``autodiff.parser``        formulas and points typed by a reader, read safely
``autodiff.formulas``      random small formulas for exercise variants
``autodiff.products``      dual numbers, Jacobian-vector and vector-Jacobian products
``autodiff.linear``        the backward pass of a linear layer: δ xᵀ, δ, Wᵀ δ
``autodiff.pytorch``       how the trace maps onto torch.autograd's grad_fn nodes
``autodiff.cost``          what a gradient costs in each mode, counted and timed
=========================  ==============================================================
"""

from __future__ import annotations

from .cost import GradientCost, gradient_cost, neuron, time_sweeps
from .formulas import random_expression
from .notation import FUNCTIONS, SUPPORTED, _fmt  # noqa: F401 - _fmt: the tables' number format, for tests
from .products import Dual, Jacobian, jacobian, jvp, vjp
from .linear import LinearGradients, linear, linear_backward, linear_backward_by_trace
from .pytorch import autograd_correspondence
from .parser import MAX_LENGTH, MAX_NESTING, Expression, parse_expression, parse_point, trace_text
from .tracer import (
    TraceOverflowError,
    TraceZeroDivisionError,
    Var,
    cos,
    exp,
    log,
    relu,
    sigmoid,
    sin,
    sqrt,
    tanh,
)
from .traces import ForwardTrace, Node, ReverseTrace, Row, SweepStep, Trace, forward_trace, reverse_trace, trace

__all__ = [
    "FUNCTIONS",
    "MAX_LENGTH",
    "MAX_NESTING",
    "SUPPORTED",
    "Dual",
    "Expression",
    "ForwardTrace",
    "GradientCost",
    "Jacobian",
    "LinearGradients",
    "Node",
    "ReverseTrace",
    "Row",
    "SweepStep",
    "Trace",
    "TraceOverflowError",
    "TraceZeroDivisionError",
    "Var",
    "autograd_correspondence",
    "cos",
    "exp",
    "forward_trace",
    "gradient_cost",
    "jacobian",
    "jvp",
    "linear",
    "linear_backward",
    "linear_backward_by_trace",
    "log",
    "neuron",
    "parse_expression",
    "parse_point",
    "random_expression",
    "relu",
    "reverse_trace",
    "sigmoid",
    "sin",
    "sqrt",
    "tanh",
    "time_sweeps",
    "trace",
    "trace_text",
    "vjp",
]

# The examples of the public names run as the package's own doctests too (doctest looks here).
__test__ = {name: globals()[name] for name in __all__ if callable(globals()[name]) and globals()[name].__doc__}
