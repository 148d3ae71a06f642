"""The convolution explorer: every slider combination, the figure on a sample, and the widget."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnbook.conv import conv2d, conv_scene, influence_counts, output_size

pytest.importorskip("ipywidgets")

from nnbook.plots.conv import conv2d_diagram, heatmap, image_panels, sample_image  # noqa: E402
from nnbook.widgets.conv import ConvExplorer, WindowExplorer, explorer_panel, pytorch_line  # noqa: E402

R = ConvExplorer.RANGES
MODES = ("custom", "valid", "same", "full")


def all_combinations():
    ranges = [range(lo, hi + 1) for lo, hi in (R["n"], R["kernel_size"], R["stride"], R["padding"], R["dilation"])]
    return itertools.product(*ranges, MODES, (False, True), ("forward", "backward", "transposed"))


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
        assert scene.steps == (n * n if direction == "backward" else scene.out**2)
        assert scene.transposed.shape == (n, n) and 0 <= scene.output_padding < s
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


def test_transposed_scene_is_the_transpose_of_the_convolution_matrix():
    from nnbook.conv import conv2d_grad_input, conv2d_matrix

    for n, k, s, p, d, mode in [(5, 3, 2, 1, 1, "custom"), (6, 3, 2, 1, 1, "custom"), (7, 2, 3, 0, 2, "custom"),
                                (5, 4, 1, 0, 1, "same"), (4, 3, 1, 0, 2, "full"), (5, 1, 1, 2, 1, "custom")]:
        scene = conv_scene(n, k, s, p, d, mode, direction="transposed")
        pads = scene.padding
        pad_arg = pads[0] if pads[0] == pads[1] else "same"
        matrix = conv2d_matrix((n, n), scene.applied, stride=s, padding=pad_arg, dilation=d)
        np.testing.assert_allclose(scene.transposed.ravel(), matrix.T @ scene.y.ravel())
        grad = conv2d_grad_input((n, n), scene.applied, scene.y, stride=s, padding=pad_arg, dilation=d)
        np.testing.assert_allclose(scene.transposed, grad)
        # step by step: each value adds itself times the kernel over the window it was read from
        total = np.zeros((n + sum(pads),) * 2)
        for step in range(scene.steps):
            sc = conv_scene(n, k, s, p, d, mode, direction="transposed", step=step)
            assert sc.taps == conv_scene(n, k, s, p, d, mode, step=step).taps  # the forward window
            for (r, c), w in zip(sc.taps, sc.tap_weights):
                total[r, c] += sc.y[sc.position] * w
        np.testing.assert_allclose(total[pads[0]:pads[0] + n, pads[0]:pads[0] + n], scene.transposed)
        assert "Transposed output size" in explorer_panel(scene)


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
    assert ex.controls["step"].max == 8
    picture = ex.image.value
    ex.set(mode="same")
    assert not ex.ok and "stride" in ex.message.value and "impossible" in ex.message.value
    assert ex.image.value == picture  # the last valid picture stays
    ex.set(stride=1)
    assert ex.ok and ex.message.value == "" and ex.controls["step"].max == 24
    ex.set(n=2, kernel_size=5, mode="valid")
    assert not ex.ok and "does not fit" in ex.message.value
    ex.set(mode="full")  # 6 x 6 outputs: the step control grows to 36 positions
    assert ex.ok and ex.controls["step"].max == 35
    ex.set(step=35)
    assert ex.ok and ex.controls["step"].value == 35 and "Step 36 of 36" in ex.panel.value
    ex.set(mode="valid", n=5, kernel_size=3)  # back to 3 x 3: the step is clamped to the last one
    assert ex.ok and ex.controls["step"].value == 8 and "Step 9 of 9" in ex.panel.value
    ex.set(direction="backward", step=0)
    assert ex.ok and "read by" in ex.panel.value
    ex.set(flip=True, direction="forward", n=4, kernel_size=2, mode="valid", step=0)
    assert ex.ok and "Flip <b>on</b>" in ex.panel.value


def test_set_refuses_what_the_controls_could_not_show():
    """Issue 15: out-of-range or wrong-type values raise and change nothing (no silent clamp)."""
    ex = ConvExplorer()
    before = ex.values
    with pytest.raises(ValueError, match=r"n \(input size n\) must be from 2 to 9"):
        ex.set(n=1000)
    with pytest.raises(TypeError, match="whole number"):
        ex.set(kernel_size=2.5)
    with pytest.raises(TypeError, match="whole number"):
        ex.set(stride=True)
    with pytest.raises(ValueError, match="mode \\(mode\\) must be one of 'custom', 'valid', 'same', 'full'"):
        ex.set(mode="circular")
    with pytest.raises(TypeError, match="True or False"):
        ex.set(flip=1)
    with pytest.raises(ValueError, match="unknown control"):
        ex.set(colour="red")
    with pytest.raises(ValueError, match="must be from 0 to 440"):
        ex.set(step=10**6)
    with pytest.raises(ValueError):  # one bad value: none of the others is applied either
        ex.set(n=6, stride=9)
    assert ex.values == before and ex.ok
    ex.set(n=np.int64(6))  # integral numpy scalars are fine
    assert ex.n == 6 and type(ex.n) is int


def test_a_failing_refresh_is_shown_in_words(monkeypatch):
    ex = ConvExplorer()
    panel = ex.panel.value

    def broken(**values):
        raise RuntimeError("boom")

    monkeypatch.setattr(ex, "render", broken)
    assert ex.set(n=6).ok is False
    assert "Something went wrong" in ex.message.value and "boom" in ex.message.value
    assert ex.panel.value == panel


def test_the_trait_values_are_what_the_front_end_reads():
    ex = ConvExplorer()
    state = ex.get_state()
    assert [c["name"] for c in state["_controls"]] == ["n", "kernel_size", "stride", "padding", "dilation", "mode",
                                                       "flip", "direction", "step"]
    ex.set(n=7, mode="full")
    assert ex.get_state()["n"] == 7 and ex.get_state()["mode"] == "full"
    assert "export default" in state["_esm"] and "function explorer(" in state["_esm"]


def test_moving_a_control_from_the_front_end_recomputes_python():
    """In JupyterLab the front-end sets the trait; Python's reference follows."""
    ex = ConvExplorer()
    ex.n = 7  # what a synced change from the browser does
    assert ex.ok and r"\mathbf{5}" in ex.panel.value
    ex.mode = "full"
    ex.step = 440  # clamped at once to the last position, as the slider would
    assert ex.step == ex.controls["step"].max == 80


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
def test_pytorch_line_computes_the_explorers_output():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    combos = [c for c in all_combinations() if c[-1] == "forward" and expected_problem(*c[:6]) is None]
    for index in rng.choice(len(combos), size=120, replace=False):
        n, k, s, p, d, mode, flip, direction = combos[index]
        scene = conv_scene(n, k, s, p, d, mode, flip)
        line = pytorch_line(n, k, s, p, d, mode, flip)
        layer = eval(line.split("  #")[0], {"torch": torch})
        with torch.no_grad():
            layer.weight.copy_(torch.tensor(scene.kernel).flip(-2, -1) if flip else torch.tensor(scene.kernel))
            z = layer(torch.tensor(scene.x, dtype=torch.float64)[None, None].float()).double()[0, 0].numpy()
        np.testing.assert_allclose(z, scene.z, rtol=1e-6, err_msg=line)
        assert ("w.flip(-2, -1)" in line) == flip


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
def test_transposed_pytorch_line_computes_the_transposed_view():
    torch = pytest.importorskip("torch")
    combos = [c for c in all_combinations() if c[-1] == "transposed" and expected_problem(*c[:6]) is None]
    rng = np.random.default_rng(4)
    for index in rng.choice(len(combos), size=150, replace=False):
        n, k, s, p, d, mode, flip, direction = combos[index]
        scene = conv_scene(n, k, s, p, d, mode, flip, direction)
        line = pytorch_line(n, k, s, p, d, mode, flip, direction)
        layer = eval(line.split("  #")[0], {"torch": torch}).double()
        with torch.no_grad():
            layer.weight.copy_(torch.tensor(scene.kernel).flip(-2, -1) if flip else torch.tensor(scene.kernel))
            t = layer(torch.tensor(scene.y)[None, None])[0, 0].numpy()
        if "keep out[..., :-" in line:
            cut = int(line.split("keep out[..., :-")[1].split(",")[0])
            t = t[:-cut, :-cut]
        np.testing.assert_allclose(t, scene.transposed, rtol=1e-12, err_msg=line)


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
