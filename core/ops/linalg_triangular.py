"""Solves with triangular and Cholesky factors, with PyTorch's nodes:
``linalg.solve_triangular`` (``LinalgSolveTriangularBackward0``), ``cholesky_solve``
(``CholeskySolveBackward0``) and ``cholesky_inverse`` (``CholeskyInverseBackward0``).

The forward reads the factor's triangle and solves through the backend's
``linalg_solve`` kernel (no triangular kernel: the contract stays small). As in PyTorch,
none of them checks for singularity (a zero on the diagonal gives inf or nan, no
error). The rules are PyTorch's, in differentiable ops (second order works): for
``A X = B`` with A triangular, ``gB = A^-T gX`` and ``gA = -gB X^T`` kept on A's
triangle; for ``X = (L L^T)^-1 B``, ``gB = (L L^T)^-1 gX`` and
``gL = -(gB X^T + X gB^T) L``; for ``(L L^T)^-1``, ``gL = -(A^-1 (g + g^T) A^-1) L``.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .dispatch import broadcast_shapes, finish
from .linalg_checks import check_matrix
from .record import LINALG, OpRecord


def _on_triangle(t: Tensor, upper: bool, unitriangular: bool) -> Tensor:
    """``t`` on the triangle a triangular solve reads (without the diagonal where it is
    taken as ones)."""
    return t.triu(int(unitriangular)) if upper else t.tril(-int(unitriangular))


def _triangular_b_grad(g: Tensor, a: Tensor, x: Tensor, upper: bool, left: bool, unit: bool):
    return solve_triangular(a.mT, g, upper=not upper, left=left, unitriangular=unit)


def _triangular_a_grad(g: Tensor, a: Tensor, x: Tensor, upper: bool, left: bool, unit: bool):
    gb = _triangular_b_grad(g, a, x, upper, left, unit)
    return _on_triangle(-(gb @ x.mT) if left else -(x.mT @ gb), upper, unit)


def _factor_times_transpose(l: Tensor, upper: bool) -> Tensor:  # noqa: E741
    return l.mT @ l if upper else l @ l.mT


def _cholesky_solve_b_grad(g: Tensor, l: Tensor, x: Tensor, upper: bool) -> Tensor:  # noqa: E741
    return cholesky_solve(g, l, upper)


def _cholesky_solve_l_grad(g: Tensor, l: Tensor, x: Tensor, upper: bool) -> Tensor:  # noqa: E741
    gb = cholesky_solve(g, l, upper)
    common = gb @ x.mT
    common = common + common.mT
    return -(l @ common) if upper else -(common @ l)


def _cholesky_inverse_grad(g: Tensor, l: Tensor, inverse: Tensor, upper: bool) -> Tensor:  # noqa: E741
    common = inverse @ (g + g.mT) @ inverse
    return -(l @ common) if upper else -(common @ l)


SOLVE_TRIANGULAR = OpRecord(
    "linalg_solve_triangular", LINALG, "LinalgSolveTriangularBackward0", "linalg_solve",
    inputs=("self", "B"), save=("self", "result", "upper", "left", "unitriangular"),
    grads=(_triangular_a_grad, _triangular_b_grad), method=False, float_only=True,
    doc="A X = B (or X A = B) with A's triangle; gA = -gB X^T on that triangle",
)  # fmt: skip
CHOLESKY_SOLVE = OpRecord(
    "cholesky_solve", LINALG, "CholeskySolveBackward0", "linalg_solve",
    inputs=("self", "input2"), save=("input2", "result", "upper"),
    grads=(_cholesky_solve_b_grad, _cholesky_solve_l_grad), float_only=True,
    doc="X = (L L^T)^-1 B for a Cholesky factor L (U^T U where upper)",
)  # fmt: skip
CHOLESKY_INVERSE = OpRecord(
    "cholesky_inverse", LINALG, "CholeskyInverseBackward0", "linalg_inv",
    save=("self", "result", "upper"), grads=(_cholesky_inverse_grad,), float_only=True,
    doc="(L L^T)^-1 for a Cholesky factor L (U^T U where upper)",
)  # fmt: skip
RECORDS = (SOLVE_TRIANGULAR, CHOLESKY_SOLVE, CHOLESKY_INVERSE)


def _solved(a: Any, b: Tensor, op: str, transposed: bool = False) -> Any:
    """``a^-1 b`` (``a`` an array, the batches broadcast), as an array; its transpose
    where ``transposed``."""
    k = b._backend.kernels
    broadcast_shapes(op, tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    x, _ = k["linalg_solve"](a, b._storage.array)
    return k["matrix_transpose"](x) if transposed else x


def _check_pair(op: str, first: Tensor, second: Tensor, names: tuple[str, str]) -> None:
    for name, t in zip(names, (first, second)):
        check_matrix(op, t, square=name in ("A", "input2"), name=name)
    if first.dtype is not second.dtype:
        raise RuntimeError(
            f"{op}: Expected {names[0]} and {names[1]} to have the same dtype, but found "
            f"{dtypes.kind_name(first.dtype)} and {dtypes.kind_name(second.dtype)} instead"
        )


def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """``X`` with ``A X = B`` (``left=False``: ``X A = B``), reading only A's upper or
    lower triangle (its diagonal taken as ones where ``unitriangular``)."""
    op = "linalg.solve_triangular"
    _check_pair(op, A, B, ("A", "B"))
    tri = A.detach()
    tri = tri.triu() if upper else tri.tril()
    if unitriangular:
        tri = _on_triangle(tri, upper, True) + _identity(tri)
    k = A._backend.kernels
    a, b = tri._storage.array, B
    if not left:  # X A = B is A^T X^T = B^T
        a, b = k["matrix_transpose"](a), B.detach().mT
    params = {"upper": upper, "left": left, "unitriangular": unitriangular}
    x = _solved(a, b, op, transposed=not left)
    return finish(SOLVE_TRIANGULAR, x, B.dtype, B._backend, (A, B), params)


def _identity(like: Tensor) -> Tensor:
    n = like.shape[-1]
    return like.new_ones(n).diag_embed()


def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False) -> Tensor:
    """``(L L^T)^-1 B`` (``U^T U`` where ``upper``) for ``B`` = ``input`` and the
    Cholesky factor ``L`` = ``input2``; the batches broadcast."""
    _check_pair("cholesky_solve", input, input2, ("input", "input2"))
    a = _factor_times_transpose(input2.detach(), upper)._storage.array
    x = _solved(a, input, "cholesky_solve")
    return finish(CHOLESKY_SOLVE, x, input.dtype, input._backend, (input, input2), {"upper": upper})


def cholesky_inverse(input: Tensor, upper: bool = False) -> Tensor:
    """``(L L^T)^-1`` (``U^T U`` where ``upper``) for the Cholesky factor ``input``."""
    check_matrix("cholesky_inverse", input)
    backend = input._backend
    a = _factor_times_transpose(input.detach(), upper)._storage.array
    out, _ = backend.kernels["linalg_inv"](a)
    return finish(CHOLESKY_INVERSE, out, input.dtype, backend, (input,), {"upper": upper})


FUNCTIONS = {"cholesky_solve": cholesky_solve, "cholesky_inverse": cholesky_inverse}
