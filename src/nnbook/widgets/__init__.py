"""Explorers: the thin view layer on top of nnbook's pure functions.

:class:`LiveExplorer` (anywidget) is the base of the explorers that react on the built pages
too: a pure Python ``render`` is the reference, and a small JavaScript module beside it
(``widgets/js/``) recomputes and draws the same view in the browser; its module docstring
(``nnbook.widgets._live``) says how to write one.

The older :class:`Explorer` (ipywidgets + matplotlib PNG, reacting only with a kernel):
an :class:`Explorer` owns a few controls, calls one pure ``render`` function with their
values, and shows the result as an HTML/math panel and a PNG figure. When the controls
reach an impossible combination, the pure function raises ``ValueError``; the explorer
shows that message in plain words and keeps the last valid figure. Tests drive explorers
without a browser through :meth:`Explorer.set`, then read ``panel``, ``message``,
``image`` and ``ok``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from ..plots import figure_to_png
from ._live import (
    LiveExplorer, View, bool_control, choice_control, float_control, int_control, js_source, text_control,
)

__all__ = ["Explorer", "LiveExplorer", "View", "int_control", "float_control", "choice_control", "bool_control",
           "text_control", "js_source"]


class Explorer:
    """Base class: controls -> ``render(**values) -> View`` -> panel, message and image.

    Subclasses define ``controls_()`` and ``render(**values)``; optionally ``extra_widgets()``
    and ``adjust_controls(**values)``.
    """

    def __init__(self) -> None:
        self.controls: dict[str, widgets.ValueWidget] = self.controls_()
        self.panel = widgets.HTMLMath()
        self.message = widgets.HTML(layout=widgets.Layout(min_height="1.6em"))
        # shown at the figure's own pixel size (not stretched to the page width, which blurs it)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="auto", align_self="flex-start"))
        self.ok = True
        self._holding = False
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        row = [*self.controls.values(), *self.extra_widgets()]
        self.widget = widgets.VBox(
            [widgets.HBox(row, layout=widgets.Layout(flex_flow="row wrap")), self.panel, self.message, self.image]
        )
        self.refresh()

    # -- to be provided by subclasses ----------------------------------------------------
    def controls_(self) -> dict[str, widgets.ValueWidget]:  # pragma: no cover - abstract
        raise NotImplementedError

    def render(self, **values: Any) -> View:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- optional hooks ------------------------------------------------------------------
    def extra_widgets(self) -> list[widgets.Widget]:
        """Widgets shown after the controls that are not render inputs (e.g. a Play button)."""
        return []

    def adjust_controls(self, **values: Any) -> None:
        """Fit controls whose range depends on other controls (e.g. a step slider's maximum).

        Called before every render; changing a control here does not trigger another
        refresh. A ``ValueError`` here is ignored: ``render`` reports the invalid setting.
        """

    # -- behaviour -----------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> bool:
        """Recompute from the current control values; returns whether they were valid."""
        holding, self._holding = self._holding, True
        try:
            self.adjust_controls(**self.values)
        except ValueError:
            pass
        finally:
            self._holding = holding
        try:
            view = self.render(**self.values)
        except ValueError as exc:
            self.ok = False
            self.message.value = (
                '<span style="color:#b00020">&#9888; This combination is impossible: '
                f"{html.escape(str(exc))}. The picture below still shows the last valid setting.</span>"
            )
            return False
        self.ok = True
        self.message.value = ""
        self.panel.value = view.panel
        if view.figure is not None:
            self.image.value = figure_to_png(view.figure)
        return True

    def set(self, **values: Any) -> "Explorer":
        """Set several controls at once (one recomputation), as a reader dragging sliders would."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; controls are {sorted(self.controls)}")
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self.refresh()
        return self

    def _on_change(self, change: Mapping[str, Any]) -> None:
        if not self._holding:
            self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def int_slider(description: str, value: int, low: int, high: int, **kwargs: Any) -> widgets.IntSlider:
    """An integer slider with the book's common layout."""
    style = kwargs.pop("style", {"description_width": "initial"})
    return widgets.IntSlider(
        value=value, min=low, max=high, description=description, continuous_update=False, style=style, **kwargs
    )
