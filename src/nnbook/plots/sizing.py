"""Figures for the CNN sizing chapter: where the parameters and multiplications are, and how
the shape of the data flows through a network."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.ticker import FuncFormatter

from ..sizing import Summary
from . import new_figure
from .palette import OKABE_ITO, ROLES, TEXT

__all__ = ["layer_bars", "shape_flow", "network_figure", "receptive_field_growth"]

PARAMS_COLOUR = ROLES["input"]
MULTS_COLOUR = ROLES["tap"]
MAP_COLOUR = ROLES["output"]
VECTOR_COLOUR = ROLES["secondary"]


def _check_summary(summary: Any, name: str = "summary") -> Summary:
    if not isinstance(summary, Summary):
        raise TypeError(
            f"{name} must be a Summary from nnbook.sizing.summarize(...), got {type(summary).__name__}"
        )
    return summary


def _counted_rows(summary: Summary) -> list:
    """Rows that compute something (layers with weights, and pooling); activations are skipped."""
    return [r for r in summary.rows if r.neurons > 0]


def _draw_bars(ax_params: Axes, ax_mults: Axes, summary: Summary) -> None:
    rows = _counted_rows(summary)
    names = [f"{r.index} {r.name}" for r in rows]
    y = list(range(len(rows)))[::-1]
    for ax, attr, total, colour, title in (
        (ax_params, "params", summary.total_params, PARAMS_COLOUR, "parameters"),
        (ax_mults, "multiplications", summary.total_multiplications, MULTS_COLOUR, "multiplications"),
    ):
        values = [getattr(r, attr) for r in rows]
        ax.barh(y, values, color=colour, height=0.6)
        top = max(values, default=0) or 1
        for yi, v in zip(y, values):
            share = f"{100 * v / total:.1f}%" if total else "0%"
            ax.text(v + 0.02 * top, yi, f"{v:,} ({share})", va="center", fontsize=7)
        ax.set_xlim(0, top * 1.6)
        ax.set_title(f"{title} per layer (total {total:,})", fontsize=9)
        if ax is ax_params:
            ax.set_yticks(y, names, fontsize=8)
        else:
            ax.tick_params(axis="y", labelleft=False)
        ax.tick_params(axis="x", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
        ax.ticklabel_format(axis="x", style="sci", scilimits=(0, 3))


def layer_bars(summary: Summary) -> Figure:
    """Two bar charts side by side: parameters and multiplications of each layer, with shares.

    Layers that compute nothing (activations, flatten) are left out; pooling shows as 0.

    >>> from nnbook.sizing import summarize, Conv2d, Linear
    >>> len(layer_bars(summarize((1, 8, 8), [Conv2d(2, 3), Linear(4)])).axes)
    2
    """
    _check_summary(summary)
    rows = _counted_rows(summary)
    fig = new_figure(8.0, 0.45 * max(len(rows), 2) + 1.2)
    ax_params, ax_mults = fig.subplots(1, 2, sharey=True)
    _draw_bars(ax_params, ax_mults, summary)
    return fig


def _box_size(shape: tuple[int, ...]) -> tuple[float, float]:
    """Width (channels) and height (spatial size) of a box, both on a log scale."""
    if len(shape) == 3:
        c, h, w = shape
        return 0.35 + 0.35 * math.log2(c + 1), 0.6 + 0.55 * math.log2(max(h, w) + 1)
    return 0.25, 0.6 + 0.55 * math.log2(shape[0] + 1) * 0.8


def _shape_label(shape: tuple[int, ...]) -> str:
    return "×".join(str(d) for d in shape)


def _draw_flow(ax: Axes, summary: Summary) -> None:
    shapes = [summary.input_shape] + [r.output_shape for r in _counted_rows(summary) or []]
    labels = ["input"] + [r.name.split("(")[0] for r in _counted_rows(summary)]
    x = 0.0
    tallest = max(_box_size(s)[1] for s in shapes)
    previous_right = None
    for shape, label in zip(shapes, labels):
        width, height = _box_size(shape)
        colour = MAP_COLOUR if len(shape) == 3 else VECTOR_COLOUR
        ax.add_patch(Rectangle((x, -height / 2), width, height, facecolor=colour, edgecolor="#333333",
                               linewidth=0.6, alpha=0.85))
        centre = x + width / 2
        ax.text(centre, -tallest / 2 - 0.35, _shape_label(shape), ha="center", va="top", fontsize=7)
        ax.text(centre, tallest / 2 + 0.25, label, ha="center", va="bottom", fontsize=7)
        if previous_right is not None:
            ax.add_patch(FancyArrowPatch((previous_right + 0.05, 0), (x - 0.05, 0), arrowstyle="-|>",
                                         mutation_scale=8, color="#555555", linewidth=0.8))
        previous_right = x + width
        x += width + 1.1
    ax.set_xlim(-0.3, x - 0.8)
    ax.set_ylim(-tallest / 2 - 1.2, tallest / 2 + 0.9)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("shape flow: box width ~ log(channels), height ~ log(height); vectors in purple", fontsize=8)


def shape_flow(summary: Summary) -> Figure:
    """The data's shape after each computing layer, as boxes (log-scaled), left to right.

    >>> from nnbook.sizing import summarize, Conv2d, Linear
    >>> len(shape_flow(summarize((1, 8, 8), [Conv2d(2, 3), Linear(4)])).axes)
    1
    """
    _check_summary(summary)
    n = len(_counted_rows(summary)) + 1
    fig = new_figure(max(4.0, 1.25 * n + 1.0), 2.6)
    _draw_flow(fig.add_subplot(), summary)
    return fig


def network_figure(summary: Summary) -> Figure:
    """The builder's picture: the shape flow on top, parameters and multiplications below.

    >>> from nnbook.sizing import summarize, Conv2d
    >>> len(network_figure(summarize((1, 8, 8), [Conv2d(2, 3)])).axes)
    3
    """
    _check_summary(summary)
    rows = _counted_rows(summary)
    fig = new_figure(8.0, 2.6 + 0.45 * max(len(rows), 2) + 1.0)
    top, bottom = fig.subfigures(2, 1, height_ratios=[2.6, 0.45 * max(len(rows), 2) + 1.0])
    _draw_flow(top.add_subplot(), summary)
    ax_params, ax_mults = bottom.subplots(1, 2, sharey=True)
    _draw_bars(ax_params, ax_mults, summary)
    return fig


_RF_NAMES = ("blue", "orange", "green", "vermillion", "purple")
RF_COLOURS = tuple(OKABE_ITO[name] for name in _RF_NAMES)
RF_TEXT = tuple(TEXT[name] for name in _RF_NAMES)  # the same hues, dark enough for the end labels


def receptive_field_growth(summaries: Mapping[str, Summary]) -> Figure:
    """The receptive field (side, in input pixels) after each layer of one or more networks.

    Layers after which it cannot be given (dense layers, windows of unequal sizes) end a line.
    The y-axis is logarithmic: strides multiply the jump, so the field grows fast after them.

    >>> from nnbook.sizing import summarize, Conv2d, MaxPool2d
    >>> fig = receptive_field_growth({"tiny": summarize((1, 16, 16), [Conv2d(2, 3), MaxPool2d(2)])})
    >>> len(fig.axes)
    1
    """
    if not isinstance(summaries, Mapping) or not summaries:
        raise TypeError("summaries must be a non-empty dict of name -> Summary, e.g. {'VGG-16': summarize(...)}")
    for name, summary in summaries.items():
        _check_summary(summary, f"summaries[{name!r}]")
    fig = new_figure(7.0, 3.2)
    ax = fig.add_subplot()
    top = 1
    for (name, summary), colour, ink in zip(summaries.items(), RF_COLOURS * 10, RF_TEXT * 10):
        xs, ys = [0], [1]
        for row in summary.rows:
            if row.receptive_field is None:
                break
            if row.receptive_field[0] != ys[-1] or row.neurons:
                xs.append(row.index)
                ys.append(row.receptive_field[0])
        top = max(top, ys[-1])
        ax.step(xs, ys, where="post", color=colour, linewidth=1.4, marker="o", markersize=3, label=name)
        ax.annotate(f"{ys[-1]}", (xs[-1], ys[-1]), textcoords="offset points", xytext=(4, 2), fontsize=7,
                    color=ink)
    ax.set_yscale("log", base=2)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.set_xlabel("layer (index in the table)", fontsize=8)
    ax.set_ylabel("receptive field (pixels)", fontsize=8)
    ax.set_title("receptive field after each layer: r grows by (k - 1)·d·jump", fontsize=9)
    ax.tick_params(labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    return fig
