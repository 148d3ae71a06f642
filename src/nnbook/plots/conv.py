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

from .._validate import as_float_array, check_int
from ..conv import conv2d, output_size, pool2d, transposed_output_size
from . import new_figure
from .palette import ROLES, TEXT, text_on

__all__ = [
    "sliding_window_1d", "heatmap", "sample_image", "image_panels", "conv2d_diagram", "channels_diagram",
    "pool_diagram", "transposed_diagram", "MAX_FIGURE_CELLS",
]

#: Largest grid (cells along one axis) the diagram functions draw, and most annotated heat-map cells.
MAX_FIGURE_CELLS = 256
MAX_ANNOTATIONS = 1024

INPUT_COLOUR = ROLES["input"]
PADDING_COLOUR = ROLES["padding"]
TAP_COLOUR = ROLES["tap"]
OUTPUT_COLOUR = ROLES["output"]
OUTPUT_TEXT = TEXT["green"]  # the output colour for labels on white (ROLES["output"] is 3.3:1)


def sliding_window_1d(
    n: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1, max_rows: int = 12
) -> Figure:
    """Every position of a (dilated) window sliding over a zero-padded 1-D input.

    The top row is the padded input (padding in grey); each row below is one output
    position, with the cells the kernel taps in orange. Raises ``ValueError`` (from
    :func:`nnbook.conv.output_size`) when the window does not fit, and when ``n``, ``padding``,
    ``kernel_size`` or ``dilation`` exceed ``MAX_FIGURE_CELLS`` (256) or ``max_rows`` exceeds 64.

    >>> fig = sliding_window_1d(7, kernel_size=3, stride=2, padding=1)
    >>> len(fig.axes)
    1
    """
    for name, value in (("n", n), ("kernel_size", kernel_size), ("padding", padding), ("dilation", dilation)):
        check_int(name, value, minimum=0, maximum=MAX_FIGURE_CELLS)
    max_rows = check_int("max_rows", max_rows, minimum=1, maximum=64)
    out = output_size(n, kernel_size, stride=stride, padding=padding, dilation=dilation)
    padded = n + 2 * padding
    rows = min(out, max_rows)
    fig = new_figure(max(4.0, 0.32 * padded + 1.6), 0.32 * (rows + 2) + 0.6)
    ax = fig.add_subplot()

    def cell(x: float, y: float, colour: str, label: str = "") -> None:
        ax.add_patch(Rectangle((x, y), 0.9, 0.9, facecolor=colour, edgecolor="#333333", linewidth=0.6))
        if label:
            ax.text(x + 0.45, y + 0.45, label, ha="center", va="center", fontsize=7, color=text_on(colour))

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
        ax.text(-0.4, y + 0.45, f"out[{r}]", ha="right", va="center", fontsize=8, color=OUTPUT_TEXT)
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
    z = as_float_array("z", z, finite=True)
    if z.ndim != 2:
        raise ValueError(f"heatmap needs a non-empty 2-D array, got shape {z.shape}")
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format string such as '{{:g}}', got {fmt!r}")
    if annotate and z.size > MAX_ANNOTATIONS:
        raise ValueError(
            f"heatmap writes every value in its cell, at most {MAX_ANNOTATIONS} cells; got {z.size} "
            "(pass annotate=False for a large array)"
        )
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


