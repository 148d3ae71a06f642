"""nnbook.conv: convolution modes, conv2d and its gradients against numpy, naive loops and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.conv import (
    conv1d,
    conv2d,
    conv2d_grad_input,
    conv2d_grad_weight,
    conv2d_layer_counts,
    extremes,
    hwc_to_chw,
    hwio_to_oihw,
    influence_counts,
    influenced_outputs,
    locate,
    output_size,
    padding_for_mode,
    transposed_output_size,
    window_taps,
)

# -- oracles ------------------------------------------------------------------------------


def naive_conv2d(x, w, stride, pads, dilation):
    """Cross-correlation by the definition: one explicit loop per output value."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    top, bottom, left, right = pads
    xp = np.zeros((n, c, h + top + bottom, wd + left + right))
    xp[:, :, top : top + h, left : left + wd] = x
    ho = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    wo = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, ho, wo))
    for b in range(n):
        for m in range(o):
            for i in range(ho):
                for j in range(wo):
                    total = 0.0
                    for ch in range(c):
                        for a in range(kh):
                            for e in range(kw):
                                total += w[m, ch, a, e] * xp[b, ch, i * sh + a * dh, j * sw + e * dw]
                    out[b, m, i, j] = total
    return out


def naive_conv1d_full(x, w):
    out = np.zeros(len(x) + len(w) - 1)
    for i, xv in enumerate(x):
        for j, wv in enumerate(w):
            out[i + j] += xv * wv
    return out


small_floats = st.floats(-10, 10, allow_nan=False, width=32)
vectors = st.lists(small_floats, min_size=1, max_size=25)


@st.composite
def conv_cases(draw, max_batch=2, max_channels=3, max_size=11):
    n = draw(st.integers(1, max_batch))
    c = draw(st.integers(1, max_channels))
    o = draw(st.integers(1, max_channels))
    h, w = draw(st.integers(1, max_size)), draw(st.integers(1, max_size))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, size=(n, c, h, w)).astype(float)
    k = rng.integers(-3, 4, size=(o, c, kh, kw)).astype(float)
    return x, k, stride, padding, dilation


def fits(x, w, stride, padding, dilation):
    return all(
        dilation[a] * (w.shape[2 + a] - 1) + 1 <= x.shape[2 + a] + 2 * padding[a] for a in range(2)
    )


# -- conv1d -------------------------------------------------------------------------------


@given(vectors, vectors, st.sampled_from(["full", "valid", "same"]))
def test_conv1d_is_np_convolve(x, w, mode):
    x, w = np.array(x), np.array(w)
    np.testing.assert_allclose(conv1d(x, w, mode), np.convolve(x, w, mode), atol=1e-9)
    np.testing.assert_allclose(conv1d(x, w, mode, flip=False), np.convolve(x, w[::-1], mode), atol=1e-9)


@given(vectors, vectors)
def test_conv1d_full_matches_naive_loop(x, w):
    np.testing.assert_allclose(conv1d(x, w, "full"), naive_conv1d_full(x, w), atol=1e-9)


def test_conv1d_seed_example():
    x, w = [1, 2, 3, 4], [1, 0, 2]
    assert conv1d(x, w, "full").tolist() == [1, 2, 5, 8, 6, 8]
    assert conv1d(x, w, "valid").tolist() == [5, 8]
    assert conv1d(x, w, "same").tolist() == [2, 5, 8, 6]
    assert conv1d(x, w, "valid", flip=False).tolist() == [7, 10]


def test_conv1d_keeps_float32_and_defaults_to_float64():
    assert conv1d(np.ones(4, np.float32), np.ones(2, np.float32)).dtype == np.float32
    assert conv1d([1, 2, 3], [1, 1]).dtype == np.float64
    assert conv1d(np.ones(4, np.float32), np.ones(2)).dtype == np.float64


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (([1, 2], [1]), dict(mode="wide"), ValueError, "mode must be one of"),
        (([1, 2], [1]), dict(flip="yes"), TypeError, "flip must be True or False"),
        (([], [1]), {}, ValueError, "x must not be empty"),
        (([[1, 2]], [1]), {}, ValueError, "x must have 1 dimension"),
        ((["a"], [1]), {}, TypeError, "x must contain numbers"),
        (([1, 2], [1j]), {}, TypeError, "w must be real"),
    ],
)
def test_conv1d_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        conv1d(*args, **kwargs)


