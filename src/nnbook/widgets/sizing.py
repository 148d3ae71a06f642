"""The network builder of the CNN sizing chapter: add and remove layers, see the sizing table,
the shape flow and where the parameters and multiplications are."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import traitlets

from ..sizing import AvgPool2d, Conv2d, Flatten, Layer, Linear, MaxPool2d, ReLU, Summary, summarize
from ._live import LiveExplorer, View, choice_control, int_control

__all__ = ["NetworkBuilder", "make_layer", "layer_spec", "builder_view", "PRESETS", "LAYER_KINDS"]

LAYER_KINDS = ("Conv2d", "MaxPool2d", "AvgPool2d", "Linear", "ReLU", "Flatten")

PRESETS: dict[str, tuple[tuple[int, int, int], tuple[Layer, ...]]] = {
    "Atari DQN": (
        (4, 84, 84),
        (Conv2d(16, 8, stride=4), ReLU(), Conv2d(32, 4, stride=2), ReLU(), Linear(256), ReLU(), Linear(18)),
    ),
    "RGB 256x256 with pooling": (
        (3, 256, 256),
        (Conv2d(64, 8, stride=2), MaxPool2d(5), Conv2d(128, 4, stride=1, padding=1)),
    ),
    "one 5x5 convolution": ((192, 28, 28), (Conv2d(64, 5, padding=2),)),
    "two 3x3 convolutions": ((192, 28, 28), (Conv2d(64, 3, padding=1), ReLU(), Conv2d(64, 3, padding=1))),
    "empty": ((3, 32, 32), ()),
}


def make_layer(kind: str, size: int = 16, kernel_size: int = 3, stride: int = 1, padding: int = 0,
               dilation: int = 1) -> Layer:
    """The layer spec the builder's controls describe (``size`` is out_channels or out_features).

    Pooling uses ``kernel_size``, ``stride``, ``padding`` (and ``dilation`` for max pooling).

    >>> make_layer("Conv2d", 8, kernel_size=3, padding=1)
    Conv2d(8, kernel_size=3, padding=1)
    >>> make_layer("MaxPool2d", kernel_size=2, stride=2)
    MaxPool2d(kernel_size=2)
    """
    if kind == "Conv2d":
        return Conv2d(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    if kind == "MaxPool2d":
        return MaxPool2d(kernel_size, stride=stride, padding=padding, dilation=dilation)
    if kind == "AvgPool2d":
        return AvgPool2d(kernel_size, stride=stride, padding=padding)
    if kind == "Linear":
        return Linear(size)
    if kind == "ReLU":
        return ReLU()
    if kind == "Flatten":
        return Flatten()
    raise ValueError(f"kind must be one of {', '.join(LAYER_KINDS)}; got {kind!r}")


def _next_layer_text(input_shape: tuple[int, ...], layers: Sequence[Layer], next_layer: Layer | str) -> str:
    if isinstance(next_layer, str):  # the controls describe an impossible spec: the reason
        return f"<p><b>Next layer</b>: cannot be built: {html.escape(next_layer)}.</p>"
    try:
        shape = summarize(input_shape, [*layers, next_layer]).output_shape
    except ValueError as exc:
        reason = str(exc).split(": ", 1)[-1]
        return (f"<p><b>Next layer</b> {html.escape(next_layer.label())} cannot be added here: "
                f"{html.escape(reason)}.</p>")
    return f"<p><b>Next layer</b> {html.escape(next_layer.label())} would output {shape}.</p>"


def builder_view(input_shape: tuple[int, int, int], layers: Sequence[Layer],
                 next_layer: Layer | str | None = None, *, figure: bool = True) -> View:
    """The builder's picture of a network: its table (HTML), the next layer's fate, the figure.

    Raises ``ValueError`` (from :func:`nnbook.sizing.summarize`) when the network does not fit
    its input.

    >>> view = builder_view((1, 28, 28), [Conv2d(4, 5)], Linear(10))
    >>> "would output (10,)" in view.panel
    True
    """
    summary = summarize(input_shape, list(layers))
    panel = summary._repr_html_()
    if next_layer is not None:
        panel += _next_layer_text(summary.input_shape, layers, next_layer)
    if not figure:
        return View(panel)
    from ..plots.sizing import network_figure

    return View(panel, network_figure(summary))


#: The ranges of the builder's layer controls; a layer in a link or in ``set(layers=...)`` must fit them.
LAYER_RANGES = {"size": (1, 512), "kernel_size": (1, 11), "stride": (1, 8), "padding": (0, 5), "dilation": (1, 4)}
MAX_LAYERS = 64


def layer_spec(layer: Layer) -> dict[str, Any]:
    """The builder's description of ``layer`` (what its controls would be set to), JSON-able.

    >>> layer_spec(Conv2d(16, 8, stride=4))
    {'kind': 'Conv2d', 'size': 16, 'kernel_size': 8, 'stride': 4, 'padding': 0, 'dilation': 1}
    >>> make_layer(**layer_spec(MaxPool2d(5))).label()
    'MaxPool2d(k=5)'
    """
    spec = {"kind": type(layer).__name__, "size": 16, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1}
    if isinstance(layer, Conv2d) and layer.bias:
        spec.update(size=layer.out_channels, kernel_size=layer._k, stride=layer._s, padding=layer._p,
                    dilation=layer._d)
    elif isinstance(layer, (MaxPool2d, AvgPool2d)):
        spec.update(kernel_size=layer._k, stride=layer._s, padding=layer._p, dilation=layer._d)
    elif isinstance(layer, Linear) and layer.bias:
        spec.update(size=layer.out_features)
    elif type(layer) not in (ReLU, Flatten):
        raise ValueError(f"the builder holds {', '.join(LAYER_KINDS)} layers with biases; got {layer!r}")
    for name in ("kernel_size", "stride", "padding", "dilation"):
        pair = spec[name]
        if isinstance(pair, tuple):
            if pair[0] != pair[1]:
                raise ValueError(f"the builder holds square windows only; got {name}={pair} in {layer!r}")
            spec[name] = pair[0]
    return _check_spec(spec, f"layer {layer!r}")


def _check_spec(spec: Any, where: str) -> dict[str, Any]:
    if not isinstance(spec, dict) or set(spec) != {"kind", *LAYER_RANGES}:
        raise ValueError(f"{where} must be a layer description with keys kind, {', '.join(LAYER_RANGES)}; got {spec!r}")
    if spec["kind"] not in LAYER_KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(LAYER_KINDS)}; got {spec['kind']!r}")
    for name, (low, high) in LAYER_RANGES.items():
        value = spec[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{where}: {name} must be a whole number, got {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{where}: {name} must be from {low} to {high}, as on its slider; got {value}")
    return dict(spec)


class NetworkBuilder(LiveExplorer):
    """Build a network layer by layer and watch its sizing table and figures update.

    Controls: the input (channels, height, width), the kind and numbers of the next layer;
    buttons add it or remove the last layer; a preset menu loads the chapter's networks. Live
    on the built page too (``js/sizing.js``). Tests drive it with :meth:`set`, :meth:`add`,
    :meth:`remove` and :meth:`load`; ``layers`` holds the network as layer descriptions
    (:func:`layer_spec`), ``network`` as layer specs.

    >>> b = NetworkBuilder("RGB 256x256 with pooling")
    >>> b.set(kind="Conv2d", size=8, kernel_size=11, dilation=4).add(), "does not fit" in b.message.value
    (False, True)
    >>> b.remove(), len(b.layers)
    (True, 2)
    """

    js_module = "sizing.js"
    url_key = "network"
    state_traits = ("layers",)
    channels = int_control("input channels", 4, 1, 256)
    height = int_control("height", 84, 1, 256)
    width = int_control("width", 84, 1, 256)
    kind = choice_control("next layer", "Linear", LAYER_KINDS)
    size = int_control("channels / features", 16, *LAYER_RANGES["size"])
    kernel_size = int_control("kernel k", 3, *LAYER_RANGES["kernel_size"])
    stride = int_control("stride s", 1, *LAYER_RANGES["stride"])
    padding = int_control("padding p", 0, *LAYER_RANGES["padding"])
    dilation = int_control("dilation d", 1, *LAYER_RANGES["dilation"])
    layers = traitlets.List().tag(sync=True)
    _presets = traitlets.Dict().tag(sync=True)

    def __init__(self, preset: str = "Atari DQN") -> None:
        _check_preset(preset)
        super().__init__()
        self._presets = {name: _preset_state(name) for name in PRESETS}
        self.load(preset)

    # -- the model ------------------------------------------------------------------------------
    def render(self, channels: int, height: int, width: int, kind: str, size: int, kernel_size: int,
               stride: int, padding: int, dilation: int, layers: list[dict]) -> View:
        network = [make_layer(**spec) for spec in layers]
        try:
            pending: Layer | str = make_layer(kind, size, kernel_size, stride, padding, dilation)
        except ValueError as exc:
            pending = str(exc)
        summary = summarize((channels, height, width), network)
        panel = summary._repr_html_() + _next_layer_text(summary.input_shape, network, pending)
        return View(panel, data=summary_data(summary))

    def _check_state(self, name: str, value: Any) -> Any:
        if name != "layers":
            return super()._check_state(name, value)
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"layers must be a list of layer descriptions, got {type(value).__name__}")
        if len(value) > MAX_LAYERS:
            raise ValueError(f"the builder holds at most {MAX_LAYERS} layers; got {len(value)}")
        return [_check_spec(spec, f"layer {i}") for i, spec in enumerate(value, start=1)]

    @property
    def network(self) -> list[Layer]:
        """The network as layer specs (``Conv2d(...)``, ...)."""
        return [make_layer(**spec) for spec in self.layers]

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return (self.channels, self.height, self.width)

    def next_layer(self) -> Layer:
        """The layer the controls describe (``ValueError`` if they describe an impossible one)."""
        return make_layer(self.kind, self.size, self.kernel_size, self.stride, self.padding, self.dilation)

    # -- actions ----------------------------------------------------------------------------
    def _refuse(self, what: str, reason: str) -> bool:
        self.ok = False
        self.message.value = (
            f'<span style="color:#b00020">&#9888; {html.escape(what)} cannot be added: '
            f"{html.escape(reason)}. The network is unchanged.</span>"
        )
        return False

    def add(self, layer: Layer | None = None) -> bool:
        """Append ``layer`` (default: the one the controls describe) if it fits; say why if not."""
        try:
            layer = self.next_layer() if layer is None else layer
        except ValueError as exc:
            return self._refuse("This layer", str(exc))
        spec = layer_spec(layer)
        try:
            summarize(self.input_shape, [*self.network, layer])
        except ValueError as exc:
            return self._refuse(layer.label(), str(exc).split(": ", 1)[-1])
        self.set(layers=[*self.layers, spec])
        return self.ok

    def remove(self, index: int = -1) -> bool:
        """Remove the layer at ``index`` (default: the last); False when there is none."""
        if not self.layers:
            self.message.value = "There are no layers to remove."
            return False
        if not -len(self.layers) <= index < len(self.layers):
            raise ValueError(f"index must be between {-len(self.layers)} and {len(self.layers) - 1}, got {index}")
        layers = list(self.layers)
        layers.pop(index)
        self.set(layers=layers)
        return self.ok

    def load(self, preset: str) -> bool:
        """Replace the network and its input by one of :data:`PRESETS`."""
        _check_preset(preset)
        self.set(**self._presets[preset])
        return self.ok


def _check_preset(preset: str) -> None:
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(repr(p) for p in PRESETS)}; got {preset!r}")


def _preset_state(preset: str) -> dict[str, Any]:
    """What loading ``preset`` sets: the input, the layers, and a next layer that fits."""
    (c, h, w), layers = PRESETS[preset]
    out = summarize((c, h, w), layers).output_shape
    return {"channels": c, "height": h, "width": w, "kind": "Conv2d" if len(out) == 3 else "Linear",
            "layers": [layer_spec(layer) for layer in layers]}


def summary_data(summary: Summary) -> dict[str, Any]:
    """The numbers the builder's picture shows (shape flow and bars), JSON-able.

    >>> summary_data(summarize((1, 8, 8), [Conv2d(2, 3)]))["flow"]
    [['input', [1, 8, 8]], ['Conv2d', [2, 6, 6]]]
    """
    counted = [r for r in summary.rows if r.neurons > 0]

    def share(v: int, total: int) -> str:
        return f"{100 * v / total:.1f}%" if total else "0%"

    return {
        "input_shape": list(summary.input_shape),
        "output_shape": list(summary.output_shape),
        "rows": [[r.name, list(r.output_shape), r.weights_per_neuron, r.neurons, r.connections, r.params,
                  r.multiplications] for r in summary.rows],
        "flow": [["input", list(summary.input_shape)]] + [[r.name.split("(")[0], list(r.output_shape)] for r in counted],
        "bars": [[f"{r.index} {r.name}", r.params, share(r.params, summary.total_params), r.multiplications,
                  share(r.multiplications, summary.total_multiplications)] for r in counted],
        "totals": [summary.total_neurons, summary.total_connections, summary.total_params,
                   summary.total_multiplications],
    }
