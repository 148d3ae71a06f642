"""Formulas and points typed by a reader, read safely: one whitelist, bounded work, plain messages.

The formula box and the point box of the step-through explorer share one grammar: numbers,
names (formula only), ``+ - * / **`` (or ``^``), unary minus and plus, and the functions of
:data:`FUNCTIONS` with one argument. Nothing is ever ``eval``-ed. Every number is a float (so
``9**9**9`` overflows at once instead of computing a 370-million-digit integer), the text is at
most :data:`MAX_LENGTH` characters and at most :data:`MAX_NESTING` levels deep (a long flat sum
``x1 + x2 + ...`` counts as one level), and everything that can go wrong — an unknown operator,
a number too large for a float, a division by zero, a parser overwhelmed by the input — is a
``ValueError`` that says what was wrong and what is allowed.

>>> parse_point("x2 = 2^0.5, x1 = sqrt(4)", ("x1", "x2"))
(2.0, 1.4142135623730951)
>>> parse_point("7 // 2", ("x1",))
Traceback (most recent call last):
...
ValueError: could not read '7 // 2' as a number for x1: '//' is not allowed; allowed: numbers, + - * / ** (or ^), unary minus and log, exp, sin, cos, tanh, sqrt, sigmoid, relu
"""

from __future__ import annotations

import ast
import inspect
import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .notation import FUNCTIONS
from .tracer import cos, exp, log, relu, sigmoid, sin, sqrt, tanh
from .traces import ReverseTrace, reverse_trace

__all__ = ["MAX_LENGTH", "MAX_NESTING", "Expression", "parse_expression", "parse_point", "trace_text"]

MAX_LENGTH = 2000
"""Longest formula or point the parser reads, in characters."""
MAX_NESTING = 100
"""Deepest nesting of parentheses, function calls, powers and signs (a flat sum or product is one level)."""

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_OTHER_OPS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
              ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^ (bitwise)", ast.Invert: "~", ast.Not: "not"}
_FLAT = {ast.Add: 0, ast.Sub: 0, ast.Mult: 1, ast.Div: 1}  # chains of one precedence class stay one level
_ELEMENTARY = {"log": log, "exp": exp, "sin": sin, "cos": cos, "tanh": tanh, "sqrt": sqrt, "sigmoid": sigmoid,
               "relu": relu}


def _allowed(names: bool) -> str:
    return (f"numbers, {'names, ' if names else ''}+ - * / ** (or ^), unary minus and "
            f"{', '.join(FUNCTIONS)}")


def _shown(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _prepare(text: Any, what: str) -> str:
    """The text with the usual typographic spellings turned into Python's, length checked."""
    if not isinstance(text, str):
        raise TypeError(f"the {what} must be a string, got {type(text).__name__}")
    source = text.strip().replace("^", "**").replace("−", "-").replace("×", "*").replace("·", "*")
    if len(source) > MAX_LENGTH:
        raise ValueError(f"the {what} is too long: {len(source)} characters, at most {MAX_LENGTH}")
    return source


def _parse(source: str, what: str) -> ast.expr:
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and friends: the reader gets our message
            warnings.simplefilter("ignore")
            return ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"could not read {_shown(source)!r} as a {what}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ValueError(f"the {what} is nested too deeply for Python's parser "
                         f"(at most {MAX_NESTING} levels of parentheses, calls, powers and signs)") from None
    except ValueError as exc:  # e.g. null bytes
        raise ValueError(f"could not read the {what}: {exc}") from None


def _segment(source: str, node: ast.AST) -> str:
    return _shown(ast.get_source_segment(source, node) or type(node).__name__)


def _check(tree: ast.expr, source: str, *, names_allowed: bool) -> list[str]:
    """Walk ``tree`` (without recursion) against the whitelist; return the names in order of appearance."""
    allowed = _allowed(names_allowed)
    names: dict[str, None] = {}
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, level = stack.pop()
        if level > MAX_NESTING:
            raise ValueError(f"the formula is nested more than {MAX_NESTING} levels deep (parentheses, function "
                             "calls, powers and signs each add a level; a long flat sum x1 + x2 + ... is fine)")
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise ValueError(f"{_segment(source, node)} is not a number; allowed: {allowed}")
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise ValueError(f"{node.id} is a function: write {node.id}(...)")
            if not names_allowed:
                raise ValueError(f"{node.id!r} is a name; a point is numbers only ({allowed})")
            names[node.id] = None
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            stack.append((node.operand, level + 1))
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            flat = (isinstance(node.left, ast.BinOp) and type(node.left.op) in _FLAT
                    and _FLAT.get(type(node.op)) == _FLAT[type(node.left.op)])
            stack.append((node.left, level if flat else level + 1))
            stack.append((node.right, level + 1))
        elif isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
                raise ValueError(f"{_segment(source, node.func)}() is not a supported function; allowed: {allowed}")
            if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
                raise ValueError(f"{node.func.id}() takes exactly one argument")
            stack.append((node.args[0], level + 1))
        elif isinstance(node, (ast.BinOp, ast.UnaryOp)) and type(node.op) in _OTHER_OPS:
            raise ValueError(f"{_OTHER_OPS[type(node.op)]!r} is not allowed; allowed: {allowed}")
        else:
            raise ValueError(f"{_segment(source, node)!r} is not allowed; allowed: {allowed}")
    return list(names)


