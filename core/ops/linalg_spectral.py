"""The QR, singular-value and symmetric eigen decompositions and the pseudo-inverse, with
PyTorch's nodes: ``linalg.qr``/``qr`` (``LinalgQrBackward0``), ``linalg.svd``/``svd``/
``svdvals`` (``LinalgSvdBackward0``), ``linalg.eigh``/``eigvalsh``
(``LinalgEighBackward0``) and ``linalg.pinv``/``pinverse`` (``LinalgPinvBackward0``).
Real floating matrices only (retrograd has no complex dtype).

The rules are PyTorch's (``svd_backward``, ``linalg_eig_backward``,
``linalg_qr_backward``, ``pinv_backward``), written in differentiable ops. They read the
decomposition the forward computed; under ``create_graph`` they recompute it from the
input through the op itself (the same kernel gives the same factors), so the factors
carry the graph and second-order gradients are right. For real matrices every gradient
is gauge-invariant (only the sign of each singular or eigen vector is free), so PyTorch's
complex-phase check has nothing to refuse; repeated singular values or eigenvalues give
inf/nan gradients, as PyTorch's.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..grad_mode import state as _grad_state
from ..tensor import Tensor
from . import return_types
from .dispatch import finish
from .elementwise import where
from .joining import cat
from .linalg_checks import check_matrix
from .linalg_more import _eye_mask
from .linalg_solvers import inverse
from .nodes import MultiOutputRecord, finish_outputs
from .record import LINALG, OpRecord
from .shape_more import diag_embed


def _padded(grads: tuple, count: int) -> tuple:
    return (tuple(grads) + (None,) * count)[:count]


def _off_diagonal(t: Tensor, on: Any) -> Tensor:
    """``t`` with ``on`` (a number or a matrix) on its diagonal."""
    n = t.shape[-1]
    return where(_eye_mask(t, (n, n)), on, t)


# -- QR ------------------------------------------------------------------------------------

QR_R_MODE = (
    "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
    "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr."
)
QR_COMPLETE = "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."


def _qr_tall_grad(gq: Any, gr: Any, q: Tensor, r: Tensor) -> Tensor:
    """PyTorch's gradient of A = QR for m >= n."""
    if gq is not None and gr is not None:
        m = gr @ r.mT - q.mT @ gq
    elif gq is not None:
        m = -(q.mT @ gq)
    else:
        m = gr @ r.mT
    b = q @ (m.triu() + m.triu(1).mT)  # M's upper triangle, mirrored
    if gq is not None:
        b = b + gq
    return b @ inverse(r).mT


def _qr_grads(grads: tuple, a: Tensor, q: Tensor, r: Tensor, mode: str) -> tuple:
    if mode == "r":
        raise RuntimeError(QR_R_MODE)
    rows, columns = a.shape[-2], a.shape[-1]
    if mode == "complete" and rows > columns:
        raise RuntimeError(QR_COMPLETE)
    if _grad_state.enabled:
        q, r = qr(a, mode)
    gq, gr = _padded(grads, 2)
    if rows >= columns:
        return (_qr_tall_grad(gq, gr, q, r),)
    # A = [X | Y], R = [U | V]: X = QU, Y = QV = Q Q^T Y, so V's gradient reaches Q.
    y, gv = a.narrow(-1, rows, columns - rows), None
    gu = None if gr is None else gr.narrow(-1, 0, rows)
    if gr is not None:
        gv = gr.narrow(-1, rows, columns - rows)
        gq = y @ gv.mT if gq is None else gq + y @ gv.mT
    gx = _qr_tall_grad(gq, gu, q, r.narrow(-1, 0, rows))
    gy = q @ gv if gv is not None else y * 0.0
    return (cat([gx, gy], -1),)


QR = MultiOutputRecord(
    "linalg_qr", LINALG, "LinalgQrBackward0", "linalg_qr", inputs=("A",),
    save=("A", "Q", "R", "mode"), grads=(_qr_grads,), public="qr", float_only=True,
    doc="A = QR; PyTorch's gradient (not for mode='r', nor 'complete' with m > n)",
)  # fmt: skip

# -- SVD -----------------------------------------------------------------------------------