# -- conv2d -------------------------------------------------------------------------------


@settings(max_examples=60)
@given(conv_cases(max_batch=2, max_channels=2, max_size=8))
def test_conv2d_matches_naive_loop(case):
    x, w, stride, padding, dilation = case
    if not fits(x, w, stride, padding, dilation):
        with pytest.raises(ValueError, match="does not fit"):
            conv2d(x, w, stride=stride, padding=padding, dilation=dilation)
        return
    pads = (padding[0], padding[0], padding[1], padding[1])
    expected = naive_conv2d(x, w, stride, pads, dilation)
    np.testing.assert_allclose(conv2d(x, w, stride=stride, padding=padding, dilation=dilation), expected, atol=1e-9)


@given(conv_cases(max_batch=3, max_channels=4, max_size=14), st.booleans())
def test_conv2d_matches_torch(torch, case, with_bias):
    x, w, stride, padding, dilation = case
    if not fits(x, w, stride, padding, dilation):
        return
    bias = np.arange(w.shape[0], dtype=float) - 1.5 if with_bias else None
    ours = conv2d(x, w, bias, stride=stride, padding=padding, dilation=dilation)
    theirs = torch.nn.functional.conv2d(
        torch.from_numpy(x), torch.from_numpy(w), None if bias is None else torch.from_numpy(bias),
        stride=stride, padding=padding, dilation=dilation,
    ).numpy()
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-9)


@settings(max_examples=50)
@given(conv_cases(max_batch=2, max_channels=3, max_size=12))
def test_same_padding_matches_torch(torch, case):
    x, w, _, _, dilation = case  # "same" padding always fits: it pads d*(k-1) in total
    ours = conv2d(x, w, padding="same", dilation=dilation)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch warns about its own extra copy for even kernels
        theirs = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding="same",
                                            dilation=dilation).numpy()
    assert ours.shape == theirs.shape == x.shape[:1] + (w.shape[0],) + x.shape[2:]
    np.testing.assert_allclose(ours, theirs, atol=1e-9)


@settings(max_examples=50)
@given(conv_cases(max_batch=2, max_channels=2, max_size=9))
def test_full_padding_is_padding_d_times_k_minus_1(case):
    x, w, stride, _, dilation = case
    pads = (dilation[0] * (w.shape[2] - 1), dilation[1] * (w.shape[3] - 1))
    np.testing.assert_allclose(
        conv2d(x, w, stride=stride, padding="full", dilation=dilation),
        conv2d(x, w, stride=stride, padding=pads, dilation=dilation),
    )


@given(conv_cases(max_batch=2, max_channels=3, max_size=12))
def test_output_shape_is_output_size(case):
    x, w, stride, padding, dilation = case
    if not fits(x, w, stride, padding, dilation):
        return
    out = conv2d(x, w, stride=stride, padding=padding, dilation=dilation)
    expected = tuple(output_size(x.shape[2 + a], w.shape[2 + a], stride[a], padding[a], dilation[a]) for a in (0, 1))
    assert out.shape == (x.shape[0], w.shape[0]) + expected


def test_conv2d_accepts_2d_and_3d_layouts():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 7, 6))
    w = rng.standard_normal((5, 3, 3, 2))
    batch = conv2d(x[None], w, stride=2)
    np.testing.assert_allclose(conv2d(x, w, stride=2), batch[0])
    single = conv2d(x[0], w[0, 0], bias=0.5)
    np.testing.assert_allclose(single, conv2d(x[:1], w[:1, :1], bias=[0.5])[0])
    assert single.shape == (5, 5)


def test_conv2d_dtypes():
    x32, w32 = np.ones((1, 1, 5, 5), np.float32), np.ones((1, 1, 2, 2), np.float32)
    assert conv2d(x32, w32, stride=2).dtype == np.float32
    assert conv2d(x32, np.ones((1, 1, 2, 2)), stride=2).dtype == np.float64
    assert conv2d(np.ones((5, 5), int), np.ones((2, 2), int)).dtype == np.float64


