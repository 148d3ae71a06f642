"""Exercises of the automatic-differentiation chapter: fill in trace tables, find derivatives.

Every answer is read off a trace computed by :mod:`nnbook.autodiff`; variants draw new points
and, for the random-formula exercises, new small formulas from the grammar of supported
operations. Variants never repeat the chapter's worked examples. The classic slips the chapter
warns about are declared as named mistakes, so a reader who makes one is told which.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..autodiff import (
    Dual,
    Row,
    Trace,
    cos,
    forward_trace,
    jvp,
    linear_backward,
    log,
    parse_expression,
    random_expression,
    relu,
    reverse_trace,
    sin,
    trace,
    vjp,
)
from ._core import exercise, mistake

CHAPTER = "autodiff"


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
    """The seed's simplified residual connection (its hidden value a1 is the seed's x1)."""
    a1 = relu(x0 * w0 + b0)
    y1 = a1 * w1 + b1
    return relu(y1 + x0)


# The chapter's worked examples: variants never repeat them.
WORKED_BAYDIN = dict(x1=2.0, x2=5.0)
WORKED_Q4 = dict(x1=3.0, x2=6.0)
WORKED_RESIDUAL = dict(x0=1.0, w0=0.5, b0=0.1, w1=-0.2, b1=0.15)
WORKED_PRODUCTS = dict(x1=3.0, x2=0.5, u1=1.0, u2=0.0)


def _avoiding(draw: Callable[[np.random.Generator], dict[str, Any]], *worked: Mapping[str, Any]
              ) -> Callable[[np.random.Generator], dict[str, Any]]:
    """``draw``, redrawn while it lands on one of the chapter's worked examples."""

    def redraw(rng: np.random.Generator) -> dict[str, Any]:
        for _ in range(1000):
            params = draw(rng)
            if not any(all(params.get(k) == v for k, v in w.items()) for w in worked):
                return params
        raise RuntimeError("the draw keeps landing on a worked example")

    return redraw


def _sweep(t: Trace, accumulate: bool = True) -> tuple[list[float], tuple[float, ...]]:
    """The reverse sweep as a student runs it: the value written in each adjoint row, in sweep
    order, and the gradient. ``accumulate=False`` is the classic bug of *overwriting* an adjoint
    (``=`` instead of ``+=``) when a value feeds several steps: a path's contribution is lost."""
    adjoint: dict[int, float] = {} if t.output is None else {t.output: 1.0}
    rows = []
    for j in range(len(t.nodes) - 1, t.n - 1, -1):
        node = t.nodes[j]
        for a, p in zip(node.args, node.partials):
            contribution = adjoint.get(j, 0.0) * p
            adjoint[a] = adjoint[a] + contribution if (accumulate and a in adjoint) else contribution
            rows.append(adjoint[a])
    return rows, tuple(adjoint.get(pos, 0.0) for pos in range(t.n))


def _round4(x: float) -> float:
    return round(x, 4)


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


_baydin_point = _avoiding(_point, WORKED_BAYDIN)
_q4_point = _avoiding(_point, WORKED_Q4)


def _intermediates(t) -> list[Row]:
    return [r for r in t.rows if r.kind == "step"]


# -- Baydin et al.'s example ---------------------------------------------------------------------
def _baydin_degrees(x1: float, x2: float) -> tuple[float, ...]:
    v1, v2, v3 = math.log(x1), x1 * x2, math.sin(math.radians(x2))
    return v1, v2, v3, v1 + v2, v1 + v2 - v3


def _baydin_both_seeded(x1: float, x2: float) -> tuple[float, ...]:
    t = trace(baydin, x1, x2)
    a, b = t.tangent_sweep(0), t.tangent_sweep(1)
    return tuple(a[p] + b[p] for p in range(t.n, len(t.nodes)))


@exercise(
    id="autodiff-baydin-primal",
    chapter=CHAPTER,
    title="The forward primal trace, row by row",
    params=dict(WORKED_BAYDIN),
    prompt=lambda x1, x2: (
        f"Evaluate $f(x_1, x_2) = \\ln(x_1) + x_1 x_2 - \\sin(x_2)$ at $(x_1, x_2) = ({x1:g}, {x2:g})$ "
        "step by step, with $v_{-1} = x_1$ and $v_0 = x_2$. Give the value of each intermediate "
        "(3 decimals are enough):\n" + _rules(_intermediates(trace(baydin, x1, x2)))
    ),
    hint="Work down the table: every row uses only rows above it. sin takes radians.",
    hints=["$v_1 = \\ln {x1:g}$, $v_2 = {x1:g} \\times {x2:g}$ and $v_3 = \\sin {x2:g}$ (radians); then add and "
           "subtract the rows above."],
    mistakes=[mistake("sine in degrees", _baydin_degrees,
                      "Your $v_3$ is the sine of {x2:g} *degrees*. In calculus (and in every library) sin takes "
                      "radians: $\\sin {x2:g}$ with {x2:g} in radians.")],
    objective="evaluate a function as a trace of elementary operations",
    difficulty=1,
    minutes=3,
    section="The evaluation trace",
    solution=lambda x1, x2: "\n".join(_line(r) for r in trace(baydin, x1, x2).rows),
    draw=_baydin_point,
    decimals=3,
    labels=["$v_1$", "$v_2$", "$v_3$", "$v_4$", "$v_5$"],
)
def baydin_primal(x1: float, x2: float) -> tuple[float, ...]:
    return tuple(r.value for r in _intermediates(trace(baydin, x1, x2)))


