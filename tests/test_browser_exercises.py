"""The self-check answer boxes as a reader uses them, in a real browser (headless Chromium).

On every chapter page of the built book (served on 127.0.0.1, and one page from file://), for
a sample of exercises of every kind (one number, several numbers, multiple choice, and every
exercise that declares named mistakes): an empty answer, an unreadable one, the right answer
in three formats, each named mistake (its message shown), a random wrong answer (a hint, then
the next hint, then the worked solution), then "New numbers" and the new variant answered
right; progress survives a reload and resets. Nothing is fetched from outside, no console
error. Then one notebook live in JupyterLab. Skipped without Playwright/Chromium.
"""

from __future__ import annotations

import re

import pytest

from browser import why_no_browser
from browser.cases import CASES
from browser.page_checks import (
    ANSWER, EXERCISES_READY, NEW_NUMBERS, PROGRESS, WAIT_FOR_MATHJAX, PageLog, exercises_on_page, typed,
    typed_answer,
)
from test_browser import KERNEL_IDLE, RUN_ALL, book, lab, page, site  # noqa: F401 - fixtures

_SKIP = why_no_browser()
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(_SKIP is not None, reason=str(_SKIP))]

CHAPTERS = [name for name, case in CASES.items() if "chapter" in case]
# A guard against the answer box's script returning once per exercise (the jupyterquiz pages were
# 615-839 KB). The page-weight target itself (300 KB) is a benchmark: benchmarks/bench_pages.py.
MAX_PAGE_BYTES = 450_000


def _sample(shown):
    """One exercise of each kind, and every exercise with named mistakes on these numbers."""
    picked, kinds = [], set()
    for uid, ex in shown:
        if ex.kind not in kinds or ex.mistake_values():
            picked.append((uid, ex))
            kinds.add(ex.kind)
    return picked


def _say(tab, uid, text=None, choice=None, enter=False):
    return tab.evaluate(ANSWER, [uid, text or "", choice, enter])


def _wrong_text(ex):
    values = ex.answer if isinstance(ex.answer, tuple) else (ex.answer,)
    known = [v for _, v, _ in ex.mistake_values()]
    for shift in (7, 13, 29, 101):
        cand = tuple(v + shift + 10 * t for v, t in zip(values, ex.tolerances))
        if not any(ex._same(cand if ex.kind == "numbers" else cand[0], k) for k in known):
            return ", ".join(typed(v) for v in cand)
    raise AssertionError(ex.id)


def _exercise_as_a_reader(tab, uid, ex):
    where = f"{ex.id} (seed {ex.seed})"
    if ex.kind == "choice":
        got = tab.evaluate("""(uid) => { const b = document.getElementById(uid);
            b.querySelectorAll('input.nnbook-ex-choice').forEach(o => { o.checked = false; });
            b.querySelector('.nnbook-ex-feedback').textContent = '';
            b.querySelector('button.nnbook-ex-check').click();
            return b.querySelector('.nnbook-ex-feedback').textContent; }""", uid)
        assert "No answer yet" in got, (where, got)
        right = ex.choices.index(ex.answer)
        mistakes = {value: (name, message) for name, value, message in ex.mistake_values()}
        plain_wrong = 0
        for k, choice in enumerate(ex.choices):
            if k == right:
                continue
            got = _say(tab, uid, choice=k)
            if choice in mistakes:
                assert got["mistake"] == mistakes[choice][0], (where, choice, got)
            else:  # the hint ladder: first a hint, then the next rung, last the worked solution
                assert "Not quite" in got["said"], (where, choice, got)
                if plain_wrong == 0:
                    assert "Hint" in got["said"], (where, choice, got)
                plain_wrong += 1
        got = _say(tab, uid, choice=right)
        assert "Correct" in got["said"], (where, got)
        return

    got = _say(tab, uid, "")
    assert "No answer yet" in got["said"] and "Correct" not in got["said"], (where, got)
    got = _say(tab, uid, "abc", enter=True)
    assert "could not read" in got["said"] and "expected" in got["said"], (where, got)
    for fmt in (0, 1, 2):
        text = typed_answer(ex, fmt)
        got = _say(tab, uid, text, enter=fmt == 1)
        assert "Correct" in got["said"], (where, fmt, text, got)
    for name, value, message in ex.mistake_values():
        values = value if isinstance(value, tuple) else (value,)
        got = _say(tab, uid, ", ".join(typed(v) for v in values))
        assert got["mistake"] == name and got["said"].strip(), (where, name, got)
    # A wrong answer that is no known mistake: the hint ladder, then the worked solution.
    wrong = _wrong_text(ex)
    got = _say(tab, uid, wrong)
    assert "Not quite" in got["said"] and "Hint" in got["said"] and not got["solutionOpen"], (where, got)
    for _ in range(len(ex.hint_ladder)):
        got = _say(tab, uid, wrong)
    assert got["solutionOpen"] and "worked solution" in got["said"], (where, got)

    # New numbers: another variant, answered right.
    seed = tab.evaluate(NEW_NUMBERS, uid)
    assert seed is not None and int(seed) != ex.seed, (where, seed)
    new = ex.variant(int(seed))
    shown_prompt = tab.locator(f"#{uid} .nnbook-ex-prompt").inner_text()
    assert new.params != ex.params and shown_prompt.strip(), where
    assert f"seed={seed}" in tab.locator(f"#{uid} .nnbook-ex-variant").inner_text().replace(" ", "")
    got = _say(tab, uid, typed_answer(new, 0))
    assert "Correct" in got["said"], (where, "new numbers", seed, got)
    old = _say(tab, uid, typed_answer(ex, 0))
    assert "Correct" not in old["said"] or ex._same(ex.answer, new.answer), (where, "old answer on new numbers")


