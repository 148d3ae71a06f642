"""Exercises of the convolution chapter: flipping, 1-D modes, the 5x5 problem, conv layers, backprop.

Every answer is computed with :mod:`nnbook.conv`; where the course's sample solution got one wrong,
the worked solution says what the slip was.
"""

from __future__ import annotations

import numpy as np

from ..conv import (
    conv1d,
    conv2d,
    conv2d_grad_weight,
    conv2d_layer_counts,
    extremes,
    influence_counts,
    output_size,
    padding_for_mode,
    transposed_output_size,
)
from ._core import exercise

CHAPTER = "conv"

SEED_X = (
    (0, 0, 0, 0, 0),
    (0, 3, 3, 3, 0),
    (0, 3, 2, 3, 0),
    (0, 3, 2, 3, 0),
    (0, 0, 0, 0, 0),
)
SEED_W = ((1, -1), (1, -1))


def _vec(values) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def _num(v: float) -> str:
    return f"({v:g})" if v < 0 else f"{v:g}"


def _mat(rows) -> str:
    body = r" \\ ".join(" & ".join(f"{v:g}" for v in row) for row in rows)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"


def _draw_1d(rng: np.random.Generator) -> dict:
    x = tuple(int(v) for v in rng.integers(-3, 6, size=4))
    w = tuple(int(v) for v in rng.integers(-2, 4, size=3))
    if w[0] == w[2]:  # keep the flip visible
        w = (w[0], w[1], w[2] + 1)
    return dict(x=x, w=w)


# -- 1. convolution or cross-correlation ----------------------------------------------------------
FLIP_CHOICES = ("a true convolution (the kernel is flipped)", "a cross-correlation (the kernel is not flipped)")


@exercise(
    id="conv-which-convention",
    chapter=CHAPTER,
    title="Convolution or cross-correlation?",
    params=dict(formula="Z[i, j] = sum_{k1, k2} W[k1, k2] X[i + k1, j + k2]"),
    prompt=lambda formula: (
        f"A question defines its \"convolution\" as `{formula}`. Is that a true convolution or a "
        "cross-correlation?"
    ),
    hint="Look at the input's index: in a true convolution the kernel index is **subtracted** ($i - k$).",
    solution=lambda formula: (
        "The input index is $i + k_1$: as the kernel index grows, so does the input index, so the kernel "
        "slides as written. That is a **cross-correlation**, which is what deep-learning libraries "
        "(and `nnbook.conv.conv2d`) compute under the name convolution. A true convolution reads "
        "$X[i - k_1, j - k_2]$, i.e. it uses the kernel flipped."
    ),
    choices=FLIP_CHOICES,
)
def which_convention(formula: str) -> str:
    return FLIP_CHOICES[1] if "+ k1" in formula else FLIP_CHOICES[0]


# -- 2-4. the 1-D modes -----------------------------------------------------------------------------
def _mode_solution(mode: str):
    def solution(x, w) -> str:
        before, after = padding_for_mode(mode, len(w))
        padded = [0] * before + list(x) + [0] * after
        y = conv1d(x, w, mode)
        flipped = list(w)[::-1]
        sums = ", ".join(
            " + ".join(f"{_num(a)}\\cdot{_num(b)}" for a, b in zip(padded[i : i + len(w)], flipped))
            for i in range(len(y))
        )
        return (
            f"Flip the kernel: ${_vec(w)} \\to {_vec(flipped)}$. Mode **{mode}** pads {before} zero(s) at the "
            f"start and {after} at the end: ${_vec(padded)}$. Slide the flipped kernel one step at a time "
            f"and take dot products: ${sums}$, giving ${_vec(y)}$ (length {len(y)}). "
            f"`np.convolve(x, w, '{mode}')` gives the same."
        )

    return solution


