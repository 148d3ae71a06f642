"""Weight initialization and how variance propagates through a deep network.

Conventions follow ``torch.nn.init``:

* weights have PyTorch's layouts, ``(out_features, in_features)`` for a Linear layer and
  ``(out_channels, in_channels, kh, kw)`` for a convolution, so that
  ``fan_in = in * kh * kw`` and ``fan_out = out * kh * kw`` (:func:`fan_in_fan_out`);
* ``gain`` multiplies the standard deviation; each scheme's default gain is PyTorch's:
  1 for ``normal``, ``uniform``, ``xavier_*`` (``xavier_normal_(gain=1)``) and
  ``lecun_normal``, and ``sqrt(2)`` for ``he_*`` (``kaiming_normal_`` with its default
  ``a=0``, ``mode="fan_in"``, i.e. the ReLU gain); ``pytorch_default`` is what ``nn.Linear``
  and ``nn.Conv2d`` do when you do nothing, ``kaiming_uniform_(a=sqrt(5))``, gain ``sqrt(1/3)``.

==================  ===========================  ==========================================
scheme              distribution                 variance
==================  ===========================  ==========================================
``zeros``           0                            0
``normal``          N(0, gain^2)                 gain^2            (``normal_(std=gain)``)
``uniform``         U(-gain, gain)               gain^2 / 3        (``uniform_(-gain, gain)``)
``xavier_normal``   N(0, s^2)                    gain^2 * 2 / (fan_in + fan_out)
``xavier_uniform``  U(-b, b), b = s * sqrt(3)    gain^2 * 2 / (fan_in + fan_out)
``he_normal``       N(0, s^2)                    gain^2 / fan_in   (= 2 / fan_in by default)
``he_uniform``      U(-b, b), b = s * sqrt(3)    gain^2 / fan_in   (= 2 / fan_in by default)
``lecun_normal``    N(0, s^2)                    gain^2 / fan_in   (= 1 / fan_in by default)
``pytorch_default`` U(-b, b), b = s * sqrt(3)    gain^2 / fan_in   (= 1 / (3 fan_in) by default)
==================  ===========================  ==========================================

(``normal`` and ``uniform`` are the fan-independent "naive" choices; ``uniform`` is centred
here, whereas ``torch.nn.init.uniform_`` defaults to U(0, 1).)

The simulation :func:`simulate` sends a seeded batch forward and a seeded gradient backward
through a deep MLP and measures, layer by layer, the spread of the activations and of the
gradients, next to the per-layer factor ``G * n * Var[w]`` that theory predicts.

>>> fan_in_fan_out((16, 4, 8, 8))
(256, 1024)
>>> round(weight_variance("he_normal", (256, 512)), 6)
0.003906
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validate import check_choice, check_float, check_int, check_size

__all__ = [
    "SCHEMES",
    "ACTIVATIONS",
    "fan_in_fan_out",
    "default_gain",
    "calculate_gain",
    "weight_variance",
    "init_weights",
    "derivative_power",
    "forward_power",
    "layer_factor",
    "pytorch_default_variance",
    "symmetry_check",
    "Propagation",
    "simulate",
    "dense_block_channels",
]

SCHEMES = (
    "zeros",
    "normal",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "pytorch_default",
)
ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid")

# Bounds on sizes (ValueError beyond them): no dimension above MAX_DIM, no weight tensor of more
# than MAX_WEIGHTS entries from init_weights, and a simulation of at most MAX_SIM_VALUES numbers
# per array (depth * width**2 weights, depth * batch * width activations).
MAX_DIM = 10**9
MAX_WEIGHTS = 50_000_000
MAX_GAIN = 1e6
MAX_DEPTH = 1000
MAX_WIDTH = 4096
MAX_BATCH = 4096
MAX_SIM_VALUES = 2**26

# E[f'(z)^2] for small zero-mean z ("small-signal" G of the variance recursion): the square
# of the slope at 0, except ReLU whose slope is 1 on half of the inputs and 0 on the other.
_SMALL_SIGNAL_G = {"linear": 1.0, "relu": 0.5, "tanh": 1.0, "sigmoid": 1.0 / 16.0}


def _check_shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"shape must be a tuple of positive integers, got {shape!r}") from None
    dims = tuple(check_size(f"shape[{i}]", d, maximum=MAX_DIM) for i, d in enumerate(dims))
    if len(dims) < 2:
        raise ValueError(
            f"fan-in and fan-out need a weight of at least 2 dimensions, (out, in) or (out, in, kh, kw); got shape {dims}"
        )
    return dims


def fan_in_fan_out(shape: Any) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight in PyTorch layout.

    A Linear weight is ``(out_features, in_features)``: each output neuron reads
    ``fan_in = in_features`` inputs and each input feeds ``fan_out = out_features`` neurons.
    A convolution weight ``(out_channels, in_channels, *kernel)`` has
    ``fan_in = in_channels * prod(kernel)`` and ``fan_out = out_channels * prod(kernel)``.

    >>> fan_in_fan_out((10, 784))
    (784, 10)
    >>> fan_in_fan_out((32, 16, 3, 3))
    (144, 288)
    """
    dims = _check_shape(shape)
    receptive = math.prod(dims[2:])
    return dims[1] * receptive, dims[0] * receptive


