"""Evaluation traces: the primal trace (:class:`Trace`), forward mode (:class:`ForwardTrace`) and
reverse mode (:class:`ReverseTrace`), each a list of rows in Baydin et al.'s notation.

>>> rt = reverse_trace(lambda x1, x2: x1 * x2 + x1, 3, 4)
>>> rt.value, rt.gradient
(15.0, (5.0, 3.0))
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import check_float, check_int
from .notation import LATEX, TEXT, _const, _describe, _fmt, _merge_partials, _Notation
from .tables import _html_table, _latex_table, _text_table
from .tracer import Var, _Node, _Tape

__all__ = ["ForwardTrace", "Node", "ReverseTrace", "Row", "SweepStep", "Trace", "forward_trace", "reverse_trace",
           "trace"]

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
        self.inputs = tuple(check_float(name, x) for name, x in zip(self.names, inputs))
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
            out_pos, constant = None, check_float("the value f returns", out)
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
        pos = self._position(pos)
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

    def _position(self, pos: int) -> int:
        pos = check_int("pos", pos, minimum=0)
        if pos >= len(self.nodes):
            raise ValueError(f"pos must be a node position 0..{len(self.nodes) - 1}, got {pos}")
        return pos

    def tangent_sweep(self, wrt: int) -> list[float]:
        """One forward sweep, numbers only: the tangent of every node for the seed ẋ_wrt = 1."""
        wrt = check_int("wrt", wrt, minimum=0)
        if wrt >= self.n:
            raise ValueError(f"wrt must be an input position 0..{self.n - 1}, got {wrt}")
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

    >>> from nnbook.autodiff import sin
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
        if not isinstance(t, Trace):
            raise TypeError(f"ForwardTrace takes a Trace (use forward_trace(f, *inputs)), got {type(t).__name__}")
        wrt = check_int("wrt", wrt, minimum=0)
        if wrt >= t.n:
            raise ValueError(f"wrt must be an input position 0..{t.n - 1}, got {wrt}")
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

    >>> from nnbook.autodiff import log, sin
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
        if not isinstance(t, Trace):
            raise TypeError(f"ReverseTrace takes a Trace (use reverse_trace(f, *inputs)), got {type(t).__name__}")
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

    >>> from nnbook.autodiff import log, sin
    >>> rt = reverse_trace(lambda x1, x2: log(x1) + x1 * x2 - sin(x2), 2, 5)
    >>> print(rt.rows[-3].lhs, "=", rt.rows[-3].rule, "=", rt.rows[-3].expanded)
    v̄₋₁ = v̄₋₁ + v̄₁ ∂v₁/∂v₋₁ = v̄₋₁ + v̄₁/v₋₁
    """
    return ReverseTrace(Trace(f, inputs))


