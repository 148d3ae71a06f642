"""Step through an evaluation trace: the forward sweep, then the reverse sweep.

Python traces the formula (:func:`trace_data`: every step's sentence, the table's cells and the
graph, for one formula at one point); the page's front-end (``js/autodiff.js``) only looks the
current step up in it and draws the table and the graph, so the built page steps through the
saved formula with no kernel. A new formula or point is traced by Python, in the live notebook.
"""

from __future__ import annotations

from html import escape
from typing import Any

import traitlets

from ..autodiff import ReverseTrace, trace_text
from ._live import LiveExplorer, View, int_control, text_control

__all__ = ["TraceStepper", "describe_step", "trace_data", "stepper_view"]

MAX_STEPS = 999


def describe_step(rt: ReverseTrace, step: int) -> str:
    """One sentence about sweep step ``step`` of ``rt`` (forward rows first, then adjoint rows).

    >>> from nnbook.autodiff import reverse_trace, log
    >>> describe_step(reverse_trace(lambda x: log(x), 2.0), 2)
    'Forward sweep, step 3 of 3: y = v₁ = 0.6931. The forward sweep is done: y = 0.6931.'
    """
    sweep = rt.sweep()
    if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step < len(sweep):
        raise ValueError(f"step must be a whole number from 0 to {len(sweep) - 1} for this trace; got {step!r}")
    s = sweep[step]
    n_forward = len(rt.trace.rows)
    if s.phase == "forward":
        row = rt.trace.rows[s.row]
        text = f"Forward sweep, step {s.row + 1} of {n_forward}: {row.lhs} = {row.rule} = {row.value:.4f}."
        if s.row == n_forward - 1:
            text += f" The forward sweep is done: y = {rt.value:.4f}."
        return text
    row = rt.rows[s.row]
    text = f"Reverse sweep, step {s.row + 1} of {len(rt.rows)}: {row.lhs} = {row.rule}"
    if row.expanded:
        text += f" = {row.expanded}"
    text += f" = {row.value:.4f}."
    if row.kind == "seed":
        text += " The backward sweep starts from ȳ = 1."
    elif row.kind == "accumulate":
        text += f" {row.lhs} already had a value: this step adds a second contribution."
    elif row.kind == "gradient" and s.row == len(rt.rows) - 1:
        grads = ", ".join(f"{g:.4f}" for g in rt.gradient)
        text += f" Done: the gradient is ({grads}), from one backward sweep."
    return text


def _graph(rt: ReverseTrace) -> dict[str, Any]:
    from ..plots.autodiff import graph_layout  # matplotlib-free, but keep import nnbook.widgets light

    t = rt.trace
    nodes = [
        {"x": float(x), "y": float(y), "index": node.index, "rule": node.rule, "value": f"{node.value:.4f}",
         "adjoint": f"{rt.adjoints[pos]:.4f}", "input": pos < t.n}
        for pos, ((x, y), node) in enumerate(zip(graph_layout(t), t.nodes))
    ]
    edges = [[a, pos] for pos, node in enumerate(t.nodes) for a in node.args]
    return {"nodes": nodes, "edges": edges, "output": -1 if t.output is None else t.output}


def trace_data(expression: str, point: str) -> dict[str, Any]:
    """Everything the step-through shows for one formula at one point, for every step (JSON-able).

    Raises ``ValueError`` (in words) for a formula or point that cannot be traced.

    >>> d = trace_data("x1*x2", "3, 4")
    >>> len(d["steps"]), d["describe"][-1]
    (9, 'Reverse sweep, step 5 of 5: x̄₂ = v̄₀ = 3.0000. Done: the gradient is (4.0000, 3.0000), from one backward sweep.')
    """
    rt = trace_text(expression, point)
    sweep = rt.sweep()
    return {
        "expression": expression,
        "point": point,
        "at": escape(rt.trace.point_text()),
        "describe": [describe_step(rt, i) for i in range(len(sweep))],
        "forward": [list(r.tex()) for r in rt.trace.rows],
        "reverse": [list(r.tex()) for r in rt.rows],
        "steps": [[s.phase, s.row, s.node, list(s.edge) if s.edge is not None else None] for s in sweep],
        "graph": _graph(rt),
    }


_CSS = (
    "<style>.nnbook-trace{border-collapse:collapse;font-size:0.92em;margin:0.5em 0}"
    ".nnbook-trace td,.nnbook-trace th{padding:1px 6px;text-align:left;white-space:nowrap}"
    ".nnbook-trace td.num{text-align:right;font-family:monospace}"
    ".nnbook-trace td.sep,.nnbook-trace th.sep{border-left:2px solid #888}"
    ".nnbook-trace tr.hl td.a,.nnbook-trace tr.hl td.b{background:#ffe28a}</style>"
)


