"""Exercises of the CNN sizing chapter: the seeds' sizing problems, with variants.

Every answer is computed by :mod:`nnbook.sizing` (``summarize`` and ``solve``).
"""

from __future__ import annotations

import math

import numpy as np

from ..conv import output_size
from ..sizing import Conv2d, Linear, MaxPool2d, ReLU, solve, summarize
from ._core import exercise

CHAPTER = "sizing"
ROW_LABELS = ["weights per neuron (with bias)", "width = height", "neurons", "connections",
              "independent parameters"]


def _int(rng: np.random.Generator, low: int, high: int) -> int:
    """An integer in [low, high]."""
    return int(rng.integers(low, high + 1))


def _pick(rng: np.random.Generator, options: list[int]) -> int:
    return int(options[int(rng.integers(len(options)))])


# -- the Atari DQN, layer by layer ------------------------------------------------------------
def _dqn(n, c, f1, k1, s1, f2, k2, s2, hidden=256, actions=18):
    return summarize((c, n, n), [Conv2d(f1, k1, stride=s1), ReLU(), Conv2d(f2, k2, stride=s2), ReLU(),
                                 Linear(hidden), ReLU(), Linear(actions)])


def _conv_row(row):
    return (row.weights_per_neuron, row.output_shape[1], row.neurons, row.connections, row.params)


DQN = dict(n=84, c=4, f1=16, k1=8, s1=4, f2=32, k2=4, s2=2)


def _draw_dqn(rng):
    return dict(n=_int(rng, 48, 128), c=_int(rng, 1, 4), f1=_pick(rng, [8, 16, 32]), k1=_int(rng, 3, 8),
                s1=_int(rng, 1, 4), f2=_pick(rng, [16, 32, 64]), k2=_int(rng, 2, 5), s2=_int(rng, 1, 3))


def _conv1_solution(n, c, f1, k1, s1, **_):
    side = output_size(n, k1, stride=s1)
    w = c * k1 * k1 + 1
    return (
        f"Each neuron sees a window of ${k1} \\times {k1}$ pixels in all {c} input channels, plus a bias: "
        f"${k1} \\cdot {k1} \\cdot {c} + 1 = {w}$ weights.\n"
        f"Width and height: $\\lfloor ({n} - {k1}) / {s1} \\rfloor + 1 = {side}$.\n"
        f"Neurons: ${side} \\cdot {side} \\cdot {f1} = {side * side * f1}$; "
        f"connections: ${side * side * f1} \\cdot {w} = {side * side * f1 * w}$.\n"
        f"The {f1} filters are shared over all positions: ${f1} \\cdot {w} = {f1 * w}$ independent parameters."
    )


@exercise(
    id="sizing-dqn-conv1",
    chapter=CHAPTER,
    title="First convolutional layer of a game-playing network",
    params=DQN,
    prompt=(
        "The input of a network is a stack of {c} gray-scale frames of ${n} \\times {n}$ pixels "
        "(so {c} channels). Its first layer convolves {f1} filters of size ${k1} \\times {k1}$ with "
        "stride {s1} and no padding. Give, for this layer: the weights per neuron (including the "
        "bias), the width (= height) of its output, the number of neurons, the number of connections "
        "into them, and the number of independent parameters."
    ),
    hint="A neuron's window spans every input channel; connections count every neuron separately, "
    "parameters count each filter once (weights plus its bias).",
    solution=_conv1_solution,
    labels=ROW_LABELS,
    draw=_draw_dqn,
)
def dqn_conv1(n, c, f1, k1, s1, f2, k2, s2):
    return _conv_row(_dqn(n, c, f1, k1, s1, f2, k2, s2).rows[0])


def _conv2_solution(n, c, f1, k1, s1, f2, k2, s2):
    side1 = output_size(n, k1, stride=s1)
    side = output_size(side1, k2, stride=s2)
    w = f1 * k2 * k2 + 1
    return (
        f"The first layer outputs ${f1} \\times {side1} \\times {side1}$, so each neuron of the second "
        f"layer sees ${k2} \\cdot {k2} \\cdot {f1} + 1 = {w}$ weights (the bias included).\n"
        f"Width and height: $\\lfloor ({side1} - {k2}) / {s2} \\rfloor + 1 = {side}$; neurons "
        f"${side} \\cdot {side} \\cdot {f2} = {side * side * f2}$; connections ${side * side * f2 * w}$; "
        f"independent parameters ${f2} \\cdot {w} = {f2 * w}$."
    )


