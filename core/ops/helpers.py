"""Small pieces the op modules share: constant tensors on an input's backend, dims."""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor, _wrap_dim


def full_on(like: Tensor, shape: tuple, value: Any, dtype: Any = None) -> Tensor:
    """A new constant tensor of ``shape`` on ``like``'s backend (``like``'s dtype)."""
    backend, dtype = like._backend, dtype or like._dtype
    array = backend.kernels["full"](tuple(shape), value, backend.native_dtype(dtype))
    return Tensor._make(array, dtype, backend)


def zeros_on(like: Tensor, shape: tuple, dtype: Any = None) -> Tensor:
    return full_on(like, shape, 0, dtype)


def tangent_or_zeros(u: Tensor | None, out: Tensor) -> Tensor:
    """Forward mode: an input's tangent, or zeros of the result's shape where it has none
    (for the declared tangent rules of records with several inputs)."""
    return zeros_on(out, tuple(out.shape)) if u is None else u


def check_keepdim(op: str, keepdim: Any) -> None:
    """A TypeError for a ``keepdim`` that is not a bool (an op's :func:`~retrograd.
    arguments.parsed` wrapper words it as PyTorch's parser does); a truthy string must
    not pass for True on a backend that would take it."""
    if not isinstance(keepdim, bool):
        raise TypeError(f"{op}(): argument 'keepdim' must be bool, not {type(keepdim).__name__}")


def check_tensor(op: str, value: Any, name: str = "input") -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(value).__name__}")
    return value


def not_implemented(kernel: str, backend: Any, dtype: dtypes.dtype) -> NotImplementedError:
    """PyTorch's refusal of ``dtype`` by its kernel ``kernel``, worded as PyTorch words it:
    ``"bitwise_and_cpu" not implemented for 'Float'`` (``_cuda`` on a GPU backend)."""
    device = "cpu" if backend.device_type == "cpu" else "cuda"
    return NotImplementedError(
        f"\"{kernel}_{device}\" not implemented for '{dtypes.kind_name(dtype)}'"
    )


def reduction_dims(op: str, input: Tensor, dim: Any) -> tuple[int, ...] | None:
    """``dim`` (an int, a tuple or None) as sorted non-negative dims; None means all."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    wrapped = tuple(sorted(_wrap_dim(d, max(input.dim(), 1), op) for d in dims))
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"dim {wrapped[0]} appears multiple times in the list of dims")
    return wrapped if input.dim() else None


def one_dim(op: str, input: Tensor, dim: int) -> int:
    """A single ``dim`` of ``input``, wrapped (a 0-d tensor has dim 0 and -1)."""
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    return _wrap_dim(dim, max(input.dim(), 1), op)
