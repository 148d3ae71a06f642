"""Figures for the initialization and batch-normalization chapter."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..init import Propagation, dense_block_channels, layer_factor
from . import new_figure
from .palette import CYCLE, ROLES

__all__ = ["spread_plot", "histogram_plot", "propagation_figure", "dense_block_plot", "factor_plot"]

COLOURS = CYCLE
# each run also gets its own dash pattern and marker, so that runs whose curves coincide
# (e.g. two initializations rescued by batch norm) stay visible as separate lines
LINESTYLES = ["-", "--", "-.", ":"]
MARKERS = ["o", "s", "^", "D", "v", "P"]


def _check_run(p: object, name: str = "p") -> Propagation:
    if not isinstance(p, Propagation):
        raise TypeError(f"{name} must be the Propagation returned by nnbook.init.simulate, got {type(p).__name__}")
    return p


def _style(i: int, depth: int) -> dict:
    step = max(1, depth // 8)
    return dict(color=COLOURS[i % len(COLOURS)], linestyle=LINESTYLES[i % len(LINESTYLES)],
                marker=MARKERS[i % len(MARKERS)], markersize=3.5, markevery=(i % step, step), linewidth=1.3)


def _positive(values: np.ndarray) -> np.ndarray:
    """Values that a log axis can show (0, NaN and inf become gaps)."""
    v = np.asarray(values, dtype=float).copy()
    v[~np.isfinite(v) | (v <= 0)] = np.nan
    return v


def _label(p: Propagation) -> str:
    extra = (" + BN" if p.batch_norm else "") + (" + residual" if p.residual else "")
    return f"{p.scheme}, {p.activation}{extra}"


def _readable_log_axis(ax, values: np.ndarray) -> None:
    """Show at least two decades, so that a nearly flat line does not get a zoomed axis full
    of minor-tick labels (1.05 x 10^0, ...); minor ticks stay unlabelled."""
    from matplotlib.ticker import NullFormatter

    v = values[np.isfinite(values)]
    if v.size:
        lo, hi = float(v.min()), float(v.max())
        if hi / lo < 100.0:
            centre = np.sqrt(lo * hi)
            ax.set_ylim(centre / 10.0, centre * 10.0)
    ax.yaxis.set_minor_formatter(NullFormatter())


def _spread_axes(axes, runs: Sequence[Propagation], labels: Sequence[str] | None, theory: bool) -> None:
    ax_act, ax_grad = axes
    many = len(runs) > 1
    for i, p in enumerate(runs):
        colour = COLOURS[i % len(COLOURS)]
        style = _style(i, p.depth) if many else dict(color=colour)
        label = labels[i] if labels is not None else _label(p)
        layers = np.arange(p.depth + 1)
        ax_act.semilogy(layers, _positive(p.activation_std), label=label, **style)
        ax_grad.semilogy(layers, _positive(p.gradient_std), label=label, **style)
        if theory and not (p.batch_norm or p.residual):
            ax_grad.semilogy(layers, _positive(p.predicted_gradient_std), color=colour, linestyle=":", linewidth=1)
    for ax, key in ((ax_act, "activation_std"), (ax_grad, "gradient_std")):
        _readable_log_axis(ax, np.concatenate([_positive(getattr(p, key)) for p in runs]))
    ax_act.set_title("activations: std of $h_l$", fontsize=9)
    ax_grad.set_title(r"gradients: std of $\partial L/\partial h_l$" + (" (dotted: theory)" if theory else ""), fontsize=9)
    for ax in axes:
        ax.set_xlabel("layer $l$")
        ax.grid(True, which="major", alpha=0.3)
        ax.tick_params(labelsize=8)


def spread_plot(
    runs: Propagation | Sequence[Propagation], labels: Sequence[str] | None = None, theory: bool = True
) -> Figure:
    """Per-layer spread (std, log scale) of activations and of gradients, one line per run.

    Dotted lines: the spread of the gradients that the recursion ``G * n * Var[w]`` predicts
    (plain networks only).

    >>> from nnbook.init import simulate
    >>> fig = spread_plot(simulate(depth=5, width=16, batch_size=8))
    >>> len(fig.axes)
    2
    """
    if isinstance(runs, (str, bytes)) or not (isinstance(runs, Propagation) or hasattr(runs, "__iter__")):
        raise TypeError(f"runs must be a Propagation or a list of them, got {type(runs).__name__}")
    runs = [runs] if isinstance(runs, Propagation) else [_check_run(r, "each run") for r in runs]
    if not runs:
        raise ValueError("give at least one simulation result to plot")
    if labels is not None and len(labels) != len(runs):
        raise ValueError(f"{len(labels)} labels for {len(runs)} runs")
    fig = new_figure(8.0, 3.0, layout=None)
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.15, wspace=0.24)
    axes = fig.subplots(1, 2)
    _spread_axes(axes, runs, labels, theory)
    axes[1].legend(fontsize=7, loc="best")
    return fig


def _histogram_axes(ax, samples: list[np.ndarray], layers: Sequence[int], what: str) -> None:
    finite = [s[np.isfinite(s)] for s in (samples[l] for l in layers)]
    values = np.concatenate(finite) if finite else np.zeros(0)
    if values.size == 0:
        ax.text(0.5, 0.5, f"all {what} are exactly 0", ha="center", va="center", transform=ax.transAxes, fontsize=9)
    else:
        lo, hi = float(values.min()), float(values.max())
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        bins = np.linspace(lo, hi, 41)
        for i, (l, s) in enumerate(zip(layers, finite)):
            if s.size:
                ax.hist(s, bins=bins, histtype="step", color=COLOURS[i % len(COLOURS)], label=f"layer {l}", linewidth=1.2)
        ax.legend(fontsize=7)
    ax.set_xlabel(rf"$\log_{{10}}$ |{what[:-1]}|")
    ax.set_title(f"histogram of {what}", fontsize=9)
    ax.tick_params(labelsize=8)


def _pick_layers(depth: int) -> list[int]:
    return sorted({1, max(1, depth // 2), depth})


def histogram_plot(p: Propagation, layers: Sequence[int] | None = None) -> Figure:
    """Histograms of ``log10|value|`` of the activations and gradients at a few layers.

    A histogram on a log axis shows a whole distribution moving by orders of magnitude
    from layer to layer (vanishing or exploding) or staying put.

    >>> from nnbook.init import simulate
    >>> len(histogram_plot(simulate(depth=4, width=16, batch_size=8)).axes)
    2
    """
    _check_run(p)
    layers = _pick_layers(p.depth) if layers is None else list(layers)
    bad = [l for l in layers if not 0 <= l <= p.depth]
    if bad:
        raise ValueError(f"layers must be between 0 and depth={p.depth}, got {bad}")
    fig = new_figure(8.0, 2.6, layout=None)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.18, wspace=0.22)
    axes = fig.subplots(1, 2)
    _histogram_axes(axes[0], p.activation_log10, layers, "activations")
    _histogram_axes(axes[1], p.gradient_log10, layers, "gradients")
    return fig


def propagation_figure(p: Propagation) -> Figure:
    """The explorer's picture: spreads per layer (top) and histograms at three layers (bottom).

    >>> from nnbook.init import simulate
    >>> len(propagation_figure(simulate(depth=4, width=16, batch_size=8)).axes)
    4
    """
    _check_run(p)
    # a fixed layout: constrained layout costs more than the whole simulation here
    fig = new_figure(8.0, 5.4, layout=None)
    fig.subplots_adjust(left=0.09, right=0.98, top=0.95, bottom=0.09, wspace=0.24, hspace=0.42)
    axes = fig.subplots(2, 2)
    _spread_axes(axes[0], [p], None, theory=True)
    layers = _pick_layers(p.depth)
    _histogram_axes(axes[1][0], p.activation_log10, layers, "activations")
    _histogram_axes(axes[1][1], p.gradient_log10, layers, "gradients")
    return fig


def dense_block_plot(k0: int, growth_rate: int, num_layers: int) -> Figure:
    """Channels entering each layer of a dense block (stacked: block input + each layer's maps).

    >>> len(dense_block_plot(16, 12, 4).axes)
    1
    """
    if isinstance(num_layers, int) and not isinstance(num_layers, bool) and num_layers > 64:
        raise ValueError(f"num_layers must be at most 64 for a readable plot, got {num_layers}")
    channels = dense_block_channels(k0, growth_rate, num_layers)
    fig = new_figure(6.0, 2.8)
    ax = fig.add_subplot()
    names = [f"layer {l}" for l in range(1, num_layers + 1)] + ["block output"]
    x = np.arange(len(names))
    ax.bar(x, k0, color=ROLES["padding"], label=f"block input ($k_0$ = {k0})")
    for j in range(1, num_layers + 1):
        heights = np.array([growth_rate if i >= j else 0 for i in range(len(names))])
        ax.bar(x, heights, bottom=k0 + (j - 1) * growth_rate, color=COLOURS[(j - 1) % len(COLOURS)],
               label=f"from layer {j}" if num_layers <= 6 else None)
    for xi, c in zip(x, channels):
        ax.text(xi, c, str(c), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, names, fontsize=8, rotation=30 if num_layers > 6 else 0)
    ax.set_ylabel("input channels")
    ax.set_title(f"dense block: $k_0 + (l-1)k$ channels into layer $l$ (growth rate $k$ = {growth_rate})", fontsize=9)
    ax.set_ylim(0, channels[-1] * 1.15)
    ax.legend(fontsize=7, loc="upper left")
    return fig


def factor_plot(runs: Propagation | Sequence[Propagation], labels: Sequence[str] | None = None) -> Figure:
    """Measured per-layer factors, forward (pre-activations) and backward (gradients), with theory.

    Left: ``Var[z_l] / Var[z_{l-1}]`` as measured (markers) and as
    ``layer_factor(direction="forward")`` predicts from the measured ``Var[z_{l-1}]`` (line).
    Right: ``Var[dL/dh_{l-1}] / Var[dL/dh_l]`` (markers) and the small-signal backward factor
    ``G n Var[w]`` (line). Plain networks (no batch norm, no skips) only.

    >>> from nnbook.init import simulate
    >>> len(factor_plot(simulate(depth=6, width=32, activation="sigmoid", scheme="xavier_normal", batch_size=16)).axes)
    2
    """
    if isinstance(runs, (str, bytes)) or not (isinstance(runs, Propagation) or hasattr(runs, "__iter__")):
        raise TypeError(f"runs must be a Propagation or a list of them, got {type(runs).__name__}")
    runs = [runs] if isinstance(runs, Propagation) else [_check_run(r, "each run") for r in runs]
    if not runs:
        raise ValueError("give at least one simulation result to plot")
    if labels is not None and len(labels) != len(runs):
        raise ValueError(f"{len(labels)} labels for {len(runs)} runs")
    if any(p.batch_norm or p.residual for p in runs):
        raise ValueError("factor_plot is for plain networks: the recursion has no per-layer factor with batch norm or skips")
    fig = new_figure(8.0, 3.0, layout=None)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.16, wspace=0.22)
    ax_f, ax_b = fig.subplots(1, 2)
    for i, p in enumerate(runs):
        colour, marker = COLOURS[i % len(COLOURS)], MARKERS[i % len(MARKERS)]
        label = labels[i] if labels is not None else _label(p)
        layers = np.arange(p.depth + 1)
        fwd = p.measured_forward_factor
        q = p.preactivation_std**2
        predicted = np.full(p.depth + 1, np.nan)
        for l in range(2, p.depth + 1):
            if np.isfinite(q[l - 1]) and 0 < q[l - 1] <= 1e12:
                predicted[l] = layer_factor(p.activation, p.scheme, p.width, gain=p.gain, direction="forward",
                                            preactivation_var=float(q[l - 1]))
        ax_f.semilogy(layers, _positive(fwd), linestyle="none", marker=marker, markersize=4, color=colour, label=label)
        ax_f.semilogy(layers, _positive(predicted), color=colour, linewidth=1)
        ax_b.semilogy(layers, _positive(p.measured_factor), linestyle="none", marker=marker, markersize=4, color=colour,
                      label=label)
        ax_b.semilogy(layers, _positive(p.theory_factor), color=colour, linewidth=1)
    for ax in (ax_f, ax_b):
        ax.axhline(1.0, color="#888888", linewidth=0.8, linestyle=":")
        _readable_log_axis(ax, np.concatenate([_positive(p.measured_factor) for p in runs]
                                              + [_positive(p.measured_forward_factor) for p in runs]))
        ax.set_xlabel("layer $l$")
        ax.grid(True, which="major", alpha=0.3)
        ax.tick_params(labelsize=8)
    ax_f.set_title(r"forward: $\mathrm{Var}[z_l]/\mathrm{Var}[z_{l-1}]$ (line: $G_0\,n\,\mathrm{Var}[w]$)", fontsize=9)
    ax_b.set_title(r"backward: gradient-variance factor (line: $G\,n\,\mathrm{Var}[w]$)", fontsize=9)
    ax_b.legend(fontsize=7, loc="best")
    return fig
