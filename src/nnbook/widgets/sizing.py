"""The network builder of the CNN sizing chapter: add and remove layers, see the sizing table,
the shape flow and where the parameters and multiplications are."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from ..plots.sizing import network_figure
from ..sizing import AvgPool2d, Conv2d, Flatten, Layer, Linear, MaxPool2d, ReLU, summarize
from . import Explorer, View, int_slider

__all__ = ["NetworkBuilder", "make_layer", "builder_view", "PRESETS", "LAYER_KINDS"]

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
    return View(panel, network_figure(summary) if figure else None)


class NetworkBuilder(Explorer):
    """Build a network layer by layer and watch its sizing table and figures update.

    Controls: the input (channels, height, width), the kind and numbers of the next layer;
    buttons add it or remove the last layer; a preset menu loads the chapter's networks. Tests
    drive it with :meth:`set`, :meth:`add`, :meth:`remove` and :meth:`load`.

    >>> b = NetworkBuilder("RGB 256x256 with pooling")
    >>> b.set(kind="Conv2d", size=8, kernel_size=11, dilation=4).add(), "does not fit" in b.message.value
    (False, True)
    >>> b.remove(), len(b.layers)
    (True, 2)
    """

    def __init__(self, preset: str = "Atari DQN") -> None:
        if preset not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(repr(p) for p in PRESETS)}; got {preset!r}")
        shape, layers = PRESETS[preset]
        self.layers: list[Layer] = list(layers)
        self._initial_shape = shape
        self._drawn: tuple | None = None  # (input shape, layers) of the figure on show
        super().__init__()
        self.preset = widgets.Dropdown(options=list(PRESETS), value=preset, description="network")
        self.preset.observe(lambda change: self.load(change["new"]), names="value")
        self.add_button = widgets.Button(description="Add layer", button_style="success", icon="plus")
        self.remove_button = widgets.Button(description="Remove last", icon="minus")
        self.add_button.on_click(lambda _: self.add())
        self.remove_button.on_click(lambda _: self.remove())
        c = self.controls
        wrap = widgets.Layout(flex_flow="row wrap")
        self.widget = widgets.VBox([
            widgets.HBox([self.preset, c["channels"], c["height"], c["width"]], layout=wrap),
            widgets.HBox([c["kind"], c["size"], c["kernel_size"], c["stride"], c["padding"], c["dilation"],
                          self.add_button, self.remove_button], layout=wrap),
            self.message, self.panel, self.image,
        ])

    def controls_(self) -> dict[str, Any]:
        c, h, w = self._initial_shape
        return {
            "channels": int_slider("input channels", c, 1, 256),
            "height": int_slider("height", h, 1, 256),
            "width": int_slider("width", w, 1, 256),
            "kind": widgets.Dropdown(options=list(LAYER_KINDS), value=self._initial_kind(), description="next layer"),
            "size": int_slider("channels / features", 16, 1, 512),
            "kernel_size": int_slider("kernel k", 3, 1, 11),
            "stride": int_slider("stride s", 1, 1, 8),
            "padding": int_slider("padding p", 0, 0, 5),
            "dilation": int_slider("dilation d", 1, 1, 4),
        }

    def _initial_kind(self) -> str:
        """Suggest a layer that fits: a convolution after a map, a dense layer after a vector."""
        out = summarize(self._initial_shape, self.layers).output_shape
        return "Conv2d" if len(out) == 3 else "Linear"

    @property
    def input_shape(self) -> tuple[int, int, int]:
        v = self.values
        return (v["channels"], v["height"], v["width"])

    def next_layer(self) -> Layer:
        """The layer the controls describe (``ValueError`` if they describe an impossible one)."""
        v = self.values
        return make_layer(v["kind"], v["size"], v["kernel_size"], v["stride"], v["padding"], v["dilation"])

    def render(self, channels: int, height: int, width: int, kind: str, size: int, kernel_size: int,
               stride: int, padding: int, dilation: int) -> View:
        try:
            pending: Layer | str = make_layer(kind, size, kernel_size, stride, padding, dilation)
        except ValueError as exc:
            pending = str(exc)
        key = ((channels, height, width), tuple(self.layers))
        view = builder_view(key[0], self.layers, pending, figure=key != self._drawn)
        if view.figure is not None:
            self._drawn = key
        return view

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
        try:
            summarize(self.input_shape, [*self.layers, layer])
        except ValueError as exc:
            return self._refuse(layer.label(), str(exc).split(": ", 1)[-1])
        self.layers.append(layer)
        return self.refresh()

    def remove(self, index: int = -1) -> bool:
        """Remove the layer at ``index`` (default: the last); False when there is none."""
        if not self.layers:
            self.message.value = "There are no layers to remove."
            return False
        try:
            self.layers.pop(index)
        except IndexError:
            raise ValueError(f"index must be between {-len(self.layers)} and {len(self.layers) - 1}, "
                             f"got {index}") from None
        return self.refresh()

    def load(self, preset: str) -> bool:
        """Replace the network and its input by one of :data:`PRESETS`."""
        if preset not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(repr(p) for p in PRESETS)}; got {preset!r}")
        (c, h, w), layers = PRESETS[preset]
        self.layers = list(layers)
        if self.preset.value != preset:  # keep the menu in step (its observer calls load again)
            self.preset.value = preset
        self.set(channels=c, height=h, width=w)
        return self.ok
