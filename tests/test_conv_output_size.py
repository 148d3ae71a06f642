"""nnbook.conv.output_size against a brute-force count and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnbook.conv import output_size


def count_positions(n: int, k: int, s: int, p: int, d: int) -> int:
    """Oracle: slide the window along the padded input and count where it fits."""
    padded = n + 2 * p
    span = d * (k - 1) + 1
    return sum(1 for start in range(0, padded, s) if start + span <= padded)


args = st.tuples(
    st.integers(1, 300), st.integers(1, 20), st.integers(1, 10), st.integers(0, 10), st.integers(1, 6)
)


@given(args)
def test_matches_brute_force_count(a):
    n, k, s, p, d = a
    if d * (k - 1) + 1 > n + 2 * p:
        with pytest.raises(ValueError, match="does not fit"):
            output_size(n, k, s, p, d)
    else:
        assert output_size(n, k, s, p, d) == count_positions(n, k, s, p, d) >= 1


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(n=84, kernel_size=8, stride=4), 20),  # DQN layer 1 (Mnih et al. 2013)
        (dict(n=20, kernel_size=4, stride=2), 9),  # DQN layer 2
        (dict(n=256, kernel_size=8, stride=2), 125),
        (dict(n=125, kernel_size=5, stride=5), 25),
        (dict(n=25, kernel_size=4, stride=1, padding=1), 24),
        (dict(n=64, kernel_size=2, stride=2, padding=3, dilation=7), 32),
    ],
)
def test_seed_numbers(kwargs, expected):
    assert output_size(**kwargs) == expected


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n=0, kernel_size=1), ValueError, "n must be an integer >= 1"),
        (dict(n=5, kernel_size=0), ValueError, "kernel_size must be an integer >= 1"),
        (dict(n=5, kernel_size=3, stride=0), ValueError, "stride"),
        (dict(n=5, kernel_size=3, padding=-1), ValueError, "padding must be an integer >= 0"),
        (dict(n=5, kernel_size=3, dilation=0), ValueError, "dilation"),
        (dict(n=5.0, kernel_size=3), TypeError, "n must be an integer"),
        (dict(n=True, kernel_size=3), TypeError, "n must be an integer"),
        (dict(n=5, kernel_size="3"), TypeError, "kernel_size must be an integer"),
        (dict(n=3, kernel_size=3, dilation=2), ValueError, "does not fit"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        output_size(**kwargs)


def test_numpy_integers_accepted():
    assert output_size(np.int64(84), np.int32(8), stride=np.int8(4)) == 20


@given(args)
def test_matches_torch(torch, a):
    n, k, s, p, d = a
    if d * (k - 1) + 1 > n + 2 * p:
        return
    x = torch.zeros(1, 1, n)
    w = torch.zeros(1, 1, k)
    out = torch.nn.functional.conv1d(x, w, stride=s, padding=p, dilation=d)
    assert output_size(n, k, s, p, d) == out.shape[-1]
