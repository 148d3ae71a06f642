"""Bad input never hurts: every public callable of nnbook, called with a battery of bad values.

What the reliability audit did by hand, as a test of the project's own, so that a new function is
covered the day it lands:

1. **Discovery.** Walk the package; every public function and class defined in an nnbook module is a
   subject (``SKIP`` lists the few that are not computations: display and command-line entry points).
2. **A valid call to start from.** The convention is a doctested example in every docstring; the
   examples are run with each subject wrapped, and the first call made at the top level of an
   example is the subject's baseline. A subject with no example fails ``test_every_subject_has_a_baseline``.
3. **Bad values, one argument at a time.** Each argument of the baseline is replaced by each value of
   ``BAD_VALUES`` (and, for array arguments, by the same array holding NaN, inf, huge values, one more
   dimension or no elements), in a forked worker with an address-space limit (``MEMORY_LIMIT`` above
   what the worker already uses) and an alarm per call (``TIME_LIMIT``).
4. **Verdicts.** A call may return (the value was valid after all) or raise ``TypeError``/``ValueError``
   with a message. It must not raise anything else, run out of time or memory, accept a NaN/inf input
   silently, or return NaN/inf or an empty result from finite input.

``python -m pytest tests/test_api_robustness.py -rA -q`` prints the totals (``test_totals``).
"""

from __future__ import annotations

import collections
import dataclasses
import doctest
import importlib
import inspect
import math
import multiprocessing
import os
import pkgutil
import resource
import signal
import time
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nnbook

NNBOOK_SOURCE = os.path.dirname(os.path.abspath(nnbook.__file__))
TIME_LIMIT = 2.0  # seconds per call
MEMORY_LIMIT = 500 * 2**20  # bytes a call may add to the worker
# Not computations: notebook display, the command line, and the view layer (its models are
# covered through the pure functions they call; Explorer.set has its own tests).
# The exercise modules' functions are answer keys (readers call ``exercises.check``), and the
# handout's format modules are reached through ``nnbook.handout.export``.
SKIP_MODULES = ("nnbook.widgets", "nnbook.plots", "nnbook.handout.", "nnbook.exercises.")
SKIP = {
    "nnbook.exercises.show",  # displays in a notebook
    "nnbook.exercises.exercise",  # the decorator that declares an exercise (checked at import)
    "nnbook.exercises.ExerciseSpec",  # made by @exercise
    "nnbook.sizing.summarize_torch",  # needs PyTorch; its bad input is tested in test_sizing_layers
    # results the package builds and returns, not entry points
    "nnbook.sizing.Row",
    "nnbook.sizing.Solutions",
    "nnbook.sizing.Layer",  # the base class of the layers (each layer is a subject)
    "nnbook.init.Propagation",
    "nnbook.autodiff.Expression",  # what parse_expression returns
    "nnbook.autodiff.Trace",  # what trace / forward_trace / reverse_trace return
    "nnbook.autodiff.ForwardTrace",
    "nnbook.autodiff.ReverseTrace",
    "nnbook.autodiff.Row",  # a row of a trace table
    "nnbook.sizing.Summary",  # what summarize returns
    "nnbook.sizing.Table",  # the text table Summary prints
}
# An empty list is an answer here, not a silent failure: no configuration fits (solve), the value
# does not occur (locate), no output sees that input (influenced_outputs).
MAY_BE_EMPTY = {"nnbook.sizing.solve", "nnbook.conv.locate", "nnbook.conv.influenced_outputs"}
# The softmax chapter's textbook formula, kept to show how exp overflows to inf/NaN; batch norm's
# cache records the batch variance, which may exceed the float range while y stays exact (as its
# docstring says). A result whose normal form holds NaN (a Propagation's layer-0 entries) is
# judged against that baseline instead.
MAY_BE_NONFINITE = {"nnbook.softmax.naive_softmax", "nnbook.batchnorm.batchnorm_forward"}


class _Timeout(BaseException):
    """Raised by the alarm inside a worker (a BaseException, so that no ``except Exception`` eats it)."""


