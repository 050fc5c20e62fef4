"""Reductions: ``sum``, ``mean``, ``prod``, ``logsumexp``, ``all``, ``any``, over all
elements or over ``dim``.

PyTorch's ``dim``/``keepdim`` map to the kernels' ``axis``/``keepdims``; a ``dim`` may be
an int or a tuple, negative too. The extrema are in :mod:`.extrema`, ``var``/``std``/
``norm`` in :mod:`.statistics`, the running ``cumsum``/``cumprod`` in :mod:`.scans`.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..arguments import MISSING
from ..grad_mode import state as _grad_state
from ..tensor import Tensor
from .dispatch import array_of, finish
from .elementwise import where
from .helpers import check_keepdim, check_tensor, full_on, one_dim, reduction_dims
from .joining import cat
from .record import REDUCTION, Convention, OpRecord


def expand_back(g: Tensor, shape: tuple, dims: tuple | None, keepdim: bool) -> Tensor:
    """Broadcast a reduced gradient back over the reduced dimensions of ``shape``."""
    if dims is not None and not keepdim:
        kept = [1 if i in dims else n for i, n in enumerate(shape)]
        g = g.reshape(kept)
    return g.expand(shape)


def count(shape: tuple, dims: tuple | None) -> int:
    """How many elements of ``shape`` each result element reduces."""
    n = 1
    for i, size in enumerate(shape):
        if dims is None or i in dims:
            n *= size
    return n


def _others(a: Tensor, dim: int) -> Tensor:
    """For each element, the product of the others along ``dim``: exclusive running
    products from both ends, so zeros need no division (and it stays differentiable)."""
    n = a.shape[dim]
    if n == 0:
        return a
    ones = full_on(a, tuple(1 if i == dim else s for i, s in enumerate(a.shape)), 1)
    before = cat([ones, a.narrow(dim, 0, n - 1)], dim).cumprod(dim)
    after = cat([a.narrow(dim, 1, n - 1), ones], dim).flip(dim).cumprod(dim).flip(dim)
    return before * after


def _quotient(g: Tensor, a: Tensor, result: Tensor) -> Tensor:
    """``g * result / a``, PyTorch's gradient where no element is 0 (so a NaN or an inf
    makes every element's gradient NaN, as in PyTorch); zeros are divided by 1, not
    by 0, as the value there is not used."""
    return g * (result / where(a == 0, 1.0, a))


def _prod_grad(g: Tensor, a: Tensor, result: Tensor) -> Tensor:
    # PyTorch's choice, per tensor: no zero, the quotient; one zero, the product of the
    # other elements; two or more, 0 everywhere (NaNs included) unless a graph of the
    # gradient is recorded (then the products of the others, whose derivative is not 0).
    zeros = (a == 0).sum()
    others = _others(a.reshape(-1), 0).reshape(a.shape)
    if not _grad_state.enabled:
        others = where(zeros > 1, 0.0, others)
    return where(zeros == 0, _quotient(g, a, result), g * others)


def _prod_dim_grad(g: Tensor, a: Tensor, result: Tensor, dim: int, keepdim: bool) -> Tensor:
    if a.dim() == 0:
        return g.reshape(())
    g = expand_back(g, a.shape, (dim,), keepdim)
    result = expand_back(result, a.shape, (dim,), keepdim)
    # PyTorch's choice: a zero anywhere in the tensor, the products of the others along
    # ``dim``; none, the quotient.
    return where((a == 0).any(), g * _others(a, dim), _quotient(g, a, result))


def _logsumexp_grad(g, a, result, dims, keepdim):
    shape = a.shape
    return (
        expand_back(g, shape, dims, keepdim) * (a - expand_back(result, shape, dims, keepdim)).exp()
    )


def _reduction(name: str, grad_fn: str | None, kernel: str, save: tuple, grad: Any, **kw):
    return OpRecord(name, REDUCTION, grad_fn, kernel, save=save, grads=(grad,), **kw)


# Forward mode: a linear op's tangent is the op applied to the input's tangent (``jvp``).
SUM = _reduction(
    "sum", "SumBackward0", "sum", ("self.shape",), lambda g, shape: g.expand(shape),
    jvp=lambda us, out, shape: us[0].sum(),
)  # fmt: skip
SUM_DIM = _reduction(
    "sum_dim", "SumBackward1", "sum", ("self.shape", "dims", "keepdim"), expand_back, public="sum",
    jvp=lambda us, out, shape, dims, keepdim: us[0].sum(dims, keepdim=keepdim),
)  # fmt: skip
MEAN = _reduction(
    "mean",
    "MeanBackward0",
    "mean",
    ("self.shape",),
    lambda g, shape: g.expand(shape) / count(shape, None),
    jvp=lambda us, out, shape: us[0].mean(),
)
MEAN_DIM = _reduction(
    "mean_dim",
    "MeanBackward1",
    "mean",
    ("self.shape", "dims", "keepdim"),
    lambda g, shape, dims, keepdim: expand_back(g, shape, dims, keepdim) / count(shape, dims),
    public="mean",
    jvp=lambda us, out, shape, dims, keepdim: us[0].mean(dims, keepdim=keepdim),
)
# PyTorch's gradient: result / element where no element is 0 (NaN everywhere when one
# is NaN); with zeros, the product of the other elements (two or more zeros: 0).
_AT_ZEROS = "at zeros: the product of the other elements; a NaN: NaN everywhere"
PROD = _reduction(
    "prod",
    "ProdBackward0",
    "prod",
    ("self", "result"),
    _prod_grad,
    kinks=(0.0,),
    doc=_AT_ZEROS,
    conventions=(
        Convention(([0.0, 2.0, 3.0],), ([6.0, 0.0, 0.0],)),
        Convention(([0.0, 0.0, 3.0],), ([0.0, 0.0, 0.0],)),
        Convention(([1.0, math.nan, 3.0],), ([math.nan, math.nan, math.nan],)),
        Convention(([0.0, math.nan, 3.0],), ([math.nan, 0.0, math.nan],)),
        Convention(([0.0, 0.0, math.nan],), ([0.0, 0.0, 0.0],)),
    ),
)
PROD_DIM = _reduction(
    "prod_dim", "ProdBackward1", "prod", ("self", "result", "dim", "keepdim"), _prod_dim_grad,
    kinks=(0.0,), doc=_AT_ZEROS, public="prod",
    conventions=(Convention(([[0.0, 2.0], [3.0, 4.0], [0.0, 0.0]],),
                            ([[2.0, 0.0], [4.0, 3.0], [0.0, 0.0]],),
                            (("dim", 1), ("keepdim", False))),),
)  # fmt: skip
LOGSUMEXP = _reduction(
    "logsumexp",
    "LogsumexpBackward0",
    "logsumexp",
    ("self", "result", "dims", "keepdim"),
    _logsumexp_grad,
    jvp=lambda us, out, a, r, dims, keepdim: (
        us[0] * (a - expand_back(r, a.shape, dims, keepdim)).exp()
    ).sum(dims, keepdim=keepdim),  # forward mode: the softmax-weighted tangent
)
ALL = OpRecord("all", REDUCTION, None, "all")
ANY = OpRecord("any", REDUCTION, None, "any")

RECORDS = (SUM, SUM_DIM, MEAN, MEAN_DIM, PROD, PROD_DIM, LOGSUMEXP, ALL, ANY)


def _reduce(records: tuple, input: Tensor, dim: Any, keepdim: bool, dtype: Any) -> Tensor:
    op = records[0].name
    check_tensor(op, input)
    check_keepdim(op, keepdim)
    dims = reduction_dims(op, input, dim)
    backend = input._backend
    array = array_of(input, dtype, backend)
    out = backend.kernels[records[0].kernel](array, axis=dims, keepdims=keepdim)
    if out.dtype != backend.native_dtype(dtype):
        out = backend.kernels["astype"](out, backend.native_dtype(dtype))
    if dim is None:
        return finish(records[0], out, dtype, backend, (input,))
    params = {"dims": dims, "dim": dims[0] if dims else 0, "keepdim": keepdim}
    return finish(records[1], out, dtype, backend, (input,), params)


def _integers_as_long(input: Tensor, dtype: Any) -> dtypes.dtype:
    if dtype is not None:
        return dtypes.resolve(dtype)
    check_tensor("sum", input)
    return input.dtype if input.dtype.is_floating_point else dtypes.int64


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    """Sum of all elements, or over ``dim``; integers and bools sum as int64."""
    return _reduce((SUM, SUM_DIM), input, dim, keepdim, _integers_as_long(input, dtype))


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Mean of all elements, or over ``dim``; needs a floating dtype."""
    dtype = dtypes.resolve(dtype) if dtype is not None else check_tensor("mean", input).dtype
    if not dtype.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {dtypes.kind_name(dtype)}"
        )
    return _reduce((MEAN, MEAN_DIM), input, dim, keepdim, dtype)


