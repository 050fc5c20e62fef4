"""The LU factorization with partial pivoting, with PyTorch's nodes:
``linalg.lu_factor``/``lu_factor_ex`` and the deprecated ``torch.lu``
(``LinalgLuFactorExBackward0``), ``linalg.lu`` (``LinalgLuBackward0``) and
``lu_unpack`` (``LuUnpackBackward0``). Real floating matrices ``(*, m, n)``, square or
not; pivots are 1-based int32 row swaps, as LAPACK's ``getrf`` (and PyTorch) give them.

The array API has no LU, so the forward is LAPACK's unblocked algorithm written in
retrograd's own ops (one batched step per column, on every backend): the pivot of each
column is its largest magnitude on or below the diagonal (the first one on ties), a zero
pivot is skipped and reported in ``info`` (1-based), as ``getrf`` does.

The rules (``A = P L U``, derived from ``dA = P (dL U + L dU)``), in differentiable ops
(second order works: under ``create_graph`` the factors are recomputed from ``A``):
square: ``gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T``; wide (m < n,
``U = [U1 U2]``): ``gA = P L^-T [(tril(L^T gL - gU2 U2^T, -1) + triu(gU1 U1^T)) U1^-T,
gU2]``; tall (m > n, ``L = [L1; L2]``): ``gA = P [L1^-T (tril(L1^T gL1, -1) +
triu(gU U^T - L2^T gL2)); gL2] U^-T``. The permutation has no gradient.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..grad_mode import state as _grad_state
from ..tensor import Tensor
from . import return_types
from .elementwise import where
from .helpers import check_tensor, not_implemented
from .joining import cat
from .linalg_checks import raise_on_info
from .linalg_triangular import solve_triangular
from .nodes import MultiOutputRecord, finish_outputs
from .record import LINALG


def _arange(like: Tensor, n: int) -> Tensor:
    """``0 .. n-1`` (int64) on ``like``'s backend."""
    backend = like._backend
    array = backend.kernels["arange"](0, n, 1, backend.native_dtype(dtypes.int64))
    return Tensor._make(array, dtypes.int64, backend)


def _swap(order: Tensor, j: int, p: Tensor) -> Tensor:
    """The positions ``order`` (*, m) gathers from: ``j`` and ``p`` (*, 1) exchanged."""
    rows = _arange(order, order.shape[-1])
    return where(rows == j, p, where(rows == p, j, rows))


def _check_input(op: str, A: Any) -> None:
    check_tensor(op.rpartition(".")[2], A, "A")
    if A.dim() < 2:
        raise RuntimeError(
            f"{op}: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead"
        )
    if A.dtype not in (dtypes.float32, dtypes.float64):
        raise not_implemented("lu", A._backend, A.dtype)


def _check_pivot(op: str, pivot: bool) -> None:
    if not pivot:
        raise RuntimeError(f"{op}: LU without pivoting is not implemented on the CPU")


