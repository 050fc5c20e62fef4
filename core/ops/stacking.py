"""Joining and splitting by the NumPy-style names: ``atleast_1d/2d/3d``, ``hstack``,
``vstack``/``row_stack``, ``dstack``, ``column_stack``, ``tensor_split``,
``hsplit``/``vsplit``/``dsplit``, ``tile``, ``ravel`` and ``repeat_interleave``.

All are composed as PyTorch composes them, so its nodes come out: the ``atleast_*``
forms are a ``reshape`` (``ViewBackward0``) of a 0-d tensor and ``unsqueeze`` otherwise,
the stacks a ``cat`` (``CatBackward0``) of those, the splits slices (``SliceBackward0``
per piece), ``tile`` a ``repeat``, ``ravel`` a ``contiguous`` then ``view``, and
``repeat_interleave`` an ``unsqueeze``/``expand``/``clone``/``view`` (a count) or an
``index_select`` (a tensor of counts).
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor, _wrap_dim
from .conversion import contiguous
from .helpers import check_tensor
from .joining import cat
from .rearrange import repeat
from .record import composite


def _one_or_many(op: str, tensors: tuple, make: Any) -> Any:
    """``make`` applied to one tensor (returned alone) or to each of several (a tuple):
    PyTorch's ``atleast_*`` take one tensor, several, or one list or tuple of them."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return make(tensors[0])
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return tuple(make(check_tensor(op, t)) for t in tensors)


def _at_least_1d(t: Tensor) -> Tensor:
    return t.reshape(1) if t.dim() == 0 else t


def _at_least_2d(t: Tensor) -> Tensor:
    if t.dim() == 0:
        return t.reshape(1, 1)
    return t.unsqueeze(0) if t.dim() == 1 else t


def _at_least_3d(t: Tensor) -> Tensor:
    if t.dim() == 0:
        return t.reshape(1, 1, 1)
    if t.dim() == 1:
        return t.unsqueeze(0).unsqueeze(-1)
    return t.unsqueeze(-1) if t.dim() == 2 else t


@composite(method=False)
def atleast_1d(*tensors: Any) -> Any:
    """Each tensor viewed with at least one dimension (a 0-d one as shape (1,)); one
    tensor in, one out; several (or a sequence), a tuple."""
    return _one_or_many("atleast_1d", tensors, _at_least_1d)


@composite(method=False)
def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least two dimensions (new ones in front)."""
    return _one_or_many("atleast_2d", tensors, _at_least_2d)


@composite(method=False)
def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least three dimensions: a vector becomes (1, n, 1) and a matrix
    (m, n, 1), as NumPy's ``atleast_3d``."""
    return _one_or_many("atleast_3d", tensors, _at_least_3d)


def _stack_operands(op: str, tensors: Any) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{type(tensors).__name__}"
        )
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    return [check_tensor(op, t, "tensors") for t in tensors]


@composite(method=False)
def hstack(tensors: Any) -> Tensor:
    """Join horizontally: along dim 1, or dim 0 where the tensors are vectors."""
    parts = [_at_least_1d(t) for t in _stack_operands("hstack", tensors)]
    return cat(parts, 0 if parts[0].dim() == 1 else 1)


@composite(method=False)
def vstack(tensors: Any) -> Tensor:
    """Join vertically: along dim 0, vectors becoming rows first."""
    return cat([_at_least_2d(t) for t in _stack_operands("vstack", tensors)], 0)


@composite(method=False)
def row_stack(tensors: Any) -> Tensor:
    """An alias of :func:`vstack`."""
    return cat([_at_least_2d(t) for t in _stack_operands("row_stack", tensors)], 0)


@composite(method=False)
def dstack(tensors: Any) -> Tensor:
    """Join in depth: along dim 2, after :func:`atleast_3d`."""
    return cat([_at_least_3d(t) for t in _stack_operands("dstack", tensors)], 2)


