"""A CSV of every student's answers, with the accepted ranges, for grading by hand or by script."""

from __future__ import annotations

import csv
import io
import pathlib
from collections.abc import Sequence

from ._core import Sheet, format_number, parts

COLUMNS = ["student_id", "name", "seed", "number", "exercise", "part", "answer", "low", "high"]


def table(sheets: Sequence[Sheet]) -> str:
    """The CSV text: one row per gradable answer (a multi-part exercise has one row per part).

    >>> from nnbook.handout import Sheet, select
    >>> print(table([Sheet.for_seed(1, select(exercise_ids=["intro-output-length"]))]).splitlines()[1])
    seed-1,,1,1,intro-output-length,,..."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for sheet in sheets:
        for number, ex in enumerate(sheet.exercises, 1):
            for part in parts(ex):
                if part.is_choice:
                    low = high = part.value
                else:
                    low, high = repr(part.low), repr(part.high)
                writer.writerow([sheet.student.id, sheet.student.name, sheet.seed, number, ex.id, part.label,
                                 part.shown() if part.is_choice else repr(part.value), low, high])
    return buffer.getvalue()


def write(sheets: Sequence[Sheet], out: pathlib.Path) -> list[pathlib.Path]:
    path = out / "answers.csv"
    path.write_text(table(sheets), encoding="utf-8")
    return [path]


__all__ = ["COLUMNS", "format_number", "table", "write"]
