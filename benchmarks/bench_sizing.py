"""CNN sizing: `summarize` of a 50-layer network and a full `solve` sweep, each well under 50 ms,
so that the network builder stays instant."""

from __future__ import annotations

from _harness import Result, benchmark, median_seconds

from nnbook.conv import output_size
from nnbook.sizing import Conv2d, Linear, MaxPool2d, ReLU, solve, summarize


def _fifty_layers():
    """A VGG-like stack: 4 blocks of (conv, ReLU) x 5 + pooling, then dense layers: 50 layers."""
    layers = []
    for block in range(4):
        for _ in range(5):
            layers += [Conv2d(64 * 2 ** min(block, 2), 3, padding=1), ReLU()]
        layers.append(MaxPool2d(2))
    layers += [Linear(512), ReLU(), Linear(512), ReLU(), Linear(512), ReLU()]
    assert len(layers) == 50
    return layers


@benchmark("sizing: summarize a 50-layer network", max_seconds=0.05)
def summarize_50() -> Result:
    layers = _fifty_layers()
    measured = median_seconds(lambda: summarize((3, 224, 224), layers), repeat=15, number=5)

    def output_sizes():  # the irreducible part: one output_size call per axis and layer
        for _ in range(len(layers)):
            output_size(224, 3, stride=1, padding=1)
            output_size(224, 3, stride=1, padding=1)

    reference = median_seconds(output_sizes, repeat=15, number=5)
    return Result(measured, reference, "2 output_size calls x 50 layers")


def _brute_force(n: int, o: int) -> int:
    """Every candidate in solve's default ranges tried with output_size (what solve avoids)."""
    found = 0
    for k in range(1, 12):
        for d in range(1, 9) if k > 1 else (1,):
            span = d * (k - 1) + 1
            for s in range(1, 9):
                for p in range(span):
                    try:
                        found += output_size(n, k, stride=s, padding=p, dilation=d) == o
                    except ValueError:
                        pass
    return found


@benchmark("sizing: full solve sweep (64 -> 32, all of k,s,p,d free)", max_seconds=0.05)
def solve_sweep() -> Result:
    assert len(solve(64, 32)) == _brute_force(64, 32)
    measured = median_seconds(lambda: solve(64, 32), repeat=9, number=3)
    reference = median_seconds(lambda: _brute_force(64, 32), repeat=3, number=1)
    return Result(measured, reference, "brute force: output_size on every candidate")


@benchmark("sizing: solve, many solutions (1 -> 1, all free)")
def solve_worst_case() -> Result:
    """Every candidate is a solution here, so each is confirmed with output_size: the worst case."""
    count = len(solve(1, 1))
    measured = median_seconds(lambda: solve(1, 1), repeat=5, number=1)
    reference = median_seconds(lambda: _brute_force(1, 1), repeat=3, number=1)
    return Result(measured, reference, "brute force: output_size on every candidate", note=f"{count} solutions")


@benchmark("sizing: summarize MobileNetV2 (143 layers: grouped convs, batch norm)", max_seconds=0.05)
def summarize_mobilenet() -> Result:
    from nnbook.sizing import mobilenet_v2

    layers = mobilenet_v2()
    measured = median_seconds(lambda: summarize((3, 224, 224), layers), repeat=9, number=3)

    def output_sizes():  # the irreducible part: one output_size call per axis and windowed layer
        for _ in range(len(layers)):
            output_size(224, 3, stride=1, padding=1)
            output_size(224, 3, stride=1, padding=1)

    reference = median_seconds(output_sizes, repeat=9, number=3)
    return Result(measured, reference, "2 output_size calls x 143 layers")
