"""Exercises of the softmax chapter: probabilities, gradients, invariances, Heaviside, sigmoid/tanh networks.

Every answer is computed with :mod:`nnbook.softmax`; choice exercises pick the option that a
numerical check confirms. Classes are numbered from 1 in the prompts, as in the course seeds.
"""

from __future__ import annotations

import numpy as np

from ..softmax import (
    CORRECT_IDENTITY,
    SEED_IDENTITY,
    TwoLayerNet,
    anchor_logits,
    cross_entropy,
    cross_entropy_grad,
    heaviside,
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
from ._core import exercise

CHAPTER = "softmax"


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
    params=dict(z=(1.0, 2.0, 3.0)),
    prompt=lambda z: (f"A three-class classifier outputs the logits $z = {_vec(z)}$ for one input. "
                      "Compute the softmax probabilities $P(1)$, $P(2)$, $P(3)$ to two decimals."),
    hint="Exponentiate each logit, add the three exponentials, and divide each exponential by that sum.",
    solution=_probabilities_solution,
    labels=["$P(1)$", "$P(2)$", "$P(3)$"],
    decimals=2,
    draw=lambda rng: dict(z=_distinct_logits(rng)),
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
    params=dict(z=(1.0, 2.0, 3.0), c=2),
    prompt=lambda z, c: (f"Same kind of classifier: logits $z = {_vec(z)}$, and the correct class is class {c}. "
                         f"Compute $\\partial \\log P({c}) / \\partial z_i$ for $i = 1, 2, 3$, to two decimals."),
    hint="log P(c) = z_c - log(sum_j exp(z_j)), so the derivative is 1 - P(i) for i = c and -P(i) otherwise.",
    solution=_log_prob_grad_solution,
    labels=["$i = 1$", "$i = 2$", "$i = 3$"],
    decimals=2,
    draw=lambda rng: dict(z=_distinct_logits(rng), c=int(rng.integers(1, 4))),
)
def log_prob_gradient(z: tuple[float, ...], c: int) -> tuple[float, ...]:
    return tuple(log_prob_grad(z, c - 1))


# -- 3. which logit is pushed down the most ---------------------------------------------------------
@exercise(
    id="softmax-pushed-down-most",
    chapter=CHAPTER,
    title="Which logit is pushed down the most?",
    params=dict(z=(1.0, 2.0, 3.0), c=2),
    prompt=lambda z, c: (f"With logits $z = {_vec(z)}$ and correct class {c}, a gradient-ascent step on "
                         f"$\\log P({c})$ changes every logit. Which logit does it push **down** the most?"),
    hint="The gradient is [i = c] - P(i): among the wrong classes, the most probable one gets the most negative entry.",
    solution=lambda z, c: (
        f"The gradient is $[i = {c}] - P(i)$ with $P = ({', '.join(f'{v:.4f}' for v in softmax(z))})$. "
        f"The correct logit $z_{c}$ goes up; every other logit goes down by its own probability, so the "
        f"most probable wrong class moves most: logit {int(np.argmin(log_prob_grad(z, c - 1))) + 1}."
    ),
    choices=["logit 1", "logit 2", "logit 3"],
    draw=lambda rng: dict(z=_distinct_logits(rng), c=int(rng.integers(1, 4))),
)
def pushed_down_most(z: tuple[float, ...], c: int) -> str:
    return f"logit {int(np.argmin(log_prob_grad(z, c - 1))) + 1}"


