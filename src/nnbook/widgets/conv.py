"""Explorers for the convolution chapters."""

from __future__ import annotations

from typing import Any

from ..conv import output_size
from ..plots.conv import sliding_window_1d
from . import Explorer, View, int_slider

__all__ = ["WindowExplorer"]


class WindowExplorer(Explorer):
    """Slide a (dilated) window over a padded 1-D input and count the output positions.

    >>> ex = WindowExplorer()
    >>> ex.set(n=7, kernel_size=3, stride=2, padding=1).ok
    True
    >>> ex.set(n=2, kernel_size=5, padding=0).ok
    False
    """

    def controls_(self) -> dict[str, Any]:
        return {
            "n": int_slider("input length n", 7, 1, 16),
            "kernel_size": int_slider("kernel size k", 3, 1, 7),
            "stride": int_slider("stride s", 1, 1, 4),
            "padding": int_slider("padding p", 0, 0, 3),
            "dilation": int_slider("dilation d", 1, 1, 3),
        }

    def render(self, n: int, kernel_size: int, stride: int, padding: int, dilation: int) -> View:
        out = output_size(n, kernel_size, stride=stride, padding=padding, dilation=dilation)
        panel = (
            "Output length "
            r"$\left\lfloor \dfrac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1 = "
            rf"\left\lfloor \dfrac{{{n} + 2\cdot{padding} - {dilation}\cdot({kernel_size}-1) - 1}}{{{stride}}}"
            rf"\right\rfloor + 1 = \mathbf{{{out}}}$"
        )
        return View(panel, sliding_window_1d(n, kernel_size, stride, padding, dilation))
