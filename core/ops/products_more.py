"""More products: ``addmv``, ``addr``, ``baddbmm``, ``addbmm`` (``beta * input + alpha *
product``, with their in-place forms), ``vdot``, ``inner`` and ``chain_matmul``.

The four "add" products and ``vdot`` are records with PyTorch's nodes (``AddmvBackward0``,
``AddrBackward0``, ``BaddbmmBackward0``, ``AddbmmBackward0``, ``VdotBackward0``) and its
derivative formulas. As in PyTorch, ``beta = 0`` ignores ``input`` (a nan there does not
reach the result). ``inner`` is composed as PyTorch composes it (a ``tensordot`` of the
last dims, or a product with a 0-d operand), ``chain_matmul`` as a chain of ``mm``.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .dispatch import array_of, backend_of, finish
from .helpers import check_tensor
from .linalg import bmm, mm, mv, outer
from .linalg_more import tensordot
from .nodes import MatrixProductRecord
from .record import LINALG, composite
from .shape import expanded_shape


def _scaled(t: Tensor, factor: Any) -> Tensor:
    return t if factor == 1 else t * factor


def _batched(g: Tensor, batch: int) -> Tensor:
    """``addbmm``'s gradient, the same for each of ``batch`` products."""
    return g.unsqueeze(0).expand(batch, *g.shape)


def _record(name: str, grad_fn: str, inputs: tuple, grads: tuple) -> MatrixProductRecord:
    return MatrixProductRecord(
        name, LINALG, grad_fn, "matmul", inputs=("self", *inputs),
        save=(*inputs, "beta", "alpha"),
        grads=(lambda g, x, y, beta, alpha: _scaled(g, beta), *grads), inplace=True,
    )  # fmt: skip


ADDMV = _record(
    "addmv", "AddmvBackward0", ("mat", "vec"),
    (lambda g, m, v, beta, alpha: _scaled(outer(g, v), alpha),
     lambda g, m, v, beta, alpha: _scaled(m.t().mv(g), alpha)),
)  # fmt: skip
ADDR = _record(
    "addr", "AddrBackward0", ("vec1", "vec2"),
    (lambda g, v1, v2, beta, alpha: _scaled(g.mv(v2), alpha),
     lambda g, v1, v2, beta, alpha: _scaled(g.t().mv(v1), alpha)),
)  # fmt: skip
BADDBMM = _record(
    "baddbmm", "BaddbmmBackward0", ("batch1", "batch2"),
    (lambda g, b1, b2, beta, alpha: _scaled(g.bmm(b2.transpose(1, 2)), alpha),
     lambda g, b1, b2, beta, alpha: _scaled(b1.transpose(1, 2).bmm(g), alpha)),
)  # fmt: skip
ADDBMM = _record(
    "addbmm", "AddbmmBackward0", ("batch1", "batch2"),
    (lambda g, b1, b2, beta, alpha: _scaled(_batched(g, b1.shape[0]).bmm(b2.transpose(1, 2)),
                                            alpha),
     lambda g, b1, b2, beta, alpha: _scaled(b1.transpose(1, 2).bmm(_batched(g, b1.shape[0])),
                                            alpha)),
)  # fmt: skip
VDOT = MatrixProductRecord(
    "vdot", LINALG, "VdotBackward0", "matmul", inputs=("self", "other"),
    save=("self", "other"), grads=(lambda g, a, b: b * g, lambda g, a, b: a * g),
)  # fmt: skip
RECORDS = (ADDMV, ADDR, BADDBMM, ADDBMM, VDOT)


def _dims(op: str, operands: tuple, want: int, words: str) -> None:
    for name, t in operands:
        check_tensor(op, t, name)
        if t.dim() != want:
            raise RuntimeError(words.format(name=name, n=t.dim()))


