"""The one self-check mechanism every chapter uses.

An exercise is declared once, next to nothing but the nnbook functions that solve it::

    @exercise(
        id="intro-output-length",
        chapter="intro",
        title="Counting window positions",
        params=dict(n=7, k=3, s=2, p=1),
        prompt="An input of length {n}, kernel size {k}, stride {s}, padding {p}. How many outputs?",
        hint="Padded length minus the kernel span, divided by the stride, plus one.",
        solution="(7 + 2 - 3) // 2 + 1 = {answer}",
        draw=lambda rng: dict(n=int(rng.integers(5, 30)), k=3, s=2, p=1),
    )
    def output_length(n, k, s, p):
        return output_size(n, k, stride=s, padding=p)

The decorated function *is* the answer key: ``answer`` is always computed, never typed in,
and ``variant(seed)`` draws new numbers with ``draw`` and recomputes it.
"""

from __future__ import annotations

import difflib
import html
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ._answers import Reading, read_answer, within
from ._answers import _error as _answer_error

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_REGISTRY: dict[str, "ExerciseSpec"] = {}
_MAX_REDRAWS = 100

Text = str | Callable[..., str]


@dataclass(frozen=True)
class Mistake:
    """A classic slip on an exercise: how it computes its wrong value, and what to tell the reader.

    ``compute`` takes the exercise's params as keyword arguments (like the solve function) and
    returns the value a student who makes this slip gets; ``message`` is a format string over
    the params (plus ``{answer}`` and ``{value}``, the wrong value) or a callable taking the params.

    >>> m = mistake("floor instead of ceil", lambda n, s: n // s, "You rounded down.")
    >>> m.name
    'floor instead of ceil'
    """

    name: str
    compute: Callable[..., Any]
    message: Text


