"""Moodle XML: one question category per exercise, holding every student's variant.

Single numbers become ``numerical`` questions (the accepted tolerance, and each named mistake as a
0 % answer whose feedback says what the slip was), several numbers a ``cloze`` question with one
NUMERICAL blank per part, and multiple choice a ``multichoice`` question. Math is written as
``\\( \\)``, which Moodle's MathJax filter typesets. Import: Question bank → Import → Moodle XML.
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence
from xml.sax.saxutils import escape

from ..exercises import Exercise
from ._core import Part, Sheet, parts
from ._markup import block_html, inline_html

CATEGORY_ROOT = "$course$/top/nnbook"


def _text(tag: str, html: str, fmt: str = "html") -> str:
    return f'<{tag} format="{fmt}"><text><![CDATA[{html}]]></text></{tag}>'


def _number(value: float | int) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _question(ex: Exercise, sheet: Sheet, number: int) -> str:
    name = f"{ex.id} / {sheet.student.id}"
    prompt = block_html(ex.prompt)
    head = f"<name><text>{escape(name)}</text></name>" + _text("questiontext", prompt)
    feedback = _text("generalfeedback", "<p><b>Worked solution</b></p>" + block_html(ex.solution))
    answers = parts(ex)
    if ex.kind == "choice":
        options = []
        mistakes = {str(v): msg for _, v, msg in ex.mistake_values()}
        for choice in ex.choices or ():
            right = choice == ex.answer
            note = "Correct!" if right else mistakes.get(choice, "Not quite. Hint: " + ex.hint)
            options.append(
                f'<answer fraction="{100 if right else 0}" format="html"><text><![CDATA[{inline_html(choice)}]]>'
                f"</text>{_text('feedback', inline_html(note))}</answer>"
            )
        return (f'<question type="multichoice">{head}{feedback}<defaultgrade>1</defaultgrade>'
                "<single>true</single><shuffleanswers>false</shuffleanswers><answernumbering>abc</answernumbering>"
                + "".join(options) + "</question>")
    if ex.kind == "number":
        part = answers[0]
        rows = [_numerical_answer(part.value, part.tolerance, 100, "Correct!")]
        for _, value, message in ex.mistake_values():
            rows.append(_numerical_answer(value, part.tolerance, 0, message))
        rows.append('<answer fraction="0"><text>*</text><tolerance>0</tolerance>'
                    + _text("feedback", inline_html("Not quite. Hint: " + ex.hint)) + "</answer>")
        return (f'<question type="numerical">{head}{feedback}<defaultgrade>1</defaultgrade>'
                + "".join(rows) + "<unitgradingtype>0</unitgradingtype><showunits>3</showunits></question>")
    blanks = "".join(f"<p>{inline_html(p.label)}: {_cloze_blank(p)}</p>" for p in answers)
    head = f"<name><text>{escape(name)}</text></name>" + _text("questiontext", prompt + blanks)
    return f'<question type="cloze">{head}{feedback}</question>'


def _numerical_answer(value: float | int, tolerance: float, fraction: int, note: str) -> str:
    return (f'<answer fraction="{fraction}"><text>{_number(value)}</text><tolerance>{_number(tolerance)}</tolerance>'
            + _text("feedback", inline_html(note)) + "</answer>")


def _cloze_blank(part: Part) -> str:
    return f"{{1:NUMERICAL:={_number(part.value)}:{_number(part.tolerance)}}}"


def quiz_xml(sheets: Sequence[Sheet]) -> str:
    """The Moodle XML text: a category per exercise, then each student's variant of it.

    >>> from nnbook.handout import Sheet, select
    >>> xml = quiz_xml([Sheet.for_seed(1, select(exercise_ids=["intro-output-length"]))])
    >>> xml.count('<question type="numerical">')
    1"""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for index, first in enumerate(sheets[0].exercises):
        category = f"{CATEGORY_ROOT}/{first.chapter}/{first.id}"
        out.append(f'<question type="category"><category><text>{escape(category)}</text></category>'
                   f"<info format=\"html\"><text><![CDATA[{escape(first.title)}"
                   + (f": {escape(first.objective)}" if first.objective else "") + "]]></text></info></question>")
        for sheet in sheets:
            out.append(_question(sheet.exercises[index], sheet, index + 1))
    out.append("</quiz>")
    return "\n".join(out) + "\n"


def write(sheets: Sequence[Sheet], out: pathlib.Path) -> list[pathlib.Path]:
    path = out / "moodle.xml"
    path.write_text(quiz_xml(sheets), encoding="utf-8")
    return [path]