def _svd_core(gu: Any, gs: Any, gvh: Any, u: Tensor, s: Tensor, vh: Tensor) -> Tensor:
    """``U^T gA V`` from the factors' gradients: the skew parts over ``E``, plus gS."""
    s2 = s * s
    e = _off_diagonal(s2.unsqueeze(-2) - s2.unsqueeze(-1), 1.0)
    uhgu = None if gu is None else u.mT @ gu - gu.mT @ u
    vhgv = None if gvh is None else vh @ gvh.mT - gvh @ vh.mT
    if uhgu is not None and vhgv is not None:
        core = (uhgu * s.unsqueeze(-2) + s.unsqueeze(-1) * vhgv) / e
    elif uhgu is not None:
        core = uhgu * (s.unsqueeze(-2) / e)
    else:
        core = s.unsqueeze(-1) * vhgv / e
    return core if gs is None else core + diag_embed(gs)


def _svd_grad(gu: Any, gs: Any, gvh: Any, u: Tensor, s: Tensor, vh: Tensor) -> Tensor:
    """PyTorch's ``svd_backward`` (real case), for the reduced factors."""
    rows, columns = u.shape[-2], vh.shape[-1]
    if gu is None and gvh is None:
        if rows >= columns:
            return u @ (gs.unsqueeze(-1) * vh)
        return (u * gs.unsqueeze(-2)) @ vh
    core = _svd_core(gu, gs, gvh, u, s, vh)
    if rows > columns and gu is not None:
        gus = gu / s.unsqueeze(-2)
        return (u @ core + gus - u @ (u.mT @ gus)) @ vh
    if rows < columns and gvh is not None:
        sgvh = gvh / s.unsqueeze(-1)
        return u @ (core @ vh + sgvh - (sgvh @ vh.mT) @ vh)
    return u @ (core @ vh) if rows >= columns else (u @ core) @ vh


def _svd_grads(grads: tuple, a: Tensor, u: Tensor, s: Tensor, vh: Tensor, full: bool,
               values_only: bool) -> tuple:  # fmt: skip
    if _grad_state.enabled:
        u, s, vh = _svd_arrays_as_tensors(a, full)
    gu, gs, gvh = (None, grads[0], None) if values_only else _padded(grads, 3)
    if gu is None and gs is None and gvh is None:
        return (None,)
    k = s.shape[-1]
    if full:  # only the first k singular vectors enter the gradient, as PyTorch's
        u, vh = u.narrow(-1, 0, k), vh.narrow(-2, 0, k)
        gu = None if gu is None else gu.narrow(-1, 0, k)
        gvh = None if gvh is None else gvh.narrow(-2, 0, k)
    return (_svd_grad(gu, gs, gvh, u, s, vh),)


SVD = MultiOutputRecord(
    "linalg_svd", LINALG, "LinalgSvdBackward0", "linalg_svd", inputs=("A",),
    save=("A", "U", "S", "Vh", "full_matrices", "values_only"), grads=(_svd_grads,),
    public="svd", float_only=True,
    doc="A = U diag(S) Vh, S descending; PyTorch's gradient (inf/nan at repeated S)",
)  # fmt: skip

# -- eigh ----------------------------------------------------------------------------------


def _eigh_grads(grads: tuple, a: Tensor, w: Tensor, v: Tensor, uplo: str,
                values_only: bool) -> tuple:  # fmt: skip
    if _grad_state.enabled:
        w, v = _eigh(a, uplo, "linalg.eigh", False)
    gw, gv = (grads[0], None) if values_only else _padded(grads, 2)
    if gv is None:
        if gw is None:
            return (None,)
        return (v @ (gw.unsqueeze(-1) * v.mT),)
    product = v.mT @ gv
    skew = 0.5 * (product - product.mT)
    inner = skew / _off_diagonal(w.unsqueeze(-2) - w.unsqueeze(-1), 1.0)
    inner = _off_diagonal(inner, 0.0 if gw is None else diag_embed(gw))
    return (v @ inner @ v.mT,)


EIGH = MultiOutputRecord(
    "linalg_eigh", LINALG, "LinalgEighBackward0", "linalg_eigh", inputs=("A",),
    save=("A", "eigenvalues", "eigenvectors", "UPLO", "values_only"), grads=(_eigh_grads,),
    method=False, float_only=True,
    doc="A = V diag(L) V^T (one triangle read), L ascending; gA = V (diag(gL) + skew / E) V^T",
)  # fmt: skip

