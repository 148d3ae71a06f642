"""Exercises of the initialization and batch-normalization chapter."""

from __future__ import annotations

import math

import numpy as np

from ..batchnorm import BatchNorm, batchnorm_backward, batchnorm_forward, normalized_axes, parameter_counts
from ..init import (
    dense_block_channels,
    derivative_power,
    fan_in_fan_out,
    layer_factor,
    pytorch_default_variance,
    symmetry_check,
    weight_variance,
)
from ._core import exercise, mistake

CHAPTER = "init"
# section titles of book/init_batchnorm.ipynb, for the exercises' metadata
S_RECURSION = "Vanishing and exploding gradients"
S_SCHEMES = "Xavier versus He"
S_DEFAULT = "What PyTorch does by default"
S_SYMMETRY = "Why the weights must be random"
S_BN = "Batch normalization"
S_BN_BACKWARD = "Batch normalization: the backward pass"
S_BN_TRAIN_EVAL = "Batch normalization: training and evaluation"
S_NORMS = "Layer norm and group norm"
S_BN_FACTS = "Batch normalization: scale invariance and the useless bias"
S_SKIPS = "Residual and dense networks"
WORKED_BATCH = [1, 2, 3, 6]  # the chapter's worked batch-norm example: no exercise variant repeats it
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
    hints=["Here $n_{{in}} + n_{{out}} = {n_in} + {n_out}$; divide 2 by it."],
    mistakes=[
        mistake("fan-in only", lambda n_in, n_out: 1 / n_in,
                "$1/n_{{in}}$ is LeCun's variance (forward pass only). Xavier averages the two fans: $2/(n_{{in}} + n_{{out}})$."),
        mistake("forgot the 2", lambda n_in, n_out: 1 / (n_in + n_out),
                "The 2 is the 2 of an average: $\\frac{{1}}{{2}}(n_{{in}} + n_{{out}})$ in the denominator."),
        mistake("standard deviation", lambda n_in, n_out: math.sqrt(2 / (n_in + n_out)),
                "That is the standard deviation; the question asks for the variance, $2/(n_{{in}} + n_{{out}})$ itself."),
    ],
    objective="compute the Xavier (Glorot) variance of a fully connected layer",
    difficulty=1,
    minutes=2,
    section=S_SCHEMES,
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
    hints=["fan-in $= {c_in} \\cdot {k} \\cdot {k}$; then take $\\sqrt{{2 / \\text{{fan-in}}}}$."],
    mistakes=[
        mistake("forgot the kernel area", lambda c_out, c_in, k: (c_in, math.sqrt(2 / c_in)),
                "Each output reads a ${k} \\times {k}$ window of every input channel: fan-in is ${c_in} \\cdot {k}^2$."),
        mistake("used the fan-out", lambda c_out, c_in, k: (c_out * k * k, math.sqrt(2 / (c_out * k * k))),
                "That is the fan-out (out channels times kernel area). He's default `mode=\"fan_in\"` uses the inputs "
                "each unit reads: ${c_in} \\cdot {k}^2$."),
        mistake("variance, not std", lambda c_out, c_in, k: (c_in * k * k, 2 / (c_in * k * k)),
                "That is the variance $2/\\text{{fan-in}}$; the standard deviation is its square root."),
    ],
    objective="compute the fan-in and He standard deviation of a convolution",
    difficulty=2,
    minutes=3,
    section=S_SCHEMES,
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
    hints=["Solve $b^2/3 = 2/({n_in} + {n_out})$ for $b$."],
    mistakes=[
        mistake("the standard deviation as the bound", lambda n_in, n_out: math.sqrt(2 / (n_in + n_out)),
                "That is the standard deviation. A uniform distribution on $[-b, b]$ has standard deviation $b/\\sqrt 3$, "
                "so $b$ is $\\sqrt 3$ times larger."),
        mistake("forgot the square root", lambda n_in, n_out: 6 / (n_in + n_out),
                "$b^2 = 6/(n_{{in}} + n_{{out}})$; $b$ is its square root."),
    ],
    objective="turn a target variance into the bound of a uniform distribution",
    difficulty=2,
    minutes=3,
    section=S_SCHEMES,
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
    caveat = (
        " (This is the small-signal prediction: with tanh or the sigmoid, larger pre-activations saturate the "
        "units and lower $G$, as the chapter measured for tanh with He.)"
        if activation in ("tanh", "sigmoid") else ""
    )
    return (
        f"$G = E[f'(z)^2] = {G:g}$ for {activation} (small signals), $n = {width}$, and {scheme} gives "
        f"$\\mathrm{{Var}}[w] = {var:.6g}$, so each layer multiplies the gradient variance by\n\n"
        f"$$G \\, n \\, \\mathrm{{Var}}[w] = {G:g} \\cdot {width} \\cdot {var:.6g} = {factor:.4g}.$$\n\n"
        f"Over {depth} layers the factors multiply: ${factor:.4g}^{{{depth}}}$, whose $\\log_{{10}}$ is "
        f"${depth} \\log_{{10}} {factor:.4g} = {total:.2f}$." + caveat
    )


