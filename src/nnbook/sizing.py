"""Sizing a CNN layer by layer: shapes, weights per neuron, neurons, connections, parameters,
multiplications; and the configuration solver ("which k, s, p, d give this output?").

The chapter "CNN sizing" tells the story; this module computes every number in it. Layer specs
are named and parametrised as in PyTorch (``Conv2d`` with ``groups``, ``BatchNorm2d``,
``MaxPool2d``, ``AvgPool2d``, ``AdaptiveAvgPool2d``, ``Flatten``, ``Linear``, ``ReLU``,
``Dropout``), except that input channels/features are inferred from the
layer before, so a network is written as a plain list::

    >>> net = [Conv2d(16, 8, stride=4), ReLU(), Conv2d(32, 4, stride=2), ReLU(),
    ...        Linear(256), ReLU(), Linear(18)]
    >>> s = summarize((4, 84, 84), net)       # the Atari DQN of Mnih et al. (2013)
    >>> s.rows[0].output_shape, s.rows[0].connections, s.total_params
    ((16, 20, 20), 1644800, 680770)

Definitions (per layer; the chapter explains each with the DQN)
-----------------------------------------------------------------
weights per neuron
    The weights one output neuron multiplies its inputs with, **plus one for its bias** (if the
    layer has biases): ``C_in * kh * kw + 1`` for a convolution, ``in_features + 1`` for a dense
    layer, 0 for layers without weights (pooling, activations, flatten).
neurons
    The output elements a layer *computes*: ``C_out * H_out * W_out`` for a convolution,
    ``out_features`` for a dense layer, the output elements for pooling (each pooling unit
    computes a max or a mean). Activations and ``Flatten`` create no new neurons (0): a
    rectifier belongs to the neurons of the layer before it, and flattening only re-indexes.
connections
    ``neurons * weights_per_neuron``: every weighted input of every neuron, the bias counted as
    one connection (from a constant input 1), as the course solutions do.
params
    Independent (trainable) parameters. A convolution *shares* its kernel over all positions,
    so its parameters are ``C_out * (C_in * kh * kw + 1)``, far fewer than its connections; in
    a dense layer nothing is shared and params == connections. Pooling has no parameters.
multiplications
    Multiplies only, for one input (batch size 1): a convolution output element costs
    ``C_in * kh * kw`` multiplies (padded zeros included, as a dense implementation does them),
    a dense neuron ``in_features``; bias *additions* are not multiplies and are not counted;
    pooling and activations cost 0 multiplies (max pooling compares; average pooling adds and
    divides once per output, not counted here).

buffers
    Saved numbers that are not learned: batch norm's running mean and variance (2C per layer).
receptive field, jump
    The input patch (height, width) one output value depends on, and the distance in input
    pixels between neighbouring outputs: ``r <- r + (k - 1) * d * j``, then ``j <- j * s``,
    from ``r = j = 1``.
MACs, FLOPs
    Multiply-accumulates are our multiplications; FLOPs count the multiply and the add apart,
    ``2 * MACs``.
activations
    The values a layer writes for one input (0 for ``Flatten``, a view, and for element-wise
    activations, which can run in place); times the batch and 4 bytes for float32 memory.

How this differs from torchinfo's "Mult-Adds": torchinfo counts, per layer, (weights + biases)
x output positions, i.e. one operation per weighted connection *including the bias*. For
conv and dense layers that is exactly our ``connections``; our ``multiplications`` are smaller
by one per neuron (the bias term), i.e. ``multiplications = connections - neurons`` for layers
with biases.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from . import conv
from ._validate import check_int, check_pair, check_real

__all__ = [
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "Flatten",
    "Linear",
    "ReLU",
    "Elementwise",
    "Dropout",
    "BatchNorm2d",
    "AdaptiveAvgPool2d",
    "Layer",
    "Table",
    "COLUMNS",
    "DEFAULT_COLUMNS",
    "lenet5",
    "alexnet",
    "vgg16",
    "mobilenet_v2",
    "FAMOUS_NETWORKS",
    "famous_networks",
    "networks_table",
    "Row",
    "Summary",
    "summarize",
    "summarize_torch",
    "Config",
    "Solutions",
    "solve",
    "DEFAULT_MAX_KERNEL_SIZE",
    "DEFAULT_MAX_STRIDE",
    "DEFAULT_MAX_DILATION",
]

Shape = tuple[int, ...]


# -- argument helpers -----------------------------------------------------------------------
def _in_layer(owner: str, check: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a ``_validate`` check; its TypeError/ValueError message is prefixed with the layer."""
    try:
        return check(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{owner}: {exc}") from None


def _pair(owner: str, name: str, value: Any, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints (height, width), as PyTorch accepts them; errors name the layer."""
    return _in_layer(owner, check_pair, name, value, minimum=minimum)


def _int(owner: str, name: str, value: Any, minimum: int) -> int:
    return _in_layer(owner, check_int, name, value, minimum=minimum)


def _bool(owner: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return value


def _fmt_pair(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def _shape_text(shape: Shape) -> str:
    return str(tuple(int(d) for d in shape))


def _compact_shape(shape: Shape) -> str:
    """``C×H×W`` (or the number of features): the shapes of the text tables, kept short."""
    return "×".join(str(int(d)) for d in shape)


# -- layer specs ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Result:
    output_shape: Shape
    weights_per_neuron: int
    neurons: int
    params: int
    biases: int
    multiplications: int
    span: tuple[int, int] | None = None  # dilated window (height, width) for receptive fields
    stride: tuple[int, int] | None = None
    buffers: int = 0  # saved state that is not learned (batch norm's running statistics)
    in_place: bool = False  # no new values stored: Flatten is a view, activations run in place
    ends_receptive_field: bool = False  # windows of unequal sizes: no single receptive field


class Layer:
    """Base class of the layer specs. ``apply(input_shape)`` does the sizing of one layer."""

    def label(self) -> str:
        """A short name for tables, e.g. ``Conv2d(16, k=8, s=4)``."""
        raise NotImplementedError  # pragma: no cover - abstract

    def apply(self, input_shape: Sequence[int]) -> _Result:
        """Size this layer for one input of ``input_shape``: (C, H, W) or (features,).

        >>> Conv2d(8, 3).apply((3, 10, 10)).output_shape
        (8, 8, 8)
        """
        return self._apply(_check_input_shape(input_shape))

    def _apply(self, input_shape: Shape) -> _Result:  # pragma: no cover - abstract
        raise NotImplementedError

    def __str__(self) -> str:
        return self.label()


def _window_output(owner: str, shape: Shape, kernel: tuple[int, int], stride: tuple[int, int],
                   padding: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int]:
    if len(shape) != 3:
        raise ValueError(
            f"{owner} needs a (channels, height, width) input, but its input is a vector of "
            f"{shape[0]} features; put convolution and pooling layers before any Flatten/Linear layer"
        )
    out = []
    for axis, n, k, s, p, d in zip(("height", "width"), shape[1:], kernel, stride, padding, dilation):
        try:
            out.append(conv.output_size(n, k, stride=s, padding=p, dilation=d))
        except ValueError as exc:
            raise ValueError(f"along the {axis}, {exc}") from None
    return out[0], out[1]


@dataclass(frozen=True, repr=False)
class Conv2d(Layer):
    """A 2-D convolution with ``out_channels`` filters; input channels come from the layer before.

    Arguments as in ``torch.nn.Conv2d`` (without ``in_channels``); ``kernel_size``, ``stride``,
    ``padding`` and ``dilation`` are an int or a (height, width) pair. With ``groups=g`` the
    input and output channels are split into g groups and each filter sees only the
    ``C_in / g`` channels of its group (``groups = C_in`` is a *depthwise* convolution); g must
    divide both channel counts.

    >>> Conv2d(16, 8, stride=4)
    Conv2d(16, kernel_size=8, stride=4)
    >>> summarize((4, 84, 84), [Conv2d(16, 8, stride=4)]).rows[0].params
    4112
    >>> summarize((32, 56, 56), [Conv2d(32, 3, padding=1, groups=32)]).rows[0].params  # depthwise
    320
    """

    out_channels: int
    kernel_size: int | tuple[int, int]
    stride: int | tuple[int, int] = 1
    padding: int | tuple[int, int] = 0
    dilation: int | tuple[int, int] = 1
    groups: int = 1
    bias: bool = True
    _k: tuple[int, int] = field(init=False, compare=False)
    _s: tuple[int, int] = field(init=False, compare=False)
    _p: tuple[int, int] = field(init=False, compare=False)
    _d: tuple[int, int] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        who = "Conv2d"
        _int(who, "out_channels", self.out_channels, 1)
        object.__setattr__(self, "_k", _pair(who, "kernel_size", self.kernel_size, 1))
        object.__setattr__(self, "_s", _pair(who, "stride", self.stride, 1))
        object.__setattr__(self, "_p", _pair(who, "padding", self.padding, 0))
        object.__setattr__(self, "_d", _pair(who, "dilation", self.dilation, 1))
        _int(who, "groups", self.groups, 1)
        if self.out_channels % self.groups:
            raise ValueError(
                f"Conv2d: groups must divide out_channels, but {self.groups} does not divide "
                f"{self.out_channels}"
            )
        _bool(who, "bias", self.bias)

    def __repr__(self) -> str:
        args = [str(self.out_channels), f"kernel_size={_fmt_pair(self._k)}"]
        for name, value, default in (("stride", self._s, 1), ("padding", self._p, 0), ("dilation", self._d, 1)):
            if value != (default, default):
                args.append(f"{name}={_fmt_pair(value)}")
        if self.groups != 1:
            args.append(f"groups={self.groups}")
        if not self.bias:
            args.append("bias=False")
        return f"Conv2d({', '.join(args)})"

    def label(self) -> str:
        parts = [str(self.out_channels), f"k={_fmt_pair(self._k)}"]
        for short, value, default in (("s", self._s, 1), ("p", self._p, 0), ("d", self._d, 1)):
            if value != (default, default):
                parts.append(f"{short}={_fmt_pair(value)}")
        if self.groups != 1:
            parts.append(f"g={self.groups}")
        if not self.bias:
            parts.append("no bias")
        return f"Conv2d({', '.join(parts)})"

    def _apply(self, input_shape: Shape) -> _Result:
        oh, ow = _window_output("Conv2d", input_shape, self._k, self._s, self._p, self._d)
        c_in = input_shape[0]
        if c_in % self.groups:
            raise ValueError(
                f"groups must divide the input channels, but {self.groups} does not divide {c_in}; "
                f"each of the {self.groups} groups needs the same number of input channels"
            )
        taps = (c_in // self.groups) * self._k[0] * self._k[1]  # multiplies per output element
        neurons = self.out_channels * oh * ow
        b = int(self.bias)
        span = tuple(d * (k - 1) + 1 for k, d in zip(self._k, self._d))
        return _Result(
            output_shape=(self.out_channels, oh, ow),
            weights_per_neuron=taps + b,
            neurons=neurons,
            params=self.out_channels * (taps + b),
            biases=self.out_channels * b,
            multiplications=neurons * taps,
            span=span,
            stride=self._s,
        )


@dataclass(frozen=True, repr=False)
class _Pool2d(Layer):
    kernel_size: int | tuple[int, int]
    stride: int | tuple[int, int] | None = None
    padding: int | tuple[int, int] = 0
    _k: tuple[int, int] = field(init=False, compare=False)
    _s: tuple[int, int] = field(init=False, compare=False)
    _p: tuple[int, int] = field(init=False, compare=False)
    _d: tuple[int, int] = field(init=False, compare=False)

    def _check(self, dilation: Any) -> None:
        who = type(self).__name__
        k = _pair(who, "kernel_size", self.kernel_size, 1)
        s = k if self.stride is None else _pair(who, "stride", self.stride, 1)
        p = _pair(who, "padding", self.padding, 0)
        d = _pair(who, "dilation", dilation, 1)
        for pi, ki in zip(p, k):
            if pi > ki // 2:
                raise ValueError(
                    f"{who}: padding {pi} is more than half the kernel size {ki}; PyTorch allows "
                    f"pooling padding of at most kernel_size // 2 = {ki // 2}, since a larger one "
                    "would create windows that see only padding"
                )
        object.__setattr__(self, "_k", k)
        object.__setattr__(self, "_s", s)
        object.__setattr__(self, "_p", p)
        object.__setattr__(self, "_d", d)

    def _args(self, short: bool) -> list[str]:
        args = [("k=" if short else "kernel_size=") + _fmt_pair(self._k)]
        if self._s != self._k:
            args.append(("s=" if short else "stride=") + _fmt_pair(self._s))
        if self._p != (0, 0):
            args.append(("p=" if short else "padding=") + _fmt_pair(self._p))
        if self._d != (1, 1):
            args.append(("d=" if short else "dilation=") + _fmt_pair(self._d))
        return args

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self._args(short=False))})"

    def label(self) -> str:
        return f"{type(self).__name__}({', '.join(self._args(short=True))})"

    def _apply(self, input_shape: Shape) -> _Result:
        oh, ow = _window_output(type(self).__name__, input_shape, self._k, self._s, self._p, self._d)
        c = input_shape[0]
        span = tuple(d * (k - 1) + 1 for k, d in zip(self._k, self._d))
        return _Result((c, oh, ow), 0, c * oh * ow, 0, 0, 0, span=span, stride=self._s)


@dataclass(frozen=True, repr=False)
class MaxPool2d(_Pool2d):
    """Max pooling; ``stride`` defaults to ``kernel_size`` (non-overlapping windows), as in PyTorch.

    >>> summarize((64, 125, 125), [MaxPool2d(5)]).rows[0].output_shape
    (64, 25, 25)
    """

    dilation: int | tuple[int, int] = 1

    def __post_init__(self) -> None:
        self._check(self.dilation)


@dataclass(frozen=True, repr=False)
class AvgPool2d(_Pool2d):
    """Average pooling; ``stride`` defaults to ``kernel_size``, as in PyTorch.

    >>> summarize((8, 10, 10), [AvgPool2d(2)]).rows[0].output_shape
    (8, 5, 5)
    """

    def __post_init__(self) -> None:
        self._check(1)


@dataclass(frozen=True)
class Flatten(Layer):
    """Flatten (C, H, W) into C*H*W features (re-indexing only: no neurons, no parameters).

    >>> summarize((2, 3, 4), [Flatten()]).rows[0].output_shape
    (24,)
    """

    def label(self) -> str:
        return "Flatten()"

    def _apply(self, input_shape: Shape) -> _Result:
        return _Result((math.prod(input_shape),), 0, 0, 0, 0, 0, in_place=True)


@dataclass(frozen=True, repr=False)
class Linear(Layer):
    """A fully-connected layer with ``out_features`` neurons; a (C, H, W) input is flattened.

    >>> Linear(18)
    Linear(18)
    >>> summarize((256,), [Linear(18)]).rows[0].connections
    4626
    """

    out_features: int
    bias: bool = True

    def __post_init__(self) -> None:
        _int("Linear", "out_features", self.out_features, 1)
        _bool("Linear", "bias", self.bias)

    def __repr__(self) -> str:
        return f"Linear({self.out_features}{'' if self.bias else ', bias=False'})"

    def label(self) -> str:
        return f"Linear({self.out_features}{'' if self.bias else ', no bias'})"

    def _apply(self, input_shape: Shape) -> _Result:
        n_in = math.prod(input_shape)
        b = int(self.bias)
        return _Result(
            output_shape=(self.out_features,),
            weights_per_neuron=n_in + b,
            neurons=self.out_features,
            params=self.out_features * (n_in + b),
            biases=self.out_features * b,
            multiplications=self.out_features * n_in,
        )


@dataclass(frozen=True)
class Elementwise(Layer):
    """A parameter-free element-wise layer (an activation, dropout, ...): same shape, no counts.

    >>> Elementwise("Tanh").label()
    'Tanh()'
    """

    name: str = "Identity"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise TypeError(f"Elementwise: name must be a layer name such as 'Tanh', got {self.name!r}")

    def label(self) -> str:
        return f"{self.name}()"

    def _apply(self, input_shape: Shape) -> _Result:
        square = (1, 1) if len(input_shape) == 3 else None
        return _Result(tuple(input_shape), 0, 0, 0, 0, 0, span=square, stride=square, in_place=True)


@dataclass(frozen=True)
class ReLU(Elementwise):
    """The rectifier: it belongs to the neurons of the layer before, so it adds no counts.

    >>> ReLU()
    ReLU()
    """

    name: str = field(default="ReLU", init=False, repr=False)

    def __repr__(self) -> str:
        return "ReLU()"


@dataclass(frozen=True, repr=False)
class Dropout(Elementwise):
    """Dropout with probability ``p`` (as ``torch.nn.Dropout``): no parameters, no multiplies.

    At inference it is the identity; in training it zeroes each value with probability p and
    scales the others by 1/(1 - p).

    >>> Dropout(0.2), Dropout().label()
    (Dropout(p=0.2), 'Dropout(p=0.5)')
    """

    p: float = 0.5
    name: str = field(default="Dropout", init=False)

    def __post_init__(self) -> None:
        value = _in_layer("Dropout", check_real, "p", self.p)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"Dropout: p is a probability, so it must lie in [0, 1]; got {value}")

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"

    def label(self) -> str:
        return repr(self)


@dataclass(frozen=True, repr=False)
class BatchNorm2d(Layer):
    """Batch normalization over the channels of a (C, H, W) map (``torch.nn.BatchNorm2d``).

    The number of channels comes from the layer before. With ``affine=True`` it learns a scale
    and a shift per channel: **2C parameters** (the shift is reported as its bias). With
    ``track_running_stats=True`` it also keeps a running mean and variance per channel: **2C
    buffers**, saved with the model but not learned (PyTorch adds one more buffer, the scalar
    ``num_batches_tracked``, not counted here). It counts no neurons and no multiplications: at
    inference the normalization is a per-channel scale and shift that is folded into the
    convolution before it, as the published FLOP counts assume.

    >>> row = summarize((64, 56, 56), [BatchNorm2d()]).rows[0]
    >>> row.params, row.buffers
    (128, 128)
    """

    affine: bool = True
    track_running_stats: bool = True

    def __post_init__(self) -> None:
        _bool("BatchNorm2d", "affine", self.affine)
        _bool("BatchNorm2d", "track_running_stats", self.track_running_stats)

    def __repr__(self) -> str:
        args = [] if self.affine else ["affine=False"]
        if not self.track_running_stats:
            args.append("track_running_stats=False")
        return f"BatchNorm2d({', '.join(args)})"

    def label(self) -> str:
        return repr(self)

    def _apply(self, input_shape: Shape) -> _Result:
        if len(input_shape) != 3:
            raise ValueError(
                "BatchNorm2d normalizes the channels of a (channels, height, width) map, but its input "
                f"is a vector of {input_shape[0]} features; put it before any Flatten/Linear layer"
            )
        c = input_shape[0]
        return _Result(tuple(input_shape), 0, 0, 2 * c * self.affine, c * self.affine, 0, span=(1, 1),
                       stride=(1, 1), buffers=2 * c * self.track_running_stats)


@dataclass(frozen=True, repr=False)
class AdaptiveAvgPool2d(Layer):
    """Average pooling to a fixed ``output_size`` (an int or a (height, width) pair), whatever the
    input size, as ``torch.nn.AdaptiveAvgPool2d``. ``AdaptiveAvgPool2d(1)`` is *global average
    pooling*: one mean per channel.

    Output row i averages input rows ``floor(i H / h)`` to ``ceil((i + 1) H / h) - 1``. When h
    divides H these are non-overlapping windows of size H / h (so the receptive field grows by
    ``(H/h - 1)`` times the jump); otherwise the windows differ in size and the table shows no
    single receptive field after this layer.

    >>> summarize((512, 7, 7), [AdaptiveAvgPool2d(1)]).output_shape
    (512, 1, 1)
    """

    output_size: int | tuple[int, int]
    _o: tuple[int, int] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_o", _pair("AdaptiveAvgPool2d", "output_size", self.output_size, 1))

    def __repr__(self) -> str:
        return f"AdaptiveAvgPool2d({_fmt_pair(self._o)})"

    def label(self) -> str:
        return f"AdaptiveAvgPool2d({_fmt_pair(self._o)})"

    def _apply(self, input_shape: Shape) -> _Result:
        if len(input_shape) != 3:
            raise ValueError(
                "AdaptiveAvgPool2d needs a (channels, height, width) input, but its input is a vector "
                f"of {input_shape[0]} features; put it before any Flatten/Linear layer"
            )
        c, h, w = input_shape
        oh, ow = self._o
        if h % oh == 0 and w % ow == 0:
            window = (h // oh, w // ow)
            return _Result((c, oh, ow), 0, c * oh * ow, 0, 0, 0, span=window, stride=window)
        return _Result((c, oh, ow), 0, c * oh * ow, 0, 0, 0, ends_receptive_field=True)


# -- summaries ------------------------------------------------------------------------------
BYTES_PER_FLOAT32 = 4


@dataclass(frozen=True)
class Row:
    """One layer of a :class:`Summary` (see the module docstring for the definitions).

    ``receptive_field`` is the (height, width) of the input patch one output value depends on,
    and ``jump`` the distance in input pixels between neighbouring outputs (the product of the
    strides so far); both are None once the data is a vector, or after windows of unequal size.
    """

    index: int
    name: str
    input_shape: Shape
    output_shape: Shape
    weights_per_neuron: int
    neurons: int
    connections: int
    params: int
    biases: int
    multiplications: int
    receptive_field: tuple[int, int] | None
    buffers: int = 0
    jump: tuple[int, int] | None = None
    activations: int = 0

    @property
    def params_without_biases(self) -> int:
        return self.params - self.biases

    @property
    def macs(self) -> int:
        """Multiply-accumulates: one per multiplication (the add that follows it is free)."""
        return self.multiplications

    @property
    def flops(self) -> int:
        """Floating-point operations, counting a multiply-add as two: ``2 * macs``."""
        return 2 * self.multiplications

    def activation_bytes(self, batch: int = 1, bytes_per_value: int = BYTES_PER_FLOAT32) -> int:
        """Memory for this layer's output for a batch (float32 by default)."""
        batch = check_int("batch", batch, minimum=1)
        return self.activations * batch * check_int("bytes_per_value", bytes_per_value, minimum=1)


def _pair_text(pair: tuple[int, int] | None) -> str:
    return "" if pair is None else f"{pair[0]}×{pair[1]}"


def _bytes_text(n: int) -> str:
    """Bytes in binary units with 3 significant digits: ``1.53 MiB``."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} B"


# Each column: (header lines for text, header for HTML, value of a row, total or None).
_ColumnGet = Any
_COLUMN_SPECS: dict[str, tuple[tuple[str, ...], str, _ColumnGet, _ColumnGet]] = {
    "output shape": (("output", "shape"), "output shape", lambda r, b: _shape_text(r.output_shape), None),
    "weights/neuron": (("weights", "/neuron"), "weights per neuron", lambda r, b: f"{r.weights_per_neuron:,}",
                       None),
    "neurons": (("neurons",), "neurons", lambda r, b: f"{r.neurons:,}", "neurons"),
    "connections": (("connec-", "tions"), "connec&shy;tions", lambda r, b: f"{r.connections:,}", "connections"),
    "params": (("params",), "params", lambda r, b: f"{r.params:,}", "params"),
    "buffers": (("buffers",), "buffers", lambda r, b: f"{r.buffers:,}", "buffers"),
    "multiplications": (("multipli-", "cations"), "multipli&shy;cations", lambda r, b: f"{r.multiplications:,}",
                        "multiplications"),
    "MACs": (("MACs",), "MACs", lambda r, b: f"{r.macs:,}", "macs"),
    "FLOPs": (("FLOPs",), "FLOPs", lambda r, b: f"{r.flops:,}", "flops"),
    "receptive field": (("receptive", "field"), "receptive field", lambda r, b: _pair_text(r.receptive_field),
                        None),
    "jump": (("jump",), "jump", lambda r, b: _pair_text(r.jump), None),
    "activations": (("values", "stored"), "values stored", lambda r, b: f"{r.activations:,}", "activations"),
    "activation memory": (("activation", "memory"), "activation memory",
                          lambda r, b: _bytes_text(r.activation_bytes(b)), "activation memory"),
}
DEFAULT_COLUMNS = ("output shape", "weights/neuron", "neurons", "connections", "params", "multiplications")
COLUMNS = tuple(_COLUMN_SPECS)

_CELL = "font-size:0.8em;padding:0.1em 0.4em"
_NOWRAP = "white-space:nowrap;" + _CELL


@dataclass(frozen=True)
class Table:
    """A small table that prints as aligned text (at most a few header lines) and shows as HTML.

    ``align`` has one letter per column: ``"l"`` or ``"r"``. ``footer`` rows are set off by a rule
    (and bold in HTML).

    >>> print(Table((("name",), ("size",)), [["a", "1"]], align="lr"))
    name  size
    ----------
    a        1
    """

    headers: tuple[tuple[str, ...], ...]
    rows: Sequence[Sequence[str]]
    align: str
    footer: Sequence[Sequence[str]] = ()
    html_headers: tuple[str, ...] | None = None

    def to_text(self) -> str:
        """Aligned plain text: one line per header line, a rule, the rows, a rule, the footer."""
        depth = max(len(h) for h in self.headers)
        heads = [[""] * (depth - len(h)) + list(h) for h in self.headers]  # bottom-aligned
        cells = [*self.rows, *self.footer]
        widths = [max([len(x) for x in heads[i]] + [len(row[i]) for row in cells]) for i in range(len(heads))]

        def line(row: Sequence[str]) -> str:
            parts = [c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(row, widths, self.align)]
            return "  ".join(parts).rstrip()

        rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
        out = [line([h[k] for h in heads]) for k in range(depth)] + [rule] + [line(r) for r in self.rows]
        if self.footer:
            out += [rule] + [line(r) for r in self.footer]
        return "\n".join(out)

    @property
    def width(self) -> int:
        """Characters in the longest printed line."""
        return max(len(x) for x in self.to_text().splitlines())

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        names = self.html_headers or tuple(" ".join(h).replace("- ", "") for h in self.headers)
        side = ["left" if a == "l" else "right" for a in self.align]
        th = "".join(f'<th style="text-align:{a};{_CELL}">{h}</th>' for a, h in zip(side, names))

        def tr(cells: Sequence[str], bold: bool = False) -> str:
            tds = "".join(
                f'<td style="text-align:{a};{_NOWRAP}">'
                f'{"<b>" if bold else ""}{html.escape(c)}{"</b>" if bold else ""}</td>'
                for a, c in zip(side, cells)
            )
            return f"<tr>{tds}</tr>"

        body = "".join(tr(r) for r in self.rows) + "".join(tr(r, bold=True) for r in self.footer)
        return (
            '<div style="overflow-x:auto"><table class="nnbook-sizing">'
            f"<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>"
        )


@dataclass(frozen=True)
class Summary:
    """The layer-by-layer sizing table of a network, from :func:`summarize`.

    Renders as an HTML table in Jupyter and as a text table with ``print``/``repr``;
    :meth:`with_columns` chooses other columns (receptive field, MACs, FLOPs, memory, ...).
    """

    input_shape: Shape
    rows: tuple[Row, ...]
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    batch: int = 1

    @property
    def output_shape(self) -> Shape:
        return self.rows[-1].output_shape if self.rows else self.input_shape

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.rows)

    @property
    def total_buffers(self) -> int:
        """Saved but not learned values (batch norm's running means and variances)."""
        return sum(r.buffers for r in self.rows)

    @property
    def total_multiplications(self) -> int:
        return sum(r.multiplications for r in self.rows)

    @property
    def total_macs(self) -> int:
        """Multiply-accumulates of one forward pass for one input (= multiplications)."""
        return self.total_multiplications

    @property
    def total_flops(self) -> int:
        """FLOPs of one forward pass for one input, a multiply-add counted as 2: ``2 * total_macs``."""
        return 2 * self.total_multiplications

    @property
    def total_connections(self) -> int:
        return sum(r.connections for r in self.rows)

    @property
    def total_neurons(self) -> int:
        return sum(r.neurons for r in self.rows)

    @property
    def total_activations(self) -> int:
        """Values the layers write for one input (the input itself not included)."""
        return sum(r.activations for r in self.rows)

    @property
    def receptive_field(self) -> tuple[int, int] | None:
        """Receptive field of the last layer that has one (None if none has)."""
        fields = [r.receptive_field for r in self.rows if r.receptive_field is not None]
        return fields[-1] if fields else None

    def activation_bytes(self, batch: int = 1, bytes_per_value: int = BYTES_PER_FLOAT32) -> int:
        """Memory for all layer outputs of a batch, as kept for the backward pass (float32 default).

        >>> summarize((3, 32, 32), [Conv2d(8, 3, padding=1)]).activation_bytes(batch=2)
        65536
        """
        batch = check_int("batch", batch, minimum=1)
        return sum(r.activation_bytes(batch, bytes_per_value) for r in self.rows)

    def parameter_bytes(self, bytes_per_value: int = BYTES_PER_FLOAT32) -> int:
        """Memory for the parameters and buffers (float32 by default)."""
        return (self.total_params + self.total_buffers) * check_int("bytes_per_value", bytes_per_value, minimum=1)

    def with_columns(self, *columns: str, batch: int = 1) -> "Summary":
        """The same summary printed with other columns (see ``COLUMNS``); ``batch`` sizes the
        ``"activation memory"`` column.

        >>> s = summarize((1, 28, 28), [Conv2d(6, 5), MaxPool2d(2)])
        >>> print(s.with_columns("receptive field", "jump"))
                          output   receptive
        layer             shape        field  jump
        ------------------------------------------
        input             1×28×28        1×1   1×1
        1 Conv2d(6, k=5)  6×24×24        5×5   1×1
        2 MaxPool2d(k=2)  6×12×12        6×6   2×2
        """
        chosen = tuple(columns) or DEFAULT_COLUMNS
        for name in chosen:
            if name not in _COLUMN_SPECS:
                raise ValueError(f"unknown column {name!r}; the columns are {', '.join(map(repr, COLUMNS))}")
        if "output shape" not in chosen:
            chosen = ("output shape", *chosen)
        return replace(self, columns=chosen, batch=check_int("batch", batch, minimum=1))

    def table(self, compact: bool = True) -> Table:
        """The summary as a :class:`Table`. ``compact`` writes shapes as ``C×H×W`` (the printed
        text, kept under 90 characters for the usual networks); the HTML shows ``(C, H, W)``."""
        shape_text = _compact_shape if compact else _shape_text
        specs = [_COLUMN_SPECS[c] for c in self.columns]
        if "output shape" in self.columns:
            at = self.columns.index("output shape")
            shape_spec = specs[at]
            specs[at] = (shape_spec[0], shape_spec[1], lambda r, b: shape_text(r.output_shape), None)
        headers = (("layer",), *(s[0] for s in specs))
        first = ["input", shape_text(self.input_shape)] + [""] * (len(specs) - 1)
        if self.rows and len(self.input_shape) == 3:
            for k, name in enumerate(self.columns):
                if name in ("receptive field", "jump"):
                    first[k + 1] = "1×1"
        body = [first] + [[f"{r.index} {r.name}"] + [s[2](r, self.batch) for s in specs] for r in self.rows]
        total = ["total"]
        for name, s in zip(self.columns, specs):
            key = s[3]
            if key is None:
                total.append("")
            elif key == "activation memory":
                total.append(_bytes_text(self.activation_bytes(self.batch)))
            else:
                total.append(f"{getattr(self, 'total_' + key):,}")
        align = "l" + "".join("l" if c in ("output shape",) else "r" for c in self.columns)
        has_total = any(s[3] is not None for s in specs)
        return Table(headers, body, align, footer=[total] if has_total else (),
                     html_headers=("layer", *(s[1] for s in specs)))

    def to_text(self) -> str:
        """The table as aligned plain text (what ``print`` shows)."""
        return self.table().to_text()

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        return self.table(compact=False)._repr_html_()


def _check_input_shape(input_shape: Any) -> Shape:
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) not in (1, 3):
        raise ValueError(
            f"input_shape must be (channels, height, width) or (features,), got {input_shape!r}"
        )
    names = ("channels", "height", "width") if len(input_shape) == 3 else ("features",)
    return tuple(check_int(f"input_shape {n}", v, minimum=1) for n, v in zip(names, input_shape))


def summarize(input_shape: Sequence[int], layers: Iterable[Layer]) -> Summary:
    """Size a plain (sequential) network layer by layer.

    Parameters
    ----------
    input_shape : (C, H, W) or (features,)
        The shape of one input (no batch dimension).
    layers : sequence of layer specs
        ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``, ``Flatten``, ``Linear``, ``ReLU`` (or other
        ``Elementwise``) in order. A ``Linear`` after a (C, H, W) output flattens implicitly.

    Returns
    -------
    Summary
        ``rows`` (one :class:`Row` per layer) and the totals.

    Raises
    ------
    ValueError
        Naming the layer (by position and spec) that cannot take its input, and why.
    TypeError
        If a layer is not a layer spec.

    Examples
    --------
    >>> s = summarize((3, 256, 256), [Conv2d(64, 8, stride=2), MaxPool2d(5), Conv2d(128, 4, padding=1)])
    >>> [r.output_shape for r in s.rows]
    [(64, 125, 125), (64, 25, 25), (128, 24, 24)]
    >>> s.rows[-1].params, s.rows[-1].params_without_biases
    (131200, 131072)
    """
    shape = _check_input_shape(input_shape)
    if isinstance(layers, Layer):
        raise TypeError("layers must be a list of layer specs, e.g. [Conv2d(16, 3), ReLU()], not one layer")
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Iterable):
        raise TypeError(f"layers must be a list of layer specs, e.g. [Conv2d(16, 3), ReLU()], got {layers!r}")
    rows: list[Row] = []
    rf: tuple[int, int] | None = (1, 1) if len(shape) == 3 else None
    jump: tuple[int, int] | None = (1, 1) if len(shape) == 3 else None
    for i, layer in enumerate(layers, start=1):
        if not isinstance(layer, Layer):
            raise TypeError(
                f"layer {i} is {layer!r} ({type(layer).__name__}); expected a layer spec such as "
                "Conv2d(16, 3), MaxPool2d(2), Flatten(), Linear(10) or ReLU()"
            )
        try:
            res = layer._apply(shape)
        except ValueError as exc:
            raise ValueError(
                f"layer {i} ({layer.label()}) cannot take an input of shape {_shape_text(shape)}: {exc}"
            ) from None
        if len(res.output_shape) != 3 or res.ends_receptive_field:
            rf = jump = None
        elif res.span is not None and rf is not None and jump is not None:
            # the recursion: r <- r + (span - 1) * j, with span = d(k - 1) + 1; then j <- j * s
            rf = (rf[0] + (res.span[0] - 1) * jump[0], rf[1] + (res.span[1] - 1) * jump[1])
            jump = (jump[0] * res.stride[0], jump[1] * res.stride[1])
        rows.append(
            Row(
                index=i,
                name=layer.label(),
                input_shape=shape,
                output_shape=res.output_shape,
                weights_per_neuron=res.weights_per_neuron,
                neurons=res.neurons,
                connections=res.neurons * res.weights_per_neuron,
                params=res.params,
                biases=res.biases,
                multiplications=res.multiplications,
                receptive_field=rf,
                buffers=res.buffers,
                jump=jump,
                activations=0 if res.in_place else math.prod(res.output_shape),
            )
        )
        shape = res.output_shape
    return Summary(rows[0].input_shape if rows else shape, tuple(rows))


# -- the torch bridge -----------------------------------------------------------------------
_ELEMENTWISE_TORCH = (
    "ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "GELU", "SiLU", "Tanh", "Sigmoid", "Softmax",
    "LogSoftmax", "Dropout2d", "Identity",
)


def _torch_specs(model: Any) -> list[tuple[Layer, int | None]]:
    """The layer specs of a torch model, each with the in_channels/in_features it declares."""
    import torch.nn as nn

    specs: list[tuple[Layer, int | None]] = []

    def walk(module: Any, where: str) -> None:
        if isinstance(module, nn.Sequential):
            for name, child in module.named_children():
                walk(child, f"{where}.{name}" if where else name)
            return
        kind = type(module).__name__
        at = f"module {where!r} ({kind})" if where else f"the model ({kind})"
        if isinstance(module, nn.Conv2d):
            if module.padding_mode != "zeros":
                raise ValueError(f"{at}: padding_mode={module.padding_mode!r} is not supported; use 'zeros'")
            if isinstance(module.padding, str):
                if module.padding != "valid":
                    raise ValueError(f"{at}: padding={module.padding!r} is not supported; give numbers")
                padding: Any = 0
            else:
                padding = tuple(module.padding)
            spec = Conv2d(module.out_channels, tuple(module.kernel_size), tuple(module.stride), padding,
                          tuple(module.dilation), groups=module.groups, bias=module.bias is not None)
            specs.append((spec, module.in_channels))
        elif isinstance(module, nn.BatchNorm2d):
            specs.append((BatchNorm2d(affine=module.affine, track_running_stats=module.track_running_stats),
                          module.num_features))
        elif isinstance(module, nn.AdaptiveAvgPool2d):
            size = module.output_size
            if size is None or (isinstance(size, tuple) and None in size):
                raise ValueError(f"{at}: output_size None (keep the input size) is not supported; give numbers")
            specs.append((AdaptiveAvgPool2d(tuple(size) if isinstance(size, (tuple, list)) else size), None))
        elif isinstance(module, nn.Dropout):
            specs.append((Dropout(module.p), None))
        elif isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
            if module.ceil_mode:
                raise ValueError(f"{at}: ceil_mode=True is not supported")
            if isinstance(module, nn.MaxPool2d):
                specs.append((MaxPool2d(module.kernel_size, module.stride, module.padding, module.dilation), None))
            else:
                specs.append((AvgPool2d(module.kernel_size, module.stride, module.padding), None))
        elif isinstance(module, nn.Flatten):
            if (module.start_dim, module.end_dim) != (1, -1):
                raise ValueError(f"{at}: only Flatten(start_dim=1, end_dim=-1) is supported")
            specs.append((Flatten(), None))
        elif isinstance(module, nn.Linear):
            specs.append((Linear(module.out_features, bias=module.bias is not None), module.in_features))
        elif kind in _ELEMENTWISE_TORCH:
            specs.append((ReLU() if kind == "ReLU" else Elementwise(kind), None))
        else:
            raise ValueError(
                f"{at} is not supported; summarize_torch handles nn.Sequential models of Conv2d "
                "(grouped too), BatchNorm2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Linear "
                "and element-wise layers (activations, dropout)"
            )

    walk(model, "")
    return specs


def summarize_torch(model: Any, input_shape: Sequence[int]) -> Summary:
    """Summarize a ``torch.nn.Sequential`` (nested ones too) the way :func:`summarize` does.

    PyTorch is imported only when this is called. Channel/feature counts written in the model
    are checked against the ones the shapes imply.

    >>> import torch.nn as nn                                     # doctest: +SKIP
    >>> summarize_torch(nn.Sequential(nn.Conv2d(4, 16, 8, 4)), (4, 84, 84)).total_params  # doctest: +SKIP
    4112
    """
    import torch.nn as nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    specs = _torch_specs(model)
    summary = summarize(input_shape, [spec for spec, _ in specs])
    for (spec, declared), row in zip(specs, summary.rows):
        if declared is None:
            continue
        per_channel = isinstance(spec, (Conv2d, BatchNorm2d))
        actual = row.input_shape[0] if per_channel else math.prod(row.input_shape)
        if declared != actual:
            what = {Conv2d: "in_channels", BatchNorm2d: "num_features"}.get(type(spec), "in_features")
            raise ValueError(
                f"layer {row.index} ({row.name}) is declared with {what}={declared}, but its input "
                f"{_shape_text(row.input_shape)} gives {actual}"
            )
    return summary


# -- well-known networks ----------------------------------------------------------------------
def lenet5() -> list[Layer]:
    """LeNet-5 as it is usually taught (after LeCun et al., 1998): a 1×32×32 input, 5×5
    convolutions with tanh, 2×2 average pooling, dense layers of 120 and 84, 10 outputs.

    The original's third layer connects each of its 16 maps to only some of the 6 maps before
    (1,516 parameters instead of 2,416); this fully connected version has 61,706 parameters.

    >>> summarize((1, 32, 32), lenet5()).total_params
    61706
    """
    tanh = Elementwise("Tanh")
    return [Conv2d(6, 5), tanh, AvgPool2d(2), Conv2d(16, 5), tanh, AvgPool2d(2), Flatten(),
            Linear(120), tanh, Linear(84), tanh, Linear(10)]


def alexnet() -> list[Layer]:
    """AlexNet as in torchvision (``torchvision.models.alexnet``: one GPU's worth of channels,
    64-192-384-256-256) for a 3×224×224 input: 61,100,840 parameters.

    >>> summarize((3, 224, 224), alexnet()).total_params
    61100840
    """
    return [
        Conv2d(64, 11, stride=4, padding=2), ReLU(), MaxPool2d(3, stride=2),
        Conv2d(192, 5, padding=2), ReLU(), MaxPool2d(3, stride=2),
        Conv2d(384, 3, padding=1), ReLU(), Conv2d(256, 3, padding=1), ReLU(),
        Conv2d(256, 3, padding=1), ReLU(), MaxPool2d(3, stride=2),
        AdaptiveAvgPool2d(6), Flatten(),
        Dropout(0.5), Linear(4096), ReLU(), Dropout(0.5), Linear(4096), ReLU(), Linear(1000),
    ]


def vgg16() -> list[Layer]:
    """VGG-16 (configuration D of Simonyan and Zisserman) as in torchvision, for a 3×224×224
    input: thirteen 3×3 convolutions in five blocks, then three dense layers; 138,357,544 parameters.

    >>> summarize((3, 224, 224), vgg16()).total_params
    138357544
    """
    layers: list[Layer] = []
    for channels, repeat in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        for _ in range(repeat):
            layers += [Conv2d(channels, 3, padding=1), ReLU()]
        layers.append(MaxPool2d(2))
    return layers + [AdaptiveAvgPool2d(7), Flatten(), Linear(4096), ReLU(), Dropout(0.5),
                     Linear(4096), ReLU(), Dropout(0.5), Linear(1000)]


MOBILENET_V2_BLOCKS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                       (6, 160, 3, 2), (6, 320, 1, 1))


