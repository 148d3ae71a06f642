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
