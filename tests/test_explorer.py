"""The Explorer view pattern, tested without a browser."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

from nnbook.plots import new_figure  # noqa: E402
from nnbook.widgets import Explorer, View, int_slider  # noqa: E402


class Halver(Explorer):
    """A toy explorer: shows n / d, impossible when d == 0."""

    renders = 0

    def controls_(self):
        return {"n": int_slider("n", 4, 0, 10), "d": int_slider("d", 2, 0, 5)}

    def render(self, n, d):
        type(self).renders += 1
        if d == 0:
            raise ValueError("d must not be zero")
        fig = new_figure(1, 1)
        fig.add_subplot().bar([0], [n / d])
        return View(f"$n / d = {n / d:g}$", fig)


def test_first_state_is_rendered():
    ex = Halver()
    assert ex.ok and ex.panel.value == "$n / d = 2$"
    assert ex.image.value[:4] == b"\x89PNG"


def test_moving_a_slider_updates_panel_and_image():
    ex = Halver()
    first = ex.image.value
    ex.controls["n"].value = 9  # what a reader dragging the slider does
    assert ex.panel.value == "$n / d = 4.5$" and ex.image.value != first


def test_impossible_setting_explained_in_words_last_picture_kept():
    ex = Halver()
    picture, panel = ex.image.value, ex.panel.value
    ex.set(d=0)
    assert not ex.ok
    assert "impossible" in ex.message.value and "d must not be zero" in ex.message.value
    assert "Traceback" not in ex.message.value
    assert ex.image.value == picture and ex.panel.value == panel
    ex.set(d=1)
    assert ex.ok and ex.message.value == "" and ex.panel.value == "$n / d = 4$"


def test_set_recomputes_once_for_several_controls():
    ex = Halver()
    before = Halver.renders
    ex.set(n=6, d=3)
    assert Halver.renders == before + 1 and ex.panel.value == "$n / d = 2$"


def test_set_rejects_unknown_controls():
    with pytest.raises(ValueError, match="unknown control"):
        Halver().set(q=1)


def test_intro_window_explorer_every_slider_combination():
    """Every combination the intro's sliders can reach: a picture or a plain-words message."""
    from nnbook.conv import output_size
    from nnbook.widgets.conv import WindowExplorer

    ex = WindowExplorer()
    ranges = {name: range(c.min, c.max + 1) for name, c in ex.controls.items()}
    checked = 0
    for n in ranges["n"]:
        for k in ranges["kernel_size"]:
            for d in ranges["dilation"]:
                for p in ranges["padding"]:
                    s = 1 + (n + k + d + p) % 4  # one stride per combination keeps this fast
                    values = dict(n=n, kernel_size=k, stride=s, padding=p, dilation=d)
                    try:
                        expected = output_size(**values)
                    except ValueError:
                        expected = None
                    checked += 1
                    if expected is None:  # impossible: must be refused in words, cheaply
                        with pytest.raises(ValueError, match="does not fit"):
                            ex.render(**values)
                    elif checked % 25 == 0:  # drawing every figure is slow; a spread sample
                        view = ex.render(**values)
                        assert rf"\mathbf{{{expected}}}" in view.panel
    assert checked == 16 * 7 * 3 * 4
