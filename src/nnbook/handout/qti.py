"""A Canvas-importable QTI 1.2 package: one quiz, one question group per exercise.

Each group holds every student's variant of the exercise and Canvas picks one per attempt. Numeric
answers are given as ranges [low, high]. Canvas keeps 4 decimals of a numeric answer (values below
1e-4 round to zero), so a part whose range would not survive that rounding asks for the answer
times a power of ten instead, and says so in the question. Several numbers become one numerical
question per part. Import: Course → Settings → Import Course Content → QTI .zip file.
"""

from __future__ import annotations

import hashlib
import math
import pathlib
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from ..exercises import Exercise
from ._core import Part, Sheet, parts
from ._markup import block_html, inline_html

CANVAS_DECIMALS = 4
MAX_SCALE = 12
_ZIP_DATE = (2026, 1, 1, 0, 0, 0)


def canvas_scale(part: Part) -> int:
    """The power of ten k such that the range of ``part`` × 10**k survives Canvas's 4-decimal rounding.

    >>> canvas_scale(Part("", 0.24, 0.005)), canvas_scale(Part("", 3e-05, 5e-07))
    (0, 3)
    """
    if part.is_choice:
        return 0
    for k in range(MAX_SCALE + 1):
        scaled = part.value * 10.0**k
        # with a half-width of at least 1e-4 the rounded bounds still hold the answer and the
        # accepted range grows by at most half; an exact answer with at most 4 decimals (12,
        # 0.25, -1.5) survives the rounding as it is
        if part.tolerance * 10.0**k >= 10.0**-CANVAS_DECIMALS * (1 - 1e-9):
            return k
        exact = part.tolerance <= 1e-9 * max(1.0, abs(part.value))
        if exact and abs(scaled * 10**CANVAS_DECIMALS - round(scaled * 10**CANVAS_DECIMALS)) < 1e-6 * max(1.0, abs(scaled)):
            return k
    raise ValueError(f"the answer {part.value!r} ± {part.tolerance!r} cannot be given to Canvas with 4 decimals")


def _ident(*pieces: object) -> str:
    return "i" + hashlib.sha256("/".join(map(str, pieces)).encode()).hexdigest()[:24]


def _material(html: str) -> str:
    return f'<material><mattext texttype="text/html">{escape(html)}</mattext></material>'


def _meta(question_type: str, points: float = 1.0) -> str:
    return ("<itemmetadata><qtimetadata>"
            f"<qtimetadatafield><fieldlabel>question_type</fieldlabel><fieldentry>{question_type}</fieldentry></qtimetadatafield>"
            f"<qtimetadatafield><fieldlabel>points_possible</fieldlabel><fieldentry>{points}</fieldentry></qtimetadatafield>"
            "</qtimetadata></itemmetadata>")


def _feedback(ident: str, html: str) -> str:
    return f'<itemfeedback ident="{ident}">{_material(html)}</itemfeedback>'


