"""nnbook.sizing: the seeds' numbers, PyTorch as the oracle, the solver against brute force."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from nnbook.conv import output_size
from nnbook.sizing import (
    AvgPool2d,
    Config,
    Conv2d,
    Elementwise,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU,
    solve,
    summarize,
    summarize_torch,
)

DQN = [Conv2d(16, 8, stride=4), ReLU(), Conv2d(32, 4, stride=2), ReLU(), Linear(256), ReLU(), Linear(18)]


# -- the seeds' problems ------------------------------------------------------------------------
def test_atari_dqn_table_matches_the_hand_derivation():
    s = summarize((4, 84, 84), [layer for layer in DQN if not isinstance(layer, ReLU)])
    table = [(r.weights_per_neuron, r.output_shape, r.neurons, r.connections, r.params) for r in s.rows]
    assert table == [
        (257, (16, 20, 20), 6400, 1644800, 4112),
        (257, (32, 9, 9), 2592, 666144, 8224),
        (2593, (256,), 256, 663808, 663808),
        (257, (18,), 18, 4626, 4626),
    ]
    assert s.total_params == 4112 + 8224 + 663808 + 4626


def test_activations_change_no_count():
    with_relu = summarize((4, 84, 84), DQN)
    without = summarize((4, 84, 84), [layer for layer in DQN if not isinstance(layer, ReLU)])
    assert with_relu.total_params == without.total_params
    assert with_relu.total_multiplications == without.total_multiplications
    assert with_relu.total_connections == without.total_connections
    relu_rows = [r for r in with_relu.rows if r.name == "ReLU()"]
    assert all(r.neurons == r.params == r.connections == r.multiplications == 0 for r in relu_rows)


def test_rgb_network_with_non_overlapping_pooling():
    s = summarize((3, 256, 256), [Conv2d(64, 8, stride=2), MaxPool2d(5), Conv2d(128, 4, stride=1, padding=1)])
    assert [r.output_shape for r in s.rows] == [(64, 125, 125), (64, 25, 25), (128, 24, 24)]
    assert math.prod(s.output_shape) == 73728
    last = s.rows[-1]
    assert (last.params, last.params_without_biases, last.biases) == (131200, 131072, 128)
    pool = s.rows[1]
    assert pool.params == pool.weights_per_neuron == pool.connections == pool.multiplications == 0
    no_bias = summarize((64, 25, 25), [Conv2d(128, 4, padding=1, bias=False)])
    assert no_bias.total_params == 131072


def test_configuration_table_has_every_solution():
    assert solve(64, 32, kernel_size=8, dilation=1) == [Config(8, 2, 3, 1)]
    assert solve(32, 8, padding=0, dilation=1, non_overlapping=True) == [Config(4, 4, 0, 1)]
    assert output_size(32, 8, stride=4) == 7
    assert solve(8, 4, padding=0, dilation=1) == [Config(1, 2, 0, 1), Config(2, 2, 0, 1), Config(5, 1, 0, 1)]
    assert solve(8, 4, padding=2, dilation=2) == [
        Config(1, 3, 2, 2), Config(2, 3, 2, 2), Config(3, 2, 2, 2), Config(5, 1, 2, 2)
    ]
    assert solve(8, 4, padding=1, dilation=1) == [
        Config(1, 3, 1, 1), Config(3, 2, 1, 1), Config(4, 2, 1, 1), Config(7, 1, 1, 1)
    ]
    wide = solve(64, 32, dilation=7, stride=2, max_kernel_size=4)
    assert wide == [Config(1, 2, 0, 7), Config(2, 2, 3, 7), Config(3, 2, 7, 7), Config(4, 2, 10, 7)]


def test_receptive_field_of_factorized_convolutions():
    one = summarize((192, 28, 28), [Conv2d(64, 5, padding=2)])
    two = summarize((192, 28, 28), [Conv2d(64, 3, padding=1), Conv2d(64, 3, padding=1)])
    assert one.rows[-1].receptive_field == two.rows[-1].receptive_field == (5, 5)
    assert one.output_shape == two.output_shape == (64, 28, 28)
    assert (one.total_params, two.total_params) == (307264, 147584)
    assert (one.total_multiplications, two.total_multiplications) == (240844800, 115605504)


# -- receptive fields against an independent index-set propagation -------------------------------
def _rf_by_index_sets(layers: list[tuple[int, int]]) -> int:
    """Extent of the input positions that output position 0 depends on (unbounded 1-D line)."""
    deps = {0}
    for span_k, s, d in reversed([(k, s, d) for k, s, d in layers]):
        deps = {i * s + j * d for i in deps for j in range(span_k)}
    return max(deps) - min(deps) + 1


@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3)), min_size=1, max_size=4))
@settings(max_examples=60)
def test_receptive_field_matches_index_sets(spec):
    layers = [Conv2d(1, k, stride=s, dilation=d, padding=d * (k - 1)) for k, s, d in spec]
    s = summarize((1, 8, 8), layers)
    assert s.rows[-1].receptive_field[0] == _rf_by_index_sets(spec)


# -- PyTorch as the oracle ------------------------------------------------------------------------
CONV = st.tuples(st.just("conv"), st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.integers(0, 2),
                 st.integers(1, 2), st.booleans())
MAXP = st.tuples(st.just("max"), st.integers(1, 4), st.one_of(st.none(), st.integers(1, 3)), st.integers(0, 2),
                 st.integers(1, 2))
AVGP = st.tuples(st.just("avg"), st.integers(1, 4), st.one_of(st.none(), st.integers(1, 3)), st.integers(0, 2))
RELU = st.tuples(st.just("relu"))
LIN = st.tuples(st.just("linear"), st.integers(1, 8), st.booleans())
STACKS = st.tuples(
    st.lists(st.one_of(CONV, MAXP, AVGP, RELU), min_size=1, max_size=5),
    st.lists(st.one_of(LIN, RELU, st.tuples(st.just("flatten"))), max_size=3),
)


def _spec(token):
    kind, *a = token
    if kind == "conv":
        c, k, s, p, d, b = a
        return Conv2d(c, k, stride=s, padding=p, dilation=d, bias=b)
    if kind == "max":
        return MaxPool2d(a[0], stride=a[1], padding=a[2], dilation=a[3])
    if kind == "avg":
        return AvgPool2d(a[0], stride=a[1], padding=a[2])
    if kind == "relu":
        return ReLU()
    if kind == "flatten":
        return Flatten()
    return Linear(a[0], bias=a[1])


def _torch_run(torch, tokens, shape):
    """Run the stack in PyTorch layer by layer: (modules, per-layer output shapes, first failing layer)."""
    nn, F = torch.nn, torch.nn.functional
    x = torch.zeros((1, *shape), dtype=torch.float64)
    modules, shapes, mults = [], [], []
    for i, token in enumerate(tokens, start=1):
        kind, *a = token
        try:
            if kind == "conv":
                c, k, s, p, d, b = a
                m = nn.Conv2d(x.shape[1], c, k, stride=s, padding=p, dilation=d, bias=b, dtype=torch.float64)
                # independent multiply count: ones everywhere (padding too), so each output sums its taps
                ones = F.pad(torch.ones_like(x), (p, p, p, p), value=1.0)
                count = F.conv2d(ones, torch.ones_like(m.weight), stride=s, dilation=d).sum()
            elif kind == "max":
                m, count = nn.MaxPool2d(a[0], stride=a[1], padding=a[2], dilation=a[3]), 0
            elif kind == "avg":
                m, count = nn.AvgPool2d(a[0], stride=a[1], padding=a[2]), 0
            elif kind == "relu":
                m, count = nn.ReLU(), 0
            elif kind == "flatten":
                m, count = nn.Flatten(), 0
            else:
                n_in = x[0].numel()
                lin = nn.Linear(n_in, a[0], bias=a[1], dtype=torch.float64)
                m = nn.Sequential(nn.Flatten(), lin) if x.dim() > 2 else lin
                count = (torch.ones(1, n_in, dtype=torch.float64) @ torch.ones(n_in, a[0], dtype=torch.float64)).sum()
            x = m(x)
        except (RuntimeError, ValueError):
            return modules, shapes, mults, i
        modules.append(m)
        shapes.append(tuple(x.shape[1:]))
        mults.append(int(count))
    return modules, shapes, mults, None


def _our_failure(tokens, shape):
    """(summary, None) or (None, index of the first layer we reject: bad spec or input it cannot take)."""
    specs, bad_spec = [], None
    for i, token in enumerate(tokens, start=1):
        try:
            specs.append(_spec(token))
        except ValueError:
            bad_spec = i
            break
    try:
        summary = summarize(shape, specs)
    except ValueError as exc:
        return None, int(re.match(r"layer (\d+) ", str(exc)).group(1))
    return (None, bad_spec) if bad_spec else (summary, None)


@given(STACKS, st.integers(1, 3), st.integers(1, 20), st.integers(1, 20))
@settings(max_examples=80)
def test_random_stacks_agree_with_torch(torch, stack, channels, height, width):
    tokens = stack[0] + stack[1]
    shape = (channels, height, width)
    modules, shapes, mults, torch_fails_at = _torch_run(torch, tokens, shape)
    summary, we_fail_at = _our_failure(tokens, shape)
    assert we_fail_at == torch_fails_at, (we_fail_at, torch_fails_at)
    event("rejected by both" if summary is None else "fits")
    if summary is None:
        return
    for row, module, out_shape, count in zip(summary.rows, modules, shapes, mults):
        assert row.output_shape == out_shape
        assert row.params == sum(p.numel() for p in module.parameters())
        assert row.multiplications == count
        bias = sum(p.numel() for name, p in module.named_parameters() if name.endswith("bias"))
        assert row.biases == bias
        assert row.connections == row.neurons * row.weights_per_neuron
        if row.params:  # torchinfo's mult-adds (weights + biases) x output positions == connections
            positions = math.prod(out_shape[1:]) if len(out_shape) == 3 else 1
            assert row.connections == row.params * positions


@given(STACKS, st.integers(1, 3), st.integers(4, 20))
@settings(max_examples=40)
def test_torch_bridge_gives_the_same_summary(torch, stack, channels, size):
    tokens = stack[0] + stack[1]
    shape = (channels, size, size)
    modules, _, _, fails = _torch_run(torch, tokens, shape)
    assume(fails is None)
    bridged = summarize_torch(torch.nn.Sequential(*modules), shape)
    ours = summarize(shape, [_spec(t) for t in tokens])

    def key(summary):  # a Linear after a (C, H, W) map runs as Flatten + Linear in torch: drop Flatten rows
        return [(r.name, r.output_shape, r.params, r.multiplications, r.connections)
                for r in summary.rows if r.name != "Flatten()"]

    assert key(bridged) == key(ours)
    assert bridged.output_shape == ours.output_shape and bridged.total_params == ours.total_params


def test_torch_bridge_on_the_dqn_and_its_errors(torch):
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(4, 16, 8, stride=4), nn.ReLU(), nn.Conv2d(16, 32, 4, stride=2), nn.ReLU(),
        nn.Flatten(), nn.Linear(2592, 256), nn.ReLU(), nn.Linear(256, 18),
    )
    s = summarize_torch(model, (4, 84, 84))
    assert s.total_params == sum(p.numel() for p in model.parameters()) == 680770
    with pytest.raises(ValueError, match=r"in_channels=4, but its input \(1, 84, 84\) gives 1"):
        summarize_torch(model, (1, 84, 84))
    with pytest.raises(ValueError, match="in_features=2592"):
        summarize_torch(model, (4, 92, 92))
    with pytest.raises(ValueError, match="num_features=3, but its input"):
        summarize_torch(nn.Sequential(nn.BatchNorm2d(3)), (4, 8, 8))
    with pytest.raises(ValueError, match="LSTM.*not supported"):
        summarize_torch(nn.Sequential(nn.LSTM(3, 3)), (3, 8, 8))
    with pytest.raises(ValueError, match="groups must divide the input channels, but 2 does not divide 3"):
        summarize_torch(nn.Sequential(nn.Conv2d(4, 4, 3, groups=2)), (3, 8, 8))
    with pytest.raises(TypeError, match="torch.nn.Module"):
        summarize_torch([nn.ReLU()], (3, 8, 8))
    assert summarize_torch(nn.Sequential(nn.Dropout(), nn.Tanh()), (5,)).rows[1].name == "Tanh()"


# -- the solver against brute force ------------------------------------------------------------------
def brute_force(n, o, k=None, s=None, p=None, d=None, *, mk=11, ms=8, mp=None, md=8, non_overlapping=False,
                pooling=False):
    """Every combination in the documented ranges, each tried with output_size."""
    found = []
    for kk in [k] if k is not None else range(1, mk + 1):
        for dd in [d] if d is not None else range(1, md + 1):
            if d is None and kk == 1 and dd > 1:
                continue
            if non_overlapping and dd != 1:
                continue
            span = dd * (kk - 1) + 1
            strides = [s] if s is not None else range(1, ms + 1)
            if non_overlapping:  # the stride is the kernel size, whatever max_stride says
                strides = [kk] if s in (None, kk) else []
            for ss in strides:
                top = (span - 1 if mp is None else mp) if p is None else p
                for pp in [p] if p is not None else range(0, top + 1):
                    if pooling and pp > kk // 2:
                        continue
                    try:
                        if output_size(n, kk, stride=ss, padding=pp, dilation=dd) == o:
                            found.append(Config(kk, ss, pp, dd))
                    except ValueError:
                        pass
    return sorted(found)


maybe = lambda lo, hi: st.one_of(st.none(), st.integers(lo, hi))  # noqa: E731


@given(st.integers(1, 40), st.integers(1, 20), maybe(1, 6), maybe(1, 4), maybe(0, 4), maybe(1, 3),
       st.integers(1, 7), st.integers(1, 5), maybe(0, 6), st.integers(1, 4), st.booleans(), st.booleans())
@settings(max_examples=150)
def test_solve_equals_brute_force(n, o, k, s, p, d, mk, ms, mp, md, non_overlapping, pooling):
    if non_overlapping:
        d = None if d != 1 else d
        if s is not None and k is not None:
            s = k
    got = solve(n, o, k, s, p, d, max_kernel_size=mk, max_stride=ms, max_padding=mp, max_dilation=md,
                non_overlapping=non_overlapping, pooling=pooling)
    assert got == brute_force(n, o, k, s, p, d, mk=mk, ms=ms, mp=mp, md=md, non_overlapping=non_overlapping,
                              pooling=pooling)


@given(st.integers(1, 64), st.integers(1, 40))
@settings(max_examples=15)  # each brute force tries ~30,000 candidates
def test_solve_with_default_ranges_equals_brute_force(n, o):
    assert solve(n, o) == brute_force(n, o)
    assert solve(n, o, non_overlapping=True, pooling=True) == brute_force(
        n, o, mk=n, non_overlapping=True, pooling=True
    )


def test_solutions_print_one_per_line():
    assert str(solve(8, 4, padding=0, dilation=1)) == "k=1, s=2, p=0, d=1\nk=2, s=2, p=0, d=1\nk=5, s=1, p=0, d=1"
    assert repr(solve(3, 5, padding=0)) == "no solution in the given ranges"


# -- clear errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Conv2d(-3, 3), ValueError, "Conv2d: out_channels must be an integer >= 1, got -3"),
        (lambda: Conv2d(8, 0), ValueError, "Conv2d: kernel_size must be an integer >= 1, got 0"),
        (lambda: Conv2d(8, 3, padding=-1), ValueError, "Conv2d: padding must be an integer >= 0"),
        (lambda: Conv2d(8, (3, 3, 3)), ValueError, "kernel_size must be an int or a pair"),
        (lambda: Conv2d(8, 2.5), TypeError, "Conv2d: kernel_size must be an integer"),
        (lambda: Conv2d(8, 3, bias=1), TypeError, "bias must be True or False"),
        (lambda: Linear(0), ValueError, "Linear: out_features must be an integer >= 1"),
        (lambda: MaxPool2d(3, padding=2), ValueError, "at most kernel_size // 2 = 1"),
        (lambda: AvgPool2d(2, stride=0), ValueError, "AvgPool2d: stride must be an integer >= 1"),
        (lambda: summarize((3, 0, 8), []), ValueError, "input_shape height must be an integer >= 1"),
        (lambda: summarize((3, 8), []), ValueError, r"input_shape must be \(channels, height, width\)"),
        (lambda: summarize((3, 8, 8), Conv2d(4, 3)), TypeError, "a list of layer specs"),
        (lambda: summarize((3, 8, 8), ["relu"]), TypeError, "layer 1 is 'relu'"),
        (lambda: solve(0, 3), ValueError, "input_size must be an integer >= 1"),
        (lambda: solve(8, 4, dilation=2, non_overlapping=True), ValueError, "dilation 1"),
        (lambda: solve(8, 4, kernel_size=2, stride=3, non_overlapping=True), ValueError, "stride == kernel_size"),
        (lambda: solve(8, 4, pooling="yes"), TypeError, "pooling must be True or False"),
    ],
)
def test_bad_specs_give_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_a_layer_that_does_not_fit_is_named_with_the_reason():
    net = [Conv2d(64, 8, stride=2), MaxPool2d(5), Conv2d(128, 30)]
    with pytest.raises(ValueError) as info:
        summarize((3, 256, 256), net)
    text = str(info.value)
    assert text.startswith("layer 3 (Conv2d(128, k=30)) cannot take an input of shape (64, 25, 25)")
    assert "along the height" in text and "does not fit" in text
    with pytest.raises(ValueError, match=r"layer 2 \(MaxPool2d\(k=2\)\).*needs a \(channels, height, width\)"):
        summarize((3, 8, 8), [Linear(10), MaxPool2d(2)])
    with pytest.raises(ValueError, match="along the width"):
        summarize((1, 9, 3), [Conv2d(1, (2, 5))])


# -- rendering ---------------------------------------------------------------------------------------
def test_text_and_html_tables():
    s = summarize((4, 84, 84), DQN)
    text = str(s)
    assert repr(s) == text
    lines = text.splitlines()
    assert lines[0].split() == ["output", "weights", "connec-", "multipli-"]
    assert lines[1].split() == ["layer", "shape", "/neuron", "neurons", "tions", "params", "cations"]
    assert "1 Conv2d(16, k=8, s=4)  16×20×20" in text and "1,644,800" in text
    assert lines[-1].split() == ["total", "9,266", "2,979,378", "680,770", "2,970,112"]
    assert max(len(line) for line in lines) <= 90
    page = s._repr_html_()
    assert "<table" in page and page.endswith("</table></div>") and "680,770" in page
    assert "(16, 20, 20)" in page  # the HTML keeps PyTorch's shape tuples
    assert page.count("<tr>") == 1 + 1 + len(DQN) + 1  # header, input, layers, total
    assert str(summarize((5,), [])).splitlines()[3].split() == ["input", "5"]


def test_layer_names_and_reprs():
    assert repr(Conv2d(3, (3, 5), stride=2, padding=(1, 2), dilation=2, bias=False)) == (
        "Conv2d(3, kernel_size=(3, 5), stride=2, padding=(1, 2), dilation=2, bias=False)"
    )
    assert Conv2d(3, 3, bias=False).label() == "Conv2d(3, k=3, no bias)"
    assert repr(MaxPool2d(2, 1, 1, 2)) == "MaxPool2d(kernel_size=2, stride=1, padding=1, dilation=2)"
    assert AvgPool2d(2).label() == "AvgPool2d(k=2)" and str(Linear(4, bias=False)) == "Linear(4, no bias)"
    assert Elementwise("Tanh").label() == "Tanh()" and repr(Flatten()) == "Flatten()"
    assert MaxPool2d(3)._s == (3, 3) and MaxPool2d(3).label() == MaxPool2d(3, stride=3).label()
