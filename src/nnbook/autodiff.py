"""Forward-tangent and reverse-adjoint evaluation traces, in the notation of Baydin et al. (2018).

A micrograd-sized tracer: write an ordinary Python function of scalars with ``+ - * / **``,
unary minus and the elementary functions exported here, and nnbook records every elementary
operation as one step of an *evaluation trace*. Inputs are numbered v_{1-n} ... v_0 and named
after the function's parameters; intermediates are v_1, v_2, ...

>>> from nnbook.autodiff import forward_trace, reverse_trace, log, sin
>>> f = lambda x1, x2: log(x1) + x1 * x2 - sin(x2)
>>> round(forward_trace(f, 2, 5).derivative, 4)
5.5
>>> [round(g, 4) for g in reverse_trace(f, 2, 5).gradient]
[5.5, 1.7163]
>>> round(f(2.0, 5.0), 4)                       # the same function works on plain floats
11.6521

Tables render as HTML in Jupyter (``_repr_html_``), as plain text (``str``) and as LaTeX
(``to_latex()``) for handouts. Every row shows the symbolic rule and the value to 4 decimals.
"""

from __future__ import annotations

import ast
import inspect
import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from itertools import zip_longest
from typing import Any

import numpy as np

from ._validate import check_real

__all__ = [
    "FUNCTIONS",
    "SUPPORTED",
    "Expression",
    "ForwardTrace",
    "GradientCost",
    "Node",
    "ReverseTrace",
    "Row",
    "SweepStep",
    "Trace",
    "Var",
    "cos",
    "exp",
    "forward_trace",
    "gradient_cost",
    "log",
    "neuron",
    "parse_expression",
    "parse_point",
    "random_expression",
    "relu",
    "reverse_trace",
    "sigmoid",
    "sin",
    "sqrt",
    "tanh",
    "time_sweeps",
    "trace",
    "trace_text",
]

FUNCTIONS = ("log", "exp", "sin", "cos", "tanh", "sqrt", "sigmoid", "relu")
SUPPORTED = (
    "+, -, *, / and ** between traced values and real numbers, unary minus, and the functions "
    "log, exp, sin, cos, tanh, sqrt, sigmoid, relu from nnbook.autodiff"
)


# ============================================================================ notation
_SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")
_DOT, _BAR = "\u0307", "\u0304"


def _fmt(value: float) -> str:
    """A value to 4 decimals, never '-0.0000'."""
    text = f"{value:.4f}"
    return "0.0000" if text == "-0.0000" else text


def _const(c: float) -> str:
    """A constant as written in a rule: 2, 0.5, 1e-08."""
    if float(c).is_integer() and abs(c) < 1e15:
        return str(int(c))
    return f"{c:.6g}"


class _Notation:
    """Names and symbols, once as Unicode text and once as LaTeX (same rules, two spellings)."""

    def __init__(self, latex: bool) -> None:
        self.latex = latex
        self.times = r" \times " if latex else " × "
        self._names: dict[tuple[int, str], str] = {}

    # -- names -------------------------------------------------------------------------
    def v(self, k: int, mark: str = "") -> str:
        name = self._names.get((k, mark))
        if name is None:
            if self.latex:
                name = {"": "v", "dot": r"\dot{v}", "bar": r"\bar{v}"}[mark] + f"_{{{k}}}"
            else:
                name = "v" + {"": "", "dot": _DOT, "bar": _BAR}[mark] + str(k).translate(_SUB)
            self._names[(k, mark)] = name
        return name

    def param(self, name: str, mark: str = "") -> str:
        m = re.fullmatch(r"([A-Za-z]+?)_?(\d+)", name)
        base, digits = (m.group(1), m.group(2)) if m else (name, "")
        if self.latex:
            body = base if len(base) == 1 else rf"\mathit{{{base}}}"
            body = {"": body, "dot": rf"\dot{{{body}}}", "bar": rf"\bar{{{body}}}"}[mark]
            return body + (f"_{{{digits}}}" if digits else "")
        return base + {"": "", "dot": _DOT, "bar": _BAR}[mark] + digits.translate(_SUB)

    def y(self, mark: str = "") -> str:
        return self.param("y", mark)

    def partial(self, j: int, i: int) -> str:
        if self.latex:
            return rf"\partial v_{{{j}}}/\partial v_{{{i}}}"
        return f"∂{self.v(j)}/∂{self.v(i)}"

    # -- expressions -------------------------------------------------------------------
    def const(self, c: float) -> str:
        text = _const(c)
        return f"({text})" if c < 0 else text

    def fn(self, name: str, arg: str) -> str:
        if self.latex:
            if name == "sqrt":
                return rf"\sqrt{{{arg}}}"
            head = {"log": r"\ln", "exp": r"\exp", "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh",
                    "sigmoid": r"\sigma", "relu": r"\operatorname{ReLU}", "H": "H"}[name]
            return rf"{head}({arg})"
        head = {"log": "ln", "sigmoid": "σ"}.get(name, name)
        return f"{head}({arg})"

    def pow(self, base: str, exponent: str) -> str:
        if self.latex:
            return f"{base}^{{{exponent}}}"
        simple = re.fullmatch(r"[0-9.]+|[^\s()]+", exponent) and not exponent.startswith("-")
        return f"{base}^{exponent}" if simple else f"{base}^({exponent})"

    def term(self, partial: str, factor: str) -> str:
        """``partial × factor`` written the way people write chain-rule terms."""
        if partial == "1":
            return factor
        if partial == "-1":
            return "-" + factor
        if partial == "0":
            return "0"
        if partial.startswith("1/"):
            return f"{factor}/{partial[2:]}"
        if partial.startswith("-1/"):
            return f"-{factor}/{partial[3:]}"
        if re.search(r"\S [+-] ", partial):
            partial = f"({partial})"
        return f"{partial}{self.times}{factor}"

    @staticmethod
    def plus(left: str, right: str) -> str:
        return f"{left} - {right[1:]}" if right.startswith("-") else f"{left} + {right}"


