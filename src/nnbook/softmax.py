"""Softmax, log-softmax, cross-entropy and its gradient; sigmoid, Heaviside, ReLU.

The chapter "Softmax and cross-entropy" tells the story; this module computes every number
in it. Conventions follow PyTorch: ``softmax(z, axis=-1)`` normalises the last axis,
``cross_entropy(logits, target)`` takes raw scores (logits) and class *indices* (0-based)
and averages over a batch (``reduction="mean"``).

Everything is computed the numerically stable way (subtract the largest logit before
exponentiating, the log-sum-exp trick), so logits of size 1e4 and ``-inf`` entries give
finite, correct probabilities. :func:`naive_softmax` keeps the textbook formula for the
chapter's demonstration of why that matters.

>>> softmax([1.0, 2.0, 3.0]).round(4)
array([0.09  , 0.2447, 0.6652])
>>> round(cross_entropy([1.0, 2.0, 3.0], 1), 4)
1.4076
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .gradcheck import numerical_gradient
from ._validate import as_float_array, check_finite, check_float, check_int, check_size

__all__ = [
    "softmax",
    "log_softmax",
    "logsumexp",
    "naive_softmax",
    "entropy",
    "one_hot",
    "cross_entropy",
    "cross_entropy_grad",
    "smoothed_targets",
    "kl_divergence",
    "softmax_jacobian",
    "smoothing_optimal_gap",
    "linear_cross_entropy_grad",
    "log_prob_grad",
    "numerical_gradient",
    "anchor_logits",
    "sigmoid",
    "heaviside",
    "relu",
    "relu_derivative",
    "relu_from_heaviside",
    "step_gap",
    "steepness_for_gap",
    "sigmoid_via_tanh",
    "TwoLayerNet",
    "tanh_net_from_sigmoid",
    "CORRECT_IDENTITY",
    "SEED_IDENTITY",
]


MAX_ONE_HOT = 10_000_000  # largest one_hot output (numbers)


# -- input checks ------------------------------------------------------------------------
def _logits(name: str, value: Any) -> np.ndarray:
    arr = as_float_array(name, value)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension (a vector of class scores), got a scalar")
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain NaN")
    if np.isposinf(arr).any():
        raise ValueError(
            f"{name} must not contain +inf (a score of +inf makes exp overflow to inf/inf); "
            "finite values and -inf are allowed"
        )
    return arr


def _axis(axis: Any, ndim: int) -> int:
    axis = check_int("axis", axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for an array with {ndim} dimension(s)")
    return axis % ndim


def _shifted(z: np.ndarray, axis: int, temperature: float) -> np.ndarray:
    """``z / temperature`` minus its maximum along ``axis`` (every entry <= 0, the largest is 0)."""
    top = np.max(z, axis=axis, keepdims=True)
    if np.isneginf(top).any():
        bad = np.argwhere(np.isneginf(np.squeeze(top, axis=axis)))
        where = "" if z.ndim == 1 else f" (first such slice at index {tuple(int(i) for i in bad[0])})"
        raise ValueError(
            "every logit along the softmax axis is -inf, so no class has any probability"
            f"{where}; at least one logit per distribution must be finite"
        )
    if temperature >= 1.0:  # dividing first cannot overflow, and keeps the subtraction exact
        scaled = z / temperature
        with np.errstate(over="ignore"):  # a gap beyond the float range is -inf: probability 0
            return scaled - np.max(scaled, axis=axis, keepdims=True)
    # subtracting first keeps values <= 0, so a small temperature can only push them to -inf
    with np.errstate(over="ignore"):
        return (z - top) / temperature


# -- softmax family ------------------------------------------------------------------------
def softmax(z: Any, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Probabilities ``exp(z_i / T) / sum_j exp(z_j / T)`` along ``axis``, computed stably.

    Parameters
    ----------
    z : array_like
        Logits (raw class scores); finite numbers or ``-inf`` (a class that is impossible).
    axis : int, default -1
        The axis holding the classes (PyTorch's ``dim``).
    temperature : float, default 1.0
        ``T > 0``. Small ``T`` sharpens towards the argmax, large ``T`` flattens towards uniform.

    Returns
    -------
    numpy.ndarray
        Same shape as ``z``; non-negative, summing to 1 along ``axis``.

    Raises
    ------
    ValueError
        For empty input, NaN or ``+inf`` entries, a slice whose logits are all ``-inf``,
        or a temperature that is not positive and finite.

    Examples
    --------
    >>> softmax([1.0, 2.0, 3.0]).round(2)
    array([0.09, 0.24, 0.67])
    >>> softmax([1e4, 0.0, -np.inf])            # no overflow, no NaN
    array([1., 0., 0.])
    >>> softmax([1.0, 2.0, 3.0], temperature=1e6).round(3)
    array([0.333, 0.333, 0.333])
    """
    arr = _logits("z", z)
    axis = _axis(axis, arr.ndim)
    temperature = check_float("temperature", temperature, positive=True)
    e = np.exp(_shifted(arr, axis, temperature))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z: Any, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """``log softmax(z)`` computed as ``z - logsumexp(z)`` (exact even where softmax underflows to 0).

    >>> log_softmax([1.0, 2.0, 3.0]).round(4)
    array([-2.4076, -1.4076, -0.4076])
    >>> log_softmax([0.0, -1e4]).tolist()     # softmax would give log(0) = -inf for the second
    [0.0, -10000.0]
    """
    arr = _logits("z", z)
    axis = _axis(axis, arr.ndim)
    temperature = check_float("temperature", temperature, positive=True)
    s = _shifted(arr, axis, temperature)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


