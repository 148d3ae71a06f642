"""Exercises of the initialization and batch-normalization chapter."""

from __future__ import annotations

import math

import numpy as np

from ..batchnorm import BatchNorm, batchnorm_backward, batchnorm_forward
from ..init import dense_block_channels, derivative_power, fan_in_fan_out, layer_factor, weight_variance
from ._core import exercise

CHAPTER = "init"
FANS = (64, 100, 128, 200, 256, 300, 400, 500, 512, 784, 1000, 1024)


def _pick(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


# -- variances --------------------------------------------------------------------------------
def _xavier_solution(n_in: int, n_out: int) -> str:
    var = weight_variance("xavier_normal", (n_out, n_in))
    return (
        f"The weight has PyTorch shape $({n_out}, {n_in})$: fan-in ${n_in}$ (inputs each neuron reads), "
        f"fan-out ${n_out}$. Xavier keeps the forward factor $n_{{in}} \\mathrm{{Var}}[w]$ and the backward "
        f"factor $n_{{out}} \\mathrm{{Var}}[w]$ both near 1 by using their average fan:\n\n"
        f"$$\\mathrm{{Var}}[w] = \\frac{{2}}{{n_{{in}} + n_{{out}}}} = \\frac{{2}}{{{n_in} + {n_out}}} = {var:.6f}.$$"
    )


@exercise(
    id="init-xavier-variance",
    chapter=CHAPTER,
    title="Xavier variance of a fully connected layer",
    params=dict(n_in=400, n_out=100),
    prompt=(
        "A fully connected layer maps {n_in} inputs to {n_out} outputs (PyTorch weight shape "
        "$({n_out}, {n_in})$). With Xavier (Glorot) normal initialization and gain 1, what is the "
        "variance of each weight? Give 6 decimal places."
    ),
    hint="Xavier uses the average of fan-in and fan-out: $\\mathrm{{Var}}[w] = 2 / (n_{{in}} + n_{{out}})$.",
    solution=_xavier_solution,
    decimals=6,
    draw=lambda rng: dict(n_in=_pick(rng, FANS), n_out=_pick(rng, FANS)),
)
def xavier_variance(n_in: int, n_out: int) -> float:
    return weight_variance("xavier_normal", (n_out, n_in))


def _he_conv_solution(c_out: int, c_in: int, k: int) -> str:
    fan_in, _ = fan_in_fan_out((c_out, c_in, k, k))
    std = math.sqrt(weight_variance("he_normal", (c_out, c_in, k, k)))
    return (
        f"Each output unit reads a ${k} \\times {k}$ window of all ${c_in}$ input channels: "
        f"fan-in $= {c_in} \\cdot {k} \\cdot {k} = {fan_in}$ (the number of output channels does not enter). "
        f"He normal initialization (PyTorch's `kaiming_normal_` default) uses variance $2 / \\text{{fan-in}}$, "
        f"so the standard deviation is\n\n$$\\sqrt{{2 / {fan_in}}} = {std:.4f}.$$"
    )


@exercise(
    id="init-he-conv-std",
    chapter=CHAPTER,
    title="He initialization of a convolution",
    params=dict(c_out=64, c_in=32, k=3),
    prompt=(
        "A convolution has weight shape $({c_out}, {c_in}, {k}, {k})$ (out channels, in channels, "
        "kernel height, kernel width) and is followed by ReLU. Give its fan-in and the standard deviation "
        "of He normal initialization (4 decimal places)."
    ),
    hint="Fan-in is in-channels times kernel area; He normal has variance $2/\\text{{fan-in}}$, "
    "and you want its square root.",
    solution=_he_conv_solution,
    labels=["fan-in", "standard deviation"],
    decimals=4,
    draw=lambda rng: dict(
        c_out=_pick(rng, (16, 32, 64, 128)), c_in=_pick(rng, (3, 16, 32, 64, 128)), k=_pick(rng, (1, 3, 5, 7))
    ),
)
def he_conv_std(c_out: int, c_in: int, k: int) -> tuple[int, float]:
    shape = (c_out, c_in, k, k)
    return fan_in_fan_out(shape)[0], math.sqrt(weight_variance("he_normal", shape))


def _uniform_solution(n_in: int, n_out: int) -> str:
    var = weight_variance("xavier_uniform", (n_out, n_in))
    return (
        f"A uniform distribution on $[-b, b]$ has variance $b^2/3$. Setting it equal to Xavier's "
        f"$2/(n_{{in}} + n_{{out}}) = 2/{n_in + n_out} = {var:.6f}$ gives\n\n"
        f"$$b = \\sqrt{{3 \\cdot {var:.6f}}} = \\sqrt{{\\frac{{6}}{{{n_in} + {n_out}}}}} = {math.sqrt(3 * var):.4f}.$$"
    )


@exercise(
    id="init-xavier-uniform-bound",
    chapter=CHAPTER,
    title="The bound of Xavier uniform",
    params=dict(n_in=784, n_out=256),
    prompt=(
        "Xavier uniform initialization draws each weight of a layer with {n_in} inputs and {n_out} outputs "
        "from $U(-b, b)$. What is $b$ (4 decimal places)?"
    ),
    hint="The variance of $U(-b, b)$ is $b^2/3$; make it equal $2/(n_{{in}} + n_{{out}})$.",
    solution=_uniform_solution,
    decimals=4,
    draw=lambda rng: dict(n_in=_pick(rng, FANS), n_out=_pick(rng, FANS)),
)
def xavier_uniform_bound(n_in: int, n_out: int) -> float:
    return math.sqrt(3 * weight_variance("xavier_uniform", (n_out, n_in)))


# -- the recursion --------------------------------------------------------------------------
def _factor_solution(activation: str, scheme: str, width: int, depth: int) -> str:
    G = derivative_power(activation)
    var = weight_variance(scheme, (width, width))
    factor = layer_factor(activation, scheme, width)
    total = depth * math.log10(factor)
    return (
        f"$G = E[f'(z)^2] = {G:g}$ for {activation} (small signals), $n = {width}$, and {scheme} gives "
        f"$\\mathrm{{Var}}[w] = {var:.6g}$, so each layer multiplies the gradient variance by\n\n"
        f"$$G \\, n \\, \\mathrm{{Var}}[w] = {G:g} \\cdot {width} \\cdot {var:.6g} = {factor:.4g}.$$\n\n"
        f"Over {depth} layers the factors multiply: ${factor:.4g}^{{{depth}}}$, whose $\\log_{{10}}$ is "
        f"${depth} \\log_{{10}} {factor:.4g} = {total:.2f}$."
    )


@exercise(
    id="init-layer-factor",
    chapter=CHAPTER,
    title="The per-layer factor and what depth does to it",
    params=dict(activation="relu", scheme="xavier_normal", width=256, depth=20),
    prompt=(
        "A plain MLP has {depth} layers of width {width} (fan-in = fan-out = {width}), activation "
        "{activation}, weights initialized with {scheme} (gain 1 for Xavier, PyTorch's defaults otherwise). "
        "Give the per-layer factor $G \\, n \\, \\mathrm{{Var}}[w]$ of the gradient variance, and $\\log_{{10}}$ "
        "of the factor by which the gradient variance changes over all {depth} layers (2 decimal places each)."
    ),
    hint="$G$ is the mean squared slope of the activation near 0 (1/2 for ReLU, 1 for tanh and linear, 1/16 for "
    "sigmoid); the total is the per-layer factor to the power of the depth.",
    solution=_factor_solution,
    labels=["per-layer factor", "log10 of the total factor"],
    decimals=2,
    draw=lambda rng: dict(
        activation=_pick(rng, ("relu", "tanh", "sigmoid", "linear")),
        scheme=_pick(rng, ("xavier_normal", "he_normal", "lecun_normal")),
        width=_pick(rng, (64, 128, 256, 512)),
        depth=int(rng.integers(5, 51)),
    ),
)
def layer_factor_and_total(activation: str, scheme: str, width: int, depth: int) -> tuple[float, float]:
    factor = layer_factor(activation, scheme, width)
    return factor, depth * math.log10(factor)


# -- batch normalization --------------------------------------------------------------------
def _batch(rng: np.random.Generator) -> list[int]:
    while True:
        x = [int(v) for v in rng.integers(-5, 10, size=4)]
        if len(set(x)) > 1:
            return x


def _bn_outputs(x: list[float], gamma: float, beta: float) -> tuple[float, ...]:
    y, _ = batchnorm_forward(np.array(x, dtype=float)[:, None], [gamma], [beta])
    return tuple(float(v) for v in y[:, 0])


def _bn_parameter_gradients(x: list[float], gamma: float, beta: float, dy: list[float]) -> tuple[float, float]:
    _, cache = batchnorm_forward(np.array(x, dtype=float)[:, None], [gamma], [beta])
    _, dgamma, dbeta = batchnorm_backward(np.array(dy, dtype=float)[:, None], cache)
    return float(dgamma[0]), float(dbeta[0])


def _trained_layer(x: list[float], momentum: float) -> BatchNorm:
    bn = BatchNorm(1, momentum=momentum)
    bn(np.array(x, dtype=float)[:, None])
    return bn


def _running(x: list[float], momentum: float) -> tuple[float, float]:
    bn = _trained_layer(x, momentum)
    return float(bn.running_mean[0]), float(bn.running_var[0])


def _eval_output(x: list[float], momentum: float, test: float) -> float:
    return float(_trained_layer(x, momentum).eval()(np.array([[float(test)]]))[0, 0])


def _draw_bn(rng: np.random.Generator) -> dict:
    return dict(
        x=_batch(rng), gamma=float(_pick(rng, (0.5, 1.0, 2.0, 3.0))), beta=float(_pick(rng, (-1.0, 0.0, 0.5, 1.0)))
    )


def _bn_solution(x: list[float], gamma: float, beta: float) -> str:
    arr = np.array(x, dtype=float)
    mean, var = arr.mean(), arr.var()
    y = _bn_outputs(x, gamma, beta)
    return (
        f"Batch mean $\\mu = {mean:g}$; biased batch variance $\\sigma^2 = \\frac{{1}}{{4}}\\sum (x_i - \\mu)^2 "
        f"= {var:g}$. Each output is $\\gamma \\frac{{x_i - \\mu}}{{\\sqrt{{\\sigma^2 + \\epsilon}}}} + \\beta$ with "
        f"$\\epsilon = 10^{{-5}}$:\n\n$$y = ({', '.join(f'{v:.3f}' for v in y)}).$$"
    )


@exercise(
    id="init-bn-forward",
    chapter=CHAPTER,
    title="Batch normalization of a small batch",
    params=dict(x=[1, 2, 3, 6], gamma=2.0, beta=0.5),
    prompt=(
        "In training mode, one feature takes the values $x = {x}$ over a batch of four. Batch normalization "
        "has $\\gamma = {gamma}$, $\\beta = {beta}$, $\\epsilon = 10^{{-5}}$. Give the four outputs "
        "(3 decimal places)."
    ),
    hint="Use the batch mean and the *biased* batch variance (divide by 4), then "
    "$\\gamma (x - \\mu)/\\sqrt{{\\sigma^2 + \\epsilon}} + \\beta$.",
    solution=_bn_solution,
    labels=["y1", "y2", "y3", "y4"],
    decimals=3,
    draw=_draw_bn,
)
def bn_outputs(x: list[float], gamma: float, beta: float) -> tuple[float, ...]:
    return _bn_outputs(x, gamma, beta)


def _bn_backward_solution(x: list[float], gamma: float, beta: float, dy: list[float]) -> str:
    _, cache = batchnorm_forward(np.array(x, dtype=float)[:, None], [gamma], [beta])
    x_hat = cache.x_hat[:, 0]
    dgamma, dbeta = _bn_parameter_gradients(x, gamma, beta, dy)
    terms = " + ".join(f"({d:g})({h:.3f})" for d, h in zip(dy, x_hat))
    return (
        f"$\\beta$ is added to every output, so $\\partial L/\\partial \\beta = \\sum_i \\partial L/\\partial y_i "
        f"= {dbeta:g}$. $\\gamma$ multiplies $\\hat x_i$, so $\\partial L/\\partial \\gamma = \\sum_i "
        f"\\partial L/\\partial y_i \\, \\hat x_i$ with $\\hat x = ({', '.join(f'{h:.3f}' for h in x_hat)})$:\n\n"
        f"$${terms} = {dgamma:.3f}.$$"
    )


@exercise(
    id="init-bn-parameter-gradients",
    chapter=CHAPTER,
    title="Gradients of gamma and beta",
    params=dict(x=[1, 2, 3, 6], gamma=2.0, beta=0.5, dy=[1, -1, 0, 2]),
    prompt=(
        "The batch of the previous exercise, $x = {x}$ with $\\gamma = {gamma}$, $\\beta = {beta}$, goes through "
        "batch normalization and the loss gradient arriving at the outputs is "
        "$\\partial L/\\partial y = {dy}$. Give $\\partial L/\\partial \\gamma$ and $\\partial L/\\partial \\beta$ "
        "(3 decimal places)."
    ),
    hint="$y_i = \\gamma \\hat x_i + \\beta$: sum the upstream gradient times $\\hat x_i$ for $\\gamma$, "
    "and the upstream gradient alone for $\\beta$.",
    solution=_bn_backward_solution,
    labels=["dL/dgamma", "dL/dbeta"],
    decimals=3,
    draw=lambda rng: dict(**_draw_bn(rng), dy=[int(v) for v in rng.integers(-2, 3, size=4)]),
)
def bn_parameter_gradients(x: list[float], gamma: float, beta: float, dy: list[float]) -> tuple[float, float]:
    return _bn_parameter_gradients(x, gamma, beta, dy)


def _running_solution(x: list[float], momentum: float) -> str:
    arr = np.array(x, dtype=float)
    mean, unbiased = arr.mean(), arr.var(ddof=1)
    rm, rv = _running(x, momentum)
    return (
        f"The batch mean is ${mean:g}$ and the *unbiased* batch variance (divide by $4 - 1 = 3$) is "
        f"${unbiased:.4f}$. Starting from running mean 0 and running variance 1:\n\n"
        f"$$\\text{{mean}} = (1 - {momentum}) \\cdot 0 + {momentum} \\cdot {mean:g} = {rm:.4f}, \\quad "
        f"\\text{{var}} = (1 - {momentum}) \\cdot 1 + {momentum} \\cdot {unbiased:.4f} = {rv:.4f}.$$"
    )


@exercise(
    id="init-bn-running-stats",
    chapter=CHAPTER,
    title="Running statistics after one training step",
    params=dict(x=[1, 2, 3, 6], momentum=0.1),
    prompt=(
        "A fresh batch-normalization layer (running mean 0, running variance 1, momentum {momentum}, as in "
        "PyTorch) sees one training batch in which a feature takes the values $x = {x}$. What are its running "
        "mean and running variance afterwards (4 decimal places)?"
    ),
    hint="running = (1 - momentum) * running + momentum * batch statistic, and the running variance uses "
    "the unbiased batch variance (divide by $m - 1$).",
    solution=_running_solution,
    labels=["running mean", "running variance"],
    decimals=4,
    draw=lambda rng: dict(x=_batch(rng), momentum=float(_pick(rng, (0.1, 0.2, 0.5)))),
)
def running_after_one_step(x: list[float], momentum: float) -> tuple[float, float]:
    return _running(x, momentum)


def _eval_solution(x: list[float], momentum: float, test: float) -> str:
    rm, rv = _running(x, momentum)
    out = _eval_output(x, momentum, test)
    return (
        f"In evaluation mode the layer uses its running statistics, mean ${rm:.4f}$ and variance ${rv:.4f}$ "
        f"(from the previous exercise), not the statistics of the input:\n\n"
        f"$$\\frac{{{test:g} - {rm:.4f}}}{{\\sqrt{{{rv:.4f} + 10^{{-5}}}}}} = {out:.3f}.$$"
    )


@exercise(
    id="init-bn-eval",
    chapter=CHAPTER,
    title="One example in evaluation mode",
    params=dict(x=[1, 2, 3, 6], momentum=0.1, test=4),
    prompt=(
        "The layer of the previous exercise ($\\gamma = 1$, $\\beta = 0$, $\\epsilon = 10^{{-5}}$, after that "
        "one training batch $x = {x}$ with momentum {momentum}) is switched to evaluation mode and given a single "
        "example with value {test}. What does it output (3 decimal places)?"
    ),
    hint="A batch of one has no useful batch statistics: evaluation mode normalizes with the running mean and "
    "running variance.",
    solution=_eval_solution,
    decimals=3,
    draw=lambda rng: dict(
        x=_batch(rng), momentum=float(_pick(rng, (0.1, 0.2, 0.5))), test=int(rng.integers(-3, 8))
    ),
)
def bn_eval_output(x: list[float], momentum: float, test: float) -> float:
    return _eval_output(x, momentum, test)


# -- residual and dense networks ------------------------------------------------------------
def _dense_solution(k0: int, k: int, layers: int) -> str:
    ch = dense_block_channels(k0, k, layers)
    return (
        f"Every layer adds $k = {k}$ new feature maps, and each layer receives the concatenation of the block "
        f"input and all earlier layers' maps. Layer $l$ therefore receives $k_0 + (l - 1)k$ channels: layer "
        f"{layers} receives ${k0} + {layers - 1} \\cdot {k} = {ch[-2]}$. The block outputs everything "
        f"concatenated: $k_0 + L k = {k0} + {layers} \\cdot {k} = {ch[-1]}$."
    )


@exercise(
    id="init-dense-channels",
    chapter=CHAPTER,
    title="Channel growth in a dense block",
    params=dict(k0=64, k=32, layers=6),
    prompt=(
        "A dense block receives {k0} channels and has {layers} layers, each producing $k = {k}$ new feature maps "
        "(the growth rate). How many channels does its last layer receive, and how many channels leave the block?"
    ),
    hint="Dense connections concatenate (they do not add): layer $l$ sees $k_0 + (l-1)k$ channels.",
    solution=_dense_solution,
    labels=["channels into the last layer", "channels out of the block"],
    draw=lambda rng: dict(
        k0=_pick(rng, (16, 24, 32, 64, 128, 256)), k=_pick(rng, (12, 24, 32, 48)), layers=int(rng.integers(2, 25))
    ),
)
def dense_channels(k0: int, k: int, layers: int) -> tuple[int, int]:
    ch = dense_block_channels(k0, k, layers)
    return ch[-2], ch[-1]


RESIDUAL_VS_DENSE = (
    "A residual block concatenates its input with its output; a dense block adds all earlier outputs together.",
    "Both add their inputs; a dense network simply has more skip connections.",
    "A residual block adds its input to the output of the layers it bypasses; a dense block concatenates "
    "the outputs of all earlier layers as the input of each layer.",
    "A residual network connects every layer to all later ones; a dense network only bypasses pairs of layers.",
)


@exercise(
    id="init-residual-vs-dense",
    chapter=CHAPTER,
    title="Residual versus dense connections",
    prompt="Which statement describes the difference between a residual network and a dense network correctly?",
    hint="Ask what happens to the number of channels: after a residual block it stays the same, inside a dense "
    "block it grows by the growth rate at every layer.",
    solution=(
        "A residual block computes $h + F(h)$: the skip connection **adds** the input to the residual $F$ "
        "computed by the bypassed layers (usually two), so the width is unchanged and the gradient has an "
        "identity path. Inside a dense block layer $l$ receives the **concatenation** "
        "$[h_0, h_1, \\ldots, h_{{l-1}}]$, so the number of channels grows by the growth rate at every layer; "
        "transition layers (1x1 convolution and pooling) between blocks shrink it again."
    ),
    choices=RESIDUAL_VS_DENSE,
)
def residual_vs_dense() -> str:
    return RESIDUAL_VS_DENSE[2]


SCHEME_FOR_RELU = (
    "Xavier: Var[w] = 2 / (fan-in + fan-out), because it balances the forward and backward passes.",
    "He: Var[w] = 2 / fan-in, because ReLU passes gradient through only half of its inputs (G = 1/2).",
    "Any variance works, since ReLU's slope is 1 where it is active.",
    "Var[w] = 1, so that every weight is as large as the inputs.",
)


@exercise(
    id="init-scheme-for-relu",
    chapter=CHAPTER,
    title="Choosing the initialization for ReLU",
    prompt=(
        "A 50-layer plain network of equal-width layers uses ReLU. Which initialization keeps the gradient "
        "variance from vanishing or exploding, and why?"
    ),
    hint="Compute $G \\, n \\, \\mathrm{{Var}}[w]$ with $G = 1/2$ for each option; you want 1.",
    solution=(
        "With $G = 1/2$ the per-layer factor is $\\frac{{1}}{{2}} n \\mathrm{{Var}}[w]$. He's $2/n$ makes it exactly 1. "
        "Xavier's $2/(n + n) = 1/n$ makes it $1/2$: the gradient variance halves at every layer, "
        "$2^{{-50}} \\approx 10^{{-15}}$ after 50 layers. $\\mathrm{{Var}}[w] = 1$ makes it $n/2$: it explodes."
    ),
    choices=SCHEME_FOR_RELU,
)
def scheme_for_relu() -> str:
    # the answer is the option whose per-layer factor G n Var[w] is closest to 1
    factors = {0: "xavier_normal", 1: "he_normal", 3: "normal"}
    best = min(factors, key=lambda i: abs(math.log(layer_factor("relu", factors[i], 512))))
    return SCHEME_FOR_RELU[best]