def _table(d: dict[str, Any], phase: str, current: int) -> str:
    """The trace table at one step: the current row highlighted, values not reached yet shown as ``?``."""
    columns = (d["forward"], d["reverse"])
    forward = phase == "forward"
    mark = (current, None) if forward else (None, current)
    shown = (current + 1, 0) if forward else (len(d["forward"]), current + 1)
    parts = [_CSS, '<table class="nnbook-trace"><thead><tr><th colspan="4">Forward primal trace</th>'
             '<th colspan="4" class="sep">Reverse adjoint (derivative) trace</th></tr></thead><tbody>']
    for r in range(max(len(c) for c in columns)):
        marks = [mark[i] == r for i in range(2)]
        parts.append('<tr class="hl">' if any(marks) else "<tr>")
        for i, column in enumerate(columns):
            row = column[r] if r < len(column) else ["", "", "", ""]
            if row[0] and r >= shown[i]:
                row = [*row[:3], "= ?"]
            for k, cell in enumerate(row):
                c = (("ab"[i] if marks[i] else "") + (" sep" if i and k == 0 else "") + (" num" if k == 3 else "")).strip()
                attr = f' class="{c}"' if c else ""
                content = escape(cell) if k == 3 or not cell else f"${escape(cell)}$"
                parts.append(f"<td{attr}>{content}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def stepper_view(d: dict[str, Any], step: int) -> View:
    """The step-through at ``step`` from :func:`trace_data` ``d`` (what ``js/autodiff.js`` computes too)."""
    last = len(d["steps"]) - 1
    step = min(max(int(step), 0), last)
    phase, row, node, edge = d["steps"][step]
    panel = (
        f"<p>Reverse mode at {d['at']}: the forward sweep, then the backward sweep from ȳ = 1.<br>"
        f"<b>{escape(d['describe'][step])}</b></p>" + _table(d, phase, row)
    )
    return View(panel, data={"phase": phase, "node": node, "edge": edge, "graph": d["graph"]})


class TraceStepper(LiveExplorer):
    """A formula, a point and a slider that walks the forward sweep, then the reverse sweep.

    The table highlights the current row and shows ``?`` for the values the sweep has not reached
    yet; the graph highlights the node the row computes and, in the reverse sweep, the edge along
    which the adjoint flows back. On the built page the saved formula's steps are looked up in
    :attr:`trace` (Python's :func:`trace_data`); a new formula needs the live notebook.

    >>> ex = TraceStepper()
    >>> ex.set(step=0).ok
    True
    >>> ex.set(expression="log(x1 - 3)", point="2").ok
    False
    """

    js_module = "autodiff.js"
    url_key = "trace-stepper"
    expression = text_control("f(x) =", "log(x1) + x1*x2 - sin(x2)", width="24em",
                              note="a new formula or point is traced in the live notebook only")
    point = text_control("at", "2, 5", width="8em")
    step = int_control("step", 0, 0, MAX_STEPS)
    trace = traitlets.Dict().tag(sync=True)  # trace_data of the current formula and point (or its error)
    live = traitlets.Bool(False).tag(sync=True)  # a front-end said hello to this kernel (never on the built page)

    def __init__(self, expression: str = "log(x1) + x1*x2 - sin(x2)", point: str = "2, 5", **values: Any) -> None:
        super().__init__(expression=expression, point=point, **values)
        self.on_msg(self._on_front_end_message)

    def _on_front_end_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "hello":
            self.live = True

    def _data(self, expression: str, point: str) -> dict[str, Any]:
        key = (expression, point)
        if getattr(self, "_cached", (None, None))[0] != key:
            try:
                self._cached = (key, trace_data(expression, point))
            except ValueError as exc:
                self._cached = (key, {"expression": expression, "point": point, "error": str(exc)})
        return self._cached[1]

    def normalize(self, expression: str, point: str, step: int) -> dict[str, Any]:
        d = self._data(expression, point)
        if "error" not in d:
            step = min(max(step, 0), len(d["steps"]) - 1)
        return {"expression": expression, "point": point, "step": step}

    def bounds(self, expression: str, point: str, step: int) -> dict[str, int]:
        d = self._data(expression, point)
        return {} if "error" in d else {"step": len(d["steps"]) - 1}

    def render(self, expression: str, point: str, step: int) -> View:
        d = self._data(expression, point)
        if "error" in d:
            raise ValueError(d["error"])
        return stepper_view(d, step)

    def refresh(self) -> bool:
        ok = super().refresh()
        d = self._data(self.expression, self.point)
        if self.trace != d:
            self.trace = d  # the front-end looks every step up in it
        return ok