def calculate_gain(nonlinearity: str) -> float:
    """PyTorch's recommended gain for an activation (``torch.nn.init.calculate_gain``).

    ``linear`` and ``sigmoid`` 1, ``tanh`` 5/3, ``relu`` sqrt(2).

    >>> round(calculate_gain("relu"), 6)
    1.414214
    """
    nonlinearity = check_choice("nonlinearity", nonlinearity, ACTIVATIONS)
    return {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0)}[nonlinearity]


def default_gain(scheme: str) -> float:
    """The gain a scheme uses when none is given: sqrt(2) for ``he_*``, 1 otherwise.

    >>> default_gain("xavier_normal"), round(default_gain("he_uniform"), 4)
    (1.0, 1.4142)
    """
    scheme = check_choice("scheme", scheme, SCHEMES)
    if scheme == "pytorch_default":
        return math.sqrt(1.0 / 3.0)  # kaiming's sqrt(2 / (1 + a^2)) with a = sqrt(5)
    return math.sqrt(2.0) if scheme.startswith("he_") else 1.0


def _resolve_gain(scheme: str, gain: Any) -> float:
    if gain is None:
        return default_gain(scheme)
    gain = check_float("gain", gain)
    if gain < 0:
        raise ValueError(f"gain must be >= 0 (it multiplies the standard deviation), got {gain}")
    if gain > MAX_GAIN:
        raise ValueError(f"gain must be at most {MAX_GAIN:g} (it multiplies the standard deviation), got {gain:g}")
    return gain


def weight_variance(scheme: str, shape: Any, gain: float | None = None) -> float:
    """The variance ``Var[w]`` that ``scheme`` gives every weight of a tensor of ``shape``.

    >>> weight_variance("xavier_normal", (300, 100))
    0.005
    >>> round(weight_variance("uniform", (3, 3), gain=1.0), 6)
    0.333333
    """
    scheme = check_choice("scheme", scheme, SCHEMES)
    fan_in, fan_out = fan_in_fan_out(shape)
    g2 = _resolve_gain(scheme, gain) ** 2
    if scheme == "zeros":
        return 0.0
    if scheme == "normal":
        return g2
    if scheme == "uniform":
        return g2 / 3.0
    if scheme.startswith("xavier"):
        return g2 * 2.0 / (fan_in + fan_out)
    return g2 / fan_in  # he_*, lecun_normal and pytorch_default


