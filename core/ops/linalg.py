"""Matrix products: ``mm``, ``mv``, ``dot``, ``bmm`` and ``matmul``/``@``.

``matmul`` dispatches on the operands' dimensions as PyTorch does, so its result has
PyTorch's ``grad_fn`` (``MmBackward0`` for 2-d @ 2-d, ``DotBackward0`` for 1-d @ 1-d,
``MvBackward0``, and ``UnsafeViewBackward0`` over ``MmBackward0``/``BmmBackward0`` for
batched operands).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .dispatch import array_of, backend_of, broadcast_shapes, finish, promote
from .nodes import MatrixProductRecord
from .product_checks import check_product
from .record import LINALG, OpRecord
from .shape import SQUEEZE_DIM_, UNSAFE_VIEW, expanded_shape


def _product_rule(product: Callable[[Tensor, Tensor], Tensor]) -> Callable[..., Tensor]:
    """The tangent rule of bilinear ``product(a, b)``: ``product(u_a, b) + product(a, u_b)``."""

    def jvp(tangents: tuple, result: Tensor, a: Tensor, b: Tensor) -> Tensor:
        ua, ub = tangents
        terms = ([] if ua is None else [product(ua, b)]) + ([] if ub is None else [product(a, ub)])
        return terms[0] if len(terms) == 1 else terms[0] + terms[1]

    return jvp


def _linalg(name: str, grad_fn: str, grads: tuple) -> OpRecord:
    return MatrixProductRecord(
        name,
        LINALG,
        grad_fn,
        "matmul",
        inputs=("self", "other"),
        save=("self", "other"),
        grads=grads,
        jvp=_product_rule(lambda a, b: getattr(a, name)(b)),
    )


MM = _linalg("mm", "MmBackward0", (lambda g, a, b: g.mm(b.t()), lambda g, a, b: a.t().mm(g)))
MV = _linalg("mv", "MvBackward0", (lambda g, a, b: outer(g, b), lambda g, a, b: a.t().mv(g)))
DOT = _linalg("dot", "DotBackward0", (lambda g, a, b: b * g, lambda g, a, b: a * g))
BMM = _linalg(
    "bmm",
    "BmmBackward0",
    (lambda g, a, b: g.bmm(b.transpose(1, 2)), lambda g, a, b: a.transpose(1, 2).bmm(g)),
)
# outer promotes: the other operand enters each rule in the gradient's dtype.
OUTER = _linalg(
    "outer",
    "MulBackward0",
    (lambda g, a, b: g.mv(b.to(g.dtype)), lambda g, a, b: g.t().mv(a.to(g.dtype))),
)

# beta * input + alpha * (mat1 @ mat2), the product of ``nn.functional.linear``.
ADDMM = MatrixProductRecord(
    "addmm",
    LINALG,
    "AddmmBackward0",
    "matmul",
    inputs=("self", "mat1", "mat2"),
    save=("mat1", "mat2", "beta", "alpha"),
    grads=(
        lambda g, m1, m2, beta, alpha: g if beta == 1 else g * beta,
        lambda g, m1, m2, beta, alpha: _scaled(g.mm(m2.t()), alpha),
        lambda g, m1, m2, beta, alpha: _scaled(m1.t().mm(g), alpha),
    ),
    inplace=True,
    jvp=lambda us, r, m1, m2, beta, alpha: _addmm_tangent(us, m1, m2, beta, alpha),
)


def _addmm_tangent(us: tuple, m1: Tensor, m2: Tensor, beta: Any, alpha: Any) -> Tensor:
    u, u1, u2 = us
    if u1 is None and u2 is None:
        return _scaled(u, beta)
    product = _scaled(_product_rule(lambda a, b: a.mm(b))((u1, u2), None, m1, m2), alpha)
    return product if u is None else _scaled(u, beta) + product


RECORDS = (MM, MV, DOT, BMM, OUTER, ADDMM)


def _scaled(t: Tensor, factor: Any) -> Tensor:
    return t if factor == 1 else t * factor


def _product(record: OpRecord, a: Tensor, b: Tensor) -> Tensor:
    op = record.name
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        position, value = ("input", a) if not isinstance(a, Tensor) else ("other", b)
        raise TypeError(f"{op}(): argument '{position}' must be Tensor, not {type(value).__name__}")
    check_product(op, a, b)
    x, y = a._storage.array, b._storage.array
    dtype, backend = a._dtype, a._backend
    if b._backend is not backend:
        backend_of(op, a, b)  # raises, naming both
    if op == "outer":  # a broadcast product: it promotes, as PyTorch's outer does
        k = backend.kernels
        if b._dtype is not dtype:
            dtype = promote((a, b))
            x, y = array_of(a, dtype, backend), array_of(b, dtype, backend)
        out = k["multiply"](k["expand_dims"](x, 1), k["expand_dims"](y, 0))
    else:
        out = backend.kernels["matmul"](x, y)
    return finish(record, out, dtype, backend, (a, b))


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    return _product(MM, input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    return _product(MV, input, vec)


def dot(input: Tensor, other: Tensor) -> Tensor:
    return _product(DOT, input, other)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    return _product(BMM, input, mat2)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    return _product(OUTER, input, vec2)


def matmul(input: Any, other: Any) -> Tensor:
    """PyTorch's ``matmul``: dispatch on the operands' dimensions."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(
            f"matmul(): argument 'other' must be Tensor, not "
            f"{type(other if isinstance(input, Tensor) else input).__name__}"
        )
    da, db = input.dim(), other.dim()
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        return _squeeze_row(mm(input.unsqueeze(0), other))
    if da == 2 and db == 2:
        return mm(input, other)
    return _batched_matmul(input, other)


