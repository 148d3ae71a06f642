"""The two constants of the variance recursion (forward E[f(z)^2], backward E[f'(z)^2])
against simulate's measurements for every scheme and activation; PyTorch's default layer
init; symmetry breaking; and the reliability bounds of nnbook.init (issue 15)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnbook import init
from nnbook.init import (
    ACTIVATIONS,
    SCHEMES,
    derivative_power,
    forward_power,
    layer_factor,
    pytorch_default_variance,
    simulate,
    symmetry_check,
    weight_variance,
)

WIDTH = 512


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("scheme", SCHEMES[1:])  # zeros has no spread to measure (see below)
def test_layer_factor_both_directions_against_simulate(scheme, activation):
    p = simulate(depth=6, width=WIDTH, activation=activation, scheme=scheme, batch_size=256, seed=1, samples=0)
    q = p.preactivation_std**2
    forward = [p.measured_forward_factor[l] / layer_factor(activation, scheme, WIDTH, direction="forward",
                                                            preactivation_var=q[l - 1]) for l in range(2, 7)]
    backward = [p.measured_factor[l] / layer_factor(activation, scheme, WIDTH, preactivation_var=q[l])
                for l in range(1, 7)]
    # one network of width 512: each measured factor is a sample, within about 20%; their median within 10%
    for ratios in (forward, backward):
        assert abs(math.log(np.median(ratios))) < 0.1, ratios
        assert max(abs(math.log(r)) for r in ratios) < 0.25, ratios


def test_the_sigmoid_counterexample_forward_is_not_the_backward_argument_run_forward():
    p = simulate(depth=10, width=256, activation="sigmoid", scheme="xavier_normal", batch_size=256)
    forward = np.median(p.measured_forward_factor[3:])
    backward = np.median(p.measured_factor[2:])
    assert 0.9 < forward < 1.1  # the pre-activation variance settles at a fixed point
    assert backward == pytest.approx(layer_factor("sigmoid", "xavier_normal", 256), rel=0.15)  # about 1/16
    assert layer_factor("sigmoid", "xavier_normal", 256) == 0.0625  # the default keeps today's backward value
    q = float(p.preactivation_std[-2] ** 2)
    assert layer_factor("sigmoid", "xavier_normal", 256, direction="forward", preactivation_var=q) == pytest.approx(1, rel=0.1)


@given(q=st.floats(1e-3, 1e4), n_in=st.integers(1, 2048), n_out=st.integers(1, 2048))
def test_forward_and_backward_agree_only_for_linear_and_relu(q, n_in, n_out):
    for activation in ("linear", "relu"):
        assert forward_power(activation, q) == derivative_power(activation) == derivative_power(activation, q)
        fwd = layer_factor(activation, "he_normal", n_in, n_out, direction="forward", preactivation_var=q)
        bwd = layer_factor(activation, "he_normal", n_in, n_out)
        # He (fan_in) balances the forward pass; backward the factor is n_out / n_in
        assert fwd == pytest.approx(derivative_power(activation) * 2)
        assert bwd == pytest.approx(derivative_power(activation) * 2 * n_out / n_in)
    if q <= 1:  # sigmoid: E[f^2] >= 1/4 (its mean is 1/2), while E[f'^2] <= 1/16
        assert forward_power("sigmoid", q) >= 0.25 / q > 1 / 16 >= derivative_power("sigmoid", q)


@pytest.mark.parametrize("q", [0.01, 0.5, 1.0, 3.0, 100.0])
def test_constants_against_monte_carlo(q):
    z = np.random.default_rng(0).standard_normal(1_000_000) * math.sqrt(q)
    s = 1 / (1 + np.exp(-z))
    assert forward_power("tanh", q) == pytest.approx(np.mean(np.tanh(z) ** 2) / q, rel=5e-3)
    assert forward_power("sigmoid", q) == pytest.approx(np.mean(s**2) / q, rel=5e-3)
    assert derivative_power("tanh", q) == pytest.approx(np.mean((1 - np.tanh(z) ** 2) ** 2), rel=5e-3)
    assert derivative_power("sigmoid", q) == pytest.approx(np.mean((s * (1 - s)) ** 2), rel=5e-3)


def test_small_signal_limit_of_the_q_dependent_constant():
    for activation in ACTIVATIONS:
        assert derivative_power(activation, 1e-8) == pytest.approx(derivative_power(activation), rel=1e-6)


@pytest.mark.parametrize("fan_in", [3, 64, 784])
def test_pytorch_default_linear_and_conv_init(torch, fan_in):
    torch.manual_seed(0)
    lin = torch.nn.Linear(fan_in, 4000)
    assert lin.weight.detach().double().var().item() == pytest.approx(pytorch_default_variance(fan_in), rel=0.05)
    assert lin.bias.detach().double().var().item() == pytest.approx(1 / (3 * fan_in), rel=0.15)
    assert np.abs(lin.weight.detach().numpy()).max() <= 1 / math.sqrt(fan_in)
    assert weight_variance("pytorch_default", (4000, fan_in)) == pytest.approx(pytorch_default_variance(fan_in))
    conv = torch.nn.Conv2d(fan_in, 64, 3)
    assert conv.weight.detach().double().var().item() == pytest.approx(pytorch_default_variance(fan_in * 9), rel=0.1)
    assert init.default_gain("pytorch_default") == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5)))


def test_pytorch_default_is_a_third_of_lecun_and_a_sixth_of_he():
    shape = (128, 300)
    assert weight_variance("pytorch_default", shape) * 3 == pytest.approx(weight_variance("lecun_normal", shape))
    assert weight_variance("pytorch_default", shape) * 6 == pytest.approx(weight_variance("he_normal", shape))


@pytest.mark.parametrize("scheme", ["zeros", "constant"])
def test_equal_weights_stay_equal(scheme):
    assert symmetry_check(scheme, steps=50) == 0.0


@pytest.mark.parametrize("scheme", ["xavier_normal", "he_uniform", "pytorch_default"])
def test_random_weights_break_the_symmetry(scheme):
    assert symmetry_check(scheme) > 1e-3


def test_zeros_scheme_gives_zero_gradients_below_the_top():
    p = simulate(depth=4, width=16, scheme="zeros", batch_size=8)
    assert np.all(p.gradient_std[:-1] == 0) and np.all(p.activation_std[1:] == 0)


# -- reliability (issue 15) -------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(depth=10**5), "depth must be at most 1,000"),
        (dict(width=10**5), "width must be at most 4,096"),
        (dict(batch_size=10**6), "batch_size must be at most"),
        (dict(samples=10**9), "samples must be at most"),
        (dict(depth=1000, width=4096), "values"),
        (dict(gain=1e308), "gain must be at most"),
        (dict(gain=10**400), "too large"),
    ],
)
def test_simulate_is_bounded(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate(**kwargs)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: init.init_weights("he_normal", (10**5, 10**5)), "at most 50,000,000"),
        (lambda: init.weight_variance("he_normal", (256, 256), gain=1e308), "gain must be at most"),
        (lambda: init.layer_factor("relu", "he_normal", 10**400), "an integer with 401 digits"),
        (lambda: init.layer_factor("relu", "he_normal", 256, gain=10**400), "too large"),
        (lambda: init.layer_factor("relu", "he_normal", 256, direction="sideways"), "direction"),
        (lambda: init.forward_power("tanh", 0.0), "> 0"),
        (lambda: init.derivative_power("tanh", float("nan")), "finite"),
        (lambda: init.fan_in_fan_out((10**10, 3)), "at most"),
    ],
)
def test_bad_arguments_are_plain_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_dtype_garbage_is_a_type_error():
    with pytest.raises(TypeError, match="float32 or float64"):
        init.init_weights("he_normal", (3, 3), dtype="garbage")


def test_plots_refuse_what_is_not_a_simulation():
    from nnbook.plots.init import dense_block_plot, factor_plot, histogram_plot, propagation_figure, spread_plot

    for fn in (histogram_plot, propagation_figure, spread_plot, factor_plot):
        with pytest.raises(TypeError, match="Propagation"):
            fn(None)
    with pytest.raises(ValueError, match="at most 64"):
        dense_block_plot(16, 12, 10**5)
    with pytest.raises(ValueError, match="plain networks"):
        factor_plot(simulate(depth=3, width=8, batch_size=4, batch_norm=True))


def test_constants_stay_accurate_for_tiny_and_huge_variances():
    assert forward_power("tanh", 1e-300) == pytest.approx(1.0)
    assert forward_power("sigmoid", 1e-300) == pytest.approx(0.25 / 1e-300)
    assert forward_power("tanh", 1e300) == pytest.approx(1e-300)
    assert derivative_power("sigmoid", 1e-300) == pytest.approx(1 / 16)
    for q in (0.5, 1.0, 1.0001, 2.0):  # the two quadratures agree where they meet
        assert np.isfinite(forward_power("sigmoid", q)) and np.isfinite(derivative_power("tanh", q))
    assert forward_power("sigmoid", 1.0) == pytest.approx(forward_power("sigmoid", 1.0 + 1e-9), rel=1e-6)
