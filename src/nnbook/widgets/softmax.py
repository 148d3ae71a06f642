"""Explorers for the softmax chapter: temperature and shift of a softmax; a steep sigmoid against the step."""

from __future__ import annotations

import math
import re
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..plots.softmax import ProbabilityBars, SigmoidStep
from ..softmax import entropy, heaviside, sigmoid, softmax, steepness_for_gap
from . import Explorer, View

__all__ = ["TemperatureExplorer", "StepExplorer", "parse_logits", "MAX_CLASSES"]

MAX_CLASSES = 10
_SPLIT = re.compile(r"[,;\s]+")
_STYLE = {"description_width": "initial"}


def parse_logits(text: str) -> np.ndarray:
    """Read logits typed by a reader, e.g. ``"1, 2, 3"`` or ``"0 -inf 2"``.

    Raises ``ValueError`` with a plain message for anything that is not 1 to
    ``MAX_CLASSES`` numbers (``-inf`` allowed).

    >>> parse_logits("1, 2, 3").tolist()
    [1.0, 2.0, 3.0]
    >>> parse_logits("2 -inf").tolist()
    [2.0, -inf]
    """
    if not isinstance(text, str):
        raise ValueError(f"logits must be typed as text such as '1, 2, 3', got {text!r}")
    parts = [p for p in _SPLIT.split(text.strip().strip("()[]")) if p]
    if not parts:
        raise ValueError("type at least one logit, e.g. 1, 2, 3")
    values = []
    for part in parts:
        try:
            v = float(part.replace("−", "-"))
        except ValueError:
            raise ValueError(f"could not read {part!r} as a number; type logits separated by commas, e.g. 1, 2, 3") from None
        if math.isnan(v):
            raise ValueError("a logit cannot be nan")
        if v == math.inf:
            raise ValueError("a logit cannot be +inf (exp(+inf)/exp(+inf) has no value); use -inf to rule a class out")
        values.append(v)
    if len(values) > MAX_CLASSES:
        raise ValueError(f"this explorer draws at most {MAX_CLASSES} classes, got {len(values)}")
    return np.array(values)


def _fmt(v: float) -> str:
    return r"-\infty" if v == -math.inf else f"{v:.4g}"


class TemperatureExplorer(Explorer):
    """Type logits, add a shift ``c`` to all of them, divide by a temperature ``T``; see the softmax.

    >>> ex = TemperatureExplorer()
    >>> ex.set(logits="1, 2, 3", shift=5.0, temperature=1.0).ok
    True
    >>> ex.set(logits="-inf, -inf").ok
    False
    """

    def __init__(self) -> None:
        self._chart: ProbabilityBars | None = None
        super().__init__()
        self.image.layout.align_self = "flex-start"  # show the PNG at its own size, not stretched

    def controls_(self) -> dict[str, Any]:
        return {
            "logits": widgets.Text(value="1, 2, 3", description="logits z", continuous_update=False, style=_STYLE),
            "shift": widgets.FloatSlider(value=0.0, min=-10.0, max=10.0, step=0.5, description="shift c",
                                         continuous_update=False, style=_STYLE),
            "temperature": widgets.FloatLogSlider(value=1.0, base=10, min=-2, max=2, step=0.05,
                                                  description="temperature T", continuous_update=False,
                                                  readout_format=".3g", style=_STYLE),
        }

    def render(self, logits: str, shift: float, temperature: float) -> View:
        z = parse_logits(logits)
        p = softmax(z + shift, temperature=temperature)  # raises ValueError for all -inf
        h = entropy(p)
        rows = "".join(
            f"<tr><td>{i + 1}</td><td>${_fmt(zi)}$</td><td>${_fmt(zi + shift)}$</td><td>{pi:.4f}</td></tr>"
            for i, (zi, pi) in enumerate(zip(z, p))
        )
        panel = (
            r"$P_i = \dfrac{e^{(z_i + c)/T}}{\sum_j e^{(z_j + c)/T}}$"
            f" with $c = {shift:g}$ and $T = {temperature:.3g}$:"
            '<table style="border-collapse:collapse;margin:0.4em 0"><tr><th>class</th><th>$z_i$</th><th>$z_i + c$</th>'
            f"<th>$P_i$</th></tr>{rows}</table>"
            f"<p>Entropy $H = -\\sum_i P_i \\log P_i = {h:.4f}$ nats "
            f"(uniform: $\\log {len(p)} = {math.log(len(p)):.4f}$; one-hot: 0). "
            "The shift $c$ never changes the probabilities; the temperature does.</p>"
        )
        if self._chart is None or self._chart.num_classes != len(p):
            self._chart = ProbabilityBars(len(p))
        return View(panel, self._chart.update(p, temperature))


class StepExplorer(Explorer):
    """Steepness ``k`` of ``sigmoid(k x)`` and a band ``|x| < delta``: how close is it to ``H(x)``?

    >>> ex = StepExplorer()
    >>> ex.set(k=100.0, delta=0.1).ok
    True
    """

    def __init__(self) -> None:
        self._chart = SigmoidStep()
        super().__init__()
        self.image.layout.align_self = "flex-start"  # show the PNG at its own size, not stretched

    def controls_(self) -> dict[str, Any]:
        return {
            "k": widgets.FloatLogSlider(value=1.0, base=10, min=-0.5, max=3, step=0.05, description="steepness k",
                                        continuous_update=False, readout_format=".3g", style=_STYLE),
            "delta": widgets.FloatSlider(value=0.1, min=0.01, max=1.0, step=0.01, description="band delta",
                                         continuous_update=False, style=_STYLE),
        }

    def render(self, k: float, delta: float) -> View:
        gap = float(sigmoid(-k * delta))
        need = steepness_for_gap(0.01, delta)
        values = " ".join(
            f"<tr><td>${x:.3g}$</td><td>{float(sigmoid(k * x)):.6f}</td><td>{float(heaviside(x)):g}</td></tr>"
            for x in (-delta, 0.0, delta)
        )
        panel = (
            f"$\\sigma(kx) = 1/(1 + e^{{-kx}})$ with $k = {k:.3g}$, against the step $H(x)$:"
            '<table style="border-collapse:collapse;margin:0.4em 0"><tr><th>$x$</th><th>$\\sigma(kx)$</th><th>$H(x)$</th></tr>'
            f"{values}</table>"
            f"<p>Largest gap for $|x| \\ge {delta:g}$: $\\sigma(-k\\delta) = {gap:.3e}$. "
            f"A gap of at most 0.01 there needs $k \\ge \\ln 99 / \\delta = {need:.4g}$. "
            "At $x = 0$ both are exactly $1/2$, for every $k$.</p>"
        )
        return View(panel, self._chart.update(k, delta))
