"""The instructor kit: every export parsed back and compared with nnbook, as an LMS would read it."""

from __future__ import annotations

import csv
import io
import pathlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

import pytest

from nnbook import exercises
from nnbook.handout import HandoutError, Sheet, export, read_roster, select, student_seed
from nnbook.handout.__main__ import main
from nnbook.handout._core import parts, sheets_for
from nnbook.handout._markup import inline_html
from nnbook.handout.markdown import key, worksheet
from nnbook.handout.qti import canvas_scale

ROSTER = "id,name\ns001,Ada Lovelace\ns002,Alan Turing\ns003,Grace Hopper\n"
SECRET = "nnbook course secret"
# one exercise of every kind: a single number, several numbers, multiple choice, a trace
IDS = ["intro-output-length", "conv-1d-full", "conv-which-convention", "autodiff-baydin-primal",
       "softmax-log-prob-gradient"]


@pytest.fixture(scope="module")
def sheets():
    return sheets_for(select(exercise_ids=IDS), roster=read_roster(ROSTER), secret=SECRET)


def test_each_student_gets_their_own_seeded_variants(sheets):
    assert [s.student.id for s in sheets] == ["s001", "s002", "s003"]
    assert len({s.seed for s in sheets}) == 3
    for sheet in sheets:
        assert sheet.seed == student_seed(sheet.student.id, SECRET)
        for ex in sheet.exercises:
            book = exercises.get(ex.id)
            if book._spec.draw is not None:
                assert ex.params == book.variant(sheet.seed).params
    assert student_seed("s001", "another secret") != sheets[0].seed


def test_markdown_has_name_field_and_hard_line_breaks(sheets):
    sheet = sheets[0]
    text = worksheet(sheet)
    assert "Name: ___" in text and "Ada Lovelace" in text
    assert str(sheet.seed) not in text  # the seed is printed nowhere on the student's copy
    trace = next(ex for ex in sheet.exercises if ex.id == "autodiff-baydin-primal")
    assert "$v_{1} = \\ln(v_{-1})$\\\n$v_{2}" in text or "\\\n" in text
    assert trace.title in text
    answer_key = key(sheet)
    assert f"Seed: {sheet.seed}" in answer_key
    for ex in sheet.exercises:
        for part in parts(ex):
            assert part.shown() in answer_key


def test_csv_rows_equal_nnbook_answers(sheets, tmp_path):
    export(sheets, "csv", tmp_path)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "answers.csv").read_text())))
    by_student = {s.student.id: s for s in sheets}
    assert len(rows) == sum(len(parts(ex)) for s in sheets for ex in s.exercises)
    for row in rows:
        sheet = by_student[row["student_id"]]
        assert int(row["seed"]) == sheet.seed
        ex = sheet.exercises[int(row["number"]) - 1]
        assert ex.id == row["exercise"]
        if ex.kind == "choice":
            assert row["answer"] == ex.answer
            continue
        value = float(row["answer"])
        assert float(row["low"]) <= value <= float(row["high"])
        if ex.kind == "number":
            assert ex.check(value)
        part = next(p for p in parts(ex) if p.label == row["part"])
        assert value == part.value


def test_moodle_xml_structure_and_answers(sheets, tmp_path):
    export(sheets, "moodle", tmp_path)
    root = ET.parse(tmp_path / "moodle.xml").getroot()
    assert root.tag == "quiz"
    questions = list(root)
    categories = [q for q in questions if q.get("type") == "category"]
    assert [c.find("category/text").text.rsplit("/", 1)[1] for c in categories] == IDS
    real = [q for q in questions if q.get("type") != "category"]
    assert len(real) == len(IDS) * len(sheets)
    for q in real:
        exercise_id, student_id = q.find("name/text").text.split(" / ")
        sheet = next(s for s in sheets if s.student.id == student_id)
        ex = next(e for e in sheet.exercises if e.id == exercise_id)
        assert str(sheet.seed) not in q.find("questiontext/text").text
        kind = q.get("type")
        if ex.kind == "choice":
            assert kind == "multichoice"
            right = [a for a in q.findall("answer") if a.get("fraction") == "100"]
            assert len(right) == 1 and right[0].find("text").text == inline_html(ex.answer)
        elif ex.kind == "number":
            assert kind == "numerical"
            first = q.findall("answer")[0]
            assert first.get("fraction") == "100"
            assert float(first.find("text").text) == pytest.approx(ex.answer)
            assert float(first.find("tolerance").text) == pytest.approx(parts(ex)[0].tolerance)
            named = {float(a.find("text").text) for a in q.findall("answer")[1:] if a.find("text").text != "*"}
            assert named == {float(v) for _, v, _ in ex.mistake_values()}
        else:
            assert kind == "cloze"
            blanks = re.findall(r"\{1:NUMERICAL:=([^:]+):([^}]+)\}", q.find("questiontext/text").text)
            assert [(float(v), float(t)) for v, t in blanks] == [(p.value, p.tolerance) for p in parts(ex)]


