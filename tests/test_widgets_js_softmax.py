"""The softmax explorers' front-ends (js/softmax_*.js) against nnbook: every number and string they show.

The model runs in an embedded V8 (mini-racer); Python's view (``LiveExplorer.view_model``, computed
with nnbook.softmax) is the reference. Also: js/_pyformat.js formats floats digit for digit as Python.
"""

from __future__ import annotations

import json
import math
import random
import struct

import pytest

pytest.importorskip("anywidget")
mini_racer = pytest.importorskip("py_mini_racer")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from test_widgets_js import assert_parity, js_context, js_models  # noqa: E402

from nnbook.widgets._live import JS_DIR  # noqa: E402
from nnbook.widgets.softmax import MAX_CLASSES, StepExplorer, TemperatureExplorer, parse_logits  # noqa: E402


@pytest.fixture(scope="module")
def fmt():
    ctx = mini_racer.MiniRacer()
    ctx.eval((JS_DIR / "_base.js").read_text(encoding="utf-8") + "\n" + (JS_DIR / "_pyformat.js").read_text(encoding="utf-8"))
    return ctx


def _floats() -> list[float]:
    rng = random.Random(1)
    values = [0.0, -0.0, 0.125, 0.0625, 2.5, -2.5, 0.5, 1e-300, 5e-324, 1.7976931348623157e308, 9.9995, 9.9996,
              0.03125, -0.03125, 1.5, 0.45, 1e-5, 99999.5, 0.000123456, 1e16, 123456789.0]
    values += [rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30) for _ in range(3000)]
    values += [struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(1500)]
    values += [k / 2**j for k in range(-40, 41) for j in range(12)]  # exact ties: 0.125, 0.0625, ...
    return [v for v in values if not math.isnan(v)]


@pytest.mark.parametrize("function, digits, spec", [
    ("fmtFixed", 3, ".3f"), ("fmtFixed", 4, ".4f"), ("fmtFixed", 6, ".6f"), ("fmtFixed", 0, ".0f"),
    ("fmtExp", 3, ".3e"), ("fmtGeneral", 3, ".3g"), ("fmtGeneral", 4, ".4g"), ("fmtGeneral", 6, "g"),
    ("fmtGeneral", 1, ".1g"),
])
def test_pyformat_is_pythons_format_digit_for_digit(fmt, function, digits, spec):
    values = [v for v in _floats() if not (spec.endswith("f") and abs(v) > 1e200)]
    shown = json.loads(fmt.eval(f"JSON.stringify({json.dumps(values)}.map(v => {function}(v, {digits})))"))
    wrong = [(v, format(v, spec), js) for v, js in zip(values, shown) if format(v, spec) != js]
    assert not wrong, f"{len(wrong)} of {len(values)} differ, e.g. {wrong[:3]}"
    # the specials and signed zero
    for special in ("Infinity", "-Infinity", "NaN", "-0"):
        assert fmt.eval(f"{function}({special}, {digits})") == format(float(special.replace("Infinity", "inf")), spec)


@pytest.mark.parametrize("text", ["a'b", 'a"b', "a'\"b", "x\u00a0y\x85z\u2028", "\\", "tab\there", "é€😀", "\x00\x7f"])
def test_pystr_is_pythons_repr(fmt, text):
    assert fmt.eval(f"pyStr({json.dumps(text)})") == repr(text)


# -- TemperatureExplorer -------------------------------------------------------------------------
TEXTS = ["1, 2, 3", "2, 2, 1", "0 -inf 2.5", "(1; 2; 3)", "[0.5, -0.5]", "1e4, 0, -inf", "-1e308 1e308", "5",
         "−1, 1", "0,0,0,0,0,0,0,0,0,0", "3, 1, 4, 1, 5, 9, 2, 6, 5", "1e-320, 0", ".5, 5., +2", "INF", "-Infinity, 0",
         # refused, each with Python's words
         "", "  ", "1, banana", "1, inf", "nan", "-inf, -inf", ", ".join(["1"] * (MAX_CLASSES + 1)), "1_000", "0x10",
         "1,,2", "١٢", "1e400", "(1, 2", "1 2 3)", "[ ]"]


