"""The tracer: traced scalars (:class:`Var`) record every elementary operation on a tape.

Each step stores its value and its local partial derivatives; a step that cannot be computed
(log of a negative number, an overflow, ...) fails with a message naming the step. The
elementary functions work on traced values, floats and numpy arrays.

>>> tape = _Tape(); tape.n_inputs = 1; tape.nodes.append(_Node("input", (), 2.0, ()))
>>> y = sin(Var(tape, 0, 2.0)) * 3
>>> [(node.op, round(node.value, 4)) for node in tape.nodes]
[('input', 2.0), ('sin', 0.9093), ('mul', 2.7279)]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .notation import FUNCTIONS, SUPPORTED, TEXT, _describe

__all__ = ["TraceOverflowError", "TraceZeroDivisionError", "Var", "cos", "exp", "log", "relu", "sigmoid", "sin", "sqrt", "tanh"]

class TraceOverflowError(OverflowError, ValueError):
    """A step's value or derivative is too large for a float (also a ``ValueError``)."""


class TraceZeroDivisionError(ZeroDivisionError, ValueError):
    """A step divides by zero (also a ``ValueError``)."""


_KIND: dict[type[Exception], type[Exception]] = {
    OverflowError: TraceOverflowError, ZeroDivisionError: TraceZeroDivisionError, ValueError: ValueError,
}


@dataclass
class _Node:
    op: str  # "input", "add", "sub", "mul", "div", "pow", "neg" or one of FUNCTIONS
    args: tuple[int, ...]  # positions of the arguments on the tape
    value: float
    partials: tuple[float, ...]  # d(this)/d(arg) for each arg
    const: float | None = None  # the constant operand of "x + 2", "3 / x", "x ** 2", ...
    const_first: bool = False  # True for "2 - x", "3 / x", "2 ** x"


class _Tape:
    def __init__(self) -> None:
        self.nodes: list[_Node] = []
        self.n_inputs = 0

    def name_of(self, position: int) -> str:
        """Trace name of a tape position as the tracer numbers it (before unused steps are dropped)."""
        return TEXT.v(position - self.n_inputs + 1)


def _unsupported(what: str) -> TypeError:
    return TypeError(f"{what} is not supported on traced values; supported: {SUPPORTED}")


class Var:
    """A traced scalar: its ``value`` plus its place in the evaluation trace.

    You never make one yourself: :func:`forward_trace` and :func:`reverse_trace` pass them to
    your function. Only the operations listed in :data:`SUPPORTED` are allowed on them.
    """

    __slots__ = ("_tape", "_pos", "value")

    def __init__(self, tape: _Tape, pos: int, value: float) -> None:
        self._tape, self._pos, self.value = tape, pos, value

    def __repr__(self) -> str:
        return f"Var({self._tape.name_of(self._pos)} = {self.value:.6g})"

    # arithmetic: every operation records one trace step
    def __add__(self, other: Any) -> Var:
        return _binary("add", self, other)

    def __radd__(self, other: Any) -> Var:
        return _binary("add", other, self)

    def __sub__(self, other: Any) -> Var:
        return _binary("sub", self, other)

    def __rsub__(self, other: Any) -> Var:
        return _binary("sub", other, self)

    def __mul__(self, other: Any) -> Var:
        return _binary("mul", self, other)

    def __rmul__(self, other: Any) -> Var:
        return _binary("mul", other, self)

    def __truediv__(self, other: Any) -> Var:
        return _binary("div", self, other)

    def __rtruediv__(self, other: Any) -> Var:
        return _binary("div", other, self)

    def __pow__(self, other: Any, modulo: Any = None) -> Var:
        if modulo is not None:
            raise _unsupported("pow(x, y, modulo)")
        return _binary("pow", self, other)

    def __rpow__(self, other: Any) -> Var:
        return _binary("pow", other, self)

    def __neg__(self) -> Var:
        return _record(self._tape, "neg", (self,), None, False)

    def __pos__(self) -> Var:
        return self

    # everything else fails with a message that lists what works
    def _no(name: str) -> Callable[..., Any]:  # noqa: N805 - class-body helper
        def method(self: Var, *args: Any) -> Any:
            raise _unsupported(name)

        method.__name__ = name
        return method

    __floordiv__ = __rfloordiv__ = _no("// (floor division)")
    __mod__ = __rmod__ = _no("% (modulo)")
    __divmod__ = __rdivmod__ = _no("divmod")
    __matmul__ = __rmatmul__ = _no("@ (matrix product)")
    __abs__ = _no("abs()")
    __round__ = _no("round()")
    __trunc__ = __floor__ = __ceil__ = _no("rounding (math.trunc/floor/ceil)")
    __lt__ = __le__ = __gt__ = __ge__ = _no("comparison (<, <=, >, >=)")
    __float__ = _no("float() (and so math.sin, math.log, ...)")
    __int__ = __index__ = _no("int()")
    __complex__ = _no("complex()")
    __bool__ = _no("truth value (if x:, while x:, x and y); write the branch without the traced value")
    del _no

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        # numpy scalars times traced values are fine (np.float64(2) * v); numpy functions are not
        ops = {"add": "add", "subtract": "sub", "multiply": "mul", "true_divide": "div", "divide": "div",
               "power": "pow"}
        name = getattr(ufunc, "__name__", str(ufunc))
        if (method == "__call__" and not kwargs and name in ops and len(inputs) == 2
                and all(isinstance(x, Var) or np.ndim(x) == 0 for x in inputs)):
            a, b = (x if isinstance(x, Var) else float(x) for x in inputs)
            return _binary(ops[name], a, b)
        hint = f"use nnbook.autodiff.{name}" if name in FUNCTIONS else "write it with the supported operations"
        raise TypeError(
            f"numpy.{name} cannot be traced ({hint}); supported: {SUPPORTED}. "
            "Traced values are scalars: no numpy arrays or numpy functions."
        )


