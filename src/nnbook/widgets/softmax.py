"""Explorers for the softmax chapter: temperature and shift of a softmax; a steep sigmoid against the step."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from ..softmax import entropy, heaviside, sigmoid, softmax, steepness_for_gap
from ._live import LiveExplorer, View, float_control, text_control

__all__ = ["TemperatureExplorer", "StepExplorer", "parse_logits", "MAX_CLASSES"]

MAX_CLASSES = 10
# One grammar for Python and the page (js/softmax.js): ASCII whitespace, commas or semicolons
# between numbers written as Python writes floats (no underscores, no other scripts' digits).
_WS = " \t\n\r\f\v"
_SPLIT = re.compile(r"[,;\t\n\r\f\v ]+")
_NUMBER = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)", re.IGNORECASE)


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
    parts = [p for p in _SPLIT.split(text.strip(_WS).strip("()[]")) if p]
    if not parts:
        raise ValueError("type at least one logit, e.g. 1, 2, 3")
    values = []
    for part in parts:
        number = part.replace("−", "-")
        if not _NUMBER.fullmatch(number):
            raise ValueError(f"could not read {part!r} as a number; type logits separated by commas, e.g. 1, 2, 3")
        v = float(number)
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


class TemperatureExplorer(LiveExplorer):
    """Type logits, add a shift ``c`` to all of them, divide by a temperature ``T``; see the softmax.

    >>> ex = TemperatureExplorer()
    >>> ex.set(logits="1, 2, 3", shift=5.0, temperature=1.0).ok
    True
    >>> ex.set(logits="-inf, -inf").ok
    False
    """

    js_module = ("_pyformat.js", "_softmax.js", "softmax_temperature.js")
    url_key = "softmax-temperature"
    logits = text_control("logits z", "1, 2, 3")
    shift = float_control("shift c", 0.0, -10.0, 10.0, 0.5, digits=3)
    temperature = float_control("temperature T", 1.0, -2.0, 2.0, 0.05, log=True, digits=3)

    def render(self, logits: str, shift: float, temperature: float) -> View:
        z = parse_logits(logits)
        with np.errstate(over="ignore", invalid="ignore"):  # -1e308 - 1e308 is -inf, as it should be
            p = softmax(z + shift, temperature=temperature)  # raises ValueError for all -inf
        h = entropy(p)
        k = len(p)
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
            f"(uniform: $\\log {k} = {math.log(k):.4f}$; one-hot: 0). "
            "The shift $c$ never changes the probabilities; the temperature does.</p>"
        )
        # the bar chart (js/softmax_temperature.js draws it): heights are the labels' numbers
        data = {
            "labels": [f"{v:.3f}" for v in p],
            "top": np.isclose(p, p.max(), rtol=1e-12, atol=0).tolist(),
            "title": f"T = {temperature:.3g}: entropy {h:.3f} nats (max {np.log(k):.3f})",
            "ticks": [f"class {i + 1}" if k <= 8 else str(i + 1) for i in range(k)],
        }
        return View(panel, data=data)


class StepExplorer(LiveExplorer):
    """Steepness ``k`` of ``sigmoid(k x)`` and a band ``|x| < delta``: how close is it to ``H(x)``?

    >>> ex = StepExplorer()
    >>> ex.set(k=100.0, delta=0.1).ok
    True
    """

    js_module = ("_pyformat.js", "_softmax.js", "softmax_step.js")
    url_key = "sigmoid-step"
    k = float_control("steepness k", 1.0, -0.5, 3.0, 0.05, log=True, digits=3)
    delta = float_control("band delta", 0.1, 0.01, 1.0, 0.01, digits=3)

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
        # the curve sigma(k x) itself is drawn by js/softmax_step.js from k
        data = {"title": f"k = {k:.3g}: outside |x| < {delta:.3g} the gap is at most {gap:.3e}"}
        return View(panel, data=data)