def _with_G(G: float, scheme: str, width: int, depth: int) -> tuple[float, float]:
    factor = G * width * weight_variance(scheme, (width, width))
    return factor, depth * math.log10(factor)


def _layer_factor_draw(rng: np.random.Generator) -> dict:
    while True:
        params = dict(
            activation=_pick(rng, ("relu", "tanh", "sigmoid", "linear")),
            scheme=_pick(rng, ("xavier_normal", "he_normal", "lecun_normal")),
            width=_pick(rng, (64, 128, 256, 512)),
            depth=int(rng.integers(5, 51)),
        )
        if not (params["activation"] == "relu" and params["scheme"] == "xavier_normal" and params["depth"] == 30):
            return params


@exercise(
    id="init-layer-factor",
    chapter=CHAPTER,
    title="The per-layer factor and what depth does to it",
    params=dict(activation="relu", scheme="lecun_normal", width=128, depth=24),
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
    hints=["With {scheme} at width {width}, $n \\mathrm{{Var}}[w]$ is a simple number (1 or 2); multiply by $G$, then "
           "$\\log_{{10}}$ of the total is {depth} times $\\log_{{10}}$ of one factor."],
    mistakes=[
        mistake("mean slope instead of mean squared slope",
                lambda activation, scheme, width, depth: _with_G({"linear": 1, "relu": 0.5, "tanh": 1, "sigmoid": 0.25}[activation],
                                                                 scheme, width, depth),
                "$G$ is the mean of the *squared* slope: for the sigmoid near 0 the slope is $1/4$, so $G = 1/16$."),
        mistake("natural logarithm", lambda activation, scheme, width, depth: (
                    layer_factor(activation, scheme, width), depth * math.log(layer_factor(activation, scheme, width))),
                "The factor is right; the total asks for $\\log_{{10}}$, and you used the natural logarithm."),
        mistake("standard deviation factor", lambda activation, scheme, width, depth: (
                    math.sqrt(layer_factor(activation, scheme, width)),
                    depth * math.log10(math.sqrt(layer_factor(activation, scheme, width)))),
                "You computed the factor of the *standard deviation*, the square root of the variance factor "
                "$G \\, n \\, \\mathrm{{Var}}[w]$."),
    ],
    objective="predict vanishing or exploding gradients from the per-layer factor G n Var[w]",
    difficulty=2,
    minutes=4,
    section=S_RECURSION,
    draw=lambda rng: _layer_factor_draw(rng),
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
    while True:
        params = dict(
            x=_batch(rng), gamma=float(_pick(rng, (0.5, 1.0, 2.0, 3.0))), beta=float(_pick(rng, (-1.0, 0.0, 0.5, 1.0)))
        )
        if params["x"] != WORKED_BATCH:
            return params


def _fresh_batch(rng: np.random.Generator) -> list[int]:
    while True:
        x = _batch(rng)
        if x != WORKED_BATCH:
            return x


def _bn_unbiased(x: list[float], gamma: float, beta: float) -> tuple[float, ...]:
    arr = np.array(x, dtype=float)
    return tuple(gamma * (arr - arr.mean()) / np.sqrt(arr.var(ddof=1) + 1e-5) + beta)


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
    params=dict(x=[2, 4, 5, 9], gamma=1.5, beta=-1.0),
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
    hints=["Mean first, then the average squared deviation (divide by 4, not 3), then normalize, scale by "
           "$\\gamma = {gamma}$ and shift by $\\beta = {beta}$."],
    mistakes=[
        mistake("unbiased variance", _bn_unbiased,
                "You divided by $m - 1 = 3$. Batch normalization normalizes with the *biased* batch variance (divide "
                "by $m = 4$); only the running estimate uses the unbiased one."),
        mistake("forgot gamma and beta", lambda x, gamma, beta: _bn_outputs(x, 1.0, 0.0),
                "Those are the normalized $\\hat x_i$; the layer's output is $\\gamma \\hat x_i + \\beta$."),
    ],
    objective="normalize a small batch by hand in training mode",
    difficulty=2,
    minutes=4,
    section=S_BN,
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
    params=dict(x=[2, 4, 5, 9], gamma=1.5, beta=-1.0, dy=[1, -1, 0, 2]),
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
    hints=["First the normalized batch $\\hat x$ (as in the previous exercise); then two sums over the batch."],
    mistakes=[
        mistake("x instead of x-hat", lambda x, gamma, beta, dy: (float(np.dot(dy, x)), float(sum(dy))),
                "$\\gamma$ multiplies the *normalized* $\\hat x_i$, so $\\partial L/\\partial \\gamma = \\sum_i "
                "\\partial L/\\partial y_i \\, \\hat x_i$, not $\\ldots x_i$."),
        mistake("mean instead of sum", lambda x, gamma, beta, dy: tuple(
                    v / len(x) for v in _bn_parameter_gradients(x, gamma, beta, dy)),
                "$\\gamma$ and $\\beta$ are shared by the whole batch, so their gradients *add* the contributions of "
                "all examples (no division by $m$)."),
    ],
    objective="back-propagate to the scale and shift of batch normalization",
    difficulty=2,
    minutes=4,
    section=S_BN_BACKWARD,
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
    params=dict(x=[2, 4, 5, 9], momentum=0.1),
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
    hints=["The unbiased variance of {x} divides the sum of squared deviations by 3."],
    mistakes=[
        mistake("biased variance in the running estimate", lambda x, momentum: (
                    momentum * float(np.mean(x)), (1 - momentum) + momentum * float(np.var(x))),
                "The running variance estimates the population, so PyTorch feeds it the *unbiased* batch variance "
                "(divide by $m - 1$), unlike the normalization itself."),
        mistake("momentum the Keras way", lambda x, momentum: (
                    (1 - momentum) * float(np.mean(x)), momentum + (1 - momentum) * float(np.var(x, ddof=1))),
                "In PyTorch the momentum weights the *new* batch: running = (1 - m) running + m batch. (Keras's momentum "
                "weights the old value, so PyTorch's 0.1 is Keras's 0.9.)"),
    ],
    objective="update batch normalization's running statistics",
    difficulty=2,
    minutes=4,
    section=S_BN_TRAIN_EVAL,
    draw=lambda rng: dict(x=_fresh_batch(rng), momentum=float(_pick(rng, (0.1, 0.2, 0.5)))),
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
    params=dict(x=[2, 4, 5, 9], momentum=0.1, test=4),
    prompt=(
        "The layer of the previous exercise ($\\gamma = 1$, $\\beta = 0$, $\\epsilon = 10^{{-5}}$, after that "
        "one training batch $x = {x}$ with momentum {momentum}) is switched to evaluation mode and given a single "
        "example with value {test}. What does it output (3 decimal places)?"
    ),
    hint="A batch of one has no useful batch statistics: evaluation mode normalizes with the running mean and "
    "running variance.",
    solution=_eval_solution,
    decimals=3,
    hints=["Take the running mean and variance from the previous exercise and compute "
           "$(x - \\text{{mean}})/\\sqrt{{\\text{{var}} + \\epsilon}}$."],
    mistakes=[
        mistake("batch statistics in evaluation mode", lambda x, momentum, test: float(
                    (test - np.mean(x)) / np.sqrt(np.var(x) + 1e-5)),
                "You normalized with the training batch's own mean and variance. In evaluation mode the layer uses "
                "its *running* statistics (after one step still close to 0 and 1)."),
    ],
    objective="compute a batch-normalization output in evaluation mode",
    difficulty=2,
    minutes=3,
    section=S_BN_TRAIN_EVAL,
    draw=lambda rng: dict(
        x=_fresh_batch(rng), momentum=float(_pick(rng, (0.1, 0.2, 0.5))), test=int(rng.integers(-3, 8))
    ),
)
def bn_eval_output(x: list[float], momentum: float, test: float) -> float:
    return _eval_output(x, momentum, test)


