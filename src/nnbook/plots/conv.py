"""Figures for the convolution chapters, in the spirit of Dumoulin & Visin's diagrams."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from ..conv import output_size
from . import new_figure

__all__ = ["sliding_window_1d", "heatmap", "sample_image", "image_panels", "conv2d_diagram"]

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


# -- 2-D figures ------------------------------------------------------------------------------
def heatmap(z: Any, title: str = "", annotate: bool = True, fmt: str = "{:g}", width: float = 3.6) -> Figure:
    """A 2-D array as a heat map (diverging colours centred on 0), every value written in its cell.

    Rows and columns are labelled with their 0-based indices, so (i, j) can be read off.

    >>> fig = heatmap([[0, 6], [-6, 1]], title="Z")
    >>> fig.axes[0].get_title()
    'Z'
    """
    z = np.asarray(z, dtype=float)
    if z.ndim != 2 or z.size == 0:
        raise ValueError(f"heatmap needs a non-empty 2-D array, got shape {z.shape}")
    rows, cols = z.shape
    fig = new_figure(width, width * rows / cols + 0.5)
    ax = fig.add_subplot()
    limit = float(np.abs(z).max()) or 1.0
    ax.imshow(z, cmap="RdBu_r", vmin=-limit, vmax=limit)
    if annotate:
        for (i, j), v in np.ndenumerate(z):
            colour = "white" if abs(v) > 0.6 * limit else "black"
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=9, color=colour)
    ax.set_xticks(range(cols))
    ax.set_yticks(range(rows))
    ax.set_xlabel("j")
    ax.set_ylabel("i")
    ax.xaxis.set_ticks_position("top")
    ax.xaxis.set_label_position("top")
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def sample_image() -> np.ndarray:
    """Grace Hopper's portrait, shipped with matplotlib, as a grey-scale float array in [0, 1].

    Nothing is downloaded: the file is part of matplotlib's sample data.

    >>> img = sample_image()
    >>> img.shape, float(img.min()) >= 0.0, float(img.max()) <= 1.0
    ((600, 512), True, True)
    """
    from matplotlib import cbook
    from matplotlib.image import imread

    with cbook.get_sample_data("grace_hopper.jpg") as file:
        rgb = imread(file, format="jpg").astype(float) / 255.0
    return rgb[..., :3] @ np.array([0.299, 0.587, 0.114])


def image_panels(images: dict[str, Any], ncols: int = 3, size: float = 2.4) -> Figure:
    """Several grey-scale images side by side, each titled with its name and shape.

    Filtered images are scaled per panel (edge maps are shown with 0 as mid-grey).

    >>> fig = image_panels({"a": np.zeros((4, 4)), "b": np.ones((2, 2))})
    >>> len(fig.axes)
    2
    """
    if not images:
        raise ValueError("image_panels needs at least one image")
    nrows = -(-len(images) // ncols)
    fig = new_figure(size * min(ncols, len(images)), size * nrows * 1.1)
    for k, (name, img) in enumerate(images.items()):
        img = np.asarray(img, dtype=float)
        ax = fig.add_subplot(nrows, min(ncols, len(images)), k + 1)
        if img.min() < 0:
            limit = float(np.abs(img).max()) or 1.0
            ax.imshow(img, cmap="gray", vmin=-limit, vmax=limit)
        else:
            ax.imshow(img, cmap="gray")
        ax.set_title(f"{name}\n{img.shape[0]}x{img.shape[1]}", fontsize=8)
        ax.axis("off")
    return fig


_PAD = np.array([0.85, 0.85, 0.85])
_IN = np.array([0.78, 0.85, 0.95])
_TAP = np.array([0.87, 0.52, 0.32])
_OUT = np.array([0.80, 0.92, 0.80])
_OUT_NOW = np.array([0.33, 0.66, 0.41])


@lru_cache(maxsize=512)
def _glyphs(text: str, bold: bool) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Outline of ``text`` (1 unit tall font), as path vertices and codes, with its width and height."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    path = TextPath((0, 0), text, size=1, prop=FontProperties(weight="bold" if bold else "normal"))
    verts = path.vertices.copy()
    width = float(verts[:, 0].max() - verts[:, 0].min()) if len(verts) else 0.0
    height = float(verts[:, 1].max() - verts[:, 1].min()) if len(verts) else 0.0
    verts[:, 0] -= verts[:, 0].min() + width / 2
    verts[:, 1] -= verts[:, 1].min() + height / 2
    verts[:, 1] *= -1  # the diagrams draw with the y axis pointing down
    return verts, path.codes, width, height


def _labels(items: list[tuple[float, float, str]], size: float, colour: str, bold: bool = False) -> PathPatch | None:
    """Many short labels as ONE filled path (far cheaper to draw than one Text artist each).

    ``items`` are (x, y, text) centres in data units; ``size`` is the glyph height in data units.
    """
    verts, codes = [], []
    for x, y, text in items:
        v, c, _, _ = _glyphs(text, bold)
        if len(v):
            verts.append(v * size + (x, y))
            codes.append(c)
    if not verts:
        return None
    path = Path(np.concatenate(verts), np.concatenate(codes))
    return PathPatch(path, facecolor=colour, edgecolor="none", linewidth=0)


def _cells(colours: np.ndarray, px: int) -> np.ndarray:
    """Blow an (r, c, 3) colour grid (floats in [0, 1]) up to px x px uint8 pixels per cell, white borders."""
    img = np.repeat(np.repeat(np.rint(colours * 255).astype(np.uint8), px, axis=0), px, axis=1)
    img[::px] = 255
    img[:, ::px] = 255
    return img


class _Raster(Artist):
    """A uint8 RGBA pixel block drawn 1:1 at the figure's lower-left corner (no resampling at all)."""

    def __init__(self, rgba: np.ndarray) -> None:
        super().__init__()
        self._rgba = rgba

    def draw(self, renderer: Any) -> None:
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, self._rgba[::-1])  # Agg wants the bottom row first
        gc.restore()


