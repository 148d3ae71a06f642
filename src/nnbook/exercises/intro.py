"""Exercises of the introduction: the pattern every chapter follows."""

from __future__ import annotations

from ..conv import output_size
from ._core import exercise, mistake


def _output_length_solution(n: int, k: int, s: int, p: int) -> str:
    padded = n + 2 * p
    out = output_size(n, k, stride=s, padding=p)
    return (
        f"Pad the input: ${n} + 2 \\cdot {p} = {padded}$ cells. "
        f"The first window covers cells 0 to {k - 1}; each step moves it {s} cell(s), "
        f"and the last window must still end inside the padded input, so there are "
        f"$(n + 2p - k) / s$ steps after the first, rounded down:\n\n"
        f"$$\\left\\lfloor \\frac{{{padded} - {k}}}{{{s}}} \\right\\rfloor + 1 "
        f"= {(padded - k) // s} + 1 = {out}.$$"
    )


@exercise(
    id="intro-output-length",
    chapter="intro",
    title="Counting window positions",
    params=dict(n=7, k=3, s=2, p=1),
    prompt=(
        "A 1-D input of length {n} is zero-padded with {p} cell(s) at each end, and a window "
        "of size {k} slides over it with stride {s}. How many window positions (outputs) are there?"
    ),
    hint="Count the padded length $n + 2p$, subtract the window size, divide by the stride "
    "(rounding down) and add one for the first position.",
    solution=_output_length_solution,
    hints=[
        "Here the padded length is ${n} + 2 \\cdot {p}$; the window needs {k} of those cells, and every "
        "further position moves it {s} cell(s)."
    ],
    mistakes=[
        mistake(
            "padding on one side",
            lambda n, k, s, p: output_size(n + p, k, stride=s),
            "You padded only one end: the input gets {p} cell(s) at *each* end, so the padded length "
            "is $n + 2p$.",
        ),
        mistake(
            "forgot the first position",
            lambda n, k, s, p: (n + 2 * p - k) // s,
            "That counts the steps *between* positions; add one for the first window.",
        ),
    ],
    objective="count the outputs of a sliding window with padding and stride",
    difficulty=1,
    minutes=2,
    section="A first explorer",
    draw=lambda rng: dict(
        n=int(rng.integers(5, 40)), k=int(rng.integers(2, 6)), s=int(rng.integers(1, 4)), p=int(rng.integers(0, 3))
    ),
)
def output_length(n: int, k: int, s: int, p: int) -> int:
    return output_size(n, k, stride=s, padding=p)
