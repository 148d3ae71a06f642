"""nnbook.gradcheck.numerical_gradient: the one finite-difference checker the chapters share."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnbook import batchnorm, conv, softmax
from nnbook.gradcheck import numerical_gradient


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=st.floats(-3, 3)))
def test_matches_the_analytic_gradient_of_a_smooth_function(x):
    f = lambda v: float(np.sum(np.sin(v) * v))  # noqa: E731
    expected = np.cos(x) * x + np.sin(x)
    np.testing.assert_allclose(numerical_gradient(f, x), expected, atol=1e-8)


def test_leaves_the_callers_array_alone_and_returns_float64():
    x = np.array([1.0, 2.0], dtype=np.float32)
    g = numerical_gradient(lambda v: float(v @ v), x)
    assert g.dtype == np.float64 and x.tolist() == [1.0, 2.0]


def test_chapters_share_the_one_implementation():
    assert softmax.numerical_gradient is conv.numerical_gradient is numerical_gradient
    assert batchnorm.numerical_gradient is numerical_gradient


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(f=3, x=[1.0]), TypeError, "f must be a function"),
        (dict(f=np.sum, x=[1.0], eps=0), ValueError, "eps must be a positive number"),
        (dict(f=np.sum, x=[1.0], eps=float("inf")), ValueError, "eps must be a positive number"),
        (dict(f=np.sum, x=[1.0], eps="1e-6"), TypeError, "eps must be a positive number"),
        (dict(f=np.sum, x=[]), ValueError, "must not be empty"),
    ],
)
def test_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        numerical_gradient(**kwargs)


# ------------------------------------------------------------------ the error curve against the step
def test_difference_error_curve_truncation_then_rounding():
    import math

    from nnbook.gradcheck import difference_errors

    e = difference_errors(math.exp, math.exp(1.0), 1.0)
    h, c, f = e.steps, e.central, e.forward
    big = (h >= 1e-3) & (h <= 1e-1)  # truncation: central ~ h²/6 f''', one-sided ~ h/2 f''
    slope_c = np.polyfit(np.log10(h[big]), np.log10(c[big]), 1)[0]
    slope_f = np.polyfit(np.log10(h[big]), np.log10(f[big]), 1)[0]
    assert slope_c == pytest.approx(2, abs=0.1) and slope_f == pytest.approx(1, abs=0.1)
    small = h <= 1e-11  # rounding: error grows like 1/h
    assert np.polyfit(np.log10(h[small]), np.log10(c[small]), 1)[0] < -0.5
    assert 1e-7 <= e.best_step <= 1e-4 and e.best_error < 1e-9
    assert np.min(f) > e.best_error  # central beats one-sided at its best step


def test_difference_errors_and_numerical_gradient_refuse_bad_input():
    import math

    from nnbook.gradcheck import difference_errors

    with pytest.raises(TypeError, match="function"):
        difference_errors(3, 1.0, 1.0)
    with pytest.raises(ValueError, match="finite"):
        difference_errors(math.sin, math.nan, 1.0)
    with pytest.raises(ValueError, match="positive"):
        difference_errors(math.sin, 1.0, 1.0, steps=[0.1, -1.0])
    with pytest.raises(ValueError, match="finite"):
        numerical_gradient(lambda v: float(v @ v), [np.inf, 1.0])
    with pytest.raises(ValueError, match="not finite"), np.errstate(over="ignore"):
        numerical_gradient(lambda v: float(np.exp(v[0])), [1.0], eps=1e308)
