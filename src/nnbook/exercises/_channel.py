"""The answer boxes' line to the kernel: unlimited "New numbers" in a live notebook.

On the built page each exercise carries its variant and 20 more, precomputed. In a live
notebook the first exercise shown also displays one invisible :class:`ExerciseChannel` (an
anywidget, ``static/channel.js``); when a reader asks for new numbers past the precomputed
ones, the page asks this channel, and Python draws the next variant with nnbook
(:func:`next_variant`). On the built page the channel has no kernel behind it and nobody
answers, so the boxes cycle through their own variants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._page import STATIC, fresh_variants, variant_data

if TYPE_CHECKING:
    from ._core import Exercise

_SHOWN = False  # one channel per kernel, with the first exercise it displays


def next_variant(ex: "Exercise", after: int) -> "Exercise":
    """The first variant with a seed above ``after`` whose numbers differ from the book's.

    >>> from nnbook.exercises import get
    >>> ex = get("intro-output-length")
    >>> v = next_variant(ex, 21)
    >>> v.seed > 21 and v.params != ex.params
    True
    """
    from .._validate import check_int

    after = check_int("after", after, minimum=0)
    if ex._spec.draw is None:
        raise ValueError(f"exercise {ex.id!r} has no numbers to vary (it is a fixed question)")
    for candidate in fresh_variants(ex, after):
        return candidate
    raise ValueError(f"no variant of {ex.id!r} with numbers that differ from the book's after seed {after}")


def reply(content: Any) -> dict[str, Any] | None:
    """The channel's answer to a message from a page (None: not for us).

    >>> reply({"type": "hello"})
    {'type': 'hello'}
    >>> r = reply({"type": "variant", "id": "intro-output-length", "after": 21, "req": 3})
    >>> r["req"], r["data"]["seed"] > 21
    (3, True)
    >>> reply({"type": "variant", "id": "no-such", "after": 0, "req": 4})["error"]  # doctest: +ELLIPSIS
    "no exercise 'no-such'..."
    """
    from ._core import get

    if not isinstance(content, dict):
        return None
    if content.get("type") == "hello":
        return {"type": "hello"}
    if content.get("type") != "variant":
        return None
    answer: dict[str, Any] = {"type": "variant", "req": content.get("req")}
    try:
        answer["data"] = variant_data(next_variant(get(content.get("id")), content.get("after")))
    except (KeyError, ValueError, TypeError) as exc:
        answer["error"] = exc.args[0] if exc.args else str(exc)
    return answer


def channel() -> Any:
    """A new :class:`ExerciseChannel` (imports anywidget only when a notebook shows exercises)."""
    import anywidget

    class ExerciseChannel(anywidget.AnyWidget):
        """Invisible: answers a page's requests for new variants (see the module's docstring)."""

        _esm = (STATIC / "channel.js").read_text(encoding="utf-8")

        def __init__(self) -> None:
            super().__init__()
            self.on_msg(self._on_message)

        def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
            answer = reply(content)
            if answer is not None:
                self.send(answer)

    return ExerciseChannel()


def display_once() -> None:
    """Display the channel with the first exercise a kernel shows (where anywidget is installed)."""
    global _SHOWN
    if _SHOWN:
        return
    try:
        widget = channel()
    except ImportError:  # no anywidget: the boxes keep to their precomputed variants
        return
    from IPython.display import display

    _SHOWN = True
    display(widget)


def reset() -> None:
    """Display the channel again with the next exercise (e.g. for a new notebook)."""
    global _SHOWN
    _SHOWN = False
