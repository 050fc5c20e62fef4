"""Searching and counting: ``searchsorted``, ``bucketize``, ``histc``, ``tril_indices`` and
``triu_indices``.

None of them has a gradient (PyTorch records no node: their results are integer indices,
or counts that PyTorch declares non-differentiable), so none is a record: each is
composed of retrograd's ops on values without history, which also makes them lazy on
Dask and batched under ``vmap`` through the rules of their parts.

``searchsorted`` runs PyTorch's binary search itself, vectorized: every value keeps a
``[start, end)`` window that one step of ``gather`` and ``where`` halves, for as many
steps as the longest window needs. A count of the boundaries below each value would
give the same answer on a sorted sequence, but not PyTorch's where the sequence holds
NaN (the search's path then decides), and it costs ``values x boundaries`` memory.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..batching import physical
from ..creation import _target_backend, arange, factory_dtype, linspace
from ..grad_mode import no_grad
from ..tensor import Tensor
from .helpers import check_tensor, full_on, not_implemented, zeros_on
from .record import composite


def _shape_text(t: Tensor) -> str:
    return "[" + ", ".join(str(n) for n in t.shape) + "]"


def _check_search(seq: Tensor, values: Tensor, scalar: bool, sorter: Tensor | None) -> None:
    """PyTorch's checks of ``searchsorted``'s operands, in its order."""
    if sorter is not None:
        if sorter.dtype is not dtypes.int64:
            raise RuntimeError(
                "torch.searchsorted(): sorter must be a tensor of long dtype but got dtype "
                f"{dtypes.kind_name(sorter.dtype)}"
            )
        if tuple(sorter.shape) != tuple(seq.shape):
            raise RuntimeError(
                "torch.searchsorted(): boundary and sorter must have the same size, but got "
                f"boundary tensor {_shape_text(seq)}and got sorter tensor {_shape_text(sorter)}"
            )
    if seq.dim() == 0:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
            "dimension"
        )
    if scalar and seq.dim() != 1:
        raise RuntimeError(
            "torch.searchsorted(): input value can be a scalar only when boundaries tensor "
            f"dimension is 1, but we got boundaries tensor dim({seq.dim()}) and input value's "
            f"dim({values.dim()}) numel({values.numel()})"
        )
    if seq.dim() != 1 and (
        seq.dim() != values.dim() or tuple(seq.shape[:-1]) != tuple(values.shape[:-1])
    ):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {_shape_text(seq)} and input value tensor {_shape_text(values)}"
        )
    for t in (seq, values):
        if t.dtype is dtypes.bool:
            raise not_implemented("searchsorted_out", seq._backend, t.dtype)


def _sorter_error(any_bad: bool) -> None:
    if any_bad:
        raise RuntimeError("torch.searchsorted(): sorter index out of range")


def _checked_sorter(sorter: Tensor, n: int) -> Tensor:
    """``sorter`` with PyTorch's range check attached (``checked``: it raises now, or on
    a lazy backend when the result is computed; inside vmap it reads every sample)."""
    k = sorter._backend.kernels
    bad = ((sorter < 0) | (sorter >= n))._storage.array
    array = k["checked"](sorter._storage.array, _sorter_error, k["any"](physical(bad)))
    return Tensor._make(array, sorter.dtype, sorter._backend)


def _binary_search(seq: Tensor, values: Tensor, right: bool, sorter: Tensor | None) -> Tensor:
    """Per value, PyTorch's lower (``right=False``) or upper bound in ``seq`` along its
    last dim: ``seq`` is 1-d, or its leading dims are ``values``'."""
    n = seq.shape[-1]
    one_d = seq.dim() == 1
    flat = values.reshape(-1) if one_d else values
    start = zeros_on(flat, tuple(flat.shape), dtypes.int64)
    if n == 0:
        return start.reshape(values.shape)
    end = full_on(flat, tuple(flat.shape), n, dtypes.int64)
    # Each step halves every window (length L -> at most L // 2), so n.bit_length() steps
    # close them all; a closed window (start == end) stays as it is.
    for _ in range(n.bit_length()):
        open_ = start < end
        mid = start + (end - start) // 2
        probe = mid.clamp(max=n - 1)
        if sorter is not None:
            probe = sorter.gather(-1, probe)
        middle = seq.gather(-1, probe)
        # PyTorch's tests, negated as it writes them: a NaN compares False, so it moves right
        below = ~(middle > flat) if right else ~(middle >= flat)
        start = start.where(~(open_ & below), mid + 1)
        end = end.where(~(open_ & ~below), mid)
    return start.reshape(values.shape)


def _side(side: str | None, right: bool) -> bool:
    if side is None:
        return right
    if side not in ("left", "right"):
        raise RuntimeError(
            f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
        )
    if right and side == "left":
        raise RuntimeError(
            "torch.searchsorted(): side and right can't be set to opposites, got side of left "
            "while right was True"
        )
    return side == "right"


def _as_values(values: Any, like: Tensor) -> tuple[Tensor, bool]:
    """``values`` as a tensor, and whether it was a Python number (PyTorch's Scalar
    overload: a number becomes a 0-d tensor of its own type on the boundaries' device)."""
    if isinstance(values, Tensor):
        return values, False
    if isinstance(values, bool) or not isinstance(values, (int, float)):
        raise TypeError(
            f"searchsorted(): argument 'input' must be Tensor, not {type(values).__name__}"
        )
    kind = dtypes.int64 if isinstance(values, int) else dtypes.get_default_dtype()
    return full_on(like, (), values, kind), True


