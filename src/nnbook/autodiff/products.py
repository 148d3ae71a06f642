"""Dual numbers, Jacobian-vector products (forward mode) and vector-Jacobian products (reverse mode).

For ``f: Rⁿ → Rᵐ`` with Jacobian ``J`` (m × n), one forward sweep seeded with a tangent ``u``
gives ``J u`` (a column combination); one reverse sweep seeded with a cotangent ``w`` gives
``wᵀ J`` (a row combination). The full Jacobian therefore costs n forward sweeps or m reverse
sweeps: reverse mode wins for a loss (m = 1), forward mode for few inputs and many outputs.

Forward mode *is* arithmetic on dual numbers ``a + b ε`` with ``ε² = 0``: then
``f(a + b ε) = f(a) + f'(a) b ε``, so the ε part carries the tangent through every step.

>>> f = lambda x1, x2: (x1 * x2, sin(x1))
>>> jvp(f, (2.0, 3.0), (1.0, 0.0))                 # J u: d/dx1 of both outputs
((6.0, 0.9092974268256817), (3.0, -0.4161468365471424))
>>> vjp(f, (2.0, 3.0), (1.0, 0.0))                 # wᵀ J: the gradient of the first output
((6.0, 0.9092974268256817), (3.0, 2.0))
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import check_float
from .notation import _fmt
from .tracer import Var, _DomainError, _evaluate, _KIND, _Node, _Tape, sin  # noqa: F401 - sin: doctests

__all__ = ["Dual", "Jacobian", "jacobian", "jvp", "vjp"]

_OPS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


class Dual:
    """A dual number ``value + tangent·ε`` with ``ε² = 0``: forward mode as arithmetic.

    Works with ``+ - * / **``, unary minus and the functions of :mod:`nnbook.autodiff`
    (``sin(Dual(...))``), using the same local derivatives as the traces.

    >>> x = Dual(2.0, 1.0)                 # x = 2, seeded with ẋ = 1
    >>> y = x * x + 3 * x                  # (2 + ε)² + 3(2 + ε) = 10 + 7ε
    >>> y
    Dual(10.0, 7.0)
    >>> (Dual(3.0, 1.0) ** 2).tangent      # d/dx x² at 3
    6.0
    """

    __slots__ = ("value", "tangent")

    def __init__(self, value: float, tangent: float = 0.0) -> None:
        self.value = check_float("value", value)
        self.tangent = check_float("tangent", tangent)

    @classmethod
    def _of(cls, value: float, tangent: float) -> Dual:
        """A dual number from values a step has already checked (no validation: the hot path)."""
        d = object.__new__(cls)
        d.value, d.tangent = value, tangent
        return d

    def __repr__(self) -> str:
        return f"Dual({self.value!r}, {self.tangent!r})"

    def __str__(self) -> str:
        sign = "-" if self.tangent < 0 else "+"
        return f"{_fmt(self.value)} {sign} {_fmt(abs(self.tangent))}ε"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dual) and (self.value, self.tangent) == (other.value, other.tangent)

    __hash__ = None  # type: ignore[assignment]

    def _binary(self, op: str, other: Any, reflected: bool = False) -> Dual:
        if isinstance(other, Dual):
            a, b = (other, self) if reflected else (self, other)
            value, (pa, pb) = _step(op, [a.value, b.value], None, False)
            return Dual._of(value, pa * a.tangent + pb * b.tangent)
        if isinstance(other, (bool, np.bool_)) or not isinstance(other, numbers.Real):
            return NotImplemented
        try:
            c = float(other)
        except OverflowError:
            c = math.inf
        if not math.isfinite(c):
            raise ValueError(f"the constant {other!r} in a dual-number step is not a finite float")
        value, (p,) = _step(op, [self.value], c, reflected)
        return Dual._of(value, p * self.tangent)

    def __add__(self, o: Any) -> Dual:
        return self._binary("add", o)

    def __radd__(self, o: Any) -> Dual:
        return self._binary("add", o, True)

    def __sub__(self, o: Any) -> Dual:
        return self._binary("sub", o)

    def __rsub__(self, o: Any) -> Dual:
        return self._binary("sub", o, True)

    def __mul__(self, o: Any) -> Dual:
        return self._binary("mul", o)

    def __rmul__(self, o: Any) -> Dual:
        return self._binary("mul", o, True)

    def __truediv__(self, o: Any) -> Dual:
        return self._binary("div", o)

    def __rtruediv__(self, o: Any) -> Dual:
        return self._binary("div", o, True)

    def __pow__(self, o: Any) -> Dual:
        return self._binary("pow", o)

    def __rpow__(self, o: Any) -> Dual:
        return self._binary("pow", o, True)

    def __neg__(self) -> Dual:
        return Dual._of(-self.value, -self.tangent)

    def __pos__(self) -> Dual:
        return self

    def __bool__(self) -> bool:
        raise TypeError("a dual number has no truth value (if x:); write the branch without it")

    def _apply_elementary(self, op: str) -> Dual:
        """``f(a + bε) = f(a) + f'(a)·b ε`` for one of the elementary functions."""
        value, (p,) = _step(op, [self.value], None, False)
        return Dual._of(value, p * self.tangent)


