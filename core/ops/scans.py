"""Running reductions along one ``dim``: ``cumsum`` and ``cumprod``."""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .dispatch import array_of, finish
from .elementwise import where
from .helpers import check_tensor, full_on, one_dim
from .record import REDUCTION, Convention, OpRecord


def _reverse_cumsum(g: Tensor, dim: int) -> Tensor:
    return g.flip(dim).cumsum(dim).flip(dim)


def _cumprod_grad(g: Tensor, a: Tensor, result: Tensor, dim: int) -> Tensor:
    """d/da_k = sum over j >= k of g_j * prod(a_i, i <= j, i != k)."""
    if a.dim() == 0:
        return g
    # The common case: divide the running product by a_k. A lazy backend takes the
    # general formula, which reads no value (exact everywhere; O(n^2) memory along dim).
    if not a._backend.lazy and not bool((a == 0).any()):
        return _reverse_cumsum(g * result, dim) / a
    return _cumprod_grad_with_zeros(g, a, dim)


def _cumprod_grad_with_zeros(g: Tensor, a: Tensor, dim: int) -> Tensor:
    # PyTorch's gradient at zeros, without division: for each k, the running product of
    # a with a_k replaced by 1 (an extra side of size n; O(n^2) memory, zeros only).
    a, g = a.movedim(dim, -1), g.movedim(dim, -1)
    n = a.shape[-1]
    eye = full_on(a, (n, n), 1.0).tril().triu().bool()  # the identity, as a mask
    rows = where(eye, 1.0, a.unsqueeze(-2).expand(*a.shape[:-1], n, n))
    later = full_on(a, (n, n), 1.0).triu()  # j >= k
    out = (rows.cumprod(-1) * later * g.unsqueeze(-2)).sum(-1)
    return out.movedim(-1, dim)


CUMSUM = OpRecord(
    "cumsum",
    REDUCTION,
    "CumsumBackward0",
    "cumulative_sum",
    save=("dim",),
    grads=(lambda g, dim: _reverse_cumsum(g, dim),),
    inplace=True,
    jvp=lambda us, out, dim: us[0].cumsum(dim),  # forward mode: linear, the same op
)
# PyTorch's gradient at zeros too (the product of the other factors, not nan).
CUMPROD = OpRecord(
    "cumprod",
    REDUCTION,
    "CumprodBackward0",
    "cumulative_prod",
    save=("self", "result", "dim"),
    grads=(_cumprod_grad,),
    inplace=True,
    kinks=(0.0,),
    doc="at zeros: products of the other factors (no division)",
    conventions=(Convention(([0.0, 2.0, 3.0],), ([9.0, 0.0, 0.0],), (("dim", 0),)),),
)
RECORDS = (CUMSUM, CUMPROD)


def _scan(record: OpRecord, input: Tensor, dim: int, dtype: Any) -> Tensor:
    check_tensor(record.name, input)
    dim = one_dim(record.name, input, dim)
    if dtype is None:
        dtype = input.dtype if input.dtype.is_floating_point else dtypes.int64
    dtype = dtypes.resolve(dtype)
    backend = input._backend
    array = array_of(input, dtype, backend)
    if input.dim() == 0:
        out = backend.kernels["copy"](array)
    else:
        out = backend.kernels[record.kernel](array, dim)
        out = backend.kernels["astype"](out, backend.native_dtype(dtype))
    return finish(record, out, dtype, backend, (input,), {"dim": dim})


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sums along ``dim``; integers and bools sum as int64."""
    return _scan(CUMSUM, input, dim, dtype)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running products along ``dim``; integers and bools as int64."""
    return _scan(CUMPROD, input, dim, dtype)


FUNCTIONS = {"cumsum": cumsum, "cumprod": cumprod}
