"""The book as a reader meets it, in a real browser (headless Chromium driven by Playwright).

1. The built HTML book: built once per session (or a fresh ``_build/html`` is reused), served
   on 127.0.0.1, every page of ``_toc.yml`` opened: title and navigation, images, typeset
   math, saved widget snapshots, self-check exercises answered right and wrong without a
   kernel, worked solutions opened, no console error, nothing fetched from outside.
2. The live notebooks: JupyterLab on 127.0.0.1, each chapter notebook run top to bottom,
   and one slider per chapter moved with the keyboard, changing what it drives.

Per-chapter expectations are one line each in ``tests/browser/cases.py``. Skipped, with the
reason, where Playwright or Chromium is missing; CI installs both (and fails without them).

Which build is tested: ``$NNBOOK_BROWSER_HTML`` if set (a ``_build/html`` folder, as it is);
else ``_build/html`` when its build SUCCEEDED (the stamp ``nnbook-build.json`` that
``book/_ext/nnbook_build.py`` writes says so: no warnings, only the book's own pages) and is
newer than every input of the book (CI builds it just before); else a fresh build into a temp
folder (``NNBOOK_BROWSER_REBUILD=1`` forces that). A failed build fails
``test_book_builds_with_warnings_as_errors``, whichever it was.
Run only these tests with ``python3 -m pytest -m browser``.
"""

from __future__ import annotations

import os
import re
import shutil
import time

import pytest

from browser import (
    ROOT, Book, build_problems, jupyterlab, serve, the_book, toc_pages, why_no_browser,
)
from browser.cases import CASES
from browser.page_checks import (
    ANSWER, EXERCISES_READY, IMAGES, NAVIGATION, RAW_TEX, WAIT_FOR_MATHJAX, WIDGET_VIEWS, PageLog,
    exercises_on_page, typed_answer, wrong_value,
)

_SKIP = why_no_browser()
pytestmark = [pytest.mark.browser, pytest.mark.slow]
needs_browser = pytest.mark.skipif(_SKIP is not None, reason=str(_SKIP))

PAGES = toc_pages()
NOTEBOOKS = [p for p in PAGES if (ROOT / f"{p}.ipynb").is_file()]


# -- fixtures ----------------------------------------------------------------------------------------
# Session fixtures shared with tests/test_browser_exercises.py, which imports them: pytest then
# holds two definitions, and the second must reuse the first's browser (two Playwright
# instances cannot run in one thread) and book (one build per session).
_SHARED: dict[str, object] = {}


# `browser` (one headless Chromium for the whole session) comes from tests/conftest.py.


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> Book:
    """The built book (see the module docstring; shared with the other browser test files)."""
    if "book" not in _SHARED:
        book = the_book(tmp_path_factory)
        if not (book.html / "index.html").is_file():
            pytest.fail("the book did not build:\n" + book.log[-4000:])
        _SHARED["book"] = book
    return _SHARED["book"]


@pytest.fixture(scope="session")
def site(book):
    with serve(book.html) as url:
        yield url


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    log = PageLog(site).attach(tab)
    yield tab, log
    context.close()


def test_ci_has_a_browser():
    """CI installs Chromium and Playwright (.ci/run): there, a missing browser is a failure."""
    if _SKIP is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the browser tests, but: {_SKIP}")
    pytest.skip(_SKIP)


# -- the built book ----------------------------------------------------------------------------------
@needs_browser
def test_book_builds_with_warnings_as_errors(book):
    """The book command succeeded: exit code 0 (when this session ran it), and the build's own
    stamp says no warnings, only the book's pages read, nothing from a virtual environment."""
    problems = build_problems(book.html, book.returncode)
    assert not problems, "jupyter-book build -W failed: " + "; ".join(problems) + "\n" + book.log[-4000:]


@needs_browser
def test_vendored_javascript_is_not_injected_into_every_page(book):
    """MathJax comes from the book itself, once per page, and no vendored file (e.g. a MathJax
    extension) is added to pages as a script: that happens if a root _static/ appears."""
    for name in PAGES:
        text = (book.html / f"{name}.html").read_text()
        assert text.count("_static/nnbook/mathjax/tex-mml-chtml.js") <= 1, name
        remote = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="(https?://[^"]+)"', text)
        assert not [u for u in remote if u.endswith((".js", ".css"))], f"{name} loads from the network: {remote}"
        assert "nnbook/mathjax/input/" not in text and "nnbook/mathjax/output/" not in text, name
        has_widgets = "application/vnd.jupyter.widget-view+json" in text
        assert text.count("_static/nnbook/html-manager/embed-amd.js") == int(has_widgets), name


@needs_browser
@pytest.mark.parametrize("name", PAGES)
def test_page_reads_as_a_reader_sees_it(page, site, book, name):
    from nnbook import exercises

    tab, log = page
    url = f"{site}/{name}.html"
    tab.goto(url, wait_until="load")
    assert tab.evaluate(WAIT_FOR_MATHJAX) in ("ok", "no mathjax")
    views = tab.evaluate(WIDGET_VIEWS)
    if views:
        tab.wait_for_function(f"({WIDGET_VIEWS})().every(Boolean)", timeout=30_000)

    # Title and chapter navigation: the sidebar links every page of the book, marks this one,
    # and previous/next links lead on.
    nav = tab.evaluate(NAVIGATION)
    assert nav["h1"], f"{name}: no title heading"
    assert nav["h1"][:40] in nav["title"], f"{name}: the title {nav['title']!r} does not name the page"
    for other in PAGES:
        target = f"{site}/{other}.html" if other != PAGES[0] else None
        if target:
            assert any(link.split("#")[0] == target for link in nav["links"]), f"{name}: no link to {other}"
    if name != PAGES[0]:
        assert any(link.split("#")[0] == url for link in nav["current"]), f"{name} is not marked current"
    assert nav["prevNext"], f"{name}: no previous/next links"

    # Every image (figures, and the figures inside widget snapshots) has loaded.
    images = tab.evaluate(IMAGES)
    broken = [i["src"][:120] for i in images if not i["ok"]]
    assert not broken, f"{name}: images that did not load: {broken}"

    # Math is typeset: MathJax output present where the page has math, no raw TeX left.
    source = (book.html / f"{name}.html").read_text()
    math = tab.evaluate(RAW_TEX)
    if 'class="math' in source or "\\(" in source:
        assert math["typeset"] > 0, f"{name}: the page has math but MathJax typeset none"
    assert not math["raw"], f"{name}: raw TeX left in the text: {math['raw']}"

    # Saved widget snapshots render (sliders appear, in their saved state).
    if views:
        assert tab.locator(".jupyter-widgets").count() >= len(views)
        assert tab.locator(".widget-slider, .widget-hslider, .nnbook-explorer input[type=range]").count() > 0 \
            or "Slider" not in source

    # Self-check exercises: right answer -> correct; wrong one -> told so, with the hint;
    # the worked solution opens on a click. All without a kernel. (Every kind of answer in
    # detail: tests/test_browser_exercises.py.)
    case = CASES.get(name, {})
    shown = exercises_on_page(source, exercises.catalog())
    if "chapter" in case:
        ids = {ex.id for ex in exercises.catalog(case["chapter"])}
        assert ids & {ex.id for _, ex in shown}, f"{name}: shows none of chapter {case['chapter']!r}'s exercises"
    if shown:
        tab.wait_for_function(EXERCISES_READY, timeout=20_000)
    kinds_done: set[str] = set()
    for uid, ex in shown:
        if ex.kind not in kinds_done:  # as a reader: a wrong answer, then the right one
            _answer_exercise(tab, uid, ex)
            kinds_done.add(ex.kind)
        else:  # the others, quickly: each box accepts the answer nnbook computes
            got = _answer(tab, uid, ex, right=True)
            assert got["said"].startswith("\u2713") and "Correct" in got["said"], (
                f"exercise {ex.id!r}: the page does not accept nnbook's answer {ex.answer!r}: {got['said']}")

    tab.wait_for_timeout(300)  # let any late typesetting or widget rendering report errors
    assert not log.outside, f"{name} fetched from outside the book: {log.outside[:5]}"
    assert not log.own_errors(), f"{name}: errors in the console: {log.own_errors()}"


@needs_browser
def test_a_page_reads_straight_from_disk(browser, book):
    """Opened as a file (no web server, no network), a page still typesets its math and
    renders its saved widgets, and fetches nothing from outside the book."""
    context = browser.new_context(service_workers="block")
    tab = context.new_page()
    log = PageLog("file://").attach(tab)
    try:
        tab.goto((book.html / f"{PAGES[0]}.html").as_uri(), wait_until="load")
        assert tab.evaluate(WAIT_FOR_MATHJAX) == "ok"
        if tab.evaluate(WIDGET_VIEWS):
            tab.wait_for_function(f"({WIDGET_VIEWS})().every(Boolean)", timeout=30_000)
        math = tab.evaluate(RAW_TEX)
        assert math["typeset"] > 0 and not math["raw"], math
        assert not log.outside, f"fetched from outside the book: {log.outside[:5]}"
        assert not log.own_errors(), log.own_errors()
    finally:
        context.close()


def _answer(tab, uid: str, ex, *, right: bool) -> dict:
    if ex.kind == "choice":
        index = ex.choices.index(ex.answer)
        choice = index if right else (index + 1) % len(ex.choices)
        return tab.evaluate(ANSWER, [uid, "", choice, False])
    values = ex.answer if ex.kind == "numbers" else (ex.answer,)
    if right:
        text = typed_answer(ex)
    else:
        text = ", ".join(str(wrong_value(v, t) + 7) for v, t in zip(values, ex.tolerances))
    return tab.evaluate(ANSWER, [uid, text, None, True])


def _answer_exercise(tab, uid: str, ex) -> None:
    where = f"exercise {ex.id!r}"
    block = tab.locator(f"#{uid}")
    wrong = _answer(tab, uid, ex, right=False)
    assert "Not quite" in wrong["said"] or wrong["mistake"], f"{where}: a wrong answer got {wrong['said']!r}"
    right = _answer(tab, uid, ex, right=True)
    assert "Correct" in right["said"], f"{where}: the right answer got {right['said']!r}"
    assert right["live"] == "polite", f"{where}: the verdict is not announced (aria-live)"
    solution = block.locator("details.nnbook-solution")
    assert solution.count() == 1, f"{where}: no worked solution"
    solution.evaluate("d => { d.open = false; }")
    solution.locator("summary").click()
    assert solution.evaluate("d => d.open"), f"{where}: the solution did not open"
    assert solution.locator(".nnbook-solution-body").is_visible()


# -- the live notebooks ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a copy of book/ (running cells must not touch the
    committed notebooks: JupyterLab autosaves)."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "book", root / "book", ignore=shutil.ignore_patterns("_offline", ".ipynb_checkpoints"))
    with jupyterlab(root) as url:
        yield url


KERNEL_IDLE = """() => {
    const panel = window.jupyterapp && jupyterapp.shell.currentWidget;
    const ctx = panel && panel.sessionContext;
    return !!(ctx && ctx.isReady && ctx.session && ctx.session.kernel && ctx.session.kernel.status === 'idle'
              && panel.content && panel.content.widgets.length);
}"""

RUN_ALL = """async () => {
    const panel = jupyterapp.shell.currentWidget;
    await jupyterapp.commands.execute('notebook:run-all-cells');
    const cells = panel.content.widgets.filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().trim());
    return {
        counts: cells.map(c => c.model.executionCount),
        errors: cells.flatMap(c => c.model.toJSON().outputs.filter(o => o.output_type === 'error')
            .map(o => `${o.ename}: ${o.evalue} in the cell [${c.model.executionCount}] starting `
                      + JSON.stringify(c.model.sharedModel.getSource().slice(0, 300)))),
    };
}"""

# What a slider drives: the readout, the explorer's panel text and its figure (the output area
# that holds the slider).
SNAPSHOT = """(slider) => {
    const out = slider.closest('.jp-OutputArea-output') || slider.parentElement;
    return {
        readout: (slider.querySelector('.widget-readout') || {}).textContent,
        panel: [...out.querySelectorAll('.widget-htmlmath, .widget-html')].map(e => e.textContent).join(' | '),
        image: [...out.querySelectorAll('img')].map(i => i.src).join(' '),
    };
}"""


@needs_browser
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_live_notebook_runs_and_its_slider_drives_the_explorer(browser, lab, name):
    case = CASES.get(name)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        tab.goto(f"{lab}/lab/tree/{name}.ipynb?reset", wait_until="load")
        tab.wait_for_function(KERNEL_IDLE, timeout=90_000)
        ran = tab.evaluate(RUN_ALL)
        tab.wait_for_function(KERNEL_IDLE, timeout=300_000)
        assert not ran["errors"], f"{name}: cells raised {ran['errors']}"
        assert ran["counts"] and all(ran["counts"]), f"{name}: cells that did not run: {ran['counts']}"
        if case is None or "slider" not in case:
            pytest.skip(f"no slider for {name}: add a line to tests/browser/cases.py")
        if case.get("explorer"):  # a live explorer (anywidget): its own check, in tests/browser/explorers.py
            from browser.explorers import move_in_lab

            move_in_lab(tab, case)
            return

        label = case["slider"]
        sliders = tab.locator(".jp-OutputArea-output .widget-slider").filter(
            has=tab.locator(".widget-label", has_text=label))
        sliders.first.wait_for(state="visible", timeout=30_000)
        slider = sliders.first
        slider.scroll_into_view_if_needed()
        before = slider.evaluate(SNAPSHOT)
        slider.locator(".noUi-handle").focus()
        slider.locator(".noUi-handle").press(case.get("key", "ArrowRight"))

        drives = case.get("drives", "any")
        deadline = time.monotonic() + 20
        after = before
        while time.monotonic() < deadline:
            after = slider.evaluate(SNAPSHOT)
            changed = {k for k in ("panel", "image") if after[k] != before[k]}
            if after["readout"] != before["readout"] and (changed if drives == "any" else drives in changed):
                break
            tab.wait_for_timeout(100)
        assert after["readout"] != before["readout"], f"{name}: the slider {label!r} did not move ({before['readout']})"
        targets = ("panel", "image") if drives == "any" else (drives,)
        assert any(after[k] != before[k] for k in targets), (
            f"{name}: moving {label!r} from {before['readout']} to {after['readout']} changed no {drives}")
    finally:
        try:
            tab.evaluate("async () => { const p = jupyterapp.shell.currentWidget;"
                         " if (p && p.sessionContext) await p.sessionContext.shutdown(); }")
        except Exception:  # noqa: BLE001 - best effort: the server's shutdown stops it anyway
            pass
        context.close()
