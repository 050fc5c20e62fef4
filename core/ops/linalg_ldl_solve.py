"""``linalg.ldl_solve``: solves ``A X = B`` with the factorization of
``linalg.ldl_factor``, as LAPACK's ``sytrs`` (lower) does it for PyTorch. PyTorch has no
derivative for it: its node is ``NotImplemented``.

``A = L D L^T`` with ``L`` the product of the interchanges and unit lower block steps of
``sytrf``; the solve runs those steps forward (interchange, eliminate below, divide by
the 1x1 or 2x2 block of D), then backward with ``L^T``. Each matrix of a batch has its
own blocks, so each step computes the 1x1 and the 2x2 variant and ``where`` keeps the
one the pivots name (a 2x2 block's second column is skipped).
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..tensor import Tensor
from .elementwise import where
from .helpers import check_tensor
from .linalg_checks import check_matrix, check_pivots_shape, check_right_side
from .linalg_lu import _arange, _swap
from .nodes import MultiOutputRecord, finish_outputs
from .record import LINALG

LDL_SOLVE = MultiOutputRecord(
    "linalg_ldl_solve", LINALG, "NotImplemented", "where", inputs=("LD", "B"),
    public="ldl_solve", method=False, float_only=True, no_derivative="linalg_ldl_solve",
    doc="solve with an LDL^T factorization (no derivative)",
)  # fmt: skip
RECORDS = (LDL_SOLVE,)


def _swapped(b: Tensor, k: int, p: Tensor) -> Tensor:
    """``b`` (*, n, r) with rows ``k`` and ``p`` (*) exchanged."""
    order = _arange(b, b.shape[-2]).expand(*b.shape[:-1])
    idx = _swap(order, k, p.unsqueeze(-1))
    return b.gather(-2, idx.unsqueeze(-1).expand(b.shape))


def _eliminate(b: Tensor, column: Tensor, row: Tensor, below: Tensor) -> Tensor:
    """``b[below] -= column[below] row``: ``column`` (*, n), ``row`` (*, r)."""
    return b - where(below, column, 0.0).unsqueeze(-1) * row.unsqueeze(-2)


def _set_rows(b: Tensor, rows: Tensor, values: dict[int, Tensor]) -> Tensor:
    for k, value in values.items():
        b = where((rows == k).unsqueeze(-1), value.unsqueeze(-2), b)
    return b


def _forward_one(ld: Tensor, b: Tensor, k: int, p: Tensor, rows: Tensor) -> Tensor:
    b = _swapped(b, k, p)
    b = _eliminate(b, ld.select(-1, k), b.select(-2, k), rows > k)
    d = ld.select(-2, k).select(-1, k)
    return _set_rows(b, rows, {k: b.select(-2, k) / d.unsqueeze(-1)})


def _forward_two(ld: Tensor, b: Tensor, k: int, p: Tensor, rows: Tensor) -> Tensor:
    b = _swapped(b, k + 1, p)
    b0, b1 = b.select(-2, k), b.select(-2, k + 1)
    b = _eliminate(b, ld.select(-1, k), b0, rows > k + 1)
    b = _eliminate(b, ld.select(-1, k + 1), b1, rows > k + 1)
    akm1k = ld.select(-2, k + 1).select(-1, k).unsqueeze(-1)
    akm1 = ld.select(-2, k).select(-1, k).unsqueeze(-1) / akm1k
    ak = ld.select(-2, k + 1).select(-1, k + 1).unsqueeze(-1) / akm1k
    denom = akm1 * ak - 1.0
    bkm1, bk = b0 / akm1k, b1 / akm1k
    return _set_rows(b, rows, {k: (ak * bkm1 - bk) / denom, k + 1: (akm1 * bk - bkm1) / denom})


def _dot_below(ld: Tensor, b: Tensor, k: int, j: int, rows: Tensor) -> Tensor:
    """``sum_{i > k} ld[i, j] b[i]`` (*, r)."""
    return (where(rows > k, ld.select(-1, j), 0.0).unsqueeze(-1) * b).sum(-2)


def _backward(ld: Tensor, b: Tensor, k: int, p: Tensor, two: Tensor, rows: Tensor) -> Tensor:
    values = {k: b.select(-2, k) - _dot_below(ld, b, k, k, rows)}
    if k > 0:
        second = b.select(-2, k - 1) - _dot_below(ld, b, k, k - 1, rows)
        values[k - 1] = where(two.unsqueeze(-1), second, b.select(-2, k - 1))
    return _swapped(_set_rows(b, rows, values), k, p)


def sytrs(ld: Tensor, pivots: Tensor, b: Tensor) -> Tensor:
    """``X`` of LAPACK's ``sytrs`` (lower), without a graph."""
    n = ld.shape[-1]
    with no_grad():
        rows, piv = _arange(b, n), pivots.long()
        skip = piv.select(-1, 0) != piv.select(-1, 0)
        for k in range(n):
            p = piv.select(-1, k)
            two = (p < 0) & ~skip
            kp = where(p > 0, p - 1, -p - 1)
            step = _forward_one(ld, b, k, kp, rows)
            if k < n - 1:
                step = where(two[..., None, None], _forward_two(ld, b, k, kp, rows), step)
            b, skip = where(skip[..., None, None], b, step), two
        skip = piv.select(-1, 0) != piv.select(-1, 0)
        for k in reversed(range(n)):
            p = piv.select(-1, k)
            kp = where(p > 0, p - 1, -p - 1)
            step = _backward(ld, b, k, kp, (p < 0) & ~skip, rows)
            b, skip = where(skip[..., None, None], b, step), (p < 0) & ~skip
    return b


