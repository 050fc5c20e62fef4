"""``split_with_sizes`` (``split`` with a list of sizes) and the splits PyTorch calls
unsafe: ``unsafe_split``, ``unsafe_split_with_sizes`` and ``unsafe_chunk``.

The unsafe forms record their own nodes (``UnsafeSplitBackward0``,
``UnsafeSplitWithSizesBackward0``) and their outputs are not views (no view tracking).
PyTorch's outputs still share the input's memory, so an in-place write to one can change
the input unnoticed; ours are copies, so such a write changes only the output.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .helpers import check_tensor, one_dim
from .joining import _split_grad, _split_sizes, split
from .nodes import MultiOutputRecord, finish_outputs
from .record import SHAPE, composite

UNSAFE_SPLIT = MultiOutputRecord(
    "unsafe_split", SHAPE, "UnsafeSplitBackward0", "getitem",
    save=("self.shape", "dim", "sizes"), grads=(_split_grad,),
    jvp=lambda us, out, shape, dim, sizes: unsafe_split_with_sizes(us[0], list(sizes), dim),
)  # fmt: skip
UNSAFE_SPLIT_WITH_SIZES = MultiOutputRecord(
    "unsafe_split_with_sizes", SHAPE, "UnsafeSplitWithSizesBackward0", "getitem",
    save=("self.shape", "dim", "sizes"), grads=(_split_grad,),
    jvp=lambda us, out, shape, dim, sizes: unsafe_split_with_sizes(us[0], list(sizes), dim),
)  # fmt: skip
RECORDS = (UNSAFE_SPLIT, UNSAFE_SPLIT_WITH_SIZES)


def _sizes_list(op: str, sizes: Any) -> list[int]:
    if isinstance(sizes, int) or not isinstance(sizes, (list, tuple)):
        raise TypeError(
            f"{op}(): argument 'split_sizes' (position 1) must be tuple of ints, not "
            f"{type(sizes).__name__}"
        )
    return list(sizes)


@composite()
def split_with_sizes(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of ``input`` along ``dim`` of the listed sizes (``split`` with a list)."""
    return split(input, _sizes_list("split_with_sizes", split_sizes), dim)


def _copies(input: Tensor, split_size: Any, dim: int, op: str) -> tuple[Tensor, ...]:
    check_tensor(op, input)
    dim = one_dim(op, input, dim)
    sizes = _split_sizes(input, split_size, dim)
    record = UNSAFE_SPLIT if isinstance(split_size, int) else UNSAFE_SPLIT_WITH_SIZES
    k, outs, offset = input._backend.kernels, [], 0
    for n in sizes:
        key = (slice(None),) * dim + (slice(offset, offset + n), Ellipsis)
        part = k["copy"](k["getitem"](input._storage.array, key))
        outs.append(Tensor._make(part, input._dtype, input._backend))
        offset += n
    return finish_outputs(record, outs, (input,), {"dim": dim, "sizes": tuple(sizes)})


def unsafe_split(input: Tensor, split_size: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``split`` without view tracking: chunks of one size along ``dim`` (the last may be
    smaller); not views of ``input``."""
    if not isinstance(split_size, int):
        raise TypeError(
            "unsafe_split(): argument 'split_size' (position 2) must be int, not "
            f"{type(split_size).__name__}"
        )
    return _copies(input, split_size, dim, "unsafe_split")


def unsafe_split_with_sizes(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """``split_with_sizes`` without view tracking (the outputs are not views)."""
    return _copies(input, _sizes_list("unsafe_split_with_sizes", split_sizes), dim, "unsafe_split")


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunk`` without view tracking: at most ``chunks`` pieces of (nearly) equal size."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    check_tensor("unsafe_chunk", input)
    if input.dim() == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    n = input.shape[one_dim("unsafe_chunk", input, dim)]
    return unsafe_split(input, max(1, -(-n // chunks)), dim)


FUNCTIONS = {
    "split_with_sizes": split_with_sizes,
    "unsafe_split": unsafe_split,
    "unsafe_split_with_sizes": unsafe_split_with_sizes,
    "unsafe_chunk": unsafe_chunk,
}