TEXT, LATEX = _Notation(latex=False), _Notation(latex=True)


# ============================================================================ the tracer
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


def _binary(op: str, a: Any, b: Any) -> Var:
    for x in (a, b):
        if not isinstance(x, Var) and (isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real)):
            symbol = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}[op]
            raise _unsupported(f"'{symbol}' with a {type(x).__name__} operand")
    if isinstance(a, Var) and isinstance(b, Var):
        if a._tape is not b._tape:
            raise ValueError("these traced values come from two different traces; trace one function at a time")
        return _record(a._tape, op, (a, b), None, False)
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


def _describe(n: _Notation, op: str, names: Sequence[str], c: float | None, c_first: bool) -> tuple[str, list[str]]:
    """The rule of a step and the rule of each local partial derivative, in notation ``n``."""
    a = names[0]
    if op == "neg":
        return f"-{a}", ["-1"]
    if op in _ELEMENTARY:
        partial = {
            "log": f"1/{a}",
            "exp": n.fn("exp", a),
            "sin": n.fn("cos", a),
            "cos": "-" + n.fn("sin", a),
            "tanh": f"1 - {n.pow(n.fn('tanh', a), '2')}",
            "sqrt": f"1/(2{n.times}{n.fn('sqrt', a)})",
            "sigmoid": f"{n.fn('sigmoid', a)}{n.times}(1 - {n.fn('sigmoid', a)})",
            "relu": n.fn("H", a),
        }[op]
        return n.fn(op, a), [partial]
    if c is not None:
        k = n.const(c)
        if op == "add":
            return (f"{k} + {a}" if c_first else f"{a} + {k}"), ["1"]
        if op == "sub":
            return (f"{k} - {a}", ["-1"]) if c_first else (f"{a} - {k}", ["1"])
        if op == "mul":
            return (f"{k}{n.times}{a}" if c_first else f"{a}{n.times}{k}"), [k]
        if op == "div":
            if c_first:
                return f"{k}/{a}", [f"-{k}/{n.pow(a, '2')}"]
            return f"{a}/{k}", [f"1/{k}"]
        if c_first:
            ln = r"\ln" if n.latex else "ln"
            return n.pow(k, a), [f"{ln}({k}){n.times}{n.pow(k, a)}"]
        if c == 2:
            return n.pow(a, "2"), [f"2{n.times}{a}"]
        return n.pow(a, _const(c)), [f"{k}{n.times}{n.pow(a, _const(c - 1))}"]
    b = names[1]
    ln = r"\ln" if n.latex else "ln"
    rules = {
        "add": (f"{a} + {b}", ["1", "1"]),
        "sub": (f"{a} - {b}", ["1", "-1"]),
        "mul": (f"{a}{n.times}{b}", [b, a]),
        "div": (f"{a}/{b}", [f"1/{b}", f"-{a}/{n.pow(b, '2')}"]),
        "pow": (n.pow(a, b), [f"{b}{n.times}{n.pow(a, b + ' - 1')}", f"{ln}({a}){n.times}{n.pow(a, b)}"]),
    }
    return rules[op]


# ============================================================================ elementary functions
def _elementary(op: str, doc: str) -> Callable[[Any], Any]:
    numpy_fn = {"log": np.log, "exp": np.exp, "sin": np.sin, "cos": np.cos, "tanh": np.tanh, "sqrt": np.sqrt}

    def function(x: Any) -> Any:
        if isinstance(x, Var):
            return _record(x._tape, op, (x,), None, False)
        if isinstance(x, np.ndarray) and x.dtype != object and np.issubdtype(x.dtype, np.number):
            arr = x.astype(float)
            if op == "log" and np.any(arr <= 0):
                raise ValueError(f"log of a non-positive number: log needs arguments > 0, got min {arr.min():g}")
            if op == "sqrt" and np.any(arr < 0):
                raise ValueError(f"sqrt of a negative number: sqrt needs arguments >= 0, got min {arr.min():g}")
            if op == "sigmoid":
                e = np.exp(-np.abs(arr))  # never overflows
                return np.where(arr >= 0, 1 / (1 + e), e / (1 + e))
            if op == "relu":
                return np.maximum(arr, 0.0)
            return numpy_fn[op](arr)
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
            raise TypeError(f"{op}() takes a real number, a numpy array or a traced value, got {type(x).__name__}")
        a = float(x)
        if op == "sqrt" and a == 0:
            return 0.0
        try:
            return _ELEMENTARY[op](a)[0]
        except _DomainError as exc:
            raise exc.kind(f"{exc} (got {a:g})") from None

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


