"""Self-check exercises: computed answers, hints, worked solutions and fresh variants.

Every chapter declares its exercises in a module of this package (``intro.py``,
``softmax.py``, ...) with the :func:`exercise` decorator; the decorated function computes
the answer with nnbook, so no answer is ever a typed-in constant.

For readers and instructors:

>>> from nnbook import exercises
>>> ex = exercises.get("intro-output-length")
>>> ex.answer
4
>>> bool(exercises.check("intro-output-length", "4"))
True
>>> ex.variant(seed=7).params != ex.params       # a fresh version for every student
True
>>> print(exercises.handout(["intro-output-length"], seed=7, answers=True))  # doctest: +ELLIPSIS
# Exercises (variant 7)
...
"""

from ._core import (
    CheckResult,
    Exercise,
    ExerciseSpec,
    Mistake,
    catalog,
    check,
    exercise,
    get,
    handout,
    mistake,
    show,
)

__all__ = [
    "CheckResult",
    "Exercise",
    "ExerciseSpec",
    "Mistake",
    "catalog",
    "check",
    "exercise",
    "get",
    "handout",
    "mistake",
    "show",
]