def test_conv2d_large_strided_case_matches_naive_einsum():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 84, 84))
    w = rng.standard_normal((3, 4, 8, 8))
    win = np.lib.stride_tricks.sliding_window_view(x, (8, 8), axis=(2, 3))[:, :, ::4, ::4]
    expected = np.einsum("ncijab,ocab->noij", win, w)
    np.testing.assert_allclose(conv2d(x, w, stride=4), expected, atol=1e-9)


@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs, error, match",
    [
        ((3, 5, 5), (2, 4, 3, 3), {}, ValueError, r"channel mismatch: x of shape \(3, 5, 5\).*\(2, 4, 3, 3\)"),
        ((5, 5), (1, 1, 3, 3), {}, ValueError, r"2-D input of shape \(5, 5\) needs a 2-D kernel"),
        ((1, 5, 5), (3, 3), {}, ValueError, r"needs a kernel of shape \(C_out, C_in, kh, kw\)"),
        ((5,), (3,), {}, ValueError, "x must have 2 or 3 or 4 dimension"),
        ((1, 1, 2, 2), (1, 1, 3, 3), {}, ValueError, "along the height: the kernel does not fit"),
        ((1, 1, 5, 5), (1, 1, 3, 3), dict(stride=0), ValueError, "stride must be an integer >= 1"),
        ((1, 1, 5, 5), (1, 1, 3, 3), dict(stride=1.5), TypeError, "stride must be an integer"),
        ((1, 1, 5, 5), (1, 1, 3, 3), dict(stride=(1, 2, 3)), ValueError, "stride must be an int or a pair"),
        ((1, 1, 5, 5), (1, 1, 3, 3), dict(padding=-1), ValueError, "padding must be an integer >= 0"),
        ((1, 1, 5, 5), (1, 1, 3, 3), dict(padding="half"), ValueError, "padding must be one of"),
        ((1, 1, 5, 5), (1, 1, 3, 3), dict(padding="same", stride=2), ValueError, "needs stride 1"),
        ((1, 1, 5, 5), (1, 1, 3, 3), dict(dilation=True), TypeError, "dilation must be an integer"),
        ((1, 1, 5, 5), (2, 1, 3, 3), dict(bias=[1, 2, 3]), ValueError, r"bias must have shape \(2,\)"),
    ],
)
def test_conv2d_bad_arguments(x_shape, w_shape, kwargs, error, match):
    with pytest.raises(error, match=match):
        conv2d(np.ones(x_shape), np.ones(w_shape), **kwargs)


@given(
    st.one_of(st.none(), st.booleans(), st.floats(), st.text(max_size=3), st.integers(-3, 0), st.just((1,)))
)
def test_conv2d_invalid_stride_dilation_always_clear_errors(bad):
    for name in ("stride", "dilation"):
        with pytest.raises((TypeError, ValueError)):
            conv2d(np.ones((6, 6)), np.ones((2, 2)), **{name: bad})


def test_conv2d_rejects_non_numeric_arrays():
    with pytest.raises(TypeError, match="x must contain numbers"):
        conv2d([["a", "b"], ["c", "d"]], np.ones((1, 1)))
    with pytest.raises(ValueError, match="w must not be empty"):
        conv2d(np.ones((3, 3)), np.ones((0, 2)))


# -- gradients ------------------------------------------------------------------------------


def numeric_gradients(x, w, g, stride, padding, dilation, eps=1e-3):
    """Central differences of J = sum(g * conv2d(x, w)) (exact up to rounding: J is linear)."""

    def loss(xv, wv):
        return float(np.sum(g * conv2d(xv, wv, stride=stride, padding=padding, dilation=dilation)))

    gx, gw = np.zeros_like(x), np.zeros_like(w)
    for arr, grad, which in ((x, gx, 0), (w, gw, 1)):
        for idx in np.ndindex(arr.shape):
            plus, minus = arr.copy(), arr.copy()
            plus[idx] += eps
            minus[idx] -= eps
            args_p = (plus, w) if which == 0 else (x, plus)
            args_m = (minus, w) if which == 0 else (x, minus)
            grad[idx] = (loss(*args_p) - loss(*args_m)) / (2 * eps)
    return gx, gw


