"""The self-check mechanism, and every exercise in the book through it."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from nnbook import exercises
from nnbook.exercises import CheckResult, catalog, check, get
from nnbook.exercises._core import _inline_markup, _parse_numbers

ALL = catalog()
IDS = [ex.id for ex in ALL]
CHAPTERS = {"intro", "softmax", "conv", "sizing", "autodiff", "init"}


def wrong_answer(ex):
    if ex.kind == "choice":
        return next(c for c in ex.choices if c != ex.answer)
    if ex.kind == "numbers":
        return [v + 10 * ex.tolerance + 1 for v in ex.answer]
    return ex.answer + 10 * ex.tolerance + 1


def test_catalog_is_complete_and_unique():
    assert "intro-output-length" in IDS
    assert len(IDS) == len(set(IDS))
    for ex in ALL:
        assert ex.chapter in CHAPTERS, ex.id
        assert ex.prompt and ex.hint and ex.solution and ex.title


@pytest.mark.parametrize("exercise_id", IDS)
def test_right_answer_accepted_wrong_rejected_with_hint(exercise_id):
    ex = get(exercise_id)
    ok = check(exercise_id, ex.answer)
    assert isinstance(ok, CheckResult) and ok and ok.message == "Correct!"
    bad = check(exercise_id, wrong_answer(ex))
    assert not bad and ex.hint in bad.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_malformed_answers_get_a_message_never_an_exception(exercise_id):
    for junk in ["", "   ", None, "banana", "1/0", "nan", [object()], {"a": 1}, True]:
        result = check(exercise_id, junk)
        assert not result and result.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_rounded_answers_accepted_within_the_stated_tolerance(exercise_id):
    ex = get(exercise_id)
    if ex.kind == "choice":
        return
    values = ex.answer if ex.kind == "numbers" else (ex.answer,)
    as_text = ", ".join(repr(v) for v in values)
    assert check(exercise_id, as_text), as_text
    nudged = [v + 0.9 * ex.tolerance for v in values]
    assert check(exercise_id, nudged if ex.kind == "numbers" else nudged[0])


@pytest.mark.parametrize("exercise_id", IDS)
def test_variants_are_reproducible_and_self_consistent(exercise_id):
    ex = get(exercise_id)
    if ex._spec.draw is None:
        with pytest.raises(ValueError, match="no numeric variants"):
            ex.variant(1)
        return
    seen = set()
    for seed in range(8):
        a, b = ex.variant(seed), ex.variant(seed)
        assert a.params == b.params and a.answer == b.answer
        assert a.check(a.answer) and check(exercise_id, a.answer, seed=seed)
        assert not a.check(wrong_answer(a))
        assert a.prompt and a.solution
        seen.add(repr(sorted(a.params.items())))
    assert len(seen) > 1, "variants should differ from seed to seed"


@pytest.mark.parametrize("exercise_id", IDS)
def test_quiz_boxes_accept_exactly_what_check_accepts(exercise_id):
    """The in-browser (jupyterquiz) ranges agree with the Python check."""
    ex = get(exercise_id)
    questions = ex.quiz_questions()
    if ex.kind == "choice":
        (q,) = questions
        correct = [a for a in q["answers"] if a["correct"]]
        assert len(correct) == 1
        return
    values = ex.answer if ex.kind == "numbers" else (ex.answer,)
    assert len(questions) == len(values)
    for q, v in zip(questions, values):
        lo, hi = q["answers"][0]["range"]
        assert lo <= v < hi
        assert math.isclose(hi - v, ex.tolerance, rel_tol=1e-6, abs_tol=1e-9)
        assert math.isclose(v - lo, ex.tolerance, rel_tol=1e-6, abs_tol=1e-9)
        assert q["answers"][1]["type"] == "default" and "Hint" in q["answers"][1]["feedback"]


def test_parse_numbers_reads_what_readers_type():
    assert _parse_numbers("0.24") == (0.24,)
    assert _parse_numbers("1/81") == (1 / 81,)
    assert _parse_numbers("(46, 62, 20)") == (46, 62, 20)
    assert _parse_numbers("5x4") == (5, 4)
    assert _parse_numbers("−3") == (-3,)
    assert _parse_numbers(np.array([1, 2])) == (1, 2)
    with pytest.raises(ValueError, match="Could not read"):
        _parse_numbers("abc")


def test_markup_turns_dollars_into_mathjax_delimiters_and_escapes_html():
    assert _inline_markup("$a<b$ and `x` <b>") == r"\(a&lt;b\) and <code>x</code> &lt;b&gt;"
    assert _inline_markup("$$x^2$$") == r"\[x^2\]"
    assert _inline_markup("an *aside*, 3 * 3") == "an <i>aside</i>, 3 * 3"


def test_unknown_exercise_lists_known_ones():
    with pytest.raises(KeyError, match="intro-output-length"):
        get("no-such-exercise")


def test_bad_seed():
    with pytest.raises(TypeError, match="seed"):
        get("intro-output-length").variant(-1)


def test_show_is_deterministic_and_leaves_global_random_alone(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    random.seed(123)
    before = random.random()
    random.seed(123)
    exercises.show("intro-output-length")
    assert random.random() == before
    html = "".join(getattr(o, "data", "") or "" for o in shown)
    assert "Counting window positions" in html and "Worked solution" in html


def test_decorator_rejects_bad_declarations():
    with pytest.raises(ValueError, match="lower-case"):
        exercises.exercise(id="Bad Id", chapter="intro", title="t", prompt="p", hint="h", solution="s")
    with pytest.raises(ValueError, match="duplicate"):
        exercises.exercise(id="intro-output-length", chapter="intro", title="t", prompt="p", hint="h", solution="s")(
            lambda: 1
        )


def test_handout_variants_and_answer_key():
    from nnbook.exercises import handout

    book = handout(["intro-output-length"])
    assert book.startswith("# Exercises\n") and get("intro-output-length").prompt in book
    assert "Answer key" not in book
    v = get("intro-output-length").variant(7)
    sheet = handout(["intro-output-length"], seed=7, answers=True)
    assert v.prompt in sheet and f": {v.answer}\n" in sheet and v.solution in sheet
    assert handout(chapter="intro") == book
    with pytest.raises(ValueError, match="no exercises"):
        handout(chapter="no-such-chapter")


def test_named_mistake_gets_its_own_message():
    ex = get("intro-output-length")  # n=7, k=3, s=2, p=1: answer 4
    one_side = check("intro-output-length", (7 + 1 - 3) // 2 + 1)
    assert not one_side and one_side.mistake == "padding on one side" and "each" in one_side.message
    other = check("intro-output-length", 40)
    assert not other and other.mistake is None and ex.hint in other.message
    assert len(ex.hint_ladder) == 2 and ex.difficulty == 1 and ex.objective


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_declared_mistake_is_named_and_recognized(exercise_id):
    ex = get(exercise_id)
    for seed in [None, 0, 1, 2]:
        inst = ex if seed is None else (ex.variant(seed) if ex._spec.draw else ex)
        for name, value, message in inst.mistake_values():
            assert name and message
            result = inst.check(value if inst.kind != "numbers" else list(value))
            same = [n for n, v, _ in inst.mistake_values() if inst._same(v, value)]
            assert not result and result.mistake in same, (name, value, result)