def image_panels(images: dict[str, Any], ncols: int = 3, size: float = 2.4, same_scale: bool = False) -> Figure:
    """Several grey-scale images side by side, each titled with its name and shape.

    Filtered images are scaled per panel (edge maps are shown with 0 as mid-grey). With
    ``same_scale=True`` every panel uses the largest image's pixel grid, so an image a
    quarter as wide (a stride of 4) also *looks* a quarter as wide.

    >>> fig = image_panels({"a": np.zeros((4, 4)), "b": np.ones((2, 2))})
    >>> len(fig.axes)
    2
    """
    if not isinstance(images, dict) or not images:
        raise ValueError("image_panels needs at least one image, as a dict {title: 2-D array}")
    ncols = check_int("ncols", ncols, minimum=1, maximum=12)
    arrays = {name: as_float_array(f"images[{name!r}]", img, ndim=2, finite=True) for name, img in images.items()}
    tallest = max(a.shape[0] for a in arrays.values())
    widest = max(a.shape[1] for a in arrays.values())
    nrows = -(-len(images) // ncols)
    fig = new_figure(size * min(ncols, len(images)), size * nrows * 1.1)
    for k, (name, img) in enumerate(arrays.items()):
        ax = fig.add_subplot(nrows, min(ncols, len(images)), k + 1)
        if img.min() < 0:
            limit = float(np.abs(img).max()) or 1.0
            ax.imshow(img, cmap="gray", vmin=-limit, vmax=limit)
        else:
            ax.imshow(img, cmap="gray")
        ax.set_title(f"{name}\n{img.shape[0]}x{img.shape[1]}", fontsize=8)
        if same_scale:
            ax.set_xlim(-0.5, widest - 0.5)
            ax.set_ylim(tallest - 0.5, -0.5)
        ax.axis("off")
    return fig


def _rgb(colour: str) -> np.ndarray:
    from matplotlib.colors import to_rgb

    return np.array(to_rgb(colour))


def _tint(colour: str, amount: float = 0.25) -> np.ndarray:
    """``colour`` mixed with white (``amount`` of the colour): a light cell that dark text reads on."""
    return 1 - amount * (1 - _rgb(colour))


_PAD = _rgb(ROLES["padding"])
_IN = _tint(ROLES["input"])
_TAP = _rgb(ROLES["tap"])
_OUT = _tint(ROLES["output"])
_OUT_NOW = _rgb(ROLES["output"])


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
    the selected pixel outlined in red, and the outputs it feeds in orange. Transposed: the
    input ``Y`` (the forward output's shape) on the left with the current value dark green,
    and on the right the canvas it is spread onto: the window it adds to in orange, the
    padding ring (cropped away) in grey and the result ``C^T Y`` in blue.

    For fast redraws in a widget the grids are painted into one uint8 pixel canvas drawn 1:1 at
    96 dpi (no axes, no resampling), and all numbers form a few filled paths.

    >>> from nnbook.conv import conv_scene
    >>> fig = conv2d_diagram(conv_scene(5, 3, stride=2, padding=1))
    >>> len(fig.axes), fig.get_size_inches().tolist()
    (0, [7.25, 3.5])
    """
    from ..conv import ConvScene

    if not isinstance(scene, ConvScene):
        raise TypeError(f"conv2d_diagram needs a ConvScene (from nnbook.conv.conv_scene), got {type(scene).__name__}")
    s = scene
    size, out, lo = s.padded, s.out, s.padding[0]
    grid = np.empty((size, size, 3))
    grid[...] = _PAD
    inner = grid[lo : lo + s.n, lo : lo + s.n]
    outgrid = np.empty((out, out, 3))
    outgrid[...] = _OUT
    if s.direction != "backward":
        inner[...] = _IN
        rows, cols = zip(*s.taps)
        grid[list(rows), list(cols)] = _TAP
        outgrid[s.position] = _OUT_NOW
    else:
        shade = (s.counts / (float(s.counts.max()) or 1.0))[..., None]
        inner[...] = (1 - shade) + shade * _rgb(ROLES["input"])
        for r, c in s.outputs_fed:
            outgrid[r, c] = _TAP
    transposed = s.direction == "transposed"
    # left and right panels: input -> output, or for the transposed view Y -> the padded canvas
    panels = (outgrid, grid) if transposed else (grid, outgrid)
    width, height = int(_WIDTH * _DPI), int(_HEIGHT * _DPI)
    margin, top = 8, 34
    first, second = (len(g) for g in panels)
    gap = max(2.0, 0.12 * max(first, second))
    x0 = first + gap  # the right grid starts x0 cells to the right of the left one
    px = max(2, int(min((width - 2 * margin) / (x0 + second), (height - top - margin) / max(size, out))))
    canvas = np.full((height, width, 4), 255, np.uint8)  # RGBA, white
    canvas[top : top + first * px, margin : margin + first * px, :3] = _cells(panels[0], px)
    ox = margin + int(round(x0 * px))
    canvas[top : top + second * px, ox : ox + second * px, :3] = _cells(panels[1], px)

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
                                   glyph, text_on(ROLES["tap"]), bold=True), margin))
        (r0, c0), (r1, c1) = s.taps[0], s.taps[-1]
        cell_box(r0, c0, r1 - r0 + 1, c1 - c0 + 1, margin, (160, 68, 26, 255))
        if out <= 12:
            i0, j0 = s.position
            labels.append((_labels([(j + 0.5, i + 0.5, f"{v:g}") for (i, j), v in np.ndenumerate(s.z)
                                    if (i, j) != (i0, j0)], glyph * (0.8 if out > 8 else 1.0), "#333333"), ox))
            labels.append((_labels([(j0 + 0.5, i0 + 0.5, f"{s.z[i0, j0]:g}")], glyph, text_on(ROLES["output"]), bold=True), ox))
        left = f"padded input {size}x{size}: kernel at output {s.position}"
        right = f"output {out}x{out}"
    elif transposed:
        i0, j0 = s.position
        if out <= 12:
            labels.append((_labels([(j + 0.5, i + 0.5, f"{v:g}") for (i, j), v in np.ndenumerate(s.y)
                                    if (i, j) != (i0, j0)], glyph, "#333333"), margin))
            labels.append((_labels([(j0 + 0.5, i0 + 0.5, f"{s.y[i0, j0]:g}")], glyph, text_on(ROLES["output"]),
                                   bold=True), margin))
        if size <= 16:
            taps = set(s.taps)
            for under, colour in ((False, "#333333"), (True, text_on(ROLES["tap"]))):
                labels.append((_labels([(j + lo + 0.5, i + lo + 0.5, f"{v:g}") for (i, j), v in
                                        np.ndenumerate(s.transposed) if ((i + lo, j + lo) in taps) == under],
                                       glyph, colour, bold=under), ox))
        (r0, c0), (r1, c1) = s.taps[0], s.taps[-1]
        cell_box(r0, c0, r1 - r0 + 1, c1 - c0 + 1, ox, (160, 68, 26, 255))
        left = f"input Y {out}x{out}"
        right = f"output {s.n}x{s.n} (grey: cropped padding): Y[{i0},{j0}] spread"
    else:
        r, c = s.position
        cell_box(r + lo, c + lo, 1, 1, margin, (192, 57, 43, 255))
        if size <= 16:
            ink = {(i, j): text_on(_hex(inner[i, j])) for (i, j) in np.ndindex(*s.counts.shape)}
            for colour in sorted(set(ink.values())):
                labels.append((_labels([(j + lo + 0.5, i + lo + 0.5, f"{v:g}") for (i, j), v in
                                        np.ndenumerate(s.counts) if ink[i, j] == colour], glyph, colour), margin))
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


# -- static diagrams for channels, pooling and transposed convolution --------------------------
def _grid(ax: Any, values: np.ndarray | None, x0: float, y0: float, colours: Any, shape: tuple[int, int] | None = None,
          fmt: str = "{:g}", fontsize: float = 8, edge: str = "#555555", dashed: np.ndarray | None = None) -> None:
    """Draw a grid of unit cells with its top-left corner at (x0, y0) (y grows downwards).

    ``colours`` is one colour or an (r, c) array of colours; ``values`` (optional) are written in
    the cells; ``dashed`` marks cells drawn with a dashed edge (inserted zeros)."""
    rows, cols = shape if values is None else values.shape
    for i in range(rows):
        for j in range(cols):
            colour = colours if isinstance(colours, str) else colours[i][j]
            style = "--" if dashed is not None and dashed[i, j] else "-"
            ax.add_patch(Rectangle((x0 + j, y0 + i), 1, 1, facecolor=colour, edgecolor=edge, linewidth=0.6,
                                   linestyle=style))
            if values is not None:
                ax.text(x0 + j + 0.5, y0 + i + 0.5, fmt.format(values[i, j]), ha="center", va="center",
                        fontsize=fontsize)


def _box(ax: Any, x0: float, y0: float, h: float, w: float, colour: str = ROLES["flow"], lw: float = 2.0) -> None:
    ax.add_patch(Rectangle((x0, y0), w, h, facecolor="none", edgecolor=colour, linewidth=lw))


def _finish(ax: Any, width: float, height: float) -> None:
    ax.set_xlim(-0.5, width + 0.5)
    ax.set_ylim(height + 0.5, -1.2)
    ax.set_aspect("equal")
    ax.axis("off")


def _small(name: str, value: Any, limit: int = 12) -> int:
    return check_int(name, value, minimum=1, maximum=limit)


def channels_diagram(x: Any, w: Any, position: tuple[int, int] = (0, 0)) -> Figure:
    """A multi-channel convolution worked by hand: every input channel, every filter, every output.

    ``x`` is ``(C_in, H, W)`` and ``w`` is ``(C_out, C_in, k, k)`` (small: at most 4 channels and
    12x12). The top row shows the input channels with the window of output ``position``
    outlined; each row below is one filter: its ``C_in`` slices (one per input channel), and
    the output channel they produce *together*, the sum over input channels of the slices'
    cross-correlations, with the entry at ``position`` outlined and its sum written out.

    >>> fig = channels_diagram(np.ones((2, 3, 3)), np.ones((2, 2, 2, 2)))
    >>> len(fig.axes)
    1
    """
    x = as_float_array("x", x, ndim=3, finite=True)
    w = as_float_array("w", w, ndim=4, finite=True)
    c_in, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    _small("C_in", c_in, 4), _small("C_out", w.shape[0], 4), _small("H", h), _small("W", wd)
    z = conv2d(x, w)  # raises ValueError for mismatched channels or a kernel that does not fit
    i, j = (check_int("position[0]", position[0], minimum=0), check_int("position[1]", position[1], minimum=0))
    if i >= z.shape[1] or j >= z.shape[2]:
        raise ValueError(f"position {position} is outside the {z.shape[1]}x{z.shape[2]} output")
    gap = 1.5
    col_w = max(wd, kw) + gap
    width = c_in * col_w + 1.5 + z.shape[2]
    row_h = max(h, kh) + 1.6
    height = row_h * c_out + max(kh, z.shape[1])
    fig = new_figure(min(0.42 * width + 0.6, 9.0), min(0.42 * height + 0.6, 9.0))
    ax = fig.add_subplot()
    for c in range(c_in):
        _grid(ax, x[c], c * col_w, 0, _hex(_IN))
        _box(ax, c * col_w + j, i, kh, kw, TAP_COLOUR)
        ax.text(c * col_w + wd / 2, -0.3, f"input channel {c}", ha="center", fontsize=8)
    for o in range(c_out):
        y = row_h * (o + 1)
        terms = []
        for c in range(c_in):
            _grid(ax, w[o, c], c * col_w, y, _hex(_TAP))
            ax.text(c * col_w + kw / 2, y - 0.3, f"W[{o},{c}]", ha="center", fontsize=8)
            if c < c_in - 1:
                ax.text(c * col_w + kw + gap / 2, y + kh / 2, "+", ha="center", va="center", fontsize=12)
            terms.append(float(np.sum(w[o, c] * x[c, i : i + kh, j : j + kw])))
        zx = c_in * col_w + 0.5
        ax.text(zx - 0.6, y + kh / 2, "=", ha="center", va="center", fontsize=12)
        _grid(ax, z[o], zx, y, _hex(_OUT))
        _box(ax, zx + j, y + i, 1, 1)
        summed = " + ".join(f"{t:g}" for t in terms) + " = " if c_in > 1 else ""
        ax.text(zx + z.shape[2] / 2, y - 0.3, f"Z[{o}, {i}, {j}] = {summed}{z[o, i, j]:g}", ha="center", fontsize=8)
    _finish(ax, width, height)
    return fig


def pool_diagram(x: Any, kernel_size: int, stride: int | None = None, mode: str = "max",
                 grad_output: Any = None) -> Figure:
    """Pooling drawn by hand: the windows on the input, the pooled output and, optionally, the
    backward pass (where each output's gradient goes).

    Non-overlapping windows are tinted alternately; for max pooling the winner of each window is
    outlined. With ``grad_output`` a second row shows it and the input gradient
    (:func:`nnbook.conv.pool2d_grad_input`): max pooling sends each gradient to its winner,
    average pooling spreads ``1/k²`` of it over the window. ``x`` is 2-D, at most 12x12.

    >>> fig = pool_diagram(np.arange(16.0).reshape(4, 4), 2, grad_output=np.ones((2, 2)))
    >>> len(fig.axes)
    1
    """
    from ..conv import pool2d_grad_input

    x = as_float_array("x", x, ndim=2, finite=True)
    _small("H", x.shape[0]), _small("W", x.shape[1])
    out = pool2d(x, kernel_size, stride, mode=mode)
    k = check_int("kernel_size", kernel_size, minimum=1)
    s = k if stride is None else check_int("stride", stride, minimum=1)
    tints = np.empty(x.shape, dtype=object)
    tints[...] = "#ffffff"
    palette = tuple(_hex(_tint(ROLES[role])) for role in ("input", "tap", "output", "secondary"))
    for a in range(out.shape[0]):
        for b in range(out.shape[1]):
            tints[a * s : a * s + k, b * s : b * s + k] = palette[(a + 2 * b) % 4 if s >= k else 0]
    rows = 1 if grad_output is None else 2
    width = x.shape[1] + 2.5 + out.shape[1]
    height = rows * (x.shape[0] + 1.8)
    fig = new_figure(min(0.5 * width + 0.6, 8.0), min(0.5 * height + 0.6, 8.0))
    ax = fig.add_subplot()
    _grid(ax, x, 0, 0, tints)
    ax.text(x.shape[1] / 2, -0.3, "input (windows tinted)", ha="center", fontsize=8)
    if mode == "max":
        for a in range(out.shape[0]):
            for b in range(out.shape[1]):
                win = x[a * s : a * s + k, b * s : b * s + k]
                r, c = np.unravel_index(int(np.argmax(win)), win.shape)
                _box(ax, b * s + c, a * s + r, 1, 1)
    ox = x.shape[1] + 2.5
    _grid(ax, out, ox, 0, _hex(_OUT))
    ax.text(ox - 1.25, x.shape[0] / 2, "→", ha="center", va="center", fontsize=14)
    ax.text(ox + out.shape[1] / 2, -0.3, f"{mode} pool {k}x{k}, stride {s}", ha="center", fontsize=8)
    if grad_output is not None:
        g = as_float_array("grad_output", grad_output, finite=True)
        grad = pool2d_grad_input(x, g, kernel_size, stride, mode=mode)
        y = x.shape[0] + 1.8
        _grid(ax, grad, 0, y, tints)
        ax.text(x.shape[1] / 2, y - 0.3, "∂J/∂X", ha="center", fontsize=8)
        _grid(ax, g, ox, y, _hex(_OUT))
        ax.text(ox + out.shape[1] / 2, y - 0.3, "∂J/∂(output)", ha="center", fontsize=8)
        ax.text(ox - 1.25, y + x.shape[0] / 2, "←", ha="center", va="center", fontsize=14)
    _finish(ax, width, height)
    return fig


def transposed_diagram(n: int, kernel_size: int, stride: int = 1, padding: int = 0,
                       output_padding: int = 0) -> Figure:
    """A transposed convolution drawn as Dumoulin & Visin do: as an ordinary stride-1 convolution.

    Left: the ``n x n`` input. Middle: the same values with ``stride - 1`` zeros inserted between
    them (dashed), padded with ``k - 1 - padding`` zeros on each side (grey; ``output_padding``
    more at the bottom and right), and the ``k x k`` kernel at its first position (outlined).
    Right: the output, of :func:`nnbook.conv.transposed_output_size`. Sliding the (flipped)
    kernel over the middle grid with stride 1 gives the transposed convolution. Small sizes
    only (``n <= 8``, ``kernel_size <= 6``, ``stride <= 4``); ``padding < kernel_size``.

    >>> fig = transposed_diagram(2, 3, stride=2)
    >>> len(fig.axes)
    1
    """
    n, k = _small("n", n, 8), _small("kernel_size", kernel_size, 6)
    s = _small("stride", stride, 4)
    p = check_int("padding", padding, minimum=0, maximum=k - 1)
    op = check_int("output_padding", output_padding, minimum=0)
    out = transposed_output_size(n, k, s, p, op)  # validates output_padding < stride
    pad = k - 1 - p
    spread = (n - 1) * s + 1
    size = spread + 2 * pad + op
    colours = np.empty((size, size), dtype=object)
    colours[...] = _hex(_PAD)
    dashed = np.zeros((size, size), bool)
    values = np.full((size, size), np.nan)
    for i in range(spread):
        for j in range(spread):
            r, c = i + pad, j + pad
            if i % s == 0 and j % s == 0:
                colours[r, c] = _hex(_IN)
                values[r, c] = (i // s) * n + j // s
            else:
                colours[r, c] = "#ffffff"
                dashed[r, c] = True
    width = n + 2 + size + 2 + out
    fig = new_figure(min(0.4 * width + 0.6, 9.5), min(0.4 * (max(size, out) + 2) + 0.6, 6.0))
    ax = fig.add_subplot()
    ax_vals = np.arange(n * n).reshape(n, n)
    _grid(ax, ax_vals, 0, 0, _hex(_IN), fmt="x{:g}", fontsize=7)
    ax.text(n / 2, -0.3, f"input {n}x{n}", ha="center", fontsize=8)
    mx = n + 2
    _grid(ax, None, mx, 0, colours, shape=(size, size), dashed=dashed)
    for (r, c), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(mx + c + 0.5, r + 0.5, f"x{v:g}", ha="center", va="center", fontsize=7)
    _box(ax, mx, 0, k, k, TAP_COLOUR, 2.2)
    ax.text(mx + size / 2, -0.3, f"{s - 1} zero(s) between, {pad} around" + (f", +{op} at the end" if op else ""),
            ha="center", fontsize=8)
    oxx = mx + size + 2
    _grid(ax, None, oxx, 0, _hex(_OUT), shape=(out, out))
    _box(ax, oxx, 0, 1, 1)
    ax.text(oxx + out / 2, -0.3, f"output {out}x{out}", ha="center", fontsize=8)
    _finish(ax, width, max(size, out))
    return fig


def _hex(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{int(round(255 * v)):02x}" for v in rgb)
