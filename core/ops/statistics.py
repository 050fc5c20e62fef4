"""Spread and size: ``var``, ``std`` (with Bessel's ``correction``) and the vector
``norm`` (p = 1, 2, inf, any p > 0, and 0; ``"fro"`` is 2; ``"nuc"``, over two dims, is
linalg's nuclear norm).

PyTorch's conventions at zero, kept here: the gradient of a zero ``std`` or of a zero
``norm`` is 0, not nan.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from .. import dtypes
from ..arguments import typename
from ..tensor import Tensor, _wrap_dim
from .dispatch import finish
from .elementwise import where
from .helpers import check_keepdim, check_tensor, reduction_dims, zeros_on
from .linalg_spectral import singular_value_norm
from .record import REDUCTION, Convention, OpRecord
from .reductions import count, expand_back


def _var_grad(g: Tensor, a: Tensor, dims: Any, correction: float, keepdim: bool) -> Tensor:
    dof = count(a.shape, dims) - correction
    scale = 2 / dof if dof > 0 else math.inf
    centered = a - (a.mean(dims, keepdim=True) if dims is not None else a.mean())
    return expand_back(g, a.shape, dims, keepdim) * centered * scale


def _std_grad(g, a, result, dims, correction, keepdim) -> Tensor:
    safe = where(result == 0, 1.0, result)
    return _var_grad(where(result == 0, 0.0, g / (2 * safe)), a, dims, correction, keepdim)


def _norm_grad(g, a, result, p, dims, keepdim) -> Tensor:
    """PyTorch's ``linalg_vector_norm_backward``, case by case."""
    g = expand_back(g, a.shape, dims, keepdim)
    result = expand_back(result, a.shape, dims, keepdim)
    if p == 0:
        return zeros_on(a, tuple(a.shape))
    if p == 1:
        return g * a.sign()
    if math.isinf(p):  # amax of |a|: ties share the gradient
        ties = a.abs() == result
        return a.sign() * (g / ties.sum(dims, keepdim=True)) * ties
    safe = where(result == 0, 1.0, result)
    if p < 1:
        scaled = where(a == 0, 0.0, a.sign() * a.abs() ** (p - 1))
        return scaled * g * safe ** (1 - p)
    scale = where(result == 0, 0.0, g / safe ** (p - 1))
    if p < 2:
        return a.sign() * a.abs() ** (p - 1) * scale
    return a * a.abs() ** (p - 2) * scale


VAR = OpRecord(
    "var",
    REDUCTION,
    "VarBackward0",
    "var",
    save=("self", "dims", "correction", "keepdim"),
    grads=(_var_grad,),
)
STD = OpRecord(
    "std",
    REDUCTION,
    "StdBackward0",
    "std",
    save=("self", "result", "dims", "correction", "keepdim"),
    grads=(_std_grad,),
    doc="a zero std has gradient 0",
    conventions=(
        Convention(
            ([2.0, 2.0, 2.0],),
            ([0.0, 0.0, 0.0],),
            (("dim", None), ("keepdim", False), ("correction", 1)),
        ),
    ),
)
NORM = OpRecord(
    "norm",
    REDUCTION,
    "LinalgVectorNormBackward0",
    "vector_norm",
    save=("self", "result", "p", "dims", "keepdim"),
    grads=(_norm_grad,),
    doc="a zero norm has gradient 0; p = inf: ties share evenly",
    conventions=(
        Convention(
            ([0.0, 0.0, 0.0],), ([0.0, 0.0, 0.0],), (("p", 2), ("dim", None), ("keepdim", False))
        ),
    ),
)
RECORDS = (VAR, STD, NORM)


def _correction(dim: Any, unbiased: Any, correction: Any) -> tuple[Any, float]:
    if isinstance(dim, bool):  # var(x, False): the ``unbiased`` overload
        dim, unbiased = None, dim
    if correction is None:
        correction = 0 if unbiased is False else 1
    elif unbiased is not None:
        raise RuntimeError("var/std: pass either unbiased or correction, not both")
    return dim, correction


def _warn_no_freedom(op: str, input: Tensor, dims: Any, correction: Any) -> None:
    """PyTorch's warning when ``N - correction <= 0`` (the result is NaN or inf)."""
    shape = tuple(input.shape)
    n = math.prod(shape[d] for d in dims) if dims is not None else math.prod(shape)
    n = n if math.prod(shape) else 0  # PyTorch's factor: input numel / output numel
    if n - correction <= 0:
        warnings.warn(
            f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=4,
        )


