"""Grids of coordinates: ``meshgrid``, ``combinations`` and ``unravel_index``
(``cartesian_prod`` lives with the other shape composites, in ``shape_more``).

All are composites, as in PyTorch: ``meshgrid`` is a view and an expand of each input
(``ExpandBackward0``), ``combinations`` stacks the grid's elements selected in order
(``StackBackward0``), ``unravel_index`` is integer arithmetic.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import dtypes
from ..creation import arange
from ..tensor import Tensor
from .gather_scatter import masked_select
from .helpers import check_tensor
from .joining import stack
from .record import composite

_INDEXING_WARNING = (
    "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument."
)
_warned: list = []  # PyTorch gives the warning once per process


def _grid_inputs(tensors: tuple) -> list[Tensor]:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        check_tensor("meshgrid", t, "tensors")
        if t.dim() > 1:
            raise RuntimeError(
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                f"a tensor of shape {list(t.shape)}"
            )
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    return list(tensors)


@composite(method=False)
def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids of 0-d or 1-d tensors: output ``i`` holds ``tensors[i]`` along
    axis ``i`` (``indexing='ij'``) or, for ``'xy'``, with the first two axes swapped
    (Cartesian). Each output is a view of its input, expanded. Without ``indexing``,
    ``'ij'`` and PyTorch's warning (once per process)."""
    tensors = _grid_inputs(tensors)
    if indexing is None:
        if not _warned:
            _warned.append(True)
            warnings.warn(_INDEXING_WARNING, UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for t, axis in zip(tensors, axes):
        shape[axis] = t.numel()
    outs = []
    for t, axis in zip(tensors, axes):
        side = [1] * len(tensors)
        side[axis] = -1
        outs.append(t.view(side).expand(shape))
    return tuple(outs)


def _vector(op: str, t: Any) -> Tensor:
    check_tensor(op, t)
    if t.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    return t


@composite(method=False)  # torch.Tensor has no combinations
def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The ``r``-element combinations of a vector's elements, as rows
    (``itertools.combinations`` order; ``with_replacement``: elements may repeat)."""
    _vector("combinations", input)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_empty((0,))
    positions = arange(input.numel(), dtype=dtypes.int64, backend=input._backend)
    places = meshgrid([positions] * r, indexing="ij")
    keep = None
    for before, after in zip(places, places[1:]):
        ordered = before <= after if with_replacement else before < after
        keep = ordered if keep is None else keep & ordered
    grids = meshgrid([input] * r, indexing="ij")
    if keep is None:  # r == 1: every element
        return stack([g.flatten() for g in grids], 1)
    return stack([masked_select(g, keep) for g in grids], 1)


@composite(method=False)
def unravel_index(indices: Tensor, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates of flat ``indices`` in a tensor of ``shape`` (row-major): one
    int64 tensor per dimension, each of ``indices``' shape. As PyTorch, indices out of
    range wrap around (floor division and modulo)."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be a tensor, but got {type(indices)}")
    if indices.dtype.is_floating_point or indices.dtype is dtypes.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    sizes = (shape,) if isinstance(shape, int) else tuple(int(n) for n in shape)
    if any(n < 0 for n in sizes):
        raise ValueError(f"'shape' cannot have negative values, but got {tuple(sizes)}")
    flat = indices.long()
    coords, stride = [], 1
    for n in reversed(sizes):
        coords.append(flat.div(stride, rounding_mode="floor").remainder(n))
        stride *= n
    return tuple(reversed(coords))


FUNCTIONS = {
    "meshgrid": meshgrid,
    "combinations": combinations,
    "unravel_index": unravel_index,
}
