"""The built book's shared front-end files (``book/_ext/nnbook_shared.py``).

In a notebook the answer boxes' script and CSS travel with the first exercise and every
explorer's module travels in its widget state; on the built book they are one copy for every
page, in ``_static/nnbook/shared/``. Tested here: every explorer's saved module splits into
today's files and the loader joins them back in the same order; a page is rewritten to the
shared files and a stale copy is left inline and reported; on the built book, no page carries
an inline copy and the shared files are today's. That the rewritten pages work (explorers
move, answer boxes check, served and from ``file://``) is what every browser test shows.
"""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from browser import ROOT, toc_pages, why_no_browser

SPEC = importlib.util.spec_from_file_location("nnbook_shared", ROOT / "book" / "_ext" / "nnbook_shared.py")
shared = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(shared)


def _explorer_classes():
    import nnbook.widgets.autodiff
    import nnbook.widgets.conv
    import nnbook.widgets.init
    import nnbook.widgets.sizing
    import nnbook.widgets.softmax
    from nnbook.widgets._live import LiveExplorer

    found, todo = [], list(LiveExplorer.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__dict__.get("js_module"):
            found.append(cls)
    return found


def _joined(names):
    """What the loader's first line computes: the parts joined with newlines."""
    parts = shared.module_parts()
    return "\n".join(parts[n] for n in names)


def test_every_explorer_module_splits_into_todays_files_and_joins_back():
    parts = shared.module_parts()
    classes = _explorer_classes()
    assert len(classes) >= 7, classes
    for cls in classes:
        names = shared.split_esm(cls._esm, parts)
        modules = [cls.js_module] if isinstance(cls.js_module, str) else list(cls.js_module)
        assert names == ["_base.js", *modules], cls
        assert _joined(names) == cls._esm
        assert json.dumps(names) in shared.loader(names)


def test_the_exercise_channel_splits_too():
    from nnbook.exercises import _page

    esm = (_page.STATIC / "channel.js").read_text(encoding="utf-8")
    assert shared.split_esm(esm, shared.module_parts()) == ["channel.js"]


def _page_with(esm: str, assets: str) -> str:
    state = {"version_major": 2, "version_minor": 0,
             "state": {"m1": {"model_name": "AnyModel", "state": {"_esm": esm, "value": 3}},
                       "m2": {"model_name": "LayoutModel", "state": {}}}}
    return ("<html><head>\n    <script src=\"../_static/nnbook/mathjax/tex-mml-chtml.js\"></script>\n    "
            f'<script type="application/vnd.jupyter.widget-state+json">{json.dumps(state)}</script>\n'
            f"</head><body><p>text</p>{assets}<p>more</p></body></html>")


def test_a_page_is_rewritten_to_the_shared_files(tmp_path):
    from nnbook.widgets.conv import ConvExplorer

    versions = shared.write_shared(tmp_path)
    inline, css, js = shared.exercise_assets()
    text, problems = shared.share_page(_page_with(ConvExplorer._esm, inline), "../", versions)
    assert problems == []
    assert "var nnbookAnswers" not in text and "nnbook self-check exercises" not in text
    assert text.count('<script src="../_static/nnbook/shared/exercises.js?v=') == 1
    assert text.count('<link rel="stylesheet" href="../_static/nnbook/shared/exercises.css?v=') == 1
    assert text.index("<p>text</p>") < text.index("shared/exercises.js") < text.index("<p>more</p>")
    # the parts are loaded before the widget state, in the order the loader joins them
    srcs = re.findall(r'<script src="\.\./_static/nnbook/shared/modules/([^"?]+)\?v=', text)
    assert srcs == ["_base.js", "conv.js"]
    assert text.index("modules/conv.js") < text.index("widget-state+json")
    state = json.loads(shared.WIDGET_STATE.search(text).group(1))
    assert state["state"]["m1"]["state"] == {"_esm": shared.loader(["_base.js", "conv.js"]), "value": 3}
    # the shared files hold exactly the package's files
    folder = tmp_path.joinpath(*shared.SHARED)
    assert (folder / "exercises.js").read_text() == js and (folder / "exercises.css").read_text() == css
    registered = (folder / "modules" / "conv.js").read_text()
    assert json.dumps(shared.module_parts()["conv.js"]) in registered
    # rewriting again changes nothing
    assert shared.share_page(text, "../", versions) == (text, [])


def test_a_stale_copy_stays_inline_and_is_reported(tmp_path):
    from nnbook.widgets.conv import ConvExplorer

    versions = shared.write_shared(tmp_path)
    inline, _, _ = shared.exercise_assets()
    old_esm = ConvExplorer._esm.replace("function", "function ", 1)
    old_assets = inline.replace("nnbookAnswers", "nnbookAnswersOld", 1)
    page = _page_with(old_esm, old_assets)
    text, problems = shared.share_page(page, "../", versions)
    assert text == page
    assert len(problems) == 2 and "answer-box" in problems[0] and "explorer m1" in problems[1]


# -- the built book --------------------------------------------------------------------------------
_SKIP = why_no_browser()


@pytest.mark.browser
@pytest.mark.skipif(_SKIP is not None, reason=str(_SKIP))
def test_the_built_pages_use_one_shared_copy(book):
    folder = book.html.joinpath(*shared.SHARED)
    _, css, js = shared.exercise_assets()
    assert (folder / "exercises.js").read_text() == js and (folder / "exercises.css").read_text() == css
    for name, source in shared.module_parts().items():
        assert (folder / "modules" / name).read_text() == shared.registration(name, source), name
    for page in toc_pages():
        text = (book.html / f"{page}.html").read_text()
        assert "var nnbookAnswers" not in text, f"{page}: an inline copy of the answer-box script"
        for src in re.findall(r'(?:src|href)="([^"]*_static/nnbook/shared/[^"?]*)', text):
            assert (book.html / page).parent.joinpath(src).resolve().is_file(), (page, src)
        match = shared.WIDGET_STATE.search(text)
        if match:
            for model in json.loads(match.group(1).replace("<\\/script>", "</script>"))["state"].values():
                esm = model["state"].get("_esm")
                assert esm is None or esm.startswith("// This explorer's front-end ("), f"{page}: inline ESM"


from test_browser import book  # noqa: E402,F401 - the session's built book (fixture)