# ============================================================================ the trace
@dataclass(frozen=True)
class Row:
    """One row of a trace table: ``lhs = rule (= expanded) = value``, in text and LaTeX."""

    lhs: str
    rule: str
    value: float
    lhs_tex: str
    rule_tex: str
    node: int  # position of the graph node this row is about
    expanded: str = ""
    expanded_tex: str = ""
    source: int | None = None  # adjoint rows: the node whose adjoint flows back
    partial: float | None = None  # adjoint rows: the local partial derivative used
    kind: str = ""  # "input", "step", "output", "seed", "first", "accumulate", "gradient"

    def text(self) -> tuple[str, ...]:
        middle = (f"= {self.rule}", f"= {self.expanded}" if self.expanded else "")
        return (self.lhs, *middle, f"= {_fmt(self.value)}")

    def tex(self) -> tuple[str, ...]:
        middle = (f"= {self.rule_tex}", f"= {self.expanded_tex}" if self.expanded_tex else "")
        return (f"{self.lhs_tex}", *middle, f"= {_fmt(self.value)}")


@dataclass(frozen=True)
class Node:
    """A node of the computational graph: trace index, operation, argument positions, value."""

    index: int
    op: str
    args: tuple[int, ...]
    value: float
    partials: tuple[float, ...]
    label: str  # v₁, v₋₁, ...
    rule: str  # ln(v₋₁), x₁, ...


class Trace:
    """The forward primal (evaluation) trace of ``f`` at a point: every elementary step once.

    >>> t = trace(lambda x1, x2: x1 * x2 + x1, 3, 4)
    >>> [row.lhs for row in t.rows]
    ['v₋₁', 'v₀', 'v₁', 'v₂', 'y']
    """

    def __init__(self, f: Callable[..., Any], inputs: Sequence[Any]) -> None:
        self.names = _parameter_names(f, len(inputs))
        self.inputs = tuple(check_real(name, x) for name, x in zip(self.names, inputs))
        tape = _Tape()
        tape.n_inputs = n = len(self.inputs)
        args = []
        for x in self.inputs:
            tape.nodes.append(_Node("input", (), x, ()))
            args.append(Var(tape, len(tape.nodes) - 1, x))
        out = f(*args)
        if isinstance(out, Var):
            if out._tape is not tape:
                raise ValueError("f returned a traced value from another trace")
            out_pos, constant = out._pos, 0.0
        elif isinstance(out, numbers.Real) and not isinstance(out, (bool, np.bool_)):
            out_pos, constant = None, float(out)
        else:
            raise TypeError(f"f must return one number (a scalar), got {type(out).__name__}")
        # keep only the steps the output depends on, renumbered v_1, v_2, ...
        needed = set(range(n))
        if out_pos is not None:
            stack = [out_pos]
            while stack:
                p = stack.pop()
                if p not in needed:
                    needed.add(p)
                    stack.extend(tape.nodes[p].args)
        kept = sorted(needed)
        new_pos = {old: new for new, old in enumerate(kept)}
        self.n = n
        self.output = new_pos[out_pos] if out_pos is not None else None
        self.value = tape.nodes[out_pos].value if out_pos is not None else constant
        self._raw = [tape.nodes[p] for p in kept]
        self._args = [tuple(new_pos[a] for a in node.args) for node in self._raw]
        self._rule_cache: dict[tuple[bool, int], tuple[str, list[str]]] = {}
        self.nodes = [self._make_node(pos) for pos in range(len(kept))]
        self.rows = self._primal_rows()

    # -- names ---------------------------------------------------------------------------
    def index(self, pos: int) -> int:
        """Baydin index of a node position: inputs 1-n..0, then 1, 2, ..."""
        return pos - self.n + 1

    def _rules(self, notation: _Notation, pos: int) -> tuple[str, list[str]]:
        key = (notation.latex, pos)
        if key not in self._rule_cache:
            self._rule_cache[key] = self._make_rules(notation, pos)
        return self._rule_cache[key]

    def _make_rules(self, notation: _Notation, pos: int) -> tuple[str, list[str]]:
        node = self._raw[pos]
        if node.op == "input":
            return notation.param(self.names[pos]), []
        names = [notation.v(self.index(a)) for a in self._args[pos]]
        rule, partials = _describe(notation, node.op, names, node.const, node.const_first)
        return rule, _merge_partials(notation, node.op, self._args[pos], partials)

    def _make_node(self, pos: int) -> Node:
        node = self._raw[pos]
        merged: dict[int, float] = {}
        for a, p in zip(self._args[pos], node.partials):
            merged[a] = merged.get(a, 0.0) + p
        return Node(self.index(pos), node.op, tuple(merged), node.value, tuple(merged.values()),
                    TEXT.v(self.index(pos)), self._rules(TEXT, pos)[0])

    def partial_rules(self, pos: int, notation: _Notation = TEXT) -> dict[int, str]:
        """Symbolic local partials ∂v_pos/∂v_arg, one per distinct argument position."""
        _, partials = self._rules(notation, pos)
        return dict(zip(dict.fromkeys(self._args[pos]), partials))

    def _primal_rows(self) -> list[Row]:
        rows = []
        for pos, node in enumerate(self.nodes):
            kind = "input" if pos < self.n else "step"
            rows.append(Row(TEXT.v(node.index), self._rules(TEXT, pos)[0], node.value,
                            LATEX.v(node.index), self._rules(LATEX, pos)[0], pos, kind=kind))
        if self.output is None:
            rows.append(Row(TEXT.y(), _const(self.value), self.value, LATEX.y(), _const(self.value), -1, kind="output"))
        else:
            k = self.nodes[self.output].index
            rows.append(Row(TEXT.y(), TEXT.v(k), self.value, LATEX.y(), LATEX.v(k), self.output, kind="output"))
        return rows

    @property
    def edges(self) -> int:
        """Number of (step, distinct argument) pairs: one local partial each."""
        return sum(len(node.args) for node in self.nodes)

    def tangent_sweep(self, wrt: int) -> list[float]:
        """One forward sweep, numbers only: the tangent of every node for the seed ẋ_wrt = 1."""
        tangent = [0.0] * len(self.nodes)
        tangent[wrt] = 1.0
        for pos in range(self.n, len(self.nodes)):
            node, dot = self.nodes[pos], 0.0
            for a, p in zip(node.args, node.partials):
                dot += p * tangent[a]
            tangent[pos] = dot
        return tangent

    def adjoint_sweep(self) -> list[float]:
        """One reverse sweep, numbers only: the adjoint of every node for the seed ȳ = 1."""
        adjoint = [0.0] * len(self.nodes)
        if self.output is None:
            return adjoint
        adjoint[self.output] = 1.0
        for j in range(len(self.nodes) - 1, self.n - 1, -1):
            node, bar = self.nodes[j], adjoint[j]
            for a, p in zip(node.args, node.partials):
                adjoint[a] += bar * p
        return adjoint

    def point_text(self) -> str:
        return ", ".join(f"{TEXT.param(n)} = {_const(x)}" for n, x in zip(self.names, self.inputs))

    def __len__(self) -> int:
        return len(self.nodes) - self.n

    def __repr__(self) -> str:
        rows = [[r.text() for r in self.rows]]
        return _text_table(f"Evaluation trace at {self.point_text()}", ["Forward primal trace"], rows)

    def _repr_html_(self) -> str:
        return _html_table(["Forward primal trace"], [[r.tex() for r in self.rows]], None)


