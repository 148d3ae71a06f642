"""The convolution explorer: every slider combination, the figure on a sample, and the widget."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnbook.conv import conv2d, conv_scene, influence_counts, output_size

pytest.importorskip("ipywidgets")

from nnbook.plots.conv import conv2d_diagram, heatmap, image_panels, sample_image  # noqa: E402
from nnbook.widgets.conv import ConvExplorer, WindowExplorer, explorer_panel  # noqa: E402

R = ConvExplorer.RANGES
MODES = ("custom", "valid", "same", "full")


def all_combinations():
    ranges = [range(lo, hi + 1) for lo, hi in (R["n"], R["kernel_size"], R["stride"], R["padding"], R["dilation"])]
    return itertools.product(*ranges, MODES, (False, True), ("forward", "backward"))


def expected_problem(n, k, s, p, d, mode):
    if mode == "same" and s != 1:
        return "stride"
    pad = {"custom": 2 * p, "valid": 0, "same": d * (k - 1), "full": 2 * d * (k - 1)}[mode]
    if d * (k - 1) + 1 > n + pad:
        return "does not fit"
    return None


def test_sweep_every_slider_combination():
    """No exception anywhere; impossible settings (and only those) raise a ValueError in words."""
    impossible = 0
    for n, k, s, p, d, mode, flip, direction in all_combinations():
        problem = expected_problem(n, k, s, p, d, mode)
        last = 10**6  # the step control is clamped to the last position
        try:
            scene = conv_scene(n, k, s, p, d, mode, flip, direction, step=last)
        except ValueError as exc:
            assert problem is not None, (n, k, s, p, d, mode)
            assert problem in str(exc) and "Traceback" not in str(exc)
            impossible += 1
            continue
        assert problem is None, (n, k, s, p, d, mode)
        pads = sum(scene.padding)
        assert scene.out == (n + pads - d * (k - 1) - 1) // s + 1
        if mode == "same":
            assert scene.out == n
        if mode == "custom":
            assert scene.out == output_size(n, k, s, p, d)
        assert scene.steps == (scene.out**2 if direction == "forward" else n * n)
        assert explorer_panel(scene)
    assert impossible > 0


def test_scene_values_match_conv2d_and_flip():
    scene = conv_scene(6, 3, stride=2, padding=1, dilation=1, flip=True)
    x, w = scene.x, scene.kernel
    np.testing.assert_allclose(scene.z, conv2d(x, w[::-1, ::-1], stride=2, padding=1))
    plain = conv_scene(6, 3, stride=2, padding=1, dilation=1, flip=False)
    np.testing.assert_allclose(plain.z, conv2d(x, w, stride=2, padding=1))
    # the highlighted step's products add up to the output value
    for step in range(plain.steps):
        sc = conv_scene(6, 3, stride=2, padding=1, step=step)
        xp = np.pad(sc.x, 1)
        total = sum(wv * xp[r, c] for (r, c), wv in zip(sc.taps, sc.tap_weights))
        assert total == sc.z[sc.position]


def test_backward_scene_matches_influence_counts():
    for n, k, s, p, d in [(5, 3, 2, 1, 1), (7, 2, 3, 0, 1), (6, 3, 1, 2, 2)]:
        scene = conv_scene(n, k, s, p, d, direction="backward")
        np.testing.assert_allclose(scene.counts, influence_counts((n, n), k, s, p, d))
        for step in range(n * n):
            sc = conv_scene(n, k, s, p, d, direction="backward", step=step)
            assert len(sc.outputs_fed) == sc.counts[sc.position]


def test_figure_on_a_sample_of_combinations():
    combos = list(all_combinations())
    rng = np.random.default_rng(0)
    drawn = 0
    for index in rng.choice(len(combos), size=40, replace=False):
        n, k, s, p, d, mode, flip, direction = combos[index]
        try:
            scene = conv_scene(n, k, s, p, d, mode, flip, direction, step=int(rng.integers(0, 50)))
        except ValueError:
            continue
        fig = conv2d_diagram(scene)
        assert not fig.axes and fig.get_size_inches().tolist() == [7.25, 3.5]
        if drawn < 5:  # a few all the way to PNG bytes
            from nnbook.plots import figure_to_png

            assert figure_to_png(fig)[:4] == b"\x89PNG"
        drawn += 1
    assert drawn > 10


def test_explorer_drives_picture_message_and_step_range():
    ex = ConvExplorer()
    assert ex.ok and ex.image.value
    ex.set(n=5, kernel_size=3, stride=2, padding=1, dilation=1, mode="custom", step=0)
    assert ex.ok and r"\mathbf{3}" in ex.panel.value
    assert ex.controls["step"].max == 8 and ex.play.max == 8
    picture = ex.image.value
    ex.set(mode="same")
    assert not ex.ok and "stride" in ex.message.value and "impossible" in ex.message.value
    assert ex.image.value == picture  # the last valid picture stays
    ex.set(stride=1)
    assert ex.ok and ex.message.value == "" and ex.controls["step"].max == 24
    ex.set(n=2, kernel_size=5, mode="valid")
    assert not ex.ok and "does not fit" in ex.message.value
    ex.set(mode="full")  # 6 x 6 outputs: the step control grows to 36 positions
    assert ex.ok and ex.controls["step"].max == ex.play.max == 35
    ex.set(step=35)
    assert ex.ok and ex.controls["step"].value == 35 and "Step 36 of 36" in ex.panel.value
    ex.set(mode="valid", n=5, kernel_size=3)  # back to 3 x 3: the step is clamped to the last one
    assert ex.ok and ex.controls["step"].value == 8 and "Step 9 of 9" in ex.panel.value
    ex.set(direction="backward", step=0)
    assert ex.ok and "read by" in ex.panel.value
    ex.set(flip=True, direction="forward", n=4, kernel_size=2, mode="valid", step=0)
    assert ex.ok and "Flip <b>on</b>" in ex.panel.value


def test_window_explorer_still_works():
    ex = WindowExplorer()
    assert ex.set(n=7, kernel_size=3, stride=2, padding=1).ok
    assert not ex.set(n=2, kernel_size=5, padding=0).ok


def test_static_figures():
    assert heatmap(np.arange(6.0).reshape(2, 3), title="t").axes[0].get_title() == "t"
    with pytest.raises(ValueError, match="2-D"):
        heatmap(np.arange(3.0))
    img = sample_image()
    assert img.ndim == 2 and 0 <= img.min() and img.max() <= 1
    assert len(image_panels({"a": img[:10, :10], "edges": -img[:10, :10]}).axes) == 2
    with pytest.raises(ValueError, match="at least one"):
        image_panels({})
