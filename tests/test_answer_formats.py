"""One reading of answers in both places: the Python reader and the page's script on ONE table.

``tests/data/answer_formats.json`` lists typed answers and what they must read as. The Python
reader (``nnbook.exercises._answers``) and the page's script (``static/exercises.js``, run in
an embedded V8 from the ``mini-racer`` package; no node, no browser) must both give exactly
that, and must agree with each other on many more generated inputs (values bit for bit, error
codes and messages word for word).
"""

from __future__ import annotations

import json
import math
import pathlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.exercises._answers import read_answer

ROOT = pathlib.Path(__file__).resolve().parents[1]
TABLE = json.loads((ROOT / "tests" / "data" / "answer_formats.json").read_text(encoding="utf-8"))["cases"]
SCRIPT = ROOT / "src" / "nnbook" / "exercises" / "static" / "exercises.js"


@pytest.fixture(scope="module")
def js():
    mini_racer = pytest.importorskip("py_mini_racer")
    ctx = mini_racer.MiniRacer()
    ctx.eval(SCRIPT.read_text(encoding="utf-8"))
    return lambda text, count, percent: ctx.call("nnbookAnswers.readAnswer", text, count, percent)


def python(text, count, percent):
    r = read_answer(text, count, percent)
    return {"ok": r.ok, "values": list(r.values), "code": r.code, "message": r.message}


def _agrees_with_table(case, got):
    if "error" in case:
        return not got["ok"] and got["code"] == case["error"] and got["message"]
    return got["ok"] and len(got["values"]) == len(case["values"]) and all(
        math.isclose(a, b, rel_tol=1e-15, abs_tol=0) or a == b for a, b in zip(got["values"], case["values"]))


def _case_id(case):
    return f"{case['text'][:30]!r}-{case['count']}{'-%' if case['percent'] else ''}"


@pytest.mark.parametrize("case", TABLE, ids=_case_id)
def test_python_reads_the_table(case):
    got = python(case["text"], case["count"], case["percent"])
    assert _agrees_with_table(case, got), (case, got)


@pytest.mark.parametrize("case", TABLE, ids=_case_id)
def test_page_script_reads_the_table(js, case):
    got = js(case["text"], case["count"], case["percent"])
    assert _agrees_with_table(case, got), (case, got)


def _same(a, b):
    return a["ok"] == b["ok"] and a["code"] == b["code"] and a["message"] == b["message"] and (
        len(a["values"]) == len(b["values"]) and all(x == y for x, y in zip(a["values"], b["values"])))


def test_table_covers_every_outcome_and_both_modes():
    codes = {c.get("error", "ok") for c in TABLE}
    assert codes == {"ok", "empty", "unreadable", "percent", "zero-division", "too-large", "count"}
    assert {c["count"] > 1 for c in TABLE} == {True, False}


def test_zero_disagreements_on_the_table(js):
    disagreements = [c["text"] for c in TABLE if not _same(python(c["text"], c["count"], c["percent"]),
                                                           js(c["text"], c["count"], c["percent"]))]
    assert disagreements == []


ALPHABET = "0123456789" * 3 + " ,.;/%-+eExX×()[]{}^−\u00a0·*a"


def _generated(n=3000, seed=7):
    rng = random.Random(seed)
    pieces = ["1,644,800", "0,24", "1/81", "2.5e-3", "24%", "(4, 4)", "4x4", "−3", "1 644", "10^-3", "0.5; 0,25"]
    out = []
    for _ in range(n):
        if rng.random() < 0.3:
            text = rng.choice(pieces) + rng.choice(["", " ", ",", ", ", ";", "x"]) + rng.choice(pieces + [""])
        else:
            text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
        out.append((text, rng.choice([1, 1, 2, 3, 5]), rng.random() < 0.5))
    return out


def test_zero_disagreements_on_generated_answers(js):
    """3,000 generated answers (random text over the characters the rules care about, and
    combinations of the formats): both readers agree on every one."""
    disagreements = [(t, c, p) for t, c, p in _generated() if not _same(python(t, c, p), js(t, c, p))]
    assert disagreements == [], disagreements[:10]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.integers(1, 6), st.booleans())
def test_any_text_gets_a_reading_never_an_exception(text, count, percent):
    r = read_answer(text, count, percent)
    assert r.ok == (r.code == "") and (r.ok or r.message)
    if r.ok:
        assert len(r.values) == count and all(math.isfinite(v) for v in r.values)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_python_repr_of_any_float_reads_back_exactly(x):
    assert read_answer(repr(x)).values == (x,)