def _spread(
    record: OpRecord, input: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any
) -> Tensor:
    check_tensor(record.name, input)
    check_keepdim(record.name, keepdim)
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            "std and var only support floating point and complex dtypes "
            f"(in {record.name}(), got {input.dtype}; convert with .float() first)"
        )
    dim, correction = _correction(dim, unbiased, correction)
    dims = reduction_dims(record.name, input, dim)
    _warn_no_freedom(record.name, input, dims, correction)
    backend = input._backend
    out = backend.kernels[record.kernel](input._storage.array, dims, correction, keepdim)
    params = {"dims": dims, "correction": correction, "keepdim": keepdim}
    return finish(record, out, input._dtype, backend, (input,), params)


def var(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """The variance over ``dim`` (all by default), dividing by ``N - correction``
    (``correction=1``, Bessel's, unless ``unbiased=False`` or ``correction=`` says)."""
    return _spread(VAR, input, dim, unbiased, keepdim, correction)


def std(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """The standard deviation: ``sqrt(var(...))`` with the same arguments."""
    return _spread(STD, input, dim, unbiased, keepdim, correction)


def _check_norm_dims(dim: Any, keepdim: Any) -> None:
    """PyTorch's norm hands ``dim`` and ``keepdim`` to ``linalg_vector_norm``, whose
    parser words the errors (a float ``dim`` fails on ``len()`` before that)."""
    if isinstance(dim, float):
        raise TypeError("object of type 'float' has no len()")
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    if dim is not None and not all(isinstance(d, int) and not isinstance(d, bool) for d in dims):
        raise TypeError(
            "linalg_vector_norm(): argument 'dim' (position 3) must be tuple of ints, not "
            f"{type(dim).__name__}"
        )
    if not isinstance(keepdim, bool):
        raise TypeError(
            "linalg_vector_norm(): argument 'keepdim' (position 4) must be bool, not "
            f"{type(keepdim).__name__}"
        )


def norm(
    input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    """The vector p-norm of all elements or over ``dim`` (``"fro"``/None is the 2-norm)."""
    if not isinstance(input, Tensor):  # PyTorch's norm reads input.layout first
        raise AttributeError(f"'{type(input).__name__}' object has no attribute 'layout'")
    _check_norm_dims(dim, keepdim)
    if p is None or (p == "fro" and (not isinstance(dim, (tuple, list)) or len(dim) <= 2)):
        p = 2
    elif isinstance(p, str):
        return _matrix_norm(input, p, dim, keepdim)
    elif not isinstance(p, (int, float)):
        raise TypeError(
            f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not {typename(p)}"
        )
    if p < 0:
        raise RuntimeError(f"norm(): retrograd supports p >= 0, inf and 'fro', got p={p!r}")
    if dtype is not None:
        input = input.to(dtypes.resolve(dtype))
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor "
            f"as input. Got {dtypes.kind_name(input.dtype)}"
        )
    dims = reduction_dims("norm", input, dim)
    backend = input._backend
    out = backend.kernels["vector_norm"](input._storage.array, p, dims, keepdim)
    params = {"p": p, "dims": dims, "keepdim": keepdim}
    return finish(NORM, out, input.dtype, backend, (input,), params)


def _matrix_norm(input: Tensor, p: str, dim: Any, keepdim: bool) -> Tensor:
    """PyTorch's norm hands a string ``p`` other than "fro" over at most 2 dims to
    ``linalg.matrix_norm``, which refuses an order but "fro" and "nuc", an input of fewer
    than 2 dimensions and dims other than 2; "nuc" sums the singular values."""
    if p not in ("fro", "nuc"):
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    if input.dim() < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    dims = range(input.dim()) if dim is None else dim if isinstance(dim, (tuple, list)) else [dim]
    if len(dims) != 2:
        got = " ".join(str(d) for d in dims)
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
    dims = tuple(_wrap_dim(d, input.dim(), "linalg.matrix_norm") for d in dims)
    return singular_value_norm(input, p, dims, keepdim)


norm.python_method = True  # type: ignore[attr-defined] # torch/_tensor.py's Tensor.norm

FUNCTIONS = {"var": var, "std": std, "norm": norm}