# -- residual and dense networks ------------------------------------------------------------
def _dense_draw(rng: np.random.Generator) -> dict:
    while True:
        params = dict(k0=_pick(rng, (16, 24, 32, 64, 128, 256)), k=_pick(rng, (12, 24, 32, 48)),
                      layers=int(rng.integers(2, 25)))
        if params != dict(k0=64, k=32, layers=6):  # DenseNet-121's first block, worked in the chapter
            return params


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
    params=dict(k0=24, k=12, layers=16),
    prompt=(
        "A dense block receives {k0} channels and has {layers} layers, each producing $k = {k}$ new feature maps "
        "(the growth rate). How many channels does its last layer receive, and how many channels leave the block?"
    ),
    hint="Dense connections concatenate (they do not add): layer $l$ sees $k_0 + (l-1)k$ channels.",
    solution=_dense_solution,
    labels=["channels into the last layer", "channels out of the block"],
    hints=["Layer {layers} sees the block input and the maps of the {layers} - 1 layers before it."],
    mistakes=[
        mistake("forgot the block input", lambda k0, k, layers: ((layers - 1) * k, layers * k),
                "Layer $l$ also receives the block input: $k_0 + (l - 1)k$."),
        mistake("counted the layer's own maps", lambda k0, k, layers: (k0 + layers * k, k0 + layers * k),
                "A layer receives only the maps of the layers *before* it: $k_0 + (l - 1)k$ for layer $l$."),
    ],
    objective="count the channels in a dense block",
    difficulty=1,
    minutes=3,
    section=S_SKIPS,
    draw=lambda rng: _dense_draw(rng),
)
def dense_channels(k0: int, k: int, layers: int) -> tuple[int, int]:
    ch = dense_block_channels(k0, k, layers)
    return ch[-2], ch[-1]


