"""Householder reflections as LAPACK stores them: ``geqrf`` (``GeqrfBackward0``, no
derivative in PyTorch), ``linalg.householder_product`` (alias ``orgqr``) and ``ormqr``.

``geqrf`` is LAPACK's unblocked ``geqr2`` written in retrograd's own ops over a batch:
at column ``j`` the reflector ``H = I - tau v v^T`` (``v[j] = 1``) of ``dlarfg`` maps
``x = a[j:, j]`` onto ``beta e1``, ``beta = -sign(x[0]) ||x||`` and ``tau = (beta -
x[0]) / beta`` (``tau = 0``, no change, when ``x[1:]`` is zero); ``v[j+1:]`` is stored
below the diagonal, ``beta`` on it, and ``H`` is applied to the columns on the right.

``householder_product`` and ``ormqr`` apply those reflectors one by one with
differentiable ops, so gradients (and second order) flow to both ``A`` and ``tau``.
"""

from __future__ import annotations

from typing import Any

from ..grad_mode import no_grad
from ..tensor import Tensor
from . import return_types
from .elementwise import where
from .helpers import check_tensor, not_implemented
from .joining import cat
from .linalg_checks import check_floating
from .linalg_lu import _arange
from .nodes import MultiOutputRecord, finish_outputs
from .record import LINALG

GEQRF = MultiOutputRecord(
    "geqrf", LINALG, "GeqrfBackward0", "where", inputs=("self",), public="geqrf",
    method=True, float_only=True, no_derivative="geqrf",
    doc="QR as LAPACK's Householder reflectors and scales (no derivative)",
)  # fmt: skip
RECORDS = (GEQRF,)