def init_weights(
    scheme: str,
    shape: Any,
    rng: np.random.Generator | int | None = None,
    gain: float | None = None,
    dtype: Any = np.float64,
) -> np.ndarray:
    """A weight tensor of ``shape`` drawn from ``scheme`` (see the module's table).

    ``rng`` is a ``numpy.random.Generator`` or an integer seed (``None``: fresh entropy).
    Uniform schemes draw from ``U(-b, b)`` with ``b = sqrt(3 Var[w])``; normal ones from
    ``N(0, Var[w])``.

    >>> w = init_weights("he_normal", (512, 256), rng=0)
    >>> w.shape, abs(float(w.std()) - (2 / 256) ** 0.5) < 0.002
    ((512, 256), True)
    """
    scheme = check_choice("scheme", scheme, SCHEMES)
    dims = _check_shape(shape)
    if math.prod(dims) > MAX_WEIGHTS:
        raise ValueError(f"shape {dims} has {math.prod(dims):,} entries; init_weights draws at most {MAX_WEIGHTS:,}")
    var = weight_variance(scheme, dims, gain)
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    if not isinstance(rng, np.random.Generator):
        if rng is not None:
            rng = check_int("rng (seed)", rng, minimum=0)
        rng = np.random.default_rng(rng)
    if scheme == "zeros":
        return np.zeros(dims, dtype=dtype)
    if scheme in ("uniform", "xavier_uniform", "he_uniform", "pytorch_default"):
        bound = math.sqrt(3.0 * var)
        u = rng.random(dims, dtype=dtype)
        return (u * dtype.type(2.0 * bound) - dtype.type(bound)).astype(dtype, copy=False)
    return (rng.standard_normal(dims, dtype=dtype) * dtype.type(math.sqrt(var))).astype(dtype, copy=False)


# Gauss-Hermite nodes for E[g(z)], z ~ N(0, q): exact enough for the smooth tanh and sigmoid.
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite_e.hermegauss(96)
_GH_WEIGHTS = _GH_WEIGHTS / _GH_WEIGHTS.sum()


_GRID = np.linspace(-40.0, 40.0, 16001)


def _gaussian_mean(g: Any, q: float) -> float:
    """``E[g(z)]`` for ``z ~ N(0, q)`` when ``g`` decays (exponentially) for large ``|z|``.

    Gauss-Hermite quadrature for ``q <= 1``; for wider Gaussians, whose density is smooth on
    the scale of ``g``, a fine grid over ``|z| <= 40`` (beyond it ``g`` is below 1e-17).
    """
    if q <= 1.0:
        return float(np.dot(_GH_WEIGHTS, g(math.sqrt(q) * _GH_NODES)))
    density = np.exp(-0.5 * _GRID**2 / q) / math.sqrt(2.0 * math.pi * q)
    return float(np.trapezoid(g(_GRID) * density, _GRID))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _check_var(name: str, value: Any) -> float:
    return check_float(name, value, positive=True)


def derivative_power(activation: str, preactivation_var: float | None = None) -> float:
    """``G = E[f'(z)^2]``, the backward constant: the mean *squared* slope of the activation.

    With ``preactivation_var=None`` (the default) the small-signal value, for small zero-mean
    ``z``: ``linear`` 1, ``relu`` 1/2 (slope 1 on half the inputs), ``tanh`` 1 (slope 1 at 0;
    less once the units saturate), ``sigmoid`` 1/16 (slope 1/4 at 0). With a number ``q``, the
    value for ``z ~ N(0, q)``: ReLU and linear units do not depend on ``q``, tanh and sigmoid
    fall as ``q`` grows (saturation).

    >>> derivative_power("relu"), derivative_power("sigmoid")
    (0.5, 0.0625)
    >>> round(derivative_power("tanh", preactivation_var=1.0), 4)
    0.4644
    """
    activation = check_choice("activation", activation, ACTIVATIONS)
    if preactivation_var is None or activation in ("linear", "relu"):
        if preactivation_var is not None:
            _check_var("preactivation_var", preactivation_var)
        return _SMALL_SIGNAL_G[activation]
    q = _check_var("preactivation_var", preactivation_var)
    if activation == "tanh":
        return _gaussian_mean(lambda z: (1.0 - np.tanh(z) ** 2) ** 2, q)
    return _gaussian_mean(lambda z: (_sigmoid(z) * (1.0 - _sigmoid(z))) ** 2, q)


