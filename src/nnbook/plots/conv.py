"""Figures for the convolution chapters, in the spirit of Dumoulin & Visin's diagrams."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..conv import output_size
from . import new_figure

__all__ = ["sliding_window_1d"]

INPUT_COLOUR = "#4c72b0"
PADDING_COLOUR = "#d9d9d9"
TAP_COLOUR = "#dd8452"
OUTPUT_COLOUR = "#55a868"


def sliding_window_1d(
    n: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1, max_rows: int = 12
) -> Figure:
    """Every position of a (dilated) window sliding over a zero-padded 1-D input.

    The top row is the padded input (padding in grey); each row below is one output
    position, with the cells the kernel taps in orange. Raises ``ValueError`` (from
    :func:`nnbook.conv.output_size`) when the window does not fit.

    >>> fig = sliding_window_1d(7, kernel_size=3, stride=2, padding=1)
    >>> len(fig.axes)
    1
    """
    out = output_size(n, kernel_size, stride=stride, padding=padding, dilation=dilation)
    padded = n + 2 * padding
    rows = min(out, max_rows)
    fig = new_figure(max(4.0, 0.32 * padded + 1.6), 0.32 * (rows + 2) + 0.6)
    ax = fig.add_subplot()

    def cell(x: float, y: float, colour: str, label: str = "") -> None:
        ax.add_patch(Rectangle((x, y), 0.9, 0.9, facecolor=colour, edgecolor="#333333", linewidth=0.6))
        if label:
            ax.text(x + 0.45, y + 0.45, label, ha="center", va="center", fontsize=7, color="white")

    top = rows + 0.6
    for i in range(padded):
        is_pad = i < padding or i >= padding + n
        cell(i, top, PADDING_COLOUR if is_pad else INPUT_COLOUR, "" if is_pad else str(i - padding))
    ax.text(-0.4, top + 0.45, "input", ha="right", va="center", fontsize=8)
    for r in range(rows):
        y = rows - 1 - r
        start = r * stride
        for i in range(padded):
            ax.add_patch(Rectangle((i, y), 0.9, 0.9, facecolor="none", edgecolor="#cccccc", linewidth=0.4))
        for t in range(kernel_size):
            cell(start + t * dilation, y, TAP_COLOUR)
        ax.text(-0.4, y + 0.45, f"out[{r}]", ha="right", va="center", fontsize=8, color=OUTPUT_COLOUR)
    title = f"{out} output position{'s' if out != 1 else ''}"
    if out > rows:
        title += f" (first {rows} shown)"
    ax.set_title(title, fontsize=9)
    ax.set_xlim(-3.2, padded + 0.2)
    ax.set_ylim(-0.2, top + 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
