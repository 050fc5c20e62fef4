"""``put``: writes (or adds, ``accumulate=True``) ``source``'s elements at flat indices
of ``input``, as if it were one-dimensional (``PutBackward0``), with its in-place form.

It goes through the ``setitem``/``index_add`` kernels on the flattened array. The
gradients are PyTorch's: ``source`` gets the gradient read back at the indices (``take``);
``input`` gets the gradient with the overwritten positions zeroed (all of it when
adding).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from .. import dtypes
from ..batching_rules import writable_copy
from ..tensor import Tensor
from .dispatch import finish
from .gather_scatter import _checked_index, _take_error
from .helpers import check_tensor
from .record import INDEXING, OpRecord


def _put_self_grad(g: Tensor, index: Tensor, accumulate: bool, shape: tuple) -> Tensor:
    return g if accumulate else g.put(index, g.new_zeros(shape), False)


PUT = OpRecord(
    "put", INDEXING, "PutBackward0", "setitem", inputs=("self", "source"),
    save=("index", "accumulate", "source.shape"),
    grads=(_put_self_grad,
           lambda g, index, accumulate, shape: g.take(index).reshape(shape)),
    inplace=True, doc="source written (or added) at flat indices of self",
)  # fmt: skip
RECORDS = (PUT,)


def _check(input: Tensor, index: Any, source: Any) -> None:
    check_tensor("put", index, "index")
    check_tensor("put", source, "source")
    if index.dtype is not dtypes.int64:
        raise RuntimeError(
            f"put_(): Expected a long tensor for index, but got {dtypes.kind_name(index.dtype)}"
        )
    if source.dtype is not input.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{dtypes.kind_name(input.dtype)} and source.dtype = {dtypes.kind_name(source.dtype)}"
        )
    if source.numel() != index.numel():
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source.numel()}, index.numel() = {index.numel()}"
        )


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``source``'s elements written at the flat ``index``
    (row-major, negative indices from the end); ``accumulate`` adds them instead
    (repeats add up). Without it, of repeated indices the last write wins."""
    check_tensor("put", input)
    _check(input, index, source)
    n, k = input.numel(), input._backend.kernels
    flat = index.reshape(-1)
    key = (_checked_index(flat, partial(_take_error, n)),)
    data = k["reshape"](source._storage.array, (flat.numel(),))
    array = k["reshape"](input._storage.array, (n,))
    kernel = k["index_add" if accumulate else "setitem"]
    written = kernel(writable_copy(k, array, key, data), key, data)
    out = k["reshape"](written, tuple(input.shape))
    params = {"index": index, "accumulate": bool(accumulate)}
    return finish(PUT, out, input._dtype, input._backend, (input, source), params)


FUNCTIONS = {"put": put}