@pytest.mark.parametrize("name", CHAPTERS)
def test_answer_boxes_on_the_built_page(page, site, book, name):
    from nnbook import exercises

    tab, log = page
    source = (book.html / f"{name}.html").read_text()
    assert len(source.encode()) <= MAX_PAGE_BYTES, f"{name}: {len(source.encode())} bytes of HTML"
    # once per page, from the book's shared copy (book/_ext/nnbook_shared.py), not inline
    assert source.count("_static/nnbook/shared/exercises.js?v=") == 1, f"{name}: the answer-box script, once"
    assert "var nnbookAnswers" not in source, f"{name}: an inline copy of the answer-box script"
    assert "jupyterquiz" not in source.lower() and 'class="Quiz"' not in source
    shown = exercises_on_page(source, exercises.catalog())
    assert shown, f"{name}: no exercises"
    for _, ex in shown:  # numbers other than the chapter's worked example
        if ex._spec.draw is not None:
            assert ex.seed is not None and ex.params != exercises.get(ex.id).params, ex.id

    tab.goto(f"{site}/{name}.html", wait_until="load")
    assert tab.evaluate(WAIT_FOR_MATHJAX) in ("ok", "no mathjax")
    tab.wait_for_function(EXERCISES_READY, timeout=20_000)
    tab.evaluate("() => localStorage.clear()")

    sample = _sample(shown)
    assert {ex.kind for _, ex in sample} == {ex.kind for _, ex in shown}
    for uid, ex in sample:
        _exercise_as_a_reader(tab, uid, ex)

    # Math in a hint is typeset on the page (the book's MathJax), not left as raw TeX.
    for uid, ex in shown:
        if ex.kind != "choice" and "$" in ex.hint:
            now = ex.variant(int(tab.evaluate(NEW_NUMBERS, uid)))
            got = _say(tab, uid, _wrong_text(now))
            assert "Hint" in got["said"] or got["mistake"], got
            tab.wait_for_function(
                f"() => document.querySelector('#{uid} .nnbook-ex-feedback mjx-container') !== null", timeout=10_000)
            assert "\\(" not in tab.locator(f"#{uid} .nnbook-ex-feedback").inner_text()
            break

    # Progress: solved exercises are remembered across a reload, per section, with a reset.
    uid, ex = sample[0]
    before = tab.evaluate(PROGRESS, uid)
    assert re.search(r"[1-9]\d* of \d+ solved", before), before
    tab.reload(wait_until="load")
    tab.wait_for_function(EXERCISES_READY, timeout=20_000)
    assert tab.evaluate(PROGRESS, uid) == before
    assert "nnbook-ex-solved" in tab.locator(f"#{uid}").get_attribute("class")
    tab.evaluate("""(uid) => { const bars = [...document.querySelectorAll('.nnbook-ex-progress')];
        const b = document.getElementById(uid);
        bars.filter(x => x.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING).pop()
            .querySelector('button').click(); }""", uid)
    assert re.search(r"\b0 of \d+ solved", tab.evaluate(PROGRESS, uid))

    tab.wait_for_timeout(300)
    assert not log.outside, f"{name} fetched from outside the book: {log.outside[:5]}"
    assert not log.own_errors(), f"{name}: errors in the console: {log.own_errors()}"


