"""Exercises of the automatic-differentiation chapter: fill in trace tables, find derivatives.

Every answer is read off a trace computed by :mod:`nnbook.autodiff`; variants draw new points
and, for the last exercises, new small formulas from the grammar of supported operations.
"""

from __future__ import annotations

import numpy as np

from ..autodiff import (
    Row,
    cos,
    forward_trace,
    log,
    parse_expression,
    random_expression,
    relu,
    reverse_trace,
    sin,
    trace,
)
from ._core import exercise


# -- the functions of the chapter ---------------------------------------------------------------
def baydin(x1, x2):
    """Baydin et al.'s example, written in the order of their table."""
    v1 = log(x1)
    v2 = x1 * x2
    v3 = sin(x2)
    v4 = v1 + v2
    return v4 - v3


def seed_q4(x1, x2):
    """1/(x1 + x2) + x2^2 + cos(x1), written in the order of the seed's table."""
    v1 = x1 + x2
    v2 = x2 * x2
    v3 = 1 / v1
    v4 = cos(x1)
    v5 = v3 + v2
    return v5 + v4


def residual(x0, w0, b0, w1, b1):
    """The seed's simplified residual connection."""
    x1 = relu(x0 * w0 + b0)
    y1 = x1 * w1 + b1
    return relu(y1 + x0)


# -- helpers -----------------------------------------------------------------------------------
def _line(row: Row) -> str:
    middle = f" = {row.expanded_tex}" if row.expanded_tex else ""
    return f"${row.lhs_tex} = {row.rule_tex}{middle} = {row.value:.4f}$"


def _rules(rows: list[Row]) -> str:
    return "\n".join(f"${r.lhs_tex} = {r.rule_tex}$" for r in rows)


def _half_steps(rng: np.random.Generator, low: int, high: int) -> float:
    return float(rng.integers(low, high)) / 2


def _point(rng: np.random.Generator) -> dict[str, float]:
    return dict(x1=_half_steps(rng, 1, 9), x2=_half_steps(rng, 1, 13))


def _intermediates(t) -> list[Row]:
    return [r for r in t.rows if r.kind == "step"]


# -- Baydin et al.'s example ---------------------------------------------------------------------
@exercise(
    id="autodiff-baydin-primal",
    chapter="autodiff",
    title="The forward primal trace, row by row",
    params=dict(x1=2.0, x2=5.0),
    prompt=lambda x1, x2: (
        f"Evaluate $f(x_1, x_2) = \\ln(x_1) + x_1 x_2 - \\sin(x_2)$ at $(x_1, x_2) = ({x1:g}, {x2:g})$ "
        "step by step, with $v_{-1} = x_1$ and $v_0 = x_2$. Give the value of each intermediate "
        "(3 decimals are enough):\n" + _rules(_intermediates(trace(baydin, x1, x2)))
    ),
    hint="Work down the table: every row uses only rows above it. sin takes radians.",
    solution=lambda x1, x2: "\n".join(_line(r) for r in trace(baydin, x1, x2).rows),
    draw=_point,
    decimals=3,
    labels=["$v_1$", "$v_2$", "$v_3$", "$v_4$", "$v_5$"],
)
def baydin_primal(x1: float, x2: float) -> tuple[float, ...]:
    return tuple(r.value for r in _intermediates(trace(baydin, x1, x2)))


@exercise(
    id="autodiff-baydin-tangent",
    chapter="autodiff",
    title="The forward tangent trace, row by row",
    params=dict(x1=2.0, x2=5.0),
    prompt=lambda x1, x2: (
        f"Same function $\\ln(x_1) + x_1 x_2 - \\sin(x_2)$ at $({x1:g}, {x2:g})$, now in forward mode "
        "with the seed $\\dot x_1 = 1$, $\\dot x_2 = 0$. Fill in the tangent trace "
        "(3 decimals):\n"
        + _rules([d for _, d in forward_trace(baydin, x1, x2).rows if d.kind == "step"])
    ),
    hint="Each tangent is the chain rule applied to one row: the local derivative times the tangent of "
    "each argument, summed. For a product use the product rule.",
    solution=lambda x1, x2: "\n".join(_line(d) for _, d in forward_trace(baydin, x1, x2).rows),
    draw=_point,
    decimals=3,
    labels=["$\\dot v_1$", "$\\dot v_2$", "$\\dot v_3$", "$\\dot v_4$", "$\\dot v_5$"],
)
def baydin_tangent(x1: float, x2: float) -> tuple[float, ...]:
    return tuple(d.value for _, d in forward_trace(baydin, x1, x2).rows if d.kind == "step")


