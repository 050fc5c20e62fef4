"""The analytical side of ``gradcheck(check_forward_ad=True)``: Jacobians by forward mode.

``gradcheck`` compares these with the same finite differences as the backward check.
Each input that requires grad is given a tangent (a one-hot one per element for the
full Jacobian, fast mode's random unit ``u`` for a projection) inside a dual level, the
other inputs zero tangents, and the outputs' tangents are read back (zeros for an output
without one). Layouts are PyTorch's: rows are input elements, columns output elements.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import dual
from ..creation import zeros, zeros_like
from ..ops.joining import stack
from ..tensor import Tensor
from .forward_ad import make_dual


def forward_jacobian_rows(
    fn: Callable, inputs: tuple, diff: list[int], positions: list[int], i: int
) -> list[Tensor]:
    """For input ``i``: one ``(input.numel(), output.numel())`` matrix per output in
    ``positions`` (indices among ``fn``'s tensor outputs)."""
    x = inputs[i]
    rows = []
    for k in range(x.numel()):
        basis = zeros(x.numel(), dtype=x.dtype, backend=x.backend)
        basis[k] = 1.0
        rows.append(forward_projection(fn, inputs, diff, positions, i, basis.view(x.shape)))
    return [
        stack([r[o] for r in rows], 0)
        if rows
        else zeros((0, _numel_of(fn, inputs, p)), dtype=x.dtype, backend=x.backend)
        for o, p in enumerate(positions)
    ]


def _numel_of(fn: Callable, inputs: tuple, position: int) -> int:
    return [o for o in _outputs(fn(*inputs)) if isinstance(o, Tensor)][position].numel()


def _outputs(value: object) -> tuple:
    return (
        value if isinstance(value, tuple) else tuple(value) if isinstance(value, list) else (value,)
    )


def forward_projection(
    fn: Callable, inputs: tuple, diff: list[int], positions: list[int], i: int, u: Tensor
) -> list[Tensor]:
    """``J u`` (flattened) for each output in ``positions``: input ``i`` has tangent
    ``u``, the other inputs in ``diff`` zero tangents."""
    level = dual.enter_level()
    try:
        args = [
            make_dual(t.detach(), u if p == i else zeros_like(t), level=level) if p in diff else t
            for p, t in enumerate(inputs)
        ]
        outs = [o for o in _outputs(fn(*args)) if isinstance(o, Tensor)]
        result = []
        for p in positions:
            tangent = dual.get_tangent(outs[p], level)
            tangent = zeros_like(outs[p]) if tangent is None else tangent
            result.append(tangent.detach().reshape(-1).to(inputs[i].dtype))
        return result
    finally:
        dual.exit_level(level)
