"""Softmax chapter: the readable, stable softmax/cross-entropy against PyTorch, and the explorers' redraw.

The ratios to PyTorch are reported without a target: `nnbook.softmax` stays the plain
subtract-the-max implementation the chapter teaches. The explorers must update (panel and
figure, PNG included) within 50 ms so that dragging a slider feels immediate.
"""

from __future__ import annotations

import itertools
import statistics
import time

import numpy as np

from _harness import Result, benchmark, median_seconds

SHAPE = (4096, 1000)


def _batch(dtype=np.float32):
    rng = np.random.default_rng(0)
    logits = (rng.standard_normal(SHAPE) * 5).astype(dtype)
    targets = rng.integers(0, SHAPE[1], size=SHAPE[0])
    return logits, targets


def _vs_torch(ours, torch_reference, reference_name: str) -> Result:
    """Time ``ours()`` and, when torch is installed, ``torch_reference(torch)()`` on the same batch."""
    measured = median_seconds(ours, repeat=9)
    try:
        import torch
    except ImportError:  # the ratio needs the reference; report it as unavailable
        return Result(measured, float("nan"), f"{reference_name} (torch not installed)")
    reference = median_seconds(torch_reference(torch), repeat=9)
    return Result(measured, reference, f"{reference_name}, {torch.get_num_threads()} thread(s)")


@benchmark("softmax (4096, 1000) float32 vs torch.softmax")
def softmax_vs_torch() -> Result:
    from nnbook.softmax import softmax

    logits, _ = _batch()
    return _vs_torch(
        lambda: softmax(logits),
        lambda torch: lambda t=torch.from_numpy(logits): torch.softmax(t, dim=-1),
        "torch.softmax",
    )


@benchmark("cross_entropy (4096, 1000) float32 vs torch")
def cross_entropy_vs_torch() -> Result:
    from nnbook.softmax import cross_entropy

    logits, targets = _batch()
    return _vs_torch(
        lambda: cross_entropy(logits, targets),
        lambda torch: lambda t=torch.from_numpy(logits), y=torch.from_numpy(targets): (
            torch.nn.functional.cross_entropy(t, y)
        ),
        "F.cross_entropy (mean)",
    )


@benchmark("cross_entropy_grad (4096, 1000) float32 vs autograd")
def cross_entropy_grad_vs_torch() -> Result:
    from nnbook.softmax import cross_entropy_grad

    logits, targets = _batch()

    def autograd(torch):
        y = torch.from_numpy(targets)

        def grad():
            t = torch.from_numpy(logits).requires_grad_(True)
            torch.nn.functional.cross_entropy(t, y).backward()
            return t.grad

        return grad

    return _vs_torch(lambda: cross_entropy_grad(logits, targets), autograd, "F.cross_entropy forward + backward")


@benchmark("softmax regression dL/dW, X (4096, 512) @ W (512, 1000) float32, label smoothing 0.1, vs autograd")
def linear_cross_entropy_grad_vs_torch() -> Result:
    from nnbook.softmax import linear_cross_entropy_grad

    rng = np.random.default_rng(1)
    X = rng.standard_normal((SHAPE[0], 512)).astype(np.float32)
    W = (rng.standard_normal((512, SHAPE[1])) * 0.05).astype(np.float32)
    b = np.zeros(SHAPE[1], np.float32)
    _, targets = _batch()

    def autograd(torch):
        tx, ty, tb = torch.from_numpy(X), torch.from_numpy(targets), torch.from_numpy(b)

        def grad():
            tw = torch.from_numpy(W).requires_grad_(True)
            torch.nn.functional.cross_entropy(tx @ tw + tb, ty, label_smoothing=0.1).backward()
            return tw.grad

        return grad

    return _vs_torch(lambda: linear_cross_entropy_grad(X, W, b, targets, label_smoothing=0.1), autograd,
                     "F.cross_entropy(X @ W + b) forward + backward")


def _cpu_seconds(func, repeat: int = 21) -> float:
    """Median CPU time of one call: unlike wall time, barely inflated when other jobs share the cores."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        func()
        times.append(time.process_time() - start)
    return statistics.median(times)


@benchmark("TemperatureExplorer update in a live notebook (set: checks, panel, view model)", max_seconds=0.05)
def temperature_explorer_update() -> Result:
    from nnbook.widgets.softmax import TemperatureExplorer

    explorer = TemperatureExplorer()
    settings = itertools.cycle([dict(temperature=t, shift=c) for t, c in
                                [(0.1, 0.0), (0.5, 2.0), (1.0, -3.0), (3.0, 5.0), (20.0, 0.5)]])
    measured = median_seconds(lambda: explorer.set(**next(settings)), repeat=21, warmup=3)
    cpu = _cpu_seconds(lambda: explorer.set(**next(settings)))
    assert explorer.ok
    # The explorers draw in the page now (no PNG from Python): the reference is the pure render.
    render = median_seconds(lambda: explorer.render(**explorer.values), repeat=21, warmup=3)
    return Result(measured, render, "the pure render of the same setting", note=f"CPU time {cpu * 1e3:.1f} ms")


@benchmark("StepExplorer update in a live notebook (set: checks, panel, view model)", max_seconds=0.05)
def step_explorer_update() -> Result:
    from nnbook.widgets.softmax import StepExplorer

    explorer = StepExplorer()
    settings = itertools.cycle([dict(k=k, delta=d) for k, d in [(1.0, 0.1), (10.0, 0.3), (100.0, 0.05), (1000.0, 0.5)]])
    measured = median_seconds(lambda: explorer.set(**next(settings)), repeat=21, warmup=3)
    cpu = _cpu_seconds(lambda: explorer.set(**next(settings)))
    assert explorer.ok
    # The explorers draw in the page now (no PNG from Python): the reference is the pure render.
    render = median_seconds(lambda: explorer.render(**explorer.values), repeat=21, warmup=3)
    return Result(measured, render, "the pure render of the same setting", note=f"CPU time {cpu * 1e3:.1f} ms")