def forward_power(activation: str, preactivation_var: float = 1.0) -> float:
    """``G0 = E[f(z)^2] / Var[z]`` for ``z ~ N(0, q)``: the forward constant of the variance recursion.

    Forward, ``z_next = W f(z)`` sums ``fan_in`` terms ``w * f(z)``, each of variance
    ``Var[w] E[f(z)^2]`` (the second moment of the activation, its mean included), so
    ``Var[z_next] = fan_in Var[w] G0 Var[z]``. For linear units ``G0 = 1`` and for ReLU
    ``G0 = 1/2`` at every ``q``; these are the only cases in which ``G0`` equals the backward
    ``G = E[f'(z)^2]`` (:func:`derivative_power`). For tanh ``G0 < 1`` and it depends on ``q``;
    for the sigmoid, whose mean is 1/2, ``E[f(z)^2] >= 1/4`` and ``G0`` grows without bound
    as ``q`` shrinks: its activations never vanish.

    >>> forward_power("relu", 3.0), forward_power("linear")
    (0.5, 1.0)
    >>> round(forward_power("sigmoid", 1.0), 4)
    0.2934
    """
    activation = check_choice("activation", activation, ACTIVATIONS)
    q = _check_var("preactivation_var", preactivation_var)
    if activation == "linear":
        return 1.0
    if activation == "relu":
        return 0.5
    # E[f^2] = E[f^2 - limit] + E[limit], with limit the value f^2 tends to for large |z|
    # (1 for tanh; the step H(z) for the sigmoid, E[H] = 1/2): the difference decays fast
    # (for q <= 1 the Gauss-Hermite rule takes the smooth f^2 directly, which also avoids the
    # cancellation 1 - (1 - q) of the split form for tiny q)
    f = np.tanh if activation == "tanh" else _sigmoid
    if q <= 1.0:
        return _gaussian_mean(lambda z: f(z) ** 2, q) / q
    if activation == "tanh":
        second_moment = 1.0 - _gaussian_mean(lambda z: 1.0 - np.tanh(z) ** 2, q)
    else:
        second_moment = 0.5 + _gaussian_mean(lambda z: _sigmoid(z) ** 2 - np.heaviside(z, 0.5), q)
    return second_moment / q


def layer_factor(
    activation: str,
    scheme: str,
    fan_in: int,
    fan_out: int | None = None,
    gain: float | None = None,
    direction: str = "backward",
    preactivation_var: float | None = None,
) -> float:
    """The per-layer factor of the variance recursion, backward (gradients) or forward (pre-activations).

    ``direction="backward"`` (the default): ``G * fan_out * Var[w]``, the factor by which a
    gradient's variance is multiplied on its way down through one layer, with
    ``G = E[f'(z)^2]`` (:func:`derivative_power`; small-signal unless ``preactivation_var``
    is given). Backward, ``dL/dh_in = W^T (f'(z) * dL/dh_out)``: each input collects
    ``fan_out`` terms, each a weight times a slope times a gradient.

    ``direction="forward"``: ``G0 * fan_in * Var[w]``, the factor ``Var[z_next] / Var[z]`` of
    the pre-activations, with ``G0 = E[f(z)^2] / Var[z]`` (:func:`forward_power`) at
    ``z ~ N(0, preactivation_var)`` (default 1). It is *not* the backward argument run forward:
    the two constants agree only for linear and ReLU units. Sigmoid with Xavier: backward
    1/16 per layer, forward about 1.

    A factor of 1 keeps the signal healthy at any depth.

    >>> round(layer_factor("relu", "he_normal", 512), 12)
    1.0
    >>> round(layer_factor("relu", "xavier_normal", 512), 12)
    0.5
    >>> round(layer_factor("relu", "he_normal", 256, 512), 6), round(layer_factor("relu", "he_normal", 256, 512, direction="forward"), 6)
    (2.0, 1.0)
    """
    direction = check_choice("direction", direction, ("backward", "forward"))
    fan_in = check_size("fan_in", fan_in, maximum=MAX_DIM)
    fan_out = fan_in if fan_out is None else check_size("fan_out", fan_out, maximum=MAX_DIM)
    var = weight_variance(scheme, (fan_out, fan_in), gain)
    if direction == "backward":
        return derivative_power(activation, preactivation_var) * fan_out * var
    q = 1.0 if preactivation_var is None else preactivation_var
    return forward_power(activation, q) * fan_in * var


