"""Convolution arithmetic: output sizes, modes, layers and their gradients.

The chapter "Convolution modes" tells the story; this module computes every number in it.
Conventions follow numpy (``mode="full" | "valid" | "same"``) and PyTorch
(``kernel_size``, ``stride``, ``padding``, ``dilation``, ``groups``, NCHW layout).

Inputs must hold finite numbers (NaN/inf raise ``ValueError`` naming the argument). Work and
memory are bounded: no array built here may exceed :data:`MAX_ELEMENTS` elements, kernels listed
tap by tap or built by name at most :data:`MAX_KERNEL_SIZE`, the explorer's model
(:func:`conv_scene`) at most :data:`MAX_SCENE_SIZE` per size argument, and the dense
:func:`conv2d_matrix` at most :data:`MAX_MATRIX_INPUTS` inputs; past a limit a ``ValueError``
names it.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .gradcheck import numerical_gradient
from ._validate import as_float_array, check_choice, check_int, check_pair, check_real

__all__ = [
    "output_size",
    "transposed_output_size",
    "padding_for_mode",
    "conv1d",
    "conv2d",
    "conv2d_grad_input",
    "conv2d_grad_weight",
    "conv2d_layer_counts",
    "LayerCounts",
    "Extremes",
    "extremes",
    "locate",
    "window_taps",
    "influenced_outputs",
    "influence_counts",
    "hwc_to_chw",
    "hwio_to_oihw",
    "named_kernel",
    "KERNEL_NAMES",
    "ConvSigmoidGradients",
    "conv_sigmoid_backward",
    "numerical_gradient",
    "ConvScene",
    "conv_scene",
    "pool2d",
    "pool2d_grad_input",
    "conv2d_matrix",
    "conv_transpose2d",
    "same_padding_tf",
    "causal_padding",
    "MAX_ELEMENTS",
]

#: Upper bound on the number of elements of any array a function here builds (inputs, padded
#: copies, outputs, matrices): about 800 MB in float64. Larger requests raise ``ValueError``
#: naming this limit instead of exhausting memory.
MAX_ELEMENTS = 10**8
#: Upper bound on a kernel's size for the functions that list taps or build named kernels.
MAX_KERNEL_SIZE = 4096
#: Upper bound on the input size of the explorer's model (:func:`conv_scene`).
MAX_SCENE_SIZE = 256
#: Upper bound on ``prod(input_shape)`` for :func:`conv2d_matrix` (the matrix is dense).
MAX_MATRIX_INPUTS = 4096


def _check_elements(what: str, shape: tuple[int, ...]) -> None:
    count = 1
    for s in shape:
        count *= int(s)
    if count > MAX_ELEMENTS:
        raise ValueError(
            f"{what} would have {count:,} elements (shape {tuple(int(s) for s in shape)}); the limit is "
            f"MAX_ELEMENTS = {MAX_ELEMENTS:,}, so that memory stays bounded"
        )


def output_size(n: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Length of a convolution's output along one axis.

    ``floor((n + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1``, the formula
    PyTorch documents for ``Conv1d``/``Conv2d``/``MaxPool2d``.

    Parameters
    ----------
    n : int
        Input length (>= 1).
    kernel_size : int
        Kernel length (>= 1).
    stride : int, default 1
        Step between neighbouring windows (>= 1).
    padding : int, default 0
        Zeros added at *each* end (>= 0).
    dilation : int, default 1
        Spacing between kernel taps (>= 1; 1 means no dilation).

    Returns
    -------
    int
        The number of window positions, at least 1.

    Raises
    ------
    TypeError
        If an argument is not an integer (booleans are rejected too).
    ValueError
        If an argument is out of range, or the dilated kernel does not fit in the padded input.

    Examples
    --------
    >>> output_size(84, kernel_size=8, stride=4)     # first layer of the Atari DQN
    20
    >>> output_size(7, kernel_size=3, stride=2, padding=1)
    4
    """
    n = check_int("n", n, minimum=1)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    padding = check_int("padding", padding, minimum=0)
    dilation = check_int("dilation", dilation, minimum=1)
    span = dilation * (kernel_size - 1) + 1
    padded = n + 2 * padding
    if span > padded:
        raise ValueError(
            f"the kernel does not fit: a kernel of size {kernel_size} with dilation {dilation} "
            f"spans {span} cells, but the padded input has only {padded} "
            f"(n={n} plus padding {padding} on each side)"
        )
    return (padded - span) // stride + 1