def mobilenet_v2() -> list[Layer]:
    """MobileNetV2 as in torchvision, written as a plain stack of layers: every block is a 1×1
    expansion (t times the channels), a 3×3 **depthwise** convolution (``groups`` = channels)
    and a 1×1 projection, each convolution without bias and followed by batch norm.
    ``MOBILENET_V2_BLOCKS`` lists (t, channels, repeats, first stride) per stage.

    The skip connections of the blocks add no parameters and no multiplications, so the plain
    stack has the same counts: 3,504,872 parameters (plus 34,112 batch-norm buffers).

    >>> s = summarize((3, 224, 224), mobilenet_v2())
    >>> s.total_params, s.total_buffers
    (3504872, 34112)
    """
    relu6 = Elementwise("ReLU6")
    layers: list[Layer] = [Conv2d(32, 3, stride=2, padding=1, bias=False), BatchNorm2d(), relu6]
    channels = 32
    for t, c, n, first_stride in MOBILENET_V2_BLOCKS:
        for i in range(n):
            hidden = channels * t
            if t != 1:
                layers += [Conv2d(hidden, 1, bias=False), BatchNorm2d(), relu6]
            layers += [Conv2d(hidden, 3, stride=first_stride if i == 0 else 1, padding=1, groups=hidden,
                              bias=False), BatchNorm2d(), relu6,
                       Conv2d(c, 1, bias=False), BatchNorm2d()]
            channels = c
    return layers + [Conv2d(1280, 1, bias=False), BatchNorm2d(), relu6, AdaptiveAvgPool2d(1), Flatten(),
                     Dropout(0.2), Linear(1000)]


