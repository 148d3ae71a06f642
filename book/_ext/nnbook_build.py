"""The book's own Sphinx extension: a build stamp for the tests, and alt text for figures.

1. Alt text. ``nnbook.plots`` displays a Figure as a PNG whose output metadata holds an alt
   text describing it (``{"image/png": {"alt": ...}}``); myst-nb keeps only width and height
   from output metadata, so this extension hands the ``alt`` on to the page's ``<img>`` too.

2. Build stamp.
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


def setup(app):
    _alt_from_output_metadata()
    app.connect("builder-inited", _start)
    app.connect("build-finished", _finish)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