def _subjects() -> dict[str, Callable[..., Any]]:
    """Public callables: reachable as a public name of a public module (no ``_`` in its path)."""
    found: dict[str, Callable[..., Any]] = {}
    seen: set[int] = set()
    skipped = set()  # SKIP by object, so a name re-exported from a submodule is left out too
    for name in SKIP:
        module_name, attr = name.rsplit(".", 1)
        try:
            skipped.add(id(getattr(importlib.import_module(module_name), attr)))
        except (ImportError, AttributeError):
            pass
    for info in pkgutil.walk_packages(nnbook.__path__, "nnbook."):
        if info.name.startswith(SKIP_MODULES) or any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        public = getattr(module, "__all__", None)
        for name, obj in vars(module).items():
            if name.startswith("_") or (public is not None and name not in public):
                continue
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if not getattr(obj, "__module__", "").startswith("nnbook.") or id(obj) in seen:
                continue
            if public is None and not obj.__module__.startswith(info.name):
                continue  # imported helpers count where they are defined (or re-exported in __all__)
            if inspect.isclass(obj) and (issubclass(obj, BaseException) or _is_plain_record(obj)):
                continue
            qualified = f"{info.name}.{name}"
            if qualified not in SKIP and id(obj) not in skipped:
                found[qualified] = obj
                seen.add(id(obj))
    return found


def _is_plain_record(cls: type) -> bool:
    """Frozen dataclasses and NamedTuples that only hold results are not entry points."""
    if dataclasses.is_dataclass(cls) and getattr(cls, "__dataclass_params__").frozen:
        own = [n for n, v in vars(cls).items() if callable(v) and not n.startswith("_")]
        return not own
    return issubclass(cls, tuple)


SUBJECTS = _subjects()