def _batched_matmul(a: Tensor, b: Tensor) -> Tensor:
    if a.dim() == 2:  # PyTorch folds b's batch instead: (b^T a^T)^T, made contiguous
        return _batched_matmul(b.mT, a.t()).mT.clone()
    if b.dim() <= 2:  # fold a's batch dimensions into its rows
        rows = a.reshape(-1, a.shape[-1])
        flat = rows.mm(b) if b.dim() == 2 else rows.mv(b)
        shape = a.shape[:-1] + (b.shape[-1],) if b.dim() == 2 else a.shape[:-1]
        return _unsafe_view(UNSAFE_VIEW, flat, tuple(shape))
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    batch = _broadcast_batch(a2.shape[:-2], b.shape[:-2])
    a3 = a2.expand(*batch, *a2.shape[-2:]).reshape(-1, *a2.shape[-2:])
    b3 = b.expand(*batch, *b.shape[-2:]).reshape(-1, *b.shape[-2:])
    check_product("bmm", a3, b3, within="matmul")
    shape = (*batch, a2.shape[-2], b.shape[-1]) if a.dim() > 1 else (*batch, b.shape[-1])
    return _unsafe_view(UNSAFE_VIEW, a3.bmm(b3), shape)


def _squeeze_row(t: Tensor) -> Tensor:
    """Drop the leading 1 of a row-vector product, with PyTorch's node (an in-place
    ``squeeze_(0)`` there)."""
    return _unsafe_view(SQUEEZE_DIM_, t, tuple(t.shape[1:]))


def _broadcast_batch(sa: tuple, sb: tuple) -> tuple:
    return broadcast_shapes("matmul", tuple(sa), tuple(sb))


def _unsafe_view(record: OpRecord, t: Tensor, shape: tuple) -> Tensor:
    array = t._backend.kernels["reshape"](t._storage.array, shape)
    return finish(record, array, t._dtype, t._backend, (t,))


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product."""
    for name, m in (("mat1", mat1), ("mat2", mat2)):  # PyTorch's checks, in its order
        if m.dim() != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m.dim()}-D tensor")
    product = mm(mat1.detach(), mat2.detach())  # checks shapes and dtypes like mm
    expanded_shape(tuple(input.shape), tuple(product.shape))
    if input.dtype is not product.dtype:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {dtypes.kind_name(input.dtype)} "
            f"and {dtypes.kind_name(product.dtype)}"
        )
    backend = backend_of("addmm", input, mat1, mat2)
    k = backend.kernels
    out = _scaled_array(k, product._storage.array, alpha)
    bias = array_of(input, product.dtype, backend)
    out = k["add"](out, _scaled_array(k, bias, beta))
    broadcast_shapes("addmm", tuple(input.shape), tuple(product.shape))
    params = {"beta": beta, "alpha": alpha}
    return finish(ADDMM, out, product.dtype, backend, (input, mat1, mat2), params)


def _scaled_array(k: dict, array: Any, factor: Any) -> Any:
    return array if factor == 1 else k["multiply"](array, factor)


FUNCTIONS = {
    "mm": mm,
    "mv": mv,
    "dot": dot,
    "bmm": bmm,
    "outer": outer,
    "ger": outer,
    "matmul": matmul,
    "addmm": addmm,
}
