"""Colours for the book's figures: colour-blind safe, with readable text (WCAG 2.1 AA).

The fills are the Okabe–Ito palette (distinguishable with every common colour-vision
deficiency). Figures should not tell things apart by hue alone, so the roles a chapter pairs
(input / kernel tap / output, bar / highlighted bar) also differ clearly in lightness: they
stay distinct in greyscale and on a projector. Text drawn in a colour uses :data:`TEXT`
(each at least 4.5:1 against white); text drawn on a filled cell uses :func:`text_on`.

>>> round(contrast(TEXT["green"], "white"), 1) >= 4.5
True
>>> text_on(ROLES["input"])
'#ffffff'
"""

from __future__ import annotations

__all__ = [
    "OKABE_ITO", "ROLES", "TEXT", "CYCLE", "luminance", "contrast", "text_on", "AA_TEXT",
]

AA_TEXT = 4.5  # WCAG 2.1 AA, normal-size text
AA_GRAPHICS = 3.0  # WCAG 2.1 AA, graphical objects and large text

#: The Okabe–Ito colours (Okabe & Ito 2008, "Color Universal Design").
OKABE_ITO = {
    "black": "#000000",
    "orange": "#e69f00",
    "sky_blue": "#56b4e9",
    "green": "#009e73",  # bluish green
    "yellow": "#f0e442",
    "blue": "#0072b2",
    "vermillion": "#d55e00",
    "purple": "#cc79a7",  # reddish purple
}

#: What the book's figures draw, by role. Roles that appear together differ in lightness
#: (tests/test_plots_palette.py checks each pair below is at least 1.5:1 apart).
ROLES = {
    "input": OKABE_ITO["blue"],        # dark
    "tap": OKABE_ITO["orange"],        # light: kernel taps / the highlighted item
    "output": OKABE_ITO["green"],      # middle
    "padding": "#d9d9d9",              # light grey
    "neutral": "#595959",              # grey for guides and edges (7:1 on white)
    "highlight": OKABE_ITO["yellow"],  # very light
    "flow": OKABE_ITO["vermillion"],   # gradient flow / warnings
    "secondary": OKABE_ITO["purple"],
}

#: Pairs of roles drawn side by side somewhere in the book (they must differ in lightness).
PAIRED_ROLES = [("input", "tap"), ("input", "output"), ("tap", "output"), ("input", "padding"),
                ("output", "padding"), ("input", "highlight")]

#: Colours for text and thin lines drawn on white: darker shades of the fills, each at
#: least 4.5:1 against white (the Okabe–Ito green on white is only 3.3:1).
TEXT = {
    "black": "#000000",
    "grey": "#595959",
    "blue": "#0072b2",
    "green": "#00775a",
    "orange": "#a35f00",
    "vermillion": "#b34e00",
    "purple": "#9e4a7a",
    "sky_blue": "#1f6f99",
}

#: A line/bar colour cycle: the Okabe–Ito colours, most contrasting first.
CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky_blue", "black")]


def _rgb(colour: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


def luminance(colour: str) -> float:
    """WCAG relative luminance of a colour (0 for black, 1 for white).

    >>> luminance("white"), luminance("#000000")
    (1.0, 0.0)
    """
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white).

    >>> round(contrast("black", "white"), 1)
    21.0
    >>> round(contrast("#55a868", "white"), 2)  # the green the figures used to label with
    2.92
    """
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (as hex).

    >>> text_on("#f0e442"), text_on("#0072b2")
    ('#000000', '#ffffff')
    """
    return "#000000" if contrast(fill, "black") >= contrast(fill, "white") else "#ffffff"