def _merge_partials(n: _Notation, op: str, args: tuple[int, ...], partials: list[str]) -> list[str]:
    """x*x has one argument twice: its partial is the sum of both rules (2 × v for a product)."""
    if len(args) == 2 and args[0] == args[1]:
        if op == "mul":
            return [f"2{n.times}{partials[0]}"]
        return [n.plus(partials[0], partials[1])]
    return partials


def _parameter_names(f: Callable[..., Any], count: int) -> tuple[str, ...]:
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    if count == 0:
        raise ValueError("give at least one input point, e.g. forward_trace(f, 2.0, 5.0)")
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        return tuple(f"x{i + 1}" for i in range(count))
    names: list[str] = []
    star = None
    required = 0
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            names.append(p.name)
            required += p.default is p.empty
        elif p.kind is p.VAR_POSITIONAL:
            star = p.name
    if count < required or (count > len(names) and star is None):
        listed = ", ".join(names)
        raise TypeError(f"f takes {required} input(s) ({listed}), got {count} value(s)")
    names = names[:count]
    names += [f"{star}{i + 1}" for i in range(len(names), count)]
    return tuple(names)


def trace(f: Callable[..., Any], *inputs: float) -> Trace:
    """The forward primal trace of ``f`` at ``inputs`` (no derivatives).

    >>> trace(lambda x: sin(x) * x, 1.0).value == sin(1.0) * 1.0
    True
    """
    return Trace(f, inputs)


# ============================================================================ forward mode
class ForwardTrace:
    """Forward-mode AD: primal rows paired with tangent rows (v̇), seeded with ẋ_wrt = 1.

    Attributes: ``value`` (f at the point), ``derivative`` (∂f/∂x_wrt), ``wrt`` (input index),
    ``trace`` (the :class:`Trace`), ``rows`` (list of (primal Row, tangent Row) pairs).
    """

    def __init__(self, t: Trace, wrt: int) -> None:
        self.trace, self.wrt = t, wrt
        self.value = t.value
        tangent = t.tangent_sweep(wrt)
        tangent_rows = []
        for pos in range(t.n):
            name = t.names[pos]
            tangent_rows.append(Row(TEXT.v(t.index(pos), "dot"), TEXT.param(name, "dot"), tangent[pos],
                                    LATEX.v(t.index(pos), "dot"), LATEX.param(name, "dot"), pos, kind="input"))
        for pos in range(t.n, len(t.nodes)):
            node = t.nodes[pos]
            texts = []
            for notation in (TEXT, LATEX):
                partials = t.partial_rules(pos, notation)
                expr = ""
                for a, rule in partials.items():
                    term = notation.term(rule, notation.v(t.index(a), "dot"))
                    expr = notation.plus(expr, term) if expr else term
                texts.append(expr)
            tangent_rows.append(Row(TEXT.v(node.index, "dot"), texts[0], tangent[pos],
                                    LATEX.v(node.index, "dot"), texts[1], pos, kind="step"))
        self.derivative = tangent[t.output] if t.output is not None else 0.0
        if t.output is None:
            tangent_rows.append(Row(TEXT.y("dot"), "0", 0.0, LATEX.y("dot"), "0", -1, kind="output"))
        else:
            k = t.nodes[t.output].index
            tangent_rows.append(Row(TEXT.y("dot"), TEXT.v(k, "dot"), self.derivative, LATEX.y("dot"),
                                    LATEX.v(k, "dot"), t.output, kind="output"))
        self.tangents = tuple(tangent)
        self.rows = list(zip(t.rows, tangent_rows))

    @property
    def wrt_name(self) -> str:
        return self.trace.names[self.wrt]

    def _title(self) -> str:
        t = self.trace
        return (f"Forward mode at {t.point_text()}, seed {TEXT.param(self.wrt_name, 'dot')} = 1: "
                f"y = {_fmt(self.value)}, ∂y/∂{TEXT.param(self.wrt_name)} = {_fmt(self.derivative)}")

    def _columns(self) -> list[list[tuple[str, ...]]]:
        return [[p.text() for p, _ in self.rows], [d.text() for _, d in self.rows]]

    def __repr__(self) -> str:
        return _text_table(self._title(), ["Forward primal trace", "Forward tangent trace"], self._columns())

    def to_html(self, highlight: int | None = None) -> str:
        """HTML table; ``highlight`` is the row number to mark (0-based)."""
        columns = [[p.tex() for p, _ in self.rows], [d.tex() for _, d in self.rows]]
        return _html_table(["Forward primal trace", "Forward tangent (derivative) trace"], columns,
                           None if highlight is None else (highlight, highlight), caption=self._title())

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_latex(self) -> str:
        """A LaTeX ``tabular`` (needs amsmath) for handouts."""
        cols = [[p.tex() for p, _ in self.rows], [d.tex() for _, d in self.rows]]
        return _latex_table(["Forward primal trace", "Forward tangent trace"], cols)