_WIDTH, _HEIGHT, _DPI = 7.25, 3.5, 96  # the explorer picture: 696 x 336 pixels at the PNG dpi


def _outline(canvas: np.ndarray, top: int, left: int, height: int, width: int, colour: Any, t: int = 2) -> None:
    """Draw a rectangle's border (t pixels thick) into an RGB canvas, clipped to it."""
    rows, cols = canvas.shape[:2]
    bottom, right = min(rows, top + height), min(cols, left + width)
    top, left = max(0, top), max(0, left)
    canvas[top : top + t, left:right] = colour
    canvas[max(top, bottom - t) : bottom, left:right] = colour
    canvas[top:bottom, left : left + t] = colour
    canvas[top:bottom, max(left, right - t) : right] = colour


def conv2d_diagram(scene: Any) -> Figure:
    """Dumoulin & Visin style picture of one step of a 2-D convolution (or its backward pass).

    Takes a :class:`nnbook.conv.ConvScene`. Forward: the padded input (zeros in grey), the
    (dilated) kernel's taps in orange with the weights they apply, and the output grid with the
    current position dark green. Backward: input pixels shaded by how many outputs they feed,
    the selected pixel outlined in red, and the outputs it feeds in orange.

    For fast redraws in a widget the grids are painted into one uint8 pixel canvas drawn 1:1 at
    96 dpi (no axes, no resampling), and all numbers form a few filled paths.

    >>> from nnbook.conv import conv_scene
    >>> fig = conv2d_diagram(conv_scene(5, 3, stride=2, padding=1))
    >>> len(fig.axes), fig.get_size_inches().tolist()
    (0, [7.25, 3.5])
    """
    s = scene
    size, out, lo = s.padded, s.out, s.padding[0]
    grid = np.empty((size, size, 3))
    grid[...] = _PAD
    inner = grid[lo : lo + s.n, lo : lo + s.n]
    outgrid = np.empty((out, out, 3))
    outgrid[...] = _OUT
    if s.direction == "forward":
        inner[...] = _IN
        rows, cols = zip(*s.taps)
        grid[list(rows), list(cols)] = _TAP
        outgrid[s.position] = _OUT_NOW
    else:
        shade = (s.counts / (float(s.counts.max()) or 1.0))[..., None]
        inner[...] = (1 - shade) + shade * np.array([0.3, 0.45, 0.75])
        for r, c in s.outputs_fed:
            outgrid[r, c] = _TAP
    width, height = int(_WIDTH * _DPI), int(_HEIGHT * _DPI)
    margin, top = 8, 34
    gap = max(2.0, 0.12 * size)
    x0 = size + gap  # the output grid starts x0 cells to the right of the input grid
    px = max(2, int(min((width - 2 * margin) / (x0 + out), (height - top - margin) / max(size, out))))
    canvas = np.full((height, width, 4), 255, np.uint8)  # RGBA, white
    canvas[top : top + size * px, margin : margin + size * px, :3] = _cells(grid, px)
    ox = margin + int(round(x0 * px))
    canvas[top : top + out * px, ox : ox + out * px, :3] = _cells(outgrid, px)

    def cell_box(r: int, c: int, h: int, w: int, left: int, colour: Any) -> None:
        _outline(canvas, top + r * px, left + c * px, h * px + 1, w * px + 1, colour)

    glyph = 0.3  # digit height, in cells
    labels: list[tuple[PathPatch | None, int]] = []  # (patch, x offset in pixels of its panel)
    if s.direction == "forward":
        if size <= 16:
            taps = set(s.taps)
            labels.append((_labels([(j + lo + 0.5, i + lo + 0.5, f"{v:g}") for (i, j), v in np.ndenumerate(s.x)
                                    if (i + lo, j + lo) not in taps], glyph, "#555555"), margin))
        if size <= 24:
            labels.append((_labels([(c + 0.5, r + 0.5, f"{wv:g}") for (r, c), wv in zip(s.taps, s.tap_weights)],
                                   glyph, "white", bold=True), margin))
        (r0, c0), (r1, c1) = s.taps[0], s.taps[-1]
        cell_box(r0, c0, r1 - r0 + 1, c1 - c0 + 1, margin, (160, 68, 26, 255))
        if out <= 12:
            i0, j0 = s.position
            labels.append((_labels([(j + 0.5, i + 0.5, f"{v:g}") for (i, j), v in np.ndenumerate(s.z)
                                    if (i, j) != (i0, j0)], glyph * (0.8 if out > 8 else 1.0), "#333333"), ox))
            labels.append((_labels([(j0 + 0.5, i0 + 0.5, f"{s.z[i0, j0]:g}")], glyph, "white", bold=True), ox))
        left = f"padded input {size}x{size}: kernel at output {s.position}"
        right = f"output {out}x{out}"
    else:
        r, c = s.position
        cell_box(r + lo, c + lo, 1, 1, margin, (192, 57, 43, 255))
        if size <= 16:
            high = 0.6 * s.counts.max()
            for keep, colour in ((lambda v: v > high, "white"), (lambda v: v <= high, "#222222")):
                labels.append((_labels([(j + lo + 0.5, i + lo + 0.5, f"{v:g}") for (i, j), v in
                                        np.ndenumerate(s.counts) if keep(v)], glyph, colour), margin))
        left = f"outputs fed by each input pixel; ({r}, {c}) outlined"
        right = f"{len(s.outputs_fed)} output(s) read ({r}, {c})"
    fig = Figure(figsize=(_WIDTH, _HEIGHT), dpi=_DPI)
    fig.add_artist(_Raster(canvas))
    for patch, offset in labels:
        if patch is not None:
            # cell units -> figure pixels (y grows downwards in cells, upwards in pixels)
            patch.set_transform(Affine2D().scale(px, -px).translate(offset, height - top))
            fig.add_artist(patch)
    fig.text(margin / width, 1 - (top - 8) / height, left, fontsize=9, va="bottom")
    fig.text(ox / width, 1 - (top - 8) / height, right, fontsize=9, va="bottom")
    return fig
