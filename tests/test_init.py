"""Initialization: fans and variances vs torch.nn.init, the simulation vs a float64 reference
and vs PyTorch autograd, the variance recursion measured, clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.init import (
    ACTIVATIONS,
    SCHEMES,
    calculate_gain,
    default_gain,
    dense_block_channels,
    derivative_power,
    fan_in_fan_out,
    init_weights,
    layer_factor,
    simulate,
    weight_variance,
)

weight_shapes = st.one_of(
    st.tuples(st.integers(1, 300), st.integers(1, 300)),
    st.tuples(st.integers(1, 64), st.integers(1, 64), st.integers(1, 7)),
    st.tuples(st.integers(1, 64), st.integers(1, 64), st.integers(1, 7), st.integers(1, 7)),
)


@given(shape=weight_shapes)
def test_fans_by_hand(shape):
    receptive = math.prod(shape[2:])
    assert fan_in_fan_out(shape) == (shape[1] * receptive, shape[0] * receptive)


@given(shape=weight_shapes)
def test_fans_match_torch(torch, shape):
    assert fan_in_fan_out(shape) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_gains_match_torch(torch, name):
    assert calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name), rel=1e-15)


def torch_init(torch, scheme, shape, gain, generator):
    w = torch.empty(shape, dtype=torch.float64)
    nn = torch.nn.init
    if scheme == "zeros":
        return nn.zeros_(w)
    if scheme == "normal":
        return nn.normal_(w, 0.0, gain, generator=generator)
    if scheme == "uniform":
        return nn.uniform_(w, -gain, gain, generator=generator)
    if scheme == "xavier_normal":
        return nn.xavier_normal_(w, gain=gain, generator=generator)
    if scheme == "xavier_uniform":
        return nn.xavier_uniform_(w, gain=gain, generator=generator)
    # kaiming_* with its defaults (a=0, mode="fan_in") has gain sqrt(2 / (1 + a^2)) = sqrt(2);
    # another gain g <= sqrt(2) is the leaky-ReLU slope a = sqrt(2 / g^2 - 1)
    slope = 0.0 if math.isclose(gain, math.sqrt(2)) else math.sqrt(2.0 / gain**2 - 1.0)
    if scheme == "he_normal":
        return nn.kaiming_normal_(w, a=slope, generator=generator)
    if scheme == "he_uniform":
        return nn.kaiming_uniform_(w, a=slope, generator=generator)
    if scheme == "lecun_normal":  # kaiming with the linear gain
        return nn.kaiming_normal_(w, nonlinearity="linear", generator=generator)
    if scheme == "pytorch_default":  # what nn.Linear / nn.Conv2d.reset_parameters do
        return nn.kaiming_uniform_(w, a=math.sqrt(5), generator=generator)
    raise AssertionError(scheme)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("shape", [(400, 300), (64, 32, 3, 3)])
def test_init_statistics_match_torch_nn_init(torch, scheme, shape):
    gain = default_gain(scheme)
    ours = init_weights(scheme, shape, rng=1)
    theirs = torch_init(torch, scheme, shape, gain, torch.Generator().manual_seed(1)).numpy()
    var = weight_variance(scheme, shape)
    if scheme == "zeros":
        assert not ours.any() and not theirs.any()
        return
    n = ours.size
    # the sample variance of n draws has relative sd about sqrt(2/n) (normal) or less (uniform)
    tol = 6 * math.sqrt(2 / n)
    assert ours.var() == pytest.approx(var, rel=tol)
    assert theirs.var() == pytest.approx(var, rel=tol)
    assert abs(ours.mean()) < 6 * math.sqrt(var / n)
    if scheme.endswith("uniform"):
        bound = math.sqrt(3 * var)
        assert np.abs(ours).max() <= bound and np.abs(theirs).max() <= bound
        assert np.abs(ours).max() > 0.99 * bound and np.abs(theirs).max() > 0.99 * bound


@pytest.mark.parametrize("scheme, gain", [("xavier_normal", 5 / 3), ("xavier_uniform", math.sqrt(2)), ("he_normal", 1.0)])
def test_explicit_gain_matches_torch(torch, scheme, gain):
    shape = (300, 200)
    ours = init_weights(scheme, shape, rng=2, gain=gain)
    theirs = torch_init(torch, scheme, shape, gain, torch.Generator().manual_seed(2)).numpy()
    var = weight_variance(scheme, shape, gain=gain)
    assert ours.var() == pytest.approx(var, rel=0.05)
    assert theirs.var() == pytest.approx(var, rel=0.05)


@given(shape=weight_shapes, gain=st.floats(0.1, 3.0))
def test_variance_formulas(shape, gain):
    fi, fo = fan_in_fan_out(shape)
    assert weight_variance("xavier_normal", shape, gain) == pytest.approx(gain**2 * 2 / (fi + fo))
    assert weight_variance("xavier_uniform", shape, gain) == pytest.approx(gain**2 * 2 / (fi + fo))
    assert weight_variance("he_normal", shape) == pytest.approx(2 / fi)
    assert weight_variance("he_uniform", shape, gain) == pytest.approx(gain**2 / fi)
    assert weight_variance("lecun_normal", shape) == pytest.approx(1 / fi)
    assert weight_variance("uniform", shape, gain) == pytest.approx(gain**2 / 3)
    assert weight_variance("normal", shape, gain) == pytest.approx(gain**2)
    assert weight_variance("zeros", shape) == 0


def test_init_weights_is_seeded_and_typed():
    a = init_weights("xavier_uniform", (5, 4), rng=3)
    b = init_weights("xavier_uniform", (5, 4), rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float64
    assert init_weights("he_normal", (5, 4), rng=3, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: fan_in_fan_out((5,)), ValueError, "at least 2 dimensions"),
        (lambda: fan_in_fan_out(7), ValueError, "at least 2 dimensions"),
        (lambda: fan_in_fan_out((3, 0)), ValueError, r"shape\[1\]"),
        (lambda: fan_in_fan_out((3, 2.5)), TypeError, "integer"),
        (lambda: fan_in_fan_out(None), TypeError, "tuple of positive integers"),
        (lambda: init_weights("glorot", (3, 3)), ValueError, "scheme must be one of"),
        (lambda: init_weights("he_normal", (3, 3), gain=-1), ValueError, "gain must be >= 0"),
        (lambda: init_weights("he_normal", (3, 3), dtype=np.int32), ValueError, "float32 or float64"),
        (lambda: init_weights("he_normal", (3, 3), rng=-2), ValueError, "seed"),
        (lambda: calculate_gain("softplus"), ValueError, "nonlinearity must be one of"),
        (lambda: layer_factor("relu", "he_normal", 0), ValueError, "fan_in"),
        (lambda: simulate(depth=0), ValueError, "depth"),
        (lambda: simulate(activation="elu"), ValueError, "activation must be one of"),
        (lambda: simulate(depth=2, width=4, batch_norm=True, batch_size=1), ValueError, "batch of at least 2"),
        (lambda: simulate(depth=2, width=4, residual="yes"), TypeError, "residual must be True or False"),
        (lambda: dense_block_channels(0, 12, 3), ValueError, "k0"),
    ],
)
def test_errors_are_clear(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_small_signal_G_and_layer_factor():
    assert [derivative_power(a) for a in ACTIVATIONS] == [1.0, 0.5, 1.0, 1 / 16]
    assert layer_factor("relu", "he_normal", 300) == pytest.approx(1.0)
    assert layer_factor("relu", "xavier_normal", 300) == pytest.approx(0.5)
    assert layer_factor("tanh", "xavier_normal", 300) == pytest.approx(1.0)
    assert layer_factor("relu", "xavier_normal", 100, 300) == pytest.approx(0.5 * 300 * 2 / 400)
    assert layer_factor("linear", "normal", 64) == pytest.approx(64)


def test_dense_block_channels():
    assert dense_block_channels(16, 12, 3) == [16, 28, 40, 52]


# -- the simulation -------------------------------------------------------------------------


def reference_sweep(depth, width, activation, scheme, gain, batch_norm, residual, batch_size, seed):
    """The same network in float64 with no rescaling: plain forward, plain backward."""
    from nnbook.batchnorm import batchnorm_backward, batchnorm_forward

    rng = np.random.default_rng(seed)
    h0 = rng.standard_normal((batch_size, width), dtype=np.float32).astype(np.float64)
    top = rng.standard_normal((batch_size, width), dtype=np.float32).astype(np.float64)
    ws = [init_weights(scheme, (width, width), rng, gain, dtype=np.float32).astype(np.float64) for _ in range(depth)]
    f = {
        "linear": (lambda z: z, lambda z: np.ones_like(z)),
        "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0),
        "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
        "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    }[activation]
    hs, zs, caches = [h0], [], []
    for l in range(1, depth + 1):
        z = hs[-1] @ ws[l - 1].T
        if batch_norm:
            z, cache = batchnorm_forward(z, np.ones(width), np.zeros(width))
            caches.append(cache)
        zs.append(z)
        a = f[0](z)
        hs.append(a + hs[l - 2] if residual and l % 2 == 0 else a)
    gs = [None] * (depth + 1)
    gs[depth] = top
    extra = {}
    for l in range(depth, 0, -1):
        dz = gs[l] * f[1](zs[l - 1])
        if batch_norm:
            dz = batchnorm_backward(dz, caches[l - 1])[0]
        gs[l - 1] = dz @ ws[l - 1] + extra.pop(l - 1, 0)
        if residual and l % 2 == 0:
            extra[l - 2] = gs[l]
    return np.array([h.std() for h in hs]), np.array([g.std() for g in gs])


@settings(max_examples=30)
@given(
    depth=st.integers(1, 7),
    width=st.integers(2, 24),
    activation=st.sampled_from(ACTIVATIONS),
    scheme=st.sampled_from(SCHEMES[1:]),
    gain=st.one_of(st.none(), st.floats(0.2, 3.0)),
    batch_norm=st.booleans(),
    residual=st.booleans(),
    batch_size=st.integers(4, 12),
    seed=st.integers(0, 1000),
)
def test_simulation_matches_a_plain_float64_sweep(depth, width, activation, scheme, gain, batch_norm, residual, batch_size, seed):
    p = simulate(depth, width, activation, scheme, gain, batch_norm, residual, batch_size, seed)
    act, grad = reference_sweep(depth, width, activation, scheme, gain, batch_norm, residual, batch_size, seed)
    # float32 vs float64; batch norm's backward subtracts nearly equal sums, so allow a bit more
    rtol = 1e-2 if batch_norm else 2e-3
    np.testing.assert_allclose(p.activation_std, act, rtol=rtol, atol=1e-30)
    np.testing.assert_allclose(p.gradient_std, grad, rtol=rtol, atol=1e-30)
    assert len(p.activation_log10) == depth + 1 and np.isnan(p.theory_factor[0])


@pytest.mark.parametrize(
    "activation, batch_norm, residual", [("relu", False, False), ("tanh", True, False), ("relu", True, True), ("sigmoid", False, True)]
)
def test_simulation_gradients_match_torch_autograd(torch, activation, batch_norm, residual):
    depth, width, batch, seed = 6, 16, 10, 4
    p = simulate(depth, width, activation, "xavier_normal", None, batch_norm, residual, batch, seed)
    rng = np.random.default_rng(seed)
    h0 = torch.tensor(rng.standard_normal((batch, width), dtype=np.float32), dtype=torch.float64, requires_grad=True)
    top = torch.tensor(rng.standard_normal((batch, width), dtype=np.float32), dtype=torch.float64)
    ws = [torch.tensor(init_weights("xavier_normal", (width, width), rng, dtype=np.float32), dtype=torch.float64)
          for _ in range(depth)]
    f = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[activation]
    hs = [h0]
    for l in range(1, depth + 1):
        z = hs[-1] @ ws[l - 1].T
        if batch_norm:
            z = torch.nn.functional.batch_norm(z, None, None, training=True, eps=1e-5)
        a = f(z)
        h = a + hs[l - 2] if residual and l % 2 == 0 else a
        h.retain_grad()
        hs.append(h)
    hs[-1].backward(top)
    grads = [h.grad.std(unbiased=False).item() for h in hs]
    acts = [h.detach().std(unbiased=False).item() for h in hs]
    np.testing.assert_allclose(p.gradient_std, grads, rtol=2e-3)
    np.testing.assert_allclose(p.activation_std, acts, rtol=2e-3)


def test_measured_factor_matches_the_recursion_for_plain_networks():
    for activation, scheme, expected in [("relu", "he_normal", 1.0), ("relu", "xavier_normal", 0.5),
                                         ("linear", "lecun_normal", 1.0), ("linear", "normal", 128.0)]:
        p = simulate(depth=12, width=128, activation=activation, scheme=scheme, batch_size=256, seed=1)
        measured = np.median(p.measured_factor[1:])
        assert measured == pytest.approx(expected, rel=0.05), (activation, scheme)
        # the exact per-layer statement: factor = E[f'^2] * n * Var[w]
        assert np.median(p.measured_G[1:]) == pytest.approx(derivative_power(activation), rel=0.05)


def test_extreme_spreads_are_measured_not_overflowed():
    p = simulate(depth=80, width=64, activation="relu", scheme="normal", batch_size=16)
    assert np.all(np.isfinite(p.gradient_std)) and p.gradient_std[0] > 1e50  # far beyond float32's 3e38
    assert np.all(np.isfinite(p.activation_std)) and p.activation_std[-1] > 1e50
    q = simulate(depth=40, width=64, activation="sigmoid", scheme="xavier_normal", batch_size=32)
    assert 0 < q.gradient_std[0] < 1e-20
    # the theory's predicted spread agrees in order of magnitude for plain ReLU
    r = simulate(depth=30, width=128, activation="relu", scheme="xavier_normal", batch_size=64)
    assert abs(math.log10(r.gradient_std[0] / r.predicted_gradient_std[0])) < 0.5


def test_batch_norm_fixes_the_forward_pass_and_residual_connections_keep_gradients():
    bad = simulate(depth=30, width=128, activation="relu", scheme="xavier_normal", batch_size=64, gain=0.5)
    bn = simulate(depth=30, width=128, activation="relu", scheme="xavier_normal", batch_size=64, gain=0.5, batch_norm=True)
    res = simulate(depth=30, width=128, activation="relu", scheme="xavier_normal", batch_size=64, gain=0.5, residual=True)
    assert bad.activation_std[-1] < 1e-10 and bad.gradient_ratio < 1e-10
    assert 0.3 < bn.activation_std[-1] < 1.0
    assert res.gradient_ratio >= 1.0  # the identity path: gradients cannot vanish


def test_zero_init_kills_everything_after_the_first_layer():
    p = simulate(depth=4, width=8, scheme="zeros", batch_size=4)
    assert p.activation_std[0] > 0 and not p.activation_std[1:].any()
    assert p.gradient_std[-1] > 0 and not p.gradient_std[:-1].any()
    assert "layer" in p.table()