def forward_trace(f: Callable[..., Any], *inputs: float, wrt: int | str = 0) -> ForwardTrace:
    """Forward-mode AD of ``f`` at ``inputs``: one sweep gives ∂f/∂(input ``wrt``).

    ``wrt`` is the position of the input (0-based) or its parameter name.

    >>> ft = forward_trace(lambda x1, x2: log(x1) + x1 * x2 - sin(x2), 2, 5)
    >>> print(ft.rows[2][1].lhs, "=", ft.rows[2][1].rule)
    v̇₁ = v̇₋₁/v₋₁
    """
    t = Trace(f, inputs)
    if isinstance(wrt, str):
        if wrt not in t.names:
            raise ValueError(f"wrt={wrt!r} is not one of f's inputs {t.names}")
        wrt = t.names.index(wrt)
    elif isinstance(wrt, (bool, np.bool_)) or not isinstance(wrt, numbers.Integral):
        raise TypeError(f"wrt must be an input position (int) or a parameter name (str), got {wrt!r}")
    elif not 0 <= wrt < t.n:
        raise ValueError(f"wrt must be between 0 and {t.n - 1} (f has {t.n} inputs), got {wrt}")
    return ForwardTrace(t, int(wrt))


# ============================================================================ reverse mode
@dataclass(frozen=True)
class SweepStep:
    """One step of the step-through: a row of the forward sweep, then of the reverse sweep."""

    phase: str  # "forward" or "reverse"
    row: int  # row number within that phase's column
    node: int  # graph node to highlight (-1: none)
    edge: tuple[int, int] | None  # (from, to) graph edge the adjoint flows along


class ReverseTrace:
    """Reverse-mode AD: the primal trace, then adjoints v̄ in backward-sweep order.

    Attributes: ``value``, ``gradient`` (tuple, one entry per input), ``trace``,
    ``rows`` (the adjoint rows in the order the backward sweep computes them: first
    v̄_out = ȳ = 1, then one row per (step, argument) pair, ``kind`` "first" when it
    starts an adjoint and "accumulate" when it adds to one, then x̄ᵢ = v̄ rows).
    """

    def __init__(self, t: Trace) -> None:
        self.trace = t
        self.value = t.value
        adjoint: dict[int, float] = {}
        rows: list[Row] = []
        if t.output is not None:
            k = t.nodes[t.output].index
            adjoint[t.output] = 1.0
            rows.append(Row(TEXT.v(k, "bar"), TEXT.y("bar"), 1.0, LATEX.v(k, "bar"), LATEX.y("bar"), t.output,
                            expanded="", kind="seed"))
        for j in range(len(t.nodes) - 1, t.n - 1, -1):
            node = t.nodes[j]
            rules = {n: t.partial_rules(j, n) for n in (TEXT, LATEX)}
            for a, p in zip(node.args, node.partials):
                contribution = adjoint[j] * p
                first = a not in adjoint
                adjoint[a] = contribution if first else adjoint[a] + contribution
                texts = []
                for n in (TEXT, LATEX):
                    generic = n.v(node.index, "bar") + (r" \, " if n.latex else " ") + n.partial(node.index, t.index(a))
                    expanded = n.term(rules[n][a], n.v(node.index, "bar"))
                    if not first:
                        generic = f"{n.v(t.index(a), 'bar')} + {generic}"
                        expanded = n.plus(n.v(t.index(a), "bar"), expanded)
                    texts.append((generic, expanded))
                rows.append(Row(TEXT.v(t.index(a), "bar"), texts[0][0], adjoint[a], LATEX.v(t.index(a), "bar"),
                                texts[1][0], a, expanded=texts[0][1], expanded_tex=texts[1][1], source=j,
                                partial=p, kind="first" if first else "accumulate"))
        for pos in range(t.n):
            name = t.names[pos]
            rows.append(Row(TEXT.param(name, "bar"), TEXT.v(t.index(pos), "bar"), adjoint.get(pos, 0.0),
                            LATEX.param(name, "bar"), LATEX.v(t.index(pos), "bar"), pos, kind="gradient"))
        self.adjoints = tuple(adjoint.get(pos, 0.0) for pos in range(len(t.nodes)))
        self.gradient = self.adjoints[: t.n]
        self.rows = rows

    def _title(self) -> str:
        t = self.trace
        grads = ", ".join(f"∂y/∂{TEXT.param(n)} = {_fmt(g)}" for n, g in zip(t.names, self.gradient))
        return f"Reverse mode at {t.point_text()}, seed ȳ = 1: y = {_fmt(self.value)}, {grads}"

    def _columns(self) -> list[list[tuple[str, ...]]]:
        return [[r.text() for r in self.trace.rows], [r.text() for r in self.rows]]

    def sweep(self) -> list[SweepStep]:
        """The forward sweep (one step per primal row) followed by the reverse sweep (one per adjoint row)."""
        steps = [SweepStep("forward", i, r.node, None) for i, r in enumerate(self.trace.rows)]
        for i, r in enumerate(self.rows):
            edge = (r.source, r.node) if r.source is not None else None
            steps.append(SweepStep("reverse", i, r.node, edge))
        return steps

    def __repr__(self) -> str:
        return _text_table(self._title(), ["Forward primal trace", "Reverse adjoint trace"], self._columns())

    def to_html(self, highlight: SweepStep | None = None, reveal: bool = False) -> str:
        """HTML table; ``highlight`` (a :meth:`sweep` step) marks its row. With ``reveal``, rows the
        sweep has not reached yet show their rule but ``?`` for the value (to predict it first)."""
        mark = shown = None
        if highlight is not None:
            forward = highlight.phase == "forward"
            mark = (highlight.row, None) if forward else (None, highlight.row)
            if reveal:
                shown = (highlight.row + 1, 0) if forward else (len(self.trace.rows), highlight.row + 1)
        columns = [[r.tex() for r in self.trace.rows], [r.tex() for r in self.rows]]
        return _html_table(["Forward primal trace", "Reverse adjoint (derivative) trace"], columns, mark,
                           caption="" if shown else self._title(), shown=shown)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_latex(self) -> str:
        """A LaTeX ``tabular`` (needs amsmath) for handouts."""
        cols = [[r.tex() for r in self.trace.rows], [r.tex() for r in self.rows]]
        return _latex_table(["Forward primal trace", "Reverse adjoint trace"], cols)