def test_qti_package_manifest_items_and_ranges(sheets, tmp_path):
    export(sheets, "qti", tmp_path)
    with zipfile.ZipFile(tmp_path / "canvas-qti.zip") as zf:
        names = zf.namelist()
        manifest = ET.fromstring(zf.read("imsmanifest.xml"))
        ns = {"m": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"}
        href = manifest.find("m:resources/m:resource/m:file", ns).get("href")
        assert href in names
        quiz = ET.fromstring(zf.read(href))
    q = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
    groups = quiz.findall("q:assessment/q:section/q:section", q)
    assert len(groups) == len(IDS)
    for group, first in zip(groups, sheets[0].exercises):
        items = group.findall("q:item", q)
        per_student = len(items) // len(sheets)
        assert group.find("q:selection_ordering/q:selection/q:selection_number", q).text == str(per_student)
        for i, item in enumerate(items):
            sheet = sheets[i // per_student]
            ex = sheet.exercises[IDS.index(first.id)]
            qtype = item.find(".//q:qtimetadatafield[q:fieldlabel='question_type']/q:fieldentry", q).text
            if ex.kind == "choice":
                assert qtype == "multiple_choice_question"
                continue
            assert qtype == "numerical_question"
            part = parts(ex)[i % per_student]
            k = canvas_scale(part)
            low = float(item.find(".//q:vargte", q).text)
            high = float(item.find(".//q:varlte", q).text)
            assert low <= part.value * 10**k <= high
            # the range survives Canvas's 4-decimal rounding
            assert round(low, 4) <= part.value * 10**k <= round(high, 4) or part.tolerance == 0


def test_small_answers_are_scaled_for_canvas():
    from nnbook.handout._core import Part

    assert canvas_scale(Part("", 3e-5, 5e-7)) == 3
    assert canvas_scale(Part("", 12, 0.0)) == 0


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.skipif(not pathlib.Path("/usr/bin/chromium").exists(), reason="Chromium is not installed")
def test_pdf_worksheets_and_key_contain_each_students_numbers(sheets, tmp_path):
    small = [Sheet(s.student, s.seed, s.exercises[:2]) for s in sheets[:2]]
    written = export(small, "pdf", tmp_path)
    assert sorted(p.name for p in written) == ["answer-key.pdf", "s001.pdf", "s002.pdf"]

    def text(name):
        return subprocess.run(["pdftotext", "-layout", str(tmp_path / name), "-"], capture_output=True,
                              text=True, check=True).stdout

    key_text = text("answer-key.pdf")
    for sheet in small:
        sheet_text = text(f"{sheet.student.id}.pdf")
        assert "Name" in sheet_text and sheet.student.name in sheet_text
        assert str(sheet.seed) not in sheet_text
        intro = sheet.exercises[0]
        for value in intro.params.values():
            assert str(value) in sheet_text
        assert str(sheet.seed) in key_text
        for ex in sheet.exercises:
            for part in parts(ex):
                assert part.shown() in key_text.replace("−", "-")


@pytest.mark.skipif(not pathlib.Path("/usr/bin/chromium").exists(), reason="Chromium is not installed")
def test_pdf_prints_inside_a_running_event_loop(sheets, tmp_path):
    # A Jupyter kernel (and a browser test's Playwright) runs an asyncio loop in the calling
    # thread, where Playwright's sync API refuses to start: CI failed this way once.
    import asyncio

    one = [Sheet(sheets[0].student, sheets[0].seed, sheets[0].exercises[:1])]

    async def from_a_notebook_cell():
        return export(one, "pdf", tmp_path)

    try:
        asyncio.get_running_loop()
        running = True  # after the browser tests, their session Playwright runs a loop in this thread
    except RuntimeError:
        running = False
    written = export(one, "pdf", tmp_path) if running else asyncio.run(from_a_notebook_cell())
    assert sorted(p.name for p in written) == ["answer-key.pdf", "s001.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in written)


@pytest.mark.parametrize("fmt", ["markdown", "csv", "moodle", "qti"])
def test_same_roster_and_secret_give_identical_bytes(fmt, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    outs = []
    for run in ("a", "b"):
        out = tmp_path / run
        assert main(["--exercises", ",".join(IDS), "--roster", str(roster), "--secret", SECRET,
                     "--format", fmt, "--out", str(out)]) == 0
        outs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outs[0] == outs[1] and outs[0]


@pytest.mark.parametrize(
    "roster, args, message",
    [
        ("name\nAda\n", [], "no id column"),
        ("id\ns1\ns1\n", [], "duplicate ids"),
        ("id\n\n", [], "header but no students"),
        ("id,name\ns1,Ada\n", ["--chapter", "convolutions"], "unknown chapter"),
        ("id,name\ns1,Ada\n", ["--exercises", "no-such-exercise"], "unknown exercise"),
        ("id,name\ns1,Ada\n", ["--exercises", " , "], "is empty"),
        ("id,name\ns1,Ada\n", ["--chapter", "conv", "--no-secret"], "needs --secret"),
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(roster, args, message, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_text(roster)
    out = tmp_path / "out"
    argv = ["--roster", str(path), "--out", str(out), "--format", "csv"]
    if "--no-secret" in args:
        args = [a for a in args if a != "--no-secret"]
    else:
        argv += ["--secret", SECRET]
    if not any(a in args for a in ("--chapter", "--exercises")):
        argv += ["--chapter", "intro"]
    assert main(argv + args) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".nnbook-handout-")]


def test_no_selection_is_refused():
    with pytest.raises(HandoutError, match="no exercises selected"):
        select()


def test_console_script_and_module_run(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "nnbook.handout", "--list"], capture_output=True, text=True)
    assert proc.returncode == 0 and "intro-output-length" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "nnbook.handout", "--chapter", "intro", "--seed", "3",
                           "--out", str(tmp_path / "md")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "md" / "seed-3.md").is_file() and (tmp_path / "md" / "seed-3-key.md").is_file()
