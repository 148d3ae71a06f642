"""Printable PDFs: a worksheet per student and one answer key, math typeset as in the book.

The pages are HTML typeset by the book's own vendored MathJax (``book/_offline/nnbook/mathjax``) and
printed to PDF by headless Chromium through Playwright (both already used by the book's browser
tests: ``apt-get install chromium``; ``playwright`` comes with ``requirements.txt``). Nothing is
fetched from the network. The PDFs' creation dates are fixed, so the same roster and secret give
byte-identical files.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import html
import os
import pathlib
import re
import tempfile
from collections.abc import Sequence

from ._core import HandoutError, Sheet, parts, safe_name
from ._markup import block_html, inline_html

MATHJAX = pathlib.Path(__file__).resolve().parents[3] / "book" / "_offline" / "nnbook" / "mathjax" / "tex-mml-chtml.js"
CHROMIUM = os.environ.get("NNBOOK_CHROMIUM", "/usr/bin/chromium")
_FIXED_DATE = b"D:20260101000000+00'00'"

CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 11pt; line-height: 1.4; color: #000; }
h1 { font-size: 17pt; margin: 0 0 4mm; }
h2 { font-size: 12.5pt; margin: 7mm 0 2mm; break-after: avoid; }
.who { display: flex; gap: 12mm; margin-bottom: 6mm; }
.field { flex: 1; border-bottom: 1px solid #000; padding-top: 6mm; font-size: 10pt; }
.question { break-inside: avoid; }
.work { border: 1px solid #888; min-height: 40mm; margin: 2mm 0 1mm; }
.answer { margin: 1.5mm 0; }
.answer span { display: inline-block; min-width: 55mm; border-bottom: 1px solid #000; }
.choices { list-style: none; padding-left: 2mm; }
.choices li::before { content: "\\2610\\00a0"; }
.student { break-before: page; }
.student:first-of-type { break-before: auto; }
.key-answer { background: #f2f2f2; padding: 1.5mm 3mm; }
.meta { color: #444; font-size: 9pt; }
"""


def worksheet_html(sheet: Sheet) -> str:
    """One student's worksheet: name field, numbered questions, a box to work in, answer lines.

    >>> from nnbook.handout import Sheet, select
    >>> page = worksheet_html(Sheet.for_seed(1, select(exercise_ids=["intro-output-length"])))
    >>> page.count('class="answer"')
    1"""
    body = ['<h1>Exercises</h1><div class="who"><div class="field">Name</div>'
            f'<div class="field">Student: {html.escape(sheet.student.name or sheet.student.id)}</div></div>']
    for number, ex in enumerate(sheet.exercises, 1):
        body.append(f'<div class="question"><h2>{number}. {html.escape(ex.title)}</h2>{block_html(ex.prompt)}')
        if ex.kind == "choice":
            body.append('<ul class="choices">' + "".join(f"<li>{inline_html(c)}</li>" for c in ex.choices or ())
                        + "</ul>")
        else:
            body.append('<div class="work"></div>')
            for part in parts(ex):
                label = inline_html(part.label) if part.label else "Answer"
                body.append(f'<div class="answer">{label}: <span>&nbsp;</span></div>')
        body.append("</div>")
    return "".join(body)


def key_html(sheets: Sequence[Sheet]) -> str:
    """The answer key: each student's answers and worked solutions, a page per student."""
    body = []
    for sheet in sheets:
        who = html.escape(sheet.student.name or sheet.student.id)
        body.append(f'<section class="student"><h1>Answer key: {who}</h1><p class="meta">Seed {sheet.seed}</p>')
        for number, ex in enumerate(sheet.exercises, 1):
            answers = "; ".join((inline_html(p.label) + " = " if p.label else "") + html.escape(p.shown())
                                for p in parts(ex))
            meta = ", ".join(x for x in (ex.section, f"difficulty {ex.difficulty}" if ex.objective else "") if x)
            body.append(f'<div class="question"><h2>{number}. {html.escape(ex.title)}</h2>'
                        + (f'<p class="meta">{html.escape(meta)}</p>' if meta else "")
                        + f'<p class="key-answer"><b>Answer:</b> {answers}</p>{block_html(ex.solution)}</div>')
        body.append("</section>")
    return "".join(body)


def _page(body: str, title: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style><script>window.MathJax = {{startup: {{typeset: true}}}};</script>"
            f'<script src="{MATHJAX.as_uri()}"></script></head><body>{body}</body></html>')


def _fix_dates(pdf: bytes) -> bytes:
    """Replace the creation and modification dates with a fixed one (same length, offsets intact)."""

    def same_length(match: re.Match[bytes]) -> bytes:
        old = match.group(2)
        new = _FIXED_DATE[: len(old)].ljust(len(old), b"0")
        return match.group(1) + new + b")"

    return re.sub(rb"(/(?:CreationDate|ModDate) ?\()([^)]*)\)", same_length, pdf)


def render(pages: dict[str, str], out: pathlib.Path) -> list[pathlib.Path]:
    """Print each ``name -> html page`` to ``out/name`` with headless Chromium.

    Playwright's sync API refuses to start in a thread whose asyncio loop is running (a
    Jupyter kernel's, or another Playwright session's), so there it prints from a worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _render(pages, out)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(_render, pages, out).result()


def _render(pages: dict[str, str], out: pathlib.Path) -> list[pathlib.Path]:
    if not MATHJAX.is_file():
        raise HandoutError(f"the book's MathJax is missing ({MATHJAX}); run from a clone of the repository")
    if not os.path.exists(CHROMIUM):
        raise HandoutError(f"PDF output needs Chromium at {CHROMIUM} (Debian: apt-get install chromium; "
                           "or set NNBOOK_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise HandoutError("PDF output needs playwright: python3 -m pip install -r requirements.txt") from None
    written = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                                           "--allow-file-access-from-files"])
        try:
            page = browser.new_page()
            page.route(re.compile(r"^(?!file:|data:|about:).*"), lambda route: route.abort())
            for name, text in pages.items():
                source = pathlib.Path(tmp) / (name + ".html")
                source.write_text(text, encoding="utf-8")
                page.goto(source.as_uri())
                page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
                page.evaluate("MathJax.startup.promise")
                target = out / name
                target.write_bytes(_fix_dates(page.pdf(format="A4", print_background=True)))
                written.append(target)
        finally:
            browser.close()
    return written


def write(sheets: Sequence[Sheet], out: pathlib.Path) -> list[pathlib.Path]:
    pages = {f"{safe_name(s.student.id)}.pdf": _page(worksheet_html(s), "Exercises") for s in sheets}
    pages["answer-key.pdf"] = _page(key_html(sheets), "Answer key")
    return render(pages, out)
