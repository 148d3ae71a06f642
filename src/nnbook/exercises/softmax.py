"""Exercises of the softmax chapter: probabilities, gradients, invariances, the Jacobian, softmax
regression, label smoothing, and (in its activation-function part) Heaviside, steep sigmoids and
sigmoid/tanh networks.

Every answer is computed with :mod:`nnbook.softmax`; choice exercises pick the option that a
numerical check confirms. Classes are numbered from 1 in the prompts, as in the course seeds.
The book's numbers differ from the chapter's worked examples, and no variant ever repeats them.
Each numeric exercise names the classic slips (``mistakes``) the chapter warns about.
"""

from __future__ import annotations

import math

import numpy as np

from ..softmax import (
    CORRECT_IDENTITY,
    SEED_IDENTITY,
    TwoLayerNet,
    anchor_logits,
    cross_entropy,
    cross_entropy_grad,
    heaviside,
    linear_cross_entropy_grad,
    smoothed_targets,
    softmax_jacobian,
    log_prob_grad,
    numerical_gradient,
    relu,
    relu_from_heaviside,
    sigmoid,
    sigmoid_via_tanh,
    softmax,
    steepness_for_gap,
    tanh_net_from_sigmoid,
)
from ._core import exercise, mistake

CHAPTER = "softmax"
# section titles of book/softmax.ipynb, for the exercises' metadata
S_PROB = "From scores to probabilities"
S_CE = "Cross-entropy and why its gradient is P - y"
S_NLL = "Cross-entropy is a negative log-likelihood"
S_JAC = "The softmax Jacobian"
S_REG = "Softmax regression: the gradient of the weights"
S_SMOOTH = "Soft targets and label smoothing"
S_SHIFT = "Shifts, scales and temperature"
S_RELU = "Activation functions: ReLU and the Heaviside step"
S_STEEP = "Activation functions: a steep sigmoid approaches the step"
S_TANH = "Activation functions: sigmoid networks and tanh networks"
WORKED_Z = (1.0, 2.0, 3.0)  # the chapter's worked example (seed 000): no exercise variant repeats it


def _like_worked_logits(z) -> bool:
    """Three logits that are a shift (and reordering) of the worked (1, 2, 3): same probabilities."""
    return len(z) == 3 and sorted(np.diff(sorted(z)).tolist()) == [1.0, 1.0]


def _avoiding(draw, *worked):
    """A draw function that redraws until the parameters differ from every worked example
    (and three logits are not a shifted or reordered copy of the worked z = (1, 2, 3))."""

    def fresh(rng):
        while True:
            params = draw(rng)
            if all(params != w for w in worked) and not _like_worked_logits(params.get("z", ())):
                return params

    return fresh


def _divide_by_sum(z: np.ndarray) -> tuple[float, ...]:
    if abs(z.sum()) < 1e-12:
        raise ZeroDivisionError("the logits sum to 0")
    return tuple(z / z.sum())


def _vec(values) -> str:
    return "(" + ", ".join(f"{v:g}" for v in values) + ")"


def _distinct_logits(rng: np.random.Generator, k: int = 3, low: int = -3, high: int = 5) -> tuple[float, ...]:
    return tuple(float(v) for v in rng.choice(np.arange(low, high), size=k, replace=False))


# -- 1. probabilities of the three-class example ----------------------------------------------------
def _probabilities_solution(z: tuple[float, ...]) -> str:
    e = np.exp(z)
    p = softmax(z)
    terms = ", ".join(f"{v:.3f}" for v in e)
    lines = "\n".join(f"$P({i}) = {ei:.3f} / {e.sum():.3f} = {pi:.4f} \\approx {pi:.2f}$"
                      for i, (ei, pi) in enumerate(zip(e, p), start=1))
    return (f"Exponentiate every logit: $e^{{z}} = ({terms})$, which sums to ${e.sum():.3f}$. "
            f"Divide each by the sum:\n\n{lines}\n\nThe three probabilities add up to 1.")


