"""Dual numbers, jvp/vjp, Jacobians, the linear-layer backward and the torch.autograd correspondence,
against PyTorch (torch.func.jvp/vjp, autograd) and against each other."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.autodiff import (
    Dual,
    autograd_correspondence,
    cos,
    exp,
    jacobian,
    jvp,
    linear,
    linear_backward,
    linear_backward_by_trace,
    log,
    parse_expression,
    reverse_trace,
    sigmoid,
    sin,
    sqrt,
    tanh,
    trace,
    vjp,
)
from nnbook.autodiff.pytorch import grad_fn_name


def two_to_three(x1, x2):
    """R² → R³ with every kind of step."""
    u = x1 * x2
    return (log(x1) + u - sin(x2), sigmoid(u) / x2 + x1**3, sqrt(x1) * exp(-x2) + tanh(2 - x1) + cos(u))


def two_to_three_torch(torch, x1, x2):
    u = x1 * x2
    return (torch.log(x1) + u - torch.sin(x2), torch.sigmoid(u) / x2 + x1**3,
            torch.sqrt(x1) * torch.exp(-x2) + torch.tanh(2 - x1) + torch.cos(u))


# ------------------------------------------------------------------ dual numbers
def test_dual_numbers_are_forward_mode():
    x = Dual(2.0, 1.0)
    assert x * x + 3 * x == Dual(10.0, 7.0)
    assert (1 / x).tangent == -0.25 and (2**x).tangent == pytest.approx(4 * math.log(2))
    y = log(x) + x * Dual(5.0) - sin(Dual(5.0))  # Baydin's f at (2, 5) with ẋ₁ = 1
    assert y.value == pytest.approx(11.652071) and y.tangent == pytest.approx(5.5)
    assert str(Dual(1.0, -2.0)) == "1.0000 - 2.0000ε" and -x == Dual(-2.0, -1.0)
    with pytest.raises(ValueError, match="log"):
        log(Dual(-1.0, 1.0))
    with pytest.raises(ValueError, match="division by zero"):
        Dual(1.0) / Dual(0.0, 1.0)
    with pytest.raises(ValueError, match="too large"):
        exp(Dual(1000.0, 1.0))
    with pytest.raises(ValueError, match="finite"):
        Dual(math.nan)
    with pytest.raises(TypeError, match="truth value"):
        bool(Dual(1.0))
    with pytest.raises(TypeError):
        Dual(1.0) + "a"


@settings(max_examples=40, deadline=None)
@given(st.floats(0.3, 3.0), st.floats(0.3, 3.0))
def test_dual_tangent_equals_the_forward_trace(a, b):
    f = lambda x1, x2: log(x1) * x2 + sigmoid(x1 / x2) - x2 ** 2  # noqa: E731
    for k in range(2):
        duals = [Dual(a, float(k == 0)), Dual(b, float(k == 1))]
        assert f(*duals).tangent == pytest.approx(reverse_trace(f, a, b).gradient[k], rel=1e-12, abs=1e-12)


# ------------------------------------------------------------------ jvp, vjp, Jacobians
def test_jvp_vjp_and_jacobian_are_consistent():
    x = (1.3, 0.7)
    jf = jacobian(two_to_three, x, mode="forward")
    jr = jacobian(two_to_three, x, mode="reverse")
    assert jf.matrix.shape == (3, 2) and jf.sweeps == 2 and jr.sweeps == 3
    np.testing.assert_allclose(jf.matrix, jr.matrix, rtol=1e-12, atol=1e-14)
    u, w = np.array([0.5, -2.0]), np.array([1.0, -1.0, 3.0])
    values, ju = jvp(two_to_three, x, u)
    values2, wj = vjp(two_to_three, x, w)
    assert values == values2
    np.testing.assert_allclose(ju, jf.matrix @ u, rtol=1e-12)
    np.testing.assert_allclose(wj, w @ jr.matrix, rtol=1e-12)
    assert w @ np.array(ju) == pytest.approx(np.array(wj) @ u, rel=1e-12)  # wᵀ(Ju) = (wᵀJ)u
    assert vjp(lambda a, b: a * b, x, 1.0)[1] == reverse_trace(lambda a, b: a * b, *x).gradient
    assert jvp(lambda a: 3.0, (1.0,), (1.0,)) == (3.0, 0.0)  # constant output: zero tangent
    assert vjp(lambda a, b: (a, 2.0), (1.0, 2.0), (1.0, 5.0)) == ((1.0, 2.0), (1.0, 0.0))


def test_jvp_and_vjp_match_torch_func(torch):
    from torch.func import jvp as torch_jvp
    from torch.func import vjp as torch_vjp

    x = (1.3, 0.7)
    tx = tuple(torch.tensor(v, dtype=torch.float64) for v in x)
    rng = np.random.default_rng(0)
    for _ in range(5):
        u, w = rng.normal(size=2), rng.normal(size=3)
        tu = tuple(torch.tensor(v, dtype=torch.float64) for v in u)
        out, t_ju = torch_jvp(lambda a, b: two_to_three_torch(torch, a, b), tx, tu)
        values, ju = jvp(two_to_three, x, u)
        np.testing.assert_allclose(values, [o.item() for o in out], rtol=1e-13)
        np.testing.assert_allclose(ju, [t.item() for t in t_ju], rtol=1e-12, atol=1e-14)
        _, pullback = torch_vjp(lambda a, b: two_to_three_torch(torch, a, b), *tx)
        t_wj = pullback(tuple(torch.tensor(v, dtype=torch.float64) for v in w))
        np.testing.assert_allclose(vjp(two_to_three, x, w)[1], [t.item() for t in t_wj], rtol=1e-12, atol=1e-14)
    full = torch.autograd.functional.jacobian(lambda a, b: torch.stack(two_to_three_torch(torch, a, b)), tx)
    np.testing.assert_allclose(jacobian(two_to_three, x).matrix, torch.stack(full, dim=1).numpy(), rtol=1e-12)


def test_jvp_vjp_bad_arguments():
    with pytest.raises(ValueError, match="one entry per input"):
        jvp(two_to_three, (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match="one entry per output"):
        vjp(two_to_three, (1.0, 2.0), (1.0, 2.0))
    with pytest.raises(TypeError, match="function"):
        jvp(3, (1.0,), (1.0,))
    with pytest.raises(TypeError, match="function"):
        vjp(None, (1.0,), 1.0)
    with pytest.raises(ValueError, match="finite"):
        jvp(two_to_three, (math.nan, 1.0), (1.0, 0.0))
    with pytest.raises(TypeError, match="real number"):
        vjp(two_to_three, ("a", 1.0), (1.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="empty"):
        vjp(lambda a: (), (1.0,), ())
    with pytest.raises(TypeError, match="output 1 of f must be a number"):
        jvp(lambda a: (a, "b"), (1.0,), (1.0,))
    with pytest.raises(ValueError, match="mode must be"):
        jacobian(two_to_three, (1.0, 2.0), mode="sideways")
    with pytest.raises(ValueError, match="at least one number"):
        jvp(two_to_three, (), ())


# ------------------------------------------------------------------ the linear layer
def test_linear_backward_matches_torch_and_the_scalar_trace(torch):
    rng = np.random.default_rng(1)
    for batch in (None, 4):
        shape = (3,) if batch is None else (batch, 3)
        x, w, b = rng.normal(size=shape), rng.normal(size=(2, 3)), rng.normal(size=2)
        delta = rng.normal(size=shape[:-1] + (2,))
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        y = torch.nn.functional.linear(tx, tw, tb)
        np.testing.assert_allclose(linear(x, w, b), y.detach().numpy(), rtol=1e-13)
        y.backward(torch.tensor(delta))
        g = linear_backward(x, w, delta)
        np.testing.assert_allclose(g.weight, tw.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(g.bias, tb.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(g.input, tx.grad.numpy(), rtol=1e-12)
        if batch is None:
            t = linear_backward_by_trace(x, w, delta)
            for ours, traced in ((g.weight, t.weight), (g.bias, t.bias), (g.input, t.input)):
                np.testing.assert_allclose(ours, traced, rtol=1e-12, atol=1e-15)


def test_linear_backward_formulas_and_bad_shapes():
    x, w, d = np.array([1.0, 2.0, 3.0]), np.arange(6.0).reshape(2, 3), np.array([1.0, -1.0])
    g = linear_backward(x, w, d)
    np.testing.assert_array_equal(g.weight, np.outer(d, x))
    np.testing.assert_array_equal(g.input, w.T @ d)
    with pytest.raises(ValueError, match="features"):
        linear_backward(np.ones(2), w, d)
    with pytest.raises(ValueError, match="grad_output must have shape"):
        linear_backward(x, w, np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        linear_backward(x, w, np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="bias must have shape"):
        linear(x, w, np.ones(3))
    with pytest.raises(ValueError, match="small layer"):
        linear_backward_by_trace(np.ones(30), np.ones((20, 30)), np.ones(20))


# ------------------------------------------------------------------ the trace as torch.autograd records it
def _grad_fn_names(torch, y):
    seen, names, stack = set(), [], [y.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen or type(fn).__name__ == "AccumulateGrad":
            continue
        seen.add(id(fn))
        names.append(type(fn).__name__)
        stack.extend(f for f, _ in fn.next_functions)
    return Counter(names)


@pytest.mark.parametrize("formula", ["log(x1) + x1*x2 - sin(x2)", "1/(x1 + x2) + x2**2 + cos(x1)",
                                     "relu(x1*0.5 + 0.1)*(-0.2) + 0.15 + x1", "2**x1 - x2**x1 + 3/x2 - (2 - x1)",
                                     "sigmoid(tanh(x1)) * sqrt(x2) / exp(-x1)"])
def test_every_trace_step_is_one_autograd_node(torch, formula):
    e = parse_expression(formula)
    point = (1.2, 0.8)[: len(e.names)]
    tensors = {n: torch.tensor(v, dtype=torch.float64, requires_grad=True) for n, v in zip(e.names, point)}
    functions = {n: (lambda v, fn=getattr(torch, n): fn(torch.as_tensor(v, dtype=torch.float64)))
                 for n in ("log", "exp", "sin", "cos", "tanh", "sqrt", "sigmoid", "relu")}
    y = e.evaluate(tensors, functions)
    ours = Counter()
    for _, _, name in autograd_correspondence(trace(e, *point)):
        ours.update(name.split(" → "))
    assert ours == _grad_fn_names(torch, y)
    y.backward()  # the reverse sweep: .grad holds the adjoints x̄
    assert reverse_trace(e, *point).gradient == pytest.approx(tuple(t.grad.item() for t in tensors.values()))


def test_correspondence_bad_arguments():
    with pytest.raises(TypeError, match="give a trace"):
        autograd_correspondence("log(x)")
    with pytest.raises(ValueError, match="not a trace step"):
        grad_fn_name("matmul")
