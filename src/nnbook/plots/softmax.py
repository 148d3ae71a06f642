"""Figures for the softmax chapter: probability bar charts and the steep sigmoid against the step.

Each figure is a small class that builds its artists once and then only moves them
(``update``), so that an explorer can redraw it in a few milliseconds; the functions
:func:`probability_bars` and :func:`sigmoid_vs_step` make a one-off figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .._validate import check_size
from ..softmax import cross_entropy, entropy, heaviside, sigmoid, smoothing_optimal_gap, softmax
from . import new_figure
from .palette import ROLES, TEXT

__all__ = ["ProbabilityBars", "SigmoidStep", "probability_bars", "sigmoid_vs_step", "temperature_panels",
           "smoothing_plot"]

MAX_BARS = 64  # a bar chart of more classes is unreadable (and slow): ValueError beyond it

BAR_COLOUR = ROLES["input"]
TOP_COLOUR = ROLES["tap"]  # the highlighted (top) bar: lighter than BAR_COLOUR, not only another hue
UNIFORM_COLOUR = TEXT["grey"]  # a thin line and its "1/K" label on white
STEP_COLOUR = TEXT["black"]
SIGMOID_COLOUR = ROLES["input"]


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
        k = check_size("num_classes", num_classes, maximum=MAX_BARS)
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


def temperature_panels(logits: Any, temperatures: Any = (0.25, 1.0, 4.0)) -> Figure:
    """Small multiples: ``softmax(logits, temperature=T)`` as bars, one panel per temperature.

    Low T sharpens towards the argmax, high T flattens towards the uniform 1/K (dashed).

    >>> len(temperature_panels([1.0, 2.0, 3.0]).axes)
    3
    """
    temps = [float(t) for t in temperatures]
    if not 1 <= len(temps) <= 6:
        raise ValueError(f"give between 1 and 6 temperatures, got {len(temps)}")
    probs = [softmax(logits, temperature=t) for t in temps]  # validates logits and temperatures
    k = probs[0].shape[-1]
    if probs[0].ndim != 1 or k > MAX_BARS:
        raise ValueError(f"logits must be one vector of at most {MAX_BARS} numbers, got shape {probs[0].shape}")
    fig = new_figure(2.6 * len(temps), 2.5, layout=None)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.84, wspace=0.12)
    axes = fig.subplots(1, len(temps), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, t, p in zip(axes, temps, probs):
        top = p >= p.max() - 1e-12
        ax.bar(np.arange(k), p, color=[TOP_COLOUR if m else BAR_COLOUR for m in top], width=0.7)
        ax.axhline(1.0 / k, color=UNIFORM_COLOUR, linestyle="--", linewidth=1)
        ax.set_title(f"T = {t:g}, entropy {entropy(p):.2f}", fontsize=9)
        ax.set_xticks(np.arange(k), [str(i + 1) for i in range(k)], fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.tick_params(labelsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[0].set_ylabel("probability", fontsize=9)
    return fig


def smoothing_plot(num_classes: int = 3, label_smoothing: float = 0.1, max_gap: float = 10.0) -> Figure:
    """Cross-entropy against the gap between the correct logit and the others, with and without smoothing.

    With a one-hot target the loss keeps falling as the gap grows (its minimum is at infinity);
    with label smoothing it has a minimum at the finite gap of :func:`nnbook.softmax.smoothing_optimal_gap`.

    >>> len(smoothing_plot().axes[0].lines)
    3
    """
    k = check_size("num_classes", num_classes, minimum=2, maximum=MAX_BARS)
    best = smoothing_optimal_gap(k, label_smoothing)
    gaps = np.linspace(-2.0, max(float(max_gap), best * 1.5), 241)
    logits = np.zeros((gaps.size, k))
    logits[:, 0] = gaps
    one_hot_loss = [cross_entropy(row, 0) for row in logits]
    smooth_loss = [cross_entropy(row, 0, label_smoothing=label_smoothing) for row in logits]
    fig = new_figure(5.6, 2.8, layout=None)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.17, top=0.88)
    ax = _plain_axes(fig)
    ax.plot(gaps, one_hot_loss, color=BAR_COLOUR, label="one-hot target")
    ax.plot(gaps, smooth_loss, color=TOP_COLOUR, label=f"label smoothing {label_smoothing:g}")
    ax.plot([best], [cross_entropy(np.r_[best, np.zeros(k - 1)], 0, label_smoothing=label_smoothing)], "o",
            color=TOP_COLOUR, markersize=5)
    ax.set_xlabel("gap: correct logit minus each other logit", fontsize=9)
    ax.set_ylabel("loss", fontsize=9)
    ax.set_title(f"K = {k}: smoothing puts the best gap at {best:.2f} instead of infinity", fontsize=9)
    ax.legend(fontsize=8, frameon=False)
    return fig