# -- pinv ----------------------------------------------------------------------------------


def _pinv_grad(g: Tensor, a: Tensor, p: Tensor) -> Tensor:
    """PyTorch's ``pinv_backward``, arranged for the smaller of the two products."""
    ph, gh = p.mT, g.mT
    if a.shape[-2] <= a.shape[-1]:
        k = gh @ p
        kph = k @ ph
        return -(p @ k).mT + kph - (a @ p) @ kph + (ph @ p) @ (gh - k @ a)
    k = p @ gh
    phk = ph @ k
    return -(k @ p).mT + (gh - a @ k) @ p @ ph + phk - phk @ p @ a


PINV = OpRecord(
    "linalg_pinv", LINALG, "LinalgPinvBackward0", "linalg_svd", save=("self", "result"),
    grads=(_pinv_grad,), public="pinverse", method=False, float_only=True,
    doc="the Moore-Penrose inverse through the SVD (singular values <= rtol * max cut)",
)  # fmt: skip
RECORDS = (QR, SVD, EIGH, PINV)


# -- the functions -------------------------------------------------------------------------

_QR_MODES = ("reduced", "complete", "r")


def _qr(A: Tensor, mode: str) -> tuple[Tensor, Tensor]:
    if mode not in _QR_MODES:
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    check_matrix("linalg.qr", A, square=False)
    backend = A._backend
    k = backend.kernels
    q, r = k["linalg_qr"](A._storage.array, "complete" if mode == "complete" else "reduced")
    if mode == "r":  # PyTorch's Q is then an empty tensor
        q = k["zeros"]((0,), backend.native_dtype(A.dtype))
    outs = [Tensor._make(q, A.dtype, backend), Tensor._make(r, A.dtype, backend)]
    params = {"Q": outs[0].detach(), "R": outs[1].detach(), "mode": mode}
    return finish_outputs(QR, outs, (A,), params)


def qr(A: Tensor, mode: str = "reduced") -> Any:
    """``(Q, R)``: Q with orthonormal columns, R upper triangular, ``A = QR``; ``mode``
    'reduced' (k = min(m, n) columns), 'complete' (Q square) or 'r' (Q empty)."""
    return return_types.linalg_qr(*_qr(A, mode))


_QR_DEPRECATED = (
    "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
    "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string parameter "
    "'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = torch.linalg.qr(A, "
    "'reduced' if some else 'complete')"
)


def torch_qr(input: Tensor, some: bool = True) -> Any:
    """``torch.qr`` (deprecated, with PyTorch's warning): ``some`` picks 'reduced'."""
    warnings.warn(_QR_DEPRECATED, UserWarning, stacklevel=2)
    return return_types.qr(*_qr(input, "reduced" if some else "complete"))


def _svd_arrays_as_tensors(A: Tensor, full_matrices: bool) -> tuple[Tensor, Tensor, Tensor]:
    check_matrix("linalg.svd", A, square=False)
    backend = A._backend
    arrays = backend.kernels["linalg_svd"](A._storage.array, full_matrices)
    outs = [Tensor._make(x, A.dtype, backend) for x in arrays]
    params = {"U": outs[0].detach(), "S": outs[1].detach(), "Vh": outs[2].detach(),
              "full_matrices": full_matrices, "values_only": False}  # fmt: skip
    return finish_outputs(SVD, outs, (A,), params)