@exercise(
    id="autodiff-baydin-tangent",
    chapter=CHAPTER,
    title="The forward tangent trace, row by row",
    params=dict(WORKED_BAYDIN),
    prompt=lambda x1, x2: (
        f"Same function $\\ln(x_1) + x_1 x_2 - \\sin(x_2)$ at $({x1:g}, {x2:g})$, now in forward mode "
        "with the seed $\\dot x_1 = 1$, $\\dot x_2 = 0$. Fill in the tangent trace "
        "(3 decimals):\n"
        + _rules([d for _, d in forward_trace(baydin, x1, x2).rows if d.kind == "step"])
    ),
    hint="Each tangent is the chain rule applied to one row: the local derivative times the tangent of "
    "each argument, summed. For a product use the product rule.",
    hints=["With $\\dot x_2 = 0$ every term with $\\dot v_0$ vanishes: $\\dot v_1 = 1/{x1:g}$, "
           "$\\dot v_2 = v_0 \\dot v_{{-1}} = {x2:g}$ and $\\dot v_3 = \\cos(v_0)\\,\\dot v_0 = 0$."],
    mistakes=[mistake("seeded both inputs", _baydin_both_seeded,
                      "You seeded both inputs with 1: that gives the derivative along the direction (1, 1), "
                      "the sum of both partials. For $\\partial y/\\partial x_1$ the seed is $\\dot x_1 = 1$, "
                      "$\\dot x_2 = 0$.")],
    objective="propagate tangents through a trace with the chain rule (forward mode)",
    difficulty=1,
    minutes=4,
    section="Forward mode: the tangent trace",
    solution=lambda x1, x2: "\n".join(_line(d) for _, d in forward_trace(baydin, x1, x2).rows),
    draw=_baydin_point,
    decimals=3,
    labels=["$\\dot v_1$", "$\\dot v_2$", "$\\dot v_3$", "$\\dot v_4$", "$\\dot v_5$"],
)
def baydin_tangent(x1: float, x2: float) -> tuple[float, ...]:
    return tuple(d.value for _, d in forward_trace(baydin, x1, x2).rows if d.kind == "step")


_OVERWRITE = ("You overwrote an adjoint instead of adding to it (the classic `=` instead of `+=` bug): a value "
              "used by two steps receives one contribution from each, and the adjoint is their **sum**.")


@exercise(
    id="autodiff-baydin-adjoint",
    chapter=CHAPTER,
    title="The reverse adjoint trace, in sweep order",
    params=dict(WORKED_BAYDIN),
    prompt=lambda x1, x2: (
        f"Reverse mode for $\\ln(x_1) + x_1 x_2 - \\sin(x_2)$ at $({x1:g}, {x2:g})$ with $\\bar y = 1$. "
        "Give the value of each row of the backward sweep, in this order (3 decimals):\n"
        + _rules(reverse_trace(baydin, x1, x2).rows[1:-2])
    ),
    hint="Go backwards through the primal trace. A row with '+' adds a second contribution to an adjoint "
    "that already has a value; the local derivative of v_2 = v_{{-1}} v_0 with respect to v_{{-1}} is v_0.",
    hints=["The last two rows are the accumulations: $\\bar v_0 = \\bar v_0 + \\bar v_2 \\, v_{{-1}}$ and "
           "$\\bar v_{{-1}} = \\bar v_{{-1}} + \\bar v_2 \\, v_0$, each adding to the value found earlier."],
    mistakes=[mistake("overwrote instead of accumulating",
                      lambda x1, x2: tuple(_sweep(trace(baydin, x1, x2), accumulate=False)[0]), _OVERWRITE)],
    objective="run the backward sweep of reverse mode, accumulating adjoints at fan-out",
    difficulty=2,
    minutes=6,
    section="Reverse mode: the adjoint trace",
    solution=lambda x1, x2: "\n".join(_line(r) for r in reverse_trace(baydin, x1, x2).rows),
    draw=_baydin_point,
    decimals=3,
    labels=["$\\bar v_4$", "$\\bar v_3$", "$\\bar v_1$", "$\\bar v_2$", "$\\bar v_0$", "$\\bar v_{-1}$",
            "$\\bar v_0$ (accumulated)", "$\\bar v_{-1}$ (accumulated)"],
)
def baydin_adjoint(x1: float, x2: float) -> tuple[float, ...]:
    return tuple(r.value for r in reverse_trace(baydin, x1, x2).rows[1:-2])


# -- the seed's Question 4 ---------------------------------------------------------------------
def _q4_tangents(x1: float, x2: float, inverse: Callable[[float], float] = lambda s: -1 / s**2,
                 cos_prime: Callable[[float], float] = lambda a: -math.sin(a), rounded: bool = False,
                 v3: Callable[[float, float], float] = lambda x1, x2: 1 / (x1 + x2)) -> tuple[float, ...]:
    """(y, v̇1..v̇6, ∂y/∂x1) of the Q4 forward table, optionally with one of the classic slips."""
    d3, d4 = inverse(x1 + x2), cos_prime(x1)
    if rounded:
        d3, d4 = _round4(d3), _round4(d4)
    y = v3(x1, x2) + x2 * x2 + math.cos(x1)
    return (y, 1.0, 0.0, d3, d4, d3, d3 + d4, d3 + d4)


_ROUNDING = ("You rounded the two terms to 4 decimals *before* adding them ({value}): the sum of rounded "
             "terms can be off in the last digit. Add the unrounded values, then round: {answer}.")