@composite(method=False)
def column_stack(tensors: Any) -> Tensor:
    """Join as columns: scalars and vectors become (n, 1) columns, then along dim 1."""
    parts = _stack_operands("column_stack", tensors)
    return cat([t.reshape(t.numel(), 1) if t.dim() <= 1 else t for t in parts], 1)


def _piece(input: Tensor, dim: int, start: int, stop: int | None) -> Tensor:
    """``input[..., start:stop, ...]`` along ``dim``, with Python's slice rules (negative
    positions count from the end, positions past it clamp): ATen's ``slice``."""
    return input[(slice(None),) * dim + (slice(start, stop),)]


def _section_bounds(size: int, sections: int) -> list[int]:
    """The start of each of ``sections`` pieces of ``size``: the first ``size % sections``
    pieces one longer than the rest."""
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    small, extra = divmod(size, sections)
    starts, at = [], 0
    for i in range(sections):
        starts.append(at)
        at += small + (1 if i < extra else 0)
    return starts[1:]


def _split_points(input: Tensor, spec: Any, dim: int) -> list[int]:
    """The cut positions of ``tensor_split``'s ``indices_or_sections``: an int (or a 0-d
    int64 tensor) of sections, or a sequence (or 1-d int64 tensor) of indices."""
    if isinstance(spec, Tensor):
        if spec.dtype is not dtypes.int64:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to have dtype of long, but "
                f"got {dtypes.kind_name(spec.dtype)}"
            )
        if spec.dim() > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional tensor, but got a tensor with {spec.dim()} dims"
            )
        spec = spec.item() if spec.dim() == 0 else spec.tolist()
    if isinstance(spec, int):
        return _section_bounds(input.shape[dim], spec)
    return [int(i) for i in spec]


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into views along ``dim``: into ``n`` near-equal pieces (the first
    ``size % n`` one longer), or at the given indices (as slices between them)."""
    check_tensor("tensor_split", input)
    if input.dim() == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    dim = _wrap_dim(dim, input.dim(), "tensor_split")
    points = _split_points(input, indices_or_sections, dim)
    starts, stops = [0, *points], [*points, None]
    return tuple(_piece(input, dim, a, b) for a, b in zip(starts, stops, strict=True))


def _directional_split(op: str, dim: int, least: int) -> Any:
    """``hsplit``/``vsplit``/``dsplit``: ``tensor_split`` along ``dim`` that requires at
    least ``least`` dimensions and sections that divide the size exactly."""

    def split(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
        check_tensor(op, input)
        n = input.dim()
        if n < least:
            raise RuntimeError(
                f"torch.{op} requires a tensor with at least {least} dimension, but got "
                f"a tensor with {n} dimensions!"
            )
        along = 0 if op == "hsplit" and n == 1 else dim
        if isinstance(indices_or_sections, int):
            size = input.shape[along]
            if indices_or_sections == 0 or size % indices_or_sections != 0:
                raise RuntimeError(
                    f"torch.{op} attempted to split along dimension {along}, but the size of "
                    f"the dimension {size} is not divisible by the split_size "
                    f"{indices_or_sections}!"
                )
        return tensor_split(input, indices_or_sections, along)

    split.__name__ = split.__qualname__ = op
    split.__doc__ = f"``tensor_split`` along dim {dim} (PyTorch's ``torch.{op}``)."
    return split


@composite()
def tile(input: Tensor, dims: Any) -> Tensor:
    """``input`` repeated ``dims[i]`` times along each dim; fewer ``dims`` than
    dimensions are padded with ones in front (PyTorch: a ``repeat``)."""
    check_tensor("tile", input)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    dims = (1,) * (input.dim() - len(dims)) + dims
    return repeat(input, dims)


@composite()
def ravel(input: Tensor) -> Tensor:
    """The elements as a contiguous vector (a view where ``input`` is contiguous)."""
    check_tensor("ravel", input)
    return contiguous(input).view(-1)


def _repeat_counts(repeats: Tensor) -> list[int]:
    """The counts of a tensor of repeats (int64, at most 1-d), read on the host: the
    result's size depends on them."""
    if repeats.dtype.category >= dtypes.FLOATING:
        raise NotImplementedError(
            f"\"repeat_interleave_cpu\" not implemented for '{dtypes.kind_name(repeats.dtype)}'"
        )
    counts = repeats.reshape(-1).tolist()
    if any(c < 0 for c in counts):
        raise RuntimeError("repeats can not be negative")
    return counts


