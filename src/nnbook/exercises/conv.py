"""Exercises of the convolution chapter: flipping, 1-D modes, the 5x5 problem, channels, layers,
pooling, grouped convolutions, padding conventions, backprop and transposed convolutions.

Every answer is computed with :mod:`nnbook.conv`; where the course's sample solution got one wrong,
the worked solution says what the slip was, and the classic slips are declared as named mistakes
(``mistakes=[mistake(...)]``), so a reader who makes one is told which. The book's own numbers differ
from the chapter's worked examples, and variants are redrawn if they would repeat them.
"""

from __future__ import annotations

import numpy as np

from ..conv import (
    conv1d,
    conv2d,
    conv2d_grad_weight,
    conv2d_layer_counts,
    conv2d_matrix,
    conv_transpose2d,
    extremes,
    influence_counts,
    output_size,
    padding_for_mode,
    pool2d,
    pool2d_grad_input,
    same_padding_tf,
    transposed_output_size,
)
from ._core import exercise, mistake


def _big(n: int) -> str:
    """An integer for TeX math with thousands separators: ``{,}`` keeps TeX from spacing after the comma.

    >>> _big(5133600)
    '5{,}133{,}600'
    """
    return f"{n:,}".replace(",", "{,}")


CHAPTER = "conv"

SEED_X = (
    (0, 0, 0, 0, 0),
    (0, 3, 3, 3, 0),
    (0, 3, 2, 3, 0),
    (0, 3, 2, 3, 0),
    (0, 0, 0, 0, 0),
)
SEED_W = ((1, -1), (1, -1))
# The exercises' own 5x5 problem: the homework's shape, other numbers (the chapter works SEED_X).
BOOK_X = (
    (0, 0, 0, 0, 0),
    (0, 4, 4, 1, 0),
    (0, 4, 2, 1, 0),
    (0, 4, 2, 1, 0),
    (0, 0, 0, 0, 0),
)
BOOK_W = ((-1, 1), (-1, 1))

# Sections of book/convolution.ipynb the exercises check.
S_FLIP = "Convolution or cross-correlation?"
S_1D = "One dimension: full, valid and same"
S_2D = "Two dimensions: a 5×5 image and a 2×2 kernel"
S_WHY = "Why convolution?"
S_CHANNELS = "Channels"
S_SIZES = "Stride, padding and dilation"
S_PADDING = "Padding conventions"
S_POOL = "Pooling"
S_GROUPS = "1×1, grouped and depthwise convolutions"
S_BACKPROP = "Backpropagation through a convolution"
S_MATRIX = "Convolution as a matrix, transposed convolution as its transpose"


def _avoiding(draw, *worked: dict):
    """Wrap ``draw`` so that a variant never repeats one of the chapter's worked examples."""

    def redraw(rng: np.random.Generator) -> dict:
        while True:
            params = dict(draw(rng))
            if not any(all(params.get(k) == v for k, v in example.items()) for example in worked):
                return params

    return redraw


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
    hints=["Write out two terms, $k_1 = 0$ and $k_1 = 1$: does the input index move the same way as the kernel index?"],
    objective="tell a true convolution from a cross-correlation by the sign of the kernel index",
    difficulty=1,
    minutes=1,
    section=S_FLIP,
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


def _mode_mistakes(mode: str) -> list:
    found = [
        mistake(
            "kernel not flipped",
            lambda x, w: tuple(float(v) for v in conv1d(x, w, mode, flip=False)),
            "Those are the values of a cross-correlation: a true convolution (and `np.convolve`) uses the "
            "kernel back to front. Reverse $w$ first.",
        )
    ]
    if mode == "same":
        found.append(
            mistake(
                "all padding at the start",
                lambda x, w: tuple(float(v) for v in conv1d(x, w, "full")[: len(x)]),
                "You put both zeros before the input (that is causal padding, the first outputs of *full*). "
                '"Same" splits the $k - 1$ zeros: one at each end for $k = 3$.',
            )
        )
    return found


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
            params=dict(x=(3, 1, -2, 4), w=(2, 1, -1)),
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
            draw=_avoiding(_draw_1d, dict(x=(1, 2, 3, 4), w=(1, 0, 2))),
            labels=labels,
            hints=[
                "Flipped kernel: ${w_rev}$. First output: line it up with the first {k} cells of the padded input "
                "and take the dot product; then move one cell right.".replace("{w_rev}", "{w[2]}, {w[1]}, {w[0]}")
                .replace("{k}", "3")
            ],
            mistakes=_mode_mistakes(mode),
            objective=f"compute a 1-D convolution with kernel flipping in {mode} mode",
            difficulty=1,
            minutes=4,
            section=S_1D,
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


def _extreme_of(x, w, which: str, flip: bool = False) -> tuple[float, int]:
    w = np.array(w, float)
    e = extremes(_z(x, w[::-1, ::-1] if flip else w))
    return (e.max, len(e.argmax)) if which == "max" else (e.min, len(e.argmin))


