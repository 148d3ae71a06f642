"""What the browser tests look for on a page (JavaScript evaluated in the page, plus Python glue)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Console messages that come from the book's machinery, not from its content, with the reason.
KNOWN_NOISE = {
    "Identifier 'THEBE_JS_URL' has already been declared":
        "sphinx-thebe's inline config is emitted twice by Jupyter Book 1; thebe is never started",
    "Got invalid theme mode": "pydata-sphinx-theme on a first visit (nothing in localStorage yet)",
    # Chromium repeats every failed load as a console message without its URL; the page's
    # own failed requests are reported with their URL by the request/response handlers, and
    # the one left is the browser's probe for /favicon.ico (the book has no favicon).
    "Failed to load resource:": "reported with its URL by the network handlers (or /favicon.ico)",
}


@dataclass
class PageLog:
    """Everything a page said or fetched, collected from Playwright's events."""

    base_url: str
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def attach(self, page) -> "PageLog":
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught exception: {exc}"))
        page.on("request", self._request)
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))
        return self

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console.error: {message.text}")

    def _request(self, request) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        if urlsplit(url).netloc != urlsplit(self.base_url).netloc:
            self.outside.append(url)

    def own_errors(self) -> list[str]:
        return [e for e in self.errors if not any(noise in e for noise in KNOWN_NOISE)]


WAIT_FOR_MATHJAX = """async () => {
    if (!document.querySelector('script[src*="mathjax/tex-mml-chtml"]')) return 'no mathjax';
    const t0 = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
        if (Date.now() - t0 > 20000) return 'mathjax never started';
        await new Promise(r => setTimeout(r, 50));
    }
    await MathJax.startup.promise;
    return 'ok';
}"""

# Every saved widget view (a <script type=...widget-view+json>) is replaced by a rendered view
# inserted just before it by the ipywidgets HTML manager.
WIDGET_VIEWS = """() => [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
    .map(s => { const prev = s.previousElementSibling;
                return !!(prev && (prev.matches('.jupyter-widgets') || prev.querySelector('.jupyter-widgets'))); })"""

IMAGES = """async () => {
    const imgs = [...document.querySelectorAll('img')];
    for (const img of imgs) img.loading = 'eager';
    await Promise.all(imgs.map(img => img.decode().catch(() => null)));
    return imgs.map(img => ({src: img.currentSrc || img.src || '(no src)', ok: img.complete && img.naturalWidth > 0}));
}"""

# The reader-visible text, without code (where a backslash is legitimate) and without MathJax's
# own output: raw TeX delimiters left in it mean math that was not typeset.
RAW_TEX = r"""() => {
    const main = document.querySelector('main') || document.body;
    const clone = main.cloneNode(true);
    clone.querySelectorAll('pre, code, script, style, mjx-container, mjx-assistive-mml, textarea, .MathJax')
         .forEach(el => el.remove());
    const text = clone.textContent;
    const hits = [];
    const re = /\\\(|\\\)|\\\[|\\\]|\$\$/g;
    let m;
    while ((m = re.exec(text)) && hits.length < 5) hits.push(text.slice(Math.max(0, m.index - 40), m.index + 40));
    return {typeset: main.querySelectorAll('mjx-container').length, raw: hits};
}"""

NAVIGATION = """() => {
    const nav = document.querySelector('#bd-docs-nav, nav.bd-docs-nav, .bd-sidebar-primary nav');
    const links = nav ? [...nav.querySelectorAll('a.reference.internal')].map(a => a.href) : [];
    const current = nav ? [...nav.querySelectorAll('li.current > a, a.current')].map(a => a.href) : [];
    const prevNext = [...document.querySelectorAll('.prev-next-area a')].map(a => a.href);
    const h1 = document.querySelector('main h1');
    return {links, current, prevNext, title: document.title,
            h1: h1 ? h1.textContent.replace(/[#¶]/g, '').trim() : null};
}"""

# Each exercise is one self-contained block: <div class="nnbook-exercise" data-nnbook-ex=ID
# data-nnbook-seed=SEED> (see nnbook/exercises/_page.py). Its script marks it data-nnbook-ready.
EXERCISES_READY = """() => [...document.querySelectorAll('.nnbook-exercise[data-nnbook-ex]')]
    .every(b => b.getAttribute('data-nnbook-ready') === '1')"""

