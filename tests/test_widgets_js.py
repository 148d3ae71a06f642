"""The explorers' JavaScript front-ends against nnbook: parity harness, shared helper, vendoring.

Each explorer's ``model`` (in ``src/nnbook/widgets/js/<module>.js``) runs in an embedded V8
(``mini-racer``, no node needed) over its whole control space, or a dense sample, and every
number and string it would show must equal the Python reference
(:meth:`nnbook.widgets.LiveExplorer.view_model`, computed with nnbook): 0 disagreements.

Other explorers' parity tests (``tests/test_widgets_js_*.py``) reuse :func:`js_context`,
:func:`js_models` and :func:`assert_parity` from here.
"""

from __future__ import annotations

import itertools
import json
import pathlib
import re

import pytest

pytest.importorskip("anywidget")
mini_racer = pytest.importorskip("py_mini_racer")

from nnbook.widgets._live import JS_DIR, LiveExplorer, js_source  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
OFFLINE = ROOT / "book" / "_offline" / "nnbook"


# -- the harness (reused by tests/test_widgets_js_*.py) ----------------------------------------
def js_context(*modules):
    """A V8 context with ``js/_base.js`` and ``js/<module>`` loaded (the ESM export dropped);
    ``modules`` as an explorer's ``js_module`` (one file, or helpers then the module)."""
    source = js_source(*modules)
    assert source.count("export default") == 1, "a module ends with one `export default { render: ... }`"
    ctx = mini_racer.MiniRacer()
    ctx.eval(source.replace("export default", "globalThis.__default ="))
    return ctx


VIEW_MODEL = "(v => model(typeof normalize === 'function' ? normalize(v) : v))"


def js_models(ctx, states: list[dict], function: str = VIEW_MODEL) -> list[dict]:
    """``function(state)`` for every state (one call into V8): by default what the front-end
    shows, ``model(normalize(state))`` (``normalize`` if the module has one), or
    ``{"error": message}`` for a refusal (``refuse(...)``). Other exceptions propagate: bugs."""
    script = (
        f"JSON.stringify({json.dumps(states)}.map(v => {{ try {{ return {function}(v); }} "
        "catch (e) { if (e instanceof Refusal) return {error: e.message}; throw e; } }), "
        "(k, x) => typeof x === 'bigint' ? Number(x) : x)"
    )
    return json.loads(ctx.eval(script))


def assert_parity(explorer: LiveExplorer, ctx, states: list[dict], chunk: int = 2000) -> int:
    """Every state gives the same view model in JavaScript and in Python; returns the count."""
    disagreements = []
    for start in range(0, len(states), chunk):
        part = states[start:start + chunk]
        for state, js in zip(part, js_models(ctx, part)):
            py = json.loads(json.dumps(explorer.view_model(**state)))
            if js != py:
                disagreements.append((state, _first_difference(py, js)))
    assert not disagreements, f"{len(disagreements)} of {len(states)} disagree; first: {disagreements[:3]}"
    return len(states)


def _first_difference(py, js, path="") -> str:
    if isinstance(py, dict) and isinstance(js, dict):
        for key in sorted(set(py) | set(js)):
            if py.get(key, "<missing>") != js.get(key, "<missing>"):
                return _first_difference(py.get(key, "<missing>"), js.get(key, "<missing>"), f"{path}.{key}")
    if isinstance(py, list) and isinstance(js, list) and len(py) == len(js):
        for i, (a, b) in enumerate(zip(py, js)):
            if a != b:
                return _first_difference(a, b, f"{path}[{i}]")
    return f"{path}: python {py!r} != js {js!r}"


def control_space(explorer: LiveExplorer, **fixed) -> list[dict]:
    """Every combination of the explorer's controls (``fixed`` ones held)."""
    axes = []
    for spec in explorer.control_specs():
        name = spec["name"]
        if name in fixed:
            axes.append([(name, v) for v in (fixed[name] if isinstance(fixed[name], list) else [fixed[name]])])
        elif spec["kind"] == "int":
            axes.append([(name, v) for v in range(spec["min"], spec["max"] + 1)])
        elif spec["kind"] == "choice":
            axes.append([(name, v) for _, v in spec["options"]])
        else:
            axes.append([(name, False), (name, True)])
    return [dict(combo) for combo in itertools.product(*axes)]