@exercise(
    id="conv-2d-valid-shape",
    chapter=CHAPTER,
    title="Limits of the sum and the valid output size",
    params=dict(x=BOOK_X, w=BOOK_W),
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
    draw=_avoiding(lambda rng: _draw_5x5(rng), dict(x=SEED_X)),
    labels=["largest k1", "rows of Z", "columns of Z"],
    hints=["The first window starts at row 0 and the last must end at row {x_rows_last}: count the start rows."
           .replace("{x_rows_last}", "4")],
    mistakes=[
        mistake("one axis shrunk", lambda x, w: (len(w) - 1, len(x), len(x[0]) - len(w[0]) + 1),
                "The kernel has two rows *and* two columns, so the output loses one row and one column."),
        mistake("bound on k1 + k2", lambda x, w: (len(w) + len(w[0]) - 2, len(x) - len(w) + 1, len(x[0]) - len(w[0]) + 1),
                "That is a bound on $k_1 + k_2$; each index runs over the kernel's own range, separately."),
    ],
    objective="read the limits of a 2-D cross-correlation sum and the valid output size",
    difficulty=1,
    minutes=2,
    section=S_2D,
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
    params=dict(x=BOOK_X, w=BOOK_W),
    prompt=lambda x, w: _problem(x, w) + "What is the largest value of $Z$, and at how many locations $(i, j)$ does it occur?",
    hint="Write out all of $Z$ (it is small) rather than guessing from the pattern; count every location.",
    solution=_extreme_solution("max"),
    draw=_avoiding(lambda rng: _draw_5x5(rng), dict(x=SEED_X)),
    labels=["largest value", "number of locations"],
    hints=["$Z[0, 0]$ is the sum of $W$ times the top-left 2x2 block of $X$; do the same for each of the 16 windows."],
    mistakes=[
        mistake("kernel flipped", lambda x, w: _extreme_of(x, w, "max", flip=True),
                "You flipped the kernel (a true convolution); this $Z$ is a cross-correlation, $X[i + k_1, j + k_2]$."),
        mistake("one location only", lambda x, w: (_extreme_of(x, w, "max")[0], 1),
                "The value is right, but it occurs at more than one location: count them all."),
    ],
    objective="compute a small 2-D cross-correlation and find its maximum and every place it occurs",
    difficulty=2,
    minutes=6,
    section=S_2D,
)
def largest(x, w):
    e = extremes(_z(x, w))
    return (e.max, len(e.argmax))


@exercise(
    id="conv-2d-most-negative",
    chapter=CHAPTER,
    title="Most negative value and where it occurs",
    params=dict(x=BOOK_X, w=BOOK_W),
    prompt=lambda x, w: _problem(x, w) + (
        "What is the most negative value of $Z$ (with its sign), and at how many locations does it occur?"
    ),
    hint="The most negative value is below zero: keep the sign. Then count every location that has it.",
    solution=_extreme_solution("min"),
    draw=_avoiding(lambda rng: _draw_5x5(rng), dict(x=SEED_X)),
    labels=["most negative value", "number of locations"],
    hints=["Look for windows whose positive-weight column sees zeros and whose negative-weight column sees large values."],
    mistakes=[
        mistake("sign dropped", lambda x, w: (-_extreme_of(x, w, "min")[0], _extreme_of(x, w, "min")[1]),
                "The most negative value is below zero: keep its minus sign."),
        mistake("kernel flipped", lambda x, w: _extreme_of(x, w, "min", flip=True),
                "You flipped the kernel (a true convolution); this $Z$ is a cross-correlation, $X[i + k_1, j + k_2]$."),
    ],
    objective="find the minimum of a 2-D cross-correlation, sign included, and count where it occurs",
    difficulty=2,
    minutes=4,
    section=S_2D,
)
def most_negative(x, w):
    e = extremes(_z(x, w))
    return (e.min, len(e.argmin))


@exercise(
    id="conv-2d-zeros",
    chapter=CHAPTER,
    title="Where the output is zero",
    params=dict(x=BOOK_X, w=BOOK_W),
    prompt=lambda x, w: _problem(x, w) + "At how many locations $(i, j)$ is $Z[i, j] = 0$?",
    hint="Compute every entry: the kernel subtracts the right column of each 2x2 window from the left one.",
    solution=lambda x, w: (
        f"$Z = {_mat(_z(x, w).astype(int))}$ is zero at "
        + (", ".join(f"({i}, {j})" for i, j in extremes(_z(x, w)).zeros) or "no location")
        + f": {len(extremes(_z(x, w)).zeros)} location(s). Locations where the two columns differ by one, such "
        "as $\\pm 1$, are not zeros."
    ),
    draw=_avoiding(lambda rng: _draw_5x5(rng), dict(x=SEED_X)),
    hints=["A window gives zero when its two columns have the same sum (for this kernel): check all 16."],
    mistakes=[
        mistake("near-zeros counted", lambda x, w: int(np.sum(np.abs(_z(x, w)) <= 1)),
                "You counted entries of $\\pm 1$ as zeros: only exact zeros count."),
    ],
    objective="locate the zeros of a 2-D cross-correlation",
    difficulty=1,
    minutes=3,
    section=S_2D,
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


_LAYER = dict(h=32, w=40, c_in=16, k=5, c_out=8)
_WORKED_LAYER = dict(h=48, w=64, c_in=10, k=3, c_out=20)
_draw_layer_new = _avoiding(_draw_layer, _WORKED_LAYER, _LAYER)


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
    draw=_draw_layer_new,
    labels=["height", "width", "channels"],
    hints=["Height: ${h} - {k} + 1$. The number of channels out is the number of kernels, the last axis of $W$."],
    mistakes=[
        mistake("channels from the input", lambda h, w, c_in, k, c_out: (h - k + 1, w - k + 1, c_in),
                "The output has one channel per kernel ($C_{{out}} = {c_out}$), not the input's {c_in}."),
        mistake("size not shrunk", lambda h, w, c_in, k, c_out: (h, w, c_out),
                "That is the size with \"same\" padding; on the valid pixels each axis loses $k - 1 = {k} - 1$."),
    ],
    objective="give the output shape of a convolutional layer",
    difficulty=1,
    minutes=2,
    section=S_CHANNELS,
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
        f"${_big(conv2d_layer_counts((c_in, h, w), c_out, k).multiplications)}$."
    ),
    draw=_draw_layer_new,
    hints=["Outputs: ${h} - {k} + 1$ by ${w} - {k} + 1$ by {c_out}. Each needs ${k} \\cdot {k} \\cdot {c_in}$ products."],
    mistakes=[
        mistake("input channels forgotten",
                lambda h, w, c_in, k, c_out: (h - k + 1) * (w - k + 1) * c_out * k * k,
                "You counted $k^2$ products per output; the kernel also runs over all {c_in} input channels, so "
                "it is $k^2 C_{{in}}$."),
        mistake("output size not shrunk",
                lambda h, w, c_in, k, c_out: h * w * c_out * k * k * c_in,
                "You used the input size for the output; on the valid pixels it is "
                "$({h} - {k} + 1) \\times ({w} - {k} + 1)$."),
    ],
    objective="count the multiplications of a convolutional layer",
    difficulty=2,
    minutes=3,
    section=S_CHANNELS,
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
    draw=_draw_layer_new,
    hints=["$W$ has ${k} \\cdot {k} \\cdot {c_in} \\cdot {c_out}$ entries; add one bias per output channel."],
    mistakes=[
        mistake("biases forgotten", lambda h, w, c_in, k, c_out: k * k * c_in * c_out,
                "That counts the weights only: each of the {c_out} kernels also has a bias."),
        mistake("input channels forgotten", lambda h, w, c_in, k, c_out: k * k * c_out + c_out,
                "Each kernel is ${k} \\times {k} \\times {c_in}$: it has weights for every input channel."),
        mistake("counted per output position",
                lambda h, w, c_in, k, c_out: (h - k + 1) * (w - k + 1) * (k * k * c_in * c_out + c_out),
                "Weights are shared: the same kernel slides over every position, so the image size does not "
                "enter the parameter count."),
    ],
    objective="count the trainable parameters of a convolutional layer",
    difficulty=1,
    minutes=2,
    section=S_CHANNELS,
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
    hints=["$\\sigma({z}) = 1/(1 + e^{{-{z}}})$; multiply the upstream ${du}$ by $\\sigma(1 - \\sigma)$."],
    mistakes=[
        mistake("sigma instead of its derivative", lambda z, du: du * _sigmoid(z),
                "You multiplied by $\\sigma(z)$; the chain rule needs its derivative, $\\sigma(z)(1 - \\sigma(z))$."),
        mistake("upstream gradient forgotten", lambda z, du: _sigmoid(z) * (1 - _sigmoid(z)),
                "That is $\\sigma'(z)$ alone: multiply by $\\partial J/\\partial U = {du}$ (chain rule)."),
    ],
    objective="backpropagate through an elementwise sigmoid",
    difficulty=1,
    minutes=2,
    section=S_BACKPROP,
)
def backprop_sigmoid(z, du):
    u = _sigmoid(z)
    return du * u * (1 - u)


