"""nnbook: the exact, tested helpers behind the nnbook textbook.

Each chapter of the book has its module; the notebooks call them, the tests check
them against independent oracles.

=====================  =====================================================
``nnbook.softmax``     softmax, log-softmax, cross-entropy and its gradient
``nnbook.conv``        convolution modes, output sizes, conv layers and gradients
``nnbook.sizing``      CNN layer-by-layer sizing tables and the configuration solver
``nnbook.autodiff``    forward-tangent and reverse-adjoint evaluation traces
``nnbook.init``        weight initialization and variance propagation
``nnbook.batchnorm``   batch normalization, forward and backward
``nnbook.gradcheck``   central finite differences, the check of every analytic gradient
``nnbook.exercises``   self-check exercises with computed answers and variants
``nnbook.widgets``     ipywidgets explorers (thin view layer; needs ipywidgets)
``nnbook.plots``       matplotlib figures (thin view layer; needs matplotlib)
=====================  =====================================================

``import nnbook`` is deliberately light: submodules load on first attribute access,
so matplotlib and ipywidgets are imported only when a plot or widget is made.

>>> import nnbook
>>> nnbook.conv.output_size(84, kernel_size=8, stride=4)
20
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = frozenset(
    {
        "autodiff",
        "batchnorm",
        "conv",
        "exercises",
        "gradcheck",
        "init",
        "plots",
        "sizing",
        "softmax",
        "widgets",
    }
)

__all__ = sorted(_SUBMODULES)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'nnbook' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