def _add_product(
    record: MatrixProductRecord, input: Tensor, product: Tensor, operands: tuple, beta: Any,
    alpha: Any,
) -> Tensor:  # fmt: skip
    """``beta * input + alpha * product`` recorded as ``record`` of ``input`` and
    ``operands`` (``product`` computed from their detached values)."""
    op = record.name
    check_tensor(op, input)
    expanded_shape(tuple(input.shape), tuple(product.shape))
    if input.dtype is not product.dtype:
        raise RuntimeError(
            f"{op}: expected self and the product to have the same dtype, but got "
            f"{dtypes.kind_name(input.dtype)} and {dtypes.kind_name(product.dtype)}"
        )
    backend = backend_of(op, input, *operands)
    k = backend.kernels
    out = product._storage.array
    out = out if alpha == 1 else k["multiply"](out, alpha)
    if beta != 0:  # beta = 0: input is ignored, its nan and inf included (PyTorch)
        bias = array_of(input, product.dtype, backend)
        out = k["add"](out, bias if beta == 1 else k["multiply"](bias, beta))
    params = {"beta": beta, "alpha": alpha}
    return finish(record, out, product.dtype, backend, (input, *operands), params)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``; ``input`` broadcasts to the product."""
    check_tensor("addmv", mat, "mat")
    check_tensor("addmv", vec, "vec")
    product = mv(mat.detach(), vec.detach())
    return _add_product(ADDMV, input, product, (mat, vec), beta, alpha)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    _dims("addr", (("vec1", vec1), ("vec2", vec2)), 1,
          "addr: Expected 1-D argument {name}, but got {n}-D")  # fmt: skip
    product = outer(vec1.detach(), vec2.detach())
    return _add_product(ADDR, input, product, (vec1, vec2), beta, alpha)


def baddbmm(
    input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    _dims("baddbmm", (("batch1", batch1), ("batch2", batch2)), 3, "{name} must be a 3D tensor")
    product = bmm(batch1.detach(), batch2.detach())
    return _add_product(BADDBMM, input, product, (batch1, batch2), beta, alpha)


def addbmm(
    input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """``beta * input + alpha * (the sum of the products batch1[i] @ batch2[i])``."""
    _dims("addbmm", (("batch1", batch1), ("batch2", batch2)), 3, "{name} must be a 3D tensor")
    product = bmm(batch1.detach(), batch2.detach()).sum(0)
    return _add_product(ADDBMM, input, product, (batch1, batch2), beta, alpha)


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """The dot product of two vectors (of real values: ``dot``)."""
    check_tensor("vdot", input)
    check_tensor("vdot", other, "other")
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.dim()}D and {other.dim()}D tensors"
        )
    if input.dtype is not other.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{dtypes.kind_name(input.dtype)} and {dtypes.kind_name(other.dtype)}"
        )
    n, m = input.shape[0], other.shape[0]
    if n != m:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    backend = backend_of("vdot", input, other)
    out = backend.kernels["matmul"](input._storage.array, other._storage.array)
    return finish(VDOT, out, input._dtype, backend, (input, other))


@composite()
def inner(input: Tensor, other: Tensor) -> Tensor:
    """The sum of products over the last dims; with a 0-d operand, the product."""
    check_tensor("inner", input)
    check_tensor("inner", other, "other")
    if input.dim() == 0 or other.dim() == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input.shape)} and {list(other.shape)}"
        )
    return tensordot(input, other, ([-1], [-1]))


@composite(method=False)
def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of the matrices, left to right (deprecated in PyTorch, as here)."""
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. "
        "Use torch.linalg.multi_dot instead, which accepts a list of two or more tensors "
        "rather than multiple parameters.",
        UserWarning,
        stacklevel=2,
    )
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    if len(matrices) == 1:
        return matrices[0].clone()
    out = matrices[0]
    for m in matrices[1:]:
        out = mm(out, m)
    return out


FUNCTIONS = {
    "addmv": addmv,
    "addr": addr,
    "baddbmm": baddbmm,
    "addbmm": addbmm,
    "vdot": vdot,
    "inner": inner,
    "chain_matmul": chain_matmul,
}
