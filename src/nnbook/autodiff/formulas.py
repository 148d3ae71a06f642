"""Random small formulas from the grammar the parser reads: fresh material for exercises."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validate import check_int
from .notation import FUNCTIONS

__all__ = ["random_expression"]

MAX_SIZE = 50


def random_expression(rng: np.random.Generator, names: Sequence[str] = ("x1", "x2"), size: int = 3) -> str:
    """A random small formula over ``names`` with about ``size`` operations, from the grammar
    E -> name | integer | E op E | -E | fn(E), op in + - * / and ** (small integer powers),
    fn one of the exported functions. Each name appears at least once.

    >>> import numpy as np
    >>> random_expression(np.random.default_rng(0))
    'sin(x1) + x2 * x2'
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    if isinstance(names, str) or not names or not all(isinstance(n, str) and n.isidentifier() for n in names):
        raise ValueError(f"names must be a non-empty sequence of variable names such as ('x1', 'x2'), got {names!r}")
    size = check_int("size", size, minimum=0)
    if size > MAX_SIZE:
        raise ValueError(f"size must be at most {MAX_SIZE} operations, got {size}")
    pool = list(names)

    def leaf() -> str:
        if pool:
            return pool.pop(int(rng.integers(len(pool))))
        if rng.random() < 0.8:
            return str(names[int(rng.integers(len(names)))])
        return str(int(rng.integers(2, 5)))

    def build(ops: int) -> tuple[str, bool]:
        """(text, atomic): atomic texts need no parentheses as an operand."""
        if ops <= 0:
            return leaf(), True
        choice = rng.random()
        if choice < 0.35:
            fn = FUNCTIONS[int(rng.integers(len(FUNCTIONS)))]
            return f"{fn}({build(ops - 1)[0]})", True
        if choice < 0.42:
            inner, atomic = build(ops - 1)
            return (f"{inner}**2" if atomic else f"({inner})**2"), False
        left = int(rng.integers(0, ops))
        op = ["+", "-", "*", "/"][int(rng.choice(4, p=[0.35, 0.2, 0.3, 0.15]))]
        (a, a_atomic), (b, b_atomic) = build(left), build(ops - 1 - left)
        if op in "*/" and not a_atomic:
            a = f"({a})"
        if op in "*/-" and not b_atomic:
            b = f"({b})"
        return f"{a} {op} {b}", False

    text = build(size)[0]
    while pool:  # a name the grammar did not reach still belongs in the formula
        text = f"{text} + {pool.pop()}"
    return text