# -- the shared helper ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def base():
    ctx = mini_racer.MiniRacer()
    ctx.eval((JS_DIR / "_base.js").read_text())
    return ctx


@pytest.mark.parametrize("value", [0, -0.0, 1, 12, 975, 0.5, 1 / 3, 2 / 3, 123456, 1234567, 1e-5, 0.0001, 3.14159265,
                                   -2.5e-7, 1e16, 99999.95, 999999.5, float("nan"), float("inf"), -float("inf")])
def test_fmt_g_is_pythons_g(base, value):
    assert base.eval(f"fmtG({json.dumps(value) if value == value and abs(value) != float('inf') else str(value).replace('nan', 'NaN').replace('inf', 'Infinity')})") == format(value, "g")


@pytest.mark.parametrize("value", [0, 7, 999, 1000, -1234567, 680770, 2**60])
def test_fmt_int_is_pythons_thousands(base, value):
    assert base.eval(f"fmtInt({value}n)") == f"{value:,}"


def test_escape_and_tuples_are_pythons(base):
    import html

    text = "a<b & 'c' \"d\">"
    assert base.eval(f"esc({json.dumps(text)})") == html.escape(text)
    assert base.eval("pyTuple([16, 20, 20])") == str((16, 20, 20)) and base.eval("pyTuple([10])") == str((10,))


def test_control_values_are_checked_in_words(base):
    spec = json.dumps({"name": "n", "kind": "int", "label": "input length n", "min": 1, "max": 16})
    check = f"(v => {{ try {{ checkControl({spec}, v); return 'ok'; }} catch (e) {{ return (e instanceof Refusal) + ' ' + e.message; }} }})"
    assert base.eval(f"{check}(7)") == "ok"
    assert base.eval(f"{check}(1000)") == "true input length n must be a whole number from 1 to 16; got 1000"
    assert base.eval(f"{check}('7')") == "true input length n must be a whole number from 1 to 16; got '7'"
    assert base.eval(f"{check}(2.5)").startswith("true ")


