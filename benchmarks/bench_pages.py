"""Chapter page weight and time to fully rendered, in headless Chromium, against today's pages.

For each chapter page of the built book (``$NNBOOK_BROWSER_HTML`` or ``_build/html``; build it
first), served on 127.0.0.1 without compression and opened with the cache disabled: the HTML
bytes (target <= 300 KB per page), the bytes and requests of a first visit, and the time until
the page is fully rendered (MathJax done, saved widgets drawn, every answer box ready), median
of 3 visits. The reference, timed in the same run (visits interleaved, so machine load cancels
out), is the same page with the answer boxes' script and stylesheet cut out: the ratio is what
the self-check front-end costs. Today's pages with jupyterquiz, as the newcomer review measured
them (commit 000c823, same method: ``/work/shared/reviews/newcomer.md``, finding 5), are in
the note and in the table ``python benchmarks/bench_pages.py`` prints.

``python benchmarks/run.py -k page`` prints one line per page; ``python benchmarks/bench_pages.py``
prints the table and exits 1 when a page's HTML is over the target.
"""

from __future__ import annotations

import os
import pathlib
import re
import statistics
import sys

from _harness import Result, benchmark

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

MAX_HTML_BYTES = 300_000
# page: (HTML KB, first-visit KB, requests, fully rendered ms) measured on commit 000c823.
TODAY = {
    "intro": (111, 8146, 40, 1370),
    "softmax": (817, 8831, 41, 2654),
    "convolution": (839, 9147, 44, 2302),
    "conv_layers": (839, 9147, 44, 2302),  # was one page with convolution at 000c823: its numbers reused
    "cnn_sizing": (719, 8744, 39, 1803),
    "autodiff": (615, 8706, 39, 3020),
    "init_batchnorm": (657, 8899, 48, 2097),
}

READY = """async () => {
    const t0 = performance.timeOrigin;
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
    const views = () => [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
        .every(s => { const p = s.previousElementSibling;
                      return !!(p && (p.matches('.jupyter-widgets') || p.querySelector('.jupyter-widgets'))); });
    const boxes = () => !window.nnbookExercises || [...document.querySelectorAll('.nnbook-exercise[data-nnbook-ex]')]
        .every(b => b.dataset.nnbookReady === '1');
    const start = Date.now();
    while (!(views() && boxes()) && Date.now() - start < 30000) await new Promise(r => setTimeout(r, 20));
    return performance.now();
}"""


def _html_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("NNBOOK_BROWSER_HTML") or ROOT / "_build" / "html")


def _strip_boxes(route) -> None:
    """Serve the page without the answer boxes' stylesheet and script (the reference): the
    shared files' <link> and <script src> of the built book, or an inline copy."""
    response = route.fetch()
    text = response.text()
    text = re.sub(r'<link rel="stylesheet" href="[^"]*shared/exercises\.css[^"]*">\n?', "", text)
    text = re.sub(r'<script src="[^"]*shared/exercises\.js[^"]*"></script>', "", text)
    start = text.find("<style>/* nnbook self-check exercises")
    if start >= 0:
        end = text.find("</script>", text.find("var nnbookAnswers")) + len("</script>")
        text = text[:start] + text[end:]
    route.fulfill(response=response, body=text)


def measure(page: str, visits: int = 3, *, with_boxes: bool = True) -> dict[str, float]:
    """HTML bytes, first-visit bytes and requests, and median ms to fully rendered."""
    return measure_both(page, visits)[0 if with_boxes else 1]


def measure_both(page: str, visits: int = 3) -> tuple[dict[str, float], dict[str, float]]:
    """:func:`measure` of the page as built and of the page without its answer-box script,
    visits interleaved."""
    from playwright.sync_api import sync_playwright

    from browser import launch, serve

    html = _html_dir()
    html_bytes = (html / "book" / f"{page}.html").stat().st_size  # the page itself, as served
    runs = {True: ([], [], []), False: ([], [], [])}
    with sync_playwright() as pw, serve(html) as url:
        browser = launch(pw)
        try:
            for _ in range(visits):
                for with_boxes in (True, False):
                    times, totals, requests = runs[with_boxes]
                    context = browser.new_context(service_workers="block")
                    tab = context.new_page()
                    tab.route("**/*", lambda route: route.continue_())  # routing disables the cache
                    if not with_boxes:
                        tab.route(f"**/book/{page}.html", _strip_boxes)
                    sizes = []
                    tab.on("requestfinished", lambda r: sizes.append((r.sizes() or {}).get("responseBodySize", 0)))
                    tab.goto(f"{url}/book/{page}.html", wait_until="load")
                    times.append(tab.evaluate(READY))
                    tab.wait_for_timeout(200)
                    totals.append(sum(sizes))
                    requests.append(len(sizes))
                    context.close()
        finally:
            browser.close()
    return tuple(
        {"html": html_bytes, "first_visit": statistics.median(runs[k][1]), "requests": statistics.median(runs[k][2]),
         "ready_ms": statistics.median(runs[k][0])}
        for k in (True, False)
    )


def _bench(page: str):
    def run() -> Result:
        got, ref = measure_both(page)
        was = TODAY[page]
        verdict = "ok" if got["html"] <= MAX_HTML_BYTES else "OVER TARGET"
        note = (f"HTML {got['html'] / 1e3:.0f} KB (target <=300 KB: {verdict}; was {was[0]} KB), "
                f"first visit {got['first_visit'] / 1e3:.0f} KB in {got['requests']:.0f} requests "
                f"(was {was[1]} KB in {was[2]}); with jupyterquiz it rendered in {was[3]} ms on a quiet machine")
        return Result(got["ready_ms"] / 1e3, ref["ready_ms"] / 1e3, "same page without the answer-box script", note)

    return run


for _page in TODAY:
    benchmark(f"page {_page}: fully rendered (first visit)")(_bench(_page))


def main() -> int:
    over = 0
    print(f"{'page':16} {'HTML KB':>8} {'was':>5} {'1st visit KB':>12} {'was':>6} {'requests':>8} "
          f"{'rendered ms':>11} {'no boxes':>8} {'was':>6}")
    for page, was in TODAY.items():
        got, ref = measure_both(page)
        over += got["html"] > MAX_HTML_BYTES
        print(f"{page:16} {got['html'] / 1e3:8.0f} {was[0]:5} {got['first_visit'] / 1e3:12.0f} {was[1]:6} "
              f"{got['requests']:8.0f} {got['ready_ms']:11.0f} {ref['ready_ms']:8.0f} {was[3]:6}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    sys.exit(main())
