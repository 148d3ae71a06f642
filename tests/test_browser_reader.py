"""A book everyone can read (issue 16), in a real browser (headless Chromium via Playwright).

On every page of the built book (the same build as tests/test_browser.py, built at most once
per session and only reused when it succeeded):

- nothing scrolls sideways at 1280 px: no output, code cell, table or formula box is wider
  than its box, and nothing spills out of the text column (``SIDEWAYS`` in
  tests/browser/reader_checks.py says exactly what is measured and what is left out, and why);
- on a phone (390 px) the page itself never scrolls sideways;
- axe-core finds no serious or critical WCAG 2.1 A/AA (or best-practice) violation, in the
  light and the dark theme, at both widths, anywhere on the page: the live explorers and the
  answer boxes included (only MathJax's glyph boxes are left out, see ``AXE_ALWAYS_EXCLUDED``);
- every figure nnbook draws has an alt text that describes it; every control can be reached
  with the Tab key and shows where the focus is;
- every chapter offers "launch on Binder" (and JupyterHub where configured) for its own
  notebook, and no launch button appears where no repository URL is configured.

And, without a browser: the book command succeeds with a virtual environment inside the
repository (slow: builds a copy of the repository).
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml

from browser import ROOT, build_book, build_problems, serve, the_book, toc_pages, why_no_browser
from browser.page_checks import WAIT_FOR_MATHJAX, WIDGET_VIEWS
from browser.reader_checks import FOCUS_RING, IMAGE_ALTS, SET_THEME, SIDEWAYS, UNREACHABLE

_SKIP = why_no_browser()
needs_browser = pytest.mark.skipif(_SKIP is not None, reason=str(_SKIP))
browser_test = [pytest.mark.browser, pytest.mark.slow, needs_browser]

PAGES = toc_pages()
CHAPTERS = [p for p in PAGES if (ROOT / f"{p}.ipynb").is_file()]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
THEMES = ("light", "dark")
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())

try:  # axe-core 4.x, from the PyPI package axe-playwright-python (a test-only dependency)
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # pragma: no cover - reported by the axe test as a skip
    Axe = None

# MathJax's typeset formulas are left out: thousands of glyph boxes per page (85 % of a chapter's
# elements) drawn in the colour of the text around them, which axe checks; their accessible form
# is MathJax's assistive MathML. Excluding them is not enough (axe still walks them: 50 s a page),
# so before axe runs each formula is swapped for an empty stub that is excluded (10-20 s a page).
AXE_ALWAYS_EXCLUDED = [".nnbook-axe-math"]
STUB_MATH = """() => document.querySelectorAll('mjx-container').forEach(m => {
    const stub = document.createElement('span'); stub.className = 'nnbook-axe-math'; m.replaceWith(stub); })"""

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}

# Only the colours change with the theme: the dark theme runs the contrast rules.
AXE_DARK_OPTIONS = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
                    "resultTypes": ["violations"]}


# -- fixtures ----------------------------------------------------------------------------------------
# `browser` (one headless Chromium for the whole session) comes from tests/conftest.py.


@pytest.fixture(scope="session")
def reader_book(tmp_path_factory):
    book = the_book(tmp_path_factory)
    problems = build_problems(book.html, book.returncode)
    if problems:
        pytest.fail("the book did not build: " + "; ".join(problems) + "\n" + book.log[-3000:])
    return book


@pytest.fixture(scope="module")
def site(reader_book):
    with serve(reader_book.html) as url:
        yield url


def open_page(browser, site, name, width_name):
    width, height = WIDTHS[width_name]
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block")
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.goto(f"{site}/{name}.html", wait_until="load")
    assert tab.evaluate(WAIT_FOR_MATHJAX) in ("ok", "no mathjax")
    if tab.evaluate(WIDGET_VIEWS):
        tab.wait_for_function(f"({WIDGET_VIEWS})().every(Boolean)", timeout=30_000)
    tab.wait_for_timeout(300)
    tab.evaluate("() => window.nnbookReader && window.nnbookReader()")  # settle the fitted math
    return context, tab


# -- every page, at each width: one page load, every check ------------------------------------------------
# One load per page and width (each takes seconds under load): the sideways measure, axe in
# both themes, and on the desktop the figures' alt text and the keyboard. Each failure names
# its check.
@pytest.mark.parametrize("name", PAGES + ["search", "genindex"])
@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_page_reads_for_everyone(browser, site, name, width_name):
    context, tab = open_page(browser, site, name, width_name)
    failures: list[str] = []
    try:
        failures += sideways_problems(tab, name, width_name)
        if width_name == "desktop" and name in CHAPTERS:
            failures += figure_problems(tab, name)
            failures += keyboard_problems(tab, name)
        failures += axe_problems(tab, name, width_name)  # last: it takes the typeset math out
    finally:
        context.close()
    assert not failures, f"{name} at {WIDTHS[width_name][0]} px:\n" + "\n".join(failures)


for _mark in browser_test:
    _mark(test_page_reads_for_everyone)


def sideways_problems(tab, name: str, width_name: str) -> list[str]:
    """No sideways scroll: the page never; at 1280 px no box either (on a phone a formula or a
    table too wide for 358 px may scroll inside its own box, keyboard-scrollable)."""
    found = tab.evaluate(SIDEWAYS)
    problems = []
    if found["page"] > found["viewport"]:
        problems.append(f"sideways: the page is {found['page']} px wide in a {found['viewport']} px window; "
                        f"widest boxes: {found['items'][:5]}")
    if width_name == "desktop" and found["items"]:
        problems.append(f"sideways: {len(found['items'])} boxes scroll sideways: " + "\n  ".join(found["items"][:15]))
    return problems


def axe_problems(tab, name: str, width_name: str) -> list[str]:
    """axe-core: no serious or critical violation anywhere on the page, in either theme."""
    if Axe is None:
        pytest.skip("axe-playwright-python is not installed (python3 -m pip install -r requirements.txt)")
    found = []
    tab.evaluate(STUB_MATH)
    for theme in THEMES:
        tab.evaluate(SET_THEME, theme)
        tab.wait_for_timeout(100)
        options = AXE_OPTIONS if theme == "light" else AXE_DARK_OPTIONS
        response = Axe().run(tab, context={"exclude": [[s] for s in AXE_ALWAYS_EXCLUDED]}, options=options).response
        for violation in response["violations"]:
            if violation["impact"] not in ("serious", "critical"):
                continue
            nodes = violation["nodes"]
            found.append(f"axe ({theme} theme): {violation['id']} ({violation['impact']}) on {len(nodes)} element(s), "
                         f"e.g. {nodes[0]['target']}: {' '.join(nodes[0].get('failureSummary', '').split())[:300]}")
    tab.evaluate(SET_THEME, "light")
    return found


def figure_problems(tab, name: str) -> list[str]:
    """Every figure in a cell output (not a widget's) has an alt text that describes it."""
    problems = []
    for image in tab.evaluate(IMAGE_ALTS):
        if not image["in_output"] or image["in_widget"]:
            continue
        alt = (image["alt"] or "").strip()
        if not alt:
            problems.append(f"figure without alt text: {image['src']}")
        elif alt.endswith((".png", ".svg", ".jpg")) or "_images/" in alt:
            problems.append(f"figure whose alt text is a file name: {alt}")
        elif alt.startswith("Figure") and len(alt) < len("Figure: ") + 5:
            problems.append(f"figure whose alt text says nothing: {alt!r}")
    return problems


def keyboard_problems(tab, name: str) -> list[str]:
    """Every control of the article is in the Tab order, and the focus is visible as the Tab key
    moves through the page (an outline of 2 px or more, or a focus shadow)."""
    problems = []
    unreachable = tab.evaluate(UNREACHABLE)
    if unreachable:
        problems.append(f"keyboard: controls the Tab key skips: {unreachable[:5]}")
    tab.evaluate("() => { window.scrollTo(0, 0); document.activeElement && document.activeElement.blur(); }")
    seen, invisible = 0, []
    for _ in range(40):
        tab.keyboard.press("Tab")
        ring = tab.evaluate(FOCUS_RING)
        if ring is None or not ring["visible"]:
            continue
        seen += 1
        if ring["outline"] < 2 and not ring["shadow"]:
            invisible.append(ring)
    if seen < 10:
        problems.append(f"keyboard: the Tab key reached only {seen} visible elements")
    if invisible:
        problems.append(f"keyboard: focus not visible on {invisible[:5]}")
    return problems


# -- launch buttons ------------------------------------------------------------------------------------
def _launch_links(page_html: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]*(?:/v2/gh/|/v2/gl/|/v2/git/|hub/user-redirect/git-pull)[^"]*)"', page_html)


@pytest.mark.browser
@needs_browser
@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_launches_its_own_notebook(reader_book, name):
    import html as html_lib

    links = [html_lib.unescape(u) for u in _launch_links((reader_book.html / f"{name}.html").read_text())]
    url = (CONFIG.get("repository") or {}).get("url")
    launch_cfg = CONFIG.get("launch_buttons") or {}
    if not url:
        assert not links, f"{name}: launch buttons without a repository URL: {links}"
        return
    binder = (launch_cfg.get("binderhub_url") or "").rstrip("/")
    if binder:
        want = f"urlpath=lab/tree/{name}.ipynb"
        assert any(u.startswith(binder + "/v2/") and u.endswith(want) for u in links), (name, links)
    hub = (launch_cfg.get("jupyterhub_url") or "").rstrip("/")
    assert any(u.startswith(hub + "/hub/user-redirect/git-pull") for u in links) == bool(hub), (name, links)


def _theme_launch_buttons(theme_options: dict) -> list[dict]:
    """The launch buttons sphinx-book-theme puts on a chapter for these theme options, after
    book/_ext/nnbook_build.py checked them (as in a build)."""
    pytest.importorskip("sphinx_book_theme")
    import sphinx_book_theme.header_buttons.launch as launch_module
    from sphinx_book_theme.header_buttons import update_context_with_repository_info

    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        from nnbook_build import launch_buttons_without_repository
    finally:
        sys.path.remove(str(ROOT / "book" / "_ext"))
    options = launch_buttons_without_repository(theme_options)

    class Config(dict):
        html_context: dict = {}

    class App:
        config = Config(html_theme_options=options)
        builder = type("Builder", (), {"theme_options": options})()
        env = type("Env", (), {"doc2path": staticmethod(lambda name: str(ROOT / f"{name}.ipynb"))})()
        outdir = "/nonexistent"

    App.config.html_theme_options = options
    App.config.html_context = {}
    update_context_with_repository_info(App)
    context = dict(App.config.html_context, header_buttons=[], sourcename="book/intro.ipynb")
    real = launch_module._is_notebook
    launch_module._is_notebook = lambda app, ctx: True
    try:
        launch_module.add_launch_buttons(App, "book/intro", "page.html", context, None)
    finally:
        launch_module._is_notebook = real
    return [b for group in context["header_buttons"] for b in group.get("buttons", [group])]


HUB = {"binderhub_url": "https://mybinder.org", "jupyterhub_url": "https://hub.example.edu",
       "notebook_interface": "jupyterlab"}


@pytest.mark.parametrize("url", [None, "", "https://github.com/executablebooks/jupyter-book"])
def test_no_repository_url_means_no_launch_buttons(url):
    """No URL, an empty one, or Jupyter Book's default (what it uses when _config.yml gives
    none): the launch menu is absent, and the build does not crash building it."""
    options = {"launch_buttons": dict(HUB), "path_to_docs": ""}
    if url is not None:
        options["repository_url"] = url
    assert _theme_launch_buttons(options) == []


def test_a_repository_url_gives_binder_and_jupyterhub_links_to_the_chapter():
    options = {"launch_buttons": dict(HUB), "repository_url": "https://github.com/someone/nnbook",
               "repository_branch": "main", "path_to_docs": ""}
    urls = {b["text"]: b["url"] for b in _theme_launch_buttons(options)}
    assert urls["Binder"] == "https://mybinder.org/v2/gh/someone/nnbook/main?urlpath=lab/tree/book/intro.ipynb"
    hub = urls["JupyterHub"]
    assert hub.startswith("https://hub.example.edu/hub/user-redirect/git-pull?")
    from urllib.parse import parse_qs, urlsplit

    query = {k: v[0] for k, v in parse_qs(urlsplit(hub).query).items()}
    assert query == {"repo": "https://github.com/someone/nnbook", "branch": "main",
                     "urlpath": "lab/tree/nnbook/book/intro.ipynb"}  # nbgitpuller clones into ~/nnbook


def test_binder_environment_is_what_repo2docker_needs():
    """repo2docker reads binder/ (and then ignores the root): Python 3.11 (numpy 2.4 needs it)
    and the book's own requirements, whose `-e .` installs nnbook from the checkout."""
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert runtime == "python-3.11"
    lines = [ln.split("#")[0].strip() for ln in (ROOT / "binder" / "requirements.txt").read_text().splitlines()]
    assert "-r ../requirements.txt" in lines
    top = [ln.split("#")[0].strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()]
    assert "-e ." in top and not any(ln.startswith("torch") for ln in top)


# -- the book command with a virtual environment inside the repository -----------------------------------
def _copy_repository(dest: pathlib.Path) -> None:
    """The repository's files as a clone has them (tracked and new, not ignored) into ``dest``."""
    try:
        files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                               cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        files = None
    if files is None:
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns("_build", ".git", ".venv", "venv", "__pycache__"))
        return
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


@pytest.mark.slow
def test_the_book_builds_with_a_virtual_environment_inside_the_repository(tmp_path):
    """The README's advice, `python3 -m venv .venv` in the repository, then the book command:
    it must succeed with no warnings and publish nothing from the environment. The venv gets
    the system's packages (nothing is downloaded) and, like a real one, Markdown and notebooks
    in its site-packages (Jupyter Book's own template was what got built before)."""
    repo = tmp_path / "nnbook"
    _copy_repository(repo)
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(repo / ".venv")],
                   check=True, capture_output=True)
    site = next((repo / ".venv" / "lib").glob("python3*")) / "site-packages"
    import jupyter_book

    template = pathlib.Path(jupyter_book.__file__).parent / "book_template"
    shutil.copytree(template, site / "jupyter_book" / "book_template")
    (site / "decoy-1.0.dist-info").mkdir(parents=True)
    (site / "decoy-1.0.dist-info" / "README.md").write_text("# Not a page of the book\n")
    (repo / "venv").mkdir()
    (repo / "venv" / "notes.md").write_text("# Not a page either\n")
    cache = ROOT / "_build" / ".jupyter_cache"
    if cache.is_dir():  # speed only: notebooks whose code is unchanged are not re-executed
        shutil.copytree(cache, repo / "_build" / ".jupyter_cache")

    venv_python = str(repo / ".venv" / "bin" / "python")
    env = dict(os.environ, VIRTUAL_ENV=str(repo / ".venv"), PYTHONPATH=str(repo / "src"),
               PATH=f"{repo / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    html, code, log = build_book(repo, root=repo, python=venv_python, env=env)
    problems = build_problems(html, code)
    assert not problems, "; ".join(problems) + "\n" + log[-4000:]
    record = json.loads((html / "nnbook-build.json").read_text())
    assert sorted(record["docs"]) == sorted(PAGES)
    assert not [p for p in html.rglob("*.html") if ".venv" in p.parts or "venv" in p.parts or "site-packages" in p.parts]
    assert "site-packages" not in log