def _number(source: str, node: ast.Constant) -> float:
    try:
        value = float(node.value)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(f"the number {_segment(source, node)} is too large for a float (at most about 1.8e308)")
    return value


def _constant_step(source: str, node: ast.AST, compute: Callable[[], Any]) -> Any:
    """Compute one step on plain numbers; any failure is a ValueError naming the step."""
    where = _segment(source, node)
    try:
        value = compute()
    except OverflowError:
        raise ValueError(f"{where} is too large for a float (at most about 1.8e308)") from None
    except ZeroDivisionError:
        raise ValueError(f"{where} divides by zero") from None
    except ValueError as exc:
        raise ValueError(f"{where} cannot be computed: {exc}") from None
    if isinstance(value, complex):
        raise ValueError(f"{where} is not a real number (a negative number to a non-integer power)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where} is too large for a float (at most about 1.8e308)")
    return value


def _apply_binop(op: type, a: Any, b: Any) -> Any:
    if op is ast.Add:
        return a + b
    if op is ast.Sub:
        return a - b
    if op is ast.Mult:
        return a * b
    if op is ast.Div:
        return a / b
    return a**b


def _evaluate(tree: ast.expr, source: str, values: Mapping[str, Any],
              functions: Mapping[str, Callable[[Any], Any]]) -> Any:
    """Evaluate a checked tree without recursion (post-order on an explicit stack)."""
    results: list[Any] = []
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, ast.Constant):
            results.append(_number(source, node))
        elif isinstance(node, ast.Name):
            results.append(values[node.id])
        elif not ready:
            stack.append((node, True))
            if isinstance(node, ast.BinOp):
                stack.append((node.right, False))
                stack.append((node.left, False))
            elif isinstance(node, ast.UnaryOp):
                stack.append((node.operand, False))
            else:
                stack.append((node.args[0], False))  # type: ignore[attr-defined]
        elif isinstance(node, ast.BinOp):
            b, a = results.pop(), results.pop()
            op = type(node.op)
            if isinstance(a, float) and isinstance(b, float):
                results.append(_constant_step(source, node, lambda: _apply_binop(op, a, b)))
            else:
                results.append(_apply_binop(op, a, b))
        elif isinstance(node, ast.UnaryOp):
            x = results.pop()
            results.append(-x if isinstance(node.op, ast.USub) else x)
        else:
            x = results.pop()
            fn = functions[node.func.id]  # type: ignore[attr-defined]
            results.append(_constant_step(source, node, lambda: fn(x)) if isinstance(x, float) else fn(x))
    return results[0]