@settings(max_examples=30)
@given(conv_cases(max_batch=2, max_channels=2, max_size=6))
def test_gradients_match_finite_differences(case):
    x, w, stride, padding, dilation = case
    if not fits(x, w, stride, padding, dilation):
        return
    z = conv2d(x, w, stride=stride, padding=padding, dilation=dilation)
    g = np.random.default_rng(0).standard_normal(z.shape)
    num_x, num_w = numeric_gradients(x, w, g, stride, padding, dilation)
    np.testing.assert_allclose(conv2d_grad_input(x.shape, w, g, stride, padding, dilation), num_x, atol=1e-6)
    np.testing.assert_allclose(conv2d_grad_weight(x, w.shape, g, stride, padding, dilation), num_w, atol=1e-6)


@settings(max_examples=50)
@given(conv_cases(max_batch=3, max_channels=3, max_size=13))
def test_gradients_match_torch_autograd(torch, case):
    x, w, stride, padding, dilation = case
    if not fits(x, w, stride, padding, dilation):
        return
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    z = torch.nn.functional.conv2d(xt, wt, stride=stride, padding=padding, dilation=dilation)
    g = torch.randn(z.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    z.backward(g)
    gi = conv2d_grad_input(x.shape, w, g.numpy(), stride, padding, dilation)
    gw = conv2d_grad_weight(x, w.shape, g.numpy(), stride, padding, dilation)
    np.testing.assert_allclose(gi, xt.grad.numpy(), atol=1e-9)
    np.testing.assert_allclose(gw, wt.grad.numpy(), atol=1e-9)


def test_gradients_with_same_padding_and_2d_layout(torch):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((6, 7)), rng.standard_normal((2, 4))
    xt, wt = torch.tensor(x[None, None], requires_grad=True), torch.tensor(w[None, None], requires_grad=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        z = torch.nn.functional.conv2d(xt, wt, padding="same")
    g = rng.standard_normal(z.shape[2:])
    z.backward(torch.tensor(g[None, None]))
    np.testing.assert_allclose(conv2d_grad_input(x.shape, w, g, padding="same"), xt.grad.numpy()[0, 0], atol=1e-12)
    np.testing.assert_allclose(conv2d_grad_weight(x, w.shape, g, padding="same"), wt.grad.numpy()[0, 0], atol=1e-12)


def test_grad_input_is_full_convolution_of_dz_with_kernel():
    """Stride 1, no padding, one channel: dJ/dX = full true convolution of dJ/dZ with w."""
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((6, 5)), rng.standard_normal((3, 2))
    g = rng.standard_normal(conv2d(x, w).shape)
    full_conv = conv2d(g, w[::-1, ::-1], padding="full")  # flip + correlate = convolution
    np.testing.assert_allclose(conv2d_grad_input(x.shape, w, g), full_conv, atol=1e-12)
    np.testing.assert_allclose(conv2d_grad_weight(x, w.shape, g), conv2d(x, g), atol=1e-12)


def test_gradient_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"grad_output has shape \(3, 3\).*input of shape \(5, 5\).*\(4, 4\)"):
        conv2d_grad_input((5, 5), np.ones((2, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"grad_output has shape \(1, 2, 3, 3\)"):
        conv2d_grad_weight(np.ones((1, 1, 5, 5)), (2, 1, 2, 2), np.ones((1, 2, 3, 3)))
    with pytest.raises(TypeError, match="input_shape must be a tuple"):
        conv2d_grad_input(5, np.ones((2, 2)), np.ones((4, 4)))
    with pytest.raises(ValueError, match="same number of dimensions"):
        conv2d_grad_input((1, 5, 5), np.ones((1, 1, 2, 2)), np.ones((4, 4)))


# -- sizes ------------------------------------------------------------------------------------

size_args = st.tuples(
    st.integers(1, 60), st.integers(1, 9), st.integers(1, 6), st.integers(0, 6), st.integers(0, 5), st.integers(1, 4)
)


@given(size_args)
def test_transposed_output_size_matches_torch(torch, a):
    n, k, s, p, op, d = a
    try:
        ours = transposed_output_size(n, k, s, p, op, d)
    except ValueError:
        assert op >= max(s, d) or (n - 1) * s - 2 * p + d * (k - 1) + op + 1 < 1
        return
    out = torch.nn.functional.conv_transpose1d(
        torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s, padding=p, output_padding=op, dilation=d
    )
    assert ours == out.shape[-1]


@given(size_args)
def test_transposed_output_size_inverts_output_size(a):
    n, k, s, p, _, d = a
    if d * (k - 1) + 1 > n + 2 * p:
        return
    m = output_size(n, k, s, p, d)
    op = (n + 2 * p - d * (k - 1) - 1) % s
    if op >= max(s, d):
        return
    assert transposed_output_size(m, k, s, p, op, d) == n


def test_transposed_output_size_errors():
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        transposed_output_size(4, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="removes the whole output"):
        transposed_output_size(1, 1, padding=1)
    with pytest.raises(TypeError, match="output_padding must be an integer"):
        transposed_output_size(4, 3, output_padding=0.5)


@given(st.integers(1, 12), st.integers(1, 5))
def test_padding_for_mode(k, d):
    total = d * (k - 1)
    assert padding_for_mode("valid", k, d) == (0, 0)
    assert padding_for_mode("full", k, d) == (total, total)
    lo, hi = padding_for_mode("same", k, d)
    assert lo + hi == total and hi - lo in (0, 1)
    with pytest.raises(ValueError, match="stride 1"):
        padding_for_mode("same", k, d, stride=2)
    with pytest.raises(ValueError, match="mode must be one of"):
        padding_for_mode("circular", k, d)


def test_layer_counts_seed_layer():
    counts = conv2d_layer_counts((10, 48, 64), out_channels=20, kernel_size=3)
    assert counts.output_shape == (20, 46, 62)
    assert (counts.in_channels, counts.out_channels) == (10, 20)
    assert counts.multiplications == 46 * 62 * 20 * 3 * 3 * 10 == 5_133_600
    assert counts.parameters == 1820 and counts.weights == 1800
    assert conv2d_layer_counts((10, 48, 64), 20, 3, bias=False).parameters == 1800


@settings(max_examples=30)
@given(conv_cases(max_batch=1, max_channels=3, max_size=10))
def test_layer_counts_match_conv2d_and_a_multiplication_count(case):
    x, w, stride, padding, dilation = case
    if not fits(x, w, stride, padding, dilation):
        return
    counts = conv2d_layer_counts(x.shape[1:], w.shape[0], w.shape[2:], stride, padding, dilation)
    out = conv2d(x[0], w, stride=stride, padding=padding, dilation=dilation)
    assert counts.output_shape == out.shape
    assert counts.multiplications == out.size * w[0].size
    assert counts.parameters == w.size + w.shape[0]


def test_layout_conversions():
    x = np.arange(48 * 64 * 10.0).reshape(48, 64, 10)
    assert hwc_to_chw(x).shape == (10, 48, 64) and hwc_to_chw(x)[3, 5, 7] == x[5, 7, 3]
    w = np.arange(3 * 3 * 10 * 20.0).reshape(3, 3, 10, 20)
    assert hwio_to_oihw(w).shape == (20, 10, 3, 3) and hwio_to_oihw(w)[4, 2, 1, 0] == w[1, 0, 2, 4]


def test_hwc_layer_equals_oihw_layer():
    """The seeds' Z[i,j,m] = sum W[k1,k2,n,m] X[i+k1,j+k2,n] + b[m] is conv2d after relayout."""
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((6, 7, 3)), rng.standard_normal((3, 3, 3, 4)), rng.standard_normal(4)
    z = np.zeros((4, 5, 4))
    for i in range(4):
        for j in range(5):
            for m in range(4):
                z[i, j, m] = np.sum(w[:, :, :, m] * x[i : i + 3, j : j + 3, :]) + b[m]
    np.testing.assert_allclose(conv2d(hwc_to_chw(x), hwio_to_oihw(w), b), np.moveaxis(z, -1, 0), atol=1e-12)


# -- the 2-D seed problem and locating values ---------------------------------------------------

SEED_X = np.array(
    [[0, 0, 0, 0, 0], [0, 3, 3, 3, 0], [0, 3, 2, 3, 0], [0, 3, 2, 3, 0], [0, 0, 0, 0, 0]], dtype=float
)
SEED_W = np.array([[1, -1], [1, -1]], dtype=float)


def test_seed_2d_problem_every_location():
    z = conv2d(SEED_X, SEED_W)
    assert z.shape == (4, 4)
    e = extremes(z)
    assert (e.max, e.argmax) == (6, [(1, 3), (2, 3)])
    assert (e.min, e.argmin) == (-6, [(1, 0), (2, 0)])
    assert e.zeros == [(0, 1), (0, 2)]
    assert "(1, 3), (2, 3)" in str(e)
    # the seed's other listed places are not extremes or zeros
    assert z[3, 3] == 3 and z[3, 0] == -3 and z[1, 1] == 1 and z[1, 2] == -1


@given(st.lists(st.integers(-4, 4), min_size=1, max_size=30))
def test_extremes_against_python(values):
    z = np.array(values, dtype=float).reshape(len(values), 1)
    e = extremes(z)
    assert e.max == max(values) and e.min == min(values)
    assert e.argmax == [(i, 0) for i, v in enumerate(values) if v == max(values)]
    assert e.argmin == [(i, 0) for i, v in enumerate(values) if v == min(values)]
    assert e.zeros == [(i, 0) for i, v in enumerate(values) if v == 0]


def test_locate_rejects_non_numbers():
    with pytest.raises(TypeError, match="value must be a real number"):
        locate([1, 2], "1")


# -- footprints -----------------------------------------------------------------------------------


@given(st.integers(1, 20), st.integers(1, 5), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3))
def test_influenced_outputs_is_the_inverse_of_window_taps(n, k, s, p, d):
    if d * (k - 1) + 1 > n + 2 * p:
        with pytest.raises(ValueError, match="does not fit"):
            influenced_outputs(0, n, k, s, p, d)
        return
    out = output_size(n, k, s, p, d)
    for i in range(n):
        expected = sorted(
            (o, t) for o in range(out) for t, pos in enumerate(window_taps(o, k, s, d)) if pos == i + p
        )
        assert influenced_outputs(i, n, k, s, p, d) == expected


@settings(max_examples=40)
@given(st.integers(1, 9), st.integers(1, 9), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2), st.integers(1, 3))
def test_influence_counts_count_the_taps(h, w, k, s, p, d):
    if d * (k - 1) + 1 > min(h, w) + 2 * p:
        return
    counts = influence_counts((h, w), k, s, p, d)
    rows = [len(influenced_outputs(i, h, k, s, p, d)) for i in range(h)]
    cols = [len(influenced_outputs(j, w, k, s, p, d)) for j in range(w)]
    np.testing.assert_allclose(counts, np.outer(rows, cols))


def test_footprint_errors():
    with pytest.raises(ValueError, match="input position 0..4"):
        influenced_outputs(5, 5, 3)
    with pytest.raises(ValueError, match=r"input_shape must be \(H, W\)"):
        influence_counts((1, 5, 5), 3)


# -- the seeds' conv + sigmoid layer, kernels, numerical gradients -------------------------------


@settings(max_examples=25)
@given(conv_cases(max_batch=2, max_channels=3, max_size=9))
def test_conv_sigmoid_backward_matches_torch(torch, case):
    from nnbook.conv import conv_sigmoid_backward

    x, w, stride, padding, dilation = case
    if not fits(x, w, stride, padding, dilation):
        return
    w = w / 4
    b = np.linspace(-1, 1, w.shape[0])
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    u = torch.sigmoid(torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=padding, dilation=dilation))
    g = torch.randn(u.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    u.backward(g)
    ours = conv_sigmoid_backward(x, w, b, g.numpy(), stride, padding, dilation)
    np.testing.assert_allclose(ours.u, u.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.grad_x, xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.grad_w, wt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.grad_b, bt.grad.numpy(), atol=1e-10)


def test_conv_sigmoid_backward_matches_finite_differences_unbatched():
    from nnbook.conv import conv_sigmoid_backward, numerical_gradient

    rng = np.random.default_rng(7)
    x, w, b = rng.standard_normal((2, 5, 4)), rng.standard_normal((3, 2, 2, 2)), rng.standard_normal(3)
    target = rng.standard_normal((3, 4, 3))

    def loss(xv, wv, bv):
        u = 1 / (1 + np.exp(-conv2d(xv, wv, bv)))
        return 0.5 * np.sum((u - target) ** 2)

    u = 1 / (1 + np.exp(-conv2d(x, w, b)))
    grads = conv_sigmoid_backward(x, w, b, u - target)
    np.testing.assert_allclose(grads.grad_x, numerical_gradient(lambda v: loss(v, w, b), x), atol=1e-7)
    np.testing.assert_allclose(grads.grad_w, numerical_gradient(lambda v: loss(x, v, b), w), atol=1e-7)
    np.testing.assert_allclose(grads.grad_b, numerical_gradient(lambda v: loss(x, w, v), b), atol=1e-7)
    with pytest.raises(ValueError, match="grad_u must have the output's shape"):
        conv_sigmoid_backward(x, w, b, np.ones((3, 3, 3)))


def test_numerical_gradient_errors():
    from nnbook.conv import numerical_gradient

    with pytest.raises(TypeError, match="f must be a function"):
        numerical_gradient(3, [1.0])
    with pytest.raises(ValueError, match="eps must be a positive number"):
        numerical_gradient(np.sum, [1.0], eps=0)


@pytest.mark.parametrize("name", ["identity", "box", "gaussian", "sobel_x", "sobel_y", "laplacian"])
def test_named_kernels(name):
    from nnbook.conv import named_kernel

    k = named_kernel(name)
    assert k.shape == (3, 3)
    flat = np.ones((6, 6))
    response = conv2d(flat, k)
    expected = 1.0 if name in ("identity", "box", "gaussian") else 0.0
    np.testing.assert_allclose(response, expected, atol=1e-12)  # smoothers keep a flat image, edge filters kill it


def test_named_kernel_sizes_and_errors():
    from nnbook.conv import named_kernel

    assert named_kernel("gaussian", 5)[2, 2] == 36 / 256
    assert named_kernel("box", 4).sum() == pytest.approx(1)
    with pytest.raises(ValueError, match="3x3"):
        named_kernel("sobel_x", 5)
    with pytest.raises(ValueError, match="name must be one of"):
        named_kernel("sharpen")


# -- junk arguments never escape as anything but TypeError/ValueError ------------------------------

junk = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=True), st.text(max_size=4), st.integers(-5, 0),
    st.tuples(st.integers(-2, 3)), st.tuples(st.integers(-2, 3), st.integers(-2, 3), st.integers(-2, 3)),
    st.lists(st.text(max_size=2), max_size=3),
)


