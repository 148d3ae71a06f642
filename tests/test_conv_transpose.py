"""Grouped convolution, conv2d_matrix and conv_transpose2d against PyTorch and against each other."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.conv import (
    conv2d,
    conv2d_grad_input,
    conv2d_grad_weight,
    conv2d_layer_counts,
    conv2d_matrix,
    conv_transpose2d,
    output_size,
    transposed_output_size,
)

RNG = np.random.default_rng(0)


# -- groups -----------------------------------------------------------------------------------
@st.composite
def grouped_cases(draw):
    groups = draw(st.integers(1, 4))
    ci, co = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    k = draw(st.integers(1, 3))
    s, p, d = draw(st.integers(1, 3)), draw(st.integers(0, 2)), draw(st.integers(1, 2))
    h = draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((draw(st.integers(1, 2)), ci, h, h + 1))
    w = rng.standard_normal((co, ci // groups, k, k))
    return x, w, s, p, d, groups


@settings(max_examples=60, deadline=None)
@given(grouped_cases())
def test_grouped_conv_and_gradients_match_torch(torch, case):
    x, w, s, p, d, groups = case
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    out = torch.nn.functional.conv2d(tx, tw, stride=s, padding=p, dilation=d, groups=groups)
    g = np.random.default_rng(1).standard_normal(tuple(out.shape))
    out.backward(torch.from_numpy(g))
    np.testing.assert_allclose(conv2d(x, w, stride=s, padding=p, dilation=d, groups=groups), out.detach(), atol=1e-10)
    np.testing.assert_allclose(conv2d_grad_input(x.shape, w, g, s, p, d, groups), tx.grad, atol=1e-10)
    np.testing.assert_allclose(conv2d_grad_weight(x, w.shape, g, s, p, d, groups), tw.grad, atol=1e-10)


def test_depthwise_is_one_kernel_per_channel():
    x, w = RNG.standard_normal((3, 6, 6)), RNG.standard_normal((3, 1, 3, 3))
    out = conv2d(x, w, groups=3)
    for c in range(3):
        np.testing.assert_allclose(out[c], conv2d(x[c], w[c, 0]))


def test_depthwise_separable_counts():
    dense = conv2d_layer_counts((32, 56, 56), 64, 3, padding=1)
    depthwise = conv2d_layer_counts((32, 56, 56), 32, 3, padding=1, groups=32, bias=False)
    pointwise = conv2d_layer_counts((32, 56, 56), 64, 1, bias=False)
    assert dense.weights == 9 * 32 * 64 and depthwise.weights == 9 * 32 and pointwise.weights == 32 * 64
    ratio = (depthwise.multiplications + pointwise.multiplications) / dense.multiplications
    assert ratio == pytest.approx(1 / 64 + 1 / 9)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: conv2d(np.ones((4, 5, 5)), np.ones((6, 2, 3, 3)), groups=3), "groups must divide"),
        (lambda: conv2d(np.ones((6, 5, 5)), np.ones((4, 2, 3, 3)), groups=3), "groups must divide"),
        (lambda: conv2d(np.ones((6, 5, 5)), np.ones((6, 3, 3, 3)), groups=3), "per group"),
        (lambda: conv2d(np.ones((5, 5)), np.ones((3, 3)), groups=2), "groups must be 1"),
        (lambda: conv2d_layer_counts((4, 5, 5), 6, 3, groups=4), "groups must divide"),
    ],
)
def test_bad_groups_name_the_rule(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- the convolution matrix -------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2), st.integers(1, 2),
       st.integers(0, 2**32 - 1))
def test_matrix_times_input_is_conv_and_its_transpose_is_the_input_gradient(k, s, p, d, channels, seed):
    rng = np.random.default_rng(seed)
    shape = (channels, 6, 5)
    if d * (k - 1) + 1 > 5 + 2 * p:
        return
    w = rng.standard_normal((2, channels, k, k))
    c = conv2d_matrix(shape, w, stride=s, padding=p, dilation=d)
    x = rng.standard_normal(shape)
    z = conv2d(x, w, stride=s, padding=p, dilation=d)
    assert c.shape == (z.size, x.size)
    np.testing.assert_allclose(c @ x.ravel(), z.ravel(), atol=1e-12)
    g = rng.standard_normal(z.shape)
    np.testing.assert_allclose(c.T @ g.ravel(), conv2d_grad_input(shape, w, g, s, p, d).ravel(), atol=1e-12)


def test_the_book_s_1d_example_as_a_matrix():
    c = conv2d_matrix((1, 4), [[1.0, 0.0, 2.0]])
    assert c.tolist() == [[1, 0, 2, 0], [0, 1, 0, 2]]
    assert (c @ [1, 2, 3, 4]).tolist() == [7, 10]


def test_matrix_size_is_bounded():
    with pytest.raises(ValueError, match="MAX_MATRIX_INPUTS"):
        conv2d_matrix((100, 100), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"\(C_in, H, W\)"):
        conv2d_matrix((4, 4), np.ones((1, 1, 3, 3)))


# -- transposed convolution -------------------------------------------------------------------
GRID = list(itertools.product([1, 2, 3], [0, 1, 2], [0, 1, 2], [1, 2], [1, 2, 3]))  # s, p, op, d, k


@pytest.mark.parametrize("s, p, op, d, k", GRID)
def test_conv_transpose_matches_torch_on_a_grid(torch, s, p, op, d, k):
    rng = np.random.default_rng(s * 1000 + p * 100 + op * 10 + d + 7 * k)
    x, w = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((3, 2, k, k))
    try:
        theirs = torch.nn.functional.conv_transpose2d(
            torch.from_numpy(x), torch.from_numpy(w), stride=s, padding=p, output_padding=op, dilation=d
        ).numpy()
    except RuntimeError:
        with pytest.raises(ValueError):
            conv_transpose2d(x, w, stride=s, padding=p, output_padding=op, dilation=d)
        return
    ours = conv_transpose2d(x, w, stride=s, padding=p, output_padding=op, dilation=d)
    assert ours.shape == theirs.shape == (2, 2, transposed_output_size(4, k, s, p, op, d),
                                          transposed_output_size(5, k, s, p, op, d))
    np.testing.assert_allclose(ours, theirs, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_grouped_and_rectangular_transpose_matches_torch(torch, groups, k, s, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((1, 2 * groups, 3, 4)), rng.standard_normal((2 * groups, 3, k, k + 1))
    theirs = torch.nn.functional.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w), stride=(s, 1),
                                                  padding=(0, 1 if k >= 1 else 0), groups=groups).numpy()
    ours = conv_transpose2d(x, w, stride=(s, 1), padding=(0, 1), groups=groups)
    np.testing.assert_allclose(ours, theirs, atol=1e-10)


def test_transpose_is_the_matrix_transpose_and_the_input_gradient():
    rng = np.random.default_rng(5)
    w = rng.standard_normal((3, 3))
    for n, s, p in [(5, 2, 1), (6, 2, 1), (7, 3, 0)]:  # n=6: (6 + 2 - 3) % 2 != 0, relationship 14's odd case
        out = output_size(n, 3, s, p)
        g = rng.standard_normal((out, out))
        op = (n + 2 * p - 3) % s
        y = conv_transpose2d(g, w, stride=s, padding=p, output_padding=op)
        assert y.shape == (n, n)
        np.testing.assert_allclose(y.ravel(), conv2d_matrix((n, n), w, s, p).T @ g.ravel(), atol=1e-12)
        np.testing.assert_allclose(y, conv2d_grad_input((n, n), w, g, s, p), atol=1e-12)


def test_dumoulin_visin_relationship_14():
    """i=6, k=3, s=2, p=1: o = 3; the transpose needs a = (i + 2p - k) mod s = 1 extra row."""
    assert output_size(6, 3, 2, 1) == output_size(5, 3, 2, 1) == 3
    assert transposed_output_size(3, 3, 2, 1, output_padding=1) == 6
    assert conv_transpose2d(np.ones((3, 3)), np.ones((3, 3)), stride=2, padding=1, output_padding=1).shape == (6, 6)


def test_output_padding_at_least_stride_uses_dilation_rows_of_zeros(torch):
    x, w = np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2))
    theirs = torch.nn.functional.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w), stride=1,
                                                  output_padding=2, dilation=3).numpy()
    np.testing.assert_allclose(conv_transpose2d(x, w, stride=1, output_padding=2, dilation=3), theirs)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: conv_transpose2d(np.ones((3, 3)), np.ones((2, 2)), stride=2, output_padding=2),
         "output_padding must be smaller"),
        (lambda: conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)), padding=3), "removes the whole output"),
        (lambda: conv_transpose2d(np.ones((2, 3, 3)), np.ones((3, 1, 2, 2))), "channel mismatch"),
        (lambda: conv_transpose2d(np.ones((4, 3, 3)), np.ones((4, 1, 2, 2)), groups=3), "groups must divide"),
        (lambda: conv_transpose2d([[np.nan]], [[1.0]]), "x must contain only finite"),
    ],
)
def test_transpose_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
