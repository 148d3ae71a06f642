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
import os
import pathlib
import shutil
import time
from dataclasses import dataclass

from . import ROOT

OFFLINE = ROOT / "book" / "_offline" / "nnbook"


def explorer_page(folder: pathlib.Path, explorers: list, title: str = "explorers") -> pathlib.Path:
    """Write ``folder/index.html`` showing ``explorers`` (LiveExplorer objects) from saved state,
    with the vendored JavaScript copied to ``folder/_static/nnbook``; returns the page's path."""
    from ipywidgets.embed import dependency_state, embed_data

    static = folder / "_static" / "nnbook"
    if not static.exists():
        shutil.copytree(OFFLINE, static, ignore=shutil.ignore_patterns("mathjax"))
        shutil.copytree(OFFLINE / "mathjax", static / "mathjax")
    data = embed_data(views=explorers, state=dependency_state(explorers, drop_defaults=False), drop_defaults=False)
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


# -- which explorers are on which page, and how a reader moves them -------------------------------
@dataclass(frozen=True)
class Move:
    """Press ``key`` on control ``name`` (its ``kind`` of input: "range", "radio", "checkbox"),
    which must change the explorer's ``drives`` ("picture" or "panel")."""

    name: str
    key: str = "ArrowRight"
    kind: str = "range"
    drives: str = "picture"


@dataclass(frozen=True)
class ExplorerCase:
    """An explorer on a built page: ``explorer`` is "module:Class" and ``args`` what the
    notebook passes it; ``index`` is its place among the page's explorers."""

    page: str
    key: str
    explorer: str
    moves: tuple[Move, ...]
    args: tuple = ()
    index: int = 0

    def make(self):
        import importlib

        module, name = self.explorer.split(":")
        return getattr(importlib.import_module(module), name)(*self.args)

    @property
    def id(self) -> str:
        return f"{self.page.split('/')[-1]}-{self.key}"


EXPLORER_CASES: list[ExplorerCase] = [
    ExplorerCase("book/intro", "window", "nnbook.widgets.conv:WindowExplorer",
                 (Move("n"), Move("kernel_size"), Move("padding"), Move("stride"))),
    ExplorerCase("book/convolution", "conv", "nnbook.widgets.conv:ConvExplorer",
                 (Move("n"), Move("stride"), Move("mode", kind="radio", drives="panel"), Move("flip", "Space", "checkbox"),
                  # forward -> backward -> transposed, then a step in the transposed view
                  Move("direction", kind="radio"), Move("direction", kind="radio"), Move("step"))),
    ExplorerCase("book/cnn_sizing", "network", "nnbook.widgets.sizing:NetworkBuilder",
                 (Move("height", "ArrowLeft"), Move("size", drives="panel"), Move("kind", kind="radio", drives="panel"),
                  Move("channels"))),
]


READ_ONE = """(index) => {
    const root = document.querySelectorAll('.nnbook-explorer')[index];
    const plain = (x) => x === undefined ? null : JSON.parse(JSON.stringify(x, (k, y) => typeof y === 'bigint' ? Number(y) : y));
    return {ok: root.dataset.ok, values: plain(root.nnbookValues), model: plain(root.nnbookModel),
            message: root.querySelector('.nnbook-message').textContent,
            panel: root.querySelector('.nnbook-panel').innerHTML,
            picture: root.querySelector('.nnbook-picture').innerHTML};
}"""


def read_one(page, index: int) -> dict:
    return page.evaluate(READ_ONE, index)


def focus_control(page, index: int, move: Move):
    """The input a reader would focus for ``move``: a slider, the checked radio of a group, a box."""
    root = page.locator(".nnbook-explorer").nth(index)
    selector = f'input[type="{move.kind}"][data-name="{move.name}"]'
    if move.kind == "radio":
        selector += ":checked"
    target = root.locator(selector)
    target.scroll_into_view_if_needed()
    target.focus()
    return target


def check_against_nnbook(case: ExplorerCase, explorer, shown: dict) -> str:
    """What the page shows for its current values equals nnbook's view model; returns "ok" or
    "refused" (an impossible setting, refused with nnbook's words)."""
    expected = json.loads(json.dumps(explorer.view_model(**shown["values"])))
    if "error" in expected:
        assert shown["ok"] == "false", (case.id, shown["values"], expected)
        assert expected["error"] in shown["message"], (case.id, shown["message"], expected["error"])
        return "refused"
    assert shown["ok"] == "true" and "\u26a0" not in shown["message"], (case.id, shown["message"])
    assert shown["model"] == expected, (case.id, shown["values"])
    return "ok"


def built_book(tmp_path_factory) -> pathlib.Path:
    """The built book's HTML: the one every browser test reads (:func:`browser.the_book`)."""
    from . import the_book

    book = the_book(tmp_path_factory)
    if not (book.html / "index.html").is_file():
        raise RuntimeError("the book did not build:\n" + book.log[-4000:])
    return book.html





# -- live in JupyterLab -----------------------------------------------------------------------------
KERNEL_OUTPUT = """async (code) => {
    const kernel = jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({code, store_history: false});
    let out = '';
    future.onIOPub = (msg) => { if (msg.header.msg_type === 'stream') out += msg.content.text;
                                if (msg.header.msg_type === 'error') out += msg.content.ename + ': ' + msg.content.evalue; };
    await future.done;
    return out;
}"""

EXPLORER_SNAPSHOT = """(root) => ({values: JSON.stringify(root.nnbookValues),
    panel: root.querySelector('.nnbook-panel').innerHTML, picture: root.querySelector('.nnbook-picture').innerHTML})"""


def move_in_lab(tab, case: dict) -> None:
    """In a notebook open in JupyterLab with its cells run: move the live explorer's control
    labelled ``case["slider"]`` with the keyboard, check that the explorer redrew, and that
    Python (the notebook variable ``case["explorer"]``) received the new value."""
    label, key, variable = case["slider"], case.get("key", "ArrowRight"), case["explorer"]
    slider = tab.locator(f'.jp-OutputArea-output .nnbook-explorer input[type="range"][aria-label="{label}"]').first
    slider.wait_for(state="visible", timeout=30_000)
    slider.scroll_into_view_if_needed()
    root = slider.locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' nnbook-explorer ')]")
    before = root.evaluate(EXPLORER_SNAPSHOT)
    slider.focus()
    slider.press(key)
    deadline = time.monotonic() + 20
    after = before
    while time.monotonic() < deadline:
        after = root.evaluate(EXPLORER_SNAPSHOT)
        if after["values"] != before["values"] and (after["panel"], after["picture"]) != (before["panel"], before["picture"]):
            break
        time.sleep(0.1)
    assert after["values"] != before["values"], f"the control {label!r} did not move with {key} in JupyterLab"
    assert (after["panel"], after["picture"]) != (before["panel"], before["picture"]), f"moving {label!r} redrew nothing"
    name = slider.get_attribute("data-name")
    expected = json.loads(after["values"])[name]
    said = tab.evaluate(KERNEL_OUTPUT, f"print({variable}.{name}, {variable}.ok)")
    assert said.split() == [str(expected), "True"], f"Python saw {said!r}, the page shows {name}={expected}"