# -- 4. the cross-entropy gradient formula (the proof exercise) -------------------------------------------
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
    prompt=lambda: ("With $P = \\mathrm{softmax}(h)$ and the cross-entropy loss $L = -\\sum_j y_j \\log P_j$ for a one-hot "
            "target $y$, what is $\\partial L / \\partial h_i$? (Work it out from "
            "$\\partial P_j / \\partial h_i = P_j(\\delta_{ij} - P_i)$ and the chain rule.)"),
    hint="Apply the chain rule through log, then use that the one-hot y sums to 1.",
    solution=lambda: ("$\\partial L/\\partial h_i = -\\sum_j \\frac{y_j}{P_j} P_j (\\delta_{ij} - P_i) = -y_i + P_i \\sum_j y_j "
              "= P_i - y_i$. A finite-difference check on random logits agrees with this formula only."),
    choices=list(_GRADIENT_FORMULAS),
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
    prompt=lambda h, c: (f"A four-class network outputs $h = {_vec(h)}$ and the correct class is class {c}. "
                         "Compute $\\partial L / \\partial h_i$ of the cross-entropy loss for $i = 1, \\dots, 4$ "
                         "(three decimals)."),
    hint="The gradient is P - y: the softmax probabilities, minus 1 at the correct class.",
    solution=lambda h, c: (
        f"$P = \\mathrm{{softmax}}(h) = ({', '.join(f'{v:.4f}' for v in softmax(h))})$ and $y$ is 1 at class {c}, "
        f"so $P - y = ({', '.join(f'{v:.4f}' for v in cross_entropy_grad(h, c - 1))})$. The entries add up to 0."
    ),
    labels=["$i = 1$", "$i = 2$", "$i = 3$", "$i = 4$"],
    decimals=3,
    draw=lambda rng: dict(h=tuple(float(v) for v in rng.integers(-6, 7, size=4) / 2), c=int(rng.integers(1, 5))),
)
def cross_entropy_gradient(h: tuple[float, ...], c: int) -> tuple[float, ...]:
    return tuple(cross_entropy_grad(h, c - 1))


# -- 6. translation invariance --------------------------------------------------------------------------
@exercise(
    id="softmax-shift",
    chapter=CHAPTER,
    title="Adding a constant to every logit",
    params=dict(z=(1.0, 2.0, 3.0), shift=10.0),
    prompt=lambda z, shift: (f"The logits $z = {_vec(z)}$ give $P(3) \\approx {softmax(z)[2]:.2f}$. Now {shift:g} is "
                             "added to every logit. What is $P(3)$ now (two decimals)?"),
    hint="Adding c to every logit multiplies numerator and denominator by the same factor e^c.",
    solution=lambda z, shift: (
        f"$S(z + c)_i = e^{{z_i}} e^{{c}} / (e^{{c}} \\sum_j e^{{z_j}}) = S(z)_i$: the factor $e^{{{shift:g}}}$ cancels, "
        f"so $P(3)$ stays ${softmax(np.add(z, shift))[2]:.4f} \\approx {softmax(np.add(z, shift))[2]:.2f}$."
    ),
    decimals=2,
    draw=lambda rng: dict(z=_distinct_logits(rng), shift=float(rng.choice([-20, -5, 3, 7, 50, 100]))),
)
def shifted(z: tuple[float, ...], shift: float) -> float:
    return float(softmax(np.add(z, shift))[2])


# -- 7. scaling ------------------------------------------------------------------------------------------
_SCALES = (0.0, 1.0, 10.0)


