"""``svd_lowrank`` and ``pca_lowrank``: PyTorch's randomized low-rank SVD (Halko et al.,
2009, algorithm 5.1 with ``niter`` subspace iterations), written as ``torch._lowrank``
writes it, in retrograd's differentiable ops. The random matrix ``R`` (n, q) is drawn
with :func:`retrograd.randn` from the host stream, as PyTorch draws it, so the same seed
gives PyTorch's numbers.
"""

from __future__ import annotations

from typing import Any

from . import dtypes
from .ops.linalg_spectral import qr, svd
from .random import randn
from .tensor import Tensor


def _floating(A: Tensor) -> Any:  # noqa: N803 - PyTorch's name
    floating = (dtypes.float16, dtypes.float32, dtypes.float64)
    return A.dtype if A.dtype in floating else dtypes.float32


def _minus(X: Tensor, M: Tensor | None, Q: Tensor) -> Tensor:  # noqa: N803
    return X if M is None else X - M.matmul(Q)


def get_approximate_basis(
    A: Tensor,  # noqa: N803 - PyTorch's name
    q: int,
    niter: int | None = 2,
    M: Tensor | None = None,  # noqa: N803
) -> Tensor:
    """An orthonormal basis ``Q`` (*, m, q) whose span approximates ``A - M``'s range."""
    niter = 2 if niter is None else niter
    R = randn(A.shape[-1], q, dtype=_floating(A), backend=A.backend)  # noqa: N806
    Q = qr(_minus(A.matmul(R), M, R)).Q  # noqa: N806
    for _ in range(niter):
        Q = qr(_minus(A.mH.matmul(Q), None if M is None else M.mH, Q)).Q  # noqa: N806
        Q = qr(_minus(A.matmul(Q), M, Q)).Q  # noqa: N806
    return Q


def _svd_lowrank(A: Tensor, q: int | None, niter: int | None, M: Tensor | None) -> tuple:  # noqa: N803
    q = 6 if q is None else q
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.size())  # noqa: N806
    if m < n:
        A = A.mH  # noqa: N806
        M = None if M is None else M.mH  # noqa: N806
    Q = get_approximate_basis(A, q, niter=niter, M=M)  # noqa: N806
    B = Q.mH.matmul(A)  # noqa: N806
    if M is not None:
        B = B - Q.mH.matmul(M)  # noqa: N806
    U, S, Vh = svd(B, full_matrices=False)  # noqa: N806
    U, V = Q.matmul(U), Vh.mH  # noqa: N806
    return (V, S, U) if m < n else (U, S, V)


def svd_lowrank(
    A: Tensor,  # noqa: N803 - PyTorch's name
    q: int | None = 6,
    niter: int | None = 2,
    M: Tensor | None = None,  # noqa: N803
) -> tuple[Tensor, Tensor, Tensor]:
    """``(U, S, V)`` with ``A - M ~ U diag(S) V^T`` of rank ``q``, from a random
    projection refined by ``niter`` subspace iterations (a plain tuple, as PyTorch's)."""
    return _svd_lowrank(A, q, niter, M)


def pca_lowrank(
    A: Tensor,  # noqa: N803 - PyTorch's name
    q: int | None = None,
    center: bool = True,
    niter: int = 2,
) -> tuple[Tensor, Tensor, Tensor]:
    """:func:`svd_lowrank` of ``A`` less its column means (``center``), ``q`` at most
    ``min(m, n)`` (``min(6, m, n)`` by default); ValueError otherwise, as PyTorch."""
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (q >= 0 and q <= min(m, n)):
        raise ValueError(
            f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}"
        )
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return _svd_lowrank(A, q, niter, None)
    return _svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter, None)


FUNCTIONS = {"svd_lowrank": svd_lowrank, "pca_lowrank": pca_lowrank}
