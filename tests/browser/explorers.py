"""Helpers for the explorers' browser tests and benchmarks (``tests/test_browser_explorers.py``,
``benchmarks/bench_explorers.py``).

Two ways to get a page with live explorers:

* the built book (``tests/test_browser.py``'s ``book`` fixture builds it or reuses a fresh build);
* :func:`explorer_page`: a minimal page written the way Jupyter Book writes one (saved widget
  state + the vendored require.js, require-paths.js, html-manager and anywidget from
  ``book/_offline``), with no build; for quick checks and benchmarks of one explorer.

:data:`READ_EXPLORER` reads what an explorer shows; :func:`press` moves a control with the
keyboard and waits for the redraw.
"""

from __future__ import annotations

import html
import json
import pathlib
import shutil
import time

from . import ROOT

OFFLINE = ROOT / "book" / "_offline" / "nnbook"


def explorer_page(folder: pathlib.Path, explorers: list, title: str = "explorers") -> pathlib.Path:
    """Write ``folder/index.html`` showing ``explorers`` (LiveExplorer objects) from saved state,
    with the vendored JavaScript copied to ``folder/_static/nnbook``; returns the page's path."""
    from ipywidgets.embed import embed_data

    static = folder / "_static" / "nnbook"
    if not static.exists():
        shutil.copytree(OFFLINE, static, ignore=shutil.ignore_patterns("mathjax"))
        shutil.copytree(OFFLINE / "mathjax", static / "mathjax")
    data = embed_data(views=explorers, drop_defaults=False)
    views = "\n".join(
        f'<div class="cell_output"><script type="application/vnd.jupyter.widget-view+json">'
        f"{json.dumps(spec)}</script></div>"
        for spec in data["view_specs"]
    )
    page = folder / "index.html"
    page.write_text(f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<script>window.MathJax = {{tex: {{inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], processEscapes: true}},
  options: {{processHtmlClass: "tex2jax_process|mathjax_process|math|output_area|cell_output"}}}};</script>
<script src="_static/nnbook/mathjax/tex-mml-chtml.js"></script>
<script src="_static/nnbook/require/require.js"></script>
<script src="_static/nnbook/require-paths.js"></script>
<script src="_static/nnbook/html-manager/embed-amd.js"></script>
<script type="application/vnd.jupyter.widget-state+json">{json.dumps(data["manager_state"])}</script>
</head><body><main>
{views}
</main></body></html>
""", encoding="utf-8")
    return page


# What an explorer shows: one entry per explorer on the page, in page order.
READ_EXPLORER = """() => [...document.querySelectorAll('.nnbook-explorer')].map(root => ({
    key: root.dataset.explorer,
    ok: root.dataset.ok,
    state: root.dataset.state ? JSON.parse(root.dataset.state) : null,
    message: root.querySelector('.nnbook-message').textContent,
    panel: root.querySelector('.nnbook-panel').textContent,
    picture: root.querySelector('.nnbook-picture').innerHTML,
    model: root.nnbookModel ? JSON.parse(JSON.stringify(root.nnbookModel, (k, x) => typeof x === 'bigint' ? Number(x) : x)) : null,
}))"""

WAIT_FOR_EXPLORERS = """async (count) => {
    const t0 = Date.now();
    while (document.querySelectorAll('.nnbook-explorer[data-ok]').length < count) {
        if (Date.now() - t0 > 30000) return document.querySelectorAll('.nnbook-explorer[data-ok]').length;
        await new Promise(r => setTimeout(r, 50));
    }
    return count;
}"""


def wait_for_explorers(page, count: int) -> None:
    found = page.evaluate(WAIT_FOR_EXPLORERS, count)
    assert found == count, f"{found} of {count} explorers rendered"


def read_explorers(page) -> list[dict]:
    return page.evaluate(READ_EXPLORER)


def control(page, index: int, name: str, kind: str = "range"):
    """The ``kind`` input ("range", "number", "radio", "checkbox") of control ``name`` in the
    ``index``-th explorer on the page."""
    root = page.locator(".nnbook-explorer").nth(index)
    return root.locator(f'input[type="{kind}"][data-name="{name}"]')


def press(page, locator, key: str) -> float:
    """Focus ``locator`` and press ``key``; returns the milliseconds from the key event (as the
    page saw it) to the explorer's redrawn picture or message (NaN if nothing changed)."""
    locator.focus()
    page.evaluate("""() => {
        window.__nnbookKey = null; window.__nnbookDrawn = null;
        if (!window.__nnbookKeyListener) {
            window.__nnbookKeyListener = true;
            window.addEventListener('keydown', () => { window.__nnbookKey = performance.now(); }, true);
        }
        if (window.__nnbookObs) window.__nnbookObs.disconnect();
        const obs = new MutationObserver(() => { if (!window.__nnbookDrawn) window.__nnbookDrawn = performance.now(); });
        document.querySelectorAll('.nnbook-picture, .nnbook-message').forEach(
            p => obs.observe(p, {childList: true, subtree: true, characterData: true}));
        window.__nnbookObs = obs; }""")
    page.keyboard.press(key)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        done = page.evaluate("() => window.__nnbookDrawn && window.__nnbookDrawn - window.__nnbookKey")
        if done:
            return done
        time.sleep(0.005)
    return float("nan")