class Famous(NamedTuple):
    """A well-known network: its input shape, its layers and the published parameter count."""

    input_shape: Shape
    build: Any
    published_params: int
    published_gmacs: float | None  # torchvision's "GFLOPS" column, which counts multiply-adds


FAMOUS_NETWORKS: dict[str, Famous] = {
    "LeNet-5": Famous((1, 32, 32), lenet5, 61_706, None),
    "AlexNet": Famous((3, 224, 224), alexnet, 61_100_840, 0.71),
    "VGG-16": Famous((3, 224, 224), vgg16, 138_357_544, 15.47),
    "MobileNetV2": Famous((3, 224, 224), mobilenet_v2, 3_504_872, 0.30),
}


def famous_networks() -> dict[str, Summary]:
    """:func:`summarize` of each network in ``FAMOUS_NETWORKS``, by name.

    >>> famous_networks()["VGG-16"].total_macs
    15470264320
    """
    return {name: summarize(f.input_shape, f.build()) for name, f in FAMOUS_NETWORKS.items()}


def _dense_share(summary: Summary) -> float:
    dense = sum(r.params for r in summary.rows if r.name.startswith("Linear"))
    return dense / summary.total_params if summary.total_params else 0.0


def networks_table(summaries: Mapping[str, Summary], batch: int = 1) -> Table:
    """One line per network: input, parameters (and the share in dense layers), MACs, FLOPs
    (= 2 × MACs) and the activation memory of a float32 batch (each layer's output once; the
    input itself and in-place activations not counted).

    >>> print(networks_table({"LeNet-5": summarize((1, 32, 32), lenet5())}))
                                  in dense                    activations
    network  input    parameters    layers     MACs    FLOPs    (batch 1)
    ---------------------------------------------------------------------
    LeNet-5  1×32×32      61,706     95.8%  416,520  833,040     31.6 KiB
    """
    batch = check_int("batch", batch, minimum=1)
    if not isinstance(summaries, Mapping):
        raise TypeError(f"summaries must map names to Summary objects, got {type(summaries).__name__}")
    rows = []
    for name, s in summaries.items():
        if not isinstance(s, Summary):
            raise TypeError(f"summaries[{name!r}] must be a Summary (from summarize), got {type(s).__name__}")
        rows.append([str(name), _compact_shape(s.input_shape), f"{s.total_params:,}", f"{_dense_share(s):.1%}",
                     f"{s.total_macs:,}", f"{s.total_flops:,}", _bytes_text(s.activation_bytes(batch))])
    headers = (("network",), ("input",), ("parameters",), ("in dense", "layers"), ("MACs",), ("FLOPs",),
               ("activations", f"(batch {batch})"))
    return Table(headers, rows, "llrrrrr")