class Expression:
    """A formula typed by a reader, parsed safely (numbers, names, + - * / **, unary minus and
    the exported functions; nothing is ever ``eval``-ed). Call it like a function of its names.

    >>> e = parse_expression("log(x1) + x1*x2 - sin(x2)")
    >>> e.names
    ('x1', 'x2')
    >>> round(e(2, 5), 4)
    11.6521
    """

    def __init__(self, text: str, tree: ast.expr, names: tuple[str, ...], source: str | None = None) -> None:
        self.text, self._tree, self.names = text, tree, names
        self._source = text if source is None else source
        self.__signature__ = inspect.Signature(
            [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names]
        )

    def __call__(self, *values: Any) -> Any:
        if len(values) != len(self.names):
            raise TypeError(f"{self.text!r} takes {len(self.names)} value(s) {self.names}, got {len(values)}")
        return self.evaluate(dict(zip(self.names, values)))

    def evaluate(self, values: Mapping[str, Any], functions: Mapping[str, Callable[[Any], Any]] | None = None) -> Any:
        """Evaluate with ``values`` for the names and, optionally, other implementations of the
        functions (e.g. torch's, to compare with another library).

        Numbers in the formula are floats; a step on numbers alone that overflows, divides by
        zero or leaves the reals raises ``ValueError`` naming that part of the formula.

        >>> parse_expression("x + 9**9**9").evaluate({"x": 1.0})
        Traceback (most recent call last):
        ...
        ValueError: 9**9**9 is too large for a float (at most about 1.8e308)
        """
        if not isinstance(values, Mapping):
            raise TypeError(f"values must be a mapping from names to numbers, got {type(values).__name__}")
        missing = [n for n in self.names if n not in values]
        if missing:
            raise ValueError(f"give a value for {', '.join(missing)} (the formula's names: {', '.join(self.names)})")
        table = dict(_ELEMENTARY) if functions is None else functions
        if functions is not None and not all(name in table for name in FUNCTIONS):
            raise ValueError(f"functions must map each of {', '.join(FUNCTIONS)} to a function")
        return _evaluate(self._tree, self._source, values, table)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def _natural(name: str) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def parse_expression(text: str) -> Expression:
    """Parse a formula such as ``"1/(x1 + x2) + x2**2 + cos(x1)"`` into an :class:`Expression`.

    ``^`` is accepted for powers. Anything else (attributes, calls of other functions,
    comparisons, strings, ``//``, ``%``, ...) raises ``ValueError`` saying what is allowed.

    >>> parse_expression("x1 % 2")
    Traceback (most recent call last):
    ...
    ValueError: '%' is not allowed; allowed: numbers, names, + - * / ** (or ^), unary minus and log, exp, sin, cos, tanh, sqrt, sigmoid, relu
    """
    source = _prepare(text, "expression")
    if not source:
        raise ValueError("the expression is empty; type a formula such as log(x1) + x1*x2 - sin(x2)")
    tree = _parse(source, "formula")
    names = _check(tree, source, names_allowed=True)
    if not names:
        raise ValueError("the expression has no variables; use names such as x1, x2")
    return Expression(text.strip(), tree, tuple(sorted(names, key=_natural)), source)


def _number_text(part: str, name: str) -> float:
    """One value of a point: a formula of numbers, evaluated with the formula grammar."""
    try:
        tree = _parse(part, "number")
        _check(tree, part, names_allowed=False)
        value = _evaluate(tree, part, {}, _ELEMENTARY)
    except ValueError as exc:
        raise ValueError(f"could not read {_shown(part)!r} as a number for {name}: {exc}") from None
    if not isinstance(value, float) or not math.isfinite(value):  # pragma: no cover - _evaluate guarantees it
        raise ValueError(f"could not read {_shown(part)!r} as a number for {name}")
    return value


def parse_point(text: str, names: Sequence[str]) -> tuple[float, ...]:
    """Read a point typed by a reader: ``"2, 5"`` (in the order of ``names``) or ``"x1=2, x2=5"``.
    Each value may be a small formula of numbers (``1/2``, ``-3``, ``2**0.5``, ``sqrt(2)``), read
    with the same whitelist as the formula.

    >>> parse_point("x2 = 5, x1 = 2", ("x1", "x2"))
    (2.0, 5.0)
    """
    source = _prepare(text, "point")
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"names must be a sequence of names (strings), got {names!r}")
    names = tuple(names)
    if not names:
        raise ValueError("there are no variables to give values for")
    parts = [p.strip() for p in re.split(r"[,;]", source) if p.strip()]
    want = ", ".join(names)
    if any("=" in p for p in parts):
        given: dict[str, str] = {}
        for part in parts:
            name, equals, value = (s.strip() for s in part.partition("="))
            if not equals or not name:
                raise ValueError(f"write every value as name = number (as in {names[0]} = 2), or none: {part!r}")
            if name not in names:
                raise ValueError(f"{_shown(name)!r} is not a variable of the formula (its variables: {want})")
            if name in given:
                raise ValueError(f"{name} is given twice; give each of {want} once")
            given[name] = value
        missing = [n for n in names if n not in given]
        if missing:
            raise ValueError(f"give a value for each of {want} (missing: {', '.join(missing)})")
        parts = [given[n] for n in names]
    if len(parts) != len(names):
        raise ValueError(
            f"the formula has {len(names)} variable(s) ({want}): give {len(names)} value(s), got {len(parts)}"
        )
    return tuple(_number_text(part, name) for name, part in zip(names, parts))


def trace_text(expression: str, point: str) -> ReverseTrace:
    """The reverse trace of a typed formula at a typed point; every problem is a ``ValueError``
    with a message for the reader (what the step-through widget shows).

    >>> import math
    >>> trace_text("log(x1) + x1*x2 - sin(x2)", "2, 5").gradient[1] == 2 - math.cos(5)
    True
    """
    e = parse_expression(expression)
    values = parse_point(point, e.names)
    try:
        return reverse_trace(e, *values)
    except (ArithmeticError, TypeError) as exc:
        raise ValueError(str(exc)) from None
    except (RecursionError, MemoryError):  # pragma: no cover - bounded by MAX_LENGTH; defence in depth
        raise ValueError("the formula needs more memory than a trace may use; try a shorter one") from None

