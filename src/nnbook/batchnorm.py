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
from ._validate import as_float_array, check_real

__all__ = ["BatchNormCache", "batchnorm_forward", "batchnorm_backward", "finite_difference_gradients", "BatchNorm"]


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


def _check_input(x: Any, name: str = "x") -> np.ndarray:
    arr = as_float_array(name, x, ndim=(2, 3, 4))
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers")
    return arr


def _check_param(name: str, value: Any, features: int, dtype: np.dtype) -> np.ndarray:
    arr = as_float_array(name, value, ndim=1)
    if arr.shape != (features,):
        raise ValueError(
            f"{name} must have shape ({features},), one value per feature/channel (axis 1 of x), got {arr.shape}"
        )
    return arr.astype(dtype, copy=False)


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
    eps = check_real("eps", eps)
    if not eps > 0:
        raise ValueError(f"eps must be > 0 (it keeps the division finite when a feature is constant), got {eps}")
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
    mean = x.mean(axis=axes)
    centred = x - mean.reshape(_shape_for(x))
    var = np.mean(centred * centred, axis=axes)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = centred * inv_std.reshape(_shape_for(x))
    y = gamma.reshape(_shape_for(x)) * x_hat + beta.reshape(_shape_for(x))
    return y, BatchNormCache(x_hat, inv_std, gamma, axes, mean, var, count)


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
    dy = as_float_array("dy", dy, ndim=(2, 3, 4))
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
    h = check_real("h", h, positive=True)
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
        from ._validate import check_int

        self.num_features = check_int("num_features", num_features, minimum=1)
        self.eps = check_real("eps", eps)
        if not self.eps > 0:
            raise ValueError(f"eps must be > 0, got {self.eps}")
        if momentum is not None:
            momentum = check_real("momentum", momentum)
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
            self.running_mean = (1.0 - factor) * self.running_mean + factor * cache.mean
            self.running_var = (1.0 - factor) * self.running_var + factor * unbiased
            return y
        shape = _shape_for(x)
        inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
        self._cache = None
        self._eval_input_shape = x.shape
        x_hat = (x - self.running_mean.reshape(shape)) * inv_std.reshape(shape)
        self._eval_x_hat = x_hat
        return self.weight.reshape(shape) * x_hat + self.bias.reshape(shape)

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
        dy = as_float_array("dy", dy, ndim=(2, 3, 4))
        if dy.shape != self._eval_input_shape:
            raise ValueError(f"dy must have the shape of the forward input {self._eval_input_shape}, got {dy.shape}")
        shape, axes = _shape_for(dy), _reduce_axes(dy)
        self.grad_weight = np.sum(dy * self._eval_x_hat, axis=axes)
        self.grad_bias = dy.sum(axis=axes)
        return dy * (self.weight / np.sqrt(self.running_var + self.eps)).reshape(shape)