def _step(op: str, values: list[float], c: float | None, c_first: bool) -> tuple[float, tuple[float, ...]]:
    try:
        value, partials = _evaluate(op, values, c, c_first)
    except _DomainError as exc:
        raise _KIND.get(exc.kind, exc.kind)(f"{op} of a dual number fails: {exc}") from None
    except OverflowError:
        raise _KIND[OverflowError](f"{op} of a dual number is too large for a float") from None
    if not (math.isfinite(value) and all(math.isfinite(p) for p in partials)):
        raise _KIND[OverflowError](f"{op} of a dual number is too large for a float")
    return value, partials


# -- one sweep on a tape with several outputs ------------------------------------------------
def _point(point: Any, name: str = "point") -> tuple[float, ...]:
    if isinstance(point, (str, bytes)) or not isinstance(point, (Sequence, np.ndarray)):
        point = (point,)
    values = tuple(check_float(f"{name}[{i}]", v) for i, v in enumerate(np.asarray(point, dtype=object).ravel()))
    if not values:
        raise ValueError(f"{name} must hold at least one number")
    return values


def _outputs(out: Any) -> tuple[tuple[Any, ...], bool]:
    """The outputs of f as a tuple, and whether f returned one scalar."""
    if isinstance(out, (tuple, list)):
        if not out:
            raise ValueError("f returned an empty sequence; return one number or a tuple of numbers")
        return tuple(out), False
    return (out,), True


def _check_output(k: int, y: Any, allowed: type) -> None:
    if isinstance(y, allowed):
        return
    if isinstance(y, (bool, np.bool_)) or not isinstance(y, numbers.Real):
        raise TypeError(f"output {k} of f must be a number, got {type(y).__name__}")
    check_float(f"output {k} of f", y)


def jvp(f: Callable[..., Any], point: Sequence[float], tangent: Sequence[float]) -> tuple[Any, Any]:
    """The Jacobian-vector product ``J(point) · tangent`` of ``f`` in one forward sweep.

    ``f`` takes n numbers and returns a number or a tuple of m numbers. Returns
    ``(f(point), J·tangent)``, each a float when ``f`` returns one number and a tuple otherwise
    (as ``torch.func.jvp``). The sweep runs on :class:`Dual` numbers.

    >>> jvp(lambda x, y: x * y, (2.0, 3.0), (1.0, 1.0))   # ∂/∂x + ∂/∂y = y + x
    (6.0, 5.0)
    """
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    x = _point(point)
    u = _point(tangent, "tangent")
    if len(u) != len(x):
        raise ValueError(f"the tangent needs one entry per input: {len(x)} input(s), got {len(u)} entries")
    return _forward_sweep(f, x, u)


def _forward_sweep(f: Callable[..., Any], x: tuple[float, ...], u: tuple[float, ...]) -> tuple[Any, Any]:
    """One forward sweep on dual numbers, for checked inputs."""
    outs, scalar = _outputs(f(*(Dual._of(a, b) for a, b in zip(x, u))))
    for k, y in enumerate(outs):
        _check_output(k, y, Dual)
    values = tuple(y.value if isinstance(y, Dual) else float(y) for y in outs)
    products = tuple(y.tangent if isinstance(y, Dual) else 0.0 for y in outs)
    return (values[0], products[0]) if scalar else (values, products)


