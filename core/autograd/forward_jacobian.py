"""The full Jacobian by forward mode, in one batched pass.

``autograd.functional.jacobian(strategy="forward-mode", vectorize=True)`` and
``func.jacfwd`` both push the columns of the identity through the function as tangents:
all of them at once, under :func:`retrograd.func.vmap` (the primals are not batched, only
their tangents), as PyTorch does. Each output's batched tangent, ``(N, *output.shape)``
for ``N`` input elements in all, is then cut into one block per input of shape
``output.shape + input.shape``. There is no one-column-at-a-time fallback: every kernel
a tangent rule reaches has a batching rule, and a function ``vmap`` cannot batch raises
``vmap``'s error naming the op (as PyTorch's ``jacfwd`` raises its ``vmap``'s).

Cheaper than reverse mode (one backward pass per output element) where outputs
outnumber inputs.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import dual
from ..creation import eye, zeros
from ..creation import zeros_like as _zeros_like
from ..ops.joining import cat
from ..tensor import Tensor
from ..vmap import vmap
from .forward_ad import enter_dual_level, exit_dual_level, make_dual


def standard_basis(leaves: list[Tensor]) -> list[Tensor]:
    """For tensors with ``N`` elements in all, one ``(N, *leaf.shape)`` tensor per leaf
    (its dtype and backend): stacked, sample ``k`` is the ``k``-th column of the
    ``N x N`` identity, cut to the leaves' shapes."""
    numels = [t.numel() for t in leaves]
    total, start, basis = sum(numels), 0, []
    for t, n in zip(leaves, numels, strict=True):
        like = {"dtype": t.dtype, "backend": t.backend}
        parts = [zeros((start, n), **like), eye(n, **like), zeros((total - start - n, n), **like)]
        basis.append(cat(parts, 0).view((total, *t.shape)))
        start += n
    return basis


def jacobian_blocks(batched: Tensor, out_shape: tuple, leaves: list[Tensor]) -> list[Tensor]:
    """``batched`` (an output's tangents, one per basis sample: ``(N, *out_shape)``) as one
    block per leaf, of shape ``out_shape + leaf.shape``."""
    columns = batched.movedim(0, -1)
    blocks, start = [], 0
    for leaf in leaves:
        n = leaf.numel()
        part = columns.narrow(-1, start, n)
        blocks.append(part.reshape(tuple(out_shape) + tuple(leaf.shape)))
        start += n
    return blocks


def forward_jacobian(func: Callable[..., tuple], inputs: tuple) -> list:
    """``J[i][j]`` of shape ``outputs[i].shape + inputs[j].shape`` for ``func`` (which
    returns a tuple of tensors) at ``inputs`` (a tuple of tensors). The inputs are not
    detached: where they require grad, J keeps its history w.r.t. them, as PyTorch's
    does. Opens a dual level, so it refuses to run inside one (PyTorch's error)."""
    shapes: list[tuple] = []

    def push(*tangents: Tensor) -> tuple:
        level = enter_dual_level()
        try:
            duals = [make_dual(t, u, level=level) for t, u in zip(inputs, tangents, strict=True)]
            outputs = func(*duals)
            shapes[:] = [tuple(o.shape) for o in outputs]
            return tuple(_tangent(o, level) for o in outputs)
        finally:
            exit_dual_level(level=level)

    columns = vmap(push)(*standard_basis(list(inputs)))
    # Lists, not tuples: what PyTorch's forward-mode jacobian returns for tuple arguments.
    return [
        jacobian_blocks(col, shape, list(inputs))
        for col, shape in zip(columns, shapes, strict=True)
    ]


def _tangent(out: Tensor, level: int) -> Tensor:
    tangent = dual.get_tangent(out, level)
    return _zeros_like(out) if tangent is None else tangent
