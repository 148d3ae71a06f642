"""Convolution arithmetic: output sizes, modes, layers and their gradients.

The chapter "Convolution modes" tells the story; this module computes every number in it.
Conventions follow numpy (``mode="full" | "valid" | "same"``) and PyTorch
(``kernel_size``, ``stride``, ``padding``, ``dilation``, NCHW layout).
"""

from __future__ import annotations

from ._validate import check_int

__all__ = ["output_size"]


def output_size(n: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Length of a convolution's output along one axis.

    ``floor((n + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1``, the formula
    PyTorch documents for ``Conv1d``/``Conv2d``/``MaxPool2d``.

    Parameters
    ----------
    n : int
        Input length (>= 1).
    kernel_size : int
        Kernel length (>= 1).
    stride : int, default 1
        Step between neighbouring windows (>= 1).
    padding : int, default 0
        Zeros added at *each* end (>= 0).
    dilation : int, default 1
        Spacing between kernel taps (>= 1; 1 means no dilation).

    Returns
    -------
    int
        The number of window positions, at least 1.

    Raises
    ------
    TypeError
        If an argument is not an integer (booleans are rejected too).
    ValueError
        If an argument is out of range, or the dilated kernel does not fit in the padded input.

    Examples
    --------
    >>> output_size(84, kernel_size=8, stride=4)     # first layer of the Atari DQN
    20
    >>> output_size(7, kernel_size=3, stride=2, padding=1)
    4
    """
    n = check_int("n", n, minimum=1)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    padding = check_int("padding", padding, minimum=0)
    dilation = check_int("dilation", dilation, minimum=1)
    span = dilation * (kernel_size - 1) + 1
    padded = n + 2 * padding
    if span > padded:
        raise ValueError(
            f"the kernel does not fit: a kernel of size {kernel_size} with dilation {dilation} "
            f"spans {span} cells, but the padded input has only {padded} "
            f"(n={n} plus padding {padding} on each side)"
        )
    return (padded - span) // stride + 1
