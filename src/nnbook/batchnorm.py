"""Batch normalization from scratch: forward, backward, and a layer with running statistics.

The conventions are PyTorch's: features on axis 1 (``(N, D)``, ``(N, C, L)`` or
``(N, C, H, W)``), statistics per feature/channel over every other axis, ``eps=1e-5`` added
to the variance inside the square root, the *biased* batch variance for normalizing, and the
*unbiased* one for the running variance, updated with ``momentum=0.1``:

    running = (1 - momentum) * running + momentum * batch_statistic

>>> import numpy as np
>>> y, cache = batchnorm_forward(np.array([[1.0], [3.0]]), gamma=[1.0], beta=[0.0])
>>> np.round(y.ravel(), 4).tolist()
[-1.0, 1.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .gradcheck import numerical_gradient
from ._validate import as_float_array, check_finite, check_float, check_int, check_size

__all__ = [
    "BatchNormCache",
    "batchnorm_forward",
    "batchnorm_backward",
    "finite_difference_gradients",
    "BatchNorm",
    "NormCache",
    "layer_norm_forward",
    "layer_norm_backward",
    "group_norm_forward",
    "group_norm_backward",
    "normalized_axes",
    "parameter_counts",
]

MAX_FEATURES = 1_000_000  # BatchNorm(num_features) above this is refused


def _standardize(x: np.ndarray, axes: tuple[int, ...], eps: float):
    """``(x_hat, mean, var, inv_std)`` with statistics over ``axes`` (kept as size-1 dims).

    Large inputs are first divided by a power of two ``s`` near their largest magnitude (an
    exact operation), so the mean and variance of values near 1e308 neither overflow nor turn
    into NaN; for ``|x| < 2`` nothing changes. ``var`` may still be ``inf`` when the true
    variance exceeds the float range (x_hat and ``inv_std`` stay right).
    """
    amax = np.max(np.abs(x), axis=axes, keepdims=True)
    big = amax >= 2
    s = np.where(big, np.exp2(np.floor(np.log2(np.where(big, amax, 1.0)))), 1.0).astype(x.dtype)
    u = x / s
    mean_u = u.mean(axis=axes, keepdims=True)
    centred = u - mean_u
    var_u = np.mean(centred * centred, axis=axes, keepdims=True)
    with np.errstate(under="ignore", over="ignore"):
        denom = np.sqrt(var_u + eps / s / s)
        zero = denom == 0  # constant values far above sqrt(eps): x_hat is 0
        inv_u = 1.0 / np.where(zero, 1.0, denom)
        x_hat = np.where(zero, 0.0, centred * inv_u).astype(x.dtype, copy=False)
        inv_std = np.where(zero, 1.0 / np.sqrt(eps), inv_u / s).astype(x.dtype, copy=False)
        mean = mean_u * s
        var = var_u * s * s
    return x_hat, mean, var, inv_std


@dataclass(frozen=True)
class BatchNormCache:
    """What :func:`batchnorm_backward` needs from the forward pass."""

    x_hat: np.ndarray  # normalized input, same shape as x
    inv_std: np.ndarray  # 1 / sqrt(var + eps), one per feature
    gamma: np.ndarray  # scale, one per feature
    axes: tuple[int, ...]  # the axes the statistics are taken over
    mean: np.ndarray  # batch mean, one per feature
    var: np.ndarray  # biased batch variance, one per feature
    count: int  # values per feature that the statistics use


def _reduce_axes(x: np.ndarray) -> tuple[int, ...]:
    return (0,) + tuple(range(2, x.ndim))


def _check_input(x: Any, name: str = "x", ndim: Any = (2, 3, 4)) -> np.ndarray:
    return check_finite(name, as_float_array(name, x, ndim=ndim))


def _check_param(name: str, value: Any, features: int, dtype: np.dtype) -> np.ndarray:
    arr = check_finite(name, as_float_array(name, value, ndim=1))
    if arr.shape != (features,):
        raise ValueError(
            f"{name} must have shape ({features},), one value per feature/channel (axis 1 of x), got {arr.shape}"
        )
    return arr.astype(dtype, copy=False)


def _check_eps(eps: Any) -> float:
    eps = check_float("eps", eps)
    if not eps > 0:
        raise ValueError(f"eps must be > 0 (it keeps the division finite when a feature is constant), got {eps}")
    return eps


def _affine(name: str, x_hat: np.ndarray, weight: Any, bias: Any) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        y = x_hat if weight is None else weight * x_hat
        y = y if bias is None else y + bias
    if not np.isfinite(y).all():
        raise ValueError(f"the output {name} overflows the floating-point range: the scale (gamma/weight) is too large")
    return y


def _shape_for(x: np.ndarray) -> tuple[int, ...]:
    """Shape that broadcasts a per-feature vector against x (features on axis 1)."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def batchnorm_forward(x: Any, gamma: Any, beta: Any, eps: float = 1e-5) -> tuple[np.ndarray, BatchNormCache]:
    """Normalize ``x`` with its batch statistics, then scale by ``gamma`` and shift by ``beta``.

    ``x`` is ``(N, D)`` (one statistic per feature, over the batch), ``(N, C, L)`` or
    ``(N, C, H, W)`` (one per channel, over the batch and every position). With
    ``mu`` and ``var`` the batch mean and *biased* variance,

    ``y = gamma * (x - mu) / sqrt(var + eps) + beta``.

    Returns ``(y, cache)``; pass ``cache`` to :func:`batchnorm_backward`.

    >>> y, _ = batchnorm_forward([[0.0, 1.0], [2.0, 5.0]], gamma=[1.0, 2.0], beta=[0.0, 1.0])
    >>> np.round(y, 4).tolist()
    [[-1.0, -1.0], [1.0, 3.0]]
    """
    x = _check_input(x)
    eps = _check_eps(eps)
    features = x.shape[1]
    gamma = _check_param("gamma", gamma, features, x.dtype)
    beta = _check_param("beta", beta, features, x.dtype)
    axes = _reduce_axes(x)
    count = x.size // features
    if count < 2:
        raise ValueError(
            f"batch statistics need more than one value per feature/channel, got input shape {x.shape} "
            "(a batch of one has variance 0: use evaluation mode, i.e. the running statistics)"
        )
    x_hat, mean, var, inv_std = _standardize(x, axes, eps)
    y = _affine("y", x_hat, gamma.reshape(_shape_for(x)), beta.reshape(_shape_for(x)))
    flat = lambda a: a.reshape(features)  # noqa: E731
    return y, BatchNormCache(x_hat, flat(inv_std), gamma, axes, flat(mean), flat(var), count)


