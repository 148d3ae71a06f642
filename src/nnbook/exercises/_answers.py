"""How a typed answer is read: the one specification, implemented here and in ``static/exercises.js``.

Both implementations are tested against one table of cases, ``tests/data/answer_formats.json``
(``tests/test_answer_formats.py`` runs the JavaScript in an embedded V8), so the page and
``exercises.check`` always read an answer the same way. The rules:

* Surrounding spaces are ignored; any Unicode space counts as a space; the minus sign ``−`` and
  dashes count as ``-``; one pair of outer brackets ``(...)``, ``[...]`` or ``{...}`` is dropped.
* A number is an integer or decimal with an optional sign and exponent: ``-3``, ``+0.24``,
  ``.5``, ``2.5e-3``, ``2.5×10^-3`` (also ``x10^``, ``*10^``, ``·10^``, ``10^-3``), a fraction
  ``a/b`` of two numbers (spaces around ``/`` allowed; read as ``a`` divided by ``b``), or a
  percentage ``24%`` (= 0.24) where the answer is a fraction (every component within [-1, 1]).
* **Commas in a one-number answer**: a comma followed by groups of exactly three digits, after
  a first group of 1-3 digits not starting with 0, separates thousands (``1,644,800``,
  ``1,644`` = 1644); any other single comma is a decimal comma (``0,24``, ``1,5``,
  ``0,244``). Spaces between three-digit groups also separate thousands (``5 133 600``).
* **Several numbers** (shapes and lists): with a ``;`` anywhere, the answer is split at ``;``
  only, and each part is read as a one-number answer (so ``0,5; 0,25`` and
  ``1,644,800; 4112`` work); otherwise, when a comma is followed by a space, at ``, `` (so
  ``257, 20, 1,644,800`` keeps its thousands separators); otherwise at commas, spaces,
  ``x`` and ``×`` (``(4,4)``, ``4x4``, ``4 × 4``, ``46 62 20``).
* An answer is read against the number of values expected; "4, 4" where one number is expected
  is "Expected 1 number, got 2", not a misreading.

The outcome is a :class:`Reading`: the values, or an error code with a message for the reader
(``empty``, ``unreadable``, ``percent``, ``zero-division``, ``too-large``, ``count``).
Nothing here raises for any text.

>>> read_answer("1,644,800").values
(1644800.0,)
>>> read_answer("0,24").values
(0.24,)
>>> read_answer("(4, 4)", count=2).values
(4.0, 4.0)
>>> read_answer("abc").message
'I could not read "abc" as a number (expected a number like 0.24, -3, 1/81 or 2.5e-3).'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_SPACES = re.compile("[\t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]")
_DASHES = re.compile("[\u2212\u2012\u2013\u2014\ufe63\uff0d]")
_SCI = re.compile(r"([0-9.])[ ]*[xX\u00d7*\u00b7\u22c5][ ]*10[ ]*\^[ ]*\{?[ ]*([+-]?)[ ]*([0-9]+)[ ]*\}?")
_POW10 = re.compile(r"(^|[^0-9.])10[ ]*\^[ ]*\{?[ ]*([+-]?)[ ]*([0-9]+)[ ]*\}?")
_SLASH = re.compile(r"[ ]*/[ ]*")
_NUMBER = re.compile(
    r"^([+-]?)(?:([1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?)|([1-9][0-9]{0,2}(?: [0-9]{3})+(?:\.[0-9]+)?)"
    r"|([0-9]+,[0-9]+)|([0-9]+(?:\.[0-9]*)?|\.[0-9]+))((?:[eE][+-]?[0-9]+)?)$"
)
_SPLIT_COMMA_SPACE = re.compile(r"[ ]*,[ ]+")
_SPLIT_ANY = re.compile(r"[ ]*[,xX\u00d7][ ]*|[ ]+")
_TRAILING = re.compile(r"[ ,;]+$")
_EXAMPLES = ["4", "0.5", "16", "3", "1", "2", "8", "5", "6", "7", "9", "10"]
_MAX_SHOWN = 40


@dataclass(frozen=True)
class Reading:
    """What an answer was read as: ``values`` when ``ok``, else an error ``code`` and ``message``."""

    ok: bool
    values: tuple[float, ...] = ()
    code: str = ""
    message: str = ""


def _plural(count: int) -> str:
    return "a number" if count == 1 else f"{count} numbers"


def _shown(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "\u2026"


def _error(code: str, text: str, count: int, got: int = 0) -> Reading:
    shown = _shown(text)
    if code == "empty":
        message = f"No answer yet: type {_plural(count)} first."
    elif code == "percent":
        message = 'Write this answer as a plain number, without "%".'
    elif code == "zero-division":
        message = f'I could not read "{shown}": it divides by zero.'
    elif code == "too-large":
        message = f'I could not read "{shown}": a number in it is too large.'
    elif code == "count":
        message = f"Expected {_plural(count).replace('a number', '1 number')}, got {got}."
    elif count == 1:
        message = f'I could not read "{shown}" as a number (expected a number like 0.24, -3, 1/81 or 2.5e-3).'
    else:
        example = ", ".join(_EXAMPLES[k % len(_EXAMPLES)] for k in range(count))
        message = f'I could not read "{shown}" as {count} numbers (expected {count} numbers like {example}).'
    return Reading(False, (), code, message)


def normalise(text: str) -> str:
    """Unicode spaces to spaces, dashes to ``-``, ``×10^k`` to ``ek``, trimmed (the first step)."""
    text = _DASHES.sub("-", _SPACES.sub(" ", text)).replace("\uff0b", "+").strip(" ")
    text = _SCI.sub(r"\1e\2\3", text)
    text = _POW10.sub(r"\g<1>1e\2\3", text)
    return _SLASH.sub("/", text)


def _number(token: str) -> float | None:
    match = _NUMBER.match(token)
    if match is None:
        return None
    sign, grouped, spaced, comma, plain, exponent = match.groups()
    if grouped:
        body = grouped.replace(",", "")
    elif spaced:
        body = spaced.replace(" ", "")
    elif comma:
        body = comma.replace(",", ".")
    else:
        body = plain
    return float(sign + body + exponent)


def _one(token: str, percent: bool) -> tuple[float | None, str]:
    """A one-number token: (value, "") or (None, error code)."""
    token = token.strip(" ")
    is_percent = token.endswith("%")
    if is_percent:
        token = token[:-1].rstrip(" ")
    parts = token.split("/")
    if len(parts) > 2:
        return None, "unreadable"
    values = [_number(p) for p in parts]
    if any(v is None for v in values):
        return None, "unreadable"
    if len(values) == 2:
        if values[1] == 0:
            return None, "zero-division"
        if not (math.isfinite(values[0]) and math.isfinite(values[1])):
            return None, "too-large"
        value = values[0] / values[1]
    else:
        value = values[0]
    if is_percent:
        if not percent:
            return None, "percent"
        value = value / 100
    if not math.isfinite(value):
        return None, "too-large"
    return value, ""


def _split(text: str) -> list[str]:
    if ";" in text:
        parts = text.split(";")
    elif _SPLIT_COMMA_SPACE.search(text):
        parts = _SPLIT_COMMA_SPACE.split(text)
    else:
        parts = _SPLIT_ANY.split(text)
    return [p.strip(" ") for p in parts if p.strip(" ")]


def read_answer(text: str, count: int = 1, percent: bool = False) -> Reading:
    """Read typed ``text`` as ``count`` numbers (see the module docstring for the rules).

    ``percent`` allows ``24%`` (read as 0.24). Never raises for a string.

    >>> read_answer("24%", percent=True).values
    (0.24,)
    >>> read_answer("4x4", count=1).message
    'Expected 1 number, got 2.'
    """
    original = _SPACES.sub(" ", text).strip(" ")
    if not original:
        return _error("empty", original, count)
    body = normalise(text)
    if len(body) >= 2 and body[0] in "([{" and body[-1] in ")]}":
        body = body[1:-1].strip(" ")
    body = _TRAILING.sub("", body)  # "1, 2, 3," and "4;" end with a separator
    if not body:
        return _error("empty", original, count)
    if count == 1:
        value, code = _one(body, percent)
        if code == "":
            return Reading(True, (value,))
        if code != "unreadable":
            return _error(code, original, count)
        parts = _split(body)
        if len(parts) >= 2 and all(_one(p, percent)[1] == "" for p in parts):
            return _error("count", original, count, len(parts))
        return _error("unreadable", original, count)
    parts = _split(body)
    values = []
    for part in parts:
        value, code = _one(part, percent)
        if code:
            return _error(code, original, count)
        values.append(value)
    if len(values) != count:
        return _error("count", original, count, len(values))
    return Reading(True, tuple(values))


def within(values: tuple[float, ...], expected: tuple[float, ...], tolerances: tuple[float, ...]) -> list[int]:
    """Indices of the components of ``values`` that are not within tolerance of ``expected``.

    An exact answer has tolerance 0 (integers compare exactly, component by component).

    >>> within((4.0, 5.0), (4, 6), (0.0, 0.0))
    [1]
    """
    return [i for i, (v, e, t) in enumerate(zip(values, expected, tolerances)) if not abs(v - e) <= t]