def test_answer_box_works_from_disk(browser, book):  # noqa: F811
    from nnbook import exercises

    name = "book/convolution"
    source = (book.html / f"{name}.html").read_text()
    uid, ex = next((u, e) for u, e in exercises_on_page(source, exercises.catalog()) if e.kind == "numbers")
    context = browser.new_context(service_workers="block")
    tab = context.new_page()
    log = PageLog("file://").attach(tab)
    try:
        tab.goto((book.html / f"{name}.html").as_uri(), wait_until="load")
        tab.wait_for_function(EXERCISES_READY, timeout=20_000)
        assert "Correct" in _say(tab, uid, typed_answer(ex, 1))["said"]
        seed = tab.evaluate(NEW_NUMBERS, uid)
        assert "Correct" in _say(tab, uid, typed_answer(ex.variant(int(seed)), 0))["said"]
        assert not log.outside and not log.own_errors(), (log.outside, log.own_errors())
    finally:
        context.close()


def test_answer_box_live_in_jupyterlab(browser, lab):  # noqa: F811
    """Run a chapter in JupyterLab: the boxes work (script carried by the notebook's first
    exercise), math in prompts and labels is typeset offline, "New numbers" works."""
    from nnbook import exercises

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    outside = []
    tab.on("request", lambda r: r.url.startswith("http") and "127.0.0.1" not in r.url and outside.append(r.url))
    errors = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        tab.goto(f"{lab}/lab/tree/book/softmax.ipynb?reset", wait_until="load")
        tab.wait_for_function(KERNEL_IDLE, timeout=90_000)
        ran = tab.evaluate(RUN_ALL)
        tab.wait_for_function(KERNEL_IDLE, timeout=300_000)
        assert not ran["errors"], ran["errors"]
        tab.wait_for_function("() => document.querySelectorAll('.nnbook-exercise[data-nnbook-ready]').length > 0",
                              timeout=30_000)
        blocks = tab.evaluate("() => [...document.querySelectorAll('.nnbook-exercise[data-nnbook-ex]')]"
                              ".map(b => [b.id, b.dataset.nnbookEx, b.dataset.nnbookSeed || null])")
        assert len(blocks) >= 3  # JupyterLab renders only the cells near the view (windowing)
        done = 0
        for uid, ex_id, seed in blocks:
            ex = exercises.get(ex_id)
            ex = ex if seed is None else ex.variant(int(seed))
            block = tab.locator(f"#{uid}")
            block.scroll_into_view_if_needed()
            tab.wait_for_function(f"() => document.getElementById('{uid}').dataset.nnbookReady === '1'")
            if ex.kind == "choice":
                got = _say(tab, uid, choice=ex.choices.index(ex.answer))
            else:
                got = _say(tab, uid, typed_answer(ex, 1))
            assert "Correct" in got["said"], (ex_id, got)
            done += 1
            if done >= 4:
                break
        # Math typeset in JupyterLab with no network: no raw \( \) in prompts or labels.
        raw = tab.evaluate(r"""() => [...document.querySelectorAll(
            '.nnbook-exercise .nnbook-ex-prompt, .nnbook-exercise label')]
            .map(e => e.innerText).filter(t => /\\\(|\\\)/.test(t))""")
        assert not raw, raw[:3]
        uid, ex_id, seed = next(b for b in blocks if b[2] is not None)
        new_seed = tab.evaluate(NEW_NUMBERS, uid)
        new = exercises.get(ex_id).variant(int(new_seed))
        assert "Correct" in _say(tab, uid, typed_answer(new, 0))["said"]
        assert "\\(" not in tab.locator(f"#{uid} .nnbook-ex-prompt").inner_text()
        assert not [u for u in outside if "cdn" in u or "jsdelivr" in u], outside
        assert not errors, errors
    finally:
        try:
            tab.evaluate("async () => { const p = jupyterapp.shell.currentWidget;"
                         " if (p && p.sessionContext) await p.sessionContext.shutdown(); }")
        except Exception:  # noqa: BLE001
            pass
        context.close()
