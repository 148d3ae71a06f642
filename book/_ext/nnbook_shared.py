"""Shared front-end files for the built book: one copy for every page instead of one per page.

A notebook has no static folder, so what makes its answer boxes and explorers work travels in
its outputs: the first exercise a kernel shows carries the answer boxes' ``<style>`` and
``<script>`` (``nnbook.exercises._page.assets``), and every explorer's saved widget state carries
its anywidget ESM (``js/_base.js`` followed by its own module, ``nnbook.widgets._live.js_source``).
That stays so in JupyterLab. On the built book the same bytes would be repeated on every page
(20 KB of answer-box script and 27–72 KB of explorer modules per chapter page), so once the HTML
builder has written the pages (``build-finished``) this extension rewrites each page:

1. Answer boxes. The inline ``<style>``/``<script>`` pair becomes a ``<link>`` to
   ``_static/nnbook/shared/exercises.css`` and a ``<script src>`` of ``exercises.js`` at the same
   place, so the script still runs exactly where it ran before (a plain, parser-blocking script).
2. Explorers (and the exercises' kernel channel, ``channel.js``). Each part of an explorer's ESM
   (``_base.js``, ``conv.js``...) is written to ``_static/nnbook/shared/modules/<part>.js`` as a
   classic script that registers its source text in ``window.nnbookModules``; the page loads the
   parts it uses in its ``<head>``, before the widget manager. The ESM in the page's widget state becomes a small loader that joins those
   parts, exactly as ``js_source`` did, and imports the result from a blob URL (what anywidget does
   with an inline ESM; classic scripts and blob modules both work from ``file://``, where a module
   file could not be imported).

Both are checked: an answer-box block or an explorer ESM that is not exactly today's files (a
notebook whose saved outputs are older than the front-end: execute it again) is left inline and
reported as a Sphinx warning, which fails the book's ``-W`` build. Every URL carries ``?v=`` and a
hash of the content, as Sphinx's own static files do, so a browser never runs a stale copy.

Wired in ``_config.yml`` (``sphinx.local_extensions``); tested in ``tests/test_book_shared.py``
and, on the built book, by every browser test.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import re

SHARED = ("_static", "nnbook", "shared")
WIDGET_STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)
EXERCISE_STYLE = "<style>/* nnbook self-check exercises"


def _package_dir() -> pathlib.Path:
    import nnbook

    return pathlib.Path(nnbook.__file__).resolve().parent


def module_parts() -> dict[str, str]:
    """The anywidget modules' parts by file name: the explorers' ``widgets/js/*.js`` (``_base.js``,
    ``conv.js``, ...) and the exercises' kernel channel (``exercises/static/channel.js``)."""
    package = _package_dir()
    files = [*sorted((package / "widgets" / "js").glob("*.js")), package / "exercises" / "static" / "channel.js"]
    return {p.name: p.read_text(encoding="utf-8") for p in files}


def exercise_assets() -> tuple[str, str, str]:
    """(the inline block a notebook carries, exercises.css, exercises.js)."""
    from nnbook.exercises import _page

    static = _page.STATIC
    return (_page.assets(), (static / "exercises.css").read_text(encoding="utf-8"),
            (static / "exercises.js").read_text(encoding="utf-8"))


def split_esm(esm: str, parts: dict[str, str]) -> list[str] | None:
    """The part names whose sources, joined with newlines, are exactly ``esm`` (as ``js_source``
    joins ``_base.js`` and an explorer's modules); None when ``esm`` is not made of today's parts.

    >>> split_esm("B\\nX\\nY", {"_base.js": "B", "x.js": "X", "y.js": "Y"})
    ['_base.js', 'x.js', 'y.js']
    >>> split_esm("B\\nX-old", {"_base.js": "B", "x.js": "X"}) is None
    True
    """
    names, at = [], 0
    while True:
        for name, source in parts.items():
            end = at + len(source)
            if esm.startswith(source, at) and (end == len(esm) or esm.startswith("\n", end)):
                names.append(name)
                at = end + 1
                break
        else:
            return None
        if at > len(esm):
            return names


def _version(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def loader(names: list[str]) -> str:
    """The ESM a built page's widget state carries for an explorer made of ``names``."""
    return (
        "// This explorer's front-end (" + " + ".join(names) + ") is shared by every page of the book:\n"
        "// _static/nnbook/shared/modules/ registers each part in window.nnbookModules (book/_ext/nnbook_shared.py).\n"
        f"const source = {json.dumps(names)}.map((name) => window.nnbookModules[name]).join(\"\\n\");\n"
        "const url = URL.createObjectURL(new Blob([source], { type: \"text/javascript\" }));\n"
        "const module = await import(url);\n"
        "URL.revokeObjectURL(url);\n"
        "export default module.default;\n"
    )


def registration(name: str, source: str) -> str:
    """The classic script that registers one module part."""
    return (f"// nnbook: the anywidget module part {name}, shared by the book's pages (book/_ext/nnbook_shared.py)\n"
            f"(window.nnbookModules = window.nnbookModules || {{}})[{json.dumps(name)}] = {json.dumps(source)};\n")


def write_shared(outdir: pathlib.Path) -> dict[str, str]:
    """Write the shared files under ``outdir/_static/nnbook/shared``; returns {file: ?v= hash}."""
    folder = outdir.joinpath(*SHARED)
    (folder / "modules").mkdir(parents=True, exist_ok=True)
    _, css, js = exercise_assets()
    files = {"exercises.css": css, "exercises.js": js}
    files.update({f"modules/{name}": registration(name, source) for name, source in module_parts().items()})
    for relative, text in files.items():
        (folder / relative).write_text(text, encoding="utf-8")
    return {relative: _version(text) for relative, text in files.items()}


def share_page(text: str, prefix: str, versions: dict[str, str]) -> tuple[str, list[str]]:
    """One page rewritten to use the shared files (``prefix``: the path from the page to the
    output root, e.g. ``"../"``); returns (the page, what was left inline and why)."""
    problems = []
    base = prefix + "/".join(SHARED) + "/"
    inline, _, _ = exercise_assets()
    start = text.find(EXERCISE_STYLE)
    if start >= 0:
        if text.startswith(inline, start):
            shared = (f'<link rel="stylesheet" href="{base}exercises.css?v={versions["exercises.css"]}">\n'
                      f'<script src="{base}exercises.js?v={versions["exercises.js"]}"></script>')
            text = text[:start] + shared + text[start + len(inline):]
        else:
            problems.append("its answer-box script and CSS are not today's exercises.js/.css")
    match = WIDGET_STATE.search(text)
    if match:
        state = json.loads(match.group(1).replace("<\\/script>", "</script>"))
        parts, used = module_parts(), []
        for model_id, model in state.get("state", {}).items():
            esm = model.get("state", {}).get("_esm")
            if not isinstance(esm, str) or esm.startswith("// This explorer's front-end ("):
                continue
            names = split_esm(esm, parts)
            if names is None:
                problems.append(f"explorer {model_id}'s saved front-end is not today's js/ modules")
                continue
            model["state"]["_esm"] = loader(names)
            used += [n for n in names if n not in used]
        if used:
            scripts = "".join(f'<script src="{base}modules/{name}?v={versions["modules/" + name]}"></script>\n    '
                              for name in used)
            body = json.dumps(state).replace("</script>", "<\\/script>")
            text = (text[:match.start()] + scripts + match.group(0).replace(match.group(1), body, 1)
                    + text[match.end():])
    return text, problems


def _share(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    outdir = pathlib.Path(app.outdir)
    versions = write_shared(outdir)
    static = outdir / "_static"
    for page in sorted(outdir.rglob("*.html")):
        if static in page.parents:
            continue
        relative = page.relative_to(outdir)
        prefix = "../" * (len(relative.parts) - 1)
        text = page.read_text(encoding="utf-8")
        shared, problems = share_page(text, prefix, versions)
        for problem in problems:
            logger.warning(f"{relative}: {problem}; it stays inline (execute the notebook again)", type="nnbook")
        if shared != text:
            page.write_text(shared, encoding="utf-8")


def setup(app):
    # before nnbook_build's stamp (priority 500), so a warning here marks the build as failed
    app.connect("build-finished", _share, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