@exercise(
    id="sizing-dqn-conv2",
    chapter=CHAPTER,
    title="Second convolutional layer: its input is the first layer's output",
    params=DQN,
    prompt=(
        "Same network: a ${c} \\times {n} \\times {n}$ input, then {f1} filters ${k1} \\times {k1}$ with "
        "stride {s1}, then a second layer of {f2} filters ${k2} \\times {k2}$ with stride {s2} (no "
        "padding anywhere). For the second layer give: weights per neuron (with bias), output width "
        "(= height), neurons, connections, independent parameters."
    ),
    hint="The second layer's input channels are the first layer's filters, not the image's channels.",
    solution=_conv2_solution,
    labels=ROW_LABELS,
    draw=_draw_dqn,
)
def dqn_conv2(n, c, f1, k1, s1, f2, k2, s2):
    return _conv_row(_dqn(n, c, f1, k1, s1, f2, k2, s2).rows[2])


def _dense_solution(n, c, f1, k1, s1, f2, k2, s2, hidden):
    s = _dqn(n, c, f1, k1, s1, f2, k2, s2, hidden)
    inputs = math.prod(s.rows[3].output_shape)
    shape = " \\times ".join(str(d) for d in s.rows[3].output_shape)
    return (
        f"The second layer outputs ${shape} = {inputs}$ "
        f"numbers, and every dense neuron sees all of them plus its bias: ${inputs} + 1 = {inputs + 1}$ weights.\n"
        f"Neurons: {hidden}. Nothing is shared, so connections = parameters = "
        f"${hidden} \\cdot {inputs + 1} = {hidden * (inputs + 1)}$."
    )


@exercise(
    id="sizing-dqn-dense",
    chapter=CHAPTER,
    title="The fully-connected layer after the convolutions",
    params=dict(DQN, hidden=256),
    prompt=(
        "Same network (${c} \\times {n} \\times {n}$ input; {f1} filters ${k1} \\times {k1}$ stride {s1}; "
        "{f2} filters ${k2} \\times {k2}$ stride {s2}; no padding), followed by a fully-connected layer "
        "of {hidden} units. For that layer give: weights per neuron (with bias), neurons, connections, "
        "independent parameters."
    ),
    hint="Flatten the second layer's output: channels times width times height inputs, plus one bias.",
    solution=_dense_solution,
    labels=["weights per neuron (with bias)", "neurons", "connections", "independent parameters"],
    draw=lambda rng: dict(_draw_dqn(rng), hidden=_pick(rng, [64, 128, 256, 512])),
)
def dqn_dense(n, c, f1, k1, s1, f2, k2, s2, hidden):
    row = _dqn(n, c, f1, k1, s1, f2, k2, s2, hidden).rows[4]
    return (row.weights_per_neuron, row.neurons, row.connections, row.params)


@exercise(
    id="sizing-dqn-output",
    chapter=CHAPTER,
    title="The output layer: one unit per action",
    params=dict(hidden=256, actions=18),
    prompt=(
        "The last hidden layer of a network has {hidden} units; the output layer is fully connected "
        "with one linear unit for each of {actions} actions. Give its weights per neuron (with bias), "
        "connections and independent parameters."
    ),
    hint="Each output unit sees every hidden unit and has a bias; nothing is shared.",
    solution="Weights per neuron: ${hidden} + 1$. Connections = parameters = ${actions} \\cdot ({hidden} + 1)$. "
    "Answer: {answer}.",
    labels=["weights per neuron (with bias)", "connections", "independent parameters"],
    draw=lambda rng: dict(hidden=_pick(rng, [64, 128, 256, 512, 1024]), actions=_int(rng, 4, 18)),
)
def dqn_output(hidden, actions):
    row = summarize((hidden,), [Linear(actions)]).rows[0]
    return (row.weights_per_neuron, row.connections, row.params)


# -- the RGB network with pooling -------------------------------------------------------------
RGB = dict(n=256, f1=64, k1=8, s1=2, pool=5, f3=128, k3=4, p3=1)