@composite(method=False)  # torch.Tensor has no searchsorted
def searchsorted(
    sorted_sequence: Tensor,
    input: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """For each value of ``input``, the index in ``sorted_sequence``'s last dim where it
    would be inserted to keep the order: before equal values (``right=False``,
    ``side="left"``) or after them; ``sorted_sequence`` is 1-d, or has ``input``'s
    leading dims. ``sorter`` orders an unsorted sequence (``argsort``'s indices). int64
    results (int32 with ``out_int32``), never a gradient."""
    check_tensor("searchsorted", sorted_sequence, "sorted_sequence")
    if sorter is not None:
        check_tensor("searchsorted", sorter, "sorter")
    right = _side(side, right)
    values, scalar = _as_values(input, sorted_sequence)
    _check_search(sorted_sequence, values, scalar, sorter)
    with no_grad():
        if sorter is not None:
            sorter = _checked_sorter(sorter, sorted_sequence.shape[-1])
        out = _binary_search(sorted_sequence.detach(), values.detach(), right, sorter)
        return out.to(dtypes.int32) if out_int32 else out


@composite(method=False)  # torch.Tensor has no bucketize
def bucketize(
    input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False
) -> Tensor:
    """The bucket of each value of ``input`` in the sorted 1-d ``boundaries``:
    ``searchsorted(boundaries, input, right=right)``."""
    check_tensor("bucketize", boundaries, "boundaries")
    if boundaries.dim() != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def _number_text(value: float) -> str:
    """A double as C++'s stream prints it (``1``, ``1.5``, ``inf``, ``-nan``)."""
    if math.isnan(value):
        return "-nan" if math.copysign(1.0, value) < 0 else "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:g}"


@composite()
def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """The counts of ``input``'s values in ``bins`` equal bins over ``[min, max]`` (the
    last bin includes ``max``; values outside, and NaN, are not counted); ``min == max``
    takes the data's range (a value read). Floating inputs only; no gradient."""
    check_tensor("histc", input)
    if not input.dtype.is_floating_point:
        raise not_implemented("histogram", input._backend, input.dtype)
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    x = input.detach().reshape(-1)
    low, high = float(min), float(max)
    if low == high and x.numel() > 0:
        low, high = x.min().item(), x.max().item()
        # a NaN of the data prints as C++ prints x86's default NaN: "-nan"
        low, high = (-abs(v) if math.isnan(v) else v for v in (low, high))
    if low == high:
        low, high = low - 1, high + 1
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(
            f"torch.histc: range of [{_number_text(low)}, {_number_text(high)}] is not finite"
        )
    if low > high:
        raise RuntimeError("torch.histc: max must be larger than min")
    with no_grad():
        # PyTorch's bin edges are a linspace in the input's dtype; a value's bin is the
        # last edge at or below it (the top edge belongs to the last bin).
        edges = linspace(low, high, bins + 1, dtype=input.dtype, backend=input._backend)
        position = searchsorted(edges, x, right=True) - 1
        inside = (x >= low) & (x <= high)
        position = position.clamp(0, bins - 1)
        counts = zeros_on(x, (bins,))
        return counts.scatter_add(0, position, inside.to(input.dtype))


def _indices(name: str, row: Any, col: Any, offset: Any, lower: bool, kw: dict) -> Tensor:
    for position, (arg, value) in enumerate((("row", row), ("col", col), ("offset", offset))):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(
                f"{name}(): argument '{arg}' (position {position + 1}) must be int, not "
                f"{type(value).__name__}"
            )
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    dtype = factory_dtype(name, kw.pop("dtype", None), dtypes.int64)
    if dtype not in (dtypes.int64, dtypes.int32):
        raise NotImplementedError(f"\"{name}\" not implemented for '{dtypes.kind_name(dtype)}'")
    if kw.pop("requires_grad", False):
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    kw.pop("layout", None)
    kw.pop("pin_memory", None)
    backend = _target_backend(kw.pop("backend", None), kw.pop("device", None))
    if kw:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kw))}'")
    i = arange(row, backend=backend).unsqueeze(1)
    j = arange(col, backend=backend).unsqueeze(0)
    mask = (j - i <= offset) if lower else (j - i >= offset)
    # nonzero lists the kept (row, col) pairs row by row, as PyTorch orders them
    return mask.nonzero().t().contiguous().to(dtype)


@composite(method=False)  # torch.Tensor has no tril_indices
def tril_indices(row: int, col: int, offset: int = 0, **kw: Any) -> Tensor:
    """The (row, column) indices, as a 2 x N tensor, of the lower triangle of a ``row`` x
    ``col`` matrix: entries on or below the diagonal ``offset`` (> 0: above the main one)."""
    return _indices("tril_indices", row, col, offset, True, kw)


@composite(method=False)  # torch.Tensor has no triu_indices
def triu_indices(row: int, col: int, offset: int = 0, **kw: Any) -> Tensor:
    """The (row, column) indices, as a 2 x N tensor, of the upper triangle of a ``row`` x
    ``col`` matrix: entries on or above the diagonal ``offset`` (> 0: above the main one)."""
    return _indices("triu_indices", row, col, offset, False, kw)


FUNCTIONS = {
    "searchsorted": searchsorted,
    "bucketize": bucketize,
    "histc": histc,
    "tril_indices": tril_indices,
    "triu_indices": triu_indices,
}