def reverse_trace(f: Callable[..., Any], *inputs: float) -> ReverseTrace:
    """Reverse-mode AD of ``f`` at ``inputs``: one backward sweep gives the whole gradient.

    >>> rt = reverse_trace(lambda x1, x2: log(x1) + x1 * x2 - sin(x2), 2, 5)
    >>> print(rt.rows[-3].lhs, "=", rt.rows[-3].rule, "=", rt.rows[-3].expanded)
    v̄₋₁ = v̄₋₁ + v̄₁ ∂v₁/∂v₋₁ = v̄₋₁ + v̄₁/v₋₁
    """
    return ReverseTrace(Trace(f, inputs))


# ============================================================================ rendering
def _width(text: str) -> int:
    """Display width: the combining dot and bar of v̇ and v̄ take no column."""
    return len(text) - text.count(_DOT) - text.count(_BAR)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def _text_table(title: str, headers: list[str], columns: list[list[tuple[str, ...]]]) -> str:
    blocks = []
    for header, rows in zip(headers, columns):
        widths = [max((_width(r[i]) for r in rows), default=0) for i in range(4)]
        lines = []
        for r in rows:
            cells = [_pad(r[0], widths[0]), _pad(r[1], widths[1])]
            if widths[2]:
                cells.append(_pad(r[2], widths[2]))
            cells.append("= " + _pad(r[3][2:], widths[3] - 2, right=True))
            lines.append(" ".join(cells))
        width = max([_width(header)] + [_width(line) for line in lines])
        blocks.append([_pad(header, width), "-" * width] + [_pad(line, width) for line in lines])
    out = [title]
    for parts in zip_longest(*blocks, fillvalue=None):
        out.append(" | ".join(p if p is not None else " " * _width(blocks[i][0]) for i, p in enumerate(parts)).rstrip())
    return "\n".join(out)


_CSS = (
    "<style>.nnbook-trace{border-collapse:collapse;font-size:0.92em;margin:0.5em 0}"
    ".nnbook-trace td,.nnbook-trace th{padding:1px 6px;text-align:left;white-space:nowrap}"
    ".nnbook-trace td.num{text-align:right;font-family:monospace}"
    ".nnbook-trace td.sep,.nnbook-trace th.sep{border-left:2px solid #888}"
    ".nnbook-trace tr.hl td.a,.nnbook-trace tr.hl td.b{background:#ffe28a}"
    ".nnbook-trace caption{caption-side:top;text-align:left;font-weight:bold;padding-bottom:4px}</style>"
)


