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


# -- the live explorers' base (LiveExplorer), with a toy explorer ----------------------------------
from nnbook.widgets import (  # noqa: E402
    LiveExplorer, bool_control, choice_control, float_control, int_control, text_control,
)


class Ratio(LiveExplorer):
    """A toy live explorer: n / d, impossible when d == 0."""

    n = int_control("numerator n", 4, 0, 10)
    d = int_control("denominator d", 2, 0, 5)
    scale = float_control("scale", 1.0, -1.0, 1.0, 0.5, log=True)
    how = choice_control("show", "fraction", ["fraction", "decimal"])
    width = choice_control("width", 64, [16, 64, 256])
    bold = bool_control("bold", False)
    name = text_control("name", "r", note="any text")

    def render(self, n, d, scale, how, width, bold, name):
        if d == 0:
            raise ValueError("d must not be zero")
        return View(f"${name} = {n * scale / d:g}$", data={"value": n * scale / d})


def test_live_explorer_first_state_controls_and_values():
    ex = Ratio()
    assert ex.ok and ex.panel.value == "$r = 2$" and ex.image.value == '{"value": 2.0}'
    specs = Ratio.control_specs()
    assert [s["name"] for s in specs] == ["n", "d", "scale", "how", "width", "bold", "name"]  # declared order
    assert specs[2] == {"name": "scale", "kind": "float", "label": "scale", "min": -1.0, "max": 1.0, "step": 0.5,
                        "log": True, "digits": 3}
    assert specs[4]["options"] == [["16", 16], ["64", 64], ["256", 256]] and specs[6]["note"] == "any text"
    assert ex.get_state()["_controls"] == specs  # what the front-end builds its controls from
    assert ex.controls["n"].max == 10 and ex.controls["how"].options == ["fraction", "decimal"]


def test_live_explorer_set_checks_every_kind():
    ex = Ratio()
    ex.set(n=9, d=3, scale=10.0, how="decimal", width=256, bold=True, name="q")
    assert ex.ok and ex.panel.value == "$q = 30$"
    for bad, error in [
        (dict(n=11), ValueError), (dict(n=-1), ValueError), (dict(n=2.0), TypeError), (dict(n=True), TypeError),
        (dict(n="3"), TypeError), (dict(scale=11.0), ValueError), (dict(scale=float("nan")), ValueError),
        (dict(scale=False), TypeError), (dict(scale="1"), TypeError), (dict(how="percent"), ValueError),
        (dict(width=65), ValueError), (dict(width=True), ValueError), (dict(bold=1), TypeError),
        (dict(name=3), TypeError), (dict(nope=1), ValueError),
    ]:
        before = ex.values
        with pytest.raises(error):
            ex.set(**bad)
        assert ex.values == before, bad
    ex.controls["n"].value = 6  # assigning a control's value is set()
    assert ex.panel.value == "$q = 20$"


def test_live_explorer_impossible_and_broken_settings_in_words():
    ex = Ratio()
    panel, picture = ex.panel.value, ex.image.value
    assert ex.set(d=0).ok is False
    assert "impossible" in ex.message.value and "d must not be zero" in ex.message.value
    assert ex.panel.value == panel and ex.image.value == picture and ex.view_model(**ex.values) == {
        "error": "d must not be zero"}
    assert ex.set(d=1).ok and ex.message.value == ""
    ex.d = 0  # a change from the front-end (JupyterLab) is checked the same way
    assert not ex.ok and "d must not be zero" in ex.message.value