def _record(f: Callable[..., Any], x: tuple[float, ...]) -> tuple[_Tape, tuple[Any, ...], bool]:
    """Run ``f`` once on traced inputs: the tape and the outputs (traced values or constants)."""
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    tape = _Tape()
    tape.n_inputs = len(x)
    inputs = []
    for v in x:
        tape.nodes.append(_Node("input", (), v, ()))
        inputs.append(Var(tape, len(tape.nodes) - 1, v))
    outs, scalar = _outputs(f(*inputs))
    for k, y in enumerate(outs):
        _check_output(k, y, Var)
        if isinstance(y, Var) and y._tape is not tape:
            raise ValueError(f"output {k} of f is a traced value from another trace")
    return tape, outs, scalar


def _backward(tape: _Tape, outs: tuple[Any, ...], w: tuple[float, ...]) -> tuple[float, ...]:
    """One reverse sweep seeded with ȳ_k = w_k: the adjoints of the inputs."""
    adjoint = [0.0] * len(tape.nodes)
    for y, wk in zip(outs, w):
        if isinstance(y, Var):
            adjoint[y._pos] += wk
    for j in range(len(tape.nodes) - 1, tape.n_inputs - 1, -1):
        node, bar = tape.nodes[j], adjoint[j]
        if bar:
            for a, p in zip(node.args, node.partials):
                adjoint[a] += bar * p
    return tuple(adjoint[: tape.n_inputs])


def vjp(f: Callable[..., Any], point: Sequence[float], cotangent: Any) -> tuple[Any, tuple[float, ...]]:
    """The vector-Jacobian product ``cotangentᵀ · J(point)`` of ``f`` in one reverse sweep.

    ``f`` takes n numbers and returns a number or a tuple of m numbers; ``cotangent`` has one
    entry per output (a number when ``f`` returns one number). Returns ``(f(point), wᵀJ)``, the
    second a tuple of n numbers: the backward sweep seeded with ``ȳ_k = w_k`` for every output.

    >>> vjp(lambda x, y: (x * y, x + y), (2.0, 3.0), (1.0, 10.0))  # 1·(3, 2) + 10·(1, 1)
    ((6.0, 5.0), (13.0, 12.0))
    """
    x = _point(point)
    tape, outs, scalar = _record(f, x)
    w = _point(cotangent, "cotangent")
    if len(w) != len(outs):
        raise ValueError(f"the cotangent needs one entry per output: f has {len(outs)} output(s), got {len(w)}")
    values = tuple(y.value if isinstance(y, Var) else float(y) for y in outs)
    return (values[0] if scalar else values), _backward(tape, outs, w)


@dataclass(frozen=True)
class Jacobian:
    """A full Jacobian and what it cost: ``matrix`` (m × n), ``mode`` and the number of ``sweeps``."""

    matrix: np.ndarray
    mode: str
    sweeps: int


def jacobian(f: Callable[..., Any], point: Sequence[float], mode: str = "reverse") -> Jacobian:
    """The m × n Jacobian of ``f`` at ``point``: n :func:`jvp` sweeps (``mode="forward"``, one
    column each) or m :func:`vjp` sweeps (``mode="reverse"``, one row each).

    >>> j = jacobian(lambda x, y: (x * y, x + y, x), (2.0, 3.0), mode="forward")
    >>> j.matrix.tolist(), j.sweeps
    ([[3.0, 2.0], [1.0, 1.0], [1.0, 0.0]], 2)
    >>> jacobian(lambda x, y: (x * y, x + y, x), (2.0, 3.0)).sweeps
    3
    """
    if mode not in ("forward", "reverse"):
        raise ValueError(f"mode must be 'forward' or 'reverse', got {mode!r}")
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    x = _point(point)
    n = len(x)
    if mode == "forward":
        columns = []
        for i in range(n):
            _, col = _forward_sweep(f, x, tuple(float(i == k) for k in range(n)))
            columns.append(col if isinstance(col, tuple) else (col,))
        return Jacobian(np.array(columns, dtype=float).T, mode, n)
    tape, outs, _ = _record(f, x)  # reverse mode records once, then sweeps once per output
    m = len(outs)
    rows = [_backward(tape, outs, tuple(float(k == r) for k in range(m))) for r in range(m)]
    return Jacobian(np.array(rows, dtype=float), mode, m)