def transposed_output_size(
    n: int, kernel_size: int, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> int:
    """Length of a transposed convolution's output along one axis (PyTorch's ``ConvTranspose``).

    ``(n - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1``. It is the
    shape of the backward pass of a convolution: the gradient with respect to an input of
    length ``m`` is a transposed convolution of a gradient of length ``output_size(m, ...)``,
    and ``output_padding`` picks ``m`` among the lengths that map to the same output size.

    Raises ``ValueError`` if ``output_padding`` is not smaller than ``stride`` or ``dilation``
    (PyTorch's rule) or if the result would be smaller than 1.

    >>> transposed_output_size(20, kernel_size=8, stride=4)   # back from the DQN's 20 to 84
    84
    >>> transposed_output_size(4, kernel_size=3, stride=2, padding=1, output_padding=1)
    8
    """
    n = check_int("n", n, minimum=1)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    padding = check_int("padding", padding, minimum=0)
    output_padding = check_int("output_padding", output_padding, minimum=0)
    dilation = check_int("dilation", dilation, minimum=1)
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"output_padding must be smaller than stride or dilation, got output_padding={output_padding} "
            f"with stride={stride} and dilation={dilation}"
        )
    size = (n - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1
    if size < 1:
        raise ValueError(f"padding {padding} removes the whole output (it would have length {size})")
    return size


MODES = ("full", "valid", "same")


def padding_for_mode(mode: str, kernel_size: int, dilation: int = 1, stride: int = 1) -> tuple[int, int]:
    """Zeros to add (before, after) along one axis for ``mode`` ``"valid"``, ``"same"`` or ``"full"``.

    ``"valid"`` adds none; ``"full"`` adds ``dilation*(kernel_size - 1)`` at each end, so every
    partial overlap counts; ``"same"`` adds that total split between the ends (the extra zero
    goes *after* when the total is odd, as in PyTorch's ``padding="same"``) and needs stride 1.

    >>> padding_for_mode("full", 3), padding_for_mode("same", 3), padding_for_mode("same", 4)
    ((2, 2), (1, 1), (1, 2))
    """
    check_choice("mode", mode, MODES)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    dilation = check_int("dilation", dilation, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    total = dilation * (kernel_size - 1)
    if mode == "valid":
        return (0, 0)
    if mode == "full":
        return (total, total)
    if stride != 1:
        raise ValueError(
            f'"same" padding keeps the output size equal to the input size only with stride 1, got stride={stride}'
        )
    return (total // 2, total - total // 2)


def conv1d(x: Any, w: Any, mode: str = "valid", flip: bool = True) -> np.ndarray:
    """1-D convolution (``flip=True``) or cross-correlation (``flip=False``) in numpy's modes.

    ``conv1d(x, w, mode)`` equals ``np.convolve(x, w, mode)``: the kernel is reversed before it
    slides over ``x``. With ``flip=False`` the kernel slides as written (what deep-learning
    libraries call convolution), which equals ``np.convolve(x, w[::-1], mode)``.
    Output lengths for ``len(x) = m``, ``len(w) = k``: full ``m + k - 1``, same ``max(m, k)``,
    valid ``max(m, k) - min(m, k) + 1`` (numpy's rules; like numpy, a kernel longer than the
    input is allowed).

    >>> conv1d([1, 2, 3, 4], [1, 0, 2], "full")
    array([1., 2., 5., 8., 6., 8.])
    >>> conv1d([1, 2, 3, 4], [1, 0, 2], "valid", flip=False)
    array([ 7., 10.])
    """
    x = as_float_array("x", x, ndim=1, finite=True)
    w = as_float_array("w", w, ndim=1, finite=True)
    check_choice("mode", mode, MODES)
    _check_elements("the sliding windows of conv1d", (len(x) + 2 * len(w), len(w)))
    if not isinstance(flip, (bool, np.bool_)):
        raise TypeError(f"flip must be True or False, got {flip!r}")
    dtype = _result_dtype(x, w)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    m, k = len(x), len(w)
    padded = np.concatenate([np.zeros(k - 1, dtype), x, np.zeros(k - 1, dtype)])
    full = sliding_window_view(padded, k) @ (w[::-1] if flip else w)
    if mode == "full":
        return full
    short, long = min(m, k), max(m, k)
    if mode == "valid":
        return full[short - 1 : long].copy()
    start = (short - 1) // 2
    return full[start : start + long].copy()


def conv2d(
    x: Any,
    w: Any,
    bias: Any = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D cross-correlation, the deep-learning "convolution": equal to ``torch.nn.functional.conv2d``.

    ``out[n, o, i, j] = bias[o] + sum_{c, a, b} w[o, c, a, b] * xpad[n, c, i*s + a*d, j*s + b*d]``.
    The kernel is *not* flipped (flip it yourself, ``w[..., ::-1, ::-1]``, for a true convolution).
    With ``groups=g`` the channels are split into ``g`` groups that are convolved separately
    (``w`` is then ``(C_out, C_in/g, kh, kw)``); ``groups=C_in`` is a *depthwise* convolution.

    Parameters
    ----------
    x : array_like
        ``(H, W)``, ``(C_in, H, W)`` or ``(N, C_in, H, W)``.
    w : array_like
        ``(kh, kw)`` for a 2-D ``x``, else ``(C_out, C_in, kh, kw)`` (PyTorch's OIHW).
    bias : array_like, optional
        ``(C_out,)`` (a scalar for a 2-D ``x``).
    stride, dilation : int or (int, int)
    padding : int, (int, int), "valid", "same" or "full"
        Zeros added on each side; ``"same"`` needs stride 1 (odd totals put the extra zero
        after, as PyTorch does); ``"full"`` pads ``dilation*(k - 1)``.
    groups : int, default 1
        Must divide both ``C_in`` and ``C_out`` (PyTorch's rule).

    Returns
    -------
    ndarray
        ``(H', W')``, ``(C_out, H', W')`` or ``(N, C_out, H', W')`` with
        ``H' = output_size(H, kh, stride, padding, dilation)``; float32 if ``x`` and ``w``
        are float32, else float64. Vectorized: space-to-depth turns a strided convolution
        into a stride-1 one, which is a few matrix products. Memory is bounded by the input,
        kernel and output (a stride larger than the kernel reads only the cells under the
        windows), and every array stays below :data:`MAX_ELEMENTS`.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> conv2d(x, [[1, -1], [1, -1]])
    array([[-2., -2., -2.],
           [-2., -2., -2.],
           [-2., -2., -2.]])
    >>> conv2d(np.ones((2, 3, 84, 84)), np.ones((16, 3, 8, 8)), stride=4).shape
    (2, 16, 20, 20)
    """
    x = as_float_array("x", x, ndim=(2, 3, 4), finite=True)
    w = as_float_array("w", w, ndim=(2, 4), finite=True)
    x4, w4, squeeze = _as_nchw(x, w, groups)
    groups = int(groups)
    stride_, dilation_ = check_pair("stride", stride, minimum=1), check_pair("dilation", dilation, minimum=1)
    kernel = w4.shape[2:]
    pads = _resolve_padding(padding, kernel, stride_, dilation_)
    out_hw = _output_hw(x4.shape[2:], kernel, stride_, pads, dilation_)
    _check_elements("the output", (x4.shape[0], w4.shape[0], *out_hw))
    dtype = _result_dtype(x4, w4)
    x4, w4 = x4.astype(dtype, copy=False), w4.astype(dtype, copy=False)
    ci, co = x4.shape[1] // groups, w4.shape[0] // groups
    parts = [
        _correlate(x4[:, g * ci : (g + 1) * ci], w4[g * co : (g + 1) * co], stride_, pads, dilation_, out_hw)
        for g in range(groups)
    ]
    out = parts[0] if groups == 1 else np.concatenate(parts, axis=1)
    if bias is not None:
        b = as_float_array("bias", bias, ndim=(0, 1), finite=True)
        if b.ndim == 0 and squeeze == 2:
            b = b.reshape(1)
        if b.shape != (w4.shape[0],):
            raise ValueError(f"bias must have shape ({w4.shape[0]},) (one per output channel), got {b.shape}")
        out += b.astype(dtype, copy=False)[None, :, None, None]
    return _squeeze(out, squeeze)


def conv2d_grad_input(
    input_shape: tuple[int, ...],
    w: Any,
    grad_output: Any,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """∂J/∂X of ``Z = conv2d(X, w, stride=, padding=, dilation=, groups=)`` given ∂J/∂Z (``grad_output``).

    The same arguments as ``torch.nn.grad.conv2d_input``. The gradient is a *full*
    convolution of ∂J/∂Z with the kernel, summed over output channels: spread ∂J/∂Z apart
    by the stride (insert ``stride - 1`` zeros), pad it by ``dilation*(k - 1)`` on each side
    and cross-correlate it with the kernel flipped in both spatial axes and with its channel
    axes swapped; then drop the rows and columns that were padding.

    >>> g = np.ones((3, 3))
    >>> conv2d_grad_input((4, 4), np.ones((2, 2)), g)     # how many windows cover each pixel
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])
    """
    shape = _check_shape("input_shape", input_shape)
    w = as_float_array("w", w, ndim=(2, 4), finite=True)
    g = as_float_array("grad_output", grad_output, ndim=(2, 3, 4), finite=True)
    if len(shape) != g.ndim:
        raise ValueError(
            f"input_shape {shape} and grad_output shape {g.shape} must have the same number of dimensions"
        )
    _check_elements("the input gradient", shape)
    x_like = np.broadcast_to(np.zeros((), w.dtype), shape)
    x4, w4, g4, squeeze, stride_, dilation_, pads, out_hw = _gradient_geometry(
        x_like, w, g, stride, padding, dilation, f"an input of shape {shape}", groups
    )
    grad = _grad_input_core(x4.shape, w4, g4, stride_, dilation_, pads, int(groups))
    return _squeeze(grad, squeeze)


def _grad_input_core(shape4: tuple[int, ...], w4: np.ndarray, g4: np.ndarray, stride_: tuple[int, int],
                     dilation_: tuple[int, int], pads: tuple[int, int, int, int], groups: int = 1) -> np.ndarray:
    """∂J/∂X for an NCHW input of ``shape4`` (no shape check: :func:`conv_transpose2d` also
    uses it when ``output_padding`` leaves rows that no window reads, which get zero)."""
    if groups > 1:
        ci, co = shape4[1] // groups, w4.shape[0] // groups
        return np.concatenate([
            _grad_input_core((shape4[0], ci, *shape4[2:]), w4[k * co : (k + 1) * co], g4[:, k * co : (k + 1) * co],
                             stride_, dilation_, pads)
            for k in range(groups)
        ], axis=1)
    dtype = _result_dtype(g4, w4)
    (sh, sw), (dh, dw) = stride_, dilation_
    n, o, ho, wo = g4.shape
    _, c, kh, kw = w4.shape
    top, bottom, left, right = pads
    height, width = shape4[2:]
    padded = np.zeros((n, c, height + top + bottom, width + left + right), dtype)
    _check_elements("the padded input gradient", padded.shape)
    # Scatter: output (i, j) reads padded input (i*s + a*d, j*s + b*d) through tap (a, b), so
    # tap (a, b) sends g[:, :, i, j] @ w[:, :, a, b] back there (one matrix product per tap,
    # no zeros multiplied: the cost of the forward pass).
    gm = np.ascontiguousarray(g4.transpose(0, 2, 3, 1), dtype).reshape(n * ho * wo, o)
    wm = np.ascontiguousarray(w4.transpose(0, 2, 3, 1), dtype).reshape(o, kh * kw * c)
    stacked = gm.shape[0] * wm.shape[1] * np.dtype(dtype).itemsize <= _STACK_BYTES
    prod = (gm @ wm).reshape(n, ho, wo, kh, kw, c) if stacked else None
    for a in range(kh):
        for b in range(kw):
            part = prod[:, :, :, a, b, :] if stacked else (gm @ wm[:, (a * kw + b) * c : (a * kw + b + 1) * c]).reshape(
                n, ho, wo, c)
            rows = slice(a * dh, a * dh + (ho - 1) * sh + 1, sh)
            cols = slice(b * dw, b * dw + (wo - 1) * sw + 1, sw)
            padded[:, :, rows, cols] += part.transpose(0, 3, 1, 2)
    return np.ascontiguousarray(padded[:, :, top : top + height, left : left + width])


def _gradient_geometry(x: np.ndarray, w: np.ndarray, g: np.ndarray, stride: Any, padding: Any,
                       dilation: Any, described_input: str, groups: Any = 1) -> tuple:
    """Shared set-up of the two gradient functions: NCHW views, the layer's geometry, and a
    check that ``grad_output`` has the shape the forward convolution produces."""
    x4, w4, squeeze = _as_nchw(x, w, groups)
    g4 = g.reshape((1,) * (4 - g.ndim) + g.shape)
    stride_, dilation_ = check_pair("stride", stride, minimum=1), check_pair("dilation", dilation, minimum=1)
    kernel = w4.shape[2:]
    pads = _resolve_padding(padding, kernel, stride_, dilation_)
    out_hw = _output_hw(x4.shape[2:], kernel, stride_, pads, dilation_)
    expected = (x4.shape[0], w4.shape[0], *out_hw)
    if g4.shape != expected:
        raise ValueError(
            f"grad_output has shape {g.shape}, but a convolution of {described_input} with a kernel of "
            f"shape {w.shape} gives an output of shape {_squeeze_shape(expected, squeeze)}"
        )
    return x4, w4, g4, squeeze, stride_, dilation_, pads, out_hw


def conv2d_grad_weight(
    x: Any,
    weight_shape: tuple[int, ...],
    grad_output: Any,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """∂J/∂W of ``Z = conv2d(X, W, stride=, padding=, dilation=, groups=)`` given ∂J/∂Z (``grad_output``).

    The same arguments as ``torch.nn.grad.conv2d_weight``. The gradient is a *valid*
    cross-correlation of the (padded) input with ∂J/∂Z used as the kernel — dilated by the
    stride and stepping by the dilation — summed over the batch:
    ``dW[o, c, a, b] = sum_{n, i, j} dZ[n, o, i, j] * xpad[n, c, i*s + a*d, j*s + b*d]``.
    (∂J/∂bias is simply ``grad_output`` summed over everything but the channel axis.)

    >>> conv2d_grad_weight(np.arange(9.0).reshape(3, 3), (2, 2), np.ones((2, 2)))
    array([[ 8., 12.],
           [20., 24.]])
    """
    x = as_float_array("x", x, ndim=(2, 3, 4), finite=True)
    shape = _check_shape("weight_shape", weight_shape)
    _check_elements("the weight gradient", shape)
    g = as_float_array("grad_output", grad_output, ndim=(2, 3, 4), finite=True)
    if g.ndim != x.ndim:
        raise ValueError(f"grad_output shape {g.shape} and x shape {x.shape} must have the same number of dimensions")
    w_like = np.broadcast_to(np.zeros((), x.dtype), shape)
    x4, w4, g4, squeeze, stride_, dilation_, pads, out_hw = _gradient_geometry(
        x, w_like, g, stride, padding, dilation, f"x of shape {x.shape}", groups
    )
    groups = int(groups)
    ci, co = x4.shape[1] // groups, w4.shape[0] // groups
    grad = np.concatenate([
        _grad_weight_core(x4[:, k * ci : (k + 1) * ci], g4[:, k * co : (k + 1) * co], w4.shape[2:], stride_,
                          dilation_, pads, out_hw)
        for k in range(groups)
    ], axis=0)
    return grad[0, 0] if squeeze == 2 else grad


def _grad_weight_core(x4: np.ndarray, g4: np.ndarray, kernel: tuple[int, ...], stride_: tuple[int, int],
                      dilation_: tuple[int, int], pads: tuple[int, int, int, int],
                      out_hw: tuple[int, int]) -> np.ndarray:
    dtype = _result_dtype(x4, g4)
    # Channels become the batch and the batch becomes the channels: the sum over n is the
    # sum over "input channels" of an ordinary cross-correlation.
    xt = np.ascontiguousarray(x4.transpose(1, 0, 2, 3), dtype)  # (C, N, H, W)
    gt = np.ascontiguousarray(g4.transpose(1, 0, 2, 3), dtype)  # (O, N, H', W')
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride_, dilation_
    top, bottom, left, right = pads
    rows = (x4.shape[2] + top + bottom - ((out_hw[0] - 1) * sh + 1)) // dh + 1
    cols = (x4.shape[3] + left + right - ((out_hw[1] - 1) * sw + 1)) // dw + 1
    dw_ = _correlate(xt, gt, (dh, dw), pads, (sh, sw), (rows, cols))  # (C, O, rows, cols)
    return np.ascontiguousarray(dw_[:, :, :kh, :kw].transpose(1, 0, 2, 3))


@dataclass(frozen=True)
class LayerCounts:
    """Sizes of one convolutional layer (see :func:`conv2d_layer_counts`)."""

    output_shape: tuple[int, int, int]  # (C_out, H', W')
    in_channels: int
    out_channels: int
    weights: int  # kh * kw * C_in * C_out
    parameters: int  # weights + biases
    multiplications: int  # H' * W' * C_out * (kh * kw * C_in)


def conv2d_layer_counts(
    input_shape: tuple[int, int, int],
    out_channels: int,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    bias: bool = True,
    groups: int = 1,
) -> LayerCounts:
    """Output shape, channels, parameters and multiplications of a conv layer on a (C, H, W) input.

    Every output value is a dot product of ``kh*kw*C_in`` weights with as many inputs, so the
    layer does ``H'*W'*C_out*kh*kw*C_in`` multiplications; it learns ``kh*kw*C_in*C_out``
    weights plus ``C_out`` biases. With ``groups=g`` each output reads only ``C_in/g``
    channels, dividing weights and multiplications by ``g``.

    >>> conv2d_layer_counts((32, 56, 56), 32, 3, padding=1, groups=32).weights   # depthwise
    288

    >>> conv2d_layer_counts((10, 48, 64), 20, 3)
    LayerCounts(output_shape=(20, 46, 62), in_channels=10, out_channels=20, weights=1800, parameters=1820, multiplications=5133600)
    """
    shape = _check_shape("input_shape", input_shape)
    if len(shape) != 3:
        raise ValueError(f"input_shape must be (C_in, H, W), got {shape}")
    out_channels = check_int("out_channels", out_channels, minimum=1)
    kernel = check_pair("kernel_size", kernel_size, minimum=1)
    if not isinstance(bias, (bool, np.bool_)):
        raise TypeError(f"bias must be True or False, got {bias!r}")
    stride_, dilation_ = check_pair("stride", stride, minimum=1), check_pair("dilation", dilation, minimum=1)
    groups = _check_groups(groups, shape[0], out_channels)
    pads = _resolve_padding(padding, kernel, stride_, dilation_)
    h, w = _output_hw(shape[1:], kernel, stride_, pads, dilation_)
    c_in = shape[0]
    weights = kernel[0] * kernel[1] * (c_in // groups) * out_channels
    return LayerCounts(
        output_shape=(out_channels, h, w),
        in_channels=c_in,
        out_channels=out_channels,
        weights=weights,
        parameters=weights + (out_channels if bias else 0),
        multiplications=h * w * out_channels * kernel[0] * kernel[1] * (c_in // groups),
    )


def hwc_to_chw(x: Any) -> np.ndarray:
    """Channels-last ``(H, W, C)`` or ``(N, H, W, C)`` to PyTorch's ``(C, H, W)`` / ``(N, C, H, W)``.

    >>> hwc_to_chw(np.zeros((48, 64, 10))).shape
    (10, 48, 64)
    """
    x = as_float_array("x", x, ndim=(3, 4), finite=True)
    return np.ascontiguousarray(np.moveaxis(x, -1, -3))


def hwio_to_oihw(w: Any) -> np.ndarray:
    """A kernel stored ``(kh, kw, C_in, C_out)`` (TensorFlow, many textbooks) to PyTorch's OIHW.

    >>> hwio_to_oihw(np.zeros((3, 3, 10, 20))).shape
    (20, 10, 3, 3)
    """
    w = as_float_array("w", w, ndim=4, finite=True)
    return np.ascontiguousarray(w.transpose(3, 2, 0, 1))


@dataclass(frozen=True)
class Extremes:
    """The largest and smallest values of an array, every place they occur, and every zero."""

    max: float
    argmax: list[tuple[int, ...]]
    min: float
    argmin: list[tuple[int, ...]]
    zeros: list[tuple[int, ...]]

    def __str__(self) -> str:
        def fmt(v: float) -> str:
            return f"{v:g}"

        return (
            f"largest value {fmt(self.max)} at {_fmt_places(self.argmax)}\n"
            f"most negative value {fmt(self.min)} at {_fmt_places(self.argmin)}\n"
            f"zero at {_fmt_places(self.zeros) if self.zeros else 'no location'}"
        )


def locate(z: Any, value: float, atol: float = 1e-9) -> list[tuple[int, ...]]:
    """Every index of ``z`` whose entry is within ``atol`` of ``value``, in row-major order.

    ``z`` and ``value`` must be finite and ``atol >= 0`` (``ValueError`` otherwise), so an
    empty list always means "no entry of ``z`` is within ``atol`` of ``value``".

    >>> locate([[0, 6], [6, 1]], 6)
    [(0, 1), (1, 0)]
    """
    z = as_float_array("z", z, finite=True)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"value must be a real number, got {value!r}")
    value = check_real("value", value)
    atol = _check_atol(atol)
    return [tuple(int(i) for i in idx) for idx in np.argwhere(np.abs(z - value) <= atol)]


def _check_atol(atol: Any) -> float:
    atol = check_real("atol", atol)
    if atol < 0:
        raise ValueError(f"atol must be >= 0 (a tolerance), got {atol}")
    return atol


def extremes(z: Any, atol: float = 1e-9) -> Extremes:
    """Largest and smallest entries of ``z`` with *every* location of each, and every zero.

    >>> e = extremes([[3, 0], [-6, 6]])
    >>> e.max, e.argmax, e.min, e.argmin, e.zeros
    (6.0, [(1, 1)], -6.0, [(1, 0)], [(0, 1)])
    """
    z = as_float_array("z", z, finite=True)
    _check_atol(atol)
    top, bottom = float(z.max()), float(z.min())
    return Extremes(top, locate(z, top, atol), bottom, locate(z, bottom, atol), locate(z, 0.0, atol))


def window_taps(index: int, kernel_size: int, stride: int = 1, dilation: int = 1) -> list[int]:
    """Positions in the *padded* input that output ``index`` reads along one axis.

    >>> window_taps(2, kernel_size=3, stride=2, dilation=2)
    [4, 6, 8]
    """
    index = check_int("index", index, minimum=0)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1, maximum=MAX_KERNEL_SIZE)
    stride = check_int("stride", stride, minimum=1)
    dilation = check_int("dilation", dilation, minimum=1)
    return [index * stride + t * dilation for t in range(kernel_size)]


def influenced_outputs(
    i: int, n: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> list[tuple[int, int]]:
    """Which outputs input position ``i`` (0-based, unpadded) feeds, and through which tap.

    Returns ``(output_index, tap)`` pairs: ``output_index*stride + tap*dilation == i + padding``.
    These are the terms of ∂J/∂X[i] in the backward pass.

    >>> influenced_outputs(3, n=7, kernel_size=3, stride=2, padding=1)
    [(1, 2), (2, 0)]
    """
    check_int("kernel_size", kernel_size, minimum=1, maximum=MAX_KERNEL_SIZE)
    out = output_size(n, kernel_size, stride=stride, padding=padding, dilation=dilation)
    i = check_int("i", i, minimum=0)
    if i >= n:
        raise ValueError(f"i must be an input position 0..{n - 1}, got {i}")
    pos = i + padding
    pairs = []
    for tap in range(kernel_size):
        start = pos - tap * dilation
        if start >= 0 and start % stride == 0 and start // stride < out:
            pairs.append((start // stride, tap))
    return sorted(pairs)


def influence_counts(
    input_shape: tuple[int, int],
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """How many (output, kernel tap) pairs read each input pixel: the footprint of ∂J/∂X.

    It is :func:`conv2d_grad_input` with every gradient and every weight equal to one.
    Pixels with count 0 are never read (a stride larger than the kernel skips them), so
    their gradient is always zero.

    >>> influence_counts((5, 5), 2, stride=2).astype(int)
    array([[1, 1, 1, 1, 0],
           [1, 1, 1, 1, 0],
           [1, 1, 1, 1, 0],
           [1, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    """
    shape = _check_shape("input_shape", input_shape)
    if len(shape) != 2:
        raise ValueError(f"input_shape must be (H, W), got {shape}")
    kernel = check_pair("kernel_size", kernel_size, minimum=1)
    stride_, dilation_ = check_pair("stride", stride, minimum=1), check_pair("dilation", dilation, minimum=1)
    pads = _resolve_padding(padding, kernel, stride_, dilation_)
    out_hw = _output_hw(shape, kernel, stride_, pads, dilation_)
    _check_elements("the input", shape)
    _check_elements("the output", out_hw)
    _check_elements("the kernel", kernel)
    return conv2d_grad_input(shape, np.ones(kernel), np.ones(out_hw), stride_, padding, dilation_)


KERNEL_NAMES = ("identity", "box", "gaussian", "sobel_x", "sobel_y", "laplacian")


def named_kernel(name: str, size: int = 3) -> np.ndarray:
    """A classic image-filter kernel (float64, for :func:`conv2d`).

    ``"identity"``, ``"box"`` (mean of ``size x size``), ``"gaussian"`` (binomial weights,
    ``size x size``, sums to 1; finite for every allowed size), ``size <= MAX_KERNEL_SIZE``, ``"sobel_x"``/``"sobel_y"`` (3x3 derivative: responds to vertical /
    horizontal edges) and ``"laplacian"`` (3x3, sums to 0).

    >>> named_kernel("sobel_x")
    array([[ 1.,  0., -1.],
           [ 2.,  0., -2.],
           [ 1.,  0., -1.]])
    """
    check_choice("name", name, KERNEL_NAMES)
    size = check_int("size", size, minimum=1, maximum=MAX_KERNEL_SIZE)
    if name in ("sobel_x", "sobel_y", "laplacian") and size != 3:
        raise ValueError(f"the {name} kernel is 3x3, got size={size}")
    if name == "identity":
        k = np.zeros((size, size))
        k[size // 2, size // 2] = 1.0
        return k
    if name == "box":
        return np.full((size, size), 1.0 / size**2)
    if name == "gaussian":
        row = np.array([1.0])
        for _ in range(size - 1):  # halve each step: binomial(size - 1, i) / 2**(size - 1) never overflows
            row = np.convolve(row, [0.5, 0.5])
        k = np.outer(row, row)
        return k / k.sum()
    if name == "sobel_x":
        return np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    if name == "sobel_y":
        return np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])
    return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


@dataclass(frozen=True)
class ConvSigmoidGradients:
    """Forward values and gradients of ``U = sigmoid(conv2d(X, W) + b)`` (see :func:`conv_sigmoid_backward`)."""

    z: np.ndarray
    u: np.ndarray
    grad_z: np.ndarray
    grad_w: np.ndarray
    grad_b: np.ndarray
    grad_x: np.ndarray


def conv_sigmoid_backward(
    x: Any,
    w: Any,
    bias: Any,
    grad_u: Any,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
) -> ConvSigmoidGradients:
    """Backpropagate ∂J/∂U through ``U = sigmoid(Z)``, ``Z = conv2d(X, W, b)``.

    * ``∂J/∂Z = ∂J/∂U * U * (1 - U)`` (elementwise: ``sigmoid' = U(1 - U)``);
    * ``∂J/∂W`` = :func:`conv2d_grad_weight` of ``X`` and ``∂J/∂Z`` (a valid cross-correlation);
    * ``∂J/∂b[m]`` = the sum of ``∂J/∂Z`` over everything but channel ``m``;
    * ``∂J/∂X`` = :func:`conv2d_grad_input` (a full convolution, summed over output channels).

    Shapes as in :func:`conv2d` (``x`` ``(C_in, H, W)`` or ``(N, C_in, H, W)``, ``w`` OIHW).

    >>> g = conv_sigmoid_backward(np.zeros((1, 3, 3)), np.ones((1, 1, 2, 2)), [0.0], np.ones((1, 2, 2)))
    >>> g.u[0].tolist(), g.grad_x[0].tolist()
    ([[0.5, 0.5], [0.5, 0.5]], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])
    """
    x = as_float_array("x", x, ndim=(3, 4), finite=True)
    w = as_float_array("w", w, ndim=4, finite=True)
    z = conv2d(x, w, bias, stride=stride, padding=padding, dilation=dilation)
    g = as_float_array("grad_u", grad_u, ndim=(3, 4), finite=True)
    if g.shape != z.shape:
        raise ValueError(f"grad_u must have the output's shape {z.shape}, got {g.shape}")
    u = 1.0 / (1.0 + np.exp(-z))
    grad_z = g * u * (1.0 - u)
    axes = (0, 2, 3) if grad_z.ndim == 4 else (1, 2)
    return ConvSigmoidGradients(
        z=z,
        u=u,
        grad_z=grad_z,
        grad_w=conv2d_grad_weight(x, w.shape, grad_z, stride, padding, dilation),
        grad_b=grad_z.sum(axis=axes),
        grad_x=conv2d_grad_input(x.shape, w, grad_z, stride, padding, dilation),
    )


EXPLORER_MODES = ("custom", "valid", "same", "full")
EXPLORER_DIRECTIONS = ("forward", "backward", "transposed")


@dataclass(frozen=True)
class ConvScene:
    """Everything the convolution explorer draws for one setting of its controls (square inputs).

    Forward: output ``position`` reads input cells ``taps`` (padded coordinates, row, col) with
    kernel weights ``tap_weights``. Backward: input pixel ``position`` (unpadded coordinates)
    feeds the outputs ``outputs_fed``; ``counts`` says how many outputs each input pixel feeds.
    Transposed: the value ``y[position]`` of an ``(out, out)`` input is spread back over the
    window it would be read from (``taps``, the forward window of that position), and the
    copies add up to ``transposed`` (``n``-by-``n``, with ``output_padding`` extra rows/columns
    so that it comes back to the forward input's size); it equals ∂J/∂X for ∂J/∂Z = ``y``.
    """

    n: int
    kernel_size: int
    stride: int
    padding: tuple[int, int]  # zeros before and after, on both axes
    dilation: int
    mode: str
    flip: bool
    direction: str
    out: int
    x: np.ndarray  # (n, n) input values
    kernel: np.ndarray  # (k, k) the kernel as written
    applied: np.ndarray  # (k, k) the weights as they slide (flipped when flip=True)
    z: np.ndarray  # (out, out) output values
    counts: np.ndarray  # (n, n) how many outputs each input pixel feeds
    steps: int  # positions the step control walks over
    position: tuple[int, int]  # output (i, j) forward, input (r, c) backward
    taps: list[tuple[int, int]]  # forward: padded input cells under the kernel
    tap_weights: list[float]
    outputs_fed: list[tuple[int, int]]  # backward: outputs that read the selected input pixel
    y: np.ndarray  # (out, out) the transposed view's input values
    transposed: np.ndarray  # (n, n) conv_transpose2d(y, applied, ...) = C^T y
    output_padding: int  # rows/columns the transposed view adds to come back to n (< stride)

    @property
    def padded(self) -> int:
        return self.n + sum(self.padding)


def conv_scene(
    n: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    mode: str = "custom",
    flip: bool = False,
    direction: str = "forward",
    step: int = 0,
) -> ConvScene:
    """The model behind the convolution explorer: sizes, values and the highlighted cells.

    ``mode`` ``"custom"`` uses ``padding``; ``"valid"``, ``"same"`` and ``"full"`` set the padding
    themselves (see :func:`padding_for_mode`). ``direction`` is ``"forward"``, ``"backward"``
    or ``"transposed"``. ``step`` picks the output position (forward), input pixel (backward)
    or transposed input value (transposed) in row-major order; it is clamped to the last one. Impossible
    settings raise ``ValueError`` saying why in words. Sizes, stride, padding and dilation are
    at most ``MAX_SCENE_SIZE`` (256).

    >>> s = conv_scene(5, 3, stride=2, padding=1, step=4)
    >>> s.out, s.position, s.taps[:3]
    (3, (1, 1), [(2, 2), (2, 3), (2, 4)])
    """
    n = check_int("input size", n, minimum=1, maximum=MAX_SCENE_SIZE)
    kernel_size = check_int("kernel size", kernel_size, minimum=1, maximum=MAX_SCENE_SIZE)
    stride = check_int("stride", stride, minimum=1, maximum=MAX_SCENE_SIZE)
    padding = check_int("padding", padding, minimum=0, maximum=MAX_SCENE_SIZE)
    dilation = check_int("dilation", dilation, minimum=1, maximum=MAX_SCENE_SIZE)
    check_choice("mode", mode, EXPLORER_MODES)
    check_choice("direction", direction, EXPLORER_DIRECTIONS)
    step = check_int("step", step, minimum=0)
    if not isinstance(flip, (bool, np.bool_)):
        raise TypeError(f"flip must be True or False, got {flip!r}")
    span = dilation * (kernel_size - 1) + 1
    if mode == "custom":
        pads = (padding, padding)
    elif mode == "same" and stride != 1:
        raise ValueError(
            f"'same' padding keeps the output as large as the input only with stride 1, but the stride is "
            f"{stride}: every step of {stride} would need about {stride}x the input to come out the same size"
        )
    else:
        pads = padding_for_mode(mode, kernel_size, dilation, stride)
    padded = n + sum(pads)
    if span > padded:
        raise ValueError(
            f"the kernel does not fit: a {kernel_size}x{kernel_size} kernel with dilation {dilation} spans "
            f"{span}x{span} cells, but the padded input is only {padded}x{padded} "
            f"({n} plus {pads[0]} + {pads[1]} zeros)"
        )
    out = (padded - span) // stride + 1
    x = ((3 * np.arange(n)[:, None] + 2 * np.arange(n)[None, :]) % 4).astype(float)
    kernel = np.arange(1.0, kernel_size**2 + 1).reshape(kernel_size, kernel_size)
    applied = kernel[::-1, ::-1] if flip else kernel
    pad_arg = (pads[0], pads[0]) if pads[0] == pads[1] else "same"
    z = conv2d(x, applied, stride=stride, padding=pad_arg, dilation=dilation)
    per_axis = [len(_fed_1d(i + pads[0], kernel_size, stride, dilation, out)) for i in range(n)]
    counts = np.outer(per_axis, per_axis).astype(float)  # = influence_counts((n, n), ...), separably
    y = ((np.arange(out)[:, None] + 2 * np.arange(out)[None, :]) % 3 + 1).astype(float)
    output_padding = (padded - span) % stride
    if pads[0] == pads[1]:
        transposed = conv_transpose2d(y, applied, stride=stride, padding=pads[0], output_padding=output_padding,
                                      dilation=dilation)
    else:  # 'same' with an odd total: ConvTranspose2d has one padding per side; the backward pass is general
        transposed = conv2d_grad_input((n, n), applied, y, stride=stride, padding="same", dilation=dilation)
    steps = n * n if direction == "backward" else out * out
    k = min(step, steps - 1)
    taps: list[tuple[int, int]] = []
    weights: list[float] = []
    fed: list[tuple[int, int]] = []
    if direction != "backward":
        i, j = divmod(k, out)
        for a in range(kernel_size):
            for b in range(kernel_size):
                taps.append((i * stride + a * dilation, j * stride + b * dilation))
                weights.append(float(applied[a, b]))
    else:
        i, j = divmod(k, n)
        rows = _fed_1d(i + pads[0], kernel_size, stride, dilation, out)
        cols = _fed_1d(j + pads[0], kernel_size, stride, dilation, out)
        fed = [(r, c) for r in rows for c in cols]
    return ConvScene(
        n=n, kernel_size=kernel_size, stride=stride, padding=pads, dilation=dilation, mode=mode, flip=bool(flip),
        direction=direction, out=out, x=x, kernel=kernel, applied=applied, z=z, counts=counts, steps=steps,
        position=(i, j), taps=taps, tap_weights=weights, outputs_fed=fed, y=y, transposed=transposed,
        output_padding=output_padding,
    )


def _fed_1d(pos: int, kernel_size: int, stride: int, dilation: int, out: int) -> list[int]:
    starts = (pos - t * dilation for t in range(kernel_size))
    return sorted({s // stride for s in starts if s >= 0 and s % stride == 0 and s // stride < out})


# -- pooling --------------------------------------------------------------------------------
POOL_MODES = ("max", "avg")


def _pool_geometry(x: Any, kernel_size: Any, stride: Any, padding: Any, mode: str) -> tuple:
    check_choice("mode", mode, POOL_MODES)
    x = as_float_array("x", x, ndim=(2, 3, 4), finite=True)
    kernel = check_pair("kernel_size", kernel_size, minimum=1)
    stride_ = kernel if stride is None else check_pair("stride", stride, minimum=1)
    pads = check_pair("padding", padding, minimum=0)
    for p, k, axis in zip(pads, kernel, ("height", "width")):
        if 2 * p > k:
            raise ValueError(
                f"padding must be at most half the kernel size (PyTorch's rule, so that every window holds "
                f"at least one input cell): along the {axis}, padding {p} with kernel size {k}"
            )
    x4 = x.reshape((1,) * (4 - x.ndim) + x.shape)
    out_hw = _output_hw(x4.shape[2:], kernel, stride_, (pads[0], pads[0], pads[1], pads[1]), (1, 1))
    _check_elements("the padded input", (*x4.shape[:2], x4.shape[2] + 2 * pads[0], x4.shape[3] + 2 * pads[1]))
    return x, x4, kernel, stride_, pads, out_hw


def _pool_windows(x4: np.ndarray, kernel: tuple[int, int], stride_: tuple[int, int], pads: tuple[int, int],
                  out_hw: tuple[int, int], fill: float) -> np.ndarray:
    """(N, C, H', W', kh, kw) view of the windows of the padded input (padding = ``fill``)."""
    (ph, pw), (sh, sw), (ho, wo) = pads, stride_, out_hw
    padded = np.full((*x4.shape[:2], x4.shape[2] + 2 * ph, x4.shape[3] + 2 * pw), fill, x4.dtype)
    padded[:, :, ph : ph + x4.shape[2], pw : pw + x4.shape[3]] = x4
    windows = sliding_window_view(padded, kernel, axis=(2, 3))
    return windows[:, :, : (ho - 1) * sh + 1 : sh, : (wo - 1) * sw + 1 : sw]


def pool2d(
    x: Any,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    mode: str = "max",
) -> np.ndarray:
    """Max or average pooling: equal to ``torch.nn.functional.max_pool2d`` / ``avg_pool2d``.

    Each output is the largest (``mode="max"``) or the mean (``mode="avg"``) of one
    ``kernel_size`` window; windows step by ``stride``, which defaults to the kernel size
    (non-overlapping windows, as in PyTorch). Max pooling pads with ``-inf`` (padding never
    wins); average pooling pads with zeros and *counts* them, as PyTorch's default
    ``count_include_pad=True`` does. The output size is :func:`output_size` (rounded down,
    PyTorch's ``ceil_mode=False``). Pooling has no weights and acts on each channel alone.

    Parameters
    ----------
    x : array_like
        ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``, finite.
    kernel_size, stride, padding : int or (int, int)
        ``padding`` is at most half the kernel size (PyTorch's rule).
    mode : "max" or "avg"

    Examples
    --------
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> pool2d(x, 2)
    array([[ 5.,  7.],
           [13., 15.]])
    >>> pool2d(x, 2, mode="avg")
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    x, x4, kernel, stride_, pads, out_hw = _pool_geometry(x, kernel_size, stride, padding, mode)
    (kh, kw), (sh, sw), (ph, pw), (ho, wo) = kernel, stride_, pads, out_hw
    padded = np.full((*x4.shape[:2], x4.shape[2] + 2 * ph, x4.shape[3] + 2 * pw),
                     -np.inf if mode == "max" else 0.0, x4.dtype)
    padded[:, :, ph : ph + x4.shape[2], pw : pw + x4.shape[3]] = x4
    out = None
    for a in range(kh):  # one vectorized max/add per kernel tap, over every window at once
        for b in range(kw):
            tap = padded[:, :, a : a + (ho - 1) * sh + 1 : sh, b : b + (wo - 1) * sw + 1 : sw]
            if out is None:
                out = tap.copy()
            elif mode == "max":
                np.maximum(out, tap, out=out)
            else:
                out += tap
    if mode == "avg":
        out /= kh * kw
    return out.reshape(x.shape[:-2] + out.shape[2:])


def pool2d_grad_input(
    x: Any,
    grad_output: Any,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    mode: str = "max",
) -> np.ndarray:
    """∂J/∂X of ``pool2d(x, ...)`` given ∂J/∂(output): what PyTorch's autograd returns.

    Max pooling routes each output's gradient to the *one* input that won its window (the
    first in reading order on ties, as PyTorch does); every other input of the window gets
    nothing from it. Average pooling spreads each output's gradient evenly, ``1/(kh*kw)`` to
    each cell of the window (padding included, so border cells get less in total). Inputs
    read by several overlapping windows add up their shares.

    >>> x = np.array([[1.0, 3.0], [2.0, 0.0]])
    >>> pool2d_grad_input(x, [[10.0]], 2)
    array([[ 0., 10.],
           [ 0.,  0.]])
    >>> pool2d_grad_input(x, [[10.0]], 2, mode="avg")
    array([[2.5, 2.5],
           [2.5, 2.5]])
    """
    x, x4, kernel, stride_, pads, out_hw = _pool_geometry(x, kernel_size, stride, padding, mode)
    g = as_float_array("grad_output", grad_output, finite=True)
    expected = x.shape[:-2] + tuple(out_hw)
    if g.shape != expected:
        raise ValueError(f"grad_output must have the pooled output's shape {expected}, got {g.shape}")
    g4 = g.reshape(x4.shape[:2] + tuple(out_hw))
    (kh, kw), (sh, sw), (ph, pw), (ho, wo) = kernel, stride_, pads, out_hw
    dtype = _result_dtype(x4, g4)
    grad = np.zeros((*x4.shape[:2], x4.shape[2] + 2 * ph, x4.shape[3] + 2 * pw), dtype)
    if mode == "max":
        windows = _pool_windows(x4, kernel, stride_, pads, out_hw, -np.inf)
        winner = windows.reshape(*windows.shape[:4], kh * kw).argmax(axis=-1)  # first maximum
    for a in range(kh):
        for b in range(kw):
            share = g4 * (winner == a * kw + b) if mode == "max" else g4 / (kh * kw)
            grad[:, :, a : a + (ho - 1) * sh + 1 : sh, b : b + (wo - 1) * sw + 1 : sw] += share
    grad = grad[:, :, ph : ph + x4.shape[2], pw : pw + x4.shape[3]]
    return np.ascontiguousarray(grad).reshape(x.shape)


# -- convolution as a matrix, and its transpose ----------------------------------------------
def conv2d_matrix(
    input_shape: tuple[int, ...],
    w: Any,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """The matrix ``C`` of a convolution: ``conv2d(x, w, ...).ravel() == C @ x.ravel()``.

    A convolution is linear in its input, so it is a matrix product; ``C`` has one row per
    output value and one column per input value, and row ``r`` holds the kernel's weights at
    the input cells that output ``r`` reads (zeros elsewhere: ``C`` is sparse and banded, a
    "doubly block Toeplitz" matrix for a 2-D input). Its transpose ``C.T`` maps an output-
    sized array back to an input-sized one: ``C.T @ g.ravel()`` is :func:`conv2d_grad_input`,
    and :func:`conv_transpose2d` is named after it.

    ``input_shape`` is ``(H, W)`` (``w`` 2-D) or ``(C_in, H, W)`` (``w`` OIHW), with at most
    ``MAX_MATRIX_INPUTS`` (4096) values: ``C`` is dense.

    >>> conv2d_matrix((1, 4), [[1.0, 0.0, 2.0]])      # the 1-D example [1, 2, 3, 4] * [1, 0, 2]
    array([[1., 0., 2., 0.],
           [0., 1., 0., 2.]])
    """
    shape = _check_shape("input_shape", input_shape)
    w = as_float_array("w", w, ndim=(2, 4), finite=True)
    if len(shape) != (2 if w.ndim == 2 else 3):
        raise ValueError(
            f"input_shape must be (H, W) for a 2-D kernel or (C_in, H, W) for an OIHW kernel; got {shape} "
            f"with a kernel of shape {w.shape}"
        )
    size = int(np.prod(shape))
    if size > MAX_MATRIX_INPUTS:
        raise ValueError(
            f"input_shape {shape} has {size} values; conv2d_matrix builds a dense matrix and allows at most "
            f"MAX_MATRIX_INPUTS = {MAX_MATRIX_INPUTS}"
        )
    basis = np.eye(size).reshape(size, *((1,) if w.ndim == 2 else ()), *shape)
    w4 = w[None, None] if w.ndim == 2 else w
    out = conv2d(basis, w4, stride=stride, padding=padding, dilation=dilation, groups=groups)
    return np.ascontiguousarray(out.reshape(size, -1).T)


def conv_transpose2d(
    x: Any,
    w: Any,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """Transposed convolution: equal to ``torch.nn.functional.conv_transpose2d`` (pass arguments by name).

    It multiplies by the *transpose* of the convolution matrix (:func:`conv2d_matrix`): each
    input value is spread over the output through the kernel, and the copies add up. So it
    is exactly the backward pass of ``conv2d`` with the same ``w``, stride, padding and
    dilation (:func:`conv2d_grad_input`), and its output size is
    :func:`transposed_output_size`. Equivalently (Dumoulin & Visin): insert ``stride - 1``
    zeros between the inputs, pad by ``dilation*(k - 1) - padding`` and convolve with the
    kernel flipped. ``output_padding`` (smaller than stride or dilation) adds rows/columns at
    the end, choosing among the input sizes that a strided convolution maps to the same size.

    Parameters
    ----------
    x : array_like
        ``(H, W)`` with a 2-D ``w``, else ``(C_in, H, W)`` or ``(N, C_in, H, W)``.
    w : array_like
        ``(kh, kw)``, or ``(C_in, C_out/groups, kh, kw)``: PyTorch's layout for a transposed
        convolution (input channels first, the transpose of ``conv2d``'s OIHW).

    >>> conv_transpose2d([[1.0, 2.0]], [[1.0, 10.0]], stride=2)
    array([[ 1., 10.,  2., 20.]])
    >>> conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)))   # overlapping copies add up
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    x = as_float_array("x", x, ndim=(2, 3, 4), finite=True)
    w = as_float_array("w", w, ndim=(2, 4), finite=True)
    groups = check_int("groups", groups, minimum=1)
    if x.ndim == 2:
        if w.ndim != 2:
            raise ValueError(f"a 2-D input of shape {x.shape} needs a 2-D kernel (kh, kw), got shape {w.shape}")
        if groups != 1:
            raise ValueError(f"groups must be 1 for a one-channel 2-D input, got groups={groups}")
        x4, w4 = x[None, None], w[None, None]
    else:
        if w.ndim != 4:
            raise ValueError(
                f"an input of shape {x.shape} needs a kernel of shape (C_in, C_out/groups, kh, kw), got {w.shape}"
            )
        x4 = x[None] if x.ndim == 3 else x
        if x4.shape[1] != w.shape[0]:
            raise ValueError(
                f"channel mismatch: x of shape {x.shape} has {x4.shape[1]} channel(s) but the kernel of shape "
                f"{w.shape} expects C_in={w.shape[0]} (a transposed convolution's kernel is (C_in, C_out/groups, kh, kw))"
            )
        _check_groups(groups, x4.shape[1], w.shape[1] * groups)
        w4 = w
    stride_, dilation_ = check_pair("stride", stride, minimum=1), check_pair("dilation", dilation, minimum=1)
    pads = check_pair("padding", padding, minimum=0)
    out_pad = check_pair("output_padding", output_padding, minimum=0)
    out_hw = []
    for n, k, s, p, op, d, axis in zip(x4.shape[2:], w4.shape[2:], stride_, pads, out_pad, dilation_,
                                       ("height", "width")):
        try:
            out_hw.append(transposed_output_size(n, k, s, p, op, d))
        except ValueError as exc:
            raise ValueError(f"along the {axis}: {exc}") from None
    c_out = w4.shape[1] * groups
    _check_elements("the output", (x4.shape[0], c_out, *out_hw))
    grad = _grad_input_core((x4.shape[0], c_out, *out_hw), w4, x4, stride_, dilation_,
                            (pads[0], pads[0], pads[1], pads[1]), groups)
    return _squeeze(grad, x.ndim)


# -- padding conventions ---------------------------------------------------------------------
def same_padding_tf(n: int, kernel_size: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow/Keras ``padding="SAME"``: zeros (before, after) giving ``ceil(n / stride)`` outputs.

    Unlike PyTorch's ``padding="same"`` (stride 1 only), TensorFlow allows any stride: it pads
    just enough, ``max((ceil(n/s) - 1)*s + d*(k - 1) + 1 - n, 0)`` in total, and puts the odd
    zero *after* the input. The padding can therefore be asymmetric, which PyTorch's integer
    ``padding`` cannot express.

    >>> same_padding_tf(7, 3, stride=2), same_padding_tf(8, 3, stride=2)
    ((1, 1), (0, 1))
    """
    n = check_int("n", n, minimum=1)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    dilation = check_int("dilation", dilation, minimum=1)
    out = _ceil_div(n, stride)
    total = max((out - 1) * stride + dilation * (kernel_size - 1) + 1 - n, 0)
    return (total // 2, total - total // 2)


def causal_padding(kernel_size: int, dilation: int = 1) -> tuple[int, int]:
    """Zeros (before, after) for a *causal* 1-D convolution: output ``t`` reads inputs ``<= t`` only.

    All ``dilation*(kernel_size - 1)`` zeros go before the input, none after, so the output has
    the input's length and never looks ahead (WaveNet, temporal convolutional networks, Keras'
    ``padding="causal"``).

    >>> causal_padding(3), causal_padding(3, dilation=2)
    ((2, 0), (4, 0))
    """
    kernel_size = check_int("kernel_size", kernel_size, minimum=1, maximum=MAX_KERNEL_SIZE)
    dilation = check_int("dilation", dilation, minimum=1)
    return (dilation * (kernel_size - 1), 0)


# -- internals ------------------------------------------------------------------------------
def _fmt_places(places: list[tuple[int, ...]]) -> str:
    return ", ".join("(" + ", ".join(str(i) for i in p) + ")" for p in places)


def _result_dtype(a: np.ndarray, b: np.ndarray) -> type:
    return np.float32 if a.dtype == np.float32 and b.dtype == np.float32 else np.float64


def _check_shape(name: str, shape: Any) -> tuple[int, ...]:
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of integers, got {shape!r}")
    return tuple(check_int(f"{name}[{i}]", s, minimum=1) for i, s in enumerate(shape))


def _resolve_padding(
    padding: Any, kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]
) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) zeros for an int, a pair or a mode name."""
    if isinstance(padding, str):
        check_choice("padding", padding, MODES)
        if padding == "same" and stride != (1, 1):
            raise ValueError(f'padding="same" needs stride 1, got stride={stride}')
        rows = padding_for_mode(padding, kernel[0], dilation[0])
        cols = padding_for_mode(padding, kernel[1], dilation[1])
        return (*rows, *cols)
    ph, pw = check_pair("padding", padding, minimum=0)
    return (ph, ph, pw, pw)


def _output_hw(
    hw: tuple[int, ...], kernel: tuple[int, int], stride: tuple[int, int], pads: tuple[int, int, int, int],
    dilation: tuple[int, int],
) -> tuple[int, int]:
    sizes = []
    for n, k, s, (lo, hi), d, axis in zip(hw, kernel, stride, (pads[:2], pads[2:]), dilation, ("height", "width")):
        try:
            if lo == hi:
                sizes.append(output_size(int(n), k, s, lo, d))
            else:  # asymmetric "same" padding: the output keeps the input's size
                sizes.append(output_size(int(n) + 1, k, s, (lo + hi) // 2, d))
        except ValueError as exc:
            raise ValueError(f"along the {axis}: {exc}") from None
    return (sizes[0], sizes[1])


def _check_groups(groups: Any, c_in: int, c_out: int) -> int:
    groups = check_int("groups", groups, minimum=1)
    if c_in % groups or c_out % groups:
        raise ValueError(
            f"groups must divide both the input channels and the output channels: groups={groups}, "
            f"C_in={c_in}, C_out={c_out}"
        )
    return groups


def _as_nchw(x: np.ndarray, w: np.ndarray, groups: Any = 1) -> tuple[np.ndarray, np.ndarray, int]:
    """Bring x to (N, C, H, W) and w to (O, C/groups, kh, kw); remember x's original rank."""
    groups = check_int("groups", groups, minimum=1)
    if x.ndim == 2:
        if w.ndim != 2:
            raise ValueError(f"a 2-D input of shape {x.shape} needs a 2-D kernel (kh, kw), got shape {w.shape}")
        if groups != 1:
            raise ValueError(f"groups must be 1 for a one-channel 2-D input, got groups={groups}")
        return x[None, None], w[None, None], 2
    if w.ndim != 4:
        raise ValueError(
            f"an input of shape {x.shape} needs a kernel of shape (C_out, C_in, kh, kw), got shape {w.shape}"
        )
    x4 = x[None] if x.ndim == 3 else x
    if groups != 1:
        _check_groups(groups, x4.shape[1], w.shape[0])
    if x4.shape[1] != w.shape[1] * groups:
        per_group = f" ({w.shape[1]} per group times groups={groups})" if groups != 1 else ""
        raise ValueError(
            f"channel mismatch: x of shape {x.shape} has {x4.shape[1]} channel(s) but the kernel of shape "
            f"{w.shape} expects C_in={w.shape[1] * groups}{per_group}"
        )
    return x4, w, x.ndim


def _squeeze(out: np.ndarray, rank: int) -> np.ndarray:
    if rank == 2:
        return out[0, 0]
    if rank == 3:
        return out[0]
    return out


def _squeeze_shape(shape: tuple[int, ...], rank: int) -> tuple[int, ...]:
    return tuple(shape[4 - rank :]) if rank == 3 else (tuple(shape[2:]) if rank == 2 else tuple(shape))


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


_STACK_BYTES = 16 * 2**20  # above this, per-tap products replace the single stacked one


def _correlate(
    x: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, int],
    pads: tuple[int, int, int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
) -> np.ndarray:
    """The engine: (N, C, H, W) * (O, C, kh, kw) -> (N, O, H', W'), no loop over positions.

    1. Space-to-depth: the padded input is cut into ``sh x sw`` phases, which become
       channels (C -> C*sh*sw); the (dilated) kernel is cut the same way into
       ``ceil(span/s)`` taps per axis. The strided convolution is now a stride-1 one.
    2. Stride 1 by shifted matrix products: with channels first and (N, H, W) flattened into
       one long axis, the input at tap (a, b) is the same matrix shifted by ``a*W + b``
       columns, so each tap is one (O x C') @ (C' x L) product on a view (no im2col copy).
       Columns that wrap around a row or an image are computed and then cropped.
    """
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    (sh, sw), (dh, dw), (ho, wo) = stride, dilation, out_hw
    top, _, left, _ = pads
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    # A stride longer than the window skips cells no window reads: gather only the cells under
    # the windows (ho windows of span_h rows, back to back), so memory does not grow with the
    # stride; the windows then follow each other with stride span_h.
    gather_h, gather_w = sh > span_h, sw > span_w
    sh, sw = (span_h if gather_h else sh), (span_w if gather_w else sw)
    k1, k2 = _ceil_div(span_h, sh), _ceil_div(span_w, sw)
    hs, ws = ho + k1 - 1, wo + k2 - 1
    dtype = x.dtype
    # zero-padded input, cropped/extended to exactly (hs*sh, ws*sw), then phases -> channels
    rows_needed, cols_needed = hs * sh, ws * sw
    _check_elements("the padded input", (n, c, rows_needed, cols_needed))
    _check_elements("the output", (n, o, hs, ws))
    _check_elements("the spread kernel", (o, c, k1 * sh, k2 * sw))
    if pads == (0, 0, 0, 0) and rows_needed <= h and cols_needed <= wd and not (gather_h or gather_w):
        target = x[:, :, :rows_needed, :cols_needed]  # a view: nothing to pad
    elif not (gather_h or gather_w):
        target = np.zeros((n, c, rows_needed, cols_needed), dtype)
        rows_avail = max(0, min(h, rows_needed - top))
        cols_avail = max(0, min(wd, cols_needed - left))
        target[:, :, top : top + rows_avail, left : left + cols_avail] = x[:, :, :rows_avail, :cols_avail]
    else:
        def source(needed: int, step: int, span: int, gathered: bool, before: int) -> np.ndarray:
            if gathered:  # row t of window i sits at padded row i*step + t
                return (np.arange(needed // span)[:, None] * step + np.arange(span)[None, :]).ravel() - before
            return np.arange(needed) - before

        rows = source(rows_needed, stride[0], span_h, gather_h, top)
        cols_ = source(cols_needed, stride[1], span_w, gather_w, left)
        keep_r = np.flatnonzero((rows >= 0) & (rows < h))
        keep_c = np.flatnonzero((cols_ >= 0) & (cols_ < wd))
        target = np.zeros((n, c, rows_needed, cols_needed), dtype)
        if keep_r.size and keep_c.size:
            target[:, :, keep_r[:, None], keep_c[None, :]] = x[:, :, rows[keep_r][:, None], cols_[keep_c][None, :]]
    cols = target.reshape(n, c, hs, sh, ws, sw).transpose(1, 3, 5, 0, 2, 4).reshape(c * sh * sw, n * hs * ws)
    kernel = np.zeros((o, c, k1 * sh, k2 * sw), dtype)
    kernel[:, :, :span_h:dh, :span_w:dw] = w
    taps = kernel.reshape(o, c, k1, sh, k2, sw).transpose(2, 4, 0, 1, 3, 5).reshape(k1, k2, o, c * sh * sw)
    mask = np.zeros((k1 * sh, k2 * sw), bool)
    mask[:span_h:dh, :span_w:dw] = True
    active = [(int(a), int(b)) for a, b in zip(*np.nonzero(mask.reshape(k1, sh, k2, sw).any(axis=(1, 3))))]
    total = n * hs * ws
    length = total - ((k1 - 1) * ws + (k2 - 1))
    out = np.empty((o, total), dtype)  # the last columns stay unset: they are cropped below
    acc = out[:, :length]
    if len(active) * o * total * x.itemsize <= _STACK_BYTES:
        # few taps: ONE matrix product for all of them, then add the shifted partial outputs
        stacked = np.concatenate([taps[a, b] for a, b in active]) @ cols  # (taps * o, total)
        for t, (a, b) in enumerate(active):
            offset = a * ws + b
            part = stacked[t * o : (t + 1) * o, offset : offset + length]
            if t == 0:
                acc[...] = part
            else:
                acc += part
    else:
        # many taps: one product per tap, accumulated (keeps memory at one output's worth)
        tmp = np.empty((o, length), dtype)
        for t, (a, b) in enumerate(active):
            offset = a * ws + b
            np.matmul(taps[a, b], cols[:, offset : offset + length], out=acc if t == 0 else tmp)
            if t:
                acc += tmp
    return np.ascontiguousarray(out.reshape(o, n, hs, ws)[:, :, :ho, :wo].transpose(1, 0, 2, 3))