@exercise(
    id="autodiff-q4-forward",
    chapter=CHAPTER,
    title="Forward mode for 1/(x1 + x2) + x2^2 + cos(x1)",
    params=dict(WORKED_Q4),
    prompt=lambda x1, x2: (
        f"For $f(x_1, x_2) = 1/(x_1 + x_2) + x_2^2 + \\cos(x_1)$ at $({x1:g}, {x2:g})$ with "
        "$\\dot x_1 = 1$, give the primal value $y$, then the tangents of the trace below, then "
        "$\\partial y / \\partial x_1$ (4 decimals):\n"
        + _rules([d for _, d in forward_trace(seed_q4, x1, x2).rows if d.kind == "step"])
    ),
    hint="The derivative of 1/v is -1/v^2 (not -1/v); cos(3) is negative. Round only at the end: adding "
    "rounded terms can move the last digit.",
    hints=["$\\dot v_3 = -\\dot v_1 / v_1^2 = -1/({x1:g} + {x2:g})^2$ and $\\dot v_4 = -\\sin({x1:g})\\,\\dot v_{{-1}}$; "
           "$\\dot y = \\dot v_6 = \\dot v_3 + \\dot v_4$."],
    mistakes=[
        mistake("derivative of 1/v as -1/v", lambda x1, x2: _q4_tangents(x1, x2, inverse=lambda s: -1 / s),
                "The derivative of $1/v$ is $-1/v^2$, not $-1/v$: $\\dot v_3 = -\\dot v_1 / v_1^2$."),
        mistake("rounded before adding", lambda x1, x2: _q4_tangents(x1, x2, rounded=True), _ROUNDING),
        mistake("used 1/v2 for v3", lambda x1, x2: _q4_tangents(x1, x2, v3=lambda a, b: 1 / (b * b)),
                "Your $y$ uses $1/v_2 = 1/{x2:g}^2$ where the trace has $v_3 = 1/v_1 = 1/({x1:g} + {x2:g})$: "
                "two rows whose names differ by one index, swapped."),
        mistake("sign of the derivative of cos", lambda x1, x2: _q4_tangents(x1, x2, cos_prime=math.sin),
                "The derivative of $\\cos$ is $-\\sin$: $\\dot v_4 = -\\sin(v_{{-1}})\\,\\dot v_{{-1}}$."),
    ],
    objective="carry out forward mode by hand on a new function and avoid the classic slips",
    difficulty=2,
    minutes=8,
    section="Worked example: forward and reverse mode on a new function",
    solution=lambda x1, x2: "\n".join(_line(p) + "   " + _line(d) for p, d in forward_trace(seed_q4, x1, x2).rows),
    draw=_q4_point,
    decimals=4,
    labels=["$y$", "$\\dot v_1$", "$\\dot v_2$", "$\\dot v_3$", "$\\dot v_4$", "$\\dot v_5$", "$\\dot v_6$",
            "$\\partial y/\\partial x_1$"],
)
def q4_forward(x1: float, x2: float) -> tuple[float, ...]:
    ft = forward_trace(seed_q4, x1, x2)
    tangents = [d.value for _, d in ft.rows if d.kind == "step"]
    return (ft.value, *tangents, ft.derivative)


def _q4_gradient(x1: float, x2: float, inverse: Callable[[float], float] = lambda s: -1 / s**2,
                 rounded: bool = False, through_inverse: bool = True) -> tuple[float, float]:
    d = inverse(x1 + x2) if through_inverse else 0.0
    a, b = -math.sin(x1), 2 * x2
    if rounded:
        d, a, b = _round4(d), _round4(a), _round4(b)
    return (d + a, d + b)


@exercise(
    id="autodiff-q4-gradient",
    chapter=CHAPTER,
    title="One reverse sweep, the whole gradient",
    params=dict(WORKED_Q4),
    prompt=lambda x1, x2: (
        f"One reverse sweep of $f(x_1, x_2) = 1/(x_1 + x_2) + x_2^2 + \\cos(x_1)$ at $({x1:g}, {x2:g})$ "
        "with $\\bar y = 1$ gives both partial derivatives. What are $\\bar x_1$ and $\\bar x_2$ (4 decimals)?"
    ),
    hint="x_1 reaches y through 1/(x_1 + x_2) and cos(x_1): add both contributions. x_2 reaches y through "
    "1/(x_1 + x_2) and x_2^2.",
    hints=["$\\bar v_1 = -1/v_1^2 = -1/({x1:g} + {x2:g})^2$ flows to both inputs; $x_1$ also gets "
           "$-\\sin({x1:g})$ and $x_2$ also gets $2 \\times {x2:g}$."],
    mistakes=[
        mistake("rounded before adding", lambda x1, x2: _q4_gradient(x1, x2, rounded=True), _ROUNDING),
        mistake("forgot the path through 1/(x1 + x2)", lambda x1, x2: _q4_gradient(x1, x2, through_inverse=False),
                "Each input also reaches $y$ through $v_3 = 1/(x_1 + x_2)$: add that path's contribution "
                "$-1/(x_1 + x_2)^2$ to both adjoints."),
        mistake("derivative of 1/v as -1/v", lambda x1, x2: _q4_gradient(x1, x2, inverse=lambda s: -1 / s),
                "The local derivative of $1/v$ is $-1/v^2$, not $-1/v$."),
    ],
    objective="get a whole gradient from one reverse sweep, adding the contributions of every path",
    difficulty=2,
    minutes=6,
    section="Worked example: forward and reverse mode on a new function",
    solution=lambda x1, x2: "\n".join(_line(r) for r in reverse_trace(seed_q4, x1, x2).rows),
    draw=_q4_point,
    decimals=4,
    labels=["$\\bar x_1$", "$\\bar x_2$"],
)
def q4_gradient(x1: float, x2: float) -> tuple[float, ...]:
    return reverse_trace(seed_q4, x1, x2).gradient


# -- the residual connection --------------------------------------------------------------------
def _residual_draw(rng: np.random.Generator) -> dict[str, float]:
    def tenth(low: int, high: int) -> float:
        return float(rng.integers(low, high)) / 10

    return dict(x0=tenth(5, 21), w0=tenth(-10, 11), b0=tenth(-5, 6), w1=tenth(-10, 11), b1=tenth(-5, 6))


_residual_point = _avoiding(_residual_draw, WORKED_RESIDUAL)


def _no_kink(rt) -> None:
    for node in rt.trace.nodes:
        if node.op == "relu" and rt.trace.nodes[node.args[0]].value == 0:
            raise ValueError("a ReLU sits exactly at its kink: draw again")


def _gates(x0: float, w0: float, b0: float, w1: float, b1: float) -> tuple[float, float, float]:
    """(a1, H1, H2): the hidden value and the two ReLU gates (1 open, 0 closed)."""
    pre = x0 * w0 + b0
    a1 = max(pre, 0.0)
    return a1, float(pre > 0), float(a1 * w1 + b1 + x0 > 0)