for _mode, _labels in (
    ("full", [f"y[{i}]" for i in range(6)]),
    ("valid", [f"y[{i}]" for i in range(2)]),
    ("same", [f"y[{i}]" for i in range(4)]),
):

    def _make(mode=_mode, labels=_labels):
        @exercise(
            id=f"conv-1d-{mode}",
            chapter=CHAPTER,
            title=f"1-D convolution, {mode} mode",
            params=dict(x=(1, 2, 3, 4), w=(1, 0, 2)),
            prompt=lambda x, w: (
                f"Compute the **{mode}** convolution, with kernel flipping, of $x = {_vec(x)}$ and "
                f"$w = {_vec(w)}$. Give all {len(labels)} output values."
            ),
            hint={
                "full": "Pad $k - 1 = 2$ zeros at each end, flip the kernel and slide it: $m + k - 1 = 6$ outputs.",
                "valid": "No padding: only positions where the flipped kernel lies inside $x$, $m - k + 1 = 2$ outputs.",
                "same": "Pad $(k - 1)/2 = 1$ zero at each end so that the output is as long as $x$.",
            }[mode],
            solution=_mode_solution(mode),
            draw=_draw_1d,
            labels=labels,
        )
        def solve(x, w):
            return tuple(float(v) for v in conv1d(x, w, mode))

        return solve

    _make()


# -- 5-8. the 5x5 problem -----------------------------------------------------------------------------
def _draw_5x5(rng: np.random.Generator) -> dict:
    inner = rng.integers(1, 5, size=(3, 3))
    x = np.zeros((5, 5), dtype=int)
    x[1:4, 1:4] = inner
    sign = int(rng.choice([-1, 1]))
    return dict(x=tuple(tuple(int(v) for v in row) for row in x), w=((sign, -sign), (sign, -sign)))


def _problem(x, w) -> str:
    return (
        f"Let $X = {_mat(x)}$ and $W = {_mat(w)}$, indexed from $(0, 0)$, and "
        r"$Z[i, j] = \sum_{k_1, k_2} W[k_1, k_2]\, X[i + k_1, j + k_2]$ (no kernel reversal), "
        "computed on the valid pixels only. "
    )


def _z(x, w) -> np.ndarray:
    return conv2d(np.array(x, float), np.array(w, float))


@exercise(
    id="conv-2d-valid-shape",
    chapter=CHAPTER,
    title="Limits of the sum and the valid output size",
    params=dict(x=SEED_X, w=SEED_W),
    prompt=lambda x, w: _problem(x, w) + (
        "What is the largest value $k_1$ takes in the sum, and what are the numbers of rows and columns of $Z$?"
    ),
    hint="$k_1$ and $k_2$ each run over the kernel's own indices; a valid output needs $i + k_1$ inside $X$.",
    solution=lambda x, w: (
        f"The kernel is {len(w)}x{len(w[0])}, so $0 \\le k_1 \\le {len(w) - 1}$ and $0 \\le k_2 \\le {len(w[0]) - 1}$ "
        "**separately** (not a bound on $k_1 + k_2$). All of $X[i + k_1, j + k_2]$ must exist, so "
        f"$i \\le {len(x) - len(w)}$ and $j \\le {len(x[0]) - len(w[0])}$: $Z$ is "
        f"${len(x) - len(w) + 1} \\times {len(x[0]) - len(w[0]) + 1}$. (A common slip is to shrink only one "
        "axis, e.g. $(5, 4)$.)"
    ),
    draw=_draw_5x5,
    labels=["largest k1", "rows of Z", "columns of Z"],
)
def valid_shape(x, w):
    return (len(w) - 1, *_z(x, w).shape)


def _extreme_solution(which: str):
    def solution(x, w) -> str:
        z = _z(x, w)
        e = extremes(z)
        value, places = (e.max, e.argmax) if which == "max" else (e.min, e.argmin)
        listed = ", ".join(f"({i}, {j})" for i, j in places)
        return (
            f"Compute all of $Z = {_mat(z.astype(int))}$. Its {'largest' if which == 'max' else 'most negative'} "
            f"value is ${value:g}$, at {listed}: {len(places)} location(s). Check the border rows: a window "
            "that reaches the zero row of $X$ sees only half as many non-zero entries."
        )

    return solution


@exercise(
    id="conv-2d-largest",
    chapter=CHAPTER,
    title="Largest value and where it occurs",
    params=dict(x=SEED_X, w=SEED_W),
    prompt=lambda x, w: _problem(x, w) + "What is the largest value of $Z$, and at how many locations $(i, j)$ does it occur?",
    hint="Write out all of $Z$ (it is small) rather than guessing from the pattern; count every location.",
    solution=_extreme_solution("max"),
    draw=_draw_5x5,
    labels=["largest value", "number of locations"],
)
def largest(x, w):
    e = extremes(_z(x, w))
    return (e.max, len(e.argmax))


