"""Selection, roster, seeds and answer parts: what every export format shares."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import math
import os
import pathlib
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import exercises
from ..exercises import Exercise

#: Chapter keys as the exercises use them, and the names readers know from the book's files.
CHAPTER_ALIASES = {
    "intro": "intro",
    "softmax": "softmax",
    "conv": "conv",
    "convolution": "conv",
    "sizing": "sizing",
    "cnn_sizing": "sizing",
    "cnn-sizing": "sizing",
    "autodiff": "autodiff",
    "init": "init",
    "init_batchnorm": "init",
    "init-batchnorm": "init",
}
#: The column a roster must have (case and spaces ignored), and the optional name column.
ID_COLUMNS = ("id", "student_id", "studentid", "student")
NAME_COLUMNS = ("name", "student_name", "full_name")
MAX_STUDENTS = 5000


class HandoutError(ValueError):
    """A bad selection, roster or option: the message says what was wrong and what is allowed."""


@dataclass(frozen=True)
class Student:
    """One row of the roster: the id the seed is derived from, and an optional name."""

    id: str
    name: str = ""


@dataclass(frozen=True)
class Part:
    """One gradable answer of an exercise: a number with its accepted range, or a choice.

    >>> Part("", 4, 0.0).low, Part("", 4, 0.0).high
    (4, 4)
    """

    label: str  # "" when the exercise has a single answer
    value: Any  # int, float or (for multiple choice) the right option's text
    tolerance: float
    choices: tuple[str, ...] = ()

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)

    @property
    def low(self) -> Any:
        return self.value if self.is_choice or self.tolerance == 0 else self.value - self.tolerance

    @property
    def high(self) -> Any:
        return self.value if self.is_choice or self.tolerance == 0 else self.value + self.tolerance

    @property
    def decimals(self) -> int | None:
        """Decimals that show the answer at its tolerance (``None``: exact)."""
        if self.is_choice or self.tolerance == 0:
            return None
        return max(0, round(-math.log10(2 * self.tolerance)))

    def shown(self) -> str:
        """The answer as the key prints it."""
        if self.is_choice:
            return str(self.value)
        return format_number(self.value, self.decimals)


def format_number(value: Any, decimals: int | None = None) -> str:
    """A number as the key prints it: integers in full, decimals at the exercise's precision.

    >>> format_number(0.24, 2), format_number(12), format_number(1 / 3)
    ('0.24', '12', '0.333333')
    """
    if isinstance(value, int):
        return str(value)
    if decimals is not None:
        return f"{value:.{decimals}f}"
    return f"{value:.6g}"


def parts(ex: Exercise) -> list[Part]:
    """The gradable answers of one exercise instance, in order.

    >>> [p.value for p in parts(exercises.get("intro-output-length"))]
    [4]
    """
    if ex.kind == "choice":
        return [Part("", ex.answer, 0.0, tuple(ex.choices or ()))]
    tolerances = tuple(ex.tolerances)  # one per component: an exact integer is 0, decimals their own
    if ex.kind == "numbers":
        labels = ex.labels or tuple(f"#{i + 1}" for i in range(len(ex.answer)))
        return [Part(label, v, t) for label, v, t in zip(labels, ex.answer, tolerances)]
    return [Part("", ex.answer, tolerances[0])]


def student_seed(student_id: str, secret: str) -> int:
    """The seed of a student's variants: an HMAC of their id under the course secret (0 to 2**32 - 1).

    Students who know their own seed cannot work out another student's without the secret.

    >>> student_seed("s001", "a") != student_seed("s002", "a")
    True
    """
    if not isinstance(secret, str) or not secret:
        raise HandoutError("a course secret is needed to derive the students' seeds (--secret)")
    digest = hmac.new(secret.encode(), str(student_id).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big")


def select(chapter: str | Sequence[str] | None = None, exercise_ids: Iterable[str] | None = None) -> list[Exercise]:
    """The exercises of a handout: a chapter's (or several), and/or the ones named, in book order.

    >>> [ex.id for ex in select(chapter="intro")]
    ['intro-output-length']
    """
    chapters: list[str] = []
    if chapter:
        for name in [chapter] if isinstance(chapter, str) else list(chapter):
            key = CHAPTER_ALIASES.get(str(name).strip().lower())
            if key is None:
                valid = ", ".join(sorted(set(CHAPTER_ALIASES.values())))
                raise HandoutError(f"unknown chapter {name!r}; the chapters are: {valid}")
            chapters.append(key)
    everything = exercises.catalog()
    known = {ex.id: ex for ex in everything}
    chosen: list[Exercise] = [ex for ex in everything if ex.chapter in chapters]
    if exercise_ids is not None:
        ids = [str(i).strip() for i in exercise_ids if str(i).strip()]
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise HandoutError(
                f"unknown exercise id(s): {', '.join(unknown)}; list them with "
                "`python -m nnbook.handout --list`"
            )
        for i in ids:
            if all(ex.id != i for ex in chosen):
                chosen.append(known[i])
    if not chosen:
        raise HandoutError("no exercises selected: give --chapter and/or --exercises (see --list)")
    return chosen


def read_roster(text: str) -> list[Student]:
    """Students from a roster CSV: an ``id`` column (or ``student_id``), optionally ``name``.

    >>> [s.id for s in read_roster("id,name\\ns1,Ada\\ns2,Alan\\n")]
    ['s1', 's2']
    """
    if not isinstance(text, str):
        raise TypeError(f"the roster must be the text of a CSV file, got {type(text).__name__}")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise HandoutError("the roster is empty: it needs a header row with an 'id' column and one row per student")
    header = [_column_key(h) for h in rows[0]]
    id_col = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    if id_col is None:
        raise HandoutError(
            f"the roster has no id column (its columns are: {', '.join(rows[0]) or 'none'}); "
            "name one of them 'id' or 'student_id'"
        )
    name_col = next((header.index(c) for c in NAME_COLUMNS if c in header), None)
    students: list[Student] = []
    seen: dict[str, int] = {}
    duplicates: list[str] = []
    for line, row in enumerate(rows[1:], start=2):
        sid = row[id_col].strip() if id_col < len(row) else ""
        if not sid:
            raise HandoutError(f"roster line {line} has an empty id")
        if sid in seen:
            duplicates.append(f"{sid!r} (lines {seen[sid]} and {line})")
            continue
        seen[sid] = line
        name = row[name_col].strip() if name_col is not None and name_col < len(row) else ""
        students.append(Student(sid, name))
    if duplicates:
        raise HandoutError("duplicate ids in the roster: " + "; ".join(duplicates))
    if not students:
        raise HandoutError("the roster has a header but no students")
    if len(students) > MAX_STUDENTS:
        raise HandoutError(f"the roster has {len(students)} students; at most {MAX_STUDENTS} per run")
    return students


def _column_key(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split()).replace("student_id", "student_id")


@dataclass(frozen=True)
class Sheet:
    """One student's handout: their seed and their variant of every selected exercise."""

    student: Student
    seed: int
    exercises: tuple[Exercise, ...]

    @classmethod
    def for_seed(cls, seed: int, selection: Sequence[Exercise], student: Student | None = None) -> "Sheet":
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise HandoutError(f"a seed must be a whole number from 0 to 2**63 - 1, got {seed!r}")
        chosen = tuple(ex.variant(seed) if ex._spec.draw is not None else ex for ex in selection)
        return cls(student or Student(f"seed-{seed}"), seed, chosen)

    @classmethod
    def for_student(cls, student: Student | str, selection: Sequence[Exercise], secret: str) -> "Sheet":
        if isinstance(student, str):
            student = Student(student)
        return cls.for_seed(student_seed(student.id, secret), selection, student)