def _residual_wrong_factor(x0: float, w0: float, b0: float, w1: float, b1: float) -> tuple[float, ...]:
    a1, h1, h2 = _gates(x0, w0, b0, w1, b1)
    z = max(a1 * w1 + b1 + x0, 0.0)
    return (z, h2 * w1 * h1 * w0, h2 * w1, h2 * w1 * h1, h2)


def _residual_open_gates(x0: float, w0: float, b0: float, w1: float, b1: float) -> tuple[float, ...]:
    a1, _, _ = _gates(x0, w0, b0, w1, b1)
    z = max(a1 * w1 + b1 + x0, 0.0)
    return (z, w1 * x0, a1, w1, 1.0)


@exercise(
    id="autodiff-residual",
    chapter=CHAPTER,
    title="Back-propagation through a residual connection",
    params=dict(x0=1.5, w0=-0.4, b0=0.8, w1=0.5, b1=-0.3),
    prompt=(
        "A simplified residual block: $a_1 = \\mathrm{{ReLU}}(x_0 w_0 + b_0)$, $y_1 = a_1 w_1 + b_1$, "
        "$z = \\mathrm{{ReLU}}(y_1 + x_0)$, with $x_0 = {x0:g}$, $w_0 = {w0:g}$, $b_0 = {b0:g}$, "
        "$w_1 = {w1:g}$, $b_1 = {b1:g}$. Give $z$ and the gradient of $z$ with respect to "
        "$w_0$, $w_1$, $b_0$ and $b_1$ (3 decimals)."
    ),
    hint="ReLU passes the gradient (factor 1) where its input is positive and blocks it (factor 0) where it "
    "is negative. The skip connection adds x_0 but has no parameters.",
    hints=["The local partial of a product with respect to one factor is the *other* factor: "
           "$\\partial (x_0 w_0)/\\partial w_0 = x_0$ and $\\partial (a_1 w_1)/\\partial w_1 = a_1$. "
           "Multiply by each ReLU's gate on the way back."],
    mistakes=[
        mistake("the wrong factor of a product", _residual_wrong_factor,
                "The local partial of $x_0 w_0$ with respect to $w_0$ is $x_0$ (the other factor), and of "
                "$a_1 w_1$ with respect to $w_1$ it is $a_1$; you used the weight itself."),
        mistake("ignored a closed ReLU", _residual_open_gates,
                "A ReLU whose input is negative passes no gradient (its derivative is 0 there): multiply by its "
                "gate, 0 or 1, on the way back."),
    ],
    objective="back-propagate through ReLUs and a skip connection",
    difficulty=2,
    minutes=6,
    section="A residual connection, forward and backward",
    solution=lambda **p: "\n".join(_line(r) for r in reverse_trace(residual, *p.values()).rows),
    draw=_residual_point,
    decimals=3,
    labels=["$z$", "$\\partial z/\\partial w_0$", "$\\partial z/\\partial w_1$", "$\\partial z/\\partial b_0$",
            "$\\partial z/\\partial b_1$"],
)
def residual_gradients(x0: float, w0: float, b0: float, w1: float, b1: float) -> tuple[float, ...]:
    rt = reverse_trace(residual, x0, w0, b0, w1, b1)
    _no_kink(rt)
    g = dict(zip(rt.trace.names, rt.gradient))
    return rt.value, g["w0"], g["w1"], g["b0"], g["b1"]


@exercise(
    id="autodiff-residual-input",
    chapter=CHAPTER,
    title="The gradient that flows through the skip connection",
    params=dict(x0=2.0, w0=-0.5, b0=1.5, w1=0.8, b1=-0.3),
    prompt=(
        "Same block: $a_1 = \\mathrm{{ReLU}}(x_0 w_0 + b_0)$, $y_1 = a_1 w_1 + b_1$, "
        "$z = \\mathrm{{ReLU}}(y_1 + x_0)$, now with $x_0 = {x0:g}$, $w_0 = {w0:g}$, $b_0 = {b0:g}$, "
        "$w_1 = {w1:g}$, $b_1 = {b1:g}$. What is $\\partial z / \\partial x_0$ (3 decimals)?"
    ),
    hint="x_0 reaches z along two paths: through the block (w_0, the first ReLU, w_1) and directly through "
    "the skip connection. Add both.",
    hints=["$\\partial z/\\partial x_0 = H_2 \\,(1 + w_1 H_1 w_0)$, where $H_1$, $H_2$ are the ReLU gates "
           "(1 where the ReLU's input is positive, 0 where it is negative)."],
    mistakes=[
        mistake("forgot the skip path", lambda x0, w0, b0, w1, b1: _gates(x0, w0, b0, w1, b1)[2]
                * w1 * _gates(x0, w0, b0, w1, b1)[1] * w0,
                "That is only the path through the block. The skip connection adds $x_0$ itself to $y_1$, "
                "so $x_0$ also receives the outer gate times 1: add it."),
        mistake("forgot the block path", lambda x0, w0, b0, w1, b1: _gates(x0, w0, b0, w1, b1)[2],
                "That is only the skip connection. $x_0$ also feeds the block through $x_0 w_0$: add "
                "$w_1 H_1 w_0$ times the outer gate."),
    ],
    objective="add the gradient of a skip connection to the gradient through the block",
    difficulty=2,
    minutes=4,
    section="A residual connection, forward and backward",
    solution=lambda **p: "\n".join(_line(r) for r in reverse_trace(residual, *p.values()).rows),
    draw=_residual_point,
    decimals=3,
)
def residual_input_gradient(x0: float, w0: float, b0: float, w1: float, b1: float) -> float:
    rt = reverse_trace(residual, x0, w0, b0, w1, b1)
    _no_kink(rt)
    return rt.gradient[0]


