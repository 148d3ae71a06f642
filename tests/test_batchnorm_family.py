"""Layer norm and group norm (forward and backward) against PyTorch and finite differences;
which axes each normalization pools; BN's parameter and buffer counts, its scale invariance
and the redundant bias; and the reliability defects of nnbook.batchnorm (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnbook.batchnorm import (
    BatchNorm,
    batchnorm_backward,
    batchnorm_forward,
    group_norm_backward,
    group_norm_forward,
    layer_norm_backward,
    layer_norm_forward,
    normalized_axes,
    parameter_counts,
)
from nnbook.gradcheck import numerical_gradient


@pytest.mark.parametrize(
    "shape, normalized",
    [((4, 6), (6,)), ((2, 3, 5), (5,)), ((2, 3, 4, 4), (3, 4, 4)), ((1, 7), (7,)), ((3, 2, 5), (2, 5))],
)
@pytest.mark.parametrize("affine", [False, True])
def test_layer_norm_matches_torch(torch, shape, normalized, affine):
    rng = np.random.default_rng(len(shape))
    x, dy = rng.normal(2.0, 3.0, size=shape), rng.normal(size=shape)
    w = rng.normal(size=normalized) if affine else None
    b = rng.normal(size=normalized) if affine else None
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True) if affine else None
    tb = torch.tensor(b, requires_grad=True) if affine else None
    ty = torch.nn.functional.layer_norm(tx, normalized, tw, tb, eps=1e-5)
    ty.backward(torch.tensor(dy))
    y, cache = layer_norm_forward(x, normalized, w, b)
    dx, dw, db = layer_norm_backward(dy, cache)
    assert np.allclose(y, ty.detach().numpy(), atol=1e-13)
    assert np.allclose(dx, tx.grad.numpy(), atol=1e-12)
    if affine:
        assert np.allclose(dw, tw.grad.numpy(), atol=1e-12) and np.allclose(db, tb.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("shape, groups", [((2, 4, 3), 2), ((3, 6, 2, 2), 3), ((1, 4, 5), 1), ((2, 4, 3, 3), 4), ((2, 8), 4)])
def test_group_norm_matches_torch(torch, shape, groups):
    rng = np.random.default_rng(sum(shape))
    x, dy = rng.normal(-1.0, 2.0, size=shape), rng.normal(size=shape)
    w, b = rng.normal(size=shape[1]), rng.normal(size=shape[1])
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.group_norm(tx, groups, tw, tb, eps=1e-5)
    ty.backward(torch.tensor(dy))
    y, cache = group_norm_forward(x, groups, w, b)
    dx, dw, db = group_norm_backward(dy, cache)
    assert np.allclose(y, ty.detach().numpy(), atol=1e-13)
    assert np.allclose(dx, tx.grad.numpy(), atol=1e-12)
    assert np.allclose(dw, tw.grad.numpy(), atol=1e-12) and np.allclose(db, tb.grad.numpy(), atol=1e-12)


def test_instance_norm_is_group_norm_with_one_channel_per_group(torch):
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 4))
    ref = torch.nn.functional.instance_norm(torch.tensor(x), eps=1e-5).numpy()
    assert np.allclose(group_norm_forward(x, 3)[0], ref, atol=1e-13)


@given(
    n=st.integers(1, 4), c=st.sampled_from([2, 4, 6]), length=st.integers(1, 5),
    scale=st.floats(0.01, 1e3), shift=st.floats(-1e3, 1e3),
)
def test_layer_and_group_norm_properties(n, c, length, scale, shift):
    x = np.random.default_rng(n * c + length).normal(size=(n, c, length)) * scale + shift
    y, _ = layer_norm_forward(x, (c, length))
    if c * length > 1:
        assert np.allclose(y.mean(axis=(1, 2)), 0, atol=1e-9)
    yg, _ = group_norm_forward(x, 1)
    assert np.allclose(yg, y, atol=1e-12)  # one group = layer norm over (C, L)
    # per example: the result never depends on the rest of the batch
    assert np.allclose(layer_norm_forward(x[:1], (c, length))[0], y[:1], atol=1e-12)


def test_layer_norm_backward_against_finite_differences():
    rng = np.random.default_rng(4)
    x, dy, w = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=4)
    _, cache = layer_norm_forward(x, 4, w)
    dx = layer_norm_backward(dy, cache)[0]
    numeric = numerical_gradient(lambda v: float(np.sum(layer_norm_forward(v, 4, w)[0] * dy)), x)
    assert np.allclose(dx, numeric, atol=1e-7)


def test_which_axes_each_normalization_pools():
    shape = (32, 64, 28, 28)
    assert normalized_axes("batch", shape) == (64, 32 * 28 * 28)
    assert normalized_axes("layer", shape) == (32, 64 * 28 * 28)
    assert normalized_axes("instance", shape) == (32 * 64, 28 * 28)
    assert normalized_axes("group", shape, num_groups=32) == (32 * 32, 2 * 28 * 28)
    assert normalized_axes("batch", (1, 10)) == (10, 1)  # a batch of one: one value per statistic
    with pytest.raises(ValueError, match="divide"):
        normalized_axes("group", shape, num_groups=5)
    with pytest.raises(ValueError, match="kind"):
        normalized_axes("weight", shape)


@pytest.mark.parametrize("c", [1, 16, 64])
def test_parameter_and_buffer_counts_match_torch(torch, c):
    bn = torch.nn.BatchNorm2d(c)
    learnable = sum(p.numel() for p in bn.parameters())
    buffers = sum(b.numel() for b in bn.buffers())
    assert parameter_counts(c) == (learnable, buffers)


def test_batch_statistics_break_at_batch_size_one_but_layer_norm_does_not():
    with pytest.raises(ValueError, match="more than one value"):
        batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3))
    y, _ = layer_norm_forward(np.array([[1.0, 2.0, 4.0]]), 3)
    assert np.isfinite(y).all() and abs(y.mean()) < 1e-12


def test_scale_invariance_and_redundant_bias():
    rng = np.random.default_rng(5)
    x, w, bias, dy = rng.normal(size=(16, 8)), rng.normal(size=(8, 4)), rng.normal(size=4), rng.normal(size=(16, 4))
    ones, zeros = np.ones(4), np.zeros(4)
    y, cache = batchnorm_forward(x @ w, ones, zeros)
    assert np.allclose(batchnorm_forward(x @ (10 * w), ones, zeros, eps=1e-12)[0], batchnorm_forward(x @ w, ones, zeros, eps=1e-12)[0])
    assert np.allclose(batchnorm_forward(x @ w + bias, ones, zeros)[0], y)  # the bias is removed by the mean
    dz = batchnorm_backward(dy, cache)[0]
    _, cache10 = batchnorm_forward(x @ (10 * w), ones, zeros, eps=1e-12)
    _, cache1 = batchnorm_forward(x @ w, ones, zeros, eps=1e-12)
    g1 = x.T @ batchnorm_backward(dy, cache1)[0]
    g10 = x.T @ batchnorm_backward(dy, cache10)[0] * 10  # dL/dW with W scaled by 10: chain rule through 10 W
    assert np.allclose(g10 / 10, g1 / 10) and np.isfinite(dz).all()
    assert np.allclose(x.T @ batchnorm_backward(dy, cache10)[0], g1 / 10)  # gradient shrinks like 1 / scale


# -- reliability (issue 15) -------------------------------------------------------------------------
def test_large_finite_inputs_give_the_right_answer_not_nan():
    y, _ = batchnorm_forward([[1e308], [1e308]], [1.0], [0.0])
    assert y.ravel().tolist() == [0.0, 0.0]
    y, _ = batchnorm_forward([[1e200], [-1e200]], [1.0], [0.0])
    assert np.allclose(y.ravel(), [1.0, -1.0])
    y, _ = batchnorm_forward(np.array([[3e307], [-1e308], [5e307]]), [1.0], [0.0])
    ref = batchnorm_forward(np.array([[3.0], [-10.0], [5.0]]), [1.0], [0.0])[0]
    assert np.allclose(y, ref)
    y, _ = layer_norm_forward([[1e300, -1e300]], 2)
    assert np.allclose(y, [[1.0, -1.0]])


def test_scaling_changes_nothing_for_ordinary_inputs():
    x = np.random.default_rng(0).normal(size=(6, 3))
    mean, var = x.mean(axis=0), x.var(axis=0)
    y, cache = batchnorm_forward(x, np.ones(3), np.zeros(3))
    assert np.array_equal(y, (x - mean) * (1 / np.sqrt(var + 1e-5)))


def test_running_statistics_that_would_overflow_are_refused():
    bn = BatchNorm(1)
    with pytest.raises(ValueError, match="overflows"):
        bn([[1e308], [-1e308]])
    assert np.isfinite(bn.running_var).all() and bn.running_var.tolist() == [1.0]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: batchnorm_forward([[1.0], [2.0]], [np.nan], [0.0]), "gamma must contain only finite"),
        (lambda: batchnorm_forward([[1.0], [2.0]], [1.0], [np.inf]), "beta must contain only finite"),
        (lambda: batchnorm_forward([[1.0], [np.nan]], [1.0], [0.0]), "x must contain only finite"),
        (lambda: batchnorm_forward([[1.0], [2.0]], [1e308], [1e308]), "overflows"),
        (lambda: batchnorm_forward([[1.0], [2.0]], [1.0], [0.0], eps=10**400), "too large"),
        (lambda: BatchNorm(10**12), "at most 1,000,000"),
        (lambda: BatchNorm(2, momentum=10**400), "too large"),
        (lambda: layer_norm_forward([[1.0, 2.0]], 3), "last dimensions"),
        (lambda: layer_norm_forward([[1.0, np.nan]], 2), "finite"),
        (lambda: group_norm_forward(np.ones((2, 3, 2)), 2), "divide"),
        (lambda: group_norm_forward(np.ones((2, 4)), 2, weight=np.ones(3)), "shape"),
    ],
)
def test_bad_arguments_are_plain_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_eval_mode_output_that_would_overflow_is_refused():
    bn = BatchNorm(1)
    bn([[0.0], [1.0]])
    bn.eval()
    bn.weight = np.array([1e308])
    with pytest.raises(ValueError, match="overflows"):
        bn([[1e10]])
