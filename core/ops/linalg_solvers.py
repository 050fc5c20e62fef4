"""Determinants, inverses, linear solves and the Cholesky factorization, with PyTorch's
nodes: ``det`` (``LinalgDetBackward0``), ``slogdet`` (``LinalgSlogdetBackward0``),
``inverse``/``linalg.inv``/``linalg.inv_ex`` (``LinalgInvExBackward0``),
``linalg.solve``/``solve_ex`` (``LinalgSolveExBackward0``), ``linalg.cholesky``/
``cholesky_ex`` (``LinalgCholeskyExBackward0``) and the deprecated ``torch.cholesky``
(``CholeskyBackward0``). ``logdet`` and ``matrix_power`` are composed as PyTorch composes
them. Real floating matrices only (retrograd has no complex dtype).

The rules are PyTorch's formulas, written in differentiable ops (second order works):
``d det = det * A^-T``, ``d log|det| = A^-T``, ``d A^-1 = -A^-T g A^-T``; for
``X = A^-1 B``: ``gB = A^-T g``, ``gA = -gB X^T``; for ``A = L L^T``:
``gA = L^-T Phi(L^T gL) L^-1`` (Phi: the lower triangle, its diagonal halved, mirrored).
The determinant's gradient at an exactly singular matrix needs ``A^-1`` and raises
LinAlgError (PyTorch's goes through an SVD there).
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import dtypes
from ..tensor import Tensor
from . import return_types
from .dispatch import finish
from .elementwise import where
from .linalg_checks import (
    check_matrix,
    not_positive_definite_message,
    raise_on_info,
    singular_message,
    solver_message,
)
from .linalg_more import _eye_mask
from .nodes import MultiOutputRecord, finish_outputs
from .record import LINALG, OpRecord, composite


def _matrix_scale(v: Tensor) -> Tensor:
    """A batch of numbers as a batch of 1x1 matrices (to scale each matrix)."""
    return v.unsqueeze(-1).unsqueeze(-1)


def _det_grad(g: Tensor, a: Tensor, result: Tensor) -> Tensor:
    return _matrix_scale(g * result) * inverse(a).mT


def _slogdet_grad(grads: tuple, a: Tensor, sign: Tensor, logabsdet: Tensor) -> tuple:
    g = grads[1] if len(grads) > 1 else None
    if g is None:  # the sign of a real determinant is locally constant
        return (a * 0.0,)
    return (_matrix_scale(g) * inverse(a).mT,)


def _inverse_grad(g: Tensor, result: Tensor) -> Tensor:
    transposed = result.mT
    return -(transposed @ g @ transposed)


def _solve_grads(grads: tuple, a: Tensor, x: Tensor, vector: bool, left: bool) -> tuple:
    g = grads[0]
    if not left:  # X A = B is A^T X^T = B^T
        ga, gb = _solve_grads((g.mT,), a.mT, x.mT, False, True)
        return ga.mT, gb.mT
    gb = solve(a.mT, g)
    ga = -(gb.unsqueeze(-1) * x.unsqueeze(-2)) if vector else -(gb @ x.mT)
    return ga, gb


def _cholesky_grad(g: Tensor, lower: Tensor, upper: bool) -> Tensor:
    if upper:  # the factor is U = L^T
        g, lower = g.mT, lower.mT
    product = (lower.mT @ g).tril()
    phi = 0.5 * (product + product.tril(-1).mT)
    lower_inverse = inverse(lower)
    return lower_inverse.mT @ phi @ lower_inverse


DET = OpRecord(
    "det", LINALG, "LinalgDetBackward0", "linalg_det", save=("self", "result"),
    grads=(_det_grad,), float_only=True, doc="d/dA = det(A) * A^-T (A invertible)",
)  # fmt: skip
SLOGDET = MultiOutputRecord(
    "slogdet", LINALG, "LinalgSlogdetBackward0", "linalg_slogdet",
    save=("self", "sign", "logabsdet"), grads=(_slogdet_grad,), float_only=True,
    doc="(sign, log|det|); d log|det| / dA = A^-T, the sign has none",
)  # fmt: skip
INVERSE = OpRecord(
    "inverse", LINALG, "LinalgInvExBackward0", "linalg_inv", save=("result",),
    grads=(_inverse_grad,), float_only=True, doc="d/dA = -A^-T grad A^-T",
)  # fmt: skip
SOLVE = MultiOutputRecord(
    "linalg_solve_ex", LINALG, "LinalgSolveExBackward0", "linalg_solve", inputs=("A", "B"),
    save=("A", "result", "vector", "left"), grads=(_solve_grads,), method=False, float_only=True,
    doc="X = A^-1 B; gB = A^-T grad, gA = -gB X^T",
)  # fmt: skip
CHOLESKY_EX = OpRecord(
    "linalg_cholesky_ex", LINALG, "LinalgCholeskyExBackward0", "linalg_cholesky",
    save=("result", "upper"), grads=(_cholesky_grad,), method=False, float_only=True,
    doc="A = L L^T (the lower triangle read); gA = L^-T Phi(L^T grad) L^-1",
)  # fmt: skip
CHOLESKY = OpRecord(
    "cholesky", LINALG, "CholeskyBackward0", "linalg_cholesky", save=("result", "upper"),
    grads=(_cholesky_grad,), float_only=True, doc="torch.cholesky (deprecated): linalg's rule",
)  # fmt: skip
RECORDS = (DET, SLOGDET, INVERSE, SOLVE, CHOLESKY_EX, CHOLESKY)


def _info_tensor(info: Any, backend: Any) -> Tensor:
    """LAPACK's ``info`` as PyTorch returns it: int32."""
    array = backend.kernels["astype"](info, backend.native_dtype(dtypes.int32))
    return Tensor._make(array, dtypes.int32, backend)