@exercise(
    id="softmax-scaling",
    chapter=CHAPTER,
    title="Multiplying the logits",
    params=dict(z=(1.0, 2.0, 3.0)),
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
    draw=lambda rng: dict(z=_distinct_logits(rng, low=-2, high=3)),
)
def scaling(z: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(float(softmax(np.multiply(c, z))[2]) for c in _SCALES)


# -- 8. two classes --------------------------------------------------------------------------------------
@exercise(
    id="softmax-two-class-sigmoid",
    chapter=CHAPTER,
    title="Two-class softmax as a sigmoid",
    params=dict(x1=0.7, x2=-1.2),
    prompt=lambda x1, x2: (f"For two logits $x = ({x1:g}, {x2:g})$, softmax can be written $S(x) = [\\sigma(z), "
                           "1 - \\sigma(z)]$ with a single number $z$. Give $z$ and $\\sigma(z)$ (three decimals)."),
    hint="Divide numerator and denominator of S(x)_1 by exp(x1).",
    solution=lambda x1, x2: (
        f"$S(x)_1 = e^{{x_1}} / (e^{{x_1}} + e^{{x_2}}) = 1 / (1 + e^{{-(x_1 - x_2)}}) = \\sigma(x_1 - x_2)$, so "
        f"$z = x_1 - x_2 = {x1 - x2:g}$ and $\\sigma(z) = {float(sigmoid(x1 - x2)):.4f}$, which equals "
        f"$\\mathrm{{softmax}}(x)_1 = {softmax([x1, x2])[0]:.4f}$."
    ),
    labels=["$z$", "$\\sigma(z)$"],
    decimals=3,
    draw=lambda rng: dict(x1=float(rng.integers(-20, 21)) / 10, x2=float(rng.integers(-20, 21)) / 10),
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
    params=dict(x=(2.0, -1.0, 0.5, 3.0)),
    prompt=lambda x: (f"Find $y_1, y_2, y_3$ such that $\\mathrm{{softmax}}{_vec(x)} = "
                      "\\mathrm{softmax}(0, y_1, y_2, y_3)$, with the first logit moved to 0."),
    hint="Softmax does not change when the same number is subtracted from every logit.",
    solution=lambda x: (
        f"Subtract $x_1 = {x[0]:g}$ from every logit (translation invariance): $y = {_vec(anchor_logits(x)[1:])}$."
    ),
    labels=["$y_1$", "$y_2$", "$y_3$"],
    draw=lambda rng: dict(x=tuple(float(v) for v in rng.integers(-8, 9, size=4) / 2)),
)
def k_minus_one(x: tuple[float, ...]) -> tuple[float, ...]:
    a = anchor_logits(x)
    assert np.allclose(softmax(a), softmax(x))
    return tuple(a[1:])


# -- 10. ReLU's derivative --------------------------------------------------------------------------------
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


@exercise(
    id="softmax-relu-at-zero",
    chapter=CHAPTER,
    title="ReLU at zero",
    prompt=lambda: "What is the derivative of $g(x) = \\max\\{0, x\\}$ at $x = 0$?",
    hint="Compare the difference quotient for a small negative step with the one for a small positive step.",
    solution=lambda: ("For $\\varepsilon < 0$ the quotient $(g(\\varepsilon) - g(0))/\\varepsilon$ is 0, for $\\varepsilon > 0$ it "
              "is 1. The one-sided limits differ, so $g'(0)$ does not exist. (Libraries still return a value there: "
              "PyTorch uses 0; any value in $[0, 1]$ is a subgradient.)"),
    choices=["0", "1/2", "1", "it does not exist"],
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
    params=dict(eps=0.01, delta=0.1),
    prompt=lambda eps, delta: (f"$\\sigma(kx) = 1/(1 + e^{{-kx}})$ approaches the step $H(x)$ as $k$ grows. What is "
                               f"the smallest $k$ for which $|\\sigma(kx) - H(x)| \\le {eps:g}$ for all $|x| \\ge "
                               f"{delta:g}$? (one decimal)"),
    hint="The gap is largest at |x| = delta, where it equals sigma(-k delta) = 1 / (1 + exp(k delta)).",
    solution=lambda eps, delta: (
        f"Solve $1/(1 + e^{{k\\delta}}) = \\varepsilon$: $k = \\ln(1/\\varepsilon - 1)/\\delta = "
        f"\\ln({1 / eps - 1:g}) / {delta:g} = {steepness_for_gap(eps, delta):.2f}$."
    ),
    decimals=1,
    draw=lambda rng: dict(eps=float(rng.choice([0.1, 0.05, 0.01, 0.001])), delta=float(rng.choice([0.05, 0.1, 0.2, 0.5]))),
)
def steep_sigmoid(eps: float, delta: float) -> float:
    return steepness_for_gap(eps, delta)


# -- 12. the sigmoid/tanh identity and the network mapping ---------------------------------------------------
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
    hint="Put x/2 in place of x and solve for sigma; then check your formula at x = 0, where sigma(0) = 1/2.",
    solution=lambda: ("From $\\tanh(x/2) = 2\\sigma(x) - 1$: $\\sigma(x) = \\tfrac12(1 + \\tanh(x/2))$. Check at $x = 0$: "
              "$\\tfrac12(1 + 0) = \\tfrac12$, while $\\tfrac12\\tanh(1) \\approx 0.381$."),
    choices=list(_IDENTITIES),
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
