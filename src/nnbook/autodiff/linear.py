"""The backward pass of a linear layer at tensor level: the scalar traces, collected into matrices.

A linear layer ``y = W x + b`` (PyTorch's ``torch.nn.functional.linear``: ``y = x Wᵀ + b`` for
a batch of rows) receives ``δ = ∂L/∂y`` from the layer above and returns

    ∂L/∂W = δ xᵀ,    ∂L/∂b = δ,    ∂L/∂x = Wᵀ δ

(for a batch, sums over the rows for W and b). Each entry is one adjoint of the scalar trace of
``L = Σᵢ δᵢ yᵢ``: :func:`linear_backward_by_trace` computes them that way, one reverse sweep,
and gives the same numbers. ``∂L/∂x = Wᵀ δ`` is the recursion the initialization chapter
follows through the layers.

>>> import numpy as np
>>> g = linear_backward(np.array([1.0, 2.0]), np.array([[1.0, 0.0], [3.0, -1.0]]), np.array([0.5, -1.0]))
>>> g.weight.tolist(), g.bias.tolist(), g.input.tolist()
([[0.5, 1.0], [-1.0, -2.0]], [0.5, -1.0], [-2.5, 1.0])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import as_float_array
from .traces import reverse_trace

__all__ = ["LinearGradients", "linear", "linear_backward", "linear_backward_by_trace"]


@dataclass(frozen=True)
class LinearGradients:
    """The three gradients of a linear layer: ``weight`` (out × in), ``bias`` (out,), ``input`` (like x)."""

    weight: np.ndarray
    bias: np.ndarray
    input: np.ndarray


def _finite(name: str, value: Any, ndim: tuple[int, ...]) -> np.ndarray:
    arr = as_float_array(name, value, ndim=ndim).astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold finite numbers (no NaN or infinity)")
    return arr


def _shapes(x: Any, weight: Any, other: Any, other_name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = _finite("x", x, (1, 2))
    w = _finite("weight", weight, (2,))
    if x.shape[-1] != w.shape[1]:
        raise ValueError(f"x has {x.shape[-1]} features but weight {w.shape} expects {w.shape[1]} "
                         "(weight is (out_features, in_features), as in PyTorch)")
    o = _finite(other_name, other, (x.ndim,))
    want = x.shape[:-1] + (w.shape[0],)
    if o.shape != want:
        raise ValueError(f"{other_name} must have shape {want} (x's batch, out_features), got {o.shape}")
    return x, w, o


def linear(x: Any, weight: Any, bias: Any = None) -> np.ndarray:
    """``y = x Wᵀ + b`` for one input (in,) or a batch (N, in), as ``torch.nn.functional.linear``.

    >>> linear([1.0, 2.0], [[1.0, 0.0], [3.0, -1.0]], [0.0, 1.0]).tolist()
    [1.0, 2.0]
    """
    x = _finite("x", x, (1, 2))
    w = _finite("weight", weight, (2,))
    if x.shape[-1] != w.shape[1]:
        raise ValueError(f"x has {x.shape[-1]} features but weight {w.shape} expects {w.shape[1]} "
                         "(weight is (out_features, in_features), as in PyTorch)")
    y = x @ w.T
    if bias is not None:
        b = _finite("bias", bias, (1,))
        if b.shape != (w.shape[0],):
            raise ValueError(f"bias must have shape ({w.shape[0]},) (out_features), got {b.shape}")
        y = y + b
    return y


def linear_backward(x: Any, weight: Any, grad_output: Any) -> LinearGradients:
    """The gradients of a linear layer from ``δ = grad_output``: ``δ xᵀ``, ``δ``, ``Wᵀ δ``.

    ``x`` is (in,) or a batch (N, in), ``weight`` (out, in), ``grad_output`` (out,) or (N, out);
    for a batch the weight and bias gradients sum over the rows.

    >>> g = linear_backward([[1.0, 2.0], [0.0, 1.0]], [[1.0, 1.0]], [[1.0], [2.0]])
    >>> g.weight.tolist(), g.bias.tolist(), g.input.tolist()
    ([[1.0, 4.0]], [3.0], [[1.0, 1.0], [2.0, 2.0]])
    """
    x, w, delta = _shapes(x, weight, grad_output, "grad_output")
    if x.ndim == 1:
        return LinearGradients(np.outer(delta, x), delta.copy(), w.T @ delta)
    return LinearGradients(delta.T @ x, delta.sum(axis=0), delta @ w)


def linear_backward_by_trace(x: Any, weight: Any, grad_output: Any) -> LinearGradients:
    """The same gradients, one scalar at a time: the reverse trace of ``L = Σᵢ δᵢ (Σⱼ Wᵢⱼ xⱼ + bᵢ)``
    with every ``Wᵢⱼ``, ``bᵢ`` and ``xⱼ`` an input of the trace (one input (in,), small layers only).

    >>> g = linear_backward_by_trace([1.0, 2.0], [[1.0, 0.0], [3.0, -1.0]], [0.5, -1.0])
    >>> g.weight.tolist(), g.input.tolist()
    ([[0.5, 1.0], [-1.0, -2.0]], [-2.5, 1.0])
    """
    x, w, delta = _shapes(x, weight, grad_output, "grad_output")
    if x.ndim != 1 or w.size > 400:
        raise ValueError("linear_backward_by_trace traces one input through a small layer (at most 400 weights); "
                         "use linear_backward for batches and larger layers")
    out_f, in_f = w.shape

    def loss(*v: Any) -> Any:
        ws, bs, xs = v[: out_f * in_f], v[out_f * in_f: out_f * in_f + out_f], v[out_f * in_f + out_f:]
        total = 0.0
        for i in range(out_f):
            y = bs[i]
            for j in range(in_f):
                y = y + ws[i * in_f + j] * xs[j]
            total = total + float(delta[i]) * y
        return total

    g = np.array(reverse_trace(loss, *w.ravel(), *np.zeros(out_f), *x).gradient)
    return LinearGradients(g[: w.size].reshape(w.shape), g[w.size: w.size + out_f], g[w.size + out_f:])
