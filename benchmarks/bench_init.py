"""Initialization chapter: the vectorized variance-propagation sweep and the explorer's update."""

from __future__ import annotations

import os

import numpy as np

from _harness import Result, benchmark, median_seconds

DEPTH, WIDTH, BATCH = 50, 512, 256


def _plain_matmuls() -> callable:
    """The floor: the 2 * DEPTH float32 matmuls a forward + backward sweep cannot avoid."""
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((WIDTH, WIDTH), dtype=np.float32) / np.float32(WIDTH**0.5) for _ in range(DEPTH)]
    x0 = rng.standard_normal((BATCH, WIDTH), dtype=np.float32)

    def run() -> None:
        x = x0
        for w in weights:
            x = x @ w.T
        for w in reversed(weights):
            x = x @ w

    return run


@benchmark(f"init.simulate {DEPTH} layers x {WIDTH} wide, batch {BATCH} (fwd+bwd)", max_seconds=0.5)
def simulate_sweep() -> Result:
    from nnbook.init import simulate

    measured = median_seconds(lambda: simulate(DEPTH, WIDTH, "relu", "he_normal", batch_size=BATCH), repeat=7)
    reference = median_seconds(_plain_matmuls(), repeat=7)
    return Result(measured, reference, f"{2 * DEPTH} plain float32 matmuls ({BATCH}x{WIDTH} @ {WIDTH}x{WIDTH})",
                  note="includes drawing the weights and per-layer statistics")


@benchmark(f"init.simulate {DEPTH} x {WIDTH}, batch {BATCH}, batch norm + residual", max_seconds=0.8)
def simulate_sweep_bn() -> Result:
    from nnbook.init import simulate

    measured = median_seconds(
        lambda: simulate(DEPTH, WIDTH, "relu", "he_normal", batch_norm=True, residual=True, batch_size=BATCH), repeat=5
    )
    reference = median_seconds(_plain_matmuls(), repeat=5)
    return Result(measured, reference, f"{2 * DEPTH} plain float32 matmuls")


@benchmark("init explorer update at its largest setting (60 x 512, batch 128, PNG)", max_seconds=1.0)
def explorer_update() -> Result:
    os.environ.setdefault("MPLBACKEND", "Agg")
    from nnbook.init import simulate
    from nnbook.widgets.init import BATCH_SIZE, PropagationExplorer

    ex = PropagationExplorer()
    state = {"flip": False}

    def update() -> None:  # alternate two settings so that every call really recomputes
        state["flip"] = not state["flip"]
        ex.set(depth=60, width=512, scheme="he_normal" if state["flip"] else "xavier_normal", activation="relu")

    measured = median_seconds(update, repeat=5)
    reference = median_seconds(lambda: simulate(60, 512, "relu", "he_normal", batch_size=BATCH_SIZE), repeat=5)
    return Result(measured, reference, "the simulation alone (the rest is drawing the PNG)")


@benchmark("layer_norm_forward + backward (256, 64, 14, 14) over (C, H, W) vs torch autograd")
def layer_norm_vs_torch() -> Result:
    from nnbook.batchnorm import layer_norm_backward, layer_norm_forward

    rng = np.random.default_rng(0)
    shape = (256, 64, 14, 14)
    x, dy = rng.standard_normal(shape).astype(np.float32), rng.standard_normal(shape).astype(np.float32)

    def ours():
        _, cache = layer_norm_forward(x, shape[1:])
        return layer_norm_backward(dy, cache)

    measured = median_seconds(ours, repeat=5)
    try:
        import torch
    except ImportError:
        return Result(measured, float("nan"), "F.layer_norm (torch not installed)")

    def theirs(tdy=torch.from_numpy(dy)):
        t = torch.from_numpy(x).requires_grad_(True)
        torch.nn.functional.layer_norm(t, shape[1:]).backward(tdy)
        return t.grad

    return Result(measured, median_seconds(theirs, repeat=5),
                  f"F.layer_norm forward + backward, {torch.get_num_threads()} thread(s)")