@given(st.sampled_from(["stride", "padding", "dilation", "bias"]), junk)
def test_conv2d_junk_arguments(name, value):
    try:
        conv2d(np.ones((1, 1, 6, 6)), np.ones((2, 1, 2, 2)), **{name: value})
    except (TypeError, ValueError):
        pass  # a clear error (the normal case)
    else:  # a few junk values are legitimate (e.g. padding=0, bias=[0, 0] as a list of two numbers)
        assert name in ("padding", "bias")


@given(st.sampled_from(["kernel_size", "stride", "padding", "output_padding", "dilation"]), junk)
def test_transposed_output_size_junk(name, value):
    args = dict(n=5, kernel_size=3, stride=2, padding=1, output_padding=1, dilation=1)
    args[name] = value
    try:
        transposed_output_size(**args)
    except (TypeError, ValueError):
        return
    assert name in ("padding", "output_padding") and value == 0


@given(junk, st.sampled_from(["full", "valid", "same", "wide", 3, None]))
def test_conv1d_junk(x, mode):
    try:
        conv1d(x, [1.0, 2.0], mode)
    except (TypeError, ValueError):
        return
    assert mode in ("full", "valid", "same")


@given(st.sampled_from(["n", "kernel_size", "stride", "padding", "dilation", "mode", "flip", "direction", "step"]), junk)
def test_conv_scene_junk(name, value):
    from nnbook.conv import conv_scene

    args = dict(n=5, kernel_size=3, stride=1, padding=0, dilation=1, mode="custom", flip=False,
                direction="forward", step=0)
    args[name] = value
    try:
        conv_scene(**args)
    except (TypeError, ValueError):
        return
    assert value in (0, False) or isinstance(value, bool)
