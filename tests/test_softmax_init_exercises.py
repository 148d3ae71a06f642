"""The softmax and init chapters' exercises: metadata on every one, named mistakes and a second
hint on every numeric one, and no variant that repeats a worked example of the chapter."""

from __future__ import annotations

import pytest

from nnbook.exercises import catalog, get

EXERCISES = catalog("softmax") + catalog("init")
# the chapters' worked examples, as exercise params: a variant equal to one of them would let the
# reader copy the answer printed just above the exercise
WORKED = {
    "softmax-probabilities": [dict(z=(1.0, 2.0, 3.0))],
    "softmax-log-prob-gradient": [dict(z=(1.0, 2.0, 3.0), c=2)],
    "softmax-pushed-down-most": [dict(z=(1.0, 2.0, 3.0), c=2)],
    "softmax-scaling": [dict(z=(1.0, 2.0, 3.0))],
    "softmax-two-class-sigmoid": [dict(x1=0.7, x2=-1.2)],
    "softmax-k-minus-one": [dict(x=(2.0, -1.0, 0.5, 3.0))],
    "softmax-steep-sigmoid": [dict(eps=0.01, delta=0.1)],
    "softmax-initial-loss": [dict(k=10)],
    "init-bn-forward": [dict(x=[1, 2, 3, 6], gamma=2.0, beta=0.5)],
    "init-dense-channels": [dict(k0=64, k=32, layers=6)],
}


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
def test_every_exercise_has_instructor_metadata(ex):
    assert ex.objective and ex.section and ex.difficulty in (1, 2, 3) and 1 <= ex.minutes <= 15


@pytest.mark.parametrize("ex", [ex for ex in EXERCISES if ex.kind != "choice"], ids=lambda ex: ex.id)
def test_numeric_exercises_name_their_mistakes_and_have_a_second_hint(ex):
    assert ex._spec.mistakes, "declare the classic slips"
    assert len(ex.hint_ladder) >= 2
    # on the book's numbers, at least one declared mistake gives a wrong value that check() names
    named = ex.mistake_values()
    assert named
    name, value, message = named[0]
    result = ex.check(list(value) if ex.kind == "numbers" else value)
    assert not result and result.mistake is not None and result.message == message


@pytest.mark.parametrize("exercise_id", sorted(WORKED))
def test_neither_the_book_nor_any_variant_repeats_a_worked_example(exercise_id):
    ex = get(exercise_id)
    for params in [ex.params] + [ex.variant(seed).params for seed in range(60)]:
        assert params not in WORKED[exercise_id], params


@pytest.mark.parametrize("ex", [ex for ex in catalog("softmax") if len(ex.params.get("z", ())) == 3], ids=lambda ex: ex.id)
def test_no_three_logits_are_a_shifted_copy_of_the_worked_1_2_3(ex):
    # z = (0, 1, 2) or (3, 1, 2) would give the worked example's probabilities (or a permutation)
    for params in [ex.params] + [ex.variant(seed).params for seed in range(60)]:
        gaps = sorted(b - a for a, b in zip(sorted(params["z"]), sorted(params["z"])[1:]))
        assert gaps != [1.0, 1.0], params


def test_steep_sigmoid_asks_for_the_decimals_its_solution_gives():
    ex = get("softmax-steep-sigmoid")
    assert "two decimals" in ex.prompt and f"{ex.answer:.2f}" in ex.solution
    assert not ex.check(round(ex.answer, 1) - 0.05)  # a one-decimal answer below the bound is not enough
