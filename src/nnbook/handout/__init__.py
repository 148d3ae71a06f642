"""The instructor kit: a different variant set for every student, in the formats a course runs on.

One selection of exercises, one seed per student, many exports::

    python -m nnbook.handout --chapter conv --roster roster.csv --secret "course 2026" \\
        --format pdf --out handouts/

Formats (one module each): ``markdown`` (a worksheet and a key per student, pandoc-safe), ``csv``
(student, seed, exercise, answer and accepted range, for grading by hand or script), ``moodle``
(Moodle XML: one question category per exercise holding every student's variant), ``qti`` (a
Canvas-importable QTI 1.2 zip; numeric answers as ranges) and ``pdf`` (a printable worksheet per
student with a name field and space to work, plus one answer key with worked solutions; math typeset
by the book's own MathJax in headless Chromium).

A student's seed comes from their id and the course secret (:func:`student_seed`), so the same
roster and secret always give the same exports, byte for byte, and the seed is printed only in
the key and the CSV, never on the student's sheet.

>>> from nnbook.handout import student_seed, Sheet, select
>>> student_seed("s001", "course secret") == student_seed("s001", "course secret")
True
>>> sheet = Sheet.for_student("s001", select(exercise_ids=["intro-output-length"]), "course secret")
>>> sheet.exercises[0].seed == sheet.seed
True
"""

from ._core import (
    FORMATS,
    HandoutError,
    Sheet,
    Student,
    export,
    read_roster,
    select,
    student_seed,
)

__all__ = ["FORMATS", "HandoutError", "Sheet", "Student", "export", "read_roster", "select", "student_seed"]
