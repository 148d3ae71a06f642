"""Batch normalization: forward/backward vs finite differences and PyTorch autograd; running
statistics vs torch.nn.BatchNorm1d/2d in train then eval mode; clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.batchnorm import (
    BatchNorm,
    BatchNormCache,
    batchnorm_backward,
    batchnorm_forward,
    finite_difference_gradients,
)

# (N, D), (N, C, L), (N, C, H, W), always with at least 2 values per feature
shapes = st.one_of(
    st.tuples(st.integers(2, 6), st.integers(1, 5)),
    st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(2, 5)),
    st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(2, 4)),
)


def make(shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(1.5, 2.0, size=shape)
    c = shape[1]
    gamma = rng.normal(1.0, 0.5, size=c)
    beta = rng.normal(0.0, 1.0, size=c)
    dy = rng.normal(size=shape)
    return x, gamma, beta, dy


def loss(x, gamma, beta, dy, eps=1e-5):
    return float(np.sum(batchnorm_forward(x, gamma, beta, eps)[0] * dy))


def numeric_grad(f, a, h=1e-6):
    grad = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = old + h
        up = f()
        a[i] = old - h
        down = f()
        a[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def naive_forward(x, gamma, beta, eps):
    """Per-feature loops: the textbook algorithm written out."""
    y = np.empty_like(x)
    for c in range(x.shape[1]):
        values = x[:, c].ravel()
        mean = sum(values) / len(values)
        var = sum((v - mean) ** 2 for v in values) / len(values)
        y[:, c] = gamma[c] * (x[:, c] - mean) / np.sqrt(var + eps) + beta[c]
    return y


@settings(max_examples=40)
@given(shape=shapes, seed=st.integers(0, 10_000))
def test_forward_matches_per_feature_loops_and_normalizes(shape, seed):
    x, gamma, beta, _ = make(shape, seed)
    y, cache = batchnorm_forward(x, gamma, beta)
    np.testing.assert_allclose(y, naive_forward(x, gamma, beta, 1e-5), rtol=1e-10, atol=1e-10)
    axes = (0,) + tuple(range(2, x.ndim))
    np.testing.assert_allclose(cache.x_hat.mean(axis=axes), 0, atol=1e-10)
    assert cache.count == x.size // x.shape[1]


@settings(max_examples=30)
@given(shape=shapes, seed=st.integers(0, 10_000))
def test_backward_matches_finite_differences(shape, seed):
    x, gamma, beta, dy = make(shape, seed)
    _, cache = batchnorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = batchnorm_backward(dy, cache)
    np.testing.assert_allclose(dx, numeric_grad(lambda: loss(x, gamma, beta, dy), x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dgamma, numeric_grad(lambda: loss(x, gamma, beta, dy), gamma), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dbeta, numeric_grad(lambda: loss(x, gamma, beta, dy), beta), rtol=1e-5, atol=1e-6)


def test_gradient_wrt_x_sums_to_zero_and_is_orthogonal_to_x_hat():
    # exactly orthogonal only as eps -> 0 (with eps, mean(x_hat**2) = var / (var + eps) < 1)
    x, gamma, beta, dy = make((8, 3), 1)
    _, cache = batchnorm_forward(x, gamma, beta, eps=1e-12)
    dx, _, _ = batchnorm_backward(dy, cache)
    np.testing.assert_allclose(dx.sum(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose((dx * cache.x_hat).sum(axis=0), 0, atol=1e-9)


def test_eps_matters_for_a_constant_feature():
    y, cache = batchnorm_forward([[2.0], [2.0], [2.0]], [3.0], [0.5])
    np.testing.assert_array_equal(y, 0.5)  # var 0: x_hat = 0 / sqrt(eps), finite
    assert np.isfinite(cache.inv_std).all()


def test_float32_stays_float32():
    x = np.ones((4, 2), np.float32) * np.arange(4, dtype=np.float32)[:, None]
    y, _ = batchnorm_forward(x, np.ones(2), np.zeros(2))
    assert y.dtype == np.float32


@settings(max_examples=25)
@given(shape=shapes, seed=st.integers(0, 10_000), eps=st.sampled_from([1e-5, 1e-3, 0.1]))
def test_forward_backward_match_torch_autograd(torch, shape, seed, eps):
    x, gamma, beta, dy = make(shape, seed)
    y, cache = batchnorm_forward(x, gamma, beta, eps)
    dx, dgamma, dbeta = batchnorm_backward(dy, cache)
    tx, tg, tb = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    ty = torch.nn.functional.batch_norm(tx, None, None, tg, tb, training=True, eps=eps)
    ty.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(dgamma, tg.grad.numpy(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(dbeta, tb.grad.numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "shape, momentum",
    [((8, 3), 0.1), ((5, 4, 6), 0.1), ((4, 3, 5, 5), 0.1), ((6, 2, 3, 3), 0.3), ((3, 4), None), ((2, 3, 2, 2), None)],
)
def test_running_statistics_match_torch_over_several_steps_then_eval(torch, shape, momentum):
    rng = np.random.default_rng(7)
    c = shape[1]
    ours = BatchNorm(c, momentum=momentum)
    module = torch.nn.BatchNorm1d if len(shape) < 4 else torch.nn.BatchNorm2d
    ref = module(c, momentum=momentum).double()
    gamma, beta = rng.normal(1, 0.3, c), rng.normal(0, 0.5, c)
    ours.weight, ours.bias = gamma.copy(), beta.copy()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(gamma))
        ref.bias.copy_(torch.tensor(beta))
    for step in range(5):
        x = rng.normal(step, 1 + step, size=shape)
        np.testing.assert_allclose(ours(x), ref(torch.tensor(x)).detach().numpy(), rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(ours.running_mean, ref.running_mean.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ours.running_var, ref.running_var.numpy(), rtol=1e-12, atol=1e-12)
        assert ours.num_batches_tracked == int(ref.num_batches_tracked)
    ours.eval()
    ref.eval()
    before = ours.running_mean.copy()
    for n in (1, 3):  # a batch of one is fine in eval mode
        x = rng.normal(size=(n,) + shape[1:])
        np.testing.assert_allclose(ours(x), ref(torch.tensor(x)).detach().numpy(), rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(ours.running_mean, before)  # eval never updates


def test_layer_backward_in_train_and_eval_mode_matches_finite_differences():
    rng = np.random.default_rng(3)
    x, dy = rng.normal(size=(5, 2, 3)), rng.normal(size=(5, 2, 3))
    for training in (True, False):
        bn = BatchNorm(2)
        bn.running_mean, bn.running_var = np.array([0.3, -0.2]), np.array([2.0, 0.5])
        bn.weight, bn.bias = np.array([1.5, -0.7]), np.array([0.1, 0.2])
        bn.train(training)

        def f():
            saved = (bn.running_mean.copy(), bn.running_var.copy(), bn.num_batches_tracked)
            out = float(np.sum(bn(x) * dy))
            bn.running_mean, bn.running_var, bn.num_batches_tracked = saved
            return out

        bn(x)
        dx = bn.backward(dy)
        np.testing.assert_allclose(dx, numeric_grad(f, x), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(bn.grad_weight, numeric_grad(f, bn.weight), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(bn.grad_bias, numeric_grad(f, bn.bias), rtol=1e-5, atol=1e-6)


def test_eval_output_of_one_example_does_not_depend_on_the_batch():
    rng = np.random.default_rng(0)
    bn = BatchNorm(3)
    for _ in range(4):
        bn(rng.normal(2, 3, size=(16, 3)))
    bn.eval()
    batch = rng.normal(size=(6, 3))
    np.testing.assert_allclose(bn(batch)[2:3], bn(batch[2:3]))
    assert "eval" in repr(bn)


@pytest.mark.parametrize(
    "args, error, match",
    [
        (([1.0, 2.0], [1.0], [0.0]), ValueError, "dimension"),
        ((np.zeros((2, 3, 4, 5, 6)), np.ones(3), np.zeros(3)), ValueError, "dimension"),
        (([[1.0, 2.0]], [1.0, 1.0], [0.0, 0.0]), ValueError, "more than one value"),
        ((np.zeros((1, 2, 1, 1)), [1.0, 1.0], [0.0, 0.0]), ValueError, "more than one value"),
        (([[1.0], [2.0]], [1.0, 1.0], [0.0]), ValueError, r"gamma must have shape \(1,\)"),
        (([[1.0], [2.0]], [1.0], [[0.0]]), ValueError, "beta must have 1 dimension"),
        (([[1.0], [np.nan]], [1.0], [0.0]), ValueError, "finite"),
        (([["a"], ["b"]], [1.0], [0.0]), TypeError, "numbers"),
    ],
)
def test_forward_errors_are_clear(args, error, match):
    with pytest.raises(error, match=match):
        batchnorm_forward(*args)


@pytest.mark.parametrize("eps", [0.0, -1e-5])
def test_non_positive_eps_is_refused(eps):
    with pytest.raises(ValueError, match="eps must be > 0"):
        batchnorm_forward([[1.0], [2.0]], [1.0], [0.0], eps=eps)
    with pytest.raises(ValueError, match="eps must be > 0"):
        BatchNorm(2, eps=eps)


def test_layer_errors_are_clear():
    bn = BatchNorm(3)
    with pytest.raises(ValueError, match="expected 3 features"):
        bn(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="more than one value"):
        bn(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="before backward"):
        BatchNorm(2).backward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="before backward"):
        BatchNorm(2).eval().backward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(2, momentum=1.5)
    with pytest.raises(ValueError, match="num_features"):
        BatchNorm(0)
    with pytest.raises(TypeError, match="mode"):
        bn.train("yes")
    _, cache = batchnorm_forward(np.ones((3, 2)), np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match="shape of the forward input"):
        batchnorm_backward(np.ones((3, 3)), cache)
    with pytest.raises(TypeError, match="BatchNormCache"):
        batchnorm_backward(np.ones((3, 2)), {"x_hat": 1})
    assert isinstance(cache, BatchNormCache)


def test_packaged_finite_differences_agree_with_the_test_helper_and_backward():
    x, gamma, beta, dy = make((4, 2, 3), 5)
    fd = finite_difference_gradients(x, gamma, beta, dy)
    _, cache = batchnorm_forward(x, gamma, beta)
    for ours, numeric in zip(batchnorm_backward(dy, cache), fd):
        np.testing.assert_allclose(ours, numeric, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fd[0], numeric_grad(lambda: loss(x, gamma, beta, dy), x), rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="shape of x"):
        finite_difference_gradients(x, gamma, beta, dy[:2])
