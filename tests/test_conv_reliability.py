"""Regression tests for the reliability audit's convolution defects (reviews/reliability.md D7, D8, D13, D14, D16)."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest

from nnbook import conv
from nnbook.plots import conv as plots


# -- D7: conv2d memory must not grow with stride² -----------------------------------------------------
@pytest.mark.parametrize("stride", [10_000, 30_000, 10**5, 10**12])
def test_huge_stride_reads_only_the_windows(stride):
    tracemalloc.start()
    start = time.perf_counter()
    out = conv.conv2d(np.ones((3, 3)), np.ones((2, 2)), stride=stride)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert out.tolist() == [[4.0]] and peak < 2**20 and elapsed < 2.0


def test_strided_gradients_and_scene_stay_small():
    g = conv.conv2d_grad_input((3, 3), np.ones((2, 2)), np.ones((1, 1)), stride=10**6)
    assert g.tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]
    assert conv.conv2d_grad_weight(np.ones((3, 3)), (2, 2), np.ones((1, 1)), stride=10**6).tolist() == [[1, 1], [1, 1]]
    x = np.random.default_rng(0).standard_normal((2, 3, 40, 50))
    w = np.random.default_rng(1).standard_normal((4, 3, 3, 2))
    for s in [(4, 7), (11, 3), (40, 50)]:  # gathered along one or both axes: same values as a naive loop
        ours = conv.conv2d(x, w, stride=s, padding=(2, 1), dilation=(1, 2))
        xp = np.pad(x, ((0, 0), (0, 0), (2, 2), (1, 1)))
        for i in range(ours.shape[2]):
            for j in range(ours.shape[3]):
                patch = xp[:, :, i * s[0] : i * s[0] + 3, j * s[1] : j * s[1] + 3 : 2]
                np.testing.assert_allclose(ours[:, :, i, j], np.einsum("nchw,ochw->no", patch, w), atol=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: conv.conv2d(np.ones((3, 3)), np.ones((2, 2)), padding=10**5),
        lambda: conv.conv2d(np.ones((3, 3)), np.ones((2, 2)), dilation=10**5, padding=10**5),
        lambda: conv.conv_transpose2d(np.ones((3, 3)), np.ones((2, 2)), stride=10**5),
        lambda: conv.influence_counts((10**6, 10**6), 3),
        lambda: conv.conv2d_grad_input((10**5, 10**5), np.ones((2, 2)), np.ones((2, 2)), stride=10**5),
    ],
)
def test_sizes_that_would_exhaust_memory_name_the_limit(call):
    with pytest.raises(ValueError, match="MAX_ELEMENTS"):
        call()


# -- D8: the Gaussian kernel stays finite -------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 3, 11, 515, 600, 1024, conv.MAX_KERNEL_SIZE])
def test_gaussian_kernel_is_finite_and_normalised(size):
    k = conv.named_kernel("gaussian", size)
    assert np.all(np.isfinite(k)) and k.sum() == pytest.approx(1.0) and np.all(k >= 0)


def test_gaussian_kernel_is_still_the_binomial_one():
    np.testing.assert_allclose(conv.named_kernel("gaussian", 3), np.outer([1, 2, 1], [1, 2, 1]) / 16)


# -- D13: NaN / inf refused, no silent empty results --------------------------------------------------
NAN = float("nan")


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: conv.conv1d([1.0, NAN], [1.0]), "x"),
        (lambda: conv.conv1d([1.0, 2.0], [np.inf]), "w"),
        (lambda: conv.conv2d([[NAN]], [[1.0]]), "x"),
        (lambda: conv.conv2d(np.ones((1, 2, 2)), np.ones((1, 1, 1, 1)), bias=[NAN]), "bias"),
        (lambda: conv.conv2d_grad_input((2, 2), [[1.0]], [[1.0, NAN], [0, 0]]), "grad_output"),
        (lambda: conv.conv2d_grad_weight([[np.inf]], (1, 1), [[1.0]]), "x"),
        (lambda: conv.conv_sigmoid_backward(np.ones((1, 2, 2)), np.ones((1, 1, 1, 1)), [0.0], np.full((1, 2, 2), NAN)), "grad_u"),
        (lambda: conv.extremes([[NAN, 1.0]]), "z"),
        (lambda: conv.locate([[NAN, 1.0]], 1.0), "z"),
        (lambda: conv.hwc_to_chw(np.full((2, 2, 2), np.inf)), "x"),
        (lambda: conv.pool2d([[np.inf]], 1), "x"),
        (lambda: conv.conv_transpose2d([[1.0]], [[NAN]]), "w"),
    ],
)
def test_non_finite_arrays_are_refused_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must contain only finite numbers"):
        call()


def test_locate_refuses_nan_values_and_negative_tolerances():
    with pytest.raises(ValueError, match="value must be finite"):
        conv.locate([[1.0]], NAN)
    with pytest.raises(ValueError, match="atol must be >= 0"):
        conv.locate([[1.0]], 1.0, atol=-1)
    with pytest.raises(ValueError, match="atol must be >= 0"):
        conv.extremes([[1.0]], atol=-1)
    with pytest.raises(TypeError, match="atol must be a real number"):
        conv.extremes([[1.0]], atol="abc")
    e = conv.extremes([[3.0, -1.0]])
    assert e.argmax == [(0, 0)] and e.argmin == [(0, 1)]  # never empty for finite input


# -- D14: documented bounds instead of hangs --------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda: conv.window_taps(0, kernel_size=10**9),
        lambda: conv.influenced_outputs(0, n=10**12, kernel_size=10**10),
        lambda: conv.named_kernel("box", 10**5),
        lambda: conv.conv_scene(10**5, 3),
        lambda: conv.conv_scene(5, 3, padding=10**6),
        lambda: conv.causal_padding(10**9),
        lambda: plots.sliding_window_1d(10**5, 3),
        lambda: plots.sliding_window_1d(7, 3, padding=10**5),
        lambda: plots.sliding_window_1d(7, 3, max_rows=10**6),
        lambda: plots.heatmap(np.zeros((1000, 1000))),
        lambda: conv.conv2d_matrix((100, 100), np.ones((3, 3))),
    ],
)
def test_sizes_past_a_documented_limit_are_refused_quickly(call):
    start = time.perf_counter()
    with pytest.raises(ValueError, match="at most|limit|MAX_"):
        call()
    assert time.perf_counter() - start < 2.0


def test_the_explorer_ranges_are_inside_the_limits():
    assert conv.conv_scene(conv.MAX_SCENE_SIZE // 8, 3).n == 32


# -- D16: clear errors from the figures -----------------------------------------------------------------
def test_figures_reject_misuse_clearly():
    with pytest.raises(TypeError, match="ConvScene"):
        plots.conv2d_diagram(None)
    with pytest.raises(ValueError, match="ncols must be an integer >= 1"):
        plots.image_panels({"a": np.zeros((2, 2))}, ncols=0)
    with pytest.raises(ValueError, match="2 dimension"):
        plots.image_panels({"a": np.zeros(4)})
    with pytest.raises(TypeError, match="fmt must be a format string"):
        plots.heatmap([[1.0]], fmt=None)
    with pytest.raises(ValueError, match="finite"):
        plots.heatmap([[NAN]])
