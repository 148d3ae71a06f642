"""Alt text for figures (nnbook.plots.describe / figure_display): built from the figure itself."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from nnbook.plots import describe, figure_display, new_figure  # noqa: E402


def test_heat_map_names_its_shape_and_extremes_with_positions():
    fig = new_figure(3, 3)
    ax = fig.add_subplot()
    z = np.zeros((4, 4))
    z[1, 3] = z[2, 3] = 6
    z[0, 0] = -2
    ax.imshow(z)
    ax.set_title("Z")
    text = describe(fig)
    assert "“Z”" in text and "heat map 4×4" in text
    assert "max 6 at (1,3),(2,3)" in text and "min -2 at (0,0)" in text


def test_large_images_give_a_range_not_a_list_of_pixels():
    fig = new_figure(3, 3)
    fig.add_subplot().imshow(np.linspace(0, 1, 600 * 512).reshape(600, 512), cmap="gray")
    text = describe(fig)
    assert "600×512" in text and "values 0 to 1" in text and " at (" not in text


def test_curves_legends_and_axis_labels():
    fig = new_figure()
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [0, 1, 4], label="ReLU")
    ax.plot([0, 1, 2], [0, 0.5, 1], label="tanh")
    ax.set_xlabel("layer")
    ax.set_ylabel("std")
    assert describe(fig) == "Figure: 2 curves (ReLU, tanh), axes “std” vs “layer”"


def test_panels_are_numbered_and_a_suptitle_leads():
    fig = new_figure()
    fig.suptitle("two panels")
    for title in ("a", "b"):
        fig.add_subplot(1, 2, len(fig.axes) + 1).set_title(title)
    assert describe(fig) == "Figure “two panels”: 2 panels: (1) “a”; (2) “b”"


def test_bars_and_text_labels():
    fig = new_figure()
    ax = fig.add_subplot()
    ax.bar([0, 1, 2], [0.1, 0.6, 0.3])
    ax.text(1, 0.6, "0.6")
    text = describe(fig)
    assert "3 bars or cells" in text and "labels: 0.6" in text


def test_long_descriptions_are_cut_with_an_ellipsis():
    fig = new_figure()
    ax = fig.add_subplot()
    for i in range(200):
        ax.text(0, 0, f"label number {i}")
    text = describe(fig, limit=120)
    assert len(text) == 120 and text.endswith("…")


def test_nan_and_constant_images():
    fig = new_figure()
    ax = fig.add_subplot()
    ax.imshow(np.full((2, 3), 5.0))
    assert describe(fig) == "Figure: heat map 2×3, all 5"
    fig = new_figure()
    ax = fig.add_subplot()
    ax.imshow(np.array([[np.nan, 1.0], [2.0, np.nan]]))
    assert "max 2 at (1,0)" in describe(fig)


def test_display_gives_png_with_alt_metadata():
    fig = new_figure(2, 2)
    fig.add_subplot().set_title("t")
    png, meta = figure_display(fig)
    assert png[:4] == b"\x89PNG"
    assert meta == {"alt": "Figure: “t”"}


def test_the_chapter_figures_are_described():
    """Every figure function of the chapters gives a description that is more than a title."""
    from nnbook.plots import conv, softmax

    fig = conv.heatmap([[0, 6], [-6, 1]], title="Z")
    assert describe(fig).startswith("Figure: “Z”, heat map 2×2, max 6 at (0,1)")
    bars = softmax.ProbabilityBars(3) if hasattr(softmax, "ProbabilityBars") else None
    if bars is not None and hasattr(bars, "figure"):
        assert describe(bars.figure).startswith("Figure")