_RD_HINT = (
    "Ask what happens to the number of channels: after a residual block it stays the same, inside a dense "
    "block it grows by the growth rate at every layer."
)
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
    hint=_RD_HINT,
    solution=(
        "A residual block computes $h + F(h)$: the skip connection **adds** the input to the residual $F$ "
        "computed by the bypassed layers (usually two), so the width is unchanged and the gradient has an "
        "identity path. Inside a dense block layer $l$ receives the **concatenation** "
        "$[h_0, h_1, \\ldots, h_{{l-1}}]$, so the number of channels grows by the growth rate at every layer; "
        "transition layers (1x1 convolution and pooling) between blocks shrink it again."
    ),
    choices=RESIDUAL_VS_DENSE,
    mistakes=[
        mistake("swapped", lambda: RESIDUAL_VS_DENSE[0],
                "That swaps the two: the residual block *adds*, the dense block *concatenates*. Hint: " + _RD_HINT),
    ],
    objective="tell residual (addition) from dense (concatenation) connections",
    difficulty=1,
    minutes=2,
    section=S_SKIPS,
)
def residual_vs_dense() -> str:
    return RESIDUAL_VS_DENSE[2]


_RELU_HINT = "Compute $G \\, n \\, \\mathrm{{Var}}[w]$ with $G = 1/2$ for each option; you want 1."
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
    hint=_RELU_HINT,
    solution=(
        "With $G = 1/2$ the per-layer factor is $\\frac{{1}}{{2}} n \\mathrm{{Var}}[w]$. He's $2/n$ makes it exactly 1. "
        "Xavier's $2/(n + n) = 1/n$ makes it $1/2$: the gradient variance halves at every layer, "
        "$2^{{-50}} \\approx 10^{{-15}}$ after 50 layers. $\\mathrm{{Var}}[w] = 1$ makes it $n/2$: it explodes."
    ),
    choices=SCHEME_FOR_RELU,
    mistakes=[
        mistake("Xavier for ReLU", lambda: SCHEME_FOR_RELU[0],
                "Xavier assumes $G = 1$; with ReLU's $G = 1/2$ its factor is $1/2$ per layer, and the gradient "
                "variance halves at every layer. Hint: " + _RELU_HINT),
    ],
    objective="choose the initialization that keeps a deep ReLU network's gradients healthy",
    difficulty=1,
    minutes=2,
    section=S_SCHEMES,
)
def scheme_for_relu() -> str:
    # the answer is the option whose per-layer factor G n Var[w] is closest to 1
    factors = {0: "xavier_normal", 1: "he_normal", 3: "normal"}
    best = min(factors, key=lambda i: abs(math.log(layer_factor("relu", factors[i], 512))))
    return SCHEME_FOR_RELU[best]