def mistake(name: str, compute: Callable[..., Any], message: Text) -> Mistake:
    """Declare a named mistake for ``@exercise(mistakes=[...])`` (see :class:`Mistake`)."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a mistake needs a short non-empty name, got {name!r}")
    if not callable(compute):
        raise TypeError(f"mistake {name!r}: compute must be a function of the exercise's params")
    if not (isinstance(message, str) and message.strip()) and not callable(message):
        raise TypeError(f"mistake {name!r}: message must be a non-empty text or a function of the params")
    return Mistake(name, compute, message)


@dataclass(frozen=True)
class CheckResult:
    """The verdict on an answer: truthy when correct, with a message for the reader.

    >>> bool(CheckResult(True, "Correct!"))
    True
    """

    correct: bool
    message: str
    mistake: str | None = None  # the name of the known mistake the answer matches, if any

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        named = f", mistake={self.mistake!r}" if self.mistake is not None else ""
        return f"CheckResult(correct={self.correct!r}, message={self.message!r}{named})"

    def __str__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        colour = "#005c3c" if self.correct else "#b00020"
        mark = "&#10003;" if self.correct else "&#10007;"
        return f'<p style="color:{colour}"><b>{mark}</b> {_inline_markup(self.message)}</p>'


@dataclass(frozen=True)
class ExerciseSpec:
    """Everything that defines an exercise; an :class:`Exercise` is a spec plus its numbers."""

    id: str
    chapter: str
    title: str
    prompt: Text
    solve: Callable[..., Any]
    params: Mapping[str, Any]
    hint: Text
    solution: Text
    draw: Callable[[np.random.Generator], Mapping[str, Any]] | None = None
    tolerance: float | None = None
    decimals: int | None = None
    choices: Sequence[str] | None = None
    labels: Sequence[str] | None = None
    unit: str = ""
    kind: str = field(default="number")  # "number", "numbers" or "choice"; set by @exercise
    mistakes: tuple[Mistake, ...] = ()
    hints: tuple[Text, ...] = ()  # further rungs of the hint ladder, after ``hint``
    objective: str = ""  # the learning objective, e.g. "compute a conv layer's output size"
    difficulty: int = 1  # 1 (direct), 2 (a few steps), 3 (combines ideas)
    minutes: int = 3  # expected time for a student
    section: str = ""  # the chapter section it checks

    def instance(self, params: Mapping[str, Any], seed: int | None) -> "Exercise":
        return Exercise(self, dict(params), seed)


class Exercise:
    """One exercise with concrete numbers: prompt, computed answer, hint, worked solution.

    Get one with :func:`get`; ``variant(seed)`` gives the same question with fresh numbers.

    Attributes
    ----------
    id, chapter, title : str
        Identity of the exercise (``seed`` is ``None`` for the book's own numbers).
    params : dict
        The numbers this instance is about.
    answer
        The correct answer, computed by nnbook (a number, a tuple of numbers, or a choice).
    """

    def __init__(self, spec: ExerciseSpec, params: dict[str, Any], seed: int | None) -> None:
        self._spec = spec
        self.params = params
        self.seed = seed

    # -- identity -----------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._spec.id

    @property
    def chapter(self) -> str:
        return self._spec.chapter

    @property
    def title(self) -> str:
        return self._spec.title

    @property
    def kind(self) -> str:
        return self._spec.kind

    @property
    def choices(self) -> tuple[str, ...] | None:
        return tuple(self._spec.choices) if self._spec.choices is not None else None

    @property
    def labels(self) -> tuple[str, ...] | None:
        return tuple(self._spec.labels) if self._spec.labels is not None else None

    def __repr__(self) -> str:
        which = "book" if self.seed is None else f"seed={self.seed}"
        return f"<Exercise {self.id!r} ({which}): answer={self.answer!r}>"

    # -- content ------------------------------------------------------------------------
    @cached_property
    def answer(self) -> Any:
        """The answer, computed by the exercise's nnbook solve function."""
        return _normalise_answer(self._spec, self._spec.solve(**self.params))

    @property
    def prompt(self) -> str:
        return self._render(self._spec.prompt)

    @property
    def hint(self) -> str:
        return self._render(self._spec.hint)

    @property
    def solution(self) -> str:
        """The worked solution, with this instance's numbers."""
        return self._render(self._spec.solution)

    @property
    def hint_ladder(self) -> tuple[str, ...]:
        """The hints in order: first a nudge (``hint``), then each further step (``hints``)."""
        return (self.hint,) + tuple(self._render(h) for h in self._spec.hints)

    @property
    def objective(self) -> str:
        return self._spec.objective

    @property
    def difficulty(self) -> int:
        return self._spec.difficulty

    @property
    def minutes(self) -> int:
        return self._spec.minutes

    @property
    def section(self) -> str:
        return self._spec.section

    def mistake_values(self) -> list[tuple[str, Any, str]]:
        """``(name, wrong value, message)`` for each known mistake on these numbers.

        A mistake whose value cannot be computed, or equals the right answer here, is left out
        (it would not tell the reader anything on these numbers).
        """
        found = []
        for m in self._spec.mistakes:
            try:
                value = _normalise_answer(self._spec, m.compute(**self.params))
            except (ValueError, TypeError, ArithmeticError):
                continue
            if self._same(value, self.answer):
                continue
            if callable(m.message):
                message = m.message(**self.params)
            else:
                message = m.message.format(
                    **self.params,
                    answer=_display_answer(self.answer, self._spec.decimals),
                    value=_display_answer(value, self._spec.decimals),
                )
            found.append((m.name, value, message))
        return found

    def mistake_tolerances(self, value: Any) -> tuple[float, ...]:
        """Tolerances for recognizing a mistake's value: the answer's, except that a decimal
        mistake value where the answer is an exact integer gets floating-point slack (so that a
        reader typing it to 12 digits is still told which slip it was).

        >>> get("intro-output-length").mistake_tolerances(2.5)
        (2.5e-09,)
        """
        values = value if isinstance(value, tuple) else (value,)
        return tuple(
            t if (t > 0 or isinstance(v, int) or float(v).is_integer()) else 1e-9 * max(1.0, abs(float(v)))
            for v, t in zip(values, self.tolerances)
        )

    def _same(self, a: Any, b: Any) -> bool:
        if self.kind == "choice":
            return a == b
        xs = a if isinstance(a, tuple) else (a,)
        ys = b if isinstance(b, tuple) else (b,)
        if len(xs) != len(ys) or len(ys) != len(self.tolerances):
            return False
        return not within(tuple(float(x) for x in xs), tuple(float(y) for y in ys), self.tolerances)

    @property
    def tolerances(self) -> tuple[float, ...]:
        """The absolute tolerance around each component of the answer.

        ``decimals=d`` gives ``0.5·10⁻ᵈ`` (a hair more, for rounding); ``tolerance=`` is taken
        as given; otherwise the answer is exact: an integer component must be typed exactly
        (tolerance 0), a non-integer one within ``1e-9·max(1, |value|)`` of it (floating point).
        Each component has its own, so a large count never loosens a small one.

        >>> get("intro-output-length").tolerances
        (0.0,)
        """
        if self.kind == "choice":
            return (0.0,)
        spec = self._spec
        values = self.answer if isinstance(self.answer, tuple) else (self.answer,)
        if spec.tolerance is not None:
            return tuple(float(spec.tolerance) for _ in values)
        if spec.decimals is not None:
            return tuple(0.5 * 10.0 ** (-spec.decimals) + 1e-12 for _ in values)
        return tuple(0.0 if isinstance(v, int) else 1e-9 * max(1.0, abs(v)) for v in values)

    @property
    def tolerance(self) -> float:
        """The smallest of :attr:`tolerances` (0 when any component is an exact integer)."""
        return min(self.tolerances)

    @property
    def percent_ok(self) -> bool:
        """Whether ``24%`` may be typed for 0.24: every component of the answer is within [-1, 1]."""
        if self.kind == "choice":
            return False
        values = self.answer if isinstance(self.answer, tuple) else (self.answer,)
        return all(abs(v) <= 1 for v in values)

    def _render(self, text: Text) -> str:
        if callable(text):
            return text(**self.params)
        return text.format(**self.params, answer=_display_answer(self.answer, self._spec.decimals))

    # -- variants -----------------------------------------------------------------------
    def variant(self, seed: int) -> "Exercise":
        """The same question with fresh numbers drawn from ``seed`` (same seed, same numbers).

        >>> ex = get("intro-output-length")
        >>> ex.variant(3).params == ex.variant(3).params
        True
        """
        spec = self._spec
        if spec.draw is None:
            raise ValueError(f"exercise {spec.id!r} has no numeric variants (it is not about numbers)")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise TypeError(f"seed must be a non-negative integer, got {seed!r}")
        rng = np.random.default_rng([int(seed), _stable_hash(spec.id)])
        last_error: Exception | None = None
        for _ in range(_MAX_REDRAWS):
            params = dict(spec.draw(rng))
            if params == dict(spec.params):
                last_error = ValueError("the draw repeated the chapter's worked example")
                continue  # a variant never repeats the numbers worked in the chapter
            candidate = spec.instance(params, int(seed))
            try:
                candidate.answer  # noqa: B018 - a draw is kept only if it can be solved
            except (ValueError, ArithmeticError) as exc:  # ArithmeticError: overflow, division by zero
                last_error = exc
                continue
            return candidate
        raise RuntimeError(f"could not draw a solvable variant of {spec.id!r}: {last_error}")

    # -- checking -----------------------------------------------------------------------
    def check(self, answer: Any, attempt: int = 1) -> CheckResult:
        """Check a reader's answer. Never raises, whatever ``answer`` is.

        Text is read as the page reads it (:mod:`nnbook.exercises._answers`: ``1,644,800``,
        ``0,24``, ``24%``, ``1/81``, ``(4, 4)``, ...); numbers and sequences of numbers are taken
        as they are. An answer equal to a known mistake's value gets that mistake's message;
        other wrong answers climb the hint ladder as on the page: ``attempt`` 1 gets the first
        hint (a nudge), 2 the next step, ..., and past the last hint the worked solution.

        >>> ex = get("intro-output-length")
        >>> bool(ex.check(ex.answer)), bool(ex.check(ex.answer + 1))
        (True, False)
        >>> ex.check("").message
        'No answer yet: type a number first.'
        >>> ex.check(99, attempt=9).message.startswith("Not quite. Compare your steps with the worked solution")
        True
        """
        try:
            rung = max(1, int(attempt)) - 1 if not isinstance(attempt, bool) else 0
        except (TypeError, ValueError, OverflowError):
            rung = 0
        try:
            return self._check(answer, rung)
        except Exception as exc:  # noqa: BLE001 - a verdict, never a traceback, for any input
            return CheckResult(False, f"I could not check that answer ({type(exc).__name__}: {exc}).")

    def _read(self, answer: Any, count: int) -> Reading:
        percent = self.percent_ok
        if isinstance(answer, str):
            return read_answer(answer, count, percent)
        if answer is None:
            return read_answer("", count, percent)
        if isinstance(answer, (bool, np.bool_)):
            return Reading(False, (), "unreadable", f"I could not read {answer!r} as a number.")
        if isinstance(answer, (int, float, np.integer, np.floating)):
            items: list[Any] = [answer]
        elif isinstance(answer, (list, tuple, np.ndarray)):
            items = list(np.ravel(np.asarray(answer, dtype=object)))
        else:
            return Reading(False, (), "unreadable", f"I could not read {answer!r} as {_plural(count)}.")
        values = []
        for item in items:
            if isinstance(item, str):
                one = read_answer(item, 1, percent)
                if not one.ok:
                    return one
                values.extend(one.values)
            elif isinstance(item, (int, float, np.integer, np.floating)) and not isinstance(item, (bool, np.bool_)):
                try:
                    value = float(item)
                except OverflowError:
                    value = math.inf
                if not math.isfinite(value):
                    shown = repr(item) if len(repr(item)) <= 40 else repr(item)[:40] + "\u2026"
                    return Reading(False, (), "too-large", f"I could not read {shown}: it is not a finite number.")
                values.append(value)
            else:
                return Reading(False, (), "unreadable", f"I could not read {item!r} as a number.")
        if not values:
            return read_answer("", count, percent)
        if len(values) != count:
            return _answer_error("count", "", count, len(values))
        return Reading(True, tuple(values))

    def _wrong(self, where: str, rung: int) -> CheckResult:
        """Not quite: hint ``rung`` of the ladder (counted from 0), then the worked solution."""
        ladder = self.hint_ladder
        if rung < len(ladder):
            step = f"Hint {rung + 1} of {len(ladder)}" if len(ladder) > 1 else "Hint"
            return CheckResult(False, f"Not quite{where}. {step}: {ladder[rung]}")
        return CheckResult(False, f"Not quite{where}. Compare your steps with the worked solution:\n\n{self.solution}")

    def _check(self, answer: Any, rung: int = 0) -> CheckResult:
        spec = self._spec
        if spec.kind == "choice":
            if answer is None or (isinstance(answer, str) and not answer.strip()):
                return CheckResult(False, "No answer yet: choose one of the options first.")
            return self._check_choice(answer, rung)
        expected = self.answer if spec.kind == "numbers" else (self.answer,)
        reading = self._read(answer, len(expected))
        if not reading.ok:
            message = reading.message
            if reading.code == "count" and spec.labels:
                message = message.rstrip(".") + " (" + ", ".join(spec.labels) + ")."
            return CheckResult(False, message)
        values = reading.values
        wrong = within(values, expected, self.tolerances)
        if not wrong:
            return CheckResult(True, "Correct!")
        given = values if spec.kind == "numbers" else values[0]
        for name, value, message in self.mistake_values():
            expected_wrong = value if isinstance(value, tuple) else (value,)
            if len(expected_wrong) == len(values) and not within(
                tuple(values), tuple(float(v) for v in expected_wrong), self.mistake_tolerances(value)
            ):
                return CheckResult(False, message, mistake=name)
        where = ""
        if spec.kind == "numbers":
            names = spec.labels or [f"#{i + 1}" for i in range(len(expected))]
            where = " (check " + ", ".join(names[i] for i in wrong) + ")"
        return self._wrong(where, rung)

    def _check_choice(self, answer: Any, rung: int = 0) -> CheckResult:
        choices = self.choices or ()
        given = str(answer).strip().casefold()
        options = {c.casefold(): c for c in choices}
        if given not in options:
            listed = "; ".join(repr(c) for c in choices)
            return CheckResult(False, f"{answer!r} is not one of the options: {listed}.")
        if options[given] == self.answer:
            return CheckResult(True, "Correct!")
        for name, value, message in self.mistake_values():
            if options[given] == value:
                return CheckResult(False, message, mistake=name)
        return self._wrong("", rung)

    # -- display ------------------------------------------------------------------------
    def prompt_html(self) -> str:
        return _block_markup(self.prompt)

    def solution_html(self) -> str:
        return (
            '<details class="nnbook-solution"><summary><b>Worked solution</b> (click to open)</summary>'
            f'<div class="nnbook-solution-body">{_block_markup(self.solution)}</div></details>'
        )

    def page_html(self) -> str:
        """The exercise as the page shows it: prompt, answer box, variants, worked solution
        (see :mod:`nnbook.exercises._page`; the script and CSS come with the first one shown)."""
        from ._page import render

        return render(self)

    def show(self) -> None:
        """Display the exercise: prompt, answer box (checks without a kernel), worked solution.

        The book's own exercise is shown with numbers that differ from the chapter's worked
        example (the first variant whose numbers differ), and "New numbers" steps through 20
        more (in a live notebook, then on through variants drawn by Python); a variant
        (``variant(seed)``) is shown with its own numbers first.
        """
        from IPython.display import display

        from ._channel import display_once
        from ._page import plain_text

        display_once()  # live: "New numbers" goes on drawing variants from Python (once per kernel)
        display({"text/html": self.page_html(), "text/plain": plain_text(self)}, raw=True)

    def _ipython_display_(self) -> None:
        self.show()


# -- registry -------------------------------------------------------------------------------
def exercise(
    *,
    id: str,
    chapter: str,
    title: str,
    prompt: Text,
    hint: Text,
    solution: Text,
    params: Mapping[str, Any] | None = None,
    draw: Callable[[np.random.Generator], Mapping[str, Any]] | None = None,
    tolerance: float | None = None,
    decimals: int | None = None,
    choices: Iterable[str] | None = None,
    labels: Iterable[str] | None = None,
    unit: str = "",
    mistakes: Iterable[Mistake] = (),
    hints: Iterable[Text] = (),
    objective: str = "",
    difficulty: int = 1,
    minutes: int = 3,
    section: str = "",
) -> Callable[[Callable[..., Any]], ExerciseSpec]:
    """Register the decorated solve function as the answer key of a new exercise.

    The solve function takes the exercise's ``params`` as keyword arguments and returns the
    answer: a number, a sequence of numbers (give ``labels``), or one of ``choices``.
    ``prompt``, ``hint`` and ``solution`` are format strings over the params (plus
    ``{answer}``) or callables taking the params. Use ``$...$`` for math.
    ``decimals=d`` accepts answers rounded to d decimals; ``tolerance`` sets it directly;
    neither means the answer must be exact.

    ``mistakes`` lists the classic slips (:func:`mistake`): an answer equal to a mistake's value
    gets that mistake's message. ``hints`` are further rungs of the hint ladder after ``hint``.
    ``objective``, ``difficulty`` (1-3), ``minutes`` and ``section`` are metadata for
    instructors (shown in the catalog and in the exports).
    """
    if not isinstance(id, str) or not _ID_PATTERN.match(id):
        raise ValueError(f"exercise id must be lower-case words joined by '-', got {id!r}")
    if decimals is not None and tolerance is not None:
        raise ValueError("give either decimals or tolerance, not both")
    if difficulty not in (1, 2, 3):
        raise ValueError(f"difficulty must be 1, 2 or 3, got {difficulty!r}")
    mistakes = tuple(mistakes)
    if not all(isinstance(m, Mistake) for m in mistakes):
        raise TypeError("mistakes must be made with nnbook.exercises.mistake(name, compute, message)")

    def register(solve: Callable[..., Any]) -> ExerciseSpec:
        if id in _REGISTRY:
            raise ValueError(f"duplicate exercise id {id!r}")
        kind = "choice" if choices is not None else ("numbers" if labels is not None else "number")
        spec = ExerciseSpec(
            id=id,
            chapter=chapter,
            title=title,
            prompt=prompt,
            solve=solve,
            params=dict(params or {}),
            hint=hint,
            solution=solution,
            draw=draw,
            tolerance=tolerance,
            decimals=decimals,
            choices=tuple(choices) if choices is not None else None,
            labels=tuple(labels) if labels is not None else None,
            unit=unit,
            kind=kind,
            mistakes=mistakes,
            hints=tuple(hints),
            objective=objective,
            difficulty=difficulty,
            minutes=minutes,
            section=section,
        )
        _REGISTRY[id] = spec
        return spec

    return register


def _load_all() -> None:
    """Import every chapter's exercise module so that the registry is complete."""
    import importlib
    import pkgutil

    from . import __path__ as package_path

    for module in pkgutil.iter_modules(package_path):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__package__}.{module.name}")


