"""``retrograd.testing.make_tensor``: a random tensor of a given shape and dtype for tests.

The values are drawn as PyTorch draws them, from the same host random stream: a uniform
draw in ``[low, high)`` for floating dtypes (``Tensor.uniform_``), ``randint(low, high)``
for integers and bool, so a seed gives PyTorch's tensor.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from .. import dtypes
from ..creation import empty, full
from ..dtypes_info import finfo, iinfo
from ..ops.elementwise import where
from ..random import randint
from ..tensor import Tensor

# PyTorch's documented default ranges: (low, high) by kind.
_BOOL_RANGE, _UINT8_RANGE, _INT_RANGE, _FLOAT_RANGE = (0, 2), (0, 10), (-9, 10), (-9, 9)


def make_tensor(
    *shape: Any,
    dtype: dtypes.dtype,
    device: Any,
    low: float | None = None,
    high: float | None = None,
    requires_grad: bool = False,
    noncontiguous: bool = False,
    exclude_zero: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """A tensor of ``shape`` (ints, or one sequence) filled with random values.

    Defaults by dtype: bool in ``[0, 2)``, uint8 in ``[0, 10)``, other integers in
    ``[-9, 10)``, floating dtypes in ``[-9, 9)``; a given ``low``/``high`` is clamped to
    the dtype's finite range (``high`` is exclusive). ``exclude_zero`` replaces zeros with
    1 (integers, bool) or ``finfo(dtype).tiny``; ``noncontiguous`` returns a strided view
    of the same values (for more than one element); ``memory_format`` lays the result out
    so. Raises ``ValueError`` as PyTorch does: NaN bounds, ``low >= high`` (``low ==
    high`` is allowed, deprecated, for floating dtypes), ``requires_grad`` with an
    integral dtype, ``noncontiguous`` with ``memory_format``.
    """
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = tuple(shape[0])
    _check_flags(dtype, requires_grad, noncontiguous, memory_format)
    low, high = _bounds(dtype, low, high)
    # A noncontiguous tensor is every other element of a draw twice as long in its last
    # dimension (PyTorch's layout, so a seed gives PyTorch's values).
    strided = noncontiguous and math.prod(shape) > 1
    drawn = (*shape[:-1], 2 * shape[-1]) if strided else shape
    if dtype.is_floating_point:
        result = _uniform(drawn, dtype, device, low, high)
    else:
        result = randint(low, high, drawn, dtype=dtype, device=device)
    if exclude_zero:
        result = where(result == 0, _smallest_nonzero(dtype), result)
    if strided:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    return result.requires_grad_(requires_grad)


def _smallest_nonzero(dtype: dtypes.dtype) -> Any:
    """What ``exclude_zero`` puts in place of a zero: PyTorch's documented choice."""
    if dtype is dtypes.bool:
        return True
    return finfo(dtype).tiny if dtype.is_floating_point else 1


def _check_flags(dtype: Any, requires_grad: bool, noncontiguous: bool, memory_format: Any) -> None:
    if not isinstance(dtype, dtypes.dtype):
        raise TypeError(f"make_tensor(): dtype must be a torch.dtype, not {type(dtype).__name__}")
    if requires_grad and not dtype.is_floating_point:
        raise ValueError(
            "`requires_grad=True` is not supported for boolean and integral dtypes, "
            f"but got dtype={dtype}"
        )
    if noncontiguous and memory_format is not None:
        raise ValueError(
            "The parameters `noncontiguous` and `memory_format` are mutually exclusive, "
            f"but got noncontiguous={noncontiguous} and memory_format={memory_format}"
        )


def _bounds(dtype: dtypes.dtype, low: float | None, high: float | None) -> tuple[Any, Any]:
    """``low`` and ``high`` with the dtype's defaults filled in, checked, then clamped to
    its finite range."""
    if dtype is dtypes.bool:
        default, lowest, highest = _BOOL_RANGE, 0, 1
    elif dtype.is_floating_point:
        info = finfo(dtype)
        default, lowest, highest = _FLOAT_RANGE, info.min, info.max
    else:
        info = iinfo(dtype)
        default = _UINT8_RANGE if dtype is dtypes.uint8 else _INT_RANGE
        lowest, highest = info.min, info.max
    low = default[0] if low is None else low
    high = default[1] if high is None else high
    if math.isnan(low) or math.isnan(high):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low > high or (low == high and not dtype.is_floating_point):
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    if dtype.is_floating_point:
        return max(low, lowest), min(high, highest)
    # ``high`` is exclusive: an integer dtype's range reaches its largest value.
    return max(math.ceil(low), lowest), min(math.ceil(high), highest + 1)


def _uniform(shape: tuple, dtype: dtypes.dtype, device: Any, low: float, high: float) -> Tensor:
    if low == high:
        warnings.warn(
            "Passing `low==high` to `torch.testing.make_tensor` for floating or complex types "
            "is deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
            FutureWarning,
            stacklevel=3,
        )
        return full(shape, low, dtype=dtype, device=device)
    result = empty(shape, dtype=dtype, device=device)
    if high - low >= finfo(dtype).max:  # the width overflows: draw half of it, then double
        return result.uniform_(low / 2, high / 2).mul_(2)
    return result.uniform_(low, high)
