"""The softmax chapter's view layer: explorers driven through set(), no browser (their front-ends:
tests/test_widgets_js_softmax.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from nnbook.plots import figure_to_png  # noqa: E402
from nnbook.plots.softmax import ProbabilityBars, SigmoidStep, probability_bars, sigmoid_vs_step  # noqa: E402
from nnbook.softmax import softmax  # noqa: E402
from nnbook.widgets.softmax import MAX_CLASSES, StepExplorer, TemperatureExplorer, parse_logits  # noqa: E402


def test_parse_logits_reads_what_readers_type():
    assert parse_logits("1, 2, 3").tolist() == [1.0, 2.0, 3.0]
    assert parse_logits(" (0; -inf 2.5) ").tolist() == [0.0, -math.inf, 2.5]
    assert parse_logits("−1").tolist() == [-1.0]


@pytest.mark.parametrize(
    "text, match",
    [("", "at least one"), ("1, x", "could not read 'x'"), ("1, inf", r"\+inf"), ("nan", "nan"),
     (", ".join(["1"] * (MAX_CLASSES + 1)), "at most"), (3, "text")],
)
def test_parse_logits_explains_bad_input(text, match):
    with pytest.raises(ValueError, match=match):
        parse_logits(text)


def test_temperature_explorer_shows_probabilities_and_entropy():
    ex = TemperatureExplorer()
    assert ex.ok and "0.6652" in ex.panel.value and "0.8324" in ex.panel.value
    first_png = ex.image.value
    assert json.loads(first_png)["labels"] == ["0.090", "0.245", "0.665"]
    ex.set(shift=-7.5)
    assert ex.ok and "0.6652" in ex.panel.value and "0.8324" in ex.panel.value  # shift changes nothing
    ex.set(shift=0.0, temperature=100.0)
    p = softmax([1.0, 2.0, 3.0], temperature=100.0)
    assert all(f"{v:.4f}" in ex.panel.value for v in p)
    assert ex.image.value != first_png


def test_temperature_explorer_ties_and_minus_infinity():
    ex = TemperatureExplorer()
    ex.set(logits="2, 2, 1", temperature=0.01)
    assert ex.ok and ex.panel.value.count("0.5000") == 2
    ex.set(logits="0, -inf, 1", temperature=1.0)
    assert ex.ok and r"-\infty" in ex.panel.value and "0.0000" in ex.panel.value


def test_temperature_explorer_keeps_last_picture_on_impossible_input():
    ex = TemperatureExplorer()
    ex.set(logits="1, 2, 3, 4")
    picture, panel = ex.image.value, ex.panel.value
    for bad in ("1, banana", "-inf, -inf", "1, inf", ""):
        ex.set(logits=bad)
        assert not ex.ok and "impossible" in ex.message.value and "Traceback" not in ex.message.value
        assert ex.image.value == picture and ex.panel.value == panel
    ex.set(logits="1, 2")
    assert ex.ok and ex.message.value == "" and ex.image.value != picture


def test_temperature_explorer_draws_one_bar_per_class():
    ex = TemperatureExplorer()
    ex.set(logits="1, 2, 3, 4, 5")
    picture = json.loads(ex.image.value)
    assert len(picture["labels"]) == 5 and picture["top"] == [False] * 4 + [True]
    ex.set(logits="0, 0")
    assert json.loads(ex.image.value)["top"] == [True, True]  # a tie: both are the most probable


def test_explorers_refuse_values_their_sliders_cannot_take():
    ex = TemperatureExplorer()
    with pytest.raises(ValueError):
        ex.set(temperature=0.0)
    with pytest.raises(ValueError):
        ex.set(shift=11.0)
    with pytest.raises(TypeError):
        ex.set(logits=3)
    assert ex.ok and ex.temperature == 1.0 and ex.shift == 0.0


def test_huge_logits_give_no_warning():
    import warnings

    ex = TemperatureExplorer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex.set(logits="-1e308 1e308", shift=5.0)
    assert ex.ok and "1.0000" in ex.panel.value


def test_step_explorer_reports_the_gap():
    ex = StepExplorer()
    ex.set(k=10.0, delta=0.5)
    assert ex.ok and "6.693e-03" in ex.panel.value and "9.19" in ex.panel.value
    before = ex.image.value
    ex.set(k=1000.0, delta=0.01)
    assert ex.ok and "4.540e-05" in ex.panel.value and ex.image.value != before


def test_chart_updates_move_the_artists():
    chart = ProbabilityBars(3)
    chart.update([0.2, 0.3, 0.5])
    assert [b.get_height() for b in chart.bars] == [0.2, 0.3, 0.5]
    assert [t.get_text() for t in chart.labels] == ["0.200", "0.300", "0.500"]
    colours = [b.get_facecolor() for b in chart.bars]
    assert colours[2] != colours[0] == colours[1]  # the most probable class stands out
    with pytest.raises(ValueError, match="expected 3"):
        chart.update([0.5, 0.5])
    step = SigmoidStep()
    step.update(k=50.0, delta=0.2)
    np.testing.assert_allclose(step.curve.get_ydata(), 1 / (1 + np.exp(-50.0 * step.x)))
    assert "1.000e+00" not in step.title.get_text() and "k = 50" in step.title.get_text()


def test_one_off_figures_render():
    assert figure_to_png(probability_bars([1.0, 2.0, 3.0], temperature=0.5, shift=2.0))[:4] == b"\x89PNG"
    assert figure_to_png(sigmoid_vs_step(5.0, 0.3))[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="-inf"):
        probability_bars([-np.inf])
