"""The live explorers in Chromium: key press -> redrawn explorer, and bytes per chapter page.

Each explorer is shown at its largest setting on a page like the book's (saved widget state +
the vendored require.js, html-manager and anywidget; ``tests/browser/explorers.py``), and a
control is moved with the keyboard, back and forth: the time is from the key event (as the
page sees it) to the redrawn picture. The reference, timed in the same page, is a plain
``<input type=range>`` whose listener writes one text node: the browser's own latency.
Target (issue 11): <= 16 ms (a frame at 60 Hz).

Page weight: the saved state of a chapter's explorers (their JavaScript included) plus the
vendored anywidget front-end, against the issue's budget of 150 KB per page. (Bytes, not
seconds: the "measured" and "reference" columns are bytes there.)
"""

from __future__ import annotations

import json
import pathlib
import statistics
import sys
import tempfile

from _harness import Result, benchmark

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
PRESSES = 31
BUDGET = 150_000


def _largest():
    """(name, explorer at its largest setting, control to move back and forth)."""
    from nnbook.sizing import Conv2d, Linear, MaxPool2d, ReLU
    from nnbook.widgets.conv import ConvExplorer, WindowExplorer
    from nnbook.widgets.sizing import NetworkBuilder, layer_spec

    window = WindowExplorer().set(n=16, kernel_size=1, stride=1, padding=3, dilation=1)  # 22 rows of 22 cells
    conv = ConvExplorer().set(n=9, kernel_size=5, stride=1, dilation=3, mode="full", step=200)  # 33x33 -> 21x21
    layers = []
    for width in (64, 128, 256, 512):
        layers += [Conv2d(width, 3, padding=1), ReLU(), Conv2d(width, 3, padding=1), ReLU(), MaxPool2d(2)]
    layers += [Linear(512), ReLU(), Linear(512), ReLU(), Linear(10)]
    network = NetworkBuilder("empty")
    network.set(channels=3, height=224, width=224, layers=[layer_spec(x) for x in layers])  # 25 layers, VGG-like
    return [("intro WindowExplorer", window, "kernel_size"), ("ConvExplorer", conv, "step"),
            ("NetworkBuilder (25 layers)", network, "height")]


REFERENCE = """() => {
    const box = document.createElement('div');
    box.className = 'bench-reference';
    box.innerHTML = '<input type="range" min="0" max="100" value="50" id="bench-range"><div class="nnbook-picture"><span>50</span></div>';
    document.body.prepend(box);
    const range = box.querySelector('input'), out = box.querySelector('span');
    range.addEventListener('input', () => { out.textContent = range.value; });
}"""


def _key_timings() -> dict[str, tuple[float, float]]:
    from playwright.sync_api import sync_playwright

    from browser import launch, serve
    from browser.explorers import control, explorer_page, press, wait_for_explorers

    cases = _largest()
    results = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = pathlib.Path(tmp)
        explorer_page(folder, [explorer for _, explorer, _ in cases], title="bench")
        browser = launch(playwright)
        with serve(folder) as url:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + "/index.html")
            wait_for_explorers(page, len(cases))
            page.evaluate(REFERENCE)
            reference_input = page.locator("#bench-range")
            for index, (name, _, control_name) in enumerate(cases):
                slider = control(page, index, control_name)
                slider.scroll_into_view_if_needed()
                times, ref = [], []
                for i in range(PRESSES):
                    times.append(press(page, slider, "ArrowRight" if i % 2 == 0 else "ArrowLeft"))
                    ref.append(press(page, reference_input, "ArrowRight" if i % 2 == 0 else "ArrowLeft"))
                results[name] = (statistics.median(times[1:]) / 1e3, statistics.median(ref[1:]) / 1e3)
        browser.close()
    return results


_CACHE: dict[str, dict] = {}


def _timing(name: str) -> Result:
    if "keys" not in _CACHE:
        _CACHE["keys"] = _key_timings()
    measured, reference = _CACHE["keys"][name]
    return Result(measured, reference, "key press on a plain range input", note="largest setting, median")


@benchmark("explorer key -> redraw: intro WindowExplorer", max_seconds=0.016)
def window_key() -> Result:
    return _timing("intro WindowExplorer")


@benchmark("explorer key -> redraw: ConvExplorer", max_seconds=0.016)
def conv_key() -> Result:
    return _timing("ConvExplorer")


@benchmark("explorer key -> redraw: NetworkBuilder", max_seconds=0.016)
def network_key() -> Result:
    return _timing("NetworkBuilder (25 layers)")


def _page_bytes(explorers: list) -> int:
    """Bytes the explorers add to a page: their saved widget state (as the page embeds it) and
    the vendored anywidget front-end."""
    from ipywidgets.embed import dependency_state, embed_data

    state = embed_data(views=explorers, state=dependency_state(explorers, drop_defaults=False), drop_defaults=False)
    embedded = len(json.dumps(state["manager_state"]).encode()) + sum(
        len(json.dumps(v).encode()) for v in state["view_specs"])
    bundle = (ROOT / "book" / "_offline" / "nnbook" / "anywidget" / "index.js").stat().st_size
    return embedded + bundle


def _weight(explorers: list) -> Result:
    size = _page_bytes(explorers)
    return Result(size, BUDGET, "the 150 KB budget (bytes)", note=f"{size / 1e3:.1f} KB incl. anywidget")


@benchmark("page weight of the explorers: intro", max_ratio=1.0)
def intro_weight() -> Result:
    from nnbook.widgets.conv import WindowExplorer

    return _weight([WindowExplorer()])


@benchmark("page weight of the explorers: convolution", max_ratio=1.0)
def conv_weight() -> Result:
    from nnbook.widgets.conv import ConvExplorer

    return _weight([ConvExplorer()])


@benchmark("page weight of the explorers: cnn_sizing", max_ratio=1.0)
def sizing_weight() -> Result:
    from nnbook.widgets.sizing import NetworkBuilder

    return _weight([NetworkBuilder()])
