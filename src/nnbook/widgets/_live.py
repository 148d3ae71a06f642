"""Live explorers: a pure Python model (the reference) and a small anywidget front-end that
recomputes and redraws it in the browser, on the built pages (no kernel) and in JupyterLab.

How to write one
----------------
1. **Python** (``src/nnbook/widgets/<chapter>.py``): subclass :class:`LiveExplorer`, declare
   each control as a class attribute with :func:`int_control`, :func:`choice_control` or
   :func:`bool_control` (their order is the order on screen; the attribute name is the
   ``render`` keyword), set ``js_module = "<file>.js"`` and ``url_key`` (its name in a copied
   link), and write a pure ``render(**values) -> View(panel, data=...)``: ``panel`` is the HTML
   (with ``$math$``) shown above the picture, ``data`` a JSON-able dict of every number the
   picture shows. Impossible settings raise ``ValueError`` with a message in words. Optional:
   ``normalize(**values) -> values`` (fit dependent values, e.g. clamp a step),
   ``bounds(**values) -> {name: max}`` (a slider whose range depends on others), and
   ``state_traits`` (names of extra synced traits that belong to the state, e.g. a list of
   layers; declare them as ``traitlets`` with ``.tag(sync=True)``).
2. **JavaScript** (``src/nnbook/widgets/js/<file>.js``): functions ``model(values)`` that
   returns ``{panel, ...data}`` with exactly the panel string and numbers of the Python
   ``render`` (use ``refuse(message)`` with Python's message for impossible settings) and
   ``draw(model, values) -> <svg>``, then end the file with::

       export default { render: explorer({ key: "<url_key>", model, draw }) };

   ``explorer`` and the helpers (``fmtInt``, ``fmtG``, ``esc``, ``pyTuple``, ``h``, ``s``,
   ``svgCanvas``, ``COLORS``...) come from ``js/_base.js``, which is prepended to the module.
   It builds the controls (slider + number box, radio group, checkbox; all keyboard-usable),
   the panel (typeset with MathJax where the page has it), the words for a refused setting
   (the last good picture stays), and the "copy link" state in the URL fragment.
   Keep ``model`` pure (no DOM): the parity tests run it in an embedded V8 engine.
3. **Tests**: a parity test (``tests/test_widgets_js*.py``, harness in ``tests/test_widgets_js.py``)
   compares ``model`` with :meth:`LiveExplorer.view_model` over the whole control space or a
   dense sample; the browser tests (``tests/test_browser_explorers.py``) move controls with the
   keyboard on the built page.

Python keeps the testing API of the old explorers: :meth:`set`, ``ok``, ``message.value``,
``panel.value``, ``image.value`` (now the JSON of the picture's numbers) and ``controls[name]``.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import pathlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

import anywidget
import traitlets

__all__ = ["LiveExplorer", "View", "int_control", "float_control", "choice_control", "bool_control", "text_control",
           "js_source"]

JS_DIR = pathlib.Path(__file__).with_name("js")
_order = itertools.count()


@dataclass
class View:
    """What a render function returns: the panel (HTML with $math$), the numbers the picture
    shows (``data``, JSON-able, compared with the front-end's) and, for the older matplotlib
    explorers, a figure."""

    panel: str
    figure: Any = None
    data: dict = field(default_factory=dict)


def int_control(label: str, value: int, low: int, high: int) -> traitlets.Int:
    """A whole-number control (slider and number box) from ``low`` to ``high``.

    >>> int_control("stride s", 1, 1, 4).metadata["control"]
    {'kind': 'int', 'label': 'stride s', 'min': 1, 'max': 4}
    """
    return traitlets.Int(value).tag(sync=True, control={"kind": "int", "label": label, "min": low, "max": high},
                                    order=next(_order))


def float_control(label: str, value: float, low: float, high: float, step: float, *, log: bool = False,
                  digits: int = 3, note: str | None = None) -> traitlets.Float:
    """A real-number control: a slider over the positions ``low + i*step`` (with ``log=True``,
    ``low``, ``high`` and ``step`` are base-10 exponents: the value is ``10**(low + i*step)``,
    as ipywidgets' FloatLogSlider) and a text box showing ``digits`` significant digits, where
    any number in the range may be typed."""
    control = {"kind": "float", "label": label, "min": low, "max": high, "step": step, "log": log, "digits": digits}
    return traitlets.Float(value).tag(sync=True, control=_noted(control, note), order=next(_order))


def text_control(label: str, value: str, width: str = "16em", note: str | None = None) -> traitlets.Unicode:
    """A text box (committed with Enter); the explorer's model refuses bad text in words."""
    return traitlets.Unicode(value).tag(sync=True, control=_noted({"kind": "text", "label": label, "width": width}, note),
                                        order=next(_order))


def _noted(control: dict, note: str | None) -> dict:
    """A control may carry a short note, shown after it (small, muted)."""
    return control if note is None else {**control, "note": note}


def choice_control(label: str, value: Any, options: Any, note: str | None = None) -> traitlets.TraitType:
    """One of ``options`` (strings or ints, or (label, value) pairs), shown as a radio group."""
    pairs = [tuple(o) if isinstance(o, (tuple, list)) else (str(o), o) for o in options]
    trait = traitlets.Int if all(isinstance(v, int) and not isinstance(v, bool) for _, v in pairs) else traitlets.Unicode
    return trait(value).tag(
        sync=True, control=_noted({"kind": "choice", "label": label, "options": [list(p) for p in pairs]}, note),
        order=next(_order)
    )


def bool_control(label: str, value: bool) -> traitlets.Bool:
    """An on/off control (a checkbox)."""
    return traitlets.Bool(value).tag(sync=True, control={"kind": "bool", "label": label}, order=next(_order))


def js_source(*modules: str | tuple[str, ...]) -> str:
    """The ESM of an explorer: the shared helper ``js/_base.js`` followed by each of
    ``js/<module>`` in order (helpers first, the explorer's module last).

    >>> source = js_source("window.js")
    >>> source.startswith("// nnbook explorers"), source.count("export default")
    (True, 1)
    """
    names: list[str] = []
    for m in modules:
        names += list(m) if isinstance(m, (tuple, list)) else [m]
    return _js_source(tuple(names))


@lru_cache(maxsize=None)
def _js_source(names: tuple[str, ...]) -> str:
    return "\n".join((JS_DIR / name).read_text(encoding="utf-8") for name in ("_base.js", *names))


class Shown:
    """A text the explorer shows (``.value``), as the old ipywidgets explorers exposed it."""

    def __init__(self, value: str = "") -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Shown({self.value!r})"


class ControlView:
    """``explorer.controls[name]``: the control's label, range (``min``/``max``, the current
    upper end for ranges that depend on other controls) and ``value`` (assigning it is ``set``)."""

    def __init__(self, explorer: "LiveExplorer", name: str, spec: dict) -> None:
        self._explorer, self.name, self.spec = explorer, name, spec
        self.description = spec["label"]

    @property
    def value(self) -> Any:
        return getattr(self._explorer, self.name)

    @value.setter
    def value(self, value: Any) -> None:
        self._explorer.set(**{self.name: value})

    @property
    def min(self) -> int | None:
        return self.spec.get("min")

    @property
    def max(self) -> int | None:
        try:
            dynamic = self._explorer.bounds(**self._explorer.values)
        except ValueError:
            dynamic = {}
        return dynamic.get(self.name, self.spec.get("max"))

    @property
    def options(self) -> list[str] | None:
        return [v for _, v in self.spec["options"]] if "options" in self.spec else None


class LiveExplorer(anywidget.AnyWidget):
    """Base class of the live explorers (see the module docstring for how to write one)."""

    js_module: ClassVar[str | tuple[str, ...]] = ""
    url_key: ClassVar[str] = ""
    state_traits: ClassVar[tuple[str, ...]] = ()
    _controls = traitlets.List().tag(sync=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("js_module"):
            cls._esm = js_source(cls.js_module)
            cls._css = (JS_DIR / "_base.css").read_text(encoding="utf-8")

    @classmethod
    def control_specs(cls) -> list[dict]:
        """The controls in screen order: ``{"name", "kind", "label", "min"/"max" or "options"}``."""
        traits = cls.class_traits(control=lambda c: c is not None)
        ordered = sorted(traits.items(), key=lambda item: item[1].metadata["order"])
        return [{"name": name, **trait.metadata["control"]} for name, trait in ordered]

    def __init__(self, **values: Any) -> None:
        super().__init__()
        self._controls = self.control_specs()
        self._specs = {c["name"]: c for c in self._controls}
        self.widget = self  # the old explorers' attribute: what to display
        self.panel, self.message, self.image = Shown(), Shown(), Shown()
        self.ok = True
        self.error: BaseException | None = None
        self._holding = False
        self.observe(self._on_change, names=[*self._specs, *self.state_traits])
        self.set(**values) if values else self.refresh()

    # -- to be provided by subclasses ----------------------------------------------------------
    def render(self, **values: Any) -> View:  # pragma: no cover - abstract
        raise NotImplementedError

    def normalize(self, **values: Any) -> dict[str, Any]:
        """Fit values that depend on others (e.g. clamp a step); the front-end does the same."""
        return values

    def bounds(self, **values: Any) -> dict[str, int]:
        """Upper ends of controls whose range depends on the others (``{name: max}``)."""
        return {}

    # -- the reference API ------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in [*self._specs, *self.state_traits]}

    @property
    def controls(self) -> dict[str, ControlView]:
        return {name: ControlView(self, name, spec) for name, spec in self._specs.items()}

    def check_value(self, name: str, value: Any) -> Any:
        """``value`` if the control ``name`` could show it; else ``TypeError``/``ValueError``,
        as the slider would refuse it."""
        spec = self._specs.get(name)
        if spec is None:
            raise ValueError(f"unknown control {name!r}; controls are {sorted(self._specs)}")
        label, kind = spec["label"], spec["kind"]
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int) and not (
                hasattr(value, "__index__") and not isinstance(value, float)
            ):
                raise TypeError(f"{name} ({label}) must be a whole number, got {value!r} ({type(value).__name__})")
            value = int(value)
            if not spec["min"] <= value <= spec["max"]:
                raise ValueError(
                    f"{name} ({label}) must be from {spec['min']} to {spec['max']}, as on its slider; got {value}"
                )
        elif kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
                raise TypeError(f"{name} ({label}) must be a number, got {value!r} ({type(value).__name__})")
            value = float(value)
            low, high = (10.0 ** spec["min"], 10.0 ** spec["max"]) if spec["log"] else (spec["min"], spec["max"])
            if not math.isfinite(value) or not low <= value <= high:
                raise ValueError(f"{name} ({label}) must be from {low:g} to {high:g}, as on its slider; got {value!r}")
        elif kind == "text":
            if not isinstance(value, str):
                raise TypeError(f"{name} ({label}) must be text (a str), got {value!r} ({type(value).__name__})")
        elif kind == "choice":
            allowed = [v for _, v in spec["options"]]
            if isinstance(value, bool) or value not in allowed:
                raise ValueError(f"{name} ({label}) must be one of {', '.join(map(repr, allowed))}; got {value!r}")
        elif not isinstance(value, bool):
            raise TypeError(f"{name} ({label}) must be True or False, got {value!r}")
        return value

    def set(self, **values: Any) -> "LiveExplorer":
        """Set several controls at once (one recomputation), as a reader moving them would.

        Out-of-range or wrong-type values are refused with ``ValueError``/``TypeError`` and
        change nothing.
        """
        checked = {name: self.check_value(name, value) if name in self._specs else self._check_state(name, value)
                   for name, value in values.items()}
        self._holding = True
        try:
            with self.hold_trait_notifications():
                for name, value in checked.items():
                    setattr(self, name, value)
        finally:
            self._holding = False
        self.refresh()
        return self

    def _check_state(self, name: str, value: Any) -> Any:
        if name not in self.state_traits:
            raise ValueError(f"unknown control {name!r}; controls are {sorted(self._specs)}")
        return value

    def view_model(self, **values: Any) -> dict[str, Any]:
        """What the front-end shows for ``values`` (pure): ``{"panel", ...numbers}``, or
        ``{"error": message}`` for an impossible setting. The parity tests compare it with
        the JavaScript ``model``."""
        values = self.normalize(**values)
        try:
            view = self.render(**values)
        except ValueError as exc:
            return {"error": str(exc)}
        return {"panel": view.panel, **view.data}

    def refresh(self) -> bool:
        """Recompute from the current values; returns whether they make a valid setting."""
        values = self.values
        try:
            fitted = self.normalize(**values)
            changed = {k: v for k, v in fitted.items() if v != values.get(k)}
            if changed:
                self._holding = True
                try:
                    for k, v in changed.items():
                        setattr(self, k, v)
                finally:
                    self._holding = False
            view = self.render(**fitted)
        except ValueError as exc:
            return self._show_error(
                f"&#9888; This combination is impossible: {html.escape(str(exc))}. "
                "The picture below still shows the last valid setting.", exc)
        except Exception as exc:  # a bug: say so in words rather than leave a blank widget
            return self._show_error(
                f"&#9888; Something went wrong while drawing this setting ({html.escape(repr(exc))}). "
                "The picture below still shows the last valid setting.", exc)
        self.ok, self.error = True, None
        self.message.value = ""
        self.panel.value = view.panel
        self.image.value = json.dumps(view.data, sort_keys=True)
        return True

    def _show_error(self, text: str, exc: BaseException) -> bool:
        self.ok, self.error = False, exc
        self.message.value = f'<span style="color:#b00020">{text}</span>'
        return False

    def _on_change(self, change: Any) -> None:
        if not self._holding:
            self.refresh()