@exercise(
    id="softmax-probabilities",
    chapter=CHAPTER,
    title="Softmax probabilities by hand",
    params=dict(z=(0.5, 2.0, -1.0)),
    prompt=lambda z: (f"A three-class classifier outputs the logits $z = {_vec(z)}$ for one input. "
                      "Compute the softmax probabilities $P(1)$, $P(2)$, $P(3)$ to two decimals."),
    hint="Exponentiate each logit, add the three exponentials, and divide each exponential by that sum.",
    solution=_probabilities_solution,
    labels=["$P(1)$", "$P(2)$", "$P(3)$"],
    decimals=2,
    hints=["With $e^{{z}}$ for each of the three logits and their sum $S$, the answers are $e^{{z_i}} / S$."],
    mistakes=[
        mistake("no exponential", lambda z: _divide_by_sum(np.asarray(z, float)),
                "You divided the logits by their sum. Softmax exponentiates first ($e^{{z_i}}$ is always positive), "
                "then normalizes."),
        mistake("exp(-z)", lambda z: tuple(softmax(-np.asarray(z, float))),
                "That is softmax of $-z$ (the sign of the sigmoid's $e^{{-x}}$ slipped in): the largest logit must get "
                "the largest probability."),
    ],
    objective="compute softmax probabilities from logits by hand",
    difficulty=1,
    minutes=3,
    section=S_PROB,
    draw=_avoiding(lambda rng: dict(z=_distinct_logits(rng)), dict(z=WORKED_Z)),
)
def probabilities(z: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(softmax(z))


# -- 2. gradient of log P(correct) --------------------------------------------------------------------
def _log_prob_grad_solution(z: tuple[float, ...], c: int) -> str:
    p = softmax(z)
    g = log_prob_grad(z, c - 1)
    parts = "\n".join(
        f"$\\partial \\log P({c}) / \\partial z_{i} = {1 if i == c else 0} - {pi:.4f} = {gi:+.4f} \\approx {gi:+.2f}$"
        for i, (pi, gi) in enumerate(zip(p, g), start=1)
    )
    return (f"Write $\\log P({c}) = z_{c} - \\log \\sum_j e^{{z_j}}$. Differentiating gives "
            f"$\\partial \\log P({c}) / \\partial z_i = [i = {c}] - P(i)$, with $P = ({', '.join(f'{v:.4f}' for v in p)})$:"
            f"\n\n{parts}")


@exercise(
    id="softmax-log-prob-gradient",
    chapter=CHAPTER,
    title="How each logit moves the log-probability",
    params=dict(z=(0.5, 2.0, -1.0), c=1),
    prompt=lambda z, c: (f"Same kind of classifier: logits $z = {_vec(z)}$, and the correct class is class {c}. "
                         f"Compute $\\partial \\log P({c}) / \\partial z_i$ for $i = 1, 2, 3$, to two decimals."),
    hint="log P(c) = z_c - log(sum_j exp(z_j)), so the derivative is 1 - P(i) for i = c and -P(i) otherwise.",
    solution=_log_prob_grad_solution,
    labels=["$i = 1$", "$i = 2$", "$i = 3$"],
    decimals=2,
    hints=["First compute $P = \\mathrm{{softmax}}(z)$ (four decimals); then the entry for class {c} is $1 - P({c})$ "
           "and every other entry is $-P(i)$. The three entries add up to 0."],
    mistakes=[
        mistake("gradient of the loss", lambda z, c: tuple(cross_entropy_grad(z, c - 1)),
                "Those are the entries of $P - y$, the gradient of the *loss* $-\\log P({c})$: the gradient of "
                "$\\log P({c})$ is its negative, $y - P$."),
        mistake("forgot the -P(c) term", lambda z, c: tuple(np.where(np.arange(3) == c - 1, 1.0, -softmax(z))),
                "At the correct class the derivative is $1 - P({c})$, not 1: $z_{c}$ also appears in the denominator."),
    ],
    objective="differentiate the log-probability of the correct class with respect to every logit",
    difficulty=2,
    minutes=4,
    section=S_PROB,
    draw=_avoiding(lambda rng: dict(z=_distinct_logits(rng), c=int(rng.integers(1, 4))), dict(z=WORKED_Z, c=2)),
)
def log_prob_gradient(z: tuple[float, ...], c: int) -> tuple[float, ...]:
    return tuple(log_prob_grad(z, c - 1))


# -- 3. which logit is pushed down the most ---------------------------------------------------------
@exercise(
    id="softmax-pushed-down-most",
    chapter=CHAPTER,
    title="Which logit is pushed down the most?",
    params=dict(z=(0.5, 2.0, -1.0), c=1),
    prompt=lambda z, c: (f"With logits $z = {_vec(z)}$ and correct class {c}, a gradient-ascent step on "
                         f"$\\log P({c})$ changes every logit. Which logit does it push **down** the most?"),
    hint="The gradient is [i = c] - P(i): among the wrong classes, the most probable one gets the most negative entry.",
    solution=lambda z, c: (
        f"The gradient is $[i = {c}] - P(i)$ with $P = ({', '.join(f'{v:.4f}' for v in softmax(z))})$. "
        f"The correct logit $z_{c}$ goes up; every other logit goes down by its own probability, so the "
        f"most probable wrong class moves most: logit {int(np.argmin(log_prob_grad(z, c - 1))) + 1}."
    ),
    choices=["logit 1", "logit 2", "logit 3"],
    objective="read the direction of the log-probability gradient",
    difficulty=1,
    minutes=2,
    section=S_PROB,
    draw=_avoiding(lambda rng: dict(z=_distinct_logits(rng), c=int(rng.integers(1, 4))), dict(z=WORKED_Z, c=2)),
)
def pushed_down_most(z: tuple[float, ...], c: int) -> str:
    return f"logit {int(np.argmin(log_prob_grad(z, c - 1))) + 1}"


# -- 4. the cross-entropy gradient formula (the proof exercise) -------------------------------------------
_GRADIENT_HINT = "Apply the chain rule through log, then use that the one-hot y sums to 1."
_GRADIENT_FORMULAS = {
    "$P_i - y_i$": lambda p, y: p - y,
    "$y_i - P_i$": lambda p, y: y - p,
    "$P_i (1 - P_i)$": lambda p, y: p * (1 - p),
    "$-y_i / P_i$": lambda p, y: -y / p,
}


@exercise(
    id="softmax-gradient-formula",
    chapter=CHAPTER,
    title="The gradient of cross-entropy",
    prompt=lambda: ("With $P = \\mathrm{softmax}(z)$ and the cross-entropy loss $L = -\\sum_j y_j \\log P_j$ for a one-hot "
            "target $y$, what is $\\partial L / \\partial z_i$? (Work it out from "
            "$\\partial P_j / \\partial z_i = P_j(\\delta_{ij} - P_i)$ and the chain rule.)"),
    hint=_GRADIENT_HINT,
    solution=lambda: ("$\\partial L/\\partial z_i = -\\sum_j \\frac{y_j}{P_j} P_j (\\delta_{ij} - P_i) = -y_i + P_i \\sum_j y_j "
              "= P_i - y_i$. A finite-difference check on random logits agrees with this formula only."),
    choices=list(_GRADIENT_FORMULAS),
    hints=["Substitute the softmax derivative: the $P_j$ cancels, leaving $-\\sum_j y_j(\\delta_{{ij}} - P_i)$."],
    mistakes=[
        mistake("sign of the gradient", lambda: "$y_i - P_i$",
                "That is the gradient of $\\log P(c)$, which training *raises*; the loss is its negative. Hint: "
                + _GRADIENT_HINT),
        mistake("diagonal of the Jacobian only", lambda: "$P_i (1 - P_i)$",
                "That is $\\partial P_i/\\partial z_i$, one entry of the softmax Jacobian; the loss also goes through "
                "$\\log$ and sums over every $j$. Hint: " + _GRADIENT_HINT),
    ],
    objective="derive the cross-entropy gradient P - y",
    difficulty=2,
    minutes=5,
    section=S_CE,
)
def gradient_formula() -> str:
    rng = np.random.default_rng(0)
    h, c = rng.normal(size=4), 2
    numeric = numerical_gradient(lambda v: cross_entropy(v, c), h)
    p, y = softmax(h), np.eye(4)[c]
    (match,) = [name for name, f in _GRADIENT_FORMULAS.items() if np.allclose(f(p, y), numeric, atol=1e-7)]
    return match


# -- 5. the gradient with numbers -----------------------------------------------------------------------
@exercise(
    id="softmax-cross-entropy-gradient",
    chapter=CHAPTER,
    title="Cross-entropy gradient with numbers",
    params=dict(h=(2.0, -1.0, 0.5, 0.0), c=1),
    prompt=lambda h, c: (f"A four-class network outputs the logits $z = {_vec(h)}$ and the correct class is class {c}. "
                         "Compute $\\partial L / \\partial z_i$ of the cross-entropy loss for $i = 1, \\dots, 4$ "
                         "(three decimals)."),
    hint="The gradient is P - y: the softmax probabilities, minus 1 at the correct class.",
    solution=lambda h, c: (
        f"$P = \\mathrm{{softmax}}(z) = ({', '.join(f'{v:.4f}' for v in softmax(h))})$ and $y$ is 1 at class {c}, "
        f"so $P - y = ({', '.join(f'{v:.4f}' for v in cross_entropy_grad(h, c - 1))})$. The entries add up to 0."
    ),
    labels=["$i = 1$", "$i = 2$", "$i = 3$", "$i = 4$"],
    decimals=3,
    hints=["Softmax of the four logits first (subtracting the largest logit makes the exponentials easy); then "
           "subtract 1 from entry {c} only."],
    mistakes=[
        mistake("y - P instead of P - y", lambda h, c: tuple(-cross_entropy_grad(h, c - 1)),
                "Right size, wrong sign: you computed $y - P$, the gradient of $\\log P$. The loss gradient is $P - y$."),
        mistake("forgot to subtract y", lambda h, c: tuple(softmax(h)),
                "Those are the probabilities $P$; the gradient is $P - y$, so subtract 1 at class {c}."),
        mistake("class index off by one", lambda h, c: tuple(cross_entropy_grad(h, c)),
                "You subtracted 1 at the wrong entry: class {c} is entry {c} counting from 1 (index {c} - 1 in Python)."),
    ],
    objective="compute the cross-entropy gradient P - y with numbers",
    difficulty=2,
    minutes=4,
    section=S_CE,
    draw=lambda rng: dict(h=tuple(float(v) for v in rng.integers(-6, 7, size=4) / 2), c=int(rng.integers(1, 5))),
)
def cross_entropy_gradient(h: tuple[float, ...], c: int) -> tuple[float, ...]:
    return tuple(cross_entropy_grad(h, c - 1))


# -- 5b. tensor level: the untrained loss, the Jacobian, softmax regression, label smoothing ----------
@exercise(
    id="softmax-initial-loss",
    chapter=CHAPTER,
    title="The loss of an untrained classifier",
    params=dict(k=100),
    prompt=("A freshly initialized {k}-class classifier outputs (almost) equal logits for every input. What "
            "cross-entropy loss should the first training batch report (natural log, three decimals)?"),
    hint="Equal logits give the uniform distribution, so every class, the correct one included, gets $1/K$.",
    solution=lambda k: (f"Equal logits give $P(c) = 1/{k}$ for every class, so $L = -\\ln(1/{k}) = \\ln {k} = "
                        f"{math.log(k):.4f}$. A first loss far from $\\ln K$ means the logits are not small at "
                        "initialization (or the loss is wired wrongly): a one-line sanity check."),
    decimals=3,
    hints=["$L = -\\ln P(c)$ with $P(c) = 1/{k}$."],
    mistakes=[
        mistake("log base 10", lambda k: math.log10(k), "PyTorch's (and this book's) cross-entropy uses the natural "
                "logarithm: $\\ln {k}$, not $\\log_{{10}} {k}$."),
        mistake("log base 2", lambda k: math.log2(k), "That is the loss in bits ($\\log_2$); frameworks report nats, "
                "$\\ln {k}$."),
        mistake("the probability itself", lambda k: 1 / k, "That is $P(c) = 1/{k}$; the loss is $-\\ln P(c)$."),
    ],
    objective="predict the initial loss ln K of a classifier as a sanity check",
    difficulty=1,
    minutes=2,
    section=S_NLL,
    draw=_avoiding(lambda rng: dict(k=int(rng.integers(2, 1001))), dict(k=10)),  # any class count
)
def initial_loss(k: int) -> float:
    return cross_entropy(np.zeros(k), 0)


@exercise(
    id="softmax-jacobian",
    chapter=CHAPTER,
    title="Entries of the softmax Jacobian",
    params=dict(z=(0.5, 0.0, 2.0)),
    prompt=lambda z: (f"For the logits $z = {_vec(z)}$, give the two Jacobian entries "
                      "$\\partial P_1 / \\partial z_1$ and $\\partial P_1 / \\partial z_2$ (three decimals)."),
    hint="$\\partial P_i / \\partial z_j = P_i(\\delta_{{ij}} - P_j)$, i.e. the matrix $\\mathrm{{diag}}(P) - P P^\\top$.",
    solution=lambda z: (
        f"$P = ({', '.join(f'{v:.4f}' for v in softmax(z))})$. On the diagonal, $P_1(1 - P_1) = "
        f"{softmax_jacobian(z)[0, 0]:.4f}$; off the diagonal, $-P_1 P_2 = {softmax_jacobian(z)[0, 1]:.4f}$. "
        "Every row of the Jacobian sums to 0."),
    labels=["$\\partial P_1/\\partial z_1$", "$\\partial P_1/\\partial z_2$"],
    decimals=3,
    hints=["Compute $P$ first; the diagonal entry is $P_1 - P_1^2$ and the off-diagonal one $-P_1 P_2$."],
    mistakes=[
        mistake("forgot the -P P^T term on the diagonal", lambda z: (float(softmax(z)[0]), float(softmax_jacobian(z)[0, 1])),
                "The diagonal of $\\mathrm{{diag}}(P) - P P^\\top$ is $P_1 - P_1^2$: $z_1$ is also in the denominator."),
        mistake("off-diagonal sign", lambda z: (float(softmax_jacobian(z)[0, 0]), -float(softmax_jacobian(z)[0, 1])),
                "Raising $z_2$ *lowers* $P_1$: the off-diagonal entries $-P_1 P_2$ are negative."),
    ],
    objective="compute entries of the softmax Jacobian diag(P) - P P^T",
    difficulty=2,
    minutes=3,
    section=S_JAC,
    draw=_avoiding(lambda rng: dict(z=_distinct_logits(rng, low=-2, high=3)), dict(z=WORKED_Z)),
)
def jacobian_entries(z: tuple[float, ...]) -> tuple[float, float]:
    J = softmax_jacobian(z)
    return float(J[0, 0]), float(J[0, 1])


def _regression_inputs(x1, x2, t):
    X = np.array([x1, x2], dtype=float)
    return X, np.zeros((2, 3)), np.zeros(3), np.array(t) - 1


def _regression_solution(x1, x2, t) -> str:
    X, W, b, tt = _regression_inputs(x1, x2, t)
    dW, _ = linear_cross_entropy_grad(X, W, b, tt)
    P = softmax(X @ W + b)
    Y = np.eye(3)[tt]
    rows = "; ".join(_vec(np.round(r, 4)) for r in (P - Y))
    return (f"With $W = 0$ and $b = 0$ every logit is 0, so $P = (1/3, 1/3, 1/3)$ for both examples and "
            f"$P - Y$ has rows ${rows}$. Then $\\partial L/\\partial W = X^\\top (P - Y) / N$ with $N = 2$; its first "
            f"row (feature 1) is $({x1[0]:g} \\cdot (P - Y)_1 + {x2[0]:g} \\cdot (P - Y)_2) / 2 = "
            f"{_vec(np.round(dW[0], 4))}$.")


@exercise(
    id="softmax-regression-gradient",
    chapter=CHAPTER,
    title="The weight gradient of softmax regression",
    params=dict(x1=(1.0, 2.0), x2=(3.0, -1.0), t=(1, 3)),
    prompt=lambda x1, x2, t: (
        f"Softmax regression with 2 features and 3 classes has logits $Z = X W + b$ ($W$ is $2 \\times 3$). At "
        f"initialization $W = 0$ and $b = 0$. A batch holds two examples, $x^{{(1)}} = {_vec(x1)}$ with class "
        f"{t[0]} and $x^{{(2)}} = {_vec(x2)}$ with class {t[1]}; the loss is the *mean* cross-entropy. Give the "
        "first row of $\\partial L / \\partial W$ (the gradient of the weights of feature 1 for classes 1, 2, 3; "
        "three decimals)."),
    hint="$\\partial L/\\partial W = X^\\top (P - Y)/N$: each example contributes its feature value times its own "
    "$P - y$, and the batch mean divides by $N$.",
    solution=_regression_solution,
    labels=["class 1", "class 2", "class 3"],
    decimals=3,
    hints=["With all logits 0, $P = (1/3, 1/3, 1/3)$, so $P - y$ is $1/3$ everywhere except $-2/3$ at the "
           "example's class. Multiply by the example's first feature, add the two examples, divide by 2."],
    mistakes=[
        mistake("forgot the 1/N of the mean", lambda x1, x2, t: tuple(2 * linear_cross_entropy_grad(*_regression_inputs(x1, x2, t))[0][0]),
                "That is the gradient of the *summed* loss; the mean over $N = 2$ examples divides it by 2."),
        mistake("Y - P", lambda x1, x2, t: tuple(-linear_cross_entropy_grad(*_regression_inputs(x1, x2, t))[0][0]),
                "Sign slip: the gradient of the loss uses $P - Y$, not $Y - P$."),
    ],
    objective="compute the weight gradient X^T (P - Y) / N of a softmax-regression layer",
    difficulty=2,
    minutes=6,
    section=S_REG,
    draw=lambda rng: dict(
        x1=tuple(float(v) for v in rng.integers(-3, 4, size=2)),
        x2=tuple(float(v) for v in rng.integers(-3, 4, size=2)),
        t=tuple(int(v) for v in rng.integers(1, 4, size=2)),
    ),
)
def regression_gradient(x1, x2, t) -> tuple[float, float, float]:
    dW, _ = linear_cross_entropy_grad(*_regression_inputs(x1, x2, t))
    return tuple(float(v) for v in dW[0])


def _smoothed_gradient(z, c, eps):
    return float(cross_entropy_grad(z, c - 1, label_smoothing=eps)[c - 1])


@exercise(
    id="softmax-label-smoothing",
    chapter=CHAPTER,
    title="Label smoothing",
    params=dict(z=(2.0, 0.0, -1.0, 1.0), c=1, eps=0.2),
    prompt=lambda z, c, eps: (
        f"A {len(z)}-class classifier is trained with label smoothing $\\varepsilon = {eps:g}$ (PyTorch's "
        f"`label_smoothing={eps:g}`). For an example of class {c} with logits $z = {_vec(z)}$, give the smoothed "
        f"target $\\tilde y_{c}$ of the correct class, the target $\\tilde y_j$ of every other class, and "
        f"$\\partial L / \\partial z_{c}$ (three decimals)."),
    hint="The smoothed target is $(1 - \\varepsilon)\\,y + \\varepsilon / K$ (spread over all $K$ classes, the correct "
    "one included), and the gradient is still $P - \\tilde y$.",
    solution=lambda z, c, eps: (
        f"$\\tilde y = (1 - {eps:g})\\,y + {eps:g}/{len(z)}$: ${smoothed_targets(c - 1, len(z), eps)[c - 1]:.4f}$ at "
        f"class {c} and ${eps / len(z):.4f}$ elsewhere. With $P_{c} = {softmax(z)[c - 1]:.4f}$ the gradient is "
        f"$P_{c} - \\tilde y_{c} = {_smoothed_gradient(z, c, eps):.4f}$: smaller in size than without smoothing "
        f"(${softmax(z)[c - 1] - 1:.4f}$), so the logits are no longer pushed to infinity."),
    labels=["$\\tilde y$ (correct class)", "$\\tilde y$ (other classes)", "$\\partial L/\\partial z_c$"],
    decimals=3,
    hints=["Here $\\varepsilon / K = {eps:g}/4$. The correct class keeps $1 - \\varepsilon$ plus its own share."],
    mistakes=[
        mistake("spread over the wrong classes only",
                lambda z, c, eps: (1 - eps, eps / (len(z) - 1), float(softmax(z)[c - 1] - (1 - eps))),
                "You spread $\\varepsilon$ over the $K - 1$ wrong classes. PyTorch (and the original paper) mixes "
                "with the uniform distribution over all $K$ classes: $\\tilde y = (1 - \\varepsilon) y + \\varepsilon/K$."),
        mistake("no smoothing in the gradient",
                lambda z, c, eps: (float(smoothed_targets(c - 1, len(z), eps)[c - 1]), eps / len(z), float(softmax(z)[c - 1] - 1)),
                "The targets are right, but the gradient is $P - \\tilde y$ with the *smoothed* target."),
    ],
    objective="compute label-smoothed targets and the cross-entropy gradient they give",
    difficulty=2,
    minutes=4,
    section=S_SMOOTH,
    draw=lambda rng: dict(
        z=tuple(float(v) for v in rng.integers(-4, 5, size=4) / 2),
        c=int(rng.integers(1, 5)),
        eps=float(rng.choice([0.05, 0.1, 0.2, 0.3])),
    ),
)
def label_smoothing(z, c, eps) -> tuple[float, float, float]:
    y = smoothed_targets(c - 1, len(z), eps)
    other = float(y[c % len(z)])
    return float(y[c - 1]), other, _smoothed_gradient(z, c, eps)


# -- 6. translation invariance --------------------------------------------------------------------------
@exercise(
    id="softmax-shift",
    chapter=CHAPTER,
    title="Adding a constant to every logit",
    params=dict(z=(2.0, -1.0, 0.5), shift=-4.0),
    prompt=lambda z, shift: (f"The logits $z = {_vec(z)}$ give $P(3) \\approx {softmax(z)[2]:.2f}$. Now {shift:g} is "
                             "added to every logit. What is $P(3)$ now (two decimals)?"),
    hint="Adding c to every logit multiplies numerator and denominator by the same factor e^c.",
    solution=lambda z, shift: (
        f"$S(z + c)_i = e^{{z_i}} e^{{c}} / (e^{{c}} \\sum_j e^{{z_j}}) = S(z)_i$: the factor $e^{{{shift:g}}}$ cancels, "
        f"so $P(3)$ stays ${softmax(np.add(z, shift))[2]:.4f} \\approx {softmax(np.add(z, shift))[2]:.2f}$."
    ),
    decimals=2,
    hints=["Write $S(z + c)_3$ with $e^{{z_j + c}} = e^{{z_j}} e^{{c}}$ in the numerator and in every term of the denominator."],
    mistakes=[
        mistake("shifted one logit only", lambda z, shift: float(softmax(np.add(z, [0.0, 0.0, shift]))[2]),
                "You added {shift:g} to the third logit only. Every logit moves, so the factor $e^{{c}}$ cancels."),
    ],
    objective="use the translation invariance of softmax",
    difficulty=1,
    minutes=2,
    section=S_SHIFT,
    draw=_avoiding(lambda rng: dict(z=_distinct_logits(rng), shift=float(rng.choice([-20, -5, 3, 7, 50, 100]))),
                   *(dict(z=WORKED_Z, shift=float(c)) for c in (100, -7.5))),
)
def shifted(z: tuple[float, ...], shift: float) -> float:
    return float(softmax(np.add(z, shift))[2])


# -- 7. scaling ------------------------------------------------------------------------------------------
_SCALES = (0.0, 1.0, 10.0)


@exercise(
    id="softmax-scaling",
    chapter=CHAPTER,
    title="Multiplying the logits",
    params=dict(z=(0.5, -0.5, 1.0)),
    prompt=lambda z: (f"Let $S_c(z) = \\mathrm{{softmax}}(c\\,z)$ with $z = {_vec(z)}$. Give $P(3)$ under $S_c$ for "
                      "$c = 0$, $c = 1$ and $c = 10$ (three decimals)."),
    hint="c = 0 makes every logit 0; a large c makes the largest logit dominate.",
    solution=lambda z: (
        "At $c = 0$ every logit is 0 and the distribution is uniform, $1/3$. "
        + " ".join(f"At $c = {c:g}$: $P(3) = {softmax(np.multiply(c, z))[2]:.4f}$." for c in _SCALES[1:])
        + " As $c$ grows, softmax tends to a one-hot vector at the largest logit (argmax)."
    ),
    labels=["$c = 0$", "$c = 1$", "$c = 10$"],
    decimals=3,
    hints=["Multiply every logit by $c$ first, then take softmax as usual; at $c = 10$ the gaps between logits are 10 times larger."],
    mistakes=[
        mistake("assumed scale invariance", lambda z: (float(softmax(z)[2]),) * 3,
                "Softmax ignores a *shift* of the logits, not a *scale*: multiplying by $c$ multiplies every gap "
                "between logits, so the probabilities change (unless all logits are equal)."),
    ],
    objective="see how scaling the logits (temperature) sharpens or flattens softmax",
    difficulty=1,
    minutes=3,
    section=S_SHIFT,
    draw=_avoiding(lambda rng: dict(z=_distinct_logits(rng, low=-2, high=3)), dict(z=WORKED_Z)),
)
def scaling(z: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(float(softmax(np.multiply(c, z))[2]) for c in _SCALES)


# -- 8. two classes --------------------------------------------------------------------------------------
@exercise(
    id="softmax-two-class-sigmoid",
    chapter=CHAPTER,
    title="Two-class softmax as a sigmoid",
    params=dict(x1=-0.4, x2=1.1),
    prompt=lambda x1, x2: (f"For two logits $z = ({x1:g}, {x2:g})$, softmax can be written $S(z) = [\\sigma(d), "
                           "1 - \\sigma(d)]$ with a single number $d$. Give $d$ and $\\sigma(d)$ (three decimals)."),
    hint="Divide numerator and denominator of S(z)_1 by exp(z1).",
    solution=lambda x1, x2: (
        f"$S(z)_1 = e^{{z_1}} / (e^{{z_1}} + e^{{z_2}}) = 1 / (1 + e^{{-(z_1 - z_2)}}) = \\sigma(z_1 - z_2)$, so "
        f"$d = z_1 - z_2 = {x1 - x2:g}$ and $\\sigma(d) = {float(sigmoid(x1 - x2)):.4f}$, which equals "
        f"$\\mathrm{{softmax}}(z)_1 = {softmax([x1, x2])[0]:.4f}$."
    ),
    labels=["$d$", "$\\sigma(d)$"],
    decimals=3,
    hints=["After dividing by $e^{{z_1}}$ the denominator is $1 + e^{{z_2 - z_1}}$: compare with $\\sigma(d) = 1/(1 + e^{{-d}})$."],
    mistakes=[
        mistake("difference the wrong way round", lambda x1, x2: (x2 - x1, float(sigmoid(x2 - x1))),
                "You used $d = z_2 - z_1$; that gives $S(z)_2$. For the first class, $d = z_1 - z_2$."),
    ],
    objective="write two-class softmax as a sigmoid of the logit difference",
    difficulty=1,
    minutes=3,
    section=S_SHIFT,
    draw=_avoiding(lambda rng: dict(x1=float(rng.integers(-20, 21)) / 10, x2=float(rng.integers(-20, 21)) / 10),
                   dict(x1=0.7, x2=-1.2)),
)
def two_class(x1: float, x2: float) -> tuple[float, float]:
    z = x1 - x2
    p = softmax([x1, x2])
    assert np.isclose(p[0], sigmoid(z), rtol=1e-12)
    return (z, float(p[0]))


# -- 9. K - 1 parameters ----------------------------------------------------------------------------------
@exercise(
    id="softmax-k-minus-one",
    chapter=CHAPTER,
    title="Only K - 1 free logits",
    params=dict(x=(1.5, -2.0, 0.0, 2.5)),
    prompt=lambda x: (f"Find $a_1, a_2, a_3$ such that $\\mathrm{{softmax}}{_vec(x)} = "
                      "\\mathrm{softmax}(0, a_1, a_2, a_3)$, with the first logit moved to 0."),
    hint="Softmax does not change when the same number is subtracted from every logit.",
    solution=lambda x: (
        f"Subtract $z_1 = {x[0]:g}$ from every logit (translation invariance): $a = {_vec(anchor_logits(x)[1:])}$."
    ),
    labels=["$a_1$", "$a_2$", "$a_3$"],
    hints=["Subtract the first logit, {x[0]}, from each of the other three."],
    mistakes=[
        mistake("divided by the first logit", lambda x: _divided_by_first(x),
                "You divided by $z_1$. Softmax is invariant to *adding* a constant (a factor $e^{{c}}$ that cancels), "
                "so subtract $z_1$; dividing changes the distribution."),
        mistake("subtracted the wrong way round", lambda x: tuple(-anchor_logits(x)[1:]),
                "Sign slip: $a_i = z_{{i+1}} - z_1$, not $z_1 - z_{{i+1}}$."),
    ],
    objective="use translation invariance to remove one logit",
    difficulty=1,
    minutes=2,
    section=S_SHIFT,
    draw=_avoiding(lambda rng: dict(x=tuple(float(v) for v in rng.integers(-8, 9, size=4) / 2)),
                   dict(x=(2.0, -1.0, 0.5, 3.0))),
)
def k_minus_one(x: tuple[float, ...]) -> tuple[float, ...]:
    a = anchor_logits(x)
    assert np.allclose(softmax(a), softmax(x))
    return tuple(a[1:])


# -- 10. ReLU's derivative --------------------------------------------------------------------------------
def _divided_by_first(x: tuple[float, ...]) -> tuple[float, ...]:
    if x[0] == 0:
        raise ZeroDivisionError("the first logit is 0")
    return tuple(v / x[0] for v in x[1:])


def _difference_quotients(x: float, eps: float = 1e-7) -> tuple[float, float]:
    return (float(relu(x) - relu(x - eps)) / eps, float(relu(x + eps) - relu(x)) / eps)


@exercise(
    id="softmax-relu-derivative",
    chapter=CHAPTER,
    title="The derivative of ReLU",
    params=dict(a=1.5, b=-0.3),
    prompt=lambda a, b: (f"For $g(x) = \\max\\{{0, x\\}}$ give $g'({a:g})$, $g'({b:g})$, and the Heaviside step $H(0)$ "
                         "(with the convention of this chapter)."),
    hint="Away from 0, g is either the identity or the zero function; H(0) is defined as 1/2.",
    solution=lambda a, b: (
        f"Near $x = {a:g}$, $g$ is {'the identity, slope 1' if a > 0 else 'zero, slope 0'}; near $x = {b:g}$ it is "
        f"{'the identity, slope 1' if b > 0 else 'zero, slope 0'}. Both equal $H(x)$. $H(0) = 1/2$ by definition, "
        "although $g'(0)$ itself does not exist."
    ),
    labels=["$g'(a)$", "$g'(b)$", "$H(0)$"],
    hints=["Is ${a:g}$ positive or negative? Then $g$ near it is either $x$ (slope 1) or $0$ (slope 0). "
           "For $H(0)$ use the definition at the start of this part."],
    mistakes=[
        mistake("PyTorch's convention at 0", lambda a, b: (float(heaviside(a)), float(heaviside(b)), 0.0),
                "$g'(a)$ and $g'(b)$ are right, but this chapter defines $H(0) = 1/2$ (the course's convention). "
                "$0$ is what PyTorch returns for ReLU's derivative at 0, the convention of the autodiff chapter."),
    ],
    objective="differentiate ReLU away from 0 and state the Heaviside convention",
    difficulty=1,
    minutes=2,
    section=S_RELU,
    draw=lambda rng: dict(a=float(rng.integers(1, 30)) / 10 * float(rng.choice([-1, 1])),
                          b=float(rng.integers(1, 30)) / 10 * float(rng.choice([-1, 1]))),
)
def relu_derivative_values(a: float, b: float) -> tuple[float, float, float]:
    values = []
    for x in (a, b):
        left, right = _difference_quotients(x)
        assert abs(left - right) < 1e-6  # differentiable away from 0
        values.append(float(heaviside(x)))
    return (*values, float(heaviside(0.0)))


_AT_ZERO_HINT = "Compare the difference quotient for a small negative step with the one for a small positive step."


@exercise(
    id="softmax-relu-at-zero",
    chapter=CHAPTER,
    title="ReLU at zero",
    prompt=lambda: "What is the derivative of $g(x) = \\max\\{0, x\\}$ at $x = 0$?",
    hint=_AT_ZERO_HINT,
    solution=lambda: ("For $\\varepsilon < 0$ the quotient $(g(\\varepsilon) - g(0))/\\varepsilon$ is 0, for $\\varepsilon > 0$ it "
              "is 1. The one-sided limits differ, so $g'(0)$ does not exist. (Libraries still return a value there: "
              "PyTorch uses 0; any value in $[0, 1]$ is a subgradient.)"),
    choices=["0", "1/2", "1", "it does not exist"],
    mistakes=[
        mistake("a library's value", lambda: "0",
                "0 is what PyTorch *returns* at 0 (a subgradient), but the derivative itself does not exist there: "
                "the one-sided limits are 0 and 1. Hint: " + _AT_ZERO_HINT),
        mistake("H(0)", lambda: "1/2",
                "$H(0) = 1/2$ is a convention for the step, not the derivative of ReLU at 0. Hint: " + _AT_ZERO_HINT),
    ],
    objective="explain why ReLU has no derivative at 0",
    difficulty=1,
    minutes=2,
    section=S_RELU,
)
def relu_at_zero() -> str:
    left, right = _difference_quotients(0.0)
    return "it does not exist" if left != right else f"{left:g}"


_RELU_CANDIDATES = {
    "$x\\,H(x)$": lambda x: relu_from_heaviside(x, "product"),
    "$\\int_{-\\infty}^{x} H(t)\\,dt$": lambda x: relu_from_heaviside(x, "integral", steps=200),
    "$(x + |x|)/2$": lambda x: (x + np.abs(x)) / 2,
    "$H(x) - x$": lambda x: heaviside(x) - x,
}


@exercise(
    id="softmax-relu-from-step",
    chapter=CHAPTER,
    title="ReLU from the step function",
    prompt=lambda: "Three of these formulas equal $g(x) = \\max\\{0, x\\}$ for every real $x$. Which one does **not**?",
    hint="Try x = -1 and x = 2 in each formula.",
    solution=lambda: ("$x H(x)$ switches the identity on for $x > 0$; the area under $H$ up to $x$ is $\\max\\{0, x\\}$; "
              "$(x + |x|)/2$ is $x$ or 0. But $H(x) - x$ at $x = -1$ is $1$, not 0."),
    choices=list(_RELU_CANDIDATES),
    objective="rebuild ReLU from the Heaviside step",
    difficulty=1,
    minutes=3,
    section=S_RELU,
)
def relu_from_step() -> str:
    grid = np.linspace(-3, 3, 25)
    (odd,) = [name for name, f in _RELU_CANDIDATES.items() if not np.allclose(f(grid), relu(grid), atol=1e-9)]
    return odd


# -- 11. the steep sigmoid ----------------------------------------------------------------------------------
@exercise(
    id="softmax-steep-sigmoid",
    chapter=CHAPTER,
    title="How steep must the sigmoid be?",
    params=dict(eps=0.05, delta=0.2),
    prompt=lambda eps, delta: (f"$\\sigma(kx) = 1/(1 + e^{{-kx}})$ approaches the step $H(x)$ as $k$ grows. What is "
                               f"the smallest $k$ for which $|\\sigma(kx) - H(x)| \\le {eps:g}$ for all $|x| \\ge "
                               f"{delta:g}$? (two decimals)"),
    hint="The gap is largest at |x| = delta, where it equals sigma(-k delta) = 1 / (1 + exp(k delta)).",
    solution=lambda eps, delta: (
        f"Solve $1/(1 + e^{{k\\delta}}) = \\varepsilon$: $k = \\ln(1/\\varepsilon - 1)/\\delta = "
        f"\\ln({1 / eps - 1:g}) / {delta:g} = {steepness_for_gap(eps, delta):.4f} \\approx "
        f"{steepness_for_gap(eps, delta):.2f}$ (any larger $k$ works too; a smaller one does not)."
    ),
    decimals=2,
    hints=["Set $1/(1 + e^{{k \\cdot {delta:g}}}) = {eps:g}$, so $e^{{k \\cdot {delta:g}}} = 1/{eps:g} - 1$; take the natural logarithm."],
    mistakes=[
        mistake("log base 10", lambda eps, delta: math.log10(1 / eps - 1) / delta,
                "You used $\\log_{{10}}$; the exponential $e^{{k\\delta}}$ is undone by the *natural* logarithm."),
        mistake("dropped the -1", lambda eps, delta: math.log(1 / eps) / delta,
                "Close, but $1/(1 + e^{{k\\delta}}) = \\varepsilon$ gives $e^{{k\\delta}} = 1/\\varepsilon - 1$, not $1/\\varepsilon$."),
    ],
    objective="find how steep a sigmoid must be to approximate the step",
    difficulty=2,
    minutes=4,
    section=S_STEEP,
    draw=_avoiding(lambda rng: dict(eps=float(rng.choice([0.1, 0.05, 0.01, 0.001])),
                                    delta=float(rng.choice([0.05, 0.1, 0.2, 0.5]))), dict(eps=0.01, delta=0.1)),
)
def steep_sigmoid(eps: float, delta: float) -> float:
    return steepness_for_gap(eps, delta)


# -- 12. the sigmoid/tanh identity and the network mapping ---------------------------------------------------
_IDENTITY_HINT = "Put x/2 in place of x and solve for sigma; then check your formula at x = 0, where sigma(0) = 1/2."
_IDENTITIES = {
    "$\\sigma(x) = \\tfrac12 \\tanh(\\tfrac{x}{2} + 1)$": SEED_IDENTITY,
    "$\\sigma(x) = \\tfrac12 \\big(1 + \\tanh(\\tfrac{x}{2})\\big)$": CORRECT_IDENTITY,
    "$\\sigma(x) = 2 \\tanh(2x) - 1$": (2.0, 2.0, 0.0, -1.0),
    "$\\sigma(x) = \\tanh(\\tfrac{x}{2})$": (1.0, 0.5, 0.0, 0.0),
}


@exercise(
    id="softmax-sigmoid-tanh-identity",
    chapter=CHAPTER,
    title="Sigmoid in terms of tanh",
    prompt=lambda: "Given $\\tanh(x) = 2\\sigma(2x) - 1$, which formula for the logistic sigmoid is correct?",
    hint=_IDENTITY_HINT,
    solution=lambda: ("From $\\tanh(x/2) = 2\\sigma(x) - 1$: $\\sigma(x) = \\tfrac12(1 + \\tanh(x/2))$. Check at $x = 0$: "
              "$\\tfrac12(1 + 0) = \\tfrac12$, while $\\tfrac12\\tanh(1) \\approx 0.381$."),
    choices=list(_IDENTITIES),
    mistakes=[
        mistake("the +1 inside the tanh", lambda: "$\\sigma(x) = \\tfrac12 \\tanh(\\tfrac{x}{2} + 1)$",
                "That is the published slip: the $+1$ belongs *outside* the $\\tanh$, with its factor $\\tfrac12$. "
                "At $x = 0$ it gives $0.381$, not $\\sigma(0) = 0.5$. Hint: " + _IDENTITY_HINT),
    ],
    hints=["Check each candidate at $x = 0$ ($\\sigma(0) = \\tfrac12$) and for large negative $x$ ($\\sigma \\to 0$)."],
    objective="derive the sigmoid from tanh and check an identity numerically",
    difficulty=2,
    minutes=3,
    section=S_TANH,
)
def sigmoid_tanh_identity() -> str:
    u = np.linspace(-10, 10, 201)
    (right,) = [name for name, ident in _IDENTITIES.items()
                if np.allclose(sigmoid_via_tanh(u, ident), sigmoid(u), atol=1e-12)]
    return right


def _tanh_network_prompt(w1, b1, w2, b2) -> str:
    return (
        "A sigmoid network with 2 inputs, 2 hidden units and 1 output has first-layer weights "
        f"$w^{{(1)}} = [{_vec(w1[0])}, {_vec(w1[1])}]$ (one row per hidden unit), hidden biases "
        f"$w^{{(1)}}_{{j0}} = {_vec(b1)}$, output weights $w^{{(2)}} = {_vec(w2)}$ and output bias "
        f"$w^{{(2)}}_{{10}} = {b2:g}$. A tanh network of the same shape computes the same function. Give its "
        "$\\tilde w^{(1)}_{11}$, $\\tilde w^{(1)}_{10}$ (bias of hidden unit 1), $\\tilde w^{(2)}_{11}$ and the "
        "output bias $\\tilde w^{(2)}_{10}$."
    )


def _tanh_network(w1, b1, w2, b2) -> TwoLayerNet:
    return TwoLayerNet(np.array(w1), np.array(b1), np.array([w2]), np.array([b2]))


def _mapped(w1, b1, w2, b2, identity) -> tuple[float, float, float, float]:
    twin = tanh_net_from_sigmoid(_tanh_network(w1, b1, w2, b2), identity)
    return (float(twin.w1[0, 0]), float(twin.b1[0]), float(twin.w2[0, 0]), float(twin.b2[0]))


@exercise(
    id="softmax-tanh-network",
    chapter=CHAPTER,
    title="From a sigmoid network to a tanh network",
    params=dict(w1=((1.0, -2.0), (0.5, 3.0)), b1=(0.5, -1.0), w2=(2.0, -4.0), b2=1.0),
    prompt=_tanh_network_prompt,
    hint="Use sigma(u) = (1 + tanh(u/2)) / 2: halve the first-layer weights and biases and the output weights; "
    "the constant 1/2 adds half of the output weights to the output bias.",
    solution=lambda w1, b1, w2, b2: (
        "With $\\sigma(u) = \\tfrac12 + \\tfrac12\\tanh(u/2)$: "
        f"$\\tilde w^{{(1)}}_{{11}} = {w1[0][0]:g}/2 = {w1[0][0] / 2:g}$, "
        f"$\\tilde w^{{(1)}}_{{10}} = {b1[0]:g}/2 = {b1[0] / 2:g}$, "
        f"$\\tilde w^{{(2)}}_{{11}} = {w2[0]:g}/2 = {w2[0] / 2:g}$, and "
        f"$\\tilde w^{{(2)}}_{{10}} = {b2:g} + ({w2[0]:g} {'+' if w2[1] >= 0 else '-'} {abs(w2[1]):g})/2 "
        f"= {b2 + sum(w2) / 2:g}$ (the output bias gains half the sum of the output weights)."
    ),
    labels=["$\\tilde w^{(1)}_{11}$", "$\\tilde w^{(1)}_{10}$", "$\\tilde w^{(2)}_{11}$", "$\\tilde w^{(2)}_{10}$"],
    hints=["Substitute $\\sigma(u) = \\tfrac12\\tanh(u/2) + \\tfrac12$ into the output formula and collect: what multiplies "
           "$x_i$ inside the $\\tanh$, what multiplies the $\\tanh$, and which constants are left over."],
    mistakes=[
        mistake("the seed's identity", lambda w1, b1, w2, b2: _mapped(w1, b1, w2, b2, SEED_IDENTITY),
                "That mapping comes from the wrong identity $\\sigma(u) = \\tfrac12\\tanh(u/2 + 1)$ (the $+1$ slipped "
                "inside the $\\tanh$). With the right one the hidden bias is only halved, and the output bias gains "
                "half the sum of the output weights."),
        mistake("output bias unchanged", lambda w1, b1, w2, b2: (w1[0][0] / 2, b1[0] / 2, w2[0] / 2, float(b2)),
                "The constant $\\tfrac12$ in $\\sigma(u) = \\tfrac12\\tanh(u/2) + \\tfrac12$ adds "
                "$\\tfrac12 \\sum_j w^{{(2)}}_{{1j}}$ to the output bias."),
        mistake("output weights halved twice", lambda w1, b1, w2, b2: (w1[0][0] / 2, b1[0] / 2, w2[0] / 4, b2 + sum(w2) / 2),
                "The output weights are halved once (by the $\\tfrac12$ in front of the $\\tanh$), not twice."),
    ],
    objective="map a sigmoid network onto a tanh network that computes the same function",
    difficulty=3,
    minutes=8,
    section=S_TANH,
    draw=lambda rng: dict(
        w1=tuple(tuple(float(v) for v in row) for row in rng.integers(-6, 7, size=(2, 2)) / 2),
        b1=tuple(float(v) for v in rng.integers(-4, 5, size=2) / 2),
        w2=tuple(float(v) for v in rng.integers(-6, 7, size=2)),
        b2=float(rng.integers(-3, 4)),
    ),
)
def tanh_network(w1, b1, w2, b2) -> tuple[float, float, float, float]:
    net = _tanh_network(w1, b1, w2, b2)
    twin = tanh_net_from_sigmoid(net)
    x = np.random.default_rng(0).normal(size=(50, 2)) * 3
    assert np.allclose(twin(x, "tanh"), net(x, "sigmoid"), atol=1e-12)
    return (float(twin.w1[0, 0]), float(twin.b1[0]), float(twin.w2[0, 0]), float(twin.b2[0]))
