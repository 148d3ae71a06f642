"""The computational graph of an evaluation trace, nodes labelled with the trace's names."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch
from matplotlib.path import Path

from ..autodiff import ForwardTrace, ReverseTrace, Trace
from ..gradcheck import DifferenceErrors
from . import new_figure
from .palette import ROLES, TEXT, text_on

__all__ = ["computational_graph", "difference_error_plot", "edge_route", "graph_layout"]

INPUT_COLOUR = ROLES["input"]
STEP_COLOUR = ROLES["padding"]
OUTPUT_EDGE = ROLES["output"]
OUTPUT_TEXT = TEXT["green"]  # the output colour for text on white
HIGHLIGHT = ROLES["highlight"]
FLOW = ROLES["flow"]
GUIDE = TEXT["grey"]  # thin edges and guide lines


def graph_layout(t: Trace) -> list[tuple[float, float]]:
    """(x, y) of every node: x is the depth (longest path from an input), y spreads each column.

    >>> from nnbook.autodiff import trace, sin
    >>> graph_layout(trace(lambda a, b: sin(a) * b, 1.0, 2.0))
    [(0, 0.0), (1, 0.5), (1, -0.5), (2, 0.0)]
    """
    if not isinstance(t, Trace):
        raise TypeError(f"graph_layout takes a Trace, got {type(t).__name__}")
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


RADIUS = 0.28
MAX_ROUTED = 60  # nodes: up to this size, edges curve around the nodes they would cross
ROW_GAP = 1.45  # graph units between two nodes of a column
PAGE_WIDTH = 7.6  # inches: the book's text column at 96 dpi, so a graph is shown at its own size


def edge_route(start: tuple[float, float], end: tuple[float, float], obstacles: list[tuple[float, float]],
               radius: float = RADIUS) -> tuple[float, float]:
    """The control point of a quadratic curve from ``start`` to ``end`` (node centres) that keeps
    clear of every node centre in ``obstacles``: straight when it can, else bent up or down,
    a little more each try (a skip connection curves around the nodes it jumps over).

    >>> edge_route((0, 0), (2, 0), [(1, 0.5)])       # nothing in the way: the midpoint
    (1.0, 0.0)
    >>> edge_route((0, 0), (2, 0), [(1, 0.0)])[1] != 0   # a node in the way: bend
    True
    """
    (x0, y0), (x1, y1) = start, end
    mx, my, dx, dy = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    t = np.linspace(0.0, 1.0, 60)[:, None]
    centres = np.array(obstacles, dtype=float).reshape(-1, 2)
    for rad in (0.0, -0.2, 0.2, -0.3, 0.3, -0.45, 0.45, -0.6, 0.6):
        ctrl = np.array([mx + rad * dy, my - rad * dx])
        curve = (1 - t) ** 2 * np.array([x0, y0]) + 2 * (1 - t) * t * ctrl + t**2 * np.array([x1, y1])
        if not len(centres) or np.min(np.linalg.norm(curve[:, None, :] - centres[None], axis=2)) > radius * 1.25:
            return float(ctrl[0]), float(ctrl[1])
    return float(mx), float(my - 0.6 * dx)


def _arrow(ax, start, ctrl, end, colour: str, width: float, radius: float = RADIUS) -> None:
    """A curved arrow between two node circles (from the rim of one to the rim of the other)."""
    p0, c, p1 = np.array(start, float), np.array(ctrl, float), np.array(end, float)

    def rim(node: np.ndarray, towards: np.ndarray) -> np.ndarray:
        d = towards - node
        d = d if np.linalg.norm(d) > 1e-9 else (c - node)
        return node + radius * d / max(float(np.linalg.norm(d)), 1e-9)

    a, b = rim(p0, c if np.linalg.norm(c - p0) > 1e-9 else p1), rim(p1, c if np.linalg.norm(c - p1) > 1e-9 else p0)
    path = Path([tuple(a), tuple(c), tuple(b)], [Path.MOVETO, Path.CURVE3, Path.CURVE3])
    ax.add_patch(FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=10, color=colour, lw=width,
                                 shrinkA=0, shrinkB=0, zorder=2))


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
    if not isinstance(result, (Trace, ForwardTrace, ReverseTrace)):
        raise TypeError(f"computational_graph takes a trace (trace, forward_trace or reverse_trace), "
                        f"got {type(result).__name__}")
    t = result.trace if isinstance(result, (ForwardTrace, ReverseTrace)) else result
    adjoints = result.adjoints if isinstance(result, ReverseTrace) else None
    tangents = result.tangents if isinstance(result, ForwardTrace) else None
    where = [(x, ROW_GAP * y) for x, y in graph_layout(t)]  # room for the labels between rows
    width = max(x for x, _ in where) + 1
    routes = {}
    routed = len(where) <= MAX_ROUTED  # larger graphs (typed formulas) keep straight edges: bounded work
    for pos, node in enumerate(t.nodes):
        for a in dict.fromkeys(node.args):
            (x0, y0), (x1, y1) = where[a], where[pos]
            others = [where[k] for k in range(len(where)) if k not in (a, pos) and x0 < where[k][0] < x1]
            routes[(a, pos)] = (edge_route((x0, y0), (x1, y1), others) if routed and others
                                else ((x0 + x1) / 2, (y0 + y1) / 2))
    ys = [y for _, y in where]
    # the highest and lowest point of each curve: half-way between its control point and its chord
    bends = [0.5 * cy + 0.25 * (where[a][1] + where[p][1]) for (a, p), (_, cy) in routes.items()]
    top, bottom = max(ys + bends) + 0.7, min(ys + bends) - 0.9
    x_span, y_span = width + 0.2, top - bottom
    scale = min(1.25, PAGE_WIDTH / x_span)  # inches per graph unit: fit the page, never scaled down
    fig = new_figure(scale * x_span, max(scale * y_span, 1.8))
    ax = fig.add_subplot()
    radius = RADIUS
    for pos, node in enumerate(t.nodes):
        x1, y1 = where[pos]
        for a in dict.fromkeys(node.args):
            x0, y0 = where[a]
            ctrl = routes[(a, pos)]
            flowing = edge is not None and set(edge) == {a, pos}
            if flowing:
                _arrow(ax, (x1, y1), ctrl, (x0, y0), FLOW, 2.2)
            else:
                _arrow(ax, (x0, y0), ctrl, (x1, y1), GUIDE, 1.0)
    for pos, node in enumerate(t.nodes):
        x, y = where[pos]
        is_input = pos < t.n
        face = HIGHLIGHT if pos == highlight else (INPUT_COLOUR if is_input else STEP_COLOUR)
        edge_colour = OUTPUT_EDGE if pos == t.output else "#333333"
        ax.add_patch(Circle((x, y), radius, facecolor=face, edgecolor=edge_colour,
                            linewidth=2.5 if pos == t.output else 1.0, zorder=3))
        colour = text_on(face)
        ax.text(x, y, f"$v_{{{node.index}}}$", ha="center", va="center", fontsize=10, color=colour, zorder=4)
        ax.text(x, y + radius + 0.06, node.rule, ha="center", va="bottom", fontsize=7.5, zorder=4)
        if show_values:
            lines = [f"{node.value:.4f}"]
            if tangents is not None:
                lines.append(rf"$\dot{{v}}$ = {tangents[pos]:.4f}")
            if adjoints is not None:
                lines.append(rf"$\bar{{v}}$ = {adjoints[pos]:.4f}")
            ax.text(x, y - radius - 0.05, "\n".join(lines), ha="center", va="top", fontsize=7, color=TEXT["black"],
                    zorder=4)
        if pos == t.output:
            ax.text(x + radius + 0.08, y, "= y", ha="left", va="center", fontsize=9, color=OUTPUT_TEXT)
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def difference_error_plot(errors: DifferenceErrors) -> Figure:
    """Log-log plot of one-sided and central difference errors against the step h, with the best
    central step marked: rounding error dominates left of it (small h), truncation right of it.

    >>> import math
    >>> from nnbook.gradcheck import difference_errors
    >>> fig = difference_error_plot(difference_errors(math.sin, math.cos(1.0), 1.0))
    >>> len(fig.axes[0].lines)
    3
    """
    if not isinstance(errors, DifferenceErrors):
        raise TypeError(f"give the result of nnbook.gradcheck.difference_errors, got {type(errors).__name__}")
    fig = new_figure(6.4, 3.4)
    ax = fig.add_subplot()
    ax.loglog(errors.steps, errors.forward, "o-", ms=3, color=INPUT_COLOUR, label="one-sided (f(x+h) - f(x))/h")
    ax.loglog(errors.steps, errors.central, "s-", ms=3, color=FLOW, label="central (f(x+h) - f(x-h))/2h")
    ax.axvline(errors.best_step, color=GUIDE, ls=":", lw=1)
    ax.annotate(f"best h ≈ {errors.best_step:.0e}\nerror {errors.best_error:.0e}",
                (errors.best_step, errors.best_error), xytext=(12, -4), textcoords="offset points", fontsize=8)
    ax.set_xlabel("step h")
    ax.set_ylabel("absolute error of the derivative")
    ax.set_ylim(1e-17 / 2, None)
    ax.legend(fontsize=8, loc="upper center")
    ax.grid(True, which="major", alpha=0.3)
    return fig
