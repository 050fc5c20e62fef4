"""Solves with an LU factorization, with PyTorch's node: ``linalg.lu_solve``
(``LinalgLuSolveBackward0``) and the deprecated ``torch.lu_solve``.

For ``A = P L U`` given packed (``linalg.lu_factor``), the forward permutes ``B`` and
solves with the two triangles through the backend's ``linalg_solve`` kernel, as
``linalg.solve_triangular`` does; as in PyTorch a zero pivot is not checked (inf or nan
come out). The rules, in differentiable ops (second order works): with ``op(A)`` the
matrix solved with (``A^T`` where ``adjoint``), ``gB`` is the solve of the gradient with
``op(A)^T``; the gradient reaching ``A`` (``gA = -gB X^T`` for ``A X = B``; transposed
and mirrored for ``adjoint`` and ``left=False``) goes to the packed factors as
``tril(P^T gA U^T, -1) + triu(L^T P^T gA)``.
"""

from __future__ import annotations

import warnings

from .. import dtypes
from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import broadcast_shapes, finish
from .helpers import check_tensor
from .linalg_checks import check_pivots_shape
from .linalg_lu import _order_of, _unpacked, permutation
from .linalg_triangular import solve_triangular
from .record import LINALG, OpRecord


def _matrix_grad(gb: Tensor, x: Tensor, left: bool, adjoint: bool) -> Tensor:
    """The gradient reaching ``A`` from ``gB`` and the solution ``X``."""
    if left:
        return -(x @ gb.mT) if adjoint else -(gb @ x.mT)
    return -(gb.mT @ x) if adjoint else -(x.mT @ gb)


def _lu_grad(g: Tensor, lu: Tensor, pivots: Tensor, x: Tensor, left: bool, adjoint: bool):
    gb = lu_solve(lu, pivots, g, left=left, adjoint=not adjoint)
    ga = _matrix_grad(gb, x, left, adjoint)
    p = permutation(_order_of(pivots, lu.shape[-1]), lu.dtype)
    lower, upper = _unpacked(lu)
    pga = p.mT @ ga
    return (pga @ upper.mT).tril(-1) + (lower.mT @ pga).triu()


def _b_grad(g: Tensor, lu: Tensor, pivots: Tensor, x: Tensor, left: bool, adjoint: bool):
    return lu_solve(lu, pivots, g, left=left, adjoint=not adjoint)


LU_SOLVE = OpRecord(
    "linalg_lu_solve", LINALG, "LinalgLuSolveBackward0", "linalg_solve", inputs=("LU", "B"),
    save=("LU", "pivots", "result", "left", "adjoint"), grads=(_lu_grad, _b_grad),
    public="lu_solve", method=False, float_only=True,
    doc="X with A X = B for A = P L U packed; gB solves with A^T, gA = -gB X^T",
)  # fmt: skip
RECORDS = (LU_SOLVE,)


def _check(LU: Tensor, pivots: Tensor, B: Tensor, left: bool) -> None:  # noqa: N803
    op = "linalg.lu_solve"
    for name, t in (("LU", LU), ("pivots", pivots), ("B", B)):
        check_tensor(op.rpartition(".")[2], t, name)
    for name, t in (("LU", LU), ("B", B)):
        if t.dim() < 2:
            raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if LU.shape[-1] != LU.shape[-2]:
        raise RuntimeError(
            f"torch.{op}: A must be batches of square matrices, but they are "
            f"{LU.shape[-2]} by {LU.shape[-1]} matrices"
        )
    _check_shapes(op, LU, pivots, B, left)
    if LU.dtype is not B.dtype:
        raise RuntimeError(
            f"{op}: Expected LU and B to have the same dtype, but found LU of type "
            f"{dtypes.kind_name(LU.dtype)} and B of type {dtypes.kind_name(B.dtype)} instead"
        )
    if pivots.dtype is not dtypes.int32:
        raise RuntimeError(f"{op}: pivots should be a Tensor of scalar type torch.int32")


def _check_shapes(op: str, LU: Tensor, pivots: Tensor, B: Tensor, left: bool) -> None:  # noqa: N803
    n = LU.shape[-1]
    rows = B.shape[-2] if left else B.shape[-1]
    if rows != n:
        equation, shape = ("AX = B", B.shape[-2:]) if left else ("XA = B", B.shape[-2:])
        raise RuntimeError(
            f"{op}: Incompatible shapes of A and B for the equation {equation} "
            f"({n}x{n} and {shape[0]}x{shape[1]})"
        )
    if pivots.shape[-1:] != LU.shape[-1:]:
        raise RuntimeError(
            f"{op}: Number of pivots per batch should be same as the dimension of the matrix"
        )
    check_pivots_shape(op, LU, pivots, "LU")


def _solved(lu: Tensor, pivots: Tensor, b: Tensor, adjoint: bool) -> Tensor:
    """``A^-1 b`` (``A^-T b`` where ``adjoint``) for ``A = P L U``, without a graph."""
    p = permutation(_order_of(pivots, lu.shape[-1]), lu.dtype)
    if adjoint:  # A^T = U^T L^T P^T
        y = solve_triangular(lu.mT, b, upper=False)
        return p @ solve_triangular(lu.mT, y, upper=True, unitriangular=True)
    y = solve_triangular(lu, p.mT @ b, upper=False, unitriangular=True)
    return solve_triangular(lu, y, upper=True)


def lu_solve(
    LU: Tensor,  # noqa: N803 - PyTorch's name
    pivots: Tensor,
    B: Tensor,  # noqa: N803
    *,
    left: bool = True,
    adjoint: bool = False,
) -> Tensor:
    """``X`` with ``A X = B`` for ``A = P L U`` given by :func:`linalg.lu_factor`'s
    ``(LU, pivots)`` (``adjoint``: ``A^T X = B``; ``left=False``: ``X A = B``); the
    batches broadcast."""
    _check(LU, pivots, B, left)
    broadcast_shapes("linalg.lu_solve", tuple(LU.shape[:-2]), tuple(B.shape[:-2]))
    with no_grad():
        lu, b = LU.detach(), B.detach()
        x = _solved(lu, pivots, b, adjoint) if left else _solved(lu, pivots, b.mT, not adjoint).mT
    params = {"pivots": pivots, "left": left, "adjoint": adjoint}
    return finish(LU_SOLVE, x.contiguous()._storage.array, B.dtype, B._backend, (LU, B), params)


_LU_SOLVE_DEPRECATED = (
    "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a "
    "future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\n"
    "X = torch.lu_solve(B, LU, pivots)\nshould be replaced with\n"
    "X = torch.linalg.lu_solve(LU, pivots, B)"
)


def torch_lu_solve(input: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:  # noqa: N803
    """``torch.lu_solve(B, LU, pivots)`` (deprecated, with PyTorch's warning): the
    arguments of :func:`lu_solve` reversed."""
    warnings.warn(_LU_SOLVE_DEPRECATED, UserWarning, stacklevel=2)
    return lu_solve(LU_data, LU_pivots, input)


FUNCTIONS = {"lu_solve": torch_lu_solve}