def pytorch_default_variance(fan_in: int) -> float:
    """Variance of PyTorch's *default* ``Linear``/``Conv`` weight (and bias): ``1 / (3 fan_in)``.

    ``reset_parameters`` calls ``kaiming_uniform_(w, a=sqrt(5))``: gain ``sqrt(2 / (1 + 5))``,
    bound ``gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in)``, and ``U(-b, b)`` has variance
    ``b^2 / 3``. That is a third of LeCun's ``1 / fan_in`` and a sixth of He's ``2 / fan_in``:
    the default is not He initialization (scheme ``"pytorch_default"``).

    >>> round(pytorch_default_variance(256) * 256, 6)
    0.333333
    """
    fan_in = check_size("fan_in", fan_in, maximum=MAX_DIM)
    return 1.0 / (3.0 * fan_in)


def symmetry_check(scheme: str, width: int = 8, inputs: int = 4, batch_size: int = 16, steps: int = 20,
                   lr: float = 0.1, seed: int = 0) -> float:
    """Train a tiny tanh MLP and return how different its hidden units ended up (max spread).

    A 2-layer network ``inputs -> width (tanh) -> 1`` is trained for ``steps`` steps of
    gradient descent on a seeded regression task, the hidden layer initialized with ``scheme``
    and every other parameter (output weights, biases) as well, so that with a constant
    scheme the units start identical. Returned: the largest difference between two hidden
    units' incoming weight vectors after training, ``max_j |W_j - W_0|``. Units that start
    equal get equal gradients and stay equal (exactly 0.0); random initialization breaks the
    symmetry.

    >>> symmetry_check("zeros"), symmetry_check("xavier_normal") > 0.1
    (0.0, True)
    """
    scheme = check_choice("scheme", scheme, SCHEMES + ("constant",))
    width = check_size("width", width, maximum=256)
    inputs = check_size("inputs", inputs, maximum=256)
    batch_size = check_size("batch_size", batch_size, maximum=4096)
    steps = check_size("steps", steps, minimum=0, maximum=10_000)
    lr = check_float("lr", lr, positive=True, maximum=10.0)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch_size, inputs))
    target = np.sin(x.sum(axis=1, keepdims=True))
    if scheme == "constant":
        w1, w2 = np.full((width, inputs), 0.5), np.full((1, width), 0.5)
    else:
        w1, w2 = init_weights(scheme, (width, inputs), rng), init_weights(scheme, (1, width), rng)
    b1, b2 = np.zeros(width), np.zeros(1)
    for _ in range(steps):
        h = np.tanh(x @ w1.T + b1)
        out = h @ w2.T + b2
        d_out = 2.0 * (out - target) / batch_size
        d_h = (d_out @ w2) * (1.0 - h * h)
        w2 -= lr * d_out.T @ h
        b2 -= lr * d_out.sum(axis=0)
        w1 -= lr * d_h.T @ x
        b1 -= lr * d_h.sum(axis=0)
    return float(np.max(np.abs(w1 - w1[0])))


MAX_DENSE_LAYERS = 10_000  # a DenseNet block has tens of layers; the list stays small


def dense_block_channels(k0: int, growth_rate: int, num_layers: int) -> list[int]:
    """Channels entering each layer of a DenseNet block, and (last entry) leaving the block.

    Layer ``l`` (1-based) sees the block input and every earlier layer's ``growth_rate`` new
    maps concatenated: ``k0 + (l - 1) * growth_rate``; the block outputs ``k0 + L * growth_rate``.

    >>> dense_block_channels(64, 32, 6)
    [64, 96, 128, 160, 192, 224, 256]
    """
    k0 = check_int("k0", k0, minimum=1)
    growth_rate = check_int("growth_rate", growth_rate, minimum=1)
    num_layers = check_int("num_layers", num_layers, minimum=1, maximum=MAX_DENSE_LAYERS)
    return [k0 + l * growth_rate for l in range(num_layers + 1)]


# -- the simulation -----------------------------------------------------------------------


