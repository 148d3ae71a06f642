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
    for folder, pattern in ((ROOT / "book", "*"), (ROOT / "src" / "nnbook", "*.py")):
        files += [
            p for p in folder.rglob(pattern)
            if p.is_file() and not {".ipynb_checkpoints", "__pycache__"} & set(p.parts)
        ]
    return [p for p in files if p.exists()]


def fresh_build(html: pathlib.Path) -> bool:
    """Whether ``html`` is a complete build newer than every input of the book.

    Sphinx writes ``.buildinfo`` when it writes the pages; a build is reused only if that is
    newer than every notebook, page, config file and package module, and every page of the
    table of contents is there.
    """
    stamp = html / ".buildinfo"
    if not stamp.is_file():
        return False
    if not all((html / f"{page}.html").is_file() for page in toc_pages()):
        return False
    newest_input = max(p.stat().st_mtime for p in book_inputs())
    return stamp.stat().st_mtime > newest_input and all(
        (html / f"{page}.html").stat().st_mtime > newest_input for page in toc_pages()
    )


def build_book(output: pathlib.Path) -> tuple[pathlib.Path, int, str]:
    """Build the book as the README does, into ``output``; returns (html dir, exit code, log)."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(
        [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(ROOT), "--all",
         "-W", "-n", "--keep-going", "--path-output", str(output)],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900,
    )
    return output / "_build" / "html", proc.returncode, proc.stdout + proc.stderr


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
