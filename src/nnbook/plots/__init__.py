"""matplotlib figures for the book (the view layer; imports matplotlib on first use).

Every function here builds a ``matplotlib.figure.Figure`` without pyplot, so figures are
never left open in a global registry and widgets can redraw them quickly on the Agg
backend. Chapter-specific figures live in submodules (``nnbook.plots.conv``, ...); their
colours come from :mod:`nnbook.plots.palette` (colour-blind safe, readable text).

Displayed in a notebook, a Figure is a PNG whose output metadata carries an alt text made from
the figure's own content (:func:`describe`): the book's pages give it to the ``<img>``
(``book/_ext/nnbook_build.py``), so a screen reader says what the figure shows.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from matplotlib.figure import Figure

__all__ = ["new_figure", "figure_to_png", "describe", "figure_display"]


def _register_png_display() -> None:
    """Show Figures from this package as PNG in Jupyter even without ``%matplotlib inline``."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is always there in a notebook
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, figure_display)


def figure_display(fig: Figure) -> tuple[bytes, dict[str, str]]:
    """What a notebook shows for ``fig``: PNG bytes and metadata with its alt text.

    >>> png, meta = figure_display(new_figure(1, 1))
    >>> png[:4], meta
    (b'\\x89PNG', {'alt': 'Figure (empty)'})
    """
    return figure_to_png(fig), {"alt": describe(fig)}


def _fmt(v: float) -> str:
    return f"{v:.3g}" if np.isfinite(v) else str(v)


def _cells(positions: np.ndarray, limit: int = 3) -> str:
    shown = ",".join(f"({r},{c})" for r, c in positions[:limit])
    return shown + (f" and {len(positions) - limit} more" if len(positions) > limit else "")


def _describe_image(image) -> str:
    data = np.ma.masked_invalid(np.ma.asarray(image.get_array(), dtype=float))
    shape = data.shape
    kind = "image" if data.ndim == 3 else "heat map"
    text = f"{kind} {'×'.join(str(n) for n in shape[:2])}"
    if data.ndim == 2 and data.count():
        lo, hi = data.min(), data.max()
        if lo == hi:
            return f"{text}, all {_fmt(hi)}"
        if data.size > 400:  # a picture: where its extremes are says little
            return f"{text}, values {_fmt(lo)} to {_fmt(hi)}"
        filled = data.filled(np.nan)
        text += (f", max {_fmt(hi)} at {_cells(np.argwhere(filled == hi))}"
                 f", min {_fmt(lo)} at {_cells(np.argwhere(filled == lo))}")
    return text


def _describe_axes(ax) -> str:
    parts = []
    title = ax.get_title() or ax.get_title("left") or ax.get_title("right")
    if title:
        parts.append(f"“{title}”")
    for image in ax.get_images():
        parts.append(_describe_image(image))
    lines = [line for line in ax.get_lines() if line.get_visible() and len(np.atleast_1d(line.get_xdata())) > 1]
    if lines:
        labels = [line.get_label() for line in lines if not line.get_label().startswith("_")]
        parts.append(f"{len(lines)} curve{'s' if len(lines) > 1 else ''}"
                     + (f" ({', '.join(labels[:6])})" if labels else ""))
    from matplotlib.patches import Rectangle

    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_visible() and ax.name == "rectilinear"]
    if bars and not ax.get_images():
        parts.append(f"{len(bars)} bars or cells")
    xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
    if xlabel or ylabel:
        parts.append("axes " + " vs ".join(f"“{label}”" for label in (ylabel, xlabel) if label))
    texts = [t.get_text() for t in ax.texts if t.get_visible() and t.get_text().strip()]
    if texts and not ax.get_images():
        shown = "; ".join(texts[:8]) + (f"; … ({len(texts)} labels)" if len(texts) > 8 else "")
        parts.append(f"labels: {shown}")
    return ", ".join(parts)


def describe(fig: Figure, limit: int = 600) -> str:
    """An alt text for ``fig`` built from its content: titles, axis labels, image shapes and
    extreme values, curves and their legends, text labels (at most ``limit`` characters).

    >>> fig = new_figure(3, 3)
    >>> ax = fig.add_subplot()
    >>> _ = ax.imshow(np.array([[0, 1], [6, 6]])); _ = ax.set_title("Z")
    >>> describe(fig)
    'Figure: “Z”, heat map 2×2, max 6 at (1,0),(1,1), min 0 at (0,0)'
    """
    heading = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    axes = [a for a in fig.get_axes() if a.get_visible() and a.get_label() != "<colorbar>"]
    panels = [d for d in (_describe_axes(a) for a in axes) if d]
    if not panels and not heading:
        return "Figure (empty)" if not axes else "Figure (a diagram without labels)"
    text = "Figure" + (f" “{heading}”" if heading else "") + ": "
    if len(panels) > 1:
        text += f"{len(panels)} panels: " + "; ".join(f"({i}) {p}" for i, p in enumerate(panels, 1))
    else:
        text += panels[0] if panels else ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def new_figure(width: float = 6.4, height: float = 3.0, **kwargs: Any) -> Figure:
    """A fresh Figure (not registered with pyplot), laid out with ``constrained`` layout.

    >>> new_figure(4, 2).get_size_inches().tolist()
    [4.0, 2.0]
    """
    kwargs.setdefault("layout", "constrained")
    return Figure(figsize=(width, height), **kwargs)


def figure_to_png(fig: Figure, dpi: int = 96) -> bytes:
    """Render ``fig`` to PNG bytes with the Agg backend (what the widgets display).

    >>> figure_to_png(new_figure(1, 1))[:4]
    b'\\x89PNG'
    """
    buffer = io.BytesIO()
    # Fast zlib level: PNG compression was a large share of every widget redraw.
    fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


_register_png_display()