@dataclass
class Propagation:
    """Per-layer statistics of a forward and backward sweep (see :func:`simulate`).

    Every array has ``depth + 1`` entries indexed by layer: entry 0 is the input ``h_0``,
    entry ``l`` the output ``h_l`` of layer ``l``. Quantities a layer does not have at
    index 0 (pre-activations, factors) are NaN there.

    Attributes
    ----------
    activation_std : std of ``h_l`` over the batch and units.
    preactivation_std : std of ``z_l = W_l h_{l-1}`` (before batch norm, if any).
    gradient_std : std of ``dL/dh_l`` (the top one is drawn ~ N(0, 1)).
    theory_factor : ``G * n * Var[w]`` with the scheme's variance and the small-signal G.
    measured_factor : ``Var[dL/dh_{l-1}] / Var[dL/dh_l]`` as measured.
    measured_G : ``E[f'(z_l)^2]`` as measured over the batch.
    predicted_gradient_std : ``gradient_std[-1]`` times the square roots of the theory factors
        from the top down: what the recursion predicts for a plain network.
    activation_log10 / gradient_log10 : for each layer, ``log10|value|`` of up to ``samples``
        randomly chosen non-zero entries (for histograms; may be shorter or empty).
    """

    depth: int
    width: int
    batch_size: int
    activation: str
    scheme: str
    gain: float
    batch_norm: bool
    residual: bool
    activation_std: np.ndarray
    preactivation_std: np.ndarray
    gradient_std: np.ndarray
    theory_factor: np.ndarray
    measured_factor: np.ndarray
    measured_G: np.ndarray
    predicted_gradient_std: np.ndarray
    activation_log10: list[np.ndarray] = field(repr=False)
    gradient_log10: list[np.ndarray] = field(repr=False)

    @property
    def measured_forward_factor(self) -> np.ndarray:
        """``Var[z_l] / Var[z_{l-1}]`` of the pre-activations as measured (NaN for layers 0 and 1).

        Compare it with ``layer_factor(..., direction="forward", preactivation_var=Var[z_{l-1}])``.
        """
        out = np.full(self.depth + 1, np.nan)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out[2:] = (self.preactivation_std[2:] / self.preactivation_std[1:-1]) ** 2
        return out

    @property
    def gradient_ratio(self) -> float:
        """``std(dL/dh_0) / std(dL/dh_depth)``: how much the gradient grew (>1) or shrank on the way down."""
        return float(self.gradient_std[0] / self.gradient_std[-1])

    def table(self, layers: Any = None) -> str:
        """A plain-text table of the statistics for some layers (default: about 6 of them)."""
        if layers is None:
            layers = sorted({0, 1, *np.linspace(0, self.depth, 6).round().astype(int).tolist(), self.depth})
        lines = [f"{'layer':>5} {'act std':>10} {'grad std':>10} {'theory':>8} {'measured':>9}"]
        for l in layers:
            tf = "" if l == 0 else f"{self.theory_factor[l]:.4f}"
            mf = "" if l == 0 else f"{self.measured_factor[l]:.4f}"
            lines.append(
                f"{l:>5} {_fmt(self.activation_std[l]):>10} {_fmt(self.gradient_std[l]):>10} {tf:>8} {mf:>9}"
            )
        return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:.3e}" if np.isfinite(x) else str(x)


_LN10 = math.log(10.0)


def _log_std(a: np.ndarray, log_scale: float) -> float:
    """``ln`` of the std of ``a * exp(log_scale)``, computed without overflow (-inf for 0)."""
    s = float(np.std(a, dtype=np.float64))
    return -math.inf if s == 0.0 else math.log(s) + log_scale


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _sample_log10(a: np.ndarray, log_scale: float, idx: np.ndarray) -> np.ndarray:
    v = np.abs(a.reshape(-1)[idx]).astype(np.float64)
    v = v[v > 0]
    return np.log10(v) + log_scale / _LN10


def _activate(z: np.ndarray, activation: str) -> tuple[np.ndarray, np.ndarray]:
    """``f(z)`` and ``f'(z)``."""
    if activation == "linear":
        return z, np.ones_like(z)
    if activation == "relu":
        return np.maximum(z, 0), (z > 0).astype(z.dtype)
    if activation == "tanh":
        a = np.tanh(z)
        return a, 1 - a * a
    a = 1 / (1 + np.exp(-z))
    return a, a * (1 - a)


