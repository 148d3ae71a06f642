"""Argument checks shared by every module: clear errors instead of numpy's deep ones."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def check_int(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` or raise a clear ``TypeError``/``ValueError``.

    Booleans are rejected even though ``bool`` subclasses ``int``; integral numpy
    scalars are accepted. ``maximum`` (optional) is a documented upper bound: larger
    values would exhaust memory or time, and the message names the limit.

    >>> check_int("stride", 2, minimum=1)
    2
    >>> check_int("size", 10**9, maximum=1024)
    Traceback (most recent call last):
    ...
    ValueError: size must be at most 1024 (a limit that keeps memory and time bounded), got 1000000000
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(
            f"{name} must be at most {maximum} (a limit that keeps memory and time bounded), got {value}"
        )
    return value


def check_pair(name: str, value: Any, *, minimum: int | None = None) -> tuple[int, int]:
    """An int or a pair of ints (height, width), as PyTorch accepts them for sizes.

    >>> check_pair("stride", 2, minimum=1), check_pair("padding", (1, 0), minimum=0)
    ((2, 2), (1, 0))
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (height, width), got {value!r}")
        return (check_int(f"{name}[0]", value[0], minimum=minimum), check_int(f"{name}[1]", value[1], minimum=minimum))
    v = check_int(name, value, minimum=minimum)
    return (v, v)


def check_real(name: str, value: Any, *, positive: bool = False, finite: bool = True) -> float:
    """Return ``value`` as a ``float`` or raise a clear ``TypeError``/``ValueError``.

    >>> check_real("temperature", 0.5, positive=True)
    0.5
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if finite and not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``allowed`` strings, else raise.

    >>> check_choice("mode", "same", ("full", "valid", "same"))
    'same'
    """
    if not isinstance(value, str) or value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {choices}; got {value!r}")
    return value


def as_float_array(
    name: str, value: Any, *, ndim: int | tuple[int, ...] | None = None, finite: bool = False
) -> np.ndarray:
    """Convert ``value`` to a float array (float32 kept, everything else float64).

    Raises ``TypeError`` for non-numeric input and ``ValueError`` for empty arrays or a
    wrong number of dimensions; with ``finite=True`` also for NaN or infinite entries
    (the message names the argument and the first bad place).

    >>> as_float_array("x", [1, 2, 3]).dtype
    dtype('float64')
    >>> as_float_array("x", [1, float("nan")], finite=True)
    Traceback (most recent call last):
    ...
    ValueError: x must contain only finite numbers, got nan at index (1,)
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be array-like of numbers: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must contain numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    arr = arr.astype(np.float32 if arr.dtype == np.float32 else np.float64, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {want} dimension(s), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must contain only finite numbers, got {arr[where]} at index {where}")
    return arr


# -- additions for finite numbers and bounded sizes (softmax, init, batchnorm) --------------------
def check_finite(name: str, arr: np.ndarray) -> np.ndarray:
    """Return ``arr`` if every entry is a finite number, else raise a ``ValueError`` naming ``name``.

    >>> check_finite("x", np.array([1.0, 2.0]))
    array([1., 2.])
    """
    arr = np.asarray(arr)
    if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
        kinds = [w for w, bad in (("NaN", np.isnan(arr).any()), ("inf", np.isinf(arr).any())) if bad]
        raise ValueError(f"{name} must contain only finite numbers, got {' and '.join(kinds)}")
    return arr


def check_float(
    name: str,
    value: Any,
    *,
    positive: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """Like :func:`check_real` (finite), but a number too large for a float is a ``ValueError`` too,
    and optional inclusive bounds say what is allowed.

    >>> check_float("gain", 2)
    2.0
    >>> check_float("gain", 10**400)
    Traceback (most recent call last):
    ...
    ValueError: gain is too large for a float (the largest is about 1.8e308), got an integer with 401 digits
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        try:
            float(value)
        except OverflowError:
            raise ValueError(
                f"{name} is too large for a float (the largest is about 1.8e308), "
                f"got an integer with {len(str(abs(int(value))))} digits"
            ) from None
    value = check_real(name, value, positive=positive)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum:g}, got {value:g}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum:g}, got {value:g}")
    return value


def check_size(name: str, value: Any, *, minimum: int = 1, maximum: int) -> int:
    """An integer in ``[minimum, maximum]``: sizes, counts and depths with a documented upper bound.

    >>> check_size("depth", 30, maximum=1000)
    30
    """
    value = check_int(name, value, minimum=minimum)
    if value > maximum:
        shown = f"{value:,}" if value < 10**15 else f"an integer with {len(str(value))} digits"
        raise ValueError(f"{name} must be at most {maximum:,} (a bound that keeps time and memory sensible), got {shown}")
    return value