# -- vendoring: the page loads the same anywidget the Python package speaks ---------------------
def test_anywidget_versions_agree():
    """PyPI pin (requirements.txt, pyproject), the installed package, and the vendored npm build."""
    import anywidget

    pin = re.search(r"^anywidget==([\d.]+)", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    extra = re.search(r'"anywidget==([\d.]+)"', (ROOT / "pyproject.toml").read_text()).group(1)
    vendored = re.search(r"^anywidget ([\d.]+)", (OFFLINE / "VERSIONS.txt").read_text(), re.M).group(1)
    fetched = re.search(r"ANYWIDGET=([\d.]+)", (ROOT / "book" / "_offline" / "fetch.sh").read_text()).group(1)
    assert pin == extra == vendored == fetched == anywidget.__version__
    bundle = (OFFLINE / "anywidget" / "index.js").read_text()
    assert 'define(["@jupyter-widgets/base"]' in bundle and (OFFLINE / "anywidget" / "LICENSE").is_file()
    assert 'anywidget: new URL("anywidget/index", here).href' in (OFFLINE / "require-paths.js").read_text()


def test_every_explorer_module_loads_and_exports_render():
    import importlib
    import pkgutil

    import nnbook.widgets

    classes = []
    for info in pkgutil.iter_modules(nnbook.widgets.__path__):
        module = importlib.import_module(f"nnbook.widgets.{info.name}")
        classes += [c for c in vars(module).values() if isinstance(c, type) and issubclass(c, LiveExplorer)
                    and c.__dict__.get("js_module")]
    assert {"WindowExplorer", "ConvExplorer", "NetworkBuilder"} <= {c.__name__ for c in classes}
    for cls in classes:
        ctx = js_context(cls.js_module)
        assert ctx.eval("typeof globalThis.__default.render") == "function", cls
        assert ctx.eval("typeof model") == "function", cls
        assert cls.url_key, cls


# -- the intro's WindowExplorer: every state of its sliders --------------------------------------
def test_window_explorer_parity_every_slider_state():
    from nnbook.widgets.conv import WindowExplorer

    ex = WindowExplorer()
    states = control_space(ex)
    assert len(states) == 16 * 7 * 4 * 4 * 3
    assert assert_parity(ex, js_context("window.js"), states) == 5376


# -- the convolution chapter's ConvExplorer ----------------------------------------------------------
def test_conv_explorer_parity_every_setting():
    """Every (n, k, s, p, d, mode, flip, view) at the first step and at a step past the end
    (clamped to the last position): 51,840 states (views forward, backward, transposed);
    every step of a sample below."""
    from nnbook.widgets.conv import ConvExplorer

    ex = ConvExplorer()
    states = control_space(ex, step=[0, ConvExplorer.MAX_STEP])
    assert len(states) == 8 * 5 * 3 * 3 * 3 * 4 * 2 * 3 * 2
    assert assert_parity(ex, js_context("conv.js"), states) == len(states)


def test_conv_explorer_parity_every_step_of_a_sample():
    import random

    from nnbook.widgets.conv import ConvExplorer

    ex = ConvExplorer()
    settings = random.Random(11).sample(control_space(ex, step=0), 150)
    states = []
    for setting in settings:
        try:
            last = ex.bounds(**setting)["step"]
        except ValueError:
            continue
        states += [dict(setting, step=step) for step in range(last + 1)]
    assert len(states) > 2000
    assert_parity(ex, js_context("conv.js"), states)


def test_conv_explorer_step_range_follows_the_setting():
    from nnbook.widgets.conv import ConvExplorer

    ex, ctx = ConvExplorer(), js_context("conv.js")
    states = control_space(ex, step=0)[::37]
    js = json.loads(ctx.eval(f"JSON.stringify({json.dumps(states)}.map(v => bounds(v).step ?? null))"))
    for state, js_last in zip(states, js):
        try:
            py_last = ex.bounds(**state)["step"]
        except ValueError:
            py_last = None
        assert js_last == py_last, state


# -- the sizing chapter's NetworkBuilder: presets, a dense random sample, and the Add button -------
def _random_builder_state(rng) -> dict:
    from nnbook.widgets.sizing import LAYER_KINDS, LAYER_RANGES

    def number(name, small=False):
        low, high = LAYER_RANGES[name]
        return rng.randint(low, min(high, low + 3)) if small and rng.random() < 0.7 else rng.randint(low, high)

    def spec():
        return {"kind": rng.choice(LAYER_KINDS), "size": number("size", small=True),
                "kernel_size": number("kernel_size", small=True), "stride": number("stride", small=True),
                "padding": number("padding", small=True), "dilation": number("dilation", small=True)}

    side = rng.choice([rng.randint(1, 256), rng.randint(16, 256), rng.randint(1, 12)])
    return {"channels": rng.choice([1, 3, rng.randint(1, 256)]), "height": side,
            "width": side if rng.random() < 0.7 else rng.randint(1, 256), **spec(),
            "layers": [spec() for _ in range(rng.choice([0, 1, 2, 3, 4, 6, 9]))]}


def test_network_builder_parity_presets_and_a_dense_sample():
    import random

    from nnbook.widgets.sizing import PRESETS, NetworkBuilder

    ex = NetworkBuilder()
    rng = random.Random(2026)
    states = [dict(_random_builder_state(rng), **ex._presets[name]) for name in PRESETS for _ in range(20)]
    states += [_random_builder_state(rng) for _ in range(6000)]
    results = [ex.view_model(**s) for s in states]
    valid = sum("error" not in r for r in results)
    assert 1500 < valid < len(states) - 1500, valid  # both kinds are well represented
    assert assert_parity(ex, js_context("sizing.js"), states) == len(states)


def test_network_builder_add_button_parity():
    """What Add does (the new network, or the refusal in words) agrees with NetworkBuilder.add."""
    import html
    import random

    from nnbook.widgets.sizing import NetworkBuilder

    rng = random.Random(7)
    ex, ctx = NetworkBuilder("empty"), js_context("sizing.js")
    states = [_random_builder_state(rng) for _ in range(400)]
    js = js_models(ctx, states, function="addLayer")
    added = 0
    for state, outcome in zip(states, js):
        ex.set(**state)
        if ex.add():
            added += 1
            assert outcome == ex.layers, state
        else:
            text = html.unescape(re.sub("<[^>]+>", "", ex.message.value))
            assert text == f"\u26a0 {outcome['error']}. The network is unchanged.", state
    assert 50 < added < 350
