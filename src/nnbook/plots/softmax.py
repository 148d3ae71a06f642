"""Figures for the softmax chapter: probability bar charts and the steep sigmoid against the step.

Each figure is a small class that builds its artists once and then only moves them
(``update``), so that an explorer can redraw it in a few milliseconds; the functions
:func:`probability_bars` and :func:`sigmoid_vs_step` make a one-off figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..softmax import entropy, heaviside, sigmoid, softmax
from . import new_figure

__all__ = ["ProbabilityBars", "SigmoidStep", "probability_bars", "sigmoid_vs_step"]

BAR_COLOUR = "#4c72b0"
TOP_COLOUR = "#dd8452"
UNIFORM_COLOUR = "#777777"
STEP_COLOUR = "#333333"
SIGMOID_COLOUR = "#4c72b0"


def _plain_axes(fig: Figure) -> Any:
    ax = fig.add_subplot()
    ax.tick_params(labelsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


class ProbabilityBars:
    """A bar chart of K probabilities with the uniform level ``1/K`` dashed and the entropy in the title.

    The most probable class (all of them, when tied) is orange. ``update`` moves the bars.

    >>> chart = ProbabilityBars(3)
    >>> chart.update([0.2, 0.3, 0.5], temperature=1.0) is chart.figure
    True
    """

    def __init__(self, num_classes: int) -> None:
        k = int(num_classes)
        self.num_classes = k
        # a fixed layout (no layout engine) keeps every redraw cheap
        self.figure = new_figure(max(4.6, 0.7 * k + 2.0), 2.9, layout=None)
        self.figure.subplots_adjust(left=0.12, right=0.92, bottom=0.12, top=0.88)
        ax = _plain_axes(self.figure)
        self.axes = ax
        self.bars = ax.bar(np.arange(k), np.zeros(k), color=BAR_COLOUR, width=0.7)
        self.labels = [ax.text(i, 0.0, "", ha="center", va="bottom", fontsize=9) for i in range(k)]
        self.uniform = ax.axhline(1.0 / k, color=UNIFORM_COLOUR, linestyle="--", linewidth=1)
        ax.text(k - 0.55, 1.0 / k, " 1/K", va="bottom", ha="left", fontsize=9, color=UNIFORM_COLOUR)
        ax.set_xticks(np.arange(k), [f"class {i + 1}" for i in range(k)] if k <= 8 else [str(i + 1) for i in range(k)])
        ax.set_ylim(0, 1.12)
        ax.set_xlim(-0.6, k - 0.4 + 0.5)
        ax.set_ylabel("probability", fontsize=9)
        ax.set_yticks([0.0, 0.5, 1.0])
        self.title = ax.set_title("", fontsize=10, y=1.02)  # a fixed y skips matplotlib's title placement

    def update(self, probabilities: Any, temperature: float = 1.0) -> Figure:
        p = np.asarray(probabilities, dtype=float)
        if p.shape != (self.num_classes,):
            raise ValueError(f"expected {self.num_classes} probabilities, got shape {p.shape}")
        top = np.isclose(p, p.max(), rtol=1e-12, atol=0)
        for bar, label, v, is_top in zip(self.bars, self.labels, p, top):
            bar.set_height(v)
            bar.set_color(TOP_COLOUR if is_top else BAR_COLOUR)
            label.set_position((label.get_position()[0], v + 0.02))
            label.set_text(f"{v:.3f}")
        self.title.set_text(f"T = {temperature:.3g}: entropy {entropy(p):.3f} nats (max {np.log(self.num_classes):.3f})")
        return self.figure


class SigmoidStep:
    """``sigmoid(k x)`` over the Heaviside step ``H(x)``, with the band ``|x| < delta`` shaded.

    >>> chart = SigmoidStep()
    >>> chart.update(k=10.0, delta=0.1) is chart.figure
    True
    """

    def __init__(self) -> None:
        self.x = np.linspace(-2.0, 2.0, 801)
        self.figure = new_figure(5.6, 2.8, layout=None)
        self.figure.subplots_adjust(left=0.08, right=0.97, bottom=0.15, top=0.88)
        ax = _plain_axes(self.figure)
        self.axes = ax
        self.band = ax.axvspan(-0.1, 0.1, color="#eeeeee", zorder=0)
        left, right = self.x[self.x < 0], self.x[self.x > 0]
        ax.plot(left, heaviside(left), color=STEP_COLOUR, linewidth=2, label="H(x)")
        ax.plot(right, heaviside(right), color=STEP_COLOUR, linewidth=2)
        ax.plot([0], [0.5], "o", color=STEP_COLOUR, markersize=4)
        (self.curve,) = ax.plot(self.x, sigmoid(self.x), color=SIGMOID_COLOUR, linewidth=1.5, label="sigma(k x)")
        ax.set_ylim(-0.05, 1.05)
        ax.set_xlim(-2.0, 2.0)
        ax.set_xlabel("x", fontsize=9)
        ax.legend(fontsize=9, loc="upper left", frameon=False)
        ax.set_yticks([0.0, 0.5, 1.0])
        ax.set_xticks([-2.0, -1.0, 0.0, 1.0, 2.0])
        self.title = ax.set_title("", fontsize=10, y=1.02)

    def update(self, k: float, delta: float) -> Figure:
        self.curve.set_ydata(sigmoid(k * self.x))
        self.band.set_x(-delta)
        self.band.set_width(2 * delta)
        self.title.set_text(f"k = {k:.3g}: outside |x| < {delta:.3g} the gap is at most {float(sigmoid(-k * delta)):.3e}")
        return self.figure


def probability_bars(logits: Any, temperature: float = 1.0, shift: float = 0.0) -> Figure:
    """A one-off bar chart of ``softmax(logits + shift, temperature=T)``.

    >>> fig = probability_bars([1.0, 2.0, 3.0])
    >>> len(fig.axes[0].patches)
    3
    """
    p = softmax(np.asarray(logits, dtype=float) + shift, temperature=temperature)
    return ProbabilityBars(len(p)).update(p, temperature)


def sigmoid_vs_step(k: float, delta: float = 0.1) -> Figure:
    """A one-off figure of ``sigmoid(k x)`` against ``H(x)``.

    >>> len(sigmoid_vs_step(10.0).axes[0].lines)
    4
    """
    return SigmoidStep().update(k, delta)