# -- dual numbers, jvp and vjp ------------------------------------------------------------------
def _dual_draw(rng: np.random.Generator) -> dict[str, float]:
    return dict(a=float(rng.choice([-3, -2, -1, 1, 2, 3, 0.5, -0.5, 1.5])), b=float(rng.choice([2, 3, -1, 0.5, -2])))


@exercise(
    id="autodiff-dual",
    chapter=CHAPTER,
    title="Forward mode with a dual number",
    params=dict(a=2.0, b=3.0),
    prompt=(
        "Evaluate $f(x) = x^3 - 2x$ at the dual number $x = {a:g} + {b:g}\\,\\varepsilon$ (with "
        "$\\varepsilon^2 = 0$). Give the real part and the $\\varepsilon$ part of $f(x)$."
    ),
    hint="Expand (a + bε)^3 with the binomial theorem and drop every term with ε^2 or ε^3.",
    hints=["$(a + b\\varepsilon)^3 = a^3 + 3a^2 b\\,\\varepsilon$, so the $\\varepsilon$ part is "
           "$f'(a)\\,b = (3 \\cdot {a:g}^2 - 2) \\times {b:g}$."],
    mistakes=[
        mistake("dropped the tangent b", lambda a, b: (a**3 - 2 * a, 3 * a * a - 2),
                "That is $f'({a:g})$ alone: the $\\varepsilon$ part is $f'(a)$ times the tangent $b = {b:g}$ "
                "you started with."),
        mistake("cubed each part", lambda a, b: (a**3 - 2 * a, b**3 - 2 * b),
                "A dual number does not cube part by part: $(a + b\\varepsilon)^3 = a^3 + 3a^2 b\\,\\varepsilon$ "
                "(the cross terms carry the derivative)."),
    ],
    objective="compute a derivative with dual-number arithmetic (forward mode as algebra)",
    difficulty=1,
    minutes=3,
    section="Dual numbers: forward mode as arithmetic",
    solution=lambda a, b: (f"$f({a:g} + {b:g}\\varepsilon) = {a:g}^3 - 2 \\cdot {a:g} + (3 \\cdot {a:g}^2 - 2)"
                           f"\\cdot {b:g}\\,\\varepsilon = {str(_dual_f(a, b))}$"),
    draw=_avoiding(_dual_draw, dict(a=2.0, b=1.0)),
    decimals=3,
    labels=["real part", "$\\varepsilon$ part"],
)
def dual_cubic(a: float, b: float) -> tuple[float, float]:
    y = _dual_f(a, b)
    return y.value, y.tangent


def _dual_f(a: float, b: float) -> Dual:
    x = Dual(a, b)
    return x * x * x - 2 * x


def products_f(x1: Any, x2: Any) -> tuple[Any, Any]:
    """The chapter's map R² → R²: (x1 x2, x1 + sin x2)."""
    return x1 * x2, x1 + sin(x2)


def _products_draw(rng: np.random.Generator) -> dict[str, float]:
    def pick(values: list[float]) -> float:
        return float(rng.choice(values))

    return dict(x1=pick([-2, -1, 0.5, 1, 2, 3]), x2=pick([0.0, 0.5, 1.0, 2.0, 3.0, -1.0]),
                u1=pick([1, -1, 2, 0.5, 0]), u2=pick([1, -1, 2, 3, 0.5]))


def _jacobian(x1: float, x2: float) -> np.ndarray:
    return np.array([[x2, x1], [1.0, math.cos(x2)]])


@exercise(
    id="autodiff-jvp",
    chapter=CHAPTER,
    title="A Jacobian-vector product",
    params=dict(x1=2.0, x2=0.5, u1=1.0, u2=-1.0),
    prompt=(
        "Let $f(x_1, x_2) = (x_1 x_2,\\; x_1 + \\sin x_2)$. One forward sweep at $(x_1, x_2) = ({x1:g}, {x2:g})$ "
        "seeded with the tangent $\\dot x = ({u1:g}, {u2:g})$ gives the Jacobian-vector product $J \\dot x$. "
        "Give its two entries (3 decimals)."
    ),
    hint="The Jacobian has one row per output and one column per input: J = [[x_2, x_1], [1, cos x_2]]. "
    "Multiply it by the column (u_1, u_2).",
    hints=["$J \\dot x = (x_2 \\dot x_1 + x_1 \\dot x_2,\\; \\dot x_1 + \\cos(x_2)\\,\\dot x_2)$."],
    mistakes=[mistake("multiplied by the transpose", lambda x1, x2, u1, u2: tuple(_jacobian(x1, x2).T @ (u1, u2)),
                      "You computed $J^\\top \\dot x$. Forward mode combines the *columns* of $J$ "
                      "(row $i$ of $J\\dot x$ is $\\sum_j \\partial f_i/\\partial x_j \\, \\dot x_j$).")],
    objective="compute a Jacobian-vector product (one forward sweep) for a function with two outputs",
    difficulty=2,
    minutes=4,
    section="Jacobian-vector and vector-Jacobian products",
    solution=lambda x1, x2, u1, u2: (
        f"$J = \\begin{{pmatrix}} {x2:g} & {x1:g} \\\\ 1 & \\cos {x2:g} \\end{{pmatrix}}$, so "
        f"$J\\dot x = ({_fmt_pair(jvp(products_f, (x1, x2), (u1, u2))[1])})$."
    ),
    draw=_avoiding(_products_draw, WORKED_PRODUCTS),
    decimals=3,
    labels=["$(J\\dot x)_1$", "$(J\\dot x)_2$"],
)
def products_jvp(x1: float, x2: float, u1: float, u2: float) -> tuple[float, ...]:
    return jvp(products_f, (x1, x2), (u1, u2))[1]