def _reflector(a: Tensor, j: int, rows: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """``dlarfg`` on ``a[..., j:, j]``: ``(v, tau, beta)``, ``v`` (*, m) zero above ``j``."""
    column = a.select(-1, j)
    alpha = column.select(-1, j)
    tail = where(rows > j, column, 0.0)
    xnorm = tail.pow(2).sum(-1).sqrt()
    flat = xnorm == 0
    norm = (alpha * alpha + xnorm * xnorm).sqrt()
    beta = where(alpha >= 0, -norm, norm)
    safe_beta = where(flat, 1.0, beta)
    tau = where(flat, 0.0, (beta - alpha) / safe_beta)
    scale = 1.0 / where(flat, 1.0, alpha - beta)
    v = where(rows == j, 1.0, tail * scale.unsqueeze(-1))
    return v, tau, where(flat, alpha, beta)


def _geqr2(A: Tensor) -> tuple[Tensor, Tensor]:
    """``(a, tau)`` of LAPACK's ``geqrf`` for each matrix of ``A`` (*, m, n), no graph."""
    m, n = A.shape[-2:]
    with no_grad():
        a = A.detach().clone()
        rows, cols = _arange(a, m), _arange(a, n)
        taus = []
        for j in range(min(m, n)):
            v, tau, beta = _reflector(a, j, rows)
            right = where(cols > j, a, 0.0)
            w = (v.unsqueeze(-1) * right).sum(-2)  # v^T A[:, j+1:]
            a = a - tau[..., None, None] * v.unsqueeze(-1) * w.unsqueeze(-2)
            stored = where(rows == j, beta.unsqueeze(-1), where(rows > j, v, a.select(-1, j)))
            a = where(cols == j, stored.unsqueeze(-1), a)
            taus.append(tau.unsqueeze(-1))
        tau = a.new_zeros((*A.shape[:-2], 0)) if not taus else cat(taus, -1)
    return a, tau


def geqrf(input: Tensor) -> Any:  # noqa: A002 - PyTorch's name
    """``(a, tau)``: the QR factorization of each matrix of ``input`` (*, m, n) as LAPACK's
    ``geqrf`` stores it (R on and above the diagonal, the reflectors' vectors below, their
    scales in ``tau`` (*, min(m, n))). PyTorch has no derivative for it."""
    check_tensor("geqrf", input, "input")
    if input.dim() < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    if not input.dtype.is_floating_point:
        raise not_implemented("geqrf", input._backend, input.dtype)
    a, tau = _geqr2(input)
    a, tau = finish_outputs(GEQRF, [a, tau], (input,))
    return return_types.geqrf(a, tau)


def _vector(A: Tensor, i: int, rows: Tensor) -> Tensor:
    """The ``i``-th reflector's vector (*, m): 1 at ``i``, ``A[i+1:, i]`` below, 0 above;
    differentiable in ``A``."""
    column = A.select(-1, i)
    return where(rows > i, column, where(rows == i, 1.0, 0.0).to(A.dtype))


def _apply_left(c: Tensor, v: Tensor, tau: Tensor) -> Tensor:
    """``(I - tau v v^T) c`` for ``c`` (*, m, n), ``v`` (*, m), ``tau`` (*)."""
    w = (v.unsqueeze(-1) * c).sum(-2)
    return c - tau[..., None, None] * v.unsqueeze(-1) * w.unsqueeze(-2)


def _apply_right(c: Tensor, v: Tensor, tau: Tensor) -> Tensor:
    """``c (I - tau v v^T)`` for ``c`` (*, p, m)."""
    w = (c * v.unsqueeze(-2)).sum(-1)
    return c - tau[..., None, None] * w.unsqueeze(-1) * v.unsqueeze(-2)


def _check_householder(op: str, A: Any, tau: Any) -> None:
    check_tensor(op.rpartition(".")[2], A, "input")
    check_tensor(op.rpartition(".")[2], tau, "tau")
    if A.dim() < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError(
            f"{op}: input.shape[-2] must be greater than or equal to input.shape[-1]"
        )
    if A.shape[-1] < tau.shape[-1]:
        raise RuntimeError(f"{op}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if A.dim() - tau.dim() != 1:
        raise RuntimeError(
            f"{op}: Expected tau to have one dimension less than input, but got tau.ndim "
            f"equal to {tau.dim()} and input.ndim is equal to {A.dim()}"
        )
    _check_batch(op, A, tau)


def _check_batch(op: str, A: Tensor, tau: Tensor) -> None:
    if A.dim() > 2 and tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(
            f"{op}: Expected batch dimensions of tau to be equal to input.shape[:-2], but "
            f"got {list(tau.shape[:-1])}"
        )
    check_floating(op, A)
    if tau.dtype != A.dtype:
        raise RuntimeError(f"{op}: tau dtype {_name(tau)} does not match input dtype {_name(A)}")


def _name(t: Tensor) -> str:
    return str(t.dtype).replace("retrograd.", "")


def _linked(out: Tensor, *inputs: Tensor) -> Tensor:
    """``out`` in the graph of ``inputs`` with a zero gradient: an empty product of
    reflectors still has PyTorch's node (``where`` keeps an inf input from giving NaN)."""
    for t in inputs:
        if t.requires_grad:
            out = out + where(t.new_zeros(()).bool(), t.sum(), 0.0)
    return out


def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The first ``n`` columns of ``H_0 H_1 ... H_{k-1}`` for ``A`` (*, m, n) holding the
    reflectors' vectors below its diagonal and ``tau`` (*, k) their scales, ``k <= n <=
    m`` (``geqrf``'s Q); differentiable in ``A`` and ``tau``."""
    _check_householder("torch.linalg.householder_product", A, tau)
    m, n = A.shape[-2:]
    rows, cols = _arange(A, m), _arange(A, n)
    q = (rows.unsqueeze(-1) == cols).to(A.dtype).expand(*A.shape[:-2], m, n)
    for i in reversed(range(tau.shape[-1])):
        q = _apply_left(q, _vector(A, i, rows), tau.select(-1, i))
    return q if tau.shape[-1] else _linked(q, A, tau)


def orgqr(input: Tensor, tau: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """Alias of :func:`householder_product`."""
    return householder_product(input, tau)


def _check_ormqr(A: Any, tau: Any, other: Any, left: bool) -> None:
    op = "torch.ormqr"
    for t, name in ((A, "input"), (tau, "tau"), (other, "other")):
        check_tensor("ormqr", t, name)
    if A.dim() < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if other.dim() < 2:
        raise RuntimeError(f"{op}: other must have at least 2 dimensions.")
    side = -2 if left else -1
    if other.shape[side] < tau.shape[-1]:
        raise RuntimeError(
            f"{op}: other.shape[{side}] must be greater than or equal to tau.shape[-1]"
        )
    if other.shape[side] != A.shape[-2]:
        raise RuntimeError(f"{op}: other.shape[{side}] must be equal to input.shape[-2]")
    if tau.shape[-1] > A.shape[-1]:
        raise RuntimeError(f"{op}: tau.shape[-1] must be less than or equal to input.shape[-1]")
    _check_batch(op, A, tau)


def ormqr(
    input: Tensor,  # noqa: A002 - PyTorch's name
    tau: Tensor,
    other: Tensor,
    left: bool = True,
    transpose: bool = False,
) -> Tensor:
    """``Q other`` (``left``) or ``other Q``, ``Q^T`` for ``transpose``, with ``Q`` the
    full (m, m) product of the reflectors of ``input`` (*, m, k) and ``tau`` (as
    :func:`householder_product`); differentiable in all three."""
    _check_ormqr(input, tau, other, left)
    rows = _arange(input, input.shape[-2])
    order = list(range(tau.shape[-1]))
    # Q = H_0 ... H_{k-1}: Q C applies H_{k-1} first, Q^T C H_0 first; C Q H_0 first.
    if left != transpose:
        order.reverse()
    apply = _apply_left if left else _apply_right
    out = other
    for i in order:
        out = apply(out, _vector(input, i, rows), tau.select(-1, i))
    return out if order else _linked(other.clone(), input, tau)


FUNCTIONS = {"geqrf": geqrf, "orgqr": orgqr, "ormqr": ormqr}