@exercise(
    id="autodiff-baydin-adjoint",
    chapter="autodiff",
    title="The reverse adjoint trace, in sweep order",
    params=dict(x1=2.0, x2=5.0),
    prompt=lambda x1, x2: (
        f"Reverse mode for $\\ln(x_1) + x_1 x_2 - \\sin(x_2)$ at $({x1:g}, {x2:g})$ with $\\bar y = 1$. "
        "Give the value of each row of the backward sweep, in this order (3 decimals):\n"
        + _rules(reverse_trace(baydin, x1, x2).rows[1:-2])
    ),
    hint="Go backwards through the primal trace. A row with '+' adds a second contribution to an adjoint "
    "that already has a value; the local derivative of v_2 = v_{{-1}} v_0 with respect to v_{{-1}} is v_0.",
    solution=lambda x1, x2: "\n".join(_line(r) for r in reverse_trace(baydin, x1, x2).rows),
    draw=_point,
    decimals=3,
    labels=["$\\bar v_4$", "$\\bar v_3$", "$\\bar v_1$", "$\\bar v_2$", "$\\bar v_0$", "$\\bar v_{-1}$",
            "$\\bar v_0$ (accumulated)", "$\\bar v_{-1}$ (accumulated)"],
)
def baydin_adjoint(x1: float, x2: float) -> tuple[float, ...]:
    return tuple(r.value for r in reverse_trace(baydin, x1, x2).rows[1:-2])


# -- the seed's Question 4 ---------------------------------------------------------------------
@exercise(
    id="autodiff-q4-forward",
    chapter="autodiff",
    title="Forward mode for 1/(x1 + x2) + x2^2 + cos(x1)",
    params=dict(x1=3.0, x2=6.0),
    prompt=lambda x1, x2: (
        f"For $f(x_1, x_2) = 1/(x_1 + x_2) + x_2^2 + \\cos(x_1)$ at $({x1:g}, {x2:g})$ with "
        "$\\dot x_1 = 1$, give the primal value $y$, then the tangents of the trace below, then "
        "$\\partial y / \\partial x_1$ (3 decimals):\n"
        + _rules([d for _, d in forward_trace(seed_q4, x1, x2).rows if d.kind == "step"])
    ),
    hint="The derivative of 1/v is -1/v^2 (not -1/v); cos(3) is negative. Round only at the end: adding "
    "rounded terms can move the last digit.",
    solution=lambda x1, x2: "\n".join(_line(p) + "   " + _line(d) for p, d in forward_trace(seed_q4, x1, x2).rows),
    draw=_point,
    decimals=3,
    labels=["$y$", "$\\dot v_1$", "$\\dot v_2$", "$\\dot v_3$", "$\\dot v_4$", "$\\dot v_5$", "$\\dot v_6$",
            "$\\partial y/\\partial x_1$"],
)
def q4_forward(x1: float, x2: float) -> tuple[float, ...]:
    ft = forward_trace(seed_q4, x1, x2)
    tangents = [d.value for _, d in ft.rows if d.kind == "step"]
    return (ft.value, *tangents, ft.derivative)


@exercise(
    id="autodiff-q4-gradient",
    chapter="autodiff",
    title="One reverse sweep, the whole gradient",
    params=dict(x1=3.0, x2=6.0),
    prompt=lambda x1, x2: (
        f"One reverse sweep of $f(x_1, x_2) = 1/(x_1 + x_2) + x_2^2 + \\cos(x_1)$ at $({x1:g}, {x2:g})$ "
        "with $\\bar y = 1$ gives both partial derivatives. What are $\\bar x_1$ and $\\bar x_2$ (3 decimals)?"
    ),
    hint="x_1 reaches y through 1/(x_1 + x_2) and cos(x_1): add both contributions. x_2 reaches y through "
    "1/(x_1 + x_2) and x_2^2.",
    solution=lambda x1, x2: "\n".join(_line(r) for r in reverse_trace(seed_q4, x1, x2).rows),
    draw=_point,
    decimals=3,
    labels=["$\\bar x_1$", "$\\bar x_2$"],
)
def q4_gradient(x1: float, x2: float) -> tuple[float, ...]:
    return reverse_trace(seed_q4, x1, x2).gradient