def logsumexp(z: Any, axis: int = -1) -> np.ndarray | float:
    """``log(sum_j exp(z_j))`` along ``axis`` without overflow: ``m + log(sum exp(z - m))``, ``m = max z``.

    >>> round(logsumexp([1000.0, 1000.0]), 6)      # log(2 e^1000) = 1000 + log 2
    1000.693147
    """
    arr = _logits("z", z)
    axis = _axis(axis, arr.ndim)
    top = np.max(arr, axis=axis, keepdims=True)
    _shifted(arr, axis, 1.0)  # raises the clear error for an all -inf slice
    out = np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(arr - top), axis=axis))
    return float(out) if out.ndim == 0 else out


def naive_softmax(z: Any) -> np.ndarray:
    """The textbook formula ``exp(z) / sum(exp(z))`` over the last axis, *without* the max shift.

    Only for showing what goes wrong: ``exp(1000)`` overflows to ``inf`` and ``inf / inf`` is
    NaN. (numpy's overflow warnings are silenced; the NaN speaks for itself.)

    >>> naive_softmax([1000.0, 1001.0]).tolist()
    [nan, nan]
    """
    arr = as_float_array("z", z)
    if not np.isfinite(arr).all():
        raise ValueError("z must contain only finite numbers (the overflow this shows starts from finite logits)")
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(arr)
        return e / np.sum(e, axis=-1, keepdims=True)


def entropy(p: Any, axis: int = -1) -> np.ndarray | float:
    """Shannon entropy ``-sum_i p_i log p_i`` in nats along ``axis`` (with ``0 log 0 = 0``).

    ``0`` for a one-hot distribution, ``log K`` (the maximum) for the uniform one over K classes.

    >>> round(entropy([0.5, 0.5, 0.0]), 6)     # log 2
    0.693147
    """
    arr = as_float_array("p", p)
    if arr.ndim == 0:
        raise ValueError("p must have at least one dimension (a probability vector), got a scalar")
    axis = _axis(axis, arr.ndim)
    if np.isnan(arr).any() or (arr < 0).any():
        raise ValueError("p must contain probabilities (numbers >= 0, no NaN)")
    total = np.sum(arr, axis=axis)
    if not np.allclose(total, 1.0, rtol=0, atol=1e-6):
        raise ValueError(f"p must sum to 1 along axis {axis}, got sums {np.round(total, 6)}")
    logp = np.log(np.where(arr > 0, arr, 1.0))
    out = -np.sum(arr * logp, axis=axis)
    out = np.maximum(out, 0.0)  # a rounding -0.0 would print as "-0.0"
    return float(out) if out.ndim == 0 else out