@exercise(
    id="autodiff-vjp",
    chapter=CHAPTER,
    title="A vector-Jacobian product",
    params=dict(x1=2.0, x2=0.5, u1=1.0, u2=-1.0),
    prompt=(
        "Same $f(x_1, x_2) = (x_1 x_2,\\; x_1 + \\sin x_2)$ at $({x1:g}, {x2:g})$. One reverse sweep seeded "
        "with the cotangent $\\bar y = ({u1:g}, {u2:g})$ (one entry per output) gives $\\bar y^\\top J$. "
        "Give its two entries, $\\bar x_1$ and $\\bar x_2$ (3 decimals)."
    ),
    hint="Reverse mode combines the rows of J: x̄_j = Σ_i ȳ_i ∂f_i/∂x_j.",
    hints=["$\\bar y^\\top J = (\\bar y_1 x_2 + \\bar y_2,\\; \\bar y_1 x_1 + \\bar y_2 \\cos x_2)$."],
    mistakes=[mistake("multiplied J by the cotangent", lambda x1, x2, u1, u2: tuple(_jacobian(x1, x2) @ (u1, u2)),
                      "You computed $J \\bar y$, a forward-mode product. The backward sweep gives "
                      "$\\bar y^\\top J$: each input collects $\\sum_i \\bar y_i \\, \\partial f_i/\\partial x_j$.")],
    objective="compute a vector-Jacobian product (one reverse sweep) for a function with two outputs",
    difficulty=2,
    minutes=4,
    section="Jacobian-vector and vector-Jacobian products",
    solution=lambda x1, x2, u1, u2: (
        f"$\\bar y^\\top J = ({u1:g}, {u2:g}) \\begin{{pmatrix}} {x2:g} & {x1:g} \\\\ 1 & \\cos {x2:g} "
        f"\\end{{pmatrix}} = ({_fmt_pair(vjp(products_f, (x1, x2), (u1, u2))[1])})$."
    ),
    draw=_avoiding(_products_draw, WORKED_PRODUCTS),
    decimals=3,
    labels=["$\\bar x_1$", "$\\bar x_2$"],
)
def products_vjp(x1: float, x2: float, u1: float, u2: float) -> tuple[float, ...]:
    return vjp(products_f, (x1, x2), (u1, u2))[1]


def _fmt_pair(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:.4f}" for v in values)


# -- the linear layer at tensor level -------------------------------------------------------------
def _linear_draw(rng: np.random.Generator) -> dict[str, int]:
    values = rng.integers(-3, 4, size=8)
    names = ["w11", "w12", "w21", "w22", "x1", "x2", "d1", "d2"]
    return {n: int(v) for n, v in zip(names, values)}


def _linear_parts(w11: int, w12: int, w21: int, w22: int, x1: int, x2: int, d1: int, d2: int):
    return np.array([[w11, w12], [w21, w22]], float), np.array([x1, x2], float), np.array([d1, d2], float)


def _linear_slip(slip: str, **p: int) -> tuple[float, ...]:
    """The two classic slips: the weight gradient transposed (x δᵀ), or ∂L/∂x from W's rows (W δ)."""
    w, x, d = _linear_parts(**p)
    g = linear_backward(x, w, d)
    weight = np.outer(x, d) if slip == "transposed weight gradient" else g.weight
    given_x = w @ d if slip == "rows of W" else g.input
    return tuple(float(v) for v in weight.ravel()) + tuple(float(v) for v in given_x)


@exercise(
    id="autodiff-linear-backward",
    chapter=CHAPTER,
    title="The backward pass of a linear layer",
    params=dict(w11=2, w12=-1, w21=0, w22=3, x1=1, x2=-2, d1=3, d2=-1),
    prompt=(
        "A linear layer $y = W x + b$ with $W = \\begin{{pmatrix}} {w11} & {w12} \\\\ {w21} & {w22} \\end{{pmatrix}}$ "
        "and input $x = ({x1}, {x2})$ receives $\\delta = \\partial L/\\partial y = ({d1}, {d2})$ from above. "
        "Give $\\partial L/\\partial W$ (the four entries row by row: $W_{{11}}, W_{{12}}, W_{{21}}, W_{{22}}$), "
        "then $\\partial L/\\partial x$ (two entries)."
    ),
    hint="∂L/∂W_ij = δ_i x_j (the outer product δ xᵀ) and ∂L/∂x = Wᵀ δ.",
    hints=["$\\partial L/\\partial x_j = \\sum_i W_{{ij}} \\delta_i$: use the *columns* of $W$, "
           "$\\partial L/\\partial x_1 = {w11} \\cdot {d1} + {w21} \\cdot ({d2})$."],
    mistakes=[
        mistake("x δᵀ instead of δ xᵀ", lambda **p: _linear_slip("transposed weight gradient", **p),
                "Your weight gradient is transposed: $\\partial L/\\partial W_{{ij}} = \\delta_i x_j$ "
                "(row $i$ belongs to output $i$), that is $\\delta x^\\top$."),
        mistake("W δ instead of Wᵀ δ", lambda **p: _linear_slip("rows of W", **p),
                "$\\partial L/\\partial x = W^\\top \\delta$: input $j$ collects $W_{{ij}}\\delta_i$ over the outputs "
                "$i$ it feeds (a column of $W$), not a row."),
    ],
    objective="write the backward pass of a linear layer as matrix products (δxᵀ and Wᵀδ)",
    difficulty=2,
    minutes=5,
    section="The backward pass of a linear layer",
    solution=lambda **p: _linear_solution(**p),
    draw=_avoiding(_linear_draw, dict(w11=1, w12=0, w21=3, w22=-1, x1=1, x2=2, d1=1, d2=-1)),
    labels=["$W_{11}$", "$W_{12}$", "$W_{21}$", "$W_{22}$", "$x_1$", "$x_2$"],
)
def linear_layer_backward(w11: int, w12: int, w21: int, w22: int, x1: int, x2: int, d1: int, d2: int
                          ) -> tuple[float, ...]:
    w, x, d = _linear_parts(w11, w12, w21, w22, x1, x2, d1, d2)
    g = linear_backward(x, w, d)
    return tuple(float(v) for v in g.weight.ravel()) + tuple(float(v) for v in g.input)


