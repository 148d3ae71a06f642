"""How an evaluation trace maps onto ``torch.autograd`` (no PyTorch needed to read it).

When PyTorch evaluates the same function on tensors with ``requires_grad=True``, it records one
node per elementary step, reachable from the output through ``y.grad_fn`` and ``next_functions``:
``v₁ = ln(v₋₁)`` becomes a ``LogBackward0`` node, ``v₂ = v₋₁ × v₀`` a ``MulBackward0`` node, and
so on. ``y.backward()`` is the reverse sweep seeded with ȳ = 1; each input's ``.grad`` is its
adjoint x̄ (and, like an adjoint, it *accumulates*: call ``zero_grad()`` before the next sweep).
The graph is freed after ``backward()`` unless ``retain_graph=True``.

>>> from nnbook.autodiff import trace, log, sin
>>> for row in autograd_correspondence(trace(lambda x1, x2: log(x1) + x1 * x2 - sin(x2), 2, 5)):
...     print(row)
('v₁', 'ln(v₋₁)', 'LogBackward0')
('v₂', 'v₋₁ × v₀', 'MulBackward0')
('v₃', 'v₁ + v₂', 'AddBackward0')
('v₄', 'sin(v₀)', 'SinBackward0')
('v₅', 'v₃ - v₄', 'SubBackward0')
"""

from __future__ import annotations

from .traces import ForwardTrace, ReverseTrace, Trace

__all__ = ["GRAD_FN", "autograd_correspondence", "grad_fn_name"]

GRAD_FN = {
    "add": "AddBackward0", "sub": "SubBackward0", "mul": "MulBackward0", "div": "DivBackward0",
    "neg": "NegBackward0", "log": "LogBackward0", "exp": "ExpBackward0", "sin": "SinBackward0",
    "cos": "CosBackward0", "tanh": "TanhBackward0", "sqrt": "SqrtBackward0", "sigmoid": "SigmoidBackward0",
    "relu": "ReluBackward0",
}
"""PyTorch's ``grad_fn`` class for each kind of trace step (torch 2.x, float64 tensors)."""


def grad_fn_name(op: str, constant: bool = False, constant_first: bool = False) -> str:
    """The ``grad_fn`` PyTorch records for one trace step; ``2 / x`` is two nodes in PyTorch.

    >>> grad_fn_name("pow", constant=True), grad_fn_name("pow"), grad_fn_name("pow", True, True)
    ('PowBackward0', 'PowBackward1', 'PowBackward2')
    >>> grad_fn_name("div", True, True)
    'ReciprocalBackward0 → MulBackward0'
    """
    if op == "pow":
        return "PowBackward2" if constant and constant_first else "PowBackward0" if constant else "PowBackward1"
    if op == "sub" and constant and constant_first:
        return "RsubBackward1"
    if op == "div" and constant and constant_first:
        return "ReciprocalBackward0 → MulBackward0"
    if op not in GRAD_FN:
        raise ValueError(f"{op!r} is not a trace step; steps are {', '.join(sorted(GRAD_FN))} and pow")
    return GRAD_FN[op]


def autograd_correspondence(result: Trace | ForwardTrace | ReverseTrace) -> list[tuple[str, str, str]]:
    """``(trace name, rule, PyTorch grad_fn)`` for every step of a trace, in trace order."""
    if isinstance(result, (ForwardTrace, ReverseTrace)):
        result = result.trace
    if not isinstance(result, Trace):
        raise TypeError(f"give a trace (trace(), forward_trace() or reverse_trace()), got {type(result).__name__}")
    rows = []
    for pos in range(result.n, len(result.nodes)):
        node, raw = result.nodes[pos], result._raw[pos]
        rows.append((node.label, node.rule, grad_fn_name(raw.op, raw.const is not None, raw.const_first)))
    return rows