# -- baselines from the doctests -------------------------------------------------------------------
def _baselines() -> dict[str, tuple[tuple, dict]]:
    calls: dict[str, tuple[tuple, dict]] = {}
    depth = [0]

    def recorder(qualified: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            depth[0] += 1
            try:
                result = func(*args, **kwargs)
            finally:
                depth[0] -= 1
            if depth[0] == 0 and qualified not in calls:
                is_init = inspect.isclass(SUBJECTS[qualified])
                calls[qualified] = (args[1:] if is_init else args, kwargs)
            return result

        wrapper.__wrapped__ = func  # type: ignore[attr-defined]
        return wrapper

    finder = doctest.DocTestFinder()
    every_module = ["nnbook"] + [i.name for i in pkgutil.walk_packages(nnbook.__path__, "nnbook.")
                                 if not i.name.startswith(("nnbook.widgets", "nnbook.plots"))]
    tests = [t for m in every_module for t in finder.find(importlib.import_module(m), m)]
    originals: list[tuple[Any, str, Any]] = []
    wrappers: dict[int, Any] = {}
    for qualified, obj in SUBJECTS.items():
        if inspect.isclass(obj):  # classes keep their identity: record through __init__
            init = obj.__dict__.get("__init__", obj.__init__)
            originals.append((obj, "__init__", init))
            inner = recorder(qualified, init)
            obj.__init__ = lambda self, *a, _inner=inner, **k: _inner(self, *a, **k)
        else:
            wrappers[id(obj)] = recorder(qualified, obj)
    for info in pkgutil.walk_packages(nnbook.__path__, "nnbook."):
        if info.name.startswith(SKIP_MODULES):
            continue
        module = importlib.import_module(info.name)
        for name, value in list(vars(module).items()):
            if id(value) in wrappers and not inspect.isclass(value):
                originals.append((module, name, value))
                setattr(module, name, wrappers[id(value)])
    try:
        runner = doctest.DocTestRunner(verbose=False, optionflags=doctest.ELLIPSIS)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for test in tests:
                for name, value in list(test.globs.items()):
                    if id(value) in wrappers:
                        test.globs[name] = wrappers[id(value)]
                runner.run(test, out=lambda _s: None, clear_globs=False)
    finally:
        for module, name, obj in originals:
            setattr(module, name, obj)
    return calls


BASELINES = _baselines()


# -- the battery of bad values ---------------------------------------------------------------------
class _Opaque:
    def __repr__(self) -> str:
        return "<an object>"


BAD_VALUES: list[tuple[str, Any]] = [
    ("None", None),
    ("text", "abc"),
    ("True", True),
    ("-1", -1),
    ("0", 0),
    ("1.5", 1.5),
    ("huge int", 10**12),
    ("huge float", 1e300),
    ("nan", float("nan")),
    ("inf", float("inf")),
    ("complex", 1j),
    ("object", _Opaque()),
    ("empty list", []),
    ("list of text", ["a", "b"]),
]


def _array_variants(value: Any) -> list[tuple[str, Any]]:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return []
    if arr.ndim == 0 or arr.size == 0 or arr.size > 10**6:
        return []
    out = []
    for label, fill in (("NaN inside", np.nan), ("inf inside", np.inf), ("1e300 inside", 1e300)):
        bad = arr.copy()
        bad.flat[0] = fill
        out.append((label, bad))
    out.append(("one more dimension", arr[None, ...]))
    out.append(("no elements", np.zeros((0,) + arr.shape[1:])))
    return out


def _finite(value: Any) -> bool:
    """True when nothing in ``value`` is NaN/inf (numbers, arrays, and the containers holding them)."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        return True
    if isinstance(value, (int, np.integer)):
        return True
    if isinstance(value, (float, np.floating)):
        return math.isfinite(value)
    if isinstance(value, np.ndarray):
        return not np.issubdtype(value.dtype, np.number) or bool(np.isfinite(value).all())
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite(v) for v in value[:1000])
    if dataclasses.is_dataclass(value):
        return all(_finite(getattr(value, f.name)) for f in dataclasses.fields(value))
    return True


def _input_is_finite(value: Any) -> bool:
    try:
        return _finite(value)
    except Exception:
        return True


def _empty(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.size == 0
    return isinstance(value, (list, tuple)) and len(value) == 0


def _names_argument(message: str, name: str) -> bool:
    text = message.lower()
    return name.lower() in text or name.lower().replace("_", " ") in text


def _finite_or_unknown(value: Any) -> bool:
    try:
        return _finite(value)
    except Exception:  # noqa: BLE001
        return True


def _call_one(func: Callable[..., Any], args: tuple, kwargs: dict, baseline_result: Any,
              may_be_empty: bool = False, may_be_nonfinite: bool = False,
              time_limit: float = TIME_LIMIT) -> str | None:
    """Call once under the alarm; return a defect description, or None when the outcome is fine."""

    def on_alarm(_signum: int, _frame: Any) -> None:
        raise _Timeout()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = func(*args, **kwargs)
    except _Timeout:
        return f"no answer within {time_limit:g} s"
    except MemoryError:
        return f"MemoryError (asked for more than {MEMORY_LIMIT // 2**20} MB)"
    except (TypeError, ValueError) as exc:
        if not str(exc).strip():
            return f"{type(exc).__name__} with an empty message"
        raised_in = traceback.extract_tb(exc.__traceback__)[-1].filename
        if NNBOOK_SOURCE not in os.path.abspath(raised_in) and "<doctest" not in raised_in:
            # numpy's or Python's own message ("operands could not be broadcast ...") does not
            # tell a reader which argument was wrong: nnbook checks first
            return f"{type(exc).__name__} from inside {os.path.basename(raised_in)}: {str(exc)[:120]}"
        return None
    except RecursionError:
        return "RecursionError"
    except Exception as exc:  # noqa: BLE001 - any other type is the defect being looked for
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return f"{type(exc).__name__}: {str(exc)[:160]} (at {os.path.basename(where.filename)}:{where.lineno})"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if time.perf_counter() - start > time_limit:
        return f"took {time.perf_counter() - start:.1f} s"
    inputs_finite = all(_input_is_finite(a) for a in args) and all(_input_is_finite(v) for v in kwargs.values())
    try:
        result_finite = _finite(result)
    except Exception:  # noqa: BLE001 - exotic results are not judged here
        result_finite = True
    if not inputs_finite:
        return "accepted a NaN/inf input without an error" if not result_finite else None
    if not result_finite and _finite_or_unknown(baseline_result) and not may_be_nonfinite:
        return "returned NaN/inf from finite input"
    if _empty(result) and not _empty(baseline_result) and not may_be_empty:
        return "returned an empty result"
    return None


def _mutations(qualified: str) -> list[tuple[str, tuple, dict]]:
    func = SUBJECTS[qualified]
    args, kwargs = BASELINES[qualified]
    try:
        signature = inspect.signature(func)
        bound = signature.bind(*args, **kwargs)
    except (TypeError, ValueError):
        return []
    out = []
    params = [p for p in signature.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    for param in params:
        if param.name == "self":
            continue
        current = bound.arguments.get(param.name, param.default)
        bad_values = list(BAD_VALUES)
        if param.name in bound.arguments:
            bad_values += _array_variants(current)
        for label, bad in bad_values:
            trial = inspect.BoundArguments(signature, dict(bound.arguments))
            trial.arguments[param.name] = bad
            out.append((f"{param.name}={label}", trial.args, trial.kwargs))
    return out


def _worker(qualified: str, connection: Any) -> None:
    func = SUBJECTS[qualified]
    args, kwargs = BASELINES[qualified]
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            baseline_result = func(*args, **kwargs)
        except Exception:  # noqa: BLE001
            baseline_result = None
    # a hang is a call far slower than the valid one: 2 s, or 20 times the baseline on a loaded machine
    time_limit = max(TIME_LIMIT, 20 * (time.perf_counter() - started))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    used = _address_space()
    if used:
        resource.setrlimit(resource.RLIMIT_AS, (used + MEMORY_LIMIT, hard))
    defects = []
    calls = 0
    try:
        mutations = _mutations(qualified)
    except Exception as exc:  # noqa: BLE001 - a harness problem is reported, not hidden
        connection.send(("done", (0, [f"could not build the calls: {exc!r}"])))
        return
    for label, call_args, call_kwargs in mutations:
        calls += 1
        connection.send(("progress", label))
        defect = _call_one(func, call_args, call_kwargs, baseline_result, qualified in MAY_BE_EMPTY,
                           qualified in MAY_BE_NONFINITE, time_limit)
        if defect:
            defects.append(f"{label}: {defect}")
    connection.send(("done", (calls, defects)))


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def run_subject(qualified: str) -> tuple[int, list[str]]:
    """All mutations of one subject in a forked worker; a worker that hangs in C code is killed."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_worker, args=(qualified, child), daemon=True)
    process.start()
    defects: list[str] = []
    current = "the baseline call"
    calls = 0
    deadline = time.monotonic() + TIME_LIMIT + 60
    while True:
        if parent.poll(max(0.0, deadline - time.monotonic())):
            kind, payload = parent.recv()
            if kind == "done":
                calls, found = payload
                defects += found
                break
            current = payload
            calls += 1
            deadline = time.monotonic() + TIME_LIMIT + 30
            continue
        process.kill()
        defects.append(f"{current}: hung (killed after {TIME_LIMIT + 30:g} s)")
        break
    process.join(5)
    if process.exitcode not in (0, None) and not defects:
        defects.append(f"{current}: the worker died (exit code {process.exitcode})")
    return calls, defects


_TOTALS = {"subjects": 0, "calls": 0, "defects": 0}


def test_discovery_finds_the_public_api():
    modules = {q.rsplit(".", 1)[0] for q in SUBJECTS}
    for expected in ("nnbook.conv", "nnbook.softmax", "nnbook.sizing", "nnbook.init", "nnbook.batchnorm"):
        assert expected in modules
    assert len(SUBJECTS) > 100


@pytest.mark.parametrize("qualified", sorted(SUBJECTS))
def test_every_subject_has_a_baseline(qualified):
    """The docstring's example is the valid call the bad values start from."""
    assert qualified in BASELINES, f"{qualified} has no doctested example that calls it"


@pytest.mark.slow
@pytest.mark.parametrize("qualified", sorted(q for q in SUBJECTS if q in BASELINES))
def test_bad_values_get_a_plain_error(qualified):
    calls, defects = run_subject(qualified)
    _TOTALS["subjects"] += 1
    _TOTALS["calls"] += calls
    _TOTALS["defects"] += len(defects)
    assert not defects, f"{qualified}: {len(defects)} of {calls} calls:\n" + "\n".join(defects[:25])


def test_totals(capsys):
    """Printed for the issue note (meaningful when the whole module ran)."""
    with capsys.disabled():
        print(f"\nrobustness: {_TOTALS['subjects']} callables, {_TOTALS['calls']} calls, "
              f"{_TOTALS['defects']} defects")