# -- new topics: fans in both directions, PyTorch's default, symmetry, the normalization family ----------
@exercise(
    id="init-he-fan-out",
    chapter=CHAPTER,
    title="He initialization on a layer that is not square",
    params=dict(n_in=256, n_out=1024),
    prompt=(
        "A ReLU layer maps {n_in} inputs to {n_out} outputs and is initialized with He normal, "
        "$\\mathrm{{Var}}[w] = 2/n_{{in}}$ (`mode=\"fan_in\"`). By what factor does it multiply the variance of the "
        "pre-activations on the way forward, and the variance of the gradient on the way back?"
    ),
    hint="Forward, each output sums $n_{{in}}$ terms: factor $G_0 \\, n_{{in}} \\mathrm{{Var}}[w]$. Backward, each input "
    "collects $n_{{out}}$ terms: factor $G \\, n_{{out}} \\mathrm{{Var}}[w]$. For ReLU both constants are $1/2$.",
    solution=lambda n_in, n_out: (
        f"Forward: $\\tfrac12 \\cdot {n_in} \\cdot 2/{n_in} = 1$, which is what `fan_in` mode balances. Backward: "
        f"$\\tfrac12 \\cdot {n_out} \\cdot 2/{n_in} = {n_out}/{n_in} = {n_out / n_in:g}$. Only a square layer gets 1 "
        "in both directions; `mode=\"fan_out\"` ($2/n_{{out}}$) would balance the backward pass instead. Over a whole "
        "network the backward factors multiply to $n_{{out}}/n_{{in}}$ of the ends only, so either choice avoids "
        "exponential drift."
    ),
    labels=["forward factor", "backward factor"],
    decimals=3,
    hints=["Forward: $\\tfrac12 \\cdot {n_in} \\cdot 2/{n_in}$. Backward: replace the first ${n_in}$ by ${n_out}$."],
    mistakes=[
        mistake("the fan-in in both directions", lambda n_in, n_out: (1.0, 1.0),
                "Forward is right. The backward sum runs over the {n_out} units each input feeds (the fan-out), so "
                "the backward factor is $n_{{out}}/n_{{in}}$."),
        mistake("directions swapped", lambda n_in, n_out: (n_out / n_in, 1.0),
                "Swapped: forward each output reads $n_{{in}}$ inputs (factor 1 with He's $2/n_{{in}}$); backward each "
                "input feeds $n_{{out}}$ outputs."),
    ],
    objective="say which fan each initialization balances, forward and backward",
    difficulty=2,
    minutes=3,
    section=S_SCHEMES,
    draw=lambda rng: _unequal_fans(rng),
)
def he_fan_out(n_in: int, n_out: int) -> tuple[float, float]:
    forward = layer_factor("relu", "he_normal", n_in, n_out, direction="forward")
    backward = layer_factor("relu", "he_normal", n_in, n_out)
    return forward, backward


def _unequal_fans(rng: np.random.Generator) -> dict:
    while True:
        n_in, n_out = _pick(rng, FANS), _pick(rng, FANS)
        if n_in != n_out:
            return dict(n_in=n_in, n_out=n_out)


