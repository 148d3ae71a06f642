"""The convolution chapter's exercises: metadata, named mistakes, hint ladders, fresh numbers."""

from __future__ import annotations

import json
import pathlib

import pytest

from nnbook import exercises
from nnbook.exercises import conv as conv_exercises

CONV = exercises.catalog("conv")
IDS = [ex.id for ex in CONV]
# The two chapters that show the "conv" exercises (one chapter key, two pages).
NOTEBOOKS = [pathlib.Path(__file__).resolve().parents[1] / "book" / f"{name}.ipynb"
             for name in ("convolution", "conv_layers")]


def _shown_on(exercise_id):
    """The notebooks whose cells show the exercise, each with its headings."""
    found = []
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text())["cells"]
        if any(f'exercises.show("{exercise_id}")' in "".join(c["source"]) for c in cells if c["cell_type"] == "code"):
            found.append((path.name, [line for c in cells if c["cell_type"] == "markdown"
                                      for line in "".join(c["source"]).splitlines() if line.startswith("#")]))
    return found

# The chapter's worked examples: no exercise (book numbers or variant) may repeat one.
WORKED = {
    "conv-1d-full": [dict(x=(1, 2, 3, 4), w=(1, 0, 2))],
    "conv-1d-valid": [dict(x=(1, 2, 3, 4), w=(1, 0, 2))],
    "conv-1d-same": [dict(x=(1, 2, 3, 4), w=(1, 0, 2))],
    "conv-2d-valid-shape": [dict(x=conv_exercises.SEED_X)],
    "conv-2d-largest": [dict(x=conv_exercises.SEED_X)],
    "conv-2d-most-negative": [dict(x=conv_exercises.SEED_X)],
    "conv-2d-zeros": [dict(x=conv_exercises.SEED_X)],
    "conv-layer-shape": [dict(h=48, w=64, c_in=10, k=3, c_out=20)],
    "conv-layer-multiplications": [dict(h=48, w=64, c_in=10, k=3, c_out=20)],
    "conv-layer-parameters": [dict(h=48, w=64, c_in=10, k=3, c_out=20)],
    "conv-transposed-size": [dict(n=20, k=8, s=4, p=0, op=0)],
    "conv-channels-by-hand": [dict(x=conv_exercises._CH_WORKED["x"], w=conv_exercises._CH_WORKED["w"])],
    "conv-pool-max": [dict(x=conv_exercises._POOL_X)],
    "conv-pool-backward": [dict(x=conv_exercises._POOL_X)],
}


def _matches(params, example):
    return all(params.get(k) == v for k, v in example.items())


def test_the_new_topics_have_exercises():
    for needed in ("conv-pool-max", "conv-pool-avg-padding", "conv-pool-backward", "conv-grouped-weights",
                   "conv-depthwise-separable", "conv-transposed-values", "conv-same-padding-tf",
                   "conv-channels-by-hand", "conv-why-dense-parameters", "conv-matrix-shape"):
        assert needed in IDS


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_exercise_has_metadata_and_a_hint_ladder(exercise_id):
    ex = exercises.get(exercise_id)
    assert ex.objective and ex.section and ex.difficulty in (1, 2, 3) and 1 <= ex.minutes <= 10
    assert len(ex.hint_ladder) >= 2
    shown = _shown_on(exercise_id)
    assert len(shown) == 1, f"{exercise_id} should be shown on exactly one page: {[name for name, _ in shown]}"
    name, headings = shown[0]
    assert any(ex.section in h for h in headings), f"{ex.section!r} is not a heading of {name}, which shows it"


@pytest.mark.parametrize("exercise_id", [i for i in IDS if exercises.get(i).kind != "choice"])
def test_every_numeric_exercise_names_a_mistake_on_its_own_numbers(exercise_id):
    ex = exercises.get(exercise_id)
    found = ex.mistake_values()
    assert found, "the book's numbers should show at least one named slip"
    name, value, message = found[0]
    result = ex.check(list(value) if ex.kind == "numbers" else value)
    assert not result and result.mistake == name and message in result.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_everything_renders_on_many_variants(exercise_id):
    ex = exercises.get(exercise_id)
    for seed in [None, *range(12)]:
        inst = ex if seed is None or ex._spec.draw is None else ex.variant(seed)
        for text in (inst.prompt, inst.solution, *inst.hint_ladder):  # a format slip raises KeyError here
            assert isinstance(text, str) and len(text) > 10
        for _, _, message in inst.mistake_values():
            assert message


@pytest.mark.parametrize("exercise_id", sorted(WORKED))
def test_no_exercise_repeats_a_worked_example(exercise_id):
    ex = exercises.get(exercise_id)
    for example in WORKED[exercise_id]:
        assert not _matches(ex.params, example), "the book's own numbers repeat the worked example"
        for seed in range(40):
            assert not _matches(ex.variant(seed).params, example), seed
