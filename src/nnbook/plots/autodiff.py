"""The computational graph of an evaluation trace, nodes labelled with the trace's names."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Circle

from ..autodiff import ForwardTrace, ReverseTrace, Trace
from . import new_figure

__all__ = ["computational_graph", "graph_layout"]

INPUT_COLOUR = "#4c72b0"
STEP_COLOUR = "#dddddd"
OUTPUT_EDGE = "#55a868"
HIGHLIGHT = "#ffb000"
FLOW = "#c44e52"


def graph_layout(t: Trace) -> list[tuple[float, float]]:
    """(x, y) of every node: x is the depth (longest path from an input), y spreads each column.

    >>> from nnbook.autodiff import trace, sin
    >>> graph_layout(trace(lambda a, b: sin(a) * b, 1.0, 2.0))
    [(0, 0.0), (1, 0.5), (1, -0.5), (2, 0.0)]
    """
    depth: list[int] = []
    for node in t.nodes:
        depth.append(1 + max(depth[a] for a in node.args) if node.args else 0)
    for pos in range(t.n):  # an input sits just left of its first consumer
        users = [depth[j] for j, node in enumerate(t.nodes) if pos in node.args]
        depth[pos] = min(users) - 1 if users else 0
    columns: dict[int, list[int]] = {}
    for pos, d in enumerate(depth):
        columns.setdefault(d, []).append(pos)
    where: list[tuple[float, float]] = [(0, 0.0)] * len(depth)
    for d, members in columns.items():
        for rank, pos in enumerate(members):
            where[pos] = (d, (len(members) - 1) / 2 - rank)
    return where


def computational_graph(
    result: Trace | ForwardTrace | ReverseTrace,
    highlight: int | None = None,
    edge: tuple[int, int] | None = None,
    show_values: bool = True,
) -> Figure:
    """Draw the computational graph of a trace: inputs (blue) on the left, one node per step.

    Each node shows its trace name (v₋₁, v₀, v₁, ...), the rule that computes it and, when
    ``show_values``, its value; a reverse trace also shows each adjoint v̄. ``highlight`` is a
    node position to mark (as in :meth:`ReverseTrace.sweep`), ``edge`` a (from, to) pair of
    positions along which an adjoint flows backwards.

    >>> from nnbook.autodiff import reverse_trace, log, sin
    >>> fig = computational_graph(reverse_trace(lambda x1, x2: log(x1) + x1*x2 - sin(x2), 2, 5), highlight=2)
    >>> len(fig.axes)
    1
    """
    t = result.trace if isinstance(result, (ForwardTrace, ReverseTrace)) else result
    adjoints = result.adjoints if isinstance(result, ReverseTrace) else None
    tangents = result.tangents if isinstance(result, ForwardTrace) else None
    where = graph_layout(t)
    width = max(x for x, _ in where) + 1
    height = max(max(abs(y) for _, y in where) * 2 + 1, 2)
    fig = new_figure(min(1.7 * width + 1.0, 14), min(1.15 * height + 0.8, 10))
    ax = fig.add_subplot()
    radius = 0.28
    for pos, node in enumerate(t.nodes):
        x1, y1 = where[pos]
        for a in node.args:
            x0, y0 = where[a]
            length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
            ux, uy = (x1 - x0) / length, (y1 - y0) / length
            start, end = (x0 + radius * ux, y0 + radius * uy), (x1 - radius * ux, y1 - radius * uy)
            flowing = edge is not None and set(edge) == {a, pos}
            ax.annotate(
                "", xy=start if flowing else end, xytext=end if flowing else start,
                arrowprops=dict(arrowstyle="-|>", color=FLOW if flowing else "#777777",
                                lw=2.2 if flowing else 1.0, shrinkA=0, shrinkB=0),
            )
    for pos, node in enumerate(t.nodes):
        x, y = where[pos]
        is_input = pos < t.n
        face = HIGHLIGHT if pos == highlight else (INPUT_COLOUR if is_input else STEP_COLOUR)
        edge_colour = OUTPUT_EDGE if pos == t.output else "#333333"
        ax.add_patch(Circle((x, y), radius, facecolor=face, edgecolor=edge_colour,
                            linewidth=2.5 if pos == t.output else 1.0, zorder=3))
        colour = "white" if is_input and pos != highlight else "black"
        ax.text(x, y, f"$v_{{{node.index}}}$", ha="center", va="center", fontsize=10, color=colour, zorder=4)
        ax.text(x, y + radius + 0.06, node.rule, ha="center", va="bottom", fontsize=7.5, zorder=4)
        if show_values:
            lines = [f"{node.value:.4f}"]
            if tangents is not None:
                lines.append(rf"$\dot{{v}}$ = {tangents[pos]:.4f}")
            if adjoints is not None:
                lines.append(rf"$\bar{{v}}$ = {adjoints[pos]:.4f}")
            ax.text(x, y - radius - 0.05, "\n".join(lines), ha="center", va="top", fontsize=7, color="#333333",
                    zorder=4)
        if pos == t.output:
            ax.text(x + radius + 0.08, y, "= y", ha="left", va="center", fontsize=9, color=OUTPUT_EDGE)
    ys = [y for _, y in where]
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(min(ys) - 0.9, max(ys) + 0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