_BLOCK = re.compile(
    r'<div class="nnbook-exercise" id="([^"]+)" data-nnbook-ex="([^"]+)"(?: data-nnbook-seed="(\d+)")?>')


def exercises_on_page(page_html: str, catalog) -> list[tuple[str, object]]:
    """(element id, exercise as shown) for each exercise block on the page, in order.

    The exercise as shown is the variant whose seed the block carries (the page shows numbers
    other than the chapter's worked example), or the book's own for exercises without variants.
    """
    by_id = {ex.id: ex for ex in catalog}
    found = []
    for m in _BLOCK.finditer(page_html):
        ex = by_id.get(html.unescape(m.group(2)))
        if ex is None:
            continue
        found.append((m.group(1), ex if m.group(3) is None else ex.variant(int(m.group(3)))))
    return found


def typed(value) -> str:
    """How a reader would type a number."""
    if isinstance(value, int):
        return str(value)
    return format(value, ".12g")


def typed_answer(ex, fmt: int = 0) -> str:
    """The answer of ``ex`` as a reader might type it, in one of three formats:
    0 plain (``0.24, 5``), 1 European/thousands (``0,24; 1,644,800``), 2 with the page's minus
    sign, scientific notation and ``x`` between numbers, or a percentage."""
    values = ex.answer if isinstance(ex.answer, tuple) else (ex.answer,)
    if fmt == 0:
        return ", ".join(typed(v) for v in values)
    if fmt == 1:
        def euro(v):
            if isinstance(v, int):
                return f"{v:,}"
            text = format(v, ".10g")
            comma = text.replace(".", ",")
            return text if re.fullmatch(r"-?[1-9][0-9]{0,2},[0-9]{3}", comma) else comma
        return "; ".join(euro(v) for v in values)
    if ex.kind == "number" and ex.percent_ok:
        return format(values[0] * 100, ".12g") + " %"
    return "[" + " x ".join(format(v, ".12e").replace("-", "\u2212") for v in values) + "]"


def wrong_value(value, tolerance: float):
    return value + max(1, 10 * tolerance)


# Answer one exercise block as a reader does (type or choose, then the Check button, or Enter);
# returns what the page said. The page checks synchronously once the block is ready.
ANSWER = """([uid, text, choice, enter]) => {
    const block = document.getElementById(uid);
    if (!block) return {said: `no block ${uid}`};
    const said = block.querySelector('.nnbook-ex-feedback');
    said.textContent = '';
    block.removeAttribute('data-nnbook-mistake');
    if (choice !== null) {
        block.querySelectorAll('input.nnbook-ex-choice').forEach(o => { o.checked = Number(o.value) === choice; });
        block.querySelector('button.nnbook-ex-check').click();
    } else {
        const box = block.querySelector('input.nnbook-ex-input');
        box.focus();
        box.value = text;
        box.dispatchEvent(new Event('input', {bubbles: true}));
        if (enter) box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
        else block.querySelector('button.nnbook-ex-check').click();
    }
    const sol = block.querySelector('details.nnbook-solution');
    return {said: said.textContent, html: said.innerHTML, mistake: block.getAttribute('data-nnbook-mistake'),
            live: said.getAttribute('aria-live'), solutionOpen: !!(sol && sol.open),
            seed: block.getAttribute('data-nnbook-seed')};
}"""

NEW_NUMBERS = """(uid) => {
    const block = document.getElementById(uid);
    block.querySelector('button.nnbook-ex-new').click();
    return block.getAttribute('data-nnbook-seed');
}"""

PROGRESS = """(uid) => {
    const block = document.getElementById(uid);
    const bars = [...document.querySelectorAll('.nnbook-ex-progress')];
    // the progress line of this block's section: the last one before the block
    const mine = bars.filter(b => b.compareDocumentPosition(block) & Node.DOCUMENT_POSITION_FOLLOWING).pop();
    return mine ? mine.textContent : null;
}"""
