"""Exercises of the CNN sizing chapter: the seeds' sizing problems, with variants.

Every answer is computed by :mod:`nnbook.sizing` (``summarize`` and ``solve``).
"""

from __future__ import annotations

import math

import numpy as np

from ..conv import output_size
from ..sizing import BatchNorm2d, Conv2d, Linear, MaxPool2d, ReLU, solve, summarize
from ._core import exercise, mistake

CHAPTER = "sizing"
ROW_LABELS = ["weights per neuron (with bias)", "width = height", "neurons", "connections",
              "independent parameters"]


def _int(rng: np.random.Generator, low: int, high: int) -> int:
    """An integer in [low, high]."""
    return int(rng.integers(low, high + 1))


def _pick(rng: np.random.Generator, options: list[int]) -> int:
    return int(options[int(rng.integers(len(options)))])


# Integer answers are checked exactly by the engine (each component on its own), however large:
# a tolerance that grows with the answer would accept off-by-one counts (reliability review, D5).


def _n(value: int) -> str:
    """An integer for TeX math with thousands separators that MathJax does not space: 73{,}856."""
    return f"{value:,}".replace(",", "{,}")


def _fresh(worked: dict, draw):
    """``draw`` that never returns the chapter's worked example (its answer is printed above)."""

    def fresh(rng: np.random.Generator) -> dict:
        for _ in range(1000):
            params = dict(draw(rng))
            if any(params.get(key) != value for key, value in worked.items()):
                return params
        raise RuntimeError("the draw keeps returning the worked example")  # pragma: no cover

    return fresh


# -- the Atari DQN, layer by layer ------------------------------------------------------------
def _dqn(n, c, f1, k1, s1, f2, k2, s2, hidden=256, actions=18):
    return summarize((c, n, n), [Conv2d(f1, k1, stride=s1), ReLU(), Conv2d(f2, k2, stride=s2), ReLU(),
                                 Linear(hidden), ReLU(), Linear(actions)])


def _conv_row(row):
    return (row.weights_per_neuron, row.output_shape[1], row.neurons, row.connections, row.params)


DQN = dict(n=84, c=4, f1=16, k1=8, s1=4, f2=32, k2=4, s2=2)
DQN_SECTION = "The Atari network, step by step"


def _row_values(weights, side, filters, bias=True, shared=True):
    """(weights per neuron, side, neurons, connections, parameters) of a conv layer by hand."""
    w = weights + int(bias)
    neurons = filters * side * side
    return (w, side, neurons, neurons * w, filters * w if shared else neurons * w)


def _ceil_side(n, k, s):
    return -(-(n - k) // s) + 1


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
    hints=["Here: a ${k1} \\times {k1}$ window in each of the {c} channels, plus 1; the side is "
           "$\\lfloor ({n} - {k1})/{s1} \\rfloor + 1$; neurons = {f1} $\\times$ side$^2$."],
    mistakes=[
        mistake("input channels forgotten",
                lambda n, c, f1, k1, s1, **_: _row_values(k1 * k1, output_size(n, k1, stride=s1), f1),
                "Your numbers are those of a one-channel input: the kernel spans all {c} input channels, "
                "so a neuron has ${k1} \\cdot {k1} \\cdot {c} + 1$ weights."),
        mistake("bias forgotten",
                lambda n, c, f1, k1, s1, **_: _row_values(c * k1 * k1, output_size(n, k1, stride=s1), f1, bias=False),
                "You left out the bias: every neuron has one more weight (from a constant input 1), and "
                "every filter one more parameter."),
        mistake("no weight sharing",
                lambda n, c, f1, k1, s1, **_: _row_values(c * k1 * k1, output_size(n, k1, stride=s1), f1,
                                                          shared=False),
                "That counts a separate kernel at every position. A convolution shares each filter over all "
                "positions: parameters = filters $\\times$ (weights per neuron), not connections."),
        mistake("ceil instead of floor",
                lambda n, c, f1, k1, s1, **_: _row_values(c * k1 * k1, _ceil_side(n, k1, s1), f1),
                "The output side rounds *down*: a window that would stick out past the input is not "
                "computed, $\\lfloor ({n} - {k1})/{s1} \\rfloor + 1$."),
    ],
    objective="size a convolutional layer: weights per neuron, output size, neurons, connections, parameters",
    difficulty=1,
    minutes=5,
    section=DQN_SECTION,
    labels=ROW_LABELS,
    draw=_fresh(DQN, _draw_dqn),
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
    hints=["The first layer outputs {f1} maps of side $\\lfloor ({n} - {k1})/{s1} \\rfloor + 1$; the second "
           "layer's window is ${k2} \\times {k2}$ in each of those {f1} maps."],
    mistakes=[
        mistake("image channels instead of the first layer's filters",
                lambda n, c, f1, k1, s1, f2, k2, s2: _row_values(
                    c * k2 * k2, output_size(output_size(n, k1, stride=s1), k2, stride=s2), f2),
                "You used the image's {c} channels; the second layer's input channels are the {f1} "
                "filters of the first layer."),
        mistake("bias forgotten",
                lambda n, c, f1, k1, s1, f2, k2, s2: _row_values(
                    f1 * k2 * k2, output_size(output_size(n, k1, stride=s1), k2, stride=s2), f2, bias=False),
                "You left out the bias: one more weight per neuron and one more parameter per filter."),
    ],
    objective="chain layers: the output of one layer is the input (channels and size) of the next",
    difficulty=2,
    minutes=5,
    section=DQN_SECTION,
    labels=ROW_LABELS,
    draw=_fresh(DQN, _draw_dqn),
)
def dqn_conv2(n, c, f1, k1, s1, f2, k2, s2):
    return _conv_row(_dqn(n, c, f1, k1, s1, f2, k2, s2).rows[2])


