"""The book's own Sphinx extension: a build stamp for the tests, and alt text for figures.

1. Alt text. ``nnbook.plots`` displays a Figure as a PNG whose output metadata holds an alt
   text describing it (``{"image/png": {"alt": ...}}``); myst-nb keeps only width and height
   from output metadata, so this extension hands the ``alt`` on to the page's ``<img>`` too.

2. Launch buttons only with a repository. With no ``repository.url`` in ``_config.yml``
   Jupyter Book falls back to its own repository (every "launch" link would open Jupyter
   Book's notebooks), and an empty one makes sphinx-book-theme crash while building the
   launch menu. Either way this extension turns the launch buttons off: they are absent, not
   broken.

3. Build stamp.
Sphinx writes ``.buildinfo`` and the pages even when a build fails (``-W --keep-going`` writes
every page, then exits 1), so "the pages are there and newer than the sources" does not mean
"the build succeeded". This extension deletes ``<outdir>/nnbook-build.json`` when a build
starts and writes it when the build ends, with the outcome: the warning count, the error if
any, and the documents Sphinx read. ``tests/browser`` reuses a build only when this stamp says
it succeeded with no warnings and read only the book's own pages.

Wired in ``_config.yml`` (``sphinx.local_extensions``).
"""

from __future__ import annotations

import json
import pathlib

STAMP = "nnbook-build.json"


def _start(app) -> None:
    (pathlib.Path(app.outdir) / STAMP).unlink(missing_ok=True)


def _finish(app, exception) -> None:
    warnings = int(getattr(app, "_warncount", 0))
    record = {
        "ok": exception is None and warnings == 0,
        "warnings": warnings,
        "error": None if exception is None else f"{type(exception).__name__}: {exception}",
        "builder": app.builder.name,
        "docs": sorted(app.env.found_docs),
    }
    outdir = pathlib.Path(app.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / STAMP).write_text(json.dumps(record, indent=1) + "\n")


def _alt_from_output_metadata() -> None:
    """Make myst-nb use ``alt`` from an image output's metadata (once per process)."""
    from myst_nb.core.render import NbElementRenderer

    render_image = NbElementRenderer.render_image
    if getattr(render_image, "_nnbook_alt", False):
        return

    def render_image_with_alt(self, data):
        nodes = render_image(self, data)
        alt = data.output_metadata.get(data.mime_type, {}).get("alt")
        for node in nodes:
            if alt and "alt" not in node:
                node["alt"] = str(alt)
        return nodes

    render_image_with_alt._nnbook_alt = True
    NbElementRenderer.render_image = render_image_with_alt


#: Jupyter Book 1's default ``repository.url`` (used when _config.yml gives none).
JUPYTER_BOOK_DEFAULT_REPOSITORY = "https://github.com/executablebooks/jupyter-book"
LAUNCH_PROVIDERS = ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url", "jupyterlite_url", "thebe")


def launch_buttons_without_repository(theme_options: dict) -> dict:
    """``theme_options`` with every launch provider turned off when no repository of the
    book's own is configured (no URL, an empty one, or Jupyter Book's default)."""
    url = str(theme_options.get("repository_url") or "").strip().rstrip("/")
    if url and url != JUPYTER_BOOK_DEFAULT_REPOSITORY:
        return theme_options
    options = dict(theme_options)
    options.pop("repository_url", None)
    launch = dict(options.get("launch_buttons") or {})
    for key in LAUNCH_PROVIDERS:
        if key in launch:
            launch[key] = False if key == "thebe" else ""
    options["launch_buttons"] = launch
    for button in ("use_repository_button", "use_issues_button", "use_edit_page_button", "use_source_button"):
        options[button] = False
    return options


def _check_repository(app, config) -> None:
    config.html_theme_options = launch_buttons_without_repository(config.html_theme_options or {})


def setup(app):
    _alt_from_output_metadata()
    app.connect("config-inited", _check_repository)
    app.connect("builder-inited", _start)
    app.connect("build-finished", _finish)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
