"""The explorer of the initialization chapter: depth, width, scheme, activation, gain, BN, skips."""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..init import ACTIVATIONS, SCHEMES, default_gain, derivative_power, simulate, weight_variance
from ..plots.init import propagation_figure
from . import Explorer, View, int_slider

__all__ = ["PropagationExplorer", "WIDTHS"]

WIDTHS = (16, 32, 64, 128, 256, 512)
BATCH_SIZE = 128


def _sci(x: float) -> str:
    """A number for the panel: plain when moderate, a power of ten otherwise."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return r"\infty"
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.3g}"
    exponent = math.floor(math.log10(abs(x)))
    return rf"{x / 10**exponent:.2f} \times 10^{{{exponent}}}"


def _verdict(ratio: float) -> str:
    if ratio == 0:
        return "the gradient is exactly zero below the top layer: nothing can learn."
    if ratio < 1e-2:
        return "the gradient <b>vanishes</b> on its way down."
    if ratio > 1e2:
        return "the gradient <b>explodes</b> on its way down."
    return "the gradient keeps a healthy size all the way down."


class PropagationExplorer(Explorer):
    """Propagate a batch through a deep MLP and watch the per-layer spreads.

    >>> ex = PropagationExplorer()
    >>> ex.set(depth=10, width=64, scheme="xavier_normal", activation="relu").ok
    True
    >>> ex.set(use_default_gain=False, gain=0.0).ok
    False
    """

    def controls_(self) -> dict[str, Any]:
        style = {"description_width": "initial"}
        return {
            "depth": int_slider("depth", 30, 1, 60),
            "width": widgets.SelectionSlider(
                options=list(WIDTHS), value=256, description="width", continuous_update=False, style=style
            ),
            "scheme": widgets.Dropdown(options=list(SCHEMES), value="he_normal", description="init", style=style),
            "activation": widgets.Dropdown(
                options=list(ACTIVATIONS), value="relu", description="activation", style=style
            ),
            "use_default_gain": widgets.Checkbox(value=True, description="default gain", style=style),
            "gain": widgets.FloatSlider(
                value=1.0, min=0.0, max=3.0, step=0.05, description="gain", continuous_update=False, style=style
            ),
            "batch_norm": widgets.Checkbox(value=False, description="batch norm", style=style),
            "residual": widgets.Checkbox(value=False, description="residual (skip every 2 layers)", style=style),
        }

    def render(
        self,
        depth: int,
        width: int,
        scheme: str,
        activation: str,
        use_default_gain: bool,
        gain: float,
        batch_norm: bool,
        residual: bool,
    ) -> View:
        if scheme != "zeros" and not use_default_gain and gain <= 0:
            raise ValueError("a gain of 0 makes every weight 0; pick a gain above 0 (or the default gain)")
        g = default_gain(scheme) if use_default_gain else gain
        p = simulate(depth, width, activation, scheme, g, batch_norm, residual, batch_size=BATCH_SIZE, seed=0)
        var = weight_variance(scheme, (width, width), g)
        G = derivative_power(activation)
        factor = G * width * var
        measured = float(np.nanmedian(p.measured_factor[1:])) if depth else float("nan")
        ratio = p.gradient_ratio
        layout = ("batch norm" if batch_norm else "") + (" and " if batch_norm and residual else "") + (
            "skip connections" if residual else ""
        )
        note = (
            f" (with {layout} the plain-network recursion no longer applies: compare the measured factor)"
            if layout
            else ""
        )
        panel = (
            f"<p>Per-layer factor $G \\cdot n \\cdot \\mathrm{{Var}}[w] = {G:g} \\cdot {width} \\cdot {_sci(var)} = "
            f"\\mathbf{{{_sci(factor)}}}$ in theory{note}; measured (median over layers) "
            f"$\\mathbf{{{_sci(measured)}}}$.</p>"
            f"<p>Over {depth} layers: std of the activations goes from ${_sci(p.activation_std[0])}$ to "
            f"$\\mathbf{{{_sci(p.activation_std[-1])}}}$; std of the gradient from "
            f"${_sci(p.gradient_std[-1])}$ at the top to $\\mathbf{{{_sci(p.gradient_std[0])}}}$ at the input "
            f"(ratio ${_sci(ratio)}$): {_verdict(ratio)}</p>"
        )
        return View(panel, propagation_figure(p))