@pytest.fixture(scope="module")
def temperature_js():
    return js_context(TemperatureExplorer.js_module)


def test_temperature_parity_every_slider_position(temperature_js):
    ex = TemperatureExplorer()
    shifts = [-10.0 + i * 0.5 for i in range(41)]
    temperatures = [10 ** (-2.0 + i * 0.05) for i in range(81)]
    states = [{"logits": t, "shift": c, "temperature": T} for t in TEXTS[:6] for c in shifts for T in temperatures]
    states += [{"logits": t, "shift": c, "temperature": T} for t in TEXTS for c in (-10.0, 0.0, 7.5) for T in (0.01, 1.0, 100.0)]
    assert assert_parity(ex, temperature_js, states) == len(states)


def test_temperature_slider_positions_are_the_same_numbers(temperature_js):
    """The page's slider gives exactly the doubles Python would (so both show the same T)."""
    spec = next(c for c in TemperatureExplorer.control_specs() if c["name"] == "temperature")
    js = json.loads(temperature_js.eval(
        f"JSON.stringify(Array.from({{length: 81}}, (_, i) => 10 ** ({spec['min']} + i * {spec['step']})))"))
    assert js == [10 ** (spec["min"] + i * spec["step"]) for i in range(81)]


logit = st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=64), st.just(-math.inf),
                  st.integers(-10**6, 10**6).map(float), st.floats(-50, 50).map(lambda v: round(v, 3)))
separator = st.sampled_from([", ", ",", "; ", " ", "\t", ",  "])


@settings(max_examples=300, deadline=None)
@given(values=st.lists(logit, min_size=1, max_size=MAX_CLASSES + 2), sep=separator,
       shift=st.sampled_from([-10.0 + i * 0.5 for i in range(41)]), exponent=st.integers(0, 80))
def test_temperature_parity_random_logits(temperature_js, values, sep, shift, exponent):
    text = sep.join(repr(v) if v != -math.inf else "-inf" for v in values)
    state = {"logits": text, "shift": shift, "temperature": 10 ** (-2.0 + exponent * 0.05)}
    assert_parity(_temperature(), temperature_js, [state])


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("0123456789.,;-+eE ()[]infatyINFxX_\t\u2212\u00a0é")), max_size=24))
def test_temperature_parity_random_text(temperature_js, text):
    assert_parity(_temperature(), temperature_js, [{"logits": text, "shift": 0.0, "temperature": 1.0}])


_cache: dict = {}


def _temperature() -> TemperatureExplorer:
    if "t" not in _cache:
        _cache["t"] = TemperatureExplorer()
    return _cache["t"]


def test_parse_logits_grammar_is_the_pages():
    assert parse_logits(" (1; 2 ,3) ").tolist() == [1.0, 2.0, 3.0]
    for bad in ("1_000", "0x10", "١", "1\u00a02"):
        with pytest.raises(ValueError, match="could not read"):
            parse_logits(bad)


# -- StepExplorer: every slider position ---------------------------------------------------------
def test_step_parity_every_slider_position():
    ctx = js_context(StepExplorer.js_module)
    ex = StepExplorer()
    ks = json.loads(ctx.eval("JSON.stringify(Array.from({length: 71}, (_, i) => 10 ** (-0.5 + i * 0.05)))"))
    assert ks == [10 ** (-0.5 + i * 0.05) for i in range(71)]
    deltas = [0.01 + i * 0.01 for i in range(100)]
    states = [{"k": k, "delta": d} for k in ks for d in deltas]
    states += [{"k": 10.0, "delta": 0.5}, {"k": 100.0, "delta": 0.1}, {"k": 1000.0, "delta": 0.01}]
    assert assert_parity(ex, ctx, states) == 7103


def test_models_do_not_depend_on_the_dom():
    for module in (TemperatureExplorer.js_module, StepExplorer.js_module):
        ctx = js_context(module)
        state = {"logits": "1, 2, 3", "shift": 0.0, "temperature": 1.0} if "temperature" in str(module) else {"k": 1.0, "delta": 0.1}
        assert "panel" in js_models(ctx, [state])[0]
