"""The view layer of the initialization chapter: figures and the propagation explorer."""

from __future__ import annotations

import itertools
import json

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from nnbook.init import ACTIVATIONS, SCHEMES, simulate  # noqa: E402
from nnbook.plots.init import dense_block_plot, histogram_plot, propagation_figure, spread_plot  # noqa: E402
from nnbook.widgets.init import PropagationExplorer  # noqa: E402


@pytest.fixture(scope="module")
def small():
    return simulate(depth=6, width=16, batch_size=8, scheme="xavier_normal")


def test_spread_plot_draws_one_line_per_run_and_theory_for_plain_runs(small):
    bn = simulate(depth=6, width=16, batch_size=8, batch_norm=True)
    fig = spread_plot([small, bn], labels=["plain", "bn"])
    act, grad = fig.axes
    assert len(act.lines) == 2 and len(grad.lines) == 3  # theory only for the plain run
    assert act.get_yscale() == "log" and grad.get_yscale() == "log"
    assert [t.get_text() for t in grad.get_legend().get_texts()] == ["plain", "bn"]
    assert len(spread_plot(small, theory=False).axes[1].lines) == 1


def test_plot_errors_are_clear(small):
    with pytest.raises(ValueError, match="at least one"):
        spread_plot([])
    with pytest.raises(ValueError, match="2 labels for 1 runs"):
        spread_plot([small], labels=["a", "b"])
    with pytest.raises(ValueError, match="between 0 and depth=6"):
        histogram_plot(small, layers=[0, 7])


def test_histograms_and_zero_networks(small):
    fig = histogram_plot(small, layers=[0, 3, 6])
    assert len(fig.axes[0].patches) == 3  # one step histogram per layer
    zero = simulate(depth=3, width=8, batch_size=4, scheme="zeros")
    texts = [t.get_text() for ax in histogram_plot(zero, layers=[1, 2]).axes for t in ax.texts]
    assert "all activations are exactly 0" in texts and "all gradients are exactly 0" in texts
    assert len(propagation_figure(small).axes) == 4


def test_dense_block_plot_labels_every_channel_count():
    fig = dense_block_plot(64, 32, 6)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == ["64", "96", "128", "160", "192", "224", "256"]


def test_explorer_panel_reports_theory_and_measurement_and_refuses_gain_zero():
    ex = PropagationExplorer()
    assert ex.ok and r"\mathbf{1}$ in theory" in ex.panel.value and json.loads(ex.image.value)["depth"] == 30
    ex.set(depth=20, width=64, scheme="xavier_normal", activation="relu")
    assert ex.ok and r"0.5 \cdot 64" in ex.panel.value and "vanishes" in ex.panel.value
    ex.set(use_default_gain=False, gain=1.4)
    assert ex.ok and "healthy" in ex.panel.value
    picture = ex.image.value
    ex.set(gain=0.0)
    assert not ex.ok and "gain of 0" in ex.message.value and ex.image.value == picture
    ex.set(scheme="normal", activation="linear", use_default_gain=True)
    assert ex.ok and ex.message.value == ""
    assert "explodes" in ex.panel.value and r"\times 10^{" in ex.panel.value
    ex.set(residual=True, batch_norm=True)
    assert "batch norm and skip connections" in ex.panel.value


def test_every_scheme_and_activation_renders_without_error():
    ex = PropagationExplorer()
    flags = itertools.cycle([(False, False), (True, False), (False, True), (True, True)])
    # every scheme and every activation (not every pair: each render builds a figure)
    pairs = [(scheme, ACTIVATIONS[i % len(ACTIVATIONS)]) for i, scheme in enumerate(SCHEMES)]
    pairs += [(SCHEMES[i + 3], activation) for i, activation in enumerate(ACTIVATIONS)]
    for (scheme, activation), (bn, res) in zip(pairs, flags):
        view = ex.render(depth=5, width=16, scheme=scheme, activation=activation, use_default_gain=True,
                         gain=1.0, batch_norm=bn, residual=res)
        assert "Per-layer factor" in view.panel and len(view.data["act"]) == len(view.data["grad"]) == 6
        assert "infty" not in view.panel and "n/a" not in view.panel


def test_zero_gradients_never_give_an_infinite_factor_next_to_a_verdict():
    """Issue 15: zeros + skips made the measured factors alternate 0 and inf; the median was inf."""
    ex = PropagationExplorer()
    for activation in ("relu", "tanh", "linear"):
        ex.set(depth=10, width=16, scheme="zeros", activation=activation, residual=True)
        assert ex.ok and r"\infty" not in ex.panel.value, ex.panel.value
        assert "undefined (some layers pass an exactly zero gradient)" in ex.panel.value


def test_set_refuses_values_the_controls_cannot_take():
    ex = PropagationExplorer()
    with pytest.raises(ValueError):
        ex.set(depth=1000)
    with pytest.raises(ValueError):
        ex.set(width=100)
    with pytest.raises(ValueError):
        ex.set(gain=5.0)
    assert ex.ok and ex.depth == 30 and ex.width == 256