@exercise(
    id="conv-backprop-weight",
    chapter=CHAPTER,
    title="A weight's gradient sums over positions",
    params=dict(x=BOOK_X, k=3, g=2),
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
    draw=_avoiding(lambda rng: dict(x=_draw_5x5(rng)["x"], k=int(rng.integers(2, 4)), g=int(rng.integers(-3, 4)) or 2),
                   dict(x=SEED_X, k=2, g=1)),
    hints=["$W[0, 0]$ meets $X[i, j]$ for $0 \\le i, j \\le {n_last}$: the top-left block of $X$ as large as $Z$."
           .replace("{n_last}", "5 - k")],
    mistakes=[
        mistake("summed all of X", lambda x, k, g: g * float(np.sum(x)),
                "You summed the whole of $X$; $W[0, 0]$ only ever meets the top-left block of $X$ the size of $Z$."),
        mistake("one position only", lambda x, k, g: g * float(x[0][0]),
                "A weight is shared by every output position: add one product per position."),
    ],
    objective="compute a weight's gradient as a sum over output positions",
    difficulty=2,
    minutes=4,
    section=S_BACKPROP,
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
    hints=["Along one axis, output $j$ reads inputs $j s, \\dots, j s + k - 1$: which $j$ include index {i}?"],
    mistakes=[
        mistake("output channels forgotten", lambda n, k, c_out, stride, i: int(influence_counts((n, n), k, stride)[i, i]),
                "Every one of the {c_out} output channels reads the pixel, so each window contributes {c_out} terms."),
        mistake("assumed k² windows", lambda n, k, c_out, stride, i: k * k * c_out,
                "$k^2$ windows cover a pixel only away from the border and with stride 1: count the windows "
                "that really cover index {i}."),
    ],
    objective="count the terms of an input gradient: windows covering a pixel times output channels",
    difficulty=2,
    minutes=4,
    section=S_BACKPROP,
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
    hints=["Here the span is ${d}({k} - 1) + 1$ and the padded input ${n} + 2 \\cdot {p}$."],
    mistakes=[
        mistake("dilation ignored", lambda n, k, s, p, d: output_size(n, k, s, p),
                "You used the kernel size $k$ as the window's span; with dilation {d} it spans $d(k - 1) + 1$."),
        mistake("padding on one side", lambda n, k, s, p, d: output_size(n + p, k, s, 0, d),
                "The padding {p} is added at *each* end: the padded length is $n + 2p$."),
        mistake("rounded up", lambda n, k, s, p, d: -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1,
                "Round *down*: a last window that would stick out of the padded input does not count "
                "(PyTorch's default; TensorFlow's SAME is a different rule)."),
    ],
    objective="compute a convolution's output size with stride, padding and dilation",
    difficulty=2,
    minutes=3,
    section=S_SIZES,
)
def dilated_size(n, k, s, p, d):
    return output_size(n, k, s, p, d)


@exercise(
    id="conv-transposed-size",
    chapter=CHAPTER,
    title="Back through a strided layer",
    params=dict(n=7, k=4, s=2, p=1, op=1),
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
    hints=["$({n} - 1) \\cdot {s}$ spreads the inputs; the kernel adds ${k} - 1$; padding removes $2 \\cdot {p}$."],
    mistakes=[
        mistake("output padding forgotten", lambda n, k, s, p, op: transposed_output_size(n, k, s, p, 0),
                "Add the output padding {op} at the end."),
        mistake("padding added", lambda n, k, s, p, op: (n - 1) * s + 2 * p + k + op,
                "In a transposed convolution the padding is *removed* from the output: $-2p$."),
        mistake("n instead of n - 1", lambda n, k, s, p, op: n * s - 2 * p + k + op,
                "There are $n - 1$ gaps of $s$ between $n$ inputs, not $n$."),
    ],
    objective="compute a transposed convolution's output size",
    difficulty=2,
    minutes=3,
    section=S_MATRIX,
)
def transposed_size(n, k, s, p, op):
    return transposed_output_size(n, k, s, p, op)


