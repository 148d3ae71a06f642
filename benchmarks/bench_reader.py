"""What a reader downloads and waits for, per page of the built book (issue 16).

For every page of ``_toc.yml``: the HTML bytes, the bytes of a first visit (everything the page
loads, with an empty cache, measured in headless Chromium), and the time until the page is
fully rendered (load event, MathJax typeset, widget snapshots drawn, figures decoded). The
reference, timed in the same run, is the book's search page (the theme with no content).

Reads ``$NNBOOK_BROWSER_HTML`` or ``_build/html`` (build the book first; the build must have
succeeded). Skipped, with the reason, without Playwright/Chromium.
"""

from __future__ import annotations

import os
import pathlib
import statistics
import sys

from _harness import Result, benchmark

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import build_problems, launch, serve, toc_pages, why_no_browser  # noqa: E402
from browser.page_checks import WAIT_FOR_MATHJAX, WIDGET_VIEWS  # noqa: E402

HTML = pathlib.Path(os.environ.get("NNBOOK_BROWSER_HTML") or ROOT / "_build" / "html")
REPEAT = int(os.environ.get("NNBOOK_BENCH_REPEAT", "3"))  # first visits per page (median)

RENDERED = """async () => {
    const imgs = [...document.querySelectorAll('img')];
    for (const img of imgs) img.loading = 'eager';
    await Promise.all(imgs.map(img => img.decode().catch(() => null)));
    return performance.now();
}"""

_MEASURED: dict[str, dict] = {}


def _visit(browser, url: str) -> dict:
    """One first visit (fresh context: empty cache): bytes and ms until fully rendered."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    sizes: list[int] = []

    def on_response(response):
        try:
            sizes.append(len(response.body()))
        except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
            pass

    page.on("response", on_response)
    try:
        page.goto(url, wait_until="load", timeout=60_000)
        page.evaluate(WAIT_FOR_MATHJAX)
        if page.evaluate(WIDGET_VIEWS):
            page.wait_for_function(f"({WIDGET_VIEWS})().every(Boolean)", timeout=60_000)
        rendered_ms = page.evaluate(RENDERED)
        page.wait_for_load_state("networkidle")
        return {"bytes": sum(sizes), "requests": len(sizes), "ms": rendered_ms}
    finally:
        context.close()


def _measure_all() -> dict[str, dict]:
    if _MEASURED:
        return _MEASURED
    reason = why_no_browser()
    if reason:
        raise RuntimeError(reason)
    problems = build_problems(HTML)
    if problems:
        raise RuntimeError(f"no successful build in {HTML}: " + "; ".join(problems))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, serve(HTML) as site:
        browser = launch(playwright)
        try:
            for name in ["search"] + toc_pages():
                visits = [_visit(browser, f"{site}/{name}.html") for _ in range(REPEAT)]
                _MEASURED[name] = {
                    "html": (HTML / f"{name}.html").stat().st_size,
                    "bytes": statistics.median(v["bytes"] for v in visits),
                    "requests": statistics.median(v["requests"] for v in visits),
                    "seconds": statistics.median(v["ms"] for v in visits) / 1e3,
                }
        finally:
            browser.close()
    return _MEASURED


def _page_benchmark(name: str):
    @benchmark(f"reader: {name} fully rendered (first visit)")
    def run() -> Result:
        try:
            measured = _measure_all()
        except RuntimeError as why:  # no browser or no build: say so instead of a number
            return Result(float("nan"), float("nan"), f"skipped: {why}")
        page, reference = measured[name], measured["search"]
        note = (f"HTML {page['html'] / 1024:.0f} KB, first visit {page['bytes'] / 1024:.0f} KB "
                f"in {page['requests']:.0f} requests (search page: {reference['bytes'] / 1024:.0f} KB)")
        return Result(page["seconds"], reference["seconds"], "the search page", note=note)

    return run


for _name in toc_pages():
    _page_benchmark(_name)