# -- the residual connection --------------------------------------------------------------------
def _residual_draw(rng: np.random.Generator) -> dict[str, float]:
    def tenth(low: int, high: int) -> float:
        return float(rng.integers(low, high)) / 10

    return dict(x0=tenth(5, 21), w0=tenth(-10, 11), b0=tenth(-5, 6), w1=tenth(-10, 11), b1=tenth(-5, 6))


@exercise(
    id="autodiff-residual",
    chapter="autodiff",
    title="Back-propagation through a residual connection",
    params=dict(x0=1.0, w0=0.5, b0=0.1, w1=-0.2, b1=0.15),
    prompt=(
        "A simplified residual block: $x_1 = \\mathrm{{ReLU}}(x_0 w_0 + b_0)$, $y_1 = x_1 w_1 + b_1$, "
        "$z = \\mathrm{{ReLU}}(y_1 + x_0)$, with $x_0 = {x0:g}$, $w_0 = {w0:g}$, $b_0 = {b0:g}$, "
        "$w_1 = {w1:g}$, $b_1 = {b1:g}$. Give $z$ and the gradient of $z$ with respect to "
        "$w_0$, $w_1$, $b_0$ and $b_1$ (3 decimals)."
    ),
    hint="ReLU passes the gradient (factor 1) where its input is positive and blocks it (factor 0) where it "
    "is negative. The skip connection adds x_0 but has no parameters.",
    solution=lambda **p: "\n".join(_line(r) for r in reverse_trace(residual, *p.values()).rows),
    draw=_residual_draw,
    decimals=3,
    labels=["$z$", "$\\partial z/\\partial w_0$", "$\\partial z/\\partial w_1$", "$\\partial z/\\partial b_0$",
            "$\\partial z/\\partial b_1$"],
)
def residual_gradients(x0: float, w0: float, b0: float, w1: float, b1: float) -> tuple[float, ...]:
    rt = reverse_trace(residual, x0, w0, b0, w1, b1)
    for node in rt.trace.nodes:
        if node.op == "relu" and rt.trace.nodes[node.args[0]].value == 0:
            raise ValueError("a ReLU sits exactly at its kink: draw again")
    g = dict(zip(rt.trace.names, rt.gradient))
    return rt.value, g["w0"], g["w1"], g["b0"], g["b1"]


# -- random formulas from the grammar -----------------------------------------------------------
def _formula_draw(rng: np.random.Generator) -> dict[str, object]:
    # 3 operations (+ 1 joining an unused name) or 4: the trace always has four steps
    return dict(formula=random_expression(rng, ("x1", "x2"), size=int(rng.integers(3, 5))), **_point(rng))


def _checked(formula: str, x1: float, x2: float):
    e = parse_expression(formula)
    try:
        rt = reverse_trace(e, x1, x2)
    except OverflowError as exc:
        raise ValueError(str(exc)) from None
    moderate = all(abs(n.value) < 100 for n in rt.trace.nodes) and all(abs(g) < 100 for g in rt.gradient)
    kink = any(n.op == "relu" and rt.trace.nodes[n.args[0]].value == 0 for n in rt.trace.nodes)
    if len(rt.trace) != 4 or not moderate or kink:
        raise ValueError("not a four-step formula with moderate values: draw again")
    return e, rt


def _edge_rows(formula: str, x1: float, x2: float) -> list[Row]:
    """The first three rows of the backward sweep that multiply by a local partial."""
    return [r for r in _checked(formula, x1, x2)[1].rows if r.kind in ("first", "accumulate")][:3]


def _formula_tex(formula: str) -> str:
    return f"`{formula}`"


