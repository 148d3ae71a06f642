"""Sizing a CNN layer by layer: shapes, weights per neuron, neurons, connections, parameters,
multiplications; and the configuration solver ("which k, s, p, d give this output?").

The chapter "CNN sizing" tells the story; this module computes every number in it. Layer specs
are named and parametrised as in PyTorch (``Conv2d``, ``MaxPool2d``, ``AvgPool2d``,
``Flatten``, ``Linear``, ``ReLU``), except that input channels/features are inferred from the
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

How this differs from torchinfo's "Mult-Adds": torchinfo counts, per layer, (weights + biases)
x output positions, i.e. one operation per weighted connection *including the bias*. For
conv and dense layers that is exactly our ``connections``; our ``multiplications`` are smaller
by one per neuron (the bias term), i.e. ``multiplications = connections - neurons`` for layers
with biases.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from . import conv
from ._validate import check_int, check_pair

__all__ = [
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "Flatten",
    "Linear",
    "ReLU",
    "Elementwise",
    "Layer",
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


class Layer:
    """Base class of the layer specs. ``apply(input_shape)`` does the sizing of one layer."""

    def label(self) -> str:
        """A short name for tables, e.g. ``Conv2d(16, k=8, s=4)``."""
        raise NotImplementedError  # pragma: no cover - abstract

    def apply(self, input_shape: Shape) -> _Result:  # pragma: no cover - abstract
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
    ``padding`` and ``dilation`` are an int or a (height, width) pair.

    >>> Conv2d(16, 8, stride=4)
    Conv2d(16, kernel_size=8, stride=4)
    >>> summarize((4, 84, 84), [Conv2d(16, 8, stride=4)]).rows[0].params
    4112
    """

    out_channels: int
    kernel_size: int | tuple[int, int]
    stride: int | tuple[int, int] = 1
    padding: int | tuple[int, int] = 0
    dilation: int | tuple[int, int] = 1
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
        _bool(who, "bias", self.bias)

    def __repr__(self) -> str:
        args = [str(self.out_channels), f"kernel_size={_fmt_pair(self._k)}"]
        for name, value, default in (("stride", self._s, 1), ("padding", self._p, 0), ("dilation", self._d, 1)):
            if value != (default, default):
                args.append(f"{name}={_fmt_pair(value)}")
        if not self.bias:
            args.append("bias=False")
        return f"Conv2d({', '.join(args)})"

    def label(self) -> str:
        parts = [str(self.out_channels), f"k={_fmt_pair(self._k)}"]
        for short, value, default in (("s", self._s, 1), ("p", self._p, 0), ("d", self._d, 1)):
            if value != (default, default):
                parts.append(f"{short}={_fmt_pair(value)}")
        if not self.bias:
            parts.append("no bias")
        return f"Conv2d({', '.join(parts)})"

    def apply(self, input_shape: Shape) -> _Result:
        oh, ow = _window_output("Conv2d", input_shape, self._k, self._s, self._p, self._d)
        c_in = input_shape[0]
        taps = c_in * self._k[0] * self._k[1]  # multiplies per output element
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

    def apply(self, input_shape: Shape) -> _Result:
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

    def apply(self, input_shape: Shape) -> _Result:
        return _Result((math.prod(input_shape),), 0, 0, 0, 0, 0)


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

    def apply(self, input_shape: Shape) -> _Result:
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

    def label(self) -> str:
        return f"{self.name}()"

    def apply(self, input_shape: Shape) -> _Result:
        return _Result(tuple(input_shape), 0, 0, 0, 0, 0, span=(1, 1) if len(input_shape) == 3 else None,
                       stride=(1, 1) if len(input_shape) == 3 else None)


@dataclass(frozen=True)
class ReLU(Elementwise):
    """The rectifier: it belongs to the neurons of the layer before, so it adds no counts.

    >>> ReLU()
    ReLU()
    """

    name: str = field(default="ReLU", init=False, repr=False)

    def __repr__(self) -> str:
        return "ReLU()"


# -- summaries ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One layer of a :class:`Summary` (see the module docstring for the definitions)."""

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

    @property
    def params_without_biases(self) -> int:
        return self.params - self.biases


_CELL = "font-size:0.8em;padding:0.1em 0.4em"
_NOWRAP = "white-space:nowrap;" + _CELL

# Header cells that may wrap (soft hyphens), so that the HTML table fits a book page.
_HTML_HEADER = ("layer", "output shape", "weights per neuron", "neurons", "connec&shy;tions", "params",
                "multipli&shy;cations")

_COLUMNS = (
    ("layer", None),
    ("output shape", None),
    ("weights/neuron", "weights_per_neuron"),
    ("neurons", "neurons"),
    ("connections", "connections"),
    ("params", "params"),
    ("multiplications", "multiplications"),
)


