"""nnbook.conv.pool2d and pool2d_grad_input against naive loops and PyTorch (values and autograd)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.conv import output_size, pool2d, pool2d_grad_input


def naive_pool(x, k, s, p, mode):
    """Pooling by the definition, one loop per output (x is (C, H, W))."""
    c, h, w = x.shape
    fill = -np.inf if mode == "max" else 0.0
    xp = np.full((c, h + 2 * p[0], w + 2 * p[1]), fill)
    xp[:, p[0] : p[0] + h, p[1] : p[1] + w] = x
    ho = (xp.shape[1] - k[0]) // s[0] + 1
    wo = (xp.shape[2] - k[1]) // s[1] + 1
    out = np.zeros((c, ho, wo))
    for ch in range(c):
        for i in range(ho):
            for j in range(wo):
                win = xp[ch, i * s[0] : i * s[0] + k[0], j * s[1] : j * s[1] + k[1]]
                out[ch, i, j] = win.max() if mode == "max" else win.sum() / win.size
    return out


@st.composite
def pool_cases(draw, max_size=9):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = None if draw(st.booleans()) else (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    stride = k if s is None else s
    h = draw(st.integers(max(1, k[0] - 2 * p[0]), max_size))
    w = draw(st.integers(max(1, k[1] - 2 * p[1]), max_size))
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    ints = draw(st.booleans())  # small integers make ties, where max pooling must pick like PyTorch
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, (n, c, h, w)).astype(float) if ints else rng.standard_normal((n, c, h, w))
    g = rng.standard_normal((n, c, output_size(h, k[0], stride[0], p[0]), output_size(w, k[1], stride[1], p[1])))
    return x, g, k, s, p


def test_small_examples_by_hand():
    x = np.arange(16.0).reshape(4, 4)
    assert pool2d(x, 2).tolist() == [[5, 7], [13, 15]]
    assert pool2d(x, 2, mode="avg").tolist() == [[2.5, 4.5], [10.5, 12.5]]
    assert pool2d(x, 3, stride=1).shape == (2, 2)
    assert pool2d(x, (4, 4), mode="avg").tolist() == [[7.5]]  # global average pooling
    # padded average counts the zeros: the corner window holds one input cell of four
    assert pool2d(np.ones((2, 2)), 2, stride=1, padding=1, mode="avg")[0, 0] == 0.25
    assert pool2d(-np.ones((2, 2)), 2, stride=1, padding=1)[0, 0] == -1  # -inf padding never wins


@settings(max_examples=60, deadline=None)
@given(pool_cases(), st.sampled_from(["max", "avg"]))
def test_pool_matches_naive_loop(case, mode):
    x, _, k, s, p = case
    stride = k if s is None else s
    np.testing.assert_allclose(pool2d(x[0], k, s, p, mode), naive_pool(x[0], k, stride, p, mode), atol=1e-12)


@settings(max_examples=80, deadline=None)
@given(pool_cases(), st.sampled_from(["max", "avg"]))
def test_pool_and_its_gradient_match_torch(torch, case, mode):
    x, g, k, s, p = case
    tx = torch.tensor(x, requires_grad=True)
    f = torch.nn.functional.max_pool2d if mode == "max" else torch.nn.functional.avg_pool2d
    out = f(tx, k, s, p)
    out.backward(torch.from_numpy(g))
    np.testing.assert_allclose(pool2d(x, k, s, p, mode), out.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(pool2d_grad_input(x, g, k, s, p, mode), tx.grad.numpy(), atol=1e-12)


def test_gradient_is_a_vector_jacobian_product():
    """<g, pool(x + h e)> changes by h * grad[e]: finite differences on random inputs."""
    rng = np.random.default_rng(3)
    x, g = rng.standard_normal((5, 6)), rng.standard_normal((3, 3))
    for mode in ("max", "avg"):
        grad = pool2d_grad_input(x, g, 3, stride=2, padding=1, mode=mode)
        h = 1e-6
        for idx in np.ndindex(x.shape):
            e = np.zeros_like(x)
            e[idx] = h
            diff = (np.sum(g * pool2d(x + e, 3, 2, 1, mode)) - np.sum(g * pool2d(x - e, 3, 2, 1, mode))) / (2 * h)
            assert abs(diff - grad[idx]) < 1e-6


def test_max_routes_to_the_winner_and_avg_spreads():
    x = np.array([[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 9.0, 8.0]])
    assert pool2d_grad_input(x, [[1.0, 1.0]], 2).tolist() == [[0, 1, 0, 0], [0, 0, 1, 0]]
    assert pool2d_grad_input(x, [[4.0, 8.0]], 2, mode="avg").tolist() == [[1, 1, 2, 2], [1, 1, 2, 2]]
    # overlapping windows: the shared winner collects both gradients
    assert pool2d_grad_input([[0.0, 9.0, 0.0]], [[1.0, 2.0]], (1, 2), stride=1).tolist() == [[0, 3, 0]]


def test_shapes_follow_the_input_rank():
    assert pool2d(np.zeros((3, 8, 8)), 2).shape == (3, 4, 4)
    assert pool2d(np.zeros((2, 3, 8, 8)), 2).shape == (2, 3, 4, 4)
    assert pool2d_grad_input(np.zeros((3, 8, 8)), np.ones((3, 4, 4)), 2).shape == (3, 8, 8)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: pool2d(np.ones((3, 3)), 4), "does not fit"),
        (lambda: pool2d(np.ones((4, 4)), 2, padding=2), "at most half the kernel size"),
        (lambda: pool2d(np.ones((4, 4)), 3, padding=(1, 2)), "along the width"),
        (lambda: pool2d(np.ones((4, 4)), 2, mode="median"), "mode must be one of"),
        (lambda: pool2d(np.ones((4, 4)), 0), "kernel_size must be an integer >= 1"),
        (lambda: pool2d([[1.0, np.nan]], 1), "x must contain only finite numbers"),
        (lambda: pool2d_grad_input(np.ones((4, 4)), np.ones((3, 3)), 2), "pooled output's shape"),
        (lambda: pool2d_grad_input(np.ones((4, 4)), np.full((2, 2), np.inf), 2), "grad_output must contain only finite"),
    ],
)
def test_bad_arguments_name_the_rule(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_torch_refuses_what_we_refuse(torch):
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        torch.nn.functional.max_pool2d(torch.ones(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(ValueError):
        pool2d(np.ones((1, 1, 4, 4)), 2, padding=2)
