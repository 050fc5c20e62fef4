"""The full Jacobian by forward mode: ``autograd.functional.jacobian(strategy="forward-mode")``.

One forward pass per input element, inside a dual level: the input carries a one-hot
tangent and every output's tangent is a column of the Jacobian. Cheaper than reverse
mode (one backward pass per output element) where outputs outnumber inputs. PyTorch
batches the one-hot tangents with ``vmap``; retrograd runs them one by one.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import dual
from ..creation import zeros_like
from ..ops.joining import stack
from ..tensor import Tensor
from .forward_ad import make_dual


def forward_jacobian(func: Callable[..., tuple], inputs: tuple) -> list:
    """``J[i][j]`` of shape ``outputs[i].shape + inputs[j].shape`` for ``func`` (which
    returns a tuple of tensors) at ``inputs`` (a tuple of tensors), without history."""
    columns: list[list[list[Tensor]]] = [[] for _ in inputs]  # per input: per element
    outputs: tuple = ()
    for j, inp in enumerate(inputs):
        for k in range(inp.numel()):
            outputs, tangents = _one_column(func, inputs, j, k)
            columns[j].append(tangents)
    if not any(columns):  # every input is empty: one pass for the outputs' shapes
        outputs, _ = _one_column(func, inputs, None, 0)
    # Lists, not tuples: what PyTorch's forward-mode jacobian returns for tuple arguments.
    return [
        [_block(out, [c[i] for c in columns[j]], inp) for j, inp in enumerate(inputs)]
        for i, out in enumerate(outputs)
    ]


def _one_column(func: Callable[..., tuple], inputs: tuple, j: int | None, k: int) -> tuple:
    """``(outputs, tangent of each output)`` with the tangent of input ``j`` one-hot at
    element ``k`` (every other input's zero)."""
    level = dual.enter_level()
    try:
        duals = [
            make_dual(t.detach(), _one_hot(t, k) if i == j else zeros_like(t), level=level)
            for i, t in enumerate(inputs)
        ]
        outputs = func(*duals)
        tangents = [dual.get_tangent(o, level) for o in outputs]
        tangents = [zeros_like(o) if u is None else u.detach() for u, o in zip(tangents, outputs)]
        return tuple(o.detach() for o in outputs), tangents
    finally:
        dual.exit_level(level)


def _one_hot(like: Tensor, k: int) -> Tensor:
    basis = zeros_like(like).reshape(-1)
    basis[k] = 1
    return basis.reshape(like.shape)


def _block(out: Tensor, cols: list[Tensor], inp: Tensor) -> Tensor:
    shape = tuple(out.shape) + tuple(inp.shape)
    if not cols:
        return out.new_zeros(shape)
    return stack(cols, -1).reshape(shape)
