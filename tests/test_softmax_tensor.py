"""Softmax at the tensor level: the Jacobian, softmax regression's weight gradient, label
smoothing and KL, against PyTorch autograd and by hand; bad input gets a plain ValueError."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnbook.gradcheck import numerical_gradient
from nnbook.softmax import (
    cross_entropy,
    cross_entropy_grad,
    entropy,
    kl_divergence,
    linear_cross_entropy_grad,
    one_hot,
    smoothed_targets,
    softmax,
    softmax_jacobian,
)

logit_vectors = st.integers(2, 7).flatmap(
    lambda k: st.lists(st.floats(-30, 30), min_size=k, max_size=k).map(np.array)
)


@given(z=logit_vectors)
def test_jacobian_is_diag_p_minus_ppT_symmetric_rows_sum_to_zero_rank_k_minus_1(z):
    J = softmax_jacobian(z)
    p = softmax(z)
    assert np.allclose(J, np.diag(p) - np.outer(p, p), atol=1e-15)
    assert np.allclose(J, J.T) and np.allclose(J.sum(axis=0), 0, atol=1e-12)
    if p.min() > 1e-6:  # numerically full rank K - 1 only when no class is (almost) ruled out
        assert np.linalg.matrix_rank(J, tol=1e-9) == len(z) - 1


@pytest.mark.parametrize("temperature", [1.0, 0.5, 3.0])
@pytest.mark.parametrize("shape", [(4,), (3, 5)])
def test_jacobian_matches_torch_autograd(torch, shape, temperature):
    z = np.random.default_rng(len(shape)).normal(size=shape) * 2
    f = lambda t: torch.softmax(t / temperature, dim=-1)  # noqa: E731
    if len(shape) == 1:
        ref = torch.autograd.functional.jacobian(f, torch.tensor(z)).numpy()
    else:
        ref = np.stack([torch.autograd.functional.jacobian(f, torch.tensor(row)).numpy() for row in z])
    assert np.allclose(softmax_jacobian(z, temperature=temperature), ref, atol=1e-14)


def test_jacobian_matches_finite_differences():
    z = np.array([0.3, -1.0, 2.0])
    numeric = np.stack([numerical_gradient(lambda v, i=i: softmax(v)[i], z) for i in range(3)])
    assert np.allclose(softmax_jacobian(z), numeric, atol=1e-9)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 0.5])
@pytest.mark.parametrize("n, d, k", [(1, 3, 2), (5, 4, 3), (16, 7, 10)])
def test_softmax_regression_weight_gradient_matches_torch(torch, n, d, k, label_smoothing):
    rng = np.random.default_rng(n * 100 + k)
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)
    t = rng.integers(0, k, size=n)
    tW, tb = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(torch.tensor(X) @ tW + tb, torch.tensor(t), label_smoothing=label_smoothing)
    loss.backward()
    dW, db = linear_cross_entropy_grad(X, W, b, t, label_smoothing=label_smoothing)
    assert dW.shape == (d, k) and db.shape == (k,)
    assert np.allclose(dW, tW.grad.numpy(), atol=1e-14) and np.allclose(db, tb.grad.numpy(), atol=1e-14)


def test_weight_gradient_is_xT_p_minus_y_over_n():
    rng = np.random.default_rng(3)
    X, W, b, t = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3), np.array([0, 1, 2, 2, 1, 0])
    P, Y = softmax(X @ W + b), one_hot(t, 3)
    dW, db = linear_cross_entropy_grad(X, W, b, t)
    assert np.allclose(dW, X.T @ (P - Y) / 6) and np.allclose(db, (P - Y).mean(axis=0))
    numeric = numerical_gradient(lambda w: cross_entropy(X @ w + b, t), W)
    assert np.allclose(dW, numeric, atol=1e-8)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.05, 0.1, 0.3, 1.0])
@pytest.mark.parametrize("shape", [(5,), (4, 6)])
def test_label_smoothing_loss_and_gradient_match_torch(torch, shape, label_smoothing):
    rng = np.random.default_rng(7)
    z = rng.normal(size=shape) * 3
    t = rng.integers(0, shape[-1], size=shape[:-1]) if len(shape) == 2 else int(rng.integers(shape[-1]))
    tz = torch.tensor(z[None] if len(shape) == 1 else z, requires_grad=True)
    tt = torch.tensor([t] if len(shape) == 1 else t)
    loss = torch.nn.functional.cross_entropy(tz, tt, label_smoothing=label_smoothing)
    loss.backward()
    assert cross_entropy(z, t, label_smoothing=label_smoothing) == pytest.approx(loss.item(), rel=1e-13)
    grad = tz.grad.numpy()[0] if len(shape) == 1 else tz.grad.numpy()
    assert np.allclose(cross_entropy_grad(z, t, label_smoothing=label_smoothing), grad, atol=1e-15)


@given(z=logit_vectors, data=st.data())
def test_cross_entropy_is_entropy_plus_kl(z, data):
    k = len(z)
    t = data.draw(st.integers(0, k - 1))
    eps = data.draw(st.floats(0, 1))
    y = smoothed_targets(t, k, eps)
    p = softmax(z)
    if p.min() < 1e-250:  # log of an underflowed probability: KL is inf/unstable
        return
    assert cross_entropy(z, t, label_smoothing=eps) == pytest.approx(entropy(y) + kl_divergence(y, p), rel=1e-9, abs=1e-9)


def test_untrained_classifier_loss_is_log_k():
    for k in (2, 10, 1000):
        assert cross_entropy(np.zeros((3, k)), [0, 1, 1]) == pytest.approx(np.log(k))


def test_cross_entropy_is_mean_negative_log_likelihood():
    rng = np.random.default_rng(0)
    z, t = rng.normal(size=(8, 4)), rng.integers(0, 4, size=8)
    likelihood = np.prod(softmax(z)[np.arange(8), t])
    assert cross_entropy(z, t) == pytest.approx(-np.log(likelihood) / 8)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: softmax_jacobian(np.zeros((2, 2, 2))), "shape"),
        (lambda: softmax_jacobian([1.0, np.nan]), "NaN"),
        (lambda: cross_entropy([1.0, 2.0], 0, label_smoothing=1.5), "between 0 and 1"),
        (lambda: cross_entropy([1.0, 2.0], 0, label_smoothing=10**400), "too large"),
        (lambda: linear_cross_entropy_grad(np.ones((2, 3)), np.ones((4, 2)), np.ones(2), [0, 1]), r"\(D, K\)"),
        (lambda: linear_cross_entropy_grad(np.ones((2, 3)), np.ones((3, 2)), np.ones(3), [0, 1]), "one bias per class"),
        (lambda: linear_cross_entropy_grad(np.full((2, 3), np.inf), np.ones((3, 2)), np.ones(2), [0, 1]), "X must"),
        (lambda: linear_cross_entropy_grad(np.full((1, 1), 1e300), np.full((1, 2), 1e300), np.ones(2), [0]), "overflow"),
        (lambda: kl_divergence([0.5, 0.5], [1.0]), "same shape"),
    ],
)
def test_bad_arguments_say_what_is_wrong(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("k, eps", [(2, 0.1), (3, 0.1), (10, 0.2), (1000, 0.05)])
def test_smoothing_optimum_is_where_the_gradient_vanishes(k, eps):
    from nnbook.softmax import smoothing_optimal_gap

    gap = smoothing_optimal_gap(k, eps)
    z = np.r_[gap, np.zeros(k - 1)]
    assert np.allclose(cross_entropy_grad(z, 0, label_smoothing=eps), 0, atol=1e-12)
    assert np.allclose(softmax(z), smoothed_targets(0, k, eps))
    with pytest.raises(ValueError, match="no finite gap"):
        smoothing_optimal_gap(k, 0.0)


def test_figures_of_the_new_sections():
    from nnbook.plots.softmax import smoothing_plot, temperature_panels

    assert len(temperature_panels([1.0, 2.0, 3.0], (0.5, 2.0)).axes) == 2
    assert len(smoothing_plot(4, 0.2).axes) == 1
    with pytest.raises(ValueError, match="between 1 and 6"):
        temperature_panels([1.0, 2.0], ())
    with pytest.raises(ValueError, match="temperature"):
        temperature_panels([1.0, 2.0], (0.0,))