@exercise(
    id="init-pytorch-default",
    chapter=CHAPTER,
    title="PyTorch's default initialization",
    params=dict(n_in=300, n_out=100),
    prompt=(
        "`torch.nn.Linear({n_in}, {n_out})` initializes its weights, unless told otherwise, with "
        "`kaiming_uniform_(w, a=math.sqrt(5))`: $U(-b, b)$ with $b = 1/\\sqrt{{n_{{in}}}}$. Give $b$ and the variance "
        "of each weight (6 decimals)."
    ),
    hint="$U(-b, b)$ has variance $b^2/3$.",
    solution=lambda n_in, n_out: (
        f"$b = 1/\\sqrt{{{n_in}}} = {1 / math.sqrt(n_in):.6f}$ and $\\mathrm{{Var}}[w] = b^2/3 = 1/(3 \\cdot {n_in}) = "
        f"{pytorch_default_variance(n_in):.6f}$: a third of LeCun's $1/n_{{in}}$ and a sixth of He's $2/n_{{in}}$. The "
        "default is *not* He initialization; for a deep ReLU network it gives a per-layer factor of 1/6."
    ),
    labels=["bound b", "variance"],
    decimals=6,
    hints=["$b^2 = 1/{n_in}$; divide by 3."],
    mistakes=[
        mistake("assumed the default is He", lambda n_in, n_out: (math.sqrt(6 / n_in), 2 / n_in),
                "That is He initialization ($2/n_{{in}}$). PyTorch's default uses $a = \\sqrt 5$, whose gain "
                "$\\sqrt{{2/(1 + 5)}}$ gives a variance of $1/(3 n_{{in}})$."),
        mistake("forgot the 1/3 of the uniform", lambda n_in, n_out: (1 / math.sqrt(n_in), 1 / n_in),
                "$b$ is right, but the variance of $U(-b, b)$ is $b^2/3$, not $b^2$."),
    ],
    objective="know the variance of PyTorch's default layer initialization",
    difficulty=1,
    minutes=3,
    section=S_DEFAULT,
    draw=lambda rng: dict(n_in=_pick(rng, FANS), n_out=_pick(rng, FANS)),
)
def pytorch_default(n_in: int, n_out: int) -> tuple[float, float]:
    var = weight_variance("pytorch_default", (n_out, n_in))
    return math.sqrt(3 * var), var


SYMMETRY = (
    "They are still exactly equal: equal units get equal gradients, so no step can tell them apart.",
    "They drift apart because the inputs differ from example to example.",
    "They drift apart because the biases are updated too.",
    "They all become 0, since the gradient of a constant is 0.",
)


@exercise(
    id="init-symmetry",
    chapter=CHAPTER,
    title="Why not start with equal weights?",
    prompt=(
        "Every weight of a two-layer tanh network (hidden layer and output layer) starts at the same value 0.5, the "
        "biases at 0. After 50 steps of gradient descent on a regression task, what do the hidden units look like?"
    ),
    hint="Write the gradient of two hidden units' incoming weights: every factor in it is the same for both units.",
    solution=(
        "All hidden units compute the same function, receive the same output weight, and therefore get identical "
        "gradients; identical updates keep them identical, at every step, whatever the data and the biases. The "
        "network behaves as if it had one hidden unit. Random initialization breaks this symmetry. (nnbook's "
        "`symmetry_check` trains exactly this network: the largest difference between two units stays 0.0.)"
    ),
    choices=SYMMETRY,
    mistakes=[
        mistake("the data breaks it", lambda: SYMMETRY[1],
                "Different examples move all hidden units in the *same* way, because the units are identical. Hint: "
                "Write the gradient of two hidden units' incoming weights: every factor in it is the same for both units."),
    ],
    objective="explain why weights must be initialized randomly (symmetry breaking)",
    difficulty=1,
    minutes=2,
    section=S_SYMMETRY,
)
def symmetry() -> str:
    return SYMMETRY[0] if symmetry_check("constant", steps=50) == 0.0 else SYMMETRY[1]