@exercise(
    id="conv-2d-most-negative",
    chapter=CHAPTER,
    title="Most negative value and where it occurs",
    params=dict(x=SEED_X, w=SEED_W),
    prompt=lambda x, w: _problem(x, w) + (
        "What is the most negative value of $Z$ (with its sign), and at how many locations does it occur?"
    ),
    hint="The most negative value is below zero: keep the sign. Then count every location that has it.",
    solution=_extreme_solution("min"),
    draw=_draw_5x5,
    labels=["most negative value", "number of locations"],
)
def most_negative(x, w):
    e = extremes(_z(x, w))
    return (e.min, len(e.argmin))


@exercise(
    id="conv-2d-zeros",
    chapter=CHAPTER,
    title="Where the output is zero",
    params=dict(x=SEED_X, w=SEED_W),
    prompt=lambda x, w: _problem(x, w) + "At how many locations $(i, j)$ is $Z[i, j] = 0$?",
    hint="Compute every entry: the kernel subtracts the right column of each 2x2 window from the left one.",
    solution=lambda x, w: (
        f"$Z = {_mat(_z(x, w).astype(int))}$ is zero at "
        + (", ".join(f"({i}, {j})" for i, j in extremes(_z(x, w)).zeros) or "no location")
        + f": {len(extremes(_z(x, w)).zeros)} location(s). Locations where the two columns differ by one, such "
        "as $\\pm 1$, are not zeros."
    ),
    draw=_draw_5x5,
)
def zeros(x, w):
    return len(extremes(_z(x, w)).zeros)


# -- 9-11. a convolutional layer ---------------------------------------------------------------------
def _draw_layer(rng: np.random.Generator) -> dict:
    return dict(
        h=int(rng.integers(16, 80)), w=int(rng.integers(16, 80)), c_in=int(rng.choice([3, 8, 10, 16, 32])),
        k=int(rng.choice([1, 3, 5])), c_out=int(rng.choice([8, 16, 20, 32, 64])),
    )


def _layer_prompt(h, w, c_in, k, c_out) -> str:
    return (
        f"A convolutional layer computes $Z[i, j, m] = \\sum_{{k_1}}\\sum_{{k_2}}\\sum_n W[k_1, k_2, n, m]\\, "
        f"X[i + k_1, j + k_2, n] + b[m]$ and $U = \\max(0, Z)$ on the valid pixels, with $X$ of shape "
        f"$({h}, {w}, {c_in})$ and $W$ of shape $({k}, {k}, {c_in}, {c_out})$. "
    )


_LAYER = dict(h=48, w=64, c_in=10, k=3, c_out=20)


@exercise(
    id="conv-layer-shape",
    chapter=CHAPTER,
    title="Shape of a layer's output",
    params=_LAYER,
    prompt=lambda **p: _layer_prompt(**p) + "What is the shape of $U$, in the same (height, width, channels) layout?",
    hint="Valid pixels: each spatial size shrinks by $k - 1$; the channels become the number of kernels.",
    solution=lambda h, w, c_in, k, c_out: (
        f"Height ${h} - {k} + 1 = {h - k + 1}$, width ${w} - {k} + 1 = {w - k + 1}$, and one channel per kernel, "
        f"{c_out}: $({h - k + 1}, {w - k + 1}, {c_out})$. ReLU keeps the shape, so $Z$ and $U$ agree. "
        f"In PyTorch's layout the same tensor is $({c_out}, {h - k + 1}, {w - k + 1})$."
    ),
    draw=_draw_layer,
    labels=["height", "width", "channels"],
)
def layer_shape(h, w, c_in, k, c_out):
    c, oh, ow = conv2d_layer_counts((c_in, h, w), c_out, k).output_shape
    return (oh, ow, c)


@exercise(
    id="conv-layer-multiplications",
    chapter=CHAPTER,
    title="Multiplications in a layer",
    params=_LAYER,
    prompt=lambda **p: _layer_prompt(**p) + "How many multiplications does computing $Z$ take (biases need none)?",
    hint=lambda **_: ("Count the outputs ($H' W' C_{out}$) and the multiplications per output: the whole $k \\times k \\times C_{in}$ block."),
    solution=lambda h, w, c_in, k, c_out: (
        f"There are ${h - k + 1} \\cdot {w - k + 1} \\cdot {c_out}$ outputs, each a dot product over a "
        f"${k} \\times {k} \\times {c_in}$ block, i.e. ${k * k * c_in}$ multiplications (not ${k * k}$: the sum over "
        f"input channels is easy to forget). Total: "
        f"${conv2d_layer_counts((c_in, h, w), c_out, k).multiplications:,}$."
    ),
    draw=_draw_layer,
)
def layer_multiplications(h, w, c_in, k, c_out):
    return conv2d_layer_counts((c_in, h, w), c_out, k).multiplications