def getrf(A: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """LAPACK ``getrf`` of each matrix of ``A`` (*, m, n), without a graph: ``(LU,
    pivots, info, order)`` with ``pivots`` (*, min(m, n)) 1-based int32, ``info`` (*)
    int32 and ``order`` (*, m) the rows of ``A`` that make ``P^T A`` (int64)."""
    *batch, m, n = A.shape
    with no_grad():
        a = A.detach().clone()
        rows, cols = _arange(a, m), _arange(a, n)
        order = rows.expand(*batch, m)
        info = rows.new_zeros(tuple(batch))
        pivots = []
        for j in range(min(m, n)):
            candidates = where(rows >= j, a.select(-1, j).abs(), -1.0)
            p = candidates.argmax(-1, keepdim=True)  # the first largest magnitude
            swap = _swap(order, j, p)
            a = a.gather(-2, swap.unsqueeze(-1).expand(*batch, m, n))
            order = order.gather(-1, swap)
            pivot = a.select(-2, j).select(-1, j)
            zero = pivot == 0  # getrf leaves the column as it is and reports j + 1
            info = where((info == 0) & zero, j + 1, info)
            below = rows > j
            factor = where(below, a.select(-1, j) / where(zero, 1.0, pivot).unsqueeze(-1), 0.0)
            trailing = where(cols > j, a.select(-2, j), 0.0)
            a = a - factor.unsqueeze(-1) * trailing.unsqueeze(-2)
            a = where(below.unsqueeze(-1) & (cols == j), factor.unsqueeze(-1), a)
            pivots.append(p)
        piv = cat(pivots, -1) + 1 if pivots else rows.new_zeros((*batch, 0))
    return a, piv.to(dtypes.int32), info.to(dtypes.int32), order


def _order_of(pivots: Tensor, m: int) -> Tensor:
    """The rows of ``A`` that make ``P^T A``, from LAPACK's row swaps ``pivots``."""
    rows = _arange(pivots, m)
    order = rows.expand(*pivots.shape[:-1], m)
    with no_grad():
        for j in range(pivots.shape[-1]):
            order = order.gather(-1, _swap(order, j, pivots.narrow(-1, j, 1).long() - 1))
    return order


def permutation(order: Tensor, dtype: dtypes.dtype) -> Tensor:
    """``P`` (*, m, m) with ``P^T A = A[order]``: ``P[order[i], i] = 1``."""
    rows = _arange(order, order.shape[-1])
    return (order.unsqueeze(-2) == rows.unsqueeze(-1)).to(dtype)


def _triangles(LU: Tensor) -> tuple[Tensor, Tensor]:  # noqa: N803 - PyTorch's name
    """The strict lower triangle (*, m, k) and the upper one (*, k, n) of ``LU`` (*, m, n),
    k = min(m, n); differentiable."""
    k = min(LU.shape[-2:])
    return LU.narrow(-1, 0, k).tril(-1), LU.narrow(-2, 0, k).triu()


def _unpacked(LU: Tensor) -> tuple[Tensor, Tensor]:  # noqa: N803 - PyTorch's name
    """``(L, U)`` of a packed factorization (*, m, n): L (*, m, k) unit lower
    triangular, U (*, k, n) upper triangular, k = min(m, n); differentiable."""
    strict, upper = _triangles(LU)
    eye = _arange(LU, strict.shape[-2]).unsqueeze(-1) == _arange(LU, strict.shape[-1])
    return strict + eye.to(LU.dtype), upper


def _zeros_or(g: Any, like: Tensor) -> Tensor:
    return like * 0.0 if g is None else g


def lu_grad(gl: Any, gu: Any, p: Tensor, lower: Tensor, upper: Tensor) -> Tensor:
    """The gradient of ``A = P L U`` from those of ``L`` and ``U`` (see the module)."""
    gl, gu = _zeros_or(gl, lower), _zeros_or(gu, upper)
    m, n = lower.shape[-2], upper.shape[-1]
    if m < n:
        u1, u2 = upper.narrow(-1, 0, m), upper.narrow(-1, m, n - m)
        gu1, gu2 = gu.narrow(-1, 0, m), gu.narrow(-1, m, n - m)
        core = (lower.mT @ gl - gu2 @ u2.mT).tril(-1) + (gu1 @ u1.mT).triu()
        right = cat([solve_triangular(u1.mT, core, upper=False, left=False), gu2], -1)
        return p @ solve_triangular(lower.mT, right, upper=True, unitriangular=True)
    l1, gl1 = lower.narrow(-2, 0, n), gl.narrow(-2, 0, n)
    core = (l1.mT @ gl1).tril(-1) + (gu @ upper.mT).triu()
    if m > n:
        l2, gl2 = lower.narrow(-2, n, m - n), gl.narrow(-2, n, m - n)
        core = core - (l2.mT @ gl2).triu()
    left = solve_triangular(l1.mT, core, upper=True, unitriangular=True)
    if m > n:
        left = cat([left, gl2], -2)
    return p @ solve_triangular(upper.mT, left, upper=False, left=False)


def _factors(a: Tensor, lu: Tensor, pivots: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """``(P, L, U)`` for the rule; recomputed from ``a`` (with a graph) under
    ``create_graph``, so that second-order gradients reach ``A``."""
    if _grad_state.enabled:
        lu = lu_factor_ex(a).LU
    lower, upper = _unpacked(lu)
    return permutation(_order_of(pivots, a.shape[-2]), a.dtype), lower, upper


def _lu_factor_grad(grads: tuple, a: Tensor, lu: Tensor, pivots: Tensor) -> tuple:
    p, lower, upper = _factors(a, lu, pivots)
    return (lu_grad(*_triangles(grads[0]), p, lower, upper),)


def _lu_grad(grads: tuple, a: Tensor, lu: Tensor, pivots: Tensor) -> tuple:
    p, lower, upper = _factors(a, lu, pivots)
    return (lu_grad(*(tuple(grads) + (None, None))[:2], p, lower, upper),)


def _lu_unpack_grad(grads: tuple, m: int, n: int) -> tuple:
    gl, gu = (tuple(grads) + (None, None))[:2]
    k = min(m, n)
    parts = []
    if gl is not None:
        gl = gl.tril(-1)
        parts.append(gl if k == n else cat([gl, gl.new_zeros((*gl.shape[:-1], n - k))], -1))
    if gu is not None:
        gu = gu.triu()
        parts.append(gu if k == m else cat([gu, gu.new_zeros((*gu.shape[:-2], m - k, n))], -2))
    return (parts[0] if len(parts) == 1 else parts[0] + parts[1],)


LU_FACTOR_EX = MultiOutputRecord(
    "linalg_lu_factor_ex", LINALG, "LinalgLuFactorExBackward0", "where",
    inputs=("A",), save=("A", "LU", "pivots"), grads=(_lu_factor_grad,), public="lu_factor_ex",
    method=False, float_only=True, doc="packed A = P L U; the rule of linalg.lu on its triangles",
)  # fmt: skip
LINALG_LU = MultiOutputRecord(
    "linalg_lu", LINALG, "LinalgLuBackward0", "where", inputs=("A",),
    save=("A", "LU", "pivots"), grads=(_lu_grad,), public="lu", method=False,
    float_only=True, doc="(P, L, U) with A = P L U; P has no gradient",
)  # fmt: skip
LU_UNPACK = MultiOutputRecord(
    "lu_unpack", LINALG, "LuUnpackBackward0", "where", inputs=("LU_data",), save=("m", "n"),
    grads=(_lu_unpack_grad,), method=False, float_only=True,
    doc="(P, L, U) of a packed LU: gLU = tril(gL, -1) + triu(gU)",
)  # fmt: skip
RECORDS = (LU_FACTOR_EX, LINALG_LU, LU_UNPACK)


def _factor_message(op: str):
    return lambda prefix, info: (
        f"torch.{op}: {prefix}U[{info},{info}] is zero and using it on lu_solve would result "
        "in a division by zero. If you still want to perform the factorization, consider "
        "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
    )


def _lu_factor(A: Tensor, op: str, pivot: bool, check_errors: bool) -> tuple:
    _check_input("torch.lu_factor", A)
    _check_pivot("linalg.lu_factor", pivot)
    lu, pivots, info, _ = getrf(A)
    if check_errors:
        backend = A._backend
        checked = raise_on_info(
            lu._storage.array, info._storage.array, backend, A.dim() > 2,
            _factor_message(op), RuntimeError,
        )  # fmt: skip
        lu = Tensor._make(checked, lu.dtype, backend)
    params = {"LU": lu.detach(), "pivots": pivots}
    (lu,) = finish_outputs(LU_FACTOR_EX, [lu], (A,), params)
    return lu, pivots, info


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False) -> Any:
    """``(LU, pivots, info)``: the LU factorization with partial pivoting ``A = P L U``
    packed in one matrix (L's strict lower triangle, U's upper one), LAPACK's 1-based
    int32 row swaps ``pivots`` and ``info`` (int32: k > 0 where ``U[k, k]`` is zero);
    raises for such a matrix instead where ``check_errors``."""
    return return_types.linalg_lu_factor_ex(
        *_lu_factor(A, "linalg.lu_factor_ex", pivot, check_errors)
    )


def lu_factor(A: Tensor, *, pivot: bool = True) -> Any:
    """``(LU, pivots)``: :func:`lu_factor_ex`, raising RuntimeError where a pivot of U is
    zero (the factorization is then of no use to ``lu_solve``)."""
    return return_types.linalg_lu_factor(*_lu_factor(A, "linalg.lu_factor", pivot, True)[:2])


def lu(A: Tensor, *, pivot: bool = True) -> Any:
    """``(P, L, U)`` with ``A = P L U``: P (*, m, m) a permutation, L (*, m, k) unit lower
    triangular, U (*, k, n) upper triangular, k = min(m, n). No error for a singular
    matrix."""
    _check_input("linalg.lu", A)
    _check_pivot("linalg.lu_factor", pivot)
    lu_data, pivots, _, order = getrf(A)
    with no_grad():
        lower, upper = _unpacked(lu_data)
    params = {"LU": lu_data, "pivots": pivots}
    lower, upper = finish_outputs(LINALG_LU, [lower, upper], (A,), params)
    return return_types.linalg_lu(permutation(order, A.dtype), lower, upper)


def lu_unpack(
    LU_data: Tensor,  # noqa: N803 - PyTorch's names
    LU_pivots: Tensor,  # noqa: N803
    unpack_data: bool = True,
    unpack_pivots: bool = True,
) -> Any:
    """``(P, L, U)`` from :func:`lu_factor`'s ``(LU, pivots)``; an empty P where not
    ``unpack_pivots``, empty L and U where not ``unpack_data``."""
    _check_input("torch.lu_unpack", LU_data)
    check_tensor("lu_unpack", LU_pivots, "LU_pivots")
    if LU_pivots.dtype is not dtypes.int32:
        raise RuntimeError(
            "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 "
            "dtype.\nNote: this function is intended to be used with the output produced by "
            "torch.linalg.lu_factor"
        )
    m, n = LU_data.shape[-2:]
    _check_pivot_range(LU_pivots, m)
    empty = LU_data.detach().new_zeros((0,))
    p = permutation(_order_of(LU_pivots, m), LU_data.dtype) if unpack_pivots else empty
    if not unpack_data:
        return return_types.lu_unpack(p, empty, empty.clone())
    with no_grad():
        lower, upper = _unpacked(LU_data.detach())
    lower, upper = finish_outputs(LU_UNPACK, [lower, upper], (LU_data,), {"m": m, "n": n})
    return return_types.lu_unpack(p, lower, upper)


def _check_pivot_range(pivots: Tensor, m: int) -> None:
    """PyTorch's RuntimeError for a pivot outside ``1..m``, raised by the backend's
    ``checked`` kernel (an eager backend checks now; a lazy one, Dask, skips the check,
    as nothing computes the checked array)."""
    bad = ((pivots < 1) | (pivots > m)).reshape(-1).any().to(dtypes.int64)
    message = lambda prefix, info: (  # noqa: E731
        "pivots passed to lu_unpack must be between 1 and LU.size(-2) inclusive."
        "Did you properly pass the result of lu_factor?"
    )
    raise_on_info(bad._storage.array, bad._storage.array, pivots._backend, False, message,
                  RuntimeError)  # fmt: skip


_LU_DEPRECATED = (
    "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and "
    "will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\n"
    "should be replaced with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
    "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\n"
    "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)"
)


def torch_lu(A: Tensor, pivot: bool = True, get_infos: bool = False) -> tuple:
    """``torch.lu`` (deprecated, with PyTorch's warning): ``(LU, pivots)``, plus ``info``
    where ``get_infos``; it does not raise for a singular matrix."""
    warnings.warn(_LU_DEPRECATED, UserWarning, stacklevel=2)
    lu_data, pivots, info = _lu_factor(A, "linalg.lu_factor_ex", pivot, False)
    return (lu_data, pivots, info) if get_infos else (lu_data, pivots)


FUNCTIONS = {"lu_unpack": lu_unpack, "lu": torch_lu}
