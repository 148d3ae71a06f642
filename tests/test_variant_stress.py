"""A stress test of every variant generator, in the style of R/exams' ``stresstest_exercise``.

For every exercise with variants, ``NNBOOK_STRESS_SEEDS`` seeds (1,000 by default): every answer is
finite; the variants differ (at least 20 distinct sets of numbers, the page's "new numbers" needs
that many); no variant repeats the chapter's worked example; and no answer is so small or so large
that an export's rounding breaks it (the key's printed answer lies inside the accepted range, Canvas
needs at most a 10**6 rescaling, and Moodle's stored number reads back the same).
"""

from __future__ import annotations

import math
import os

import pytest

from nnbook import exercises
from nnbook.handout._core import parts
from nnbook.handout.qti import canvas_scale

SEEDS = int(os.environ.get("NNBOOK_STRESS_SEEDS", "1000"))
WITH_VARIANTS = [ex.id for ex in exercises.catalog() if ex._spec.draw is not None]
# Exercises whose draw has fewer than 20 different sets of numbers (shrink this list, never grow it).
FEW_VARIANTS: set[str] = {"softmax-steep-sigmoid"}  # 15 (delta, eps) pairs in its draw


@pytest.mark.slow
@pytest.mark.parametrize("exercise_id", WITH_VARIANTS)
def test_variant_generator(exercise_id):
    book = exercises.get(exercise_id)
    distinct = set()
    problems: list[str] = []
    for seed in range(SEEDS):
        ex = book.variant(seed)
        distinct.add(repr(sorted(ex.params.items())))
        if ex.params == book.params:
            problems.append(f"seed {seed} repeats the worked example {book.params}")
        for part in parts(ex):
            if part.is_choice:
                continue
            if not math.isfinite(part.value):
                problems.append(f"seed {seed}: answer {part.value!r} is not finite")
                continue
            if abs(float(part.shown()) - part.value) > part.tolerance:
                problems.append(f"seed {seed}: the key prints {part.shown()} for {part.value!r}")
            try:
                if canvas_scale(part) > 6:
                    problems.append(f"seed {seed}: {part.value!r} needs a 10**{canvas_scale(part)} rescale in Canvas")
            except ValueError as exc:
                problems.append(f"seed {seed}: {exc}")
            if float(repr(part.value)) != part.value:
                problems.append(f"seed {seed}: {part.value!r} does not read back")
        if len(problems) > 5:
            break
    assert not problems, "\n".join(problems)
    if exercise_id not in FEW_VARIANTS:
        assert len(distinct) >= min(20, SEEDS), f"only {len(distinct)} distinct variants in {SEEDS} seeds"
