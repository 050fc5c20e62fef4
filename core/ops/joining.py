"""Joining and splitting: ``cat``, ``stack`` (any number of inputs) and ``split``,
``chunk``, ``unbind`` (several outputs, views of the input sharing one ``grad_fn``).

A gradient that reaches only some outputs of a split is completed with zeros, as in
PyTorch; the gradient of a join is sliced (``narrow``/``select``) back to each input.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..storage import view_storage
from ..tensor import Tensor, _wrap_dim
from .dispatch import array_of, backend_of, finish
from .helpers import check_tensor, one_dim, zeros_on
from .nodes import MultiOutputRecord, VariadicRecord, finish_outputs
from .record import SHAPE


def _cat_grad(g: Tensor, sizes: tuple, dim: int) -> list:
    out, offset = [], 0
    for n in sizes:
        out.append(g.narrow(dim, offset, n))
        offset += n
    return out


def _completed(grads: tuple, shapes: list) -> list:
    """The outputs' gradients, zeros (like an arrived one) where none arrived."""
    like = next(g for g in grads if g is not None)
    full = list(grads) + [None] * (len(shapes) - len(grads))
    return [zeros_on(like, s) if g is None else g for g, s in zip(full, shapes)]


def _split_grad(grads: tuple, shape: tuple, dim: int, sizes: tuple) -> tuple:
    shapes = [shape[:dim] + (n,) + shape[dim + 1 :] for n in sizes]
    return (cat(_completed(grads, shapes), dim),)


def _unbind_grad(grads: tuple, shape: tuple, dim: int) -> tuple:
    shapes = [shape[:dim] + shape[dim + 1 :]] * shape[dim]
    return (stack(_completed(grads, shapes), dim),)


def _cat_tangent(us: tuple, out: Tensor, sizes: tuple, dim: int) -> Tensor:
    """Forward mode: the tangents joined (zeros for an input without one)."""
    shape = tuple(out.shape)
    shapes = [shape[:dim] + (n,) + shape[dim + 1 :] for n in sizes]
    return cat(_completed(us, shapes), dim)


def _stack_tangent(us: tuple, out: Tensor, dim: int, count: int) -> Tensor:
    shape = tuple(out.shape)
    return stack(_completed(us, [shape[:dim] + shape[dim + 1 :]] * count), dim)


CAT = VariadicRecord(
    "cat",
    SHAPE,
    "CatBackward0",
    "concat",
    inputs=("tensors",),
    save=("sizes", "dim"),
    grads=(_cat_grad,),
    method=False,
    jvp=_cat_tangent,
)
STACK = VariadicRecord(
    "stack",
    SHAPE,
    "StackBackward0",
    "stack",
    inputs=("tensors",),
    save=("dim", "count"),
    grads=(lambda g, dim, n: [g.select(dim, i) for i in range(n)],),
    method=False,
    jvp=_stack_tangent,
)
SPLIT = MultiOutputRecord(
    "split",
    SHAPE,
    "SplitBackward0",
    "getitem",
    save=("self.shape", "dim", "sizes"),
    grads=(_split_grad,),
    jvp=lambda us, out, shape, dim, sizes: split(us[0], list(sizes), dim),
)
SPLIT_WITH_SIZES = MultiOutputRecord(
    "split_with_sizes",
    SHAPE,
    "SplitWithSizesBackward0",
    "getitem",
    save=("self.shape", "dim", "sizes"),
    grads=(_split_grad,),
    jvp=lambda us, out, shape, dim, sizes: split(us[0], list(sizes), dim),
)
UNBIND = MultiOutputRecord(
    "unbind", SHAPE, "UnbindBackward0", "getitem", save=("self.shape", "dim"),
    grads=(_unbind_grad,), jvp=lambda us, out, shape, dim: unbind(us[0], dim),
)  # fmt: skip
RECORDS = (CAT, STACK, SPLIT, SPLIT_WITH_SIZES, UNBIND)


def _tensor_list(op: str, tensors: Any) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{op}(): argument 'tensors' must be tuple of Tensors, not {type(tensors).__name__}"
        )
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return list(tensors)