def _rgb(n, f1, k1, s1, pool, f3, k3, p3, bias=True):
    return summarize((3, n, n), [Conv2d(f1, k1, stride=s1), MaxPool2d(pool), Conv2d(f3, k3, padding=p3, bias=bias)])


def _draw_rgb(rng):
    return dict(n=_pick(rng, [128, 160, 192, 224, 256, 320]), f1=_pick(rng, [16, 32, 64]), k1=_int(rng, 3, 8),
                s1=_int(rng, 1, 2), pool=_int(rng, 2, 5), f3=_pick(rng, [32, 64, 128]), k3=_int(rng, 2, 5),
                p3=_int(rng, 0, 2))


RGB_PROMPT = (
    "An RGB image of ${n} \\times {n}$ pixels goes through: {f1} kernels ${k1} \\times {k1}$ with "
    "stride {s1} and no padding; then ${pool} \\times {pool}$ max pooling with non-overlapping "
    "windows; then {f3} kernels ${k3} \\times {k3}$ with stride 1 and zero-padding {p3} on each border. "
)


def _rgb_shapes_solution(n, f1, k1, s1, pool, f3, k3, p3):
    a = output_size(n, k1, stride=s1)
    b = output_size(a, pool, stride=pool)
    c = output_size(b, k3, padding=p3)
    return (
        f"$\\lfloor ({n} - {k1}) / {s1} \\rfloor + 1 = {a}$, so ${f1} \\times {a} \\times {a}$. "
        f"Pooling with stride {pool}: $\\lfloor ({a} - {pool}) / {pool} \\rfloor + 1 = {b}$, so "
        f"${f1} \\times {b} \\times {b}$. Last layer: ${b} + 2 \\cdot {p3} - {k3} + 1 = {c}$, so "
        f"${f3} \\times {c} \\times {c} = {f3 * c * c}$ numbers."
    )


@exercise(
    id="sizing-rgb-shapes",
    chapter=CHAPTER,
    title="Shapes through a network with pooling",
    params=RGB,
    prompt=RGB_PROMPT + "Give the width (= height) after each of the three layers, and the number of "
    "values in the last layer's output.",
    hint="Non-overlapping pooling has stride equal to its window; the last layer outputs channels times "
    "width times height values.",
    solution=_rgb_shapes_solution,
    labels=["side after layer 1", "side after pooling", "side after layer 3", "values in the last output"],
    draw=_draw_rgb,
)
def rgb_shapes(n, f1, k1, s1, pool, f3, k3, p3):
    s = _rgb(n, f1, k1, s1, pool, f3, k3, p3)
    return (*(r.output_shape[1] for r in s.rows), math.prod(s.output_shape))


@exercise(
    id="sizing-rgb-last-params",
    chapter=CHAPTER,
    title="Parameters of the last layer, with and without biases",
    params=RGB,
    prompt=RGB_PROMPT + "How many parameters does the last layer have without biases, and with them?",
    hint="The last layer's kernels span the channels that come out of the pooling layer, not the image's 3.",
    solution=lambda n, f1, k1, s1, pool, f3, k3, p3: (
        f"Each of the {f3} kernels has ${k3} \\cdot {k3} \\cdot {f1} = {k3 * k3 * f1}$ weights (the pooling "
        f"layer keeps the {f1} channels and has no parameters): ${f3} \\cdot {k3 * k3 * f1} = "
        f"{f3 * k3 * k3 * f1}$ without biases, plus {f3} biases: {f3 * (k3 * k3 * f1 + 1)}."
    ),
    labels=["without biases", "with biases"],
    draw=_draw_rgb,
)
def rgb_last_params(n, f1, k1, s1, pool, f3, k3, p3):
    last = _rgb(n, f1, k1, s1, pool, f3, k3, p3).rows[-1]
    return (last.params_without_biases, last.params)


# -- configurations ----------------------------------------------------------------------------
def _unique(solutions):
    if len(solutions) != 1:
        raise ValueError(f"expected exactly one configuration, found {len(solutions)}")
    return solutions[0]