def det(A: Tensor) -> Tensor:
    """The determinant of each matrix of ``A`` (*, n, n)."""
    check_matrix("linalg.det", A)
    backend = A._backend
    out = backend.kernels["linalg_det"](A._storage.array)
    return finish(DET, out, A.dtype, backend, (A,))


def _slogdet(A: Tensor, op: str) -> tuple[Tensor, Tensor]:
    check_matrix(op, A)
    backend = A._backend
    sign, logabsdet = backend.kernels["linalg_slogdet"](A._storage.array)
    outs = [Tensor._make(sign, A.dtype, backend), Tensor._make(logabsdet, A.dtype, backend)]
    params = {"sign": outs[0].detach(), "logabsdet": outs[1].detach()}
    return finish_outputs(SLOGDET, outs, (A,), params)


def slogdet(A: Tensor) -> Any:
    """``(sign, logabsdet)``: the sign of the determinant and the log of its magnitude."""
    return return_types.slogdet(*_slogdet(A, "linalg.slogdet"))


def linalg_slogdet(A: Tensor) -> Any:
    """``torch.linalg.slogdet``: :func:`slogdet` as ``torch.return_types.linalg_slogdet``."""
    return return_types.linalg_slogdet(*_slogdet(A, "linalg.slogdet"))


@composite()
def logdet(A: Tensor) -> Tensor:
    """log(det(A)): nan where the determinant is negative, -inf where it is 0 (PyTorch's
    ``where(sign == -1, nan, logabsdet)``)."""
    sign, logabsdet = _slogdet(A, "linalg.slogdet")
    return where(sign == -1, float("nan"), logabsdet)


def _inverse(A: Tensor, op: str, check_errors: bool) -> tuple[Tensor, Tensor]:
    check_matrix(op, A)
    backend = A._backend
    out, info = backend.kernels["linalg_inv"](A._storage.array)
    if check_errors:
        out = raise_on_info(out, info, backend, A.dim() > 2, singular_message(op))
    return finish(INVERSE, out, A.dtype, backend, (A,)), _info_tensor(info, backend)


def inverse(A: Tensor) -> Tensor:
    """The inverse of each matrix; LinAlgError where one is singular."""
    return _inverse(A, "linalg.inv", True)[0]


def inv_ex(A: Tensor, *, check_errors: bool = False) -> Any:
    """``(inverse, info)``: ``info`` (int32) is LAPACK's, nonzero for a singular matrix
    (whose inverse is then not meaningful); raises instead where ``check_errors``."""
    return return_types.linalg_inv_ex(*_inverse(A, "linalg.inv_ex", check_errors))


def _is_vector_rhs(A: Tensor, B: Tensor) -> bool:
    """PyTorch's rule: ``B`` is a (batch of) vector(s), not matrices."""
    return B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def _check_solve(op: str, A: Tensor, B: Tensor, vector: bool) -> None:
    check_matrix(op, A)
    if not isinstance(B, Tensor) or B.dim() < 1:
        raise RuntimeError(f"{op}: The input tensor B must have at least 1 dimensions.")
    if A.dtype is not B.dtype:
        raise RuntimeError(
            f"{op}: Expected A and B to have the same dtype, but found A of type "
            f"{dtypes.kind_name(A.dtype)} and B of type {dtypes.kind_name(B.dtype)} instead"
        )
    rows = B.shape[-1] if vector else B.shape[-2]
    if rows != A.shape[-1]:
        columns = 1 if vector else B.shape[-1]
        raise RuntimeError(
            f"{op}: Incompatible shapes of A and B for the equation AX = B "
            f"({A.shape[-2]}x{A.shape[-1]} and {rows}x{columns})"
        )


