"""``linalg.ldl_factor``/``ldl_factor_ex``: the LDL^T factorization of symmetric matrices
with Bunch-Kaufman pivoting, as LAPACK's ``sytrf`` (lower triangle, read only) gives it
to PyTorch: ``LD`` holds L's strict lower triangle and the 1x1 and 2x2 blocks of D,
``pivots`` (int32) LAPACK's interchanges (k: a 1x1 block, rows k and pivots[k]
exchanged; -p on both columns of a 2x2 block: rows k + 1 and p), ``info`` the first zero
column (1-based). PyTorch has no derivative for it: its node is ``NotImplemented``.

LAPACK's unblocked algorithm (``sytf2``), written in retrograd's own ops over a batch:
each step decides, per matrix, on no step (the second column of a 2x2 block), a 1x1
pivot (with or without an interchange) or a 2x2 pivot, with LAPACK's tests and
arithmetic, and ``where`` keeps each matrix's choice.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..tensor import Tensor
from . import return_types
from .elementwise import where
from .linalg_checks import check_matrix, raise_on_info
from .linalg_lu import _arange
from .nodes import MultiOutputRecord, finish_outputs
from .record import LINALG

_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0  # Bunch-Kaufman's growth bound


LDL_FACTOR_EX = MultiOutputRecord(
    "linalg_ldl_factor_ex", LINALG, "NotImplemented", "where", inputs=("self",),
    public="ldl_factor_ex", method=False, float_only=True,
    no_derivative="linalg_ldl_factor_ex", doc="LDL^T with Bunch-Kaufman pivots (no derivative)",
)  # fmt: skip
RECORDS = (LDL_FACTOR_EX,)


def _column(a: Tensor, k: Any) -> Tensor:
    return a.select(-1, k) if isinstance(k, int) else a.gather(-1, k).squeeze(-1)


def _entry(a: Tensor, i: Tensor) -> Tensor:
    """``a[..., i, i]`` for a batch of indices ``i`` (*)."""
    return a.diagonal(0, -2, -1).gather(-1, i.unsqueeze(-1)).squeeze(-1)


def _choose(a: Tensor, k: int, rows: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """LAPACK's choice at column ``k``: ``(zero, kp, two)`` per matrix."""
    akk = a.select(-2, k).select(-1, k).abs()
    candidates = where(rows > k, a.select(-1, k).abs(), -1.0)
    imax = candidates.argmax(-1)
    colmax = candidates.amax(-1).clamp(min=0.0)
    row = a.gather(-2, imax[..., None, None].expand(*a.shape[:-2], 1, a.shape[-1])).squeeze(-2)
    off = (rows >= k) & (rows != imax.unsqueeze(-1))
    rowmax = where(off, row.abs(), -1.0).amax(-1).clamp(min=0.0)
    zero = (akk == 0) & (colmax == 0)
    safe = where(rowmax == 0, 1.0, rowmax)
    no_swap = zero | (akk >= _ALPHA * colmax) | (akk >= _ALPHA * colmax * (colmax / safe))
    two = ~no_swap & ~(_entry(a, imax).abs() >= _ALPHA * rowmax)
    return zero, where(no_swap, k, imax), two


def _interchange(a: Tensor, k: int, kk: Tensor, kp: Tensor, rows: Tensor) -> Tensor:
    """``a`` with rows and columns ``kk`` and ``kp`` exchanged in its trailing block."""
    idx = where(rows == kk.unsqueeze(-1), kp.unsqueeze(-1),
                where(rows == kp.unsqueeze(-1), kk.unsqueeze(-1), rows))  # fmt: skip
    shape = a.shape
    swapped = a.gather(-2, idx.unsqueeze(-1).expand(shape)).gather(
        -1, idx.unsqueeze(-2).expand(shape)
    )
    block = (rows >= k).unsqueeze(-1) & (rows >= k)
    return where(block, swapped, a)


def _one_by_one(a: Tensor, k: int, rows: Tensor) -> Tensor:
    """``sytf2``'s rank-1 update after a 1x1 pivot (``syr`` with ``-1/d``, then ``scal``)."""
    x = where(rows > k, a.select(-1, k), 0.0)
    d = a.select(-2, k).select(-1, k)
    d11 = 1.0 / where(d == 0, 1.0, d)  # a zero column is not updated (the caller skips it)
    temp = (-d11).unsqueeze(-1) * x
    trailing = (rows > k).unsqueeze(-1) & (rows > k)
    out = where(trailing, a + x.unsqueeze(-1) * temp.unsqueeze(-2), a)
    return where((rows > k).unsqueeze(-1) & (rows == k), (d11.unsqueeze(-1) * x).unsqueeze(-1), out)