def _html_table(headers: list[str], columns: list[list[tuple[str, ...]]], highlight: tuple[int | None, ...] | None,
                caption: str = "", shown: tuple[int, ...] | None = None) -> str:
    parts = [_CSS, '<table class="nnbook-trace">']
    if caption:
        parts.append(f"<caption>{escape(caption)}</caption>")
    parts.append("<thead><tr>")
    for i, h in enumerate(headers):
        parts.append(f'<th colspan="4"{" class=sep" if i else ""}>{escape(h)}</th>')
    parts.append("</tr></thead><tbody>")
    for r, cells in enumerate(zip_longest(*columns)):
        marks = [highlight is not None and highlight[i] == r for i in range(len(columns))]
        parts.append('<tr class="hl">' if any(marks) else "<tr>")
        for i, row in enumerate(cells):
            cls = "ab"[i % 2] if marks[i] else ""
            sep = " sep" if i else ""
            row = row or ("", "", "", "")
            if shown is not None and row[0] and r >= shown[i]:
                row = (*row[:3], "= ?")
            for k, cell in enumerate(row):
                c = (cls + (sep if k == 0 else "") + (" num" if k == 3 else "")).strip()
                attr = f' class="{c}"' if c else ""
                content = escape(cell) if k == 3 or not cell else rf"\({escape(cell)}\)"  # MathJax: Lab and book
                parts.append(f"<td{attr}>{content}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _latex_table(headers: list[str], columns: list[list[tuple[str, ...]]]) -> str:
    lines = [r"\begin{tabular}{" + "|".join(["llll"] * len(columns)) + "}",
             " & ".join(rf"\multicolumn{{4}}{{c}}{{{h}}}" for h in headers) + r" \\ \hline"]
    for cells in zip_longest(*columns):
        items = []
        for row in cells:
            row = row or ("", "", "", "")
            items.extend(f"${cell}$" if cell else "" for cell in row)
        lines.append(" & ".join(items) + r" \\")
    lines.append(r"\end{tabular}")
    return "\n".join(lines)


# ============================================================================ expressions from text
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class Expression:
    """A formula typed by a reader, parsed safely (numbers, names, + - * / **, unary minus and
    the exported functions; nothing is ever ``eval``-ed). Call it like a function of its names.

    >>> e = parse_expression("log(x1) + x1*x2 - sin(x2)")
    >>> e.names
    ('x1', 'x2')
    >>> round(e(2, 5), 4)
    11.6521
    """

    def __init__(self, text: str, tree: ast.expr, names: tuple[str, ...]) -> None:
        self.text, self._tree, self.names = text, tree, names
        self.__signature__ = inspect.Signature(
            [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names]
        )

    def __call__(self, *values: Any) -> Any:
        if len(values) != len(self.names):
            raise TypeError(f"{self.text!r} takes {len(self.names)} value(s) {self.names}, got {len(values)}")
        return self.evaluate(dict(zip(self.names, values)))

    def evaluate(self, values: dict[str, Any], functions: dict[str, Callable[[Any], Any]] | None = None) -> Any:
        """Evaluate with ``values`` for the names and, optionally, other implementations of the
        functions (e.g. torch's, to compare with another library)."""
        table = functions or {name: globals()[name] for name in FUNCTIONS}

        def walk(node: ast.expr) -> Any:
            if isinstance(node, ast.Constant):
                return node.value
            if isinstance(node, ast.Name):
                return values[node.id]
            if isinstance(node, ast.UnaryOp):
                x = walk(node.operand)
                return -x if isinstance(node.op, ast.USub) else x
            if isinstance(node, ast.BinOp):
                a, b = walk(node.left), walk(node.right)
                op = type(node.op)
                return a + b if op is ast.Add else a - b if op is ast.Sub else a * b if op is ast.Mult \
                    else a / b if op is ast.Div else a**b
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            return table[node.func.id](walk(node.args[0]))

        return walk(self._tree)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def parse_expression(text: str) -> Expression:
    """Parse a formula such as ``"1/(x1 + x2) + x2**2 + cos(x1)"`` into an :class:`Expression`.

    ``^`` is accepted for powers. Anything else (attributes, calls of other functions,
    comparisons, strings, ...) raises ``ValueError`` saying what is allowed.
    """
    if not isinstance(text, str):
        raise TypeError(f"the expression must be a string, got {type(text).__name__}")
    source = text.strip().replace("^", "**").replace("−", "-").replace("×", "*")
    if not source:
        raise ValueError("the expression is empty; type a formula such as log(x1) + x1*x2 - sin(x2)")
    if len(source) > 2000:
        raise ValueError("the expression is too long (at most 2000 characters)")
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"could not read {text!r} as a formula: {exc.msg}") from None
    allowed = f"numbers, names, + - * / ** (or ^), unary minus and {', '.join(FUNCTIONS)}"
    names: dict[str, None] = {}

    def check(node: ast.AST, depth: int = 0) -> None:
        if depth > 60:
            raise ValueError("the expression is nested too deeply")
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise ValueError(f"{node.value!r} is not a number; allowed: {allowed}")
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise ValueError(f"{node.id} is a function: write {node.id}(...)")
            names[node.id] = None
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            check(node.operand, depth + 1)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            check(node.left, depth + 1)
            check(node.right, depth + 1)
        elif isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
                what = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                raise ValueError(f"{what}() is not a supported function; allowed: {allowed}")
            if len(node.args) != 1 or node.keywords:
                raise ValueError(f"{node.func.id}() takes exactly one argument")
            check(node.args[0], depth + 1)
        else:
            raise ValueError(f"{ast.unparse(node)!r} is not allowed; allowed: {allowed}")

    check(tree)
    ordered = sorted(names, key=lambda s: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)])
    if not ordered:
        raise ValueError("the expression has no variables; use names such as x1, x2")
    return Expression(text.strip(), tree, tuple(ordered))


def random_expression(rng: np.random.Generator, names: Sequence[str] = ("x1", "x2"), size: int = 3) -> str:
    """A random small formula over ``names`` with about ``size`` operations, from the grammar
    E -> name | integer | E op E | -E | fn(E), op in + - * / and ** (small integer powers),
    fn one of the exported functions. Each name appears at least once.

    >>> random_expression(np.random.default_rng(0))  # doctest: +SKIP
    'sin(x1) * x2 + x1'
    """
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


