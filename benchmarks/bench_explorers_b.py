"""The softmax, autodiff and init explorers on a page with no kernel (headless Chromium).

* Key press -> redrawn explorer, median over several presses, at each explorer's largest
  setting; the reference is the same key press on a bare slider whose listener rewrites one
  text node (the browser's own floor), timed in the same page. Targets: 16 ms (one frame),
  50 ms for the init explorer (issue 11).
* Bytes each explorer adds to its chapter's page: its saved widget state (the front-end module,
  the controls, the data it carries: the stepper's traced steps, init's grid) plus the shared
  anywidget front-end; target 150 KB per page. The reference is the page's vendored
  html-manager, which every page with a widget already loads.

Skipped (printed as such) where Playwright or Chromium is missing.
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
sys.path.insert(0, str(ROOT / "src"))

BARE = """() => {
  const r = document.createElement('input'); r.type = 'range'; r.min = 0; r.max = 100; r.value = 50; r.id = 'bare';
  const out = document.createElement('div'); out.className = 'nnbook-picture'; out.textContent = '50';
  r.addEventListener('input', () => { out.textContent = r.value; });
  document.body.prepend(r, out);
}"""


def _chapter_explorers(chapter: str) -> list:
    """The explorers of a chapter's page, each at its largest setting."""
    from nnbook.widgets.autodiff import TraceStepper
    from nnbook.widgets.init import PropagationExplorer
    from nnbook.widgets.softmax import StepExplorer, TemperatureExplorer

    if chapter == "softmax":
        return [TemperatureExplorer(logits="3, 1, 4, 1, 5, 9, 2, 6, 5, 3"), StepExplorer(k=1000.0)]
    if chapter == "autodiff":
        return [TraceStepper()]
    return [PropagationExplorer(depth=60)]


def _key_times(name: str) -> tuple[list[float], list[float]]:
    from browser import launch, serve, why_no_browser
    from browser.explorers import control, explorer_page, press, wait_for_explorers

    if why_no_browser():
        raise RuntimeError(why_no_browser())
    from playwright.sync_api import sync_playwright

    cases = {  # explorer page, explorer index, control name, keys
        "temperature": ("softmax", 0, "temperature", ["ArrowLeft", "ArrowRight"] * 5),
        "step": ("softmax", 1, "k", ["ArrowLeft", "ArrowRight"] * 5),
        "stepper": ("autodiff", 0, "step", ["ArrowRight"] * 10),
        "propagation": ("init_batchnorm", 0, "batch_norm", [" "] * 10),
    }
    chapter, index, control_name, keys = cases[name]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        explorers = _chapter_explorers(chapter)
        page_path = explorer_page(pathlib.Path(tmp), explorers)
        browser = launch(playwright)
        try:
            with serve(page_path.parent) as url:
                page = browser.new_page()
                page.goto(url + "/index.html")
                wait_for_explorers(page, len(explorers))
                page.evaluate(BARE)
                kind = "checkbox" if control_name == "batch_norm" else "range"
                measured = [press(page, control(page, index, control_name, kind), k) for k in keys]
                reference = [press(page, page.locator("#bare"), k) for k in ["ArrowLeft", "ArrowRight"] * 5]
        finally:
            browser.close()
    return measured, reference


def _key_result(name: str) -> Result:
    measured, reference = _key_times(name)
    return Result(statistics.median(measured) / 1e3, statistics.median(reference) / 1e3, "bare slider + text node",
                  note=f"max {max(measured):.1f} ms over {len(measured)} presses")


@benchmark("explorers B: key -> redraw, softmax temperature (10 classes)", max_seconds=0.016)
def key_temperature() -> Result:
    return _key_result("temperature")


@benchmark("explorers B: key -> redraw, sigmoid step (k = 1000)", max_seconds=0.016)
def key_step() -> Result:
    return _key_result("step")


@benchmark("explorers B: key -> redraw, autodiff trace stepper", max_seconds=0.016)
def key_stepper() -> Result:
    return _key_result("stepper")


@benchmark("explorers B: key -> redraw, init propagation (depth 60, grid look-up)", max_seconds=0.050)
def key_propagation() -> Result:
    return _key_result("propagation")


def page_bytes(chapter: str) -> tuple[int, int]:
    """(bytes the chapter's explorers add to its page, bytes of the vendored html-manager)."""
    from ipywidgets.embed import dependency_state, embed_data

    offline = ROOT / "book" / "_offline" / "nnbook"
    explorers = _chapter_explorers(chapter)
    data = embed_data(views=explorers, drop_defaults=False, state=dependency_state(explorers, drop_defaults=False))
    state = json.dumps(data["manager_state"]) + "".join(json.dumps(v) for v in data["view_specs"])
    anywidget = (offline / "anywidget" / "index.js").stat().st_size
    manager = sum(p.stat().st_size for p in (offline / "html-manager").glob("*.js"))
    return len(state.encode()) + anywidget, manager


def _bytes_result(chapter: str) -> Result:
    added, manager = page_bytes(chapter)
    # Result is in "seconds": here bytes / 1e6 (MB), so the table prints ms as KB
    return Result(added / 1e6, manager / 1e6, "vendored html-manager (KB, shown as ms)",
                  note=f"{added / 1024:.1f} KB added (target 150 KB)")


@benchmark("explorers B: bytes added to softmax page (KB shown as ms)", max_seconds=0.150)
def bytes_softmax() -> Result:
    return _bytes_result("softmax")


@benchmark("explorers B: bytes added to autodiff page (KB shown as ms)", max_seconds=0.150)
def bytes_autodiff() -> Result:
    return _bytes_result("autodiff")


@benchmark("explorers B: bytes added to init page (KB shown as ms)", max_seconds=0.150)
def bytes_init() -> Result:
    return _bytes_result("init_batchnorm")
