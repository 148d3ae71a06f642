"""The sizing chapter's exercises: metadata, named mistakes, hint ladders, fresh variants, exact checks."""

from __future__ import annotations

import json

import pytest

from conftest import BOOK
from nnbook.exercises import catalog, check, get

SIZING = [ex.id for ex in catalog("sizing")]
NEW = ["sizing-receptive-field", "sizing-grouped-params", "sizing-batchnorm-params", "sizing-flops-macs",
       "sizing-activation-memory"]


def _headings():
    nb = json.loads((BOOK / "cnn_sizing.ipynb").read_text())
    return {line.lstrip("#").strip() for cell in nb["cells"] if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines() if line.startswith("#")}


def test_the_new_topics_have_exercises():
    assert set(NEW) <= set(SIZING) and len(SIZING) >= 17


@pytest.mark.parametrize("exercise_id", SIZING)
def test_every_sizing_exercise_has_metadata_a_hint_ladder_and_named_mistakes(exercise_id):
    ex = get(exercise_id)
    assert ex.objective and ex.difficulty in (1, 2, 3) and 1 <= ex.minutes <= 15
    assert ex.section in _headings(), ex.section
    assert len(ex.hint_ladder) >= 2
    assert ex._spec.mistakes, "every sizing exercise declares the slips the chapter discusses"
    assert ex.mistake_values(), "at least one named mistake applies to the book's numbers"


@pytest.mark.parametrize("exercise_id", SIZING)
def test_variants_never_repeat_the_worked_example(exercise_id):
    ex = get(exercise_id)
    for seed in range(40):
        assert ex.variant(seed).params != ex.params, seed


@pytest.mark.parametrize("exercise_id", [i for i in SIZING if get(i).kind != "choice"])
def test_integer_answers_are_exact_even_when_large(exercise_id):
    """reliability D5: an off-by-one count is wrong however large the answer."""
    ex = get(exercise_id)
    for inst in [ex] + [ex.variant(seed) for seed in range(12)]:
        values = list(inst.answer) if isinstance(inst.answer, tuple) else [inst.answer]
        for i in range(len(values)):
            off = list(values)
            off[i] += 1
            assert not inst.check(off if len(off) > 1 else off[0]), (inst.params, i)


def test_d5_repro_is_rejected():
    ex = get("sizing-factorized").variant(12)
    answer = list(ex.answer)
    answer[1] += 1
    assert not ex.check(answer)


def test_named_mistakes_on_the_books_numbers():
    forgot_bias = check("sizing-dqn-conv1", "256, 20, 6400, 1638400, 4096")
    assert not forgot_bias and forgot_bias.mistake == "bias forgotten"
    one_channel = check("sizing-dqn-conv1", "65, 20, 6400, 416000, 1040")
    assert one_channel.mistake == "input channels forgotten" and "4 input channels" in one_channel.message
    assert check("sizing-receptive-field", "5, 6, 12").mistake == "jump forgotten"
    assert check("sizing-receptive-field", "5, 6, 18")
    assert check("sizing-flops-macs", [903168, 903168, 909440]).mistake == "FLOPs = MACs"
    assert check("sizing-batchnorm-params", [13824, 192, 0]).mistake == "running statistics counted as parameters"
    assert check("sizing-config-count", 1).mistake == "stopped at the first"
    assert check("sizing-where-multiplications", "hidden dense layer").mistake == (
        "the layer with the most parameters")
