"""``Tensor.unfold(dimension, size, step)``: every window of ``size`` elements along one
dimension, ``step`` apart, as a new last dimension (PyTorch's ``UnfoldBackward0``).

PyTorch returns a strided view; retrograd returns a copy with the same values, shape and
gradient (a write into the result does not reach the input). The windows are read with
one ``getitem`` of an index array, and the gradient adds each window's gradient back at
the positions it read, so overlapping windows accumulate.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor, _wrap_dim
from .advanced_indexing import scatter_into_zeros
from .dispatch import finish
from .helpers import check_tensor
from .record import SHAPE, OpRecord


def _unfold_grad(g: Tensor, shape: tuple, dim: int, key: Any) -> Tensor:
    """The window dim moved back next to the count dim, then added into zeros at ``key``."""
    return scatter_into_zeros(g.movedim(-1, dim + 1), shape, key)


UNFOLD = OpRecord(
    "unfold", SHAPE, "UnfoldBackward0", "getitem", save=("self.shape", "dim", "key"),
    grads=(_unfold_grad,), doc="windows along one dim; overlapping windows' gradients add",
)  # fmt: skip
RECORDS = (UNFOLD,)


def unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """The windows of ``size`` elements ``step`` apart along ``dimension``: that dimension
    becomes the window count, and a last dimension of ``size`` holds each window."""
    check_tensor("unfold", self, "self")
    if self.dim() == 0:
        return self.reshape(1).clone() if size == 1 else unfold(self.reshape(1), 0, size, step)
    dim = _wrap_dim(dimension, self.dim(), "unfold")
    length = self.shape[dim]
    if size > length:
        raise RuntimeError(
            f"maximum size for tensor at dimension {dim} is {length} but size is {size}"
        )
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    count = (length - size) // step + 1
    backend = self._backend
    k = backend.kernels
    native = backend.native_dtype(dtypes.int64)
    starts = k["multiply"](k["arange"](0, count, 1, native), step)
    window = k["add"](
        k["expand_dims"](starts, 1), k["expand_dims"](k["arange"](0, size, 1, native), 0)
    )
    key = (slice(None),) * dim + (window,)
    read = k["getitem"](self._storage.array, key)
    axes = list(range(self.dim() + 1))
    axes.append(axes.pop(dim + 1))  # the window dim last
    out = k["copy"](k["permute_dims"](read, tuple(axes)))
    return finish(UNFOLD, out, self._dtype, backend, (self,), {"dim": dim, "key": key})


METHODS = {"unfold": unfold}  # torch.unfold does not exist (nn.functional.unfold differs)