def _solve(
    A: Tensor, B: Tensor, op: str, check_errors: bool, left: bool = True
) -> tuple[Tensor, Tensor]:
    vector = left and _is_vector_rhs(A, B)
    _check_solve(op, A, B, vector) if left else _check_solve(op, A.mT, B.mT, False)
    backend = A._backend
    k = backend.kernels
    a, b = A._storage.array, B._storage.array
    if not left:  # X A = B is A^T X^T = B^T
        a, b = k["matrix_transpose"](a), k["matrix_transpose"](b)
    out, info = k["linalg_solve"](a, k["expand_dims"](b, -1) if vector else b)
    if vector:
        out = k["reshape"](out, out.shape[:-1])
    elif not left:
        out = k["matrix_transpose"](out)
    if check_errors:
        out = raise_on_info(out, info, backend, False, solver_message(f"torch.{op}"))
    x = Tensor._make(out, A.dtype, backend)
    x = finish_outputs(SOLVE, [x], (A, B), {"vector": vector, "left": left})[0]
    return x, _info_tensor(info, backend)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """``X`` with ``A X = B`` (``left=False``: ``X A = B``); ``B`` a (batch of) vector(s)
    or matrices, the batches broadcast. LinAlgError where ``A`` is singular."""
    return _solve(A, B, "linalg.solve", True, left)[0]


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False) -> Any:
    """``(result, info)``: :func:`solve` with LAPACK's ``info`` (int32) instead of an
    error, unless ``check_errors``."""
    return return_types.linalg_solve_ex(*_solve(A, B, "linalg.solve_ex", check_errors, left))


def _cholesky(A: Tensor, op: str, upper: bool, check_errors: bool, record: OpRecord):
    check_matrix(op, A)
    backend = A._backend
    k = backend.kernels
    out, info = k["linalg_cholesky"](A._storage.array)
    if check_errors:
        out = raise_on_info(out, info, backend, A.dim() > 2, not_positive_definite_message(op))
    if upper:
        out = k["matrix_transpose"](out)
    factor = finish(record, out, A.dtype, backend, (A,), {"upper": upper})
    return factor, _info_tensor(info, backend)


def linalg_cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """The lower Cholesky factor ``L`` of each symmetric positive-definite matrix
    (``A = L L^T``; the lower triangle is read), or ``L^T`` where ``upper``."""
    return _cholesky(A, "linalg.cholesky", upper, True, CHOLESKY_EX)[0]


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> Any:
    """``(L, info)``: :func:`linalg_cholesky` with LAPACK's ``info`` (int32)."""
    factor, info = _cholesky(A, "linalg.cholesky_ex", upper, check_errors, CHOLESKY_EX)
    return return_types.linalg_cholesky_ex(factor, info)


_CHOLESKY_DEPRECATED = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
    "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
    "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
    "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results for "
    "all valid (symmetric positive definite) inputs."
)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """``torch.cholesky`` (deprecated, with PyTorch's warning): the lower factor, or the
    upper one where ``upper``; its own node, ``CholeskyBackward0``."""
    warnings.warn(_CHOLESKY_DEPRECATED, UserWarning, stacklevel=2)
    return _cholesky(input, "cholesky", upper, True, CHOLESKY)[0]


@composite()
def matrix_power(A: Tensor, n: int) -> Tensor:
    """``A`` to the integer power ``n`` by repeated squaring (``n < 0``: of the inverse;
    ``n == 0``: the identity), with PyTorch's products, hence its nodes."""
    check_matrix("linalg.matrix_power", A) if n < 0 else _check_square_power(A)
    if n == 0:
        return A.detach() * 0 + _identity_like(A)
    if n == 1:
        return A.clone()
    if n < 0:
        return matrix_power(inverse(A), -n)
    if n <= 3:
        return A @ A if n == 2 else A @ A @ A
    power, result = None, None
    while n > 0:  # the binary digits of n, lowest first
        power = A if power is None else power @ power
        if n & 1:
            result = power if result is None else result @ power
        n >>= 1
    return result


def _check_square_power(A: Tensor) -> None:
    op = "linalg.matrix_power"
    if A.dim() < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"{op}: A must be batches of square matrices, but they are {A.shape[-2]} by "
            f"{A.shape[-1]} matrices"
        )


def _identity_like(A: Tensor) -> Tensor:
    n = A.shape[-1]
    return _eye_mask(A, (n, n)).to(A.dtype)


FUNCTIONS = {
    "det": det,
    "slogdet": slogdet,
    "logdet": logdet,
    "inverse": inverse,
    "cholesky": cholesky,
    "matrix_power": matrix_power,
}
