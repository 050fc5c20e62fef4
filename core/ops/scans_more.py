"""More running ops along one ``dim``: ``cummax``, ``cummin`` (values and indices, as
PyTorch's named tuples) and ``logcumsumexp``.

Each is one record with PyTorch's ``grad_fn`` (``CummaxBackward0``, ``CumminBackward0``,
``LogcumsumexpBackward0``) and PyTorch's derivative: the running extrema send each
gradient to the index they return (a tie takes the later index, a nan is kept until the
next nan); ``logcumsumexp``'s rule sums ``g_i * exp(x_j - r_i)`` over ``i >= j`` in the
log domain, split by the gradient's sign, so its values at infinities are PyTorch's.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..dtypes import FLOATING
from ..tensor import Tensor
from . import return_types
from .dispatch import finish
from .elementwise import where
from .helpers import check_tensor, one_dim, zeros_on
from .record import REDUCTION, Convention, OpRecord


def _to_indices(g: Tensor, shape: tuple, dim: int, indices: Tensor) -> Tensor:
    """PyTorch's gradient of a running extremum: each output's gradient added to the
    input element whose index it returned."""
    if not shape:
        return g
    return zeros_on(g, shape).scatter_add(dim, indices, g)


# The lowest finite value of each floating dtype: log(0) of a gradient of one sign.
_LOWEST = {
    "float16": -65504.0,
    "float32": -3.4028234663852886e38,
    "float64": -1.7976931348623157e308,
}


def _logcumsumexp_grad(g: Tensor, a: Tensor, result: Tensor, dim: int) -> Tensor:
    """d a_j = sum over i >= j of g_i exp(a_j - r_i), summed in the log domain (a reverse
    logcumsumexp), positive and negative gradients apart (log needs a positive)."""
    if g.dim() == 0 or g.numel() == 0:
        return g
    lowest = _LOWEST[g.dtype.name]
    log_abs = g.abs().log()

    def part(mask: Tensor) -> Tensor:
        logs = where(mask, log_abs, lowest) - result
        return (logs.flip(dim).logcumsumexp(dim).flip(dim) + a).exp()

    return part(g > 0) - part(g < 0)


def _logcumsumexp_tangent(us: tuple, out: Tensor, a: Tensor, result: Tensor, dim: int) -> Tensor:
    """Forward mode, PyTorch's formula: the running sums of the tangent weighted by
    exp(a - max a) over the running sums of the weights."""
    if a.dim() == 0 or a.numel() == 0:
        return us[0]
    weights = (a - a.amax(dim, keepdim=True)).exp()
    return (us[0] * weights).cumsum(dim) / weights.cumsum(dim)


_TIES = "ties: the later index; a nan is kept until the next nan"
_SAVE = ("self.shape", "dim", "indices")
CUMMAX = OpRecord(
    "cummax", REDUCTION, "CummaxBackward0", "cummax", save=_SAVE, grads=(_to_indices,),
    smooth=False, doc=_TIES,
    conventions=(Convention(([1.0, 3.0, 3.0, 2.0],), ([1.0, 1.0, 2.0, 0.0],), (("dim", 0),)),),
)  # fmt: skip
CUMMIN = OpRecord(
    "cummin", REDUCTION, "CumminBackward0", "cummin", save=_SAVE, grads=(_to_indices,),
    smooth=False, doc=_TIES,
    conventions=(Convention(([3.0, 1.0, 1.0, 2.0],), ([1.0, 1.0, 2.0, 0.0],), (("dim", 0),)),),
)  # fmt: skip
LOGCUMSUMEXP = OpRecord(
    "logcumsumexp", REDUCTION, "LogcumsumexpBackward0", "logcumsumexp",
    save=("self", "result", "dim"), grads=(_logcumsumexp_grad,), float_only=True,
    jvp=_logcumsumexp_tangent,
)  # fmt: skip
RECORDS = (CUMMAX, CUMMIN, LOGCUMSUMEXP)


def _running(record: OpRecord, result: type, input: Tensor, dim: int) -> Any:
    check_tensor(record.name, input)
    dim = one_dim(record.name, input, dim)
    backend, array = input._backend, input._storage.array
    if input.dim() == 0 or input.numel() == 0:
        values = backend.kernels["copy"](array)
        indices = backend.kernels["zeros"](tuple(input.shape), backend.native_dtype(dtypes.int64))
    else:
        values, indices = backend.kernels[record.kernel](array, dim)
    indices = Tensor._make(indices, dtypes.int64, backend)
    params = {"dim": dim, "indices": indices}
    return result(finish(record, values, input._dtype, backend, (input,), params), indices)


def cummax(input: Tensor, dim: int) -> Any:
    """``(values, indices)``: the running maximum along ``dim`` and where it was taken
    (a tie: the later index; a nan is kept until the next nan)."""
    return _running(CUMMAX, return_types.cummax, input, dim)


def cummin(input: Tensor, dim: int) -> Any:
    """``(values, indices)``: the running minimum along ``dim``, as :func:`cummax`."""
    return _running(CUMMIN, return_types.cummin, input, dim)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """``log(cumsum(exp(input)))`` along ``dim``, without overflow; floating input only
    (PyTorch has no integer kernel)."""
    check_tensor("logcumsumexp", input)
    dim = one_dim("logcumsumexp", input, dim)
    backend, dtype = input._backend, input._dtype
    if dtype.category < FLOATING:
        device = "cpu" if backend.device_type == "cpu" else "cuda"
        raise NotImplementedError(
            f"\"logcumsumexp_out_{device}\" not implemented for '{dtypes.kind_name(dtype)}'"
        )
    array = input._storage.array
    if input.dim() == 0 or input.numel() == 0:
        out = backend.kernels["copy"](array)
    else:
        out = backend.kernels["logcumsumexp"](array, dim)
    return finish(LOGCUMSUMEXP, out, dtype, backend, (input,), {"dim": dim})


FUNCTIONS = {"cummax": cummax, "cummin": cummin, "logcumsumexp": logcumsumexp}