def _flat(n, c, f1, k1, s1, f2, k2, s2):
    """Inputs of the dense layer: the second conv layer's output, flattened."""
    return math.prod(_dqn(n, c, f1, k1, s1, f2, k2, s2).rows[3].output_shape)


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
    hints=["The second layer's output has {f2} channels; multiply them by its width and its height."],
    mistakes=[
        mistake("bias forgotten",
                lambda hidden, **p: (_flat(**p), hidden, hidden * _flat(**p), hidden * _flat(**p)),
                "You left out the bias: each of the {hidden} units has one more weight."),
        mistake("channels left out of the flattened input",
                lambda hidden, f2, **p: ((_flat(f2=f2, **p) // f2) + 1, hidden, hidden * (_flat(f2=f2, **p) // f2 + 1),
                                         hidden * (_flat(f2=f2, **p) // f2 + 1)),
                "You flattened one map only: the dense layer sees all {f2} channels, width times height each."),
    ],
    objective="size a fully-connected layer after convolutions (flattening)",
    difficulty=2,
    minutes=4,
    section=DQN_SECTION,
    labels=["weights per neuron (with bias)", "neurons", "connections", "independent parameters"],
    draw=_fresh(dict(DQN, hidden=256), lambda rng: dict(_draw_dqn(rng), hidden=_pick(rng, [64, 128, 256, 512]))),
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
    hints=["Here each of the {actions} units has {hidden} weights and one bias."],
    mistakes=[
        mistake("bias forgotten", lambda hidden, actions: (hidden, actions * hidden, actions * hidden),
                "You left out the bias: ${hidden} + 1$ weights per output unit."),
    ],
    objective="size a dense output layer",
    difficulty=1,
    minutes=2,
    section=DQN_SECTION,
    labels=["weights per neuron (with bias)", "connections", "independent parameters"],
    draw=_fresh(dict(hidden=256, actions=18),
                lambda rng: dict(hidden=_pick(rng, [64, 128, 256, 512, 1024]), actions=_int(rng, 4, 18))),
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


def _rgb_sides(n, k1, s1, pool, k3, p3, *, f3, pool_stride=None, sides=2, ceil=False):
    """The sides a student gets with a given slip (pool stride, one-sided padding, ceil)."""
    def size(m, k, s, p):
        top = m + p - k
        if top < 0:
            raise ValueError("does not fit")
        return (-(-top // s) if ceil else top // s) + 1

    a = size(n, k1, s1, 0)
    b = size(a, pool, pool_stride or pool, 0)
    c = size(b, k3, 1, sides * p3)
    return (a, b, c, f3 * c * c)


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
    hints=["Side after a layer: $\\lfloor (n + 2p - k)/s \\rfloor + 1$; for the pooling $k = s = {pool}$ and "
           "$p = 0$; for the last layer $p = {p3}$ on each side."],
    mistakes=[
        mistake("pooling with stride 1",
                lambda n, f1, k1, s1, pool, f3, k3, p3: _rgb_sides(n, k1, s1, pool, k3, p3, pool_stride=1, f3=f3),
                "Non-overlapping pooling moves its window by its own size: stride {pool}, not 1."),
        mistake("padding on one side",
                lambda n, f1, k1, s1, pool, f3, k3, p3: _rgb_sides(n, k1, s1, pool, k3, p3, sides=1, f3=f3),
                "A zero-padding of {p3} on each border adds ${p3}$ cells at *both* ends: $n + 2p$."),
        mistake("ceil instead of floor",
                lambda n, f1, k1, s1, pool, f3, k3, p3: _rgb_sides(n, k1, s1, pool, k3, p3, ceil=True, f3=f3),
                "Round the output size *down*: a window that does not fit entirely is not computed."),
    ],
    objective="follow the shape through convolution, pooling and padding",
    difficulty=2,
    minutes=5,
    section="A colour image, a pooling layer, and biases",
    labels=["side after layer 1", "side after pooling", "side after layer 3", "values in the last output"],
    draw=_fresh(RGB, _draw_rgb),
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
    hints=["Pooling keeps the {f1} channels of the first layer; each of the {f3} kernels is "
           "${k3} \\times {k3} \\times {f1}$."],
    mistakes=[
        mistake("the image's 3 channels",
                lambda f3, k3, **_: (f3 * k3 * k3 * 3, f3 * (k3 * k3 * 3 + 1)),
                "The last layer's kernels span the {f1} channels that come out of the pooling layer, not the "
                "image's 3."),
        mistake("answers swapped",
                lambda f1, f3, k3, **_: (f3 * (k3 * k3 * f1 + 1), f3 * k3 * k3 * f1),
                "Right numbers, wrong order: first without biases (the smaller), then with them."),
        mistake("one bias per weight",
                lambda f1, f3, k3, **_: (f3 * k3 * k3 * f1, 2 * f3 * k3 * k3 * f1),
                "Each kernel has *one* bias (one per output channel), not one per weight."),
    ],
    objective="count a convolution's parameters with and without biases",
    difficulty=1,
    minutes=3,
    section="A colour image, a pooling layer, and biases",
    labels=["without biases", "with biases"],
    draw=_fresh(RGB, _draw_rgb),
)
def rgb_last_params(n, f1, k1, s1, pool, f3, k3, p3):
    last = _rgb(n, f1, k1, s1, pool, f3, k3, p3).rows[-1]
    return (last.params_without_biases, last.params)


# -- configurations ----------------------------------------------------------------------------
def _unique(solutions):
    if len(solutions) != 1:
        raise ValueError(f"expected exactly one configuration, found {len(solutions)}")
    return solutions[0]


def _one_sided(n, out, k):
    """The (stride, padding) a student finds who pads one side only (if exactly one)."""
    found = [(s, p) for s in range(1, 9) for p in range(k) if n + p >= k and (n + p - k) // s + 1 == out]
    if not found:
        raise ValueError("no one-sided answer")
    return found[0]  # the first a student finds, trying s = 1, 2, ... and p = 0, 1, ...


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
    hints=["For each stride $s = 1, 2, \\dots$ the padded length ${n} + 2p - {k}$ must land in "
           "$[{out} - 1, {out}) \\cdot s$: solve for an integer $p$ between 0 and {k} - 1."],
    mistakes=[
        mistake("padding on one side",
                lambda n, out, k: _one_sided(n, out, k),
                "With padding on one side only you get $\\lfloor (n + p - k)/s \\rfloor + 1$; the padding "
                "$p$ is added at *both* ends, $n + 2p$."),
    ],
    objective="solve the output-size formula for stride and padding",
    difficulty=2,
    minutes=5,
    section="Which configuration gives this output?",
    labels=["stride s", "padding p"],
    draw=_fresh(dict(n=64, out=32, k=8), _draw_first),
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
    hints=["Try $k = \\lfloor {n} / {out} \\rfloor$ and its neighbours; check $\\lfloor {n}/k \\rfloor$ for each."],
    mistakes=[
        mistake("window moved by 1",
                lambda n, out: n - out + 1,
                "That is the window for stride 1 ($n - k + 1$ outputs). Non-overlapping windows move by "
                "their own size, so the output is $\\lfloor n/k \\rfloor$."),
    ],
    objective="find a pooling window from the input and output sizes",
    difficulty=1,
    minutes=2,
    section="Which configuration gives this output?",
    draw=_fresh(dict(n=32, out=8), lambda rng: dict(n=_int(rng, 12, 100), out=_int(rng, 2, 12))),
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
    hints=["Here: $({n} - {k}) / {s} = {n} - {k}$ divided by {s}; round down, then add 1."],
    mistakes=[
        mistake("ceil instead of floor", lambda n, k, s: -(-(n - k) // s) + 1,
                "PyTorch's pooling rounds *down* by default (`ceil_mode=False`): the last, incomplete window "
                "is dropped."),
        mistake("forgot the first position", lambda n, k, s: (n - k) // s,
                "That counts the steps between windows; add one for the first window."),
        mistake("divided the input by the stride", lambda n, k, s: n // s,
                "$n / s$ is right only for non-overlapping windows ($k = s$); here the window is {k} wide."),
    ],
    objective="compute the output size of overlapping pooling",
    difficulty=1,
    minutes=2,
    section="Which configuration gives this output?",
    draw=_fresh(dict(n=32, k=8, s=4), lambda rng: dict(n=_int(rng, 16, 64), k=_int(rng, 2, 8), s=_int(rng, 2, 5))),
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
    hints=["Go through the strides one by one: for each, the kernel sizes that work form a short run; "
           "count them all."],
    mistakes=[
        mistake("stopped at the first", lambda n, out, p, d: 1,
                "That is one right configuration, but the question asks how many there are: keep going through "
                "every stride and kernel size in the ranges."),
    ],
    objective="see that an inverse sizing question can have several right answers",
    difficulty=3,
    minutes=8,
    section="Which configuration gives this output?",
    draw=_fresh(dict(n=8, out=4, p=1, d=1),
                lambda rng: dict(n=_int(rng, 6, 16), out=_int(rng, 2, 5), p=_int(rng, 0, 2), d=_int(rng, 1, 2))),
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


def _factorized_mults(c_in, size, c_out):
    five, threes = _factorized(c_in, size, c_out)
    return (five.total_multiplications, threes.total_multiplications)


def _factorized_slip(c_in, size, c_out):
    five, _ = _factorized(c_in, size, c_out)
    layer = c_out * (9 * c_in + 1)
    return (five.total_params, 2 * layer, five.total_multiplications, 2 * size * size * c_out * 9 * c_in)


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
    hints=["One $5 \\times 5$: each of the {c_out} filters has $25 \\cdot {c_in}$ weights and a bias. "
           "Two $3 \\times 3$: the first has $9 \\cdot {c_in}$ weights per filter, the second "
           "$9 \\cdot {c_out}$; every output value costs its weights (without the bias) in multiplies."],
    mistakes=[
        mistake("second layer reads the input's channels",
                lambda c_in, size, c_out: _factorized_slip(c_in, size, c_out),
                "The second $3 \\times 3$ layer reads the {c_out} channels of the first, not the {c_in} of "
                "the input."),
        mistake("bias forgotten",
                lambda c_in, size, c_out: (25 * c_in * c_out, 9 * c_in * c_out + 9 * c_out * c_out,
                                           *_factorized_mults(c_in, size, c_out)),
                "Parameters include one bias per filter: ${c_out}$ for the $5 \\times 5$ path, "
                "$2 \\cdot {c_out}$ for the two $3 \\times 3$ layers."),
    ],
    objective="compare parameters and multiplications of one 5×5 and two stacked 3×3 convolutions",
    difficulty=2,
    minutes=6,
    section="Factorizing convolutions: one 5×5 or two 3×3?",
    draw=_fresh(dict(c_in=192, size=28, c_out=64),
                lambda rng: dict(c_in=_pick(rng, [32, 64, 128, 192, 256]), size=_pick(rng, [7, 14, 28, 56]),
                                 c_out=_pick(rng, [16, 32, 64, 96]))),
)
def factorized(c_in, size, c_out):
    five, threes = _factorized(c_in, size, c_out)
    return (five.total_params, threes.total_params, five.total_multiplications, threes.total_multiplications)


LAYER_CHOICES = ("first convolution", "second convolution", "hidden dense layer", "output layer")


def _most(params, attr):
    rows = [r for r in _dqn(**params).rows if r.params]
    values = [getattr(r, attr) for r in rows]
    return values.index(max(values))


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
    hints=["A convolution's multiplications are (output positions) $\\times$ (filters) $\\times$ "
           "(window $\\times$ channels); a dense layer's are inputs $\\times$ units."],
    mistakes=[
        mistake("the layer with the most parameters",
                lambda **p: LAYER_CHOICES[_most(p, "params")],
                "That layer has the most *parameters*; multiplications also count every position a "
                "convolution's kernel is reused at."),
    ],
    objective="tell where a network's parameters and its multiplications are",
    difficulty=2,
    minutes=4,
    section="Parameter sharing: where the parameters and the multiplications are",
    choices=LAYER_CHOICES,
    draw=_fresh(dict(DQN, hidden=256), lambda rng: dict(_draw_dqn(rng), hidden=_pick(rng, [64, 256, 1024]))),
)
def where_multiplications(n, c, f1, k1, s1, f2, k2, s2, hidden):
    rows = [r for r in _dqn(n, c, f1, k1, s1, f2, k2, s2, hidden).rows if r.params]
    counts = [r.multiplications for r in rows]
    best = max(counts)
    if counts.count(best) > 1:
        raise ValueError("a tie: draw again")
    return LAYER_CHOICES[counts.index(best)]


# -- receptive fields ---------------------------------------------------------------------------
RF = dict(k1=5, s1=1, pool=2, k2=3, d2=3)
RF_SECTION = "Receptive fields"


def _rf_net(k1, s1, pool, k2, d2):
    return summarize((1, 128, 128), [Conv2d(8, k1, stride=s1), ReLU(), MaxPool2d(pool),
                                     Conv2d(8, k2, dilation=d2)])


def _rf_slip(k1, s1, pool, k2, d2, *, jump=True, dilation=True, own_stride=False):
    """Receptive fields after the conv, the pooling and the dilated conv, with a given slip."""
    r, j = 1, 1
    out = []
    for k, s, d in ((k1, s1, 1), (pool, pool, 1), (k2, 1, d2 if dilation else 1)):
        factor = s if own_stride else (j if jump else 1)
        r += (k - 1) * d * factor
        j *= s
        out.append(r)
    return tuple(out)


def _rf_solution(k1, s1, pool, k2, d2):
    r1 = k1
    j1 = s1
    r2 = r1 + (pool - 1) * j1
    j2 = j1 * pool
    r3 = r2 + (k2 - 1) * d2 * j2
    return (
        "Start with $r = 1$, $j = 1$ and apply $r \\leftarrow r + (k - 1)\\,d\\,j$, then $j \\leftarrow j s$:\n"
        f"convolution: $r = 1 + ({k1} - 1) \\cdot 1 = {r1}$, $j = {j1}$;\n"
        f"pooling: $r = {r1} + ({pool} - 1) \\cdot {j1} = {r2}$, $j = {j1} \\cdot {pool} = {j2}$;\n"
        f"dilated convolution: $r = {r2} + ({k2} - 1) \\cdot {d2} \\cdot {j2} = {r3}$."
    )


@exercise(
    id="sizing-receptive-field",
    chapter=CHAPTER,
    title="How far does a neuron see?",
    params=RF,
    prompt=(
        "A gray-scale image goes through a ${k1} \\times {k1}$ convolution with stride {s1}, a ReLU, "
        "${pool} \\times {pool}$ max pooling with stride {pool}, and a ${k2} \\times {k2}$ convolution with "
        "dilation {d2} and stride 1. What is the receptive field (its side, in input pixels) of a neuron "
        "after the first convolution, after the pooling, and after the last convolution?"
    ),
    hint="Each layer adds $(k - 1) \\cdot d$ times the *jump*, the product of the strides of the layers "
    "before it; a ReLU adds nothing.",
    hints=["The jump is 1 for the first layer, {s1} after it, and ${s1} \\cdot {pool}$ after the pooling."],
    solution=_rf_solution,
    mistakes=[
        mistake("jump forgotten", lambda **p: _rf_slip(**p, jump=False),
                "You added $(k - 1) d$ for every layer as if it worked on input pixels. After a stride, "
                "neighbouring taps are a *jump* of several input pixels apart: multiply by the product of "
                "the strides before the layer."),
        mistake("dilation forgotten", lambda **p: _rf_slip(**p, dilation=False),
                "A kernel of size {k2} with dilation {d2} spans ${d2}({k2} - 1) + 1$ positions, not {k2}."),
        mistake("the layer's own stride", lambda **p: _rf_slip(**p, own_stride=True),
                "A layer's own stride only spaces its *outputs*; its window is spread by the strides of the "
                "layers before it (the jump)."),
    ],
    objective="compute receptive fields with the recursion r ← r + (k − 1)·d·j, j ← j·s",
    difficulty=2,
    minutes=5,
    section=RF_SECTION,
    labels=["after the first convolution", "after the pooling", "after the last convolution"],
    draw=_fresh(RF, lambda rng: dict(k1=_int(rng, 3, 7), s1=_int(rng, 1, 2), pool=_int(rng, 2, 3),
                                     k2=_int(rng, 3, 5), d2=_int(rng, 1, 3))),
)
def receptive_field(k1, s1, pool, k2, d2):
    rows = [r for r in _rf_net(k1, s1, pool, k2, d2).rows if r.name != "ReLU()"]
    return tuple(r.receptive_field[0] for r in rows)


# -- grouped and depthwise convolutions, batch norm ------------------------------------------------
GROUPS = dict(c_in=64, c_out=128, k=3, g=4)
LAYERS_SECTION = "Grouped and depthwise convolutions, batch norm"


def _params(c_in, layers):
    return summarize((c_in, 16, 16), layers).total_params


@exercise(
    id="sizing-grouped-params",
    chapter=CHAPTER,
    title="Grouped and depthwise-separable convolutions",
    params=GROUPS,
    prompt=(
        "A ${k} \\times {k}$ convolution maps {c_in} channels to {c_out} (with biases). How many parameters "
        "does it have (a) as an ordinary convolution, (b) with `groups={g}`, and (c) replaced by a "
        "depthwise-separable pair: a ${k} \\times {k}$ depthwise convolution (`groups={c_in}`, {c_in} "
        "filters) followed by a $1 \\times 1$ convolution to {c_out} channels, both with biases?"
    ),
    hint="With $g$ groups each filter sees only $C_\\text{{in}}/g$ channels; the number of filters is "
    "still $C_\\text{{out}}$. A depthwise filter sees one channel.",
    hints=["(b): {c_out} filters of ${k} \\cdot {k} \\cdot {c_in}/{g}$ weights plus a bias each. "
           "(c): {c_in} filters of ${k} \\cdot {k}$ weights, then {c_out} filters of {c_in} weights."],
    solution=lambda c_in, c_out, k, g: (
        f"(a) ${c_out}({k}^2 \\cdot {c_in} + 1) = {_n(c_out * (k * k * c_in + 1))}$.\n"
        f"(b) ${c_out}({k}^2 \\cdot {c_in}/{g} + 1) = {_n(c_out * (k * k * c_in // g + 1))}$: "
        f"about {g} times fewer.\n"
        f"(c) ${c_in}({k}^2 + 1) + {c_out}({c_in} + 1) = {_n(c_in * (k * k + 1) + c_out * (c_in + 1))}$."
    ),
    mistakes=[
        mistake("output channels divided too",
                lambda c_in, c_out, k, g: (c_out * (k * k * c_in + 1), c_out // g * (k * k * c_in // g + 1),
                                           c_in * (k * k + 1) + c_out * (c_in + 1)),
                "Groups split the *inputs* of each filter; there are still {c_out} filters in all, "
                "{c_out}/{g} per group."),
        mistake("depthwise filters over all channels",
                lambda c_in, c_out, k, g: (c_out * (k * k * c_in + 1), c_out * (k * k * c_in // g + 1),
                                           c_in * (k * k * c_in + 1) + c_out * (c_in + 1)),
                "A depthwise filter sees a single channel (`groups` = channels): ${k} \\cdot {k}$ weights, "
                "not ${k} \\cdot {k} \\cdot {c_in}$."),
    ],
    objective="count the parameters of grouped and depthwise-separable convolutions",
    difficulty=2,
    minutes=5,
    section=LAYERS_SECTION,
    labels=["(a) ordinary", "(b) grouped", "(c) depthwise-separable"],
    draw=_fresh(GROUPS, lambda rng: dict(c_in=_pick(rng, [16, 24, 32, 48, 96]), c_out=_pick(rng, [32, 48, 96, 192]),
                                         k=_pick(rng, [3, 5]), g=_pick(rng, [2, 4, 8]))),
)
def grouped_params(c_in, c_out, k, g):
    if c_in % g or c_out % g:
        raise ValueError("groups must divide both channel counts: draw again")
    return (_params(c_in, [Conv2d(c_out, k, padding=k // 2)]),
            _params(c_in, [Conv2d(c_out, k, padding=k // 2, groups=g)]),
            _params(c_in, [Conv2d(c_in, k, padding=k // 2, groups=c_in), Conv2d(c_out, 1)]))


BN = dict(c_in=32, c=48, k=3, size=20)


@exercise(
    id="sizing-batchnorm-params",
    chapter=CHAPTER,
    title="Batch norm: parameters and buffers",
    params=BN,
    prompt=(
        "A ${k} \\times {k}$ convolution *without bias* maps {c_in} channels to {c} on a ${size} \\times {size}$ "
        "map (padding {k}//2), followed by `BatchNorm2d`. Give: the convolution's parameters, the batch "
        "norm's learned parameters, and its running-statistics buffers."
    ),
    hint="Batch norm works per *channel*: a scale and a shift are learned, a running mean and a running "
    "variance are tracked.",
    hints=["The map size does not matter: {c} channels, two learned numbers and two tracked numbers each."],
    solution=lambda c_in, c, k, size: (
        f"Convolution: ${c} \\cdot {k}^2 \\cdot {c_in} = {_n(c * k * k * c_in)}$ (no biases: the batch norm's shift "
        f"would cancel them). Batch norm: $\\gamma, \\beta$ per channel, $2 \\cdot {c} = {2 * c}$ parameters; "
        f"running mean and variance per channel, $2 \\cdot {c} = {2 * c}$ buffers (saved, not learned)."
    ),
    mistakes=[
        mistake("per activation instead of per channel",
                lambda c_in, c, k, size: (c * k * k * c_in, 2 * c * size * size, 2 * c * size * size),
                "Batch norm shares its scale, shift and statistics over all ${size} \\times {size}$ positions "
                "of a channel: 2 per channel, not 2 per value."),
        mistake("running statistics counted as parameters",
                lambda c_in, c, k, size: (c * k * k * c_in, 4 * c, 0),
                "The running mean and variance are *buffers*: saved with the model, updated by averaging, "
                "never learned by gradient descent."),
        mistake("convolution bias kept",
                lambda c_in, c, k, size: (c * (k * k * c_in + 1), 2 * c, 2 * c),
                "This convolution has no bias (`bias=False`), as usual before batch norm."),
    ],
    objective="count batch norm's learned parameters and running-statistics buffers",
    difficulty=1,
    minutes=3,
    section=LAYERS_SECTION,
    labels=["convolution parameters", "batch-norm parameters", "batch-norm buffers"],
    draw=_fresh(BN, lambda rng: dict(c_in=_pick(rng, [3, 16, 32, 64]), c=_pick(rng, [16, 24, 48, 96, 128]),
                                     k=_pick(rng, [1, 3, 5]), size=_pick(rng, [7, 14, 20, 28]))),
)
def batchnorm_params(c_in, c, k, size):
    rows = summarize((c_in, size, size), [Conv2d(c, k, padding=k // 2, bias=False), BatchNorm2d()]).rows
    return (rows[0].params, rows[1].params, rows[1].buffers)


# -- MACs, FLOPs, memory -----------------------------------------------------------------------------
COST = dict(c_in=16, c_out=32, k=3, size=14)
COST_SECTION = "Counting cost: MACs, FLOPs and memory"


@exercise(
    id="sizing-flops-macs",
    chapter=CHAPTER,
    title="MACs, FLOPs and torchinfo's mult-adds",
    params=COST,
    prompt=(
        "A ${k} \\times {k}$ convolution with bias maps a ${c_in} \\times {size} \\times {size}$ input to "
        "${c_out} \\times {size} \\times {size}$ (padding {k}//2). For one input, give its multiply-accumulates "
        "(MACs), its FLOPs counted the usual way, and torchinfo's \"mult-adds\"."
    ),
    hint="One MAC per weight per output value; a multiply-add is 2 FLOPs; torchinfo multiplies "
    "(weights + biases) by the output positions.",
    hints=["MACs $= {c_out} \\cdot {size}^2 \\cdot {k}^2 \\cdot {c_in}$; torchinfo adds one per output value "
           "for the bias."],
    solution=lambda c_in, c_out, k, size: (
        f"MACs: ${c_out} \\cdot {size}^2 \\cdot {k}^2 \\cdot {c_in} = {_n(c_out * size * size * k * k * c_in)}$. "
        f"FLOPs $\\approx 2 \\times$ MACs $= {_n(2 * c_out * size * size * k * k * c_in)}$. torchinfo: "
        f"$({c_out} \\cdot {k}^2 \\cdot {c_in} + {c_out}) \\cdot {size}^2 = "
        f"{_n((c_out * k * k * c_in + c_out) * size * size)}$, one more per output value (the bias)."
    ),
    mistakes=[
        mistake("FLOPs = MACs",
                lambda c_in, c_out, k, size: (_macs(c_in, c_out, k, size),) * 2
                + (_macs(c_in, c_out, k, size) + c_out * size * size,),
                "A multiply-accumulate is two floating-point operations, a multiply and an add: "
                "FLOPs ≈ 2 × MACs. (Many papers' \"FLOPs\" are really MACs; say which you mean.)"),
        mistake("torchinfo without the bias",
                lambda c_in, c_out, k, size: (_macs(c_in, c_out, k, size), 2 * _macs(c_in, c_out, k, size),
                                              _macs(c_in, c_out, k, size)),
                "torchinfo counts the bias too: (weights + biases) × output positions, i.e. our connections."),
        mistake("one output position",
                lambda c_in, c_out, k, size: (c_out * k * k * c_in, 2 * c_out * k * k * c_in,
                                              c_out * (k * k * c_in + 1)),
                "Those are the counts for one position; the kernels run at all ${size} \\times {size}$ positions."),
    ],
    objective="tell MACs, FLOPs and torchinfo's mult-adds apart",
    difficulty=2,
    minutes=4,
    section=COST_SECTION,
    labels=["MACs", "FLOPs", "torchinfo mult-adds"],
    draw=_fresh(COST, lambda rng: dict(c_in=_pick(rng, [3, 8, 16, 32, 64]), c_out=_pick(rng, [8, 16, 32, 64]),
                                       k=_pick(rng, [1, 3, 5]), size=_pick(rng, [7, 14, 28, 32, 56]))),
)
def flops_macs(c_in, c_out, k, size):
    row = summarize((c_in, size, size), [Conv2d(c_out, k, padding=k // 2)]).rows[0]
    return (row.macs, row.flops, row.connections)


def _macs(c_in, c_out, k, size):
    return c_out * size * size * k * k * c_in


MEMORY = dict(batch=32, c=64, size=56)


@exercise(
    id="sizing-activation-memory",
    chapter=CHAPTER,
    title="Memory for one layer's activations",
    params=MEMORY,
    prompt=(
        "A layer outputs ${c} \\times {size} \\times {size}$ values per image. In float32, how many bytes does "
        "its output take for a batch of {batch} images (the amount kept for the backward pass)?"
    ),
    hint="Values per image, times the batch, times 4 bytes per float32.",
    hints=["${c} \\cdot {size}^2$ values per image; a float32 is 32 bits = 4 bytes."],
    solution=lambda batch, c, size: (
        f"${batch} \\cdot {c} \\cdot {size}^2 \\cdot 4 = {_n(batch * c * size * size * 4)}$ bytes "
        f"$\\approx {batch * c * size * size * 4 / 2**20:.1f}$ MiB."
    ),
    mistakes=[
        mistake("batch forgotten", lambda batch, c, size: c * size * size * 4,
                "That is one image; the batch keeps {batch} of these."),
        mistake("values, not bytes", lambda batch, c, size: batch * c * size * size,
                "That is the number of values; each float32 takes 4 bytes."),
        mistake("bits, not bytes", lambda batch, c, size: batch * c * size * size * 32,
                "A float32 has 32 *bits*, which is 4 bytes."),
    ],
    objective="estimate activation memory for a batch",
    difficulty=1,
    minutes=2,
    section=COST_SECTION,
    unit="bytes",
    draw=_fresh(MEMORY, lambda rng: dict(batch=_pick(rng, [8, 16, 64, 128, 256]), c=_pick(rng, [16, 32, 128, 256]),
                                         size=_pick(rng, [7, 14, 28, 112, 224]))),
)
def activation_memory(batch, c, size):
    return summarize((c, size, size), [Conv2d(c, 1)]).rows[0].activation_bytes(batch)