def _indices_repeated(counts: list[int], like: Tensor) -> Tensor:
    """``[0] * counts[0] + [1] * counts[1] + ...`` as an int64 tensor on ``like``'s backend."""
    flat = [i for i, c in enumerate(counts) for _ in range(c)]
    return like.new_tensor(flat, dtype=dtypes.int64)


def _interleave_by_count(input: Tensor, repeats: int, dim: int, output_size: Any) -> Tensor:
    """Each slice along ``dim`` ``repeats`` times, as PyTorch composes it: unsqueeze,
    expand, clone, then the two dims merged by a view."""
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if output_size is not None and output_size != input.shape[dim] * repeats:
        raise RuntimeError(
            f"repeat_interleave: Invalid output_size, expected {input.shape[dim] * repeats} but "
            f"got {output_size}"
        )
    shape = list(input.shape)
    spread = input.unsqueeze(dim + 1).expand(*shape[: dim + 1], repeats, *shape[dim + 1 :])
    shape[dim] *= repeats
    # A copy (CloneBackward0) where repeats > 1 (PyTorch clones even for 1: no node differs
    # in value, only in the graph); clone() would keep the expanded strides.
    return contiguous(spread).view(shape)


@composite(method=True)
def repeat_interleave(
    input: Tensor, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """Each element (or slice along ``dim``) repeated: ``repeats`` times (an int), or by
    its own count (a tensor of counts, one per slice). Without ``dim``, of the flattened
    input. Without ``repeats``, ``input`` holds the counts and the result is the indices
    they repeat (``[2, 0, 1]`` -> ``[0, 0, 2]``)."""
    check_tensor("repeat_interleave", input)
    if repeats is None:
        if input.dim() != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return _indices_repeated(_repeat_counts(input), input)
    if dim is None:
        input, dim = input.reshape(-1), 0
    dim = _wrap_dim(dim, max(input.dim(), 1), "repeat_interleave")
    if input.dim() == 0:
        input = input.reshape(1)
    if not isinstance(repeats, Tensor):
        return _interleave_by_count(input, int(repeats), dim, output_size)
    if repeats.dim() > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    counts = _repeat_counts(repeats)
    if len(counts) == 1:
        counts = counts * input.shape[dim]
    elif len(counts) != input.shape[dim]:
        raise RuntimeError(
            "repeats must have the same size as input along dim, but got repeats.size(0) = "
            f"{len(counts)} and input.size({dim}) = {input.shape[dim]}"
        )
    if output_size is not None and output_size != sum(counts):
        raise RuntimeError("allocated size does not match required size")
    return input.index_select(dim, _indices_repeated(counts, input))


FUNCTIONS = {
    "repeat_interleave": repeat_interleave,
    "atleast_1d": atleast_1d,
    "atleast_2d": atleast_2d,
    "atleast_3d": atleast_3d,
    "hstack": hstack,
    "vstack": vstack,
    "row_stack": row_stack,
    "dstack": dstack,
    "column_stack": column_stack,
    "tensor_split": tensor_split,
    "hsplit": _directional_split("hsplit", 1, 1),
    "vsplit": _directional_split("vsplit", 0, 2),
    "dsplit": _directional_split("dsplit", 2, 3),
    "tile": tile,
    "ravel": ravel,
}