@exercise(
    id="conv-layer-parameters",
    chapter=CHAPTER,
    title="Trainable parameters of a layer",
    params=_LAYER,
    prompt=lambda **p: _layer_prompt(**p) + "If $W$ and $b$ are learned, how many trainable parameters does the layer have?",
    hint="Every entry of $W$ is a parameter, plus one bias per output channel. The input size does not matter.",
    solution=lambda h, w, c_in, k, c_out: (
        f"$W$ has ${k} \\cdot {k} \\cdot {c_in} \\cdot {c_out} = {k * k * c_in * c_out}$ entries and $b$ has {c_out}: "
        f"${conv2d_layer_counts((c_in, h, w), c_out, k).parameters}$ parameters."
    ),
    draw=_draw_layer,
)
def layer_parameters(h, w, c_in, k, c_out):
    return conv2d_layer_counts((c_in, h, w), c_out, k).parameters


# -- 12-14. backpropagation -----------------------------------------------------------------------------
def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + np.exp(-z))


@exercise(
    id="conv-backprop-sigmoid",
    chapter=CHAPTER,
    title="Through the sigmoid: dJ/dZ",
    params=dict(z=0.5, du=2.0),
    prompt=lambda z, du: (
        f"A conv layer is followed by a sigmoid, $U = 1/(1 + e^{{-Z}})$. At one position $Z[i, j, m] = {z:g}$ and "
        f"backpropagation has given $\\partial J/\\partial U[i, j, m] = {du:g}$. What is $\\partial J/\\partial Z[i, j, m]$ "
        "(3 decimals)?"
    ),
    hint="$\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$, and the sigmoid acts on each entry alone.",
    solution=lambda z, du: (
        f"$U = \\sigma({z:g}) = {_sigmoid(z):.4f}$, so $\\partial J/\\partial Z = {du:g} \\cdot U(1 - U) = "
        f"{du:g} \\cdot {_sigmoid(z) * (1 - _sigmoid(z)):.4f} = {du * _sigmoid(z) * (1 - _sigmoid(z)):.3f}$. "
        "(The form $e^{-z}/(1 + e^{-z})^2$ is the same derivative.)"
    ),
    draw=lambda rng: dict(z=float(rng.integers(-30, 31)) / 10, du=float(rng.integers(-20, 21)) / 10 or 1.0),
    decimals=3,
)
def backprop_sigmoid(z, du):
    u = _sigmoid(z)
    return du * u * (1 - u)


@exercise(
    id="conv-backprop-weight",
    chapter=CHAPTER,
    title="A weight's gradient sums over positions",
    params=dict(x=SEED_X, k=2, g=1),
    prompt=lambda x, k, g: (
        f"A one-channel layer computes $Z = $ valid cross-correlation of $X = {_mat(x)}$ with a ${k} \\times {k}$ "
        f"kernel $W$. Backpropagation gives $\\partial J/\\partial Z[i, j] = {g}$ at every output position. What is "
        "$\\partial J/\\partial W[0, 0]$?"
    ),
    hint="$W[0, 0]$ multiplies $X[i, j]$ at every output position $(i, j)$: add up $\\partial J/\\partial Z[i, j]\\, X[i, j]$.",
    solution=lambda x, k, g: (
        r"$\partial J/\partial W[k_1, k_2] = \sum_{i, j} \partial J/\partial Z[i, j]\, X[i + k_1, j + k_2]$: the gradient "
        "stays **inside** the sum, one product per position. For $W[0, 0]$ that is "
        f"${g}$ times the sum of the top-left ${len(x) - k + 1} \\times {len(x[0]) - k + 1}$ block of $X$, "
        f"$= {conv2d_grad_weight(np.array(x, float), (k, k), np.full((len(x) - k + 1, len(x[0]) - k + 1), float(g)))[0, 0]:g}$."
    ),
    draw=lambda rng: dict(x=_draw_5x5(rng)["x"], k=int(rng.integers(2, 4)), g=int(rng.integers(-3, 4)) or 2),
)
def backprop_weight(x, k, g):
    xa = np.array(x, float)
    grad = np.full((xa.shape[0] - k + 1, xa.shape[1] - k + 1), float(g))
    return conv2d_grad_weight(xa, (k, k), grad)[0, 0]