def _short(x: Any) -> str:
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        return f"integer of {int(x).bit_length()} bits"
    return f"{x!r}"


def _binary(op: str, a: Any, b: Any) -> Var:
    for x in (a, b):
        if not isinstance(x, Var) and (isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real)):
            symbol = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}[op]
            raise _unsupported(f"'{symbol}' with a {type(x).__name__} operand")
    if isinstance(a, Var) and isinstance(b, Var):
        if a._tape is not b._tape:
            raise ValueError("these traced values come from two different traces; trace one function at a time")
        return _record(a._tape, op, (a, b), None, False)
    for x in (a, b):
        if not isinstance(x, Var):
            try:
                finite = math.isfinite(x)
            except OverflowError:
                finite = False
            if not finite:
                raise ValueError(f"the constant {_short(x)} in a traced step is not a finite float; "
                                 "use finite numbers of at most about 1.8e308")
    if isinstance(a, Var):
        return _record(a._tape, op, (a,), float(b), False)
    return _record(b._tape, op, (b,), float(a), True)


def _step_text(tape: _Tape, op: str, args: Sequence[int], const: float | None, const_first: bool) -> str:
    """'v₃ = ln(v₁)': the step about to be recorded, for error messages."""
    names = [tape.name_of(p) for p in args]
    rule, _ = _describe(TEXT, op, names, const, const_first)
    return f"{tape.name_of(len(tape.nodes))} = {rule}"


def _record(tape: _Tape, op: str, args: tuple[Var, ...], const: float | None, const_first: bool) -> Var:
    positions = tuple(x._pos for x in args)
    values = [x.value for x in args]

    def fail(kind: type[Exception], why: str) -> Exception:
        kind = _KIND.get(kind, kind)
        where = _step_text(tape, op, positions, const, const_first)
        shown = ", ".join(f"{tape.name_of(p)} = {v:.6g}" for p, v in zip(positions, values))
        return kind(f"step {where} fails: {why} ({shown})")

    try:
        value, partials = _evaluate(op, values, const, const_first)
    except _DomainError as exc:
        raise fail(exc.kind, str(exc)) from None
    except OverflowError:
        raise fail(OverflowError, "the result is too large for a float") from None
    if not (math.isfinite(value) and all(math.isfinite(p) for p in partials)):
        raise fail(OverflowError, "the result or its derivative is too large for a float")
    tape.nodes.append(_Node(op, positions, value, partials, const, const_first))
    return Var(tape, len(tape.nodes) - 1, value)