def _linear_solution(**p: int) -> str:
    w, x, d = _linear_parts(**p)
    g = linear_backward(x, w, d)
    dw = g.weight.astype(int)
    return (f"$\\partial L/\\partial W = \\delta x^\\top = \\begin{{pmatrix}} {dw[0, 0]} & {dw[0, 1]} \\\\ "
            f"{dw[1, 0]} & {dw[1, 1]} \\end{{pmatrix}}$ and $\\partial L/\\partial x = W^\\top \\delta = "
            f"({int(g.input[0])}, {int(g.input[1])})$.")


# -- random formulas from the grammar -----------------------------------------------------------
def _formula_draw(rng: np.random.Generator) -> dict[str, object]:
    # 3 operations (+ 1 joining an unused name) or 4: the trace always has four steps
    return dict(formula=random_expression(rng, ("x1", "x2"), size=int(rng.integers(3, 5))), **_point(rng))


def _degenerate(formula: str) -> bool:
    """``a - a`` or ``a / a`` somewhere: a formula whose trace teaches nothing."""
    tree = ast.parse(formula.replace("^", "**"), mode="eval")
    return any(isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Sub, ast.Div))
               and ast.dump(n.left) == ast.dump(n.right) for n in ast.walk(tree))


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
    if _degenerate(formula) or all(abs(g) < 1e-12 for g in rt.gradient):
        raise ValueError("a degenerate formula (a - a, a / a, or a zero gradient): draw again")
    return e, rt


def _edge_rows(formula: str, x1: float, x2: float) -> list[Row]:
    """The first three rows of the backward sweep that multiply by a local partial."""
    return [r for r in _checked(formula, x1, x2)[1].rows if r.kind in ("first", "accumulate")][:3]


def _formula_tex(formula: str) -> str:
    return f"`{formula}`"


@exercise(
    id="autodiff-random-primal",
    chapter=CHAPTER,
    title="Trace a new formula",
    params=dict(formula="sigmoid(x1 * x2) + x1 / x2", x1=1.0, x2=2.0),
    prompt=lambda formula, x1, x2: (
        f"Write the evaluation trace of {_formula_tex(formula)} at $(x_1, x_2) = ({x1:g}, {x2:g})$, one "
        "elementary operation per row, in the order Python evaluates it. Give the values of "
        "$v_1, \\dots, v_4$ (3 decimals)."
    ),
    hint="Python evaluates the innermost operations first and works left to right; σ(z) = 1/(1 + e^{{-z}}).",
    hints=["Write one row per operation: a function call, a product, a sum... Each row names the rows it uses; "
           "a number in the formula is a constant inside a row, not a row of its own."],
    objective="write the evaluation trace of a new formula",
    difficulty=1,
    minutes=4,
    section="The evaluation trace",
    solution=lambda formula, x1, x2: "\n".join(_line(r) for r in _checked(formula, x1, x2)[1].trace.rows),
    draw=_formula_draw,
    decimals=3,
    labels=["$v_1$", "$v_2$", "$v_3$", "$v_4$"],
)
def random_primal(formula: str, x1: float, x2: float) -> tuple[float, ...]:
    return tuple(r.value for r in _intermediates(_checked(formula, x1, x2)[1].trace))


@exercise(
    id="autodiff-random-gradient",
    chapter=CHAPTER,
    title="Differentiate a new formula",
    params=dict(formula="sigmoid(x1 * x2) + x1 / x2", x1=1.0, x2=2.0),
    prompt=lambda formula, x1, x2: (
        f"Give both partial derivatives of {_formula_tex(formula)} at $(x_1, x_2) = ({x1:g}, {x2:g})$ "
        "(3 decimals). Use either mode; reverse mode gets both from one sweep."
    ),
    hint="Trace the formula first, then run the backward sweep from ȳ = 1. σ'(z) = σ(z)(1 - σ(z)), "
    "ReLU'(z) = 1 for z > 0 and 0 otherwise.",
    hints=["Where an input is used by two steps, its adjoint is the sum of both contributions."],
    mistakes=[mistake("overwrote instead of accumulating",
                      lambda formula, x1, x2: _sweep(_checked(formula, x1, x2)[1].trace, accumulate=False)[1],
                      _OVERWRITE)],
    objective="differentiate a new formula with one reverse sweep",
    difficulty=2,
    minutes=6,
    section="Reverse mode: the adjoint trace",
    solution=lambda formula, x1, x2: "\n".join(_line(r) for r in _checked(formula, x1, x2)[1].rows),
    draw=_formula_draw,
    decimals=3,
    labels=["$\\partial y/\\partial x_1$", "$\\partial y/\\partial x_2$"],
)
def random_gradient(formula: str, x1: float, x2: float) -> tuple[float, ...]:
    return _checked(formula, x1, x2)[1].gradient


@exercise(
    id="autodiff-random-local-partial",
    chapter=CHAPTER,
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
    hints=["Look at the step $v_j$ each row flows back from, and differentiate that step's rule with respect "
           "to the argument $v_i$ named in the row, at the primal values."],
    mistakes=[mistake("gave the adjoints", lambda formula, x1, x2: tuple(r.value for r in _edge_rows(formula, x1, x2)),
                      "Those are the adjoints the rows compute. The local partial $\\partial v_j/\\partial v_i$ is "
                      "the factor each row multiplies $\\bar v_j$ by.")],
    objective="tell a local partial derivative from an adjoint",
    difficulty=2,
    minutes=4,
    section="Reverse mode: the adjoint trace",
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
    chapter=CHAPTER,
    title="Forward or reverse?",
    params=dict(n=1000, m=1),
    prompt=(
        "You need the full Jacobian of a function with {n} inputs and {m} output(s). Forward mode needs one "
        "sweep per input, reverse mode one sweep per output. Which mode needs fewer sweeps?"
    ),
    hint="Count sweeps: n for forward mode, m for reverse mode.",
    hints=["Forward mode: one sweep per *input* ({n}). Reverse mode: one sweep per *output* ({m})."],
    mistakes=[mistake("swapped the modes",
                      lambda n, m: "reverse mode" if n < m else "forward mode" if m < n else "the same",
                      "The other way round: forward mode needs one sweep per input ({n}), reverse mode one per "
                      "output ({m}). Hint: Count sweeps: n for forward mode, m for reverse mode.")],
    objective="choose forward or reverse mode from the numbers of inputs and outputs",
    difficulty=1,
    minutes=1,
    section="Why reverse mode wins for many inputs and one output",
    solution="Forward mode: {n} sweeps (one per input, each giving one column of the Jacobian). "
    "Reverse mode: {m} sweep(s) (one per output, each giving one row). The answer is **{answer}**.",
    draw=lambda rng: dict(n=int(rng.choice([1, 2, 5, 100, 1000, 10**6])), m=int(rng.choice([1, 3, 10, 500]))),
    choices=["forward mode", "reverse mode", "the same"],
)
def which_mode(n: int, m: int) -> str:
    return "forward mode" if n < m else "reverse mode" if m < n else "the same"


