"""More reductions: ``nansum``, ``nanmean``, ``count_nonzero`` and ``aminmax``.

``nansum`` and ``aminmax`` are records with PyTorch's nodes (``NansumBackward0``: the
gradient masked where the input is nan; ``AminmaxBackward0``: each output's gradient
shared evenly by the elements equal to it, nan everywhere for a nan result, as ``amin``/
``amax``). ``nanmean`` is composed as PyTorch composes it (``nansum`` divided by the count
of non-nan elements: ``DivBackward0`` over ``NansumBackward0``); ``count_nonzero`` has no
gradient.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..dtypes import FLOATING
from ..tensor import Tensor, _wrap_dim
from . import return_types
from .dispatch import array_of, finish
from .extrema import _even_split
from .helpers import check_keepdim, check_tensor, reduction_dims
from .nodes import MultiOutputRecord, finish_outputs
from .record import REDUCTION, Convention, OpRecord
from .reductions import expand_back


def _nansum_grad(g: Tensor, a: Tensor, dims: Any, keepdim: bool) -> Tensor:
    # PyTorch's product, not a where: an inf gradient gives nan at the nan elements.
    return expand_back(g, a.shape, dims, keepdim) * a.isnan().logical_not()


def _aminmax_grad(grads: tuple, a: Tensor, low: Tensor, high: Tensor, dims: Any, keepdim: bool):
    """Each output's gradient split evenly among the elements equal to it."""
    g_min, g_max = (tuple(grads) + (None, None))[:2]
    total = None
    for g, value in ((g_min, low), (g_max, high)):
        if g is not None:
            part = _even_split(g, a, value, dims, keepdim)
            total = part if total is None else total + part
    return (total,)


NANSUM = OpRecord(
    "nansum", REDUCTION, "NansumBackward0", "sum", save=("self", "dims", "keepdim"),
    grads=(_nansum_grad,), doc="nan elements count as 0 and get no gradient",
    conventions=(Convention(([1.0, float("nan"), 3.0],), ([1.0, 0.0, 1.0],)),),
)  # fmt: skip
AMINMAX = MultiOutputRecord(
    "aminmax", REDUCTION, "AminmaxBackward0", "min",
    save=("self", "min", "max", "dims", "keepdim"), grads=(_aminmax_grad,), smooth=False,
    doc="ties share each output's gradient evenly; a nan result: nan everywhere",
)  # fmt: skip
RECORDS = (NANSUM, AMINMAX)


def _nan_dims(op: str, input: Tensor, dim: Any) -> tuple | None:
    return None if dim is None or dim == () else reduction_dims(op, input, dim)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum with nan elements counted as 0; integers and bools sum as int64."""
    check_tensor("nansum", input)
    check_keepdim("nansum", keepdim)
    if dtype is None:
        dtype = input.dtype if input.dtype.category == FLOATING else dtypes.int64
    dtype = dtypes.resolve(dtype)
    dims = _nan_dims("nansum", input, dim)
    backend = input._backend
    k = backend.kernels
    array = array_of(input, dtype, backend)
    if dtype.category == FLOATING:
        array = k["where"](k["isnan"](array), k["zeros_like"](array), array)
    out = k["sum"](array, axis=dims, keepdims=keepdim)
    out = k["astype"](out, backend.native_dtype(dtype))
    return finish(NANSUM, out, dtype, backend, (input,), {"dims": dims, "keepdim": keepdim})


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean of the non-nan elements (nan where there are none): PyTorch's
    ``nansum(input) / (number of non-nan elements)``; floating input only."""
    check_tensor("nanmean", input)
    if input.dtype.category < FLOATING:
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{dtypes.kind_name(input.dtype)}"
        )
    count = input.isnan().logical_not().sum(dim, keepdim=keepdim)
    return nansum(input, dim, keepdim, dtype=dtype).div(count)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """How many elements are not 0 (nan counts), over ``dim`` (an int or a tuple) or all."""
    check_tensor("count_nonzero", input)
    dims = _nan_dims("count_nonzero", input, dim)
    backend = input._backend
    k = backend.kernels
    array = input._storage.array
    nonzero = k["not_equal"](array, k["zeros_like"](array))
    out = k["sum"](k["astype"](nonzero, backend.native_dtype(dtypes.int64)), axis=dims)
    return Tensor._make(out, dtypes.int64, backend)


def _check_aminmax(input: Tensor, dims: tuple | None) -> None:
    if dims is None and input.numel() == 0:
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has "
            "no identity."
        )
    for d in dims or ():
        if input.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """``(min, max)`` of all elements or along ``dim`` (a named tuple, as PyTorch's)."""
    check_tensor("aminmax", input)
    check_keepdim("aminmax", keepdim)
    dims = None if dim is None else (_wrap_dim(dim, max(input.dim(), 1), "aminmax"),)
    dims = dims if input.dim() else None
    _check_aminmax(input, dims)
    backend, array, dtype = input._backend, input._storage.array, input._dtype
    k = backend.kernels
    low = Tensor._make(k["min"](array, axis=dims, keepdims=keepdim), dtype, backend)
    high = Tensor._make(k["max"](array, axis=dims, keepdims=keepdim), dtype, backend)
    params = {"min": low.detach(), "max": high.detach(), "dims": dims, "keepdim": keepdim}
    return return_types.aminmax(*finish_outputs(AMINMAX, [low, high], (input,), params))


FUNCTIONS = {
    "nansum": nansum,
    "nanmean": nanmean,
    "count_nonzero": count_nonzero,
    "aminmax": aminmax,
}
