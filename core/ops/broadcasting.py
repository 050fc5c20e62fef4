"""Broadcasting by name: ``broadcast_shapes``, ``broadcast_to`` and ``broadcast_tensors``.

The tensors' forms are ``expand`` views (``ExpandBackward0``), as in PyTorch; a tensor
that already has the broadcast shape is returned as it is (no node), as PyTorch does.
"""

from __future__ import annotations

from typing import Any

from ..size import Size
from ..tensor import Tensor
from .dispatch import broadcast_shapes as _broadcast_pair
from .helpers import check_tensor
from .record import composite
from .shape import expand


def _shape_of(value: Any) -> tuple[int, ...]:
    shape = (value,) if isinstance(value, int) else tuple(value)
    if any(n < 0 for n in shape):
        raise ValueError("Attempting to broadcast a dimension with negative length!")
    return shape


@composite(method=False)
def broadcast_shapes(*shapes: Any) -> Size:
    """The shape tensors of ``shapes`` (sizes or ints) broadcast to, as a ``Size``; where
    one does not fit, PyTorch's error naming it and the shape found so far."""
    sizes = [_shape_of(shape) for shape in shapes]
    result = [1] * max((len(s) for s in sizes), default=0)
    for i, shape in enumerate(sizes):
        for j in range(-1, -len(shape) - 1, -1):
            if shape[j] == 1 or shape[j] == result[j]:
                continue
            if result[j] != 1:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {shape[j]} at {j}! "
                    f"Mismatching argument at index {i} had {shape}; but expected shape "
                    f"should be broadcastable to {result}"
                )
            result[j] = shape[j]
    return Size(tuple(result))


def broadcast_to(input: Tensor, size: Any) -> Tensor:
    """``input`` viewed with shape ``size`` (``expand``: -1 keeps a dimension)."""
    check_tensor("broadcast_to", input)
    return expand(input, tuple(size) if not isinstance(size, int) else (size,))


def _tensor_args(tensors: tuple) -> list[Tensor]:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return [check_tensor("broadcast_tensors", t, "tensors") for t in tensors]


@composite(method=False)
def broadcast_tensors(*tensors: Any) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape (PyTorch's error where the
    shapes do not broadcast)."""
    parts = _tensor_args(tensors)
    shape: tuple[int, ...] = ()
    for t in parts:
        shape = _broadcast_pair("broadcast_tensors", shape, tuple(t.shape))
    return tuple(t if tuple(t.shape) == shape else expand(t, shape) for t in parts)


FUNCTIONS = {
    "broadcast_shapes": broadcast_shapes,
    "broadcast_to": broadcast_to,
    "broadcast_tensors": broadcast_tensors,
}