@dataclass(frozen=True)
class Summary:
    """The layer-by-layer sizing table of a network, from :func:`summarize`.

    Renders as an HTML table in Jupyter and as a text table with ``print``/``repr``.
    """

    input_shape: Shape
    rows: tuple[Row, ...]

    @property
    def output_shape(self) -> Shape:
        return self.rows[-1].output_shape if self.rows else self.input_shape

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.rows)

    @property
    def total_multiplications(self) -> int:
        return sum(r.multiplications for r in self.rows)

    @property
    def total_connections(self) -> int:
        return sum(r.connections for r in self.rows)

    @property
    def total_neurons(self) -> int:
        return sum(r.neurons for r in self.rows)

    def _cells(self) -> tuple[list[str], list[list[str]], list[str]]:
        header = [c for c, _ in _COLUMNS]
        body = [["input", _shape_text(self.input_shape), "", "", "", "", ""]]
        for r in self.rows:
            body.append([f"{r.index} {r.name}", _shape_text(r.output_shape)]
                        + [f"{getattr(r, attr):,}" for _, attr in _COLUMNS[2:]])
        total = ["total", "", "", f"{self.total_neurons:,}", f"{self.total_connections:,}",
                 f"{self.total_params:,}", f"{self.total_multiplications:,}"]
        return header, body, total

    def to_text(self) -> str:
        """The table as aligned plain text (what ``print`` shows)."""
        header, body, total = self._cells()
        table = [header, *body, total]
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]

        def line(cells: list[str]) -> str:
            left = [cells[i].ljust(widths[i]) for i in range(2)]
            right = [cells[i].rjust(widths[i]) for i in range(2, len(cells))]
            return "  ".join(left + right).rstrip()

        rule = "-" * len(line(["-" * w for w in widths]))
        return "\n".join([line(header), rule, *(line(r) for r in body), rule, line(total)])

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        _, body, total = self._cells()
        th = "".join(
            f'<th style="text-align:{"left" if i < 2 else "right"};{_CELL}">{h}</th>'
            for i, h in enumerate(_HTML_HEADER)
        )

        def tr(cells: list[str], bold: bool = False) -> str:
            tds = "".join(
                f'<td style="text-align:{"left" if i < 2 else "right"};{_NOWRAP}">'
                f'{"<b>" if bold else ""}{html.escape(c)}{"</b>" if bold else ""}</td>'
                for i, c in enumerate(cells)
            )
            return f"<tr>{tds}</tr>"

        rows = "".join(tr(r) for r in body) + tr(total, bold=True)
        return (
            '<div style="overflow-x:auto"><table class="nnbook-sizing">'
            f"<thead><tr>{th}</tr></thead><tbody>{rows}</tbody></table></div>"
        )


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
    rows: list[Row] = []
    rf: tuple[int, int] | None = (1, 1) if len(shape) == 3 else None
    jump: tuple[int, int] = (1, 1)
    for i, layer in enumerate(layers, start=1):
        if not isinstance(layer, Layer):
            raise TypeError(
                f"layer {i} is {layer!r} ({type(layer).__name__}); expected a layer spec such as "
                "Conv2d(16, 3), MaxPool2d(2), Flatten(), Linear(10) or ReLU()"
            )
        try:
            res = layer.apply(shape)
        except ValueError as exc:
            raise ValueError(
                f"layer {i} ({layer.label()}) cannot take an input of shape {_shape_text(shape)}: {exc}"
            ) from None
        if res.span is not None and rf is not None:
            rf = (rf[0] + (res.span[0] - 1) * jump[0], rf[1] + (res.span[1] - 1) * jump[1])
            jump = (jump[0] * res.stride[0], jump[1] * res.stride[1])
        elif len(res.output_shape) != 3:
            rf = None
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
            )
        )
        shape = res.output_shape
    return Summary(rows[0].input_shape if rows else shape, tuple(rows))


# -- the torch bridge -----------------------------------------------------------------------
_ELEMENTWISE_TORCH = (
    "ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "GELU", "SiLU", "Tanh", "Sigmoid", "Softmax",
    "LogSoftmax", "Dropout", "Dropout2d", "Identity",
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
            if module.groups != 1:
                raise ValueError(f"{at}: grouped convolutions (groups={module.groups}) are not supported")
            if isinstance(module.padding, str):
                if module.padding != "valid":
                    raise ValueError(f"{at}: padding={module.padding!r} is not supported; give numbers")
                padding: Any = 0
            else:
                padding = tuple(module.padding)
            spec = Conv2d(module.out_channels, tuple(module.kernel_size), tuple(module.stride), padding,
                          tuple(module.dilation), bias=module.bias is not None)
            specs.append((spec, module.in_channels))
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
                f"{at} is not supported; summarize_torch handles nn.Sequential models of Conv2d, "
                "MaxPool2d, AvgPool2d, Flatten, Linear and element-wise layers (activations, dropout)"
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
        actual = row.input_shape[0] if isinstance(spec, Conv2d) else math.prod(row.input_shape)
        if declared != actual:
            what = "in_channels" if isinstance(spec, Conv2d) else "in_features"
            raise ValueError(
                f"layer {row.index} ({row.name}) is declared with {what}={declared}, but its input "
                f"{_shape_text(row.input_shape)} gives {actual}"
            )
    return summary


# -- the configuration solver ---------------------------------------------------------------
DEFAULT_MAX_KERNEL_SIZE = 11
DEFAULT_MAX_STRIDE = 8
DEFAULT_MAX_DILATION = 8


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
        mk = n
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

    found: list[Config] = []
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
                for p in range(lo, hi + 1):
                    if conv.output_size(n, k, stride=s, padding=p, dilation=d) == o:
                        found.append(Config(k, s, p, d))
    found.sort()
    return Solutions(found)
