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

# Tag each exercise's answer boxes and solution toggle with the exercise's index on the page
# (they follow its `.nnbook-exercise` header in document order).
TAG_EXERCISES = """() => {
    let k = -1;
    for (const el of document.querySelectorAll('.nnbook-exercise, .Quiz, details.nnbook-solution')) {
        if (el.matches('.nnbook-exercise')) k += 1;
        if (k >= 0) el.dataset.nnbookEx = String(k);
    }
    return k + 1;
}"""


def exercises_on_page(page_html: str, catalog) -> list[tuple[int, object]]:
    """(index on the page, exercise) for each exercise shown with the book's numbers.

    The index counts every ``.nnbook-exercise`` block in document order; blocks showing a
    variant (other numbers) match no catalog entry and are left out.
    """
    starts = [m.start() for m in re.finditer(r'<div class="nnbook-exercise">', page_html)]
    found = []
    for ex in catalog:
        header = (f'<div class="nnbook-exercise"><p><b>Self-check: {html.escape(ex.title)}</b></p>'
                  + ex.prompt_html())
        for m in re.finditer(re.escape(header), page_html):
            found.append((starts.index(m.start()), ex))
    return sorted(found, key=lambda pair: pair[0])


def typed(value) -> str:
    """How a reader would type a number."""
    if isinstance(value, int):
        return str(value)
    return format(value, ".12g")


def wrong_value(value, tolerance: float):
    return value + max(1, 10 * tolerance)