@exercise(
    id="init-norm-statistics",
    chapter=CHAPTER,
    title="How many values does each normalization average over?",
    params=dict(n=16, c=32, h=14, w=14),
    prompt=(
        "A convolutional feature map has shape $(N, C, H, W) = ({n}, {c}, {h}, {w})$. How many numbers does each mean "
        "(and variance) average over in `BatchNorm2d({c})`, and in a layer normalization over $(C, H, W)$?"
    ),
    hint="Batch norm keeps one statistic per channel and pools everything else; layer norm keeps one per example and "
    "pools everything else.",
    solution=lambda n, c, h, w: (
        f"Batch norm: one mean per channel over the batch and all positions, $N H W = {n} \\cdot {h} \\cdot {w} = "
        f"{normalized_axes('batch', (n, c, h, w))[1]}$ values ({c} statistics). Layer norm: one mean per example over "
        f"its channels and positions, $C H W = {c} \\cdot {h} \\cdot {w} = {normalized_axes('layer', (n, c, h, w))[1]}$ "
        f"values ({n} statistics). With $N = 1$ batch norm would still have $H W$ values per channel, but for a fully "
        "connected layer ($H = W = 1$) only one: no variance at all, which is why batch norm needs batches."
    ),
    labels=["batch norm", "layer norm"],
    hints=["Batch norm: multiply $N$, $H$ and $W$. Layer norm: multiply $C$, $H$ and $W$."],
    mistakes=[
        mistake("batch norm over the batch only", lambda n, c, h, w: (n, c * h * w),
                "For a convolution, batch norm pools every position too (one statistic per *channel*): $N H W$, not $N$."),
        mistake("swapped", lambda n, c, h, w: (c * h * w, n * h * w),
                "Swapped: batch norm averages over the batch (and positions), layer norm over one example's features."),
    ],
    objective="say which axes batch norm and layer norm pool, and count the values",
    difficulty=1,
    minutes=3,
    section=S_NORMS,
    draw=lambda rng: dict(n=_pick(rng, (1, 2, 8, 16, 32, 64)), c=_pick(rng, (16, 32, 64, 128)),
                          h=_pick(rng, (7, 8, 14, 28, 32)), w=_pick(rng, (7, 8, 14, 28, 32))),
)
def norm_statistics(n: int, c: int, h: int, w: int) -> tuple[int, int]:
    return normalized_axes("batch", (n, c, h, w))[1], normalized_axes("layer", (n, c, h, w))[1]


@exercise(
    id="init-bn-parameters",
    chapter=CHAPTER,
    title="Parameters of a convolution followed by batch norm",
    params=dict(c_in=64, c_out=128, k=3),
    prompt=(
        "A block is `Conv2d({c_in}, {c_out}, kernel_size={k}, bias=False)` followed by `BatchNorm2d({c_out})`. How many "
        "learnable parameters does the block have, and how many numbers does the batch norm store as running "
        "statistics (running mean and running variance)?"
    ),
    hint="The convolution has $C_{{out}} C_{{in}} k^2$ weights (no bias); batch norm learns $\\gamma$ and $\\beta$ per "
    "channel and keeps a running mean and variance per channel, which are buffers, not parameters.",
    solution=lambda c_in, c_out, k: (
        f"Convolution: ${c_out} \\cdot {c_in} \\cdot {k}^2 = {c_out * c_in * k * k}$ weights. Batch norm: "
        f"$2 \\cdot {c_out} = {parameter_counts(c_out)[0]}$ learnable ($\\gamma$, $\\beta$), so "
        f"{c_out * c_in * k * k + parameter_counts(c_out)[0]} in total, plus $2 \\cdot {c_out} = {2 * c_out}$ running "
        "statistics (PyTorch adds a step counter, `num_batches_tracked`). `bias=False` is right: batch norm subtracts "
        "the batch mean, which removes any bias added before it, and $\\beta$ plays its role."
    ),
    labels=["learnable parameters", "running statistics"],
    hints=["Add ${c_out} \\cdot {c_in} \\cdot {k}^2$ and $2 \\cdot {c_out}$."],
    mistakes=[
        mistake("counted the running statistics as parameters", lambda c_in, c_out, k: (
                    c_out * c_in * k * k + 4 * c_out, 2 * c_out),
                "The running mean and variance are *buffers*: saved with the model but not trained. Only $\\gamma$ "
                "and $\\beta$ are learnable."),
        mistake("added the useless conv bias", lambda c_in, c_out, k: (c_out * c_in * k * k + 3 * c_out, 2 * c_out),
                "The convolution has `bias=False`: a bias before batch norm is removed by the mean subtraction."),
    ],
    objective="count the parameters and buffers of batch normalization",
    difficulty=1,
    minutes=3,
    section=S_BN_FACTS,
    draw=lambda rng: dict(c_in=_pick(rng, (3, 16, 32, 64, 128)), c_out=_pick(rng, (16, 32, 64, 128, 256)),
                          k=_pick(rng, (1, 3, 5))),
)
def bn_parameters(c_in: int, c_out: int, k: int) -> tuple[int, int]:
    learnable, buffers = parameter_counts(c_out)
    return c_out * c_in * k * k + learnable, buffers - 1  # minus PyTorch's step counter