def batchnorm_backward(dy: Any, cache: BatchNormCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the loss with respect to ``x``, ``gamma`` and ``beta``, given ``dL/dy``.

    With ``m`` values per feature and ``g = gamma * dy`` (the gradient reaching ``x_hat``),

    ``dx = inv_std / m * (m * g - sum(g) - x_hat * sum(g * x_hat))``,
    ``dgamma = sum(dy * x_hat)``, ``dbeta = sum(dy)`` (sums over the batch and positions).

    >>> x = np.array([[1.0], [2.0], [4.0]])
    >>> y, cache = batchnorm_forward(x, [1.0], [0.0])
    >>> dx, dgamma, dbeta = batchnorm_backward(np.ones_like(x), cache)
    >>> np.allclose(dx, 0), dbeta.tolist()
    (True, [3.0])
    """
    if not isinstance(cache, BatchNormCache):
        raise TypeError(f"cache must be the BatchNormCache returned by batchnorm_forward, got {type(cache).__name__}")
    dy = check_finite("dy", as_float_array("dy", dy, ndim=(2, 3, 4)))
    if dy.shape != cache.x_hat.shape:
        raise ValueError(f"dy must have the shape of the forward input {cache.x_hat.shape}, got {dy.shape}")
    shape = _shape_for(dy)
    axes, m, x_hat = cache.axes, cache.count, cache.x_hat
    dbeta = dy.sum(axis=axes)
    dgamma = np.sum(dy * x_hat, axis=axes)
    g = dy * cache.gamma.reshape(shape)
    sum_g = g.sum(axis=axes).reshape(shape)
    sum_gx = np.sum(g * x_hat, axis=axes).reshape(shape)
    dx = (cache.inv_std.reshape(shape) / m) * (m * g - sum_g - x_hat * sum_gx)
    return dx, dgamma, dbeta


def finite_difference_gradients(
    x: Any, gamma: Any, beta: Any, dy: Any, eps: float = 1e-5, h: float = 1e-6
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Central finite differences of ``L = sum(dy * batchnorm_forward(x, gamma, beta, eps)[0])``.

    An independent check of :func:`batchnorm_backward`: each input is nudged by ``+-h`` and
    the change of the loss measured, with no calculus at all (``2 * size`` forward passes,
    so keep the arrays small).

    >>> x, dy = np.array([[1.0], [2.0], [4.0]]), np.array([[1.0], [0.0], [-1.0]])
    >>> dx, dg, db = finite_difference_gradients(x, [1.0], [0.0], dy)
    >>> _, cache = batchnorm_forward(x, [1.0], [0.0])
    >>> bool(np.allclose(dx, batchnorm_backward(dy, cache)[0], atol=1e-6))
    True
    """
    h = check_float("h", h, positive=True, maximum=1.0)
    x = _check_input(x).astype(np.float64)
    gamma = as_float_array("gamma", gamma, ndim=1).astype(np.float64)
    beta = as_float_array("beta", beta, ndim=1).astype(np.float64)
    dy = as_float_array("dy", dy).astype(np.float64)
    if dy.shape != x.shape:
        raise ValueError(f"dy must have the shape of x {x.shape}, got {dy.shape}")

    def loss(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> float:
        return float(np.sum(batchnorm_forward(x, gamma, beta, eps)[0] * dy))

    return (
        numerical_gradient(lambda v: loss(v, gamma, beta), x, eps=h),
        numerical_gradient(lambda v: loss(x, v, beta), gamma, eps=h),
        numerical_gradient(lambda v: loss(x, gamma, v), beta, eps=h),
    )


class BatchNorm:
    """A batch-normalization layer with ``train()``/``eval()``, like ``torch.nn.BatchNorm1d/2d``.

    In training mode it normalizes with the batch statistics and updates the running ones:
    ``running_mean <- (1 - momentum) running_mean + momentum * mean`` and the same for
    ``running_var`` with the *unbiased* batch variance (``var * m / (m - 1)``).
    ``momentum=None`` gives the cumulative average over all batches seen, as in PyTorch.
    In evaluation mode it normalizes with the running statistics (no update), so one
    example at a time gives the same answer as inside any batch.

    Parameters are ``weight`` (gamma, ones) and ``bias`` (beta, zeros); after
    :meth:`backward` their gradients are in ``grad_weight`` and ``grad_bias``.

    >>> bn = BatchNorm(1)
    >>> _ = bn(np.array([[1.0], [3.0]]))
    >>> bn.running_mean.tolist(), bn.running_var.tolist()
    ([0.2], [1.1])
    >>> bn.eval()(np.array([[2.0]])).round(4).tolist()
    [[1.7162]]
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1) -> None:
        self.num_features = check_size("num_features", num_features, maximum=MAX_FEATURES)
        self.eps = _check_eps(eps)
        if momentum is not None:
            momentum = check_float("momentum", momentum)
            if not 0.0 <= momentum <= 1.0:
                raise ValueError(f"momentum must be between 0 and 1 (or None for a cumulative average), got {momentum}")
        self.momentum = momentum
        self.weight = np.ones(self.num_features)
        self.bias = np.zeros(self.num_features)
        self.running_mean = np.zeros(self.num_features)
        self.running_var = np.ones(self.num_features)
        self.num_batches_tracked = 0
        self.training = True
        self.grad_weight: np.ndarray | None = None
        self.grad_bias: np.ndarray | None = None
        self._cache: BatchNormCache | None = None
        self._eval_input_shape: tuple[int, ...] | None = None

    def __repr__(self) -> str:
        mode = "train" if self.training else "eval"
        return f"BatchNorm({self.num_features}, eps={self.eps:g}, momentum={self.momentum}, mode={mode!r})"

    def train(self, mode: bool = True) -> "BatchNorm":
        """Switch to training mode (batch statistics, running ones updated); returns self."""
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"mode must be True or False, got {mode!r}")
        self.training = bool(mode)
        return self

    def eval(self) -> "BatchNorm":
        """Switch to evaluation mode (running statistics, nothing updated); returns self."""
        return self.train(False)

    def __call__(self, x: Any) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: Any) -> np.ndarray:
        """Normalize ``x`` (features on axis 1) in the current mode."""
        x = _check_input(x)
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"expected {self.num_features} features/channels on axis 1, got input shape {x.shape}"
            )
        if self.training:
            y, cache = batchnorm_forward(x, self.weight, self.bias, self.eps)
            self._cache = cache
            self.num_batches_tracked += 1
            factor = 1.0 / self.num_batches_tracked if self.momentum is None else self.momentum
            unbiased = cache.var * cache.count / (cache.count - 1)
            with np.errstate(over="ignore", invalid="ignore"):
                running_mean = (1.0 - factor) * self.running_mean + factor * cache.mean
                running_var = (1.0 - factor) * self.running_var + factor * unbiased
            if not (np.isfinite(running_mean).all() and np.isfinite(running_var).all()):
                raise ValueError(
                    "the batch variance of x overflows the floating-point range (about 1.8e308), so the running "
                    "statistics cannot be updated: rescale the input"
                )
            self.running_mean, self.running_var = running_mean, running_var
            return y
        shape = _shape_for(x)
        inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
        self._cache = None
        self._eval_input_shape = x.shape
        with np.errstate(over="ignore", invalid="ignore"):
            x_hat = (x - self.running_mean.reshape(shape)) * inv_std.reshape(shape)
        if not np.isfinite(x_hat).all():
            raise ValueError("x is too far from the running mean: (x - running_mean) overflows the floating-point range")
        self._eval_x_hat = x_hat
        return _affine("y", x_hat, self.weight.reshape(shape), self.bias.reshape(shape))

    def backward(self, dy: Any) -> np.ndarray:
        """Gradient with respect to the last forward input; stores ``grad_weight``/``grad_bias``.

        In evaluation mode the statistics are constants, so ``dx = dy * gamma / sqrt(running_var + eps)``.
        """
        if self.training:
            if self._cache is None:
                raise ValueError("call forward (in training mode) before backward")
            dx, self.grad_weight, self.grad_bias = batchnorm_backward(dy, self._cache)
            return dx
        if self._eval_input_shape is None:
            raise ValueError("call forward (in evaluation mode) before backward")
        dy = check_finite("dy", as_float_array("dy", dy, ndim=(2, 3, 4)))
        if dy.shape != self._eval_input_shape:
            raise ValueError(f"dy must have the shape of the forward input {self._eval_input_shape}, got {dy.shape}")
        shape, axes = _shape_for(dy), _reduce_axes(dy)
        self.grad_weight = np.sum(dy * self._eval_x_hat, axis=axes)
        self.grad_bias = dy.sum(axis=axes)
        return dy * (self.weight / np.sqrt(self.running_var + self.eps)).reshape(shape)


# -- the normalization family: layer norm and group norm ----------------------------------------
@dataclass(frozen=True)
class NormCache:
    """What :func:`layer_norm_backward` and :func:`group_norm_backward` need from the forward pass."""

    x_hat: np.ndarray  # normalized input, in the layout the statistics were taken in
    inv_std: np.ndarray  # 1 / sqrt(var + eps), one per statistic (kept dims)
    weight: np.ndarray | None  # the scale, broadcast against x (None: no affine)
    axes: tuple[int, ...]  # the axes the statistics pool (in the x_hat layout)
    param_axes: tuple[int, ...]  # the axes dweight/dbias sum over (in the shape of x)
    shape: tuple[int, ...]  # the shape of x
    count: int  # values per statistic


def _norm_backward(g: np.ndarray, x_hat: np.ndarray, inv_std: np.ndarray, axes: tuple[int, ...], m: int) -> np.ndarray:
    """``dL/dx`` from ``g = dL/dx_hat`` for ``x_hat = (x - mean) * inv_std`` over ``axes`` (m values each)."""
    sum_g = g.sum(axis=axes, keepdims=True)
    sum_gx = np.sum(g * x_hat, axis=axes, keepdims=True)
    return (inv_std / m) * (m * g - sum_g - x_hat * sum_gx)


def _optional_param(name: str, value: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray | None:
    if value is None:
        return None
    arr = check_finite(name, as_float_array(name, value))
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    return arr.astype(dtype, copy=False)


def layer_norm_forward(
    x: Any, normalized_shape: Any, weight: Any = None, bias: Any = None, eps: float = 1e-5
) -> tuple[np.ndarray, NormCache]:
    """Layer normalization, like ``torch.nn.functional.layer_norm``: statistics per example.

    The mean and the *biased* variance are taken over the last ``len(normalized_shape)``
    axes of ``x`` (e.g. the D features of an ``(N, D)`` input, or ``(C, H, W)`` of an image),
    separately for every example, so the result never depends on the rest of the batch:
    a batch of one is fine and training and evaluation compute the same thing (no running
    statistics). ``weight`` and ``bias`` have shape ``normalized_shape`` (``None``: 1 and 0).

    >>> y, _ = layer_norm_forward([[1.0, 3.0], [0.0, 10.0]], 2)
    >>> np.round(y, 4).tolist()
    [[-1.0, 1.0], [-1.0, 1.0]]
    """
    x = _check_input(x, ndim=None)
    if x.ndim == 0:
        raise ValueError("x must have at least one dimension")
    if isinstance(normalized_shape, (int, np.integer)) and not isinstance(normalized_shape, bool):
        normalized_shape = (normalized_shape,)
    if not isinstance(normalized_shape, (tuple, list)) or not normalized_shape:
        raise TypeError(f"normalized_shape must be an int or a non-empty tuple of ints, got {normalized_shape!r}")
    norm = tuple(check_int(f"normalized_shape[{i}]", d, minimum=1) for i, d in enumerate(normalized_shape))
    k = len(norm)
    if k > x.ndim or x.shape[x.ndim - k:] != norm:
        raise ValueError(f"normalized_shape {norm} must equal the last dimensions of x, whose shape is {x.shape}")
    eps = _check_eps(eps)
    weight = _optional_param("weight", weight, norm, x.dtype)
    bias = _optional_param("bias", bias, norm, x.dtype)
    axes = tuple(range(x.ndim - k, x.ndim))
    x_hat, _, _, inv_std = _standardize(x, axes, eps)
    y = _affine("y", x_hat, weight, bias)
    count = int(np.prod(norm))
    return y, NormCache(x_hat, inv_std, weight, axes, tuple(range(x.ndim - k)), x.shape, count)


def layer_norm_backward(dy: Any, cache: NormCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dL/dx, dL/dweight, dL/dbias)`` of :func:`layer_norm_forward`, given ``dL/dy``.

    The same formula as batch normalization's backward pass, with the sums taken over the
    normalized axes of each example instead of over the batch.

    >>> x = np.array([[1.0, 2.0, 4.0]])
    >>> _, cache = layer_norm_forward(x, 3)
    >>> dx, dw, db = layer_norm_backward(np.ones_like(x), cache)
    >>> bool(np.allclose(dx, 0)), db.tolist()
    (True, [1.0, 1.0, 1.0])
    """
    if not isinstance(cache, NormCache) or cache.x_hat.shape != cache.shape:
        raise TypeError("cache must be the NormCache returned by layer_norm_forward")
    dy = check_finite("dy", as_float_array("dy", dy))
    if dy.shape != cache.shape:
        raise ValueError(f"dy must have the shape of the forward input {cache.shape}, got {dy.shape}")
    g = dy if cache.weight is None else dy * cache.weight
    dx = _norm_backward(g, cache.x_hat, cache.inv_std, cache.axes, cache.count)
    dweight = np.sum(dy * cache.x_hat, axis=cache.param_axes)
    dbias = dy.sum(axis=cache.param_axes)
    return dx, dweight, dbias


def group_norm_forward(
    x: Any, num_groups: int, weight: Any = None, bias: Any = None, eps: float = 1e-5
) -> tuple[np.ndarray, NormCache]:
    """Group normalization, like ``torch.nn.functional.group_norm``: statistics per example and group.

    ``x`` is ``(N, C, *)``; its C channels are split into ``num_groups`` consecutive groups of
    ``C / num_groups``, and each example's group is normalized over its channels and all
    positions. ``num_groups=1`` is layer normalization over ``(C, *)``; ``num_groups=C`` is
    instance normalization. ``weight`` and ``bias`` are per channel, shape ``(C,)``.

    >>> y, _ = group_norm_forward(np.arange(8.0).reshape(1, 4, 2), num_groups=2)
    >>> np.round(y[0, :2], 4).tolist()
    [[-1.3416, -0.4472], [0.4472, 1.3416]]
    """
    x = _check_input(x, ndim=None)
    if x.ndim < 2:
        raise ValueError(f"x must be (N, C, ...) with at least 2 dimensions, got shape {x.shape}")
    n, c = x.shape[0], x.shape[1]
    num_groups = check_int("num_groups", num_groups, minimum=1)
    if c % num_groups:
        raise ValueError(f"num_groups must divide the number of channels C = {c}, got {num_groups}")
    eps = _check_eps(eps)
    weight = _optional_param("weight", weight, (c,), x.dtype)
    bias = _optional_param("bias", bias, (c,), x.dtype)
    grouped = x.reshape(n, num_groups, -1)
    x_hat, _, _, inv_std = _standardize(grouped, (2,), eps)
    per_channel = (1, c) + (1,) * (x.ndim - 2)
    y = _affine(
        "y",
        x_hat.reshape(x.shape),
        None if weight is None else weight.reshape(per_channel),
        None if bias is None else bias.reshape(per_channel),
    )
    wb = None if weight is None else weight.reshape(per_channel)
    param_axes = (0,) + tuple(range(2, x.ndim))
    return y, NormCache(x_hat, inv_std, wb, (2,), param_axes, x.shape, grouped.shape[2])


def group_norm_backward(dy: Any, cache: NormCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dL/dx, dL/dweight, dL/dbias)`` of :func:`group_norm_forward`, given ``dL/dy``.

    >>> x = np.arange(8.0).reshape(1, 4, 2)
    >>> _, cache = group_norm_forward(x, 2)
    >>> dx, dw, db = group_norm_backward(np.ones_like(x), cache)
    >>> bool(np.allclose(dx, 0)), db.tolist()
    (True, [2.0, 2.0, 2.0, 2.0])
    """
    if not isinstance(cache, NormCache) or cache.x_hat.shape == cache.shape:
        raise TypeError("cache must be the NormCache returned by group_norm_forward")
    dy = check_finite("dy", as_float_array("dy", dy))
    if dy.shape != cache.shape:
        raise ValueError(f"dy must have the shape of the forward input {cache.shape}, got {dy.shape}")
    g = dy if cache.weight is None else dy * cache.weight
    dx = _norm_backward(g.reshape(cache.x_hat.shape), cache.x_hat, cache.inv_std, (2,), cache.count)
    x_hat = cache.x_hat.reshape(cache.shape)
    return dx.reshape(cache.shape), np.sum(dy * x_hat, axis=cache.param_axes), dy.sum(axis=cache.param_axes)


NORMS = ("batch", "layer", "instance", "group")


def normalized_axes(kind: str, shape: Any, num_groups: int | None = None) -> tuple[int, int]:
    """``(number of statistics, values per statistic)`` of a normalization of an ``(N, C, *)`` input.

    ``batch``: one mean/variance per channel, over the batch and all positions (N H W values);
    ``layer``: one per example, over its channels and positions; ``instance``: one per example
    and channel, over the positions; ``group``: one per example and group, over ``C / G``
    channels and the positions.

    >>> normalized_axes("batch", (32, 64, 28, 28))
    (64, 25088)
    >>> normalized_axes("group", (32, 64, 28, 28), num_groups=8)
    (256, 6272)
    """
    kind = _check_kind(kind)
    if not isinstance(shape, (tuple, list)) or len(shape) < 2:
        raise ValueError(f"shape must be (N, C, ...) with at least 2 entries, got {shape!r}")
    dims = tuple(check_size(f"shape[{i}]", d, maximum=10**9) for i, d in enumerate(shape))
    n, c, positions = dims[0], dims[1], int(np.prod(dims[2:], dtype=object))
    if kind == "batch":
        return c, n * positions
    if kind == "layer":
        return n, c * positions
    if kind == "instance":
        return n * c, positions
    g = check_int("num_groups", num_groups if num_groups is not None else -1, minimum=1)
    if c % g:
        raise ValueError(f"num_groups must divide the number of channels C = {c}, got {g}")
    return n * g, (c // g) * positions


def _check_kind(kind: Any) -> str:
    if not isinstance(kind, str) or kind not in NORMS:
        raise ValueError(f"kind must be one of {', '.join(repr(k) for k in NORMS)}; got {kind!r}")
    return kind


def parameter_counts(num_features: int) -> tuple[int, int]:
    """``(learnable parameters, buffer values)`` of ``torch.nn.BatchNorm1d/2d(num_features)``.

    Learnable: gamma and beta, one each per channel (``2 C``). Buffers (saved with the model,
    not trained): the running mean and variance (``2 C``) plus the step counter
    ``num_batches_tracked`` (1).

    >>> parameter_counts(64)
    (128, 129)
    """
    c = check_size("num_features", num_features, maximum=MAX_FEATURES)
    return 2 * c, 2 * c + 1