class UnknownExerciseError(KeyError, ValueError):
    """No exercise has that id (a ``KeyError`` for lookups, a ``ValueError`` for bad input)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def catalog(chapter: str | None = None) -> list[Exercise]:
    """Every exercise (with the book's numbers), optionally only one chapter's.

    >>> [ex.id for ex in catalog("intro")]
    ['intro-output-length']
    """
    _load_all()
    specs = list(_REGISTRY.values())
    if chapter is not None:
        chapters = sorted({s.chapter for s in specs})
        if not isinstance(chapter, str) or chapter not in chapters:
            raise ValueError(f"no chapter {chapter!r}; the chapters are: {', '.join(chapters)}")
        specs = [s for s in specs if s.chapter == chapter]
    return [s.instance(s.params, None) for s in specs]


def get(exercise_id: str) -> Exercise:
    """The exercise with this id, with the book's numbers."""
    _load_all()
    try:
        spec = _REGISTRY[exercise_id]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise UnknownExerciseError(f"no exercise {exercise_id!r}; known exercises: {known}") from None
    return spec.instance(spec.params, None)


def check(exercise_id: str, answer: Any, seed: int | None = None, attempt: int = 1) -> CheckResult:
    """Check ``answer`` to an exercise (the book's numbers, or the variant drawn from ``seed``).

    Never raises: an unknown id, a bad seed or an unreadable answer gets a result whose
    message says what was wrong. A wrong answer gets hint number ``attempt`` of the
    exercise's ladder (then the worked solution), as the page's box does on each try.

    >>> check("intro-output-length", 4)
    CheckResult(correct=True, message='Correct!')
    >>> check("intro-output-lenght", 4).message  # doctest: +ELLIPSIS
    "There is no exercise 'intro-output-lenght'. Did you mean 'intro-output-length'? ..."
    """
    _load_all()
    if not isinstance(exercise_id, str) or exercise_id not in _REGISTRY:
        close = difflib.get_close_matches(str(exercise_id), list(_REGISTRY), n=1)
        maybe = f" Did you mean {close[0]!r}?" if close else ""
        return CheckResult(False, f"There is no exercise {exercise_id!r}.{maybe} "
                                  "exercises.catalog() lists them all.")
    ex = get(exercise_id)
    if seed is not None:
        if ex._spec.draw is None:
            return CheckResult(False, f"Exercise {exercise_id!r} has no numeric variants: check it without a seed.")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            return CheckResult(False, f"The seed must be a non-negative integer (as shown under the exercise), "
                                      f"got {seed!r}.")
        try:
            ex = ex.variant(int(seed))
        except (ValueError, TypeError, RuntimeError) as exc:
            return CheckResult(False, f"I could not make variant {seed!r}: {exc}")
    return ex.check(answer, attempt)


def show(exercise_id: str, seed: int | None = None) -> None:
    """Display an exercise in a notebook (the book's numbers, or a variant)."""
    ex = get(exercise_id)
    (ex if seed is None else ex.variant(seed)).show()


def handout(
    exercise_ids: Iterable[str] | None = None,
    *,
    chapter: str | None = None,
    seed: int | None = None,
    answers: bool = False,
) -> str:
    """A Markdown worksheet of exercises, for printing or for an LMS.

    With ``seed``, every exercise that has numbers is replaced by its variant for that seed
    (so each student can get their own sheet, e.g. seeded by student number); with
    ``answers=True`` an answer key with worked solutions follows the questions.

    >>> sheet = handout(["intro-output-length"], seed=7, answers=True)
    >>> sheet.splitlines()[0]
    '# Exercises (variant 7)'
    """
    if exercise_ids is None:
        chosen = catalog(chapter)
    else:
        chosen = [get(i) for i in exercise_ids]
        if chapter is not None:
            chosen = [ex for ex in chosen if ex.chapter == chapter]
    if not chosen:
        raise ValueError("no exercises selected: check the ids or the chapter name")
    if seed is not None:
        chosen = [ex.variant(seed) if ex._spec.draw is not None else ex for ex in chosen]
    title = "# Exercises" + (f" (variant {seed})" if seed is not None else "")
    lines = [title, ""]
    for number, ex in enumerate(chosen, 1):
        lines += [f"## {number}. {ex.title}", "", ex.prompt, ""]
        if ex.kind == "choice":
            lines += [f"- {c}" for c in ex.choices or ()] + [""]
    if answers:
        lines += ["# Answer key", ""]
        for number, ex in enumerate(chosen, 1):
            shown = _display_answer(ex.answer, ex._spec.decimals)
            lines += [f"## {number}. {ex.title}: {shown}", "", ex.solution, ""]
    return "\n".join(lines).rstrip() + "\n"


# -- helpers --------------------------------------------------------------------------------
def _stable_hash(text: str) -> int:
    """A hash of ``text`` that does not change between Python runs (unlike ``hash``)."""
    h = 2166136261
    for byte in text.encode():
        h = ((h ^ byte) * 16777619) % 2**32
    return h


def _normalise_answer(spec: ExerciseSpec, value: Any) -> Any:
    if spec.kind == "choice":
        if value not in (spec.choices or ()):
            raise ValueError(f"exercise {spec.id!r}: solve returned {value!r}, not one of its choices")
        return value
    if spec.kind == "numbers":
        values = tuple(_to_python_number(v) for v in np.ravel(np.asarray(value, dtype=object)))
        if spec.labels is not None and len(values) != len(spec.labels):
            raise ValueError(f"exercise {spec.id!r}: {len(values)} answers for {len(spec.labels)} labels")
        return values
    return _to_python_number(value)


def _to_python_number(value: Any) -> int | float:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"an exercise answer must be a number, got {value!r}")
    if isinstance(value, (int, np.integer)):
        return int(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"an exercise answer must be finite, got {number}")
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _display_answer(answer: Any, decimals: int | None) -> str:
    def one(v: Any) -> str:
        if isinstance(v, float) and decimals is not None:
            return f"{v:.{decimals}f}"
        if isinstance(v, float):
            return f"{v:.6g}"
        return str(v)

    if isinstance(answer, tuple):
        return "(" + ", ".join(one(v) for v in answer) + ")"
    return one(answer)


