r"""How a trace is written: v₋₁, v̇₂, v̄₃ in Unicode text and in LaTeX, and the rule of every step.

The same rules, two spellings: :data:`TEXT` for ``str()`` tables and messages, :data:`LATEX` for
HTML (MathJax) and handouts.

>>> TEXT.v(-1, "bar"), LATEX.v(2, "dot")
('v̄₋₁', '\\dot{v}_{2}')
>>> _describe(TEXT, "mul", ["v₋₁", "v₀"], None, False)
('v₋₁ × v₀', ['v₀', 'v₋₁'])
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["FUNCTIONS", "LATEX", "SUPPORTED", "TEXT"]

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



def _describe(n: _Notation, op: str, names: Sequence[str], c: float | None, c_first: bool) -> tuple[str, list[str]]:
    """The rule of a step and the rule of each local partial derivative, in notation ``n``."""
    a = names[0]
    if op == "neg":
        return f"-{a}", ["-1"]
    if op in FUNCTIONS:
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



def _merge_partials(n: _Notation, op: str, args: tuple[int, ...], partials: list[str]) -> list[str]:
    """x*x has one argument twice: its partial is the sum of both rules (2 × v for a product)."""
    if len(args) == 2 and args[0] == args[1]:
        if op == "mul":
            return [f"2{n.times}{partials[0]}"]
        return [n.plus(partials[0], partials[1])]
    return partials


