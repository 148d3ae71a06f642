"""matplotlib figures for the book (the view layer; imports matplotlib on first use).

Every function here builds a ``matplotlib.figure.Figure`` without pyplot, so figures are
never left open in a global registry and widgets can redraw them quickly on the Agg
backend. Chapter-specific figures live in submodules (``nnbook.plots.conv``, ...).
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.figure import Figure

__all__ = ["new_figure", "figure_to_png"]


def _register_png_display() -> None:
    """Show Figures from this package as PNG in Jupyter even without ``%matplotlib inline``."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is always there in a notebook
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, figure_to_png)


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