def _plural(count: int) -> str:
    return "a number" if count == 1 else f"{count} numbers"


_MATH_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_MATH_INLINE = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?![\s*])([^*]+?)(?<!\s)\*(?![*\w])")


def _inline_markup(text: str) -> str:
    """A tiny markup for exercise texts: $math$, $$display math$$, `code`, **bold**, *italic*.

    Texts given as format strings go through ``str.format`` first, so literal braces (LaTeX
    ``v_{-1}``) must be doubled there (``v_{{-1}}``); callables avoid that.

    Math becomes \\( \\) / \\[ \\] so that MathJax typesets it in JupyterLab and in the
    built book alike.
    """
    pieces: list[str] = []

    def keep(s: str) -> str:
        pieces.append(s)
        return f"\x00{len(pieces) - 1}\x00"

    text = _MATH_DISPLAY.sub(lambda m: keep(r"\[" + html.escape(m.group(1), quote=False) + r"\]"), text)
    text = _MATH_INLINE.sub(lambda m: keep(r"\(" + html.escape(m.group(1), quote=False) + r"\)"), text)
    text = _CODE.sub(lambda m: keep("<code>" + html.escape(m.group(1)) + "</code>"), text)
    text = html.escape(text, quote=False)
    text = _BOLD.sub(r"<b>\1</b>", text)
    text = _ITALIC.sub(r"<i>\1</i>", text)
    return re.sub("\x00(\\d+)\x00", lambda m: pieces[int(m.group(1))], text)


def _block_markup(text: str) -> str:
    """Paragraphs (blank-line separated) of :func:`_inline_markup` text; single newlines break lines."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join("<p>" + _inline_markup(p).replace("\n", "<br>\n") + "</p>" for p in paragraphs)
