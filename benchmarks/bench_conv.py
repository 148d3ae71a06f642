"""Convolution chapter: nnbook.conv.conv2d against torch.nn.functional.conv2d, and the explorer's redraw.

Both convolutions run in the same child process with ONE thread each (OpenBLAS/OMP/MKL threads set
to 1 before numpy is imported, and ``torch.set_num_threads(1)``), on float32 inputs (PyTorch's
native type; float64 ratios are printed in the note for information). Calls alternate between the
two, 41 each, and the ratio uses the best time of each (as ``timeit`` recommends: on a shared
machine the slower runs measure the other users, not the code); the median ratio is in the note. The three cases are the ones
the chapter's issue names:

(a) the DQN first layer: batch 32 x 4 x 84 x 84, 16 kernels 8 x 8, stride 4;
(b) one 3 x 256 x 256 image, 64 kernels 8 x 8, stride 2;
(c) 32 x 16 x 20 x 20, 32 kernels 4 x 4, stride 2.

Targets: each ratio <= 5x, geometric mean <= 3x. The explorer target is a median update (model,
figure and PNG on the Agg backend) <= 50 ms at the largest slider settings.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

from _harness import Result, benchmark, median_seconds

CASES = {
    "a": ((32, 4, 84, 84), (16, 4, 8, 8), 4, "DQN layer 1: 32x4x84x84, 16 8x8, stride 4"),
    "b": ((1, 3, 256, 256), (64, 3, 8, 8), 2, "3x256x256, 64 8x8, stride 2"),
    "c": ((32, 16, 20, 20), (32, 16, 4, 4), 2, "32x16x20x20, 32 4x4, stride 2"),
}

CHILD = r"""
import json, sys, time, statistics
import numpy as np
import torch
torch.set_num_threads(1)
from nnbook.conv import conv2d

cases = json.loads(sys.argv[1])
out = {}
rng = np.random.default_rng(0)
for key, (xs, ws, s) in cases.items():
    row = {}
    for dtype in ("float32", "float64"):
        x = rng.standard_normal(xs).astype(dtype)
        w = rng.standard_normal(ws).astype(dtype)
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        ours = lambda: conv2d(x, w, stride=s)
        theirs = lambda: torch.nn.functional.conv2d(tx, tw, stride=s)
        assert np.allclose(ours(), theirs().numpy(), atol=1e-3) and ours().dtype == theirs().numpy().dtype, key
        a, b = [], []
        for _ in range(41):  # interleaved, so that a busy stretch of the machine hits both alike
            t = time.perf_counter(); ours(); a.append(time.perf_counter() - t)
            t = time.perf_counter(); theirs(); b.append(time.perf_counter() - t)
        row[dtype] = (min(a), min(b), statistics.median(a), statistics.median(b))
    out[key] = row
print(json.dumps(out))
"""

_RESULTS: dict = {}


def _measure() -> dict:
    if not _RESULTS:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        cases = {k: (x, w, s) for k, (x, w, s, _) in CASES.items()}
        proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(cases)], env=env, capture_output=True,
                              text=True, check=True)
        _RESULTS.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return _RESULTS


def _case(key: str) -> Result:
    r = _measure()[key]
    ours, torch_time, ours_median, torch_median = r["float32"]
    ours64, torch64 = r["float64"][:2]
    return Result(ours, torch_time, "torch conv2d, float32, 1 thread each, best of 41",
                  note=f"{CASES[key][3]}; median ratio {ours_median / torch_median:.2f}x; "
                       f"float64 ratio {ours64 / torch64:.2f}x")


@benchmark("conv2d (a) DQN layer 1 vs torch", max_ratio=5)
def dqn_layer() -> Result:
    return _case("a")


@benchmark("conv2d (b) 3x256x256, 64 8x8 s2 vs torch", max_ratio=5)
def big_image() -> Result:
    return _case("b")


@benchmark("conv2d (c) 32x16x20x20, 32 4x4 s2 vs torch", max_ratio=5)
def small_batch() -> Result:
    return _case("c")


@benchmark("conv2d geometric mean of (a), (b), (c) vs torch", max_ratio=3)
def geometric_mean() -> Result:
    r = _measure()
    ours = math.exp(sum(math.log(r[k]["float32"][0]) for k in CASES) / len(CASES))
    theirs = math.exp(sum(math.log(r[k]["float32"][1]) for k in CASES) / len(CASES))
    return Result(ours, theirs, "geometric mean of the torch times (ratio = geometric mean of ratios)")


@benchmark("conv explorer update at the largest sliders", max_seconds=0.05)
def explorer_update() -> Result:
    """Median of explorer.set(...) (scene model + figure + PNG) at the largest settings."""
    from nnbook.plots import figure_to_png, new_figure
    from nnbook.widgets.conv import ConvExplorer

    ex = ConvExplorer()
    big = {name: hi for name, (lo, hi) in ConvExplorer.RANGES.items()}
    ex.set(**big, mode="full", flip=True, direction="forward", step=0)
    steps = ex.controls["step"].max
    state = {"k": 0}

    def update() -> None:
        state["k"] += 1
        ex.set(step=(state["k"] * 37) % (steps + 1), flip=bool(state["k"] % 2))
        assert ex.ok

    # best of three medians: on a shared machine one busy stretch should not decide the figure
    measured = min(median_seconds(update, repeat=15) for _ in range(3))
    reference = min(median_seconds(lambda: figure_to_png(new_figure(7.25, 3.5)), repeat=15) for _ in range(3))
    cpu_start = time.process_time()
    for _ in range(10):
        update()
    cpu = (time.process_time() - cpu_start) / 10
    return Result(measured, reference, "PNG of an empty figure of the same size",
                  note=f"n={big['n']}, k={big['kernel_size']}, s={big['stride']}, p={big['padding']}, "
                       f"d={big['dilation']}, full padding, {steps + 1} steps; CPU time {cpu * 1e3:.1f} ms")


# -- pooling and transposed convolution against PyTorch (ratios reported, no target set) --------------
POOL_CASES = {
    "max": ((32, 16, 56, 56), 2, None, 0, "max 2x2, stride 2 on 32x16x56x56"),
    "avg": ((32, 16, 56, 56), 3, 2, 1, "avg 3x3, stride 2, padding 1 on 32x16x56x56"),
}
TRANSPOSE_CASE = ((8, 32, 16, 16), (32, 16, 4, 4), 2, 1, "8x32x16x16 -> 8x16x32x32, 4x4 kernels, stride 2, padding 1")

CHILD_MORE = r"""
import json, sys, time, statistics
import numpy as np
import torch
torch.set_num_threads(1)
F = torch.nn.functional
from nnbook.conv import conv_transpose2d, pool2d, pool2d_grad_input