# -- 17. why convolution: a dense layer on the same image ---------------------------------------------
_WHY_WORKED = dict(h=28, w=28, c=1, c_out=8, k=3)


@exercise(
    id="conv-why-dense-parameters",
    chapter=CHAPTER,
    title="A dense layer on the same image",
    params=dict(h=32, w=32, c=3, c_out=16, k=3),
    prompt=lambda h, w, c, c_out, k: (
        f"A ${k} \\times {k}$ convolution with {c_out} output channels and \"same\" padding maps a ${h} \\times {w} "
        f"\\times {c}$ image to ${h} \\times {w} \\times {c_out}$ and has ${_big(k * k * c * c_out + c_out)}$ parameters. "
        "How many parameters (weights and biases) does a fully connected layer with the same input and the same "
        "output size have?"
    ),
    hint="A dense layer connects every input value to every output value, and has one bias per output value.",
    hints=["Inputs: ${h} \\cdot {w} \\cdot {c}$; outputs: ${h} \\cdot {w} \\cdot {c_out}$. Multiply, then add the biases."],
    solution=lambda h, w, c, c_out, k: (
        f"${_big(h * w * c)}$ inputs times ${_big(h * w * c_out)}$ outputs $= {_big(h * w * c * h * w * c_out)}$ weights, plus "
        f"${_big(h * w * c_out)}$ biases: ${_big(h * w * c * h * w * c_out + h * w * c_out)}$, about "
        f"{(h * w * c * h * w * c_out + h * w * c_out) / (k * k * c * c_out + c_out):,.0f} times the convolution's. "
        "Locality (each output reads a small window) and weight sharing (the same kernel everywhere) are what "
        "make the difference."
    ),
    draw=_avoiding(lambda rng: dict(h=int(rng.choice([8, 16, 24, 28, 32])), w=int(rng.choice([8, 16, 24, 32])),
                                    c=int(rng.choice([1, 3])), c_out=int(rng.choice([4, 8, 16])),
                                    k=int(rng.choice([3, 5]))), _WHY_WORKED),
    mistakes=[
        mistake("biases forgotten", lambda h, w, c, c_out, k: h * w * c * h * w * c_out,
                "That counts the weights only: a dense layer has one bias per output value, ${h} \\cdot {w} \\cdot {c_out}$."),
        mistake("one bias per channel", lambda h, w, c, c_out, k: h * w * c * h * w * c_out + c_out,
                "A dense layer shares nothing: it has a bias for every output *value*, not one per channel."),
    ],
    objective="compare a dense layer's parameter count with a convolution's on the same image",
    difficulty=1,
    minutes=3,
    section=S_WHY,
)
def why_dense_parameters(h, w, c, c_out, k):
    return h * w * c * h * w * c_out + h * w * c_out


# -- 18. channels by hand --------------------------------------------------------------------------------
_CH_WORKED = dict(
    x=(((0, 1, 2), (3, 4, 5), (6, 7, 8)), ((1, 2, 3), (4, 5, 6), (7, 8, 9))),
    w=((((0, 1), (2, 3)), ((1, 2), (3, 4))), (((1, 0), (0, 1)), ((0, -1), (1, 0)))),
)


def _draw_channels(rng: np.random.Generator) -> dict:
    x = rng.integers(0, 5, size=(2, 3, 3))
    w = rng.integers(-2, 3, size=(2, 2, 2, 2))
    return dict(x=_nested(x), w=_nested(w), b=int(rng.integers(-3, 4)), o=int(rng.integers(0, 2)),
                i=int(rng.integers(0, 2)), j=int(rng.integers(0, 2)))


def _nested(a: np.ndarray):
    return tuple(_nested(v) for v in a) if a.ndim else int(a)


def _channel_value(x, w, b, o, i, j, channels=(0, 1), with_bias=True) -> float:
    xa, wa = np.array(x, float), np.array(w, float)
    total = sum(float(np.sum(wa[o, c] * xa[c, i : i + 2, j : j + 2])) for c in channels)
    return total + (b if with_bias else 0)


@exercise(
    id="conv-channels-by-hand",
    chapter=CHAPTER,
    title="One output of a two-channel convolution",
    params=dict(
        x=(((1, 0, 2), (3, 1, 0), (2, 2, 1)), ((0, 1, 1), (2, 0, 3), (1, 4, 0))),
        w=((((1, -1), (0, 2)), ((2, 0), (-1, 1))), (((0, 1), (1, 0)), ((1, 1), (0, -2)))),
        b=1, o=0, i=1, j=0,
    ),
    prompt=lambda x, w, b, o, i, j: (
        f"An input has two channels, $X_0 = {_mat(x[0])}$ and $X_1 = {_mat(x[1])}$. Filter {o} has the slices "
        f"$W[{o}, 0] = {_mat(w[o][0])}$ and $W[{o}, 1] = {_mat(w[o][1])}$ and bias $b[{o}] = {b}$. With a valid "
        f"cross-correlation (no flip), what is $Z[{o}, {i}, {j}]$?"
    ),
    hint="One output value sums the products over *both* input channels, then adds the filter's bias.",
    hints=[f"Take the 2x2 window of each channel starting at row {{i}}, column {{j}}; multiply it by that "
           f"channel's slice of the filter; add the two sums and the bias."],
    solution=lambda x, w, b, o, i, j: (
        f"Channel 0 gives ${_channel_value(x, w, b, o, i, j, (0,), False):g}$, channel 1 gives "
        f"${_channel_value(x, w, b, o, i, j, (1,), False):g}$; with the bias ${b}$: "
        f"$Z[{o}, {i}, {j}] = {_channel_value(x, w, b, o, i, j):g}$. Forgetting the sum over input channels is "
        "the classic slip."
    ),
    draw=_avoiding(_draw_channels, _CH_WORKED),
    mistakes=[
        mistake("one input channel only", lambda x, w, b, o, i, j: _channel_value(x, w, b, o, i, j, (0,)),
                "That uses channel 0 only: the filter reads every input channel, and their sums add up."),
        mistake("bias forgotten", lambda x, w, b, o, i, j: _channel_value(x, w, b, o, i, j, with_bias=False),
                "Add the bias $b[{o}] = {b}$."),
        mistake("kernel flipped", lambda x, w, b, o, i, j: _channel_value(
            x, tuple(tuple(tuple(tuple(r[::-1]) for r in s[::-1]) for s in f) for f in w), b, o, i, j),
            "Deep-learning convolution does not flip the kernel: multiply each window by the slice as written."),
    ],
    objective="compute one output of a multi-channel convolution by hand",
    difficulty=2,
    minutes=4,
    section=S_CHANNELS,
)
def channels_by_hand(x, w, b, o, i, j):
    z = conv2d(np.array(x, float), np.array(w, float), np.full(2, float(b)))
    return float(z[o, i, j])


