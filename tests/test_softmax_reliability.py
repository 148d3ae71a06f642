"""Regression tests for the reliability audit (issue 15) in nnbook.softmax: NaN/inf refused
with the argument's name, sizes bounded, huge numbers a ValueError (never OverflowError)."""

from __future__ import annotations

import numpy as np
import pytest

from nnbook import softmax as sm


def test_one_hot_allocates_only_its_rows():
    row = sm.one_hot(3, 10**5)
    assert row.shape == (10**5,) and row.sum() == 1 and row[3] == 1
    assert sm.one_hot([[0, 2]], 3).tolist() == [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]


def test_one_hot_refuses_a_huge_output_with_the_bound():
    with pytest.raises(ValueError, match="10,000,000"):
        sm.one_hot(0, 10**8)
    with pytest.raises(ValueError, match="10,000,000"):
        sm.one_hot(np.zeros(10**4, dtype=int), 10**4)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize(
    "fn", [sm.relu, sm.relu_derivative, sm.relu_from_heaviside, sm.sigmoid_via_tanh], ids=lambda f: f.__name__
)
def test_non_finite_inputs_refused_with_the_argument_named(fn, bad):
    with pytest.raises(ValueError, match=r"^(x|u) must contain only finite numbers"):
        fn(np.array([1.0, bad]))


def test_two_layer_net_refuses_non_finite_inputs_and_huge_sizes():
    net = sm.TwoLayerNet.random(np.random.default_rng(0), 2, 3, 1)
    with pytest.raises(ValueError, match="x must contain only finite"):
        net([np.nan, 1.0])
    with pytest.raises(ValueError, match="at most"):
        sm.TwoLayerNet.random(np.random.default_rng(0), 10**12, 3, 1)
    with pytest.raises(TypeError, match="Generator"):
        sm.TwoLayerNet.random(0, 2, 3, 1)


@pytest.mark.parametrize(
    "call",
    [
        lambda: sm.softmax([1.0, 2.0], temperature=10**400),
        lambda: sm.log_softmax([1.0, 2.0], temperature=10**400),
        lambda: sm.step_gap(10**400, 0.1),
        lambda: sm.steepness_for_gap(0.01, 10**400),
        lambda: sm.relu_derivative(0.0, at_zero=10**400),
        lambda: sm.sigmoid_via_tanh(1.0, identity=(10**400, 1, 0, 0)),
    ],
)
def test_huge_numbers_are_a_plain_value_error(call):
    with pytest.raises(ValueError, match="too large (for a float|to be a floating-point number)"):
        call()


def test_identity_must_be_four_numbers():
    for identity in [(1, 2), (1, 2, 3, 4, 5)]:
        with pytest.raises(ValueError, match="4 numbers"):
            sm.sigmoid_via_tanh(1.0, identity=identity)


def test_numerical_integral_work_is_bounded():
    with pytest.raises(ValueError, match="at most"):
        sm.relu_from_heaviside([1.0], how="integral", steps=10**9)


def test_probability_bars_are_bounded():
    from nnbook.plots.softmax import ProbabilityBars

    with pytest.raises(ValueError, match="at most 64"):
        ProbabilityBars(10**5)
    with pytest.raises(TypeError):
        ProbabilityBars("3")


def test_steepness_for_tiny_eps_is_finite_and_an_impossible_one_is_a_value_error():
    assert sm.steepness_for_gap(1e-320, 0.1) == pytest.approx(-np.log(1e-320) / 0.1)
    with pytest.raises(ValueError, match="too large"):
        sm.steepness_for_gap(0.1, 1e-320)


def test_huge_logit_gaps_give_zero_probability_without_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sm.softmax([1e308, -1e308]).tolist() == [1.0, 0.0]