pools, (xs, ws, s, p, _) = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rng = np.random.default_rng(0)
jobs = {}
for mode, (shape, k, stride, pad, _) in pools.items():
    x = rng.standard_normal(shape).astype("float32")
    tx = torch.from_numpy(x)
    f = F.max_pool2d if mode == "max" else F.avg_pool2d
    g = rng.standard_normal(tuple(f(tx, k, stride, pad).shape)).astype("float32")
    txg = tx.clone().requires_grad_(True)
    def torch_backward(f=f, k=k, stride=stride, pad=pad, g=g, txg=txg):
        txg.grad = None
        f(txg, k, stride, pad).backward(torch.from_numpy(g))
    jobs[f"pool {mode}"] = (lambda x=x, k=k, stride=stride, pad=pad, mode=mode: pool2d(x, k, stride, pad, mode),
                            lambda f=f, tx=tx, k=k, stride=stride, pad=pad: f(tx, k, stride, pad))
    jobs[f"pool {mode} backward"] = (
        lambda x=x, g=g, k=k, stride=stride, pad=pad, mode=mode: pool2d_grad_input(x, g, k, stride, pad, mode),
        torch_backward)
    assert np.allclose(jobs[f"pool {mode}"][0](), jobs[f"pool {mode}"][1]().numpy(), atol=1e-5)
x = rng.standard_normal(xs).astype("float32")
w = rng.standard_normal(ws).astype("float32")
tx, tw = torch.from_numpy(x), torch.from_numpy(w)
jobs["conv_transpose2d"] = (lambda: conv_transpose2d(x, w, stride=s, padding=p),
                            lambda: F.conv_transpose2d(tx, tw, stride=s, padding=p))
assert np.allclose(jobs["conv_transpose2d"][0](), jobs["conv_transpose2d"][1]().numpy(), atol=1e-3)
out = {}
for name, (ours, theirs) in jobs.items():
    a, b = [], []
    for _ in range(21):
        t = time.perf_counter(); ours(); a.append(time.perf_counter() - t)
        t = time.perf_counter(); theirs(); b.append(time.perf_counter() - t)
    out[name] = (min(a), min(b), statistics.median(a), statistics.median(b))
print(json.dumps(out))
"""

_MORE: dict = {}


def _measure_more() -> dict:
    if not _MORE:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        proc = subprocess.run([sys.executable, "-c", CHILD_MORE, json.dumps(POOL_CASES), json.dumps(TRANSPOSE_CASE)],
                              env=env, capture_output=True, text=True, check=True)
        _MORE.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return _MORE


def _more(name: str, what: str) -> Result:
    ours, theirs, ours_median, theirs_median = _measure_more()[name]
    return Result(ours, theirs, f"torch {name}, float32, 1 thread each, best of 21",
                  note=f"{what}; median ratio {ours_median / theirs_median:.2f}x")


@benchmark("pool2d max vs torch max_pool2d")
def pool_max() -> Result:
    return _more("pool max", POOL_CASES["max"][-1])


@benchmark("pool2d_grad_input max vs torch autograd")
def pool_max_backward() -> Result:
    return _more("pool max backward", POOL_CASES["max"][-1])


@benchmark("pool2d avg vs torch avg_pool2d")
def pool_avg() -> Result:
    return _more("pool avg", POOL_CASES["avg"][-1])


@benchmark("pool2d_grad_input avg vs torch autograd")
def pool_avg_backward() -> Result:
    return _more("pool avg backward", POOL_CASES["avg"][-1])


@benchmark("conv_transpose2d vs torch conv_transpose2d")
def transpose() -> Result:
    return _more("conv_transpose2d", TRANSPOSE_CASE[-1])