# -- 19-20. padding conventions -------------------------------------------------------------------------
@exercise(
    id="conv-same-padding-tf",
    chapter=CHAPTER,
    title="TensorFlow's SAME padding with a stride",
    params=dict(n=10, k=3, s=4),
    prompt=lambda n, k, s: (
        f"In Keras, `Conv2D(kernel_size={k}, strides={s}, padding=\"same\")` is applied to an input {n} pixels wide. "
        "How wide is the output, and how many zeros are added before and after the input (along the width)?"
    ),
    hint="TensorFlow's SAME gives $\\lceil n / s \\rceil$ outputs and pads just enough zeros for them; an odd "
    "zero goes after.",
    hints=["Outputs: $\\lceil {n}/{s} \\rceil$. The last window starts at $(\\text{{out}} - 1) \\cdot {s}$ and needs "
           "${k}$ cells: total padding $= \\max((\\text{{out}} - 1){s} + {k} - {n}, 0)$."],
    solution=lambda n, k, s: (
        f"$\\lceil {n}/{s} \\rceil = {-(-n // s)}$ outputs. The windows need $({-(-n // s)} - 1) \\cdot {s} + {k} = "
        f"{(-(-n // s) - 1) * s + k}$ cells, so ${sum(same_padding_tf(n, k, s))}$ zero(s) in total: "
        f"{same_padding_tf(n, k, s)[0]} before and {same_padding_tf(n, k, s)[1]} after (TensorFlow puts the odd one "
        "after). PyTorch's `padding=\"same\"` refuses a stride; with symmetric integer padding you cannot always "
        "reproduce this."
    ),
    draw=_avoiding(lambda rng: dict(n=int(rng.integers(5, 40)), k=int(rng.choice([2, 3, 4, 5, 7])),
                                    s=int(rng.integers(2, 5))), dict(n=7, k=3, s=2), dict(n=8, k=3, s=2)),
    labels=["output width", "zeros before", "zeros after"],
    mistakes=[
        mistake("rounded down", lambda n, k, s: (n // s, *same_padding_tf(n, k, s)),
                "SAME rounds *up*: $\\lceil {n}/{s} \\rceil$ outputs, so that every input column is read."),
        mistake("odd zero before", lambda n, k, s: (-(-n // s), same_padding_tf(n, k, s)[1], same_padding_tf(n, k, s)[0]),
                "TensorFlow puts the odd zero *after* the input (NumPy's 'same' puts it before)."),
        mistake("stride-1 padding", lambda n, k, s: (-(-n // s), (k - 1) // 2, k - 1 - (k - 1) // 2),
                "That is the padding for stride 1; with stride {s} fewer zeros are needed: pad only what the last "
                "window lacks."),
    ],
    objective="apply TensorFlow's SAME padding rule with a stride",
    difficulty=2,
    minutes=4,
    section=S_PADDING,
)
def same_padding_tf_exercise(n, k, s):
    before, after = same_padding_tf(n, k, s)
    return (-(-n // s), before, after)


@exercise(
    id="conv-total-padding",
    chapter=CHAPTER,
    title="Padding given as a total",
    params=dict(n=28, k=5, p_total=2),
    prompt=lambda n, k, p_total: (
        f"A textbook writes the output size of a convolution as $n - k + p + 1$, where $p$ is the *total* number of "
        f"padded rows (top and bottom together). With $n = {n}$, $k = {k}$ and $p = {p_total}$, how many rows does "
        "the output have?"
    ),
    hint="The formula already counts both sides: use $p$ as it is.",
    hints=["In PyTorch's terms that is padding {p_total}/2 per side (when even): $n + 2 \\cdot (p/2) - k + 1$."],
    solution=lambda n, k, p_total: (
        f"${n} - {k} + {p_total} + 1 = {n - k + p_total + 1}$. In PyTorch (and in this book) `padding` counts one "
        f"side, so the same layer is `padding={p_total // 2}` when {p_total} is even; doubling the total is the "
        "slip to avoid."
    ),
    draw=_avoiding(lambda rng: dict(n=int(rng.integers(8, 64)), k=int(rng.choice([3, 5, 7])),
                                    p_total=int(rng.choice([2, 4, 6]))), dict(n=32, k=5, p_total=4)),
    mistakes=[
        mistake("total doubled", lambda n, k, p_total: n - k + 2 * p_total + 1,
                "You doubled $p$: here it is already the total over both sides."),
    ],
    objective="convert between per-side and total padding conventions",
    difficulty=1,
    minutes=2,
    section=S_PADDING,
)
def total_padding(n, k, p_total):
    return n - k + p_total + 1


# -- 21-23. pooling ------------------------------------------------------------------------------------
_POOL_X = ((1, 3, 2, 0), (4, 2, 1, 5), (0, 1, 3, 2), (2, 6, 1, 1))  # the chapter's worked example


def _draw_pool(rng: np.random.Generator) -> dict:
    return dict(x=_nested(rng.integers(0, 10, size=(4, 4))))


@exercise(
    id="conv-pool-max",
    chapter=CHAPTER,
    title="Max pooling forward",
    params=dict(x=((2, 7, 1, 4), (5, 0, 3, 3), (8, 1, 6, 2), (4, 9, 0, 5))),
    prompt=lambda x: (
        f"Apply 2x2 max pooling with stride 2 to $X = {_mat(x)}$. Give the four outputs in reading order."
    ),
    hint="Cut $X$ into four non-overlapping 2x2 blocks and keep the largest value of each.",
    hints=["Top-left block: rows 0-1, columns 0-1. Top-right: rows 0-1, columns 2-3. Then the bottom two."],
    solution=lambda x: (
        f"The blocks' maxima are ${_vec(pool2d(np.array(x, float), 2).ravel())}$: max pooling keeps the strongest "
        "response in each window and halves each spatial size."
    ),
    draw=_avoiding(_draw_pool, dict(x=_POOL_X)),
    labels=["top left", "top right", "bottom left", "bottom right"],
    mistakes=[
        mistake("averaged", lambda x: tuple(pool2d(np.array(x, float), 2, mode="avg").ravel()),
                "Those are the averages of the blocks; max pooling keeps the largest value."),
    ],
    objective="compute max pooling by hand",
    difficulty=1,
    minutes=2,
    section=S_POOL,
)
def pool_max(x):
    return tuple(float(v) for v in pool2d(np.array(x, float), 2).ravel())


@exercise(
    id="conv-pool-avg-padding",
    chapter=CHAPTER,
    title="Average pooling with padding",
    params=dict(x=((4, 8, 2), (6, 2, 0), (1, 3, 9))),
    prompt=lambda x: (
        f"PyTorch's `avg_pool2d(X, kernel_size=2, stride=2, padding=1)` is applied to $X = {_mat(x)}$. Give the "
        "four outputs in reading order."
    ),
    hint="Pad one zero all around (a 5x5 grid), cut it into 2x2 windows with stride 2 and divide each sum by 4: "
    "PyTorch counts the padded zeros (count_include_pad=True).",
    hints=["The top-left window holds one real value, $X[0, 0]$, and three zeros: the output is $X[0, 0]/4$."],
    solution=lambda x: (
        f"The windows' sums divided by 4 (padding included): "
        f"${_vec(pool2d(np.array(x, float), 2, 2, 1, mode='avg').ravel())}$. With `count_include_pad=False` each "
        "sum would be divided by the number of real cells instead."
    ),
    draw=_avoiding(lambda rng: dict(x=_nested(rng.integers(0, 10, size=(3, 3)))), dict(x=((1, 2), (3, 4)))),
    labels=["top left", "top right", "bottom left", "bottom right"],
    tolerance=0.01,
    mistakes=[
        mistake("padding not counted", lambda x: tuple(
            (pool2d(np.array(x, float), 2, 2, 1, mode="avg") / pool2d(np.ones((3, 3)), 2, 2, 1, mode="avg")).ravel()),
            "You divided by the real cells only (`count_include_pad=False`); PyTorch's default divides by all 4."),
        mistake("no padding", lambda x: tuple(pool2d(np.array(x, float), 2, 1, mode="avg").ravel()),
                "You left out the padding: with one zero all around, the windows start one cell up and left."),
    ],
    objective="compute average pooling with padding, PyTorch's way",
    difficulty=2,
    minutes=4,
    section=S_POOL,
)
def pool_avg_padding(x):
    return tuple(float(v) for v in pool2d(np.array(x, float), 2, 2, 1, mode="avg").ravel())


@exercise(
    id="conv-pool-backward",
    chapter=CHAPTER,
    title="The gradient through max pooling",
    params=dict(x=((2, 7, 1, 4), (5, 0, 3, 3), (8, 1, 6, 2), (4, 9, 0, 5)), g=((1, -2), (3, 0.5))),
    prompt=lambda x, g: (
        f"$Y$ is 2x2 max pooling (stride 2) of $X = {_mat(x)}$, and backpropagation brings "
        f"$\\partial J/\\partial Y = {_mat(g)}$. Give $\\partial J/\\partial X$ for the top-left 2x2 block of $X$ "
        "(reading order)."
    ),
    hint="Only the input that won its window affected the output: it receives the window's whole gradient, the "
    "others get 0.",
    hints=["In the top-left block the winner is the largest of its four values; it gets $\\partial J/\\partial Y[0, 0]$."],
    solution=lambda x, g: (
        f"The top-left block's maximum receives ${g[0][0]:g}$ and the other three 0: "
        f"${_vec(pool2d_grad_input(np.array(x, float), np.array(g, float), 2)[:2, :2].ravel())}$. Average pooling "
        "would instead give each of the four a quarter."
    ),
    draw=_avoiding(lambda rng: dict(x=_nested(rng.permutation(16).reshape(4, 4)),
                                    g=tuple(tuple(float(v) for v in row) for row in rng.integers(-4, 5, (2, 2)) / 2)),
                   dict(x=_POOL_X)),
    labels=["X[0, 0]", "X[0, 1]", "X[1, 0]", "X[1, 1]"],
    tolerance=1e-9,
    mistakes=[
        mistake("spread like average", lambda x, g: (g[0][0] / 4,) * 4,
                "That is average pooling's backward pass; max pooling sends the whole gradient to the winner."),
        mistake("copied to every input", lambda x, g: (float(g[0][0]),) * 4,
                "Only the winning input changes the output, so only it gets the gradient; the others get 0."),
    ],
    objective="backpropagate through max pooling",
    difficulty=2,
    minutes=3,
    section=S_POOL,
)
def pool_backward(x, g):
    grad = pool2d_grad_input(np.array(x, float), np.array(g, float), 2)
    return tuple(float(v) for v in grad[:2, :2].ravel())


# -- 24-25. grouped and depthwise ----------------------------------------------------------------------
@exercise(
    id="conv-grouped-weights",
    chapter=CHAPTER,
    title="Weights of a grouped convolution",
    params=dict(c_in=64, c_out=128, k=3, groups=4),
    prompt=lambda c_in, c_out, k, groups: (
        f"`Conv2d({c_in}, {c_out}, kernel_size={k}, groups={groups}, bias=False)`: how many weights does it have?"
    ),
    hint="Each output channel reads only the $C_{{in}}/g$ channels of its group.",
    hints=["Weight shape: $(C_{{out}}, C_{{in}}/g, k, k) = ({c_out}, {c_in}/{groups}, {k}, {k})$."],
    solution=lambda c_in, c_out, k, groups: (
        f"$W$ has shape $({c_out}, {c_in // groups}, {k}, {k})$: ${c_out} \\cdot {c_in // groups} \\cdot {k * k} = "
        f"{_big(c_out * (c_in // groups) * k * k)}$ weights, $1/{groups}$ of the dense layer's "
        f"${_big(c_out * c_in * k * k)}$."
    ),
    draw=_avoiding(lambda rng: dict(c_in=(g := int(rng.choice([2, 4, 8]))) * int(rng.choice([4, 8, 16])),
                                    c_out=g * int(rng.choice([4, 8, 16])), k=int(rng.choice([1, 3, 5])), groups=g),
                   dict(c_in=32, c_out=64, k=3, groups=32)),
    mistakes=[
        mistake("groups ignored", lambda c_in, c_out, k, groups: c_in * c_out * k * k,
                "That is an ordinary convolution: with {groups} groups each output channel reads only "
                "{c_in}/{groups} input channels."),
        mistake("divided twice", lambda c_in, c_out, k, groups: c_in * c_out * k * k // groups**2,
                "Divide by the number of groups once: the output channels are split too, but every one of the "
                "{c_out} still has its own kernel."),
    ],
    objective="count the weights of a grouped convolution",
    difficulty=2,
    minutes=2,
    section=S_GROUPS,
)
def grouped_weights(c_in, c_out, k, groups):
    return conv2d_layer_counts((c_in, k, k), c_out, k, groups=groups, bias=False).weights


@exercise(
    id="conv-depthwise-separable",
    chapter=CHAPTER,
    title="Multiplications of a depthwise-separable block",
    params=dict(c=64, c_out=128, k=3, n=28),
    prompt=lambda c, c_out, k, n: (
        f"A ${n} \\times {n} \\times {c}$ input goes through a depthwise ${k} \\times {k}$ convolution ({c} groups, "
        f"\"same\" padding) followed by a 1x1 convolution to {c_out} channels. How many multiplications does the "
        "block take in total?"
    ),
    hint="Depthwise: each of the $C$ channels has its own $k \\times k$ kernel. Pointwise: a 1x1 conv is $C$ "
    "multiplications per output value.",
    hints=["Depthwise: ${n}^2 \\cdot {c} \\cdot {k}^2$. Pointwise: ${n}^2 \\cdot {c_out} \\cdot {c}$. Add them."],
    solution=lambda c, c_out, k, n: (
        f"Depthwise ${_big(n * n)} \\cdot {c} \\cdot {k * k} = {_big(n * n * c * k * k)}$, pointwise "
        f"${_big(n * n)} \\cdot {c_out} \\cdot {c} = {_big(n * n * c_out * c)}$: ${_big(n * n * c * (k * k + c_out))}$ in total, "
        f"against ${_big(n * n * c_out * c * k * k)}$ for one ${k} \\times {k}$ convolution, a ratio of "
        f"$1/{c_out} + 1/{k * k} = {1 / c_out + 1 / (k * k):.3f}$."
    ),
    draw=_avoiding(lambda rng: dict(c=int(rng.choice([16, 32, 64, 128])), c_out=int(rng.choice([32, 64, 128, 256])),
                                    k=int(rng.choice([3, 5])), n=int(rng.choice([7, 14, 28, 56]))),
                   dict(c=32, c_out=64, k=3, n=56)),
    mistakes=[
        mistake("ordinary convolution", lambda c, c_out, k, n: n * n * c_out * c * k * k,
                "That is one ordinary ${k} \\times {k}$ convolution from {c} to {c_out} channels; the block splits "
                "it into a depthwise and a 1x1 step."),
        mistake("pointwise step forgotten", lambda c, c_out, k, n: n * n * c * k * k,
                "Add the 1x1 convolution that mixes the channels: ${n}^2 \\cdot {c_out} \\cdot {c}$."),
        mistake("depthwise as dense", lambda c, c_out, k, n: n * n * c * c * k * k + n * n * c_out * c,
                "A depthwise kernel reads its own channel only: ${k}^2$ multiplications per output, not ${k}^2 C$."),
    ],
    objective="count the multiplications of a depthwise-separable block and compare with a convolution",
    difficulty=3,
    minutes=5,
    section=S_GROUPS,
)
def depthwise_separable(c, c_out, k, n):
    dw = conv2d_layer_counts((c, n, n), c, k, padding="same", groups=c).multiplications
    pw = conv2d_layer_counts((c, n, n), c_out, 1).multiplications
    return dw + pw


# -- 26-27. the matrix and the transposed convolution ---------------------------------------------------
@exercise(
    id="conv-matrix-shape",
    chapter=CHAPTER,
    title="The shape of the convolution matrix",
    params=dict(n=6, k=3, s=2, p=1),
    prompt=lambda n, k, s, p: (
        f"A ${k} \\times {k}$ convolution with stride {s} and padding {p} on a one-channel ${n} \\times {n}$ input is "
        "written as $z = C x$ with $x$ and $z$ flattened. How many rows and columns does $C$ have, and how many "
        "non-zero weights (at most) are in one row?"
    ),
    hint="One row per output value, one column per input value; a row holds the kernel's weights.",
    hints=["Output size: $\\lfloor ({n} + 2 \\cdot {p} - {k})/{s} \\rfloor + 1$ per axis; square it for the rows."],
    solution=lambda n, k, s, p: (
        f"The output is ${output_size(n, k, s, p)} \\times {output_size(n, k, s, p)}$, so $C$ has "
        f"${output_size(n, k, s, p) ** 2}$ rows and ${n * n}$ columns; a row holds at most ${k * k}$ weights "
        "(fewer where the window covers padding). $C^T$, of shape "
        f"${n * n} \\times {output_size(n, k, s, p) ** 2}$, is the transposed convolution."
    ),
    draw=_avoiding(lambda rng: dict(n=int(rng.integers(4, 10)), k=int(rng.choice([2, 3])), s=int(rng.integers(1, 3)),
                                    p=int(rng.integers(0, 2))), dict(n=4, k=3, s=1, p=0)),
    labels=["rows", "columns", "non-zeros per row"],
    mistakes=[
        mistake("transposed", lambda n, k, s, p: (n * n, output_size(n, k, s, p) ** 2, k * k),
                "Rows and columns swapped: that is $C^T$. $C$ maps the input (columns) to the output (rows)."),
        mistake("one axis only", lambda n, k, s, p: (output_size(n, k, s, p), n, k),
                "$x$ and $z$ are flattened images: count all ${n} \\times {n}$ inputs and every output position."),
    ],
    objective="relate a convolution to a sparse matrix product",
    difficulty=2,
    minutes=3,
    section=S_MATRIX,
)
def matrix_shape(n, k, s, p):
    c = conv2d_matrix((n, n), np.ones((k, k)), s, p)
    return (c.shape[0], c.shape[1], int((c != 0).sum(axis=1).max()))


@exercise(
    id="conv-transposed-values",
    chapter=CHAPTER,
    title="A 1-D transposed convolution by hand",
    params=dict(x=(2, -1, 3), w=(1, 2, -1), s=2),
    prompt=lambda x, w, s: (
        f"Compute the transposed convolution (PyTorch's `conv_transpose1d`, no padding) of $x = {_vec(x)}$ with the "
        f"kernel $w = {_vec(w)}$ and stride {s}. Give all {(len(x) - 1) * s + len(w)} output values."
    ),
    hint="Each input value stamps a scaled copy of the kernel into the output, the copies starting {s} cells apart; "
    "where copies overlap they add.",
    hints=["Copies: ${x[0]} \\cdot w$ at position 0, ${x[1]} \\cdot w$ at position {s}, ${x[2]} \\cdot w$ at "
           "position $2 \\cdot {s}$."],
    solution=lambda x, w, s: (
        "Stamp $x_i w$ starting at $i s$ and add: "
        f"${_vec(conv_transpose2d(np.array([x], float), np.array([w], float), stride=s)[0])}$. The same as "
        f"inserting {s - 1} zero(s) between the inputs, padding by $k - 1$ and convolving with the kernel flipped; "
        "and the same as the backward pass of a stride-{s} convolution with $w$."
    ),
    draw=_avoiding(lambda rng: dict(x=tuple(int(v) for v in rng.integers(-3, 4, 3)), w=_draw_1d(rng)["w"], s=2),
                   dict(x=(1, 2), w=(1, 10), s=2)),
    labels=[f"y[{i}]" for i in range(7)],
    mistakes=[
        mistake("kernel flipped", lambda x, w, s: tuple(
            conv_transpose2d(np.array([x], float), np.array([w[::-1]], float), stride=s)[0]),
            "PyTorch's transposed convolution stamps the kernel as written (it is the transpose of a "
            "cross-correlation, so no flip)."),
    ],
    objective="compute a transposed convolution by spreading and adding kernel copies",
    difficulty=2,
    minutes=5,
    section=S_MATRIX,
)
def transposed_values(x, w, s):
    return tuple(float(v) for v in conv_transpose2d(np.array([x], float), np.array([w], float), stride=s)[0])


# -- 28. a stride longer than the kernel leaves pixels without gradient ------------------------------------
def _unread(n: int, k: int, s: int) -> int:
    return int(np.sum(influence_counts((1, n), (1, k), stride=(1, s))[0] == 0))


@exercise(
    id="conv-stride-zero-gradient",
    chapter=CHAPTER,
    title="Pixels a strided layer never reads",
    params=dict(n=21, k=2, s=3),
    prompt=lambda n, k, s: (
        f"A 1-D convolution with kernel size {k} and stride {s} (no padding) reads an input of length {n}. "
        "How many input positions get a gradient of exactly zero in the backward pass, whatever the loss?"
    ),
    hint="A position that no window reads never affects the output, so its gradient is zero. Windows start at "
    "$0, s, 2s, \\dots$ and each covers $k$ cells.",
    hints=["There are $\\lfloor ({n} - {k})/{s} \\rfloor + 1$ windows. Count the cells between consecutive windows, "
           "and the cells after the last one."],
    solution=lambda n, k, s: (
        f"{output_size(n, k, s)} windows cover ${output_size(n, k, s)} \\cdot {k} = {output_size(n, k, s) * k}$ "
        f"cells (they do not overlap, since ${s} > {k}$); the other ${_unread(n, k, s)}$ positions, {s - k} in each "
        f"gap and {n - ((output_size(n, k, s) - 1) * s + k)} after the last window, are never read and always get "
        "zero gradient (the explorer's backward view shows them with count 0)."
    ),
    draw=lambda rng: dict(n=int(rng.integers(10, 40)), k=(k := int(rng.integers(1, 4))), s=k + int(rng.integers(1, 4))),
    mistakes=[
        mistake("cells after the last window forgotten", lambda n, k, s: (output_size(n, k, s) - 1) * (s - k),
                "You counted the gaps between windows; the cells after the last window are never read either."),
        mistake("gaps forgotten", lambda n, k, s: n - ((output_size(n, k, s) - 1) * s + k),
                "Between two windows {s} cells apart and {k} wide, ${s} - {k}$ cells are skipped every time."),
        mistake("counted the read ones", lambda n, k, s: n - _unread(n, k, s),
                "That is the number of positions that *are* read; the question asks for the others."),
    ],
    objective="see how a stride longer than the kernel leaves inputs without gradient",
    difficulty=2,
    minutes=3,
    section=S_BACKPROP,
)
def stride_zero_gradient(n, k, s):
    return _unread(n, k, s)
