"""The sizing chapter's view layer: the network builder and its figures, driven without a browser."""

from __future__ import annotations


import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import nnbook.plots.sizing as plots  # noqa: E402
from nnbook.sizing import AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, summarize  # noqa: E402
from nnbook.widgets.sizing import PRESETS, NetworkBuilder, builder_view, make_layer  # noqa: E402


@pytest.fixture(scope="module")
def dqn():
    shape, layers = PRESETS["Atari DQN"]
    return summarize(shape, layers)


def test_bar_charts_show_each_computing_layer_with_its_counts(dqn):
    fig = plots.layer_bars(dqn)
    ax_params, ax_mults = fig.axes
    computing = [r for r in dqn.rows if r.neurons]
    assert [p.get_width() for p in ax_params.patches] == [r.params for r in computing]
    assert [p.get_width() for p in ax_mults.patches] == [r.multiplications for r in computing]
    labels = [t.get_text() for t in ax_params.get_yticklabels()]
    assert labels == [f"{r.index} {r.name}" for r in computing]
    assert "97.5%" in " ".join(t.get_text() for t in ax_params.texts)
    assert "680,770" in ax_params.get_title()


def test_shape_flow_draws_one_box_per_shape_with_its_label(dqn):
    fig = plots.shape_flow(dqn)
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    assert ["4×84×84", "16×20×20", "32×9×9", "256", "18"] == [t for t in texts if t[0].isdigit()]
    boxes = [p for p in ax.patches if type(p).__name__ == "Rectangle"]
    assert len(boxes) == 5
    heights = [b.get_height() for b in boxes]
    assert heights[0] > heights[1] > heights[2]  # the maps shrink


def test_network_figure_and_pooling_rows():
    s = summarize((3, 256, 256), [Conv2d(64, 8, stride=2), MaxPool2d(5), Conv2d(128, 4, padding=1), Flatten()])
    fig = plots.network_figure(s)
    assert len(fig.axes) == 3
    assert [p.get_width() for p in fig.axes[1].patches] == [12352, 0, 131200]


def test_make_layer_covers_every_kind_and_rejects_others():
    assert make_layer("Conv2d", 8, 3, 2, 1, 2) == Conv2d(8, 3, stride=2, padding=1, dilation=2)
    assert make_layer("MaxPool2d", kernel_size=2, stride=2) == MaxPool2d(2, stride=2)
    assert make_layer("AvgPool2d", kernel_size=3, stride=1, padding=1) == AvgPool2d(3, stride=1, padding=1)
    assert make_layer("Linear", 10) == Linear(10)
    assert make_layer("ReLU") == ReLU() and make_layer("Flatten") == Flatten()
    with pytest.raises(ValueError, match="kind must be one of Conv2d"):
        make_layer("Conv3d")
    with pytest.raises(ValueError, match="at most kernel_size // 2"):
        make_layer("MaxPool2d", kernel_size=2, padding=2)


def test_builder_view_explains_the_next_layer_in_words():
    ok = builder_view((1, 28, 28), [Conv2d(4, 5)], MaxPool2d(2), figure=False)
    assert "would output (4, 12, 12)" in ok.panel and ok.figure is None
    bad = builder_view((1, 28, 28), [Conv2d(4, 5)], Conv2d(4, 30), figure=False)
    assert "cannot be added here" in bad.panel and "does not fit" in bad.panel
    unbuildable = builder_view((1, 28, 28), [], "MaxPool2d: padding too large", figure=False)
    assert "cannot be built: MaxPool2d: padding too large" in unbuildable.panel
    with pytest.raises(ValueError, match="layer 1"):
        builder_view((1, 4, 4), [Conv2d(4, 5)])


def test_builder_adds_removes_and_refuses_impossible_layers():
    b = NetworkBuilder()
    assert b.ok and "680,770" in b.panel.value and len(b.layers) == 7
    picture = b.image.value
    assert '"totals": [' in picture  # the numbers the front-end draws

    b.set(kind="Linear", size=10)
    assert "would output (10,)" in b.panel.value
    assert b.image.value == picture  # only the next-layer controls moved: no redraw
    assert b.add() and len(b.layers) == 8 and b.image.value != picture
    assert "Linear(10)" in b.panel.value

    b.set(kind="Conv2d", size=8, kernel_size=3)
    assert "cannot be added here" in b.panel.value
    assert b.add() is False and not b.ok and "The network is unchanged" in b.message.value
    assert len(b.layers) == 8

    b.set(kind="AvgPool2d", kernel_size=2, padding=2)
    assert "cannot be built" in b.panel.value
    assert b.add() is False and "at most kernel_size // 2" in b.message.value

    assert b.remove() and len(b.layers) == 7 and b.ok and b.message.value == ""
    assert b.add(Linear(5)) and b.network[-1] == Linear(5)
    with pytest.raises(ValueError, match="square windows"):
        b.add(Conv2d(4, (3, 1)))
    with pytest.raises(ValueError, match="index must be between"):
        b.remove(42)


def test_builder_input_sliders_can_make_the_network_impossible_and_back():
    b = NetworkBuilder("RGB 256x256 with pooling")
    assert "(128, 24, 24)" in b.panel.value
    panel, picture = b.panel.value, b.image.value
    b.set(height=16, width=16)
    assert not b.ok and "layer 3" in b.message.value and "does not fit" in b.message.value
    assert b.panel.value == panel and b.image.value == picture  # the last valid state stays
    b.set(height=256, width=256)
    assert b.ok and b.message.value == "" and b.image.value == picture


def test_presets_and_empty_network():
    b = NetworkBuilder("empty")
    assert b.layers == [] and b.remove() is False and "no layers" in b.message.value
    for name in PRESETS:
        assert b.load(name)
        shape, layers = PRESETS[name]
        assert b.input_shape == shape and [layer.label() for layer in b.network] == [x.label() for x in layers]
    with pytest.raises(ValueError, match="preset must be one of"):
        b.load("VGG")
    with pytest.raises(ValueError, match="preset must be one of"):
        NetworkBuilder("VGG")
    assert set(b.get_state()["_presets"]) == set(PRESETS)  # the front-end's preset menu


def test_set_refuses_bad_layers_and_values():
    b = NetworkBuilder()
    before = b.values
    with pytest.raises(ValueError, match="height \\(height\\) must be from 1 to 256"):
        b.set(height=1000)
    with pytest.raises(ValueError, match="layer 1: kind must be one of"):
        b.set(layers=[{"kind": "Conv3d", "size": 1, "kernel_size": 1, "stride": 1, "padding": 0, "dilation": 1}])
    with pytest.raises(ValueError, match="layer 1: size must be from 1 to 512"):
        b.set(layers=[{"kind": "Linear", "size": 0, "kernel_size": 1, "stride": 1, "padding": 0, "dilation": 1}])
    with pytest.raises(ValueError, match="layer description"):
        b.set(layers=[{"kind": "Linear"}])
    with pytest.raises(TypeError, match="list of layer descriptions"):
        b.set(layers="Conv2d")
    with pytest.raises(ValueError, match="at most 64 layers"):
        b.set(layers=[b.layers[1]] * 65)
    assert b.values == before and b.ok