def simulate(
    depth: int = 50,
    width: int = 512,
    activation: str = "relu",
    scheme: str = "he_normal",
    gain: float | None = None,
    batch_norm: bool = False,
    residual: bool = False,
    batch_size: int = 256,
    seed: int = 0,
    samples: int = 1000,
) -> Propagation:
    """Send a batch forward and a gradient backward through a deep MLP; measure every layer.

    The network has ``depth`` square layers of ``width`` units, no biases:
    ``z_l = h_{l-1} W_l^T``, then (if ``batch_norm``) batch normalization with gamma 1,
    beta 0 and batch statistics, then ``a_l = f(.)``. Without ``residual``, ``h_l = a_l``;
    with it, layers come in pairs bypassed by a skip connection, ``h_l = h_{l-2} + a_l`` for
    even ``l`` (an odd last layer has no skip). The input ``h_0`` and the top gradient
    ``dL/dh_depth`` are standard normal (seeded); weights come from :func:`init_weights`.

    Sizes are bounded (``depth <= 1000``, ``width <= 4096``, ``batch_size <= 4096``, and at most
    2**26 values in the weights and in the stored activations) so that a typo cannot exhaust
    the machine; beyond them a ``ValueError`` says so.

    A residual block here is ``h + f(BN(W2 f(BN(W1 h))))``: its branch ends in the activation,
    unlike the original ResNet block ``f(h + BN(W2 f(BN(W1 h))))`` (activation after the sum)
    and the pre-activation block ``h + W2 f(BN(W1 f(BN(h))))`` (branch ends in a weight layer).

    The sweep runs in float32 and keeps each layer's values rescaled to unit spread with
    the scale tracked in float64 logarithms, so activations of 1e-100 or gradients of 1e+100
    are measured exactly instead of underflowing or overflowing. (Gradients are linear in
    the top gradient, and without batch norm a linear/ReLU network is positively
    homogeneous, so the rescaling changes nothing but the bookkeeping.)

    >>> p = simulate(depth=20, width=128, activation="relu", scheme="xavier_normal", batch_size=64)
    >>> float(p.theory_factor[1]), p.gradient_ratio < 0.01
    (0.5, True)
    """
    depth = check_size("depth", depth, maximum=MAX_DEPTH)
    width = check_size("width", width, maximum=MAX_WIDTH)
    batch_size = check_size("batch_size", batch_size, maximum=MAX_BATCH)
    seed = check_int("seed", seed, minimum=0)
    samples = check_size("samples", samples, minimum=0, maximum=100_000)
    for what, count in (("depth * width**2 weights", depth * width * width),
                        ("depth * batch_size * width activations", depth * batch_size * width)):
        if count > MAX_SIM_VALUES:
            raise ValueError(
                f"this simulation would hold {count:,} values ({what}); the bound is {MAX_SIM_VALUES:,}: "
                "make the network shallower or narrower, or the batch smaller"
            )
    activation = check_choice("activation", activation, ACTIVATIONS)
    scheme = check_choice("scheme", scheme, SCHEMES)
    gain = _resolve_gain(scheme, gain)
    for name, flag in (("batch_norm", batch_norm), ("residual", residual)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    batch_norm, residual = bool(batch_norm), bool(residual)
    if batch_norm and batch_size < 2:
        raise ValueError("batch normalization needs a batch of at least 2 (batch statistics of one example are meaningless)")

    from .batchnorm import batchnorm_backward, batchnorm_forward

    rng = np.random.default_rng(seed)
    dt = np.float32
    h0 = rng.standard_normal((batch_size, width), dtype=dt)
    top = rng.standard_normal((batch_size, width), dtype=dt)
    weights = [init_weights(scheme, (width, width), rng, gain, dtype=dt) for _ in range(depth)]
    n_values = batch_size * width
    idx = rng.choice(n_values, size=min(samples, n_values), replace=False) if samples else np.zeros(0, int)
    homogeneous = activation in ("linear", "relu") and not batch_norm
    ones, zeros = np.ones(width, dt), np.zeros(width, dt)

    # forward: h[l] holds h_l / exp(lam[l])
    h: list[np.ndarray] = [h0]
    lam = [0.0] * (depth + 1)
    slopes: list[np.ndarray] = []
    caches: list[Any] = []
    log_pre = np.full(depth + 1, np.nan)
    log_act = np.full(depth + 1, np.nan)
    log_grad = np.full(depth + 1, np.nan)
    log_act[0] = _log_std(h0, 0.0)
    log_grad[depth] = _log_std(top, 0.0)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for l in range(1, depth + 1):
            z = h[l - 1] @ weights[l - 1].T
            log_pre[l] = _log_std(z, lam[l - 1])
            if batch_norm:
                z, cache = batchnorm_forward(z, ones, zeros)
                caches.append(cache)
            a, slope = _activate(z, activation)
            slopes.append(slope)
            scale = lam[l - 1]
            if residual and l % 2 == 0:
                a = a + h[l - 2] * dt(_exp(lam[l - 2] - scale))
            if homogeneous:
                s = float(np.std(a, dtype=np.float64))
                if s > 0 and math.isfinite(s):
                    a *= dt(1.0 / s)
                    scale += math.log(s)
                log_act[l] = scale if s > 0 else -math.inf
            else:
                log_act[l] = _log_std(a, scale)
            h.append(a)
            lam[l] = scale

        # backward: g[l] holds dL/dh_l / exp(mu[l])
        g: list[np.ndarray | None] = [None] * (depth + 1)
        mu = [0.0] * (depth + 1)
        g[depth] = top
        pending: dict[int, tuple[np.ndarray, float]] = {}
        for l in range(depth, 0, -1):
            gl = g[l]
            dz = gl * slopes[l - 1]
            if batch_norm:
                dz = batchnorm_backward(dz, caches[l - 1])[0]
            dx = dz @ weights[l - 1]
            scale = mu[l]
            if l - 1 in pending:
                extra, extra_scale = pending.pop(l - 1)
                dx = dx + extra * dt(_exp(extra_scale - scale))
            if residual and l % 2 == 0:
                pending[l - 2] = (gl, mu[l])
            s = float(np.std(dx, dtype=np.float64))
            if s > 0 and math.isfinite(s):
                dx *= dt(1.0 / s)
                scale += math.log(s)
            log_grad[l - 1] = scale if s > 0 else -math.inf
            g[l - 1] = dx
            mu[l - 1] = scale

    with np.errstate(over="ignore", invalid="ignore"):
        activation_std = np.exp(log_act)
        gradient_std = np.exp(log_grad)
        preactivation_std = np.exp(log_pre)
        measured_factor = np.full(depth + 1, np.nan)
        measured_factor[1:] = np.exp(2 * (log_grad[:-1] - log_grad[1:]))
    factor = layer_factor(activation, scheme, width, width, gain)
    theory = np.full(depth + 1, np.nan)
    theory[1:] = factor
    measured_G = np.full(depth + 1, np.nan)
    measured_G[1:] = [float(np.mean(np.square(s, dtype=np.float64))) for s in slopes]
    predicted = np.empty(depth + 1)
    with np.errstate(over="ignore", divide="ignore"):
        predicted[:] = gradient_std[-1] * np.sqrt(factor) ** np.arange(depth, -1, -1)
    return Propagation(
        depth=depth,
        width=width,
        batch_size=batch_size,
        activation=activation,
        scheme=scheme,
        gain=gain,
        batch_norm=batch_norm,
        residual=residual,
        activation_std=activation_std,
        preactivation_std=preactivation_std,
        gradient_std=gradient_std,
        theory_factor=theory,
        measured_factor=measured_factor,
        measured_G=measured_G,
        predicted_gradient_std=predicted,
        activation_log10=[_sample_log10(h[l], lam[l], idx) for l in range(depth + 1)],
        gradient_log10=[_sample_log10(g[l], mu[l], idx) for l in range(depth + 1)],
    )