def svd(A: Tensor, full_matrices: bool = True) -> Any:
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, S descending; ``full_matrices``: U and
    Vh square."""
    return return_types.linalg_svd(*_svd_arrays_as_tensors(A, full_matrices))


def svdvals(A: Tensor) -> Tensor:
    """The singular values of each matrix, descending (the node is the SVD's)."""
    check_matrix("linalg.svdvals", A, square=False)
    backend = A._backend
    u, s, vh = backend.kernels["linalg_svd"](A._storage.array, False)
    out = Tensor._make(s, A.dtype, backend)
    params = {"U": Tensor._make(u, A.dtype, backend), "S": out.detach(),
              "Vh": Tensor._make(vh, A.dtype, backend), "full_matrices": False,
              "values_only": True}  # fmt: skip
    return finish_outputs(SVD, [out], (A,), params)[0]


def torch_svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:
    """``torch.svd``: ``(U, S, V)`` with V, not its transpose; ``some``: reduced factors;
    without ``compute_uv``, zero U (m, m) and V (n, n)."""
    if not compute_uv:
        s = svdvals(input)
        m, n = input.shape[-2], input.shape[-1]
        batch = tuple(input.shape[:-2])
        zeros = input.detach().new_zeros
        return return_types.svd(zeros((*batch, m, m)), s, zeros((*batch, n, n)))
    u, s, vh = _svd_arrays_as_tensors(input, not some)
    return return_types.svd(u, s, vh.mT)


def _eigh(A: Tensor, UPLO: str, op: str, values_only: bool) -> tuple:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    check_matrix(op, A)
    backend = A._backend
    k = backend.kernels
    a = A._storage.array if UPLO == "L" else k["matrix_transpose"](A._storage.array)
    w, v = k["linalg_eigh"](a)
    outs = [Tensor._make(w, A.dtype, backend), Tensor._make(v, A.dtype, backend)]
    params = {"eigenvalues": outs[0].detach(), "eigenvectors": outs[1].detach(), "UPLO": UPLO,
              "values_only": values_only}  # fmt: skip
    return finish_outputs(EIGH, outs[:1] if values_only else outs, (A,), params)


def eigh(A: Tensor, UPLO: str = "L") -> Any:  # noqa: N803 - PyTorch's name
    """``(eigenvalues, eigenvectors)`` of each symmetric matrix (read from its lower
    triangle, or upper: ``UPLO='U'``), eigenvalues ascending."""
    return return_types.linalg_eigh(*_eigh(A, UPLO, "linalg.eigh", False))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803 - PyTorch's name
    """The eigenvalues of each symmetric matrix, ascending (the node is eigh's)."""
    return _eigh(A, UPLO, "linalg.eigvalsh", True)[0]


# Machine epsilon per floating dtype (pinv's default tolerance).
_EPSILON = {"float16": 2.0**-10, "bfloat16": 2.0**-7, "float32": 2.0**-23, "float64": 2.0**-52}


def pinv(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse: ``V diag(1/S) U^T`` over the singular values above
    ``max(atol, rtol * max(S))`` (default: ``rtol = eps * max(m, n)``, no ``atol``)."""
    check_matrix("linalg.pinv", A, square=False)
    backend = A._backend
    k = backend.kernels
    u, s, vh = k["linalg_svd"](A._storage.array, False)
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else _EPSILON[A.dtype.name] * max(A.shape[-2:])
    largest = k["max"](s, axis=-1, keepdims=True) if s.shape[-1] else s
    cut = k["maximum"](k["multiply"](largest, rtol), atol or 0.0)
    kept = k["greater"](s, cut)
    inverted = k["where"](kept, k["divide"](1.0, k["where"](kept, s, 1.0)), 0.0)
    scaled = k["multiply"](k["matrix_transpose"](vh), k["expand_dims"](inverted, -2))
    out = k["matmul"](scaled, k["matrix_transpose"](u))
    return finish(PINV, out, A.dtype, backend, (A,))


def singular_value_norm(A: Tensor, ord: Any, dims: tuple[int, int], keepdim: bool) -> Tensor:
    """The matrix norm over ``dims`` made of singular values: 'nuc' (their sum), 2 (the
    largest), -2 (the smallest), composed as PyTorch's ``matrix_norm``."""
    values = svdvals(A.movedim(dims, (-2, -1)))
    if ord == "nuc":
        out = values.sum(-1, keepdim=keepdim)
    else:
        out = values.amax(-1, keepdim) if ord > 0 else values.amin(-1, keepdim)
    return out.unsqueeze(-1).movedim((-2, -1), dims) if keepdim else out


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """``torch.pinverse``: :func:`pinv` with ``rtol=rcond``."""
    return pinv(input, rtol=rcond)


FUNCTIONS = {"qr": torch_qr, "svd": torch_svd, "pinverse": pinverse}
