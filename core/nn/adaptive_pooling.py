"""``adaptive_avg_pool1d/2d/3d`` and ``adaptive_max_pool1d/2d/3d``: pooling to a given
output size, each one node as PyTorch records it (:mod:`retrograd.ops.pooling`); the 1-d
forms are the 2-d ops on the input with a height of 1, then a squeeze.

Output ``i`` of an axis of size ``n`` pooled to ``o`` covers input positions
``[floor(i n / o), ceil((i + 1) n / o))``. The windows are separable: average pooling is
one weighted sum per axis (:mod:`retrograd.ops.axis_maps`); max pooling gathers each
window, padded to the longest by repeating its last element (a repeat comes after its
original, so it is never the first maximum, and it is the same element where it is the
last NaN), and picks as :func:`retrograd.nn.pooling.pick_max` does."""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..creation import arange, tensor
from ..grad_mode import no_grad
from ..ops.axis_maps import apply_maps, make_map
from ..ops.pooling import (
    ADAPTIVE_AVG_POOL2D,
    ADAPTIVE_AVG_POOL3D,
    ADAPTIVE_MAX_POOL2D,
    ADAPTIVE_MAX_POOL3D,
    record_pooling,
)
from ..tensor import Tensor
from .pool_checks import dims_error, one
from .pooling import pick_max


def _bounds(size: int, out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive windows: output ``i`` covers ``[floor(i * size / out),
    ceil((i + 1) * size / out))``."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _requested(op: str, input: Tensor, output_size: Any, dims: int) -> tuple:
    """``output_size`` as ``dims`` sizes, ``None`` meaning the input's own size."""
    if not isinstance(output_size, (tuple, list)):
        return (output_size,) * dims
    if input.dim() <= len(output_size):
        raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
    own = tuple(input.shape[-len(output_size) :])
    return tuple(n if want is None else want for want, n in zip(output_size, own))


def _check(op: str, input: Tensor, sizes: tuple, dims: int, kind: str) -> None:
    """PyTorch's checks of an adaptive pooling, in its order and words (``kind`` is
    ``avg`` or ``max``: their words differ)."""
    if len(sizes) != dims:
        if kind == "avg":
            raise RuntimeError(f"{op}: output_size must be {dims}")
        raise RuntimeError(f"{op}(): internal error: output_size.size() must be {dims}")
    if any(n < 0 for n in sizes):
        if kind == "max":
            shape = [*input.shape[:-dims], *sizes]
            bad = next(n for n in sizes if n < 0)
            raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {shape}")
        shown = ", ".join(map(str, sizes)) if dims == 2 else "{}, {},{}".format(*sizes)
        raise RuntimeError(
            f"{op}: elements of output_size must be greater than or equal to 0 but "
            f"received {{{shown}}}"
        )
    if input.dim() not in (dims + 1, dims + 2):
        colon = ":" if kind == "max" else ""
        raise RuntimeError(
            f"{op}(): Expected {dims + 1}D or {dims + 2}D tensor, but got{colon} "
            f"{list(input.shape)}"
        )
    checked = range(1, input.dim()) if kind == "max" else range(input.dim() - dims, input.dim())
    for dim in checked:
        if input.shape[dim] == 0:
            raise RuntimeError(
                f"{op}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {list(input.shape)} with dimension {dim} being empty"
            )
    if not input.dtype.is_floating_point:
        kernel = op if dims == 2 else f"{op}_cpu"
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{dtypes.kind_name(input.dtype)}'"
        )


