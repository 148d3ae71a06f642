"""The answer box on the page: plain HTML per exercise, plus one small script and stylesheet per page.

Why plain HTML and not a widget. An exercise is shown as an ordinary ``text/html`` output:
the prompt, a labelled text box with a Check button, a live region for the verdict, the worked
solution in a ``<details>``, and the exercise's data (answers, tolerances, hint ladder, named
mistakes' values and messages, worked solutions) for the variant on screen and 20 or more
further variants, all computed by nnbook when the cell runs. ``static/exercises.js`` (about
20 KB) and ``static/exercises.css`` turn every such block on the page into a working answer box.

* **Once per page.** The script and stylesheet travel with the *first* exercise a kernel
  displays and are skipped afterwards, so a chapter page or notebook carries them once
  (jupyterquiz inlined ~45 KB per exercise). The script mounts every exercise block already on
  the page and, through a ``MutationObserver``, every block added later (JupyterLab renders
  outputs as cells run). An anywidget would have saved its ``_esm`` once per widget model,
  i.e. per exercise, and needs a widget manager on the page.
* **No kernel, no network.** Checking runs in the page (the same reading rules as
  ``exercises.check``: ``_answers.py``), so the built book works from a web server or from
  ``file://``; variants are precomputed at build time (kept compact: deflate + base64,
  decoded with the browser's ``DecompressionStream``).
* **JupyterLab.** Outputs of a notebook that was run (or trusted) run their scripts; in an
  untrusted notebook JupyterLab strips the script and the box says to run the notebook.
  With a kernel, "New numbers" goes on past the precomputed variants: the page asks Python
  for the next one through one invisible widget per notebook (``_channel.py``).
  MathJax typesets the prompt, labels, hints and solution of the variant on screen when the
  output appears; text added later is typeset with the page's MathJax where there is one
  (the book), and otherwise shown as readable plain text.
"""

from __future__ import annotations

import base64
import html
import json
import pathlib
import re
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._core import Exercise

STATIC = pathlib.Path(__file__).resolve().parent / "static"
VARIANTS_ON_PAGE = 21  # the one on screen plus 20 more behind "New numbers"
_MAX_SEEDS_TRIED = 400
_ASSETS_SENT = False  # the script and CSS go out with the first exercise a kernel displays
_DISPLAYED: dict[str, int] = {}


def assets() -> str:
    """The ``<style>`` and ``<script>`` that make every exercise block on a page work."""
    css = (STATIC / "exercises.css").read_text(encoding="utf-8")
    js = (STATIC / "exercises.js").read_text(encoding="utf-8")
    if "</script" in js.lower() or "</style" in css.lower():  # would end the inline element early
        raise RuntimeError("exercises.js/.css must not contain a closing </script> or </style> tag")
    return f"<style>{css}</style>\n<script>{js}</script>"


def reset_assets() -> None:
    """Send the script and CSS (and the kernel channel) again with the next exercise (e.g. for
    a new notebook page)."""
    global _ASSETS_SENT
    from ._channel import reset

    _ASSETS_SENT = False
    reset()


def page_variants(ex: "Exercise", count: int = VARIANTS_ON_PAGE) -> list["Exercise"]:
    """The variants a page offers: ``ex`` itself if it has a seed, else (book numbers) first
    the seeds whose numbers differ from the book's; ``count`` in all where the draw allows.

    >>> from nnbook.exercises import get
    >>> vs = page_variants(get("intro-output-length"))
    >>> len(vs), vs[0].params != get("intro-output-length").params
    (21, True)
    """
    if ex._spec.draw is None:
        return [ex]
    chosen = [ex] if ex.seed is not None else []
    seen = [v.params for v in chosen]
    for candidate in fresh_variants(ex, after=0 if ex.seed is None else ex.seed):
        if len(chosen) >= count:
            break
        if candidate.params not in seen:
            seen.append(candidate.params)
            chosen.append(candidate)
    return chosen or [ex._spec.instance(ex._spec.params, None)]


def fresh_variants(ex: "Exercise", after: int) -> Iterator["Exercise"]:
    """The variants with seeds ``after + 1``, ``after + 2``, ... (up to 400 tried) whose numbers
    differ from the book's worked example: the page's "New numbers", precomputed or live.

    >>> from nnbook.exercises import get
    >>> next(fresh_variants(get("intro-output-length"), 21)).seed > 21
    True
    """
    book = ex._spec.instance(ex._spec.params, None).params
    for seed in range(after + 1, after + 1 + _MAX_SEEDS_TRIED):
        candidate = ex.variant(seed)
        if candidate.params != book:
            yield candidate


def variant_data(ex: "Exercise") -> dict[str, Any]:
    """What the page needs to check one variant (JSON-able; HTML already made)."""
    from ._core import _block_markup, _inline_markup

    def inline(text: str) -> str:
        return _inline_markup(text).replace("\n", "<br>")

    if ex.kind == "choice":
        answer: list[Any] = [ex.answer]
        tolerances: list[float] = [0.0]
        mistakes = [[name, [value], inline(message)] for name, value, message in ex.mistake_values()]
    else:
        answer = list(ex.answer) if isinstance(ex.answer, tuple) else [ex.answer]
        tolerances = list(ex.tolerances)
        mistakes = [
            [name, list(value) if isinstance(value, tuple) else [value], inline(message),
             list(ex.mistake_tolerances(value))]
            for name, value, message in ex.mistake_values()
        ]
    return {
        "seed": ex.seed,
        "prompt": _block_markup(ex.prompt),
        "answer": answer,
        "tol": tolerances,
        "percent": ex.percent_ok,
        "hints": [inline(h) for h in ex.hint_ladder],
        "mistakes": mistakes,
        "solution": _block_markup(ex.solution),
    }