# -- cross-entropy ----------------------------------------------------------------------------
def _targets(target: Any, batch_shape: tuple[int, ...], k: int) -> np.ndarray:
    if isinstance(target, (bool, np.bool_)):
        raise TypeError(f"target must be a class index (an integer), got {target!r}")
    if isinstance(target, numbers.Integral):
        t = np.asarray(int(target))
    else:
        try:
            t = np.asarray(target)
        except Exception as exc:  # ragged lists
            raise TypeError(f"target must be an integer class index or an array of them: {exc}") from None
        if t.dtype == bool or not np.issubdtype(t.dtype, np.integer):
            raise TypeError(
                f"target must hold integer class indices (0 .. K-1), got dtype {t.dtype}; "
                "use e.g. numpy.array([...], dtype=int)"
            )
    if t.shape != batch_shape:
        want = "a single integer" if batch_shape == () else f"shape {batch_shape} (one class per row)"
        raise ValueError(f"target must be {want}, got shape {t.shape}")
    bad = (t < 0) | (t >= k)
    if bad.any():
        first = int(t[bad].ravel()[0]) if t.ndim else int(t)
        raise ValueError(f"target {first} is out of range: class indices run from 0 to {k - 1} (K = {k} classes)")
    return t.astype(np.intp)


def _ce_inputs(logits: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    z = _logits("logits", logits)
    if z.ndim not in (1, 2):
        raise ValueError(f"logits must have shape (K,) or (N, K), got shape {z.shape}")
    return z, _targets(target, z.shape[:-1], z.shape[-1])


def one_hot(target: Any, num_classes: int) -> np.ndarray:
    """Float one-hot rows: ``one_hot(1, 3) -> [0, 1, 0]``; an array of N indices gives (N, K).

    At most ``MAX_ONE_HOT`` (10 million) numbers are made; beyond that a ``ValueError`` says so.

    >>> one_hot([2, 0], 3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    k = check_int("num_classes", num_classes, minimum=1)
    shape = () if isinstance(target, numbers.Integral) and not isinstance(target, bool) else np.shape(target)
    size = int(np.prod(shape, dtype=np.int64)) * k
    if size > MAX_ONE_HOT:
        raise ValueError(
            f"one_hot would make {size:,} numbers ({int(np.prod(shape, dtype=np.int64)):,} rows of {k:,} classes); "
            f"the bound is {MAX_ONE_HOT:,}: keep the class indices instead"
        )
    t = _targets(target, shape, k)
    out = np.zeros(t.shape + (k,))
    np.put_along_axis(out, t[..., None], 1.0, axis=-1)
    return out


def _label_smoothing(value: Any) -> float:
    value = check_float("label_smoothing", value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"label_smoothing must be between 0 and 1 (the share of the target spread over all classes), got {value}")
    return value


def smoothed_targets(target: Any, num_classes: int, label_smoothing: float = 0.0) -> np.ndarray:
    """The target distribution ``(1 - eps) * one_hot + eps / K`` that label smoothing trains towards.

    >>> smoothed_targets(1, 4, label_smoothing=0.2).tolist()
    [0.05, 0.8500000000000001, 0.05, 0.05]
    """
    eps = _label_smoothing(label_smoothing)
    y = one_hot(target, num_classes)
    return (1.0 - eps) * y + eps / y.shape[-1]


def cross_entropy(logits: Any, target: Any, label_smoothing: float = 0.0) -> float:
    """Cross-entropy ``-log softmax(logits)[target]``, averaged over a batch (PyTorch's default).

    Parameters
    ----------
    logits : array_like, shape (K,) or (N, K)
        Raw class scores (not probabilities).
    target : int or array_like of int, shape () or (N,)
        The correct class index (0-based) of each example.
    label_smoothing : float, default 0.0
        ``eps`` in [0, 1]: train towards ``(1 - eps) * one_hot + eps / K`` instead of the
        one-hot target, i.e. ``L = -sum_i ytilde_i log P_i`` (PyTorch's ``label_smoothing``).

    Returns
    -------
    float
        The loss of the single example, or the mean over the N examples. ``inf`` when the
        correct class has logit ``-inf`` (it is then truly impossible), or when smoothing puts
        weight on such a class.

    Examples
    --------
    >>> round(cross_entropy([1.0, 2.0, 3.0], target=1), 6)     # -log P(class 1)
    1.407606
    >>> round(cross_entropy([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], [1, 0]), 6)
    1.253109
    >>> round(cross_entropy([1.0, 2.0, 3.0], 0, label_smoothing=0.1), 6)
    2.307606
    """
    z, t = _ce_inputs(logits, target)
    eps = _label_smoothing(label_smoothing)
    logp = log_softmax(z, axis=-1)
    picked = np.take_along_axis(logp, t[..., None], axis=-1)[..., 0]
    if eps == 0.0:
        return float(-np.mean(picked))
    with np.errstate(invalid="ignore"):
        uniform = np.mean(logp, axis=-1)  # (1/K) sum_i log P_i
    return float(-np.mean((1.0 - eps) * picked + eps * uniform))


def cross_entropy_grad(logits: Any, target: Any, label_smoothing: float = 0.0) -> np.ndarray:
    """Gradient of :func:`cross_entropy` with respect to the logits: ``(softmax(z) - y) / N``.

    ``y`` is the one-hot target, or with ``label_smoothing=eps`` the smoothed target
    ``(1 - eps) * one_hot + eps / K`` (the derivation of ``P - y`` holds for any target that
    sums to 1); ``N`` is the batch size (1 for a single example), because the batch loss is
    a mean.

    >>> cross_entropy_grad([1.0, 2.0, 3.0], 1).round(4)
    array([ 0.09  , -0.7553,  0.6652])
    >>> cross_entropy_grad([1.0, 2.0, 3.0], 1, label_smoothing=0.3).round(4)
    array([-0.01  , -0.5553,  0.5652])
    """
    z, t = _ce_inputs(logits, target)
    eps = _label_smoothing(label_smoothing)
    grad = softmax(z, axis=-1)
    if eps:
        grad -= eps / z.shape[-1]  # the eps / K every class gets
    # the one-hot part, (1 - eps) at the target, subtracted in place (no dense K-wide target)
    picked = np.take_along_axis(grad, t[..., None], axis=-1) - (1.0 - eps)
    np.put_along_axis(grad, t[..., None], picked, axis=-1)
    return grad / (z.shape[0] if z.ndim == 2 else 1)


def smoothing_optimal_gap(num_classes: int, label_smoothing: float) -> float:
    """The gap (correct logit minus every other one) that minimizes the label-smoothed loss.

    The loss is smallest where ``softmax(z)`` equals the smoothed target, i.e. where the gap is
    ``log((1 - eps + eps / K) / (eps / K))``; without smoothing (``eps = 0``) there is none (the
    loss keeps falling as the gap grows), which is a ``ValueError``.

    >>> round(smoothing_optimal_gap(10, 0.1), 4)
    4.5109
    """
    k = check_size("num_classes", num_classes, minimum=2, maximum=10**9)
    eps = _label_smoothing(label_smoothing)
    if eps == 0.0:
        raise ValueError("with label_smoothing = 0 no finite gap minimizes the loss (it falls as the gap grows "
                         "without bound); give a label_smoothing in (0, 1]")
    return float(np.log((1.0 - eps + eps / k) / (eps / k)))


def kl_divergence(p: Any, q: Any, axis: int = -1) -> np.ndarray | float:
    """``KL(p || q) = sum_i p_i log(p_i / q_i)`` in nats (with ``0 log 0 = 0``; ``inf`` if q_i = 0 < p_i).

    Cross-entropy splits as ``H(p, q) = H(p) + KL(p || q)``: the entropy of the target
    (0 for a one-hot one) plus how far the prediction is from it.

    >>> round(kl_divergence([0.5, 0.5], [0.9, 0.1]), 6)
    0.510826
    """
    pa, qa = as_float_array("p", p), as_float_array("q", q)
    if pa.shape != qa.shape:
        raise ValueError(f"p and q must have the same shape, got {pa.shape} and {qa.shape}")
    entropy(pa, axis=axis)  # validates p as a distribution
    entropy(qa, axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pa > 0, pa * (np.log(np.where(pa > 0, pa, 1.0)) - np.log(qa)), 0.0)
    out = np.maximum(np.sum(terms, axis=axis), 0.0)
    return float(out) if out.ndim == 0 else out


def softmax_jacobian(z: Any, temperature: float = 1.0) -> np.ndarray:
    """The Jacobian ``dP_i / dz_j = P_i (delta_ij - P_j)``, i.e. ``diag(P) - P P^T``.

    ``z`` is one vector of K logits (result ``(K, K)``) or a batch ``(N, K)`` (result
    ``(N, K, K)``, one Jacobian per row). The matrix is symmetric, its rows and columns sum to
    0 (shifting every logit changes nothing), and its rank is K - 1. With a temperature T,
    every entry is divided by T.

    >>> softmax_jacobian([0.0, 0.0]).tolist()
    [[0.25, -0.25], [-0.25, 0.25]]
    """
    arr = _logits("z", z)
    if arr.ndim not in (1, 2):
        raise ValueError(f"z must have shape (K,) or (N, K), got shape {arr.shape}")
    temperature = check_float("temperature", temperature, positive=True)
    p = softmax(arr, axis=-1, temperature=temperature)
    eye = np.eye(p.shape[-1])
    return (p[..., :, None] * eye - p[..., :, None] * p[..., None, :]) / temperature


def linear_cross_entropy_grad(X: Any, W: Any, b: Any, target: Any, label_smoothing: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``(dL/dW, dL/db)`` of softmax regression ``L = cross_entropy(X @ W + b, target)``.

    ``X`` is ``(N, D)`` (one example per row), ``W`` is ``(D, K)`` and ``b`` is ``(K,)``, so the
    logits are ``Z = X W + b`` (the layout of CS231n and d2l; PyTorch's ``nn.Linear`` stores
    ``W.T``). With ``P = softmax(Z)`` and ``Y`` the (possibly smoothed) one-hot targets,

    ``dL/dW = X^T (P - Y) / N`` and ``dL/db = mean over the rows of (P - Y)``.

    >>> X, W, b = np.eye(2), np.zeros((2, 3)), np.zeros(3)
    >>> dW, db = linear_cross_entropy_grad(X, W, b, [0, 2])
    >>> np.round(dW, 4).tolist(), np.round(db, 4).tolist()
    ([[-0.3333, 0.1667, 0.1667], [0.1667, 0.1667, -0.3333]], [-0.1667, 0.3333, -0.1667])
    """
    X = check_finite("X", as_float_array("X", X, ndim=2))
    W = check_finite("W", as_float_array("W", W, ndim=2))
    b = check_finite("b", as_float_array("b", b, ndim=1))
    n, d = X.shape
    if W.shape[0] != d:
        raise ValueError(f"W must have shape (D, K) with D = {d} (the columns of X), got {W.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape (K,) = ({W.shape[1]},), one bias per class, got {b.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        logits = X @ W + b
    if not np.isfinite(logits).all():
        raise ValueError("the logits X @ W + b overflow the floating-point range; rescale X or W")
    delta = cross_entropy_grad(logits, target, label_smoothing)  # (P - Y) / N, shape (N, K)
    return X.T @ delta, delta.sum(axis=0)


def log_prob_grad(z: Any, target: int) -> np.ndarray:
    """``d log P(target) / dz_i = y_i - P_i`` for one vector of logits (minus the cross-entropy gradient).

    >>> log_prob_grad([1.0, 2.0, 3.0], 1).round(2)      # the seed's three-class example
    array([-0.09,  0.76, -0.67])
    """
    z = _logits("z", z)
    if z.ndim != 1:
        raise ValueError(f"z must be one vector of logits, shape (K,), got shape {z.shape}")
    return -cross_entropy_grad(z, target)


def anchor_logits(z: Any, index: int = 0, axis: int = -1) -> np.ndarray:
    """Subtract logit ``index`` from every logit: same softmax, and that entry becomes 0.

    So K classes need only K - 1 free numbers: ``softmax(z) == softmax(anchor_logits(z))``.

    >>> anchor_logits([2.0, -1.0, 0.5]).tolist()
    [0.0, -3.0, -1.5]
    """
    arr = _logits("z", z)
    axis = _axis(axis, arr.ndim)
    k = arr.shape[axis]
    index = check_int("index", index)
    if not -k <= index < k:
        raise ValueError(f"index {index} is out of range for {k} classes")
    ref = np.take(arr, [index % k], axis=axis)
    if not np.isfinite(ref).all():
        raise ValueError("the anchor logit must be finite (subtracting -inf would give NaN)")
    return arr - ref


# -- activations ---------------------------------------------------------------------------------
def sigmoid(x: Any) -> np.ndarray | float:
    """The logistic function ``1 / (1 + exp(-x))``, without overflow for large ``|x|``.

    >>> sigmoid(0.0), sigmoid(-1000.0), sigmoid(1000.0)
    (0.5, 0.0, 1.0)
    """
    arr = as_float_array("x", x)
    if np.isnan(arr).any():
        raise ValueError("x must not contain NaN")
    e = np.exp(-np.abs(arr))  # in (0, 1]: never overflows
    out = np.where(arr >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return float(out) if out.ndim == 0 else out


def heaviside(x: Any) -> np.ndarray | float:
    """The Heaviside step ``H(x)``: 1 for ``x > 0``, 1/2 at ``x = 0``, 0 for ``x < 0`` (the seeds' convention).

    >>> heaviside([-2.0, 0.0, 3.0]).tolist()
    [0.0, 0.5, 1.0]
    """
    arr = as_float_array("x", x)
    if np.isnan(arr).any():
        raise ValueError("x must not contain NaN")
    out = np.heaviside(arr, 0.5)
    return float(out) if out.ndim == 0 else out


def relu(x: Any) -> np.ndarray | float:
    """The rectified linear unit ``g(x) = max(0, x)``.

    >>> relu([-1.5, 0.0, 2.0]).tolist()
    [0.0, 0.0, 2.0]
    """
    arr = check_finite("x", as_float_array("x", x))
    out = np.maximum(arr, 0.0)
    return float(out) if out.ndim == 0 else out


def relu_derivative(x: Any, at_zero: float = 0.0) -> np.ndarray | float:
    """``g'(x)`` of the ReLU: ``H(x)`` for ``x != 0``; at 0 it does not exist, and ``at_zero`` is used.

    The left derivative at 0 is 0 and the right one is 1, so any value in [0, 1] is a
    valid subgradient there. PyTorch uses 0 (the default); ``at_zero=0.5`` gives exactly ``H``.

    >>> relu_derivative([-1.0, 0.0, 2.0]).tolist()
    [0.0, 0.0, 1.0]
    >>> relu_derivative(0.0, at_zero=0.5) == heaviside(0.0)
    True
    """
    arr = check_finite("x", as_float_array("x", x))
    at_zero = check_float("at_zero", at_zero)
    if not 0.0 <= at_zero <= 1.0:
        raise ValueError(f"at_zero must be a subgradient of ReLU at 0, i.e. in [0, 1], got {at_zero}")
    out = np.heaviside(arr, at_zero)
    return float(out) if out.ndim == 0 else out


def relu_from_heaviside(x: Any, how: str = "product", lower: float = -10.0, steps: int = 1000) -> np.ndarray:
    """ReLU rebuilt from the Heaviside step, two ways.

    ``how="product"``: ``g(x) = x H(x)``. ``how="integral"``: ``g(x) = integral of H(t) dt
    from -inf to x``, evaluated numerically with the midpoint rule, ``steps`` intervals on each
    side of 0, starting at ``lower`` (H is 0 below 0, so any ``lower <= min(x, 0)`` already
    gives the whole integral).

    >>> relu_from_heaviside([-1.0, 2.0]).tolist()
    [0.0, 2.0]
    >>> relu_from_heaviside([-1.0, 2.0], how="integral").round(9).tolist()
    [0.0, 2.0]
    """
    arr = check_finite("x", as_float_array("x", x))
    if how == "product":
        return arr * heaviside(arr) + 0.0  # + 0.0 turns -0.0 into 0.0
    if how != "integral":
        raise ValueError(f"how must be 'product' or 'integral', got {how!r}")
    lower = check_float("lower", lower)
    steps = check_size("steps", steps, maximum=10**6)
    if arr.size * steps > 10**7:
        raise ValueError(f"x.size * steps must be at most 10,000,000 (the numerical integral's work), got {arr.size * steps:,}")
    if lower > min(float(arr.min()), 0.0):
        raise ValueError(f"lower must be <= min(x, 0) = {min(float(arr.min()), 0.0)}, got {lower}")
    out = np.empty(arr.shape, dtype=np.float64)
    for i, xi in np.ndenumerate(arr):
        # nodes lower .. min(x, 0) .. x, so that 0 is a node when x > 0
        pieces = [np.linspace(lower, min(xi, 0.0), steps + 1)]
        if xi > 0:
            pieces.append(np.linspace(0.0, xi, steps + 1)[1:])
        t = np.concatenate(pieces)
        out[i] = np.sum(heaviside((t[1:] + t[:-1]) / 2) * np.diff(t))
    return out


def step_gap(k: float, delta: float) -> float:
    """Largest ``|sigmoid(k x) - H(x)|`` over ``|x| >= delta``: ``sigmoid(-k delta)``, which -> 0 as k grows.

    At ``x = 0`` both are exactly 1/2; the worst case away from 0 is at ``|x| = delta``.

    >>> round(step_gap(10.0, 0.5), 6)
    0.006693
    """
    k = check_float("k", k, positive=True)
    delta = check_float("delta", delta, positive=True)
    return float(sigmoid(-k * delta))


def steepness_for_gap(eps: float, delta: float) -> float:
    """Smallest ``k`` with ``|sigmoid(k x) - H(x)| <= eps`` for all ``|x| >= delta``: ``ln(1/eps - 1) / delta``.

    >>> round(steepness_for_gap(0.01, 0.1), 4)
    45.9512
    """
    eps = check_float("eps", eps, positive=True)
    delta = check_float("delta", delta, positive=True)
    if eps >= 0.5:
        raise ValueError(f"eps must be < 1/2 (the gap at |x| = delta is below 1/2 for every k > 0), got {eps}")
    with np.errstate(over="ignore"):
        k = float((np.log1p(-eps) - np.log(eps)) / delta)  # ln(1/eps - 1), without overflow for tiny eps
    if not np.isfinite(k):
        raise ValueError(f"the steepness k = ln(1/eps - 1)/delta is too large to be a floating-point number "
                         f"(eps = {eps:g}, delta = {delta:g})")
    return k


# -- sigmoid networks and tanh networks ------------------------------------------------------------
# sigmoid(u) == scale * tanh(slope * u + shift) + offset, as (scale, slope, shift, offset)
CORRECT_IDENTITY = (0.5, 0.5, 0.0, 0.5)  # sigmoid(u) = (1 + tanh(u / 2)) / 2
SEED_IDENTITY = (0.5, 0.5, 1.0, 0.0)  # the seed's claim sigmoid(u) = tanh(u / 2 + 1) / 2 (wrong)


def _identity(identity: Any) -> tuple[float, float, float, float]:
    if not isinstance(identity, (tuple, list)) or len(identity) != 4:
        raise ValueError(f"identity must be 4 numbers (scale, slope, shift, offset), got {identity!r}")
    names = ("scale", "slope", "shift", "offset")
    return tuple(check_float(f"identity {n}", v, minimum=-1e6, maximum=1e6) for n, v in zip(names, identity))


def sigmoid_via_tanh(u: Any, identity: tuple[float, float, float, float] = CORRECT_IDENTITY) -> np.ndarray:
    """``scale * tanh(slope * u + shift) + offset``: a claimed formula for ``sigmoid(u)``.

    >>> float(abs(sigmoid_via_tanh(1.3) - sigmoid(1.3))) < 1e-15
    True
    >>> round(float(sigmoid_via_tanh(0.0, SEED_IDENTITY)), 4)   # but sigmoid(0) = 0.5
    0.3808
    """
    scale, slope, shift, offset = _identity(identity)
    u = check_finite("u", as_float_array("u", u))
    with np.errstate(over="ignore", invalid="ignore"):
        out = scale * np.tanh(slope * u + shift) + offset
    return check_finite("the result (scale * tanh(slope * u + shift) + offset)", out)


@dataclass(frozen=True)
class TwoLayerNet:
    """``y_k = sum_j w2[k, j] act(sum_i w1[j, i] x_i + b1[j]) + b2[k]``: D inputs, M hidden units, K outputs.

    ``w1`` is (M, D), ``b1`` (M,), ``w2`` (K, M), ``b2`` (K,) (PyTorch's ``Linear`` layout).

    >>> net = TwoLayerNet.random(np.random.default_rng(0), inputs=3, hidden=4, outputs=2)
    >>> net(np.zeros(3), "tanh").shape
    (2,)
    """

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    def __post_init__(self) -> None:
        w1 = as_float_array("w1", self.w1, ndim=2)
        b1 = as_float_array("b1", self.b1, ndim=1)
        w2 = as_float_array("w2", self.w2, ndim=2)
        b2 = as_float_array("b2", self.b2, ndim=1)
        m, k = w1.shape[0], w2.shape[0]
        if b1.shape != (m,) or w2.shape[1] != m or b2.shape != (k,):
            raise ValueError(
                f"inconsistent shapes: w1 {w1.shape} (M, D), b1 {b1.shape} (M,), w2 {w2.shape} (K, M), "
                f"b2 {b2.shape} (K,)"
            )
        for name, arr in (("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)):
            if not np.isfinite(arr).all():
                raise ValueError(f"{name} must be finite")
            object.__setattr__(self, name, arr)

    @classmethod
    def random(cls, rng: np.random.Generator, inputs: int, hidden: int, outputs: int, scale: float = 1.0) -> "TwoLayerNet":
        """A network with standard-normal parameters times ``scale``."""
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        d = check_size("inputs", inputs, maximum=10_000)
        m = check_size("hidden", hidden, maximum=10_000)
        k = check_size("outputs", outputs, maximum=10_000)
        if m * (d + k) > 10**7:
            raise ValueError(f"the network would have {m * (d + k):,} weights; the bound is 10,000,000")
        s = check_float("scale", scale, positive=True, maximum=1e6)
        return cls(s * rng.standard_normal((m, d)), s * rng.standard_normal(m),
                   s * rng.standard_normal((k, m)), s * rng.standard_normal(k))

    def __call__(self, x: Any, activation: str | Callable[[np.ndarray], np.ndarray] = "sigmoid") -> np.ndarray:
        """Outputs for one input (D,) -> (K,) or a batch (N, D) -> (N, K)."""
        act = {"sigmoid": sigmoid, "tanh": np.tanh}.get(activation, activation) if isinstance(activation, str) \
            else activation
        if isinstance(act, str):
            raise ValueError(f"activation must be 'sigmoid', 'tanh' or a function, got {activation!r}")
        x = check_finite("x", as_float_array("x", x, ndim=(1, 2)))
        if x.shape[-1] != self.w1.shape[1]:
            raise ValueError(f"x must have {self.w1.shape[1]} features in its last axis, got shape {x.shape}")
        hidden = np.asarray(act(x @ self.w1.T + self.b1))
        return hidden @ self.w2.T + self.b2


def tanh_net_from_sigmoid(
    net: TwoLayerNet, identity: tuple[float, float, float, float] = CORRECT_IDENTITY
) -> TwoLayerNet:
    """Parameters of a tanh network that computes the same function as the sigmoid network ``net``.

    From ``sigmoid(u) = scale * tanh(slope * u + shift) + offset`` it follows that
    ``w1' = slope * w1``, ``b1' = slope * b1 + shift``, ``w2' = scale * w2`` and
    ``b2' = b2 + offset * (sum of w2 over the hidden units)``. With the correct identity
    ``sigmoid(u) = (1 + tanh(u/2)) / 2``: halve w1, b1 and w2, and add half of each row sum of
    w2 to b2. (Passing a wrong identity gives a network that disagrees: the chapter's check.)

    >>> net = TwoLayerNet.random(np.random.default_rng(1), 2, 3, 1)
    >>> x = np.random.default_rng(2).standard_normal((5, 2))
    >>> bool(np.allclose(net(x, "sigmoid"), tanh_net_from_sigmoid(net)(x, "tanh"), atol=1e-14))
    True
    """
    if not isinstance(net, TwoLayerNet):
        raise TypeError(f"net must be a TwoLayerNet, got {type(net).__name__}")
    scale, slope, shift, offset = _identity(identity)
    return TwoLayerNet(slope * net.w1, slope * net.b1 + shift, scale * net.w2, net.b2 + offset * net.w2.sum(axis=1))