def _two_by_two(a: Tensor, k: int, rows: Tensor) -> Tensor:
    """``sytf2``'s rank-2 update after a 2x2 pivot on columns ``k`` and ``k + 1``."""
    d21 = a.select(-2, k + 1).select(-1, k)
    d11 = a.select(-2, k + 1).select(-1, k + 1) / d21
    d22 = a.select(-2, k).select(-1, k) / d21
    d21 = (1.0 / (d11 * d22 - 1.0)) / d21
    ck, ck1 = a.select(-1, k), a.select(-1, k + 1)
    wk = d21.unsqueeze(-1) * (d11.unsqueeze(-1) * ck - ck1)
    wkp1 = d21.unsqueeze(-1) * (d22.unsqueeze(-1) * ck1 - ck)
    update = a - ck.unsqueeze(-1) * wk.unsqueeze(-2) - ck1.unsqueeze(-1) * wkp1.unsqueeze(-2)
    below = rows >= k + 2
    out = where(below.unsqueeze(-1) & below, update, a)
    out = where(below.unsqueeze(-1) & (rows == k), wk.unsqueeze(-1), out)
    return where(below.unsqueeze(-1) & (rows == k + 1), wkp1.unsqueeze(-1), out)


def _mirrored(a: Tensor) -> Tensor:
    """The symmetric matrix of ``a``'s lower triangle (LAPACK reads only that one)."""
    return a.tril() + a.tril(-1).mT


def sytrf(A: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """``(LD, pivots, info)`` of LAPACK's ``sytrf`` (lower), without a graph."""
    *batch, n, _ = A.shape
    with no_grad():
        a = _mirrored(A.detach())
        rows = _arange(a, n)
        skip = rows.new_zeros(tuple(batch)).bool()
        info, pivots = rows.new_zeros(tuple(batch)), rows.new_zeros((*batch, n))
        for k in range(n):
            active = ~skip
            zero, kp, two = _choose(a, k, rows)
            two = two & active
            kk = where(two, k + 1, k)
            a = where(active[..., None, None], _interchange(a, k, kk, kp, rows), a)
            updated = _one_by_one(a, k, rows)
            if k < n - 1:
                updated = where(two[..., None, None], _two_by_two(a, k, rows), updated)
            a = where((active & ~zero)[..., None, None], _mirrored(updated), a)
            info = where((info == 0) & active & zero, k + 1, info)
            code = where(two, -(kp + 1), kp + 1)
            here = active.unsqueeze(-1) & ((rows == k) | (two.unsqueeze(-1) & (rows == k + 1)))
            pivots = where(here, code.unsqueeze(-1), pivots)
            skip = two
    return a.tril(), pivots.to(dtypes.int32), info.to(dtypes.int32)


def _message(op: str):
    # PyTorch 2.13 reports a zero pivot of sytrf through an internal assert (no batch
    # element named): its text, so that code matching PyTorch's message keeps working.
    return lambda prefix, info: (
        'false INTERNAL ASSERT FAILED at "/__w/pytorch/pytorch/aten/src/ATen/native/'
        'BatchLinearAlgebra.cpp":1642, please report a bug to PyTorch. '
        f"torch.{op}: Unknown error code: {info}."
    )


def _ldl(A: Tensor, op: str, check_errors: bool) -> tuple[Tensor, Tensor, Tensor]:
    check_matrix("torch.linalg.ldl_factor_ex", A)
    ld, pivots, info = sytrf(A)
    if check_errors:
        backend = A._backend
        array = ld._storage.array
        checked = raise_on_info(array, info._storage.array, backend, False, _message(op),
                                RuntimeError)  # fmt: skip
        ld = Tensor._make(checked, ld.dtype, backend)
    (ld,) = finish_outputs(LDL_FACTOR_EX, [ld], (A,))
    return ld, pivots, info


def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False) -> Any:
    """``(LD, pivots, info)``: the LDL^T factorization of each symmetric matrix (its
    lower triangle read) with Bunch-Kaufman pivoting, as LAPACK's ``sytrf`` stores it
    (see the module); ``hermitian`` changes nothing for real matrices."""
    return return_types.linalg_ldl_factor_ex(*_ldl(A, "linalg.ldl_factor_ex", check_errors))


def ldl_factor(A: Tensor, *, hermitian: bool = False) -> Any:
    """``(LD, pivots)``: :func:`ldl_factor_ex` without ``info``, raising RuntimeError
    where a column is zero."""
    return return_types.linalg_ldl_factor(*_ldl(A, "linalg.ldl_factor", True)[:2])