def _items(ex: Exercise, sheet: Sheet) -> list[str]:
    base = _ident(ex.id, sheet.student.id)
    prompt = block_html(ex.prompt)
    solution = _feedback("general_fb", "<p><b>Worked solution</b></p>" + block_html(ex.solution))
    title = quoteattr(f"{ex.title} ({sheet.student.id})")
    if ex.kind == "choice":
        labels = "".join(f'<response_label ident="c{i}">{_material(inline_html(c))}</response_label>'
                         for i, c in enumerate(ex.choices or ()))
        right = (ex.choices or ()).index(ex.answer)
        return [
            f"<item ident=\"{base}\" title={title}>{_meta('multiple_choice_question')}"
            f'<presentation>{_material(prompt)}<response_lid ident="response1" rcardinality="Single">'
            f"<render_choice>{labels}</render_choice></response_lid></presentation>"
            '<resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>'
            '<respcondition continue="Yes"><conditionvar><other/></conditionvar>'
            '<displayfeedback feedbacktype="Response" linkrefid="general_fb"/></respcondition>'
            f'<respcondition continue="No"><conditionvar><varequal respident="response1">c{right}</varequal>'
            '</conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition></resprocessing>'
            f"{solution}</item>"
        ]
    items = []
    for i, part in enumerate(parts(ex)):
        k = canvas_scale(part)
        scale = 10**k
        ask = ""
        if part.label:
            ask += f"<p>Give {inline_html(part.label)}.</p>"
        if k:
            ask += f"<p>Enter your answer multiplied by 10<sup>{k}</sup> (Canvas keeps 4 decimals).</p>"
        low, high = _scaled(part.low, scale), _scaled(part.high, scale)
        items.append(
            f"<item ident=\"{base}p{i}\" title={title}>{_meta('numerical_question')}"
            f'<presentation>{_material(prompt + ask)}<response_str ident="response1" rcardinality="Single">'
            '<render_fib fibtype="Decimal"><response_label ident="answer1"/></render_fib></response_str></presentation>'
            '<resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>'
            '<respcondition continue="Yes"><conditionvar><other/></conditionvar>'
            '<displayfeedback feedbacktype="Response" linkrefid="general_fb"/></respcondition>'
            '<respcondition continue="No"><conditionvar>'
            f'<vargte respident="response1">{low}</vargte><varlte respident="response1">{high}</varlte>'
            '</conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition></resprocessing>'
            f"{solution}</item>"
        )
    return items


def _scaled(value: float, scale: int) -> str:
    scaled = value * scale
    if isinstance(value, int) and scale == 1:
        return str(value)
    if math.isclose(scaled, round(scaled), abs_tol=1e-12):
        return str(int(round(scaled)))
    return repr(scaled)


def assessment_xml(sheets: Sequence[Sheet], quiz_id: str, title: str) -> str:
    groups = []
    for index, first in enumerate(sheets[0].exercises):
        items = "".join(item for sheet in sheets for item in _items(sheet.exercises[index], sheet))
        per_student = len(_items(first, sheets[0]))
        groups.append(
            f'<section ident="{_ident(quiz_id, first.id)}" title={quoteattr(f"{index + 1}. {first.title}")}>'
            f"<selection_ordering><selection><selection_number>{per_student}</selection_number>"
            '<selection_extension><points_per_item>1.0</points_per_item></selection_extension></selection>'
            f"</selection_ordering>{items}</section>"
        )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">'
            f"<assessment ident=\"{quiz_id}\" title={quoteattr(title)}>"
            "<qtimetadata><qtimetadatafield><fieldlabel>cc_maxattempts</fieldlabel><fieldentry>1</fieldentry>"
            '</qtimetadatafield></qtimetadata><section ident="root_section">'
            + "".join(groups) + "</section></assessment></questestinterop>\n")


def manifest_xml(quiz_id: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<manifest identifier="{quiz_id}_manifest" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">'
            "<metadata><schema>IMS Content</schema><schemaversion>1.1.3</schemaversion></metadata>"
            "<organizations/><resources>"
            f'<resource identifier="{quiz_id}" type="imsqti_xmlv1p2"><file href="{quiz_id}/{quiz_id}.xml"/></resource>'
            "</resources></manifest>\n")


def package(sheets: Sequence[Sheet], title: str = "nnbook exercises") -> bytes:
    """The zip's bytes (fixed dates, so the same sheets always give the same bytes)."""
    import io

    quiz_id = _ident("quiz", *(ex.id for ex in sheets[0].exercises), *(s.student.id for s in sheets))
    files = {"imsmanifest.xml": manifest_xml(quiz_id), f"{quiz_id}/{quiz_id}.xml": assessment_xml(sheets, quiz_id, title)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def write(sheets: Sequence[Sheet], out: pathlib.Path) -> list[pathlib.Path]:
    path = out / "canvas-qti.zip"
    path.write_bytes(package(sheets))
    return [path]
