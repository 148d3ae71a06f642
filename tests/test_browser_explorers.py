"""The explorers react on the built pages, with no kernel and no network (headless Chromium).

For every explorer of ``tests/browser/explorers.py``'s ``EXPLORER_CASES``, on its built page:

* the saved first state is the one the notebook makes, and what the page shows for it equals
  nnbook's view model (a stale or wrong snapshot fails);
* each listed control is moved with the keyboard (Tab-focusable inputs, arrow keys, Space) and
  the numbers shown equal nnbook's for the new state, and the picture (or panel) changed;
* a copied link reopens the page in that state; a malformed link or typed value is refused in
  words and the explorer keeps its state, with no console error;
* the same from ``file://``; nothing is fetched from outside the book.

The book is found as ``tests/test_browser.py`` finds it (``$NNBOOK_BROWSER_HTML``, a fresh
``_build/html``, or a build). Skipped, with the reason, without Playwright or Chromium.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest

from browser import serve, why_no_browser
from browser.explorers import (
    EXPLORER_CASES, WAIT_FOR_EXPLORERS, built_book, check_against_nnbook, focus_control, read_one,
)
from browser.page_checks import PageLog

_SKIP = why_no_browser()
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(_SKIP is not None, reason=str(_SKIP))]
CASES = {case.id: case for case in EXPLORER_CASES}


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    return built_book(tmp_path_factory)


# `browser` (one headless Chromium for the whole session) comes from tests/conftest.py.


@pytest.fixture(scope="module")
def site(html):
    with serve(html) as url:
        yield url


@pytest.fixture
def tab(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    page.set_default_timeout(20_000)
    log = PageLog(site).attach(page)
    yield page, log
    context.close()


def _open(page, url: str, case) -> None:
    """A fresh load of ``url`` (also when only its #fragment differs from the page's)."""
    page.goto("about:blank")
    page.goto(url, wait_until="load")
    count = sum(1 for c in EXPLORER_CASES if c.page == case.page)
    found = page.evaluate(WAIT_FOR_EXPLORERS, count)
    assert found >= count, f"{case.page}: {found} of {count} explorers rendered"


def _clean(log, where: str) -> None:
    assert not log.outside, f"{where} fetched from outside the book: {log.outside[:5]}"
    assert not log.own_errors(), f"{where}: errors in the console: {log.own_errors()}"


@pytest.mark.parametrize("case_id", list(CASES))
def test_saved_first_state_is_nnbooks(tab, site, case_id):
    case, (page, log) = CASES[case_id], tab
    _open(page, f"{site}/{case.page}.html", case)
    shown = read_one(page, case.index)
    fresh = case.make()
    assert shown["values"] == json.loads(json.dumps(fresh.values)), "the page's saved state is not the notebook's"
    assert check_against_nnbook(case, fresh, shown) == "ok"
    if "$" in shown["model"]["panel"]:  # the panel's math is typeset
        page.wait_for_function("i => document.querySelectorAll('.nnbook-explorer')[i]"
                               ".querySelector('.nnbook-panel mjx-container')", arg=case.index, timeout=15_000)
    _clean(log, case.page)


@pytest.mark.parametrize("case_id", list(CASES))
def test_keyboard_moves_recompute_what_nnbook_computes(tab, site, case_id):
    case, (page, log) = CASES[case_id], tab
    _open(page, f"{site}/{case.page}.html", case)
    reference = case.make()
    changed_picture = 0
    for move in case.moves:
        before = read_one(page, case.index)
        focus_control(page, case.index, move)
        page.keyboard.press(move.key)
        page.wait_for_function(
            "([i, v]) => JSON.stringify(document.querySelectorAll('.nnbook-explorer')[i].nnbookValues) !== v",
            arg=[case.index, json.dumps(before["values"], separators=(",", ":"))], timeout=5_000)
        after = read_one(page, case.index)
        assert after["values"][move.name] != before["values"][move.name], f"{case.id}: {move} did not move it"
        if check_against_nnbook(case, reference, after) == "ok":
            assert after[move.drives] != before[move.drives], f"{case.id}: {move} changed no {move.drives}"
            changed_picture += after["picture"] != before["picture"]
    assert changed_picture >= 2, f"{case.id}: fewer than two moves changed the picture"
    _clean(log, case.page)


@pytest.mark.parametrize("case_id", list(CASES))
def test_a_copied_link_reopens_the_setting_and_bad_input_is_refused(tab, site, case_id):
    case, (page, log) = CASES[case_id], tab
    url = f"{site}/{case.page}.html"
    _open(page, url, case)
    focus_control(page, case.index, case.moves[0])
    page.keyboard.press(case.moves[0].key)
    wanted = read_one(page, case.index)["values"]
    page.locator(".nnbook-explorer").nth(case.index).locator("button", has_text="copy link").click()
    link = page.locator(".nnbook-explorer").nth(case.index).locator("input.nnbook-link").input_value()
    assert link.startswith(url + f"#{case.key}="), link
    _open(page, link, case)
    assert read_one(page, case.index)["values"] == wanted

    # A malformed link: refused in words, the first state shown.
    first = json.loads(json.dumps(case.make().values))
    for bad in ({case.moves[0].name: 10**6}, {"no_such_control": 1}, "not json"):
        fragment = urllib.parse.quote(bad if isinstance(bad, str) else json.dumps(bad))
        _open(page, f"{url}#{case.key}={fragment}", case)
        shown = read_one(page, case.index)
        assert "refused" in shown["message"] and shown["values"] == first, (bad, shown["message"])

    # A malformed number typed in a box: refused in words, nothing changes.
    name = next(m.name for m in case.moves if m.kind == "range")
    box = page.locator(".nnbook-explorer").nth(case.index).locator(f'input.nnbook-num[data-name="{name}"]')
    before = read_one(page, case.index)
    for text in ("abc", "1e9", "2.5", "-7"):
        box.fill(text)
        box.press("Enter")
        shown = read_one(page, case.index)
        assert f"got {text if text == '-7' else repr(text)}" in shown["message"], (text, shown["message"])
        assert shown["values"] == before["values"], text
        assert box.input_value() == str(before["values"][name])
    _clean(log, case.page)


@pytest.mark.parametrize("page_name", sorted({c.page for c in EXPLORER_CASES}))
def test_explorers_react_straight_from_disk(browser, html, page_name):
    """Opened as a file (no server, no network): every explorer renders, and a key moves it."""
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    log = PageLog("file://").attach(page)
    try:
        for case in [c for c in EXPLORER_CASES if c.page == page_name]:
            _open(page, (html / f"{page_name}.html").as_uri(), case)
            move = case.moves[0]
            before = read_one(page, case.index)
            focus_control(page, case.index, move)
            page.keyboard.press(move.key)
            after = read_one(page, case.index)
            assert after["values"] != before["values"]
            check_against_nnbook(case, case.make(), after)
        _clean(log, page_name)
    finally:
        context.close()
