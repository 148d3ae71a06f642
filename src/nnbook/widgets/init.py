"""The explorer of the initialization chapter: depth, width, scheme, activation, gain, BN, skips.

Python simulates (:func:`nnbook.init.simulate`) and reduces each run to what the explorer shows:
the panel's numbers and a compact picture (per-layer spreads in hundredths of a decade, three
histograms). In the live notebook every setting is simulated on demand. The built page has no
Python, so it carries a reduced grid of settings simulated in advance (:data:`GRID`, stored in
``js/init_grid.json``, regenerated with ``python -m nnbook.widgets.init``; the widget carries it
deflated, :func:`pack_grid`); the front-end (``js/init.js``) looks the current setting up and draws
it, and says so for a setting outside it.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import pathlib
import warnings
import zlib
from functools import lru_cache
from typing import Any

import numpy as np
import traitlets

from ..init import ACTIVATIONS, SCHEMES, default_gain, derivative_power, simulate, weight_variance
from ._live import LiveExplorer, View, bool_control, choice_control, float_control, int_control

__all__ = ["PropagationExplorer", "WIDTHS", "GRID", "propagation_entry", "grid_key", "pack_grid"]

WIDTHS = (16, 32, 64, 128, 256, 512)
BATCH_SIZE = 128
HIST_BINS = 16
HIST_LEVELS = 31  # histogram bar heights in 31sts of the tallest bar on that axis

# The settings the built page carries (every setting works in the live notebook):
# width 256; depth 10, 30 or 60; every activation, with and without batch norm and skips; the four
# schemes the chapter discusses with their default gain, and Xavier with a gain of 1.4 (about sqrt 2).
# (240 settings: 69 KB of JSON, 18 KB deflated and base64-encoded on the page.)
GRID_DEPTHS = (10, 30, 60)
GRID_WIDTHS = (256,)
GRID_SCHEMES = ("zeros", "normal", "xavier_normal", "he_normal")
GRID_GAINS = {"xavier_normal": (28,)}  # gain = i * 0.05, as on the slider: 1.4
GRID_FILE = pathlib.Path(__file__).with_name("js") / "init_grid.json"


def _grid_states() -> list[dict[str, Any]]:
    states = []
    for depth, width, scheme, activation, bn, res in itertools.product(
        GRID_DEPTHS, GRID_WIDTHS, GRID_SCHEMES, ACTIVATIONS, (False, True), (False, True)
    ):
        gains = [(True, 1.0)] + [(False, i * 0.05) for i in GRID_GAINS.get(scheme, ())]
        for use_default, gain in gains:
            states.append({"depth": depth, "width": width, "scheme": scheme, "activation": activation,
                           "use_default_gain": use_default, "gain": gain, "batch_norm": bn, "residual": res})
    return states


GRID = _grid_states()
"""Every setting the built page can show without Python."""

GRID_ABOUT = (
    "width 256; depth 10, 30 or 60; zeros, normal, xavier_normal or he_normal with the default gain, or "
    "xavier_normal with gain 1.4; any activation, with or without batch norm and skips"
)


def _sci(x: float) -> str:
    """A number for the panel: plain when moderate, a power of ten otherwise (n/a for NaN)."""
    if math.isnan(x):
        return r"\text{n/a}"
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return r"\infty"
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.3g}"
    exponent = math.floor(math.log10(abs(x)))
    return rf"{x / 10**exponent:.2f} \times 10^{{{exponent}}}"


VERDICTS = (
    "the gradient is exactly zero below the top layer: nothing can learn.",
    "the gradient <b>vanishes</b> on its way down.",
    "the gradient <b>explodes</b> on its way down.",
    "the gradient keeps a healthy size all the way down.",
)


def _verdict(ratio: float) -> int:
    if ratio == 0:
        return 0
    if ratio < 1e-2:
        return 1
    if ratio > 1e2:
        return 2
    return 3


def grid_key(depth: int, width: int, scheme: str, activation: str, use_default_gain: bool, gain: float,
             batch_norm: bool, residual: bool) -> str:
    """The name of a setting in the page's grid (js/init.js writes the same).

    >>> grid_key(30, 256, "he_normal", "relu", True, 1.0, False, False)
    '30,256,5,1,d,00'
    """
    g = "d" if use_default_gain else repr(float(gain)).removesuffix(".0")
    return f"{depth},{width},{SCHEMES.index(scheme)},{ACTIVATIONS.index(activation)},{g},{int(batch_norm)}{int(residual)}"


# -- compact numbers: lists of small integers as text (js/init.js unpacks them) -----------------
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"


def _pack(values: list[int | None], delta: bool) -> str:
    """Integers (None for a gap) as base-32 varints in a 64-letter alphabet, optionally as differences.

    >>> _pack([5, 7, None, 6], delta=True), _unpack(_pack([5, 7, None, 6], delta=True), delta=True)
    ('B502', [5, 7, None, 6])
    """
    out, previous = [], 0
    for v in values:
        if v is None:
            n = 0
        else:
            d = v - previous if delta else v
            previous = v
            n = 1 + (2 * d if d >= 0 else -2 * d - 1)
        while True:
            low, n = n & 31, n >> 5
            out.append(_DIGITS[low + (32 if n else 0)])
            if not n:
                break
    return "".join(out)


def _unpack(text: str, delta: bool) -> list[int | None]:
    values, previous, n, shift = [], 0, 0, 0
    for ch in text:
        c = _DIGITS.index(ch)
        n |= (c & 31) << shift
        shift += 5
        if c < 32:
            if n == 0:
                values.append(None)
            else:
                z = n - 1
                d = z // 2 if z % 2 == 0 else -(z + 1) // 2
                previous = previous + d if delta else d
                values.append(previous)
            n, shift = 0, 0
    return values


def _decades(values: np.ndarray) -> list[int | None]:
    """log10 of positive finite values in hundredths of a decade (None for 0, inf, NaN)."""
    out = []
    for v in np.asarray(values, dtype=float):
        out.append(int(round(100 * math.log10(v))) if math.isfinite(v) and v > 0 else None)
    return out


def _histograms(samples: list[np.ndarray], layers: list[int]) -> list[Any]:
    """[lo, hi, counts...] per axis: 16 bins between the rounded extremes, heights in 31sts of the tallest."""
    finite = [s[np.isfinite(s)] for s in (samples[l] for l in layers)]
    values = np.concatenate(finite) if finite else np.zeros(0)
    if values.size == 0:
        return []
    lo, hi = math.floor(float(values.min()) * 10) / 10, math.ceil(float(values.max()) * 10) / 10
    if hi - lo < 0.2:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, HIST_BINS + 1)
    counts = [np.histogram(s, bins=edges)[0] for s in finite]
    top = max(int(c.max()) for c in counts) or 1
    return [round(lo * 10), round(hi * 10)] + [int(round(HIST_LEVELS * int(c) / top)) for cs in counts for c in cs]


def propagation_entry(depth: int, width: int, scheme: str, activation: str, use_default_gain: bool, gain: float,
                      batch_norm: bool, residual: bool) -> str:
    """Simulate one setting and keep what the explorer shows, packed in one string (js/init.js
    unpacks it): ``panel strings ~ activation spreads ~ gradient spreads ~ theory line ~
    histogram layers ~ activation histograms ~ gradient histograms``.
    """
    if scheme != "zeros" and not use_default_gain and gain <= 0:
        raise ValueError("a gain of 0 makes every weight 0; pick a gain above 0 (or the default gain)")
    g = default_gain(scheme) if use_default_gain else gain
    p = simulate(depth, width, activation, scheme, g, batch_norm, residual, batch_size=BATCH_SIZE, seed=0)
    var = weight_variance(scheme, (width, width), g)
    G = derivative_power(activation)
    factor = G * width * var
    measured = p.measured_factor[1:]
    # a factor of 0 or inf means exactly-zero gradients in some layer: there is no meaningful median (issue 15)
    usable = measured[np.isfinite(measured) & (measured > 0)]
    measured_text = _sci(float(np.median(measured))) if usable.size == measured.size else ""  # "": undefined
    ratio = p.gradient_ratio
    parts = [f"{G:g}", _sci(var), _sci(factor), measured_text, _sci(p.activation_std[0]), _sci(p.activation_std[-1]),
             _sci(p.gradient_std[-1]), _sci(p.gradient_std[0]), _sci(ratio), str(_verdict(ratio))]
    plain = not (batch_norm or residual)
    top = p.gradient_std[-1]
    line = _decades(np.array([top, top * math.sqrt(factor) ** depth])) if plain and factor > 0 else [None, None]
    layers = sorted({1, max(1, depth // 2), depth})
    return "~".join([
        "|".join(parts),
        _pack(_decades(p.activation_std), delta=True),
        _pack(_decades(p.gradient_std), delta=True),
        _pack(line, delta=False),
        _pack(layers, delta=False),
        _pack(_histograms(p.activation_log10, layers), delta=False),
        _pack(_histograms(p.gradient_log10, layers), delta=False),
    ])


def propagation_view(packed: str, depth: int, width: int, batch_norm: bool, residual: bool) -> View:
    """The panel and picture numbers of a packed entry (what js/init.js computes from it too)."""
    entry = packed.split("~")
    (G, var, factor, measured, a0, aL, gT, g0, ratio, verdict) = entry[0].split("|")
    # issue 15: with exactly-zero gradients in some layer the factors are 0 and inf: no median
    measured = f"$\\mathbf{{{measured}}}$" if measured else "undefined (some layers pass an exactly zero gradient)"
    layout = ("batch norm" if batch_norm else "") + (" and " if batch_norm and residual else "") + (
        "skip connections" if residual else "")
    note = f" (with {layout} the plain-network recursion no longer applies: compare the measured factor)" if layout else ""
    panel = (
        f"<p>Per-layer factor $G \\cdot n \\cdot \\mathrm{{Var}}[w] = {G} \\cdot {width} \\cdot {var} = "
        f"\\mathbf{{{factor}}}$ in theory{note}; measured (median over layers) {measured}.</p>"
        f"<p>Over {depth} layers: std of the activations goes from ${a0}$ to $\\mathbf{{{aL}}}$; "
        f"std of the gradient from ${gT}$ at the top to $\\mathbf{{{g0}}}$ at the input "
        f"(ratio ${ratio}$): {VERDICTS[int(verdict)]}</p>"
    )
    layers = _unpack(entry[4], delta=False)
    hists = []
    for packed in entry[5:7]:
        h = _unpack(packed, delta=False)
        hists.append({"lo": h[0] / 10, "hi": h[1] / 10,
                      "counts": [h[2 + i * HIST_BINS: 2 + (i + 1) * HIST_BINS] for i in range(len(layers))]} if h else None)
    data = {
        "depth": depth,
        "act": _unpack(entry[1], delta=True),
        "grad": _unpack(entry[2], delta=True),
        "theory": _unpack(entry[3], delta=False),
        "layers": layers,
        "act_hist": hists[0],
        "grad_hist": hists[1],
    }
    return View(panel, data=data)


@lru_cache(maxsize=1)
def _saved_grid() -> dict[str, Any]:
    try:
        return json.loads(GRID_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def pack_grid(entries: dict[str, str]) -> str:
    """The grid's entries as the page carries them: their JSON, deflated (zlib) and base64-encoded
    (about a quarter of the JSON; ``js/init.js`` inflates it once, before the first draw).

    >>> packed = pack_grid({"10,256,0,0,d,00": "1|0"})
    >>> json.loads(zlib.decompress(base64.b64decode(packed)))
    {'10,256,0,0,d,00': '1|0'}
    """
    text = json.dumps(entries, separators=(",", ":"), sort_keys=True)
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def write_grid(path: pathlib.Path = GRID_FILE) -> dict[str, Any]:
    """Simulate every setting of :data:`GRID` and save the packed entries (a minute or two)."""
    grid = {grid_key(**s): propagation_entry(**s) for s in GRID}
    path.write_text(json.dumps(grid, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    _saved_grid.cache_clear()
    return grid


class PropagationExplorer(LiveExplorer):
    """Propagate a batch through a deep MLP and watch the per-layer spreads.

    >>> ex = PropagationExplorer()
    >>> ex.set(depth=10, width=64, scheme="xavier_normal", activation="relu").ok
    True
    >>> ex.set(use_default_gain=False, gain=0.0).ok
    False
    """

    js_module = "init.js"
    url_key = "propagation"
    depth = int_control("depth", 30, 1, 60)
    width = choice_control("width", 256, [(str(w), w) for w in WIDTHS])
    scheme = choice_control("init", "he_normal", SCHEMES)
    activation = choice_control("activation", "relu", ACTIVATIONS)
    use_default_gain = bool_control("default gain", True)
    gain = float_control("gain", 1.0, 0.0, 3.0, 0.05, digits=3)
    batch_norm = bool_control("batch norm", False)
    residual = bool_control("residual (skip every 2 layers)", False)
    # the packed entry of the current setting, computed by Python (live), and the page's grid;
    # live: a front-end said hello to this kernel (False on the built page, which has no kernel)
    entry = traitlets.Dict().tag(sync=True)
    grid = traitlets.Dict().tag(sync=True)
    live = traitlets.Bool(False).tag(sync=True)

    def __init__(self, **values: Any) -> None:
        self._entries: dict[str, str] = {}
        super().__init__(**values)
        self.on_msg(self._on_front_end_message)
        saved = _saved_grid()
        current = grid_key(**self.values)
        if current in saved and self.entry.get("entry") is not None and saved[current] != self.entry["entry"]:
            warnings.warn("js/init_grid.json is stale (nnbook.init.simulate changed): the page shows only the "
                          "current setting; run `python -m nnbook.widgets.init` to simulate the grid again",
                          stacklevel=2)
            saved = {}
        self.grid = {"about": GRID_ABOUT, "schemes": list(SCHEMES), "activations": list(ACTIVATIONS),
                     "packed": pack_grid(saved)}

    def _on_front_end_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "hello":
            self.live = True

    def _entry(self, **values: Any) -> str:
        key = grid_key(**values)
        if key not in self._entries:
            self._entries = {key: propagation_entry(**values)}  # keep one: a setting is a few KB
        return self._entries[key]

    def render(self, depth: int, width: int, scheme: str, activation: str, use_default_gain: bool, gain: float,
               batch_norm: bool, residual: bool) -> View:
        entry = self._entry(depth=depth, width=width, scheme=scheme, activation=activation,
                            use_default_gain=use_default_gain, gain=gain, batch_norm=batch_norm, residual=residual)
        return propagation_view(entry, depth, width, batch_norm, residual)

    def refresh(self) -> bool:
        ok = super().refresh()
        if ok:
            key = grid_key(**self.values)
            self.entry = {"key": key, "entry": self._entries[key]}
        return ok


if __name__ == "__main__":  # python -m nnbook.widgets.init: simulate the page's grid again
    import time

    start = time.perf_counter()
    grid = write_grid()
    print(f"{len(grid)} settings, {GRID_FILE.stat().st_size / 1024:.1f} KB, {time.perf_counter() - start:.0f} s")