@exercise(
    id="conv-backprop-input-terms",
    chapter=CHAPTER,
    title="How many terms in dJ/dX",
    params=dict(n=48, k=3, c_out=20, stride=1, i=10),
    prompt=lambda n, k, c_out, stride, i: (
        f"A layer with {c_out} output channels convolves an ${n} \\times {n}$ input (valid, stride {stride}) with "
        f"${k} \\times {k}$ kernels. For the input pixel $X[{i}, {i}, n]$, how many terms "
        r"$\partial J/\partial Z[i', j', m]\, W[\cdot, \cdot, n, m]$ add up to $\partial J/\partial X[" f"{i}, {i}, n]$?"
    ),
    hint="Count the windows (per axis) that cover the pixel, square it, and remember every output channel reads it.",
    solution=lambda n, k, c_out, stride, i: (
        f"Along one axis, {int(np.sqrt(influence_counts((n, n), k, stride)[i, i]))} window position(s) cover index {i}; "
        f"in 2-D that is {int(influence_counts((n, n), k, stride)[i, i])}, and each of the {c_out} output channels "
        f"contributes one term per window: {int(influence_counts((n, n), k, stride)[i, i]) * c_out} terms. Forgetting "
        "the sum over output channels $m$ is the usual slip."
    ),
    draw=lambda rng: dict(
        n=int(rng.integers(12, 40)), k=int(rng.integers(2, 6)), c_out=int(rng.choice([4, 8, 16, 20])),
        stride=int(rng.integers(1, 3)), i=int(rng.integers(0, 12)),
    ),
)
def backprop_input_terms(n, k, c_out, stride, i):
    return int(influence_counts((n, n), k, stride)[i, i]) * c_out


# -- 15-16. sizes ---------------------------------------------------------------------------------------
@exercise(
    id="conv-dilated-size",
    chapter=CHAPTER,
    title="Output size with stride, padding and dilation",
    params=dict(n=32, k=3, s=2, p=2, d=2),
    prompt=lambda n, k, s, p, d: (
        f"An input of size ${n} \\times {n}$ goes through a ${k} \\times {k}$ convolution with stride {s}, padding {p} "
        f"and dilation {d}. What is the output's height?"
    ),
    hint=lambda **_: ("The dilated kernel spans $d(k - 1) + 1$ cells; then use $\\lfloor (n + 2p - \\text{span})/s \\rfloor + 1$."),
    solution=lambda n, k, s, p, d: (
        f"Span $= {d}\\cdot({k} - 1) + 1 = {d * (k - 1) + 1}$. Output "
        f"$= \\lfloor ({n} + 2\\cdot{p} - {d * (k - 1) + 1})/{s} \\rfloor + 1 = {output_size(n, k, s, p, d)}$."
    ),
    draw=lambda rng: dict(
        n=int(rng.integers(8, 65)), k=int(rng.integers(2, 6)), s=int(rng.integers(1, 4)), p=int(rng.integers(0, 4)),
        d=int(rng.integers(1, 4)),
    ),
)
def dilated_size(n, k, s, p, d):
    return output_size(n, k, s, p, d)


@exercise(
    id="conv-transposed-size",
    chapter=CHAPTER,
    title="Back through a strided layer",
    params=dict(n=20, k=8, s=4, p=0, op=0),
    prompt=lambda n, k, s, p, op: (
        f"A transposed convolution (the shape of a conv layer's backward pass) takes an input of length {n}, kernel "
        f"size {k}, stride {s}, padding {p} and output padding {op}. How long is its output?"
    ),
    hint=lambda **_: ("Undo the size formula: $(n - 1)s - 2p + (k - 1) + 1 + \\text{output padding}$."),
    solution=lambda n, k, s, p, op: (
        f"$({n} - 1)\\cdot{s} - 2\\cdot{p} + ({k} - 1) + 1 + {op} = {transposed_output_size(n, k, s, p, op)}$. "
        "Output padding picks among the input sizes that a strided convolution maps to the same output size."
    ),
    draw=lambda rng: dict(
        n=int(rng.integers(3, 40)), k=int(rng.integers(1, 9)), s=(s := int(rng.integers(1, 5))),
        p=int(rng.integers(0, 3)), op=int(rng.integers(0, s)),
    ),
)
def transposed_size(n, k, s, p, op):
    return transposed_output_size(n, k, s, p, op)