def _check(LD: Any, pivots: Any, B: Any) -> None:  # noqa: N803 - PyTorch's names
    op = "torch.linalg.ldl_solve"
    check_matrix(op, LD)
    check_tensor("ldl_solve", pivots, "pivots")
    check_tensor("ldl_solve", B, "B")
    if B.dim() < 2:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [-{max(B.dim(), 1)}, "
            f"{max(B.dim(), 1) - 1}], but got -2)"
        )
    if pivots.dtype.is_floating_point or pivots.dtype == dtypes.bool:
        raise RuntimeError(
            f"{op}: Expected pivots to be integers. Got {dtypes.kind_name(pivots.dtype)}"
        )
    check_pivots_shape(op, LD, pivots, "LD")
    _check_b(op, LD, B)


def _check_b(op: str, LD: Tensor, B: Tensor) -> None:  # noqa: N803
    if LD.dtype != B.dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type "
            f"{dtypes.kind_name(B.dtype)} and A of type {dtypes.kind_name(LD.dtype)} instead."
        )
    check_right_side(LD, B, op)


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False) -> Tensor:  # noqa: N803
    """``X`` with ``A X = B`` for ``(LD, pivots)`` from :func:`ldl_factor` of ``A``
    (batches broadcast); ``hermitian`` changes nothing for real matrices."""
    _check(LD, pivots, B)
    batch = _broadcast(LD.shape[:-2], pivots.shape[:-1], B.shape[:-2])
    n = LD.shape[-1]
    ld = LD.detach().expand(*batch, n, n)
    piv = pivots.expand(*batch, n)
    b = B.detach().expand(*batch, *B.shape[-2:])
    (x,) = finish_outputs(LDL_SOLVE, [sytrs(ld, piv, b)], (LD, B))
    return x


def _broadcast(*shapes: Any) -> tuple[int, ...]:
    out: tuple[int, ...] = ()
    for shape in shapes:
        width = max(len(out), len(shape))
        a = (1,) * (width - len(out)) + tuple(out)
        c = (1,) * (width - len(shape)) + tuple(shape)
        out = tuple(x if y == 1 else y for x, y in zip(a, c))
    return out