class _DomainError(Exception):
    def __init__(self, kind: type[Exception], message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _evaluate(op: str, x: list[float], c: float | None, c_first: bool) -> tuple[float, tuple[float, ...]]:
    """Value and local partial derivatives of one elementary step."""
    if op in ("add", "sub", "mul", "div", "pow") and c is not None:
        a = x[0]
        if op == "add":
            return a + c, (1.0,)
        if op == "sub":
            return (c - a, (-1.0,)) if c_first else (a - c, (1.0,))
        if op == "mul":
            return a * c, (c,)
        if op == "div":
            if c_first:
                if a == 0:
                    raise _DomainError(ZeroDivisionError, "division by zero")
                return c / a, (-c / (a * a),)
            if c == 0:
                raise _DomainError(ZeroDivisionError, "division by zero")
            return a / c, (1.0 / c,)
        if c_first:  # c ** a
            if c <= 0:
                raise _DomainError(ValueError, f"a number raised to a traced power must be positive, got base {c:g}")
            value = c**a
            return value, (math.log(c) * value,)
        return _power(a, c)
    if op == "add":
        return x[0] + x[1], (1.0, 1.0)
    if op == "sub":
        return x[0] - x[1], (1.0, -1.0)
    if op == "mul":
        return x[0] * x[1], (x[1], x[0])
    if op == "div":
        if x[1] == 0:
            raise _DomainError(ZeroDivisionError, "division by zero")
        return x[0] / x[1], (1.0 / x[1], -x[0] / (x[1] * x[1]))
    if op == "pow":
        a, b = x
        if a <= 0:
            raise _DomainError(ValueError, "a traced base raised to a traced power must be positive (its "
                               "derivative with respect to the exponent needs ln(base))")
        value = a**b
        return value, (b * a ** (b - 1), math.log(a) * value)
    (a,) = x
    if op == "neg":
        return -a, (-1.0,)
    return _ELEMENTARY[op](a)


def _power(a: float, c: float) -> tuple[float, tuple[float, ...]]:
    if c == 0:
        return 1.0, (0.0,)
    if a == 0 and c < 0:
        raise _DomainError(ZeroDivisionError, f"0 raised to the negative power {c:g} divides by zero")
    if a < 0 and not float(c).is_integer():
        raise _DomainError(ValueError, f"a negative number raised to the non-integer power {c:g} is not real")
    if a == 0 and c < 1:
        raise _DomainError(ValueError, f"the derivative of x^{c:g} is infinite at x = 0")
    return a**c, (c * a ** (c - 1),)


def _sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _log(a: float) -> tuple[float, tuple[float, ...]]:
    if a <= 0:
        raise _DomainError(ValueError, "log of a non-positive number (log needs an argument > 0)")
    return math.log(a), (1.0 / a,)


def _sqrt(a: float) -> tuple[float, tuple[float, ...]]:
    if a < 0:
        raise _DomainError(ValueError, "sqrt of a negative number (sqrt needs an argument >= 0)")
    if a == 0:
        raise _DomainError(ValueError, "the derivative of sqrt, 1/(2 sqrt(x)), is infinite at x = 0")
    r = math.sqrt(a)
    return r, (0.5 / r,)


def _exp(a: float) -> tuple[float, tuple[float, ...]]:
    e = math.exp(a)
    return e, (e,)


def _tanh(a: float) -> tuple[float, tuple[float, ...]]:
    t = math.tanh(a)
    return t, (1.0 - t * t,)


def _sig(a: float) -> tuple[float, tuple[float, ...]]:
    s = _sigmoid(a)
    return s, (s * (1.0 - s),)


_ELEMENTARY: dict[str, Callable[[float], tuple[float, tuple[float, ...]]]] = {
    "log": _log,
    "exp": _exp,
    "sin": lambda a: (math.sin(a), (math.cos(a),)),
    "cos": lambda a: (math.cos(a), (-math.sin(a),)),
    "tanh": _tanh,
    "sqrt": _sqrt,
    "sigmoid": _sig,
    "relu": lambda a: (max(a, 0.0), (1.0 if a > 0 else 0.0,)),  # derivative 0 at 0, as in PyTorch
}

# -- elementary functions: the same names on traced values, floats and arrays
def _elementary(op: str, doc: str) -> Callable[[Any], Any]:
    numpy_fn = {"log": np.log, "exp": np.exp, "sin": np.sin, "cos": np.cos, "tanh": np.tanh, "sqrt": np.sqrt}

    def function(x: Any) -> Any:
        if isinstance(x, Var):
            return _record(x._tape, op, (x,), None, False)
        if hasattr(x, "_apply_elementary"):  # a dual number (nnbook.autodiff.products.Dual)
            return x._apply_elementary(op)
        if isinstance(x, np.ndarray) and x.dtype != object and np.issubdtype(x.dtype, np.number):
            if np.iscomplexobj(x):
                raise TypeError(f"{op}() takes real numbers, got complex dtype {x.dtype}")
            arr = x.astype(float)
            if arr.size == 0:
                raise ValueError(f"{op}() got an empty array; give at least one number")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{op}() needs finite numbers, got {arr[~np.isfinite(arr)][0]} (NaN or infinity)")
            if op == "log" and np.any(arr <= 0):
                raise ValueError(f"log of a non-positive number: log needs arguments > 0, got min {arr.min():g}")
            if op == "sqrt" and np.any(arr < 0):
                raise ValueError(f"sqrt of a negative number: sqrt needs arguments >= 0, got min {arr.min():g}")
            if op == "sigmoid":
                e = np.exp(-np.abs(arr))  # never overflows
                return np.where(arr >= 0, 1 / (1 + e), e / (1 + e))
            if op == "relu":
                return np.maximum(arr, 0.0)
            with np.errstate(over="ignore"):
                out = numpy_fn[op](arr)
            if not np.all(np.isfinite(out)):
                raise TraceOverflowError(f"{op}() of {arr.max():g} is too large for a float")
            return out
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
            raise TypeError(f"{op}() takes a real number, a numpy array or a traced value, got {type(x).__name__}")
        try:
            a = float(x)
        except OverflowError:
            raise TraceOverflowError(f"{op}() got a number too large for a float ({_short(x)})") from None
        if not math.isfinite(a):
            raise ValueError(f"{op}() needs a finite number, got {a}")
        if op == "sqrt" and a == 0:
            return 0.0
        try:
            return _ELEMENTARY[op](a)[0]
        except _DomainError as exc:
            raise _KIND.get(exc.kind, exc.kind)(f"{exc} (got {a:g})") from None
        except OverflowError:
            raise TraceOverflowError(f"{op}({a:g}) is too large for a float") from None

    function.__name__ = function.__qualname__ = op
    function.__doc__ = doc
    return function


_WORKS = "Works on traced values, floats and numpy arrays."
log = _elementary("log", f"Natural logarithm ln(x), x > 0. {_WORKS}\n\n>>> round(log(2.0), 4)\n0.6931\n")
exp = _elementary("exp", f"Exponential e^x. {_WORKS}\n\n>>> exp(0.0)\n1.0\n")
sin = _elementary("sin", f"Sine (radians). {_WORKS}\n\n>>> sin(0.0)\n0.0\n")
cos = _elementary("cos", f"Cosine (radians). {_WORKS}\n\n>>> cos(0.0)\n1.0\n")
tanh = _elementary("tanh", f"Hyperbolic tangent. {_WORKS}\n\n>>> tanh(0.0)\n0.0\n")
sqrt = _elementary("sqrt", f"Square root, x >= 0 (traced: x > 0). {_WORKS}\n\n>>> sqrt(9.0)\n3.0\n")
sigmoid = _elementary("sigmoid", f"Logistic sigmoid 1/(1 + e^-x). {_WORKS}\n\n>>> sigmoid(0.0)\n0.5\n")
relu = _elementary(
    "relu", f"ReLU max(0, x); derivative 0 at x = 0, as in PyTorch. {_WORKS}\n\n>>> relu(-2.0), relu(3.0)\n(0.0, 3.0)\n"
)


