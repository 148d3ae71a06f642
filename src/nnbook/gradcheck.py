"""Central finite differences: the calculus-free check of every analytic gradient in the book.

A difference quotient has two errors pulling in opposite directions: truncation (the Taylor
terms it drops, ``O(h)`` one-sided, ``O(h²)`` central) shrinks with the step ``h``, rounding
(``f`` is known to about 1e-16 relative, divided by ``h``) grows as ``h`` shrinks.
:func:`difference_errors` measures both against a known derivative; the best central step is
near ``1e-16 ** (1/3) ≈ 5e-6``, leaving about 10 correct digits, where automatic
differentiation gives all 16.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import as_float_array

__all__ = ["DifferenceErrors", "difference_errors", "numerical_gradient"]


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
    if not np.all(np.isfinite(x)):
        raise ValueError("x must hold finite numbers (no NaN or infinity)")
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = float(f(x))
        x[i] = old - eps
        down = float(f(x))
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
        if not np.isfinite(grad[i]):
            raise ValueError(f"the difference quotient at index {i} is not finite (f({old:g} ± {eps:g}) = {up:g}, "
                             f"{down:g}): f must be finite near x; try a smaller eps")
    return grad


@dataclass(frozen=True)
class DifferenceErrors:
    """Absolute errors of one-sided and central differences against the exact derivative.

    ``steps`` (h), ``forward`` (|(f(x+h) - f(x))/h - f'(x)|), ``central``
    (|(f(x+h) - f(x-h))/(2h) - f'(x)|), ``best_step`` (the h with the smallest central error).
    """

    x: float
    steps: np.ndarray
    forward: np.ndarray
    central: np.ndarray

    @property
    def best_step(self) -> float:
        return float(self.steps[int(np.argmin(self.central))])

    @property
    def best_error(self) -> float:
        return float(np.min(self.central))


def difference_errors(f: Callable[[float], float], derivative: float, x: float,
                      steps: Sequence[float] | None = None) -> DifferenceErrors:
    """Measure finite-difference errors against the exact ``derivative`` of a scalar ``f`` at ``x``.

    ``steps`` defaults to 29 steps from 1e-14 to 1 (half decades). Errors of exactly 0 are
    reported as 1e-17 so that a log-scale plot can show them.

    >>> import math
    >>> e = difference_errors(math.sin, math.cos(1.0), 1.0)
    >>> 1e-7 <= e.best_step <= 1e-4 and e.best_error < 1e-9
    True
    """
    if not callable(f):
        raise TypeError(f"f must be a function of one number, got {f!r}")
    for name, value in (("derivative", derivative), ("x", x)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {value!r}")
        if not np.isfinite(float(value)):
            raise ValueError(f"{name} must be finite, got {value!r}")
    h = np.logspace(-14, 0, 29) if steps is None else as_float_array("steps", steps, ndim=1).astype(np.float64)
    if not np.all(np.isfinite(h) & (h > 0)) or h.size > 1000:
        raise ValueError("steps must be at most 1000 positive finite numbers")
    x, d = float(x), float(derivative)
    f0 = float(f(x))
    forward, central = np.empty_like(h), np.empty_like(h)
    for k, step in enumerate(h):
        up, down = float(f(x + step)), float(f(x - step))
        forward[k] = abs((up - f0) / step - d)
        central[k] = abs((up - down) / (2 * step) - d)
    if not (np.all(np.isfinite(forward)) and np.all(np.isfinite(central))):
        raise ValueError("f is not finite at every x ± h; choose smaller steps")
    return DifferenceErrors(x, h, np.maximum(forward, 1e-17), np.maximum(central, 1e-17))
