"""What a full gradient costs in forward and reverse mode: counted, and timed on a neuron."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import check_int
from .tracer import log, sigmoid, sin  # noqa: F401 - log and sin are used in the doctests
from .traces import Trace, reverse_trace, trace  # noqa: F401 - reverse_trace and trace: doctests

__all__ = ["GradientCost", "gradient_cost", "neuron", "time_sweeps"]

MAX_NEURON_INPUTS = 10_000
MAX_REPEAT = 1000


@dataclass(frozen=True)
class GradientCost:
    """What a full gradient costs in each mode, counted in local-partial multiplications.

    Forward mode needs one sweep per input (each multiplies every edge's local partial once);
    reverse mode needs one sweep per output, here one.
    """

    inputs: int
    steps: int
    edges: int

    @property
    def forward_sweeps(self) -> int:
        return self.inputs

    @property
    def forward_multiplications(self) -> int:
        return self.inputs * self.edges

    @property
    def reverse_sweeps(self) -> int:
        return 1

    @property
    def reverse_multiplications(self) -> int:
        return self.edges

    @property
    def ratio(self) -> float:
        return self.forward_multiplications / max(self.reverse_multiplications, 1)


def gradient_cost(f: Callable[..., Any], *inputs: float) -> GradientCost:
    """Count the work of the full gradient of ``f`` at ``inputs`` in forward and reverse mode.

    >>> c = gradient_cost(lambda x1, x2: log(x1) + x1 * x2 - sin(x2), 2, 5)
    >>> c.forward_multiplications, c.reverse_multiplications
    (16, 8)
    """
    t = Trace(f, inputs)
    return GradientCost(t.n, len(t), t.edges)


def neuron(n: int, seed: int = 0) -> tuple[Callable[..., Any], tuple[float, ...]]:
    """A sigmoid neuron with ``n`` weights and squared-error loss on one fixed example.

    Returns ``(loss, weights)``: ``loss(w1, ..., wn) = (σ(w1 x1 + ... + wn xn) - 1)^2`` for fixed
    inputs x drawn from ``seed``, and a starting point for the weights. Used to measure how the
    cost of a gradient grows with the number of inputs.

    >>> loss, w = neuron(3)
    >>> len(w), len(reverse_trace(loss, *w).gradient)
    (3, 3)
    """
    n = check_int("n", n, minimum=1)
    if n > MAX_NEURON_INPUTS:
        raise ValueError(f"n must be at most {MAX_NEURON_INPUTS} (a traced neuron with n weights has 3n + 1 steps), got {n}")
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    x = tuple(float(v) for v in np.round(rng.uniform(-1, 1, n), 2))
    w0 = tuple(float(v) for v in np.round(rng.uniform(-1, 1, n), 2))

    def loss(*w: Any) -> Any:
        z = w[0] * x[0]
        for wi, xi in zip(w[1:], x[1:]):
            z = z + wi * xi
        return (sigmoid(z) - 1) ** 2

    return loss, w0


def time_sweeps(t: Trace, repeat: int = 5) -> tuple[float, float]:
    """Best-of-``repeat`` seconds for a full gradient of ``t``: n tangent sweeps, one adjoint sweep.

    >>> loss, w = neuron(8)
    >>> forward, reverse = time_sweeps(trace(loss, *w))
    >>> forward > reverse > 0
    True
    """
    import time

    if not isinstance(t, Trace):
        raise TypeError(f"t must be a Trace (from trace(f, *inputs)), got {type(t).__name__}")
    repeat = check_int("repeat", repeat, minimum=1)
    if repeat > MAX_REPEAT:
        raise ValueError(f"repeat must be at most {MAX_REPEAT}, got {repeat}")
    def best(work: Callable[[], Any]) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        return min(times)

    forward = best(lambda: [t.tangent_sweep(k) for k in range(t.n)])
    reverse = best(t.adjoint_sweep)
    return forward, reverse
