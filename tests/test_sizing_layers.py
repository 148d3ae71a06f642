"""nnbook.sizing's newer layers and costs: grouped/depthwise convolutions, batch norm, adaptive
pooling, dropout; receptive fields, MACs vs FLOPs, activation memory; the well-known networks.

Oracles: PyTorch (``sum(p.numel())``, buffers, output shapes, gradient support), the published
parameter counts (torchvision's model tables), and plain-Python brute force.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BOOK
from nnbook.sizing import (
    FAMOUS_NETWORKS,
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Elementwise,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU,
    alexnet,
    famous_networks,
    lenet5,
    mobilenet_v2,
    networks_table,
    solve,
    summarize,
    summarize_torch,
    vgg16,
)


# -- torch models built from the same specs (an independent construction of each layer) ---------------
def torch_layer(torch, layer, shape):
    """The torch module for one of our layer specs, given the shape of its input (no nnbook code)."""
    nn = torch.nn
    if isinstance(layer, Conv2d):
        return nn.Conv2d(shape[0], layer.out_channels, layer._k, layer._s, layer._p, layer._d,
                         groups=layer.groups, bias=layer.bias)
    if isinstance(layer, BatchNorm2d):
        return nn.BatchNorm2d(shape[0], affine=layer.affine, track_running_stats=layer.track_running_stats)
    if isinstance(layer, MaxPool2d):
        return nn.MaxPool2d(layer._k, layer._s, layer._p, layer._d)
    if isinstance(layer, AvgPool2d):
        return nn.AvgPool2d(layer._k, layer._s, layer._p)
    if isinstance(layer, AdaptiveAvgPool2d):
        return nn.AdaptiveAvgPool2d(layer._o)
    if isinstance(layer, Flatten):
        return nn.Flatten()
    if isinstance(layer, Linear):
        lin = nn.Linear(math.prod(shape), layer.out_features, bias=layer.bias)
        return nn.Sequential(nn.Flatten(), lin) if len(shape) == 3 else lin
    if isinstance(layer, Dropout):
        return nn.Dropout(layer.p)
    if isinstance(layer, Elementwise):
        return getattr(nn, layer.name)()
    raise AssertionError(layer)  # pragma: no cover


def torch_run(torch, input_shape, layers):
    """Build and run the layers one by one in torch: (modules, output shapes, index of the first failure)."""
    x = torch.zeros((1, *input_shape))
    modules, shapes = [], []
    for i, layer in enumerate(layers, start=1):
        try:
            module = torch_layer(torch, layer, tuple(x.shape[1:])).eval()
            with torch.no_grad():
                x = module(x)
        except (RuntimeError, ValueError):
            return modules, shapes, i
        modules.append(module)
        shapes.append(tuple(x.shape[1:]))
    return modules, shapes, None


def to_torch(torch, input_shape, layers):
    """nn.Sequential with the same layers, each built from the shape torch itself produced."""
    modules, _, failed = torch_run(torch, input_shape, layers)
    assert failed is None, f"torch refuses layer {failed}"
    return torch.nn.Sequential(*modules)


def torch_buffers(module):
    return sum(b.numel() for name, b in module.named_buffers() if not name.endswith("num_batches_tracked"))


# -- the well-known networks against their published counts ----------------------------------------
PUBLISHED = {"LeNet-5": 61_706, "AlexNet": 61_100_840, "VGG-16": 138_357_544, "MobileNetV2": 3_504_872}


def test_famous_networks_have_the_published_parameter_counts():
    summaries = famous_networks()
    assert {name: s.total_params for name, s in summaries.items()} == PUBLISHED
    # torchvision's "GFLOPS" column (multiply-adds), to its two decimals
    for name, famous in FAMOUS_NETWORKS.items():
        if famous.published_gmacs is not None:
            assert round(summaries[name].total_macs / 1e9, 2) == famous.published_gmacs, name
    vgg = summaries["VGG-16"]
    assert vgg.total_macs == 15_470_264_320 and vgg.total_flops == 2 * vgg.total_macs
    assert max(r.params for r in vgg.rows) == 102_764_544  # the first dense layer: 25088 x 4096 + 4096
    assert summaries["MobileNetV2"].total_buffers == 34_112
    assert vgg.receptive_field == (212, 212)


@pytest.mark.parametrize("name", list(FAMOUS_NETWORKS))
def test_famous_networks_agree_with_the_same_model_in_torch(torch, name):
    famous = FAMOUS_NETWORKS[name]
    layers = famous.build()
    model = to_torch(torch, famous.input_shape, layers).eval()
    ours = summarize(famous.input_shape, layers)
    assert ours.total_params == sum(p.numel() for p in model.parameters()) == famous.published_params
    assert ours.total_buffers == torch_buffers(model)
    with torch.no_grad():
        out = model(torch.zeros((1, *famous.input_shape)))
    assert tuple(out.shape[1:]) == ours.output_shape
    bridged = summarize_torch(model, famous.input_shape)
    assert (bridged.total_params, bridged.total_macs, bridged.total_buffers) == (
        ours.total_params, ours.total_macs, ours.total_buffers)


def test_activation_memory_counts_every_stored_output(torch):
    """Forward hooks on the torch VGG-16: every module that writes a new tensor (not ReLU in place)."""
    layers = vgg16()
    model = to_torch(torch, (3, 224, 224), layers).eval()
    stored = []
    for module in model:
        if not isinstance(module, (torch.nn.ReLU, torch.nn.Dropout, torch.nn.Flatten)):
            module.register_forward_hook(lambda m, i, o: stored.append(o.numel()))
    with torch.no_grad():
        model(torch.zeros(2, 3, 224, 224))
    s = summarize((3, 224, 224), layers)
    assert s.total_activations * 2 == sum(stored)
    assert s.activation_bytes(batch=2) == 4 * sum(stored) == s.activation_bytes(2, bytes_per_value=2) * 2
    assert s.parameter_bytes() == 4 * 138_357_544


# -- grouped and depthwise convolutions, batch norm, adaptive pooling: random stacks vs torch ----------
GROUPED = st.tuples(st.just("conv"), st.sampled_from([1, 2, 3, 4, 6]), st.integers(1, 4), st.integers(1, 3),
                    st.integers(0, 2), st.integers(1, 2), st.sampled_from([1, 2, 3]), st.booleans())
BN = st.tuples(st.just("bn"), st.booleans(), st.booleans())
ADAPT = st.tuples(st.just("adapt"), st.integers(1, 4), st.integers(1, 4))
OTHER = st.sampled_from([("relu",), ("dropout",), ("max",)])


def _layer(token, channels):
    kind, *a = token
    if kind == "conv":  # out = groups * multiplier; groups divide the current channels or the spec fails
        mult, k, s, p, d, g, b = a
        return Conv2d(g * mult, k, stride=s, padding=p, dilation=d, groups=g, bias=b)
    if kind == "bn":
        return BatchNorm2d(affine=a[0], track_running_stats=a[1])
    if kind == "adapt":
        return AdaptiveAvgPool2d((a[0], a[1]))
    if kind == "relu":
        return ReLU()
    if kind == "dropout":
        return Dropout(0.3)
    return MaxPool2d(2)


@given(st.lists(st.one_of(GROUPED, BN, ADAPT, OTHER), min_size=1, max_size=5), st.sampled_from([1, 2, 3, 6]),
       st.integers(6, 16))
@settings(max_examples=60)
def test_new_layers_agree_with_torch_layer_by_layer(torch, tokens, channels, size):
    layers = [_layer(t, channels) for t in tokens]
    shape = (channels, size, size)
    modules, shapes, torch_fails_at = torch_run(torch, shape, layers)
    try:
        ours = summarize(shape, layers)
    except ValueError as exc:  # torch must refuse the same layer
        assert str(exc).startswith(f"layer {torch_fails_at} "), (str(exc), torch_fails_at)
        return
    assert torch_fails_at is None
    x = torch.zeros((1, *shape))
    for row, module, out_shape in zip(ours.rows, modules, shapes):
        with torch.no_grad():
            x = module(x)
        assert row.output_shape == out_shape
        assert row.params == sum(p.numel() for p in module.parameters())
        assert row.biases == sum(p.numel() for n, p in module.named_parameters() if n.endswith("bias"))
        assert row.buffers == torch_buffers(module)
        if isinstance(module, torch.nn.Conv2d):  # multiplies: C_in / groups per tap, over every output
            assert row.multiplications == x.numel() * module.weight[0].numel()
            assert row.connections == row.params * math.prod(row.output_shape[1:])


def test_depthwise_separable_block_counts():
    dw = summarize((32, 112, 112), [Conv2d(32, 3, padding=1, groups=32, bias=False), BatchNorm2d(),
                                    Conv2d(64, 1, bias=False)])
    full = summarize((32, 112, 112), [Conv2d(64, 3, padding=1, bias=False)])
    assert [r.params for r in dw.rows] == [288, 64, 2048]
    assert dw.rows[0].weights_per_neuron == 9 and dw.rows[1].buffers == 64
    assert full.total_params == 18432 and dw.total_macs == 112 * 112 * (32 * 9 + 64 * 32)
    assert round(full.total_macs / dw.total_macs, 3) == round(9 * 64 / (9 + 64), 3)


# -- receptive fields against brute force: the gradient support of one output in torch ---------------
def _brute_receptive_field(torch, layers, shape):
    """Positive weights, average pooling for max pooling (so no gradient is dropped): the extent of
    the input pixels with a non-zero gradient of output (0, 0, 0)."""
    nn = torch.nn
    mods = []
    for module in to_torch(torch, shape, layers):
        if isinstance(module, nn.Conv2d):
            nn.init.constant_(module.weight, 1.0)
        if isinstance(module, nn.MaxPool2d):
            module = nn.AvgPool2d(module.kernel_size, module.stride, module.padding)
        mods.append(module)
    x = torch.ones((1, *shape), dtype=torch.float32, requires_grad=True)
    y = nn.Sequential(*mods).double()(x.double())
    y[0, 0, 0, 0].backward()
    rows, cols = torch.nonzero(x.grad[0].abs().sum(0), as_tuple=True)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


WINDOW = st.one_of(
    st.tuples(st.just("conv"), st.integers(1, 4), st.integers(1, 3), st.integers(1, 2)),
    st.tuples(st.just("pool"), st.integers(1, 3), st.integers(1, 3), st.just(1)),
)


@given(st.lists(WINDOW, min_size=1, max_size=5))
@settings(max_examples=40)
def test_receptive_field_equals_gradient_support(torch, spec):
    layers = [Conv2d(2, k, stride=s, dilation=d) if kind == "conv" else MaxPool2d(k, stride=s)
              for kind, k, s, d in spec]
    layers.insert(1, ReLU())
    # large enough that output (0, 0) exists with no padding: its whole field lies inside the input
    rf = summarize((1, 256, 256), layers).receptive_field
    size = rf[0] + 8
    ours = summarize((1, size, size), layers)
    assert ours.receptive_field == rf
    assert _brute_receptive_field(torch, layers, (1, size, size)) == rf


def test_receptive_field_recursion_and_jump_by_hand():
    dqn = summarize((4, 84, 84), [Conv2d(16, 8, stride=4), ReLU(), Conv2d(32, 4, stride=2), ReLU(), Linear(256)])
    assert [(r.receptive_field, r.jump) for r in dqn.rows] == [
        ((8, 8), (4, 4)), ((8, 8), (4, 4)), ((20, 20), (8, 8)), ((20, 20), (8, 8)), (None, None)]
    three = summarize((8, 32, 32), [Conv2d(8, 3, padding=1)] * 3)
    assert three.receptive_field == (7, 7) and three.total_params == 3 * (9 * 64 + 8)
    # global pooling covers the whole map (and beyond, with padding): window = input
    g = summarize((8, 7, 7), [Conv2d(8, 3, padding=1), AdaptiveAvgPool2d(1)])
    assert g.rows[-1].receptive_field == (9, 9) and g.rows[-1].jump == (7, 7)
    uneven = summarize((8, 7, 7), [AdaptiveAvgPool2d(3)])
    assert uneven.rows[0].receptive_field is None and uneven.rows[0].output_shape == (8, 3, 3)


# -- bad arguments name the rule -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Conv2d(6, 3, groups=4), ValueError, "groups must divide out_channels, but 4 does not divide 6"),
        (lambda: summarize((3, 8, 8), [Conv2d(6, 3, groups=2)]), ValueError,
         "groups must divide the input channels, but 2 does not divide 3"),
        (lambda: Conv2d(6, 3, groups=0), ValueError, "groups must be an integer >= 1"),
        (lambda: Dropout(1.5), ValueError, r"Dropout: p is a probability, so it must lie in \[0, 1\]"),
        (lambda: Dropout("a"), TypeError, "Dropout: p must be a real number"),
        (lambda: BatchNorm2d(affine=1), TypeError, "affine must be True or False"),
        (lambda: summarize((10,), [BatchNorm2d()]), ValueError, "BatchNorm2d normalizes the channels"),
        (lambda: summarize((10,), [AdaptiveAvgPool2d(1)]), ValueError, "AdaptiveAvgPool2d needs a"),
        (lambda: AdaptiveAvgPool2d(0), ValueError, "output_size must be an integer >= 1"),
        (lambda: Elementwise(None), TypeError, "name must be a layer name"),
        (lambda: Elementwise(float("nan")), TypeError, "name must be a layer name"),
        (lambda: Conv2d(16, 3).apply(()), ValueError, r"input_shape must be \(channels, height, width\)"),
        (lambda: MaxPool2d(2).apply(""), ValueError, "input_shape must be"),
        (lambda: AvgPool2d(2).apply({}), ValueError, "input_shape must be"),
        (lambda: Flatten().apply([float("nan")]), TypeError, "input_shape features must be an integer"),
        (lambda: Flatten().apply(np.array([float("nan"), 1.0])), ValueError, "input_shape must be"),
        (lambda: summarize((3, 8, 8), None), TypeError, "layers must be a list of layer specs"),
        (lambda: summarize((3, 8, 8), [Conv2d(4, 3)]).with_columns("flops"), ValueError, "unknown column 'flops'"),
        (lambda: summarize((3, 8, 8), []).activation_bytes(batch=0), ValueError, "batch must be an integer >= 1"),
        (lambda: networks_table({"x": 3}), TypeError, "must be a Summary"),
    ],
)
def test_bad_arguments_name_the_rule(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_layer_apply_validates_and_sizes_one_layer():
    assert Conv2d(8, 3).apply((3, 10, 10)).output_shape == (8, 8, 8)
    assert Conv2d(8, 3).apply([3, 10, 10]).params == 8 * 28


@pytest.mark.parametrize(
    "args, kwargs",
    [((10**12, 1), dict(non_overlapping=True)), ((8, 4), dict(max_kernel_size=10**12)),
     ((8, 4), dict(max_stride=10**12)), ((8, 4), dict(max_dilation=10**9))],
)
def test_solve_refuses_unbounded_work_at_once(args, kwargs):
    """reliability D14: these ran for minutes or ran out of memory."""
    with pytest.raises(ValueError, match="solve tries at most 2,000,000"):
        solve(*args, **kwargs)


def test_plots_reject_what_is_not_a_summary():
    pytest.importorskip("matplotlib")
    from nnbook.plots.sizing import layer_bars, network_figure, receptive_field_growth, shape_flow

    for draw in (layer_bars, shape_flow, network_figure):
        with pytest.raises(TypeError, match="must be a Summary from nnbook.sizing.summarize"):
            draw(None)
    with pytest.raises(TypeError, match="non-empty dict"):
        receptive_field_growth({})
    fig = receptive_field_growth({"VGG-16": famous_networks()["VGG-16"]})
    assert "212" in [t.get_text() for t in fig.axes[0].texts]


# -- printed tables fit the page ---------------------------------------------------------------------
def test_printed_tables_fit_90_characters():
    summaries = famous_networks()
    assert networks_table(summaries).width <= 90
    assert networks_table(summaries, batch=256).width <= 90
    assert summaries["LeNet-5"].table().width <= 90
    assert summaries["AlexNet"].with_columns("params", "MACs", "receptive field").table().width <= 90
    cols = ("receptive field", "jump", "MACs", "activation memory")
    assert summaries["VGG-16"].with_columns(*cols).table().width <= 90
    assert summaries["MobileNetV2"].with_columns("params", "MACs").table().width <= 90


def test_every_text_output_of_the_chapter_fits_90_characters():
    nb = json.loads((BOOK / "cnn_sizing.ipynb").read_text())
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            plain = "" if "text/html" in data else "".join(data.get("text/plain", ""))  # the page shows the HTML
            text = "".join(out.get("text", "")) + plain
            if "Figure size" in text or "VBox(" in text or "IPython.core.display" in text:
                continue
            widest = max((len(line) for line in text.splitlines()), default=0)
            assert widest <= 90, (i, widest, text[:200])


def test_mobilenet_v2_is_built_from_its_block_table():
    layers = mobilenet_v2()
    depthwise = [layer for layer in layers if isinstance(layer, Conv2d) and layer.groups > 1]
    assert len(depthwise) == 17 and all(layer.groups == layer.out_channels for layer in depthwise)
    assert len(lenet5()) == 12 and isinstance(alexnet()[13], AdaptiveAvgPool2d)


def test_torch_bridge_reads_the_new_layers_and_names_what_it_cannot(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(6, 12, 3, padding=1, groups=3, bias=False), nn.BatchNorm2d(12), nn.ReLU6(),
                          nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(), nn.Dropout(0.25), nn.Linear(48, 5))
    s = summarize_torch(model, (6, 9, 9))
    assert [r.name for r in s.rows] == ["Conv2d(12, k=3, p=1, g=3, no bias)", "BatchNorm2d()", "ReLU6()",
                                        "AdaptiveAvgPool2d(2)", "Flatten()", "Dropout(p=0.25)", "Linear(5)"]
    assert s.total_params == sum(p.numel() for p in model.parameters())
    assert s.total_buffers == torch_buffers(model) == 24
    with pytest.raises(ValueError, match="output_size None"):
        summarize_torch(nn.Sequential(nn.AdaptiveAvgPool2d((None, 3))), (3, 8, 8))
    with pytest.raises(ValueError, match="padding_mode='reflect' is not supported"):
        summarize_torch(nn.Sequential(nn.Conv2d(3, 3, 3, padding=1, padding_mode="reflect")), (3, 8, 8))