def prod(input: Tensor, dim: Any = MISSING, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Product of all elements, or along one ``dim``; integers and bools as int64."""
    dtype = _integers_as_long(input, dtype)
    if dim is None:  # PyTorch's prod takes one int dim or none at all, not None
        raise TypeError("prod(): argument 'dim' must be int, not NoneType")
    dim = None if dim is MISSING else dim
    if dim is not None:
        dim = one_dim("prod", input, dim)
    return _reduce((PROD, PROD_DIM), input, dim, keepdim, dtype)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input), dim))``, shifted by the maximum so huge values are exact."""
    check_tensor("logsumexp", input)
    check_keepdim("logsumexp", keepdim)
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType")
    dtype = input.dtype if input.dtype.is_floating_point else dtypes.get_default_dtype()
    dims = reduction_dims("logsumexp", input, dim)
    backend = input._backend
    out = backend.kernels["logsumexp"](array_of(input, dtype, backend), dims, keepdim)
    params = {"dims": dims, "keepdim": keepdim}
    return finish(LOGSUMEXP, out, dtype, backend, (input,), params)


def _logical(record: OpRecord) -> Any:
    def op(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
        check_tensor(record.name, input)
        check_keepdim(record.name, keepdim)
        dims = reduction_dims(record.name, input, dim)
        backend = input._backend
        out = backend.kernels[record.kernel](input._storage.array, axis=dims, keepdims=keepdim)
        if input.dtype is dtypes.uint8:  # PyTorch keeps uint8 (its legacy mask dtype)
            return Tensor._make(out, dtypes.bool, backend).to(dtypes.uint8)
        return Tensor._make(out, dtypes.bool, backend)

    op.__name__ = record.name
    op.__doc__ = f"Whether {record.name} elements are nonzero (over ``dim``), as a bool tensor."
    return op


FUNCTIONS = {
    "sum": sum,
    "mean": mean,
    "prod": prod,
    "logsumexp": logsumexp,
    "all": _logical(ALL),
    "any": _logical(ANY),
}