def _check_cat(tensors: list[Tensor], dim: int) -> None:
    first = tensors[0]
    for i, t in enumerate(tensors):
        if t.dim() == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
        if t.dim() != first.dim():
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.dim()} and {t.dim()}"
            )
        for d, (n, m) in enumerate(zip(first.shape, t.shape)):
            if d != dim and n != m:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size {n} "
                    f"but got size {m} for tensor number {i} in the list."
                )


def _joined(op: str, tensors: Any) -> tuple[list, Any, dtypes.dtype]:
    tensors = _tensor_list(op, tensors)
    if not tensors:
        if op == "cat":
            raise ValueError("torch.cat(): expected a non-empty list of Tensors")
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    backend = backend_of(op, *tensors)
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = dtypes.promote_types(dtype, t.dtype)
    return tensors, backend, dtype


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors along an existing ``dim`` (dtypes promoted, as in PyTorch)."""
    tensors, backend, dtype = _joined("cat", tensors)
    dim = _wrap_dim(dim, max(tensors[0].dim(), 1), "cat")
    _check_cat(tensors, dim)
    arrays = [array_of(t, dtype, backend) for t in tensors]
    out = backend.kernels["concat"](arrays, axis=dim)
    params = {"sizes": tuple(t.shape[dim] for t in tensors), "dim": dim}
    return finish(CAT, out, dtype, backend, tuple(tensors), params)


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new ``dim``."""
    tensors, backend, dtype = _joined("stack", tensors)
    dim = _wrap_dim(dim, tensors[0].dim() + 1, "stack")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} "
                f"at entry 0 and {list(t.shape)} at entry {i}"
            )
    out = backend.kernels["stack"]([array_of(t, dtype, backend) for t in tensors], axis=dim)
    return finish(STACK, out, dtype, backend, tuple(tensors), {"dim": dim, "count": len(tensors)})


def _views(record: Any, input: Tensor, keys: list, params: dict) -> tuple[Tensor, ...]:
    """One view of ``input`` per basic-indexing key, all outputs of one node."""
    base = input if input._base is None else input._base
    outs = []
    for key in keys:
        storage = view_storage(input._storage, input._backend, "getitem", (key,))
        out = Tensor._make(storage.array, input._dtype, input._backend, storage)
        out._base = base
        outs.append(out)
    return finish_outputs(record, outs, (input,), params)


def _split_sizes(input: Tensor, size: Any, dim: int) -> list[int]:
    n = input.shape[dim]
    if isinstance(size, int):
        if size <= 0 and not (size == 0 and n == 0):
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        return [min(size, n - i) for i in range(0, n, size)] if n else [0]
    sizes = [int(s) for s in size]
    if sum(sizes) != n or any(s < 0 for s in sizes):
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
            f"at dimension {dim}), but got split_sizes={sizes}"
        )
    return sizes


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of ``tensor`` along ``dim``: chunks of one size (the last may be smaller),
    or of the listed sizes."""
    check_tensor("split", tensor, "tensor")
    dim = one_dim("split", tensor, dim)
    sizes = _split_sizes(tensor, split_size_or_sections, dim)
    record = SPLIT if isinstance(split_size_or_sections, int) else SPLIT_WITH_SIZES
    keys, offset = [], 0
    for n in sizes:
        keys.append((slice(None),) * dim + (slice(offset, offset + n), Ellipsis))
        offset += n
    return _views(record, tensor, keys, {"dim": dim, "sizes": tuple(sizes)})


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` views of (nearly) equal size along ``dim`` (a ``split``)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    check_tensor("chunk", input)
    if input.dim() == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    n = input.shape[one_dim("chunk", input, dim)]
    return split(input, max(1, -(-n // chunks)), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of ``input`` along ``dim``, that dimension removed (views)."""
    check_tensor("unbind", input)
    if input.dim() == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = _wrap_dim(dim, input.dim(), "unbind")
    prefix = (slice(None),) * dim
    keys = [prefix + (i, Ellipsis) for i in range(input.shape[dim])]
    return _views(UNBIND, input, keys, {"dim": dim})


FUNCTIONS = {
    "cat": cat,
    "concat": cat,
    "concatenate": cat,
    "stack": stack,
    "split": split,
    "chunk": chunk,
    "unbind": unbind,
}