# -- the configuration solver ---------------------------------------------------------------
DEFAULT_MAX_KERNEL_SIZE = 11
DEFAULT_MAX_STRIDE = 8
DEFAULT_MAX_DILATION = 8
MAX_CANDIDATES = 2_000_000  # solve() refuses ranges that would make it try more (k, s, p, d) settings


class Config(NamedTuple):
    """One (kernel_size, stride, padding, dilation) setting found by :func:`solve`."""

    kernel_size: int
    stride: int
    padding: int
    dilation: int

    def __str__(self) -> str:
        return f"k={self.kernel_size}, s={self.stride}, p={self.padding}, d={self.dilation}"


class Solutions(list):
    """The list of :class:`Config` found by :func:`solve`, printed one per line."""

    def __repr__(self) -> str:
        if not self:
            return "no solution in the given ranges"
        return "\n".join(str(c) for c in self)

    __str__ = __repr__


def _fixed_or_range(name: str, value: Any, minimum: int, maximum: int) -> range:
    if value is None:
        return range(minimum, maximum + 1)
    return range(check_int(name, value, minimum=minimum), check_int(name, value, minimum=minimum) + 1)


def solve(
    input_size: int,
    output_size: int,
    kernel_size: int | None = None,
    stride: int | None = None,
    padding: int | None = None,
    dilation: int | None = None,
    *,
    max_kernel_size: int | None = None,
    max_stride: int | None = None,
    max_padding: int | None = None,
    max_dilation: int | None = None,
    non_overlapping: bool = False,
    pooling: bool = False,
) -> Solutions:
    """Every (kernel_size, stride, padding, dilation) that maps ``input_size`` to ``output_size``.

    Along one axis (square windows); arguments that are given are fixed, the others range over:

    * ``kernel_size`` in 1..``max_kernel_size`` (default 11; ``input_size`` when ``non_overlapping``),
    * ``stride`` in 1..``max_stride`` (default 8),
    * ``dilation`` in 1..``max_dilation`` (default 8), but only 1 for a kernel of size 1 (a
      single tap has no gaps to dilate),
    * ``padding`` in 0..``max_padding``; by default up to ``span - 1`` where ``span = d(k-1)+1``
      is the dilated window: more padding than that makes border windows that see only zeros.

    At most ``MAX_CANDIDATES`` (2,000,000) settings are tried; wider ranges raise ``ValueError``
    instead of running for minutes.

    ``pooling=True`` adds PyTorch's pooling rule ``padding <= kernel_size // 2``;
    ``non_overlapping=True`` means a pooling-style window that tiles the input: ``stride ==
    kernel_size`` (so ``max_stride`` does not apply) and ``dilation == 1``. Every candidate is confirmed with
    :func:`nnbook.conv.output_size`; the stride/padding inequalities behind it only skip
    candidates that cannot work.

    Returns
    -------
    Solutions
        A list of :class:`Config`, sorted by (k, s, p, d); empty when nothing fits.

    Examples
    --------
    >>> solve(8, 4, padding=0, dilation=1)        # three different right answers
    k=1, s=2, p=0, d=1
    k=2, s=2, p=0, d=1
    k=5, s=1, p=0, d=1
    >>> solve(32, 8, padding=0, non_overlapping=True)[0]
    Config(kernel_size=4, stride=4, padding=0, dilation=1)
    """
    n = check_int("input_size", input_size, minimum=1)
    o = check_int("output_size", output_size, minimum=1)
    for flag_name, flag in (("non_overlapping", non_overlapping), ("pooling", pooling)):
        if not isinstance(flag, bool):
            raise TypeError(f"{flag_name} must be True or False, got {flag!r}")
    mk = DEFAULT_MAX_KERNEL_SIZE if max_kernel_size is None else check_int("max_kernel_size", max_kernel_size, minimum=1)
    if non_overlapping and max_kernel_size is None:
        mk = n  # a window larger than the input cannot tile it
    ms = DEFAULT_MAX_STRIDE if max_stride is None else check_int("max_stride", max_stride, minimum=1)
    md = DEFAULT_MAX_DILATION if max_dilation is None else check_int("max_dilation", max_dilation, minimum=1)
    mp = None if max_padding is None else check_int("max_padding", max_padding, minimum=0)
    if non_overlapping:
        if dilation is not None and check_int("dilation", dilation, minimum=1) != 1:
            raise ValueError("a non-overlapping window has dilation 1; do not combine non_overlapping with dilation > 1")
        if stride is not None and kernel_size is not None and stride != kernel_size:
            raise ValueError(f"a non-overlapping window has stride == kernel_size, but got {stride} and {kernel_size}")
        dilation = 1
    ks = _fixed_or_range("kernel_size", kernel_size, 1, mk)
    ds_free = dilation is None
    ds = _fixed_or_range("dilation", dilation, 1, md)
    if stride is not None:
        check_int("stride", stride, minimum=1)
    if padding is not None:
        check_int("padding", padding, minimum=0)

    n_strides = 1 if non_overlapping else len(_fixed_or_range("stride", stride, 1, ms))
    if len(ks) * len(ds) * n_strides > MAX_CANDIDATES:
        raise ValueError(
            f"solve tries at most {MAX_CANDIDATES:,} (kernel_size, dilation, stride) combinations, but these "
            f"ranges give {len(ks) * len(ds) * n_strides:,} ({len(ks):,} x {len(ds):,} x {n_strides:,}); fix "
            "an argument or lower max_kernel_size / max_dilation / max_stride"
        )
    found: list[Config] = []
    tried = 0
    for k in ks:
        for d in ds:
            if ds_free and k == 1 and d > 1:
                continue
            span = d * (k - 1) + 1
            p_hi = span - 1 if mp is None else mp
            if pooling:
                p_hi = min(p_hi, k // 2)
            if non_overlapping:
                strides: Iterable[int] = (k,) if stride is None or stride == k else ()
            else:
                strides = _fixed_or_range("stride", stride, 1, ms)
            for s in strides:
                # n + 2p - span must lie in [s(o-1), s(o-1) + s - 1] (and be >= 0)
                lo = max(0, -(-(s * (o - 1) + span - n) // 2))
                hi = (s * o - 1 + span - n) // 2
                if padding is not None:
                    lo, hi = max(lo, padding), min(hi, padding)
                else:
                    hi = min(hi, p_hi)
                tried += 1 + max(0, hi - lo + 1)
                if tried > MAX_CANDIDATES:
                    raise ValueError(
                        f"solve stopped after trying {MAX_CANDIDATES:,} settings; fix an argument or "
                        "narrow the ranges (max_kernel_size, max_stride, max_padding, max_dilation)"
                    )
                for p in range(lo, hi + 1):
                    if conv.output_size(n, k, stride=s, padding=p, dilation=d) == o:
                        found.append(Config(k, s, p, d))
    found.sort()
    return Solutions(found)
