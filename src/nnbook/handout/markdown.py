"""Markdown worksheets and keys that render in pandoc and any CommonMark tool."""

from __future__ import annotations

import pathlib
from collections.abc import Sequence

from ._core import Sheet, parts, safe_name
from ._markup import block_markdown


def worksheet(sheet: Sheet) -> str:
    """One student's worksheet: a name field, numbered questions, and room for each answer.

    >>> from nnbook.handout import Sheet, select
    >>> print(worksheet(Sheet.for_seed(1, select(exercise_ids=["intro-output-length"]))).splitlines()[2])
    Name: ______________________________
    """
    lines = ["# Exercises", "", "Name: ______________________________", ""]
    if sheet.student.name or not sheet.student.id.startswith("seed-"):
        lines += [f"Student: {sheet.student.name or sheet.student.id}", ""]
    for number, ex in enumerate(sheet.exercises, 1):
        lines += [f"## {number}. {ex.title}", "", block_markdown(ex.prompt), ""]
        if ex.kind == "choice":
            lines += [f"- [ ] {c}" for c in ex.choices or ()] + [""]
        else:
            for part in parts(ex):
                label = f"{part.label}: " if part.label else "Answer: "
                lines += [f"{label}______________", ""]
    return "\n".join(lines).rstrip() + "\n"


def key(sheet: Sheet) -> str:
    """The answer key of one student's sheet, with the seed and worked solutions."""
    who = sheet.student.name or sheet.student.id
    lines = [f"# Answer key: {who}", "", f"Seed: {sheet.seed}", ""]
    for number, ex in enumerate(sheet.exercises, 1):
        answers = "; ".join((f"{p.label} = " if p.label else "") + p.shown() for p in parts(ex))
        lines += [f"## {number}. {ex.title}", "", f"**Answer:** {answers}", "", block_markdown(ex.solution), ""]
    return "\n".join(lines).rstrip() + "\n"


def write(sheets: Sequence[Sheet], out: pathlib.Path) -> list[pathlib.Path]:
    written = []
    for sheet in sheets:
        name = safe_name(sheet.student.id)
        for suffix, text in (("", worksheet(sheet)), ("-key", key(sheet))):
            path = out / f"{name}{suffix}.md"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
