"""Central finite differences: the calculus-free check of every analytic gradient in the book."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ._validate import as_float_array

__all__ = ["numerical_gradient"]


def numerical_gradient(f: Callable[[np.ndarray], Any], x: Any, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x`` (computed in float64).

    ``(f(x + eps*e_i) - f(x - eps*e_i)) / (2*eps)`` for every entry ``i``: error ``O(eps**2)``
    plus rounding ``O(1e-16 / eps)``, and ``2 * x.size`` calls of ``f`` (keep ``x`` small).
    ``f`` receives one float64 array of ``x``'s shape, changed in place between calls.

    >>> numerical_gradient(lambda v: float(np.sum(v**2)), [1.0, -2.0]).round(6)
    array([ 2., -4.])
    """
    if not callable(f):
        raise TypeError(f"f must be a function of an array returning a number, got {f!r}")
    if isinstance(eps, (bool, np.bool_)) or not isinstance(eps, numbers.Real):
        raise TypeError(f"eps must be a positive number, got {eps!r}")
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    x = np.array(as_float_array("x", x), dtype=np.float64)  # a copy: the caller's array is untouched
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = float(f(x))
        x[i] = old - eps
        down = float(f(x))
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad
