"""The softmax, autodiff and init explorers on a page with no kernel, in headless Chromium.

A page written the way Jupyter Book writes one (saved widget state + the vendored front-end, see
``tests/browser/explorers.py``) shows TemperatureExplorer, StepExplorer, TraceStepper and
PropagationExplorer. For each: the saved first state is nnbook's; controls moved with the keyboard
(Tab-focusable sliders, radio groups, checkboxes, text boxes) change the picture, and what the page
shows then equals what nnbook computes for that state; impossible or unavailable settings are
refused in words with the last picture kept; nothing is fetched from outside 127.0.0.1, and the
same page works from file://.
"""

from __future__ import annotations

import json
import pathlib

import pytest

from browser import serve, why_no_browser
from browser.explorers import control, explorer_page, press, read_explorers, wait_for_explorers
from browser.page_checks import KNOWN_NOISE

_SKIP = why_no_browser()
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(_SKIP is not None, reason=str(_SKIP))]

KEYS = {"softmax-temperature": 0, "sigmoid-step": 1, "trace-stepper": 2, "propagation": 3}


def _explorers():
    from nnbook.widgets.autodiff import TraceStepper
    from nnbook.widgets.init import PropagationExplorer
    from nnbook.widgets.softmax import StepExplorer, TemperatureExplorer

    return [TemperatureExplorer(), StepExplorer(), TraceStepper(), PropagationExplorer()]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    explorers = _explorers()
    folder = tmp_path_factory.mktemp("explorers_b")
    return explorer_page(folder, explorers, title="softmax, autodiff and init explorers"), explorers


# `browser` (one headless Chromium for the whole session) comes from tests/conftest.py.


def _open(browser, url: str):
    page = browser.new_page()
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "file:", "data:", "blob:")) else None)
    # anywidget's own 2 s watchdog ("Failed to initialize model") can fire on a loaded machine
    # although every model loads; whether each explorer rendered is checked instead
    page.on("pageerror", lambda e: errors.append(str(e)) if "Failed to initialize model" not in str(e) else None)
    page.goto(url)
    wait_for_explorers(page, len(KEYS))
    return page, outside, errors


def _python_view(explorer, state: dict) -> dict:
    return json.loads(json.dumps(explorer.view_model(**state)))


def _shown(page, key: str) -> dict:
    return read_explorers(page)[KEYS[key]]


def _assert_equals_nnbook(explorers, page, key: str) -> dict:
    shown = _shown(page, key)
    assert shown["ok"] == "true", shown["message"]
    explorer = explorers[KEYS[key]]
    assert shown["model"] == _python_view(explorer, shown["state"]), (key, shown["state"])
    return shown


def test_first_states_are_nnbooks(browser, built):
    page_path, explorers = built
    with serve(page_path.parent) as url:
        page, outside, errors = _open(browser, url + "/index.html")
        for key in KEYS:
            _assert_equals_nnbook(explorers, page, key)
        assert not outside and not errors, (outside, errors)
        page.close()


def test_softmax_explorers_follow_the_keyboard(browser, built):
    page_path, explorers = built
    with serve(page_path.parent) as url:
        page, outside, _ = _open(browser, url + "/index.html")
        before = _shown(page, "softmax-temperature")
        press(page, control(page, 0, "temperature"), "ArrowRight")
        press(page, control(page, 0, "shift"), "ArrowLeft")
        after = _assert_equals_nnbook(explorers, page, "softmax-temperature")
        assert after["state"]["temperature"] > 1 and after["state"]["shift"] == -0.5
        assert after["picture"] != before["picture"]
        # typed logits: good ones redraw, bad ones are refused in words and the picture stays
        box = control(page, 0, "logits", "text")
        box.fill("2, 2, 1")
        press(page, box, "Enter")
        tie = _assert_equals_nnbook(explorers, page, "softmax-temperature")
        assert tie["model"]["top"] == [True, True, False]
        box.fill("1, banana")
        press(page, box, "Enter")
        refused = _shown(page, "softmax-temperature")
        assert "could not read 'banana'" in refused["message"] and refused["picture"] == tie["picture"]

        step_before = _shown(page, "sigmoid-step")
        press(page, control(page, 1, "k"), "ArrowRight")
        press(page, control(page, 1, "delta"), "ArrowRight")
        step_after = _assert_equals_nnbook(explorers, page, "sigmoid-step")
        assert step_after["picture"] != step_before["picture"] and step_after["state"]["delta"] > 0.1
        assert not outside
        page.close()


def test_trace_stepper_steps_with_the_keyboard_and_play(browser, built):
    page_path, explorers = built
    with serve(page_path.parent) as url:
        page, outside, _ = _open(browser, url + "/index.html")
        first = _shown(page, "trace-stepper")
        slider = control(page, 2, "step")
        for _ in range(9):
            press(page, slider, "ArrowRight")
        shown = _assert_equals_nnbook(explorers, page, "trace-stepper")
        assert shown["state"]["step"] == 9 and "Reverse sweep, step 2 of 11" in shown["panel"]
        assert shown["picture"] != first["picture"]
        press(page, slider, "End")
        last = _assert_equals_nnbook(explorers, page, "trace-stepper")
        assert "Done: the gradient is (5.5000, 1.7163)" in last["panel"]
        # a new formula needs Python: refused in words, the saved one's picture stays
        box = control(page, 2, "expression", "text")
        box.fill("x1 + x2")
        press(page, box, "Enter")
        refused = _shown(page, "trace-stepper")
        assert "live notebook" in refused["message"] and refused["picture"] == last["picture"]
        assert not outside
        page.close()


def test_propagation_explorer_looks_the_grid_up(browser, built):
    page_path, explorers = built
    with serve(page_path.parent) as url:
        page, outside, _ = _open(browser, url + "/index.html")
        first = _shown(page, "propagation")
        bn = control(page, 3, "batch_norm", "checkbox")
        bn.focus()
        press(page, bn, "Space")
        with_bn = _assert_equals_nnbook(explorers, page, "propagation")
        assert with_bn["state"]["batch_norm"] is True and with_bn["picture"] != first["picture"]
        press(page, control(page, 3, "activation", "radio").nth(1), "ArrowRight")  # relu -> tanh
        tanh = _assert_equals_nnbook(explorers, page, "propagation")
        assert tanh["state"]["activation"] == "tanh" and tanh["picture"] != with_bn["picture"]
        # depth 31 was not simulated in advance: said in words, the picture stays
        press(page, control(page, 3, "depth"), "ArrowRight")
        refused = _shown(page, "propagation")
        assert "simulated in advance" in refused["message"] and refused["picture"] == tanh["picture"]
        assert not outside
        page.close()


def test_the_page_works_from_disk(browser, built):
    page_path, explorers = built
    page, outside, errors = _open(browser, pathlib.Path(page_path).as_uri())
    press(page, control(page, 1, "k"), "ArrowRight")
    _assert_equals_nnbook(explorers, page, "sigmoid-step")
    press(page, control(page, 2, "step"), "ArrowRight")
    _assert_equals_nnbook(explorers, page, "trace-stepper")
    assert not outside and not errors, (outside, errors)
    page.close()



def test_a_link_reopens_a_setting_and_a_bad_one_is_refused(browser, built):
    """"copy link" state in the URL fragment: a good one opens the explorer there (nnbook's view),
    a malformed or out-of-range one is refused in words and the first setting stays."""
    from urllib.parse import quote

    page_path, explorers = built
    with serve(page_path.parent) as url:
        good = quote(json.dumps({"logits": "2, 2, 1", "shift": 1.5, "temperature": 0.05}))
        page, outside, _ = _open(browser, f"{url}/index.html#softmax-temperature={good}")
        shown = _assert_equals_nnbook(explorers, page, "softmax-temperature")
        assert shown["state"] == {"logits": "2, 2, 1", "shift": 1.5, "temperature": 0.05}
        page.close()
        for bad in (quote(json.dumps({"temperature": 1000.0})), quote(json.dumps({"logits": 3})), "%7Bnot-json"):
            page, outside, _ = _open(browser, f"{url}/index.html#softmax-temperature={bad}")
            shown = _shown(page, "softmax-temperature")
            assert "refused" in shown["message"] and shown["state"]["logits"] == "1, 2, 3", (bad, shown["message"])
            page.close()
        stepper = quote(json.dumps({"step": 12}))
        page, outside, _ = _open(browser, f"{url}/index.html#trace-stepper={stepper}")
        assert _assert_equals_nnbook(explorers, page, "trace-stepper")["state"]["step"] == 12
        page.close()
        assert not outside



# -- the built book's chapter pages (CI builds the book first; skipped without a fresh build) ----
CHAPTERS = {  # page: [(explorer key, Python class path, control moved, input kind)]
    "book/softmax": [("softmax-temperature", "softmax.TemperatureExplorer", "temperature", "range"),
                     ("sigmoid-step", "softmax.StepExplorer", "k", "range")],
    "book/autodiff": [("trace-stepper", "autodiff.TraceStepper", "step", "range")],
    "book/init_batchnorm": [("propagation", "init.PropagationExplorer", "batch_norm", "checkbox")],
}


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_built_chapter_pages(browser, chapter, tmp_path_factory):
    """On the built book: each explorer's saved first state is nnbook's, and one control moved
    with the keyboard gives nnbook's view for the new state and a new picture."""
    import importlib

    from browser.explorers import built_book

    html = built_book(tmp_path_factory)  # the book every browser test reads (built once if stale)
    for base in (None, html.as_uri()):  # served on 127.0.0.1, then straight from disk
        with serve(html) as url:
            page, outside, errors = _open_chapter(browser, f"{base or url}/{chapter}.html", len(CHAPTERS[chapter]))
            shown_all = read_explorers(page)
            for index, (key, path, name, kind) in enumerate(CHAPTERS[chapter]):
                module, cls = path.split(".")
                explorer = getattr(importlib.import_module(f"nnbook.widgets.{module}"), cls)()
                first = next(e for e in shown_all if e["key"] == key)
                assert first["ok"] == "true" and first["model"] == _python_view(explorer, first["state"]), (chapter, key)
                press(page, page.locator(f'.nnbook-explorer[data-explorer="{key}"] input[type="{kind}"][data-name="{name}"]'),
                      "Space" if kind == "checkbox" else "ArrowRight")
                after = next(e for e in read_explorers(page) if e["key"] == key)
                assert after["model"] == _python_view(explorer, after["state"]) and after["picture"] != first["picture"]
            assert not outside and not errors, (outside, errors)
            page.close()


def _open_chapter(browser, url: str, count: int):
    page = browser.new_page()
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "file:", "data:", "blob:")) else None)
    noise = [*KNOWN_NOISE, "Failed to initialize model"]  # the theme's known noise; anywidget's watchdog (above)
    page.on("pageerror", lambda e: errors.append(str(e)) if not any(n in str(e) for n in noise) else None)
    page.goto(url)
    wait_for_explorers(page, count)
    return page, outside, errors


# -- live in JupyterLab: what the page cannot do without Python ----------------------------------
LIVE_NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
              for source in (
                  "from nnbook.widgets.autodiff import TraceStepper\nstepper = TraceStepper()\nstepper",
                  "from nnbook.widgets.init import PropagationExplorer\nexplorer = PropagationExplorer(depth=10, width=16)\nexplorer",
                  "from nnbook import exercises\nexercises.show(\"intro-output-length\")",
              )],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def test_live_in_jupyterlab_python_traces_simulates_and_draws_new_numbers(browser, tmp_path):
    """In JupyterLab the front-ends find the kernel: a typed formula is traced by Python, a
    setting outside the page's grid is simulated, then shown (no refusal), and an answer box's
    "New numbers" goes on past its 21 precomputed variants with variants drawn by Python."""
    from browser import jupyterlab

    (tmp_path / "live.ipynb").write_text(json.dumps(LIVE_NOTEBOOK), encoding="utf-8")
    with jupyterlab(tmp_path) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        try:
            tab.goto(f"{url}/lab/tree/live.ipynb?reset", wait_until="load")
            tab.wait_for_function("() => { const p = window.jupyterapp && jupyterapp.shell.currentWidget;"
                                  " return !!(p && p.sessionContext && p.sessionContext.isReady"
                                  " && p.sessionContext.session.kernel.status === 'idle'); }", timeout=90_000)
            tab.evaluate("async () => { await jupyterapp.commands.execute('notebook:run-all-cells'); }")
            wait_for_explorers(tab, 2)
            box = tab.locator('.nnbook-explorer[data-explorer="trace-stepper"] input[data-name="expression"]')
            box.fill("x1*x2 + x1")
            box.press("Enter")
            tab.wait_for_function("() => { const r = document.querySelector('.nnbook-explorer[data-explorer=\"trace-stepper\"]');"
                                  " return r.dataset.ok === 'true' && r.querySelector('.nnbook-panel').textContent.includes('Forward sweep'); }",
                                  timeout=30_000)
            tab.wait_for_function("() => JSON.parse(document.querySelector('.nnbook-explorer[data-explorer=\"trace-stepper\"]')"
                                  ".dataset.state).expression === 'x1*x2 + x1'")
            stepper = [e for e in read_explorers(tab) if e["key"] == "trace-stepper"][0]
            assert stepper["ok"] == "true" and "live notebook" not in stepper["message"]
            from nnbook.widgets.autodiff import TraceStepper

            assert stepper["model"] == json.loads(json.dumps(TraceStepper("x1*x2 + x1", "2, 5").view_model(**stepper["state"])))
            depth = tab.locator('.nnbook-explorer[data-explorer="propagation"] input[type="range"][data-name="depth"]')
            depth.focus()
            depth.press("ArrowRight")  # depth 11, width 16: not in the page's grid, simulated by Python
            tab.wait_for_function("() => { const r = document.querySelector('.nnbook-explorer[data-explorer=\"propagation\"]');"
                                  " return r.dataset.ok === 'true' && JSON.parse(r.dataset.state).depth === 11; }", timeout=30_000)
            init = [e for e in read_explorers(tab) if e["key"] == "propagation"][0]
            from nnbook.widgets.init import PropagationExplorer

            assert init["model"] == json.loads(json.dumps(PropagationExplorer().view_model(**init["state"])))
            _new_numbers_from_python(tab, "intro-output-length")
        finally:
            context.close()


def _new_numbers_from_python(tab, exercise_id: str) -> None:
    from nnbook import exercises
    from nnbook.exercises._page import page_variants

    # JupyterLab renders only the cells near the view (windowing): bring the exercise's cell in
    tab.evaluate("async () => { const nb = jupyterapp.shell.currentWidget.content;"
                 " nb.activeCellIndex = nb.widgets.length - 1; await nb.scrollToItem(nb.widgets.length - 1); }")
    block = tab.locator(f'.nnbook-exercise[data-nnbook-ex="{exercise_id}"]')
    tab.wait_for_function("() => { const b = document.querySelector('.nnbook-exercise[data-nnbook-ready]');"
                          " const c = b && (b.closest('.jp-Notebook') || document).querySelector('.nnbook-ex-channel');"
                          " return !!(c && c.nnbookKernel && c.nnbookKernel.live); }", timeout=30_000)
    on_page = [v.seed for v in page_variants(exercises.get(exercise_id))]
    seen = [int(block.get_attribute("data-nnbook-seed"))]
    for _ in range(len(on_page) + 1):
        block.locator("button.nnbook-ex-new").click()
        tab.wait_for_function("([sel, last]) => { const b = document.querySelector(sel);"
                              " return b.getAttribute('data-nnbook-seed') !== last"
                              " && !b.querySelector('button.nnbook-ex-new').disabled; }",
                              arg=[f'.nnbook-exercise[data-nnbook-ex="{exercise_id}"]', str(seen[-1])], timeout=30_000)
        seen.append(int(block.get_attribute("data-nnbook-seed")))
    assert seen[:len(on_page)] == on_page and seen[len(on_page)] not in on_page  # the 22nd came from Python
    assert "from Python" in block.locator(".nnbook-ex-feedback").inner_text()
    fresh = exercises.get(exercise_id).variant(seen[-1])
    assert str(fresh.params["n"]) in block.locator(".nnbook-ex-prompt").inner_text()
    box = block.locator("input.nnbook-ex-input")
    box.fill(str(fresh.answer))
    box.press("Enter")
    tab.wait_for_function("sel => /correct/i.test(document.querySelector(sel).textContent)",
                          arg=f'.nnbook-exercise[data-nnbook-ex="{exercise_id}"] .nnbook-ex-feedback', timeout=10_000)