@exercise(
    id="autodiff-random-primal",
    chapter="autodiff",
    title="Trace a new formula",
    params=dict(formula="sigmoid(x1 * x2) + x1 / x2", x1=1.0, x2=2.0),
    prompt=lambda formula, x1, x2: (
        f"Write the evaluation trace of {_formula_tex(formula)} at $(x_1, x_2) = ({x1:g}, {x2:g})$, one "
        "elementary operation per row, in the order Python evaluates it. Give the values of "
        "$v_1, \\dots, v_4$ (3 decimals)."
    ),
    hint="Python evaluates the innermost operations first and works left to right; σ(z) = 1/(1 + e^{{-z}}).",
    solution=lambda formula, x1, x2: "\n".join(_line(r) for r in _checked(formula, x1, x2)[1].trace.rows),
    draw=_formula_draw,
    decimals=3,
    labels=["$v_1$", "$v_2$", "$v_3$", "$v_4$"],
)
def random_primal(formula: str, x1: float, x2: float) -> tuple[float, ...]:
    return tuple(r.value for r in _intermediates(_checked(formula, x1, x2)[1].trace))


@exercise(
    id="autodiff-random-gradient",
    chapter="autodiff",
    title="Differentiate a new formula",
    params=dict(formula="sigmoid(x1 * x2) + x1 / x2", x1=1.0, x2=2.0),
    prompt=lambda formula, x1, x2: (
        f"Give both partial derivatives of {_formula_tex(formula)} at $(x_1, x_2) = ({x1:g}, {x2:g})$ "
        "(3 decimals). Use either mode; reverse mode gets both from one sweep."
    ),
    hint="Trace the formula first, then run the backward sweep from ȳ = 1. σ'(z) = σ(z)(1 - σ(z)), "
    "ReLU'(z) = 1 for z > 0 and 0 otherwise.",
    solution=lambda formula, x1, x2: "\n".join(_line(r) for r in _checked(formula, x1, x2)[1].rows),
    draw=_formula_draw,
    decimals=3,
    labels=["$\\partial y/\\partial x_1$", "$\\partial y/\\partial x_2$"],
)
def random_gradient(formula: str, x1: float, x2: float) -> tuple[float, ...]:
    return _checked(formula, x1, x2)[1].gradient


@exercise(
    id="autodiff-random-local-partial",
    chapter="autodiff",
    title="A local partial derivative",
    params=dict(formula="sigmoid(x1 * x2) + x1 / x2", x1=1.0, x2=2.0),
    prompt=lambda formula, x1, x2: (
        f"In the reverse trace of {_formula_tex(formula)} at $({x1:g}, {x2:g})$, the backward sweep multiplies "
        "each adjoint by a local partial derivative. Give the value of the local partial "
        "$\\partial v_j / \\partial v_i$ used in each of the first three rows (3 decimals):\n"
        + "\n".join(f"${r.lhs_tex} = {r.rule_tex}$" for r in _edge_rows(formula, x1, x2))
    ),
    hint="The local partial of a row depends only on that step's own inputs: for v = a × b it is the other "
    "factor, for v = sin(a) it is cos(a), for v = a/b it is 1/b or -a/b^2.",
    solution=lambda formula, x1, x2: "\n".join(
        _line(r) + f" (local partial {r.partial:.4f})" for r in _edge_rows(formula, x1, x2)
    ),
    draw=_formula_draw,
    decimals=3,
    labels=["row 1", "row 2", "row 3"],
)
def random_local_partial(formula: str, x1: float, x2: float) -> tuple[float, ...]:
    return tuple(r.partial for r in _edge_rows(formula, x1, x2))


# -- which mode ----------------------------------------------------------------------------------
@exercise(
    id="autodiff-which-mode",
    chapter="autodiff",
    title="Forward or reverse?",
    params=dict(n=1000, m=1),
    prompt=(
        "You need the full Jacobian of a function with {n} inputs and {m} output(s). Forward mode needs one "
        "sweep per input, reverse mode one sweep per output. Which mode needs fewer sweeps?"
    ),
    hint="Count sweeps: n for forward mode, m for reverse mode.",
    solution="Forward mode: {n} sweeps (one per input, each giving one column of the Jacobian). "
    "Reverse mode: {m} sweep(s) (one per output, each giving one row). The answer is **{answer}**.",
    draw=lambda rng: dict(n=int(rng.choice([1, 2, 5, 100, 1000, 10**6])), m=int(rng.choice([1, 3, 10, 500]))),
    choices=["forward mode", "reverse mode", "the same"],
)
def which_mode(n: int, m: int) -> str:
    return "forward mode" if n < m else "reverse mode" if m < n else "the same"