def sheets_for(
    selection: Sequence[Exercise],
    *,
    seed: int | None = None,
    roster: Sequence[Student] | None = None,
    secret: str | None = None,
) -> list[Sheet]:
    """One sheet per student of the roster (seeded from the secret), or one sheet for ``seed``."""
    if roster is not None and seed is not None:
        raise HandoutError("give either --seed (one sheet) or --roster (one sheet per student), not both")
    if roster is not None:
        if not secret:
            raise HandoutError("--roster needs --secret: the students' seeds are derived from it")
        return [Sheet.for_student(s, selection, secret) for s in roster]
    return [Sheet.for_seed(0 if seed is None else seed, selection)]


def safe_name(student_id: str) -> str:
    """A file-name-safe form of a student id.

    >>> safe_name("ada lovelace/1")
    'ada_lovelace_1'
    """
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in student_id).strip("._")
    return cleaned or "student"


Writer = Callable[[Sequence[Sheet], pathlib.Path], list[pathlib.Path]]


def _writers() -> dict[str, Writer]:
    from . import csvfile, markdown, moodle, pdf, qti

    return {"markdown": markdown.write, "csv": csvfile.write, "moodle": moodle.write, "qti": qti.write,
            "pdf": pdf.write}


FORMATS = ("pdf", "moodle", "qti", "markdown", "csv")


def export(sheets: Sequence[Sheet], fmt: str, out: str | os.PathLike) -> list[pathlib.Path]:
    """Write ``sheets`` in format ``fmt`` into the folder ``out``; returns the files written.

    Everything is written to a temporary folder first and moved into ``out`` only when all of it
    succeeded, so a failure writes nothing.

    >>> import tempfile
    >>> sheets = [Sheet.for_seed(1, select(exercise_ids=["intro-output-length"]))]
    >>> [p.name for p in export(sheets, "csv", tempfile.mkdtemp())]
    ['answers.csv']
    """
    if fmt not in FORMATS:
        raise HandoutError(f"unknown format {fmt!r}; the formats are: {', '.join(FORMATS)}")
    if isinstance(sheets, (str, bytes)) or not all(isinstance(s, Sheet) for s in sheets):
        raise TypeError("sheets must be a list of Sheet (from Sheet.for_student or Sheet.for_seed)")
    if not sheets:
        raise HandoutError("nothing to export: no students")
    if not isinstance(out, (str, os.PathLike)) or not str(out):
        raise TypeError(f"out must be a folder path, got {out!r}")
    names = [safe_name(s.student.id) for s in sheets]
    if len(set(names)) != len(names):
        raise HandoutError("two student ids give the same file name; make the ids differ in letters or digits")
    out_dir = pathlib.Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise HandoutError(f"--out {out_dir} is a file, not a folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=".nnbook-handout-") as tmp:
        staged = _writers()[fmt](list(sheets), pathlib.Path(tmp))
        out_dir.mkdir(exist_ok=True)
        written = []
        for path in staged:
            target = out_dir / path.relative_to(tmp)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target)
            written.append(target)
    return written
