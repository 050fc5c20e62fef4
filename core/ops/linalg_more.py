"""More linear algebra: ``trace``, ``cross``, ``tensordot`` and ``kron``.

``trace`` and ``cross`` are records with PyTorch's nodes (``TraceBackward0``, and
``LinalgCrossBackward0``: ``torch.cross`` is ``linalg.cross``); ``tensordot`` and
``kron`` are composed as PyTorch composes them (``tensordot``: permute, reshape, ``mm``,
reshape; ``kron``: ``_unsafe_view`` of each operand, ``mul``, ``_unsafe_view``), so the
same nodes come out.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import dtypes
from ..dtypes import FLOATING
from ..tensor import Tensor, _wrap_dim
from .dispatch import array_of, backend_of, broadcast_shapes, finish
from .elementwise import where
from .helpers import check_tensor, not_implemented
from .linalg import _unsafe_view
from .record import LINALG, OpRecord, composite
from .shape import UNSAFE_VIEW


def _eye_mask(like: Tensor, shape: tuple) -> Tensor:
    """An (n, m) bool tensor on ``like``'s backend, True on the main diagonal. Built from
    two ``arange`` (Dask's ``eye`` of a non-square shape makes a broken graph)."""
    backend = like._backend
    k, native = backend.kernels, backend.native_dtype(dtypes.int64)
    rows, cols = k["arange"](0, shape[0], 1, native), k["arange"](0, shape[1], 1, native)
    mask = k["equal"](k["expand_dims"](rows, 1), k["expand_dims"](cols, 0))
    return Tensor._make(mask, dtypes.bool, backend)


def _trace_grad(g: Tensor, shape: tuple) -> Tensor:
    # PyTorch fills the diagonal of zeros with the gradient: off it 0, even for a nan or
    # an inf gradient (a where, not a product).
    return where(_eye_mask(g, shape), g.expand(shape), 0.0)


TRACE = OpRecord(
    "trace", LINALG, "TraceBackward0", "sum", save=("self.shape",), grads=(_trace_grad,),
    accepts_bool=False, doc="d/d input = grad on the diagonal, 0 elsewhere",
)  # fmt: skip
CROSS = OpRecord(
    "cross", LINALG, "LinalgCrossBackward0", "roll", inputs=("self", "other"),
    save=("self", "other", "dim"),
    grads=(lambda g, a, b, dim: cross(b, g, dim), lambda g, a, b, dim: cross(g, a, dim)),
)  # fmt: skip
RECORDS = (TRACE, CROSS)


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix; integers sum as int64."""
    check_tensor("trace", input)
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    backend, dtype = input._backend, input._dtype
    if dtype is dtypes.bool:
        raise NotImplementedError(f"\"trace\" not implemented for '{dtypes.kind_name(dtype)}'")
    out_dtype = dtype if dtype.category == FLOATING else dtypes.int64
    k = backend.kernels
    array = array_of(input, out_dtype, backend)
    diagonal = k["where"](_eye_mask(input, tuple(input.shape))._storage.array, array,
                          k["zeros_like"](array))  # fmt: skip
    return finish(TRACE, k["sum"](diagonal), out_dtype, backend, (input,))


_CROSS_DEFAULT = (
    "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
    "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to "
    "agree with that of linalg.cross in a future release."
)


def _cross_dim(input: Tensor, other: Tensor, dim: int | None) -> int:
    if input.dim() != other.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if dim is None:  # PyTorch's deprecated default: the first dim of size 3
        warnings.warn(_CROSS_DEFAULT, UserWarning, stacklevel=3)
        dim = next((i for i, n in enumerate(input.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    dim = _wrap_dim(dim, max(input.dim(), 1), "cross")
    a, b = input.shape[dim], other.shape[dim]
    if a != 3 or b != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {a} and {b}"
        )
    return dim


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (the operands broadcast); without
    ``dim``, the first dim of size 3, with PyTorch's deprecation warning."""
    check_tensor("cross", input)
    check_tensor("cross", other, "other")
    dim = _cross_dim(input, other, dim)
    if input.dtype is not other.dtype:
        raise RuntimeError(
            f"expected scalar type {dtypes.kind_name(input.dtype)} but found "
            f"{dtypes.kind_name(other.dtype)}"
        )
    backend, dtype = backend_of("cross", input, other), input._dtype
    if dtype is dtypes.bool:
        raise not_implemented("linalg_cross", backend, dtype)
    shape = broadcast_shapes("cross", tuple(input.shape), tuple(other.shape))
    k = backend.kernels
    a = k["broadcast_to"](input._storage.array, shape)
    b = k["broadcast_to"](other._storage.array, shape)
    # c_i = a_(i+1) b_(i+2) - a_(i+2) b_(i+1), the indices mod 3: rolls along dim.
    a1, a2 = k["roll"](a, (-1,), (dim,)), k["roll"](a, (-2,), (dim,))
    b1, b2 = k["roll"](b, (-1,), (dim,)), k["roll"](b, (-2,), (dim,))
    out = k["subtract"](k["multiply"](a1, b2), k["multiply"](a2, b1))
    return finish(CROSS, out, dtype, backend, (input, other), {"dim": dim})


def _contraction(a: Tensor, b: Tensor, dims: Any) -> tuple[list[int], list[int]]:
    """``dims`` (a count, or two lists of dims) as the contracted dims of ``a`` and ``b``."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.dim(), b.dim()):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(a.dim() - dims, a.dim())), list(range(dims))
    dims_a, dims_b = dims
    dims_a = [dims_a] if isinstance(dims_a, int) else list(dims_a)
    dims_b = [dims_b] if isinstance(dims_b, int) else list(dims_b)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    return dims_a, dims_b


def _numel(t: Tensor, dims: list[int]) -> int:
    n = 1
    for d in dims:
        n *= t.shape[d]
    return n


@composite(method=False)  # torch.Tensor has no tensordot
def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Sum the products of ``a`` and ``b`` over the dims ``dims`` pairs (a count: the
    last of ``a`` with the first of ``b``); the free dims of ``a``, then of ``b``."""
    check_tensor("tensordot", a, "a")
    check_tensor("tensordot", b, "b")
    dims_a, dims_b = _contraction(a, b, dims)
    ca = [_wrap_dim(d, a.dim(), "tensordot") for d in dims_a]
    cb = [_wrap_dim(d, b.dim(), "tensordot") for d in dims_b]
    for da, db, wa, wb in zip(dims_a, dims_b, ca, cb):
        na, nb = a.shape[wa], b.shape[wb]
        if na != nb:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {na} in dim {da} and "
                f"second has size {nb} in dim {db}"
            )
    free_a = [d for d in range(a.dim()) if d not in ca]
    free_b = [d for d in range(b.dim()) if d not in cb]
    sizes = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    left = a.permute(free_a + ca).reshape(_numel(a, free_a), _numel(a, ca))
    right = b.permute(cb + free_b).reshape(_numel(b, cb), _numel(b, free_b))
    return left.mm(right).reshape(sizes)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: every element of ``input`` times the whole of ``other``."""
    check_tensor("kron", input)
    check_tensor("kron", other, "other")
    n = max(input.dim(), other.dim())
    sa = (1,) * (n - input.dim()) + tuple(input.shape)
    sb = (1,) * (n - other.dim()) + tuple(other.shape)
    left = [s for size in sa for s in (size, 1)]
    right = [s for size in sb for s in (1, size)]
    product = _unsafe_view(UNSAFE_VIEW, input, tuple(left)) * _unsafe_view(
        UNSAFE_VIEW, other, tuple(right)
    )
    return _unsafe_view(UNSAFE_VIEW, product, tuple(x * y for x, y in zip(sa, sb)))


FUNCTIONS = {"trace": trace, "cross": cross, "tensordot": tensordot, "kron": kron}