# -- find the wrong row ---------------------------------------------------------------------------
_ROW_CHOICES = ["$v_1$", "$v_2$", "$v_3$", "$v_4$", "$v_5$", "$v_6$",
                "$\\dot v_1$", "$\\dot v_2$", "$\\dot v_3$", "$\\dot v_4$", "$\\dot v_5$", "$\\dot v_6$"]
_SLIPS = {  # slip: (first wrong row, a later row that is wrong only because of it)
    "swapped rows": ("$v_5$", "$v_6$"),
    "derivative of 1/v": ("$\\dot v_3$", "$\\dot v_5$"),
    "sign of cos'": ("$\\dot v_4$", "$\\dot v_6$"),
}


def _student_table(x1: float, x2: float, slip: str) -> list[tuple[str, str, float]]:
    """The Q4 forward table as a student with one classic slip writes it: (lhs, rule, value) rows."""
    ft = forward_trace(seed_q4, x1, x2)
    primal = {r.lhs_tex: r.value for r, _ in ft.rows}
    tangent = {d.lhs_tex: d.value for _, d in ft.rows}
    if slip == "swapped rows":
        primal["v_{5}"] = 1 / primal["v_{2}"] + primal["v_{2}"]
        primal["v_{6}"] = primal["v_{5}"] + primal["v_{4}"]
    elif slip == "derivative of 1/v":
        tangent["\\dot{v}_{3}"] = -tangent["\\dot{v}_{1}"] / primal["v_{1}"]
        tangent["\\dot{v}_{5}"] = tangent["\\dot{v}_{3}"] + tangent["\\dot{v}_{2}"]
        tangent["\\dot{v}_{6}"] = tangent["\\dot{v}_{5}"] + tangent["\\dot{v}_{4}"]
    else:
        tangent["\\dot{v}_{4}"] = math.sin(x1)
        tangent["\\dot{v}_{6}"] = tangent["\\dot{v}_{5}"] + tangent["\\dot{v}_{4}"]
    rows = []
    for p, d in ft.rows:
        if p.kind == "step":
            rows.append((p.lhs_tex, p.rule_tex, primal[p.lhs_tex]))
    for _, d in ft.rows:
        if d.kind == "step":
            rows.append((d.lhs_tex, d.rule_tex, tangent[d.lhs_tex]))
    return rows


def _wrong_row_draw(rng: np.random.Generator) -> dict[str, Any]:
    return dict(**_q4_point(rng), slip=str(rng.choice(sorted(_SLIPS))))


@exercise(
    id="autodiff-find-the-wrong-row",
    chapter=CHAPTER,
    title="Find the first wrong row",
    params=dict(x1=2.0, x2=4.0, slip="derivative of 1/v"),
    prompt=lambda x1, x2, slip: (
        f"A student's forward-mode table for $f(x_1, x_2) = 1/(x_1 + x_2) + x_2^2 + \\cos(x_1)$ at "
        f"$({x1:g}, {x2:g})$ with $\\dot x_1 = 1$, $\\dot x_2 = 0$ has exactly one slip, and every row after it "
        "was computed correctly from the rows above. Which row is the **first** wrong one?\n"
        + "\n".join(f"${lhs} = {rule} = {value:.4f}$" for lhs, rule, value in _student_table(x1, x2, slip))
    ),
    hint="Recompute each row from the rows above it, in order: the first row whose value does not follow from "
    "its rule is the slip; later rows inherit it.",
    hints=["Check the rules that are easy to get wrong first: the derivative of $1/v$ is $-1/v^2$, the derivative "
           "of $\\cos$ is $-\\sin$, and $v_3$ uses $v_1$, not $v_2$."],
    mistakes=[mistake("a row downstream of the slip", lambda x1, x2, slip: _SLIPS[slip][1],
                      "That row is wrong only because it uses a wrong row above it: its own step was computed "
                      "correctly. Look further up for the first wrong value.")],
    objective="audit a trace table row by row and locate the first error",
    difficulty=2,
    minutes=5,
    section="Worked example: forward and reverse mode on a new function",
    solution=lambda x1, x2, slip: (
        f"The first wrong row is {_SLIPS[slip][0]} (the slip: {slip}). The correct table:\n"
        + "\n".join(_line(p) + "   " + _line(d) for p, d in forward_trace(seed_q4, x1, x2).rows)
    ),
    draw=_wrong_row_draw,
    choices=_ROW_CHOICES,
)
def find_the_wrong_row(x1: float, x2: float, slip: str) -> str:
    right = [r.value for r, _ in forward_trace(seed_q4, x1, x2).rows if r.kind == "step"]
    right += [d.value for _, d in forward_trace(seed_q4, x1, x2).rows if d.kind == "step"]
    shown = [value for _, _, value in _student_table(x1, x2, slip)]
    if all(round(a, 4) == round(b, 4) for a, b in zip(right, shown)):
        raise ValueError("on these numbers the slip changes no shown value: draw again")
    return _SLIPS[slip][0]
