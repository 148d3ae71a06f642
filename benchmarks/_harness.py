"""A tiny benchmark harness: every figure is a ratio against a reference timed in the same run.

A benchmark module ``benchmarks/bench_<topic>.py`` defines functions decorated with
:func:`benchmark`; each returns a :class:`Result` (measured and reference seconds).
``python benchmarks/run.py`` runs them all and prints one table.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

REGISTRY: list["Benchmark"] = []


@dataclass
class Result:
    measured: float  # seconds (median) of the thing being benchmarked
    reference: float  # seconds (median) of the reference, timed in the same run
    reference_name: str
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.measured / self.reference if self.reference > 0 else float("inf")


@dataclass
class Benchmark:
    name: str
    func: Callable[[], Result]
    max_ratio: float | None = None  # target on the ratio, if the issue sets one
    max_seconds: float | None = None  # absolute target, if the issue sets one


def benchmark(name: str, *, max_ratio: float | None = None, max_seconds: float | None = None):
    """Register a benchmark function returning a :class:`Result`."""

    def register(func: Callable[[], Result]) -> Callable[[], Result]:
        REGISTRY.append(Benchmark(name, func, max_ratio, max_seconds))
        return func

    return register


def median_seconds(func: Callable[[], object], *, repeat: int = 7, number: int = 1, warmup: int = 1) -> float:
    """Median wall time of ``number`` calls of ``func``, over ``repeat`` rounds, per call."""
    for _ in range(warmup):
        func()
    times = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(number):
                func()
            times.append((time.perf_counter() - start) / number)
    finally:
        if gc_was_enabled:
            gc.enable()
    return statistics.median(times)