def _draw_first(rng):
    n = _pick(rng, [32, 48, 64, 96, 128])
    return dict(n=n, out=n // _pick(rng, [2, 4]), k=_int(rng, 3, 9))


@exercise(
    id="sizing-config-stride-padding",
    chapter=CHAPTER,
    title="Find the stride and the padding",
    params=dict(n=64, out=32, k=8),
    prompt=(
        "A convolution with kernel size ${k} \\times {k}$ and no dilation turns an input of size ${n} \\times {n}$ "
        "into a ${out} \\times {out}$ output. Which stride $s \\le 8$ and padding $p \\le {k} - 1$ "
        "(no window made only of padding) does it use? There is exactly one answer."
    ),
    hint="Try s = 1, 2, ... and solve $\\lfloor (n + 2p - k)/s \\rfloor + 1 = $ output for p.",
    solution=lambda n, out, k: (
        f"With $s = {_unique(solve(n, out, kernel_size=k, dilation=1)).stride}$ and "
        f"$p = {_unique(solve(n, out, kernel_size=k, dilation=1)).padding}$: "
        f"$\\lfloor ({n} + 2p - {k}) / s \\rfloor + 1 = {out}$; no other stride $s \\le 8$ works with "
        f"$p \\le {k - 1}$ (`solve({n}, {out}, kernel_size={k}, dilation=1)` lists the only solution)."
    ),
    labels=["stride s", "padding p"],
    draw=_draw_first,
)
def config_stride_padding(n, out, k):
    c = _unique(solve(n, out, kernel_size=k, dilation=1))
    return (c.stride, c.padding)


@exercise(
    id="sizing-config-pooling",
    chapter=CHAPTER,
    title="A non-overlapping pooling window",
    params=dict(n=32, out=8),
    prompt=(
        "A pooling layer with a non-overlapping window (stride = window size $k$), no padding and no "
        "dilation turns a map of size ${n} \\times {n}$ into ${out} \\times {out}$. What is $k$?"
    ),
    hint="With $s = k$ and no padding the output is $\\lfloor n / k \\rfloor$.",
    solution="$\\lfloor {n} / k \\rfloor = {out}$ holds only for $k = {answer}$.",
    draw=lambda rng: dict(n=_int(rng, 12, 100), out=_int(rng, 2, 12)),
)
def config_pooling(n, out):
    return _unique(solve(n, out, padding=0, non_overlapping=True, pooling=True)).kernel_size


@exercise(
    id="sizing-pooling-output",
    chapter=CHAPTER,
    title="Overlapping pooling instead",
    params=dict(n=32, k=8, s=4),
    prompt="A map of size ${n} \\times {n}$ is pooled with a window of size ${k} \\times {k}$ and stride {s} (no "
    "padding). What is the output width (= height)?",
    hint="$\\lfloor (n - k)/s \\rfloor + 1$.",
    solution="$\\lfloor ({n} - {k}) / {s} \\rfloor + 1 = {answer}$.",
    draw=lambda rng: dict(n=_int(rng, 16, 64), k=_int(rng, 2, 8), s=_int(rng, 2, 5)),
)
def pooling_output(n, k, s):
    return summarize((1, n, n), [MaxPool2d(k, stride=s)]).output_shape[1]


@exercise(
    id="sizing-config-count",
    chapter=CHAPTER,
    title="How many right answers?",
    params=dict(n=8, out=4, p=1, d=1),
    prompt=(
        "A layer turns a map of size ${n} \\times {n}$ into ${out} \\times {out}$ with padding {p} and dilation {d}. "
        "How many (kernel size, stride) pairs with $1 \\le k \\le 11$ and $1 \\le s \\le 8$ do that?"
    ),
    hint="For each stride, find the kernel sizes with $\\lfloor (n + 2p - d(k-1) - 1)/s \\rfloor + 1$ equal "
    "to the output; do not stop at the first one.",
    solution=lambda n, out, p, d: (
        f"`solve({n}, {out}, padding={p}, dilation={d})` lists them: "
        + "; ".join(f"$k = {c.kernel_size}, s = {c.stride}$" for c in solve(n, out, padding=p, dilation=d))
        + "."
    ),
    draw=lambda rng: dict(n=_int(rng, 6, 16), out=_int(rng, 2, 5), p=_int(rng, 0, 2), d=_int(rng, 1, 2)),
)
def config_count(n, out, p, d):
    count = len(solve(n, out, padding=p, dilation=d))
    if count == 0:
        raise ValueError("no configuration: draw again")
    return count


# -- factorized convolutions --------------------------------------------------------------------
def _factorized(c_in, size, c_out):
    five = summarize((c_in, size, size), [Conv2d(c_out, 5, padding=2)])
    threes = summarize((c_in, size, size), [Conv2d(c_out, 3, padding=1), ReLU(), Conv2d(c_out, 3, padding=1)])
    return five, threes


@exercise(
    id="sizing-factorized",
    chapter=CHAPTER,
    title="One 5×5 convolution or two 3×3?",
    params=dict(c_in=192, size=28, c_out=64),
    prompt=(
        "A ${c_in} \\times {size} \\times {size}$ map goes either through one $5 \\times 5$ convolution "
        "with {c_out} filters (padding 2), or through two $3 \\times 3$ convolutions with {c_out} filters "
        "each (padding 1). Count parameters (with biases) and multiplications of each path."
    ),
    hint="The second $3 \\times 3$ layer reads the {c_out} channels of the first, not the {c_in} of the input; "
    "multiplications per output value are channels times kernel area.",
    solution=lambda c_in, size, c_out: (
        f"One $5 \\times 5$: ${c_out}(25 \\cdot {c_in} + 1) = {_factorized(c_in, size, c_out)[0].total_params}$ "
        f"parameters, ${size}^2 \\cdot {c_out} \\cdot 25 \\cdot {c_in} = "
        f"{_factorized(c_in, size, c_out)[0].total_multiplications}$ multiplications.\n"
        f"Two $3 \\times 3$: ${c_out}(9 \\cdot {c_in} + 1) + {c_out}(9 \\cdot {c_out} + 1) = "
        f"{_factorized(c_in, size, c_out)[1].total_params}$ parameters, ${size}^2 \\cdot {c_out} \\cdot "
        f"9 \\cdot ({c_in} + {c_out}) = {_factorized(c_in, size, c_out)[1].total_multiplications}$ multiplications."
    ),
    labels=["parameters, one 5×5", "parameters, two 3×3", "multiplications, one 5×5",
            "multiplications, two 3×3"],
    draw=lambda rng: dict(c_in=_pick(rng, [32, 64, 128, 192, 256]), size=_pick(rng, [7, 14, 28, 56]),
                          c_out=_pick(rng, [16, 32, 64, 96])),
)
def factorized(c_in, size, c_out):
    five, threes = _factorized(c_in, size, c_out)
    return (five.total_params, threes.total_params, five.total_multiplications, threes.total_multiplications)


LAYER_CHOICES = ("first convolution", "second convolution", "hidden dense layer", "output layer")


@exercise(
    id="sizing-where-multiplications",
    chapter=CHAPTER,
    title="Where is the time spent?",
    params=dict(DQN, hidden=256),
    prompt=(
        "In the network with a ${c} \\times {n} \\times {n}$ input, {f1} filters ${k1} \\times {k1}$ stride "
        "{s1}, {f2} filters ${k2} \\times {k2}$ stride {s2}, a dense layer of {hidden} units and 18 outputs, "
        "which layer does the most multiplications?"
    ),
    hint="Multiplications per layer are neurons times (weights per neuron minus the bias); the layer with "
    "the most parameters is not necessarily the one with the most multiplications.",
    solution=lambda n, c, f1, k1, s1, f2, k2, s2, hidden: "Per layer: " + ", ".join(
        f"{name} {row.multiplications:,}"
        for name, row in zip(LAYER_CHOICES, [r for r in _dqn(n, c, f1, k1, s1, f2, k2, s2, hidden).rows if r.params])
    ) + ".",
    choices=LAYER_CHOICES,
    draw=lambda rng: dict(_draw_dqn(rng), hidden=_pick(rng, [64, 256, 1024])),
)
def where_multiplications(n, c, f1, k1, s1, f2, k2, s2, hidden):
    rows = [r for r in _dqn(n, c, f1, k1, s1, f2, k2, s2, hidden).rows if r.params]
    counts = [r.multiplications for r in rows]
    best = max(counts)
    if counts.count(best) > 1:
        raise ValueError("a tie: draw again")
    return LAYER_CHOICES[counts.index(best)]