def parse_point(text: str, names: Sequence[str]) -> tuple[float, ...]:
    """Read a point typed by a reader: ``"2, 5"`` (in the order of ``names``) or ``"x1=2, x2=5"``.
    Each value may be a small formula of numbers (``1/2``, ``-3``, ``2**0.5``).

    >>> parse_point("x2 = 5, x1 = 2", ("x1", "x2"))
    (2.0, 5.0)
    """
    if not isinstance(text, str):
        raise TypeError(f"the point must be a string, got {type(text).__name__}")
    parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    want = ", ".join(names)
    if "=" in text:
        given: dict[str, str] = {}
        for part in parts:
            name, _, value = part.partition("=")
            given[name.strip()] = value
        if set(given) != set(names):
            raise ValueError(f"give a value for each of {want} (got {', '.join(given) or 'none'})")
        parts = [given[n] for n in names]
    if len(parts) != len(names):
        raise ValueError(
            f"the formula has {len(names)} variable(s) ({want}): give {len(names)} value(s), got {len(parts)}"
        )
    values = []
    for name, part in zip(names, parts):
        try:
            tree = ast.parse(part.strip().replace("^", "**").replace("−", "-"), mode="eval").body
            ok = all(isinstance(n, (ast.Constant, ast.UnaryOp, ast.BinOp, ast.operator, ast.unaryop))
                     for n in ast.walk(tree))
            if not ok:
                raise ValueError
            value = Expression(part, tree, ()).evaluate({})
            values.append(check_real(name, value))
        except (SyntaxError, ValueError, TypeError, ZeroDivisionError, OverflowError):
            raise ValueError(f"could not read {part.strip()!r} as a number for {name}") from None
    return tuple(values)


def trace_text(expression: str, point: str) -> ReverseTrace:
    """The reverse trace of a typed formula at a typed point; every problem is a ``ValueError``
    with a message for the reader (what the step-through widget shows).

    >>> trace_text("log(x1) + x1*x2 - sin(x2)", "2, 5").gradient[1] == 2 - math.cos(5)
    True
    """
    e = parse_expression(expression)
    values = parse_point(point, e.names)
    try:
        return reverse_trace(e, *values)
    except (ZeroDivisionError, OverflowError, TypeError) as exc:
        raise ValueError(str(exc)) from None


# ============================================================================ cost of a gradient
@dataclass(frozen=True)
class GradientCost:
    """What a full gradient costs in each mode, counted in local-partial multiplications.

    Forward mode needs one sweep per input (each multiplies every edge's local partial once);
    reverse mode needs one sweep per output, here one.
    """

    inputs: int
    steps: int
    edges: int

    @property
    def forward_sweeps(self) -> int:
        return self.inputs

    @property
    def forward_multiplications(self) -> int:
        return self.inputs * self.edges

    @property
    def reverse_sweeps(self) -> int:
        return 1

    @property
    def reverse_multiplications(self) -> int:
        return self.edges

    @property
    def ratio(self) -> float:
        return self.forward_multiplications / max(self.reverse_multiplications, 1)


def gradient_cost(f: Callable[..., Any], *inputs: float) -> GradientCost:
    """Count the work of the full gradient of ``f`` at ``inputs`` in forward and reverse mode.

    >>> c = gradient_cost(lambda x1, x2: log(x1) + x1 * x2 - sin(x2), 2, 5)
    >>> c.forward_multiplications, c.reverse_multiplications
    (16, 8)
    """
    t = Trace(f, inputs)
    return GradientCost(t.n, len(t), t.edges)


def neuron(n: int, seed: int = 0) -> tuple[Callable[..., Any], tuple[float, ...]]:
    """A sigmoid neuron with ``n`` weights and squared-error loss on one fixed example.

    Returns ``(loss, weights)``: ``loss(w1, ..., wn) = (σ(w1 x1 + ... + wn xn) - 1)^2`` for fixed
    inputs x drawn from ``seed``, and a starting point for the weights. Used to measure how the
    cost of a gradient grows with the number of inputs.

    >>> loss, w = neuron(3)
    >>> len(w), len(reverse_trace(loss, *w).gradient)
    (3, 3)
    """
    from ._validate import check_int

    n = check_int("n", n, minimum=1)
    rng = np.random.default_rng(seed)
    x = tuple(float(v) for v in np.round(rng.uniform(-1, 1, n), 2))
    w0 = tuple(float(v) for v in np.round(rng.uniform(-1, 1, n), 2))

    def loss(*w: Any) -> Any:
        z = w[0] * x[0]
        for wi, xi in zip(w[1:], x[1:]):
            z = z + wi * xi
        return (sigmoid(z) - 1) ** 2

    return loss, w0


def time_sweeps(t: Trace, repeat: int = 5) -> tuple[float, float]:
    """Best-of-``repeat`` seconds for a full gradient of ``t``: n tangent sweeps, one adjoint sweep.

    >>> loss, w = neuron(8)
    >>> forward, reverse = time_sweeps(trace(loss, *w))
    >>> forward > reverse > 0
    True
    """
    import time

    def best(work: Callable[[], Any]) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        return min(times)

    forward = best(lambda: [t.tangent_sweep(k) for k in range(t.n)])
    reverse = best(t.adjoint_sweep)
    return forward, reverse
