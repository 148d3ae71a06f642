"""Helpers for the real-browser tests (``tests/test_browser_*.py``).

Headless Chromium (Debian's ``chromium`` package) driven by Playwright for Python;
Playwright's own browser download does not work here, so we always pass the system binary.
Nothing here reaches the network: pages are served from 127.0.0.1 and any request to
another host is reported as a failure by the tests.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    # No background traffic: the machine has no network, and the tests must not depend on it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider",
]


def chromium_path() -> str | None:
    """The Chromium binary: $NNBOOK_CHROMIUM, /usr/bin/chromium, or chromium on PATH."""
    for candidate in (os.environ.get("NNBOOK_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def why_no_browser() -> str | None:
    """None when the browser tests can run, else the reason they are skipped."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (python3 -m pip install -r requirements.txt)"
    if chromium_path() is None:
        return "Chromium is not installed (apt-get install chromium; CI installs it)"
    return None


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(directory: pathlib.Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# -- the book ---------------------------------------------------------------------------------
def toc_pages() -> list[str]:
    """Every document in _toc.yml, in reading order ("book/intro", ...)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [str(pathlib.PurePosixPath(p).with_suffix("")) if p.endswith((".ipynb", ".md")) else p for p in pages]


def book_inputs() -> list[pathlib.Path]:
    """The files a build of the book depends on (for deciding whether a build is fresh)."""
    files = [ROOT / "_config.yml", ROOT / "_toc.yml", ROOT / "references.bib"]
    # all of src/nnbook: the built pages carry its JavaScript and CSS too (book/_ext/nnbook_shared.py)
    for folder, pattern in ((ROOT / "book", "*"), (ROOT / "src" / "nnbook", "*")):
        files += [
            p for p in folder.rglob(pattern)
            if p.is_file() and not {".ipynb_checkpoints", "__pycache__"} & set(p.parts)
        ]
    return [p for p in files if p.exists()]


#: Where book/_ext/nnbook_build.py records how a build ended (deleted when a build starts).
STAMP = "nnbook-build.json"

def build_record(html: pathlib.Path) -> dict | None:
    """How the build in ``html`` ended, from its stamp: ``{"ok", "warnings", "error",
    "docs"}``; None when there is no stamp (an older build, or one that crashed)."""
    try:
        return json.loads((html / STAMP).read_text())
    except (OSError, ValueError):
        return None


def build_problems(html: pathlib.Path, returncode: int | None = None) -> list[str]:
    """What is wrong with the build in ``html`` (empty when it succeeded): a non-zero exit
    code, no stamp, warnings or an error recorded in the stamp, documents read from outside
    the book (e.g. a virtual environment's site-packages), pages of the table of contents
    missing, or any page written into a hidden or environment folder."""
    problems = []
    if returncode not in (None, 0):
        problems.append(f"the book command exited with {returncode}")
    record = build_record(html)
    if record is None:
        problems.append(f"no {STAMP}: the build did not finish (or predates book/_ext/nnbook_build.py)")
    else:
        if not record.get("ok"):
            problems.append(f"the build ended with {record.get('warnings')} warning(s), error {record.get('error')}")
        stray = sorted(set(record.get("docs", [])) - set(toc_pages()))
        if stray:
            problems.append(f"Sphinx read {len(stray)} documents that are not in _toc.yml: {stray[:5]}")
    missing = [page for page in toc_pages() if not (html / f"{page}.html").is_file()]
    if missing:
        problems.append(f"pages missing: {missing}")
    if html.is_dir():
        junk = sorted({p.relative_to(html).parts[0] for p in html.rglob("*.html")
                       if p.relative_to(html).parts[0] in {".venv", "venv", "env", ".env", "site-packages"}
                       or "site-packages" in p.parts})
        if junk:
            problems.append(f"pages written from local environments: {junk}")
    return problems


def fresh_build(html: pathlib.Path) -> bool:
    """Whether ``html`` is a build that SUCCEEDED and is newer than every input of the book.

    Sphinx writes ``.buildinfo`` and every page even when a ``-W --keep-going`` build fails,
    so a build is reused only if its stamp (``nnbook-build.json``) says it succeeded with no
    warnings and read only the book's pages, the stamp is newer than every notebook, page,
    config file and package module, and every page of the table of contents is there.
    """
    stamp = html / STAMP
    if build_problems(html) or not stamp.is_file():
        return False
    newest_input = max(p.stat().st_mtime for p in book_inputs())
    return stamp.stat().st_mtime > newest_input and all(
        (html / f"{page}.html").stat().st_mtime > newest_input for page in toc_pages()
    )


def build_book(output: pathlib.Path, root: pathlib.Path = ROOT, python: str = sys.executable,
               env: dict[str, str] | None = None) -> tuple[pathlib.Path, int, str]:
    """Build the book in ``root`` as the README does, into ``output``; returns (html dir,
    exit code, log)."""
    env = dict(env if env is not None else os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(
        [python, "-c", "from jupyter_book.cli.main import main; main()", "build", str(root), "--all",
         "-W", "-n", "--keep-going", "--path-output", str(output)],
        cwd=root, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900,
    )
    return output / "_build" / "html", proc.returncode, proc.stdout + proc.stderr


class Book:
    """A built book for the browser tests: its html folder, the book command's exit code (None
    when an existing build was reused), the log, and whether it was reused."""

    def __init__(self, html: pathlib.Path, returncode: int | None, log: str, reused: bool):
        self.html, self.returncode, self.log, self.reused = html, returncode, log, reused


_BOOK: list[Book] = []


def the_book(tmp_path_factory) -> Book:
    """The book every browser test reads, built at most once per test session (shared by
    tests/test_browser*.py): ``$NNBOOK_BROWSER_HTML`` as it is; else ``_build/html`` when
    :func:`fresh_build`; else the README's book command into a temp ``--path-output``."""
    if _BOOK:
        return _BOOK[0]
    given = os.environ.get("NNBOOK_BROWSER_HTML")
    existing = ROOT / "_build" / "html"
    if given:  # a build the developer points at, taken as it is (its stamp is still checked)
        book = Book(pathlib.Path(given), None, f"NNBOOK_BROWSER_HTML={given}", True)
    elif os.environ.get("NNBOOK_BROWSER_REBUILD") != "1" and fresh_build(existing):
        book = Book(existing, None, "reused the successful fresh build in _build/html", True)
    else:
        book = _shared_build(tmp_path_factory)
    _BOOK.append(book)
    return book


def _shared_build(tmp_path_factory) -> Book:
    """Build the book once for all pytest-xdist workers: the first to get the lock builds into
    the run's shared temp folder, the others wait for it and read its build and log."""
    import fcntl

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # one folder per worker below the run's own
    output = root / "shared-book"
    with open(root / "shared-book.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        record = root / "shared-book.json"
        if record.is_file():
            done = json.loads(record.read_text(encoding="utf-8"))
            return Book(pathlib.Path(done["html"]), done["returncode"], done["log"], False)
        html, code, log = build_book(output)
        record.write_text(json.dumps({"html": str(html), "returncode": code, "log": log}), encoding="utf-8")
        return Book(html, code, log, False)


# -- JupyterLab ----------------------------------------------------------------------------------
@contextlib.contextmanager
def jupyterlab(root_dir: pathlib.Path) -> Iterator[str]:
    """A JupyterLab server on 127.0.0.1 with no token, temp config/runtime dirs; yields its URL."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="nnbook-lab-") as tmp:
        tmp_path = pathlib.Path(tmp)
        env = dict(
            os.environ,
            JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
            JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
            IPYTHONDIR=str(tmp_path / "ipython"),
            MPLBACKEND="module://matplotlib_inline.backend_inline",
            PYTHONDONTWRITEBYTECODE="1",
        )
        log = open(tmp_path / "lab.log", "w")
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={root_dir}", "--LabApp.expose_app_in_browser=True",
            "--ServerApp.port_retries=0",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        proc = subprocess.Popen(cmd, cwd=root_dir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError("JupyterLab exited:\n" + (tmp_path / "lab.log").read_text()[-3000:])
                try:
                    with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text()[-3000:])
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