def _encode(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def _difficulty(ex: "Exercise") -> str:
    dots = "\u25cf" * ex.difficulty + "\u25cb" * (3 - ex.difficulty)
    return (f'<span class="nnbook-ex-meta"><span aria-hidden="true">{dots}</span>'
            f'<span class="nnbook-ex-sr"> difficulty {ex.difficulty} of 3</span> \u00b7 about {ex.minutes} min</span>')


def _plain_text(text: str) -> str:
    """A choice's text without its markup, for screen readers (its math is typeset for the eye).

    >>> _plain_text("**$y_i - P_i$** or `x`")
    'y_i - P_i or x'
    """
    return re.sub(r"[$*`]", "", text).strip()


def render(ex: "Exercise", *, with_assets: bool | None = None) -> str:
    """The HTML of one exercise block (with the page's script and CSS when ``with_assets``;
    by default, with the first exercise a kernel displays)."""
    global _ASSETS_SENT
    from ._core import _inline_markup

    variants = page_variants(ex)
    shown = variants[0]
    n = _DISPLAYED.get(ex.id, 0)
    _DISPLAYED[ex.id] = n + 1
    uid = f"nnbook-ex-{ex.id}" + (f"-{n + 1}" if n else "")
    data = {
        "id": ex.id,
        "kind": ex.kind,
        "labels": [_inline_markup(label) for label in ex.labels] if ex.labels else None,
        "choices": list(ex.choices) if ex.choices else None,
        "variants": [variant_data(v) for v in variants],
    }
    seed_attr = "" if shown.seed is None else f' data-nnbook-seed="{shown.seed}"'
    parts = [
        f'<div class="nnbook-exercise" id="{uid}" data-nnbook-ex="{html.escape(ex.id)}"{seed_attr}>',
        f'<p class="nnbook-ex-title"><b>Self-check: {html.escape(ex.title)}</b> {_difficulty(ex)}</p>',
        f'<div class="nnbook-ex-prompt">{shown.prompt_html()}</div>',
    ]
    waiting = ("This answer box needs its script: in JupyterLab, run the notebook "
               "(Run \u2192 Run All Cells) or trust it.")
    feedback = f'<p class="nnbook-ex-feedback" id="{uid}-said" role="status" aria-live="polite">{waiting}</p>'
    check = '<button type="button" class="nnbook-ex-check">Check</button>'
    if ex.kind == "choice":
        options = "".join(
            f'<li><label><input type="radio" class="nnbook-ex-choice" name="{uid}-choice" value="{k}"'
            f' aria-label="{html.escape(_plain_text(c))}"> {_inline_markup(c)}</label></li>'
            for k, c in enumerate(ex.choices or ())
        )
        parts.append(f'<fieldset class="nnbook-ex-answer"><legend>Choose one:</legend>'
                     f'<ul class="nnbook-ex-choices">{options}</ul>{check}{feedback}</fieldset>')
    else:
        unit = f" (in {html.escape(ex._spec.unit)})" if ex._spec.unit else ""
        if ex.labels:
            what = ("Your answer: " + ", ".join(_inline_markup(label) for label in ex.labels)
                    + f"{unit}, in this order, separated by commas")
        else:
            what = f"Your answer{unit}"
        parts.append(
            f'<div class="nnbook-ex-answer"><label for="{uid}-in">{what}</label>'
            f'<input class="nnbook-ex-input" id="{uid}-in" type="text" autocomplete="off" autocapitalize="off"'
            f' spellcheck="false" aria-describedby="{uid}-said">{check}{feedback}</div>'
        )
    if shown.seed is not None:
        parts.append(
            f'<p class="nnbook-ex-variant">These numbers are variant <span class="nnbook-ex-seed">{shown.seed}'
            f'</span> (from Python: <code>exercises.check("{html.escape(ex.id)}", answer, seed='
            f'<span class="nnbook-ex-seed-code">{shown.seed}</span>)</code>). '
            f'<button type="button" class="nnbook-ex-new">New numbers</button></p>'
        )
    parts.append(shown.solution_html())
    parts.append(f'<script type="application/x-nnbook-exercise" class="nnbook-ex-data" '
                 f'data-encoding="deflate-base64">{_encode(data)}</script>')
    parts.append("</div>")
    send = (not _ASSETS_SENT) if with_assets is None else with_assets
    if send:
        parts.append(assets())
        if with_assets is None:
            _ASSETS_SENT = True
    return "\n".join(parts)


def plain_text(ex: "Exercise") -> str:
    """What a text-only front-end shows instead of the answer box."""
    shown = page_variants(ex)[0]
    seed = "" if shown.seed is None else f", seed={shown.seed}"
    return (f"Self-check: {ex.title}\n{shown.prompt}\n"
            f"(check an answer with exercises.check({ex.id!r}, answer{seed}))")