def _adaptive_avg(input: Tensor, sizes: tuple, record: Any) -> Tensor:
    dims, maps = len(sizes), []
    for axis, want in enumerate(sizes):
        n = input.shape[axis - dims]
        if want != n:  # a window of one element each: nothing to do
            terms = [(j, i, 1 / (b - a)) for i, (a, b) in enumerate(_bounds(n, want))
                     for j in range(a, b)]  # fmt: skip
            maps.append(make_map(axis - dims, terms, want, n, input))
    with no_grad():
        out = apply_maps(input, maps)
    return record_pooling(record, input, out, {"maps": maps})


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over adaptive windows giving ``output_size`` positions along the last dim
    of ``(N, C, L)`` (or ``(C, L)``)."""
    if input.dim() not in (2, 3):
        raise dims_error("adaptive_avg_pool1d", input)
    if output_size is None:
        raise TypeError(
            "adaptive_avg_pool1d(): argument 'output_size' (position 2) must be tuple of ints, "
            "not NoneType"
        )
    size = one("adaptive_avg_pool1d", "output_size", output_size)
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over adaptive windows giving ``output_size`` (``None`` keeps a size) over
    the last two dims. To one position it is a mean over those dims, as PyTorch's."""
    sizes = _requested("adaptive_avg_pool2d", input, output_size, 2)
    if sizes == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    _check("adaptive_avg_pool2d", input, sizes, 2, "avg")
    return _adaptive_avg(input, sizes, ADAPTIVE_AVG_POOL2D)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over adaptive windows giving ``output_size`` over the last three dims."""
    sizes = _requested("adaptive_avg_pool3d", input, output_size, 3)
    if sizes == (1, 1, 1):
        return input.mean((-1, -2, -3), keepdim=True)
    _check("adaptive_avg_pool3d", input, sizes, 3, "avg")
    return _adaptive_avg(input, sizes, ADAPTIVE_AVG_POOL3D)


def _gathered(x: Tensor, sizes: tuple) -> tuple[Tensor, list[Tensor]]:
    """``(*lead, *sizes, K)``: every adaptive window's elements (padded by repeats), and
    per axis the ``(out, longest)`` table of the input positions each window reads."""
    dims, lead, tables = len(sizes), x.dim() - len(sizes), []
    for axis, want in enumerate(sizes):
        bounds = _bounds(x.shape[lead + 2 * axis], want)
        longest = max(b - a for a, b in bounds)
        rows = [[min(a + j, b - 1) for j in range(longest)] for a, b in bounds]
        table = tensor(rows, dtype=dtypes.int64, backend=x.backend)
        tables.append(table)
        at = lead + 2 * axis  # the axes before this one are already split in two
        x = x.index_select(at, table.reshape(-1))
        x = x.reshape(*x.shape[:at], want, longest, *x.shape[at + 1 :])
    order = [*range(lead), *(lead + 2 * a for a in range(dims)),
             *(lead + 2 * a + 1 for a in range(dims))]  # fmt: skip
    x = x.permute(*order)
    return x.reshape(*x.shape[: lead + dims], -1), tables


def _adaptive_max(input: Tensor, sizes: tuple, record: Any, return_indices: bool) -> Any:
    lead = input.dim() - len(sizes)
    with no_grad():
        if 0 in sizes:
            values = input.new_zeros(*input.shape[:lead], *sizes)
            indices = values.long()
        else:
            found, tables = _gathered(input, sizes)
            values, picked = pick_max([found[..., k] for k in range(found.shape[-1])])
            indices = _flat_positions(picked, tables, tuple(input.shape[lead:]))
    overlap = any(n % want for n, want in zip(input.shape[lead:], sizes) if want)
    params = {"indices": indices, "overlap": overlap}
    values = record_pooling(record, input, values, params)
    return (values, indices) if return_indices else values


def _flat_positions(picked: Tensor, tables: list[Tensor], size: tuple) -> Tensor:
    """The flat input index (over the spatial ``size``) of each window's chosen element,
    ``picked`` being its row-major position in the padded window."""
    dims, lead = len(tables), picked.dim() - len(tables)
    flat, rest, stride = None, picked, 1
    for axis in reversed(range(dims)):
        want, longest = tables[axis].shape
        offset, rest = rest % longest, rest // longest
        shape = [1] * picked.dim()
        shape[lead + axis] = want
        row = arange(want, backend=picked.backend).reshape(shape)
        position = tables[axis].reshape(-1).take(row * longest + offset)
        flat = position * stride if flat is None else position * stride + flat
        stride *= size[axis]
    return flat


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The maximum over adaptive windows giving ``output_size`` positions along the last
    dim of ``(N, C, L)`` (or ``(C, L)``), and with ``return_indices`` their indices."""
    if input.dim() not in (2, 3):
        raise dims_error("adaptive_max_pool1d", input)
    size = one("adaptive_max_pool1d", "output_size", output_size)
    out = adaptive_max_pool2d(input.unsqueeze(-2), (1, size), True)
    values, indices = out[0].squeeze(-2), out[1].squeeze(-2)
    return (values, indices) if return_indices else values


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The maximum over adaptive windows giving ``output_size`` over the last two dims."""
    sizes = _requested("adaptive_max_pool2d", input, output_size, 2)
    _check("adaptive_max_pool2d", input, sizes, 2, "max")
    return _adaptive_max(input, sizes, ADAPTIVE_MAX_POOL2D, return_indices)


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The maximum over adaptive windows giving ``output_size`` over the last three dims."""
    sizes = _requested("adaptive_max_pool3d", input, output_size, 3)
    _check("adaptive_max_pool3d", input, sizes, 3, "max")
    return _adaptive_max(input, sizes, ADAPTIVE_MAX_POOL3D, return_indices)
