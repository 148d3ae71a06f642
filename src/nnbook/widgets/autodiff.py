"""Step through an evaluation trace: the forward sweep, then the reverse sweep."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ..autodiff import ReverseTrace, trace_text
from ..plots.autodiff import computational_graph
from . import Explorer, View, int_slider

__all__ = ["TraceStepper"]


def describe_step(rt: ReverseTrace, step: int) -> str:
    """One sentence about sweep step ``step`` of ``rt`` (forward rows first, then adjoint rows).

    >>> from nnbook.autodiff import reverse_trace, log
    >>> describe_step(reverse_trace(lambda x: log(x), 2.0), 2)
    'Forward sweep, step 3 of 3: y = v₁ = 0.6931. The forward sweep is done: y = 0.6931.'
    """
    sweep = rt.sweep()
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


class TraceStepper(Explorer):
    """A formula, a point and a slider that walks the forward sweep, then the reverse sweep.

    The table highlights the current row and shows ``?`` for the values the sweep has not reached
    yet; the graph highlights the node the row computes and, in the reverse sweep, the edge along
    which the adjoint flows back.

    >>> ex = TraceStepper()
    >>> ex.set(step=0).ok
    True
    >>> ex.set(expression="log(x1 - 3)", point="2").ok
    False
    """

    def __init__(self, expression: str = "log(x1) + x1*x2 - sin(x2)", point: str = "2, 5") -> None:
        self._initial = (expression, point)
        self._trace: ReverseTrace | None = None
        super().__init__()
        self.play = widgets.Play(min=0, max=self.controls["step"].max, interval=900, description="play")
        widgets.jslink((self.play, "value"), (self.controls["step"], "value"))
        widgets.jslink((self.controls["step"], "max"), (self.play, "max"))
        self.widget.children = (widgets.HBox([self.play]), *self.widget.children)

    def controls_(self) -> dict[str, Any]:
        expression, point = self._initial
        wide = widgets.Layout(width="32em")
        style = {"description_width": "initial"}
        return {
            "expression": widgets.Text(value=expression, description="f(x) =", continuous_update=False,
                                       layout=wide, style=style),
            "point": widgets.Text(value=point, description="at", continuous_update=False,
                                  layout=widgets.Layout(width="12em"), style=style),
            "step": int_slider("step", 0, 0, 1, layout=widgets.Layout(width="30em")),
        }

    def adjust_controls(self, expression: str, point: str, step: int) -> None:
        """A new formula changes the number of steps: resize the slider before rendering."""
        last = len(trace_text(expression, point).sweep()) - 1
        slider = self.controls["step"]
        if slider.max != last:
            slider.max = last
            slider.value = min(slider.value, last)

    def render(self, expression: str, point: str, step: int) -> View:
        rt = trace_text(expression, point)
        sweep = rt.sweep()
        step = min(max(int(step), 0), len(sweep) - 1)
        s = sweep[step]
        self._trace = rt
        panel = (
            f"<p>Reverse mode at {html.escape(rt.trace.point_text())}: the forward sweep, then the backward "
            "sweep from ȳ = 1.<br>"
            f"<b>{html.escape(describe_step(rt, step))}</b></p>"
            + rt.to_html(highlight=s, reveal=True)
        )
        # during the forward sweep the graph shows values only; adjoints appear in the reverse sweep
        shown = rt.trace if s.phase == "forward" else rt
        figure = computational_graph(shown, highlight=s.node if s.node >= 0 else None, edge=s.edge)
        return View(panel, figure)
