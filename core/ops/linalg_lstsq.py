"""Least squares, with PyTorch's node: ``linalg.lstsq`` (``LinalgLstsqBackward0``).

The solution is the minimum-norm least-squares one, ``X = pinv(A) B`` with the singular
values at most ``rcond * max(S)`` cut (default ``rcond``: eps of the dtype times
``max(m, n)``), through the SVD: LAPACK's drivers all give it for a full-rank ``A``, and
'gelsy' (PyTorch's default on the CPU) for a rank-deficient one too. The other outputs
follow the driver, as PyTorch's: ``rank`` (int64; empty for 'gels'), ``singular_values``
(for 'gelsd' and 'gelss' only, else empty) and ``residuals``, the squared residual of
each column, computed for every driver but 'gelsy' where ``m > n`` and every matrix has
full rank (else empty).

The rules: the solution's is that of ``pinv(A) B`` (``gB = pinv(A)^T gX``, ``gA``
through ``pinv``'s rule); a residual ``r = |A X - B|^2`` (X optimal, so ``A^T (A X - B)
= 0``) gives ``gA = 2 (A X - B) gr X^T`` and ``gB = -2 (A X - B) gr``. Second order
works (``pinv`` is recomputed by its op).
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..grad_mode import state as _grad_state
from ..tensor import Tensor
from . import return_types
from .dispatch import broadcast_shapes
from .helpers import check_tensor
from .linalg_spectral import _EPSILON, _pinv_grad, pinv, svd
from .nodes import MultiOutputRecord, finish_outputs
from .record import LINALG

_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _lstsq_grads(grads: tuple, a: Tensor, b: Tensor, x: Tensor, vector: bool) -> tuple:
    gx, gr = (tuple(grads) + (None, None))[:2]
    if _grad_state.enabled:  # create_graph: the solution with its graph, for second order
        x = lstsq(a, b).solution
    if vector:
        b, x, gx = b.unsqueeze(-1), x.unsqueeze(-1), None if gx is None else gx.unsqueeze(-1)
    ga = gb = None
    if gx is not None:
        p = pinv(a)
        ga, gb = _pinv_grad(gx @ b.mT, a, p), p.mT @ gx
    if gr is not None and gr.numel() > 0:
        weighted = 2.0 * (a @ x - b) * gr.unsqueeze(-2)
        ga = weighted @ x.mT if ga is None else ga + weighted @ x.mT
        gb = -weighted if gb is None else gb - weighted
    if ga is None:
        return a * 0.0, None
    return ga, gb.squeeze(-1) if vector else gb


LSTSQ = MultiOutputRecord(
    "linalg_lstsq", LINALG, "LinalgLstsqBackward0", "linalg_svd", inputs=("self", "b"),
    save=("self", "b", "solution", "vector"), grads=(_lstsq_grads,), public="lstsq",
    method=False, float_only=True,
    doc="X = pinv(A) B (min-norm least squares); residuals |A X - B|^2 per column",
)  # fmt: skip
RECORDS = (LSTSQ,)


def _check(A: Any, B: Any, driver: str | None) -> None:  # noqa: N803 - PyTorch's names
    op = "torch.linalg.lstsq"
    check_tensor("linalg_lstsq", A, "self")
    check_tensor("linalg_lstsq", B, "b")
    if A.dim() < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if A.dtype not in (dtypes.float32, dtypes.float64):
        raise RuntimeError("This function doesn't handle types other than float and double")
    if A.dtype is not B.dtype:
        raise RuntimeError(
            f"{op}: Expected input and other to have the same dtype, but got input's dtype "
            f"{dtypes.kind_name(A.dtype)} and other's dtype {dtypes.kind_name(B.dtype)}"
        )
    if not (0 <= A.dim() - B.dim() <= 1):
        raise RuntimeError(
            f"{op}: input.dim() must be greater or equal to other.dim() and "
            "(input.dim() - other.dim()) <= 1"
        )
    rows = B.shape[-1] if B.dim() == A.dim() - 1 else B.shape[-2]
    if rows != A.shape[-2]:
        raise RuntimeError(f"{op}: input.size(-2) should match other.size(-2)")
    if driver is not None and driver not in _DRIVERS:
        raise RuntimeError(f"{op}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")


def _solved(A: Tensor, b: Tensor, rcond: float | None) -> tuple[Tensor, Tensor, Tensor]:
    """``(X, rank, S)`` for matrices ``b``, without a graph."""
    with no_grad():
        u, s, vh = svd(A.detach(), full_matrices=False)
        if rcond is None or rcond < 0:
            rcond = _EPSILON[A.dtype.name] * max(A.shape[-2:])
        largest = s.amax(-1, keepdim=True) if s.shape[-1] else s
        kept = s > largest * rcond
        inverted = (1.0 / s.masked_fill(~kept, 1.0)).masked_fill(~kept, 0.0)
        x = vh.mT @ (inverted.unsqueeze(-1) * (u.mT @ b.detach()))
        return x, kept.sum(-1), s


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None) -> Any:
    """``(solution, residuals, rank, singular_values)``: the least-squares solution of
    ``A X = B`` (``B`` matrices, or vectors where it has one dim less than ``A``; the
    batches broadcast), with the other outputs as PyTorch's CPU ``driver`` (default
    'gelsy') gives them (see the module)."""
    _check(A, B, driver)
    driver = driver or "gelsy"
    vector = B.dim() == A.dim() - 1
    b = B.unsqueeze(-1) if vector else B
    broadcast_shapes("linalg.lstsq", tuple(A.shape[:-2]), tuple(b.shape[:-2]))
    x, rank, s = _solved(A, b, rcond)
    m, n = A.shape[-2:]
    empty = A.detach().new_zeros((0,))
    residuals = empty
    with no_grad():
        if driver != "gelsy" and m > n and (driver == "gels" or bool((rank == n).all())):
            residuals = ((A.detach() @ x - b.detach()) ** 2).sum(-2)  # (*, 1) for vectors
    solution = x.squeeze(-1) if vector else x
    params = {"solution": solution.detach(), "vector": vector}
    solution, residuals = finish_outputs(LSTSQ, [solution, residuals], (A, B), params)
    rank = rank if driver != "gels" else rank.new_zeros((0,))
    singular_values = s if driver in ("gelsd", "gelss") else empty.clone()
    return return_types.linalg_lstsq(solution, residuals, rank, singular_values)
